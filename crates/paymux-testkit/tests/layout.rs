//! Adapters are laid out by job (`frame`, `encode`, `decode`, `rules`, `checkout`,
//! `simulator/`), and no module of an adapter imports, through other modules, itself: an
//! import circle means two jobs were never really apart.
//!
//! The graph is read from `crate::` and `super::` paths in each file (comments dropped). A
//! submodule naming an ancestor (`super::Thing` in `encode/kspay.rs`) is not an edge: a child
//! naturally sees its parent. The crate root (`lib.rs`) is not a node: every module is declared
//! there and may read its `DESCRIPTOR`. The `simulator/` tree counts as one node; its inner
//! layout belongs to the simulator kit.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Module path of a source file relative to `src` (`encode/mod.rs` → `encode`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file
        .strip_prefix(src)
        .expect("under src")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The node a module counts as.
fn node(module: &str) -> String {
    if module == "simulator" || module.starts_with("simulator::") {
        "simulator".into()
    } else {
        module.into()
    }
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path named after `crate::` or `super::`, with its anchor; `{a, b::c}` groups are
/// expanded one level (enough to find the module).
fn named_paths(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for anchor in ["crate::", "super::"] {
        let is_super = anchor == "super::";
        let mut rest = text;
        while let Some(i) = rest.find(anchor) {
            let boundary = rest[..i]
                .chars()
                .last()
                .map_or(true, |c| !(c.is_alphanumeric() || c == '_' || c == ':'));
            rest = &rest[i + anchor.len()..];
            if !boundary {
                continue;
            }
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let end = group
                    .char_indices()
                    .find(|&(_, c)| {
                        depth += match c {
                            '{' => 1,
                            '}' => -1,
                            _ => 0,
                        };
                        depth == 0
                    })
                    .map_or(group.len(), |(j, _)| j);
                let mut item = String::new();
                let mut depth = 0;
                for c in group[..end].chars().chain(std::iter::once(',')) {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push((is_super, path_head(&item)));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
            } else {
                out.push((is_super, path_head(rest)));
            }
        }
    }
    out.retain(|(_, p)| !p.is_empty());
    out
}

fn path_head(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect::<String>()
        .trim_end_matches(':')
        .to_string()
}

/// The import graph of one crate's `src`, between nodes.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read src") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                files.insert(module_of(src, &p), p);
            }
        }
    }
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &files {
        if module.is_empty() {
            continue;
        }
        let from = node(module);
        let text = strip_comments(&fs::read_to_string(file).expect("read file"));
        for (is_super, path) in named_paths(&text) {
            let mut full: Vec<&str> = Vec::new();
            if is_super {
                let parts: Vec<&str> = module.split("::").collect();
                full.extend(&parts[..parts.len() - 1]);
            }
            full.extend(path.split("::"));
            let target = (1..=full.len())
                .rev()
                .map(|k| full[..k].join("::"))
                .find(|m| files.contains_key(m));
            let Some(target) = target else { continue };
            let to = node(&target);
            let ancestor = module.starts_with(&format!("{target}::"));
            if !target.is_empty() && to != from && !ancestor {
                g.entry(from.clone()).or_default().insert(to);
            }
        }
        g.entry(from).or_default();
    }
    g
}

/// The import circles (strongly connected sets of two or more nodes).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Two nodes share a circle when each reaches the other; graphs here are tiny.
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for m in g.get(&n).into_iter().flatten() {
                if seen.insert(m.clone()) {
                    todo.push(m.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|n| (n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for n in g.keys() {
        let set: Vec<String> = g
            .keys()
            .filter(|m| *m == n || (reached[n].contains(*m) && reached[*m].contains(n)))
            .cloned()
            .collect();
        if set.len() > 1 && !out.contains(&set) {
            out.push(set);
        }
    }
    out
}

fn adapters() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../adapters");
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .expect("adapters/")
        .map(|e| e.expect("entry").path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn no_adapter_has_an_import_circle() {
    let dirs = adapters();
    assert!(dirs.len() >= 3, "adapters not found: {dirs:?}");
    let mut found = Vec::new();
    for src in dirs {
        for circle in circles(&graph(&src)) {
            found.push(format!("{}: {}", src.display(), circle.join(" → ")));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn a_circle_is_found_and_an_ancestor_is_not_one() {
    let dir = std::env::temp_dir().join(format!("paymux-layout-{}", std::process::id()));
    let src = dir.join("src");
    fs::create_dir_all(src.join("encode")).unwrap();
    fs::write(src.join("lib.rs"), "pub mod encode; pub mod rules;").unwrap();
    fs::write(
        src.join("encode/mod.rs"),
        "pub mod kspay;\nuse crate::rules::{self, limit};\n",
    )
    .unwrap();
    fs::write(src.join("encode/kspay.rs"), "use super::helper;\n").unwrap();
    fs::write(src.join("frame.rs"), "// use crate::rules;\n").unwrap();
    fs::write(src.join("rules.rs"), "fn f() { crate::encode::x(); }\n").unwrap();
    let g = graph(&src);
    assert_eq!(
        circles(&g),
        vec![vec!["encode".to_string(), "rules".into()]]
    );
    // The commented-out import and the child → parent `super::` are not edges.
    assert!(g["frame"].is_empty());
    assert!(g["encode::kspay"].is_empty());
    fs::remove_dir_all(dir).unwrap();
}

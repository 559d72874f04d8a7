//! `cargo xtask doc-links` (also a step of `ci`): the docs stand on their own in a clone.
//!
//! Two checks over the files git tracks:
//!
//! 1. no text file cites the team's material outside the repository (the parent directory's
//!    `shared` folder: its design brief or its reference notes) — the in-repo versions are
//!    `docs/DESIGN.md`, `docs/vendors/` and `docs/PORTONE.md`;
//! 2. every relative link in a tracked Markdown file (`[text](path)`, `[text]: path`) points
//!    at a tracked file or directory. Web links (`http:`, `https:`, `mailto:`) and links to an
//!    anchor of the same page are not checked; an anchor on another file is dropped and the
//!    file is checked. Code (fenced blocks and `inline spans`) is skipped.

use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Citations of material that is not in the repository. Built with `concat!` so that this
/// file does not match itself.
const OUTSIDE: &[&str] = &[
    concat!("..", "/shared"),
    concat!("shared", "/reference"),
    concat!("shared", "/design.md"),
];

/// Run both checks on the repository at `root`; the error lists every problem found.
pub fn check(root: &Path) -> Result<()> {
    let files = tracked_files(root)?;
    let tracked: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let mut links = 0usize;
    for file in &files {
        let Ok(bytes) = std::fs::read(root.join(file)) else {
            continue; // tracked but deleted in the work tree: git reports that, not us
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue; // binary
        };
        for (line, what) in outside_citations(&text) {
            problems.push(format!(
                "{file}:{line}: cites `{what}`, which a clone does not have; cite docs/DESIGN.md, docs/vendors/ or docs/PORTONE.md instead"
            ));
        }
        if file.ends_with(".md") {
            for (line, target) in relative_links(&text) {
                links += 1;
                if !link_resolves(file, &target, &tracked) {
                    problems.push(format!(
                        "{file}:{line}: link `{target}` points at no file in the repository"
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "doc-links: {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    eprintln!(
        "doc-links: {} tracked files cite nothing outside the repository; {links} relative Markdown links resolve",
        files.len()
    );
    Ok(())
}

/// The files git tracks under `root` (paths relative to it, `/`-separated).
fn tracked_files(root: &Path) -> Result<Vec<String>> {
    let out = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output()
        .context("run `git ls-files` (the doc-links check needs a git checkout)")?;
    if !out.status.success() {
        bail!(
            "`git ls-files` failed in {}: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

/// `(line number, pattern)` for each citation of material outside the repository.
fn outside_citations(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for pat in OUTSIDE {
            let hit = line.match_indices(pat).any(|(at, _)| {
                // `shared/…` must start a path segment: `foo-shared/reference` is another thing.
                pat.starts_with('.')
                    || !line[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
            });
            if hit {
                found.push((i + 1, *pat));
            }
        }
    }
    found
}

/// `(line number, target)` of each relative link in Markdown text, outside code.
fn relative_links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some(m);
                continue;
            }
            (Some(f), Some(m)) if f == m => {
                fence = None;
                continue;
            }
            (Some(_), _) => continue,
            (None, None) => {}
        }
        let prose = without_code_spans(line);
        let mut targets = Vec::new();
        // Inline links and images: `](target)`.
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            targets.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        // Reference definitions: `[label]: target`.
        if let Some(def) = prose.trim_start().strip_prefix('[') {
            if let Some((_, after)) = def.split_once("]:") {
                targets.push(after.to_string());
            }
        }
        for t in targets {
            if let Some(t) = relative_target(&t) {
                found.push((i + 1, t));
            }
        }
    }
    found
}

/// The line with its `code spans` blanked out.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (n, part) in line.split('`').enumerate() {
        if n % 2 == 0 {
            out.push_str(part);
        } else {
            out.push(' ');
        }
    }
    out
}

/// The path part of a link target if it is a relative link, else `None`.
fn relative_target(raw: &str) -> Option<String> {
    let t = raw.trim();
    // `<path with spaces>` or `path "title"`.
    let t = match t.strip_prefix('<') {
        Some(inner) => inner.split('>').next().unwrap_or(""),
        None => t.split_whitespace().next().unwrap_or(""),
    };
    let lower = t.to_ascii_lowercase();
    if t.is_empty()
        || t.starts_with('#')
        || ["http://", "https://", "mailto:", "ftp://"]
            .iter()
            .any(|s| lower.starts_with(s))
    {
        return None;
    }
    let path = t.split(['#', '?']).next().unwrap_or("");
    (!path.is_empty()).then(|| path.to_string())
}

/// Whether `target`, linked from tracked file `from`, names a tracked file or directory.
fn link_resolves(from: &str, target: &str, tracked: &BTreeSet<&str>) -> bool {
    let target = percent_decode(target);
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new() // GitHub resolves `/x` from the repository root
    } else {
        from.split('/').collect::<Vec<_>>()[..from.matches('/').count()].to_vec()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return false; // above the repository
                }
            }
            s => parts.push(s),
        }
    }
    let path = parts.join("/");
    if path.is_empty() {
        return true; // the repository root
    }
    let dir = format!("{path}/");
    tracked.contains(path.as_str())
        || tracked
            .range(dir.as_str()..)
            .next()
            .is_some_and(|f| f.starts_with(&dir))
}

/// `%20` and friends; anything malformed is kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cite(rest: &str) -> String {
        format!("{}{rest}", concat!("shared", "/"))
    }

    #[test]
    fn finds_citations_of_material_outside_the_repository() {
        let text = format!(
            "intro\nsee `{}` §3\nand [design]({}{})\nfine: docs/DESIGN.md\n",
            cite("reference/vendor-wire-notes.md"),
            concat!("..", "/"),
            cite("design.md"),
        );
        let hits = outside_citations(&text);
        let lines: Vec<usize> = hits.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 3], "{hits:?}");
        assert!(outside_citations(&format!("// {}", cite("design.md"))).len() == 1);
        // Not a citation: another folder that happens to end in `shared`, or prose.
        assert!(outside_citations(&format!("crates/not-{}", cite("reference/x"))).is_empty());
        assert!(outside_citations("the shared toolkit; shared / reference").is_empty());
        assert!(outside_citations("docs/vendors/galaxia.md").is_empty());
    }

    #[test]
    fn extracts_relative_links_outside_code() {
        let text = "\
[a](docs/DESIGN.md) and ![img](img/x.png \"title\") and [web](https://example.com)
[anchor](#steps) [file anchor](CONTRIBUTING.md#1-generate) [mail](mailto:a@b.c)
`[not](a-link.md)` inside code
```
[also not](fenced.md)
```
[ref]: ../README.md
[angle](<with space.md>)
";
        let got: Vec<(usize, String)> = relative_links(text);
        let want: Vec<(usize, String)> = vec![
            (1, "docs/DESIGN.md".into()),
            (1, "img/x.png".into()),
            (2, "CONTRIBUTING.md".into()),
            (7, "../README.md".into()),
            (8, "with space.md".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn resolves_links_against_tracked_files() {
        let tracked: BTreeSet<&str> = [
            "README.md",
            "docs/DESIGN.md",
            "docs/vendors/galaxia.md",
            "adapters/galaxia/README.md",
            "adapters/galaxia/src/lib.rs",
        ]
        .into_iter()
        .collect();
        let ok = |from: &str, t: &str| link_resolves(from, t, &tracked);
        assert!(ok("README.md", "docs/DESIGN.md"));
        assert!(ok("README.md", "./docs/DESIGN.md"));
        assert!(ok("docs/DESIGN.md", "vendors/galaxia.md"));
        assert!(ok("docs/DESIGN.md", "vendors/"));
        assert!(ok(
            "docs/vendors/galaxia.md",
            "../../adapters/galaxia/README.md"
        ));
        assert!(ok("adapters/galaxia/README.md", "src"));
        assert!(ok("adapters/galaxia/README.md", "/docs/DESIGN.md"));
        assert!(ok("docs/DESIGN.md", ".."));
        assert!(!ok("README.md", "docs/design.md"), "case matters");
        assert!(
            !ok("README.md", "../outside-notes.md"),
            "above the repository"
        );
        assert!(!ok("docs/DESIGN.md", "DESIGN.md/x"));
        assert!(
            !ok("README.md", "doc"),
            "a prefix of a folder is not the folder"
        );
        assert!(!ok("docs/DESIGN.md", "../../README.md"));
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("with%20space.md"), "with space.md");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz.md"), "%zz.md");
    }

    /// The repository itself passes (run from the workspace root through cargo).
    #[test]
    fn this_repository_passes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        if root.join(".git").exists() {
            check(root).unwrap();
        }
    }
}

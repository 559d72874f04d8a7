//! `cargo xtask new-adapter <name>`: generate `adapters/<name>/` and add the adapter's two lines
//! to the facade's manifest. Nothing else in the repository changes: the workspace picks up
//! `adapters/*`, and `crates/paymux/build.rs` discovers the folder.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Template files: path inside the new folder, contents.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("templates/adapter/Cargo.toml.tmpl"),
    ),
    (
        "README.md",
        include_str!("templates/adapter/README.md.tmpl"),
    ),
    (
        "src/lib.rs",
        include_str!("templates/adapter/src/lib.rs.tmpl"),
    ),
    (
        "src/protocol.rs",
        include_str!("templates/adapter/src/protocol.rs.tmpl"),
    ),
    (
        "src/frame.rs",
        include_str!("templates/adapter/src/frame.rs.tmpl"),
    ),
    (
        "src/channel.rs",
        include_str!("templates/adapter/src/channel.rs.tmpl"),
    ),
    (
        "src/rules.rs",
        include_str!("templates/adapter/src/rules.rs.tmpl"),
    ),
    (
        "src/encode.rs",
        include_str!("templates/adapter/src/encode.rs.tmpl"),
    ),
    (
        "src/decode.rs",
        include_str!("templates/adapter/src/decode.rs.tmpl"),
    ),
    (
        "src/reconstructed.rs",
        include_str!("templates/adapter/src/reconstructed.rs.tmpl"),
    ),
    (
        "src/simulator/mod.rs",
        include_str!("templates/adapter/src/simulator/mod.rs.tmpl"),
    ),
    (
        "src/simulator/handlers.rs",
        include_str!("templates/adapter/src/simulator/handlers.rs.tmpl"),
    ),
    (
        "tests/conformance.rs",
        include_str!("templates/adapter/tests/conformance.rs.tmpl"),
    ),
    (
        "tests/snapshots.rs",
        include_str!("templates/adapter/tests/snapshots.rs.tmpl"),
    ),
    (
        "tests/snapshots/snapshots__descriptor.snap",
        include_str!("templates/adapter/tests/snapshots/snapshots__descriptor.snap.tmpl"),
    ),
    (
        "tests/snapshots/snapshots__payment_instant_card.snap",
        include_str!("templates/adapter/tests/snapshots/snapshots__payment_instant_card.snap.tmpl"),
    ),
];

/// The facade manifest the two lines go into, relative to the repository root.
pub const FACADE_MANIFEST: &str = "crates/paymux/Cargo.toml";

/// Rust keywords (2021): a name that is one cannot be `pub use ::name;`.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "typeof", "unsized", "virtual", "yield", "gen",
];

/// The spellings of one adapter name.
#[derive(Debug, Clone)]
pub struct Names {
    /// `nice-pay`: folder, adapter id, cargo feature.
    pub name: String,
    /// `nice_pay`: Rust crate identifier suffix.
    pub ident: String,
    /// `NicePay`: type prefix.
    pub camel: String,
    /// `NICE_PAY`: placeholder `pg_provider`.
    pub upper: String,
    /// `Nice Pay`: display name placeholder.
    pub display: String,
}

impl Names {
    /// Check the name's form: lowercase ASCII letters, digits and single `-`, starting with
    /// a letter.
    pub fn parse(name: &str) -> Result<Names> {
        let ok_chars = name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if name.is_empty()
            || !ok_chars
            || !name.starts_with(|c: char| c.is_ascii_lowercase())
            || name.ends_with('-')
            || name.contains("--")
        {
            bail!(
                "invalid adapter name `{name}`: use lowercase ASCII letters, digits and single `-`, starting with a letter (e.g. `ksnet`, `nice-pay`)"
            );
        }
        let ident = name.replace('-', "_");
        if KEYWORDS.contains(&ident.as_str()) {
            bail!("invalid adapter name `{name}`: it is a Rust keyword");
        }
        let words: Vec<&str> = name.split('-').collect();
        let cap = |w: &str| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        Ok(Names {
            name: name.to_string(),
            camel: words.iter().map(|w| cap(w)).collect(),
            upper: name.replace('-', "_").to_ascii_uppercase(),
            display: words.iter().map(|w| cap(w)).collect::<Vec<_>>().join(" "),
            ident,
        })
    }

    fn render(&self, template: &str) -> String {
        template
            .replace("{{name}}", &self.name)
            .replace("{{ident}}", &self.ident)
            .replace("{{Camel}}", &self.camel)
            .replace("{{UPPER}}", &self.upper)
            .replace("{{Display}}", &self.display)
    }
}

/// The two facade lines for `names`: the optional dependency, without its default features
/// (so a production build can leave its simulator out), and the `all-adapters` entry. No
/// `NAME?/simulator` entry in `simulators` is needed: the generated adapter gates its simulator
/// with `paymux_core::with_simulator!`, which follows paymux-core's `simulator` feature, and
/// `simulators` turns that on.
pub fn facade_lines(names: &Names) -> (String, String) {
    let n = &names.name;
    (
        format!(
            "{n} = {{ package = \"paymux-{n}\", path = \"../../adapters/{n}\", optional = true, default-features = false }}"
        ),
        format!("    \"{n}\","),
    )
}

/// Generate the adapter under `root`. Returns the files written.
pub fn new_adapter(root: &Path, name: &str) -> Result<Vec<PathBuf>> {
    let names = Names::parse(name)?;
    let dir = root.join("adapters").join(&names.name);
    if dir.exists() {
        bail!("adapters/{name} already exists");
    }
    if root.join("crates").join(format!("paymux-{name}")).exists() {
        bail!("crates/paymux-{name} already exists: pick another name");
    }
    let facade_path = root.join(FACADE_MANIFEST);
    let facade = std::fs::read_to_string(&facade_path)
        .with_context(|| format!("read {}", facade_path.display()))?;
    // Compute the new facade manifest before writing anything, so a refusal leaves no trace.
    let new_facade = add_facade_lines(&facade, &names)?;

    let mut written = Vec::new();
    for (rel, template) in TEMPLATES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("create {}", parent.display()))?;
        }
        std::fs::write(&path, names.render(template))
            .with_context(|| format!("write {}", path.display()))?;
        written.push(path);
    }
    std::fs::write(&facade_path, new_facade)
        .with_context(|| format!("write {}", facade_path.display()))?;
    written.push(facade_path);
    Ok(written)
}

/// The key of a TOML `key = value` line (`galaxia` of `galaxia = { ... }`, `tokio` of
/// `tokio.workspace = true`, `a` of `"a",`).
fn line_key(line: &str) -> &str {
    let t = line.trim();
    let t = t.split(['=', ',', '.']).next().unwrap_or(t).trim();
    t.trim_matches('"')
}

/// Insert the dependency line after the `# Adapters` comment (in name order among the adapter
/// lines already there) and the feature entry inside `all-adapters = [ ... ]` (in name order).
/// Refuses when the name is already a dependency or feature of the facade.
pub fn add_facade_lines(manifest: &str, names: &Names) -> Result<String> {
    let (dep_line, feature_line) = facade_lines(names);
    let mut lines: Vec<String> = manifest.lines().map(str::to_string).collect();
    let n = names.name.as_str();

    // The name must not already be a key of [features] or [dependencies] (e.g. `tokio`).
    let mut section = String::new();
    for l in &lines {
        let t = l.trim();
        if t.starts_with('[') {
            section = t.to_string();
            continue;
        }
        if (section == "[dependencies]" || section == "[features]")
            && !t.starts_with('#')
            && t.contains('=')
            && line_key(t) == n
        {
            bail!(
                "`{n}` is already a dependency or feature of {FACADE_MANIFEST}: pick another name"
            );
        }
    }

    // Feature: inside `all-adapters = [`.
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("all-adapters = ["))
        .with_context(|| format!("{FACADE_MANIFEST} has no `all-adapters = [` line"))?;
    if lines[start].contains(']') {
        bail!("{FACADE_MANIFEST}: write `all-adapters = [` and its closing `]` on separate lines");
    }
    let end = lines[start..]
        .iter()
        .position(|l| l.trim() == "]")
        .map(|i| start + i)
        .with_context(|| format!("{FACADE_MANIFEST}: `all-adapters = [` is never closed"))?;
    if lines[start + 1..end].iter().any(|l| line_key(l) == n) {
        bail!("`{n}` is already in all-adapters");
    }
    let at = (start + 1..end)
        .find(|&i| {
            let k = line_key(&lines[i]);
            !k.is_empty() && !lines[i].trim().starts_with('#') && k > n
        })
        .unwrap_or(end);
    lines.insert(at, feature_line);

    // Dependency: after the `# Adapters` comment, among the adapter lines.
    let comment = lines
        .iter()
        .position(|l| l.trim_start().starts_with("# Adapters"))
        .with_context(|| {
            format!("{FACADE_MANIFEST} has no `# Adapters` comment in [dependencies]")
        })?;
    let mut at = comment + 1;
    while at < lines.len() {
        let l = lines[at].trim();
        let is_adapter = l.contains("path = \"../../adapters/");
        if !is_adapter || line_key(l) > n {
            break;
        }
        at += 1;
    }
    lines.insert(at, dep_line);

    let mut out = lines.join("\n");
    if manifest.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACADE: &str = r#"[features]
default = ["all-adapters"]
all-adapters = [
    "galaxia",
]

[dependencies]
tokio.workspace = true
# Adapters (optional; the dependency name is the feature name):
galaxia = { package = "paymux-galaxia", path = "../../adapters/galaxia", optional = true }

[dev-dependencies]
insta.workspace = true
"#;

    #[test]
    fn names_are_checked() {
        for bad in [
            "", "Zzz", "1pay", "-pay", "pay-", "pay--x", "pay_x", "pay x", "type", "한국",
        ] {
            assert!(Names::parse(bad).is_err(), "{bad}");
        }
        let n = Names::parse("nice-pay2").unwrap();
        assert_eq!(
            (
                n.ident.as_str(),
                n.camel.as_str(),
                n.upper.as_str(),
                n.display.as_str()
            ),
            ("nice_pay2", "NicePay2", "NICE_PAY2", "Nice Pay2")
        );
    }

    #[test]
    fn adds_exactly_two_lines_in_name_order() {
        let out = add_facade_lines(FACADE, &Names::parse("alpha").unwrap()).unwrap();
        let added: Vec<&str> = out
            .lines()
            .filter(|l| !FACADE.lines().any(|o| o == *l))
            .collect();
        assert_eq!(
            added,
            [
                "    \"alpha\",",
                "alpha = { package = \"paymux-alpha\", path = \"../../adapters/alpha\", optional = true, default-features = false }"
            ]
        );
        assert_eq!(out.lines().count(), FACADE.lines().count() + 2);
        // Before galaxia in both places.
        assert!(out.find("\"alpha\",").unwrap() < out.find("\"galaxia\",").unwrap());
        assert!(out.find("alpha = {").unwrap() < out.find("galaxia = {").unwrap());
        let out = add_facade_lines(FACADE, &Names::parse("zzz").unwrap()).unwrap();
        assert!(out.find("\"zzz\",").unwrap() > out.find("\"galaxia\",").unwrap());
        assert!(out.find("zzz = {").unwrap() > out.find("galaxia = {").unwrap());
        assert!(out.find("zzz = {").unwrap() < out.find("[dev-dependencies]").unwrap());
    }

    /// A scaffolded adapter is a draft: its descriptor says so (and its descriptor snapshot,
    /// which the scaffold check runs, pins it), so the sandbox demo group gives it weight 0.
    #[test]
    fn a_scaffolded_adapter_is_a_draft() {
        let names = Names::parse("zzz").unwrap();
        let template = |rel: &str| {
            let (_, t) = TEMPLATES.iter().find(|(r, _)| *r == rel).unwrap();
            names.render(t)
        };
        let lib = template("src/lib.rs");
        assert_eq!(lib.matches("maturity: Maturity::Draft,").count(), 1);
        assert!(!lib.contains("Maturity::Ready,"));
        // The comment tells the contributor when to flip it.
        assert!(lib.contains("cargo test -p paymux-zzz --no-fail-fast"));
        let snap = template("tests/snapshots/snapshots__descriptor.snap");
        assert!(
            snap.contains("\ntransport: http\nmaturity: draft\n"),
            "{snap}"
        );
    }

    #[test]
    fn refuses_names_the_facade_already_uses() {
        for taken in ["galaxia", "tokio", "default", "all-adapters"] {
            let e = add_facade_lines(FACADE, &Names::parse(taken).unwrap()).unwrap_err();
            assert!(e.to_string().contains("already"), "{taken}: {e}");
        }
    }
}

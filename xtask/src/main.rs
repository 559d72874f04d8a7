//! `cargo xtask <command>`: project automation, in Rust so it runs wherever cargo does.
//!
//! - `ci`: format check, clippy with `-D warnings`, rustdoc with `-D warnings`, every test, no pending insta snapshot, a
//!   short fuzzing run, and the scaffold check (see [`scaffold_check`]). This is the README's
//!   test command and what `.ci/run` calls.
//! - `doc-links`: tracked files cite nothing outside the repository and relative Markdown
//!   links resolve (`doclinks.rs`); also the first step of `ci`.
//! - `new-adapter <name>`: generate `adapters/<name>/` and the facade's two lines (see
//!   `scaffold.rs` and CONTRIBUTING.md).
//! - `bench`, `load`, `list-bench`: the benchmarks of docs/BENCHMARKS.md (`bench.rs`,
//!   `load.rs`, `list_bench.rs`); explicit commands, not part of `ci` (which only builds the
//!   benches, through clippy).
//! - `reliability`, `fuzz`: the long versions of docs/RELIABILITY.md (`reliability.rs`,
//!   `fuzz.rs`); CI runs the bounded versions.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod bench;
mod doclinks;
mod fuzz;
mod gate;
mod list_bench;
mod load;
mod reliability;
mod scaffold;

fn main() {
    // Plain messages: an anyhow backtrace (RUST_BACKTRACE) would bury them.
    if let Err(e) = dispatch() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn dispatch() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fuzz") if args.get(1).map(String::as_str) == Some("--ci") => {
            fuzz::short_run(&root(), 5)
        }
        Some("fuzz") => fuzz::fuzz(&root(), &args[1..]),
        Some("fmt") => run(cargo().args(["fmt", "--all"])),
        Some("new-adapter") => match args.get(1) {
            Some(name) if args.len() == 2 => new_adapter(name),
            _ => usage(),
        },
        Some("scaffold-check") => scaffold_check(),
        Some("doc-links") => doclinks::check(&root()),
        Some("bench") => bench::bench(&args[1..]),
        Some("load") => load::load(&args[1..]),
        Some("list-bench") => list_bench::list_bench(&args[1..]),
        Some("reliability") => reliability::reliability(&args[1..]),
        Some("footprint") if args.len() == 1 => load::footprint().map(|t| println!("{t}")),
        _ => usage(),
    }
}

fn usage() -> Result<()> {
    eprintln!(
        "usage: cargo xtask <ci | fmt | new-adapter NAME | scaffold-check | doc-links | bench | load | list-bench | footprint | reliability | fuzz>"
    );
    eprintln!(
        "  ci                fmt check, clippy -D warnings, all tests, no pending snapshots,"
    );
    eprintln!("                    then the scaffold check");
    eprintln!("  fmt               format the workspace");
    eprintln!(
        "  new-adapter NAME  generate adapters/NAME (crate paymux-NAME) and its two facade lines"
    );
    eprintln!("  scaffold-check    generate `zzz` in a copy of the repository and check it");
    eprintln!(
        "  doc-links         no citation of material outside the repository, no dead relative link"
    );
    eprintln!("  bench [--quick]   translation and routing benches (docs/BENCHMARKS.md)");
    eprintln!(
        "  load [--footprint] [--compare-metrics] [--no-postgres] [--duration S] [--concurrency N]"
    );
    eprintln!("                    gateway throughput/latency vs direct, RSS (docs/BENCHMARKS.md)");
    eprintln!("  list-bench [--payments N] [--no-postgres]  GET /payments on a store of N payments (1,000,000)");
    eprintln!("  footprint         clean release build time and binary size, one adapter vs all");
    eprintln!(
        "  reliability [--scale N]  the reliability suite at N times the CI load (default 10)"
    );
    eprintln!("  fuzz [--seconds N] [TARGET...]  cargo-fuzz the decoders and simulators");
    eprintln!("  fuzz --ci         CI's short run: 5 s per target, no cargo-fuzz needed");
    std::process::exit(2)
}

/// The repository root: where this xtask was built from, unless `XTASK_ROOT` names another
/// copy (the scaffold check runs this same binary on its temporary copy).
fn root() -> PathBuf {
    if let Some(r) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(r);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn new_adapter(name: &str) -> Result<()> {
    let root = root();
    let written = scaffold::new_adapter(&root, name)?;
    // Format what was generated, so it passes `cargo fmt --check` whatever the templates say.
    let rs: Vec<&PathBuf> = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let fmt = Command::new("rustfmt")
        .args(["--edition", "2021"])
        .args(&rs)
        .status();
    if !fmt.is_ok_and(|s| s.success()) {
        eprintln!("note: rustfmt did not run; run `cargo fmt -p paymux-{name}`");
    }
    let (dep, feature) = scaffold::facade_lines(&scaffold::Names::parse(name)?);
    println!("created adapters/{name}/ (crate paymux-{name}):");
    for p in &written[..written.len() - 1] {
        println!("  {}", p.strip_prefix(&root).unwrap_or(p).display());
    }
    println!("added to {}:", scaffold::FACADE_MANIFEST);
    println!("  {dep}");
    println!("  {}", feature.trim());
    println!();
    println!(
        "next: cargo test -p paymux-{name} --no-fail-fast   (the conformance test fails until you implement it;"
    );
    println!(
        "      CONTRIBUTING.md walks you from here to a green run, then to `Maturity::Ready`)"
    );
    Ok(())
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().with_context(|| format!("spawn {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

fn has_nextest() -> bool {
    Command::new("cargo-nextest")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn ci() -> Result<()> {
    let started = std::time::Instant::now();
    run(cargo().args(["fmt", "--all", "--check"]))?;
    // The docs stand on their own in a clone: no citation of outside material, no dead link.
    doclinks::check(&root())?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    // Rustdoc on public items, with links that resolve.
    run(cargo().env("RUSTDOCFLAGS", "-D warnings").args([
        "doc",
        "--no-deps",
        "--workspace",
        "--all-features",
    ]))?;
    // Snapshot mismatches fail instead of writing `.snap.new` files.
    let mut tests = cargo();
    tests.env("INSTA_UPDATE", "no").env("CI", "true");
    if has_nextest() {
        tests.args([
            "nextest",
            "run",
            "--workspace",
            "--all-features",
            "--no-fail-fast",
        ]);
    } else {
        tests.args(["test", "--workspace", "--all-features", "--no-fail-fast"]);
    }
    run(&mut tests)?;
    // Doc tests (nextest does not run them).
    run(cargo().args(["test", "--workspace", "--all-features", "--doc"]))?;
    // A production build leaves the simulators out and links only the adapters it names.
    gate::check(&load::target_dir().join("debug/paymux"))?;
    // An adapter-less build must still compile and run.
    run(cargo().args(["build", "-p", "paymux", "--no-default-features"]))?;
    check_no_pending_snapshots()?;
    // A short fuzzing run of every decoder and simulator parser (the long one: `xtask fuzz`).
    fuzz::short_run(&root(), 5)?;
    // Adding a PG stays a one-folder change with a failing-until-implemented conformance test.
    scaffold_check()?;
    eprintln!("xtask ci: all green in {:.0?}", started.elapsed());
    Ok(())
}

/// The name the scaffold check generates.
const PROBE: &str = "zzz";

/// Generate adapter `zzz` in a temporary copy of the repository and check that:
///
/// 1. outside `adapters/zzz/`, exactly the facade's two lines were added (files compared
///    line by line with the copy taken before; nothing removed, no other file touched);
/// 2. the crate builds, the facade builds with feature `zzz`, and the generated code passes
///    clippy `-D warnings` and `rustfmt --check`;
/// 3. its tests run, every one passes except the conformance test, which fails with the
///    "not implemented yet" message (no silent pass);
/// 4. it is a draft (`maturity: Maturity::Draft`, pinned by its descriptor snapshot too), so
///    the sandbox demo group gives it no traffic.
///
/// The copy shares this repository's target directory, so dependencies are not rebuilt;
/// only the workspace's own crates are compiled again (their path differs).
fn scaffold_check() -> Result<()> {
    let started = std::time::Instant::now();
    let src = root();
    // A stable path per checkout: with the source mtimes kept, a second run rebuilds only what
    // the scaffold touched, and the shared target directory does not collect one copy of the
    // workspace's crates per run.
    let tmp = std::env::temp_dir().join(format!("paymux-scaffold-{:016x}", path_hash(&src)));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).with_context(|| format!("clear {}", tmp.display()))?;
    }
    let _cleanup = RemoveOnDrop(tmp.clone());
    eprintln!("$ scaffold check in {}", tmp.display());
    copy_tree(&src, &tmp)?;
    let before = read_tree(&tmp)?;
    // Share the target directory (absolute: the commands run in the copy).
    let target_dir = match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(d) if d.is_relative() => std::env::current_dir()?.join(d),
        Some(d) => d,
        None => src.join("target"),
    };
    let cargo_tmp = || {
        let mut c = cargo();
        c.current_dir(&tmp).env("CARGO_TARGET_DIR", &target_dir);
        c
    };

    // 1. Generate with this very binary, pointed at the copy.
    let exe = std::env::current_exe().context("locate the xtask binary")?;
    run(Command::new(exe)
        .args(["new-adapter", PROBE])
        .env("XTASK_ROOT", &tmp)
        .current_dir(&tmp))?;
    let after = read_tree(&tmp)?;
    check_scaffold_diff(&before, &after)?;
    // A draft: the sandbox demo group gives it weight 0 until the contributor flips it.
    let lib = PathBuf::from(format!("adapters/{PROBE}/src/lib.rs"));
    if !after
        .get(&lib)
        .is_some_and(|b| String::from_utf8_lossy(b).contains("maturity: Maturity::Draft,"))
    {
        bail!(
            "the scaffolded {} does not declare `maturity: Maturity::Draft`",
            lib.display()
        );
    }

    // 2. Build, lint, format.
    let krate = format!("paymux-{PROBE}");
    run(cargo_tmp().args(["build", "-p", &krate]))?;
    // The facade's library is what references the adapter (`pub use ::zzz;`).
    run(cargo_tmp().args([
        "build",
        "-p",
        "paymux",
        "--lib",
        "--no-default-features",
        "--features",
        PROBE,
    ]))?;
    run(cargo_tmp().args([
        "clippy",
        "-p",
        &krate,
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo_tmp().args(["fmt", "-p", &krate, "--check"]))?;

    // 3. Tests: everything passes but the conformance test, which must fail loudly.
    let mut test = cargo_tmp();
    test.args(["test", "-p", &krate, "--no-fail-fast"])
        .env("INSTA_UPDATE", "no")
        .env("CI", "true");
    eprintln!("$ {test:?}");
    let out = test.output().with_context(|| format!("spawn {test:?}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let failed: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .collect();
    let passed: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test ")?.strip_suffix(" ... ok"))
        .collect();
    let explain = || format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    if out.status.success() {
        bail!(
            "the scaffolded adapter's tests passed: the conformance test must fail until the adapter is implemented\n{}",
            explain()
        );
    }
    if failed != ["conformance"] {
        bail!(
            "expected exactly the conformance test to fail in the scaffolded adapter, failed: {failed:?}\n{}",
            explain()
        );
    }
    for want in ["descriptor", "payment_instant_card"] {
        if !passed.contains(&want) {
            bail!(
                "the scaffolded snapshot test `{want}` did not pass\n{}",
                explain()
            );
        }
    }
    for want in [
        "paymux conformance: adapter `zzz` FAILED",
        "not implemented yet: see CONTRIBUTING.md",
    ] {
        if !stdout.contains(want) {
            bail!(
                "the failing conformance test does not say `{want}`\n{}",
                explain()
            );
        }
    }
    eprintln!(
        "scaffold check: `new-adapter {PROBE}` added only its folder and 2 facade lines; it builds, lints, and its conformance test fails with \"not implemented yet\" ({:.0?})",
        started.elapsed()
    );
    Ok(())
}

/// FNV-1a of a path: names the scaffold check's directory for this checkout.
fn path_hash(p: &Path) -> u64 {
    p.to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Removes a directory when dropped (set `XTASK_KEEP_SCAFFOLD` to keep it for a look).
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if std::env::var_os("XTASK_KEEP_SCAFFOLD").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        } else {
            eprintln!("kept {}", self.0.display());
        }
    }
}

/// Directory names never copied or compared.
fn skipped(name: &str) -> bool {
    matches!(name, "target" | ".git" | "node_modules")
}

/// Copy the repository (files and symlinks), leaving out build output and VCS data.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("create {}", to.display()))?;
    for e in std::fs::read_dir(from).with_context(|| format!("read {}", from.display()))? {
        let e = e?;
        let name = e.file_name();
        if skipped(&name.to_string_lossy()) {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        let ft = e.file_type()?;
        if ft.is_dir() {
            copy_tree(&src, &dst)?;
        } else if ft.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&src)?, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("copy {} to {}", src.display(), dst.display()))?;
            // Keep the mtime so cargo sees unchanged sources as unchanged.
            if let Ok(modified) = e.metadata().and_then(|m| m.modified()) {
                let _ = std::fs::File::options()
                    .write(true)
                    .open(&dst)
                    .and_then(|f| f.set_modified(modified));
            }
        }
    }
    Ok(())
}

/// Every file under `root` (relative path → bytes), build output and VCS data left out.
fn read_tree(root: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).with_context(|| format!("read {}", dir.display()))? {
            let e = e?;
            if skipped(&e.file_name().to_string_lossy()) {
                continue;
            }
            let p = e.path();
            if e.file_type()?.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap_or(&p).to_path_buf();
                files.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    Ok(files)
}

/// Lines added and removed between two texts (longest common subsequence of lines).
fn line_changes(old: &str, new: &str) -> (Vec<String>, usize) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut added, mut removed) = (0, 0, Vec::new(), 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(b[j].to_string());
            j += 1;
        } else {
            removed += 1;
            i += 1;
        }
    }
    (added, removed)
}

/// Outside `adapters/zzz/`: exactly the two facade lines added, nothing else changed.
fn check_scaffold_diff(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
) -> Result<()> {
    let folder = Path::new("adapters").join(PROBE);
    let mut added = Vec::new();
    let mut problems = Vec::new();
    let paths: std::collections::BTreeSet<&PathBuf> = before.keys().chain(after.keys()).collect();
    for p in paths {
        if p.starts_with(&folder) {
            continue;
        }
        let text = |b: Option<&Vec<u8>>| b.map(|b| String::from_utf8_lossy(b).into_owned());
        match (text(before.get(p)), text(after.get(p))) {
            (Some(a), Some(b)) if a == b => {}
            (Some(a), Some(b)) => {
                let (plus, minus) = line_changes(&a, &b);
                if minus > 0 {
                    problems.push(format!(
                        "{}: {minus} line(s) removed or changed",
                        p.display()
                    ));
                }
                added.extend(plus.into_iter().map(|l| (p.clone(), l)));
            }
            (None, Some(b)) => {
                problems.push(format!(
                    "{}: new file outside adapters/{PROBE}/",
                    p.display()
                ));
                added.extend(b.lines().map(|l| (p.clone(), l.to_string())));
            }
            (Some(_), None) => problems.push(format!("{}: deleted", p.display())),
            (None, None) => {}
        }
    }
    let (dep, feature) = scaffold::facade_lines(&scaffold::Names::parse(PROBE)?);
    let facade = PathBuf::from(scaffold::FACADE_MANIFEST);
    let mut expected = vec![(facade.clone(), feature), (facade, dep)];
    expected.sort();
    added.sort();
    if added != expected {
        problems.push(format!(
            "added outside adapters/{PROBE}/: {added:?}; expected exactly {expected:?}"
        ));
    }
    for f in [
        "Cargo.toml",
        "src/lib.rs",
        "README.md",
        "tests/conformance.rs",
    ] {
        if !after.contains_key(&folder.join(f)) {
            problems.push(format!("adapters/{PROBE}/{f} was not generated"));
        }
    }
    if !problems.is_empty() {
        bail!(
            "`new-adapter {PROBE}` must add its folder and 2 facade lines, nothing else:\n  {}",
            problems.join("\n  ")
        );
    }
    eprintln!(
        "scaffold check: outside adapters/{PROBE}/ only {} changed, +2 lines",
        scaffold::FACADE_MANIFEST
    );
    Ok(())
}

fn check_no_pending_snapshots() -> Result<()> {
    let mut pending = Vec::new();
    let mut stack = vec![root()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if name != "target" && !name.starts_with('.') && name != "node_modules" {
                    stack.push(p);
                }
            } else if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
                pending.push(p);
            }
        }
    }
    if !pending.is_empty() {
        bail!("pending insta snapshots (review with `cargo insta review`): {pending:?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_changes_counts_insertions_and_edits() {
        let old = "a\nb\nc\n";
        assert_eq!(line_changes(old, old), (vec![], 0));
        assert_eq!(
            line_changes(old, "a\nx\nb\nc\ny\n"),
            (vec!["x".to_string(), "y".to_string()], 0)
        );
        assert_eq!(line_changes(old, "a\nB\nc\n"), (vec!["B".to_string()], 1));
        assert_eq!(line_changes(old, "a\nc\n"), (vec![], 1));
    }

    #[test]
    fn the_scaffold_diff_accepts_the_two_lines_and_nothing_else() {
        let facade = PathBuf::from(scaffold::FACADE_MANIFEST);
        let base = "all-adapters = [\n]\n# Adapters\n\n[dev-dependencies]\n";
        let names = scaffold::Names::parse(PROBE).unwrap();
        let grown = scaffold::add_facade_lines(base, &names).unwrap();
        let folder = Path::new("adapters").join(PROBE);
        let mut before = BTreeMap::new();
        before.insert(facade.clone(), base.as_bytes().to_vec());
        let mut after = before.clone();
        after.insert(facade.clone(), grown.into_bytes());
        for f in [
            "Cargo.toml",
            "src/lib.rs",
            "README.md",
            "tests/conformance.rs",
        ] {
            after.insert(folder.join(f), b"x".to_vec());
        }
        check_scaffold_diff(&before, &after).unwrap();

        let mut extra = after.clone();
        extra.insert(PathBuf::from("Cargo.toml"), b"members = []".to_vec());
        let e = check_scaffold_diff(&before, &extra)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Cargo.toml: new file"), "{e}");
    }
}

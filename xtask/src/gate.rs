//! The `simulators` feature gate, checked on real builds of the facade: a production build
//! (`--no-default-features --features galaxia`) links no simulator code and registers exactly
//! the one adapter it names; the default build (every feature) does link simulator code, so
//! the symbol search can tell the two apart.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// Mangled path pieces only simulator code has: the kit's modules in `paymux-core` and every
/// adapter's `simulator` module (legacy and v0 mangling both spell them this way).
const SIMULATOR_SYMBOLS: &[&str] = &[
    "11paymux_core9simulator6server",
    "11paymux_core9simulator4http",
    "11paymux_core9simulator6ledger",
    "11paymux_core9simulator6window",
    "11paymux_core9simulator6notify",
    "14paymux_galaxia9simulator",
    "12paymux_ksnet9simulator",
    "14paymux_smartro9simulator",
];

/// Which simulator symbols the binary at `bin` holds.
pub fn simulator_symbols(bin: &Path) -> Result<Vec<&'static str>> {
    let bytes = std::fs::read(bin).with_context(|| format!("read {}", bin.display()))?;
    Ok(SIMULATOR_SYMBOLS
        .iter()
        .copied()
        .filter(|s| contains(&bytes, s.as_bytes()))
        .collect())
}

/// The ids `paymux adapters` lists (`{id} — {name} (...)`, one unindented line each).
fn adapter_ids(listing: &str) -> Vec<&str> {
    listing
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_once(" — ").map(|(id, _)| id))
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Check the gate. `bin` is `target/debug/paymux`, built with every feature by the test run.
pub fn check(bin: &Path) -> Result<()> {
    let with = simulator_symbols(bin)?;
    if with.is_empty() {
        bail!(
            "{} (built with every feature) holds no simulator symbol: the check below could not fail",
            bin.display()
        );
    }
    crate::run(crate::cargo().args([
        "build",
        "-p",
        "paymux",
        "--bin",
        "paymux",
        "--no-default-features",
        "--features",
        "galaxia",
    ]))?;
    let without = simulator_symbols(bin)?;
    if !without.is_empty() {
        bail!("a build without `simulators` links simulator code: {without:?}");
    }
    let out = Command::new(bin).arg("adapters").output()?;
    let listing = String::from_utf8_lossy(&out.stdout);
    let ids = adapter_ids(&listing);
    if ids != ["galaxia"] {
        bail!("`--features galaxia` registers {ids:?}, expected exactly [\"galaxia\"]");
    }
    let serve = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()?;
    let err = String::from_utf8_lossy(&serve.stderr);
    if serve.status.success() || !err.contains("built without simulators") {
        bail!(
            "`paymux serve` without simulators and --config must refuse to start; it said: {err}"
        );
    }
    eprintln!("xtask ci: a build without simulators links none ({} symbol groups in the full build) and registers only galaxia", with.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_mangled_paths() {
        let dir = std::env::temp_dir().join(format!("paymux-gate-{}", std::process::id()));
        std::fs::write(&dir, b"..._ZN14paymux_galaxia9simulator3fooE...").unwrap();
        assert_eq!(
            simulator_symbols(&dir).unwrap(),
            ["14paymux_galaxia9simulator"]
        );
        std::fs::write(&dir, b"_ZN14paymux_galaxia6decode3fooE").unwrap();
        assert!(simulator_symbols(&dir).unwrap().is_empty());
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn reads_the_adapter_listing() {
        let listing = "galaxia — Galaxia (PortOne pgProvider X, Tcp, ready)\n  payment.instant — CARD\nksnet — KSNET (y)\n";
        assert_eq!(adapter_ids(listing), ["galaxia", "ksnet"]);
        assert!(adapter_ids("no adapters linked in this build").is_empty());
    }
}

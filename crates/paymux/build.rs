//! Generates the list of linked adapters from the enabled features.
//!
//! Each folder under `adapters/` is a PG crate, linked here as an optional dependency named
//! after the folder (which is also its feature). For every enabled one this emits a `pub use`
//! — referencing the crate is what keeps its `inventory` registration from being dropped by
//! the linker — and its id in `ENABLED_ADAPTERS`. Adding a PG thus needs no edit to Rust code.

use std::{env, fs, path::Path};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let adapters_dir = Path::new(&manifest).join("../../adapters");
    println!("cargo:rerun-if-changed={}", adapters_dir.display());
    let mut names: Vec<String> = fs::read_dir(&adapters_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("Cargo.toml").is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::new();
    let mut enabled = Vec::new();
    for name in &names {
        let feature_var = format!("CARGO_FEATURE_{}", name.to_uppercase().replace('-', "_"));
        println!("cargo:rerun-if-env-changed={feature_var}");
        if env::var_os(&feature_var).is_some() {
            let ident = name.replace('-', "_");
            code.push_str(&format!(
                "/// The `{name}` adapter crate (feature `{name}`).\npub use ::{ident};\n"
            ));
            enabled.push(format!("{name:?}"));
        }
    }
    code.push_str(&format!(
        "/// Adapter ids enabled by cargo features in this build.\npub const ENABLED_ADAPTERS: &[&str] = &[{}];\n",
        enabled.join(", ")
    ));
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("adapters.rs");
    fs::write(out, code).expect("write generated adapters.rs");
}

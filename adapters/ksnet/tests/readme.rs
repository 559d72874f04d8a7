//! The README's list of reconstructions is `reconstructed::RECONSTRUCTIONS`, rendered: one list
//! in code feeds both, and this test keeps them equal.

use paymux_ksnet::reconstructed::RECONSTRUCTIONS;

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn table() -> String {
    let mut t = String::from("| part | paymux sends or expects | why |\n|---|---|---|\n");
    for r in RECONSTRUCTIONS {
        t.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(r.part),
            cell(r.guess),
            cell(r.why)
        ));
    }
    t
}

#[test]
fn readme_lists_every_reconstruction() {
    let readme = include_str!("../README.md");
    let table = table();
    assert!(
        readme.contains(&table),
        "adapters/ksnet/README.md must contain RECONSTRUCTIONS as this table:\n\n{table}"
    );
}

#[test]
fn every_reconstruction_names_part_guess_and_reason() {
    assert!(!RECONSTRUCTIONS.is_empty());
    for r in RECONSTRUCTIONS {
        assert!(
            !r.part.trim().is_empty() && !r.guess.trim().is_empty() && !r.why.trim().is_empty(),
            "{r:?}"
        );
    }
}

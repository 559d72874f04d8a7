//! The README's run sections, executed as a newcomer would run them: every `sh` block of
//! "Set up, run, test", "The main job", "Hosted checkout", "Dry-run a vendor request", "Run a
//! vendor simulator", "Explain a routing decision" and "Virtual accounts and deposits in the
//! sandbox", taken from README.md at test time and run by bash exactly as written.
//!
//! Only these substitutions are made: `cargo run -p paymux --` runs the binary cargo already
//! built; the sandbox listens on a free port (its base URL replaces `http://127.0.0.1:8080`);
//! the printed webhook secret replaces `whsec_...`; the simulator's port and `--channel-out`
//! file move to a free port and a temporary directory. `cargo xtask ci` (the test command,
//! which runs this test) is not run from here. Long-running commands (`serve`, `simulate`) are
//! started, checked and stopped.
#![cfg(all(feature = "galaxia", feature = "ksnet", feature = "smartro"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const RUN_SECTIONS: [&str; 7] = [
    "Set up, run, test",
    "The main job: a PortOne-V2-compatible gateway",
    "Hosted checkout (payment window) in the sandbox",
    "Dry-run a vendor request",
    "Run a vendor simulator",
    "Explain a routing decision",
    "Virtual accounts and deposits in the sandbox",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `(section heading, sh blocks)` for each heading of README.md, in order.
fn sh_blocks(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    // Inside a fence: `Some(is_sh, text)`.
    let mut block: Option<(bool, String)> = None;
    for line in readme.lines() {
        let fence = line.trim_start().starts_with("```");
        match block.as_mut() {
            Some(_) if fence => {
                let (is_sh, text) = block.take().unwrap();
                if let (true, Some(last)) = (is_sh, out.last_mut()) {
                    last.1.push(text);
                }
            }
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None if fence => block = Some((line.trim() == "```sh", String::new())),
            None if line.starts_with('#') => {
                out.push((line.trim_start_matches('#').trim().to_string(), Vec::new()));
            }
            None => {}
        }
    }
    out
}

fn blocks_of<'a>(all: &'a [(String, Vec<String>)], heading: &str) -> &'a [String] {
    &all.iter()
        .find(|(h, _)| h == heading)
        .unwrap_or_else(|| panic!("README has no section `{heading}`"))
        .1
}

/// The binary instead of `cargo run -p paymux --` (the same program, already built).
fn with_binary(block: &str) -> String {
    block.replace("cargo run -p paymux --", "\"$PAYMUX\"")
}

/// Run a README block with bash (`-euo pipefail`), in `dir`. Returns stdout; panics with
/// everything bash printed when it fails.
fn bash(script: &str, dir: &Path) -> String {
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PAYMUX", env!("CARGO_BIN_EXE_paymux"))
        .stdin(Stdio::null())
        .output()
        .expect("run bash");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "README block failed ({}):\n--- script\n{script}\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Every JSON value printed, in order (curl prints bodies; the README adds newlines).
fn json_values(stdout: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(stdout)
        .into_iter::<Value>()
        .map(|v| v.unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}")))
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn readme_run_sections_work_as_written() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let all = sh_blocks(&readme);
    for heading in RUN_SECTIONS {
        assert!(
            !blocks_of(&all, heading).is_empty(),
            "README section `{heading}` has no sh block"
        );
    }
    let root = repo_root();

    // Set up, run, test: the run line; the test command is what runs this test.
    let setup = blocks_of(&all, RUN_SECTIONS[0]);
    assert_eq!(setup.len(), 1);
    let run_lines: String = setup[0]
        .lines()
        .filter(|l| !l.trim_start().starts_with("cargo xtask ci"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(setup[0].contains("cargo xtask ci"), "the test command");
    let listed = bash(&with_binary(&run_lines), &root);
    for id in ["galaxia", "ksnet", "smartro"] {
        assert!(
            listed.contains(id),
            "`paymux adapters` lists {id}:\n{listed}"
        );
    }

    // The main job: start the sandbox as the first block says, then the flow and the webhook
    // check as a second terminal would run them.
    let main = blocks_of(&all, RUN_SECTIONS[1]);
    assert_eq!(main.len(), 3, "serve, the payment flow, the webhook check");
    let serve = main[0].trim();
    let secret = serve
        .strip_prefix("cargo run -p paymux -- serve --api-secret ")
        .unwrap_or_else(|| panic!("the first block starts the sandbox: {serve}"));
    let sb = common::start_sandbox("readme", secret);
    let base = sb.base.clone();
    // The banner's lines after the base URL arrive a moment later.
    let deadline = Instant::now() + Duration::from_secs(20);
    let whsec = loop {
        let printed = sb.output.lock().unwrap().clone();
        if let Some(s) = printed
            .lines()
            .find_map(|l| l.split("webhook secret:").nth(1))
        {
            break s.trim().to_string();
        }
        assert!(
            Instant::now() < deadline,
            "the sandbox prints its webhook secret:\n{printed}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let local = |block: &str| {
        with_binary(block)
            .replace("http://127.0.0.1:8080", &base)
            .replace("whsec_...", &whsec)
    };
    // Between the blocks a person reads the output; here: until the first webhook is kept.
    let wait_for_webhook = r#"
for _ in $(seq 1 100); do
  curl -s -H "$AUTH" "$BASE/sandbox/webhooks" | grep -q webhook-id && break; sleep 0.1
done
"#;
    let script = format!("{}{wait_for_webhook}{}", local(&main[1]), local(&main[2]));
    let out = bash(&script, &sb.dir);
    let check = out
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert_eq!(
        check.trim(),
        "True",
        "the webhook signature verifies:\n{out}"
    );
    let flow_json: String = out
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .map(|l| format!("{l}\n"))
        .collect();
    let values = json_values(&flow_json);
    assert_eq!(values.len(), 4, "four answers:\n{out}");
    assert!(
        values[0]["payment"]["pgTxId"].is_string(),
        "the payment is approved: {}",
        values[0]
    );
    assert_eq!(values[1]["status"], "PAID", "{}", values[1]);
    assert!(
        values[1]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("payment-") && id.len() == "payment-".len() + 36),
        "a PortOne-style id: {}",
        values[1]["id"]
    );
    assert!(values[2]["cancellation"].is_object(), "{}", values[2]);
    assert_eq!(values[3]["status"], "PARTIAL_CANCELLED", "{}", values[3]);
    assert_eq!(values[3]["amount"]["cancelled"], 4000, "{}", values[3]);
    assert_eq!(values[3]["amount"]["total"], 8900, "{}", values[3]);

    // Hosted checkout: the merchant server's call answers a checkout URL on this sandbox.
    let checkout = blocks_of(&all, RUN_SECTIONS[2]);
    assert_eq!(checkout.len(), 1);
    let out = bash(&local(&checkout[0]), &sb.dir);
    let session = json_values(&out).pop().expect("an answer");
    assert!(
        session["checkoutUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{base}/checkout/"))),
        "{session}"
    );
    assert!(
        session["paymentId"]
            .as_str()
            .is_some_and(|p| p.starts_with("payment-")),
        "{session}"
    );

    // Virtual accounts: issue on Smartro, deposit through the sandbox, PAID, the notice logged.
    let deposit = blocks_of(&all, RUN_SECTIONS[6]);
    assert_eq!(deposit.len(), 1);
    let out = bash(&local(&deposit[0]), &sb.dir);
    let values = json_values(&out);
    assert_eq!(values.len(), 4, "four answers:\n{out}");
    assert!(values[0]["payment"]["pgTxId"].is_string(), "{}", values[0]);
    assert_eq!(
        values[1]["status"], "VIRTUAL_ACCOUNT_ISSUED",
        "{}",
        values[1]
    );
    assert_eq!(values[2]["notice"]["status"], 200, "{}", values[2]);
    assert_eq!(values[2]["payment"]["status"], "PAID", "{}", values[2]);
    assert_eq!(values[3]["items"][0]["verdict"], "APPLIED", "{}", values[3]);
    drop(sb);

    // Dry run: from the repository root, as the README's relative path needs.
    let wire = blocks_of(&all, RUN_SECTIONS[3]);
    assert_eq!(wire.len(), 1);
    let out = bash(&with_binary(&wire[0]), &root);
    let w = json_values(&out).pop().expect("one object");
    assert_eq!(w["adapter"], "galaxia", "{w}");
    assert!(w["bytes_base64"].is_string(), "{w}");

    // Explain: the founding document's payment goes to the one channel whose rules take it.
    let explain = blocks_of(&all, RUN_SECTIONS[5]);
    assert_eq!(explain.len(), 1);
    let out = bash(&with_binary(&explain[0]), &root);
    let x = json_values(&out).pop().expect("one object");
    assert_eq!(x["channelKey"], "ksnet-test", "{x}");
    assert_eq!(x["skipped"][0]["refusedByRules"], true, "{x}");

    // The simulator: started as written (free port, temporary channel file), it writes the
    // channel file; stopped once it has.
    let sim = blocks_of(&all, RUN_SECTIONS[4]);
    assert_eq!(sim.len(), 1);
    let dir = std::env::temp_dir().join(format!("paymux-readme-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let channel_file = dir.join("galaxia-sim.toml");
    let script = with_binary(sim[0].trim())
        .replace("127.0.0.1:30900", &format!("127.0.0.1:{}", free_port()))
        .replace("/tmp/galaxia-sim.toml", channel_file.to_str().unwrap());
    let mut child = Command::new("bash")
        .args(["-c", &format!("exec {script}")])
        .env("PAYMUX", env!("CARGO_BIN_EXE_paymux"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !channel_file.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let still_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    let written = std::fs::read_to_string(&channel_file).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(still_running, "the simulator keeps running until stopped");
    assert!(
        written.contains("[[channels]]") && written.contains("galaxia"),
        "the channel file:\n{written}"
    );
}

#[test]
fn blocks_are_found_under_their_headings() {
    let all = sh_blocks(
        "# a\n```sh\none\n```\n## b\ntext\n```sh\ntwo\nthree\n```\n```\n# not a heading\n```\n",
    );
    assert_eq!(
        all,
        vec![
            ("a".to_string(), vec!["one\n".to_string()]),
            ("b".to_string(), vec!["two\nthree\n".to_string()]),
        ]
    );
}

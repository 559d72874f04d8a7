//! `paymux serve` started as a user would: the real binary, in a temp directory of its own,
//! with everything it prints captured. Either the sandbox (no config) or a configuration file.
#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running gateway process; killed (and, for a sandbox, its directory removed) when dropped.
pub struct Sandbox {
    child: Child,
    /// `http://127.0.0.1:<port>` as the binary printed it.
    pub base: String,
    /// The working directory (holds the sandbox SQLite file).
    pub dir: PathBuf,
    /// Everything the process printed on stdout and stderr so far.
    pub output: Arc<Mutex<String>>,
    remove_dir: bool,
}

impl Sandbox {
    /// SIGKILL: no shutdown hook, no flush, exactly what a crash looks like.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.kill();
        if self.remove_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Start `paymux serve --listen 127.0.0.1:0 --api-secret <secret>` in a fresh directory named
/// after `name`, and wait for it to print its base URL.
pub fn start_sandbox(name: &str, secret: &str) -> Sandbox {
    let dir = std::env::temp_dir().join(format!("paymux-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut sb = spawn(
        &["serve", "--listen", "127.0.0.1:0", "--api-secret", secret],
        &dir,
        "info",
    );
    sb.remove_dir = true;
    sb
}

/// [`start_sandbox`] with more flags (`--webhook-url URL`, ...).
pub fn start_sandbox_with(name: &str, secret: &str, extra: &[&str]) -> Sandbox {
    let dir = std::env::temp_dir().join(format!("paymux-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--api-secret", secret];
    args.extend_from_slice(extra);
    let mut sb = spawn(&args, &dir, "info");
    sb.remove_dir = true;
    sb
}

/// Start `paymux serve --config <config>` in `dir` (kept when the process is dropped, so a
/// killed gateway can be started again on the same files), with `RUST_LOG=<log>`.
pub fn start_with_config(config: &Path, dir: &Path, log: &str) -> Sandbox {
    spawn(
        &["serve", "--config", config.to_str().expect("UTF-8 path")],
        dir,
        log,
    )
}

fn spawn(args: &[&str], dir: &Path, log: &str) -> Sandbox {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paymux"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start paymux serve");
    let output = Arc::new(Mutex::new(String::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let out = output.clone();
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if let Some(url) = line.split("base URL:").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
                let mut o = out.lock().unwrap();
                o.push_str(&line);
                o.push('\n');
            }
        });
    }
    let base = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(b) => b,
        Err(_) => {
            let _ = child.kill();
            panic!(
                "paymux serve did not print its base URL; it printed:\n{}",
                output.lock().unwrap()
            );
        }
    };
    Sandbox {
        child,
        base,
        dir: dir.to_path_buf(),
        output,
        remove_dir: false,
    }
}

/// One PortOne API call with `Authorization: PortOne <secret>`: the status and the body (JSON,
/// or the text as a JSON string when it is not JSON).
pub async fn call_as(
    secret: &str,
    method: reqwest::Method,
    url: String,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let c = reqwest::Client::new();
    let mut r = c
        .request(method, url)
        .header("Authorization", format!("PortOne {secret}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("gateway answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// The headless-Chromium drivers in `tests/browser` (Node.js with `playwright-core`).
pub mod browser {
    use std::path::PathBuf;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    /// The Node drivers' directory.
    pub fn driver_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
    }

    /// Chromium (`PAYMUX_CHROMIUM`, default Debian's).
    pub fn chromium() -> String {
        std::env::var("PAYMUX_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
    }

    /// Node.js (`PAYMUX_NODE`, default `node` on the path).
    pub fn node() -> String {
        std::env::var("PAYMUX_NODE").unwrap_or_else(|_| "node".into())
    }

    /// What a browser test needs and this machine lacks (empty: it can run).
    pub fn missing() -> Vec<String> {
        let mut m = Vec::new();
        if !std::path::Path::new(&chromium()).exists() {
            m.push(format!("Chromium at {}", chromium()));
        }
        if !Command::new(node())
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            m.push("Node.js".into());
        }
        if !driver_dir()
            .join("node_modules/playwright-core/package.json")
            .exists()
        {
            m.push("tests/browser/node_modules (npm ci there)".into());
        }
        m
    }

    /// `true` when the test may go on; otherwise it was skipped loudly — or, under `CI`, it
    /// fails, naming what is missing.
    pub fn can_run(what: &str) -> bool {
        let missing = missing();
        if missing.is_empty() {
            return true;
        }
        let m = missing.join("; ");
        assert!(
            std::env::var_os("CI").is_none(),
            "the headless-Chromium {what} test cannot run: missing {m} (scripts/setup.sh)"
        );
        eprintln!("\n!!! SKIPPED: the headless-Chromium {what} test did not run. Missing: {m}\n");
        false
    }

    /// Run `node <script>` in the drivers' directory with `env` (Chromium's path added), at
    /// most `limit`: whether it succeeded, its stdout and its stderr (printed too).
    pub fn run(script: &str, env: &[(&str, String)], limit: Duration) -> (bool, String, String) {
        let mut cmd = Command::new(node());
        cmd.arg(script)
            .current_dir(driver_dir())
            .env("PAYMUX_CHROMIUM", chromium())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start node");
        let started = Instant::now();
        while child.try_wait().ok().flatten().is_none() {
            if started.elapsed() > limit {
                // Our own child, by its handle.
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        eprintln!("{stderr}");
        (out.status.success(), stdout, stderr)
    }

    /// The driver's last `RESULT <json>` line.
    pub fn result(stdout: &str) -> serde_json::Value {
        stdout
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("RESULT "))
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_else(|| panic!("no RESULT line:\n{stdout}"))
    }
}

//! `paymux serve` started as a user would: the real binary in sandbox mode (no config), in a
//! temp directory of its own, with everything it prints captured.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running sandbox gateway; killed and its directory removed when dropped.
pub struct Sandbox {
    child: Child,
    /// `http://127.0.0.1:<port>` as the binary printed it.
    pub base: String,
    /// The working directory (holds the sandbox SQLite file).
    pub dir: PathBuf,
    /// Everything the process printed on stdout and stderr so far.
    pub output: Arc<Mutex<String>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Start `paymux serve --listen 127.0.0.1:0 --api-secret <secret>` in a fresh directory named
/// after `name`, and wait for it to print its base URL.
pub fn start_sandbox(name: &str, secret: &str) -> Sandbox {
    let dir = std::env::temp_dir().join(format!("paymux-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_paymux"))
        .args(["serve", "--listen", "127.0.0.1:0", "--api-secret", secret])
        .current_dir(&dir)
        .env("RUST_LOG", "info")
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
    let base = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("paymux serve printed its base URL");
    Sandbox {
        child,
        base,
        dir,
        output,
    }
}

//! Log capture for the masking scenario.
//!
//! The kit installs, once per process, a global `tracing` subscriber at TRACE level that
//! copies every formatted line to the sinks of the suites running at that moment (and drops
//! it when none runs). A global subscriber also sees the simulator's own tasks and every
//! thread of the runtime. If the test binary already installed a global subscriber, the kit
//! falls back to a per-future dispatcher: it then captures what the suite's own tasks log
//! (adapter, executor, transport), but not the simulator's spawned tasks.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tracing::Dispatch;
use tracing_subscriber::fmt::MakeWriter;

type Sink = Arc<Mutex<Vec<u8>>>;
type Sinks = Mutex<Vec<Weak<Mutex<Vec<u8>>>>>;

fn sinks() -> &'static Sinks {
    static SINKS: OnceLock<Sinks> = OnceLock::new();
    SINKS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Whether the kit's global subscriber is the process's global default.
fn global_installed() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| tracing::subscriber::set_global_default(subscriber()).is_ok())
}

fn subscriber() -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_writer(SinkWriter)
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .with_target(true)
        .finish()
}

#[derive(Clone, Copy)]
struct SinkWriter;

impl Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut list = sinks().lock().unwrap_or_else(|e| e.into_inner());
        list.retain(|w| w.strong_count() > 0);
        for sink in list.iter().filter_map(Weak::upgrade) {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for SinkWriter {
    type Writer = SinkWriter;
    fn make_writer(&'a self) -> Self::Writer {
        SinkWriter
    }
}

/// The log lines of one suite run.
pub(crate) struct Capture {
    sink: Sink,
    /// Set when the global subscriber could not be installed: apply to every task.
    pub fallback: Option<Dispatch>,
}

impl Capture {
    /// Start capturing.
    pub fn start() -> Capture {
        let sink: Sink = Arc::new(Mutex::new(Vec::new()));
        sinks()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::downgrade(&sink));
        let fallback = (!global_installed()).then(|| Dispatch::new(subscriber()));
        Capture { sink, fallback }
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.sink.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Whether the simulator's own tasks are captured too.
    pub fn is_global(&self) -> bool {
        self.fallback.is_none()
    }
}

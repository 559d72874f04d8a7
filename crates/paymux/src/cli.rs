//! The `paymux` command line: `adapters`, `wire`, `simulate`, `serve`.
//!
//! The commands and their flags are a stable interface (see the design brief).

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Every `println!` in this module is this one: output into a closed pipe (`paymux wire … |
/// head`) ends the command quietly, with success, instead of panicking as std's does.
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

use paymux_core::adapter::{EncodeContext, Operation, PgRequest, WireRequest, WireTarget};
use paymux_core::channel::ChannelContext;
use paymux_core::registry::{self, AdapterRegistration};
use paymux_core::wire::codec::b64_encode;

const AFTER_HELP: &str = "\
Environment:
  RUST_LOG   log filter for `paymux serve` (default `info`; e.g. `RUST_LOG=paymux_gateway=debug`)
  NO_COLOR   set to anything non-empty: no colour in logs (logs are never coloured when stderr
             is not a terminal)";

/// paymux: one unified payment model, many Korean PGs.
#[derive(Parser, Debug)]
#[command(name = "paymux", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the adapters linked into this binary with their capability matrix.
    Adapters {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Dry run: print exactly what would be sent to the PG, without sending.
    Wire {
        /// Adapter id (see `paymux adapters`).
        adapter: String,
        /// payment.instant | billing-key.issue | payment.billing-key | payment.cancel |
        /// payment.get | billing-key.delete | checkout.prepare | checkout.complete
        operation: String,
        /// The PortOne V2 JSON body plus `paymentId` / `billingKey` (and `prior`).
        #[arg(long)]
        request: PathBuf,
        /// Channel TOML (default: the adapter's public test channel).
        #[arg(long)]
        channel: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        /// Encode as of this instant (RFC 3339) instead of now, for reproducible output.
        #[arg(long)]
        now: Option<String>,
        /// Use this 32-hex-digit nonce instead of fresh randomness, for reproducible output.
        #[arg(long)]
        nonce: Option<String>,
    },
    /// Which channel of a group a request would take, and why (nothing is sent).
    Route {
        /// The channel group (admin-API JSON: `GET /channel-groups/{id}` or what you `PUT`).
        #[arg(long)]
        group: PathBuf,
        /// The PortOne V2 JSON body plus `paymentId`, as for `wire`.
        #[arg(long)]
        request: PathBuf,
        /// payment.instant | checkout.prepare
        #[arg(long, default_value = "payment.instant")]
        operation: String,
        /// Server configuration whose `[[channels]]` the group names (default: each linked
        /// adapter's sandbox channel `<adapter>-test`).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run one vendor simulator standalone.
    Simulate {
        /// Adapter id.
        adapter: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// Write a server config here whose one `[[channels]]` table points at this simulator
        /// (with its test credentials): `paymux serve --config FILE` and `paymux wire
        /// --channel FILE` both take it as it is.
        #[arg(long)]
        channel_out: Option<PathBuf>,
    },
    /// Run the PortOne-V2-compatible gateway (no --config: a sandbox with simulators).
    Serve {
        /// Server configuration TOML (see crates/paymux-gateway/paymux.example.toml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Database URL: sqlite://FILE or postgres://...
        #[arg(long)]
        database: Option<String>,
        /// API secret clients send as `Authorization: PortOne <secret>`.
        #[arg(long)]
        api_secret: Option<String>,
        /// Webhook signing secret (`whsec_<base64>`).
        #[arg(long)]
        webhook_secret: Option<String>,
        /// The operator console's sign-in secret (separate from the API secret).
        #[arg(long)]
        operator_secret: Option<String>,
        /// Send webhooks to this http(s) URL (sandbox: instead of keeping them at
        /// `GET /sandbox/webhooks`).
        #[arg(long)]
        webhook_url: Option<String>,
        /// The gateway's URL as browsers reach it (base of `checkoutUrl`).
        #[arg(long)]
        public_url: Option<String>,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Pretty,
    Raw,
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = run(cli);
    // `--format raw` ends without a newline: flush here so a closed pipe is handled alike.
    write_stdout(format_args!(""));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paymux: {e}");
            ExitCode::from(2)
        }
    }
}

/// Write to stdout (and flush). A reader that went away (broken pipe) ends the process quietly
/// with status 0, as if the output had been read; any other write error is reported (exit 2).
pub(crate) fn write_stdout(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

fn write_stdout_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

fn exit_on_write_error(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("paymux: cannot write the output: {e}");
    std::process::exit(2);
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Adapters { json } => adapters(json),
        Command::Wire {
            adapter,
            operation,
            request,
            channel,
            format,
            now,
            nonce,
        } => wire(
            &adapter,
            &operation,
            &request,
            channel.as_deref(),
            format,
            now,
            nonce,
        ),
        Command::Route {
            group,
            request,
            operation,
            config,
        } => {
            let x = crate::route::route(&group, &request, &operation, config.as_deref())?;
            println!(
                "{}",
                serde_json::to_string_pretty(&x).map_err(|e| e.to_string())?
            );
            Ok(())
        }
        Command::Simulate {
            adapter,
            listen,
            channel_out,
        } => simulate(&adapter, &listen, channel_out.as_deref()),
        Command::Serve {
            config,
            listen,
            database,
            api_secret,
            webhook_secret,
            operator_secret,
            webhook_url,
            public_url,
        } => {
            if config.is_none() && !cfg!(feature = "simulators") {
                return Err(NO_SIMULATORS_SERVE.into());
            }
            let opts = paymux_gateway::ServeOptions {
                config,
                listen,
                database,
                api_secret,
                webhook_secret,
                operator_secret,
                webhook_url,
                public_url,
            };
            let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            rt.block_on(paymux_gateway::serve(opts))
                .map_err(|e| format!("serve: {e:#}"))
        }
    }
}

/// `paymux serve` without `--config` in a build without simulators.
pub const NO_SIMULATORS_SERVE: &str = "serve: this paymux was built without simulators (cargo feature `simulators`), so there is no sandbox: start it with --config FILE naming your channels (see crates/paymux-gateway/paymux.example.toml)";

/// The simulator of `reg`, or why this build has none.
fn simulator_of(
    reg: &AdapterRegistration,
) -> Result<std::sync::Arc<dyn paymux_core::simulator::Simulator>, String> {
    reg.simulator.map(|make| make()).ok_or_else(|| {
        format!(
            "the {} adapter was built without its simulator (cargo feature `simulators`)",
            reg.descriptor.id
        )
    })
}

fn find_adapter(id: &str) -> Result<&'static AdapterRegistration, String> {
    registry::find(id).ok_or_else(|| {
        let ids: Vec<_> = registry::adapters().iter().map(|r| r.descriptor.id).collect();
        if ids.is_empty() {
            format!("unknown adapter `{id}`: this build links no adapters (build with `--features all-adapters`)")
        } else {
            format!("unknown adapter `{id}`; linked adapters: {}", ids.join(", "))
        }
    })
}

fn adapters(json: bool) -> Result<(), String> {
    let regs = registry::adapters();
    if json {
        let list: Vec<_> = regs.iter().map(|r| r.descriptor).collect();
        let out = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
        println!("{out}");
        return Ok(());
    }
    if regs.is_empty() {
        println!("no adapters linked in this build (enable features such as `all-adapters`)");
        return Ok(());
    }
    for r in regs {
        let d = r.descriptor;
        println!(
            "{} — {} (PortOne pgProvider {}, pgCompany {}, {:?}, {})",
            d.id,
            d.display_name,
            d.pg_provider,
            d.pg_company,
            d.transport,
            d.maturity.as_str()
        );
        if d.maturity == paymux_core::adapter::Maturity::Draft {
            println!("  draft: no share of the sandbox demo group's traffic until marked ready");
        }
        for c in d.capabilities.operations {
            let methods: Vec<_> = c.methods.iter().map(|m| m.as_str()).collect();
            let methods = if methods.is_empty() {
                "(any method)".to_string()
            } else {
                methods.join(" ")
            };
            println!("  {:<20} {methods}", c.operation.as_str());
        }
        println!("  currencies: {}", d.capabilities.currencies.join(", "));
        println!("  credentials: {}", d.credentials.join(", "));
        if !d.options.is_empty() {
            println!("  options: {}", d.options.join(", "));
        }
    }
    Ok(())
}

/// The adapter's public test channel, as the sandbox names it (`<adapter>-test`), pointing at
/// the vendor's own test host. Its credentials come from the simulator's table, so a build
/// without simulators has none.
pub(crate) fn test_channel(reg: &AdapterRegistration) -> Result<ChannelContext, String> {
    let id = reg.descriptor.id;
    let mut c = simulator_of(reg)?.sandbox_channel(&format!("{id}-test"), "");
    c.endpoint = None;
    Ok(c)
}

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn wire(
    adapter_id: &str,
    operation: &str,
    request: &std::path::Path,
    channel: Option<&std::path::Path>,
    format: Format,
    now: Option<String>,
    nonce: Option<String>,
) -> Result<(), String> {
    let reg = find_adapter(adapter_id)?;
    let op = Operation::parse(operation).ok_or_else(|| {
        let names: Vec<_> = Operation::ALL.iter().map(|o| o.as_str()).collect();
        format!(
            "unknown operation `{operation}`; one of {}",
            names.join(", ")
        )
    })?;
    let req = PgRequest::from_json(op, &read(request)?)
        .map_err(|e| format!("{}: {e}", request.display()))?;
    let channel = match channel {
        Some(p) => channel_file(&read(p)?).map_err(|e| format!("{}: {e}", p.display()))?,
        None => {
            test_channel(reg).map_err(|e| format!("{e}: name the channel with --channel FILE"))?
        }
    };
    if channel.adapter != adapter_id {
        return Err(format!(
            "channel `{}` is for adapter `{}`, not `{adapter_id}`",
            channel.key, channel.adapter
        ));
    }
    let mut ctx = EncodeContext::now(&channel);
    if let Some(n) = now {
        ctx.now = chrono::DateTime::parse_from_rfc3339(&n)
            .map_err(|e| format!("--now: must be RFC 3339 ({e})"))?
            .with_timezone(&paymux_core::adapter::kst());
    }
    if let Some(n) = nonce {
        let b = hex::decode(&n).map_err(|_| "--nonce: must be 32 hex digits".to_string())?;
        ctx.nonce = b
            .try_into()
            .map_err(|_| "--nonce: must be 32 hex digits".to_string())?;
    }
    let adapter = (reg.adapter)();
    let w =
        paymux_core::execute::prepare(adapter.as_ref(), &ctx, &req).map_err(|e| e.to_string())?;
    match format {
        Format::Raw => write_stdout_bytes(&w.body),
        Format::Json => {
            let v = wire_json(adapter_id, op, &w);
            println!(
                "{}",
                serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
            );
        }
        Format::Pretty => print_pretty(adapter_id, op, &w),
    }
    Ok(())
}

/// A `--channel` file: a channel TOML, or a server config with exactly one `[[channels]]`
/// table (what `paymux simulate --channel-out` writes). The load generator reads its
/// `--direct` file with it too.
pub fn channel_file(text: &str) -> Result<ChannelContext, String> {
    let channel_err = match ChannelContext::from_toml(text) {
        Ok(c) => return Ok(c),
        Err(e) => e,
    };
    match paymux_gateway::FileConfig::from_toml(text) {
        Ok(cfg) if cfg.channels.len() == 1 => Ok(cfg.channels.into_iter().next().expect("one")),
        Ok(cfg) if !cfg.channels.is_empty() => Err(format!(
            "a server config with {} [[channels]] tables; --channel takes a channel file or a \
             config with exactly one",
            cfg.channels.len()
        )),
        Ok(_) => Err(channel_err),
        // A config (it has [[channels]]) with an error: that error is the useful one.
        Err(e) if text.contains("[[channels]]") => Err(e.to_string()),
        Err(_) => Err(channel_err),
    }
}

/// The `--format json` object (a stable interface).
pub fn wire_json(adapter_id: &str, op: Operation, w: &WireRequest) -> serde_json::Value {
    use serde_json::json;
    let mut v = json!({
        "adapter": adapter_id,
        "operation": op.as_str(),
        "bytes_base64": b64_encode(&w.body),
        "view": w.view,
    });
    let o = v.as_object_mut().expect("object literal");
    match &w.target {
        WireTarget::Tcp { host, port, .. } => {
            o.insert("transport".into(), json!("tcp"));
            o.insert("host".into(), json!(host));
            o.insert("port".into(), json!(port));
        }
        WireTarget::Http {
            method,
            url,
            headers,
            ..
        } => {
            let (host, port) = host_port_of(url);
            o.insert("transport".into(), json!("http"));
            o.insert("host".into(), json!(host));
            o.insert("port".into(), json!(port));
            o.insert("method".into(), json!(method));
            // Masked like the headers: a billing key in the path is shown as `*`s.
            o.insert("url".into(), json!(w.target.url_view()));
            let hs: serde_json::Map<_, _> = headers
                .iter()
                .map(|h| (h.name.clone(), json!(h.view_value())))
                .collect();
            o.insert("headers".into(), serde_json::Value::Object(hs));
        }
        WireTarget::Browser {
            url,
            accept_charset,
            ..
        } => {
            let (host, port) = host_port_of(url);
            o.insert("transport".into(), json!("http"));
            o.insert("host".into(), json!(host));
            o.insert("port".into(), json!(port));
            o.insert("method".into(), json!("POST"));
            o.insert("url".into(), json!(url));
            o.insert(
                "headers".into(),
                json!({
                    "Content-Type": format!("application/x-www-form-urlencoded; charset={accept_charset}")
                }),
            );
            o.insert("sentBy".into(), json!("browser"));
        }
        WireTarget::Local { answered_by } => {
            // Nothing leaves: the bytes are the PG's answer already at hand.
            o.insert("transport".into(), json!("none"));
            o.insert("answeredBy".into(), json!(answered_by));
        }
    }
    v
}

fn host_port_of(url: &str) -> (String, u16) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let default = if scheme == "http" { 80 } else { 443 };
    match authority.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
            (h.to_string(), p.parse().unwrap_or(default))
        }
        _ => (authority.to_string(), default),
    }
}

fn print_pretty(adapter_id: &str, op: Operation, w: &WireRequest) {
    println!("{adapter_id} {op}");
    match &w.target {
        WireTarget::Tcp { host, port, .. } => println!("TCP {host}:{port}"),
        WireTarget::Http {
            method, headers, ..
        } => {
            println!("{method} {}", w.target.url_view().unwrap_or_default());
            for h in headers {
                println!("{}: {}", h.name, h.view_value());
            }
        }
        WireTarget::Browser { url, .. } => println!("browser form POST {url}"),
        WireTarget::Local { answered_by } => println!("nothing sent: answered by {answered_by}"),
    }
    println!("{} bytes on the wire", w.body.len());
    println!(
        "{}",
        serde_json::to_string_pretty(&w.view).unwrap_or_default()
    );
}

fn simulate(
    adapter_id: &str,
    listen: &str,
    channel_out: Option<&std::path::Path>,
) -> Result<(), String> {
    let reg = find_adapter(adapter_id)?;
    let addr: std::net::SocketAddr = listen
        .parse()
        .map_err(|_| format!("--listen: `{listen}` is not an address like 127.0.0.1:30900"))?;
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let sim = simulator_of(reg)?;
        let handle = sim
            .clone()
            .start(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let channel = sim.sandbox_channel(&format!("{adapter_id}-sim"), &handle.endpoint());
        println!("{adapter_id} simulator listening on {}", handle.local_addr);
        if let Some(path) = channel_out {
            // Credentials go to the file only: CLI output never shows keys.
            let text = format!(
                "# paymux server config with one channel: `paymux {adapter_id}` simulator at {}.\n\
                 # Use it as it is (`paymux serve --config FILE`, `paymux wire --channel FILE`),\n\
                 # or paste the [[channels]] table into your own config.\n{}",
                handle.local_addr,
                toml_of(&channel, true)
            );
            std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            println!(
                "server config with this channel written to {}",
                path.display()
            );
        }
        println!("{}", toml_of(&channel, false));
        let _ = tokio::signal::ctrl_c().await;
        drop(handle);
        Ok(())
    })
}

/// The channel as a server config's `[[channels]]` table; credentials are masked unless
/// `with_secrets`.
fn toml_of(c: &ChannelContext, with_secrets: bool) -> String {
    let mut s = format!(
        "[[channels]]\nkey = {:?}\nadapter = {:?}\nenvironment = {:?}\n",
        c.key,
        c.adapter,
        c.environment.as_str()
    );
    if let Some(ep) = &c.endpoint {
        s.push_str(&format!("endpoint = {ep:?}\n"));
    }
    s.push_str("[channels.credentials]\n");
    for (k, v) in &c.credentials {
        let shown = if with_secrets {
            v.expose().clone()
        } else {
            v.masked()
        };
        s.push_str(&format!("{k} = {shown:?}\n"));
    }
    if !c.options.is_empty() {
        s.push_str("[channels.options]\n");
        for (k, v) in &c.options {
            s.push_str(&format!("{k} = {v:?}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_output_masks_a_secret_the_url_carries() {
        let w = WireRequest {
            target: WireTarget::Http {
                method: "POST".into(),
                url: "https://api.tosspayments.com/v1/billing/bk_in_path".into(),
                headers: vec![],
                url_secret: None,
            },
            body: vec![],
            view: serde_json::Value::Null.into(),
            read_timeout: None,
        }
        .with_url_secret(paymux_core::secret::Secret::new("bk_in_path".into()));
        let j = wire_json("tosspayments", Operation::PaymentBillingKey, &w);
        assert_eq!(
            j["url"],
            "https://api.tosspayments.com/v1/billing/**********"
        );
        assert_eq!(j["host"], "api.tosspayments.com");
        assert!(!format!("{w:?}").contains("bk_in_path"));
    }

    fn channel() -> ChannelContext {
        ChannelContext::from_toml(
            "key = \"g-sim\"\nadapter = \"galaxia\"\nenvironment = \"test\"\n\
             endpoint = \"127.0.0.1:1\"\n[credentials]\nmid = \"M1\"\n[options]\nitem_code = \"I1\"\n",
        )
        .unwrap()
    }

    #[test]
    fn channel_out_is_a_config_and_a_channel_file() {
        let text = toml_of(&channel(), true);
        let cfg = paymux_gateway::FileConfig::from_toml(&text).unwrap();
        assert_eq!(cfg.channels.len(), 1);
        let c = channel_file(&text).unwrap();
        assert_eq!(c.key, "g-sim");
        assert_eq!(c.credentials["mid"].expose(), "M1");
        assert_eq!(c.option("item_code"), Some("I1"));
        // Masked for the terminal.
        assert!(!toml_of(&channel(), false).contains("\"M1\""));
    }

    #[test]
    fn channel_file_takes_a_channel_or_a_config_with_exactly_one() {
        let one = toml_of(&channel(), true);
        let plain = "key = \"g\"\nadapter = \"galaxia\"\nenvironment = \"test\"\n";
        assert_eq!(channel_file(plain).unwrap().key, "g");
        let two = format!("{one}{one}");
        let e = channel_file(&two).unwrap_err();
        assert!(e.contains("2 [[channels]]"), "{e}");
        let e = channel_file("listen = \"127.0.0.1:1\"\n").unwrap_err();
        assert!(e.contains("listen") || e.contains("missing"), "{e}");
        let e =
            channel_file(&one.replacen("[[channels]]\n", "[[channels]]\nenvironment2 = 1\n", 1))
                .unwrap_err();
        assert!(e.contains("environment2"), "{e}");
    }

    #[test]
    fn host_port_parsing() {
        assert_eq!(
            host_port_of("https://pay.ksnet.co.kr/kspay"),
            ("pay.ksnet.co.kr".into(), 443)
        );
        assert_eq!(
            host_port_of("http://127.0.0.1:8080/x?y"),
            ("127.0.0.1".into(), 8080)
        );
    }
}

//! The `paymux` binary's stable interface, driven as a user would.

use std::process::Command;

fn paymux(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_paymux"))
        .args(args)
        .output()
        .expect("run paymux");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn adapters_json_lists_every_enabled_adapter_with_capabilities() {
    let (code, out, err) = paymux(&["adapters", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("adapters --json is JSON");
    let list = v.as_array().expect("an array of adapters");
    let ids: Vec<&str> = list.iter().filter_map(|a| a["id"].as_str()).collect();
    let mut enabled = paymux::ENABLED_ADAPTERS.to_vec();
    enabled.sort_unstable();
    assert_eq!(ids, enabled);
    for a in list {
        assert!(a["pgProvider"].is_string(), "{a}");
        assert!(a["capabilities"]["operations"].is_array(), "{a}");
        // Every shipped adapter passes its conformance test (a scaffold says "draft").
        assert_eq!(a["maturity"], "ready", "{a}");
    }
}

#[test]
fn unknown_adapter_and_operation_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("paymux-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let req = dir.join("r.json");
    std::fs::write(&req, "{}").unwrap();
    let (code, _, err) = paymux(&[
        "wire",
        "nosuchpg",
        "payment.instant",
        "--request",
        req.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("unknown adapter `nosuchpg`"), "{err}");
    if let Some(id) = paymux::ENABLED_ADAPTERS.first() {
        let (code, _, err) = paymux(&[
            "wire",
            id,
            "payment.teleport",
            "--request",
            req.to_str().unwrap(),
        ]);
        assert_ne!(code, 0);
        assert!(
            err.contains("unknown operation `payment.teleport`"),
            "{err}"
        );
    }
}

#[cfg(feature = "galaxia")]
mod galaxia {
    use super::paymux;
    use std::path::PathBuf;

    fn examples() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/galaxia")
    }

    fn write_request(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
        let mut v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(examples().join("instant-card.json")).unwrap(),
        )
        .unwrap();
        edit(&mut v);
        let dir = std::env::temp_dir().join(format!("paymux-cli-g-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    }

    /// Decrypt with OpenSSL's SEED-CBC and Galaxia's public test key/IV (examples/galaxia).
    fn openssl_seed_decrypt(cipher: &[u8]) -> Option<Vec<u8>> {
        use std::io::Write;
        use std::process::Stdio;
        // base64 `QkZJRlBDRTI4T0c1OUtBMw==` = "BFIFPCE28OG59KA3"; IV "PRJ59Q2GHPT844TQ".
        let hex = |s: &[u8]| s.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let mut child = std::process::Command::new("openssl")
            .args([
                "enc",
                "-d",
                "-seed-cbc",
                "-provider",
                "legacy",
                "-provider",
                "default",
            ])
            .args([
                "-K",
                &hex(b"BFIFPCE28OG59KA3"),
                "-iv",
                &hex(b"PRJ59Q2GHPT844TQ"),
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(cipher).ok()?;
        let out = child.wait_with_output().ok()?;
        out.status.success().then_some(out.stdout)
    }

    const FIXED: [&str; 4] = [
        "--now",
        "2025-03-14T09:26:53+09:00",
        "--nonce",
        "000102030405060708090a0b0c0d0e0f",
    ];

    #[test]
    fn wire_json_prints_the_exact_frame_and_a_masked_view() {
        let req = examples().join("instant-card.json");
        let chan = examples().join("channel.toml");
        let mut args = vec![
            "wire",
            "galaxia",
            "payment.instant",
            "--request",
            req.to_str().unwrap(),
            "--channel",
            chan.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend(FIXED);
        let (code, out, err) = paymux(&args);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["adapter"], "galaxia");
        assert_eq!(v["operation"], "payment.instant");
        assert_eq!(v["transport"], "tcp");
        assert_eq!(v["host"], "tapi.billgate.net");
        assert_eq!(v["port"], 30900);
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v["bytes_base64"].as_str().unwrap())
            .unwrap();
        // 4-digit length of the rest, then the clear header: version, MID, service code.
        let len: usize = std::str::from_utf8(&bytes[..4]).unwrap().parse().unwrap();
        assert_eq!(len, bytes.len() - 4);
        assert_eq!(&bytes[4..14], b"0100      ");
        assert_eq!(&bytes[14..34], b"M2103135            ");
        assert_eq!(&bytes[34..38], b"0900");
        // An independent SEED-CBC implementation (OpenSSL's) decrypts the rest to the layout:
        // COMMAND(4) ORDER_ID(64) ORDER_DATE(14) NUM_RECORDS(4) and tag records.
        let cipher = base64::engine::general_purpose::STANDARD
            .decode(&bytes[38..])
            .unwrap();
        if let Some(plain) = openssl_seed_decrypt(&cipher) {
            assert_eq!(&plain[..4], b"3040");
            assert_eq!(
                &plain[4..68],
                format!("{:<64}", "order-20250314-0001").as_bytes()
            );
            assert_eq!(&plain[68..82], b"20250314092653");
        } else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the independent SEED check (openssl with the legacy provider)"
            );
        }
        // Secrets never show: not in the view, not anywhere in the output.
        for secret in [
            "4518420012345678",
            "880315",
            "QkZJRlBDRTI4T0c1OUtBMw==",
            "PRJ59Q2GHPT844TQ",
        ] {
            assert!(!out.contains(secret), "{secret} leaked");
        }
        assert!(out.contains("451842******5678"));
        // Deterministic with fixed clock and nonce.
        let (_, again, _) = paymux(&args);
        assert_eq!(out, again);
    }

    #[test]
    fn wire_raw_prints_only_the_bytes() {
        let req = examples().join("instant-card.json");
        let mut args = vec![
            "wire",
            "galaxia",
            "payment.instant",
            "--request",
            req.to_str().unwrap(),
            "--format",
            "raw",
        ];
        args.extend(FIXED);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_paymux"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success());
        assert_eq!(&out.stdout[4..8], b"0100");
    }

    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;

    #[test]
    fn invalid_input_exits_nonzero_naming_the_field_and_rule() {
        let cases: Vec<(&str, Edit, &str)> = vec![
            (
                "emoji.json",
                Box::new(|v| v["orderName"] = "주문 🎁".into()),
                "orderName",
            ),
            (
                "ttong.json",
                Box::new(|v| v["orderName"] = "똠양꿍".into()),
                "orderName",
            ),
            (
                "empty.json",
                Box::new(|v| v["orderName"] = "".into()),
                "orderName",
            ),
            (
                "taxfree.json",
                Box::new(|v| v["amount"]["taxFree"] = 2000.into()),
                "amount.taxFree",
            ),
            (
                "month.json",
                Box::new(|v| v["method"]["card"]["credential"]["expiryMonth"] = "13".into()),
                "method.card.credential.expiryMonth",
            ),
            (
                "item.json",
                Box::new(|v| v["bypass"]["galaxia"]["ITEM_CODE"] = "상품코드여섯자".into()),
                "bypass.galaxia.ITEM_CODE",
            ),
        ];
        for (name, edit, path) in cases {
            let req = write_request(name, edit);
            let (code, out, err) = paymux(&[
                "wire",
                "galaxia",
                "payment.instant",
                "--request",
                req.to_str().unwrap(),
            ]);
            assert_ne!(code, 0, "{name}: {out}");
            assert!(err.contains(path), "{name}: {err}");
            assert!(
                !err.contains("4518420012345678"),
                "{name}: card leaked: {err}"
            );
        }
        // A card number of the wrong JSON type: the error names the path, never the number.
        let req = write_request("cardint.json", |v| {
            v["method"]["card"]["credential"]["number"] = 4518420012345678u64.into()
        });
        let (code, _, err) = paymux(&[
            "wire",
            "galaxia",
            "payment.instant",
            "--request",
            req.to_str().unwrap(),
        ]);
        assert_ne!(code, 0);
        assert!(!err.contains("4518420012345678"), "card leaked: {err}");
        assert!(err.contains("expected a string"), "{err}");
        assert!(err.contains("method.card.credential.number"), "{err}");
        let req = write_request("negative.json", |v| v["amount"]["total"] = (-5).into());
        let (code, _, err) = paymux(&[
            "wire",
            "galaxia",
            "payment.instant",
            "--request",
            req.to_str().unwrap(),
        ]);
        assert_ne!(code, 0);
        assert!(err.contains("must not be negative"), "{err}");
    }
}

/// A reader that goes away (`paymux … | head`): the command ends quietly, no panic.
#[test]
fn closed_stdout_is_a_quiet_exit_not_a_panic() {
    use std::io::Read as _;
    use std::process::Stdio;
    let mut cases: Vec<Vec<&str>> =
        vec![vec!["adapters", "--json"], vec!["adapters"], vec!["--help"]];
    let req = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/galaxia/instant-card.json");
    let req = req.to_str().unwrap().to_string();
    if cfg!(feature = "galaxia") {
        for format in ["json", "pretty", "raw"] {
            cases.push(vec![
                "wire",
                "galaxia",
                "payment.instant",
                "--request",
                &req,
                "--format",
                format,
            ]);
        }
    }
    for args in cases {
        // Closed before the first byte is written.
        let mut child = Command::new(env!("CARGO_BIN_EXE_paymux"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        // Closed after the first line (`| head -1`).
        let mut child = Command::new(env!("CARGO_BIN_EXE_paymux"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        let _ = child.stdout.as_mut().unwrap().read(&mut first);
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn help_names_the_environment_variables() {
    let (code, out, _) = paymux(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("NO_COLOR") && out.contains("RUST_LOG"),
        "{out}"
    );
    let (_, out, _) = paymux(&["serve", "--help"]);
    assert!(
        out.contains("--webhook-url") && out.contains("--public-url"),
        "{out}"
    );
}

#[test]
fn serve_refuses_urls_that_are_not_http() {
    for (flag, value) in [
        ("--webhook-url", "ftp://shop.example/hooks"),
        ("--webhook-url", "shop.example/hooks"),
        ("--webhook-url", ""),
        ("--public-url", "javascript:alert(1)"),
    ] {
        let (code, _, err) = paymux(&["serve", "--listen", "127.0.0.1:0", flag, value]);
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(
            err.contains(flag) && err.contains("http:// or https://"),
            "{flag} {value}: {err}"
        );
    }
    // The same rule for the file's option, naming it.
    let dir = std::env::temp_dir().join(format!("paymux-cli-url-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("bad.toml");
    std::fs::write(
        &cfg,
        "listen = \"127.0.0.1:0\"\ndatabase = \"sqlite://x.sqlite\"\nwebhook_url = \"mailto:a@b\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_paymux"))
        .args(["serve", "--config", cfg.to_str().unwrap()])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("webhook_url: must be an absolute http"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

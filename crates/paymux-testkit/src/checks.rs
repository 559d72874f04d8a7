//! The two checks that run after every scenario: masking and capability coverage.

use std::collections::BTreeSet;

use paymux_core::adapter::{AdapterDescriptor, Method, Operation};

use crate::data::CARD_PASSWORD;
use crate::run::{Run, Verdict};
use crate::scenarios::Need;

/// A secret and how to name it in a failure.
struct Secret {
    what: String,
    needles: Vec<String>,
}

fn secrets(run: &Run) -> Vec<Secret> {
    let mut v = Vec::new();
    for card in run.data.cards() {
        let groups: Vec<&str> = (0..card.len())
            .step_by(4)
            .map(|i| &card[i..(i + 4).min(card.len())])
            .collect();
        v.push(Secret {
            what: format!("the test card number …{}", &card[card.len() - 4..]),
            needles: vec![card.to_string(), groups.join("-"), groups.join(" ")],
        });
    }
    v.push(Secret {
        what: "the card holder's birth date".into(),
        needles: vec![run.data.birth.clone()],
    });
    v.push(Secret {
        what: "the card password digits".into(),
        needles: vec![format!("\"{CARD_PASSWORD}\""), format!("={CARD_PASSWORD}")],
    });
    v.push(Secret {
        what: "the cash-receipt identity number".into(),
        needles: vec![crate::cash_receipts::CASH_RECEIPT_IDENTITY.to_string()],
    });
    for (name, value) in &run.channel.credentials {
        let value = value.expose();
        if run.fixture.is_public_credential(name) || value.chars().count() < 4 {
            continue;
        }
        v.push(Secret {
            what: format!("the channel credential `{name}`"),
            needles: vec![value.clone()],
        });
    }
    for key in run
        .pg_billing_keys
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        if key.chars().count() >= 6 {
            v.push(Secret {
                what: "a billing key the PG issued".into(),
                needles: vec![key.clone()],
            });
        }
    }
    v
}

/// Where `needle` occurs in `text` as a whole token: the `=47` needle must not be followed by
/// another digit, and a short needle (the two password digits) not by any letter or digit
/// either, so the start of a hex hash (`HASH_DATA=47b5…`) is not taken for the password.
fn find(text: &str, needle: &str) -> Option<usize> {
    let short = needle.chars().filter(char::is_ascii_alphanumeric).count() < 6;
    let joins = |c: char| {
        if short {
            c.is_ascii_alphanumeric()
        } else {
            c.is_ascii_digit()
        }
    };
    let mut from = 0;
    while let Some(i) = text[from..].find(needle) {
        let at = from + i;
        let end = at + needle.len();
        let glued_before =
            needle.starts_with(|c: char| c.is_ascii_alphanumeric()) && text[..at].ends_with(joins);
        let glued_after =
            needle.ends_with(|c: char| c.is_ascii_alphanumeric()) && text[end..].starts_with(joins);
        if !glued_before && !glued_after {
            return Some(at);
        }
        from = end;
    }
    None
}

fn excerpt(text: &str, at: usize, len: usize) -> String {
    let mut start = at.saturating_sub(60);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + 60).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!("…{}«SECRET»{}…", &text[start..at], &text[at + len..end]).replace('\n', " ")
}

/// No secret of the run in any recorded view, error message or captured log line.
pub(crate) fn masking(run: &Run, logs: &str, logs_global: bool) -> Verdict {
    let secrets = secrets(run);
    let views = run.views.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for s in &secrets {
        for needle in &s.needles {
            for (place, text) in &views {
                if let Some(at) = find(text, needle) {
                    if seen.insert((s.what.clone(), place.clone())) {
                        problems.push(format!(
                            "{} appears in the {place}: {}",
                            s.what,
                            excerpt(text, at, needle.len())
                        ));
                    }
                }
            }
            for line in logs.lines() {
                if let Some(at) = find(line, needle) {
                    if seen.insert((s.what.clone(), "log".into())) {
                        problems.push(format!(
                            "{} appears in a log line: {}",
                            s.what,
                            excerpt(line, at, needle.len())
                        ));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        if !logs_global {
            run.note(
                "masking",
                "another global tracing subscriber was installed: logs of the simulator's own tasks were not captured",
            );
        }
        Ok(())
    } else {
        problems.push(
            "Wrap such values in paymux_core::Secret, mask them in WireRequest::view and never log them (see CONTRIBUTING.md, \"Masking\")".into(),
        );
        Err(problems.join("\n"))
    }
}

/// Every declared operation × method pair, as the suite counts them.
pub(crate) fn declared_pairs(desc: &AdapterDescriptor) -> Vec<Need> {
    let mut v = Vec::new();
    for c in desc.capabilities.operations {
        if c.methods.is_empty() {
            v.push((c.operation, None));
        } else {
            v.extend(c.methods.iter().map(|m| (c.operation, Some(*m))));
        }
    }
    v
}

fn hint(op: Operation, method: Option<Method>) -> &'static str {
    match (op, method) {
        (Operation::PaymentInstant, _) => {
            "keyed-in payments exist for CARD and VIRTUAL_ACCOUNT only"
        }
        (Operation::PaymentCancel, Some(_)) | (Operation::PaymentGet, Some(_)) => {
            "the suite makes payments by this method through payment.instant or a payment window (checkout.prepare + checkout.complete + Fixture::pay_in_window)"
        }
        (Operation::PaymentBillingKey, Some(Method::Mobile)) => {
            "mobile billing keys are exercised through a requestIssueBillingKeyAndPay window: declare checkout.prepare and checkout.complete for MOBILE and implement Fixture::pay_in_window"
        }
        (Operation::CheckoutComplete, _) => {
            "a window is completed only when checkout.prepare is declared for the method too"
        }
        _ => "no scenario of the suite uses it",
    }
}

/// Declared pairs no scenario exercised.
pub(crate) fn coverage(desc: &AdapterDescriptor, covered: &[Need]) -> Verdict {
    let covered_ops: BTreeSet<Operation> = covered.iter().map(|(o, _)| *o).collect();
    let mut missing = Vec::new();
    for (op, method) in declared_pairs(desc) {
        let ok = match method {
            None => covered_ops.contains(&op),
            Some(m) => covered.contains(&(op, Some(m))),
        };
        if !ok {
            let what = match method {
                Some(m) => format!("{op} with {m}"),
                None => op.to_string(),
            };
            missing.push(format!(
                "{what} is declared but no conformance scenario exercised it ({}). Declared capabilities must be tested: stop declaring it, or extend the suite",
                hint(op, method)
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn a_short_secret_is_a_whole_token_never_the_start_of_a_hash() {
        assert_eq!(find("HASH_DATA=47b56b05", "=47"), None);
        assert_eq!(find("PW=47&X=1", "=47"), Some(2));
        assert_eq!(find("PW=471", "=47"), None);
        assert_eq!(find("{\"pw\":\"47\"}", "\"47\""), Some(6));
        assert_eq!(find("card 4518420012345678x", "4518420012345678"), Some(5));
        assert_eq!(find("card 45184200123456789", "4518420012345678"), None);
    }

    use super::*;

    #[test]
    fn needles_match_whole_digit_runs_only() {
        assert_eq!(find("PASSWORD=47 ok", "=47"), Some(8));
        assert_eq!(find("AMOUNT=4700", "=47"), None);
        assert_eq!(find("x 880412 y", "880412"), Some(2));
        assert_eq!(find("x 1880412 y", "880412"), None);
        assert_eq!(find("\"47\"", "\"47\""), Some(0));
    }

    #[test]
    fn excerpts_hide_the_secret() {
        let t = "number: 4111111111111111, ok";
        let at = find(t, "4111111111111111").unwrap();
        let e = excerpt(t, at, 16);
        assert!(!e.contains("4111111111111111"), "{e}");
        assert!(e.contains("«SECRET»"), "{e}");
    }
}

//! A group's traffic in pictures, drawn on the server as SVG (no script, no chart library,
//! nothing fetched from elsewhere): configured weights against the actual split, the split in
//! each window, and approval rate and PG latency per channel.
//!
//! The numbers are those of `GET /channel-groups/{id}/stats` — [`crate::stats::for_group`],
//! one computation over the routing events for the API and the console: the split counts the
//! payments selection gave each channel first (`selected`), approval counts every attempt on
//! the channel (first choices and failovers), and latency is the PG call's p50 and p99.

use serde_json::{json, Value};

use super::i18n::Words;
use crate::stats::{ChannelStats, WindowStats};

const PALETTE: &[&str] = &[
    "#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777",
    "#4b5563", "#65a30d", "#7c3aed",
];

/// Approved attempts (approvals and virtual accounts issued) over the attempts whose result
/// is known (pending and unknown outcomes left out), with both counts; `None` without any.
pub fn approval(c: &ChannelStats) -> Option<(f64, i64, i64)> {
    let approved = c.approvals + c.virtual_accounts_issued;
    let known = c.attempts - c.pending - c.unknown_outcomes;
    (known > 0).then(|| (approved as f64 / known as f64, approved, known))
}

fn pct(share: f64) -> String {
    format!("{:.1}", 100.0 * share)
}

/// The window's numbers as a table (beside the pictures, for reading and for tests).
pub fn table(w: &WindowStats) -> Vec<Value> {
    w.channels
        .iter()
        .map(|c| {
            json!({
                "key": c.channel_key,
                "configured": c.weight,
                "configured_share": pct(c.configured_share),
                "enabled": c.enabled,
                "selected": c.selected,
                "attempts": c.attempts,
                "actual": if w.channels.iter().any(|c| c.selected > 0) { pct(c.actual_share) } else { "–".into() },
                "approval": approval(c).map(|(r, a, n)| format!("{}% ({a}/{n})", pct(r))).unwrap_or_else(|| "–".into()),
                "latency": c.latency_ms.map(|l| format!("{:.0} / {:.0} ms", l.p50, l.p99)).unwrap_or_else(|| "–".into()),
                "failovers": c.failovers,
                "rule_skips": c.rule_skips,
            })
        })
        .collect()
}

/// The four pictures.
pub struct Svgs {
    /// Configured vs actual.
    pub split: String,
    /// The split in each window.
    pub over_time: String,
    /// Approval rate per channel.
    pub approval: String,
    /// Latency per channel.
    pub latency: String,
}

/// Text for SVG (the same escaping as HTML's).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

const W: f64 = 640.0;
const LABEL_W: f64 = 170.0;
const BAR_W: f64 = 330.0;

fn svg_open(h: f64, title: &str) -> String {
    format!(
        "<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = esc(title)
    )
}

fn label(y: f64, text: &str) -> String {
    format!(
        "<text x=\"{x}\" y=\"{y}\" text-anchor=\"end\" font-size=\"13\" fill=\"#111827\">{}</text>",
        esc(text),
        x = LABEL_W - 8.0
    )
}

/// One bar: its length as a fraction of the full width, its text, colour, and whether it is
/// filled (else outlined).
type Bar = (f64, String, &'static str, bool);

/// Horizontal bars: one group of bars per channel.
fn hbars(title: &str, rows: &[(String, Vec<Bar>)]) -> String {
    let per_bar = 18.0;
    let gap = 12.0;
    let h: f64 = rows
        .iter()
        .map(|(_, bars)| bars.len() as f64 * per_bar + gap)
        .sum::<f64>()
        + gap;
    let mut s = svg_open(h.max(40.0), title);
    let mut y = gap;
    for (name, bars) in rows {
        let group_h = bars.len() as f64 * per_bar;
        s.push_str(&label(y + group_h / 2.0 + 4.0, name));
        for (j, (frac, text, col, solid)) in bars.iter().enumerate() {
            let by = y + j as f64 * per_bar;
            let w = (frac.clamp(0.0, 1.0) * BAR_W).max(if *frac > 0.0 { 1.0 } else { 0.0 });
            let (fill, stroke) = if *solid {
                (*col, "none")
            } else {
                ("#ffffff", *col)
            };
            s.push_str(&format!(
                "<rect x=\"{LABEL_W}\" y=\"{by}\" width=\"{w:.1}\" height=\"{bh}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
                bh = per_bar - 4.0
            ));
            s.push_str(&format!(
                "<text x=\"{tx:.1}\" y=\"{ty}\" font-size=\"12\" fill=\"#374151\">{}</text>",
                esc(text),
                tx = LABEL_W + w + 6.0,
                ty = by + per_bar - 7.0
            ));
        }
        y += group_h + gap;
    }
    s.push_str("</svg>");
    s
}

/// Draw every picture: the split, approval and latency of window `w`, and the split in each
/// of `all` (the stats' windows, widest first on the page) with the page's words.
pub fn render_all(w: &WindowStats, all: &[WindowStats], t: &Words) -> Svgs {
    let split_rows: Vec<_> = w
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.channel_key.clone(),
                vec![
                    (
                        c.configured_share,
                        format!("{} {}%", t.get("chart_configured"), pct(c.configured_share)),
                        color(i),
                        false,
                    ),
                    (
                        c.actual_share,
                        format!(
                            "{} {}% ({})",
                            t.get("chart_actual"),
                            pct(c.actual_share),
                            c.selected
                        ),
                        color(i),
                        true,
                    ),
                ],
            )
        })
        .collect();
    let approval_rows: Vec<_> = w
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let a = approval(c);
            (
                c.channel_key.clone(),
                vec![(
                    a.map_or(0.0, |(r, _, _)| r),
                    match a {
                        Some((r, ok, n)) => format!("{}% ({ok}/{n})", pct(r)),
                        None => "–".into(),
                    },
                    color(i),
                    true,
                )],
            )
        })
        .collect();
    let max_latency = w
        .channels
        .iter()
        .filter_map(|c| c.latency_ms.map(|l| l.p99))
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let latency_rows: Vec<_> = w
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let bars = match c.latency_ms {
                Some(l) => vec![
                    (
                        l.p50 / max_latency,
                        format!("p50 {:.0} ms", l.p50),
                        color(i),
                        true,
                    ),
                    (
                        l.p99 / max_latency,
                        format!("p99 {:.0} ms", l.p99),
                        color(i),
                        false,
                    ),
                ],
                None => vec![(0.0, "–".into(), color(i), true)],
            };
            (c.channel_key.clone(), bars)
        })
        .collect();
    Svgs {
        split: hbars(t.get("chart_split"), &split_rows),
        over_time: by_window(all, t),
        approval: hbars(t.get("chart_approval"), &approval_rows),
        latency: hbars(t.get("chart_latency"), &latency_rows),
    }
}

/// Stacked columns: one per window (widest first), split by the channel selection gave each
/// payment (100 % high when it has payments), the number of payments above, configured weights
/// as dashed lines, a legend. Channels keep the colours of the other pictures (the widest
/// window's order, which lists every channel the narrower ones saw).
fn by_window(all: &[WindowStats], t: &Words) -> String {
    let top = 24.0;
    let plot_h = 200.0;
    let left = 40.0;
    let mut windows: Vec<&WindowStats> = all.iter().collect();
    windows.sort_by_key(|w| std::cmp::Reverse(w.seconds));
    let Some(widest) = windows.first() else {
        return svg_open(40.0, t.get("chart_over_time")) + "</svg>";
    };
    let keys: Vec<&str> = widest
        .channels
        .iter()
        .map(|c| c.channel_key.as_str())
        .collect();
    let col_w = ((W - left - 10.0) / windows.len() as f64).min(160.0);
    let legend_rows = keys.len().div_ceil(3) as f64;
    let h = top + plot_h + 40.0 + legend_rows * 20.0 + 10.0;
    let mut s = svg_open(h, t.get("chart_over_time"));
    for pct in [0.0, 50.0, 100.0] {
        let y = top + plot_h * (1.0 - pct / 100.0);
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#e5e7eb\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">{pct}%</text>",
            x2 = W - 10.0,
            tx = left - 4.0,
            ty = y + 4.0
        ));
    }
    for (b, w) in windows.iter().enumerate() {
        let n: i64 = w.channels.iter().map(|c| c.selected).sum();
        let x = left + b as f64 * col_w + 6.0;
        let bar_w = col_w - 12.0;
        let mut y = top + plot_h;
        if n > 0 {
            for c in &w.channels {
                if c.selected == 0 {
                    continue;
                }
                let i = keys
                    .iter()
                    .position(|k| *k == c.channel_key)
                    .unwrap_or(keys.len());
                let hh = plot_h * c.selected as f64 / n as f64;
                y -= hh;
                s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar_w:.1}\" height=\"{hh:.1}\" fill=\"{col}\"><title>{key}: {k}/{n}</title></rect>",
                    col = color(i),
                    key = esc(&c.channel_key),
                    k = c.selected
                ));
            }
        }
        let cx = x + bar_w / 2.0;
        s.push_str(&format!(
            "<text x=\"{cx:.1}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#374151\">{n}</text>\
             <text x=\"{cx:.1}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#111827\">{name}</text>",
            ty = top - 6.0,
            ly = top + plot_h + 16.0,
            name = esc(t.get(&format!("chart_window_{}", w.window)))
        ));
    }
    // Configured weights: cumulative boundaries, as the columns stack them.
    let mut cum = 0.0;
    for c in &widest.channels {
        cum += c.configured_share;
        if cum > 0.0 && cum < 0.999 {
            let y = top + plot_h * (1.0 - cum);
            s.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{x2}\" y2=\"{y:.1}\" stroke=\"#111827\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/>",
                x2 = W - 10.0
            ));
        }
    }
    let ly = top + plot_h + 44.0;
    for (i, c) in widest.channels.iter().enumerate() {
        let x = left + (i % 3) as f64 * 200.0;
        let y = ly + (i / 3) as f64 * 20.0;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{ry}\" width=\"12\" height=\"12\" fill=\"{col}\"/><text x=\"{tx}\" y=\"{y}\" font-size=\"12\" fill=\"#111827\">{k} ({w}%)</text>",
            ry = y - 10.0,
            col = color(i),
            tx = x + 16.0,
            k = esc(&c.channel_key),
            w = c.weight
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Latency;

    fn channel(
        key: &str,
        weight: u32,
        selected: i64,
        approvals: i64,
        declines: i64,
    ) -> ChannelStats {
        ChannelStats {
            channel_key: key.into(),
            weight,
            enabled: true,
            configured_share: f64::from(weight) / 100.0,
            selected,
            attempts: approvals + declines,
            approvals,
            declines,
            latency_ms: (approvals + declines > 0).then_some(Latency {
                p50: 12.0,
                p99: 80.0,
            }),
            ..ChannelStats::default()
        }
    }

    fn window(name: &'static str, seconds: u64, channels: Vec<ChannelStats>) -> WindowStats {
        let selected: i64 = channels.iter().map(|c| c.selected).sum();
        let channels = channels
            .into_iter()
            .map(|mut c| {
                if selected > 0 {
                    c.actual_share = c.selected as f64 / selected as f64;
                }
                c
            })
            .collect();
        WindowStats {
            window: name,
            seconds,
            payments: selected,
            channels,
        }
    }

    #[test]
    fn pictures_and_table_show_the_stats_numbers_escaped() {
        let day = window(
            "1d",
            86_400,
            vec![channel("a<b", 50, 2, 2, 0), channel("c", 50, 1, 0, 1)],
        );
        let hour = window(
            "1h",
            3600,
            vec![channel("a<b", 50, 0, 0, 0), channel("c", 50, 1, 0, 1)],
        );
        let five = window(
            "5m",
            300,
            vec![channel("a<b", 50, 0, 0, 0), channel("c", 50, 0, 0, 0)],
        );
        let all = vec![five, hour, day.clone()];
        let t = super::super::i18n::words(super::super::i18n::Lang::En);
        let svgs = render_all(&day, &all, t);
        for svg in [&svgs.split, &svgs.over_time, &svgs.approval, &svgs.latency] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(!svg.contains("a<b") && svg.contains("a&lt;b"), "{svg}");
        }
        assert!(svgs.split.contains("actual 66.7% (2)"), "{}", svgs.split);
        assert!(svgs.approval.contains("100.0% (2/2)"), "{}", svgs.approval);
        assert!(svgs.latency.contains("p99 80 ms"), "{}", svgs.latency);
        // One column per window, widest first, labelled.
        let last_day = svgs.over_time.find("last day").unwrap();
        let last_hour = svgs.over_time.find("last hour").unwrap();
        assert!(last_day < last_hour, "{}", svgs.over_time);
        let rows = table(&day);
        assert_eq!(rows[0]["actual"], "66.7");
        assert_eq!(rows[1]["approval"], "0.0% (0/1)");
        assert_eq!(approval(&ChannelStats::default()), None);
    }
}

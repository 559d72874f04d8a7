//! A group's traffic in pictures, drawn on the server as SVG (no script, no chart library,
//! nothing fetched from elsewhere): configured weights against the actual split, the split
//! over time, and approval rate and latency per channel.
//!
//! The numbers come from the stored payments routed through the group (their current
//! channel) and the attempts routing failed over from: the split counts payments, approval
//! and latency count every attempt. Approved = paid, virtual account issued, or cancelled
//! later; declined = failed; still-open payments count in the split only. Latency is request
//! to outcome as the gateway recorded them.

use serde_json::{json, Value};

use super::i18n::Words;
use crate::store::console::OutcomeRow;
use paymux_routing::ChannelGroup;

/// Most rows a chart reads.
pub const MAX_ROWS: i64 = 50_000;
/// Columns of the over-time chart.
pub const BUCKETS: usize = 12;

const PALETTE: &[&str] = &[
    "#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777",
    "#4b5563", "#65a30d", "#7c3aed",
];

/// One channel's numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelStat {
    /// Channel key.
    pub key: String,
    /// Configured weight (percent; 0 for a channel no longer in the group).
    pub configured: u32,
    /// Enabled in the group now.
    pub enabled: bool,
    /// Payments that ended on it.
    pub payments: u64,
    /// Approved attempts.
    pub approved: u64,
    /// Declined or failed attempts.
    pub declined: u64,
    latency_ms_sum: f64,
    latency_n: u64,
}

impl ChannelStat {
    /// Approved share of settled attempts, if any settled.
    pub fn approval_rate(&self) -> Option<f64> {
        let n = self.approved + self.declined;
        (n > 0).then(|| self.approved as f64 / n as f64)
    }
    /// Mean request-to-outcome time in ms, if any settled.
    pub fn mean_latency_ms(&self) -> Option<f64> {
        (self.latency_n > 0).then(|| self.latency_ms_sum / self.latency_n as f64)
    }
}

/// A group's numbers over a window.
#[derive(Debug, Clone)]
pub struct GroupStats {
    /// The group's channels in configuration order, then any other channel its payments
    /// went to (an earlier configuration).
    pub channels: Vec<ChannelStat>,
    /// Payments per bucket per channel (same order as `channels`).
    pub buckets: Vec<Vec<u64>>,
}

fn group_id_of(json_text: Option<&str>) -> Option<String> {
    let v: Value = serde_json::from_str(json_text?).ok()?;
    v.get("id")?.as_str().map(str::to_string)
}

impl GroupStats {
    /// The numbers of `group` from `rows` in `[since, until)` (µs).
    pub fn of(group: &ChannelGroup, rows: &[OutcomeRow], since: i64, until: i64) -> GroupStats {
        let mut channels: Vec<ChannelStat> = group
            .channels
            .iter()
            .map(|c| ChannelStat {
                key: c.channel_key.clone(),
                configured: c.weight,
                enabled: c.enabled,
                ..ChannelStat::default()
            })
            .collect();
        let span = (until - since).max(1);
        let mut buckets = vec![Vec::<u64>::new(); BUCKETS];
        for r in rows {
            if r.requested_at < since || r.requested_at >= until {
                continue;
            }
            if group_id_of(r.group_json.as_deref()).as_deref() != Some(group.id.as_str()) {
                continue;
            }
            let i = match channels.iter().position(|c| c.key == r.channel_key) {
                Some(i) => i,
                None => {
                    channels.push(ChannelStat {
                        key: r.channel_key.clone(),
                        ..ChannelStat::default()
                    });
                    channels.len() - 1
                }
            };
            let c = &mut channels[i];
            match r.approved {
                Some(true) => c.approved += 1,
                Some(false) => c.declined += 1,
                None => {}
            }
            if let (Some(_), Some(done)) = (r.approved, r.settled_at) {
                c.latency_ms_sum += (done - r.requested_at).max(0) as f64 / 1000.0;
                c.latency_n += 1;
            }
            if !r.superseded {
                c.payments += 1;
                let b = (((r.requested_at - since) as i128 * BUCKETS as i128) / span as i128)
                    .clamp(0, BUCKETS as i128 - 1) as usize;
                if buckets[b].len() <= i {
                    buckets[b].resize(i + 1, 0);
                }
                buckets[b][i] += 1;
            }
        }
        for b in &mut buckets {
            b.resize(channels.len(), 0);
        }
        GroupStats { channels, buckets }
    }

    /// Payments in the window.
    pub fn total(&self) -> u64 {
        self.channels.iter().map(|c| c.payments).sum()
    }

    /// The numbers as a table (beside the pictures, for reading and for tests).
    pub fn table(&self) -> Vec<Value> {
        let total = self.total();
        self.channels
            .iter()
            .map(|c| {
                json!({
                    "key": c.key,
                    "configured": c.configured,
                    "enabled": c.enabled,
                    "payments": c.payments,
                    "actual": if total > 0 { format!("{:.1}", 100.0 * c.payments as f64 / total as f64) } else { "–".into() },
                    "approval": c.approval_rate().map(|r| format!("{:.1}%", 100.0 * r)).unwrap_or_else(|| "–".into()),
                    "latency": c.mean_latency_ms().map(|l| format!("{l:.0} ms")).unwrap_or_else(|| "–".into()),
                })
            })
            .collect()
    }
}

/// The four pictures.
pub struct Svgs {
    /// Configured vs actual.
    pub split: String,
    /// Split over time.
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

/// Draw every picture of `stats` with the page's words.
pub fn render_all(stats: &GroupStats, t: &Words) -> Svgs {
    let total = stats.total();
    let split_rows: Vec<_> = stats
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let actual = if total > 0 {
                c.payments as f64 / total as f64
            } else {
                0.0
            };
            (
                c.key.clone(),
                vec![
                    (
                        c.configured as f64 / 100.0,
                        format!("{} {}%", t.get("chart_configured"), c.configured),
                        color(i),
                        false,
                    ),
                    (
                        actual,
                        format!(
                            "{} {:.1}% ({})",
                            t.get("chart_actual"),
                            actual * 100.0,
                            c.payments
                        ),
                        color(i),
                        true,
                    ),
                ],
            )
        })
        .collect();
    let approval_rows: Vec<_> = stats
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let rate = c.approval_rate();
            (
                c.key.clone(),
                vec![(
                    rate.unwrap_or(0.0),
                    match rate {
                        Some(r) => format!(
                            "{:.1}% ({}/{})",
                            r * 100.0,
                            c.approved,
                            c.approved + c.declined
                        ),
                        None => "–".into(),
                    },
                    color(i),
                    true,
                )],
            )
        })
        .collect();
    let max_latency = stats
        .channels
        .iter()
        .filter_map(ChannelStat::mean_latency_ms)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let latency_rows: Vec<_> = stats
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let l = c.mean_latency_ms();
            (
                c.key.clone(),
                vec![(
                    l.unwrap_or(0.0) / max_latency,
                    l.map(|l| format!("{l:.0} ms"))
                        .unwrap_or_else(|| "–".into()),
                    color(i),
                    true,
                )],
            )
        })
        .collect();
    Svgs {
        split: hbars(t.get("chart_split"), &split_rows),
        over_time: over_time(stats, t),
        approval: hbars(t.get("chart_approval"), &approval_rows),
        latency: hbars(t.get("chart_latency"), &latency_rows),
    }
}

/// Stacked columns: each column one time bucket, split by channel (100 % high when it has
/// payments), the number of payments above, configured weights as dashed lines, a legend.
fn over_time(stats: &GroupStats, t: &Words) -> String {
    let top = 24.0;
    let plot_h = 200.0;
    let left = 40.0;
    let col_w = (W - left - 10.0) / BUCKETS as f64;
    let legend_rows = stats.channels.len().div_ceil(3) as f64;
    let h = top + plot_h + 20.0 + legend_rows * 20.0 + 10.0;
    let mut s = svg_open(h, t.get("chart_over_time"));
    // Axis: 0, 50, 100 %.
    for pct in [0.0, 50.0, 100.0] {
        let y = top + plot_h * (1.0 - pct / 100.0);
        s.push_str(&format!(
            "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#e5e7eb\"/><text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b7280\">{pct}%</text>",
            x2 = W - 10.0,
            tx = left - 4.0,
            ty = y + 4.0
        ));
    }
    for (b, counts) in stats.buckets.iter().enumerate() {
        let n: u64 = counts.iter().sum();
        let x = left + b as f64 * col_w + 3.0;
        let mut y = top + plot_h;
        if n > 0 {
            for (i, &k) in counts.iter().enumerate() {
                if k == 0 {
                    continue;
                }
                let hh = plot_h * k as f64 / n as f64;
                y -= hh;
                s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{hh:.1}\" fill=\"{c}\"><title>{key}: {k}/{n}</title></rect>",
                    w = col_w - 6.0,
                    c = color(i),
                    key = esc(&stats.channels[i].key)
                ));
            }
        }
        s.push_str(&format!(
            "<text x=\"{tx:.1}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#374151\">{n}</text>",
            tx = x + (col_w - 6.0) / 2.0,
            ty = top - 6.0
        ));
    }
    // Configured weights: cumulative boundaries, as the columns stack them.
    let mut cum = 0.0;
    for c in &stats.channels {
        cum += c.configured as f64;
        if cum > 0.0 && cum < 100.0 {
            let y = top + plot_h * (1.0 - cum / 100.0);
            s.push_str(&format!(
                "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{x2}\" y2=\"{y:.1}\" stroke=\"#111827\" stroke-dasharray=\"5 4\" stroke-width=\"1.5\"/>",
                x2 = W - 10.0
            ));
        }
    }
    let ly = top + plot_h + 24.0;
    for (i, c) in stats.channels.iter().enumerate() {
        let x = left + (i % 3) as f64 * 200.0;
        let y = ly + (i / 3) as f64 * 20.0;
        s.push_str(&format!(
            "<rect x=\"{x}\" y=\"{ry}\" width=\"12\" height=\"12\" fill=\"{c}\"/><text x=\"{tx}\" y=\"{y}\" font-size=\"12\" fill=\"#111827\">{k} ({w}%)</text>",
            ry = y - 10.0,
            c = color(i),
            tx = x + 16.0,
            k = esc(&c.key),
            w = c.configured
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::channel::Environment;
    use paymux_routing::GroupChannel;

    fn row(
        key: &str,
        group: &str,
        approved: Option<bool>,
        at: i64,
        superseded: bool,
    ) -> OutcomeRow {
        OutcomeRow {
            channel_key: key.into(),
            group_json: Some(json!({"id": group, "name": "g", "isForTest": true}).to_string()),
            approved,
            requested_at: at,
            settled_at: Some(at + 250_000),
            superseded,
        }
    }

    #[test]
    fn counts_split_approval_and_latency_of_the_group_only() {
        let mut g = ChannelGroup::new(
            "g",
            Environment::Test,
            vec![GroupChannel::new("a<b", 50), GroupChannel::new("c", 50)],
        );
        g.id = "G".into();
        let rows = vec![
            row("a<b", "G", Some(true), 10, false),
            row("a<b", "G", Some(true), 20, false),
            row("c", "G", Some(false), 30, true),
            row("c", "G", None, 95, false),
            row("c", "OTHER", Some(true), 40, false),
            row("c", "G", Some(true), 1_000, false), // outside the window
        ];
        let s = GroupStats::of(&g, &rows, 0, 100);
        assert_eq!(s.total(), 3);
        assert_eq!(s.channels[0].payments, 2);
        assert_eq!(s.channels[1].payments, 1);
        assert_eq!(s.channels[1].approval_rate(), Some(0.0));
        assert_eq!(s.channels[0].mean_latency_ms(), Some(250.0));
        assert_eq!(s.buckets[1][0] + s.buckets[2][0], 2);
        assert_eq!(s.buckets[BUCKETS - 1][1], 1);
        let svgs = render_all(&s, super::super::i18n::words(super::super::i18n::Lang::En));
        for svg in [&svgs.split, &svgs.over_time, &svgs.approval, &svgs.latency] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(!svg.contains("a<b") && svg.contains("a&lt;b"), "{svg}");
        }
        assert!(svgs.split.contains("actual 66.7% (2)"), "{}", svgs.split);
    }
}

//! The console's words in Korean (default) and English, and the group rules worded for people.
//!
//! The group rules themselves live in `paymux_routing` ([`ChannelGroup::validate`], the
//! schedule's `effectiveAt` check); this module only says a broken one in the page's language,
//! in the console guide's words where the guide has them.
//!
//! [`ChannelGroup::validate`]: paymux_routing::ChannelGroup::validate

use std::collections::BTreeMap;
use std::sync::OnceLock;

use paymux_core::validation::ValidationError;
use serde::Serialize;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 한국어 (default).
    #[default]
    Ko,
    /// English.
    En,
}

impl Lang {
    /// From `ko` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// `ko` / `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }
    /// The language's own name.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Ko => "한국어",
            Lang::En => "English",
        }
    }
    /// The switch's target.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ko => Lang::En,
            Lang::En => Lang::Ko,
        }
    }
}

/// The guide's refusal when weights do not total 100 (PortOne console guide, "스마트 라우팅
/// 그룹 생성하기", step 10).
pub const WEIGHTS_TOTAL_KO: &str =
    "비율의 합은 100% 미만이거나 초과될 수 없습니다. 총 합이 100%여야만 합니다.";

/// `(key, 한국어, English)`.
type Entry = (&'static str, &'static str, &'static str);

const WORDS: &[Entry] = &[
    ("console", "paymux 관리자콘솔", "paymux console"),
    ("nav_groups", "스마트 라우팅", "Smart routing"),
    ("nav_channels", "채널", "Channels"),
    ("nav_payments", "결제 내역", "Payments"),
    ("logout", "로그아웃", "Sign out"),
    ("login_title", "관리자 로그인", "Operator sign-in"),
    ("login_secret", "운영자 시크릿", "Operator secret"),
    ("login_hint", "`paymux serve`가 시작할 때 출력한 운영자 시크릿(API 시크릿과 다름)을 입력하세요.", "Enter the operator secret `paymux serve` printed at start (not the API secret)."),
    ("login_submit", "로그인", "Sign in"),
    ("login_failed", "운영자 시크릿이 올바르지 않습니다.", "The operator secret is not valid."),
    ("login_throttled", "로그인 실패가 너무 많습니다. 잠시 후 다시 시도하세요.", "Too many failed sign-ins. Please try again later."),
    ("forbidden_title", "요청을 거부했습니다", "Request refused"),
    ("csrf_refused", "이 요청은 콘솔 화면에서 보낸 것이 아니거나 만료되었습니다. 페이지를 새로 고친 뒤 다시 시도하세요.", "This request did not come from a console page, or the page has expired. Reload the page and try again."),
    ("not_found_title", "찾을 수 없습니다", "Not found"),
    ("not_found_body", "요청한 페이지가 없습니다.", "There is no such page."),
    ("error_title", "처리하지 못했습니다", "Could not be done"),
    ("back", "돌아가기", "Back"),
    // Groups (the guide's words).
    ("groups_title", "스마트 라우팅 그룹", "Smart routing groups"),
    ("group_create", "스마트 라우팅 그룹 생성하기", "Create a smart routing group"),
    ("group_edit", "스마트 라우팅 그룹 수정하기", "Edit the smart routing group"),
    ("group_none", "아직 그룹이 없습니다.", "No group yet."),
    ("group_id", "그룹 아이디", "Group ID"),
    ("group_id_auto", "그룹 생성 후 자동으로 채번되며, 결제 요청 시 사용됩니다.", "Assigned when the group is created; payment requests name it."),
    ("group_name", "그룹 이름", "Group name"),
    ("group_name_hint", "그룹의 특징을 잘 나타내는 이름으로 작성하시길 권장드립니다.", "A name that tells what the group is for."),
    ("environment", "연동 환경", "Environment"),
    ("env_test", "테스트", "Test"),
    ("env_live", "실연동", "Live"),
    ("env_choose", "연동할 환경을 선택하세요. 해당 환경으로 등록된 채널만 표시됩니다.", "Choose the environment. Only channels registered for it are shown."),
    ("env_rule", "스마트 라우팅 그룹 내에 동일한 환경의 채널끼리만 설정이 가능합니다.", "A smart routing group takes only channels of one environment."),
    ("channels", "채널", "Channels"),
    ("channel", "채널", "Channel"),
    ("channel_add", "+ 채널 추가", "+ Add channel"),
    ("channel_none_option", "— 선택 안 함 —", "— none —"),
    ("channel_count_rule", "채널은 최소 1개부터 최대 10개까지 설정이 가능합니다.", "A group has at least 1 and at most 10 channels."),
    ("weight", "비율(%)", "Weight (%)"),
    ("weights_total", "합계", "Total"),
    ("weights_rule", WEIGHTS_TOTAL_KO, "The weights cannot total less or more than 100%. They must total exactly 100%."),
    ("enabled", "활성화", "Enabled"),
    ("disabled", "비활성화", "Disabled"),
    ("disabled_hint", "비활성화한 채널은 입력된 비율과 상관없이 라우팅 시 배제됩니다.", "A disabled channel is left out of routing whatever its weight."),
    ("failover", "장애 시 다른 채널로 재시도 (paymux 확장)", "Fail over to another channel (paymux extension)"),
    ("health_skip", "연속 장애 채널 건너뛰기 (paymux 확장)", "Skip failing channels (paymux extension)"),
    ("schedule_set", "예약 시간 설정", "Schedule the change"),
    ("schedule_hint", "예약 시간은 시간 단위로 선택 가능하며, 미래 시점으로만 예약할 수 있습니다. 즉시 적용하려면 체크하지 않은 채 저장하세요.", "Pick a whole hour in the future. Leave it unchecked to apply the change now."),
    ("schedule_rule", "예약 시간은 시간 단위로 선택 가능하며, 미래 시점으로만 예약할 수 있습니다.", "A change can be scheduled only for a whole hour in the future."),
    ("schedule_date", "날짜", "Date"),
    ("schedule_hour", "시각 (KST)", "Hour (KST)"),
    ("pending_title", "예약된 변경", "Scheduled changes"),
    ("pending_none", "예약된 변경이 없습니다.", "No scheduled change."),
    ("pending_at", "적용 시각", "Takes effect"),
    ("pending_cancel", "예약 취소", "Cancel"),
    ("pending_cancelled", "예약된 변경을 취소했습니다.", "The scheduled change was cancelled."),
    ("pending_gone", "그 시각에 예약된 변경이 없습니다 (이미 적용되었거나 취소됨).", "No change is scheduled for that hour (applied or cancelled already)."),
    ("save", "저장", "Save"),
    ("saved", "저장했습니다.", "Saved."),
    ("scheduled_ok", "변경을 예약했습니다.", "The change is scheduled."),
    ("group_delete", "그룹 삭제", "Delete group"),
    ("group_delete_warning", "삭제된 그룹은 복원되지 않으며, 결제 요청 파라미터 변경 없이 그룹을 삭제하는 경우 결제가 원활하지 않을 수 있습니다. 삭제 시 신중히 진행하시길 권장드립니다.", "A deleted group cannot be restored, and payments that still name it will not go through until their requests change. Delete with care."),
    ("group_delete_confirm", "삭제합니다", "Delete it"),
    ("group_deleted", "그룹을 삭제했습니다.", "The group was deleted."),
    ("group_not_found", "그런 그룹이 없습니다.", "No such group."),
    ("chart", "차트", "Chart"),
    ("invalid_fields", "저장하지 못했습니다. 아래를 고쳐 주세요.", "Not saved. Please fix the following."),
    // Charts.
    ("chart_title", "그룹 트래픽", "Group traffic"),
    ("chart_window", "기간", "Window"),
    ("chart_window_5m", "최근 5분", "last 5 minutes"),
    ("chart_window_1h", "최근 1시간", "last hour"),
    ("chart_window_1d", "최근 1일", "last day"),
    ("chart_split", "설정 비율과 실제 분배", "Configured weights vs actual split"),
    ("chart_configured", "설정", "configured"),
    ("chart_actual", "실제", "actual"),
    ("chart_over_time", "기간별 실제 분배 (최근 1일 · 1시간 · 5분)", "Actual split by window (last day, hour, 5 minutes)"),
    ("chart_approval", "채널별 승인율 (결과가 확인된 시도 중)", "Approval rate per channel (of attempts with a known result)"),
    ("chart_latency", "채널별 PG 응답 시간 (p50 · p99)", "PG latency per channel (p50, p99)"),
    ("chart_attempts", "시도", "attempts"),
    ("chart_failovers", "장애 전환", "failovers"),
    ("chart_rule_skips", "규칙 제외", "rule skips"),
    ("chart_warnings", "경고", "Warnings"),
    ("chart_source", "GET /channel-groups/{id}/stats 와 같은 계산입니다.", "The same numbers as GET /channel-groups/{id}/stats."),
    ("chart_no_data", "이 기간에 이 그룹으로 라우팅된 결제가 없습니다.", "No payment went through this group in this window."),
    ("chart_payments", "결제 수", "payments"),
    // Channels.
    ("channels_title", "채널", "Channels"),
    ("channel_key", "채널 키", "Channel key"),
    ("pg", "PG사", "PG"),
    ("mid", "상점 아이디 (MID)", "Merchant ID (MID)"),
    ("capabilities", "지원 기능", "Capabilities"),
    ("health", "상태", "Health"),
    ("health_ok", "정상", "Healthy"),
    ("health_failures", "연속 실패", "consecutive failures"),
    ("health_cooling", "일시 제외 중", "Cooling down"),
    ("health_probe", "복구 확인 중", "Probing"),
    ("approval_24h", "최근 24시간 승인율", "Approval rate, last 24 h"),
    ("maturity", "성숙도", "Maturity"),
    ("partial_cancel", "부분취소", "partial cancel"),
    // Payments.
    ("payments_title", "결제 내역", "Payments"),
    ("search", "검색", "Search"),
    ("filter_status", "상태", "Status"),
    ("filter_method", "결제수단", "Method"),
    ("filter_pg", "PG사", "PG"),
    ("filter_env", "환경", "Environment"),
    ("filter_text_field", "검색 항목", "Search field"),
    ("filter_text", "검색어", "Search text"),
    ("filter_from", "시작일", "From"),
    ("filter_until", "종료일", "Until"),
    ("any", "전체", "Any"),
    ("payment_id", "결제 아이디", "Payment ID"),
    ("order_name", "주문명", "Order name"),
    ("customer", "고객", "Customer"),
    ("amount", "금액", "Amount"),
    ("status", "상태", "Status"),
    ("requested_at", "요청 시각", "Requested"),
    ("group", "그룹", "Group"),
    ("payments_none", "조건에 맞는 결제가 없습니다.", "No payment matches."),
    ("total_count", "건", "payments"),
    ("prev", "이전", "Previous"),
    ("next", "다음", "Next"),
    ("payment_title", "결제 상세", "Payment"),
    ("summary", "요약", "Summary"),
    ("method", "결제수단", "Method"),
    ("metadata", "메타데이터 (customData)", "Metadata (customData)"),
    ("attempts", "시도", "Attempts"),
    ("attempt_why", "선택 이유", "Why this channel"),
    ("why_direct", "요청이 채널을 직접 지정했습니다.", "The request named this channel."),
    ("why_group", "그룹 비율에 따른 추첨으로 선택되었습니다", "Drawn by the group's weights"),
    ("why_failover", "앞선 채널이 확실히 실패하여 다음 채널로 넘어갔습니다.", "The previous channel certainly failed, so routing moved on."),
    ("skipped", "제외된 채널", "Channels left out"),
    ("skipped_none", "제외된 채널이 없습니다.", "No channel was left out."),
    ("pg_answer", "PG 응답", "PG answer"),
    ("wire_view", "전문 (마스킹)", "Wire view (masked)"),
    ("wire_hint", "게이트웨이가 PG에 보낸 요청과 받은 응답(해석된 결과)입니다. 카드번호·비밀번호·생년월일·빌링키는 저장 전에 가려집니다.", "What the gateway sent the PG and what it made of the answer. Card numbers, passwords, birth dates and billing keys are masked before they are stored."),
    ("wire_request", "요청", "Request"),
    ("wire_answer", "응답", "Answer"),
    ("wire_took", "소요", "took"),
    ("wire_none", "이 시도의 전문 기록이 없습니다 (이 기능 이전의 결제이거나 결제창 결제).", "No wire record for this attempt (a payment from before this feature, or a payment window)."),
    ("wire_off", "이 게이트웨이는 전문을 기록하지 않습니다 ([observability] wire_views = false).", "This gateway records no wire views ([observability] wire_views = false)."),
    ("cancellations", "취소 내역", "Cancellations"),
    ("cancellations_none", "취소 내역이 없습니다.", "No cancellation."),
    ("cancel_title", "결제 취소", "Cancel payment"),
    ("cancel_amount", "취소 금액 (비우면 전액)", "Amount to cancel (empty: all)"),
    ("cancel_reason", "취소 사유", "Reason"),
    ("cancel_submit", "취소 요청", "Request cancel"),
    ("cancel_done", "취소를 요청했습니다.", "The cancel was requested."),
    ("cancellable", "취소 가능 금액", "Cancellable"),
    ("webhooks", "웹훅", "Webhooks"),
    ("webhooks_none", "이 결제의 웹훅이 없습니다.", "No webhook for this payment."),
    ("webhook_event", "이벤트", "Event"),
    ("webhook_target", "대상", "Target"),
    ("webhook_attempts", "시도 횟수", "Tries"),
    ("webhook_error", "마지막 오류", "Last error"),
    ("webhook_body", "본문", "Body"),
    ("webhook_resend", "재전송", "Resend"),
    ("webhook_resent", "웹훅을 다시 보내도록 대기열에 넣었습니다.", "The webhook was queued to be sent again."),
    ("created_at", "생성 시각", "Created"),
    ("delivered_at", "전달 시각", "Delivered"),
];

/// The words of one language, by key (templates read them as `t.key`).
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Words(BTreeMap<&'static str, &'static str>);

impl Words {
    /// The word for `key`; `?` (and a warning in the log) when the catalog has none.
    pub fn get(&self, key: &str) -> &'static str {
        self.0.get(key).copied().unwrap_or_else(|| {
            tracing::warn!(key, "console word missing");
            "?"
        })
    }
}

/// The catalog of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    static KO: OnceLock<Words> = OnceLock::new();
    static EN: OnceLock<Words> = OnceLock::new();
    let (cell, pick): (_, fn(&Entry) -> &'static str) = match lang {
        Lang::Ko => (&KO, |w| w.1),
        Lang::En => (&EN, |w| w.2),
    };
    cell.get_or_init(|| Words(WORDS.iter().map(|w| (w.0, pick(w))).collect()))
}

/// A broken group rule in the page's language: the guide's sentence for the rules it words
/// (total 100, 1–10 channels, one environment, the scheduled hour), else the path and the
/// rule as the routing crate states them.
pub fn group_rule(lang: Lang, e: &ValidationError) -> String {
    let t = words(lang);
    let path = e.path.to_string();
    let rule = e.rule.as_str();
    let key = if path == "channels" && rule.starts_with("weights must sum") {
        Some("weights_rule")
    } else if path == "channels" && rule.starts_with("must have at") {
        Some("channel_count_rule")
    } else if path.ends_with(".channelKey") && rule.contains("channel; a ") {
        Some("env_rule")
    } else if path == "effectiveAt" {
        Some("schedule_rule")
    } else if path == "name" {
        return format!("{}: {}", t.get("group_name"), rule_word(lang, rule));
    } else {
        None
    };
    match key {
        // The routing crate's own statement stays beside the guide's (it has the numbers).
        Some(k) => format!("{} ({path}: {rule})", t.get(k)),
        None => format!("{path}: {rule}"),
    }
}

fn rule_word(lang: Lang, rule: &str) -> String {
    match (lang, rule) {
        (Lang::Ko, "is required") => "필수로 입력해야 합니다.".into(),
        _ => rule.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paymux_core::channel::Environment;
    use paymux_routing::{ChannelDirectory, ChannelGroup, DirectoryEntry, GroupChannel};

    #[test]
    fn both_languages_have_every_word_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, ko, en) in WORDS {
            assert!(seen.insert(*k), "{k} twice");
            assert!(!ko.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(words(Lang::Ko).0.len(), WORDS.len());
        assert_eq!(words(Lang::Ko).get("weights_rule"), WEIGHTS_TOTAL_KO);
    }

    struct NoChannels;
    impl ChannelDirectory for NoChannels {
        fn lookup(&self, _: &str) -> Option<DirectoryEntry<'_>> {
            None
        }
    }

    /// The routing crate's own refusals come out in the guide's words: if the crate rewords
    /// a rule, this test says so instead of the console silently falling back.
    #[test]
    fn routing_refusals_are_worded_as_the_guide_words_them() {
        let g = ChannelGroup::new(
            " ",
            Environment::Test,
            vec![GroupChannel::new("a", 40), GroupChannel::new("b", 50)],
        );
        let errs = g.validate(&NoChannels).unwrap_err();
        let worded: Vec<String> = errs.0.iter().map(|e| group_rule(Lang::Ko, e)).collect();
        assert!(
            worded
                .iter()
                .any(|w| w.starts_with(WEIGHTS_TOTAL_KO) && w.contains("they sum to 90")),
            "{worded:?}"
        );
        assert!(
            worded
                .iter()
                .any(|w| w == "그룹 이름: 필수로 입력해야 합니다."),
            "{worded:?}"
        );
        let empty = ChannelGroup::new("n", Environment::Test, vec![]);
        let errs = empty.validate(&NoChannels).unwrap_err();
        assert!(group_rule(Lang::En, &errs.0[0]).starts_with("A group has at least 1"));
        let at = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:30:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let e = paymux_routing::schedule::check_effective_at(at, chrono::Utc::now()).unwrap_err();
        assert!(group_rule(Lang::Ko, &e).starts_with("예약 시간은 시간 단위로"));
    }
}

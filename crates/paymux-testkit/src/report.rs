//! The result of a conformance run.

use std::fmt;

/// How one scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every check held.
    Passed,
    /// A check failed; the message says which and what was seen instead.
    Failed(String),
    /// Not run because the adapter does not declare what it needs (the reason says what).
    Skipped(String),
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    /// Stable scenario name, e.g. `payment.cancel.partial` or
    /// `validation.limit[bypass.galaxia.ITEM_CODE]`.
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// Remarks that do not fail the scenario (e.g. a check left out and why).
    pub notes: Vec<String>,
}

/// Everything a run found, in scenario order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The adapter id.
    pub adapter: String,
    /// Scenario results.
    pub results: Vec<ScenarioResult>,
}

impl Report {
    /// True when no scenario failed.
    pub fn is_ok(&self) -> bool {
        self.failures().next().is_none()
    }

    /// The failed scenarios with their messages.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.results.iter().filter_map(|r| match &r.status {
            Status::Failed(m) => Some((r.name.as_str(), m.as_str())),
            _ => None,
        })
    }

    /// Names of the failed scenarios.
    pub fn failed_names(&self) -> Vec<&str> {
        self.failures().map(|(n, _)| n).collect()
    }

    /// Names of the passed scenarios.
    pub fn passed_names(&self) -> Vec<&str> {
        self.with_status(|s| matches!(s, Status::Passed))
    }

    /// Names of the skipped scenarios.
    pub fn skipped_names(&self) -> Vec<&str> {
        self.with_status(|s| matches!(s, Status::Skipped(_)))
    }

    fn with_status(&self, f: impl Fn(&Status) -> bool) -> Vec<&str> {
        self.results
            .iter()
            .filter(|r| f(&r.status))
            .map(|r| r.name.as_str())
            .collect()
    }

    /// The result of one scenario, by name.
    pub fn get(&self, name: &str) -> Option<&ScenarioResult> {
        self.results.iter().find(|r| r.name == name)
    }

    /// Panic with the whole report unless every scenario passed or was skipped.
    #[track_caller]
    pub fn assert_ok(&self) {
        if !self.is_ok() {
            panic!("{self}");
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().count();
        let passed = self.passed_names().len();
        let skipped = self.skipped_names().len();
        if failed == 0 {
            writeln!(
                f,
                "paymux conformance: adapter `{}` passed ({passed} passed, {skipped} skipped)",
                self.adapter
            )?;
        } else {
            writeln!(
                f,
                "paymux conformance: adapter `{}` FAILED {failed} of {} scenarios ({passed} passed, {skipped} skipped):",
                self.adapter,
                self.results.len()
            )?;
            let unimplemented = self
                .failures()
                .filter(|(_, m)| m.contains("not implemented yet"))
                .count();
            if unimplemented > 0 {
                writeln!(
                    f,
                    "  {unimplemented} of them because the adapter answers \"not implemented yet\": implement its encode/decode and simulator (CONTRIBUTING.md)."
                )?;
            }
            for r in &self.results {
                if let Status::Failed(msg) = &r.status {
                    writeln!(f, "  FAIL {}", r.name)?;
                    for line in msg.lines() {
                        writeln!(f, "       {line}")?;
                    }
                    for n in &r.notes {
                        writeln!(f, "       note: {n}")?;
                    }
                }
            }
        }
        for r in &self.results {
            match &r.status {
                Status::Passed => writeln!(f, "  ok   {}", r.name)?,
                Status::Skipped(why) => writeln!(f, "  skip {} ({why})", r.name)?,
                Status::Failed(_) => continue,
            }
            for n in &r.notes {
                writeln!(f, "       note: {n}")?;
            }
        }
        if failed > 0 {
            writeln!(
                f,
                "See CONTRIBUTING.md (\"Conformance\") for what each scenario checks."
            )?;
        }
        Ok(())
    }
}

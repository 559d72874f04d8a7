//! Scheduled group changes (PortOne console "예약 시간 설정").
//!
//! A change may carry `effectiveAt`: it takes effect at that instant, which must be a whole
//! hour (minutes, seconds and sub-seconds zero; checked in UTC, which for Korea's +09:00 is the
//! same thing) strictly after now ("예약 시간은 시간 단위로 선택 가능하며, 미래 시점으로만 예약할
//! 수 있습니다"). Until then the configuration in force stays. Several changes may be pending;
//! they apply in `effectiveAt` order. Scheduling a second change for the same hour replaces the
//! first. A change without `effectiveAt` applies immediately and leaves later pending changes
//! in place.
//!
//! The schedule is plain data (serde), so the gateway stores it as is; time is always passed
//! in (`now`), never read from the system clock, so it is deterministic and testable.

use chrono::{DateTime, Timelike, Utc};
use paymux_core::validation::{ValidationError, ValidationErrors};
use serde::{Deserialize, Serialize};

use crate::directory::ChannelDirectory;
use crate::group::{ChannelGroup, GroupUpdate};

/// A configuration waiting for its hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledChange {
    /// When it takes effect (a whole hour).
    pub effective_at: DateTime<Utc>,
    /// The configuration from then on.
    pub group: ChannelGroup,
}

/// A group's configuration over time: the one in force plus pending changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupSchedule {
    current: ChannelGroup,
    #[serde(default)]
    pending: Vec<ScheduledChange>,
}

/// Check `effectiveAt`: a whole hour strictly after `now`.
pub fn check_effective_at(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ValidationError> {
    if at.minute() != 0 || at.second() != 0 || at.nanosecond() != 0 {
        return Err(ValidationError::new(
            "effectiveAt",
            format!(
                "must be on the hour (minutes, seconds and fractions zero), got {}",
                at.to_rfc3339()
            ),
        ));
    }
    if at <= now {
        return Err(ValidationError::new(
            "effectiveAt",
            format!(
                "must be in the future (it is {}, now is {})",
                at.to_rfc3339(),
                now.to_rfc3339()
            ),
        ));
    }
    Ok(())
}

/// What [`GroupSchedule::apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The change is in force now.
    Immediately,
    /// The change waits for its hour.
    Scheduled(DateTime<Utc>),
    /// The change replaced one already pending for the same hour.
    ReplacedPending(DateTime<Utc>),
}

impl GroupSchedule {
    /// Create a group from an admin update, validated against the directory. A new group
    /// takes effect immediately, so `effectiveAt` is refused.
    pub fn create<D: ChannelDirectory + ?Sized>(
        update: GroupUpdate,
        directory: &D,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if update.effective_at.is_some() {
            errs.add(
                "effectiveAt",
                "a new group takes effect immediately; schedule changes to an existing group",
            );
        }
        errs.absorb(update.group.validate(directory));
        errs.into_result()?;
        Ok(GroupSchedule::new(update.group))
    }

    /// A schedule whose configuration in force is `group` (not validated: use
    /// [`GroupSchedule::create`] for admin input).
    pub fn new(group: ChannelGroup) -> Self {
        GroupSchedule {
            current: group,
            pending: Vec::new(),
        }
    }

    /// The group id.
    pub fn id(&self) -> &str {
        &self.current.id
    }

    /// Pending changes, earliest first (may include ones already due: see
    /// [`GroupSchedule::advance`]).
    pub fn pending(&self) -> &[ScheduledChange] {
        &self.pending
    }

    /// The configuration in force at `now`: the latest change with `effectiveAt <= now`, else
    /// the base configuration.
    pub fn config_at(&self, now: DateTime<Utc>) -> &ChannelGroup {
        self.pending
            .iter()
            .rev()
            .find(|c| c.effective_at <= now)
            .map(|c| &c.group)
            .unwrap_or(&self.current)
    }

    /// Fold changes due at `now` into the base configuration. Returns how many were applied.
    /// Never changes what [`GroupSchedule::config_at`] answers for any time `>= now`.
    pub fn advance(&mut self, now: DateTime<Utc>) -> usize {
        let due = self
            .pending
            .iter()
            .take_while(|c| c.effective_at <= now)
            .count();
        if due > 0 {
            let last = self.pending.drain(..due).next_back().expect("due > 0");
            self.current = last.group;
        }
        due
    }

    /// Apply an admin update at `now`: validate the group against the directory (and its
    /// `effectiveAt`), check it is the same group (same id and environment), then either
    /// replace the configuration in force or queue the change.
    pub fn apply<D: ChannelDirectory + ?Sized>(
        &mut self,
        update: GroupUpdate,
        directory: &D,
        now: DateTime<Utc>,
    ) -> Result<Applied, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if update.group.id != self.current.id {
            errs.add(
                "id",
                format!(
                    "is `{}` but this group is `{}`; a group's id cannot change",
                    update.group.id, self.current.id
                ),
            );
        }
        if update.group.environment != self.current.environment {
            errs.add(
                "isForTest",
                format!(
                    "cannot change a {} group to {}; create a new group instead",
                    self.current.environment, update.group.environment
                ),
            );
        }
        if let Some(at) = update.effective_at {
            if let Err(e) = check_effective_at(at, now) {
                errs.push(e);
            }
        }
        errs.absorb(update.group.validate(directory));
        errs.into_result()?;

        self.advance(now);
        match update.effective_at {
            None => {
                self.current = update.group;
                Ok(Applied::Immediately)
            }
            Some(at) => match self.pending.binary_search_by(|c| c.effective_at.cmp(&at)) {
                Ok(i) => {
                    self.pending[i].group = update.group;
                    Ok(Applied::ReplacedPending(at))
                }
                Err(i) => {
                    self.pending.insert(
                        i,
                        ScheduledChange {
                            effective_at: at,
                            group: update.group,
                        },
                    );
                    Ok(Applied::Scheduled(at))
                }
            },
        }
    }

    /// Drop the change pending at `effective_at`, if any.
    pub fn cancel_pending(&mut self, effective_at: DateTime<Utc>) -> Option<ScheduledChange> {
        let i = self
            .pending
            .iter()
            .position(|c| c.effective_at == effective_at)?;
        Some(self.pending.remove(i))
    }
}

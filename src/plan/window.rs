//! A daily maintenance window (config `plan.maintenance_window`): the
//! playbooks it names need no approval for their own `requires_approval` or
//! for an impact above `max_auto_heal_impact` while the clock is inside it
//! (an exclusive-lock REINDEX at night). Times are UTC, `HH:MM`; a window whose
//! end is before its start runs past midnight. Pure.

use std::fmt;

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Minutes after midnight, written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hhmm(pub u16);

impl fmt::Display for Hhmm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl std::str::FromStr for Hhmm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a time of day HH:MM (00:00 to 23:59, UTC)");
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 || s.len() != 5 {
            return Err(bad());
        }
        Ok(Hhmm(h * 60 + m))
    }
}

impl<'de> Deserialize<'de> for Hhmm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for Hhmm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// The window and the playbooks it lets run without approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    /// Start, UTC.
    pub start: Hhmm,
    /// End (exclusive), UTC.
    pub end: Hhmm,
    /// Playbook names that may run in it without approval.
    pub playbooks: Vec<String>,
}

impl MaintenanceWindow {
    /// Whether `now` is inside the window.
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        let t = Hhmm((now.hour() * 60 + now.minute()) as u16);
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// Whether `playbook` may run now without approval.
    pub fn covers(&self, playbook: &str, now: DateTime<Utc>) -> bool {
        self.playbooks.iter().any(|p| p == playbook) && self.contains(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, h, m, 0).unwrap()
    }

    #[test]
    fn windows_contain_their_times_and_wrap_midnight() {
        let w = |s: &str, e: &str| MaintenanceWindow {
            start: s.parse().unwrap(),
            end: e.parse().unwrap(),
            playbooks: vec!["ruvector_reindex".into()],
        };
        let night = w("02:00", "04:30");
        assert!(night.contains(at(2, 0)) && night.contains(at(4, 29)));
        assert!(!night.contains(at(4, 30)) && !night.contains(at(1, 59)));
        let wrap = w("23:00", "01:00");
        assert!(wrap.contains(at(23, 30)) && wrap.contains(at(0, 59)));
        assert!(!wrap.contains(at(1, 0)) && !wrap.contains(at(12, 0)));
        assert!(night.covers("ruvector_reindex", at(3, 0)));
        assert!(!night.covers("reindex_concurrently", at(3, 0)));
        assert!(!night.covers("ruvector_reindex", at(12, 0)));
    }

    #[test]
    fn times_parse_strictly() {
        assert_eq!("07:05".parse::<Hhmm>().unwrap().to_string(), "07:05");
        for bad in ["7:05", "24:00", "12:60", "noon", "12:5", "-1:00"] {
            assert!(bad.parse::<Hhmm>().is_err(), "{bad}");
        }
    }
}

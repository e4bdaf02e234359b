//! `ruvheal history [--collection C] [--class CLASS] [--since WHEN]`: past
//! repairs with their outcome, newest first.

use anyhow::Result;
use chrono::{DateTime, Utc};

use crate::cli::HistoryArgs;
use crate::config::Settings;
use crate::exit::{Exit, usage};
use crate::output::{self, history_report::HistoryReport};
use crate::store::{Store, history};
use crate::vocab::Class;

/// Runs `history`.
pub fn run(args: &HistoryArgs, settings: &Settings) -> Result<Exit> {
    let mut filter = history::Filter::default();
    if let Some(c) = &args.collection {
        let (schema, table) = crate::sql::quote::split_name(c)
            .map_err(|e| usage(format!("bad --collection {c}: {e}")))?;
        filter.schema = schema;
        filter.table = Some(table);
    }
    if let Some(class) = &args.class {
        let parsed: Class = serde_json::from_value(serde_json::Value::String(class.clone()))
            .map_err(|_| usage(format!("unknown problem class {class:?}")))?;
        filter.class = Some(parsed.as_str().to_string());
    }
    // A bad --since is a usage error before anything is opened; the age is then
    // counted back from the server's clock, never the client's.
    if let Some(when) = &args.since {
        since(when, chrono::Utc::now()).map_err(usage)?;
    }
    let mut store = Store::open(settings)?;
    if let Some(when) = &args.since {
        filter.since = Some(since(when, store.now()?).map_err(usage)?);
    }
    let repairs = history::list(&mut store.client, &store.schema, &filter)?;
    output::emit(&HistoryReport { repairs }, settings.output)?;
    Ok(Exit::Ok)
}

/// `WHEN` as RFC 3339 or an age (`90s`, `30m`, `12h`, `7d`, `2w`) before `now`.
fn since(when: &str, now: DateTime<Utc>) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(when) {
        return Ok(t.with_timezone(&Utc));
    }
    let bad = || format!("bad --since {when:?}: give RFC 3339 or an age like 7d, 12h, 30m");
    let split = when.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = when.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    n.checked_mul(secs)
        .and_then(chrono::Duration::try_seconds)
        .and_then(|d| now.checked_sub_signed(d))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn since_takes_rfc3339_or_an_age() {
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
        let cases = [
            ("7d", Some(now - chrono::Duration::days(7))),
            ("12h", Some(now - chrono::Duration::hours(12))),
            ("30m", Some(now - chrono::Duration::minutes(30))),
            ("2w", Some(now - chrono::Duration::weeks(2))),
            (
                "2026-11-01T00:00:00Z",
                Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()),
            ),
            ("7", None),
            ("d", None),
            ("7y", None),
            ("-7d", None),
            ("yesterday", None),
        ];
        for (input, want) in cases {
            assert_eq!(since(input, now).ok(), want, "{input}");
        }
    }
}

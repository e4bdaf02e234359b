//! `ruvheal audit verify`: walk the hash chain, name every break; exit 2 on tamper.

use anyhow::Result;

use crate::cli::AuditCommand;
use crate::config::Settings;
use crate::exit::{Exit, usage};
use crate::output::{self, audit_report::AuditReport};
use crate::store::{Store, audit};

/// Runs an `audit` subcommand.
pub fn run(cmd: &AuditCommand, settings: &Settings) -> Result<Exit> {
    match cmd {
        AuditCommand::Verify { expect_head } => {
            let pinned = expect_head
                .as_deref()
                .map(|h| {
                    h.parse::<crate::audit::Head>()
                        .map_err(|e| usage(format!("--expect-head: {e}")))
                })
                .transpose()?;
            let key = settings.audit_key()?;
            let mut store = Store::open(settings)?;
            let rows = audit::load(&mut store.client, &store.schema)?;
            let verdict = crate::audit::verify(&rows, key.as_deref(), pinned.as_ref());
            let exit = if verdict.intact() {
                Exit::Ok
            } else {
                Exit::Critical
            };
            output::emit(&AuditReport::new(verdict), settings.output)?;
            Ok(exit)
        }
    }
}

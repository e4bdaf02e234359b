//! Subcommands whose capability is not built yet: they say so and exit 3.

use anyhow::Result;

use crate::exit::Exit;

/// The capability is missing in this build; nothing was done.
#[derive(Debug)]
pub struct NotYet(pub String);

impl std::fmt::Display for NotYet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NotYet {}

/// Fails with a plain statement that `command` is not available yet (exit 3).
pub fn not_yet(command: &str, capability: &str) -> Result<Exit> {
    Err(NotYet(format!(
        "`ruvheal {command}` is not available in this version yet ({capability} has not been built); nothing was done"
    ))
    .into())
}

//! `completions SHELL` and `man`: generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Exit;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<Exit> {
    crate::output::raw(&crate::generated::completion_script(shell))?;
    Ok(Exit::Ok)
}

/// Prints the man page.
pub fn man() -> Result<Exit> {
    crate::output::raw(&crate::generated::man_page(&Cli::command())?)?;
    Ok(Exit::Ok)
}

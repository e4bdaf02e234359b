//! `ruvheal playbooks list | show NAME | validate [PATH]`: the playbook library.
//!
//! `validate` exits 0 when every playbook is valid and 64 (invalid input, the
//! usage-error code) when any problem is found, after printing each problem as
//! `file:line:col: message`.

use anyhow::Result;

use crate::cli::PlaybooksCommand;
use crate::config::Settings;
use crate::exit::{self, Exit};
use crate::output::{self, playbooks_report as report};
use crate::playbook::{self, Library, library};

/// Runs one `playbooks` subcommand.
pub fn run(command: &PlaybooksCommand, settings: &Settings) -> Result<Exit> {
    match command {
        PlaybooksCommand::List(args) => {
            let lib = Library::load(args.playbooks.as_deref())?;
            output::emit(&report::ListReport::new(&lib), settings.output)?;
            Ok(Exit::Ok)
        }
        PlaybooksCommand::Show { name, playbooks } => {
            let lib = Library::load(playbooks.playbooks.as_deref())?;
            let loaded = lib.get(name).ok_or_else(|| {
                let known: Vec<&str> = lib.iter().map(|l| l.playbook.name.as_str()).collect();
                exit::usage(format!(
                    "no playbook named {name:?}; known: {}",
                    known.join(", ")
                ))
            })?;
            output::emit(&report::ShowReport::new(loaded), settings.output)?;
            Ok(Exit::Ok)
        }
        PlaybooksCommand::Validate { path } => {
            let (valid, problems) = match path {
                Some(p) => {
                    if !p.exists() {
                        return Err(exit::usage(format!(
                            "{}: no such file or folder",
                            p.display()
                        )));
                    }
                    let (valid, problems) = playbook::validate_path(p);
                    let valid = valid
                        .into_iter()
                        .map(|(file, pb)| (file.display().to_string(), pb.name))
                        .collect();
                    (valid, problems)
                }
                None => bundled(),
            };
            let failed = !problems.is_empty();
            output::emit(&report::ValidateReport { valid, problems }, settings.output)?;
            Ok(if failed { Exit::Usage } else { Exit::Ok })
        }
    }
}

fn bundled() -> (Vec<(String, String)>, Vec<playbook::Problem>) {
    let mut valid = Vec::new();
    let mut problems = Vec::new();
    for (file, text) in library::BUNDLED {
        let label = library::bundled_label(file);
        match playbook::parse_playbook(&label, text) {
            Ok(pb) => valid.push((label, pb.name)),
            Err(mut p) => problems.append(&mut p),
        }
    }
    (valid, problems)
}

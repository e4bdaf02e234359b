//! Completion scripts and man pages generated from the clap definition. Their
//! output is checked in under `completions/` and `man/`; a test fails when stale.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;

/// The completion script for one shell.
pub fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ruvheal", &mut buf);
    buf
}

/// The file name a shell's completion script is checked in under.
pub fn completion_file(shell: clap_complete::Shell) -> String {
    use clap_complete::Shell;
    match shell {
        Shell::Bash => "ruvheal.bash".into(),
        Shell::Zsh => "_ruvheal".into(),
        Shell::Fish => "ruvheal.fish".into(),
        Shell::PowerShell => "_ruvheal.ps1".into(),
        Shell::Elvish => "ruvheal.elv".into(),
        other => format!("ruvheal.{other}"),
    }
}

/// The man page (roff) of `cmd`, with EXIT STATUS, ENVIRONMENT and FILES sections.
pub fn man_page(cmd: &clap::Command) -> Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cmd.clone()).date("");
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    if cmd.has_subcommands() {
        man.render_subcommands_section(&mut buf)?;
    }
    if cmd.get_name() == "ruvheal" {
        buf.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    }
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// Every page to check in: the main one and one per subcommand (`ruvheal-check.1`).
pub fn man_pages() -> Result<Vec<(String, Vec<u8>)>> {
    let root = Cli::command();
    let mut pages = vec![("ruvheal.1".to_string(), man_page(&root)?)];
    for sub in root.get_subcommands() {
        let name = format!("ruvheal-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .version(root.get_version().unwrap_or("").to_string());
        pages.push((format!("{name}.1"), man_page(&sub)?));
    }
    Ok(pages)
}

const EXTRA_SECTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
healthy, or the command did what was asked
.TP
\fB1\fR
warning findings, or a plan waits for approval
.TP
\fB2\fR
critical findings, or a repair failed or was rolled back
.TP
\fB3\fR
unknown: could not connect, missing privilege or extension, internal error, or a capability this build does not have yet
.TP
\fB64\fR
usage error: bad flag, argument, name or configuration file
.TP
\fB75\fR
another ruvheal holds the collection's lock; try later
.PP
With \fB\-\-all\fR every collection runs on its own: one that fails is reported with its code and the next one runs; the status is the worst seen, ranked 0 < 75 < 1 < 2 < 3 < 64.
.SH ENVIRONMENT
.TP
\fBDATABASE_URL\fR
database holding the collections (a URL or key=value DSN), unless \fB\-\-database\-url\fR is given
.TP
\fBPGHOST\fR, \fBPGPORT\fR, \fBPGUSER\fR, \fBPGDATABASE\fR, \fBPGPASSWORD\fR, \fBPGSSLMODE\fR, \fBPGSSLROOTCERT\fR, \fBPGCONNECT_TIMEOUT\fR, \fBPGAPPNAME\fR
libpq variables; they fill in whatever the URL leaves out
.TP
\fBPGPASSFILE\fR
the password file (default \fI~/.pgpass\fR), read as libpq reads it when no password is given
.TP
\fBRUVHEAL_STATE_URL\fR, \fBRUVHEAL_STATE_SCHEMA\fR
where the state tables live (default: the collections' database, schema ruvheal)
.TP
\fBRUVHEAL_CONFIG\fR, \fBRUVHEAL_OUTPUT\fR, \fBRUVHEAL_PLAYBOOKS\fR
same as \fB\-\-config\fR, \fB\-\-output\fR, \fB\-\-playbooks\fR
.TP
\fBNO_COLOR\fR
no colour in tables
.SH FILES
.TP
\fI./ruvheal.yaml\fR, \fI$XDG_CONFIG_HOME/ruvheal/config.yaml\fR
configuration, read when \fB\-\-config\fR is not given; flags beat the environment, which beats the file
.TP
\fI~/.pgpass\fR
passwords, \fIhost\fR:\fIport\fR:\fIdatabase\fR:\fIuser\fR:\fIpassword\fR per line; ignored with a warning when its group or others may read it
"#;

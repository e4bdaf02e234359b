//! Runs a shell step's program (argv, never through a shell) within a time
//! limit: past it the program is killed and the step fails.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Runs `program args` and waits at most `limit` for it to exit successfully.
pub fn run(program: &str, args: &[String], limit: Duration) -> Result<()> {
    let mut child = Command::new(program)
        .args(args)
        .spawn()
        .with_context(|| format!("running {program}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child
            .try_wait()
            .with_context(|| format!("waiting for {program}"))?
        {
            if !status.success() {
                bail!("{program} exited with {status}");
            }
            return Ok(());
        }
        if started.elapsed() >= limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{program} was still running after the playbook's timeout ({}s) and was killed",
                limit.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50).min(limit));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_past_its_limit_is_killed_and_fails() {
        let t = Instant::now();
        let e = run("sleep", &["5".into()], Duration::from_millis(300)).unwrap_err();
        assert!(format!("{e}").contains("killed"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(3));
        run("true", &[], Duration::from_secs(5)).unwrap();
        assert!(run("false", &[], Duration::from_secs(5)).is_err());
    }
}

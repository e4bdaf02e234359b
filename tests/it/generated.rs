//! Checked-in completions and man pages match what the CLI generates.
//! Regenerate with `RUVHEAL_BLESS=1 cargo test --test it generated`.

use std::path::Path;

use clap_complete::Shell;

use crate::harness::{run, ruvheal};

fn check(path: &Path, want: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("RUVHEAL_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, want).unwrap();
        return;
    }
    match std::fs::read(path) {
        Ok(have) if have == want => {}
        _ => stale.push(path.display().to_string()),
    }
}

#[test]
fn completions_and_man_pages_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        let want = ruvheal::generated::completion_script(shell);
        check(
            &root
                .join("completions")
                .join(ruvheal::generated::completion_file(shell)),
            &want,
            &mut stale,
        );
    }
    for (name, page) in ruvheal::generated::man_pages().unwrap() {
        check(&root.join("man").join(name), &page, &mut stale);
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run RUVHEAL_BLESS=1 cargo test --test it generated): {stale:?}"
    );
}

#[test]
fn the_binary_prints_what_is_checked_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, _) = run(ruvheal().args(["completions", "bash"]));
    assert_eq!(code, 0);
    assert_eq!(
        out.as_bytes(),
        std::fs::read(root.join("completions/ruvheal.bash")).unwrap()
    );
    let (code, out, _) = run(ruvheal().arg("man"));
    assert_eq!(code, 0);
    assert!(out.contains(".SH \"EXIT STATUS\""), "{out}");
    assert_eq!(
        out.as_bytes(),
        std::fs::read(root.join("man/ruvheal.1")).unwrap()
    );
}

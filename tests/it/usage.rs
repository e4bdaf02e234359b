//! Usage errors exit 64 (never clap's 2, which means CRITICAL); help and version exit 0.

use crate::harness::{run, ruvheal};

#[test]
fn usage_errors_exit_64() {
    let cases: &[&[&str]] = &[
        &[],
        &["--bogus"],
        &["check"],
        &["check", "--collection", "a", "--all"],
        &["frobnicate"],
        &["-o", "xml", "collections"],
        &["approve", "not-a-number"],
        &["completions", "tcsh"],
        &["learn", "--reset", "--restore"],
    ];
    for args in cases {
        let (code, stdout, stderr) = run(ruvheal().args(*args));
        assert_eq!(code, 64, "ruvheal {args:?}: stderr {stderr}");
        assert!(
            stdout.is_empty(),
            "ruvheal {args:?} printed on stdout: {stdout}"
        );
        assert!(!stderr.trim().is_empty(), "ruvheal {args:?} said nothing");
    }
}

#[test]
fn help_and_version_exit_0() {
    let (code, out, _) = run(ruvheal().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("Exit status:") && out.contains("75"), "{out}");
    let (code, out, _) = run(ruvheal().arg("--version"));
    assert_eq!(code, 0);
    assert_eq!(out.trim(), format!("ruvheal {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn bad_output_env_is_a_usage_error() {
    let (code, _, err) = run(ruvheal().env("RUVHEAL_OUTPUT", "yaml").arg("collections"));
    assert_eq!(code, 64, "{err}");
}

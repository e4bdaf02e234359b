//! The `ruvheal` binary: parse, run, exit. Everything else is in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(ruvheal::run(std::env::args_os()).code())
}

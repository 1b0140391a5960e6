use std::process::ExitCode;
use std::time::Instant;

use xtask::{codegen, repo_root, Mode};

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          regenerate generated/src from the pinned model
  codegen --check  fail, listing stale, missing and orphan files, if generated/src is out of date";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => Mode::Write,
        ["codegen", "--check"] => Mode::Check,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    match codegen(&repo_root(), mode) {
        Ok(outcome) => {
            let elapsed = started.elapsed().as_secs_f64();
            match mode {
                Mode::Write => println!("codegen: {outcome} in {elapsed:.2} s (generated/src)"),
                Mode::Check => println!(
                    "codegen --check: {} files up to date in {elapsed:.2} s",
                    outcome.unchanged
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

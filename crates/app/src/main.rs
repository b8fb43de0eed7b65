//! `spendmap`: the command line that wires the crates together.
//!
//! This binary is deliberately thin. It parses arguments, sets up logging
//! and progress, opens the store, builds the matcher from the shipped
//! catalog plus the user's rules, and hands data from one crate to the
//! next. It is the only place that reads the environment or the terminal.
//! Results go to stdout; logs, progress and errors go to stderr, and any
//! failure ends the process with one line and a non-zero exit code.

mod cli;
mod commands;
mod context;
mod output;
mod progress;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose, cli.quiet);

    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&anyhow::Error::new(err).context("could not start the runtime")),
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

/// One line per failure, with its causes joined, and no backtrace.
fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    ExitCode::FAILURE
}

/// Logs go to stderr. `RUST_LOG` wins; otherwise warnings, turned up by
/// `-v`, down by `-q`. SQL statement logging stays off unless asked for.
fn init_logging(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;

    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    let default = format!("{level},sqlx=warn,sea_orm=warn,sea_orm_migration=warn");
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(verbose > 1)
        .without_time()
        .init();
}

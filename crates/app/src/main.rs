//! `spendmap`: the command line that wires the crates together.
//!
//! This binary is deliberately thin. It parses arguments, sets up logging
//! and progress, opens the store, builds the matcher from the shipped
//! catalog plus the user's rules, and hands data from one crate to the
//! next. It is the only place that reads the environment or the terminal.
//! Results go to stdout; logs, progress and errors go to stderr, and any
//! failure ends the process with one line and a non-zero exit code.

// Results go through `output`, which survives a closed pipe; a stray
// `println!` would panic on `spendmap report | head`.
#![warn(clippy::print_stdout)]

mod cli;
mod commands;
mod context;
mod output;
mod progress;
mod secrets;

use clap::Parser;
use std::process::ExitCode;

/// An import allocates and frees millions of small strings (every field of
/// every row); mimalloc's per-thread, per-size free lists serve them
/// faster than glibc's arenas, and `cargo xtask bench` uses it too so that
/// its in-process stages see the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    eprintln!("error: {}", one_line(err));
    ExitCode::FAILURE
}

/// An error and its causes on one line, `outer: cause: root cause`.
///
/// Database and I/O errors often repeat their source's text in their own
/// message (sqlx's pool error inside sea-orm's inside ours); a cause whose
/// text is already on the line is left out, so each fact is said once.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(text.as_str()) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
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
    // The HTTP stack's own logs stay at warnings: they are about sockets,
    // not about Concur, and at trace level they would print request heads.
    let default = format!(
        "{level},sqlx=warn,sea_orm=warn,sea_orm_migration=warn,hyper=warn,hyper_util=warn,\
         reqwest=warn,h2=warn,rustls=warn"
    );
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(verbose > 1)
        .without_time()
        .init();
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn repeated_causes_are_said_once() {
        let root = std::io::Error::other("connection refused");
        let middle = anyhow::Error::new(root).context("pool timed out: connection refused");
        let top = middle.context("could not open database `x`");

        assert_eq!(
            one_line(&top),
            "could not open database `x`: pool timed out: connection refused"
        );
    }
}

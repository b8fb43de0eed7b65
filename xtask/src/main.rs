//! Project chores, run as `cargo xtask <task>`.
//!
//! * `sample`: regenerate the synthetic Concur export in `fixtures/sample/`.
//! * `sim`: run the Concur simulator on loopback until Ctrl-C and print how
//!   to connect; flags pick the port, a generated tenant and faults.
//! * `ci`: what `.ci/run` runs (formatting, lints, tests).
//! * `fuzz`: a time-budgeted mutation fuzzer for the importer and the
//!   matcher (`--minutes N`, `--target NAME`); it rebuilds itself in release
//!   and runs as `fuzz-run`, with one `fuzz-worker` process per target.
//!
//! * `bench`: times every stage of import and sync against baselines of
//!   the same run and writes `docs/benchmarks.md` (rebuilds in release).
//!   `bench-loop STAGE ROWS SECONDS` (release build) repeats one in-memory
//!   stage for a profiler.
//! * `eval`: the matcher's precision and recall on the labelled sets in
//!   `fixtures/matching/`, with the confusion table and every miss.
//!
//! `tidy` holds house-rule tests that `cargo test` runs.

mod bench;
mod eval;
mod fuzz;
mod sample;
mod sim;
mod tidy;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The allocator of the `spendmap` binary, so that the benchmark's
/// in-process stages (reading, normalising, matching) measure what an
/// import runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let rest: Vec<String> = std::env::args().skip(2).collect();
    let root = workspace_root();
    match task.as_str() {
        "sample" => sample::write_sample(&root),
        "sim" => sim::run(&rest),
        "ci" => ci(&root),
        "eval" => eval::run(&root),
        "bench" => bench::run(&root, &rest),
        "bench-run" => bench::run_here(&root, &rest),
        "bench-loop" => bench::loop_here(&root, &rest),
        "fuzz" => fuzz::run(&root, &rest),
        "fuzz-run" => fuzz::run_here(&root, &rest),
        "fuzz-worker" => fuzz::worker(&root, &rest),
        _ => bail!("usage: cargo xtask <sample|sim|ci|fuzz|eval|bench>"),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn ci(root: &Path) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let steps: [&[&str]; 3] = [
        &["fmt", "--all", "--check"],
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
        &["test", "--workspace"],
    ];
    for args in steps {
        println!("$ cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(args)
            .current_dir(root)
            .status()
            .with_context(|| format!("could not run cargo {}", args.join(" ")))?;
        if !status.success() {
            bail!("cargo {} failed", args.join(" "));
        }
    }
    Ok(())
}

//! `cargo xtask bench`: times each stage of the import and sync paths
//! against baselines measured in the same run, and writes
//! `docs/benchmarks.md`.
//!
//! It rebuilds itself and `spendmap` in release and runs as `bench-run`.
//! Inputs are generated (deterministically) under the system's temporary
//! folder, never in the repository. Every figure is the median of
//! `--runs` runs (5 by default) with the minimum and maximum beside it, and
//! every goal is a ratio to a baseline timed in the same run, so the page
//! holds on any machine.
//!
//! `--sizes 10000,100000,1000000` picks the export sizes, `--big` adds the
//! 10,000,000-row file (about 1.5 GB and several minutes), `--no-postgres`
//! and `--no-sync` skip those stages.

mod data;
mod measure;
mod report;
mod stages;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one bench run was asked to do.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) sizes: Vec<usize>,
    pub(crate) big: bool,
    pub(crate) runs: usize,
    pub(crate) postgres: Option<String>,
    pub(crate) sync: bool,
    /// Where inputs and scratch databases go.
    pub(crate) scratch: PathBuf,
    /// The release `spendmap` binary.
    pub(crate) spendmap: PathBuf,
}

const USAGE: &str = "usage: cargo xtask bench [--sizes N,N,...] [--big] [--runs N] \
    [--no-postgres] [--no-sync] [--postgres-url URL]";

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// `cargo xtask bench`: build in release, then run `bench-run`.
pub(crate) fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("bench: building spendmap and xtask in release");
    let built = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "-p", "spendmap", "-p", "xtask"])
        .current_dir(root)
        .status()
        .context("could not run cargo")?;
    if !built.success() {
        bail!("the release build failed");
    }
    let status = Command::new(release_dir(root).join("xtask"))
        .arg("bench-run")
        .args(args)
        .current_dir(root)
        .status()
        .context("could not start the release xtask")?;
    if !status.success() {
        bail!("the benchmark failed ({status})");
    }
    Ok(())
}

/// `bench-run`: measure in this (release) process.
pub(crate) fn run_here(root: &Path, args: &[String]) -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        bail!("bench-run must be a release build; use `cargo xtask bench`");
    }
    let settings = parse(root, args)?;
    std::fs::create_dir_all(&settings.scratch)
        .with_context(|| format!("could not create {}", settings.scratch.display()))?;
    let results = stages::run_all(&settings)?;
    let page = report::render(&settings, &results, &std::env::args().collect::<Vec<_>>());
    let path = root.join("docs/benchmarks.md");
    std::fs::write(&path, page).with_context(|| format!("could not write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// `bench-loop STAGE ROWS SECONDS`: one stage, repeated, for a profiler.
pub(crate) fn loop_here(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let [stage, rows, secs] = args else {
        bail!("usage: xtask bench-loop read|normalize|kernel|match ROWS SECONDS");
    };
    let settings = parse(root, &[])?;
    std::fs::create_dir_all(&settings.scratch)
        .with_context(|| format!("could not create {}", settings.scratch.display()))?;
    stages::run_loop(
        &settings,
        stage,
        rows.parse().context("ROWS")?,
        secs.parse().context("SECONDS")?,
    )
}

fn release_dir(root: &Path) -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target.join("release")
}

fn parse(root: &Path, args: &[String]) -> anyhow::Result<Settings> {
    let mut settings = Settings {
        sizes: vec![10_000, 100_000, 1_000_000],
        big: false,
        runs: 5,
        postgres: Some(DEFAULT_POSTGRES.to_owned()),
        sync: true,
        scratch: std::env::temp_dir().join("spendmap-bench"),
        spendmap: release_dir(root).join("spendmap"),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--big" => settings.big = true,
            "--no-postgres" => settings.postgres = None,
            "--no-sync" => settings.sync = false,
            "--runs" => settings.runs = value(&mut args, flag)?.parse().context("--runs")?,
            "--postgres-url" => settings.postgres = Some(value(&mut args, flag)?.to_owned()),
            "--sizes" => {
                settings.sizes = value(&mut args, flag)?
                    .split(',')
                    .map(|size| size.trim().replace('_', "").parse())
                    .collect::<Result<_, _>>()
                    .context("--sizes wants whole numbers, such as 10000,100000")?;
            }
            _ => bail!("unknown option {flag}\n{USAGE}"),
        }
    }
    if settings.runs == 0 || settings.sizes.is_empty() {
        bail!("--runs and --sizes need at least one\n{USAGE}");
    }
    Ok(settings)
}

fn value<'a>(args: &mut std::slice::Iter<'a, String>, flag: &str) -> anyhow::Result<&'a str> {
    args.next().map(String::as_str).with_context(|| format!("{flag} needs a value\n{USAGE}"))
}

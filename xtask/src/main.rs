//! Project chores, run as `cargo xtask <task>`.
//!
//! * `sample`: regenerate the synthetic Concur export in `fixtures/sample/`.
//! * `sim`: run the Concur simulator on loopback until Ctrl-C and print how
//!   to connect; flags pick the port, a generated tenant and faults.
//! * `ci`: what `.ci/run` runs (formatting, lints, tests).
//!
//! `tidy` holds house-rule tests that `cargo test` runs.

mod sample;
mod sim;
mod tidy;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> anyhow::Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let rest: Vec<String> = std::env::args().skip(2).collect();
    let root = workspace_root();
    match task.as_str() {
        "sample" => sample::write_sample(&root),
        "sim" => sim::run(&rest),
        "ci" => ci(&root),
        _ => bail!("usage: cargo xtask <sample|sim|ci>"),
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

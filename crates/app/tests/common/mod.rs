//! Running the built `spendmap` binary from the integration tests, the
//! same way in each: pointed at one database, with nothing inherited from
//! the environment that could change what it does.

use std::path::Path;
use std::process::{Command, Output};

/// `spendmap --db DB`, ready for arguments.
pub(crate) fn spendmap(db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spendmap"));
    command.arg("--db").arg(db).env_remove("RUST_LOG").env_remove("SPENDMAP_DB");
    command
}

/// The standard output of a run that must have succeeded.
pub(crate) fn stdout_of(output: Output, args: &[&str]) -> String {
    assert!(
        output.status.success(),
        "spendmap {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 stdout")
}

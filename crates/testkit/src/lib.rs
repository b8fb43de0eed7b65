//! Test support shared by spendmap's crates: a scratch PostgreSQL database
//! per test, when the run has a server to test against.
//!
//! Tests that need PostgreSQL read the server's URL from
//! [`POSTGRES_ENV`]. Without it they run on SQLite only and say, past the
//! test harness's output capture, what they skipped: a plain `cargo test`
//! stays green on a machine without a server and still tells the truth.

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable holding a PostgreSQL URL (`.ci/run` sets it).
pub const POSTGRES_ENV: &str = "SPENDMAP_TEST_POSTGRES_URL";

/// The URL of a new, empty database on the test server, or `None` (and a
/// line on stderr naming `test`) when no server is configured.
///
/// Databases are named `spendmap_it_<pid>_<n>`. The first call of a
/// process drops those whose process has ended (test runners may run
/// several test processes at once, so only the dead ones' go).
///
/// # Panics
///
/// When the variable is set but the server cannot be used: a run that
/// was asked to test PostgreSQL must not pass without it.
pub async fn scratch_postgres(test: &str) -> Option<String> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);

    let Ok(server) = std::env::var(POSTGRES_ENV) else {
        let _ = writeln!(
            std::io::stderr(),
            "skipped on PostgreSQL ({POSTGRES_ENV} is not set): `{test}`"
        );
        return None;
    };

    let pid = std::process::id();
    let number = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("spendmap_it_{pid}_{number}");
    let admin = Database::connect(server.as_str())
        .await
        .unwrap_or_else(|err| panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {err}"));
    if number == 0 {
        drop_earlier_runs(&admin, pid).await;
    }
    run(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await;
    run(&admin, &format!("CREATE DATABASE {name}")).await;

    let (prefix, _) = server.rsplit_once('/').expect("the URL ends in a database name");
    Some(format!("{prefix}/{name}"))
}

async fn drop_earlier_runs(admin: &DatabaseConnection, pid: u32) {
    let listing = Statement::from_string(
        admin.get_database_backend(),
        format!(
            "SELECT datname FROM pg_database WHERE datname LIKE 'spendmap\\_it\\_%' \
             AND datname NOT LIKE 'spendmap\\_it\\_{pid}\\_%'"
        ),
    );
    let rows = admin.query_all_raw(listing).await.expect("list test databases");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("a database name");
        if process_ended(&name) {
            run(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// Whether the process that made database `name` is gone. Only Linux can
/// tell cheaply; elsewhere every database is kept.
fn process_ended(name: &str) -> bool {
    let pid = name.trim_start_matches("spendmap_it_").split('_').next().unwrap_or_default();
    let proc = std::path::Path::new("/proc");
    proc.join("self").exists() && !pid.is_empty() && !proc.join(pid).exists()
}

async fn run(admin: &DatabaseConnection, sql: &str) {
    admin.execute_unprepared(sql).await.unwrap_or_else(|err| panic!("`{sql}` failed: {err}"));
}

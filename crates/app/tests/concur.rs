//! `spendmap connect concur` and `spendmap sync` end to end against the
//! Concur simulator: the binary as a user runs it, the simulator in this
//! process so that tests can change its data and faults between runs.

use serde_json::Value;
use spendmap_concur_sim::{Faults, SimConfig, SimEntry, SimReport, Simulator, Tenant};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::str::FromStr;

const CLIENT_ID: &str = "spendmap-demo-client";
const SECRET: &str = "sim-client-secret-0000";
const ADMIN: &str = "wsadmin@example.test";
const PASSWORD: &str = "sim-password-1";

/// One user's machine: a database, a config folder for the key file.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        Machine { dir: tempfile::tempdir().expect("temp dir") }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("spend.db")
    }

    fn key_file(&self) -> PathBuf {
        self.dir.path().join("config/spendmap/spendmap.key")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_spendmap"));
        command
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("CONCUR_CLIENT_SECRET", SECRET)
            .env("CONCUR_PASSWORD", PASSWORD)
            .env_remove("SPENDMAP_KEY")
            .env_remove("SPENDMAP_DB")
            .env_remove("RUST_LOG");
        command
    }

    /// Run without blocking the simulator's threads.
    async fn run(&self, args: &[&str]) -> Output {
        let mut command = self.command(args);
        tokio::task::spawn_blocking(move || command.output().expect("spendmap runs"))
            .await
            .expect("the command thread")
    }

    async fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args).await;
        assert!(
            output.status.success(),
            "spendmap {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8 stdout")
    }

    /// A new machine connected to `sim`'s home data centre.
    async fn connected(sim: &Simulator) -> Machine {
        let machine = Machine::new();
        machine.connect(&sim.base_url()).await;
        machine
    }

    async fn connect(&self, base: &str) -> String {
        self.ok(&[
            "connect",
            "concur",
            "--base-uri",
            base,
            "--client-id",
            CLIENT_ID,
            "--username",
            ADMIN,
        ])
        .await
    }

    async fn sync(&self, extra: &[&str]) -> String {
        let mut args = vec!["sync", "--since", "2020-01-01"];
        args.extend_from_slice(extra);
        self.ok(&args).await
    }

    /// Every stored expense, without the storage id (which differs between
    /// databases), sorted by source id.
    async fn rows(&self) -> Vec<Value> {
        let text = self.ok(&["expenses", "--format", "json"]).await;
        let Value::Array(mut rows) = serde_json::from_str(&text).expect("JSON") else {
            panic!("expenses --format json is not an array");
        };
        for row in &mut rows {
            row.as_object_mut().expect("object").remove("id");
        }
        rows.sort_by_key(|row| row["source_id"].as_str().unwrap_or_default().to_owned());
        rows
    }
}

async fn simulator(tenant: Tenant) -> Simulator {
    Simulator::start(SimConfig::default(), tenant).await.expect("simulator starts")
}

fn fixture() -> Tenant {
    Tenant::fixture()
}

/// The number in `synced Concur: N reports (...)` for `what`.
fn count(summary: &str, what: &str) -> u64 {
    let at = summary.find(what).unwrap_or_else(|| panic!("`{what}` in `{summary}`"));
    let before = summary[..at].trim_end();
    let digits: String = before.chars().rev().take_while(char::is_ascii_digit).collect();
    digits.chars().rev().collect::<String>().parse().expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_through_the_wrong_data_centre_lands_at_home() {
    let sim = simulator(fixture()).await;
    let machine = Machine::new();

    let said = machine.connect(&sim.wrong_dc_url()).await;

    assert!(
        said.contains(&format!("in data centre local simulator ({})", sim.base_url())),
        "{said}"
    );
    let listed = machine.ok(&["connections", "--format", "json"]).await;
    let listed: Vec<Value> = serde_json::from_str(&listed).expect("JSON");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["base_uri"], Value::String(sim.base_url()));
    assert_eq!(listed[0]["username"], ADMIN);
    assert_eq!(sim.stats().password_grants, 2, "once at the wrong data centre, once at home");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_stores_every_entry_with_content_and_a_second_adds_nothing() {
    let tenant = fixture();
    let with_content = tenant.entries_with_content() as u64;
    let reports = tenant.reports.len() as u64;
    let sim = simulator(tenant).await;
    let machine = Machine::connected(&sim).await;

    let first = machine.sync(&[]).await;
    let second = machine.sync(&[]).await;

    assert_eq!(count(&first, "reports ("), reports, "{first}");
    assert_eq!(count(&first, "new, "), reports, "{first}");
    assert_eq!(count(&first, "expenses ("), with_content, "{first}");
    assert_eq!(machine.rows().await.len() as u64, with_content);
    assert_eq!(count(&second, "unchanged, "), with_content, "{second}");
    assert!(second.contains("(0 new, 0 changed"), "{second}");
    assert!(sim.stats().entry_pages > reports, "empty first pages were followed");
}

fn new_report(id: &str, modified: &str) -> SimReport {
    let entry = SimEntry {
        id: format!("gWnew{id}Entry1"),
        expense_type_code: "SUBSC".into(),
        expense_type_name: "Software Subscriptions".into(),
        spend_category_code: "SUBSC".into(),
        spend_category_name: "Subscriptions".into(),
        payment_type_name: "Company Card".into(),
        transaction_date: modified[..10].parse().expect("date"),
        transaction_currency: "USD".into(),
        transaction_amount: decimal("54.00"),
        posted_amount: decimal("54.00"),
        approved_amount: decimal("54.00"),
        vendor_description: "FIGMA MONTHLY".into(),
        description: "Design seats".into(),
        is_personal: false,
        without_content: false,
    };
    SimReport {
        id: id.into(),
        name: "December software".into(),
        owner_login: "ana.lima@example.test".into(),
        owner_name: "Ana Lima".into(),
        currency: "USD".into(),
        last_modified: format!("{modified}T09:30:00").parse().expect("time"),
        approval_status_code: "A_PEND".into(),
        payment_status_code: "P_NOTP".into(),
        entries: vec![entry],
    }
}

fn decimal(text: &str) -> rust_decimal::Decimal {
    rust_decimal::Decimal::from_str(text).expect("decimal")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_sync_brings_new_reports_and_updates_edited_entries_in_place() {
    let sim = simulator(fixture()).await;
    let machine = Machine::connected(&sim).await;
    machine.sync(&[]).await;
    let before = machine.rows().await;

    let newest =
        sim.with_tenant(|t| t.reports.iter().map(|r| r.last_modified).max()).expect("reports");
    let later = (newest + chrono::Duration::days(3)).format("%Y-%m-%d").to_string();
    let edited = before[0]["source_id"].as_str().expect("id").to_owned();
    sim.with_tenant(|tenant| {
        tenant.add_report(new_report("FFFF0000AAAA1111BBBB", &later));
        let moved = newest + chrono::Duration::days(3);
        assert!(tenant.edit_entry_amount(&edited, decimal("777.70"), moved), "entry exists");
    });

    let incremental = machine.ok(&["sync"]).await;

    let after = machine.rows().await;
    assert_eq!(after.len(), before.len() + 1, "one new entry, the edit changed a row in place");
    let changed = after.iter().find(|row| row["source_id"] == edited.as_str()).expect("edited row");
    assert_eq!(changed["amount"], "777.70");
    assert!(
        count(&incremental, "reports (") < sim.with_tenant(|t| t.reports.len()) as u64,
        "{incremental}"
    );
    assert_eq!(count(&incremental, "new, "), 1, "{incremental}");
    let figma =
        after.iter().find(|row| row["vendor_description"] == "FIGMA MONTHLY").expect("new row");
    assert_eq!(figma["app"], "Figma");
}

/// Each fault on its own, with time-outs, is tried by the client's own
/// tests; here the binary meets a mix of them and must end as a clean run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_through_rate_limits_outages_and_dropped_connections_stores_a_clean_run() {
    let tenant = Tenant::generated(12, 2, 7);
    let clean_sim = simulator(tenant.clone()).await;
    let clean = Machine::connected(&clean_sim).await;
    clean.sync(&[]).await;

    let sim = simulator(tenant).await;
    sim.set_faults(Faults {
        rate_limit_every: 6,
        retry_after: Some(0),
        unavailable_every: 9,
        drop_every: 7,
        ..Faults::default()
    });
    let machine = Machine::connected(&sim).await;
    machine.sync(&["--page-size", "5"]).await;

    assert_eq!(machine.rows().await, clean.rows().await);
    assert!(sim.stats().faults_injected >= 4, "{:?}", sim.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expiring_mid_sync_are_refreshed_and_the_newest_refresh_token_kept() {
    let sim = simulator(Tenant::generated(20, 2, 3)).await;
    sim.set_faults(Faults { token_expires_after_calls: 4, ..Faults::default() });
    let machine = Machine::connected(&sim).await;

    machine.sync(&["--page-size", "5"]).await;
    let refreshes = sim.stats().refresh_grants;
    // The simulator invalidates a refresh token once used: this works only
    // if every rotated token was stored.
    machine.sync(&["--full", "--page-size", "5"]).await;

    assert!(refreshes >= 5, "several refreshes in one sync: {refreshes}");
    assert!(sim.stats().refresh_grants > refreshes);
    assert_eq!(machine.rows().await.len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_anywhere_and_run_again_ends_with_the_rows_of_a_clean_run() {
    let tenant = Tenant::generated(60, 3, 11);
    let sim = simulator(tenant).await;
    sim.set_faults(Faults { latency_ms: 15, ..Faults::default() });
    let clean = Machine::connected(&sim).await;
    clean.sync(&["--page-size", "7"]).await;
    let expected = clean.rows().await;

    for (round, kill_after_ms) in [150u64, 400, 700, 1000].into_iter().enumerate() {
        let machine = Machine::connected(&sim).await;

        let mut child = machine
            .command(&["sync", "--since", "2020-01-01", "--page-size", "7"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sync starts");
        tokio::time::sleep(std::time::Duration::from_millis(kill_after_ms)).await;
        let _ = child.kill(); // SIGKILL: no clean-up runs.
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;

        let resumed = machine.ok(&["sync", "--page-size", "7"]).await;
        assert_eq!(machine.rows().await, expected, "round {round}: {resumed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_credentials_and_a_missing_role_each_say_one_clear_line() {
    let sim = simulator(fixture()).await;
    let machine = Machine::new();
    let connect = |user: &str, password: &str| {
        let mut command = machine.command(&[
            "connect",
            "concur",
            "--base-uri",
            &sim.base_url(),
            "--client-id",
            CLIENT_ID,
            "--username",
            user,
        ]);
        command.env("CONCUR_PASSWORD", password);
        command.output().expect("runs")
    };

    let cases = [
        (ADMIN, "wrong-password", "the username or password is wrong"),
        ("locked@example.test", "x", "locked"),
        ("sso@example.test", "x", "SSO"),
    ];
    for (user, password, said) in cases {
        let output = connect(user, password);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(said) && stderr.contains("HTTP 400"), "{stderr}");
        assert!(stderr.contains("correlation id"), "{stderr}");
    }

    let mut bad_secret = machine.command(&[
        "connect",
        "concur",
        "--base-uri",
        &sim.base_url(),
        "--client-id",
        CLIENT_ID,
        "--username",
        ADMIN,
    ]);
    bad_secret.env("CONCUR_CLIENT_SECRET", "not-the-secret");
    let output = bad_secret.output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("client secret is wrong") && stderr.trim().lines().count() == 1,
        "{stderr}"
    );

    let mut plain = machine.command(&[
        "connect",
        "concur",
        "--base-uri",
        &sim.base_url(),
        "--client-id",
        CLIENT_ID,
        "--username",
        "plainuser@example.test",
    ]);
    plain.env("CONCUR_PASSWORD", "sim-password-2");
    assert!(plain.output().expect("runs").status.success());
    let output = machine.run(&["sync"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("Web Services Administrator role") && stderr.contains("HTTP 403"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_logs_or_the_database_file() {
    let sim = simulator(fixture()).await;
    sim.set_faults(Faults {
        token_expires_after_calls: 3,
        rate_limit_every: 7,
        retry_after: Some(0),
        ..Faults::default()
    });
    let machine = Machine::new();

    let mut logs = String::new();
    let runs: [&[&str]; 3] = [
        &[
            "-vv",
            "connect",
            "concur",
            "--base-uri",
            &sim.wrong_dc_url(),
            "--client-id",
            CLIENT_ID,
            "--username",
            ADMIN,
        ],
        &["-vv", "sync", "--since", "2020-01-01"],
        &["-vvv", "sync", "--full"],
    ];
    for args in runs {
        let output = machine.run(args).await;
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        logs.push_str(&String::from_utf8_lossy(&output.stderr));
        logs.push_str(&String::from_utf8_lossy(&output.stdout));
    }

    assert!(logs.contains("DEBUG"), "the logs were really turned up");
    let mut database = std::fs::read(machine.db()).expect("database file");
    for wal in ["spend.db-wal", "spend.db-shm"] {
        database.extend(std::fs::read(machine.dir.path().join(wal)).unwrap_or_default());
    }
    let database = String::from_utf8_lossy(&database);
    let tokens = sim.issued_tokens();
    assert!(tokens.len() >= 4, "refreshes happened: {}", tokens.len());
    for secret in tokens.iter().map(String::as_str).chain([SECRET, PASSWORD]) {
        assert!(!logs.contains(secret), "a secret in the logs: {secret}");
        assert!(!database.contains(secret), "a secret in the database file: {secret}");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_file_and_the_database_are_readable_only_by_the_user() {
    use std::os::unix::fs::PermissionsExt;

    let sim = simulator(fixture()).await;
    let machine = Machine::connected(&sim).await;

    let mode =
        |path: PathBuf| std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
    assert_eq!(mode(machine.key_file()), 0o600);
    assert_eq!(mode(machine.db()), 0o600);

    std::fs::remove_file(machine.key_file()).expect("remove key");
    let output = machine.run(&["sync"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("spendmap.key") && stderr.contains("connect concur"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_removes_the_connection_and_keeps_the_expenses() {
    let sim = simulator(fixture()).await;
    let machine = Machine::connected(&sim).await;
    machine.sync(&[]).await;
    let stored = machine.rows().await.len();

    machine.ok(&["disconnect", "concur"]).await;

    assert_eq!(machine.ok(&["connections", "--format", "json"]).await.trim(), "[]");
    assert_eq!(machine.rows().await.len(), stored);
    let output = machine.run(&["sync"]).await;
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("run `spendmap connect concur` first")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_started_together_take_turns_and_keep_the_connection_alive() {
    let tenant = Tenant::generated(15, 2, 5);
    let expected = tenant.entries_with_content();
    let sim = simulator(tenant).await;
    sim.set_faults(Faults { latency_ms: 10, ..Faults::default() });
    let machine = Machine::connected(&sim).await;

    let runs: Vec<_> = (0..3)
        .map(|_| {
            machine
                .command(&["sync", "--full", "--since", "2020-01-01", "--page-size", "4"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("sync starts")
        })
        .collect();
    for run in runs {
        let output = tokio::task::spawn_blocking(move || run.wait_with_output())
            .await
            .expect("thread")
            .expect("waits");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }

    assert_eq!(machine.rows().await.len(), expected);
    machine.sync(&[]).await; // The newest refresh token was kept.
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_since_in_the_future_or_in_another_format_is_refused_with_the_format() {
    let sim = simulator(fixture()).await;
    let machine = Machine::connected(&sim).await;

    for (since, said) in [("2999-01-01", "in the future"), ("01/02/2025", "YYYY-MM-DD")] {
        let output = machine.run(&["sync", "--since", since]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(stderr.contains(said), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remembered_correction_survives_a_resync_of_a_changed_entry() {
    let sim = simulator(fixture()).await;
    let machine = Machine::connected(&sim).await;
    machine.sync(&[]).await;
    let rows = machine.rows().await;
    let target = rows.iter().find(|row| row["app"].is_string()).expect("a matched row");
    let source_id = target["source_id"].as_str().expect("id").to_owned();
    let listed = machine.ok(&["expenses", "--format", "json"]).await;
    let listed: Vec<Value> = serde_json::from_str(&listed).expect("JSON");
    let id = listed.iter().find(|row| row["source_id"] == source_id.as_str()).expect("row")["id"]
        .to_string();

    machine.ok(&["expenses", "assign", &id, "--app", "Widgetry", "--remember"]).await;
    let newest = sim.with_tenant(|t| t.reports.iter().map(|r| r.last_modified).max()).expect("any");
    sim.with_tenant(|tenant| {
        let moved = newest + chrono::Duration::days(2);
        assert!(tenant.edit_entry_amount(&source_id, decimal("12.34"), moved), "entry exists");
    });
    machine.sync(&["--full"]).await;

    let after = machine.rows().await;
    let row = after.iter().find(|row| row["source_id"] == source_id.as_str()).expect("row");
    assert_eq!(row["amount"], "12.34", "the sync did update the entry");
    assert_eq!(row["app"], "Widgetry", "and the correction held");
}

//! Databases made by older versions open and migrate forward with nothing
//! lost: `fixtures/storage/first-schema.db` holds only the first
//! migration (the `expense` table), `made-by-0.1.0.db` is what spendmap
//! 0.1.0 left after importing two fixture files and adding a rule.
//! Both are kept as files, not rebuilt by the test, so that they stay what
//! the old versions really wrote.

use spendmap_core::{
    Connection, ConnectionStore, ExpenseFilter, ExpenseStore, GroupBy, SourceKind,
};
use spendmap_storage::Store;
use std::path::{Path, PathBuf};

/// A copy of a fixture database in a temporary folder (tests never write
/// to the fixture itself).
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/storage").join(name);
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join(name);
    std::fs::copy(&fixture, &copy).expect("copy the fixture database");
    (dir, copy)
}

async fn open(path: &Path) -> Store {
    Store::open(path.to_str().expect("utf-8 path")).await.expect("the old database migrates")
}

/// What every later table can be asked, so that each migration is used.
async fn exercise_new_tables(store: &Store) {
    let connection = Connection {
        name: "concur".to_owned(),
        client_id: "client".to_owned(),
        username: "wsadmin@example.test".to_owned(),
        base_uri: "https://us2.api.concursolutions.com".to_owned(),
        data_centre: "US2 (North America)".to_owned(),
        sealed_client_secret: "v1:sealed".to_owned(),
        sealed_refresh_token: "v1:sealed".to_owned(),
        refresh_expires_at: None,
        connected_at: chrono::Utc::now(),
        last_synced_at: None,
    };
    store.save_connection(&connection).await.expect("the connection table exists");
    assert_eq!(store.connections().await.expect("list").len(), 1);
}

#[tokio::test]
async fn the_first_schema_migrates_forward_and_keeps_its_expenses() {
    let (_dir, path) = copy_of("first-schema.db");

    let store = open(&path).await;

    let rows = store.expenses(&ExpenseFilter::default()).await.expect("expenses");
    assert_eq!(rows.len(), 8);
    assert!(rows.iter().all(|row| row.expense.source == SourceKind::Csv));
    let figma = rows.iter().find(|row| row.expense.vendor_description == "Figma");
    let figma = figma.expect("the Figma row survived");
    assert_eq!(figma.expense.amount.to_string(), "45.00");
    assert_eq!(figma.decision.as_ref().and_then(|m| m.app.as_deref()), Some("Figma"));
    assert!(rows.iter().any(|row| row.expense.vendor_description == "Café Müller"));
    assert!(store.rules().await.expect("the rule table was added").is_empty());
    exercise_new_tables(&store).await;
}

#[tokio::test]
async fn a_database_made_by_version_0_1_0_keeps_its_rules_and_reports() {
    let (_dir, path) = copy_of("made-by-0.1.0.db");

    let store = open(&path).await;

    let rules = store.rules().await.expect("rules");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].term, "ACME WIDGETRY");
    let spend = store.spend(GroupBy::App, None).await.expect("report");
    let slack = spend.iter().find(|row| row.app.as_deref() == Some("Slack")).expect("Slack spend");
    assert_eq!(slack.total.to_string(), "120.50");
    exercise_new_tables(&store).await;

    // Opening again finds nothing left to do.
    drop(store);
    let again = open(&path).await;
    assert_eq!(again.count_expenses().await.expect("count"), 8);
}

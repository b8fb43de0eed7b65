//! Storage behaviour, run on SQLite always (a file, written through the
//! bulk writer, and in memory, written through sea-orm) and on PostgreSQL
//! too when `SPENDMAP_TEST_POSTGRES_URL` is set (each test then gets a
//! database of its own, so tests can run in parallel).

use spendmap_core::{
    Connection, ConnectionStore, Decimal, Expense, ExpenseFilter, ExpenseStore, ExpenseWriter,
    Field, GroupBy, Match, NaiveDate, RuleKind, SourceKind, StoredMatch, UserRule, WriteCounts,
};
use spendmap_storage::Store;
use std::str::FromStr;

/// Every backend this run can test, each with a fresh empty database (and
/// the directory a file lives in, removed when dropped).
async fn stores(test: &str) -> Vec<(String, Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("spendmap.db");
    let file = Store::open(&path.display().to_string()).await.expect("a new sqlite file opens");
    let memory = Store::open("sqlite::memory:").await.expect("in-memory sqlite opens");
    let mut stores = vec![
        ("sqlite file".to_owned(), file, Some(dir)),
        ("sqlite in memory".to_owned(), memory, None),
    ];

    if let Some(url) = spendmap_testkit::scratch_postgres(&format!("storage test {test}")).await {
        let postgres = Store::open(&url).await.expect("a fresh database opens");
        stores.push(("postgres".to_owned(), postgres, None));
    }
    stores
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).expect("test date")
}

fn money(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test amount")
}

fn expense(id: &str, vendor: &str, amount: &str) -> Expense {
    let mut e = Expense::new(SourceKind::Csv, id.to_owned(), day("2026-03-14"), money(amount));
    e.vendor_description = vendor.to_owned();
    e.currency = "USD".to_owned();
    e.employee_id = format!("emp-{}", id.len() % 3);
    e
}

fn matched(app: &str) -> Option<Match> {
    Some(Match {
        app: Some(app.to_owned()),
        vendor: Some(format!("{app} Inc")),
        rule: RuleKind::Dictionary,
        field: Field::VendorDescription,
        term: app.to_lowercase(),
        confidence: 90,
        reason: format!("vendor description names {app}"),
    })
}

async fn write_all(store: &Store, batch: &[StoredMatch]) -> WriteCounts {
    let mut writer = store.writer().await.expect("writer");
    let counts = writer.write(batch).await.expect("write");
    writer.commit().await.expect("commit");
    counts
}

#[tokio::test]
async fn writing_the_same_batch_twice_adds_nothing() {
    for (backend, store, _dir) in stores("writing_the_same_batch_twice_adds_nothing").await {
        let batch = vec![
            (expense("e1", "ZOOM.US 888-799-9666", "15.99"), matched("Zoom")),
            (expense("e2", "DELTA AIR", "420.00"), None),
        ];

        let first = write_all(&store, &batch).await;
        let second = write_all(&store, &batch).await;

        assert_eq!(first, WriteCounts { inserted: 2, updated: 0, unchanged: 0 }, "{backend}");
        assert_eq!(second, WriteCounts { inserted: 0, updated: 0, unchanged: 2 }, "{backend}");
        assert_eq!(store.count_expenses().await.expect("count"), 2, "{backend}");
    }
}

#[tokio::test]
async fn a_changed_amount_updates_the_row_in_place() {
    for (backend, store, _dir) in stores("a_changed_amount_updates_the_row_in_place").await {
        write_all(&store, &[(expense("e1", "SLACK", "8.75"), matched("Slack"))]).await;
        let counts =
            write_all(&store, &[(expense("e1", "SLACK", "17.50"), matched("Slack"))]).await;

        assert_eq!(counts, WriteCounts { inserted: 0, updated: 1, unchanged: 0 }, "{backend}");
        let rows = store.expenses(&ExpenseFilter::default()).await.expect("list");
        assert_eq!(rows.len(), 1, "{backend}");
        assert_eq!(rows[0].expense.amount, money("17.50"), "{backend}");
    }
}

#[tokio::test]
async fn a_key_repeated_in_one_batch_is_one_row_with_the_later_values() {
    for (backend, store, _dir) in
        stores("a_key_repeated_in_one_batch_is_one_row_with_the_later_values").await
    {
        let batch = vec![
            (expense("dup", "FIGMA", "12.00"), matched("Figma")),
            (expense("dup", "FIGMA", "15.00"), matched("Figma")),
        ];
        write_all(&store, &batch).await;

        let rows = store.expenses(&ExpenseFilter::default()).await.expect("list");
        assert_eq!(rows.len(), 1, "{backend}");
        assert_eq!(rows[0].expense.amount, money("15.00"), "{backend}");
    }
}

#[tokio::test]
async fn a_key_met_again_in_one_writer_is_compared_with_what_it_just_wrote() {
    let test = "a_key_met_again_in_one_writer_is_compared_with_what_it_just_wrote";
    for (backend, store, _dir) in stores(test).await {
        let in_report = |id: &str, report: &str, amount: &str| {
            let mut e = expense(id, "MIRO", amount);
            e.report_id = report.to_owned();
            (e, matched("Miro"))
        };
        write_all(&store, &[in_report("a", "r1", "10.00"), in_report("b", "r1", "5.00")]).await;

        let mut writer = store.writer().await.expect("writer");
        let mut counts = Vec::new();
        for row in [
            in_report("a", "r1", "20.00"),
            in_report("a", "r1", "10.00"),
            in_report("a", "r1", "10.00"),
            in_report("c", "r2", "7.00"),
            in_report("b", "r2", "5.00"),
        ] {
            counts.push(writer.write(&[row]).await.expect("write"));
        }
        writer.commit().await.expect("commit");

        let counted = |inserted, updated, unchanged| WriteCounts { inserted, updated, unchanged };
        let expected = [
            counted(0, 1, 0),
            counted(0, 1, 0),
            counted(0, 0, 1),
            counted(1, 0, 0),
            counted(0, 1, 0),
        ];
        assert_eq!(counts, expected, "{backend}: a changed, changed back, same; c new; b moved");
        let rows = store.expenses(&ExpenseFilter::default()).await.expect("list");
        let a = rows.iter().find(|r| r.expense.source_id == "a").expect("a is stored");
        let b = rows.iter().find(|r| r.expense.source_id == "b").expect("b is stored");
        assert_eq!((rows.len(), a.expense.amount), (3, money("10.00")), "{backend}");
        assert_eq!(b.expense.report_id, "r2", "{backend}");
    }
}

#[tokio::test]
async fn a_first_import_that_repeats_a_key_in_a_later_batch_updates_it() {
    let test = "a_first_import_that_repeats_a_key_in_a_later_batch_updates_it";
    for (backend, store, _dir) in stores(test).await {
        let mut writer = store.writer().await.expect("writer");
        let first = writer
            .write(&[(expense("x", "ASANA", "9.00"), None), (expense("y", "ASANA", "3.00"), None)])
            .await
            .expect("first batch");
        let again = writer
            .write(&[(expense("z", "ASANA", "4.00"), None), (expense("x", "ASANA", "11.00"), None)])
            .await
            .expect("a batch repeating a key");
        writer.commit().await.expect("commit");

        assert_eq!(first, WriteCounts { inserted: 2, updated: 0, unchanged: 0 }, "{backend}");
        assert_eq!(again, WriteCounts { inserted: 1, updated: 1, unchanged: 0 }, "{backend}");
        let rows = store.expenses(&ExpenseFilter::default()).await.expect("list");
        let x = rows.iter().find(|r| r.expense.source_id == "x").expect("x is stored");
        assert_eq!((rows.len(), x.expense.amount), (3, money("11.00")), "{backend}");
    }
}

#[tokio::test]
async fn an_uncommitted_writer_leaves_nothing_behind() {
    for (backend, store, _dir) in stores("an_uncommitted_writer_leaves_nothing_behind").await {
        write_all(&store, &[(expense("kept", "NOTION LABS", "10.00"), matched("Notion"))]).await;

        let mut writer = store.writer().await.expect("writer");
        writer.write(&[(expense("lost", "ASANA", "11.00"), None)]).await.expect("write");
        drop(writer);

        let rows = store.expenses(&ExpenseFilter::default()).await.expect("list");
        let ids: Vec<_> = rows.iter().map(|r| r.expense.source_id.as_str()).collect();
        assert_eq!(ids, ["kept"], "{backend}");
    }
}

#[tokio::test]
async fn more_rows_than_one_statement_holds_are_all_stored() {
    for (backend, store, _dir) in stores("more_rows_than_one_statement_holds_are_all_stored").await
    {
        let batch: Vec<StoredMatch> = (0..1_234)
            .map(|n| (expense(&format!("row-{n}"), "GITHUB", "0.01"), matched("GitHub")))
            .collect();

        let counts = write_all(&store, &batch).await;

        assert_eq!(counts.inserted, 1_234, "{backend}");
        let spend = store.spend(GroupBy::App, None).await.expect("spend");
        assert_eq!(spend[0].total, money("12.34"), "{backend}");
    }
}

#[tokio::test]
async fn spend_by_app_is_exact_and_counts_only_saas_decisions() {
    for (backend, store, _dir) in
        stores("spend_by_app_is_exact_and_counts_only_saas_decisions").await
    {
        let mut personal = expense("p", "ZOOM.US", "99.99");
        personal.personal = true;
        let ignored = Match {
            app: None,
            vendor: None,
            rule: RuleKind::IgnoreRule,
            field: Field::VendorDescription,
            term: "zoom".into(),
            confidence: 100,
            reason: "ignored by rule 1".into(),
        };
        let batch = vec![
            (expense("a", "ZOOM.US", "0.10"), matched("Zoom")),
            (expense("bb", "ZOOM.US", "0.20"), matched("Zoom")),
            (expense("ccc", "ZOOM.US REFUND", "-0.05"), matched("Zoom")),
            (personal, matched("Zoom")),
            (expense("i", "ZOOM.US", "50.00"), Some(ignored.clone())),
            (
                expense("n", "MARRIOTT", "310.00"),
                Some(Match { rule: RuleKind::NotSaas, reason: "a hotel".into(), ..ignored }),
            ),
            (expense("u", "DELTA AIR", "400.00"), None),
        ];
        write_all(&store, &batch).await;

        let spend = store.spend(GroupBy::App, None).await.expect("spend");

        assert_eq!(spend.len(), 1, "{backend}: {spend:?}");
        assert_eq!(spend[0].app.as_deref(), Some("Zoom"), "{backend}");
        assert_eq!(spend[0].total.to_string(), "0.25", "{backend}");
        assert_eq!(spend[0].expenses, 3, "{backend}");
        assert_eq!(spend[0].employees, 3, "{backend}");
        assert_eq!(spend[0].first_date, day("2026-03-14"), "{backend}");
    }
}

#[tokio::test]
async fn spend_by_month_splits_months_and_currencies() {
    for (backend, store, _dir) in stores("spend_by_month_splits_months_and_currencies").await {
        let mut march = expense("m1", "SLACK", "10.00");
        march.date = day("2026-03-31");
        let mut april = expense("m2", "SLACK", "20.00");
        april.date = day("2026-04-01");
        let mut april_eur = expense("m3", "SLACK", "30.00");
        april_eur.date = day("2026-04-02");
        april_eur.currency = "EUR".into();
        let batch: Vec<StoredMatch> =
            [march, april, april_eur].into_iter().map(|e| (e, matched("Slack"))).collect();
        write_all(&store, &batch).await;

        let spend = store.spend(GroupBy::Month, None).await.expect("spend");

        let lines: Vec<_> =
            spend.iter().map(|r| format!("{} {} {}", r.key, r.currency, r.total)).collect();
        assert_eq!(
            lines,
            ["2026-03 USD 10.00", "2026-04 EUR 30.00", "2026-04 USD 20.00"],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_currency_with_most_spend_comes_first_then_largest_groups() {
    for (backend, store, _dir) in
        stores("the_currency_with_most_spend_comes_first_then_largest_groups").await
    {
        let mut eur = expense("e", "SLACK", "500.00");
        eur.currency = "EUR".into();
        let batch = vec![
            (expense("a", "ZOOM.US", "40.00"), matched("Zoom")),
            (expense("b", "FIGMA", "300.00"), matched("Figma")),
            (expense("c", "GITHUB", "250.00"), matched("GitHub")),
            (eur, matched("Slack")),
        ];
        write_all(&store, &batch).await;

        let spend = store.spend(GroupBy::App, None).await.expect("spend");

        let order: Vec<_> = spend.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(order, ["Figma", "GitHub", "Zoom", "Slack"], "{backend}");

        let figma_people = store.spend(GroupBy::Employee, Some("figma")).await.expect("who");
        assert_eq!(figma_people.len(), 1, "{backend}");
        assert_eq!(figma_people[0].employee_id.as_deref(), Some("emp-1"), "{backend}");
        assert_eq!(figma_people[0].total.to_string(), "300.00", "{backend}");
    }
}

#[tokio::test]
async fn filters_find_unmatched_and_one_app_case_insensitively() {
    for (backend, store, _dir) in
        stores("filters_find_unmatched_and_one_app_case_insensitively").await
    {
        let batch = vec![
            (expense("z", "ZOOM.US", "1.00"), matched("Zoom")),
            (expense("s", "SLACK", "2.00"), matched("Slack")),
            (expense("u", "CORNER DELI", "3.00"), None),
        ];
        write_all(&store, &batch).await;

        let unmatched = ExpenseFilter { unmatched: true, ..ExpenseFilter::default() };
        let zoom = ExpenseFilter { app: Some("zOOm".into()), ..ExpenseFilter::default() };
        let slack_inc = ExpenseFilter { vendor: Some("slack inc".into()), ..Default::default() };
        let unmatched = store.expenses(&unmatched).await.expect("unmatched");
        let zoom = store.expenses(&zoom).await.expect("zoom");
        let slack_inc = store.expenses(&slack_inc).await.expect("slack inc");

        assert_eq!(unmatched.len(), 1, "{backend}");
        assert_eq!(unmatched[0].expense.vendor_description, "CORNER DELI", "{backend}");
        assert_eq!(zoom.len(), 1, "{backend}");
        assert_eq!(slack_inc.len(), 1, "{backend}");
        assert_eq!(slack_inc[0].expense.source_id, "s", "{backend}");
        let decision = zoom[0].decision.as_ref().expect("zoom is matched");
        assert_eq!(decision.reason, "vendor description names Zoom", "{backend}");
    }
}

#[tokio::test]
async fn rules_are_added_listed_and_removed() {
    for (backend, store, _dir) in stores("rules_are_added_listed_and_removed").await {
        let rule = UserRule {
            id: 0,
            term: "acme design".into(),
            field: Field::VendorDescription,
            app: Some("Figma".into()),
            vendor: None,
        };

        let id = store.add_rule(&rule).await.expect("add");
        let listed = store.rules().await.expect("list");
        let removed = store.remove_rule(id).await.expect("remove");
        let removed_again = store.remove_rule(id).await.expect("remove again");

        assert_eq!(listed, vec![UserRule { id, ..rule }], "{backend}");
        assert!(removed, "{backend}");
        assert!(!removed_again, "{backend}");
    }
}

fn connection(client_id: &str, base_uri: &str) -> Connection {
    let at = |text: &str| chrono::DateTime::parse_from_rfc3339(text).expect("time").to_utc();
    Connection {
        name: "concur".to_owned(),
        client_id: client_id.to_owned(),
        username: "wsadmin@example.test".to_owned(),
        base_uri: base_uri.to_owned(),
        data_centre: "US2 (North America)".to_owned(),
        sealed_client_secret: "v1:sealed-secret".to_owned(),
        sealed_refresh_token: "v1:sealed-refresh".to_owned(),
        refresh_expires_at: Some(at("2027-06-01T00:00:00Z")),
        connected_at: at("2026-12-04T12:00:00Z"),
        last_synced_at: None,
    }
}

async fn commit_cursor(store: &Store, cursor: &str) {
    let mut writer = store.writer().await.expect("writer");
    writer.set_sync_cursor("concur", cursor).await.expect("cursor");
    writer.commit().await.expect("commit");
}

#[tokio::test]
async fn connections_round_trip_and_keep_their_cursor_only_for_the_same_tenant() {
    for (backend, store, _dir) in stores("connections_round_trip").await {
        let us2 = connection("client-a", "https://us2.api.concursolutions.com");
        store.save_connection(&us2).await.expect("save");
        assert_eq!(store.connection("concur").await.expect("read"), Some(us2.clone()), "{backend}");

        commit_cursor(&store, "page-7").await;
        store.save_connection(&us2).await.expect("connect again");
        let kept = store.sync_cursor("concur").await.expect("cursor");
        assert_eq!(kept.as_deref(), Some("page-7"), "{backend}: same tenant keeps its place");

        let eu2 = connection("client-a", "https://eu2.api.concursolutions.com");
        store.save_connection(&eu2).await.expect("connect elsewhere");
        assert_eq!(store.sync_cursor("concur").await.expect("cursor"), None, "{backend}");

        assert_eq!(store.connections().await.expect("list").len(), 1, "{backend}");
        assert!(store.remove_connection("concur").await.expect("remove"), "{backend}");
        assert!(!store.remove_connection("concur").await.expect("remove again"), "{backend}");
        assert_eq!(store.connection("concur").await.expect("read"), None, "{backend}");
    }
}

#[tokio::test]
async fn new_tokens_replace_the_old_ones_and_need_a_connection() {
    for (backend, store, _dir) in stores("new_tokens_replace_the_old_ones").await {
        let missing = store.save_tokens("concur", "v1:x", "https://h", None).await;
        assert!(missing.is_err(), "{backend}: no connection to save tokens on");

        store
            .save_connection(&connection("c", "https://us2.api.concursolutions.com"))
            .await
            .expect("save");
        store
            .save_tokens("concur", "v1:rotated", "https://us.api.concursolutions.com", None)
            .await
            .expect("tokens");

        let stored = store.connection("concur").await.expect("read").expect("there");
        assert_eq!(stored.sealed_refresh_token, "v1:rotated", "{backend}");
        assert_eq!(stored.base_uri, "https://us.api.concursolutions.com", "{backend}");
        assert_eq!(stored.refresh_expires_at, None, "{backend}");
    }
}

#[tokio::test]
async fn a_cursor_not_committed_is_not_kept() {
    for (backend, store, _dir) in stores("a_cursor_not_committed_is_not_kept").await {
        store
            .save_connection(&connection("c", "https://us2.api.concursolutions.com"))
            .await
            .expect("save");
        commit_cursor(&store, "page-1").await;

        let mut writer = store.writer().await.expect("writer");
        writer.write(&[(concur_entry("e9", "R1"), None)]).await.expect("write");
        writer.set_sync_cursor("concur", "page-2").await.expect("cursor");
        drop(writer);

        let cursor = store.sync_cursor("concur").await.expect("cursor");
        assert_eq!(cursor.as_deref(), Some("page-1"), "{backend}");
        assert_eq!(store.count_expenses().await.expect("count"), 0, "{backend}");
        let synced = store.connection("concur").await.expect("read").expect("there");
        assert!(synced.last_synced_at.is_some(), "{backend}: the committed page set the time");
    }
}

fn concur_entry(id: &str, report: &str) -> Expense {
    let mut e = Expense::new(SourceKind::Concur, id.to_owned(), day("2026-10-01"), money("9.99"));
    e.report_id = report.to_owned();
    e
}

#[tokio::test]
async fn entries_gone_from_a_report_are_removed_and_others_stay() {
    for (backend, store, _dir) in stores("entries_gone_from_a_report_are_removed").await {
        let batch: Vec<StoredMatch> = [("a", "R1"), ("b", "R1"), ("c", "R1"), ("d", "R2")]
            .iter()
            .map(|(id, report)| (concur_entry(id, report), None))
            .collect();
        write_all(&store, &batch).await;

        let mut writer = store.writer().await.expect("writer");
        let gone = writer
            .remove_report_entries_except(SourceKind::Concur, "R1", &["a", "c"])
            .await
            .expect("remove");
        writer.commit().await.expect("commit");

        assert_eq!(gone, 1, "{backend}");
        let ids: Vec<String> = store
            .expenses(&ExpenseFilter::default())
            .await
            .expect("list")
            .into_iter()
            .map(|row| row.expense.source_id)
            .collect();
        assert_eq!(ids, ["a", "c", "d"], "{backend}");
    }
}

#[tokio::test]
async fn a_correction_is_kept_per_expense_and_replaced_not_doubled() {
    use spendmap_core::Correction;

    for (backend, store, _dir) in stores("corrections").await {
        write_all(&store, &[(expense("e1", "ACME WIDGETS", "10.00"), None)]).await;
        let row = store.expenses(&ExpenseFilter::default()).await.expect("rows").remove(0);
        let one = store.expense(row.id).await.expect("read").expect("found");
        assert_eq!(one.expense.source_id, "e1", "{backend}");
        assert!(store.expense(row.id + 1000).await.expect("read").is_none(), "{backend}");

        let mut correction = Correction {
            source: SourceKind::Csv,
            source_id: "e1".to_owned(),
            app: Some("Widgetry".to_owned()),
            vendor: None,
        };
        store.set_correction(&correction).await.expect("store");
        correction.app = None;
        store.set_correction(&correction).await.expect("replace");

        assert_eq!(store.corrections().await.expect("list"), vec![correction], "{backend}");
    }
}

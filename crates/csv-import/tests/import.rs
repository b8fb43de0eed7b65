//! Imports the files in `fixtures/import/` and checks counts, exact totals,
//! the decisions in the summary and the errors.

use rust_decimal::Decimal;
use spendmap_core::{Expense, ExpenseSource, NaiveDate, SourceKind};
use spendmap_csv_import::{
    FileFormat, ImportError, ImportOptions, ImportSummary, Role, RowError, open,
};
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/import").join(name)
}

/// Everything a file yields, split into expenses and row errors.
struct Imported {
    expenses: Vec<Expense>,
    errors: Vec<RowError>,
    summary: ImportSummary,
}

impl Imported {
    fn total(&self) -> Decimal {
        self.expenses.iter().map(|e| e.amount).sum()
    }

    fn by_id(&self, id: &str) -> &Expense {
        self.expenses.iter().find(|e| e.source_id == id).unwrap()
    }
}

fn import_with(path: PathBuf, options: &ImportOptions) -> Imported {
    let mut import = open(&path, options).unwrap();
    let mut expenses = Vec::new();
    let mut errors = Vec::new();
    while let Some(row) = import.next_expense() {
        match row {
            Ok(expense) => expenses.push(expense),
            Err(error) => errors.push(error),
        }
    }
    Imported { expenses, errors, summary: import.summary().clone() }
}

fn import(name: &str) -> Imported {
    import_with(fixture(name), &ImportOptions::default())
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

#[test]
fn plain_csv() {
    let got = import("plain.csv");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.expenses.len(), 5);
    assert_eq!(got.total(), dec("522.86"));
    assert_eq!(got.summary.date_format, "%m/%d/%Y");
    assert_eq!((got.summary.delimiter, got.summary.decimal_comma), (b',', false));
    assert_eq!(got.summary.header_line, Some(1));
    assert_eq!(got.summary.rows_read, 5);

    let refund = got.by_id("E1004");
    assert_eq!(refund.source, SourceKind::Csv);
    assert_eq!(refund.amount, dec("-14.99"));
    assert_eq!(refund.date, date(2026, 3, 20));
    assert_eq!(refund.vendor_description, "Zoom Video");
    assert_eq!(refund.business_purpose, "Webinar refund");
    assert_eq!(refund.spend_category, "SUBSC");
    assert_eq!(
        (refund.employee_id.as_str(), refund.employee_name.as_str()),
        ("msoto", "Morgan Soto")
    );
    assert_eq!((refund.report_id.as_str(), refund.report_name.as_str()), ("R101", "Client trip"));
    assert_eq!(refund.payment_type, "Company Card");
    assert!(!refund.personal);
    assert!(got.by_id("E1005").personal);
}

#[test]
fn bom_titles_footer_thousands_and_quoted_fields() {
    let got = import("bom-titles-footer-quoted.csv");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.expenses.len(), 4);
    assert_eq!(got.total(), dec("4705.30"));

    let summary = &got.summary;
    assert_eq!(summary.encoding, "UTF-8");
    assert_eq!(summary.header_line, Some(4));
    assert_eq!(summary.title_lines_skipped, 2);
    assert_eq!(summary.footer_lines_skipped, 2);
    assert_eq!(summary.date_format, "%Y-%m-%d");

    let atlassian = got.by_id("E2001");
    assert_eq!(atlassian.vendor_description, "Atlassian, Inc.");
    assert_eq!(atlassian.amount, dec("1234.56"));
    assert_eq!(atlassian.employee_id, "Avery Quill", "a lone Employee column fills both");
    assert_eq!(atlassian.employee_name, "Avery Quill");
    assert_eq!(got.by_id("E2002").vendor_description, r#"The "Best" Notes App"#);
    assert_eq!(got.by_id("E2002").business_purpose, r#"Notes "pro" plan"#);

    let dropbox = got.by_id("E2003");
    assert_eq!(dropbox.business_purpose, "Line one\r\nline two, with a comma");
    assert_eq!(dropbox.amount, dec("2400.00"), "expense amount (rpt) wins over transaction amount");
    assert_eq!(dropbox.transaction_amount, Some(dec("2200.00")));
    assert_eq!(dropbox.currency, "USD");
    assert_eq!(dropbox.report_id, "R201");
}

#[test]
fn utf16le_tab_separated_with_decimal_commas() {
    let got = import("utf16le-tab-decimal-comma.txt");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.expenses.len(), 4);
    assert_eq!(got.total(), dec("2420.40"));

    let summary = &got.summary;
    assert_eq!(summary.encoding, "UTF-16LE");
    assert_eq!((summary.delimiter, summary.decimal_comma), (b'\t', true));
    assert_eq!((summary.title_lines_skipped, summary.footer_lines_skipped), (1, 1));
    assert_eq!(
        got.by_id("E3004").amount,
        dec("1000"),
        "1.000 in a decimal-comma file is one thousand"
    );
    assert_eq!(got.by_id("E3002").date, date(2026, 1, 14));
    assert_eq!(got.by_id("E3003").business_purpose, "Travel to Köln");
}

#[test]
fn utf16be_with_bom() {
    let got = import("utf16be-bom.csv");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.summary.encoding, "UTF-16BE");
    assert_eq!(got.expenses.len(), 2);
    assert_eq!(got.total(), dec("21.49"));
    assert_eq!(got.expenses[1].vendor_description, "Café Lumière");
}

#[test]
fn windows1252_semicolons_and_day_first_dates() {
    let got = import("windows1252-semicolon.csv");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.summary.encoding, "windows-1252");
    assert_eq!((got.summary.delimiter, got.summary.decimal_comma), (b';', true));
    assert_eq!(got.summary.date_format, "%d/%m/%Y");
    assert_eq!(got.expenses.len(), 3);
    assert_eq!(got.total(), dec("1306.05"));

    let first = got.by_id("W1");
    assert_eq!(first.date, date(2026, 2, 3));
    assert_eq!(first.vendor_description, "Café Müller");
    assert_eq!(first.amount, dec("1234.56"));
    assert_eq!(got.by_id("W2").business_purpose, "Creative Cloud – Lizenz");
}

#[test]
fn sae_entry_spanning_journal_lines_counts_once() {
    let got = import("sae-split-entry.txt");
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.summary.format, FileFormat::Sae);
    assert_eq!(got.expenses.len(), 3);
    assert_eq!(got.total(), dec("792.60"));
    assert_eq!(got.summary.sae_lines_merged, 1);
    assert_eq!(got.summary.sae_count_mismatch(), None);

    let atlassian = got.by_id("7001");
    assert_eq!(atlassian.source, SourceKind::Sae);
    assert_eq!(
        atlassian.amount,
        dec("600.1100"),
        "the entry's amount, not the journal lines summed"
    );
    assert_eq!(atlassian.vendor_description, "ATLASSIAN PTY LTD");
    assert_eq!(
        (atlassian.employee_id.as_str(), atlassian.employee_name.as_str()),
        ("E0042", "Avery Quill")
    );
    assert_eq!(
        (atlassian.report_id.as_str(), atlassian.report_name.as_str()),
        ("RPT9A", "Q1 tools")
    );

    let zoom = got.by_id("7002");
    assert_eq!(zoom.business_purpose, "Webinar | Q1 launch");
    assert_eq!(zoom.vendor_description, "Zoom Video Communications");

    let cafe = got.by_id("7003");
    assert_eq!(cafe.vendor_description, "SQ *LOCAL CAFE");
    assert_eq!(cafe.amount, dec("42.5000"), "posted when there is no approved amount");
    assert_eq!(cafe.transaction_amount, Some(dec("40.0000")));
    assert_eq!((cafe.currency.as_str(), cafe.transaction_currency.as_str()), ("USD", "EUR"));
    assert!(cafe.personal);
    assert_eq!(cafe.date, date(2026, 3, 12));
}

#[test]
fn sae_record_count_mismatch_is_reported() {
    let text = std::fs::read_to_string(fixture("sae-split-entry.txt")).unwrap();
    let file = temp_file(text.replacen("|4|", "|5|", 1).as_bytes());
    let got = import_with(file.path().to_owned(), &ImportOptions::default());
    assert_eq!(got.expenses.len(), 3);
    assert_eq!(got.summary.sae_count_mismatch(), Some((5, 4)));
}

#[test]
fn ambiguous_dates_need_a_format() {
    let error = open(&fixture("dates-ambiguous.csv"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::AmbiguousDates { line: 2, .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("dates-ambiguous.csv"), "{message}");
    assert!(message.contains("--date-format"), "{message}");

    let options = ImportOptions { date_format: Some("%d/%m/%Y".to_owned()), ..Default::default() };
    let got = import_with(fixture("dates-ambiguous.csv"), &options);
    assert_eq!(got.expenses[0].date, date(2026, 4, 3));
    assert_eq!(got.summary.date_format, "%d/%m/%Y");
}

#[test]
fn conflicting_dates_and_decimal_marks_are_whole_file_errors() {
    let dates = temp_file(b"Transaction Date,Vendor,Amount\n13/01/2026,A,1\n01/13/2026,B,2\n");
    let error = open(dates.path(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(
        error,
        ImportError::ConflictingDates { day_first_line: 2, month_first_line: 3, .. }
    ));

    let marks = temp_file(
        b"Transaction Date\tVendor\tAmount\n2026-01-01\tA\t1,234.50\n2026-01-02\tB\t12,5\n",
    );
    let error = open(marks.path(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(
        error,
        ImportError::ConflictingDecimalMarks { point_line: 2, comma_line: 3, .. }
    ));
}

#[test]
fn bad_amount_names_file_line_and_column_and_reading_goes_on() {
    let got = import("bad-amount.csv");
    assert_eq!(got.expenses.len(), 2);
    assert_eq!(got.total(), dec("15.25"));
    assert_eq!(got.errors.len(), 1);

    let error = &got.errors[0];
    assert_eq!(error.line(), 3);
    assert_eq!(error.column(), Some("Amount"));
    let message = error.to_string();
    assert!(
        message.ends_with(
            r#"bad-amount.csv:3: column "Amount": expected an amount like 1234.56, found "12,3,4""#
        ),
        "{message}"
    );
}

#[test]
fn line_numbers_are_physical_after_multiline_fields() {
    let text = "Title\n\nTransaction Date,Vendor,Purpose,Amount\n\
                2026-01-01,A,\"two\nlines\",1.00\n2026-01-02,B,x,oops\n";
    let file = temp_file(text.as_bytes());
    let got = import_with(file.path().to_owned(), &ImportOptions::default());
    assert_eq!(got.expenses.len(), 1);
    assert_eq!(got.errors[0].line(), 6);
}

#[test]
fn identical_rows_without_ids_stay_apart_and_ids_are_stable() {
    let first = import("identical-rows-no-id.csv");
    let second = import("identical-rows-no-id.csv");
    assert_eq!(first.expenses.len(), 3);
    assert_eq!(first.total(), dec("45.00"));

    let ids: Vec<&str> = first.expenses.iter().map(|e| e.source_id.as_str()).collect();
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[0], ids[2]);
    assert!(ids[0].ends_with("#1") && ids[1].ends_with("#2") && ids[2].ends_with("#1"), "{ids:?}");
    let again: Vec<&str> = second.expenses.iter().map(|e| e.source_id.as_str()).collect();
    assert_eq!(ids, again);
}

#[test]
fn missing_required_column_names_the_file_and_headers() {
    let error = open(&fixture("missing-vendor.csv"), &ImportOptions::default()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("missing-vendor.csv:2: no column for vendor"), "{message}");
    assert!(message.contains(r#""Transaction Date", "Payee", "Amount""#), "{message}");

    let options =
        ImportOptions { columns: vec![(Role::Vendor, "payee".to_owned())], ..Default::default() };
    let got = import_with(fixture("missing-vendor.csv"), &options);
    assert_eq!(got.expenses[0].vendor_description, "Figma");
}

#[test]
fn no_header_is_an_error() {
    let file = temp_file(b"just,some,numbers\n1,2,3\n");
    let error = open(file.path(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::NoHeader { .. }), "{error}");
}

#[test]
fn subtotal_rows_between_entries_are_skipped_and_counted() {
    let text = "Transaction Date,Vendor,Amount\n2026-01-01,A,1.50\nSubtotal,,1.50\n\
                2026-01-02,B,2.25\nGrand Total,,3.75\n";
    let file = temp_file(text.as_bytes());
    let got = import_with(file.path().to_owned(), &ImportOptions::default());
    assert!(got.errors.is_empty(), "{:?}", got.errors);
    assert_eq!(got.total(), dec("3.75"));
    assert_eq!((got.summary.subtotal_lines_skipped, got.summary.footer_lines_skipped), (1, 1));
}

#[test]
fn told_options_decide_what_the_file_does_not() {
    let text = b"Transaction Date;Vendor;Amount\n2026-01-01;A;1,234\n";
    let file = temp_file(text);
    let comma = ImportOptions { decimal_comma: Some(true), ..Default::default() };
    let point = ImportOptions { decimal_comma: Some(false), ..Default::default() };

    let sniffed = open(file.path(), &ImportOptions::default()).unwrap_err();
    let as_comma = import_with(file.path().to_owned(), &comma);
    let as_point = import_with(file.path().to_owned(), &point);

    assert!(matches!(sniffed, ImportError::AmbiguousDecimalMark { .. }), "{sniffed}");
    assert_eq!(as_comma.total(), dec("1.234"));
    assert_eq!(as_point.total(), dec("1234"));
}

#[test]
fn an_empty_file_says_so() {
    let file = temp_file(b"");

    let err = open(file.path(), &ImportOptions::default()).unwrap_err();

    assert!(matches!(err, ImportError::Empty { .. }), "{err}");
    assert!(err.to_string().ends_with("the file is empty"), "{err}");
}

#[test]
fn a_binary_file_is_not_searched_for_a_header() {
    let file = temp_file(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0");

    let err = open(file.path(), &ImportOptions::default()).unwrap_err();

    assert!(matches!(err, ImportError::NotText { offset: 8, .. }), "{err}");
}

#[test]
fn utf16_without_a_bom_reads_when_told() {
    let text = "Transaction Date,Vendor,Amount\n2026-05-04,FIGMA.COM,15.00\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let file = temp_file(&bytes);
    let told = ImportOptions { encoding: Some("utf-16le".into()), ..ImportOptions::default() };

    let refused = open(file.path(), &ImportOptions::default()).unwrap_err();
    let imported = import_with(file.path().to_owned(), &told);

    assert!(matches!(refused, ImportError::NotText { .. }), "{refused}");
    assert_eq!(imported.total(), dec("15.00"));
}

#[test]
fn amounts_that_read_both_ways_make_the_caller_choose() {
    let text = "Transaction Date,Vendor,Amount\n2026-05-04,FIGMA.COM,\"1.500\"\n\
                2026-05-05,SLACK,\"2.250\"\n";
    let file = temp_file(text.as_bytes());
    let comma = ImportOptions { decimal_comma: Some(true), ..ImportOptions::default() };

    let refused = open(file.path(), &ImportOptions::default()).unwrap_err();
    let imported = import_with(file.path().to_owned(), &comma);

    assert!(matches!(refused, ImportError::AmbiguousDecimalMark { line: 2, .. }), "{refused}");
    assert_eq!(imported.total(), dec("3750"));
}

#[test]
fn entry_ids_that_repeat_are_counted() {
    let text = "Entry ID,Transaction Date,Vendor,Amount\nA1,2026-05-04,FIGMA.COM,10.00\n\
                A2,2026-05-04,SLACK,5.00\nA1,2026-05-04,FIGMA.COM,2.50\n";
    let file = temp_file(text.as_bytes());

    let imported = import_with(file.path().to_owned(), &ImportOptions::default());

    assert_eq!(imported.expenses.len(), 3);
    assert_eq!(imported.summary.repeated_entry_ids, 1);
}

#[test]
fn a_row_split_by_an_unquoted_delimiter_is_an_error_not_a_shifted_row() {
    let text = "Entry ID,Transaction Date,Vendor,Amount,Currency\n\
                A,01/15/2026,SLACK,$1,250.00,USD\n\
                B,01/16/2026,ZOOM.US,15.99,USD\n\
                C,01/17/2026,FIGMA\n";
    let file = temp_file(text.as_bytes());

    let imported = import_with(file.path().to_owned(), &ImportOptions::default());

    let lines: Vec<u64> = imported.errors.iter().map(RowError::line).collect();
    assert_eq!(lines, [2, 4]);
    assert!(imported.errors[0].to_string().contains("6 fields but the header has 5"));
    assert_eq!(imported.total(), dec("15.99"));
}

#[test]
fn a_currency_must_be_a_code() {
    let text = "Transaction Date,Vendor,Amount,Currency\n2026-01-15,SLACK,8.75,usd\n\
                2026-01-16,ZOOM.US,15.99,DOLLARS\n";
    let file = temp_file(text.as_bytes());

    let imported = import_with(file.path().to_owned(), &ImportOptions::default());

    assert_eq!(imported.expenses[0].currency, "USD");
    assert_eq!(imported.errors.len(), 1);
    assert!(imported.errors[0].to_string().contains("column \"Currency\""));
}

#[test]
fn german_headers_map_and_unused_columns_are_listed() {
    let text = "Transaktionsdatum;Lieferant;Betrag;Währung;Mitarbeiter;Kostenstelle\n\
                15.01.2026;SLACK;8,75;EUR;Jürgen Beispiel;4711\n";
    let file = temp_file(text.as_bytes());

    let imported = import_with(file.path().to_owned(), &ImportOptions::default());

    assert_eq!(imported.total(), dec("8.75"));
    assert_eq!(imported.expenses[0].employee_name, "Jürgen Beispiel");
    assert_eq!(imported.summary.unused_columns, ["Kostenstelle"]);
}

#[test]
fn a_stray_latin1_byte_is_reported_with_its_line() {
    let mut bytes = b"Transaction Date,Vendor,Amount\n2026-01-15,SLACK,8.75\n".to_vec();
    bytes.extend_from_slice(b"2026-01-16,CAF\xc9 NOIR,4.50\n");
    let file = temp_file(&bytes);

    let imported = import_with(file.path().to_owned(), &ImportOptions::default());

    assert_eq!(imported.summary.read_as_windows_1252_from_line, Some(3));
    assert_eq!(imported.expenses[1].vendor_description, "CAFÉ NOIR");
}

//! Hostile input for the importer: arbitrary bytes, near-exports with junk
//! in every cell, files that are not exports at all, and every input the
//! fuzzer (`cargo xtask fuzz`) has ever broken it with.
//!
//! What must hold whatever the bytes: [`open`] and the row iterator never
//! panic and always come to an end; every error names the file, and a row
//! error a line the file really has. On well-formed input the sniffer must
//! also be right: the delimiter and encoding a file was written with are
//! the ones it picks, and amounts and dates in any accepted spelling read
//! back exactly.
//!
//! Case counts are kept low so `cargo test` stays quick in debug builds;
//! `PROPTEST_CASES=5000 cargo test -p spendmap-csv-import --test hostile`
//! searches harder.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::Config;
use rust_decimal::Decimal;
use spendmap_core::{Expense, NaiveDate};
use spendmap_csv_import::{FileFormat, ImportError, ImportOptions, ImportSummary, RowError, open};
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// The importer's limit on one record, as its errors state it.
const MIB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------
// Reading a file and checking what every failure says.

/// Everything a file yielded.
#[derive(Debug)]
struct Outcome {
    expenses: Vec<Expense>,
    row_errors: Vec<RowError>,
    summary: ImportSummary,
}

fn temp_file(bytes: &[u8]) -> NamedTempFile {
    let mut file = NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

/// Writes `bytes` to a file and reads it through, checking each error.
fn read_bytes(bytes: &[u8], options: &ImportOptions) -> Result<Outcome, ImportError> {
    let file = temp_file(bytes);
    let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    read_path(file.path(), lines, options)
}

/// Opens and drains a file. Panics, with the reason, when an error does not
/// name the file, a row error names a line past the end, the iterator yields
/// more items than the file has lines (so it might never end), or the
/// summary's count disagrees with what was yielded.
fn read_path(path: &Path, lines: u64, options: &ImportOptions) -> Result<Outcome, ImportError> {
    let mut import = match open(path, options) {
        Ok(import) => import,
        Err(error) => {
            assert_names_file(&error.to_string(), path);
            return Err(error);
        }
    };

    let (mut expenses, mut row_errors) = (Vec::new(), Vec::new());
    let mut yielded = 0u64;
    for row in import.by_ref() {
        yielded += 1;
        assert!(yielded <= lines, "{yielded} rows from {lines} lines: reading does not end");
        match row {
            Ok(expense) => expenses.push(expense),
            Err(error) => {
                assert_row_error_points_into(&error, path, lines);
                row_errors.push(error);
            }
        }
    }
    assert!(import.next().is_none(), "rows after the end");
    let summary = import.summary().clone();
    assert_eq!(summary.rows_read, yielded, "the summary counts what was yielded");
    Ok(Outcome { expenses, row_errors, summary })
}

#[track_caller]
fn assert_names_file(message: &str, path: &Path) {
    let name = path.display().to_string();
    assert!(message.contains(&name), "error does not name the file: {message}");
}

#[track_caller]
fn assert_row_error_points_into(error: &RowError, path: &Path, lines: u64) {
    assert_eq!(error.file(), path);
    assert!((1..=lines).contains(&error.line()), "line {} of {lines}: {error}", error.line());
    let place = format!("{}:{}: ", path.display(), error.line());
    assert!(error.to_string().starts_with(&place), "{error}");
}

/// The option sets the `import` fuzz target runs every input with: all
/// sniffed, then decimal comma with day-first dates, then the opposite.
fn export_option_sets() -> [ImportOptions; 3] {
    let told = |comma: bool, format: &str| ImportOptions {
        decimal_comma: Some(comma),
        date_format: Some(format.to_owned()),
        ..ImportOptions::default()
    };
    [ImportOptions::default(), told(true, "%d/%m/%Y"), told(false, "%m/%d/%Y")]
}

/// The option sets of the `sae` fuzz target: SAE forced, as sniffed, then
/// with a decimal comma and an explicit ISO date format.
fn sae_option_sets() -> [ImportOptions; 2] {
    let sae = ImportOptions { format: Some(FileFormat::Sae), ..ImportOptions::default() };
    let told = ImportOptions {
        decimal_comma: Some(true),
        date_format: Some("%Y-%m-%d".to_owned()),
        ..sae.clone()
    };
    [sae, told]
}

/// Proptest settings: few cases unless `PROPTEST_CASES` asks for more, and
/// no regression files written into the source tree (a failure found here
/// becomes a file in `fixtures/fuzz/` or a named test instead).
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48);
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------------------
// Building files.

/// Joins cells into one line, quoting the cells marked for it.
fn csv_line(cells: &[(String, bool)], delimiter: char) -> String {
    let quoted = cells.iter().map(|(cell, quote)| match quote {
        true => format!("\"{}\"", cell.replace('"', "\"\"")),
        false => cell.clone(),
    });
    let mut line = quoted.collect::<Vec<_>>().join(&delimiter.to_string());
    line.push('\n');
    line
}

/// A minimal export: an ISO date, a vendor and the given amount, quoted.
fn one_row_export(amount: &str) -> String {
    let amount = amount.replace('"', "\"\"");
    format!("Transaction Date,Vendor,Amount\n2026-03-01,Acme,\"{amount}\"\n")
}

/// Text encoded the way a file on disk would hold it, BOM included.
fn encode(text: &str, encoding: &'static Encoding, bom: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    if encoding == UTF_16LE || encoding == UTF_16BE {
        let little = encoding == UTF_16LE;
        bytes.extend_from_slice(if little { b"\xff\xfe" } else { b"\xfe\xff" });
        for unit in text.encode_utf16() {
            let pair = if little { unit.to_le_bytes() } else { unit.to_be_bytes() };
            bytes.extend_from_slice(&pair);
        }
        return bytes;
    }
    if bom {
        bytes.extend_from_slice(b"\xef\xbb\xbf");
    }
    bytes.extend_from_slice(&encoding.encode(text).0);
    bytes
}

/// One SAE DETAIL line with the columns the reader uses filled in.
fn sae_detail(entry: &str, date: &str, amount: &str, vendor: &str) -> String {
    let mut cells = vec![String::new(); 146];
    let fields = [(1, "DETAIL"), (5, "E1"), (61, entry), (64, date), (71, vendor), (125, amount)];
    for (column, value) in fields {
        cells[column - 1] = value.to_owned();
    }
    cells.join("|")
}

// ---------------------------------------------------------------------------
// Strategies.

/// Cells an export might hold, and cells it should not.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2})?",
        "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{2,4}",
        "[-+($€]{0,2}[0-9]{0,4}([.,' ][0-9]{0,3}){0,3}[)-]?( EUR)?",
        "(Total|Subtotal|Count|Report generated|Page )[ a-z0-9:]{0,8}",
        "[A-Za-z*#. ]{1,16}",
        "\\PC{0,16}",
        "[\",;|\t\r\n ]{1,4}",
    ]
}

fn quoted_cell() -> impl Strategy<Value = (String, bool)> {
    (cell(), any::<bool>())
}

/// A header naming the three required columns and some others, shuffled.
fn header() -> impl Strategy<Value = Vec<String>> {
    let optional = vec![
        "Currency",
        "Entry Key",
        "Business Purpose",
        "Expense Type",
        "Transaction Amount",
        "Personal",
        "Report ID",
        "Employee",
    ];
    subsequence(optional, 0..=4)
        .prop_map(|mut names| {
            names.extend(["Transaction Date", "Vendor", "Amount"]);
            names.into_iter().map(str::to_owned).collect::<Vec<_>>()
        })
        .prop_shuffle()
}

/// Something close to an export: maybe title lines, a header, rows of
/// arbitrary cells (some with too many or too few), maybe a footer.
fn near_export() -> impl Strategy<Value = String> {
    let rows = prop::collection::vec(prop::collection::vec(quoted_cell(), 0..10), 0..12);
    let delimiter = select(vec![',', ';', '\t', '|']);
    (header(), rows, delimiter, "(Expense report\n\n)?", "(Total,,1\n)?").prop_map(
        |(header, rows, delimiter, title, footer)| {
            let header: Vec<(String, bool)> = header.into_iter().map(|h| (h, false)).collect();
            let mut text = title;
            text.push_str(&csv_line(&header, delimiter));
            for row in &rows {
                text.push_str(&csv_line(row, delimiter));
            }
            text.push_str(&footer);
            text
        },
    )
}

/// Bytes drawn mostly from the characters that give CSV its structure, so
/// that random files are more than one long field.
fn structured_bytes() -> impl Strategy<Value = Vec<u8>> {
    let mut alphabet: Vec<u8> = b"\",;|\t\r\n .-/()$0123456789aDETAILXRC".to_vec();
    alphabet.extend_from_slice(&[0x00, 0xef, 0xbb, 0xbf, 0xfe, 0xff, 0xc3, 0xa9, 0x80]);
    prop::collection::vec(select(alphabet), 0..1024)
}

/// An amount in cents and a way to write it, with the decimal mark the
/// spelling uses.
fn spelled_amount() -> impl Strategy<Value = (i64, String, bool)> {
    let cents = -10_000_000_000i64..10_000_000_000;
    (cents, 0..8usize).prop_map(|(cents, style)| {
        let (text, comma) = spell_cents(cents, style);
        (cents, text, comma)
    })
}

/// Writes cents in one of eight spellings; the flag says decimal comma.
fn spell_cents(cents: i64, style: usize) -> (String, bool) {
    let negative = cents < 0;
    let units = (cents.unsigned_abs() / 100).to_string();
    let fraction = format!("{:02}", cents.unsigned_abs() % 100);
    let (body, comma) = match style {
        0 => (format!("{units}.{fraction}"), false),
        1 => (format!("{}.{fraction}", group(&units, ",")), false),
        2 => (format!("${}.{fraction}", group(&units, ",")), false),
        3 => (format!("{}.{fraction} USD", group(&units, "'")), false),
        4 => (format!("{units},{fraction}"), true),
        5 => (format!("{},{fraction}", group(&units, ".")), true),
        6 => (format!("{},{fraction} EUR", group(&units, "\u{a0}")), true),
        _ => (format!("€ {},{fraction}", group(&units, " ")), true),
    };
    let text = match (negative, style % 3) {
        (false, _) => body,
        (true, 0) => format!("-{body}"),
        (true, 1) => format!("({body})"),
        (true, _) => format!("{body}-"),
    };
    (text, comma)
}

/// Digits in groups of three from the right.
fn group(digits: &str, separator: &str) -> String {
    let mut out = String::new();
    for (idx, digit) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1970i32..2068, 1u32..=12, 1u32..=28)
        .prop_map(|(year, month, day)| NaiveDate::from_ymd_opt(year, month, day).unwrap())
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for options in export_option_sets() {
            let _ = read_bytes(&bytes, &options);
        }
        for options in sae_option_sets() {
            let _ = read_bytes(&bytes, &options);
        }
    }

    #[test]
    fn structured_bytes_never_panic(bytes in structured_bytes()) {
        for options in export_option_sets() {
            let _ = read_bytes(&bytes, &options);
        }
        let _ = read_bytes(&bytes, &sae_option_sets()[0]);
    }

    #[test]
    fn near_exports_read_to_the_end(text in near_export()) {
        for options in export_option_sets() {
            if let Ok(outcome) = read_bytes(text.as_bytes(), &options) {
                let lines = text.lines().count();
                prop_assert!(outcome.expenses.len() + outcome.row_errors.len() <= lines);
            }
        }
    }

    /// The delimiter and encoding a file was written with are the ones the
    /// sniffer picks, and every row comes back with its vendor intact.
    #[test]
    fn sniffer_finds_delimiter_and_encoding(
        delimiter in select(vec![',', ';', '\t', '|']),
        vendors in prop::collection::vec("[A-Za-zé][A-Za-zé ]{0,14}[A-Za-zé]", 1..6),
        written in select(vec!["utf-8", "utf-8 bom", "utf-16le", "utf-16be", "windows-1252"]),
    ) {
        let d = delimiter;
        let mut text = format!("Transaction Date{d}Vendor{d}Amount{d}Currency\r\n");
        for vendor in &vendors {
            text.push_str(&format!("2026-03-01{d}{vendor}{d}12.50{d}EUR\r\n"));
        }
        let (encoding, bom) = match written {
            "utf-8" => (UTF_8, false),
            "utf-8 bom" => (UTF_8, true),
            "utf-16le" => (UTF_16LE, true),
            "utf-16be" => (UTF_16BE, true),
            _ => (WINDOWS_1252, false),
        };
        let outcome = read_bytes(&encode(&text, encoding, bom), &ImportOptions::default()).unwrap();

        let expected_encoding = match encoding == WINDOWS_1252 && text.is_ascii() {
            true => UTF_8.name(),
            false => encoding.name(),
        };
        prop_assert_eq!(outcome.summary.encoding, expected_encoding);
        prop_assert_eq!(outcome.summary.delimiter, delimiter as u8);
        prop_assert!(outcome.row_errors.is_empty(), "{:?}", outcome.row_errors);
        let read: Vec<&str> =
            outcome.expenses.iter().map(|e| e.vendor_description.as_str()).collect();
        prop_assert_eq!(read, vendors.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// Every spelling of an amount reads back to the exact cents, with the
    /// decimal mark sniffed from the amounts themselves.
    #[test]
    fn amounts_read_back_exactly(amounts in prop::collection::vec(spelled_amount(), 1..5)) {
        let comma = amounts[0].2;
        let same_mark: Vec<_> = amounts.iter().filter(|(_, _, c)| *c == comma).collect();
        let mut text = "Transaction Date;Vendor;Amount\n".to_owned();
        for (_, spelled, _) in &same_mark {
            text.push_str(&format!("2026-03-01;Acme;\"{spelled}\"\n"));
        }
        let outcome = read_bytes(text.as_bytes(), &ImportOptions::default()).unwrap();

        prop_assert_eq!(outcome.summary.decimal_comma, comma);
        prop_assert!(outcome.row_errors.is_empty(), "{:?} in\n{}", outcome.row_errors, text);
        let read: Vec<Decimal> = outcome.expenses.iter().map(|e| e.amount).collect();
        let expected: Vec<Decimal> =
            same_mark.iter().map(|(cents, _, _)| Decimal::new(*cents, 2)).collect();
        prop_assert_eq!(read, expected);
    }

    /// Whatever the amount cell holds, the row is an expense or an error
    /// naming line 2 and the amount column.
    #[test]
    fn any_amount_cell_is_a_value_or_a_located_error(
        raw in prop_oneof!["\\PC{0,14}", "[-+()$€0-9.,' a-zA-Z]{0,14}"],
        comma in any::<bool>(),
    ) {
        let options = ImportOptions { decimal_comma: Some(comma), ..ImportOptions::default() };
        let outcome = read_bytes(one_row_export(&raw).as_bytes(), &options).unwrap();
        prop_assert_eq!(outcome.expenses.len() + outcome.row_errors.len(), 1);
        if let Some(error) = outcome.row_errors.first() {
            prop_assert_eq!(error.line(), 2);
            prop_assert_eq!(error.column(), Some("Amount"));
        }
    }

    /// A date in any accepted spelling reads back to the same day; a slash
    /// date needs another row of its column to prove the order.
    #[test]
    fn dates_read_back_exactly(day in date(), style in 0..6usize) {
        let (spelled, anchor) = match style {
            0 => (day.format("%Y-%m-%d").to_string(), "2026-12-31"),
            1 => (format!("{}T14:05:00", day.format("%Y-%m-%d")), "2026-12-31"),
            2 => (day.format("%d.%m.%Y").to_string(), "31.12.2026"),
            3 => (day.format("%d.%m.%y").to_string(), "31.12.2026"),
            4 => (day.format("%d/%m/%Y").to_string(), "31/12/2026"),
            _ => (day.format("%m/%d/%Y 10:30 AM").to_string(), "12/31/2026"),
        };
        let text = format!(
            "Transaction Date,Vendor,Amount\n{spelled},Acme,1.50\n{anchor},Acme,2.50\n"
        );
        let outcome = read_bytes(text.as_bytes(), &ImportOptions::default()).unwrap();
        prop_assert!(outcome.row_errors.is_empty(), "{:?}", outcome.row_errors);
        prop_assert_eq!(outcome.expenses[0].date, day);
    }

    /// Whatever the date cell holds, the row is an expense, a skipped note,
    /// or an error naming line 2.
    #[test]
    fn any_date_cell_is_a_value_a_note_or_a_located_error(
        raw in prop_oneof!["\\PC{0,14}", "[0-9/.: TAPM-]{0,14}"],
        format in select(vec![None, Some("%d/%m/%Y"), Some("%Y%m%d %H%M")]),
    ) {
        let options = ImportOptions {
            date_format: format.map(str::to_owned),
            decimal_comma: Some(false),
            ..ImportOptions::default()
        };
        let text = format!("Transaction Date,Vendor,Amount\n\"{}\",Acme,1.50\n", raw.replace('"', "\"\""));
        if let Ok(outcome) = read_bytes(text.as_bytes(), &options) {
            prop_assert!(outcome.expenses.len() + outcome.row_errors.len() <= 1);
            if let Some(error) = outcome.row_errors.first() {
                prop_assert_eq!(error.line(), 2);
            }
        }
    }

    /// SAE: every DETAIL line is either an entry (or its error) or merged
    /// into an entry already read, and nothing else.
    #[test]
    fn sae_detail_lines_are_each_read_or_merged(
        lines in prop::collection::vec(
            (select(vec!["", "A1", "A2", "B7"]), cell(), cell(), "[A-Za-z *]{0,12}"),
            0..8,
        ),
    ) {
        let mut text = format!("EXTRACT|2026-03-31|{}|0|BATCH\n", lines.len());
        for (entry, date, amount, vendor) in &lines {
            let date = date.replace(['|', '"', '\n', '\r'], " ");
            let amount = amount.replace(['|', '"', '\n', '\r'], " ");
            text.push_str(&sae_detail(entry, &date, &amount, vendor));
            text.push('\n');
        }
        let outcome = read_bytes(text.as_bytes(), &ImportOptions::default()).unwrap();
        let summary = &outcome.summary;
        prop_assert_eq!(summary.format, FileFormat::Sae);
        prop_assert_eq!(summary.sae_detail_lines, lines.len() as u64);
        prop_assert_eq!(summary.rows_read + summary.sae_lines_merged, lines.len() as u64);
        prop_assert_eq!(summary.sae_count_mismatch(), None);
    }
}

// ---------------------------------------------------------------------------
// Files that are not exports.

#[test]
fn a_png_is_refused_as_an_image() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(b"IHDR junk that is not text at all \xde\xad\xbe\xef\n,;|\t");
    let file = temp_file(&png);
    let error = open(file.path(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::NotText { format: Some("a PNG image"), .. }), "{error}");
    assert_names_file(&error.to_string(), file.path());
}

#[test]
fn an_xlsx_workbook_is_refused_as_a_zip_archive() {
    let file = temp_file(b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml");
    let error = open(file.path(), &ImportOptions::default()).unwrap_err();
    assert!(error.to_string().contains(".xlsx"), "{error}");
}

#[test]
fn an_empty_file_is_refused_as_empty() {
    let file = temp_file(b"");
    let error = open(file.path(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::Empty { .. }), "{error}");
    assert_names_file(&error.to_string(), file.path());
}

#[test]
fn a_file_of_blank_lines_has_no_header() {
    let error = read_bytes(b"\xef\xbb\xbf\r\n\n  \n\t\n", &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::NoHeader { .. }), "{error}");
}

/// Peak resident memory of this process, where the system reports it.
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// 64 MiB with no newline: refused at the first record, naming line 1,
/// without the record ever being held in memory.
#[test]
fn one_enormous_line_is_refused_without_buffering_it() {
    let mut file = NamedTempFile::new().unwrap();
    let chunk = vec![b'a'; MIB];
    for _ in 0..64 {
        file.write_all(&chunk).unwrap();
    }
    drop(chunk);

    let error = open(file.path(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::RecordTooLong { line: 1, .. }), "{error}");
    assert!(error.to_string().starts_with(&format!("{}:1: ", file.path().display())), "{error}");
    if let Some(peak) = peak_memory_bytes() {
        assert!(peak < 48 * MIB as u64, "peak memory {} MiB", peak / MIB as u64);
    }
}

/// An unclosed quote turns the rest of the file into one field; the read
/// stops at the limit and names the line where the quote opened.
#[test]
fn an_unclosed_quote_is_refused_at_the_line_it_opens() {
    let mut text = "Transaction Date,Vendor,Amount\n2026-03-01,Acme,1.50\n".to_owned();
    text.push_str("2026-03-02,\"Open quote,2.50\n");
    while text.len() < 2 * MIB {
        text.push_str("2026-03-03,Filler,3.50\n");
    }
    let error = read_bytes(text.as_bytes(), &ImportOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::RecordTooLong { line: 3, .. }), "{error}");
}

/// In an SAE file the rows stream without a survey, so an over-long line
/// is a row error that ends the read.
#[test]
fn an_enormous_sae_line_is_a_row_error_that_ends_the_read() {
    let mut text =
        format!("EXTRACT|2026-03-31|2|0|B\n{}\n", sae_detail("A1", "2026-03-01", "5", "X"));
    text.push_str(&"DETAIL|".repeat(MIB / 4));
    text.push_str(&format!("\n{}\n", sae_detail("A3", "2026-03-01", "5", "X")));
    let outcome = read_bytes(text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(outcome.expenses.len(), 1);
    assert_eq!(outcome.row_errors.len(), 1);
    let error = &outcome.row_errors[0];
    assert_eq!(error.line(), 3);
    assert!(error.to_string().contains("longer than 1 MiB"), "{error}");
}

/// A long cell within the limit is an ordinary value.
#[test]
fn a_long_cell_under_the_limit_is_read() {
    let vendor = "v".repeat(MIB - 1000);
    let text = format!("Transaction Date,Vendor,Amount\n2026-03-01,{vendor},1.50\n");
    let outcome = read_bytes(text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(outcome.expenses.len(), 1);
    assert_eq!(outcome.expenses[0].vendor_description.len(), vendor.len());
}

// ---------------------------------------------------------------------------
// Inputs the fuzzer found.

fn fuzz_inputs(target: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz").join(target);
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "bin"))
        .collect();
    files.sort();
    files
}

/// Replays every saved input of a target with each of its option sets,
/// collecting the files that still panic so that one run names them all.
fn replay(target: &str, option_sets: &[ImportOptions]) {
    let mut failing = Vec::new();
    for path in fuzz_inputs(target) {
        let bytes = std::fs::read(&path).unwrap();
        let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        for options in option_sets {
            let file = temp_file(&bytes);
            let run = || drop(read_path(file.path(), lines, options));
            if std::panic::catch_unwind(run).is_err() {
                failing.push(format!("{} with {options:?}", path.display()));
            }
        }
    }
    assert!(failing.is_empty(), "fuzz inputs that still fail: {failing:#?}");
}

#[test]
fn saved_import_fuzz_inputs_still_read() {
    replay("import", &export_option_sets());
}

#[test]
fn saved_sae_fuzz_inputs_still_read() {
    replay("sae", &sae_option_sets());
}

//! Deterministic synthetic inputs for the benchmark: Concur report exports
//! of any size, in the same shape as the shipped sample (title lines, the
//! 16 report-export columns, quoted amounts, a total line), with SaaS
//! charges drawn from the whole catalog under the noise card statements
//! add, and the travel, meal and shop lines that make up most spend.

use crate::sample::Dice;
use anyhow::Context;
use spendmap_matcher::Catalog;
use std::io::{BufWriter, Write};
use std::path::Path;

/// The report-export header, as in the sample.
pub(crate) const HEADER: &str = "Report Key,Report Name,Employee ID,Employee,Entry Key,\
    Transaction Date,Expense Type,Spend Category Code,Vendor,Purpose,Payment Type,Personal,\
    Transaction Amount,Transaction Currency,Approved Amount (rpt),Reimbursement Currency";

/// Non-software lines: descriptor, expense type, category, purpose.
const OTHER: &[(&str, &str, &str, &str)] = &[
    ("MARRIOTT SAN FRANCISCO", "Hotel", "LODNG", "Customer visit"),
    ("HILTON HOTELS 00412", "Hotel", "LODNG", "Dreamforce - Salesforce conference"),
    ("DELTA AIR LINES 0062341234567", "Airfare", "AIRFR", "Flight to client"),
    ("UBER *TRIP HELP.UBER.COM CA", "Taxi", "GTRAN", "Airport to hotel"),
    ("LYFT *RIDE TUE 8AM", "Taxi", "GTRAN", "Client meeting"),
    ("TST* LUCKY TABLE SEATTLE", "Business Meal", "MEALS", "Lunch with the Zoom rep"),
    ("STARBUCKS STORE 10442", "Business Meal", "MEALS", "Coffee with candidate"),
    ("GUSTO PIZZERIA", "Business Meal", "MEALS", "Team lunch"),
    ("SQ *BASECAMP COFFEE", "Business Meal", "MEALS", "Offsite coffee"),
    ("STAPLES 00123", "Office Supplies", "OFFIC", "Printer paper"),
    ("AMZN Mktp US*2K3LM8QZ1", "Office Supplies", "OFFIC", "Desk accessories"),
    ("CITY PARKING GARAGE", "Parking", "GTRAN", "Parking at client"),
    ("SHELL OIL 57442", "Fuel", "GTRAN", "Rental car fuel"),
    ("HERTZ RENT-A-CAR", "Car Rental", "GTRAN", "Car for site visit"),
    ("DROPBOX CAFE & BAKERY", "Business Meal", "MEALS", "Breakfast meeting"),
];

/// Share of lines that are SaaS charges, in percent.
const SAAS_PERCENT: u64 = 35;

/// Write an export of `rows` expense lines to `path`.
pub(crate) fn write_export(path: &Path, rows: usize, catalog: &Catalog) -> anyhow::Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut dice = Dice(0x5eed_0000_0000_0001 ^ rows as u64);

    write!(out, "Northwind Trading (benchmark data) - Expense Entry Detail\r\n\r\n{HEADER}\r\n")?;
    let mut total_cents: u64 = 0;
    for row in 0..rows {
        total_cents += write_row(&mut out, &mut dice, row, catalog)?;
    }
    write!(out, "Total,,,,,,,,,,,,,,\"{}.{:02}\",\r\n", total_cents / 100, total_cents % 100)?;
    out.flush().with_context(|| format!("could not write {}", path.display()))
}

/// One line; returns its amount in cents.
fn write_row(
    out: &mut impl Write,
    dice: &mut Dice,
    row: usize,
    catalog: &Catalog,
) -> anyhow::Result<u64> {
    let employee = dice.below(4000);
    let report = row / 8;
    let month = 1 + dice.below(12);
    let day = 1 + dice.below(28);
    let cents = 500 + dice.next() % 90_000;

    let (vendor, expense_type, category, purpose) = if dice.next() % 100 < SAAS_PERCENT {
        saas_line(dice, catalog)
    } else {
        let (vendor, expense_type, category, purpose) = OTHER[dice.below(OTHER.len())];
        (vendor.to_owned(), expense_type, category, purpose.to_owned())
    };
    write!(
        out,
        "{report},\"Expenses {month:02}/2026\",E{employee:05},Employee {employee},{row},\
         {month:02}/{day:02}/2026,{expense_type},{category},\"{vendor}\",\"{purpose}\",\
         Company Card,N,\"{}.{:02}\",USD,\"{}.{:02}\",USD\r\n",
        cents / 100,
        cents % 100,
        cents / 100,
        cents % 100
    )?;
    Ok(cents)
}

/// A SaaS charge for a random catalog app, under one of the forms card
/// statements use.
fn saas_line(dice: &mut Dice, catalog: &Catalog) -> (String, &'static str, &'static str, String) {
    let apps = catalog.apps();
    let app = &apps[dice.below(apps.len())];
    let name = app.name.to_uppercase().replace('"', "");
    let vendor = match dice.below(5) {
        0 if !app.domain.is_empty() => app.domain.to_uppercase(),
        1 => format!("PAYPAL *{name}"),
        2 => format!("{name} {:010}", dice.next() % 10_000_000_000),
        3 => format!("{name} INC 888-555-{:04} CA", dice.below(10_000)),
        _ => name.clone(),
    };
    let purpose = format!("{} subscription", app.name.replace('"', ""));
    (vendor, "Software", "SUBSC", purpose)
}

/// The same rows as plain CSV (header and rows only), for `psql \copy`.
pub(crate) fn write_plain_copy(export: &Path, plain: &Path) -> anyhow::Result<()> {
    let text = std::fs::read(export).with_context(|| format!("reading {}", export.display()))?;
    let start = find(&text, b"Report Key,").context("no header")?;
    let end = find(&text, b"\r\nTotal,").map_or(text.len(), |at| at + 2);
    std::fs::write(plain, &text[start..end]).with_context(|| format!("writing {}", plain.display()))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

//! `cargo xtask sample`: writes the synthetic Concur export the README's
//! main command imports (`fixtures/sample/concur-expense-export.csv`).
//!
//! Every person, company and number in it is invented. The generator is
//! deterministic (a fixed-seed xorshift), so re-running it rewrites the same
//! bytes and the file can be committed and reviewed.

use anyhow::Context;
use std::fmt::Write as _;
use std::path::Path;

/// Where the sample goes, relative to the workspace root.
pub(crate) const SAMPLE_PATH: &str = "fixtures/sample/concur-expense-export.csv";

const EMPLOYEES: usize = 60;
const REPORTS_PER_EMPLOYEE: usize = 9;

/// A merchant the generator can draw: descriptor, expense type, spend
/// category code, purpose, and an amount range in dollars.
struct Merchant {
    descriptor: &'static str,
    expense_type: &'static str,
    category: &'static str,
    purpose: &'static str,
    low: u32,
    high: u32,
}

const fn m(
    descriptor: &'static str,
    expense_type: &'static str,
    category: &'static str,
    purpose: &'static str,
    low: u32,
    high: u32,
) -> Merchant {
    Merchant { descriptor, expense_type, category, purpose, low, high }
}

const SOFTWARE: &str = "Software/Subscriptions";

/// Card descriptors of software, written the way statements print them.
const SAAS: &[Merchant] = &[
    m("ZOOM.US 888-799-9666 CA", SOFTWARE, "SUBSC", "Zoom Pro monthly", 15, 16),
    m("SLACK T019XW2LQ SLACK.COM", SOFTWARE, "SUBSC", "Slack for the team", 8, 90),
    m("GOOGLE *GSUITE_northwind.example", SOFTWARE, "SUBSC", "Workspace seats", 12, 150),
    m("ADOBE *CREATIVE CLD 408-536-6000", SOFTWARE, "SUBSC", "Creative Cloud", 55, 90),
    m("FIGMA.COM", SOFTWARE, "SUBSC", "Figma professional", 15, 45),
    m("NOTION LABS INC", SOFTWARE, "SUBSC", "Notion team plan", 10, 80),
    m("GITHUB, INC. 8776484482 CA", SOFTWARE, "SUBSC", "GitHub Team", 4, 84),
    m("OPENAI *CHATGPT SUBSCR", SOFTWARE, "SUBSC", "ChatGPT Plus", 20, 20),
    m("ANTHROPIC", SOFTWARE, "SUBSC", "Claude Pro", 20, 20),
    m("CANVA* I04123-12345", SOFTWARE, "SUBSC", "Canva Pro", 13, 15),
    m("DROPBOX*8K2JQ7ZX1", SOFTWARE, "SUBSC", "Dropbox Plus", 12, 20),
    m("ATLASSIAN B.V. AMSTERDAM", SOFTWARE, "SUBSC", "Jira Software cloud", 80, 400),
    m("MSFT * E0800ABCDE", SOFTWARE, "SUBSC", "Microsoft 365", 12, 22),
    m(
        "AMAZON WEB SERVICES AWS.AMAZON.CO WA",
        "Computer Equipment/Software",
        "COMPU",
        "AWS bill",
        30,
        900,
    ),
    m("DOCUSIGN INC", SOFTWARE, "SUBSC", "DocuSign for contracts", 25, 65),
    m("CALENDLY", SOFTWARE, "SUBSC", "Calendly", 10, 16),
    m("MIRO.COM", SOFTWARE, "SUBSC", "Miro board", 8, 16),
    m("1PASSWORD", SOFTWARE, "SUBSC", "Password manager", 8, 8),
    m("GRAMMARLY CO", SOFTWARE, "SUBSC", "Grammarly", 12, 30),
    m("LOOM.COM", SOFTWARE, "SUBSC", "Loom recordings", 12, 15),
    m("MAILCHIMP *MONTHLY", "Marketing Software", "ADVTG", "Newsletter", 20, 350),
    m("HUBSPOT INC", SOFTWARE, "SUBSC", "HubSpot starter", 20, 800),
    m("SURVEYMONKEY", SOFTWARE, "SUBSC", "Customer survey", 25, 99),
    m("DIGITALOCEAN.COM", "Computer Equipment/Software", "COMPU", "Droplets", 6, 120),
    m("ASANA.COM", SOFTWARE, "SUBSC", "Asana premium", 11, 25),
    m("MONDAY.COM", SOFTWARE, "SUBSC", "Monday work management", 9, 19),
    m("INTUIT *QBOOKS ONLINE", SOFTWARE, "SUBSC", "QuickBooks", 30, 90),
    m("LINKEDIN PREMIUM", "Dues & Subscriptions", "FEESD", "Sales Navigator", 40, 100),
    m("ZAPIER.COM/CHARGE", SOFTWARE, "SUBSC", "Zapier automations", 20, 70),
    m("AIRTABLE.COM", SOFTWARE, "SUBSC", "Airtable", 20, 45),
    m("DATADOG INC", SOFTWARE, "SUBSC", "Monitoring", 15, 300),
    m("SENTRY.IO", SOFTWARE, "SUBSC", "Error tracking", 26, 80),
    m("JETBRAINS", SOFTWARE, "SUBSC", "IDE licence", 17, 25),
    m("PAYPAL *GITHUB", SOFTWARE, "SUBSC", "Copilot", 10, 19),
    m("TWILIO SENDGRID", SOFTWARE, "SUBSC", "Email API", 20, 90),
    m("TYPEFORM", SOFTWARE, "SUBSC", "Forms", 25, 50),
    m("WEBFLOW.COM", SOFTWARE, "SUBSC", "Website", 14, 39),
    m("SEMRUSH", "Marketing Software", "ADVTG", "SEO tool", 130, 250),
    m("LUCID SOFTWARE", SOFTWARE, "SUBSC", "Lucidchart", 8, 12),
    m("VERCEL INC.", SOFTWARE, "SUBSC", "Hosting", 20, 60),
];

/// Everything else employees expense, including the traps: a hotel for a
/// Salesforce conference, Gusto the pizzeria, Basecamp the coffee shop.
const OTHER: &[Merchant] = &[
    m("MARRIOTT SAN FRANCISCO", "Hotel", "LODNG", "Customer visit", 180, 420),
    m("HILTON HOTELS 00412", "Hotel", "LODNG", "Dreamforce - Salesforce conference", 210, 480),
    m("HYATT REGENCY CHICAGO", "Hotel", "LODNG", "Sales kickoff", 160, 390),
    m("DELTA AIR LINES 0062341234567", "Airfare", "AIRFR", "Flight to client", 180, 900),
    m("UNITED 0162345678901", "Airfare", "AIRFR", "Conference travel", 150, 850),
    m("LUFTHANSA 2201234567890", "Airfare", "AIRFR", "Berlin office visit", 300, 1400),
    m("UBER *TRIP HELP.UBER.COM CA", "Taxi", "GTRAN", "Airport to hotel", 18, 75),
    m("LYFT *RIDE TUE 8AM", "Taxi", "GTRAN", "Client meeting", 12, 48),
    m("UBER EATS", "Meals", "MEALS", "Team dinner while on call", 25, 140),
    m("TST* LUCKY TABLE SEATTLE", "Business Meal", "MEALS", "Lunch with Zoom rep", 40, 180),
    m("STARBUCKS STORE 10442", "Business Meal", "MEALS", "Coffee with candidate", 5, 22),
    m("GUSTO PIZZERIA", "Business Meal", "MEALS", "Team lunch", 60, 240),
    m("SQ *BASECAMP COFFEE", "Business Meal", "MEALS", "Offsite coffee", 8, 40),
    m("APPLEBEE'S 1234", "Business Meal", "MEALS", "Dinner with prospect", 35, 120),
    m("STAPLES 00123", "Office Supplies", "OFFIC", "Printer paper", 10, 90),
    m("AMZN Mktp US*2K3LM8QZ1", "Office Supplies", "OFFIC", "Desk accessories", 12, 160),
    m("CITY PARKING GARAGE", "Parking", "GTRAN", "Parking at client", 8, 45),
    m("SHELL OIL 57442", "Fuel", "GTRAN", "Rental car fuel", 30, 80),
    m("HERTZ RENT-A-CAR", "Car Rental", "GTRAN", "Car for site visit", 90, 400),
    m("DROPBOX CAFE & BAKERY", "Business Meal", "MEALS", "Breakfast meeting", 15, 60),
    m("FRONT DESK INCIDENTALS", "Hotel", "LODNG", "Hotel incidentals", 10, 60),
];

const FIRST: &[&str] = &[
    "Avery", "Blake", "Casey", "Dana", "Emery", "Finley", "Gray", "Harper", "Indy", "Jordan",
    "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Tatum",
];
const LAST: &[&str] = &[
    "Abernathy",
    "Brightwater",
    "Calloway",
    "Dunmore",
    "Ellsworth",
    "Fairbanks",
    "Galloway",
    "Hollister",
    "Ingram",
    "Jessup",
    "Kingsley",
    "Lockhart",
    "Merriweather",
    "Northcott",
];

/// Deterministic pseudo-random numbers (xorshift64*), so the sample (and
/// the benchmark's exports) are the same bytes on every run.
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn cents_between(&mut self, low: u32, high: u32) -> u64 {
        let low = u64::from(low) * 100;
        let high = u64::from(high) * 100 + 99;
        low + self.next() % (high - low + 1)
    }
}

pub(crate) fn write_sample(root: &Path) -> anyhow::Result<()> {
    let text = sample_text();
    let path = root.join(SAMPLE_PATH);
    std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn sample_text() -> String {
    let mut dice = Dice(0x5eed_cafe_f00d_0001);
    let mut out = String::new();
    out.push_str("Northwind Trading (sample data) - Expense Entry Detail\r\n");
    out.push_str("Report run 12/01/2026 by Concur Intelligence\r\n\r\n");
    out.push_str(
        "Report Key,Report Name,Employee ID,Employee,Entry Key,Transaction Date,Expense Type,\
         Spend Category Code,Vendor,Purpose,Payment Type,Personal,Transaction Amount,\
         Transaction Currency,Approved Amount (rpt),Reimbursement Currency\r\n",
    );

    let mut total_cents: i64 = 0;
    let mut entry_key = 880_000;
    for employee in 0..EMPLOYEES {
        let person = format!("{} {}", FIRST[employee % FIRST.len()], LAST[employee % LAST.len()]);
        let login = format!("E{:04}", 1000 + employee);
        let currency = if employee % 10 == 7 { "EUR" } else { "USD" };
        for report in 0..REPORTS_PER_EMPLOYEE {
            let month = 1 + (report + employee) % 11;
            let report_key = format!("{}{:02}", 4000 + employee, report);
            let report_name = format!("{} {} 2026", month_name(month), report_title(&mut dice));
            for _ in 0..(3 + dice.below(5)) {
                entry_key += 1;
                let row = Row::draw(&mut dice, month, currency);
                total_cents += row.signed_cents();
                row.write(&mut out, &report_key, &report_name, &login, &person, entry_key);
            }
        }
    }

    let _ = write!(out, "Total,,,,,,,,,,,,,,\"{}\",\r\n", money(total_cents));
    out.push_str("Confidential - generated for demonstration\r\n");
    out
}

/// One drawn expense line.
struct Row {
    merchant: &'static Merchant,
    day: usize,
    month: usize,
    cents: u64,
    refund: bool,
    personal: bool,
    currency: &'static str,
}

impl Row {
    fn draw(dice: &mut Dice, month: usize, currency: &'static str) -> Row {
        let saas = dice.below(100) < 38;
        let merchant =
            if saas { &SAAS[dice.below(SAAS.len())] } else { &OTHER[dice.below(OTHER.len())] };
        Row {
            merchant,
            day: 1 + dice.below(28),
            month,
            cents: dice.cents_between(merchant.low, merchant.high),
            refund: saas && dice.below(60) == 0,
            personal: !saas && dice.below(40) == 0,
            currency,
        }
    }

    fn signed_cents(&self) -> i64 {
        let cents = self.cents as i64;
        if self.refund { -cents } else { cents }
    }

    fn write(
        &self,
        out: &mut String,
        report: &str,
        name: &str,
        login: &str,
        person: &str,
        key: u64,
    ) {
        let merchant = self.merchant;
        let amount = money(self.signed_cents());
        let purpose = if self.refund { "Refund of unused seats" } else { merchant.purpose };
        let _ = write!(
            out,
            "{report},{},{login},{},{key},{:02}/{:02}/2026,{},{},{},{},{},{},\"{amount}\",{},\"{amount}\",{}\r\n",
            quote(name),
            quote(person),
            self.month,
            self.day,
            quote(merchant.expense_type),
            merchant.category,
            quote(merchant.descriptor),
            quote(purpose),
            if merchant.category == "SUBSC" { "Company Card" } else { "Cash" },
            if self.personal { "Y" } else { "N" },
            self.currency,
            self.currency,
        );
    }
}

/// Cents as the US exports print them: `1,234.56`, `-12.00`.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (idx, digit) in whole.chars().enumerate() {
        if idx > 0 && (whole.len() - idx).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", cents % 100)
}

fn quote(text: &str) -> String {
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn month_name(month: usize) -> &'static str {
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
}

fn report_title(dice: &mut Dice) -> &'static str {
    ["Expenses", "Travel", "Tools, Travel and Meals", "Client visit", "Subscriptions"]
        [dice.below(5)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands_and_keeps_the_sign() {
        assert_eq!(money(12_345_678), "123,456.78");
        assert_eq!(money(-1_200), "-12.00");
        assert_eq!(money(5), "0.05");
    }

    #[test]
    fn the_committed_sample_is_what_the_generator_writes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let committed = std::fs::read_to_string(root.join(SAMPLE_PATH)).expect("sample exists");
        assert!(committed == sample_text(), "run `cargo xtask sample` and commit the result");
    }
}

//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Find the SaaS spend in SAP Concur expense data.
#[derive(Debug, Parser)]
#[command(name = "spendmap", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// Database: a SQLite file path, or a `sqlite:` or `postgres:` URL.
    /// Defaults to spendmap.db in your data directory.
    #[arg(long, global = true, env = "SPENDMAP_DB", value_name = "PATH|URL")]
    pub(crate) db: Option<String>,

    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Only errors on stderr; no progress.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Import Concur exports (report CSV, Excel Unicode text, or SAE files).
    Import(ImportArgs),
    /// Spend per app, month, employee or vendor.
    Report(ReportArgs),
    /// List stored expenses with their match, or the unmatched ones;
    /// `assign` and `ignore` correct one.
    Expenses(ExpensesArgs),
    /// Show how the matcher decided one expense: its fields as read, every
    /// term found, the expense-type gate and why the winner won.
    Explain(ExplainArgs),
    /// Add, list and remove your match and ignore rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Re-run matching over every stored expense (after rule changes).
    Match,
    /// Browse the SaaS catalog the matcher uses.
    Apps(AppsArgs),
    /// Connect to a live source (SAP Concur) once; `sync` uses it after.
    #[command(subcommand)]
    Connect(ConnectCommand),
    /// Pull new and changed expense reports from Concur, match and store
    /// them.
    Sync(SyncArgs),
    /// List stored connections (no secrets are shown).
    Connections {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Remove a stored connection and its secrets (its expenses stay).
    Disconnect {
        /// Which connection.
        #[arg(value_enum)]
        source: SourceName,
    },
}

/// A kind of live source.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum SourceName {
    /// SAP Concur web services.
    Concur,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ConnectCommand {
    /// Sign in to SAP Concur and store the connection. The client secret
    /// comes from CONCUR_CLIENT_SECRET and the password from
    /// CONCUR_PASSWORD, else from a hidden prompt; the password is never
    /// stored.
    Concur(ConnectConcurArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ConnectConcurArgs {
    /// Your data centre's base URI, e.g. https://us2.api.concursolutions.com.
    #[arg(long, value_name = "URI")]
    pub(crate) base_uri: String,

    /// The Client ID of your Concur app registration.
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: String,

    /// A Concur user with the Web Services Administrator role.
    #[arg(long, value_name = "USER")]
    pub(crate) username: String,

    /// Time-out of one request to Concur, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Reports modified on or after this date (YYYY-MM-DD). The first sync
    /// goes back one year without it.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub(crate) since: Option<chrono::NaiveDate>,

    /// Forget where earlier syncs stopped and read everything since
    /// `--since` (or one year back) again.
    #[arg(long)]
    pub(crate) full: bool,

    /// Reports whose entries are fetched at the same time.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub(crate) concurrency: u16,

    /// Time-out of one request to Concur, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub(crate) timeout: u64,

    /// Sends of one request at most before giving up (429, 5xx, time-outs).
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) max_attempts: u32,

    /// Reports per page asked of Concur (tests use small pages).
    #[arg(long, hide = true, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) page_size: u32,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Files to import.
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,

    /// Store the good rows and list the bad ones, instead of storing
    /// nothing from a file with a bad row.
    #[arg(long)]
    pub(crate) skip_bad_rows: bool,

    /// Text encoding when the file has no BOM (e.g. windows-1252, utf-8).
    #[arg(long, value_name = "LABEL")]
    pub(crate) encoding: Option<String>,

    /// Field delimiter: `,` `;` `|` or `tab` (sniffed when absent).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub(crate) delimiter: Option<u8>,

    /// Amounts use a decimal comma (1.234,56).
    #[arg(long, conflicts_with = "decimal_point")]
    pub(crate) decimal_comma: bool,

    /// Amounts use a decimal point (1,234.56).
    #[arg(long)]
    pub(crate) decimal_point: bool,

    /// Date format of the transaction dates, chrono style (e.g. %d/%m/%Y).
    #[arg(long, value_name = "FORMAT")]
    pub(crate) date_format: Option<String>,

    /// Map a column by name: ROLE=HEADER, e.g. --column amount="Net Amount".
    /// Roles: entry-id, date, vendor, purpose, expense-type,
    /// expense-type-code, spend-category, amount, transaction-amount,
    /// currency, employee, employee-name, report, report-name,
    /// payment-type, personal.
    #[arg(long = "column", value_name = "ROLE=HEADER")]
    pub(crate) columns: Vec<String>,

    /// File shape, when sniffing gets it wrong.
    #[arg(long, value_enum)]
    pub(crate) shape: Option<Shape>,

    /// Print the spend-per-app report after importing.
    #[arg(long)]
    pub(crate) report: bool,
}

/// What kind of export a file is.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Shape {
    /// A Concur report export (CSV or Excel Unicode text).
    Export,
    /// A Standard Accounting Extract (pipe-delimited, EXTRACT/DETAIL lines).
    Sae,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," | ";" | "|" => Ok(text.as_bytes()[0]),
        other => Err(format!("`{other}` is not one of `,` `;` `|` `tab`")),
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// A table for people.
    #[default]
    Table,
    /// One JSON array.
    Json,
    /// CSV with a header row.
    Csv,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub(crate) enum ReportBy {
    /// One line per app (vendor-only spend per vendor).
    #[default]
    App,
    /// One line per calendar month.
    Month,
    /// One line per employee.
    Employee,
    /// One line per vendor.
    Vendor,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// How to group spend.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) by: ReportBy,

    /// Only this app's spend: with `--by employee`, who expenses it.
    #[arg(long, value_name = "NAME")]
    pub(crate) app: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ExpensesArgs {
    /// Correct one expense instead of listing.
    #[command(subcommand)]
    pub(crate) action: Option<ExpenseAction>,

    /// Only expenses no rule or catalog entry matched.
    #[arg(long, conflicts_with = "app")]
    pub(crate) unmatched: bool,

    /// Only expenses matched to this app.
    #[arg(long, value_name = "NAME")]
    pub(crate) app: Option<String>,

    /// Only expenses of this vendor's apps, or its spend with the app
    /// unknown.
    #[arg(long, value_name = "NAME", conflicts_with = "unmatched")]
    pub(crate) vendor: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExpenseAction {
    /// Say which app an expense is for.
    Assign {
        /// The expense id, as `spendmap expenses` shows it.
        id: i64,
        /// The app (a catalog app, or a name of your own).
        #[arg(long)]
        app: String,
        /// The vendor of an app that is not in the catalog.
        #[arg(long)]
        vendor: Option<String>,
        /// Also add a rule for this vendor text, so that every expense with
        /// it (now and in later imports and syncs) gets the same app.
        #[arg(long)]
        remember: bool,
    },
    /// Say an expense is not SaaS spend.
    Ignore {
        /// The expense id, as `spendmap expenses` shows it.
        id: i64,
        /// Also add an ignore rule for this vendor text.
        #[arg(long)]
        remember: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The expense id, as `spendmap expenses` shows it.
    pub(crate) id: i64,

    /// Output format (json for machines).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Add a rule: `--app NAME` assigns an app, `--ignore` says "not SaaS".
    Add(RuleAddArgs),
    /// List rules.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Remove a rule by id.
    Remove {
        /// The rule id, as `rules list` shows it.
        id: i64,
    },
    /// Write every rule as TOML (to stdout, or a file), for a team to keep
    /// in version control.
    Export {
        /// The file to write; stdout when left out.
        file: Option<std::path::PathBuf>,
    },
    /// Add the rules of a TOML file made by `rules export`; rules already
    /// there are skipped, and a rule that contradicts one stops the import.
    Import {
        /// The file to read.
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["app", "ignore"])))]
pub(crate) struct RuleAddArgs {
    /// Text to look for (matched on word boundaries, case-insensitively).
    pub(crate) term: String,

    /// The app to assign (a catalog app, or a name of your own).
    #[arg(long)]
    pub(crate) app: Option<String>,

    /// The vendor of an app that is not in the catalog.
    #[arg(long, requires = "app")]
    pub(crate) vendor: Option<String>,

    /// Mark matching expenses as not SaaS spend.
    #[arg(long)]
    pub(crate) ignore: bool,

    /// Field to look in: vendor, purpose, expense-type or spend-category.
    #[arg(long, default_value = "vendor")]
    pub(crate) field: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppsArgs {
    /// Only apps whose name, vendor or category contains this text.
    pub(crate) search: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: OutputFormat,
}

/// `--since`: ISO dates only, said so when something else is given.
fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "expected a date as YYYY-MM-DD, such as 2025-01-31".to_owned())
}

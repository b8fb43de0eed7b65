//! What the caller can tell the importer: encoding, delimiter, decimal mark,
//! date format, column names and file format.

use std::fmt;
use std::str::FromStr;

/// Overrides for everything the importer would otherwise sniff. The default
/// sniffs everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Encoding label (`"windows-1252"`, `"utf-16le"`, `"latin1"`...) for
    /// files without a byte-order mark. A BOM always wins.
    pub encoding: Option<String>,
    /// Field delimiter (`b','`, `b';'`, `b'\t'`, `b'|'`).
    pub delimiter: Option<u8>,
    /// `Some(true)` for `1.234,56`, `Some(false)` for `1,234.56`.
    pub decimal_comma: Option<bool>,
    /// A chrono format string such as `%d/%m/%Y`, used for every date.
    pub date_format: Option<String>,
    /// Column names to use for a role instead of the built-in aliases.
    pub columns: Vec<(Role, String)>,
    /// The file format; sniffed from the first line when `None`.
    pub format: Option<FileFormat>,
}

impl ImportOptions {
    /// Parses a column override written as `role=Column Name` (quotes around
    /// the name are removed), as the command line's `--column` takes it.
    pub fn parse_column(spec: &str) -> Result<(Role, String), ParseRoleError> {
        let Some((role, name)) = spec.split_once('=') else {
            return Err(ParseRoleError(spec.to_owned()));
        };
        let name = name.trim().trim_matches('"').trim();
        Ok((role.parse()?, name.to_owned()))
    }
}

/// The kinds of export file the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// A report-tool export: a header row naming the columns, one row per
    /// entry, CSV or tab-separated.
    ReportExport,
    /// A Standard Accounting Extract: pipe-delimited, an `EXTRACT` line, then
    /// `DETAIL` lines by column number.
    Sae,
}

impl FileFormat {
    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::ReportExport => "export",
            FileFormat::Sae => "sae",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match compact(s).as_str() {
            "export" | "reportexport" | "csv" => Ok(FileFormat::ReportExport),
            "sae" | "extract" => Ok(FileFormat::Sae),
            _ => Err(format!("unknown file format `{s}` (expected export or sae)")),
        }
    }
}

/// What a column means to the importer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The entry's id or key; becomes the source id.
    EntryId,
    /// The transaction date.
    Date,
    /// The vendor or merchant text.
    Vendor,
    /// The business purpose the employee typed.
    Purpose,
    /// The expense type name.
    ExpenseType,
    /// The expense type code (`SUBSC`...).
    ExpenseTypeCode,
    /// The spend category name or code.
    SpendCategory,
    /// What the company paid (approved, else posted, else transaction).
    Amount,
    /// The amount in the transaction's own currency.
    TransactionAmount,
    /// Currency of the amount.
    Currency,
    /// Employee id or login.
    Employee,
    /// Employee display name.
    EmployeeName,
    /// Report id or key.
    Report,
    /// Report name.
    ReportName,
    /// Payment type (company card, cash...).
    PaymentType,
    /// Whether the entry is personal (Y/N).
    Personal,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 16] = [
        Role::EntryId,
        Role::Date,
        Role::Vendor,
        Role::Purpose,
        Role::ExpenseType,
        Role::ExpenseTypeCode,
        Role::SpendCategory,
        Role::Amount,
        Role::TransactionAmount,
        Role::Currency,
        Role::Employee,
        Role::EmployeeName,
        Role::Report,
        Role::ReportName,
        Role::PaymentType,
        Role::Personal,
    ];

    /// The snake_case name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::EntryId => "entry_id",
            Role::Date => "date",
            Role::Vendor => "vendor",
            Role::Purpose => "purpose",
            Role::ExpenseType => "expense_type",
            Role::ExpenseTypeCode => "expense_type_code",
            Role::SpendCategory => "spend_category",
            Role::Amount => "amount",
            Role::TransactionAmount => "transaction_amount",
            Role::Currency => "currency",
            Role::Employee => "employee",
            Role::EmployeeName => "employee_name",
            Role::Report => "report",
            Role::ReportName => "report_name",
            Role::PaymentType => "payment_type",
            Role::Personal => "personal",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let role = match compact(s).as_str() {
            "entryid" | "entrykey" | "id" => Role::EntryId,
            "date" | "transactiondate" => Role::Date,
            "vendor" | "vendordescription" | "merchant" => Role::Vendor,
            "purpose" | "businesspurpose" | "description" => Role::Purpose,
            "expensetype" | "expensetypename" | "type" => Role::ExpenseType,
            "expensetypecode" | "typecode" => Role::ExpenseTypeCode,
            "spendcategory" | "spendcategorycode" | "category" => Role::SpendCategory,
            "amount" => Role::Amount,
            "transactionamount" => Role::TransactionAmount,
            "currency" => Role::Currency,
            "employee" | "employeeid" => Role::Employee,
            "employeename" => Role::EmployeeName,
            "report" | "reportid" | "reportkey" => Role::Report,
            "reportname" => Role::ReportName,
            "paymenttype" => Role::PaymentType,
            "personal" | "ispersonal" => Role::Personal,
            _ => return Err(ParseRoleError(s.to_owned())),
        };
        Ok(role)
    }
}

/// A column role name that is not one of [`Role::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not ROLE=HEADER with a known role (entry-id, date, vendor, purpose, expense-type, \
     expense-type-code, spend-category, amount, transaction-amount, currency, employee, \
     employee-name, report, report-name, payment-type, personal)"
)]
pub struct ParseRoleError(String);

/// Lowercase ASCII letters and digits only, so `Expense Type`, `expense_type`
/// and `expense-type` all compare equal.
fn compact(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_flag_spellings() {
        assert_eq!("amount".parse::<Role>(), Ok(Role::Amount));
        assert_eq!("Expense-Type".parse::<Role>(), Ok(Role::ExpenseType));
        assert_eq!("transaction_amount".parse::<Role>(), Ok(Role::TransactionAmount));
        assert!("colour".parse::<Role>().is_err());
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn column_override_spec() {
        let parsed = ImportOptions::parse_column(r#"amount="Net Amount""#);
        assert_eq!(parsed, Ok((Role::Amount, "Net Amount".to_owned())));
        assert!(ImportOptions::parse_column("amount").is_err());
    }
}

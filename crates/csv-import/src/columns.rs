//! Which column plays which role in a report export, found by header name.
//!
//! Names compare case-, space- and underscore-insensitively, so
//! `Vendor Description`, `VendorDescription` and `vendor_description` are
//! one name. Each role lists its aliases in order of preference: with both
//! `Approved Amount (rpt)` and `Transaction Amount` present, the approved
//! amount is what the company paid.

use crate::Role;
use csv::StringRecord;

/// Header aliases per role, preferred first.
///
/// Besides Concur's English names, the common German, French and Spanish
/// names are here, because report exports follow the user's language.
const ALIASES: &[(Role, &[&str])] = &[
    (Role::EntryId, &["Entry Key", "Report Entry ID", "Entry ID", "Report Entry Key"]),
    (
        Role::Date,
        &[
            "Transaction Date",
            "Expense Date",
            "Date",
            "Transaktionsdatum",
            "Belegdatum",
            "Datum",
            "Date de transaction",
            "Date de la transaction",
            "Fecha de transacción",
            "Fecha",
        ],
    ),
    (
        Role::Vendor,
        &[
            "Vendor",
            "Vendor Description",
            "Merchant",
            "Vendor Name",
            "Merchant Name",
            "Lieferant",
            "Händler",
            "Anbieter",
            "Fournisseur",
            "Commerçant",
            "Proveedor",
            "Comercio",
        ],
    ),
    (
        Role::Purpose,
        &[
            "Purpose",
            "Business Purpose",
            "Description",
            "Geschäftszweck",
            "Zweck",
            "Beschreibung",
            "Objet",
            "Motif",
            "Propósito",
            "Descripción",
        ],
    ),
    (
        Role::ExpenseType,
        &[
            "Expense Type",
            "Expense Type Name",
            "Ausgabenart",
            "Spesenart",
            "Type de dépense",
            "Tipo de gasto",
        ],
    ),
    (Role::ExpenseTypeCode, &["Expense Type Code"]),
    (Role::SpendCategory, &["Spend Category", "Spend Category Code", "Spend Category Name"]),
    (
        Role::Amount,
        &[
            "Approved Amount (rpt)",
            "Approved Amount",
            "Approved Amount (Reporting Currency)",
            "Posted Amount",
            "Expense Amount (rpt)",
            "Transaction Amount",
            "Amount",
            "Genehmigter Betrag",
            "Betrag",
            "Montant approuvé",
            "Montant",
            "Importe aprobado",
            "Importe",
        ],
    ),
    (Role::TransactionAmount, &["Transaction Amount"]),
    (
        Role::Currency,
        &[
            "Currency",
            "Reimbursement Currency",
            "Transaction Currency",
            "Currency Code",
            "Währung",
            "Devise",
            "Moneda",
        ],
    ),
    (
        Role::Employee,
        &[
            "Employee ID",
            "Employee Login",
            "Login ID",
            "Employee",
            "Mitarbeiter-ID",
            "Personalnummer",
        ],
    ),
    (
        Role::EmployeeName,
        &["Employee Name", "Employee", "Mitarbeiter", "Mitarbeitername", "Employé", "Empleado"],
    ),
    (Role::Report, &["Report ID", "Report Key"]),
    (Role::ReportName, &["Report Name"]),
    (Role::PaymentType, &["Payment Type", "Payment Type Name"]),
    (Role::Personal, &["Personal", "Is Personal", "Personal Expense"]),
];

/// The roles without which a row cannot be an expense.
pub(crate) const REQUIRED: [Role; 3] = [Role::Date, Role::Vendor, Role::Amount];

/// Column of the transaction's own currency, which has no role of its own:
/// it only matters next to a transaction amount.
const TRANSACTION_CURRENCY: &str = "Transaction Currency";

/// The header row, read: which column each role lives in.
#[derive(Clone, Debug)]
pub(crate) struct ColumnMap {
    columns: [Option<usize>; Role::ALL.len()],
    transaction_currency: Option<usize>,
    headers: Vec<String>,
}

/// Why a header row does not map.
#[derive(Clone, Debug)]
pub(crate) enum MapError {
    Missing(Vec<Role>),
    UnknownOverride(Role, String),
}

impl ColumnMap {
    /// Maps a header row; overrides take precedence over aliases.
    pub(crate) fn build(
        header: &StringRecord,
        overrides: &[(Role, String)],
    ) -> Result<ColumnMap, MapError> {
        let names: Vec<String> = header.iter().map(normalise).collect();
        let find = |name: &str| names.iter().position(|n| *n == normalise(name));

        let mut columns = [None; Role::ALL.len()];
        for (role, aliases) in ALIASES {
            columns[role.index()] = aliases.iter().find_map(|alias| find(alias));
        }
        for (role, name) in overrides {
            let column =
                find(name).ok_or_else(|| MapError::UnknownOverride(*role, name.clone()))?;
            columns[role.index()] = Some(column);
        }

        let missing: Vec<Role> =
            REQUIRED.into_iter().filter(|r| columns[r.index()].is_none()).collect();
        if !missing.is_empty() {
            return Err(MapError::Missing(missing));
        }
        let headers =
            header.iter().map(|h| h.trim_start_matches('\u{feff}').trim().to_owned()).collect();
        Ok(ColumnMap { columns, transaction_currency: find(TRANSACTION_CURRENCY), headers })
    }

    /// The column index of a role.
    pub(crate) fn get(&self, role: Role) -> Option<usize> {
        self.columns[role.index()]
    }

    /// The trimmed cell of a role in a record; empty when the role has no
    /// column or the record is short.
    pub(crate) fn cell<'r>(&self, record: &'r StringRecord, role: Role) -> &'r str {
        self.get(role).and_then(|i| record.get(i)).map_or("", trim)
    }

    /// The header name of a role's column, for messages.
    pub(crate) fn header(&self, role: Role) -> &str {
        self.get(role).and_then(|i| self.headers.get(i)).map_or(role.as_str(), String::as_str)
    }

    pub(crate) fn transaction_currency<'r>(&self, record: &'r StringRecord) -> &'r str {
        self.transaction_currency.and_then(|i| record.get(i)).map_or("", trim)
    }

    /// How many columns the header row has.
    pub(crate) fn width(&self) -> usize {
        self.headers.len()
    }

    /// The right-most column any role (or the transaction currency) reads.
    pub(crate) fn last_used(&self) -> usize {
        self.columns.iter().flatten().chain(&self.transaction_currency).copied().max().unwrap_or(0)
    }

    /// Headers no role reads, for the summary: a column the user may want to
    /// map with an override.
    pub(crate) fn unused(&self) -> Vec<String> {
        let used = |idx: usize| {
            self.columns.contains(&Some(idx)) || self.transaction_currency == Some(idx)
        };
        self.headers
            .iter()
            .enumerate()
            .filter(|(idx, name)| !used(*idx) && !name.is_empty())
            .map(|(_, name)| name.clone())
            .collect()
    }

    /// Every role with its column's header, for the summary.
    pub(crate) fn describe(&self) -> Vec<(Role, String)> {
        Role::ALL
            .iter()
            .filter(|r| self.get(**r).is_some())
            .map(|r| (*r, self.header(*r).to_owned()))
            .collect()
    }
}

/// How much a record looks like a header: how many roles its cells name,
/// and whether the required ones are all there.
pub(crate) fn header_fit(record: &StringRecord, overrides: &[(Role, String)]) -> (bool, usize) {
    let names: Vec<String> = record.iter().map(normalise).collect();
    let has = |name: &str| names.contains(&normalise(name));

    let mut found = [false; Role::ALL.len()];
    for (role, aliases) in ALIASES {
        found[role.index()] = aliases.iter().any(|a| has(a));
    }
    for (role, name) in overrides {
        found[role.index()] = has(name);
    }

    let complete = REQUIRED.iter().all(|r| found[r.index()]);
    (complete, found.iter().filter(|f| **f).count())
}

/// Header names as compared: lowercase, without spaces, underscores or a
/// stray byte-order mark.
fn normalise(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `str::trim`, with a shortcut for the usual cell that starts and ends
/// with a visible ASCII character and so has nothing to trim.
fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> StringRecord {
        StringRecord::from(fields.to_vec())
    }

    #[test]
    fn aliases_map_case_and_space_insensitively() {
        let header = record(&[
            "entry key",
            "TRANSACTION DATE",
            "VendorDescription",
            "Amount",
            "Posted Amount",
        ]);
        let map = ColumnMap::build(&header, &[]).unwrap();
        assert_eq!(map.get(Role::EntryId), Some(0));
        assert_eq!(map.get(Role::Date), Some(1));
        assert_eq!(map.get(Role::Vendor), Some(2));
        assert_eq!(map.get(Role::Amount), Some(4), "posted is preferred over plain amount");
        assert_eq!(map.header(Role::Amount), "Posted Amount");
    }

    #[test]
    fn plain_employee_fills_id_and_name() {
        let header = record(&["Employee", "Transaction Date", "Merchant", "Amount"]);
        let map = ColumnMap::build(&header, &[]).unwrap();
        assert_eq!(map.get(Role::Employee), Some(0));
        assert_eq!(map.get(Role::EmployeeName), Some(0));
    }

    #[test]
    fn overrides_and_missing_columns() {
        let header = record(&["Date", "Payee", "Net Amount"]);
        assert!(
            matches!(ColumnMap::build(&header, &[]), Err(MapError::Missing(m)) if m.len() == 2)
        );
        let overrides =
            [(Role::Vendor, "payee".to_owned()), (Role::Amount, "Net Amount".to_owned())];
        let map = ColumnMap::build(&header, &overrides).unwrap();
        assert_eq!(map.get(Role::Amount), Some(2));
        assert_eq!(header_fit(&header, &overrides), (true, 3));
        let wrong = [(Role::Amount, "Gross".to_owned())];
        assert!(matches!(ColumnMap::build(&header, &wrong), Err(MapError::UnknownOverride(..))));
    }
}

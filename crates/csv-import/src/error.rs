//! The two error types: [`ImportError`] for a file that cannot be read at
//! all, [`RowError`] for one record that cannot become an expense.

use std::path::{Path, PathBuf};

/// A whole-file problem found while opening: nothing is imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// The file has no bytes at all.
    #[error("{}: the file is empty", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },

    /// The file holds binary data: it starts like a known binary format
    /// (an image, a PDF, an Excel workbook), or has NUL bytes without a
    /// UTF-16 byte-order mark (a spreadsheet, a UTF-16 file without its BOM).
    #[error("{}", not_text_message(path, *offset, *format))]
    NotText {
        /// The file.
        path: PathBuf,
        /// Where the first NUL byte is; 0 when only the format's signature
        /// gave the file away.
        offset: u64,
        /// What the file looks like, such as "a PNG image", when its first
        /// bytes say.
        format: Option<&'static str>,
    },

    /// One record is longer than the importer holds in memory: a file with
    /// no line breaks, or a quote that never closes.
    #[error(
        "{}:{line}: the record starting here is longer than {} MiB; this is not an export \
         row (is a quote never closed?)",
        path.display(),
        limit / (1024 * 1024)
    )]
    RecordTooLong {
        /// The file.
        path: PathBuf,
        /// Physical line where the record starts.
        line: u64,
        /// The limit, in bytes of decoded text.
        limit: u64,
    },

    /// The encoding option is not a label `encoding_rs` knows.
    #[error("unknown encoding `{0}` (try utf-8, utf-16le, utf-16be or windows-1252)")]
    UnknownEncoding(String),

    /// The bytes are not valid in the encoding the file claims (UTF-8 BOM) or
    /// the caller named.
    #[error(
        "{}: not valid {encoding} at byte {offset} (try --encoding windows-1252)",
        path.display()
    )]
    Undecodable {
        /// The file.
        path: PathBuf,
        /// The encoding that failed.
        encoding: &'static str,
        /// Byte offset of the first bad byte.
        offset: u64,
    },

    /// The date format option is not a valid chrono format string.
    #[error("invalid date format `{0}` (expected a chrono format such as %d/%m/%Y)")]
    BadDateFormat(String),

    /// No row in the first lines looks like a header.
    #[error(
        "{}: no header row found in the first {scanned} lines (expected columns such as \
         \"Transaction Date\", \"Vendor\" and \"Amount\")",
        path.display()
    )]
    NoHeader {
        /// The file.
        path: PathBuf,
        /// How many records were looked at.
        scanned: u64,
    },

    /// The header lacks a required column.
    #[error(
        "{}:{line}: no column for {missing} (headers found: {}); name it with \
         --column ROLE=HEADER",
        path.display(),
        quoted_list(found)
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// Physical line of the header row.
        line: u64,
        /// The roles that have no column, comma-separated.
        missing: String,
        /// Every header name in the row.
        found: Vec<String>,
    },

    /// A column override names a column the header does not have.
    #[error(
        "{}:{line}: column override {role}=\"{name}\": no such column (headers found: {})",
        path.display(),
        quoted_list(found)
    )]
    UnknownColumn {
        /// The file.
        path: PathBuf,
        /// Physical line of the header row.
        line: u64,
        /// The role being overridden.
        role: crate::Role,
        /// The name asked for.
        name: String,
        /// Every header name in the row.
        found: Vec<String>,
    },

    /// Slash dates that fit both month/day and day/month.
    #[error(
        "{}: column \"{column}\": every date fits both month/day and day/month (e.g. \"{example}\" \
         on line {line}); pass --date-format %m/%d/%Y or --date-format %d/%m/%Y",
        path.display()
    )]
    AmbiguousDates {
        /// The file.
        path: PathBuf,
        /// The date column's header.
        column: String,
        /// A line with an ambiguous date.
        line: u64,
        /// The date there.
        example: String,
    },

    /// Slash dates that need month/day in one row and day/month in another.
    #[error(
        "{}: column \"{column}\": \"{day_first}\" (line {day_first_line}) is day/month but \
         \"{month_first}\" (line {month_first_line}) is month/day; pass --date-format",
        path.display()
    )]
    ConflictingDates {
        /// The file.
        path: PathBuf,
        /// The date column's header.
        column: String,
        /// A date only day/month can read.
        day_first: String,
        /// Its line.
        day_first_line: u64,
        /// A date only month/day can read.
        month_first: String,
        /// Its line.
        month_first_line: u64,
    },

    /// Amounts that need a decimal point in one row and a comma in another.
    #[error(
        "{}: amounts disagree on the decimal mark: \"{point}\" (line {point_line}) has a decimal \
         point, \"{comma}\" (line {comma_line}) a decimal comma; pass --decimal-comma or \
         --decimal-point",
        path.display()
    )]
    ConflictingDecimalMarks {
        /// The file.
        path: PathBuf,
        /// An amount only a decimal point can read.
        point: String,
        /// Its line.
        point_line: u64,
        /// An amount only a decimal comma can read.
        comma: String,
        /// Its line.
        comma_line: u64,
    },

    /// Every amount with a mark reads both ways (`1.500`, `2,250`), so the
    /// file does not say which mark is decimal.
    #[error(
        "{}: amounts do not show the decimal mark: \"{example}\" (line {line}) could be \
         read either way, and no amount decides; pass --decimal-comma or --decimal-point",
        path.display()
    )]
    AmbiguousDecimalMark {
        /// The file.
        path: PathBuf,
        /// An amount both marks read.
        example: String,
        /// Its line.
        line: u64,
    },

    /// The format was forced to SAE but the file does not start with
    /// `EXTRACT|`.
    #[error("{}: not a Standard Accounting Extract (the first line is not `EXTRACT|...`)", path.display())]
    NotSae {
        /// The file.
        path: PathBuf,
    },
}

impl ImportError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ImportError {
        ImportError::Io { path: path.to_owned(), source }
    }

    /// Converts a csv error met while scanning; only I/O can go wrong there
    /// because the text is already valid UTF-8, and the over-long record
    /// guard speaks through I/O errors too.
    pub(crate) fn csv(path: &Path, error: csv::Error) -> ImportError {
        if let Some(too_long) = crate::decode::too_long(&error) {
            let limit = crate::decode::MAX_RECORD_BYTES;
            return ImportError::RecordTooLong {
                path: path.to_owned(),
                line: too_long.line,
                limit,
            };
        }
        let source = match error.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => std::io::Error::other(format!("{other:?}")),
        };
        ImportError::io(path, source)
    }
}

/// One record that could not become an expense. The import goes on with the
/// next record; the caller decides whether to stop.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {problem}", file.display())]
pub struct RowError {
    file: PathBuf,
    line: u64,
    problem: Problem,
}

/// What was wrong with the record.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Problem {
    #[error("column \"{column}\": expected {expected}, found \"{found}\"")]
    BadValue { column: String, expected: String, found: String },

    #[error("{0}")]
    Unreadable(String),
}

impl RowError {
    pub(crate) fn bad_value(
        file: &Path,
        line: u64,
        column: &str,
        expected: impl Into<String>,
        found: &str,
    ) -> RowError {
        let problem = Problem::BadValue {
            column: column.to_owned(),
            expected: expected.into(),
            found: found.to_owned(),
        };
        RowError { file: file.to_owned(), line, problem }
    }

    pub(crate) fn unreadable(file: &Path, line: u64, what: String) -> RowError {
        RowError { file: file.to_owned(), line, problem: Problem::Unreadable(what) }
    }

    /// The physical line (1-based) where the record starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The file the record is in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The header (or SAE column) of the bad value, if one value was bad.
    pub fn column(&self) -> Option<&str> {
        match &self.problem {
            Problem::BadValue { column, .. } => Some(column),
            Problem::Unreadable(_) => None,
        }
    }
}

fn not_text_message(path: &Path, offset: u64, format: Option<&str>) -> String {
    let path = path.display();
    match format {
        Some(format) => format!("{path}: not a text export ({format}); export the report as CSV"),
        None => format!(
            "{path}: not a text export (binary data at byte {offset}); save it as CSV or \
             \"Unicode text\", or pass --encoding utf-16le if it is UTF-16 without a BOM"
        ),
    }
}

fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    quoted.join(", ")
}

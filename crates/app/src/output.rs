//! Printing results: one shape of data, three formats.
//!
//! Commands build a [`Records`] (named columns, rows of JSON values) and
//! this module prints it as a table for people or as JSON or CSV for
//! machines, always on stdout.

use crate::cli::OutputFormat;
use anyhow::Context;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets};
use serde_json::{Map, Value};
use std::io::Write;

/// Rows of named values, printed in one of the output formats.
pub(crate) struct Records {
    columns: Vec<&'static str>,
    /// Columns right-aligned in tables (amounts and counts).
    numeric: Vec<&'static str>,
    rows: Vec<Vec<Value>>,
}

impl Records {
    pub(crate) fn new(columns: Vec<&'static str>, numeric: Vec<&'static str>) -> Records {
        Records { columns, numeric, rows: Vec::new() }
    }

    /// Add a row; values in column order.
    pub(crate) fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(crate) fn print(&self, format: OutputFormat) -> anyhow::Result<()> {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        match format {
            OutputFormat::Table => writeln!(out, "{}", self.table()),
            OutputFormat::Json => writeln!(out, "{}", self.json()?),
            OutputFormat::Csv => self.csv(&mut out),
        }
        .or_else(ignore_broken_pipe)
        .context("could not write to stdout")
    }

    fn table(&self) -> Table {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_header(&self.columns);
        for row in &self.rows {
            table.add_row(row.iter().map(plain_text));
        }
        for (idx, name) in self.columns.iter().enumerate() {
            if self.numeric.contains(name)
                && let Some(column) = table.column_mut(idx)
            {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        table
    }

    fn json(&self) -> anyhow::Result<String> {
        let objects: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let pairs = self.columns.iter().map(|c| c.to_string()).zip(row.iter().cloned());
                Value::Object(pairs.collect::<Map<_, _>>())
            })
            .collect();
        Ok(serde_json::to_string_pretty(&objects)?)
    }

    fn csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&self.columns).map_err(io_error)?;
        for row in &self.rows {
            writer.write_record(row.iter().map(plain_text)).map_err(io_error)?;
        }
        writer.flush()
    }
}

/// Print one line of results on stdout. A reader that went away
/// (`spendmap report | head`) is not an error.
pub(crate) fn say(text: &str) -> anyhow::Result<()> {
    writeln!(std::io::stdout().lock(), "{text}")
        .or_else(ignore_broken_pipe)
        .context("could not write to stdout")
}

/// A value as plain text: strings unquoted, null empty.
fn plain_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The I/O error inside a csv error, so that a closed pipe stays one.
fn io_error(err: csv::Error) -> std::io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// `spendmap report | head` closes the pipe early; that is not an error.
fn ignore_broken_pipe(err: std::io::Error) -> std::io::Result<()> {
    if err.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(err) }
}

/// An optional string as JSON: empty and missing are both null.
pub(crate) fn text_or_null(text: Option<&str>) -> Value {
    match text {
        Some(t) if !t.is_empty() => Value::String(t.to_owned()),
        _ => Value::Null,
    }
}

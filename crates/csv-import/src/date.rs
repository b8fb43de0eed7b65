//! Transaction dates, with the day/month order decided per column.
//!
//! ISO dates (`2026-03-12`, optionally with a time) and dotted dates
//! (`12.03.2026`, always day first) read alone. Slash or dash dates with the
//! year last (`03/12/2026`) need the column's order: a value whose first part
//! is above 12 proves day/month, one whose second part is above 12 proves
//! month/day, and a column that never proves either is refused rather than
//! guessed. Two-digit years follow chrono's `%y`: 00-68 are 2000-2068,
//! 69-99 are 1969-1999.

use chrono::format::{Item, StrftimeItems};
use chrono::{NaiveDate, NaiveDateTime};

/// The order of day and month in a column of slash dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    MonthFirst,
    DayFirst,
}

/// One date cell, read as far as it can be without knowing the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Year first, or day first by convention (dotted): the date is known.
    Known(NaiveDate),
    /// `a/b/year`: which of a and b is the month depends on the column.
    Slash { a: u32, b: u32, year: i32 },
}

/// How a column's dates are read once its order is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DateReader {
    /// The shapes above, with the column's order for slash dates (`None` when
    /// the column had no slash dates).
    Sniffed(Option<Order>),
    /// The caller's chrono format string.
    Format(String),
}

impl DateReader {
    /// A reader for the caller's format; `None` if chrono cannot use it.
    pub(crate) fn with_format(format: &str) -> Option<DateReader> {
        let valid = StrftimeItems::new(format).all(|item| item != Item::Error);
        valid.then(|| DateReader::Format(format.to_owned()))
    }

    pub(crate) fn read(&self, raw: &str) -> Option<NaiveDate> {
        let raw = raw.trim();
        match self {
            DateReader::Sniffed(order) => resolve(shape(raw)?, *order),
            DateReader::Format(format) => NaiveDate::parse_from_str(raw, format)
                .or_else(|_| NaiveDateTime::parse_from_str(raw, format).map(|t| t.date()))
                .ok(),
        }
    }

    /// What a good value looks like, for error messages.
    pub(crate) fn expected(&self) -> String {
        match self {
            DateReader::Sniffed(Some(Order::MonthFirst)) => "a date like 12/31/2026".to_owned(),
            DateReader::Sniffed(Some(Order::DayFirst)) => "a date like 31/12/2026".to_owned(),
            DateReader::Sniffed(None) => "a date like 2026-12-31".to_owned(),
            DateReader::Format(format) => format!("a date in the format `{format}`"),
        }
    }

    /// The format chosen, as the summary shows it.
    pub(crate) fn describe(&self) -> String {
        match self {
            DateReader::Sniffed(Some(Order::MonthFirst)) => "%m/%d/%Y".to_owned(),
            DateReader::Sniffed(Some(Order::DayFirst)) => "%d/%m/%Y".to_owned(),
            DateReader::Sniffed(None) => "%Y-%m-%d".to_owned(),
            DateReader::Format(format) => format.clone(),
        }
    }
}

/// Turns a shape into a date with the column's order.
pub(crate) fn resolve(shape: Shape, order: Option<Order>) -> Option<NaiveDate> {
    match (shape, order) {
        (Shape::Known(date), _) => Some(date),
        (Shape::Slash { .. }, None) => None,
        (Shape::Slash { a, b, year }, Some(Order::MonthFirst)) => {
            NaiveDate::from_ymd_opt(year, a, b)
        }
        (Shape::Slash { a, b, year }, Some(Order::DayFirst)) => NaiveDate::from_ymd_opt(year, b, a),
    }
}

/// Reads a cell as far as possible without the column's order.
pub(crate) fn shape(raw: &str) -> Option<Shape> {
    let date = strip_time(raw.trim())?;
    let separator = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = date.split(separator);
    let (Some(p1), Some(p2), Some(p3), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if ![p1, p2, p3].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }

    if p1.len() == 4 {
        let date = NaiveDate::from_ymd_opt(p1.parse().ok()?, small(p2)?, small(p3)?)?;
        return Some(Shape::Known(date));
    }
    let year = year(p3)?;
    let (a, b) = (small(p1)?, small(p2)?);
    if separator == '.' {
        return NaiveDate::from_ymd_opt(year, b, a).map(Shape::Known);
    }
    Some(Shape::Slash { a, b, year })
}

/// The date part of `2026-03-12T10:00:00.123` or `3/12/2026 10:00 AM`; `None`
/// if what follows the date is not a time.
fn strip_time(value: &str) -> Option<&str> {
    let Some(split) = value.find(['T', ' ']) else {
        return Some(value);
    };
    let time = value[split + 1..].trim();
    let time = time.trim_end_matches(['A', 'P', 'M', 'a', 'p', 'm', 'Z']).trim_end();
    let looks_like_time = time.contains(':')
        && time.bytes().all(|b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b'+' | b'-'));
    looks_like_time.then(|| &value[..split])
}

fn small(part: &str) -> Option<u32> {
    if part.len() > 2 {
        return None;
    }
    part.parse().ok()
}

fn year(part: &str) -> Option<i32> {
    let value: i32 = part.parse().ok()?;
    match part.len() {
        4 => Some(value),
        2 if value <= 68 => Some(2000 + value),
        2 => Some(1900 + value),
        _ => None,
    }
}

/// Evidence about one column's order, gathered over all its values. Each
/// slot keeps the first example (line, text) for error messages.
#[derive(Clone, Debug, Default)]
pub(crate) struct Votes {
    pub(crate) day_first: Option<(u64, String)>,
    pub(crate) month_first: Option<(u64, String)>,
    pub(crate) ambiguous: Option<(u64, String)>,
}

impl Votes {
    /// Counts `raw`, whose [`shape`] the caller has worked out already.
    pub(crate) fn add(&mut self, line: u64, raw: &str, shape: Option<&Shape>) {
        let Some(&Shape::Slash { a, b, .. }) = shape else {
            return;
        };
        let slot = match (a > 12, b > 12) {
            (true, false) => &mut self.day_first,
            (false, true) => &mut self.month_first,
            (false, false) => &mut self.ambiguous,
            (true, true) => return,
        };
        if slot.is_none() {
            *slot = Some((line, raw.trim().to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_and_dotted_read_alone() {
        let sniffed = DateReader::Sniffed(None);
        assert_eq!(sniffed.read("2026-03-12"), Some(ymd(2026, 3, 12)));
        assert_eq!(sniffed.read("2026-03-12T14:05:00"), Some(ymd(2026, 3, 12)));
        assert_eq!(sniffed.read("2026-03-12T14:05:00.250"), Some(ymd(2026, 3, 12)));
        assert_eq!(sniffed.read("2026-03-12 00:00:00"), Some(ymd(2026, 3, 12)));
        assert_eq!(sniffed.read("12.03.2026"), Some(ymd(2026, 3, 12)));
        assert_eq!(sniffed.read("1.3.26"), Some(ymd(2026, 3, 1)));
        assert_eq!(sniffed.read("03/12/2026"), None);
    }

    #[test]
    fn slash_dates_follow_the_column_order() {
        let us = DateReader::Sniffed(Some(Order::MonthFirst));
        let eu = DateReader::Sniffed(Some(Order::DayFirst));
        assert_eq!(us.read("03/12/2026"), Some(ymd(2026, 3, 12)));
        assert_eq!(eu.read("03/12/2026"), Some(ymd(2026, 12, 3)));
        assert_eq!(us.read("3/12/2026 10:00:00 AM"), Some(ymd(2026, 3, 12)));
        assert_eq!(us.read("13/12/2026"), None);
        assert_eq!(us.read("12/31/99"), Some(ymd(1999, 12, 31)));
        assert_eq!(us.read("2026-02-30"), None);
        assert_eq!(us.read("12/31/2026 lunch"), None);
        assert_eq!(us.read(""), None);
    }

    #[test]
    fn caller_format() {
        let reader = DateReader::with_format("%d/%m/%Y").unwrap();
        assert_eq!(reader.read("03/12/2026"), Some(ymd(2026, 12, 3)));
        let with_time = DateReader::with_format("%Y%m%d %H%M").unwrap();
        assert_eq!(with_time.read("20260312 1405"), Some(ymd(2026, 3, 12)));
        assert!(DateReader::with_format("%Q").is_none());
    }

    #[test]
    fn votes_keep_first_examples() {
        let mut votes = Votes::default();
        votes.add(2, "03/04/2026", shape("03/04/2026").as_ref());
        votes.add(3, "13/04/2026", shape("13/04/2026").as_ref());
        votes.add(4, "2026-04-13", shape("2026-04-13").as_ref());
        votes.add(5, "14/04/2026", shape("14/04/2026").as_ref());
        assert_eq!(votes.ambiguous, Some((2, "03/04/2026".to_owned())));
        assert_eq!(votes.day_first, Some((3, "13/04/2026".to_owned())));
        assert_eq!(votes.month_first, None);
    }
}

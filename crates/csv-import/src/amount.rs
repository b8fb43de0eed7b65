//! Amounts as people and spreadsheets write them, read into exact decimals.
//!
//! A raw cell is split into a sign and currency dressing (`$`, `EUR`, `€ `,
//! parentheses, a leading or trailing minus) and a numeric core of digits,
//! marks and grouping characters. The core is read only once the file's
//! decimal mark is known; [`hint`] says what one core tells about that mark.

use rust_decimal::Decimal;
use std::str::FromStr;

/// What one amount says about the file's decimal mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Only a decimal point reads it (`1,234.56`, `12.5`, `1,234,567`).
    Point,
    /// Only a decimal comma reads it (`1.234,56`, `12,5`, `1.234.567`).
    Comma,
    /// Both read it, to different values: `1,234` and `1.000` are a
    /// thousand or about one.
    Either,
    /// The mark does not matter (`12`), or it is not an amount.
    Neither,
}

/// Reads `raw` with the given decimal mark. `None` when it is not an amount.
pub(crate) fn parse(raw: &str, decimal_comma: bool) -> Option<Decimal> {
    let (negative, core) = split(raw)?;
    let value = read_core(core, decimal_comma)?;
    Some(if negative { -value } else { value })
}

/// What `raw` says about the decimal mark.
pub(crate) fn hint(raw: &str) -> Hint {
    let Some((_, core)) = split(raw) else {
        return Hint::Neither;
    };
    match (core.rfind('.'), core.rfind(',')) {
        (Some(point), Some(comma)) if point > comma => Hint::Point,
        (Some(_), Some(_)) => Hint::Comma,
        (Some(_), None) => single_mark_hint(core, '.'),
        (None, Some(_)) => single_mark_hint(core, ','),
        (None, None) => Hint::Neither,
    }
}

/// A core with only one kind of mark: several of them are grouping; one is
/// decimal unless it could be a thousands group (`1,234`).
fn single_mark_hint(core: &str, mark: char) -> Hint {
    let (as_decimal, as_group) =
        if mark == '.' { (Hint::Point, Hint::Comma) } else { (Hint::Comma, Hint::Point) };
    if core.matches(mark).count() > 1 {
        return as_group;
    }

    let Some((int, frac)) = core.split_once(mark) else {
        return Hint::Neither;
    };
    let could_group = frac.len() == 3
        && (1..=3).contains(&int.len())
        && int.bytes().all(|b| b.is_ascii_digit())
        && !int.starts_with('0');
    if could_group { Hint::Either } else { as_decimal }
}

/// Splits a cell into (negative, numeric core); `None` if the dressing
/// around the digits is not a sign or a currency.
fn split(raw: &str) -> Option<(bool, &str)> {
    let s = raw.trim_matches(is_space);
    let first_digit = s.find(|c: char| c.is_ascii_digit())?;
    let end = s.rfind(|c: char| c.is_ascii_digit())? + 1;

    // ".5" and ",5": the mark before the first digit belongs to the number.
    let start = match s[..first_digit].chars().next_back() {
        Some(c @ ('.' | ',')) => first_digit - c.len_utf8(),
        _ => first_digit,
    };

    let core = &s[start..end];
    if !core.chars().all(is_core_char) {
        return None;
    }
    let negative = sign(&s[..start], &s[end..])?;
    Some((negative, core))
}

/// The sign given by the text around the digits, `None` if that text holds
/// anything but signs, parentheses, currency symbols or a currency code.
fn sign(prefix: &str, suffix: &str) -> Option<bool> {
    let mut minus = 0;
    let mut open = 0;
    let mut close = 0;
    for (side, text) in [(0, prefix), (1, suffix)] {
        let mut letters = 0;
        for c in text.chars() {
            match c {
                '-' | '\u{2212}' => minus += 1,
                '(' if side == 0 => open += 1,
                ')' if side == 1 => close += 1,
                '+' => {}
                c if c.is_alphabetic() => letters += 1,
                c if is_space(c) || is_currency_symbol(c) => {}
                _ => return None,
            }
        }
        if letters > 3 {
            return None;
        }
    }

    let parens = match (open, close) {
        (0, 0) => 0,
        (1, 1) => 1,
        _ => return None,
    };
    match minus + parens {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// Reads the numeric core once the decimal mark is known, checking that any
/// grouping is in threes so `12,3,4` is refused rather than read as 1234.
fn read_core(core: &str, decimal_comma: bool) -> Option<Decimal> {
    // Nearly every export amount is digits with a decimal point, which
    // Decimal reads as it is; only the rest needs the rules below.
    if !decimal_comma && is_plain_decimal(core) {
        return Decimal::from_str(core).ok();
    }

    let (mark, other) = if decimal_comma { (',', '.') } else { ('.', ',') };
    let mut pieces = core.split(mark);
    let int = pieces.next()?;
    let frac = pieces.next();
    if pieces.next().is_some() {
        return None;
    }

    let int = ungroup(int, other)?;
    let text = match frac {
        Some(frac) if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(frac) if int.is_empty() => format!("0.{frac}"),
        Some(frac) => format!("{int}.{frac}"),
        None if int.is_empty() => return None,
        None => int,
    };
    Decimal::from_str(&text).ok()
}

/// Digits, then perhaps a point and more digits (`12`, `12.50`).
fn is_plain_decimal(core: &str) -> bool {
    let (int, frac) = core.split_once('.').unwrap_or((core, "1"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// The digits of an integer part, with one kind of grouping character
/// removed; `None` if the groups are not 1-3 digits then threes.
fn ungroup(int: &str, other_mark: char) -> Option<String> {
    if int.bytes().all(|b| b.is_ascii_digit()) {
        return Some(int.to_owned());
    }

    let separator = int.chars().find(|c| !c.is_ascii_digit())?;
    let allowed = separator == other_mark || is_space(separator) || matches!(separator, '\'' | '’');
    if !allowed {
        return None;
    }
    let mut groups = int.split(separator);
    let first = groups.next()?;
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(group);
    }
    first_ok.then_some(digits)
}

fn is_core_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | ',' | '\'' | '’') || is_space(c)
}

/// Spaces people and spreadsheets put in numbers, including the no-break
/// spaces French and Swiss locales use for grouping.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

fn is_currency_symbol(c: char) -> bool {
    matches!(
        c,
        '$' | '€'
            | '£'
            | '¥'
            | '₹'
            | '₩'
            | '₽'
            | '₺'
            | '₪'
            | '₫'
            | '฿'
            | '₴'
            | '₦'
            | '₱'
            | '¢'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(raw: &str) -> Option<String> {
        parse(raw, false).map(|d| d.to_string())
    }

    fn comma(raw: &str) -> Option<String> {
        parse(raw, true).map(|d| d.to_string())
    }

    #[test]
    fn decimal_point_amounts() {
        assert_eq!(point("1,234.56").as_deref(), Some("1234.56"));
        assert_eq!(point("1234.56").as_deref(), Some("1234.56"));
        assert_eq!(point("$12.00").as_deref(), Some("12.00"));
        assert_eq!(point("12.00 EUR").as_deref(), Some("12.00"));
        assert_eq!(point("(12.34)").as_deref(), Some("-12.34"));
        assert_eq!(point("12.34-").as_deref(), Some("-12.34"));
        assert_eq!(point("-12.34").as_deref(), Some("-12.34"));
        assert_eq!(point("-$12.34").as_deref(), Some("-12.34"));
        assert_eq!(point("1'234'567.5").as_deref(), Some("1234567.5"));
        assert_eq!(point("+600.1100").as_deref(), Some("600.1100"));
        assert_eq!(point(".5").as_deref(), Some("0.5"));
        assert_eq!(point("1,234").as_deref(), Some("1234"));
        assert_eq!(point("0.00000001").as_deref(), Some("0.00000001"));
    }

    #[test]
    fn decimal_comma_amounts() {
        assert_eq!(comma("1.234,56").as_deref(), Some("1234.56"));
        assert_eq!(comma("1234,56").as_deref(), Some("1234.56"));
        assert_eq!(comma("€ 12,00").as_deref(), Some("12.00"));
        assert_eq!(comma("1.000").as_deref(), Some("1000"));
        assert_eq!(comma("1\u{a0}234,5").as_deref(), Some("1234.5"));
        assert_eq!(comma("1 234 567,89 CHF").as_deref(), Some("1234567.89"));
        assert_eq!(comma("12,34-").as_deref(), Some("-12.34"));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for raw in
            ["", "abc", "12,3,4", "1.2.3", "--12", "(12", "12..5", "12a4", "USD EUR 1", "1,23.4"]
        {
            assert_eq!(point(raw), None, "{raw:?}");
        }
        assert_eq!(comma("1.23,4"), None);
        assert_eq!(comma("1,234.56"), None);
    }

    #[test]
    fn hints_decide_only_when_unambiguous() {
        assert_eq!(hint("1,234.56"), Hint::Point);
        assert_eq!(hint("1.234,56"), Hint::Comma);
        assert_eq!(hint("1234,56"), Hint::Comma);
        assert_eq!(hint("12.5"), Hint::Point);
        assert_eq!(hint("1.234.567"), Hint::Comma);
        assert_eq!(hint("1,234,567"), Hint::Point);
        assert_eq!(hint("1234,567"), Hint::Comma);
        assert_eq!(hint("0,500"), Hint::Comma);
        assert_eq!(hint("1,234"), Hint::Either);
        assert_eq!(hint("1.000"), Hint::Either);
        assert_eq!(hint("12"), Hint::Neither);
        assert_eq!(hint("n/a"), Hint::Neither);
    }
}

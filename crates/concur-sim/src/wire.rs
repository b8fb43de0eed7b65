//! How Concur's v3 lists look on the wire: PascalCase records, amounts as
//! JSON numbers with exactly eight decimals, dates without a time zone, and
//! the same data as crude XML for clients that forget `Accept`.
//!
//! Records are built once as ordered key/value lists and then written as
//! either format by hand, which keeps number formatting exact (no `f64`).

use chrono::{NaiveDateTime, Timelike};
use rust_decimal::Decimal;

/// One field value as the wire shows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Text(String),
    /// Already rendered; written without quotes.
    Number(String),
    Bool(bool),
    Null,
}

impl Value {
    pub(crate) fn text(text: &str) -> Value {
        Value::Text(text.to_owned())
    }
}

/// One report or entry, fields in the order Concur sends them.
pub(crate) type Record = Vec<(&'static str, Value)>;

/// An amount the way v3 sends it: a number with exactly eight decimals.
pub(crate) fn amount(value: Decimal) -> Value {
    Value::Number(format!("{:.8}", value.round_dp(8)))
}

/// A v3 timestamp: no zone, and as many fractional digits as the value has
/// (none, `.57`, `.687`, ...), as Concur's own values vary.
pub(crate) fn concur_datetime(value: NaiveDateTime) -> String {
    let whole = value.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = value.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        return whole;
    }
    let fraction = format!("{nanos:09}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// A page of a v3 list, ready to be written as JSON or XML.
pub(crate) struct Listing {
    /// XML root element, e.g. `Reports`.
    pub(crate) root: &'static str,
    /// XML element per item, e.g. `Report`.
    pub(crate) item: &'static str,
    pub(crate) items: Vec<Record>,
    pub(crate) next_page: Option<String>,
}

impl Listing {
    pub(crate) fn to_json(&self) -> String {
        let items: Vec<String> = self.items.iter().map(record_json).collect();
        let next = match &self.next_page {
            Some(url) => json_string(url),
            None => "null".to_owned(),
        };
        format!("{{\"Items\":[{}],\"NextPage\":{next}}}", items.join(","))
    }

    pub(crate) fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        out.push_str(&format!("<{}><Items>", self.root));
        for record in &self.items {
            out.push_str(&format!("<{}>", self.item));
            for (key, value) in record {
                out.push_str(&xml_element(key, value));
            }
            out.push_str(&format!("</{}>", self.item));
        }
        out.push_str("</Items>");
        let next = self.next_page.as_ref().map_or(Value::Null, |url| Value::text(url));
        out.push_str(&xml_element("NextPage", &next));
        out.push_str(&format!("</{}>", self.root));
        out
    }
}

fn record_json(record: &Record) -> String {
    let fields: Vec<String> = record
        .iter()
        .map(|(key, value)| format!("{}:{}", json_string(key), value_json(value)))
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn value_json(value: &Value) -> String {
    match value {
        Value::Text(text) => json_string(text),
        Value::Number(number) => number.clone(),
        Value::Bool(flag) => flag.to_string(),
        Value::Null => "null".to_owned(),
    }
}

/// A JSON string literal; non-ASCII stays as UTF-8, as Concur sends it.
pub(crate) fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn xml_element(key: &str, value: &Value) -> String {
    match value {
        Value::Null => format!("<{key} />"),
        Value::Text(text) => format!("<{key}>{}</{key}>", xml_escape(text)),
        Value::Number(number) => format!("<{key}>{number}</{key}>"),
        Value::Bool(flag) => format!("<{key}>{flag}</{key}>"),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        text.parse().expect("test timestamp")
    }

    #[test]
    fn amounts_have_exactly_eight_decimals() {
        let cases =
            [("123.45", "123.45000000"), ("-14.99", "-14.99000000"), ("1900", "1900.00000000")];
        for (input, wire) in cases {
            let value: Decimal = input.parse().expect("test decimal");
            assert_eq!(amount(value), Value::Number(wire.to_owned()));
        }
    }

    #[test]
    fn datetimes_keep_their_own_fraction_digits() {
        let cases = [
            "2026-10-02T19:46:01.57",
            "2026-10-02T19:46:01",
            "2026-10-02T19:46:01.687",
            "2026-10-02T19:46:01.000000001",
        ];
        for text in cases {
            assert_eq!(concur_datetime(at(text)), text);
        }
    }

    #[test]
    fn json_and_xml_carry_the_same_record() {
        let listing = Listing {
            root: "Reports",
            item: "Report",
            items: vec![vec![
                ("Name", Value::text("Café \"Größe\" & <co>")),
                ("Total", amount(Decimal::new(5, 0))),
                ("HasException", Value::Bool(false)),
                ("Custom1", Value::Null),
            ]],
            next_page: None,
        };

        let json: serde_json::Value = serde_json::from_str(&listing.to_json()).expect("valid JSON");
        assert_eq!(json["Items"][0]["Name"], "Café \"Größe\" & <co>");
        assert!(json["NextPage"].is_null());
        assert!(listing.to_json().contains("\"Total\":5.00000000"));

        let xml = listing.to_xml();
        assert!(xml.contains("<Name>Café &quot;Größe&quot; &amp; &lt;co&gt;</Name>"));
        assert!(xml.ends_with("<Custom1 /></Report></Items><NextPage /></Reports>"), "{xml}");
    }
}

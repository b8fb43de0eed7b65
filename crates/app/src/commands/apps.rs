//! `spendmap apps`: what the catalog knows.

use crate::cli::{AppsArgs, OutputFormat};
use crate::context;
use crate::output::Records;
use serde_json::Value;

pub(crate) fn run(args: &AppsArgs) -> anyhow::Result<()> {
    let catalog = context::catalog()?;
    let wanted = args.search.as_deref().map(str::to_lowercase);

    let mut records = Records::new(vec!["app", "vendor", "category"], vec![]);
    for app in catalog.apps() {
        let text = format!("{} {} {}", app.name, app.vendor, app.category).to_lowercase();
        if wanted.as_deref().is_some_and(|w| !text.contains(w)) {
            continue;
        }
        records.push(vec![
            Value::String(app.name.clone()),
            Value::String(app.vendor.clone()),
            Value::String(app.category.clone()),
        ]);
    }
    if records.is_empty() && args.format == OutputFormat::Table {
        eprintln!("no catalog app matches `{}`", args.search.as_deref().unwrap_or_default());
        return Ok(());
    }
    records.print(args.format)
}

//! Validate catalog files read as one catalog, the way the built-in one is,
//! and print how many apps each category has:
//!
//! ```sh
//! cargo run -p spendmap-matcher --example check_catalog -- catalog/apps.toml more.toml
//! ```

use spendmap_matcher::Catalog;
use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: check_catalog MAIN.toml [MORE.toml...]");
        return ExitCode::FAILURE;
    }

    let mut text = String::new();
    for path in &paths {
        match std::fs::read_to_string(path) {
            Ok(part) => {
                text.push_str(&part);
                text.push('\n');
            }
            Err(err) => {
                eprintln!("cannot read {path}: {err}");
                return ExitCode::FAILURE;
            }
        }
    }

    match Catalog::from_toml_str(&text) {
        Ok(catalog) => {
            let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
            for app in catalog.apps() {
                *categories.entry(app.category.as_str()).or_default() += 1;
            }
            println!("valid: {} apps, {} vendors", catalog.apps().len(), catalog.vendors().len());
            for (category, count) in categories {
                println!("  {category:<20} {count}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("invalid: {err}");
            ExitCode::FAILURE
        }
    }
}

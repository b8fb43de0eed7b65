//! Opening what every command needs: the store and the matcher.

use anyhow::Context;
use spendmap_core::ExpenseStore;
use spendmap_matcher::{Catalog, VendorMatcher};
use spendmap_storage::Store;
use std::path::{Path, PathBuf};

/// Open the database the user chose, or the default file.
pub(crate) async fn open_store(db: Option<&str>) -> anyhow::Result<Store> {
    let location = match db {
        Some(location) => location.to_owned(),
        None => default_database()?.display().to_string(),
    };
    if is_plain_path(&location) {
        create_private_file(Path::new(&location))?;
    }
    tracing::info!(database = %location, "opening storage");
    Store::open(&location).await.with_context(|| format!("could not open database `{location}`"))
}

/// The catalog shipped with spendmap.
pub(crate) fn catalog() -> anyhow::Result<Catalog> {
    Catalog::builtin().context("the built-in catalog is invalid")
}

/// The matcher: the user's stored rules on top of the catalog.
pub(crate) async fn matcher(store: &Store, catalog: &Catalog) -> anyhow::Result<VendorMatcher> {
    let rules = store.rules().await.context("could not read rules")?;
    let matcher = VendorMatcher::new(catalog, &rules).context("could not build the matcher")?;
    tracing::debug!(apps = catalog.len(), rules = rules.len(), "matcher ready");
    Ok(matcher)
}

fn default_database() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "spendmap")
        .context("no home directory to keep the default database in; pass --db")?;
    Ok(dirs.data_dir().join("spendmap.db"))
}

fn is_plain_path(location: &str) -> bool {
    !location.contains(':') || Path::new(location).is_absolute()
}

/// Create the database file (and its folder) readable only by the user:
/// it holds who spent what, and later the Concur connection.
fn create_private_file(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("could not create folder `{}`", parent.display()))?;
    }

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
        .open(path)
        .map(drop)
        .with_context(|| format!("could not create database file `{}`", path.display()))
}

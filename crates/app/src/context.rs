//! Opening what every command needs: the store and the matcher.

use anyhow::{Context, bail};
use spendmap_core::ExpenseStore;
use spendmap_matcher::{Catalog, Corrected, VendorMatcher};
use spendmap_storage::Store;
use std::path::{Path, PathBuf};

/// Open the database the user chose, or the default file.
pub(crate) async fn open_store(db: Option<&str>) -> anyhow::Result<Store> {
    let location = match db {
        Some(location) => {
            if is_plain_path(location) {
                create_private_file(Path::new(location))?;
            }
            location.to_owned()
        }
        None => {
            let path = default_database()?;
            create_default_folder(&path)?;
            create_private_file(&path)?;
            path.display().to_string()
        }
    };

    let shown = without_password(&location);
    tracing::info!(database = %shown, "opening storage");
    Store::open(&location).await.map_err(|err| {
        // sqlx reports a server that never answers as a pool time-out,
        // which does not say what to check.
        let hint = if says_timed_out(&err) {
            " (no answer from the server: is it running, and is the address right?)"
        } else {
            ""
        };
        anyhow::Error::new(err).context(format!("could not open database `{shown}`{hint}"))
    })
}

/// Whether the error or any of its causes is a time-out.
fn says_timed_out(err: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(err), |e| e.source()).any(|e| e.to_string().contains("timed out"))
}

/// A database URL as it may be shown: any password replaced by `***`.
fn without_password(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return location.to_owned();
    };
    let Some((user, _password)) = credentials.split_once(':') else {
        return location.to_owned();
    };
    let slash = if rest.contains('/') { "/" } else { "" };
    format!("{scheme}://{user}:***@{host}{slash}{tail}")
}

/// The catalog shipped with spendmap.
pub(crate) fn catalog() -> anyhow::Result<Catalog> {
    Catalog::builtin().context("the built-in catalog is invalid")
}

/// What every command matches with: corrections of single expenses, then
/// the user's rules, then the catalog.
pub(crate) type AppMatcher = Corrected<VendorMatcher>;

/// The matcher: the user's stored corrections and rules on top of the
/// catalog.
pub(crate) async fn matcher(store: &Store, catalog: &Catalog) -> anyhow::Result<AppMatcher> {
    let rules = store.rules().await.context("could not read rules")?;
    let corrections = store.corrections().await.context("could not read corrections")?;
    let matcher = VendorMatcher::new(catalog, &rules).context("could not build the matcher")?;
    tracing::debug!(
        apps = catalog.len(),
        rules = rules.len(),
        corrections = corrections.len(),
        "matcher ready"
    );
    Ok(Corrected::new(matcher, &corrections, catalog))
}

fn default_database() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "spendmap")
        .context("no home directory to keep the default database in; pass --db")?;
    Ok(dirs.data_dir().join("spendmap.db"))
}

fn is_plain_path(location: &str) -> bool {
    !location.contains(':') || Path::new(location).is_absolute()
}

/// The default database's folder is ours to create; a folder in a path the
/// user typed is not, so that a typo does not quietly start a new database.
fn create_default_folder(path: &Path) -> anyhow::Result<()> {
    let Some(parent) = path.parent() else { return Ok(()) };
    std::fs::create_dir_all(parent)
        .with_context(|| format!("could not create folder `{}`", parent.display()))
}

/// Create the database file readable only by the user: it holds who spent
/// what, and later the Concur connection.
fn create_private_file(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        bail!("folder `{}` does not exist (create it, or check the --db path)", parent.display());
    }

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        // Another spendmap created it in the meantime: just as good.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => {
            Err(err).with_context(|| format!("could not create database file `{}`", path.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_hidden_and_the_rest_kept() {
        assert_eq!(
            without_password("postgres://u:secret@127.0.0.1:5432/db"),
            "postgres://u:***@127.0.0.1:5432/db"
        );
        assert_eq!(without_password("postgres://u@host/db"), "postgres://u@host/db");
        assert_eq!(without_password("postgres://u:p@w@host"), "postgres://u:***@host");
        assert_eq!(without_password("data/spend.db"), "data/spend.db");
    }
}

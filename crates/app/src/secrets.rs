//! Secrets at rest: sealed with a key that never enters the database.
//!
//! The key is 32 bytes: `SPENDMAP_KEY` (64 hex characters) when set, else
//! the key file `spendmap.key` in the user's config directory, created on
//! the first connect readable only by the user. A database copied without
//! the key gives away no client secret and no refresh token.
//!
//! Sealing is XChaCha20-Poly1305 with a random 24-byte nonce per value;
//! the connection name and the field name are authenticated with it, so a
//! sealed value cannot be moved to another field or connection unnoticed.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// The environment variable that holds the key as hex.
pub(crate) const KEY_VARIABLE: &str = "SPENDMAP_KEY";

/// Every sealed value starts with this, so a future format can differ.
const PREFIX: &str = "v1:";

/// Seals and opens secrets with one key.
pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
    origin: String,
}

impl Sealer {
    /// The key from the environment or the key file; a missing key file is
    /// created when `create` is set (at connect), refused otherwise.
    pub(crate) fn load(create: bool) -> anyhow::Result<Sealer> {
        if let Ok(hex) = std::env::var(KEY_VARIABLE) {
            let Some(key) = parse_hex_key(hex.trim()) else {
                bail!(
                    "{KEY_VARIABLE} must be 64 hex characters (make one with `openssl rand -hex 32`)"
                );
            };
            return Ok(Sealer::new(&key, format!("the key in {KEY_VARIABLE}")));
        }

        let path = key_file()?;
        let key = match std::fs::read_to_string(&path) {
            Ok(text) => parse_hex_key(text.trim()).with_context(|| {
                format!("key file `{}` is damaged: it must hold 64 hex characters", path.display())
            })?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound && create => {
                create_key_file(&path)?
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
                "no key to open the stored Concur secrets: `{}` is missing and {KEY_VARIABLE} \
                 is not set (restore the key, or run `spendmap connect concur` again)",
                path.display()
            ),
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("could not read key file `{}`", path.display()));
            }
        };
        Ok(Sealer::new(&key, format!("the key file `{}`", path.display())))
    }

    fn new(key: &[u8; 32], origin: String) -> Sealer {
        Sealer { cipher: XChaCha20Poly1305::new(&Key::from(*key)), origin }
    }

    /// Seal `secret` as the `field` of connection `connection`.
    pub(crate) fn seal(
        &self,
        connection: &str,
        field: &str,
        secret: &SecretString,
    ) -> anyhow::Result<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let label = label(connection, field);
        let payload = Payload { msg: secret.expose_secret().as_bytes(), aad: label.as_bytes() };
        let sealed = self
            .cipher
            .encrypt(&nonce, payload)
            .map_err(|_| anyhow::anyhow!("could not seal the {field}"))?;

        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", BASE64.encode(bytes)))
    }

    /// Open what [`Sealer::seal`] made.
    pub(crate) fn open(
        &self,
        connection: &str,
        field: &str,
        sealed: &str,
    ) -> anyhow::Result<SecretString> {
        let wrong_key = || {
            anyhow::anyhow!(
                "the stored {field} of connection `{connection}` cannot be opened with {} \
                 (a different key than at connect?); run `spendmap connect concur` again",
                self.origin
            )
        };
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|text| BASE64.decode(text).ok())
            .ok_or_else(wrong_key)?;
        if bytes.len() < 24 {
            return Err(wrong_key());
        }

        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| wrong_key())?;
        let label = label(connection, field);
        let payload = Payload { msg: ciphertext, aad: label.as_bytes() };
        let plain = self.cipher.decrypt(&XNonce::from(nonce), payload).map_err(|_| wrong_key())?;
        let text = String::from_utf8(plain).map_err(|_| wrong_key())?;
        Ok(SecretString::from(text))
    }
}

fn label(connection: &str, field: &str) -> String {
    format!("spendmap/{connection}/{field}")
}

/// 32 bytes from exactly 64 hex digits, or `None`.
fn parse_hex_key(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut key = [0u8; 32];
    for (idx, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[idx * 2..idx * 2 + 2], 16).ok()?;
    }
    Some(key)
}

/// `spendmap.key` in the user's config directory.
pub(crate) fn key_file() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "spendmap")
        .with_context(|| format!("no home directory for the key file; set {KEY_VARIABLE}"))?;
    Ok(dirs.config_dir().join("spendmap.key"))
}

fn create_key_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    use std::io::Write;

    let key: [u8; 32] = XChaCha20Poly1305::generate_key(&mut OsRng).into();
    let hex: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("could not create folder `{}`", folder.display()))?;
    }

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("could not create key file `{}`", path.display()))?;
    writeln!(file, "{hex}")
        .with_context(|| format!("could not write key file `{}`", path.display()))?;
    eprintln!(
        "note: created key file `{}` for the stored Concur secrets; keep it with your backups",
        path.display()
    );
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(byte: u8) -> Sealer {
        Sealer::new(&[byte; 32], "a test key".to_owned())
    }

    #[test]
    fn sealed_secrets_open_again_and_hide_their_text() {
        let secret = SecretString::from("refresh-1234".to_owned());
        let sealed = sealer(7).seal("concur", "refresh token", &secret).expect("seals");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("refresh-1234"));

        let opened = sealer(7).open("concur", "refresh token", &sealed).expect("opens");
        assert_eq!(opened.expose_secret(), "refresh-1234");
        let again = sealer(7).seal("concur", "refresh token", &secret).expect("seals");
        assert_ne!(sealed, again, "a fresh nonce every time");
    }

    #[test]
    fn another_key_or_another_field_cannot_open_it() {
        let sealed = sealer(7)
            .seal("concur", "client secret", &SecretString::from("s".to_owned()))
            .expect("seals");
        let wrong_key = sealer(8).open("concur", "client secret", &sealed).map(|_| ());
        assert!(wrong_key.is_err_and(|err| err.to_string().contains("connect concur` again")));
        assert!(sealer(7).open("concur", "refresh token", &sealed).is_err());
        assert!(sealer(7).open("concur", "client secret", "v1:AAAA").is_err());
    }

    #[test]
    fn keys_are_64_hex_characters() {
        assert_eq!(parse_hex_key(&"ab".repeat(32)), Some([0xab; 32]));
        assert!(parse_hex_key("abc").is_none());
        assert!(parse_hex_key(&"zz".repeat(32)).is_none());
    }
}

//! Choosing a file's encoding and opening decoded, streaming CSV readers on
//! it. Decoding is `encoding_rs`'s; this module only decides which encoding.

use crate::ImportError;
use csv::StringRecord;
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Read buffer for the raw file; large enough that a gigabyte streams in
/// few system calls, small enough not to matter.
const BUFFER: usize = 64 * 1024;

/// Bytes read from the start of a file to find a byte-order mark and tell
/// text from binary data.
const SNIFF_BYTES: usize = 8 * 1024;

/// The longest record, in decoded bytes, that the importer will hold in
/// memory. A real expense row is a few hundred bytes; a record this long is
/// a file that is not an export, or a quote that never closes and would
/// otherwise swallow the rest of a multi-gigabyte file.
pub(crate) const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// Starts of file formats people pick by mistake instead of a CSV export,
/// with what to call them in the error, so that the message names the
/// format rather than a byte offset.
const BINARY_SIGNATURES: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document (a legacy Excel .xls workbook?)"),
    (b"\x1f\x8b", "a gzip archive"),
];

/// A CSV reader over the decoded text of a file.
pub(crate) type Records = csv::Reader<Tail<DecodeReaderBytes<BufReader<File>, Vec<u8>>>>;

/// A file with its encoding decided; each [`Source::records`] call starts a
/// fresh pass from the first byte.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    pub(crate) path: PathBuf,
    pub(crate) encoding: &'static Encoding,
    /// The line of the first non-UTF-8 byte, when that made the file be
    /// read as Windows-1252.
    pub(crate) fallback_line: Option<u64>,
}

impl Source {
    /// Decides the encoding: a byte-order mark wins, then the caller's label,
    /// then UTF-8 if every byte is valid UTF-8, else Windows-1252.
    pub(crate) fn open(path: &Path, label: Option<&str>) -> Result<Source, ImportError> {
        let told = label.map(lookup).transpose()?;
        let start = read_start(path)?;
        if start.is_empty() {
            return Err(ImportError::Empty { path: path.to_owned() });
        }
        let bom = Encoding::for_bom(&start).map(|(encoding, _)| encoding);
        let encoding = bom.or(told).unwrap_or(UTF_8);

        // Only UTF-16 text has NUL bytes; anywhere else they mean the file
        // is not a text export at all, and no header will ever be found.
        // A known binary signature says so even without NUL bytes, and says
        // what the file is.
        let wide = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
        let nul = start.iter().position(|b| *b == 0).filter(|_| !wide);
        let format = binary_format(&start);
        if nul.is_some() || format.is_some() {
            let offset = nul.map_or(0, |offset| offset as u64);
            return Err(ImportError::NotText { path: path.to_owned(), offset, format });
        }

        let source = Source { path: path.to_owned(), encoding, fallback_line: None };
        if encoding != UTF_8 {
            return Ok(source);
        }
        match first_invalid_utf8(path).map_err(|e| ImportError::io(path, e))? {
            None => Ok(source),
            Some(offset) if bom.is_some() || told.is_some() => {
                Err(ImportError::Undecodable { path: path.to_owned(), encoding: "UTF-8", offset })
            }
            Some(offset) => {
                let line = line_of(path, offset).map_err(|e| ImportError::io(path, e))?;
                tracing::debug!(path = %path.display(), offset, line, "not UTF-8: windows-1252");
                Ok(Source { encoding: WINDOWS_1252, fallback_line: Some(line), ..source })
            }
        }
    }

    /// A reader over the whole file from the start, splitting on `delimiter`.
    /// Records may have any number of fields. Only `\n` ends a record, so
    /// that [`next_record`] can tell physical lines; a `\r` before it stays
    /// at the end of the last field, which every reader trims.
    pub(crate) fn records(&self, delimiter: u8) -> Result<Records, ImportError> {
        let file = File::open(&self.path).map_err(|e| ImportError::io(&self.path, e))?;
        let decoded = DecodeReaderBytesBuilder::new()
            .encoding(Some(self.encoding))
            .bom_override(true)
            .strip_bom(true)
            .build(BufReader::with_capacity(BUFFER, file));
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::Any(b'\n'))
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(BUFFER)
            .from_reader(Tail::new(decoded));
        Ok(reader)
    }

    /// The first line of decoded text (up to a few hundred bytes), to sniff
    /// the format by.
    pub(crate) fn first_line(&self) -> Result<String, ImportError> {
        let file = File::open(&self.path).map_err(|e| ImportError::io(&self.path, e))?;
        let mut decoded = DecodeReaderBytesBuilder::new()
            .encoding(Some(self.encoding))
            .bom_override(true)
            .strip_bom(true)
            .build(file.take(1024));
        let mut text = String::new();
        decoded.read_to_string(&mut text).map_err(|e| ImportError::io(&self.path, e))?;
        Ok(text.lines().next().unwrap_or_default().to_owned())
    }
}

/// The next record with any non-blank field, and the physical line it
/// starts on; `None` at the end.
///
/// csv's own record position is where its read began, which is before any
/// blank lines it skipped, so the start is worked out backwards from where
/// the read ended: the end line, less the newlines inside quoted fields, less
/// the terminating newline unless the record ran to the end of the file.
pub(crate) fn next_record(
    records: &mut Records,
    record: &mut StringRecord,
) -> csv::Result<Option<u64>> {
    loop {
        let start_line = records.position().line();
        records.get_mut().start_record(start_line);
        if !records.read_record(record)? {
            return Ok(None);
        }
        // Every field's bytes, back to back: one scan each instead of one
        // per field. Only a record of nothing but whitespace (ASCII or,
        // possibly, Unicode) needs the field-by-field check.
        let bytes = record.as_byte_record().as_slice();
        let maybe_blank = bytes.iter().all(|b| b.is_ascii_whitespace() || *b >= 0x80);
        if maybe_blank && record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }

        let end = records.position();
        let inside = memchr::memchr_iter(b'\n', bytes).count();
        let terminated = !records.get_ref().unterminated_end(end.byte());
        let line = end.line().saturating_sub(inside as u64 + u64::from(terminated));
        return Ok(Some(line.max(1)));
    }
}

/// The line a csv error is about: where an over-long record starts, else
/// csv's own position, else where the reader had got to.
pub(crate) fn error_line(error: &csv::Error, records: &Records) -> u64 {
    if let Some(too_long) = too_long(error) {
        return too_long.line;
    }
    error.position().map_or_else(|| records.position().line(), csv::Position::line)
}

/// The over-long record behind a csv error, if that is what stopped it.
pub(crate) fn too_long(error: &csv::Error) -> Option<&RecordTooLong> {
    let csv::ErrorKind::Io(io) = error.kind() else {
        return None;
    };
    io.get_ref()?.downcast_ref::<RecordTooLong>()
}

/// Why [`Tail`] stopped a read: the record that began on `line` has grown
/// past [`MAX_RECORD_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error(
    "the record starting here is longer than {} MiB; reading stops (is a quote never closed?)",
    MAX_RECORD_BYTES / (1024 * 1024)
)]
pub(crate) struct RecordTooLong {
    pub(crate) line: u64,
}

/// Passes decoded text through, remembering its length and last byte, so
/// that a record that ends the file without a newline can be recognised.
///
/// It also bounds memory: csv grows its record buffer until a record ends,
/// so a file with no newline (or an unclosed quote) would be held whole.
/// [`next_record`] marks where each record starts, and a read that would go
/// on past [`MAX_RECORD_BYTES`] since that mark fails instead.
#[derive(Debug)]
pub(crate) struct Tail<R> {
    inner: R,
    total: u64,
    last: u8,
    eof: bool,
    /// Bytes handed to csv since the current record began.
    record_bytes: u64,
    /// The line the current record began on, for the error.
    record_line: u64,
}

impl<R> Tail<R> {
    fn new(inner: R) -> Tail<R> {
        Tail { inner, total: 0, last: b'\n', eof: false, record_bytes: 0, record_line: 1 }
    }

    /// Marks the start of a record at `line`.
    ///
    /// csv only asks for more text once it has used all it was given, so
    /// everything handed over since this mark belongs to the record being
    /// read: the check below never refuses a record within the limit.
    fn start_record(&mut self, line: u64) {
        self.record_bytes = 0;
        self.record_line = line;
    }

    /// Whether `offset` is the end of the text and the text does not end
    /// with a newline.
    fn unterminated_end(&self, offset: u64) -> bool {
        self.eof && offset == self.total && self.last != b'\n'
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.record_bytes > MAX_RECORD_BYTES {
            let too_long = RecordTooLong { line: self.record_line };
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, too_long));
        }
        let n = self.inner.read(buf)?;
        match buf[..n].last() {
            Some(last) => {
                self.total += n as u64;
                self.record_bytes += n as u64;
                self.last = *last;
            }
            None => self.eof = true,
        }
        Ok(n)
    }
}

/// The name of a known binary format that `start` begins with.
fn binary_format(start: &[u8]) -> Option<&'static str> {
    BINARY_SIGNATURES.iter().find(|(magic, _)| start.starts_with(magic)).map(|(_, kind)| *kind)
}

fn lookup(label: &str) -> Result<&'static Encoding, ImportError> {
    Encoding::for_label(label.trim().as_bytes())
        .ok_or_else(|| ImportError::UnknownEncoding(label.to_owned()))
}

/// The 1-based line holding byte `offset`: newlines before it, plus one.
fn line_of(path: &Path, offset: u64) -> std::io::Result<u64> {
    let mut before = File::open(path)?.take(offset);
    let mut buf = vec![0u8; BUFFER];
    let mut newlines = 0u64;
    loop {
        let n = before.read(&mut buf)?;
        if n == 0 {
            return Ok(1 + newlines);
        }
        newlines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
    }
}

/// The first bytes of the file, for the byte-order mark and the binary check.
fn read_start(path: &Path) -> Result<Vec<u8>, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    let mut start = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64).read_to_end(&mut start).map_err(|e| ImportError::io(path, e))?;
    Ok(start)
}

/// Offset of the first byte that is not valid UTF-8, streaming through the
/// file with a small buffer. A sequence cut by the buffer's end is carried
/// over to the next read; one cut by the end of the file is invalid.
fn first_invalid_utf8(path: &Path) -> std::io::Result<Option<u64>> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; BUFFER];
    let mut carried = 0;
    let mut offset = 0u64;
    loop {
        let n = file.read(&mut buf[carried..])?;
        if n == 0 {
            return Ok((carried > 0).then_some(offset));
        }

        let len = carried + n;
        let valid = Encoding::utf8_valid_up_to(&buf[..len]);
        let rest = len - valid;
        if rest >= 4 {
            return Ok(Some(offset + valid as u64));
        }
        buf.copy_within(valid..len, 0);
        offset += valid as u64;
        carried = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    #[test]
    fn utf8_check_streams_across_buffers() {
        let mut bytes = vec![b'a'; BUFFER - 1];
        bytes.extend_from_slice("é€".as_bytes());
        assert_eq!(first_invalid_utf8(file_with(&bytes).path()).unwrap(), None);

        bytes.push(0xE9);
        bytes.push(b'x');
        let bad_at = bytes.len() as u64 - 2;
        assert_eq!(first_invalid_utf8(file_with(&bytes).path()).unwrap(), Some(bad_at));

        let cut = [b'a', 0xE2, 0x82];
        assert_eq!(first_invalid_utf8(file_with(&cut).path()).unwrap(), Some(1));
    }

    fn lines_of(text: &str) -> Vec<(u64, String)> {
        let file = file_with(text.as_bytes());
        let source = Source { path: file.path().to_owned(), encoding: UTF_8, fallback_line: None };
        let mut records = source.records(b',').unwrap();
        let mut record = StringRecord::new();
        let mut found = Vec::new();
        while let Some(line) = next_record(&mut records, &mut record).unwrap() {
            found.push((line, record.get(0).unwrap().trim().to_owned()));
        }
        found
    }

    #[test]
    fn physical_lines_with_blank_lines_crlf_and_quoted_newlines() {
        let want =
            |v: &[(u64, &str)]| v.iter().map(|(l, s)| (*l, s.to_string())).collect::<Vec<_>>();
        let expected = want(&[(1, "a"), (3, "b"), (4, "x\ny"), (8, "c")]);
        assert_eq!(lines_of("a\n\nb\n\"x\ny\"\n\n,,\nc"), expected);
        assert_eq!(lines_of("a\n\nb\n\"x\ny\"\n\n,,\nc\n"), expected);
        let crlf = want(&[(1, "a"), (3, "b"), (4, "x\r\ny"), (8, "c")]);
        assert_eq!(lines_of("a\r\n\r\nb\r\n\"x\r\ny\"\r\n\r\n,,\r\nc\r\n"), crlf);
    }

    #[test]
    fn encoding_choice() {
        let latin = file_with(b"Caf\xe9,1\n");
        assert_eq!(Source::open(latin.path(), None).unwrap().encoding, WINDOWS_1252);
        assert!(matches!(
            Source::open(latin.path(), Some("utf-8")),
            Err(ImportError::Undecodable { offset: 3, .. })
        ));
        let utf16 = file_with(b"\xff\xfea\x00");
        let source = Source::open(utf16.path(), Some("windows-1252")).unwrap();
        assert_eq!(source.encoding, encoding_rs::UTF_16LE);
        assert!(matches!(
            Source::open(utf16.path(), Some("klingon")),
            Err(ImportError::UnknownEncoding(_))
        ));
    }
}

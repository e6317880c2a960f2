//! Ingest: find the input files (sorted), read them, and decode their bytes to text.
//!
//! Decoding is detected from the bytes, never guessed from the file name: a BOM decides
//! UTF-8/UTF-16; otherwise valid UTF-8 is UTF-8; otherwise the legacy encoding is detected
//! (chardetng) among GB18030/GBK and Big5 and must decode without a single error.

use encoding_rs::{Encoding, BIG5, GB18030, UTF_16BE, UTF_16LE};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// File extensions read by `build` when it walks a folder (see `formats` for the formats).
pub const EXTENSIONS: &[&str] = &["txt", "md", "html", "htm", "shtml", "pdf", "docx"];

/// A failure to read or decode one input; the run goes on with the other files.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: no such file or directory")]
    Missing { path: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot decode: {reason}")]
    Undecodable { path: String, reason: String },
    /// A file of a type `build` does not read (RDF, images, archives, binaries).
    #[error("{path}: {refusal}")]
    Refused {
        path: String,
        refusal: crate::formats::Refusal,
    },
    /// A PDF, DOCX or HTML file whose text could not be extracted.
    #[error("{path}: {error}")]
    Format {
        path: String,
        error: crate::formats::FormatError,
    },
}

/// One decoded input file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path as given (with `/` separators), which keys the Source.
    pub path: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The encoding the bytes were decoded from.
    pub encoding: &'static str,
    /// The decoded text without BOM. Offsets everywhere count `char`s of this string.
    pub text: String,
    /// What `NAME.meta.json` beside the file says about it, when there is one.
    pub meta: Option<Meta>,
    /// The format the text was extracted from.
    pub format: crate::formats::Format,
    /// Header fields the file states outside its text (an HTML page's `<meta>`).
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Sidecar metadata (`NAME.meta.json` beside `NAME.txt`, the corpus format): only the
/// title and the date are used; anything else in the file is ignored.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub title_zh: Option<String>,
    #[serde(default)]
    pub title_en: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date: Option<String>,
}

impl Meta {
    pub fn year(&self) -> Option<i32> {
        self.date.as_deref()?.get(..4)?.parse().ok()
    }
}

fn read_meta(path: &Path) -> Option<Meta> {
    let name = path.file_name()?.to_str()?;
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let sidecar = path.with_file_name(format!("{stem}.meta.json"));
    serde_json::from_slice(&std::fs::read(sidecar).ok()?).ok()
}

/// The files under `paths`: files as given, directories walked recursively; each list
/// sorted, duplicates removed. Missing paths are returned as errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<IngestError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files, &mut errors);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            errors.push(IngestError::Missing { path: display(path) });
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<IngestError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(source) => {
            errors.push(IngestError::Io {
                path: display(dir),
                source,
            });
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        if child.is_dir() {
            walk(&child, files, errors);
        } else if has_text_extension(&child) && !is_folder_readme(&child) {
            files.push(child);
        }
    }
}

/// A README inside an input folder describes the folder; it is read only when named.
fn is_folder_readme(path: &Path) -> bool {
    path.file_stem()
        .and_then(|s| s.to_str())
        .is_some_and(|s| s.eq_ignore_ascii_case("readme"))
}

fn has_text_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// A path as text with `/` separators and no leading `./`, stable across platforms.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// Reads and decodes one file.
pub fn read(path: &Path) -> Result<Document, IngestError> {
    let bytes = read_bytes(path)?;
    decode_document(path, &bytes)
}

/// The raw bytes of one file.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, IngestError> {
    std::fs::read(path).map_err(|source| IngestError::Io {
        path: display(path),
        source,
    })
}

/// Decodes the bytes read from `path`: plain text as it is, other formats (recognized from
/// the bytes and the name) by `formats`, the rest refused.
pub fn decode_document(path: &Path, bytes: &[u8]) -> Result<Document, IngestError> {
    let shown = display(path);
    let format = crate::formats::sniff(path, bytes).map_err(|refusal| IngestError::Refused {
        path: shown.clone(),
        refusal,
    })?;
    let (text, encoding, fields) = if format == crate::formats::Format::Text {
        let (text, encoding) = decode(bytes).map_err(|reason| IngestError::Undecodable {
            path: shown.clone(),
            reason,
        })?;
        (text, encoding, Default::default())
    } else {
        let extracted = crate::formats::extract(format, bytes).map_err(|error| IngestError::Format {
            path: shown.clone(),
            error,
        })?;
        (extracted.text, extracted.encoding, extracted.fields)
    };
    Ok(Document {
        path: shown,
        sha256: sha256_hex(bytes),
        encoding,
        text,
        meta: read_meta(path),
        format,
        fields,
    })
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes bytes to text and names the encoding, or says why it cannot.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    let (text, name) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (utf8(rest)?, "UTF-8 (BOM)")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (strict(UTF_16LE, rest)?, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (strict(UTF_16BE, rest)?, "UTF-16BE")
    } else {
        match std::str::from_utf8(bytes) {
            Ok(text) => (text.to_owned(), "UTF-8"),
            Err(utf8_error) => legacy(bytes).ok_or_else(|| {
                let at = utf8_error.valid_up_to();
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                format!(
                    "not UTF-8 (invalid byte 0x{:02X} at line {line}, byte offset {at}), and not GB18030 or Big5 either",
                    bytes[at]
                )
            })?,
        }
    };
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(format!(
            "binary data (NUL character at line {line}); {name} text was expected"
        ));
    }
    Ok((text, name))
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    std::str::from_utf8(bytes).map(str::to_owned).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        format!(
            "UTF-8 BOM but invalid UTF-8 at line {line}, byte offset {}",
            e.valid_up_to() + 3
        )
    })
}

fn strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or_else(|| {
            format!(
                "{} BOM but the bytes are not valid {}",
                encoding.name(),
                encoding.name()
            )
        })
}

/// GB18030 (a superset of GBK and GB2312) or Big5, whichever the detector prefers first.
/// GB18030 maps almost any byte sequence to *something*, so a candidate must also be free
/// of private-use characters, which real text in either encoding does not contain.
fn legacy(bytes: &[u8]) -> Option<(String, &'static str)> {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    let order: [&'static Encoding; 2] = if guess == BIG5 {
        [BIG5, GB18030]
    } else {
        [GB18030, BIG5]
    };
    order.into_iter().find_map(|encoding| {
        let text = encoding.decode_without_bom_handling_and_without_replacement(bytes)?;
        let private_use = text.chars().any(|c| ('\u{E000}'..='\u{F8FF}').contains(&c));
        (!private_use).then(|| (text.into_owned(), encoding.name()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_supported_encoding() {
        let text = "工业和信息化部等八部门联合印发《实施意见》。到2027年,推广500个典型应用场景。";
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (text.as_bytes().to_vec(), "UTF-8"),
            ([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(), "UTF-8 (BOM)"),
            (
                [
                    vec![0xFF, 0xFE],
                    text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                ]
                .concat(),
                "UTF-16LE",
            ),
            (
                [
                    vec![0xFE, 0xFF],
                    text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
                ]
                .concat(),
                "UTF-16BE",
            ),
            (GB18030.encode(text).0.into_owned(), "gb18030"),
        ];
        for (bytes, expected) in cases {
            let (decoded, name) = decode(&bytes).unwrap_or_else(|e| panic!("{expected}: {e}"));
            assert_eq!(decoded, text, "{expected}");
            assert_eq!(name, expected);
        }
    }

    #[test]
    fn decodes_big5_traditional_text() {
        let text = "中央人民政府工作報告。發展重工業，建設社會主義。我們的國家正在進行大規模的經濟建設。";
        let bytes = BIG5.encode(text).0.into_owned();
        let (decoded, name) = decode(&bytes).expect("big5");
        assert_eq!(decoded, text);
        assert_eq!(name, "Big5");
    }

    proptest::proptest! {
        #[test]
        fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            if let Ok((text, _)) = decode(&bytes) {
                proptest::prop_assert!(!text.contains('\0'));
            }
        }
    }

    #[test]
    fn rejects_binary_with_position() {
        let error = decode(b"line one\nline two\n\xFF\xFF\xFF\x00\x81").unwrap_err();
        assert!(error.contains("line 3"), "{error}");
        let error = decode(b"abc\ndef\0").unwrap_err();
        assert!(error.contains("NUL") && error.contains("line 2"), "{error}");
    }
}

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
    #[error("{path}: {kind}, not read")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path}: symlink loop (leads back to {target}), not followed")]
    Loop { path: String, target: String },
    #[error("{path}: {size} bytes, over the limit of {limit} bytes (--max-file-size), not read")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error(
        "{path}: line {line} is {bytes} bytes long, over the {limit} bytes a paragraph may have; \
         split it at sentence ends (extraction works paragraph by paragraph)"
    )]
    LineTooLong {
        path: String,
        line: usize,
        bytes: usize,
        limit: usize,
    },
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
/// sorted, duplicates removed. Paths that cannot be read are returned as errors, and the
/// regular files of the folders that are no documents as passed over.
///
/// The walk is safe on hostile trees: only `stat` is used before a file is chosen, so a
/// FIFO, device or socket is never opened (it is reported when it carries a text
/// extension, or was named); symlinks are followed, but every real file (device and
/// inode) is taken once and a link back to a directory being walked is reported as a loop.
pub fn discover(paths: &[PathBuf]) -> Walked {
    walk(paths, |p| has_text_extension(p) && !is_folder_readme(p))
}

/// What [`walk`] found.
#[derive(Debug, Default)]
pub struct Walked {
    /// The files named, and those in the folders that `wanted` takes: sorted, each real file once.
    pub files: Vec<PathBuf>,
    /// Missing paths, loops, special files where a wanted file was, unreadable folders.
    pub errors: Vec<IngestError>,
    /// Regular files in the folders that `wanted` does not take, sorted.
    pub passed: Vec<PathBuf>,
}

/// The safe walk of [`discover`] with another choice of files: `wanted` says which files
/// in the folders are taken (files named in `paths` always are).
pub fn walk(paths: &[PathBuf], wanted: fn(&Path) -> bool) -> Walked {
    let mut walk = Walk {
        wanted,
        files: Vec::new(),
        errors: Vec::new(),
        passed: Vec::new(),
        seen: Default::default(),
        open: Vec::new(),
    };
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk.dir(path, &meta),
            Ok(meta) if meta.is_file() => walk.file(path, &meta),
            Ok(meta) => walk.errors.push(IngestError::NotRegular {
                path: display(path),
                kind: file_kind(&meta),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                walk.errors.push(IngestError::Missing { path: display(path) })
            }
            Err(source) => walk.errors.push(IngestError::Io {
                path: display(path),
                source,
            }),
        }
    }
    let Walk {
        mut files,
        errors,
        mut passed,
        ..
    } = walk;
    files.sort();
    files.dedup();
    passed.sort();
    Walked { files, errors, passed }
}

/// A real file or directory, whatever path reached it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn file_id(path: &Path, meta: &std::fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        FileId::Inode(meta.dev(), meta.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()))
    }
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        } else if t.is_char_device() || t.is_block_device() {
            return "a device";
        } else if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a regular file"
}

struct Walk {
    /// Which files in a folder are taken.
    wanted: fn(&Path) -> bool,
    files: Vec<PathBuf>,
    /// Regular files in a folder that are not taken.
    passed: Vec<PathBuf>,
    errors: Vec<IngestError>,
    /// Files and directories already taken.
    seen: std::collections::HashSet<FileId>,
    /// The directories being walked, outermost first: a link to one of them is a loop.
    open: Vec<(FileId, PathBuf)>,
}

impl Walk {
    fn file(&mut self, path: &Path, meta: &std::fs::Metadata) {
        if self.seen.insert(file_id(path, meta)) {
            self.files.push(path.to_owned());
        }
    }

    fn dir(&mut self, dir: &Path, meta: &std::fs::Metadata) {
        let id = file_id(dir, meta);
        if let Some((_, ancestor)) = self.open.iter().find(|(open, _)| *open == id) {
            self.errors.push(IngestError::Loop {
                path: display(dir),
                target: display(ancestor),
            });
            return;
        }
        if !self.seen.insert(id.clone()) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(source) => {
                self.errors.push(IngestError::Io {
                    path: display(dir),
                    source,
                });
                return;
            }
        };
        self.open.push((id, dir.to_owned()));
        let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for child in children {
            let candidate = (self.wanted)(&child);
            // `metadata` follows a symlink without opening its target.
            match std::fs::metadata(&child) {
                Ok(meta) if meta.is_dir() => self.dir(&child, &meta),
                Ok(meta) if meta.is_file() => {
                    if candidate {
                        self.file(&child, &meta);
                    } else {
                        self.passed.push(child);
                    }
                }
                Ok(meta) => {
                    if candidate {
                        self.errors.push(IngestError::NotRegular {
                            path: display(&child),
                            kind: file_kind(&meta),
                        });
                    }
                }
                // A dangling link is worth a word only where a document was expected; a link
                // that loops on itself (or a denied entry) always is.
                Err(source) => {
                    if candidate || source.kind() != std::io::ErrorKind::NotFound {
                        self.errors.push(IngestError::Io {
                            path: display(&child),
                            source,
                        });
                    }
                }
            }
        }
        self.open.pop();
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

/// A path as text with `/` separators and no leading `./`, stable across platforms. Bytes
/// of a file name that are not UTF-8 are kept as `\xNN` escapes, so two such names never
/// collide into one source.
pub fn display(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str());
    #[cfg(not(unix))]
    let lossy = path.to_string_lossy();
    #[cfg(not(unix))]
    let bytes = lossy.as_bytes();
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        // Backslashes become `/` before any escape is written, so an escape stays unique.
        text.push_str(&chunk.valid().replace('\\', "/"));
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02X}"));
        }
    }
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

/// The raw bytes of one file, refused when it is larger than `limit` (checked before
/// reading, and again while reading, for a file that grows or lies about its size).
pub fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    use std::io::Read;
    let io = |source| IngestError::Io {
        path: display(path),
        source,
    };
    let too_large = |size| IngestError::TooLarge {
        path: display(path),
        size,
        limit,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(IngestError::NotRegular {
            path: display(path),
            kind: file_kind(&meta),
        });
    }
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The longest paragraph line a document may have. Real plans stay far below (the longest
/// line of the development corpus has a few thousand characters); a text that is one huge
/// line (a minified dump, a file without line breaks) is refused by name instead of being
/// worked on for hours.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The 1-based number and the length in bytes of the longest line.
fn longest_line(text: &str) -> Option<(usize, usize)> {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.len()))
        .max_by_key(|&(i, len)| (len, std::cmp::Reverse(i)))
}

/// Decodes the bytes read from `path`: plain text as it is, other formats (recognized from
/// the bytes and the name) by `formats`, the rest refused.
pub fn decode_document(path: &Path, bytes: &[u8]) -> Result<Document, IngestError> {
    decode_hashed(path, bytes, sha256_hex(bytes))
}

/// [`decode_document`] for bytes whose SHA-256 (hex) the caller has computed already.
pub fn decode_hashed(path: &Path, bytes: &[u8], sha256: String) -> Result<Document, IngestError> {
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
    if let Some((line, bytes)) = longest_line(&text).filter(|&(_, b)| b > MAX_LINE_BYTES) {
        return Err(IngestError::LineTooLong {
            path: shown,
            line,
            bytes,
            limit: MAX_LINE_BYTES,
        });
    }
    Ok(Document {
        path: shown,
        sha256,
        encoding,
        text,
        meta: read_meta(path),
        format,
        fields,
    })
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Decodes bytes to text and names the encoding, or says why it cannot.
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), String> {
    let (text, name) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (utf8(rest)?, "UTF-8 (BOM)")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (strict(UTF_16LE, rest)?, "UTF-16LE")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (strict(UTF_16BE, rest)?, "UTF-16BE")
    } else if let Some(utf16) = bomless_utf16(bytes) {
        utf16?
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

/// UTF-16 without a BOM, recognised by its NUL bytes: ASCII characters (digits, Latin
/// letters, line breaks) put a NUL in every other byte, on the odd offsets in UTF-16LE and
/// the even ones in UTF-16BE. Such bytes are never GB18030 text; they decode as UTF-16 or
/// are refused. `None` when the pattern is absent.
fn bomless_utf16(bytes: &[u8]) -> Option<Result<(String, &'static str), String>> {
    let nuls = |parity: usize| bytes.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (nuls(0), nuls(1));
    // CJK characters such as U+4E00 put a NUL on the other side now and then; binary data
    // puts them on both sides alike.
    let (encoding, name, offsets) = if odd >= 2 && odd >= 4 * even {
        (UTF_16LE, "UTF-16LE (no BOM)", "odd")
    } else if even >= 2 && even >= 4 * odd {
        (UTF_16BE, "UTF-16BE (no BOM)", "even")
    } else {
        return None;
    };
    let refuse = |why: String| {
        Err(format!(
            "looks like {} without a BOM (NUL bytes at {offsets} offsets), but {why}",
            encoding.name()
        ))
    };
    if !bytes.len().is_multiple_of(2) {
        return Some(refuse(format!("its length ({} bytes) is odd", bytes.len())));
    }
    Some(
        match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok((text.into_owned(), name)),
            None => refuse(format!("the bytes are not valid {}", encoding.name())),
        },
    )
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
    fn a_line_longer_than_a_paragraph_may_be_is_refused_with_its_number() {
        let fits = format!("标题\n{}\n", "到2027年建成5个示范区。".repeat(MAX_LINE_BYTES / 40));
        assert!(decode_document(Path::new("a.txt"), fits.as_bytes()).is_ok());
        let long = format!("标题\n短句。\n{}\n", "。".repeat(MAX_LINE_BYTES / 3 + 1));
        match decode_document(Path::new("dump.txt"), long.as_bytes()) {
            Err(e @ IngestError::LineTooLong { line: 3, .. }) => {
                let message = e.to_string();
                assert!(message.starts_with("dump.txt: line 3 is "), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

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
    fn utf16_without_bom_is_detected_never_gb18030() {
        let text = "第一条 到2030年，建成10个示范区。\nSecond line: 25%.\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le), Ok((text.to_owned(), "UTF-16LE (no BOM)")));
        assert_eq!(decode(&be), Ok((text.to_owned(), "UTF-16BE (no BOM)")));
        // Odd length: refused with the reason, not decoded as something else.
        let error = decode(&le[..le.len() - 1]).unwrap_err();
        assert!(
            error.contains("UTF-16LE without a BOM") && error.contains("odd"),
            "{error}"
        );
        // An unpaired surrogate.
        let mut broken = le.clone();
        broken.extend_from_slice(&[0x00, 0xD8, 0x41, 0x00]);
        let error = decode(&broken).unwrap_err();
        assert!(error.contains("not valid UTF-16LE"), "{error}");
        // NULs on both sides alike are binary data, as before.
        let error = decode(b"ab\0\0cd\0\0ef\0\0").unwrap_err();
        assert!(error.contains("NUL"), "{error}");
    }

    #[test]
    fn display_keeps_non_utf8_bytes_apart() {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = display(Path::new(std::ffi::OsStr::from_bytes(b"docs/plan\xFF.txt")));
            let b = display(Path::new(std::ffi::OsStr::from_bytes(b"docs/plan\xFE.txt")));
            assert_eq!(a, "docs/plan\\xFF.txt");
            assert_eq!(b, "docs/plan\\xFE.txt");
            // A name that spells the escape in ASCII stays distinct: its backslash is a `/`.
            assert_eq!(display(Path::new("docs/plan\\xFF.txt")), "docs/plan/xFF.txt");
        }
        assert_eq!(display(Path::new("./a/b.txt")), "a/b.txt");
    }

    #[test]
    fn rejects_binary_with_position() {
        let error = decode(b"line one\nline two\n\xFF\xFF\xFF\x00\x81").unwrap_err();
        assert!(error.contains("line 3"), "{error}");
        let error = decode(b"abc\ndef\0").unwrap_err();
        assert!(error.contains("NUL") && error.contains("line 2"), "{error}");
    }
}

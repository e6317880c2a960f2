//! Input formats: a file's bytes to the plain text extraction reads.
//!
//! The format is recognized from the bytes (magic numbers, markup) as well as the name
//! ([`sniff`]); `.txt`/`.md` files are decoded exactly as before (see `ingest::decode`).
//! HTML pages give their main text and the metadata of the page ([`html`]), PDF its text
//! layer joined into paragraphs ([`pdf`]), DOCX its paragraphs, numbering and tables
//! ([`docx`]). Anything else is refused with the type it is and what to do instead.

pub mod docx;
pub mod html;
pub mod pdf;
pub mod sniff;

pub use sniff::{sniff, Format, Refusal};

/// Text and metadata taken from a file that is not plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    /// The plain text: paragraphs one per line, as extraction reads it.
    pub text: String,
    /// The encoding the markup was decoded from (HTML), or the container's ("PDF", "DOCX").
    pub encoding: &'static str,
    /// Header fields the file states outside its text (an HTML page's `<meta>` tags),
    /// by header field name (`标题`, `发布日期`, …), sorted.
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Why the text of a file of a known format could not be extracted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error(
        "PDF without a text layer ({pages} page(s), no text): a scanned document? Run OCR first and give the text"
    )]
    Scan { pages: usize },
    #[error("unreadable PDF: {0}")]
    Pdf(String),
    #[error("unreadable DOCX: {0}")]
    Docx(String),
    #[error("unreadable HTML: {0}")]
    Html(String),
    #[error("cannot decode: {0}")]
    Undecodable(String),
}

/// Extracts the text of a file in `format` from its bytes.
pub fn extract(format: Format, bytes: &[u8]) -> Result<Extracted, FormatError> {
    match format {
        Format::Html => html::extract(bytes),
        Format::Pdf => pdf::extract(bytes),
        Format::Docx => docx::extract(bytes),
        Format::Text => {
            let (text, encoding) = crate::ingest::decode(bytes).map_err(FormatError::Undecodable)?;
            Ok(Extracted {
                text,
                encoding,
                fields: Default::default(),
            })
        }
    }
}

/// What a build says of the files its walk passed over in the folders (`passed`), each as
/// "PATH: why". Sidecars of read files (`NAME.meta.json`, `NAME.gold.json`) and a folder's
/// README are no news and are left out.
pub fn passed_over(read: &[std::path::PathBuf], passed: &[std::path::PathBuf]) -> Vec<String> {
    let stems: std::collections::BTreeSet<std::path::PathBuf> = read
        .iter()
        .filter_map(|p| Some(p.with_file_name(p.file_stem()?)))
        .collect();
    let mut out = Vec::new();
    for path in passed {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let sidecar = name.ends_with(".json")
            && name
                .split('.')
                .next()
                .is_some_and(|stem| stems.contains(&path.with_file_name(stem)));
        let readme = path
            .file_stem()
            .and_then(|s| s.to_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("readme"));
        if !sidecar && !readme {
            out.push(format!(
                "{}: {}",
                crate::ingest::display(path),
                sniff::reason_not_read(path)
            ));
        }
    }
    out.sort();
    out
}

/// Collapses runs of whitespace (including no-break spaces) to one space.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space && !out.is_empty() {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses() {
        assert_eq!(collapse_whitespace("a \u{a0}\n b  "), "a b ");
    }
}

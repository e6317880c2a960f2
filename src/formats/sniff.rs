//! What a file is: from its bytes first (magic numbers, markup), then from its name.

use std::path::Path;

/// A format `build` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Plain text or Markdown, decoded as it always was.
    Text,
    Html,
    Pdf,
    Docx,
}

impl Format {
    /// The IANA media type, stored as the source's `dcterms:format`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain",
            Format::Html => "text/html",
            Format::Pdf => "application/pdf",
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }
}

/// A file `build` does not read: what it is and what to do with it instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The type, as a person names it ("Turtle (RDF)", "PNG image").
    pub kind: String,
    /// What to do instead.
    pub advice: &'static str,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not a policy text; {}", self.kind, self.advice)
    }
}

const RDF: &str = "use `policykg load` to add RDF data to the store";
const RDF_UNREADABLE: &str =
    "convert it to Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD, then `policykg load` it";
const IMAGE: &str = "run OCR on it and give the text as .txt";
const ARCHIVE: &str = "unpack it and give the documents inside";
const OFFICE: &str = "save it as .docx, .pdf or .txt";
const BINARY: &str = "give .txt, .md, .html, .pdf or .docx files";

/// Magic numbers at the start of a file, with the type they mean and the advice.
const MAGIC: &[(&[u8], &str, &str)] = &[
    (b"\x89PNG", "PNG image", IMAGE),
    (b"\xFF\xD8\xFF", "JPEG image", IMAGE),
    (b"GIF87a", "GIF image", IMAGE),
    (b"GIF89a", "GIF image", IMAGE),
    (b"II*\0", "TIFF image", IMAGE),
    (b"MM\0*", "TIFF image", IMAGE),
    (b"\x1F\x8B", "gzip archive", ARCHIVE),
    (b"7z\xBC\xAF\x27\x1C", "7-Zip archive", ARCHIVE),
    (b"Rar!", "RAR archive", ARCHIVE),
    (b"BZh", "bzip2 archive", ARCHIVE),
    (b"\xFD7zXZ\0", "xz archive", ARCHIVE),
    (
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        "legacy Office document (.doc/.xls/.wps)",
        OFFICE,
    ),
    (b"{\\rtf", "RTF document", OFFICE),
    (b"\x7FELF", "executable (ELF)", BINARY),
    (b"MZ", "executable (Windows)", BINARY),
    (b"\0asm", "WebAssembly module", BINARY),
    (b"SQLite format 3\0", "SQLite database", BINARY),
];

/// Why `build` does not read a file its extension names as RDF: a syntax `load` reads
/// (not `.xml`, which is judged by its content: many XML files are no RDF), or one it does
/// not.
fn rdf_refusal(ext: &str) -> Option<Refusal> {
    if ext == "xml" {
        return None;
    }
    if let Some(format) = crate::rdf::syntax::readable(ext) {
        return Some(refusal(&format!("{} (RDF)", format.name()), RDF));
    }
    crate::rdf::syntax::unreadable(ext).map(|name| refusal(&format!("{name} (RDF)"), RDF_UNREADABLE))
}

/// File extensions that name a type without reading it (for the files a folder walk
/// passes over).
const OTHER_EXTENSIONS: &[(&str, &str, &str)] = &[
    ("png", "PNG image", IMAGE),
    ("jpg", "JPEG image", IMAGE),
    ("jpeg", "JPEG image", IMAGE),
    ("gif", "GIF image", IMAGE),
    ("tif", "TIFF image", IMAGE),
    ("tiff", "TIFF image", IMAGE),
    ("webp", "WebP image", IMAGE),
    ("zip", "zip archive", ARCHIVE),
    ("gz", "gzip archive", ARCHIVE),
    ("tgz", "gzip archive", ARCHIVE),
    ("tar", "tar archive", ARCHIVE),
    ("7z", "7-Zip archive", ARCHIVE),
    ("rar", "RAR archive", ARCHIVE),
    ("doc", "legacy Word document (.doc)", OFFICE),
    ("wps", "legacy WPS document (.wps)", OFFICE),
    ("xls", "spreadsheet", OFFICE),
    ("xlsx", "spreadsheet", OFFICE),
    ("ppt", "presentation", OFFICE),
    ("pptx", "presentation", OFFICE),
    ("rtf", "RTF document", OFFICE),
    ("json", "JSON data", BINARY),
    ("csv", "CSV data", BINARY),
];

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The format of a file from its bytes and name, or why it is refused.
///
/// Bytes decide first: a PDF named `.txt` is a PDF. Files named `.txt`/`.md` with no
/// magic number are text, as before; other names are text, HTML or RDF by their markup.
pub fn sniff(path: &Path, bytes: &[u8]) -> Result<Format, Refusal> {
    let ext = extension(path);
    // Some producers put a few bytes before the header; readers look in the first KB.
    if find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        return Ok(Format::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_kind(bytes);
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Err(refusal("WebP image", IMAGE));
    }
    if bytes.get(257..262) == Some(b"ustar") {
        return Err(refusal("tar archive", ARCHIVE));
    }
    if let Some((_, kind, advice)) = MAGIC.iter().find(|(magic, _, _)| bytes.starts_with(magic)) {
        return Err(refusal(kind, advice));
    }
    if ext == "txt" || ext == "md" {
        return Ok(Format::Text);
    }
    if let Some(refused) = rdf_refusal(&ext) {
        return Err(refused);
    }
    if matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml") || looks_like_html(bytes) {
        return Ok(Format::Html);
    }
    if let Some(syntax) = rdf_markup(bytes) {
        return Err(refusal(&format!("{syntax} (RDF)"), RDF));
    }
    if let Some((_, kind, advice)) = OTHER_EXTENSIONS.iter().find(|(e, _, _)| *e == ext) {
        return Err(refusal(kind, advice));
    }
    Ok(Format::Text)
}

/// Why a folder walk passed over a file, from its name alone (its bytes are not read:
/// it may be a pipe or huge).
pub fn reason_not_read(path: &Path) -> String {
    let ext = extension(path);
    if let Some(refused) = rdf_refusal(&ext) {
        return refused.to_string();
    }
    if let Some((_, kind, advice)) = OTHER_EXTENSIONS.iter().find(|(e, _, _)| *e == ext) {
        return refusal(kind, advice).to_string();
    }
    if ext.is_empty() {
        "no file extension; name it as a file to read it".to_owned()
    } else {
        format!("extension .{ext} is not read; {BINARY}")
    }
}

fn refusal(kind: &str, advice: &'static str) -> Refusal {
    Refusal {
        kind: kind.to_owned(),
        advice,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A zip: a Word document when it holds `word/document.xml` (Word and WPS both write
/// it), else an Office file of another kind or a plain archive. Entry names stand
/// uncompressed in the local headers, so the bytes tell without unpacking.
fn zip_kind(bytes: &[u8]) -> Result<Format, Refusal> {
    if find(bytes, b"word/document.xml").is_some() {
        Ok(Format::Docx)
    } else if find(bytes, b"xl/workbook").is_some() {
        Err(refusal("spreadsheet (.xlsx)", OFFICE))
    } else if find(bytes, b"ppt/presentation").is_some() {
        Err(refusal("presentation (.pptx)", OFFICE))
    } else if find(bytes, b"mimetype").is_some() && find(bytes, b"opendocument").is_some() {
        Err(refusal("OpenDocument file", OFFICE))
    } else {
        Err(refusal("zip archive", ARCHIVE))
    }
}

/// The first kilobyte, lowercased, without BOM and leading whitespace.
fn head(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let end = bytes.len().min(1024);
    String::from_utf8_lossy(&bytes[..end]).trim_start().to_ascii_lowercase()
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = head(bytes);
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || (head.starts_with('<') && (head.contains("<body") || head.contains("<html")))
}

fn rdf_markup(bytes: &[u8]) -> Option<&'static str> {
    let head = head(bytes);
    if head.starts_with("@prefix") || head.starts_with("@base") || head.starts_with("prefix ") {
        Some("Turtle")
    } else if head.starts_with('<') && head.contains("rdf:rdf") {
        Some("RDF/XML")
    } else if head.starts_with('{') && head.contains("\"@context\"") {
        Some("JSON-LD")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_bytes_and_name() {
        let cases: &[(&str, &[u8], Result<Format, &str>)] = &[
            ("a.txt", "到2027年，建成".as_bytes(), Ok(Format::Text)),
            ("a.md", b"# Plan", Ok(Format::Text)),
            ("a.txt", b"%PDF-1.4\n", Ok(Format::Pdf)),
            ("a.pdf", b"%PDF-1.7\n", Ok(Format::Pdf)),
            ("a.bin", b"PK\x03\x04....word/document.xml", Ok(Format::Docx)),
            ("a.docx", b"PK\x03\x04....xl/workbook.xml", Err("spreadsheet (.xlsx)")),
            ("a.zip", b"PK\x03\x04....foo.txt", Err("zip archive")),
            ("a.htm", b"<p>x</p>", Ok(Format::Html)),
            ("page", b"\n <!DOCTYPE html><html>", Ok(Format::Html)),
            ("a.ttl", b"@prefix pkg: <x#> .", Err("Turtle (RDF)")),
            ("data", b"@prefix pkg: <x#> .", Err("Turtle (RDF)")),
            ("a.txt", b"\x89PNG\r\n", Err("PNG image")),
            (
                "a.doc",
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
                Err("legacy Office document (.doc/.xls/.wps)"),
            ),
            ("a.jpg", b"plain", Err("JPEG image")),
            ("notes", b"plain words", Ok(Format::Text)),
        ];
        for (name, bytes, expected) in cases {
            let got = sniff(Path::new(name), bytes).map_err(|r| r.kind);
            assert_eq!(got, (*expected).map_err(str::to_owned), "{name}");
        }
    }

    #[test]
    fn refusals_say_what_to_do() {
        let rdf = sniff(Path::new("g.ttl"), b"@prefix a: <b> .").unwrap_err().to_string();
        assert!(rdf.contains("policykg load"), "{rdf}");
        assert!(reason_not_read(Path::new("x/logo.png")).contains("PNG image"));
        assert!(reason_not_read(Path::new("x/data.nq")).contains("policykg load"));
        // Every syntax `load` reads is refused by name, N3 with another way out, and an
        // .xml file by its content only.
        for (name, kind) in [
            ("g.nquads", "N-Quads (RDF)"),
            ("g.TURTLE", "Turtle (RDF)"),
            ("g.ntriples", "N-Triples (RDF)"),
            ("g.owl", "RDF/XML (RDF)"),
        ] {
            let refused = sniff(Path::new(name), b"<urn:a> <urn:b> <urn:c> .").unwrap_err();
            assert_eq!(refused.kind, kind, "{name}");
            assert_eq!(refused.advice, RDF, "{name}");
        }
        let n3 = sniff(Path::new("g.n3"), b"@prefix a: <b> .").unwrap_err();
        assert!(n3.to_string().contains("convert it to Turtle"), "{n3}");
        assert_eq!(sniff(Path::new("notes.xml"), b"<notes>2027</notes>"), Ok(Format::Text));
        assert!(sniff(Path::new("g.xml"), b"<rdf:RDF xmlns:rdf=\"x\">").is_err());
    }
}

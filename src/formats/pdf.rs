//! PDF: the text layer (pdf-extract, on lopdf) page by page; running headers, footers and
//! page numbers removed; lines joined into paragraphs (CJK lines without a space, Latin
//! lines with one). A PDF without text is reported as a scan. The PDF crate panics on
//! some malformed files: the panic is caught and reported as an error for that file.

use super::{Extracted, FormatError};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `None`; the default panic message is kept off stderr
/// for panics on this thread while `f` runs (other threads report theirs as usual).
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.ok()
}

/// The text of a PDF.
pub fn extract(bytes: &[u8]) -> Result<Extracted, FormatError> {
    let pages = quietly(|| pdf_extract::extract_text_from_mem_by_pages(bytes))
        .ok_or_else(|| FormatError::Pdf("the PDF reader failed on this file (damaged or unusual PDF)".into()))?
        .map_err(|e| FormatError::Pdf(e.to_string()))?;
    let text = paragraphs(&pages);
    if text.trim().is_empty() {
        return Err(FormatError::Scan { pages: pages.len() });
    }
    Ok(Extracted {
        text,
        encoding: "PDF text layer",
        fields: BTreeMap::new(),
    })
}

/// A line that is only a page number: "3", "- 3 -", "— 3 —", "第3页", "3 / 10", "Page 3".
fn is_page_number(line: &str) -> bool {
    let core: String = line
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '–' | '－' | '·'))
        .collect();
    let core = core
        .strip_prefix("第")
        .map_or(core.as_str(), |c| c.strip_suffix('页').unwrap_or(c));
    let core = core
        .strip_prefix("Page")
        .or_else(|| core.strip_prefix("page"))
        .unwrap_or(core);
    let mut parts = core.split(['/', '共']);
    let number = |s: Option<&str>| {
        s.is_some_and(|s| !s.is_empty() && s.trim_end_matches('页').chars().all(|c| c.is_ascii_digit()))
    };
    !core.is_empty() && number(parts.next()) && parts.next().is_none_or(|s| number(Some(s)))
}

/// A line with its digits blanked, so "某某方案 3" and "某某方案 4" are one running head.
fn shape(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// The lines of each page with running headers and footers and page numbers removed.
fn body_lines(pages: &[String]) -> Vec<Vec<String>> {
    let lines: Vec<Vec<String>> = pages
        .iter()
        .map(|p| {
            p.lines()
                .map(|l| l.trim().to_owned())
                .filter(|l| !l.is_empty())
                .collect()
        })
        .collect();
    // A line at the top or bottom of most pages (at least two) repeats as page furniture.
    let mut edges: BTreeMap<String, usize> = BTreeMap::new();
    for page in &lines {
        let mut seen: Vec<String> = page
            .iter()
            .take(2)
            .chain(page.iter().rev().take(2))
            .map(|l| shape(l))
            .collect();
        seen.sort();
        seen.dedup();
        for s in seen {
            *edges.entry(s).or_default() += 1;
        }
    }
    let running = |l: &str| lines.len() >= 2 && edges.get(&shape(l)).is_some_and(|&n| n >= 2 && n * 2 >= lines.len());
    lines
        .iter()
        .map(|page| {
            let n = page.len();
            page.iter()
                .enumerate()
                .filter(|&(i, l)| {
                    let edge = i < 2 || i + 2 >= n;
                    !(edge && (is_page_number(l) || running(l)))
                })
                .map(|(_, l)| l.clone())
                .collect()
        })
        .collect()
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

/// Does a line end a paragraph? It ends a sentence, or is markedly shorter than the
/// page's full lines (a heading, the last line of a paragraph).
fn ends_paragraph(line: &str, full: usize) -> bool {
    let last = line.chars().last().unwrap_or(' ');
    let closing = matches!(
        last,
        '。' | '！' | '？' | '；' | '：' | '.' | '!' | '?' | ';' | ':' | '”'
    );
    let short = width(line) * 10 < full * 8;
    closing || short
}

/// A line's width in half-width cells: CJK characters are two.
fn width(line: &str) -> usize {
    line.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Does a line open a new paragraph whatever came before (一、 （一） 1. 第一章)?
fn opens_paragraph(line: &str) -> bool {
    let mut chars = line.chars();
    let first = chars.next().unwrap_or(' ');
    let numbered = line
        .char_indices()
        .find(|&(_, c)| matches!(c, '、' | '.' | '．'))
        .is_some_and(|(at, _)| {
            at > 0
                && line[..at]
                    .chars()
                    .all(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(c))
        });
    numbered
        || matches!(first, '（' | '(' | '第')
            && line
                .chars()
                .take(6)
                .any(|c| matches!(c, '）' | ')' | '章' | '条' | '节'))
}

/// Lines joined into paragraphs, one per line of the result.
fn paragraphs(pages: &[String]) -> String {
    let lines: Vec<(String, usize)> = body_lines(pages)
        .into_iter()
        .flat_map(|page| {
            let full = page.iter().map(|l| width(l)).max().unwrap_or(0);
            page.into_iter().map(move |l| (l, full))
        })
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for (line, full) in lines {
        match out.last_mut() {
            Some(last) if open && !opens_paragraph(&line) => {
                // Latin words wrapped over lines take a space; CJK text, and anything
                // next to a non-ASCII character (—, ，, 〔), joins as it is.
                let latin = last.chars().last().is_some_and(|c| c.is_ascii_graphic())
                    && line.chars().next().is_some_and(|c| c.is_ascii_graphic());
                if let Some(stem) = last.strip_suffix('-').filter(|_| latin) {
                    *last = stem.to_owned();
                } else if latin {
                    last.push(' ');
                }
                last.push_str(&line);
            }
            _ => out.push(line.clone()),
        }
        open = !ends_paragraph(&line, full);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_recognized() {
        for yes in ["3", "- 3 -", "— 12 —", "第3页", "3 / 10", "Page 4", "第 2 页 共 5 页"] {
            assert!(is_page_number(yes), "{yes}");
        }
        for no in ["2027年", "一、总体要求", "3.5%", ""] {
            assert!(!is_page_number(no), "{no}");
        }
    }

    #[test]
    fn lines_join_into_paragraphs_and_furniture_goes() {
        let pages = vec![
            "某某行动方案\n一、总体要求\n到2027年，推动工业领域数字化转型取得显著\n成效，建成一批示范工厂。\n- 1 -"
                .to_owned(),
            "某某行动方案\nBy 2027 the plan aims to build a national\nnetwork of pilot plants.\n二、重点任务\n- 2 -"
                .to_owned(),
        ];
        assert_eq!(
            paragraphs(&pages),
            "一、总体要求\n到2027年，推动工业领域数字化转型取得显著成效，建成一批示范工厂。\nBy 2027 the plan aims to build a national network of pilot plants.\n二、重点任务"
        );
    }

    /// A well-formed PDF whose one page shows text with no font selected: pdf-extract
    /// unwraps the missing font and panics.
    fn text_without_font() -> Vec<u8> {
        let content = "BT 72 720 Td (abc) Tj ET";
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>".to_owned(),
            format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        ];
        let mut pdf = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        pdf
    }

    #[test]
    fn a_panic_in_the_pdf_reader_is_an_error() {
        let got = extract(&text_without_font());
        assert_eq!(
            got,
            Err(FormatError::Pdf(
                "the PDF reader failed on this file (damaged or unusual PDF)".into()
            ))
        );
        // The hook is restored to its quiet-off state: this thread reports panics again.
        assert!(!QUIET.with(Cell::get));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let got = extract(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\ntrailer << /Root 1 0 R >>\n%%EOF");
        assert!(got.is_err(), "{got:?}");
    }
}

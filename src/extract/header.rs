//! The official header of a government document: 发文机关, 发文字号 (with its organ code,
//! year and serial), 成文日期, 发布日期, 索引号, 主题分类, 主送 and 抄送; and the notice that
//! transmits a plan (关于印发《X》的通知).
//!
//! Fields come from labelled lines ("发文字号：…", as HTML pages' header tables become in
//! `formats::html`), from the layout of the head (a document number or an addressee line
//! without a label), from the signature (成文日期), and from fields the file states outside
//! its text (an HTML page's `<meta>`). The labels are data: `ontology/formats/header.json`.

use super::patterns::{iso_date, Patterns};
use super::text::{contains_any, Span, Text};
use super::OrgRef;
use crate::lexicon::Lexicon;
use std::collections::BTreeMap;

/// A field of the official header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderField {
    /// 索引号: the publisher's index number.
    Identifier,
    /// 主题分类.
    Subject,
    /// 发文机关.
    Organ,
    /// 成文日期: the date the document was signed.
    DateDocument,
    /// 标题.
    Title,
    /// 发文字号.
    Number,
    /// 发布日期.
    DatePublication,
    /// 主送机关.
    Addressee,
    /// 抄送机关.
    CopyTo,
}

#[derive(Debug, serde::Deserialize)]
struct Cues {
    fields: BTreeMap<String, HeaderField>,
    head_lines: usize,
    addressee_words: Vec<String>,
    notice_leads: Vec<String>,
}

fn cues() -> &'static Cues {
    static CUES: std::sync::OnceLock<Cues> = std::sync::OnceLock::new();
    CUES.get_or_init(|| {
        // The file is part of the program (include_str!); the unit test below parses it.
        serde_json::from_str(include_str!("../../ontology/formats/header.json")).unwrap_or(Cues {
            fields: BTreeMap::new(),
            head_lines: 0,
            addressee_words: Vec::new(),
            notice_leads: Vec::new(),
        })
    })
}

/// The header labels (发文字号, 主送机关, …) and the field each states.
pub fn header_fields() -> &'static BTreeMap<String, HeaderField> {
    &cues().fields
}

/// One header field as found: its value and, when the text states it, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderFact {
    pub field: HeaderField,
    pub value: String,
    pub span: Option<Span>,
    /// A date field's value as `YYYY-MM-DD`, when it reads as a date.
    pub date: Option<String>,
}

/// A document number taken apart: 工信部联科〔2026〕15号 → 工信部联科, 2026, 15.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentNumber {
    pub organ_code: String,
    pub year: i32,
    pub serial: u32,
}

/// The header of one document.
#[derive(Debug, Clone, Default)]
pub struct Header {
    /// At most one fact per field, but for addressees and copies.
    pub facts: Vec<HeaderFact>,
    pub number: Option<DocumentNumber>,
    /// The issuing organs the 发文机关 field names, resolved against the lexicon, with
    /// where the text names them.
    pub organs: Vec<(OrgRef, Option<Span>)>,
    /// The notice's own heading when the document is a notice transmitting a plan.
    pub notice: Option<(String, Span)>,
}

impl Header {
    /// The value of a field, when found.
    pub fn get(&self, field: HeaderField) -> Option<&HeaderFact> {
        self.facts.iter().find(|f| f.field == field)
    }

    fn add(&mut self, field: HeaderField, value: String, span: Option<Span>) {
        let repeatable = matches!(field, HeaderField::Addressee | HeaderField::CopyTo);
        if !value.is_empty() && (repeatable || self.get(field).is_none()) {
            self.facts.push(HeaderFact {
                field,
                value,
                span,
                date: None,
            });
        }
    }
}

/// A header date as `YYYY-MM-DD` (2026年2月27日, 2026-02-27, 2026/2/27, 2026.02.27).
pub fn header_date(value: &str, patterns: &Patterns) -> Option<String> {
    if let Some(caps) = patterns.date.captures(value) {
        return iso_date(&caps);
    }
    let digits: Vec<&str> = value
        .split(['-', '/', '.'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let [y, m, d] = digits.as_slice() else {
        return None;
    };
    let d: String = d.chars().take_while(char::is_ascii_digit).collect();
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1000..=9999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads the header of `text`; `stated` are fields the file gives outside its text, by
/// label; `signature_date` is the date under the signature, when there is one.
pub fn header(
    text: &Text,
    stated: &BTreeMap<String, String>,
    signature_date: Option<&str>,
    lexicon: &Lexicon,
    patterns: &Patterns,
) -> Header {
    let cues = cues();
    let mut header = Header::default();
    let mut labels: Vec<(&String, &HeaderField)> = cues.fields.iter().collect();
    labels.sort_by_key(|(l, _)| std::cmp::Reverse(l.chars().count()));
    let paragraphs = text.paragraphs();
    // The head: the first lines that are not labelled fields (a page's header table comes
    // first, as labelled lines).
    let mut head = Vec::new();
    for span in paragraphs {
        let line = text.norm_of(*span);
        let Some((label, field)) = labels.iter().find(|(l, _)| line.starts_with(l.as_str())) else {
            if head.len() < cues.head_lines {
                head.push(*span);
            }
            continue;
        };
        let rest = &line[label.len()..];
        let value = rest.trim_start();
        let Some(value) = value.strip_prefix(':') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        // `value` lies inside `line`: its byte offset there.
        let start = text.norm_range(*span).start + (value.as_ptr() as usize - line.as_ptr() as usize);
        let value_span = text.span(start, start + value.len());
        let written = text.quote(value_span).to_owned();
        header.add(**field, written, Some(value_span));
    }
    if header.get(HeaderField::Number).is_none() {
        let numbered = head.iter().find(|span| {
            let line = text.norm_of(**span);
            patterns
                .document_number
                .find(line)
                .is_some_and(|m| m.start() == 0 && m.end() == line.len())
        });
        if let Some(span) = numbered {
            header.add(HeaderField::Number, text.quote(*span).to_owned(), Some(*span));
        }
    }
    if header.get(HeaderField::Addressee).is_none() {
        let addressed = head.iter().find(|span| {
            let line = text.norm_of(**span);
            line.ends_with(':') && line.chars().count() <= 160 && contains_any(line, &cues.addressee_words)
        });
        if let Some(span) = addressed {
            let span = text.trim(*span, &[':']);
            header.add(HeaderField::Addressee, text.quote(span).to_owned(), Some(span));
        }
    }
    header.notice = head.iter().find_map(|span| {
        let line = text.norm_of(*span);
        (contains_any(line, &cues.notice_leads) && lexicon.cues.notice_nouns.iter().any(|n| line.ends_with(n.as_str())))
            .then(|| (text.quote(*span).to_owned(), *span))
    });
    // The date under the signature is the date of signing, in an official document.
    let official = header.get(HeaderField::Number).is_some() || header.get(HeaderField::Addressee).is_some();
    if let (Some(date), true) = (signature_date, official) {
        header.add(HeaderField::DateDocument, date.to_owned(), None);
    }
    for (label, value) in stated {
        if let Some(field) = cues.fields.get(label) {
            header.add(*field, value.clone(), None);
        }
    }
    for fact in &mut header.facts {
        if matches!(fact.field, HeaderField::DateDocument | HeaderField::DatePublication) {
            fact.date = header_date(&fact.value, patterns);
        }
    }
    header.number = header.get(HeaderField::Number).and_then(|f| {
        let norm = crate::extract::text::normalize(&f.value);
        let caps = patterns.document_number.captures(&norm)?;
        Some(DocumentNumber {
            organ_code: caps.name("prefix")?.as_str().to_owned(),
            year: caps.name("year")?.as_str().parse().ok()?,
            serial: caps.name("n")?.as_str().parse().ok()?,
        })
    });
    if let Some(organ) = header.get(HeaderField::Organ) {
        let norm = crate::extract::text::normalize(&organ.value);
        let hits = lexicon.organizations_in(&norm);
        let base = organ.span.map(|span| text.norm_range(span).start);
        header.organs = if hits.is_empty() {
            vec![(OrgRef::Unresolved(organ.value.clone()), organ.span)]
        } else {
            hits.into_iter()
                .map(|h| (OrgRef::Known(h.entry), base.map(|b| text.span(b + h.start, b + h.end))))
                .collect()
        };
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> &'static Lexicon {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::builtin().expect("lexicon"))
    }

    fn read(raw: &str) -> (Text, Header) {
        let lexicon = lexicon();
        let patterns = Patterns::cached(lexicon);
        let text = Text::new(raw);
        let header = header(&text, &BTreeMap::new(), Some("2026-02-27"), lexicon, &patterns);
        (text, header)
    }

    #[test]
    fn the_cue_file_parses() {
        let cues: Cues = serde_json::from_str(include_str!("../../ontology/formats/header.json")).expect("header.json");
        assert_eq!(cues.fields.get("发文字号"), Some(&HeaderField::Number));
    }

    #[test]
    fn an_official_head_without_labels() {
        let raw = "工业和信息化部 某某部关于印发《某某行动方案》的通知\n工信部联科〔2026〕15号\n各省、自治区、直辖市工业和信息化主管部门：\n现将《某某行动方案》印发给你们。\n抄送：某某委员会。";
        let (text, header) = read(raw);
        assert_eq!(
            header.number,
            Some(DocumentNumber {
                organ_code: "工信部联科".into(),
                year: 2026,
                serial: 15
            })
        );
        let addressee = header.get(HeaderField::Addressee).expect("addressee");
        assert_eq!(addressee.value, "各省、自治区、直辖市工业和信息化主管部门");
        assert_eq!(text.quote(addressee.span.expect("span")), addressee.value);
        assert_eq!(
            header.get(HeaderField::CopyTo).map(|f| f.value.as_str()),
            Some("某某委员会。")
        );
        assert_eq!(
            header.get(HeaderField::DateDocument).map(|f| f.value.as_str()),
            Some("2026-02-27")
        );
        assert!(header.notice.is_some_and(|(t, _)| t.ends_with("的通知")));
    }

    #[test]
    fn a_salutation_is_no_addressee() {
        let (_, header) = read("政府工作报告\n各位代表：\n过去一年，我们推进了各项工作。");
        assert_eq!(header.get(HeaderField::Addressee), None);
    }

    #[test]
    fn labelled_lines_with_spans() {
        let raw = "索引号：000014349/2026-00015\n发文机关：工业和信息化部\n发文字号：工信部科〔2026〕7号\n成文日期：2026年02月27日\n正文。";
        let (text, header) = read(raw);
        for fact in &header.facts {
            if let Some(span) = fact.span {
                assert_eq!(text.quote(span), fact.value);
            }
        }
        assert_eq!(
            header.get(HeaderField::Identifier).map(|f| f.value.as_str()),
            Some("000014349/2026-00015")
        );
        assert_eq!(
            header.get(HeaderField::DateDocument).map(|f| f.value.as_str()),
            Some("2026年02月27日")
        );
        assert!(matches!(header.organs.as_slice(), [(OrgRef::Known(_), Some(_))]));
        assert_eq!(header.number.as_ref().map(|n| n.serial), Some(7));
    }

    #[test]
    fn dates_in_every_header_form() {
        let lexicon = lexicon();
        let patterns = Patterns::cached(lexicon);
        for (value, expected) in [
            ("2026年2月27日", Some("2026-02-27")),
            ("2026-02-27", Some("2026-02-27")),
            ("2026/2/7", Some("2026-02-07")),
            ("2026.02.27 10:00", Some("2026-02-27")),
            ("明天", None),
        ] {
            assert_eq!(header_date(value, &patterns).as_deref(), expected, "{value}");
        }
    }
}

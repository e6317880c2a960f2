//! Mentions: lexicon technologies and organizations anywhere in the text, glossary pairs,
//! and the people, events, messages, photographs and publishers a news text names.

use super::patterns::{iso_date, Patterns};
use super::text::{Span, Text};
use super::{GlossaryPair, Mention, OrgMention, OrgRef, TechMention};
use crate::lexicon::{CreditRole, Lexicon};

pub fn technologies(text: &Text, lexicon: &Lexicon) -> Vec<TechMention> {
    let mut out: Vec<TechMention> = lexicon
        .tech_zh
        .find_all(&text.norm)
        .into_iter()
        .chain(lexicon.tech_en.find_all(&text.norm))
        .map(|h| TechMention {
            entry: h.entry,
            span: text.span(h.start, h.end),
        })
        .collect();
    let idioms: Vec<Span> = lexicon
        .cues
        .false_friends
        .iter()
        .filter(|f| !f.is_empty())
        .flat_map(|f| {
            text.norm
                .match_indices(f.as_str())
                .map(|(i, m)| text.span(i, i + m.len()))
        })
        .collect();
    out.retain(|m| !idioms.iter().any(|i| i.contains(m.span)));
    // A term inside a longer one (AI in AI芯片, found by the English matcher) is part of it.
    let spans: Vec<Span> = out.iter().map(|m| m.span).collect();
    out.retain(|m| !spans.iter().any(|s| *s != m.span && s.contains(m.span)));
    out.sort_by_key(|m| (m.span, m.entry));
    out.dedup_by_key(|m| m.span);
    compound(out, text, lexicon)
}

/// Longest compound, in characters, that adjacent terms form.
const MAX_COMPOUND_CHARS: usize = 12;

/// Terms written back to back form one compound term when they come from different
/// branches of the scheme: a modifier and its head ("工业互联网" + "平台" is in the lexicon,
/// "电子设计自动化" + "软件" need not be). The compound is one mention, quoted whole, of its
/// last term, the head of a Chinese noun compound; the terms before it are no mentions of
/// their own; so is a broader term before a narrower one ("人工智能" + "大模型": the field
/// names the kind). Other terms of one branch back to back are a list written without 、
/// ("风电光伏": wind and solar power) and stay apart, except two names of one concept: a
/// class word and the code of the thing ("大飞机C919") are one mention, of the code.
fn compound(mentions: Vec<TechMention>, text: &Text, lexicon: &Lexicon) -> Vec<TechMention> {
    let mut out: Vec<TechMention> = Vec::with_capacity(mentions.len());
    let mut previous: Option<TechMention> = None;
    for m in mentions {
        let adjacent = previous.filter(|p| p.span.end == m.span.start);
        // An appositive code is not part of a compound.
        let code = text.norm_of(m.span).starts_with(|c: char| c.is_ascii());
        let joins = adjacent.is_some_and(|p| {
            !code
                && (lexicon.tech_root(p.entry) != lexicon.tech_root(m.entry)
                    || lexicon.tech_is_broader(p.entry, m.entry))
        });
        let renames = adjacent.is_some_and(|p| p.entry == m.entry);
        match out.last_mut() {
            Some(last) if renames && code => last.span = m.span,
            Some(last) if (joins || renames) && m.span.end - last.span.start <= MAX_COMPOUND_CHARS => {
                last.span.end = m.span.end;
                last.entry = m.entry;
            }
            _ => out.push(m),
        }
        previous = Some(m);
    }
    out
}

/// The lexicon technologies mentioned inside a span, in order, each once in a row.
pub fn techs_in(technologies: &[TechMention], span: Span) -> Vec<usize> {
    let mut found: Vec<usize> = technologies
        .iter()
        .filter(|t| span.contains(t.span))
        .map(|t| t.entry)
        .collect();
    found.dedup();
    found
}

pub fn organizations(text: &Text, lexicon: &Lexicon) -> Vec<OrgMention> {
    lexicon
        .organizations_in(&text.norm)
        .into_iter()
        .map(|h| OrgMention {
            org: OrgRef::Known(h.entry),
            span: text.span(h.start, h.end),
        })
        .collect()
}

fn has_han(s: &str) -> bool {
    s.chars().any(super::text::is_han)
}

fn is_english(s: &str) -> bool {
    !has_han(s) && s.chars().any(|c| c.is_ascii_alphabetic())
}

/// Pairs of a Chinese line followed by its English line, inside a section headed
/// 【相关词汇】 (or another glossary heading), up to the next 【…】 heading.
pub fn glossary(text: &Text, lexicon: &Lexicon) -> Vec<GlossaryPair> {
    let cues = &lexicon.cues;
    let paragraphs = text.paragraphs();
    let mut out = Vec::new();
    let mut i = 0;
    while i < paragraphs.len() {
        let line = text.norm_of(paragraphs[i]);
        let heading = line
            .strip_prefix(cues.section_mark_open.as_str())
            .and_then(|l| l.strip_suffix(cues.section_mark_close.as_str()));
        i += 1;
        if !heading.is_some_and(|h| cues.glossary_headings.iter().any(|g| g == h)) {
            continue;
        }
        while i + 1 < paragraphs.len() {
            let (zh, en) = (paragraphs[i], paragraphs[i + 1]);
            let (zh_text, en_text) = (text.norm_of(zh), text.norm_of(en));
            if zh_text.starts_with(cues.section_mark_open.as_str())
                || !has_han(zh_text)
                || !is_english(en_text)
                || zh_text.chars().count() > 40
            {
                break;
            }
            out.push(GlossaryPair {
                zh: text.quote(zh).to_owned(),
                zh_span: zh,
                en: text.quote(en).to_owned(),
                en_span: en,
            });
            i += 2;
        }
    }
    out
}

/// People, events, messages, photographs and publishers.
pub fn named(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Vec<Mention> {
    let norm = text.norm.as_str();
    let span = |m: regex::Match<'_>| text.span(m.start(), m.end());
    let mut out = Vec::new();
    for m in patterns.event.find_iter(norm) {
        out.push(Mention::Event {
            name: text.quote(span(m)).to_owned(),
            span: span(m),
        });
    }
    for caps in patterns.message.captures_iter(norm) {
        let (Some(whole), Some(person), Some(to), Some(kind)) =
            (caps.get(0), caps.name("person"), caps.name("to"), caps.name("kind"))
        else {
            continue;
        };
        let date = caps
            .name("date")
            .and_then(|d| patterns.date.captures(d.as_str()))
            .and_then(|c| iso_date(&c));
        out.push(Mention::Person {
            name: text.quote(span(person)).to_owned(),
            span: span(person),
        });
        out.push(Mention::Message {
            kind: kind.as_str().to_owned(),
            sender: text.quote(span(person)).to_owned(),
            recipient: Some(text.quote(span(to)).to_owned()),
            date,
            span: text.trim(span(whole), &['—', ' ']),
        });
    }
    for caps in patterns.credit.captures_iter(norm) {
        let (Some(label), Some(name)) = (caps.name("label"), caps.name("name")) else {
            continue;
        };
        let Some(role) = lexicon
            .cues
            .credit_labels
            .iter()
            .find(|c| c.text == label.as_str())
            .map(|c| c.role)
        else {
            continue;
        };
        let credited = text.quote(span(name)).to_owned();
        match role {
            CreditRole::Photo => out.push(photograph(text, patterns, &out, label.start(), (credited, span(name)))),
            CreditRole::Publisher => out.push(Mention::Publisher {
                name: credited,
                span: span(name),
            }),
        }
    }
    for caps in patterns.first_publication.captures_iter(norm) {
        if let Some(name) = caps.name("name") {
            out.push(Mention::Publisher {
                name: text.quote(span(name)).to_owned(),
                span: span(name),
            });
        }
    }
    out.sort_by_key(mention_span);
    out.dedup();
    out
}

/// The photograph whose caption ends at a photo credit: its date and event.
fn photograph(
    text: &Text,
    patterns: &Patterns,
    found: &[Mention],
    credit_at: usize,
    credit: (String, Span),
) -> Mention {
    let norm = text.norm.as_str();
    let line_start = norm[..credit_at].rfind('\n').map_or(0, |i| i + 1);
    let caption = text.trim(text.span(line_start, credit_at), &['。', ' ']);
    let range = text.norm_range(caption);
    let date = patterns.date.captures(&norm[range.clone()]).and_then(|c| iso_date(&c));
    let event = found.iter().find_map(|m| match m {
        Mention::Event { name, span } if caption.contains(*span) => Some(name.clone()),
        _ => None,
    });
    Mention::Photograph {
        date,
        event,
        credit: Some(credit),
        span: caption,
    }
}

pub fn mention_span(mention: &Mention) -> Span {
    match mention {
        Mention::Person { span, .. }
        | Mention::Event { span, .. }
        | Mention::Message { span, .. }
        | Mention::Photograph { span, .. }
        | Mention::Publisher { span, .. }
        | Mention::Reporter { span, .. } => *span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (quote, concept) of every technology mention.
    fn found(raw: &str) -> Vec<(String, String)> {
        let lexicon = Lexicon::builtin().expect("builtin lexicon");
        let text = Text::new(raw);
        technologies(&text, &lexicon)
            .into_iter()
            .map(|m| (text.quote(m.span).to_owned(), lexicon.technologies[m.entry].id.clone()))
            .collect()
    }

    #[test]
    fn a_compound_is_one_mention_not_its_parts() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            // In the lexicon as a whole: leftmost-longest.
            (
                "推广智能网联新能源汽车",
                &[("智能网联新能源汽车", "intelligent-connected-new-energy-vehicle")],
            ),
            ("培育行业大模型", &[("行业大模型", "industry-large-model")]),
            // Not in the lexicon: terms of different branches, one mention of the head.
            ("研发量子计算芯片", &[("量子计算芯片", "chip")]),
            // A broader term before a narrower one names the field of the head.
            ("研发人工智能大模型", &[("人工智能大模型", "large-model")]),
            // Other terms of one branch back to back are a list.
            ("建设风电光伏基地", &[("风电", "wind-power"), ("光伏", "photovoltaic")]),
            // A class word and the code of the thing are one mention, of the code.
            ("国产大飞机C919首飞", &[("C919", "large-aircraft")]),
            // The English matcher's AI inside AI芯片 is no mention of its own.
            ("发展AI芯片", &[("AI芯片", "ai-chip")]),
            (
                "人工智能、大数据",
                &[("人工智能", "artificial-intelligence"), ("大数据", "big-data")],
            ),
        ];
        for (raw, expected) in cases {
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(q, c)| ((*q).to_owned(), (*c).to_owned()))
                .collect();
            assert_eq!(found(raw), expected, "{raw}");
        }
    }

    #[test]
    fn regional_vocabulary_is_the_mainland_concept_quoted_as_written() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "發展人工智慧與軟體產業",
                &[("人工智慧", "artificial-intelligence"), ("軟體", "software")],
            ),
            (
                "推動晶片與雲端運算",
                &[("晶片", "chip"), ("雲端運算", "cloud-computing")],
            ),
            (
                "建設網際網路與資訊基礎設施",
                &[("網際網路", "internet"), ("資訊基礎設施", "digital-infrastructure")],
            ),
        ];
        for (raw, expected) in cases {
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(q, c)| ((*q).to_owned(), (*c).to_owned()))
                .collect();
            assert_eq!(found(raw), expected, "{raw}");
        }
    }
}

//! Candidate technology terms the lexicon does not know: noun compounds ending in a
//! technology head word (…技术, …芯片, …机器人), found with jieba's segmentation and
//! part-of-speech tags and kept when they recur, so the lexicon can grow from data.

use super::patterns::Patterns;
use super::text::{Span, Text};
use super::CandidateMention;
use crate::lexicon::Lexicon;
use jieba_rs::Jieba;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Longest candidate, in characters.
const MAX_CHARS: usize = 12;
/// Modifiers taken before the head word.
const MAX_MODIFIERS: usize = 2;

/// jieba with its dictionary and the lexicon's terms, made once per process (the first
/// lexicon's: a process builds with one).
pub fn segmenter(lexicon: &Lexicon) -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        // Known terms segment whole, so a candidate is never a piece of one.
        for t in &lexicon.technologies {
            jieba.add_word(&crate::extract::text::normalize(&t.label_zh), Some(20_000), Some("nz"));
        }
        jieba
    })
}

/// The byte ranges of the runs jieba segments independently: characters of its Han block
/// (CJK ideographs, ASCII letters and digits, `+#&._%-`); anything else separates them.
fn jieba_blocks(text: &str) -> Vec<std::ops::Range<usize>> {
    let in_block = |c: char| {
        c.is_ascii_alphanumeric()
            || matches!(c, '+' | '#' | '&' | '.' | '_' | '%' | '-')
            || matches!(
                c as u32,
                0x4E00..=0x9FFF
                    | 0x3400..=0x4DBF
                    | 0xF900..=0xFAFF
                    | 0x20000..=0x2A6DF
                    | 0x2A700..=0x2B73F
                    | 0x2B740..=0x2B81F
                    | 0x2B820..=0x2CEAF
                    | 0x2CEB0..=0x2EBEF
                    | 0x2F800..=0x2FA1F
            )
    };
    let mut blocks = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (in_block(c), start) {
            (true, None) => start = Some(at),
            (false, Some(s)) => {
                blocks.push(s..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        blocks.push(s..text.len());
    }
    blocks
}

pub fn candidates(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Vec<CandidateMention> {
    let cues = &lexicon.cues;
    let known = |term: &str| {
        lexicon
            .tech_zh
            .find_all(term)
            .iter()
            .any(|h| h.start == 0 && h.end == term.len())
    };
    let mut found: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for &paragraph in text.paragraphs() {
        let paragraph_range = text.norm_range(paragraph);
        // jieba segments each run of Han, Latin letters and digits on its own, so only the
        // runs that hold a head word need segmenting, and the tags come out the same.
        for range in jieba_blocks(&text.norm[paragraph_range.clone()]) {
            let range = paragraph_range.start + range.start..paragraph_range.start + range.end;
            let block = &text.norm[range.clone()];
            if !patterns.technology_heads.is_match(block) {
                continue;
            }
            let tags = segmenter(lexicon).tag(block, false);
            for (i, head) in tags.iter().enumerate() {
                if !cues.technology_heads.iter().any(|h| head.word.ends_with(h.as_str())) {
                    continue;
                }
                let mut start = i;
                while start > 0
                    && i - start < MAX_MODIFIERS
                    && cues.candidate_modifier_tags.iter().any(|t| t == tags[start - 1].tag)
                    && tags[start - 1].word.chars().all(super::text::is_han)
                {
                    start -= 1;
                }
                if start == i {
                    continue;
                }
                let (a, b) = (range.start + tags[start].byte_start, range.start + head.byte_end);
                let term = &text.norm[a..b];
                let chars = term.chars().count();
                if !(3..=MAX_CHARS).contains(&chars) || known(term) || cues.technology_heads.iter().any(|h| h == term) {
                    continue;
                }
                found.entry(term.to_owned()).or_default().push(text.span(a, b));
            }
        }
    }
    found
        .into_iter()
        .filter(|(_, spans)| spans.len() >= cues.candidate_min_occurrences)
        .map(|(term, spans)| CandidateMention { term, spans })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segmenting_blocks_alone_tags_as_segmenting_the_paragraph() {
        // The tokens a candidate is made of (Han words) come out the same, at the same place.
        let lexicon = Lexicon::builtin().expect("lexicon");
        let paragraph = "加快5G基站、量子计算芯片和固态电池技术研发（重点：工业机器人+AI应用），推进eVTOL飞行器试点。";
        let whole: Vec<(usize, String, String)> = segmenter(&lexicon)
            .tag(paragraph, false)
            .into_iter()
            .filter(|t| t.word.chars().any(super::super::text::is_han))
            .map(|t| (t.byte_start, t.word.to_owned(), t.tag.to_owned()))
            .collect();
        let mut pieces = Vec::new();
        for range in jieba_blocks(paragraph) {
            for t in segmenter(&lexicon)
                .tag(&paragraph[range.clone()], false)
                .into_iter()
                .filter(|t| t.word.chars().any(super::super::text::is_han))
            {
                pieces.push((range.start + t.byte_start, t.word.to_owned(), t.tag.to_owned()));
            }
        }
        assert_eq!(pieces, whole);
    }

    #[test]
    fn recurring_unknown_compounds_become_candidates() {
        let lexicon = Lexicon::builtin().expect("lexicon");
        let text = Text::new("推动固态电池技术攻关。加快固态电池技术产业化。发展工业机器人。发展工业机器人。");
        let found = candidates(&text, &lexicon, &Patterns::new(&lexicon.cues));
        let terms: Vec<&str> = found.iter().map(|c| c.term.as_str()).collect();
        assert!(terms.iter().any(|t| t.ends_with("电池技术")), "{terms:?}");
        // Lexicon terms are never candidates.
        assert!(!terms.contains(&"工业机器人"), "{terms:?}");
        for c in &found {
            for span in &c.spans {
                assert_eq!(text.norm_of(*span), c.term);
            }
        }
    }
}

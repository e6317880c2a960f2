//! Candidate technology terms the lexicon does not know: noun compounds ending in a
//! technology head word (…技术, …芯片, …机器人), found with jieba's segmentation and
//! part-of-speech tags and kept when they recur, so the lexicon can grow from data.

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

fn segmenter(lexicon: &Lexicon) -> &'static Jieba {
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

pub fn candidates(text: &Text, lexicon: &Lexicon) -> Vec<CandidateMention> {
    let cues = &lexicon.cues;
    let known = |term: &str| {
        lexicon
            .tech_zh
            .find_all(term)
            .iter()
            .any(|h| h.start == 0 && h.end == term.len())
    };
    let mut found: BTreeMap<String, Vec<Span>> = BTreeMap::new();
    for paragraph in text.paragraphs() {
        let range = text.norm_range(paragraph);
        let tags = segmenter(lexicon).tag(&text.norm[range.clone()], false);
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
    fn recurring_unknown_compounds_become_candidates() {
        let lexicon = Lexicon::builtin().expect("lexicon");
        let text = Text::new("推动固态电池技术攻关。加快固态电池技术产业化。发展工业机器人。发展工业机器人。");
        let found = candidates(&text, &lexicon);
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

//! Regional written variants, folded for matching: Traditional → Simplified characters
//! (`ontology/lexicon/variants.tsv`) and, in text written in Traditional characters,
//! Taiwan/Hong Kong vocabulary → Mainland vocabulary (`ontology/lexicon/regional.tsv`:
//! 資訊 → 信息, 軟體 → 软件, 人工智慧 → 人工智能).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

const VARIANTS: &str = include_str!("../../ontology/lexicon/variants.tsv");
const REGIONAL: &str = include_str!("../../ontology/lexicon/regional.tsv");

/// A text is written in Traditional characters when at least one in this many of its Han
/// characters has a different Simplified form. Simplified documents quoting a Traditional
/// name stay far below it (about 1 in 10,000); Traditional documents are near 1 in 3.
const TRADITIONAL_SHARE: usize = 20;

/// The Traditional → Simplified table: a direct array over the Basic Multilingual Plane
/// from the first Han block on (every character of a text is looked up, so no hashing),
/// and a map for the few characters beyond it.
struct Table {
    dense: Vec<char>,
    beyond: HashMap<char, char>,
}

/// The first character the dense table covers (CJK Extension A).
const DENSE_FROM: u32 = 0x3400;
const DENSE_TO: u32 = 0x1_0000;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table {
            dense: (DENSE_FROM..DENSE_TO)
                .map(|c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
            beyond: HashMap::new(),
        };
        for (from, to) in pairs() {
            match (from as u32).checked_sub(DENSE_FROM) {
                Some(i) if (from as u32) < DENSE_TO => table.dense[i as usize] = to,
                _ => {
                    table.beyond.insert(from, to);
                }
            }
        }
        table
    })
}

/// The rows of the variants table: a Traditional character and its Simplified form.
fn pairs() -> impl Iterator<Item = (char, char)> {
    VARIANTS.lines().filter(|l| !l.starts_with('#')).filter_map(|l| {
        let mut parts = l.split('\t');
        let from = single(parts.next()?)?;
        let to = single(parts.next()?)?;
        Some((from, to))
    })
}

fn single(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// The Simplified form of a Traditional character, or the character itself.
pub fn simplify(c: char) -> char {
    let code = c as u32;
    if code < DENSE_FROM {
        return c;
    }
    let table = table();
    match table.dense.get((code - DENSE_FROM) as usize) {
        Some(&simplified) if code < DENSE_TO => simplified,
        _ => table.beyond.get(&c).copied().unwrap_or(c),
    }
}

/// Whether a text is written in Traditional characters.
pub fn is_traditional(text: &str) -> bool {
    is_traditional_folded(text.chars().map(|c| (c, simplify(c))))
}

/// [`is_traditional`] from each character with its Simplified form.
pub fn is_traditional_folded(chars: impl Iterator<Item = (char, char)>) -> bool {
    let (mut han, mut traditional) = (0, 0);
    for (c, simplified) in chars.filter(|(c, _)| super::text::is_han(*c)) {
        han += 1;
        if simplified != c {
            traditional += 1;
        }
    }
    traditional > 0 && traditional * TRADITIONAL_SHARE >= han
}

/// The regional phrase table: patterns are the regional forms with their characters
/// already simplified, so they match text after character folding.
struct Phrases {
    automaton: AhoCorasick,
    mainland: Vec<String>,
}

fn phrases() -> Option<&'static Phrases> {
    static PHRASES: OnceLock<Option<Phrases>> = OnceLock::new();
    PHRASES
        .get_or_init(|| {
            let (regional, mainland): (Vec<String>, Vec<String>) = REGIONAL
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| {
                    let mut parts = l.split('\t');
                    let from: String = parts.next()?.trim().chars().map(simplify).collect();
                    let to = parts.next()?.trim().to_owned();
                    (!from.is_empty() && !to.is_empty()).then_some((from, to))
                })
                .unzip();
            let automaton = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&regional)
                .ok()?;
            Some(Phrases { automaton, mainland })
        })
        .as_ref()
}

/// The regional phrases in character-folded text: byte ranges and their Mainland forms,
/// left to right, leftmost-longest.
pub fn regional_phrases(folded: &str) -> Vec<(Range<usize>, &'static str)> {
    let Some(phrases) = phrases() else { return Vec::new() };
    phrases
        .automaton
        .find_iter(folded)
        .map(|m| (m.range(), phrases.mainland[m.pattern().as_usize()].as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_traditional_variants() {
        let folded: String = "中國共産黨領導發展重工業".chars().map(simplify).collect();
        assert_eq!(folded, "中国共产党领导发展重工业");
    }

    /// Every row of the table folds as written, inside the direct array and beyond it;
    /// a character without a row is its own Simplified form.
    #[test]
    fn the_table_folds_every_row_and_nothing_else() {
        let rows: HashMap<char, char> = pairs().collect();
        assert!(
            rows.keys().any(|&c| c as u32 >= DENSE_TO),
            "the table reaches past the BMP"
        );
        for (&from, &to) in &rows {
            assert_eq!(simplify(from), to, "{from}");
        }
        for c in ['a', '，', '中', '\u{3400}', '\u{FFFF}', '\u{20000}', '\u{10FFFF}'] {
            assert_eq!(simplify(c), rows.get(&c).copied().unwrap_or(c), "{c}");
        }
    }

    #[test]
    fn tells_traditional_from_simplified_text() {
        for (text, traditional) in [
            ("發展軟體產業", true),
            ("发展软件产业", false),
            ("人工智慧", false),
            (
                "我国软件企业与臺湾地区的同行开展合作交流，共同推动产业发展壮大，提升创新能力",
                false,
            ),
            ("", false),
        ] {
            assert_eq!(is_traditional(text), traditional, "{text}");
        }
    }

    #[test]
    fn every_regional_row_is_a_pair() {
        let rows = REGIONAL.lines().filter(|l| !l.starts_with('#'));
        for row in rows {
            let parts: Vec<&str> = row.split('\t').collect();
            assert!(parts.len() >= 2, "{row}");
            assert!(!parts[0].is_empty() && !parts[1].is_empty(), "{row}");
            assert!(parts.get(2).is_none_or(|c| c.starts_with('#')), "{row}");
            // The Mainland side is written in Simplified characters.
            assert_eq!(parts[1].chars().map(simplify).collect::<String>(), parts[1], "{row}");
        }
        assert!(phrases().is_some());
    }
}

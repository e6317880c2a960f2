//! Traditional → Simplified folding of single characters, from `ontology/lexicon/variants.tsv`.

use std::collections::HashMap;
use std::sync::OnceLock;

const VARIANTS: &str = include_str!("../../ontology/lexicon/variants.tsv");

fn table() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        VARIANTS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut parts = l.split('\t');
                let from = single(parts.next()?)?;
                let to = single(parts.next()?)?;
                Some((from, to))
            })
            .collect()
    })
}

fn single(s: &str) -> Option<char> {
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

/// The Simplified form of a Traditional character, or the character itself.
pub fn simplify(c: char) -> char {
    if (c as u32) < 0x3400 {
        return c;
    }
    table().get(&c).copied().unwrap_or(c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_traditional_variants() {
        let folded: String = "中國共産黨領導發展重工業".chars().map(super::simplify).collect();
        assert_eq!(folded, "中国共产党领导发展重工业");
    }
}

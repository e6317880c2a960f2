//! The text the extractors read: the decoded original plus a normalized twin of exactly
//! the same length in `char`s (full-width ASCII folded, Traditional folded to Simplified),
//! so a match found in the twin has the same character offsets in the original.

/// A character span: Unicode scalar values, 0-based, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
    pub fn len(self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Whether a character is a CJK unified ideograph (the common Han block).
pub fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Whether `text` contains any of the (non-empty) words.
pub fn contains_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| !w.is_empty() && text.contains(w.as_str()))
}

/// Folds one character for matching; always one `char` for one `char`.
pub fn normalize_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => crate::extract::variants::simplify(c),
    }
}

/// The normalized twin of a string.
pub fn normalize(text: &str) -> String {
    text.chars().map(normalize_char).collect()
}

/// Original and normalized text with offset tables.
#[derive(Debug, Clone)]
pub struct Text {
    pub raw: String,
    pub norm: String,
    raw_bytes: Vec<usize>,
    norm_bytes: Vec<usize>,
}

fn byte_table(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

impl Text {
    pub fn new(raw: &str) -> Self {
        let norm = normalize(raw);
        Self {
            raw_bytes: byte_table(raw),
            norm_bytes: byte_table(&norm),
            raw: raw.to_owned(),
            norm,
        }
    }

    /// The same text with the normalized characters of `spans` blanked (line breaks kept),
    /// so no extractor reads them; offsets and quotes are unchanged.
    pub fn masked(&self, spans: &[Span]) -> Text {
        if spans.is_empty() {
            return self.clone();
        }
        let norm: String = self
            .norm
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if c != '\n' && spans.iter().any(|s| s.start <= i && i < s.end) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        Self {
            raw_bytes: self.raw_bytes.clone(),
            norm_bytes: byte_table(&norm),
            raw: self.raw.clone(),
            norm,
        }
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.raw_bytes.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The character offset of a byte offset into `norm` (which must be a char boundary).
    pub fn char_of(&self, norm_byte: usize) -> usize {
        self.norm_bytes.partition_point(|&b| b < norm_byte)
    }

    /// The span of a byte range of `norm`.
    pub fn span(&self, norm_start: usize, norm_end: usize) -> Span {
        Span::new(self.char_of(norm_start), self.char_of(norm_end))
    }

    /// The byte range in `norm` of a span.
    pub fn norm_range(&self, span: Span) -> std::ops::Range<usize> {
        self.norm_bytes[span.start.min(self.len())]..self.norm_bytes[span.end.min(self.len())]
    }

    /// The original text of a span: what an Evidence quotes.
    pub fn quote(&self, span: Span) -> &str {
        &self.raw[self.raw_bytes[span.start.min(self.len())]..self.raw_bytes[span.end.min(self.len())]]
    }

    /// The normalized text of a span.
    pub fn norm_of(&self, span: Span) -> &str {
        &self.norm[self.norm_range(span)]
    }

    /// The paragraphs (lines with text), as spans without surrounding whitespace.
    pub fn paragraphs(&self) -> Vec<Span> {
        let mut out = Vec::new();
        let mut offset = 0;
        for line in self.norm.split_inclusive('\n') {
            let trimmed_start = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if !trimmed.is_empty() {
                out.push(self.span(offset + trimmed_start, offset + trimmed_start + trimmed.len()));
            }
            offset += line.len();
        }
        out
    }

    /// A span with surrounding whitespace and the given punctuation removed.
    pub fn trim(&self, span: Span, extra: &[char]) -> Span {
        let chars: Vec<char> = self.norm_of(span).chars().collect();
        let strip = |c: &char| c.is_whitespace() || extra.contains(c);
        let lead = chars.iter().take_while(|c| strip(c)).count();
        if lead == chars.len() {
            return Span::new(span.start, span.start);
        }
        let tail = chars.iter().rev().take_while(|c| strip(c)).count();
        Span::new(span.start + lead, span.end - tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_twin_keeps_char_offsets() {
        let text = Text::new("到２０２７年，發展ＡＩ。\n第二行");
        assert_eq!(text.raw.chars().count(), text.norm.chars().count());
        assert!(text.norm.starts_with("到2027年,"));
        let start = text.norm.find("2027").expect("digits");
        let span = text.span(start, start + 4);
        assert_eq!(text.quote(span), "２０２７");
        assert_eq!(text.paragraphs().len(), 2);
    }
}

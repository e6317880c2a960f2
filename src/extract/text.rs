//! The text the extractors read: the decoded original plus a normalized twin (full-width
//! ASCII folded, Traditional characters folded to Simplified, and in Traditional text the
//! Taiwan/Hong Kong vocabulary folded to the Mainland's), with offset tables both ways, so
//! a match found in the twin maps back to exactly the original characters it came from.
//! Characters fold one for one; only a regional phrase may change length (記憶體 → 内存).

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
    fold(text).0
}

/// The normalized twin of a string and, for each of its characters, the original
/// characters it stands for. Characters fold one for one; in Traditional text a regional
/// phrase folds as a whole (記憶體 → 内存), and each character of its Mainland form stands
/// for the whole original phrase.
fn fold(raw: &str) -> (String, Vec<Span>) {
    let chars: String = raw.chars().map(normalize_char).collect();
    // A Han character folds only to its Simplified form, so the folded text tells which
    // characters were Traditional.
    let traditional = crate::extract::variants::is_traditional_folded(raw.chars().zip(chars.chars()));
    let phrases = if traditional {
        crate::extract::variants::regional_phrases(&chars)
    } else {
        Vec::new()
    };
    if phrases.is_empty() {
        // Folded one for one: each character stands for itself.
        let origin = (0..chars.chars().count()).map(|i| Span::new(i, i + 1)).collect();
        return (chars, origin);
    }
    let mut norm = String::with_capacity(chars.len());
    let mut origin = Vec::with_capacity(raw.len());
    let mut at = 0;
    let copy = |piece: &str, norm: &mut String, origin: &mut Vec<Span>, at: &mut usize| {
        for c in piece.chars() {
            norm.push(c);
            origin.push(Span::new(*at, *at + 1));
            *at += 1;
        }
    };
    let mut done = 0;
    for (range, mainland) in phrases {
        copy(&chars[done..range.start], &mut norm, &mut origin, &mut at);
        let whole = Span::new(at, at + chars[range.clone()].chars().count());
        for c in mainland.chars() {
            norm.push(c);
            origin.push(whole);
        }
        at = whole.end;
        done = range.end;
    }
    copy(&chars[done..], &mut norm, &mut origin, &mut at);
    (norm, origin)
}

/// Original and normalized text with offset tables.
#[derive(Debug, Clone)]
pub struct Text {
    pub raw: String,
    pub norm: String,
    raw_bytes: Vec<usize>,
    norm_bytes: Vec<usize>,
    /// For each byte offset of `norm` (and its end), the character offset there, or of the
    /// next character when the byte is inside one: what a search of `norm_bytes` gives,
    /// looked up instead of searched (extractors map every match back).
    norm_chars_at: Vec<u32>,
    /// The paragraphs, cut once (every extractor walks them).
    paragraphs: std::sync::OnceLock<Vec<Span>>,
    /// For each character of `norm`, the characters of `raw` it stands for.
    origin: Vec<Span>,
    /// For each character of `raw`, the characters of `norm` that stand for it.
    image: Vec<Span>,
}

fn byte_table(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

/// For each byte offset of `text` and its end, the number of characters that start before
/// it (the character there, or the next one when the byte is inside a character).
fn char_table(text: &str) -> Vec<u32> {
    let mut out = Vec::with_capacity(text.len() + 1);
    for (k, c) in text.chars().enumerate() {
        // Offsets past u32 are refused long before: a line is at most 1 MiB and a file at
        // most --max-file-size; saturate rather than wrap should that ever change.
        let k = u32::try_from(k).unwrap_or(u32::MAX);
        out.push(k);
        out.extend(std::iter::repeat_n(k.saturating_add(1), c.len_utf8() - 1));
    }
    out.push(u32::try_from(text.chars().count()).unwrap_or(u32::MAX));
    out
}

impl Text {
    pub fn new(raw: &str) -> Self {
        let (norm, origin) = fold(raw);
        let raw_bytes = byte_table(raw);
        let mut image = vec![Span::new(0, 0); raw_bytes.len() - 1];
        for (k, o) in origin.iter().enumerate().rev() {
            for i in &mut image[o.start..o.end] {
                *i = Span::new(k, i.end.max(k + 1));
            }
        }
        Self {
            raw_bytes,
            norm_bytes: byte_table(&norm),
            norm_chars_at: char_table(&norm),
            paragraphs: std::sync::OnceLock::new(),
            raw: raw.to_owned(),
            norm,
            origin,
            image,
        }
    }

    /// The same text with the normalized characters standing for `spans` (original
    /// characters) blanked, line breaks kept, so no extractor reads them; offsets and
    /// quotes are unchanged.
    pub fn masked(&self, spans: &[Span]) -> Text {
        if spans.is_empty() {
            return self.clone();
        }
        let blank: Vec<std::ops::Range<usize>> = spans.iter().map(|&s| self.norm_chars(s)).collect();
        let norm: String = self
            .norm
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if c != '\n' && blank.iter().any(|r| r.contains(&i)) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        Self {
            norm_bytes: byte_table(&norm),
            norm_chars_at: char_table(&norm),
            // Blanked lines are no paragraphs, and blanked ends trim away.
            paragraphs: std::sync::OnceLock::new(),
            norm,
            ..self.clone()
        }
    }

    /// Whether text the twin blanks (a masked frame line) lies between two spans.
    pub fn is_masked_between(&self, before: Span, after: Span) -> bool {
        let (Some(&from), Some(&to)) = (self.raw_bytes.get(before.end), self.raw_bytes.get(after.start)) else {
            return false;
        };
        from < to && self.raw[from..to].chars().any(|c| !c.is_whitespace())
    }

    /// Number of characters of the original.
    pub fn len(&self) -> usize {
        self.raw_bytes.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The character offset in `norm` of a byte offset into `norm` (a char boundary).
    fn norm_char_of(&self, norm_byte: usize) -> usize {
        self.norm_chars_at
            .get(norm_byte)
            .map_or(self.norm_bytes.len(), |&k| k as usize)
    }

    /// Where in the original a character offset of `norm` falls.
    fn raw_at(&self, norm_char: usize) -> usize {
        self.origin.get(norm_char).map_or(self.len(), |o| o.start)
    }

    /// The span (in original characters) of a byte range of `norm`; a range that cuts a
    /// folded phrase covers all of it.
    pub fn span(&self, norm_start: usize, norm_end: usize) -> Span {
        let (start, end) = (self.norm_char_of(norm_start), self.norm_char_of(norm_end));
        if end <= start {
            let at = self.raw_at(start);
            return Span::new(at, at);
        }
        Span::new(self.origin[start].start, self.origin[end - 1].end)
    }

    /// The characters of `norm` that stand for a span.
    fn norm_chars(&self, span: Span) -> std::ops::Range<usize> {
        let (start, end) = (span.start.min(self.len()), span.end.min(self.len()));
        let norm_start = self.image.get(start).map_or(self.origin.len(), |i| i.start);
        let norm_end = if end > start {
            self.image[end - 1].end
        } else {
            norm_start
        };
        norm_start..norm_end
    }

    /// The byte range in `norm` of a span.
    pub fn norm_range(&self, span: Span) -> std::ops::Range<usize> {
        let chars = self.norm_chars(span);
        self.norm_bytes[chars.start]..self.norm_bytes[chars.end]
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
    pub fn paragraphs(&self) -> &[Span] {
        self.paragraphs.get_or_init(|| self.cut_paragraphs())
    }

    fn cut_paragraphs(&self) -> Vec<Span> {
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
        let range = self.norm_chars(span);
        let text = self.norm_of(span);
        let strip = |c: &char| c.is_whitespace() || extra.contains(c);
        let lead = text.chars().take_while(strip).count();
        if lead == range.len() {
            return Span::new(span.start, span.start);
        }
        let tail = text.chars().rev().take_while(strip).count();
        let (start, end) = (range.start + lead, range.end - tail);
        Span::new(self.origin[start].start, self.origin[end - 1].end)
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

    #[test]
    fn regional_phrases_fold_in_traditional_text_only() {
        for (raw, norm) in [
            ("發展資訊科技與軟體產業", "发展信息技术与软件产业"),
            ("記憶體與晶片", "内存与芯片"),
            ("推動雲端運算和人工智慧", "推动云计算和人工智能"),
            ("研究軟體動物的學者", "研究软体动物的学者"),
            // Simplified text keeps its words, even those the table lists.
            ("硅晶片和人工智慧", "硅晶片和人工智慧"),
            ("推动数位专家参与", "推动数位专家参与"),
        ] {
            assert_eq!(normalize(raw), norm, "{raw}");
        }
    }

    #[test]
    fn a_folded_phrase_maps_back_to_the_original_characters() {
        let text = Text::new("推動記憶體產業，發展網際網路。");
        assert_eq!(text.norm, "推动内存产业,发展互联网。");
        let at = text.norm.find("内存").expect("folded");
        let span = text.span(at, at + "内存".len());
        assert_eq!((span, text.quote(span)), (Span::new(2, 5), "記憶體"));
        // Part of a folded phrase stands for all of it.
        let span = text.span(at, at + "内".len());
        assert_eq!(text.quote(span), "記憶體");
        let at = text.norm.find("互联网").expect("folded");
        let span = text.span(at, at + "互联网".len());
        assert_eq!(text.quote(span), "網際網路");
        assert_eq!(text.norm_of(span), "互联网");
        assert_eq!(text.norm_of(text.trim(Span::new(7, 16), &['。', ','])), "发展互联网");
    }

    /// The paragraphs are cut once per text; a masked text cuts its own, so a blanked line
    /// is no paragraph of it and a blanked end is trimmed away.
    #[test]
    fn a_masked_text_has_its_own_paragraphs() {
        let text = Text::new("中新社北京电\n推动人工智能发展。记者 张三\n");
        let before = text.paragraphs().to_vec();
        assert_eq!(before.len(), 2);
        let masked = text.masked(&[Span::new(0, 6), Span::new(16, 21)]);
        assert_eq!(masked.paragraphs().len(), 1);
        assert_eq!(masked.quote(masked.paragraphs()[0]), "推动人工智能发展。");
        assert_eq!(text.paragraphs(), before.as_slice());
    }

    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            prop::sample::select(vec![
                "資訊",
                "軟體",
                "軟體動物",
                "記憶體",
                "快閃記憶體",
                "網際網路",
                "雲端",
                "雲端計算",
                "人工智慧",
                "數位",
                "矽",
                "發展",
                "產業",
                "，",
                "。",
                "\n",
                " ",
                "ＡＩ",
                "软件",
            ])
            .prop_map(str::to_owned),
            "\\PC{0,3}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Every byte range of the twin maps to a span whose quote is the original text
        /// there and whose twin covers the range; every span maps to the twin and back.
        #[test]
        fn spans_quote_the_original_exactly(pieces in proptest::collection::vec(piece(), 0..24)) {
            let raw: String = pieces.concat();
            let text = Text::new(&raw);
            let raw_chars: Vec<char> = raw.chars().collect();
            let bounds: Vec<usize> = text.norm.char_indices().map(|(i, _)| i).chain([text.norm.len()]).collect();
            for (i, &a) in bounds.iter().enumerate() {
                for &b in &bounds[i..] {
                    let span = text.span(a, b);
                    proptest::prop_assert!(span.start <= span.end && span.end <= raw_chars.len());
                    let expected: String = raw_chars[span.start..span.end].iter().collect();
                    proptest::prop_assert_eq!(text.quote(span), expected.as_str());
                    let range = text.norm_range(span);
                    proptest::prop_assert!(range.start <= a && b <= range.end || a == b);
                    let trimmed = text.trim(span, &['，']);
                    proptest::prop_assert!(span.contains(trimmed) || trimmed.is_empty());
                }
            }
            for a in 0..=raw_chars.len() {
                for b in a + 1..=raw_chars.len() {
                    let span = Span::new(a, b);
                    let range = text.norm_range(span);
                    proptest::prop_assert!(text.span(range.start, range.end).contains(span));
                }
            }
        }

        /// The table that maps a byte offset of the twin to its character says what a search
        /// of the character starts says, at every byte (inside a character too) and past
        /// the end.
        #[test]
        fn the_char_table_agrees_with_a_search(pieces in proptest::collection::vec(piece(), 0..24)) {
            let raw: String = pieces.concat();
            let text = Text::new(&raw);
            for byte in 0..=text.norm.len() + 2 {
                proptest::prop_assert_eq!(
                    text.norm_char_of(byte),
                    text.norm_bytes.partition_point(|&b| b < byte),
                    "byte {}", byte
                );
            }
        }

        /// Text without Traditional characters is only folded character by character.
        #[test]
        fn simplified_text_keeps_its_length(raw in "[资讯软体人工智慧晶片数位记忆体云端发展，。a-z0-9 ]{0,40}") {
            proptest::prop_assert_eq!(normalize(&raw).chars().count(), raw.chars().count());
        }
    }
}

//! Numbers as numbers: Arabic, full-width (already folded by normalization) and Chinese
//! numerals, decimals, ranges, magnitude words, units and qualifiers, following the target
//! conventions of the corpus README (magnitude words stay in the unit as written; Chinese
//! numerals are expressed in their largest magnitude word; 翻一番 is 2 倍; 半数 is 50 %).
//! Units come from the unit table (`ontology/lexicon/units.tsv`), which also gives each its
//! QUDT unit where QUDT has one.
//!
//! Everything here works on normalized text and byte offsets into it; callers turn those
//! into character spans.

use crate::lexicon::{Bound, Cues, QualifierPosition, Unit, UnitKind};
use std::fmt;

/// An exact decimal: `mantissa / 10^scale`. Never a float, so 6.5 stays 6.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    pub fn new(mantissa: i128, scale: u32) -> Self {
        Self { mantissa, scale }.normalized()
    }

    pub fn integer(value: i128) -> Self {
        Self::new(value, 0)
    }

    fn normalized(mut self) -> Self {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// This value divided by 10^k, exactly.
    pub fn shift_down(self, k: u32) -> Self {
        Self::new(self.mantissa, self.scale + k)
    }

    /// `self - tolerance` and `self + tolerance`, exactly (28±2 → 26 and 30).
    pub fn plus_minus(self, tolerance: Decimal) -> Option<(Decimal, Decimal)> {
        let scale = self.scale.max(tolerance.scale);
        let widen = |d: Decimal| d.mantissa.checked_mul(10i128.checked_pow(scale - d.scale)?);
        let (a, b) = (widen(self)?, widen(tolerance)?);
        Some((Self::new(a.checked_sub(b)?, scale), Self::new(a.checked_add(b)?, scale)))
    }

    /// The value as f64, for comparisons only.
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// Parses an ASCII decimal such as `4.06` or `1,200`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.replace(',', "");
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if int.len() + frac.len() > 30 {
            return None;
        }
        let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
        Some(Self::new(mantissa, frac.len() as u32))
    }
}

impl fmt::Display for Decimal {
    /// The canonical `xsd:decimal` lexical form: no exponent, no trailing zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// A quantity found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
    /// As written, magnitude word included: 个, 万人, 万亿元, %.
    pub unit: String,
    /// The QUDT unit IRI of the unit, magnitude word aside (万千瓦 has that of 千瓦).
    pub qudt_unit: Option<String>,
    /// As written: 左右, 以上, 超过…
    pub qualifier: Option<String>,
    /// Byte range in the text that was parsed.
    pub start: usize,
    pub end: usize,
}

fn chinese_digit(c: char) -> Option<i128> {
    Some(match c {
        '零' | '〇' | '0' => 0,
        '一' | '1' => 1,
        '二' | '两' | '2' => 2,
        '三' | '3' => 3,
        '四' | '4' => 4,
        '五' | '5' => 5,
        '六' | '6' => 6,
        '七' | '7' => 7,
        '八' | '8' => 8,
        '九' | '9' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<i128> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some() || small_unit(c).is_some() || matches!(c, '万' | '亿' | '点')
}

/// A parsed numeral: its value, the magnitude word it is expressed in (for Chinese
/// numerals, their largest one), and its byte length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numeral {
    pub value: Decimal,
    pub magnitude: &'static str,
    pub len: usize,
}

/// Parses an Arabic number (`1,200`, `4.06`) at the start of `text`.
pub fn arabic_at(text: &str) -> Option<Numeral> {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len()
        && (bytes[end].is_ascii_digit()
            || (bytes[end] == b','
                && end > 0
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                && comma_grouping(&bytes[end + 1..])))
    {
        end += 1;
    }
    if end == 0 {
        return None;
    }
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    Some(Numeral {
        value: Decimal::parse(&text[..end])?,
        magnitude: "",
        len: end,
    })
}

fn comma_grouping(rest: &[u8]) -> bool {
    rest.len() >= 3 && rest[..3].iter().all(u8::is_ascii_digit) && !rest.get(3).is_some_and(u8::is_ascii_digit)
}

/// Parses a Chinese numeral (一百二十万, 四百二十七亿四千万, 二点一, 二0一0) at the start of
/// `text`. A bare string of digits (二0一0, 二〇〇五) reads positionally.
pub fn chinese_at(text: &str) -> Option<Numeral> {
    // A small unit (十百千) counts only after a digit or at the start ("十五"); after 万/亿
    // it belongs to what follows (四百零六万千瓦 is 406 万 + 千瓦). A big unit is not doubled.
    let mut len = 0;
    let mut previous: Option<char> = None;
    for c in text.chars() {
        let joins = is_chinese_numeral_char(c)
            && !(small_unit(c).is_some()
                && previous.is_some_and(|p| {
                    matches!(p, '万' | '亿') || small_unit(p).is_some_and(|pv| small_unit(c) >= Some(pv))
                }))
            && !(matches!(c, '万' | '亿') && previous == Some(c));
        if !joins {
            break;
        }
        len += c.len_utf8();
        previous = Some(c);
    }
    let mut numeral = &text[..len];
    // 三百二十八万亿: 万亿 is one magnitude word.
    if let Some(head) = numeral.strip_suffix("万亿") {
        let inner = chinese_at(head)?;
        if inner.len == head.len() && inner.magnitude.is_empty() {
            return Some(Numeral {
                value: inner.value,
                magnitude: "万亿",
                len: numeral.len(),
            });
        }
    }
    // A trailing 点 or a leading 点/万/亿 is not part of a number.
    while let Some(stripped) = numeral.strip_suffix('点') {
        numeral = stripped;
    }
    let first = numeral.chars().next()?;
    if !(chinese_digit(first).is_some() || first == '十') {
        return None;
    }
    if numeral.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (int_part, frac_part) = match numeral.split_once('点') {
        Some((i, f)) if !f.is_empty() && f.chars().all(|c| chinese_digit(c).is_some()) => (i, Some(f)),
        Some((i, _)) => (i, None),
        None => (numeral, None),
    };
    let consumed = if frac_part.is_some() {
        numeral.len()
    } else {
        int_part.len()
    };
    let has_units = int_part
        .chars()
        .any(|c| small_unit(c).is_some() || matches!(c, '万' | '亿'));
    let integer: i128 = if has_units {
        positional_with_units(int_part)?
    } else {
        let mut value: i128 = 0;
        for c in int_part.chars() {
            value = value.checked_mul(10)?.checked_add(chinese_digit(c)?)?;
        }
        value
    };
    let mut value = Decimal::integer(integer);
    if let Some(frac) = frac_part {
        let digits: String = frac
            .chars()
            .filter_map(chinese_digit)
            .map(|d| char::from(b'0' + d as u8))
            .collect();
        value = Decimal::parse(&format!("{integer}.{digits}"))?;
    }
    let magnitude = if int_part.contains('亿') {
        value = value.shift_down(8);
        "亿"
    } else if int_part.contains('万') {
        value = value.shift_down(4);
        "万"
    } else {
        ""
    };
    Some(Numeral {
        value,
        magnitude,
        len: consumed,
    })
}

fn positional_with_units(text: &str) -> Option<i128> {
    let mut yi: i128 = 0;
    let mut wan: i128 = 0;
    let mut section: i128 = 0;
    let mut digit: Option<i128> = None;
    for c in text.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
        } else if let Some(unit) = small_unit(c) {
            section = section.checked_add(digit.unwrap_or(1).checked_mul(unit)?)?;
            digit = None;
        } else if c == '万' {
            wan = (section + digit.unwrap_or(0)).max(1);
            section = 0;
            digit = None;
        } else if c == '亿' {
            let below = wan.checked_mul(10_000)?.checked_add(section + digit.unwrap_or(0))?;
            yi = yi
                .checked_mul(100_000_000)?
                .checked_add(if below == 0 { 1 } else { below })?;
            wan = 0;
            section = 0;
            digit = None;
        } else {
            return None;
        }
    }
    yi.checked_mul(100_000_000)?
        .checked_add(wan.checked_mul(10_000)?)?
        .checked_add(section)?
        .checked_add(digit.unwrap_or(0))
}

/// A number of either kind at the start of `text`.
pub fn numeral_at(text: &str) -> Option<Numeral> {
    arabic_at(text).or_else(|| chinese_at(text))
}

/// A four-digit year (2027, 二0二0, 二〇二〇) at the start of `text`.
pub fn year_at(text: &str) -> Option<(i32, usize)> {
    let mut value = 0i32;
    let mut len = 0;
    for c in text.chars().take(4) {
        let d = chinese_digit(c)? as i32;
        value = value * 10 + d;
        len += c.len_utf8();
    }
    let next = text[len..].chars().next();
    if next.is_some_and(|c| chinese_digit(c).is_some()) || !(1900..=2200).contains(&value) {
        return None;
    }
    Some((value, len))
}

/// The longest entry of `words` that `text` starts with.
pub fn longest_prefix<'w>(text: &str, words: &'w [String]) -> Option<&'w str> {
    words
        .iter()
        .filter(|w| !w.is_empty() && text.starts_with(w.as_str()))
        .map(String::as_str)
        .max_by_key(|w| w.len())
}

/// Parses the quantity whose number starts at byte `at` of `text`: number, optional range,
/// magnitude, unit and qualifiers. `None` when there is no number with a unit there, or the
/// number is a date, an ordinal or part of a title.
pub fn quantity_at(text: &str, at: usize, cues: &Cues) -> Option<Quantity> {
    let before = &text[..at];
    if cues.not_quantities_before.iter().any(|w| before.ends_with(w.as_str())) {
        return None;
    }
    if cues
        .plural_quantifiers
        .iter()
        .any(|w| text[at..].starts_with(w.as_str()))
    {
        return None;
    }
    if let Some(q) = special_at(text, at, cues) {
        return Some(q);
    }
    let mut first = numeral_at(&text[at..])?;
    // A value with its tolerance (28±2%): the range it allows.
    let mut tolerance = None;
    if let Some(sign) = ["±", "+/-"].iter().find(|s| text[at + first.len..].starts_with(**s)) {
        let tol_at = at + first.len + sign.len();
        if let Some(tol) = numeral_at(&text[tol_at..]).filter(|t| t.magnitude.is_empty()) {
            if let Some(bounds) = first.value.plus_minus(tol.value) {
                tolerance = Some(bounds);
                first.len = tol_at + tol.len - at;
            }
        }
    }
    let first_unit = magnitude_and_unit(text, at + first.len, cues, first.magnitude);
    let mut pos = first_unit.end;
    let (min, mut max) = tolerance.unwrap_or((first.value, first.value));
    let mut unit = format!("{}{}", first_unit.magnitude, first_unit.unit);
    let mut entry = first_unit.entry;
    let mut qualifier: Option<String> = first_unit.inner.clone();
    let mut bound = first_unit.inner.as_ref().map(|_| Bound::Min);
    // The last number read, for the duration test: (its start, the numeral).
    let mut last = (at, first.clone());

    // A range: 3至5个, 6%－6.5%, 二至三.
    if let Some(sep) = longest_prefix(&text[pos..], &cues.range_separators) {
        let second_at = pos + sep.len();
        if let Some(second) = numeral_at(&text[second_at..]) {
            let second_unit = magnitude_and_unit(text, second_at + second.len, cues, second.magnitude);
            let unit_second = format!("{}{}", second_unit.magnitude, second_unit.unit);
            let compatible = unit.is_empty() || unit_second.is_empty() || unit == unit_second;
            if compatible && second.value.to_f64() >= first.value.to_f64() {
                max = second.value;
                if unit.is_empty() {
                    unit = unit_second;
                    entry = second_unit.entry;
                }
                pos = second_unit.end;
                bound = None;
                last = (second_at, second);
            }
        }
    }
    if unit.is_empty() {
        return None;
    }
    // "in 2024 as follows", "by 2030 most cities": a year before English words counts nothing.
    let year_like = text[at..at + first.len].len() == 4
        && text[at..at + first.len].bytes().all(|b| b.is_ascii_digit())
        && (1900.0..=2200.0).contains(&first.value.to_f64());
    if entry.is_none() && year_like && min == max {
        return None;
    }
    if entry.is_some_and(|u| u.kind == UnitKind::ZhDuration)
        && !(entry.is_some_and(|u| u.written == unit)
            && plain_count(text, at, &first)
            && plain_count(text, last.0, &last.1)
            && !cues.not_durations_before.iter().any(|w| before.ends_with(w.as_str()))
            && !cues
                .not_durations_after
                .iter()
                .any(|w| text[pos..].starts_with(w.as_str())))
    {
        // 2025年, 今后5年, 80年代, 用8年时间: a year or a period, not a measured duration.
        return None;
    }
    let after = &text[pos..];
    if let Some(q) = cues
        .qualifiers
        .iter()
        .filter(|q| q.position == QualifierPosition::After && after.starts_with(q.text.as_str()))
        .max_by_key(|q| q.text.len())
    {
        pos += q.text.len();
        qualifier = Some(q.text.clone());
        if min == max {
            bound = Some(q.bound);
        }
    }
    let mut start = at;
    if let Some(q) = cues
        .qualifiers
        .iter()
        .filter(|q| q.position == QualifierPosition::Before && qualifier_before(before, &q.text))
        .max_by_key(|q| q.text.len())
    {
        start = before.trim_end_matches(' ').len() - q.text.len();
        if qualifier.is_none() {
            qualifier = Some(q.text.clone());
            if min == max {
                bound = Some(q.bound);
            }
        }
    }
    let (min, max) = match bound {
        Some(Bound::Min) => (Some(min), None),
        Some(Bound::Max) => (None, Some(max)),
        Some(Bound::Both) | None => (Some(min), Some(max)),
    };
    Some(Quantity {
        min,
        max,
        unit,
        qudt_unit: entry.and_then(|u| u.qudt.clone()),
        qualifier,
        start,
        end: pos,
    })
}

/// Words that end an English noun phrase.
const PHRASE_BREAKS: &[&str] = &[
    "of", "in", "by", "and", "to", "for", "with", "at", "on", "from", "that", "which", "will", "per", "as",
];

/// The head of the lowercase noun phrase that starts `text` ("advanced smart factories, …"
/// → "factories"); at most four words.
fn counted_noun(text: &str) -> Option<&str> {
    let mut last = None;
    let mut offset = 0;
    for word in text.split(' ').take(4) {
        let clean = word.trim_end_matches([',', '.', ';', ':']);
        if clean.is_empty()
            || !clean.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            || PHRASE_BREAKS.contains(&clean)
        {
            break;
        }
        last = Some(&text[offset..offset + clean.len()]);
        if clean.len() != word.len() {
            break;
        }
        offset += word.len() + 1;
    }
    last
}

/// Whether `before` ends with the qualifier: directly for Chinese, after one space for an
/// English word ("at least 30 percent"), which must start a word.
fn qualifier_before(before: &str, qualifier: &str) -> bool {
    if qualifier.is_ascii() {
        let Some(head) = before.strip_suffix(' ') else {
            return false;
        };
        let Some(cut) = head
            .len()
            .checked_sub(qualifier.len())
            .filter(|&i| head.is_char_boundary(i))
        else {
            return false;
        };
        head[cut..].eq_ignore_ascii_case(qualifier) && !head[..cut].ends_with(|c: char| c.is_ascii_alphanumeric())
    } else {
        before.ends_with(qualifier)
    }
}

/// Whether the numeral at `at` could count years rather than name one: Arabic digits,
/// fewer than four before the point (10.8年 but not 2025年, nor 二0二五年).
fn plain_count(text: &str, at: usize, numeral: &Numeral) -> bool {
    let written = &text[at..at + numeral.len];
    numeral.magnitude.is_empty()
        && written.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && written.split('.').next().is_some_and(|int| int.len() < 4)
}

/// What follows a number: magnitude word, unit and the table row it was read from (none for
/// a counted English noun), where it ends, and a 多/余 between number and unit (100多个).
struct UnitAfter<'c> {
    magnitude: String,
    unit: String,
    entry: Option<&'c Unit>,
    end: usize,
    inner: Option<String>,
}

/// Magnitude word and unit after a number at `pos`.
fn magnitude_and_unit<'c>(
    text: &str,
    mut pos: usize,
    cues: &'c Cues,
    numeral_magnitude: &'static str,
) -> UnitAfter<'c> {
    let mut magnitude = numeral_magnitude.to_owned();
    let mut inner = None;
    for word in ["多", "余"] {
        if text[pos..].starts_with(word)
            && (longest_prefix(&text[pos + word.len()..], &cues.magnitudes).is_some()
                || cues.units.at(&text[pos + word.len()..]).is_some())
        {
            inner = Some(word.to_owned());
            pos += word.len();
        }
    }
    // A magnitude word, unless a unit starts here that is longer (千瓦 is a unit, not 千 + 瓦),
    // and never the same magnitude twice (七万万两 is not 7 万万).
    let unit_here = cues.units.at(&text[pos..]).map_or(0, |u| u.written.len());
    if let Some(m) = longest_prefix(&text[pos..], &cues.magnitudes) {
        if m.len() >= unit_here && !magnitude.ends_with(m) {
            magnitude.push_str(m);
            pos += m.len();
        }
    }
    let (unit, entry, end) = unit_at(text, pos, cues, magnitude.is_empty()).unwrap_or((String::new(), None, pos));
    UnitAfter {
        magnitude,
        unit,
        entry,
        end,
        inner,
    }
}

/// The unit at `pos`, after any magnitude word: as written, its table row (none for a counted
/// English noun) and where it ends. English words need a bare number (no magnitude word).
fn unit_at<'c>(text: &str, pos: usize, cues: &'c Cues, bare: bool) -> Option<(String, Option<&'c Unit>, usize)> {
    let here = &text[pos..];
    if let Some(u) = cues.units.at(here).filter(|u| {
        !cues
            .not_quantities_after
            .iter()
            .any(|w| here.starts_with(w.as_str()) && w.len() > u.written.len())
    }) {
        return Some((u.written.clone(), Some(u), pos + u.written.len()));
    }
    let rest = here.strip_prefix(' ')?;
    // "10 EFLOPS", "100 Gbps": a Latin symbol after one space.
    if let Some(u) = cues.units.symbol_at(rest) {
        return Some((u.written.clone(), Some(u), pos + 1 + u.written.len()));
    }
    if !bare {
        return None;
    }
    // "30 percent", "1.5 million tons": an English unit word, kept as written.
    if let Some(u) = cues.units.word_at(rest) {
        let written = rest[..u.written.len()].to_owned();
        return Some((written, Some(u), pos + 1 + u.written.len()));
    }
    // An English count has no classifier: the counted noun is its unit
    // ("2,000 advanced smart factories" counts factories).
    let noun = counted_noun(rest)?;
    let end = pos + 1 + rest.find(noun).unwrap_or(0) + noun.len();
    Some((noun.to_owned(), None, end))
}

/// 翻一番 / 翻两番 (2^n 倍) and 半数以上 (50 %).
fn special_at(text: &str, at: usize, cues: &Cues) -> Option<Quantity> {
    let rest = &text[at..];
    let qudt = |written: &str| cues.units.get(written).and_then(|u| u.qudt.clone());
    if let Some(after) = rest.strip_prefix('翻') {
        let numeral = chinese_at(after).or_else(|| arabic_at(after))?;
        let tail = &after[numeral.len..];
        if tail.starts_with('番') {
            let n = numeral.value.to_f64() as u32;
            if (1..=10).contains(&n) {
                return Some(Quantity {
                    min: Some(Decimal::integer(1i128 << n)),
                    max: Some(Decimal::integer(1i128 << n)),
                    unit: "倍".to_owned(),
                    qudt_unit: qudt("倍"),
                    qualifier: None,
                    start: at,
                    end: at + '翻'.len_utf8() + numeral.len + '番'.len_utf8(),
                });
            }
        }
        return None;
    }
    if let Some(after) = rest.strip_prefix("百分之") {
        let numeral = chinese_at(after).or_else(|| arabic_at(after))?;
        let value = Some(numeral.value);
        return Some(Quantity {
            min: value,
            max: value,
            unit: "%".to_owned(),
            qudt_unit: qudt("%"),
            qualifier: None,
            start: at,
            end: at + "百分之".len() + numeral.len,
        });
    }
    if rest.starts_with("倍增") {
        return Some(Quantity {
            min: Some(Decimal::integer(2)),
            max: Some(Decimal::integer(2)),
            unit: "倍".to_owned(),
            qudt_unit: qudt("倍"),
            qualifier: None,
            start: at,
            end: at + "倍增".len(),
        });
    }
    if let Some(tail) = rest.strip_prefix("半数") {
        let (max, qualifier, extra) = if tail.starts_with("以上") {
            (None, Some("以上".to_owned()), "以上".len())
        } else {
            (Some(Decimal::integer(50)), None, 0)
        };
        return Some(Quantity {
            min: Some(Decimal::integer(50)),
            max,
            unit: "%".to_owned(),
            qudt_unit: qudt("%"),
            qualifier,
            start: at,
            end: at + "半数".len() + extra,
        });
    }
    None
}

/// Every quantity in `text`, left to right, not overlapping.
pub fn quantities(text: &str, cues: &Cues) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let c = text[pos..].chars().next().unwrap_or(' ');
        let prev = text[..pos].chars().next_back();
        let starts_number = c.is_ascii_digit()
            || matches!(c, '翻' | '半' | '十')
            || (c == '百' && text[pos..].starts_with("百分之"))
            || (c == '倍' && text[pos..].starts_with("倍增"))
            || chinese_digit(c).is_some();
        let continues_number = prev.is_some_and(|p| p.is_ascii_digit() || p == '.' || is_chinese_numeral_char(p));
        // A digit after a Latin letter is part of a name (PM2.5, CO2, H7N9), not a number.
        let in_name = c.is_ascii_digit() && prev.is_some_and(|p| p.is_ascii_alphabetic());
        if starts_number && !continues_number && !in_name {
            if let Some(q) = quantity_at(text, pos, cues) {
                pos = q.end.max(pos + c.len_utf8());
                out.push(q);
                continue;
            }
        }
        pos += c.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use proptest::prelude::*;

    fn cues() -> Cues {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON
            .get_or_init(|| Lexicon::builtin().expect("lexicon"))
            .cues
            .clone()
    }

    fn d(s: &str) -> Option<Decimal> {
        Some(Decimal::parse(s).expect("decimal"))
    }

    #[test]
    fn numeral_table() {
        let cases: &[(&str, &str, &str)] = &[
            ("3", "3", ""),
            ("1,200", "1200", ""),
            ("4.06", "4.06", ""),
            ("一百二十万", "120", "万"),
            ("四百二十七亿四千万", "427.4", "亿"),
            ("一亿一千三百万", "1.13", "亿"),
            ("二0一0", "2010", ""),
            ("二〇〇五", "2005", ""),
            ("十", "10", ""),
            ("十五", "15", ""),
            ("二十一", "21", ""),
            ("二点一", "2.1", ""),
            ("一千万", "1000", "万"),
            ("五十万", "50", "万"),
            ("三千零五", "3005", ""),
        ];
        for (input, value, magnitude) in cases {
            let n = numeral_at(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(n.value.to_string(), *value, "{input}");
            assert_eq!(n.magnitude, *magnitude, "{input}");
            assert_eq!(n.len, input.len(), "{input}");
        }
    }

    #[test]
    fn quantity_table() {
        let cues = cues();
        type Case<'a> = (
            &'a str,
            usize,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            ("推动3至5个通用大模型", "推动".len(), Some("3"), Some("5"), "个", None),
            (
                "打造100个工业领域高质量数据集",
                "打造".len(),
                Some("100"),
                Some("100"),
                "个",
                None,
            ),
            ("培育2至3家企业", "培育".len(), Some("2"), Some("3"), "家", None),
            ("增长6%－6.5%", "增长".len(), Some("6"), Some("6.5"), "%", None),
            ("增长10%—15%", "增长".len(), Some("10"), Some("15"), "%", None),
            ("增长4.5%—5%", "增长".len(), Some("4.5"), Some("5"), "%", None),
            // A value with its tolerance is the range it allows.
            ("减量28±2%", "减量".len(), Some("26"), Some("30"), "%", None),
            (
                "误差为1.5±0.25个百分点",
                "误差为".len(),
                Some("1.25"),
                Some("1.75"),
                "个百分点",
                None,
            ),
            (
                "城镇新增就业1200万人以上",
                "城镇新增就业".len(),
                Some("1200"),
                None,
                "万人",
                Some("以上"),
            ),
            ("失业率4.5%以内", "失业率".len(), None, Some("4.5"), "%", Some("以内")),
            ("增长5%左右", "增长".len(), Some("5"), Some("5"), "%", Some("左右")),
            (
                "粮食产量1.3万亿斤以上",
                "粮食产量".len(),
                Some("1.3"),
                None,
                "万亿斤",
                Some("以上"),
            ),
            (
                "赤字规模4.06万亿元",
                "赤字规模".len(),
                Some("4.06"),
                Some("4.06"),
                "万亿元",
                None,
            ),
            (
                "投资四百二十七亿四千万元",
                "投资".len(),
                Some("427.4"),
                Some("427.4"),
                "亿元",
                None,
            ),
            (
                "钢产量一亿一千三百万吨",
                "钢产量".len(),
                Some("1.13"),
                Some("1.13"),
                "亿吨",
                None,
            ),
            ("二至三个", 0, Some("2"), Some("3"), "个", None),
            ("超过30%", "超过".len(), Some("30"), None, "%", Some("超过")),
            ("约5%", "约".len(), Some("5"), Some("5"), "%", Some("约")),
            ("收入翻一番", "收入".len(), Some("2"), Some("2"), "倍", None),
            ("翻两番", 0, Some("4"), Some("4"), "倍", None),
            ("半数以上", 0, Some("50"), None, "%", Some("以上")),
            ("减少1000万以上", "减少".len(), Some("1000"), None, "万", Some("以上")),
            ("五十万个", 0, Some("50"), Some("50"), "万个", None),
            ("一千万户", 0, Some("1000"), Some("1000"), "万户", None),
            ("100多个", 0, Some("100"), None, "个", Some("多")),
            (
                "将为四百零六万千瓦",
                "将为".len(),
                Some("406"),
                Some("406"),
                "万千瓦",
                None,
            ),
            (
                "增加到二十二万七千千瓦",
                "增加到".len(),
                Some("22.7"),
                Some("22.7"),
                "万千瓦",
                None,
            ),
            ("占百分之五十五点八", "占".len(), Some("55.8"), Some("55.8"), "%", None),
            (
                "经济总量实现倍增",
                "经济总量实现".len(),
                Some("2"),
                Some("2"),
                "倍",
                None,
            ),
            (
                "共达三百二十八万亿元",
                "共达".len(),
                Some("328"),
                Some("328"),
                "万亿元",
                None,
            ),
        ];
        for (input, at, min, max, unit, qualifier) in cases {
            let q = quantity_at(input, *at, &cues).unwrap_or_else(|| panic!("no quantity in {input}"));
            assert_eq!(q.min, min.and_then(d), "min of {input}");
            assert_eq!(q.max, max.and_then(d), "max of {input}");
            assert_eq!(q.unit, *unit, "unit of {input}");
            assert_eq!(q.qualifier.as_deref(), *qualifier, "qualifier of {input}");
        }
    }

    #[test]
    fn units_bounds_and_durations_table() {
        let cues = cues();
        // (input, where the number starts, min, max, unit, qualifier, QUDT unit local name)
        type Case<'a> = (
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            (
                "智能算力规模超过",
                "10 EFLOPS",
                Some("10"),
                None,
                "EFLOPS",
                Some("超过"),
                None,
            ),
            (
                "新增智能算力",
                "20EFLOPS左右",
                Some("20"),
                Some("20"),
                "EFLOPS",
                Some("左右"),
                None,
            ),
            (
                "单集群算力达到",
                "3 PFLOPS",
                Some("3"),
                Some("3"),
                "PFLOPS",
                None,
                Some("PetaFLOPS"),
            ),
            (
                "数据存储总量达到",
                "300EB",
                Some("300"),
                Some("300"),
                "EB",
                None,
                Some("ExaBYTE"),
            ),
            (
                "备份容量",
                "50 PB以上",
                Some("50"),
                None,
                "PB",
                Some("以上"),
                Some("PetaBYTE"),
            ),
            (
                "新增风光装机",
                "5 GW以上",
                Some("5"),
                None,
                "GW",
                Some("以上"),
                Some("GigaW"),
            ),
            ("储能规模", "2GWh", Some("2"), Some("2"), "GWh", None, Some("GigaW-HR")),
            (
                "骨干网出口带宽",
                "100Gbps",
                Some("100"),
                Some("100"),
                "Gbps",
                None,
                Some("GigaBIT-PER-SEC"),
            ),
            (
                "园区接入带宽",
                "100 Gbps",
                Some("100"),
                Some("100"),
                "Gbps",
                None,
                Some("GigaBIT-PER-SEC"),
            ),
            (
                "端到端时延小于",
                "10ms",
                None,
                Some("10"),
                "ms",
                Some("小于"),
                Some("MilliSEC"),
            ),
            (
                "设计时速",
                "350 km/h",
                Some("350"),
                Some("350"),
                "km/h",
                None,
                Some("KiloM-PER-HR"),
            ),
            (
                "新建城际线路",
                "120 km",
                Some("120"),
                Some("120"),
                "km",
                None,
                Some("KiloM"),
            ),
            ("芯片制程达到", "7nm", Some("7"), Some("7"), "nm", None, Some("NanoM")),
            (
                "年节约用电",
                "3.5万千瓦时",
                Some("3.5"),
                Some("3.5"),
                "万千瓦时",
                None,
                Some("KiloW-HR"),
            ),
            (
                "新增装机",
                "120万千瓦",
                Some("120"),
                Some("120"),
                "万千瓦",
                None,
                Some("KiloW"),
            ),
            (
                "单位产值能耗不高于",
                "0.4吨标准煤",
                None,
                Some("0.4"),
                "吨标准煤",
                Some("不高于"),
                None,
            ),
            (
                "能源消费总量控制在",
                "2亿吨标准煤以内",
                None,
                Some("2"),
                "亿吨标准煤",
                Some("以内"),
                None,
            ),
            (
                "综合能耗不超过",
                "80千克",
                None,
                Some("80"),
                "千克",
                Some("不超过"),
                Some("KiloGM"),
            ),
            (
                "森林覆盖率不低于",
                "60%",
                Some("60"),
                None,
                "%",
                Some("不低于"),
                Some("PERCENT"),
            ),
            (
                "优良天数比例高于",
                "85%",
                Some("85"),
                None,
                "%",
                Some("高于"),
                Some("PERCENT"),
            ),
            (
                "单位面积产量大于",
                "500公斤",
                Some("500"),
                None,
                "公斤",
                Some("大于"),
                Some("KiloGM"),
            ),
            (
                "新建高标准农田",
                "40万公顷",
                Some("40"),
                Some("40"),
                "万公顷",
                None,
                Some("HA"),
            ),
            (
                "平均受教育年限达到",
                "11.3年",
                Some("11.3"),
                Some("11.3"),
                "年",
                None,
                Some("YR"),
            ),
            (
                "劳动年龄人口受教育年限",
                "10.8年以上",
                Some("10.8"),
                None,
                "年",
                Some("以上"),
                Some("YR"),
            ),
            (
                "经营权期限延长至",
                "15年",
                Some("15"),
                Some("15"),
                "年",
                None,
                Some("YR"),
            ),
            ("培训周期", "3至5年", Some("3"), Some("5"), "年", None, Some("YR")),
            (
                "审批时限压缩至",
                "3个月",
                Some("3"),
                Some("3"),
                "个月",
                None,
                Some("MO"),
            ),
            ("建设", "50个", Some("50"), Some("50"), "个", None, None),
            (
                "offshore wind capacity of ",
                "8 GW",
                Some("8"),
                Some("8"),
                "GW",
                None,
                Some("GigaW"),
            ),
            (
                "a share of at least ",
                "30 percent",
                Some("30"),
                None,
                "percent",
                Some("at least"),
                Some("PERCENT"),
            ),
            (
                "latency of less than ",
                "5 ms",
                None,
                Some("5"),
                "ms",
                Some("less than"),
                Some("MilliSEC"),
            ),
        ];
        for (lead, rest, min, max, unit, qualifier, qudt) in cases {
            let input = format!("{lead}{rest}");
            let q = quantity_at(&input, lead.len(), &cues).unwrap_or_else(|| panic!("no quantity in {input}"));
            assert_eq!(q.min, min.and_then(d), "min of {input}");
            assert_eq!(q.max, max.and_then(d), "max of {input}");
            assert_eq!(q.unit, *unit, "unit of {input}");
            assert_eq!(q.qualifier.as_deref(), *qualifier, "qualifier of {input}");
            let expected = qudt.map(|local| format!("{}{local}", crate::rdf::vocab::QUDT_UNIT_NS));
            assert_eq!(q.qudt_unit, expected, "QUDT unit of {input}");
        }
    }

    #[test]
    fn every_unit_of_the_table_reads_after_a_number() {
        let cues = cues();
        for unit in cues.units.iter() {
            let written = unit.written.as_str();
            let forms = match unit.kind {
                UnitKind::Si => vec![format!("达到12{written}"), format!("达到12 {written}")],
                UnitKind::En => vec![format!("达到12 {written}")],
                _ => vec![format!("达到12{written}")],
            };
            for text in forms {
                let q = quantity_at(&text, "达到".len(), &cues).unwrap_or_else(|| panic!("no quantity in {text}"));
                assert_eq!(q.unit, written, "{text}");
                assert_eq!(q.qudt_unit, unit.qudt, "{text}");
                assert_eq!(q.end, text.len(), "{text}");
            }
        }
    }

    #[test]
    fn years_periods_and_broken_symbols_are_not_units() {
        let cues = cues();
        for text in [
            "力争到2027年",
            "二〇三五年",
            "今后5年",
            "未来3年",
            "连续4年保持增长",
            "近3年年均增长",
            "80年代",
            "实施3年行动计划",
            "五年计划",
            "5年内完成",
            "用8年时间基本建成",
            "2021至2025年",
            "带宽12 Gbit",
            "装机5 GWx",
            "增长3 million",
        ] {
            let found: Vec<(String, String)> = quantities(text, &cues)
                .iter()
                .map(|q| (text[q.start..q.end].to_owned(), q.unit.clone()))
                .collect();
            assert!(
                found
                    .iter()
                    .all(|(_, unit)| unit != "年" && unit != "GW" && unit != "Gbps"),
                "{text}: {found:?}"
            );
        }
        assert!(quantities("力争到2027年", &cues).is_empty());
        assert!(quantities("今后5年", &cues).is_empty());
    }

    #[test]
    fn dates_ordinals_and_bare_numbers_are_not_quantities() {
        let cues = cues();
        for text in [
            "2025年12月12日",
            "第3个",
            "共100",
            "第十四届",
            "PM2.5",
            "CO2排放",
            "H7N9",
        ] {
            assert!(
                quantities(text, &cues).is_empty(),
                "{text}: {:?}",
                quantities(text, &cues)
            );
        }
    }

    #[test]
    fn compound_units_and_regional_units_read_after_a_number() {
        let cues = cues();
        let cases: &[(&str, &str, &str)] = &[
            ("细颗粒物浓度控制在29微克/立方米左右", "29", "微克/立方米"),
            ("骨干网带宽达到20太比特/秒（Tbps）", "20", "太比特/秒"),
            ("接入速率1000兆比特/秒（Mbps）以上", "1000", "兆比特/秒"),
            ("裝置容量331萬瓩", "331", "万瓩"),
            ("PM2.5浓度下降17%", "17", "%"),
        ];
        for (text, value, unit) in cases {
            let found = quantities(&crate::extract::text::normalize(text), &cues);
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].min.map(|d| d.to_string()).as_deref(), Some(*value), "{text}");
            assert_eq!(found[0].unit, *unit, "{text}");
        }
    }

    #[test]
    fn years_parse_in_every_form() {
        assert_eq!(year_at("2027年"), Some((2027, 4)));
        assert_eq!(year_at("二0二0年"), Some((2020, "二0二0".len())));
        assert_eq!(year_at("二〇三五年"), Some((2035, "二〇三五".len())));
        assert_eq!(year_at("20271"), None);
        assert_eq!(year_at("12"), None);
    }

    #[test]
    fn decimal_display_is_canonical() {
        assert_eq!(Decimal::parse("6.50").map(|d| d.to_string()), Some("6.5".into()));
        assert_eq!(Decimal::integer(5).shift_down(2).to_string(), "0.05");
        assert_eq!(Decimal::parse("100").map(|d| d.to_string()), Some("100".into()));
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_on_char_boundaries(text in "\\PC{0,40}") {
            let cues = cues();
            for q in quantities(&text, &cues) {
                prop_assert!(text.is_char_boundary(q.start) && text.is_char_boundary(q.end));
                prop_assert!(q.start < q.end);
            }
        }

        #[test]
        fn arabic_round_trips(value in 0u64..10_000_000_000, frac in proptest::option::of(1u32..999)) {
            let written = match frac { Some(f) => format!("{value}.{f}"), None => value.to_string() };
            let n = arabic_at(&written).expect("number");
            prop_assert_eq!(n.len, written.len());
            prop_assert_eq!(Decimal::parse(&written), Some(n.value));
            prop_assert_eq!(Decimal::parse(&n.value.to_string()), Some(n.value));
        }

        #[test]
        fn chinese_round_trips(value in 1u64..100_000_000) {
            let written = to_chinese(value);
            let n = chinese_at(&written).expect("numeral");
            let expected = if value >= 10_000 { Decimal::integer(value as i128).shift_down(4) } else { Decimal::integer(value as i128) };
            prop_assert_eq!(n.value, expected, "{}", written);
        }
    }

    /// Writes a number below 10^8 in Chinese numerals, the way documents do.
    fn to_chinese(value: u64) -> String {
        const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
        fn below_10000(v: u64, leading: bool) -> String {
            let mut out = String::new();
            let mut zero = false;
            for (unit, name) in [(1000, "千"), (100, "百"), (10, "十"), (1, "")] {
                let digit = (v / unit) % 10;
                if digit == 0 {
                    zero = !out.is_empty() || !leading;
                    continue;
                }
                if zero && !out.is_empty() {
                    out.push('零');
                }
                zero = false;
                out.push(DIGITS[digit as usize]);
                out.push_str(name);
            }
            out
        }
        if value >= 10_000 {
            let high = below_10000(value / 10_000, true);
            let low = value % 10_000;
            if low == 0 {
                format!("{high}万")
            } else if low < 1000 {
                format!("{high}万零{}", below_10000(low, true))
            } else {
                format!("{high}万{}", below_10000(low, true))
            }
        } else {
            below_10000(value, true)
        }
    }
}

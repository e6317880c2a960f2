//! The document's own facts, from its text: the frame of a news page around it (dateline,
//! bylines, header lines, page chrome), its title, and when it was written.
//!
//! A news page frames the text it carries: "新华社北京11月3日电(记者 甲)" opens the lead,
//! "来源:…" and "发布时间:…" head the page, "(完)" and "【编辑:乙】" close it, and lines such as
//! "评论区" or "产经 > 科技" are navigation. The frame names publishers and reporters —
//! never issuers — and is masked out of the text the other extractors read.

use super::patterns::{alternation, compile, iso_date, Patterns};
use super::text::{contains_any, Span, Text};
use super::Mention;
use crate::lexicon::{Cues, NewsCues};
use regex::Regex;

/// The N-th five-year plan's first and last years (1st 1953–57, 2nd 1958–62, then from
/// the 3rd, 1966–70, every five years).
pub fn five_year_period(n: u32) -> Option<(i32, i32)> {
    let end = match n {
        0 => return None,
        1 => 1957,
        2 => 1962,
        n => 1966 + 5 * (i32::try_from(n).ok()? - 3) + 4,
    };
    Some((end - 4, end))
}

fn five_year_patterns() -> &'static [Regex; 3] {
    static PATTERNS: std::sync::OnceLock<[Regex; 3]> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            compile(r"第([一二三四五六七八九十]+)个五年(?:计划|规划)"),
            compile(r"十([一二三四五六七八九])五"),
            compile(r"(?i)(?-u:\b)(\d{1,2})(?:st|nd|rd|th)\s+five-year\s+(?:plan|program)"),
        ]
    })
}

/// Every five-year plan a text names, with where (byte offset), in text order:
/// 第一个五年计划, 第十四个五年规划, "十五五", the 14th Five-Year Plan.
pub fn five_year_plans(text: &str) -> Vec<(usize, (i32, i32))> {
    let [numbered, short, english_pattern] = five_year_patterns();
    let mut out: Vec<(usize, (i32, i32))> = Vec::new();
    // Called on every clause: the Chinese patterns cannot match without 五, the English one
    // without "five-year", and both are cheaper to look for than running the patterns.
    let chinese = text.contains('五');
    let english = names_five_year(text);
    let mut add = |re: &Regex, offset: u32, parse: fn(&str) -> Option<u32>| {
        for c in re.captures_iter(text) {
            let (Some(whole), Some(n)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if let Some(years) = parse(n.as_str()).and_then(|n| five_year_period(offset + n)) {
                out.push((whole.start(), years));
            }
        }
    };
    if chinese {
        add(numbered, 0, super::patterns::count);
        add(short, 10, super::patterns::count);
    }
    if english {
        add(english_pattern, 0, |n| n.parse().ok());
    }
    out.sort();
    out
}

/// Whether one of the patterns of [`five_year_plans`] matches somewhere in the text (the
/// plans it names are among those matches). The Chinese patterns need 五, the English one
/// "five-year", which are cheaper to look for than running the patterns.
pub fn matches_five_year_plan(text: &str) -> bool {
    let [numbered, short, english] = five_year_patterns();
    (text.contains('五') && (numbered.is_match(text) || short.is_match(text)))
        || (names_five_year(text) && english.is_match(text))
}

/// Whether "five-year", in any case, is in the text: looked for at each hyphen.
fn names_five_year(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'-'
            && i >= 4
            && bytes[i - 4..i].eq_ignore_ascii_case(b"five")
            && bytes.get(i + 1..i + 5).is_some_and(|w| w.eq_ignore_ascii_case(b"year"))
    })
}

/// The first five-year plan a text names, as its years.
pub fn five_year_plan(text: &str) -> Option<(i32, i32)> {
    five_year_plans(text).first().map(|&(_, years)| years)
}

/// Longest span of years a title's period may cover.
const MAX_PERIOD_YEARS: i32 = 15;

/// The years a plan covers, as its title names them: a range of years — "（2024—2027年）",
/// "2021-2025年", "2023至2025年", "(2024-2027)" — or a five-year plan.
pub fn plan_period(title: &str) -> Option<(i32, i32)> {
    static RANGE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let range = RANGE
        .get_or_init(|| compile(r"((?:19|20)\d{2})\s*年?\s*(?:[—–－~～至到-]+|to)\s*((?:19|20)\d{2})(?:\s*年|\D|$)"));
    let from_range = range.captures(title).and_then(|c| {
        let start: i32 = c.get(1)?.as_str().parse().ok()?;
        let end: i32 = c.get(2)?.as_str().parse().ok()?;
        (start < end && end - start <= MAX_PERIOD_YEARS).then_some((start, end))
    });
    from_range.or_else(|| five_year_plan(title))
}

/// What frames the text of a news page.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// Spans that are frame, not text: the other extractors never see them.
    pub masked: Vec<Span>,
    /// Publishers, reporters and editors the frame names.
    pub mentions: Vec<Mention>,
    /// The first date of the page's header (`YYYY-MM-DD`).
    pub date: Option<String>,
}

/// The frame's patterns, compiled once per set of cue words.
pub struct FramePatterns {
    dateline: Regex,
    /// "BEIJING, Oct. 9 (Xinhua) --".
    dateline_en: Regex,
    agency_line: Regex,
    header_line: Regex,
    datetime_line: Regex,
    iso: Regex,
    editor: Regex,
    /// "2031年12月27日 18:48 某某社": a publication time, with the publisher.
    datetime_zh: Regex,
    /// "(Example News) 08:05, March 13, 2031".
    datetime_en: Regex,
}

impl FramePatterns {
    pub fn new(cues: &NewsCues) -> Self {
        let agency = format!(r"[\p{{Han}}A-Za-z]{{0,10}}?(?:{})", alternation(&cues.agency_suffixes));
        Self {
            dateline: compile(&format!(
                r"(?m)^[ \t]*(?:(?P<agency>{agency})[ \t]*[,，]?[ \t]*)?(?P<place>\p{{Han}}{{2,6}}?)[ \t]*(?P<m>\d{{1,2}})[ \t]*月[ \t]*(?P<d>\d{{1,2}})[ \t]*日[ \t]*(?:电|讯)(?:[ \t]*[(（](?P<byline>[^()（）\n]{{2,40}})[)）])?"
            )),
            dateline_en: compile(
                r"(?m)^[ \t]*[A-Z][A-Za-z .'-]{1,30},[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}(?:,[ \t]*\d{4})?[ \t]*\((?P<agency>[A-Za-z][A-Za-z .&-]{1,30})\)[ \t]*(?:--|—|–)",
            ),
            agency_line: compile(&format!(
                r"\A(?P<agency>{agency})[ \t]*[,，、 ][ \t]*\p{{Han}}{{2,6}}\z"
            )),
            header_line: compile(&format!(r"\A(?:{})[ \t]*[:：]", alternation(&cues.header_labels))),
            datetime_line: compile(
                r"\A(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ \t]+\d{1,2}:\d{2}(?::\d{2})?)?\z",
            ),
            iso: compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
            editor: compile(&format!(
                r"[【\[(（][ \t]*(?:{})[ \t]*[:：][ \t]*(?P<name>[^】\]()（）\n]{{1,40}}?)[ \t]*[】\])）]",
                alternation(&cues.editor_words)
            )),
            datetime_zh: compile(&format!(
                r"\A(?P<y>\d{{4}})[ \t]*年[ \t]*(?P<m>\d{{1,2}})[ \t]*月[ \t]*(?P<d>\d{{1,2}})[ \t]*日[ \t]*\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:[ \t]*(?:来源[:：])?[ \t]*(?P<agency>{agency}))?\z"
            )),
            datetime_en: compile(
                r"\A\((?P<agency>[A-Z][A-Za-z .&-]{1,30})\)[ \t]*\d{1,2}:\d{2},?[ \t]+[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2},[ \t]*\d{4}\z",
            ),
        }
    }
}

/// The frame of a news page, if the text has one (most documents have none).
pub fn frame(text: &Text, cues: &NewsCues, patterns: &FramePatterns) -> Frame {
    let mut out = Frame::default();
    let norm = text.norm.as_str();
    let span = |m: regex::Match<'_>| text.span(m.start(), m.end());
    for &paragraph in text.paragraphs() {
        let line = text.norm_of(paragraph);
        let start = text.norm_range(paragraph).start;
        let trimmed = line.trim();
        if let Some(caps) = patterns.agency_line.captures(trimmed) {
            if let Some(agency) = caps.name("agency") {
                let at = start + (line.len() - line.trim_start().len()) + agency.start();
                out.mentions.push(Mention::Publisher {
                    name: text.quote(text.span(at, at + agency.len())).to_owned(),
                    span: text.span(at, at + agency.len()),
                });
            }
            out.masked.push(paragraph);
        } else if patterns.header_line.is_match(trimmed) {
            if let Some(caps) = patterns.iso.captures(trimmed).or_else(|| text_date(trimmed)) {
                out.date = out.date.or_else(|| iso_date(&caps));
            }
            out.masked.push(paragraph);
        } else if let Some(caps) = patterns.datetime_line.captures(trimmed) {
            out.date = out.date.or_else(|| iso_date(&caps));
            out.masked.push(paragraph);
        } else if let Some(caps) = patterns
            .datetime_zh
            .captures(trimmed)
            .or_else(|| patterns.datetime_en.captures(trimmed))
        {
            if caps.name("y").is_some() {
                out.date = out.date.or_else(|| iso_date(&caps));
            }
            if let Some(agency) = caps.name("agency") {
                let at = start + (line.len() - line.trim_start().len()) + agency.start();
                let span = text.span(at, at + agency.len());
                out.mentions.push(Mention::Publisher {
                    name: text.quote(span).to_owned(),
                    span,
                });
            }
            out.masked.push(paragraph);
        } else if let Some(mentions) = byline(text, start + (line.len() - line.trim_start().len()), trimmed, cues) {
            out.mentions.extend(mentions);
            out.masked.push(paragraph);
        } else if is_caption(trimmed, cues) || is_chrome(trimmed, cues) {
            out.masked.push(paragraph);
        }
    }
    for caps in patterns.dateline.captures_iter(norm) {
        let Some(whole) = caps.get(0) else { continue };
        if let Some(agency) = caps.name("agency") {
            out.mentions.push(Mention::Publisher {
                name: text.quote(span(agency)).to_owned(),
                span: span(agency),
            });
        }
        if let Some(byline) = caps.name("byline") {
            for (name, at) in names_after(byline.as_str(), &cues.reporter_words) {
                let s = text.span(byline.start() + at, byline.start() + at + name.len());
                out.mentions.push(Mention::Reporter {
                    name: text.quote(s).to_owned(),
                    span: s,
                });
            }
        }
        let lead = whole.as_str().len() - whole.as_str().trim_start().len();
        out.masked.push(text.span(whole.start() + lead, whole.end()));
    }
    for caps in patterns.dateline_en.captures_iter(norm) {
        let (Some(whole), Some(agency)) = (caps.get(0), caps.name("agency")) else {
            continue;
        };
        out.mentions.push(Mention::Publisher {
            name: text.quote(span(agency)).to_owned(),
            span: span(agency),
        });
        let lead = whole.as_str().len() - whole.as_str().trim_start().len();
        out.masked.push(text.span(whole.start() + lead, whole.end()));
    }
    for caps in patterns.editor.captures_iter(norm) {
        let (Some(whole), Some(name)) = (caps.get(0), caps.name("name")) else {
            continue;
        };
        let mut at = name.start();
        for piece in name.as_str().split([',', '，', '、']) {
            let lead = piece.len() - piece.trim_start().len();
            let person = piece.trim();
            if !person.is_empty() {
                let s = text.span(at + lead, at + lead + person.len());
                out.mentions.push(Mention::Person {
                    name: text.quote(s).to_owned(),
                    span: s,
                });
            }
            at += piece.len() + piece_separator_len(&norm[at + piece.len()..]);
        }
        out.masked.push(span(whole));
    }
    for mark in &cues.end_marks {
        for (at, _) in norm.match_indices(mark.as_str()) {
            out.masked.push(text.span(at, at + mark.len()));
        }
    }
    out.masked.sort();
    out.masked.dedup();
    out
}

/// A date written in Chinese form ("2024年3月5日") in a header line.
fn text_date(line: &str) -> Option<regex::Captures<'_>> {
    static DATE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    DATE.get_or_init(|| compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"))
        .captures(line)
}

/// The length of the separator that starts `rest`, if any (one character).
fn piece_separator_len(rest: &str) -> usize {
    rest.chars().next().map_or(0, char::len_utf8)
}

/// A byline line ("某报/ 记者甲乙/即时报导", "某某社记者甲乙、丙丁"): short, no sentence, with a
/// reporter word; the names after the word are reporters, a part ending in an agency suffix
/// before it the publisher. `offset` is the line's byte offset in the normalized text.
fn byline(text: &Text, offset: usize, line: &str, cues: &NewsCues) -> Option<Vec<Mention>> {
    let sentence = line.contains(['。', '，', '；', ',', ';', '！', '？']);
    if sentence || line.chars().count() > 40 || !cues.reporter_words.iter().any(|w| line.contains(w.as_str())) {
        return None;
    }
    let mut out = Vec::new();
    let mut pos = 0;
    let separators: Vec<char> = cues.byline_separators.iter().filter_map(|s| s.chars().next()).collect();
    for piece in line.split(&separators[..]) {
        let at = offset + pos;
        pos += piece.len() + piece_separator_len(&line[pos + piece.len()..]);
        let Some((role_at, role)) = cues
            .reporter_words
            .iter()
            .filter_map(|w| piece.find(w.as_str()).map(|i| (i, w)))
            .min_by_key(|(i, w)| (*i, std::cmp::Reverse(w.len())))
        else {
            let name = piece.trim();
            if !name.is_empty()
                && cues.agency_suffixes.iter().any(|s| name.ends_with(s.as_str()))
                && name.chars().all(super::text::is_han)
            {
                let s = text.span(at, at + piece.len());
                out.push(Mention::Publisher {
                    name: name.to_owned(),
                    span: s,
                });
            }
            continue;
        };
        let publisher = &piece[..role_at];
        if !publisher.is_empty() && cues.agency_suffixes.iter().any(|s| publisher.ends_with(s.as_str())) {
            let s = text.span(at, at + publisher.len());
            out.push(Mention::Publisher {
                name: text.quote(s).to_owned(),
                span: s,
            });
        }
        let names = &piece[role_at + role.len()..];
        let mut name_at = at + role_at + role.len();
        for name in names.split('、') {
            let chars = name.chars().count();
            if (2..=4).contains(&chars) && name.chars().all(super::text::is_han) {
                let s = text.span(name_at, name_at + name.len());
                out.push(Mention::Reporter {
                    name: text.quote(s).to_owned(),
                    span: s,
                });
            }
            name_at += name.len() + '、'.len_utf8();
        }
    }
    Some(out)
}

/// A photo caption: a line whose last sentence credits a photographer ("…。记者某某摄").
fn is_caption(line: &str, cues: &NewsCues) -> bool {
    let line = line.trim_end_matches([')', '）']);
    let last = line.rsplit(['。', '！', '？']).next().unwrap_or(line);
    cues.photo_marks.iter().any(|m| last.ends_with(m.as_str()))
        && (last.chars().count() <= 12 || cues.reporter_words.iter().any(|w| last.contains(w.as_str())))
}

/// A navigation line: one of the chrome words, or a breadcrumb ("产经 > 科技").
fn is_chrome(line: &str, cues: &NewsCues) -> bool {
    let line = line.trim_end_matches([':', '：']);
    if cues.chrome_lines.iter().any(|w| w == line) {
        return true;
    }
    let Some(separator) = cues.breadcrumb_separators.iter().find(|s| line.contains(s.as_str())) else {
        return false;
    };
    let parts: Vec<&str> = line.split(separator.as_str()).map(str::trim).collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| (1..=8).contains(&p.chars().count()) && p.chars().all(super::text::is_han))
}

/// The names after a role word in a byline ("记者 甲 乙" → 甲, 乙), with their byte offsets.
fn names_after<'a>(byline: &'a str, roles: &[String]) -> Vec<(&'a str, usize)> {
    let mut out = Vec::new();
    let mut roles: Vec<&String> = roles.iter().collect();
    roles.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let mut pos = 0;
    let mut after_role = false;
    for piece in byline.split([' ', '\t', '、', ',', '，']) {
        let at = pos;
        pos += piece.len() + byline[pos + piece.len()..].chars().next().map_or(0, char::len_utf8);
        let mut name = piece;
        let mut offset = at;
        if let Some(role) = roles.iter().find(|r| name.starts_with(r.as_str())) {
            name = &name[role.len()..];
            offset += role.len();
            after_role = true;
        }
        let chars = name.chars().count();
        if after_role && (2..=4).contains(&chars) && name.chars().all(super::text::is_han) {
            out.push((name, offset));
        }
    }
    out
}

/// The year of the meeting the document is delivered at, named near its start:
/// "在第十四届全国人民代表大会第二次会议上" (NPC term 14, session 2 → 2024),
/// "中国共产党第十八次全国代表大会" (→ 2012).
pub fn session_year(text: &Text, cues: &Cues, patterns: &Patterns) -> Option<i32> {
    let head: String = text.norm.chars().take(HEAD_CHARS).collect();
    let number = |m: Option<regex::Match<'_>>| super::patterns::count(m?.as_str());
    let ordinal = |m: Option<regex::Match<'_>>| cues.sessions.ordinals_en.get(&m?.as_str().to_lowercase()).copied();
    let npc = |term: Option<u32>, session: Option<u32>| {
        let first = *cues
            .sessions
            .npc_first_session_years
            .get(term?.checked_sub(1)? as usize)?;
        Some(first + session? as i32 - 1)
    };
    let cpc = |n: Option<u32>| {
        cues.sessions
            .cpc_congress_years
            .get(n?.checked_sub(1)? as usize)
            .copied()
    };
    patterns
        .npc_session
        .captures_iter(&head)
        .find_map(|c| npc(number(c.name("term")), number(c.name("session"))))
        .or_else(|| {
            patterns
                .npc_session_en
                .captures_iter(&head)
                .find_map(|c| npc(number(c.name("term")), ordinal(c.name("session"))))
        })
        .or_else(|| {
            patterns
                .cpc_congress
                .captures_iter(&head)
                .find_map(|c| cpc(number(c.name("n"))))
        })
        .or_else(|| {
            patterns
                .cpc_congress_en
                .captures_iter(&head)
                .find_map(|c| cpc(number(c.name("n"))))
        })
}

/// How far into a document its opening runs, for facts stated there.
const HEAD_CHARS: usize = 600;
/// A title line is at most this long.
const MAX_TITLE_CHARS: usize = 60;

/// The title a document gives itself: its heading (see [`heading`]), else the title of the
/// report a speaker delivers ("作关于…的报告"). The title as one line, and its span in `text`.
pub fn title(text: &Text, cues: &Cues, patterns: &Patterns) -> Option<(String, Span)> {
    heading(text, cues, patterns).or_else(|| {
        let span = report_title(text, cues, patterns)?;
        Some((text.quote(span).to_owned(), span))
    })
}

/// The heading of a document: its first line when that reads as a title — short, not a
/// sentence, a salutation or a dated line; a headline above a news frame may carry a
/// question mark or comma. A title wrapped over lines ("国务院关于加快推进某某和\n某某的指导
/// 意见") is joined up to the line that ends in a genre noun (`title_endings`), never across a
/// document number (国发〔2031〕1号). The heading as one line (Chinese lines join without a
/// space, Latin ones with one), and the span of its lines.
pub fn heading(text: &Text, cues: &Cues, patterns: &Patterns) -> Option<(String, Span)> {
    let lines: Vec<Span> = text.paragraphs().iter().copied().take(4).collect();
    let first = *lines.first()?;
    let is_title_line = |span: Span, headline: bool| {
        let line = text.norm_of(span).trim();
        let chars = line.chars().count();
        let stops: &[char] = if headline {
            &['。', '；', ';']
        } else {
            &['。', '，', ',', '；', '！', '？', '!', '?', ';']
        };
        let sentence = line.contains(stops) || (!line.chars().any(super::text::is_han) && line.ends_with('.'));
        let salutation = line.ends_with([':', '：']);
        let dated = line.starts_with(['—', '-', '–', '•']);
        let han = line.chars().any(super::text::is_han);
        let latin_words = line.split_whitespace().count();
        let latin = !han && line.starts_with(|c: char| c.is_ascii_uppercase()) && (2..=16).contains(&latin_words);
        let limit = if han { MAX_TITLE_CHARS } else { 2 * MAX_TITLE_CHARS };
        (han || latin)
            && (2..=limit).contains(&chars)
            && !sentence
            && !salutation
            && !dated
            && !patterns.document_number.is_match(line)
    };
    // A headline sits right above the frame of a news page (a masked date or byline line).
    let headline = lines.len() > 1 && text.is_masked_between(first, lines[1]);
    if !is_title_line(first, headline) {
        return None;
    }
    let trim = |span: Span| text.trim(span, &['《', '》', '#', ' ']);
    let mut joined = text.quote(trim(first)).to_owned();
    if !cues.title_endings.ends(&joined) {
        let mut candidate = joined.clone();
        for (i, next) in lines.iter().enumerate().skip(1).take(2) {
            if !is_title_line(*next, false) || text.is_masked_between(lines[i - 1], *next) {
                break;
            }
            let piece = text.quote(trim(*next));
            let latin_seam = candidate.ends_with(|c: char| c.is_ascii_alphanumeric())
                && piece.starts_with(|c: char| c.is_ascii_alphanumeric());
            if latin_seam {
                candidate.push(' ');
            }
            candidate.push_str(piece);
            if cues.title_endings.ends(&candidate) && candidate.chars().count() <= MAX_TITLE_CHARS * 2 {
                let span = Span {
                    start: trim(first).start,
                    end: trim(*next).end,
                };
                return Some((candidate, span));
            }
        }
    }
    joined = joined.trim().to_owned();
    Some((joined, trim(first)))
}

/// "我代表国务院向大会作关于第一个五年计划的报告" → 关于第一个五年计划的报告.
fn report_title(text: &Text, cues: &Cues, patterns: &Patterns) -> Option<Span> {
    let head_end = text
        .norm
        .char_indices()
        .nth(HEAD_CHARS)
        .map_or(text.norm.len(), |(i, _)| i);
    let caps = patterns.report_title.captures(&text.norm[..head_end])?;
    let title = caps.name("title")?;
    let span = text.span(title.start(), title.end());
    // "某某所作的报告" is a report someone delivered, which the document speaks of.
    let delivered_by_another = title.as_str().starts_with('的');
    (span.len() >= 4 && !delivered_by_another && !contains_any(title.as_str(), &cues.issue_verbs)).then_some(span)
}

/// The date a report was delivered, on the dashed line under its title ("——2031年1月5日在
/// 某市第一届人民代表大会第二次会议上").
pub fn delivered_date(text: &Text, patterns: &Patterns) -> Option<String> {
    text.paragraphs().iter().copied().take(5).find_map(|span| {
        let line = text.norm_of(span).trim_start_matches(['—', '-', '–', '－']);
        if line.len() == text.norm_of(span).len() {
            return None;
        }
        let caps = patterns.date.captures(line)?;
        (caps.get(0)?.start() == 0)
            .then(|| super::patterns::iso_date(&caps))
            .flatten()
    })
}

/// The first date written in full near the start of the document ("——2024年3月5日在…",
/// "on March 5, 2024").
pub fn head_date_year(text: &Text, patterns: &Patterns) -> Option<i32> {
    let head: String = text.norm.chars().take(400).collect();
    let chinese = patterns
        .date
        .captures(&head)
        .map(|c| (c.get(0).map_or(0, |m| m.start()), c.name("y")));
    let english = patterns
        .date_en
        .captures(&head)
        .map(|c| (c.get(0).map_or(0, |m| m.start()), c.name("y")));
    let (_, year) = match (chinese, english) {
        (Some(c), Some(e)) => std::cmp::min_by_key(c, e, |(at, _)| *at),
        (Some(found), None) | (None, Some(found)) => found,
        (None, None) => return None,
    };
    year?.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    fn lexicon() -> Lexicon {
        Lexicon::builtin().expect("lexicon")
    }

    #[test]
    fn a_news_frame_names_publishers_and_reporters_and_is_masked() {
        let lexicon = lexicon();
        let news = &lexicon.cues.news;
        let raw = "要闻 > 财经\n发布时间：2031-04-02 08:00 来源：某某网\n示例社南京4月1日电（记者 王甲 李乙）某部印发《示例行动方案》。\n方案提出三项任务。（完）【责任编辑：赵丙】\n评论区\n";
        let text = Text::new(raw);
        let frame = frame(&text, news, &FramePatterns::new(news));
        let masked: Vec<&str> = frame.masked.iter().map(|s| text.quote(*s)).collect();
        assert_eq!(
            masked,
            [
                "要闻 > 财经",
                "发布时间：2031-04-02 08:00 来源：某某网",
                "示例社南京4月1日电（记者 王甲 李乙）",
                "（完）",
                "【责任编辑：赵丙】",
                "评论区"
            ]
        );
        assert_eq!(frame.date.as_deref(), Some("2031-04-02"));
        let names: Vec<String> = frame
            .mentions
            .iter()
            .map(|m| match m {
                Mention::Publisher { name, .. } => format!("publisher {name}"),
                Mention::Reporter { name, .. } => format!("reporter {name}"),
                Mention::Person { name, .. } => format!("person {name}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            ["publisher 示例社", "reporter 王甲", "reporter 李乙", "person 赵丙"]
        );
    }

    #[test]
    fn an_agency_line_and_a_date_line_head_a_traditional_page() {
        let lexicon = lexicon();
        let news = &lexicon.cues.news;
        let text = Text::new("某報,臺北\n2030-09-10 10:20\n已收藏\n正文第一句。\n");
        let frame = frame(&text, news, &FramePatterns::new(news));
        assert_eq!(frame.masked.len(), 3);
        assert_eq!(frame.date.as_deref(), Some("2030-09-10"));
        assert!(matches!(&frame.mentions[..], [Mention::Publisher { name, .. }] if name == "某報"));
    }

    #[test]
    fn an_english_dateline_names_its_agency() {
        let lexicon = lexicon();
        let news = &lexicon.cues.news;
        let text = Text::new("SAMPLETOWN, Oct. 9 (Example News) -- The ministry issued a plan on Monday.\n");
        let frame = frame(&text, news, &FramePatterns::new(news));
        let masked: Vec<&str> = frame.masked.iter().map(|s| text.quote(*s)).collect();
        assert_eq!(masked, ["SAMPLETOWN, Oct. 9 (Example News) --"]);
        assert!(matches!(&frame.mentions[..], [Mention::Publisher { name, .. }] if name == "Example News"));
    }

    #[test]
    fn the_first_full_date_near_the_start_gives_the_year() {
        let cues = lexicon().cues;
        let patterns = Patterns::new(&cues);
        for (raw, year) in [
            ("政府工作报告\n——2031年3月5日在大会上\n", Some(2031)),
            ("Report on the Work\nDelivered on March 5, 2032\n", Some(2032)),
            ("Delivered on Sept. 12, 2030, and revised 2031年1月2日\n", Some(2030)),
            ("各位代表：\n", None),
        ] {
            assert_eq!(head_date_year(&Text::new(raw), &patterns), year, "{raw}");
        }
    }

    #[test]
    fn plain_documents_have_no_frame() {
        let lexicon = lexicon();
        let news = &lexicon.cues.news;
        let text = Text::new("政府工作报告\n——2031年3月5日在会议上\n各位代表：\n一、回顾\n今年要做好三件事。\n");
        let frame = frame(&text, news, &FramePatterns::new(news));
        assert!(frame.masked.is_empty(), "{:?}", frame.masked);
        assert!(frame.mentions.is_empty());
    }

    #[test]
    fn the_meeting_dates_the_document() {
        let cues = lexicon().cues;
        for (opening, year) in [
            ("我们在第十二届全国人民代表大会第三次会议上报告工作。", Some(2015)),
            ("第一届全国人民代表大会第一次会议听取了报告。", Some(1954)),
            ("中国共产党第十九次全国代表大会，是一次重要的大会。", Some(2017)),
            (
                "Delivered at the Third Session of the 13th National People's Congress",
                Some(2020),
            ),
            (
                "Report to the 20th National Congress of the Communist Party of China",
                Some(2022),
            ),
            ("各位代表：今年的工作很多。", None),
        ] {
            let patterns = Patterns::new(&cues);
            assert_eq!(session_year(&Text::new(opening), &cues, &patterns), year, "{opening}");
        }
    }

    #[test]
    fn titles_from_the_heading_or_the_report_delivered() {
        let cues = lexicon().cues;
        for (raw, expected) in [
            ("市政府工作报告\n——2030年1月5日\n各位代表：\n", Some("市政府工作报告")),
            (
                "各位代表：\n我代表市政府向大会作关于第二个十年规划的报告，请审议。\n",
                Some("关于第二个十年规划的报告"),
            ),
            ("同志们：\n现在我代表委员会向大会作报告。\n", None),
            ("这是一句话，不是标题。\n", None),
        ] {
            let text = Text::new(raw);
            let found = title(&text, &cues, &Patterns::new(&cues)).map(|(t, _)| t);
            assert_eq!(found.as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn headings_join_wrapped_lines_up_to_a_genre_noun() {
        let lexicon = lexicon();
        let cues = &lexicon.cues;
        let patterns = Patterns::new(cues);
        for (raw, expected) in [
            // Wrapped titles join; the number line and the salutation end the heading.
            (
                "某省关于加快推进某某和\n某某产业转型升级的指导意见\n某政发〔2031〕2号\n各市：\n",
                Some("某省关于加快推进某某和某某产业转型升级的指导意见"),
            ),
            (
                "某部关于印发\n“十六五”某某规划的通知\n某发〔2031〕1号\n",
                Some("某部关于印发“十六五”某某规划的通知"),
            ),
            (
                "Example Industries Development\nAction Plan (2031-2033)\n",
                Some("Example Industries Development Action Plan (2031-2033)"),
            ),
            // A complete title stays alone; a speaker's name under it is no part of it.
            ("某市政府工作报告\n张某某\n各位代表：\n", Some("某市政府工作报告")),
            // A line that never reaches a genre noun: the first line alone.
            (
                "某某大会胜利召开\n某地举行\n正文开始了，这是一句话。\n",
                Some("某某大会胜利召开"),
            ),
            // An English headline.
            (
                "Example Country releases its industrial plan\nThe plan was published today.\n",
                Some("Example Country releases its industrial plan"),
            ),
            // A sentence, a salutation, a number line: no heading.
            ("这是一句话，不是标题。\n", None),
            ("各位代表：\n", None),
            ("某发〔2031〕1号\n", None),
        ] {
            let text = Text::new(raw);
            let found = heading(&text, cues, &patterns).map(|(t, _)| t);
            assert_eq!(found.as_deref(), expected, "{raw}");
        }
    }

    #[test]
    fn a_headline_above_a_news_frame_may_ask_a_question() {
        let lexicon = lexicon();
        let news = &lexicon.cues.news;
        let page =
            Text::new("某产业如何发展？某部提出明年着力点\n2031年12月27日 18:48 示例社\n正文第一句，说明情况。\n");
        let frame = frame(&page, news, &FramePatterns::new(news));
        assert_eq!(frame.date.as_deref(), Some("2031-12-27"));
        assert!(matches!(&frame.mentions[..], [Mention::Publisher { name, .. }] if name == "示例社"));
        let text = page.masked(&frame.masked);
        let found = heading(&text, &lexicon.cues, &Patterns::new(&lexicon.cues)).map(|(t, _)| t);
        assert_eq!(found.as_deref(), Some("某产业如何发展？某部提出明年着力点"));
        // Without a frame below it, a question is no heading.
        let plain = Text::new("某产业如何发展？某部提出明年着力点\n正文第一句，说明情况。\n");
        assert_eq!(heading(&plain, &lexicon.cues, &Patterns::new(&lexicon.cues)), None);
    }

    #[test]
    fn bylines_captions_and_editor_credits_are_frame() {
        let lexicon = lexicon();
        let news = &lexicon.cues.news;
        for (raw, masked, names) in [
            (
                "示例日报/ 记者甲乙/即时报导\n正文。\n",
                vec!["示例日报/ 记者甲乙/即时报导"],
                vec!["publisher 示例日报", "reporter 甲乙"],
            ),
            (
                "示例社记者丙丁、戊己\n正文。\n",
                vec!["示例社记者丙丁、戊己"],
                vec!["publisher 示例社", "reporter 丙丁", "reporter 戊己"],
            ),
            (
                "市长在会上作报告。本报记者 庚辛摄\n正文。\n",
                vec!["市长在会上作报告。本报记者 庚辛摄"],
                vec![],
            ),
            (
                "正文。\n(Web editor: Alpha Beta, Gamma Delta)\n",
                vec!["(Web editor: Alpha Beta, Gamma Delta)"],
                vec!["person Alpha Beta", "person Gamma Delta"],
            ),
            (
                "(Example News) 08:05, March 13, 2031\nText.\n",
                vec!["(Example News) 08:05, March 13, 2031"],
                vec!["publisher Example News"],
            ),
            // A sentence that names a reporter is text.
            ("记者从会上获悉，某部将出台新政策。\n", vec![], vec![]),
        ] {
            let text = Text::new(raw);
            let frame = frame(&text, news, &FramePatterns::new(news));
            let got: Vec<&str> = frame.masked.iter().map(|s| text.quote(*s)).collect();
            assert_eq!(got, masked, "{raw}");
            let got: Vec<String> = frame
                .mentions
                .iter()
                .map(|m| match m {
                    Mention::Publisher { name, .. } => format!("publisher {name}"),
                    Mention::Reporter { name, .. } => format!("reporter {name}"),
                    Mention::Person { name, .. } => format!("person {name}"),
                    other => format!("{other:?}"),
                })
                .collect();
            assert_eq!(got, names, "{raw}");
        }
    }

    #[test]
    fn a_report_is_dated_by_its_delivery_line() {
        let cues = lexicon().cues;
        let patterns = Patterns::new(&cues);
        for (raw, date) in [
            (
                "某市政府工作报告\n——2031年1月25日在某市人民代表大会上\n",
                Some("2031-01-25"),
            ),
            ("某市政府工作报告\n2031年1月25日\n", None),
        ] {
            assert_eq!(delivered_date(&Text::new(raw), &patterns).as_deref(), date, "{raw}");
        }
    }

    #[test]
    fn plan_periods_from_titles() {
        let cases: &[(&str, Option<(i32, i32)>)] = &[
            ("某某产业创新发展行动计划（2031—2034年）", Some((2031, 2034))),
            ("某省数字化转型实施方案(2030-2032年)", Some((2030, 2032))),
            ("某某发展规划（2030至2035年）", Some((2030, 2035))),
            ("Action Plan for Something (2031-2033)", Some((2031, 2033))),
            ("关于第二个五年计划的报告", Some((1958, 1962))),
            ("“十五五”某某发展规划", Some((2026, 2030))),
            ("The 16th Five-Year Plan for Something", Some((2031, 2035))),
            // English words are bounded by ASCII word boundaries: a Han character before
            // one starts it, a letter or digit glued to it does not.
            ("某某16th Five-Year Plan", Some((2031, 2035))),
            ("A116th Five-Year Plan", None),
            // A single year, a reversed or overlong range, a date: no period.
            ("2031年某某工作要点", None),
            ("某某规划（2035—2031年）", None),
            ("某某远景目标（2030—2060年）", None),
            ("某某工作报告", None),
        ];
        for (title, expected) in cases {
            assert_eq!(plan_period(title), *expected, "{title}");
        }
        assert_eq!(five_year_period(1), Some((1953, 1957)));
        assert_eq!(five_year_period(3), Some((1966, 1970)));
        assert_eq!(five_year_period(14), Some((2021, 2025)));
        assert_eq!(five_year_period(0), None);
    }
}

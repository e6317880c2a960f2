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
            compile(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)\s+five-year\s+(?:plan|program)"),
        ]
    })
}

/// Every five-year plan a text names, with where (byte offset), in text order:
/// 第一个五年计划, 第十四个五年规划, "十五五", the 14th Five-Year Plan.
pub fn five_year_plans(text: &str) -> Vec<(usize, (i32, i32))> {
    let [numbered, short, english] = five_year_patterns();
    let mut out: Vec<(usize, (i32, i32))> = Vec::new();
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
    add(numbered, 0, super::patterns::count);
    add(short, 10, super::patterns::count);
    add(english, 0, |n| n.parse().ok());
    out.sort();
    out
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
                r"[【\[][ \t]*(?:{})[ \t]*[:：][ \t]*(?P<name>[^】\]\n]{{1,20}}?)[ \t]*[】\]]",
                alternation(&cues.editor_words)
            )),
        }
    }
}

/// The frame of a news page, if the text has one (most documents have none).
pub fn frame(text: &Text, cues: &NewsCues, patterns: &FramePatterns) -> Frame {
    let mut out = Frame::default();
    let norm = text.norm.as_str();
    let span = |m: regex::Match<'_>| text.span(m.start(), m.end());
    for paragraph in text.paragraphs() {
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
        } else if is_chrome(trimmed, cues) {
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
        out.mentions.push(Mention::Person {
            name: text.quote(span(name)).to_owned(),
            span: span(name),
        });
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

/// A navigation line: one of the chrome words, or a breadcrumb ("产经 > 科技").
fn is_chrome(line: &str, cues: &NewsCues) -> bool {
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

/// The title a document gives itself: its heading line (the first line, when it is short
/// and not a sentence, a salutation or a dateline), else the title of the report a speaker
/// delivers ("作关于…的报告"). Spans in `text`.
pub fn title(text: &Text, cues: &Cues, patterns: &Patterns) -> Option<Span> {
    heading_title(text).or_else(|| report_title(text, cues, patterns))
}

fn heading_title(text: &Text) -> Option<Span> {
    let first = text
        .paragraphs()
        .into_iter()
        .find(|p| !text.norm_of(*p).trim().is_empty())?;
    let line = text.norm_of(first).trim();
    let chars = line.chars().count();
    let sentence = line.contains(['。', '，', ',', '；', '！', '？', '!', '?', ';']);
    let salutation = line.ends_with([':', '：']);
    let dated = line.starts_with('—') || line.starts_with('-');
    let has_han = line.chars().any(super::text::is_han);
    (has_han && (2..=MAX_TITLE_CHARS).contains(&chars) && !sentence && !salutation && !dated)
        .then(|| text.trim(first, &['《', '》', '#', ' ']))
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
            let found = title(&text, &cues, &Patterns::new(&cues)).map(|s| text.quote(s).to_owned());
            assert_eq!(found.as_deref(), expected, "{raw}");
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

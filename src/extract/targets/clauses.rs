//! The clause structure the target rules read: paragraphs cut into sentences and clauses,
//! each clause with the quantities it holds, the goal frame around it and — after the
//! deadline pass — the deadline in force with where it came from.

use super::super::numbers::{quantities, year_at, Quantity};
use super::super::outline::Heading;
use super::super::patterns::Patterns;
use super::super::text::{contains_any, Span, Text};
use super::super::Context;
use crate::lexicon::Cues;
use std::ops::Range;

const SENTENCE_END: &[char] = &['。', '!', '！', '?', '？', '\n'];
const CLAUSE_END: &[char] = &['，', ',', '；', ';', '：', ':'];
const TRIM: &[char] = &[
    '，', ',', '；', ';', '。', '、', '：', ':', ' ', '\u{3000}', '—', '-', '•',
];

/// Where the deadline of a clause comes from, from the most specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineOrigin {
    /// The clause says its target has none ("建成后").
    Undated,
    /// The clause names it (二〇三〇年建成, 今年, 明年, 今后五年, 本世纪末).
    Clause,
    /// The sentence names it before the clause ("“十五五”时期的目标是：…", "今后三年的任务是：…").
    Sentence,
    /// A period of years in the sentence (从X年到Y年): its end.
    Period,
    /// A deadline phrase earlier in the paragraph (到2027年，…).
    Phrase,
    /// The lead paragraph of the bullet or numbered block the clause is in.
    Lead,
    /// The plan period its section's heading names ("“十五五”时期主要目标任务").
    Heading,
    /// The last deadline phrase of the section so far.
    Section,
    /// The five-year plan the document's title names.
    PlanTitle,
    /// The year the document was issued.
    DocumentYear,
    /// Nothing names one.
    Unknown,
}

impl DeadlineOrigin {
    /// A stable kebab-case name, as `explain` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Undated => "undated",
            Self::Clause => "clause",
            Self::Sentence => "sentence",
            Self::Period => "period",
            Self::Phrase => "deadline-phrase",
            Self::Lead => "lead-paragraph",
            Self::Heading => "section-heading",
            Self::Section => "section",
            Self::PlanTitle => "plan-title",
            Self::DocumentYear => "document-year",
            Self::Unknown => "unknown",
        }
    }
}

/// The deadline in force over a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub year: Option<i32>,
    pub origin: DeadlineOrigin,
}

/// A deadline phrase (到2027年) and the scope it opens.
#[derive(Debug, Clone, Copy)]
struct Marker {
    /// Byte range of the phrase in `norm`.
    start: usize,
    end: usize,
    year: i32,
}

/// One clause: the unit the rules decide over.
#[derive(Debug, Clone)]
pub struct Clause {
    /// The clause without surrounding punctuation.
    pub span: Span,
    /// Byte range of `span` in `norm`.
    pub range: Range<usize>,
    /// Byte range of its sentence in `norm`.
    pub sentence: Range<usize>,
    /// The year of a deadline phrase whose scope covers the clause (到2027年，…).
    pub phrase: Option<i32>,
    /// Inside a goal block or a section named as a plan.
    pub goal_frame: bool,
    /// Inside a review: a section that looks back ("2030年工作回顾", "发展成就") or a
    /// paragraph with a sentence that opens by looking back ("过去一年，…").
    pub review: bool,
    /// The year a review section names ("2030年工作回顾" → 2030).
    pub review_year: Option<i32>,
    /// The deadline in force, set by [`assign_deadlines`].
    pub scope: Scope,
    /// Its quantities, with byte offsets into the clause text.
    pub quantities: Vec<Quantity>,
}

/// A paragraph of the outline with its clauses.
#[derive(Debug, Clone)]
pub struct Paragraph {
    pub range: Range<usize>,
    /// The level of the numbered heading it opens with, if any.
    pub heading: Option<u8>,
    /// A bullet or numbered item.
    pub item: bool,
    /// It ends with a colon: it announces the block after it.
    pub lead: bool,
    markers: Vec<Marker>,
    pub clauses: Vec<Clause>,
}

/// Splits at the separators, except a comma or point between digits ("2,000", "6.5").
fn split(paragraph: &str, offset: usize, separators: &[char]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    let mut chars = paragraph.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let inside_number = matches!(c, ',' | '.')
            && previous.is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit());
        if separators.contains(&c) && !inside_number {
            out.push(offset + start..offset + i);
            start = i + c.len_utf8();
        }
        previous = Some(c);
    }
    out.push(offset + start..offset + paragraph.len());
    out
}

/// Splits a clause before coordinated objects with their own quantity ("和一批…", "和3个…").
fn coordinated(norm: &str, clause: Range<usize>, cues: &Cues) -> Vec<Range<usize>> {
    let text = &norm[clause.clone()];
    let mut out = Vec::new();
    let mut cut = clause.start;
    for (i, _) in text.match_indices('和') {
        let after = &text[i + '和'.len_utf8()..];
        if cues.plural_quantifiers.iter().any(|q| after.starts_with(q.as_str()))
            || after.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(cut..clause.start + i);
            cut = clause.start + i + '和'.len_utf8();
        }
    }
    out.push(cut..clause.end);
    out
}

/// The deadline phrases of a paragraph that open a scope: a year ahead of the document
/// (到2027年, or named with its goal: 2027年某某目标), or a point named without one (到本世纪末, 到“十四五”末). A period of years
/// (从X年到Y年) opens none: its end binds only its sentence.
fn markers(body: &str, offset: usize, patterns: &Patterns, cues: &Cues, context: &Context) -> Vec<Marker> {
    let periods: Vec<Range<usize>> = patterns.period.find_iter(body).map(|m| m.range()).collect();
    let mut out = Vec::new();
    for caps in patterns
        .deadline
        .captures_iter(body)
        .chain(patterns.deadline_en.captures_iter(body))
        .chain(patterns.year_goal.captures_iter(body))
    {
        let (Some(whole), Some(year)) = (caps.get(0), caps.name("year")) else {
            continue;
        };
        let blocked = body[..whole.start()]
            .chars()
            .next_back()
            .is_some_and(|c| cues.deadline_blocking_chars.contains(c));
        let in_period = periods.iter().any(|p| p.start < whole.end() && whole.start() < p.end);
        if let (Some((y, _)), false, false) = (year_at(year.as_str()), blocked, in_period) {
            // A deadline lies ahead of the document ("到2020年" in a 2021 report is a time
            // behind it).
            if context.year.is_none_or(|doc| y > doc) {
                out.push(Marker {
                    start: offset + whole.start(),
                    end: offset + whole.end(),
                    year: y,
                });
            }
        }
    }
    for caps in patterns.deadline_relative.captures_iter(body) {
        let (Some(whole), Some(phrase)) = (caps.get(0), caps.name("phrase")) else {
            continue;
        };
        if let Some(y) = relative_year(phrase.as_str(), cues, context) {
            out.push(Marker {
                start: offset + whole.start(),
                end: offset + whole.end(),
                year: y,
            });
        }
    }
    out.sort_by_key(|m| (m.start, m.end, m.year));
    out
}

/// The year of a point named without one: 本世纪末 in a 1990s text is 2000, 下世纪中叶
/// 2050; "十四五"末 is 2025.
pub fn relative_year(text: &str, cues: &Cues, context: &Context) -> Option<i32> {
    if let Some(doc) = context.year {
        if let Some(offset) = cues
            .century_points
            .iter()
            .filter(|(w, _)| text.contains(w.as_str()))
            .max_by_key(|(w, _)| w.len())
            .map(|(_, n)| *n)
        {
            return Some(doc.div_euclid(100) * 100 + offset);
        }
    }
    super::named_plan_end(text)
}

/// What a section of the outline does, from its heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionRole {
    /// It looks back: "一、2030年工作回顾", "“十四五”时期发展成就".
    Review,
    /// It sets goals or the work ahead: "主要目标", "三、2031年重点工作".
    Goals,
    /// Anything else, and headings that do both ("发展成就和主要目标"): their paragraphs
    /// decide for themselves.
    Other,
}

/// The role of a level-1 section from its heading: review words without goal words look
/// back; goal words without review words, or the work of a year not behind the document
/// ("2031年重点工作"), look ahead.
pub fn section_role(title: &str, cues: &Cues, context: &Context) -> SectionRole {
    let review = contains_any(title, &cues.review_words);
    let goal = contains_any(title, &cues.goal_section_words);
    let work_ahead = contains_any(title, &cues.task_section_words)
        && named_year(title).is_some_and(|y| context.year.is_none_or(|doc| y >= doc));
    match (review, goal || work_ahead) {
        (true, false) => SectionRole::Review,
        (false, true) => SectionRole::Goals,
        _ => SectionRole::Other,
    }
}

/// The first year a heading names ("2030年工作回顾" → 2030).
fn named_year(title: &str) -> Option<i32> {
    title
        .char_indices()
        .filter(|&(i, _)| !title[..i].ends_with(|c: char| c.is_ascii_digit()))
        .find_map(|(i, _)| year_at(&title[i..]).filter(|(_, len)| title[i + len..].starts_with('年')))
        .map(|(y, _)| y)
}

/// Cuts the text into paragraphs and clauses, and finds each clause's quantities, goal
/// frame and the deadline phrase in force. Deadlines are left to [`assign_deadlines`].
pub fn segment(
    text: &Text,
    headings: &[Heading],
    patterns: &Patterns,
    cues: &Cues,
    context: &Context,
) -> Vec<Paragraph> {
    let norm = text.norm.as_str();
    let mut out = Vec::new();
    let mut section_goal = false;
    let mut section_review = false;
    let mut review_year = None;
    let mut block_goal = false;
    for &paragraph in text.paragraphs() {
        let heading = headings.iter().find(|h| h.paragraph == paragraph).map(|h| h.level);
        if let Some(h) = headings.iter().find(|h| h.paragraph == paragraph) {
            block_goal = false;
            if h.level == 1 {
                let role = section_role(text.norm_of(h.title), cues, context);
                section_goal = role == SectionRole::Goals;
                section_review = role == SectionRole::Review;
                review_year = section_review.then(|| named_year(text.norm_of(h.title))).flatten();
            }
        }
        let range = text.norm_range(paragraph);
        let body = &norm[range.clone()];
        if contains_any(body, &cues.goal_openers) {
            block_goal = true;
        }
        let sentences = split(body, range.start, SENTENCE_END);
        let opens_review = sentences.iter().any(|r| {
            cues.review_openers
                .iter()
                .any(|w| !w.is_empty() && norm[r.clone()].trim_start().starts_with(w.as_str()))
        });
        let review = section_review || opens_review;
        let markers = markers(body, range.start, patterns, cues, context);
        let mut clauses = Vec::new();
        for sentence in sentences {
            let sentence_text = &norm[sentence.clone()];
            for clause in split(sentence_text, sentence.start, CLAUSE_END) {
                for part in coordinated(norm, clause, cues) {
                    let phrase = markers.iter().rev().find(|m| m.end <= part.start).map(|m| m.year);
                    let span = text.trim(text.span(part.start, part.end), TRIM);
                    if span.is_empty() {
                        continue;
                    }
                    let clause_range = text.norm_range(span);
                    clauses.push(Clause {
                        span,
                        quantities: quantities(&norm[clause_range.clone()], cues),
                        range: clause_range,
                        sentence: sentence.clone(),
                        phrase,
                        goal_frame: (section_goal || block_goal) && !review,
                        review,
                        review_year,
                        scope: Scope {
                            year: None,
                            origin: DeadlineOrigin::Unknown,
                        },
                    });
                }
            }
        }
        out.push(Paragraph {
            item: patterns.list_item.is_match(body),
            lead: body.trim_end().ends_with([':', '：']),
            heading,
            range,
            markers,
            clauses,
        });
    }
    out
}

/// The deadline a clause names itself, with where it is named: its own words, else the
/// sentence before it.
///
/// A clause that says its target has none ("全部建成后的产能为X") is dated by a completion
/// the rest of its sentence names ("，2030年建成": 2030; "，计划期内建成": as if undated
/// words were absent).
fn named_deadline(
    clause: &str,
    sentence: &str,
    rest: &str,
    present: Present,
    context: &Context,
    patterns: &Patterns,
    cues: &Cues,
) -> Option<Scope> {
    let scope = |year, origin| Some(Scope { year, origin });
    if present.undated && contains_any(clause, &cues.undated_markers) {
        let Some(at) = cues
            .completion_verbs
            .iter()
            .filter(|v| !v.is_empty())
            .filter_map(|v| rest.find(v.as_str()))
            .min()
        else {
            return scope(None, DeadlineOrigin::Undated);
        };
        let before = rest[..at].trim_end_matches([' ', '年']);
        let year = before
            .char_indices()
            .rev()
            .find_map(|(i, _)| year_at(&before[i..]).filter(|(_, len)| i + len == before.len()));
        if let Some((y, _)) = year {
            return scope(Some(y), DeadlineOrigin::Sentence);
        }
        return named_deadline("", sentence, "", present, context, patterns, cues);
    }
    if let Some((year, _)) = present
        .period
        .then(|| patterns.period.captures(sentence))
        .flatten()
        .and_then(|c| year_at(c.name("year")?.as_str()))
        .filter(|(y, _)| context.year.is_none_or(|doc| *y >= doc))
    {
        return scope(Some(year), DeadlineOrigin::Period);
    }
    // A year the clause names as the time of completion ("二〇三〇年建成", "2028年计划的");
    // not the base of a comparison or a change (比2020年, 由2020年的), nor one in an aside
    // in brackets. Only a year followed by 年 counts, so a clause without 年 has none.
    let mut pos = if clause.contains('年') { 0 } else { clause.len() };
    while pos < clause.len() {
        if let Some((y, len)) = year_at(&clause[pos..]) {
            let after = &clause[pos + len..];
            let before = &clause[..pos];
            let base = cues
                .baseline_leads
                .iter()
                .chain(&cues.from_words)
                .any(|w| !w.is_empty() && before.ends_with(w.as_str()));
            let aside = before.matches(['(', '（']).count() > before.matches([')', '）']).count();
            if after.starts_with('年') && !base && !aside && context.year.is_none_or(|doc| y >= doc) {
                return scope(Some(y), DeadlineOrigin::Clause);
            }
            pos += len;
            continue;
        }
        pos += clause[pos..].chars().next().map_or(1, char::len_utf8);
    }
    if let Some(year) = context.year.filter(|_| present.year_words) {
        for (text, origin) in [(clause, DeadlineOrigin::Clause), (sentence, DeadlineOrigin::Sentence)] {
            if contains_any(text, &cues.next_year_words) {
                return scope(Some(year + 1), origin);
            }
            if contains_any(text, &cues.current_year_words) {
                return scope(Some(year), origin);
            }
            // The N years ahead include the document's own: a report of 2018 speaking of
            // 今后五年 looks to 2022.
            if let Some(n) = cues
                .coming_years
                .iter()
                .find(|(w, _)| text.contains(w.as_str()))
                .map(|(_, n)| *n)
            {
                return scope(Some(year + n - 1), origin);
            }
        }
    }
    // A plan period or a point of the century named in the clause, or earlier in the
    // sentence that introduces it ("“十五五”时期的目标是：产值年均增长6%", "到本世纪中叶…").
    if !present.relative {
        return None;
    }
    if let Some(y) = relative_year(clause, cues, context) {
        return scope(Some(y), DeadlineOrigin::Clause);
    }
    relative_year(sentence, cues, context).and_then(|y| scope(Some(y), DeadlineOrigin::Sentence))
}

/// Which kinds of deadline words a whole sentence holds. A clause of the sentence, and the
/// sentence up to a clause, hold no more than the whole does, so [`named_deadline`] skips
/// the checks for what the sentence lacks: one look at each sentence instead of one at
/// each of its clauses, whose prefixes of the sentence add up to its length squared.
#[derive(Debug, Clone, Copy)]
struct Present {
    /// 建成后: the clause's target has no deadline of its own.
    undated: bool,
    /// A period of years (从X年到Y年). Its pattern ends in 年 with no assertion after it,
    /// so a match in a part of the sentence is a match in the whole.
    period: bool,
    /// 今年, 明年, 今后五年.
    year_words: bool,
    /// A point of a century (本世纪末) or a five-year plan, which [`relative_year`] reads.
    /// The plan patterns end in a word, with no assertion after it, so a plan named in a
    /// part of the sentence is a match in the whole.
    relative: bool,
}

impl Present {
    fn of(sentence: &str, patterns: &Patterns) -> Self {
        let words = patterns.deadline_words.in_text(sentence);
        Self {
            undated: words.undated,
            period: patterns.period.is_match(sentence),
            year_words: words.year_words,
            relative: words.relative || super::super::document::matches_five_year_plan(sentence),
        }
    }
}

/// The cue words [`Present`] looks for — 建成后 and its kind, 今年/明年/今后五年, 本世纪末 —
/// in one automaton, so a sentence is read once for all of them instead of once a word.
#[derive(Debug)]
pub struct DeadlineWords {
    automaton: aho_corasick::AhoCorasick,
    /// For each pattern of the automaton, the kinds of word it is.
    kinds: Vec<WordKinds>,
    /// What every text holds: an empty word of a kind (the word lists skip empty words, the
    /// tables of years do not).
    always: WordKinds,
}

/// Which kinds of deadline word a text holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct WordKinds {
    undated: bool,
    year_words: bool,
    relative: bool,
}

impl WordKinds {
    fn with(self, other: Self) -> Self {
        Self {
            undated: self.undated || other.undated,
            year_words: self.year_words || other.year_words,
            relative: self.relative || other.relative,
        }
    }
}

impl DeadlineWords {
    pub fn new(cues: &Cues) -> Self {
        let undated = WordKinds {
            undated: true,
            ..WordKinds::default()
        };
        let year_words = WordKinds {
            year_words: true,
            ..WordKinds::default()
        };
        let relative = WordKinds {
            relative: true,
            ..WordKinds::default()
        };
        // The word lists skip empty words; the tables of years do not.
        fn listed(words: &[String], kind: WordKinds) -> impl Iterator<Item = (&String, WordKinds)> {
            words.iter().filter(|w| !w.is_empty()).map(move |w| (w, kind))
        }
        let mut words: std::collections::BTreeMap<&String, WordKinds> = std::collections::BTreeMap::new();
        let mut always = WordKinds::default();
        let all = listed(&cues.undated_markers, undated)
            .chain(listed(&cues.next_year_words, year_words))
            .chain(listed(&cues.current_year_words, year_words))
            .chain(cues.coming_years.keys().map(|w| (w, year_words)))
            .chain(cues.century_points.keys().map(|w| (w, relative)));
        for (word, kind) in all {
            let found = if word.is_empty() {
                &mut always
            } else {
                words.entry(word).or_default()
            };
            *found = found.with(kind);
        }
        let (texts, kinds): (Vec<String>, Vec<WordKinds>) = words.into_iter().map(|(w, k)| (w.clone(), k)).unzip();
        Self {
            // No word is empty, so the automaton's patterns are `texts` in order.
            automaton: super::super::patterns::words(&texts),
            kinds,
            always,
        }
    }

    fn in_text(&self, text: &str) -> WordKinds {
        let all = WordKinds {
            undated: true,
            year_words: true,
            relative: true,
        };
        let mut found = self.always;
        for hit in self.automaton.find_overlapping_iter(text) {
            found = found.with(self.kinds[hit.pattern().as_usize()]);
            if found == all {
                break;
            }
        }
        found
    }
}

/// The deadline pass: one walk over the outline giving each clause the deadline in force,
/// from the most specific — what the clause (or its sentence) names, a deadline phrase
/// earlier in its paragraph, the lead paragraph of the bullet or numbered block it is in,
/// the plan period its section's heading names, the last deadline phrase of its section —
/// down to the document's (its plan's last year,
/// else the year it was issued).
///
/// A lead paragraph is one ending with a colon; its deadline (a phrase, a plan period,
/// 今年, 今后五年…) governs the items that follow it, up to the first paragraph that is not
/// an item. A deadline phrase in the lead also puts the items in its scope.
pub fn assign_deadlines(
    paragraphs: &mut [Paragraph],
    norm: &str,
    patterns: &Patterns,
    cues: &Cues,
    context: &Context,
    plan_document: Option<i32>,
) {
    let document = match (plan_document, context.year) {
        (Some(y), _) => Scope {
            year: Some(y),
            origin: DeadlineOrigin::PlanTitle,
        },
        (None, Some(y)) => Scope {
            year: Some(y),
            origin: DeadlineOrigin::DocumentYear,
        },
        (None, None) => Scope {
            year: None,
            origin: DeadlineOrigin::Unknown,
        },
    };
    let mut section: Option<i32> = None;
    let mut heading_plan: Option<i32> = None;
    // The lead's deadline, and whether it came from a deadline phrase.
    let mut lead: Option<(i32, bool)> = None;
    for paragraph in paragraphs.iter_mut() {
        // A block's numbered items may be the document's outermost headings: they stay
        // under their lead.
        let in_block = lead.is_some() && paragraph.item;
        if paragraph.heading == Some(1) && !in_block {
            section = None;
            lead = None;
            // The latest plan period the heading names that is not behind the document.
            heading_plan = super::super::document::five_year_plans(&norm[paragraph.range.clone()])
                .into_iter()
                .map(|(_, (_, end))| end)
                .filter(|end| context.year.is_none_or(|doc| *end >= doc))
                .max();
        }
        if !paragraph.item {
            lead = None;
        }
        let inherited = lead.and_then(|(y, from_phrase)| from_phrase.then_some(y));
        let mut sentence: Option<(Range<usize>, Present)> = None;
        for clause in &mut paragraph.clauses {
            if clause.phrase.is_none() {
                clause.phrase = inherited;
            }
            let present = match &sentence {
                Some((range, present)) if *range == clause.sentence => *present,
                _ => {
                    let present = Present::of(&norm[clause.sentence.clone()], patterns);
                    sentence = Some((clause.sentence.clone(), present));
                    present
                }
            };
            let so_far = &norm[clause.sentence.start..clause.range.end];
            let rest = &norm[clause.range.end..clause.sentence.end];
            let own = named_deadline(
                &norm[clause.range.clone()],
                so_far,
                rest,
                present,
                context,
                patterns,
                cues,
            );
            // A deadline phrase between the sentence's start and the clause is nearer than a
            // word earlier in the sentence (今年核定…2030年某某目标…提升为N%).
            let phrase_in_sentence = paragraph
                .markers
                .iter()
                .rfind(|m| m.start >= clause.sentence.start && m.end <= clause.range.start)
                .map(|m| m.year);
            let own = own.filter(|s| {
                s.origin != DeadlineOrigin::Sentence || phrase_in_sentence.is_none_or(|y| s.year == Some(y))
            });
            let phrase_origin = if paragraph.markers.iter().any(|m| m.end <= clause.range.start) {
                DeadlineOrigin::Phrase
            } else {
                DeadlineOrigin::Lead
            };
            clause.scope = own
                .or_else(|| {
                    clause.phrase.map(|y| Scope {
                        year: Some(y),
                        origin: phrase_origin,
                    })
                })
                .or_else(|| {
                    lead.map(|(y, _)| Scope {
                        year: Some(y),
                        origin: DeadlineOrigin::Lead,
                    })
                })
                .or_else(|| {
                    heading_plan.map(|y| Scope {
                        year: Some(y),
                        origin: DeadlineOrigin::Heading,
                    })
                })
                .or_else(|| {
                    section.map(|y| Scope {
                        year: Some(y),
                        origin: DeadlineOrigin::Section,
                    })
                })
                .unwrap_or(document);
        }
        if let Some(last) = paragraph.markers.last() {
            section = Some(last.year);
        }
        if paragraph.lead {
            let body = &norm[paragraph.range.clone()];
            lead = paragraph
                .markers
                .last()
                .map(|m| (m.year, true))
                .or_else(|| {
                    let present = Present::of(body, patterns);
                    let named = named_deadline(body, body, "", present, context, patterns, cues)?;
                    let ahead = named.year.filter(|y| context.year.is_none_or(|doc| *y >= doc))?;
                    Some((ahead, false))
                })
                .or(lead);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    /// The kinds of deadline word a text holds, looked for one word at a time: what the one
    /// automaton of [`DeadlineWords`] must agree with.
    fn kinds_word_by_word(text: &str, cues: &Cues) -> WordKinds {
        WordKinds {
            undated: contains_any(text, &cues.undated_markers),
            year_words: contains_any(text, &cues.next_year_words)
                || contains_any(text, &cues.current_year_words)
                || cues.coming_years.keys().any(|w| text.contains(w.as_str())),
            relative: cues.century_points.keys().any(|w| text.contains(w.as_str())),
        }
    }

    /// Every deadline cue word of every kind.
    fn deadline_cue_words(cues: &Cues) -> Vec<String> {
        cues.undated_markers
            .iter()
            .chain(&cues.next_year_words)
            .chain(&cues.current_year_words)
            .chain(cues.coming_years.keys())
            .chain(cues.century_points.keys())
            .cloned()
            .collect()
    }

    fn builtin() -> &'static Lexicon {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::builtin().expect("lexicon"))
    }

    /// Every cue word of each kind is found alone, inside other text, and beside the others;
    /// a sentence without one holds none.
    #[test]
    fn one_automaton_finds_each_kind_of_deadline_word() {
        let cues = &builtin().cues;
        let words = DeadlineWords::new(cues);
        assert_eq!(
            words.in_text("建设示范工厂50个，培育骨干企业100家"),
            WordKinds::default()
        );
        let all = deadline_cue_words(cues);
        assert!(all.len() > 5, "the cues list deadline words");
        for word in all {
            for text in [
                word.clone(),
                format!("到{word}，产能达到80万吨"),
                format!("{word}{word}"),
            ] {
                assert_eq!(words.in_text(&text), kinds_word_by_word(&text, cues), "{text}");
            }
        }
    }

    fn sentence_of_cue_words() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let cues = &builtin().cues;
        let mut pieces = deadline_cue_words(cues);
        // Halves of words, so a word can be cut or made across pieces.
        let halves: Vec<String> = pieces
            .iter()
            .flat_map(|w| {
                let cut = w.char_indices().nth(w.chars().count() / 2).map_or(0, |(i, _)| i);
                [w[..cut].to_owned(), w[cut..].to_owned()]
            })
            .collect();
        pieces.extend(halves);
        pieces.extend(["，", "年", "到", "全部", "产能80万吨", "five", " "].map(str::to_owned));
        proptest::collection::vec(prop::sample::select(pieces), 0..8).prop_map(|p| p.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// The automaton says of any text what a search for each word would say.
        #[test]
        fn deadline_words_agree_with_a_search_a_word(text in sentence_of_cue_words()) {
            let cues = &builtin().cues;
            let words = DeadlineWords::new(cues);
            proptest::prop_assert_eq!(words.in_text(&text), kinds_word_by_word(&text, cues));
        }
    }

    /// What a sentence lacks is skipped: every clause of every sentence is dated as it is
    /// when nothing is skipped. Constructed sentences, with each kind of deadline word in
    /// the clause, earlier in the sentence, or not at all.
    #[test]
    fn skipping_what_a_sentence_lacks_dates_every_clause_the_same() {
        let lexicon = Lexicon::builtin().expect("lexicon");
        let (cues, patterns) = (&lexicon.cues, Patterns::new(&lexicon.cues));
        let everything = Present {
            undated: true,
            period: true,
            year_words: true,
            relative: true,
        };
        let sentences = [
            "示范项目全部建成后的年产能为80万吨，2031年建成",
            "从2031年到2035年，新增装机容量达到200万千瓦，储能规模翻一番",
            "今年，新增就业岗位1200万个以上，城镇调查失业率5.5%左右",
            "今后三年的任务是：建设示范工厂50个，培育骨干企业100家",
            "到本世纪中叶，人均收入达到中等发达国家水平",
            "“十五五”时期，研发投入强度提高到3%，数字经济核心产业占比达到12%",
            "明年粮食产量保持在6.5亿吨以上",
            "By the end of the 16th Five-Year Plan, output will grow by 7% a year",
            "比2030年下降18%，能耗强度下降13.5%左右",
            "建设标准化厂房30万平方米，建成后，年产值达到5亿元",
        ];
        for context in [None, Some(2030)].map(|year| Context {
            year,
            ..Context::default()
        }) {
            for sentence in sentences {
                let present = Present::of(sentence, &patterns);
                let mut start = 0;
                for (end, _) in sentence.match_indices(['，', '：']).chain([(sentence.len(), "")]) {
                    let (clause, so_far, rest) = (&sentence[start..end], &sentence[..end], &sentence[end..]);
                    let skipping = named_deadline(clause, so_far, rest, present, &context, &patterns, cues);
                    let looking = named_deadline(clause, so_far, rest, everything, &context, &patterns, cues);
                    assert_eq!(skipping, looking, "{clause} in {sentence} ({:?})", context.year);
                    start = end + sentence[end..].chars().next().map_or(0, char::len_utf8);
                }
            }
        }
    }
}

//! Lexicons: organizations and the technology scheme (SKOS, Turtle) and the cue words of
//! policy language (JSON) with the unit table (TSV), all data under `ontology/lexicon/`. The built-in copies are
//! embedded in the binary so it works away from the repository; a user directory with
//! files of the same names replaces them.

use crate::rdf::vocab::{pkg, rdfs, skos, QUDT_UNIT_NS};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

const ORGANIZATIONS: &str = include_str!("../ontology/lexicon/organizations.ttl");
const TECHNOLOGIES: &str = include_str!("../ontology/lexicon/technologies.ttl");
const CUES: &str = include_str!("../ontology/lexicon/cues.json");
const UNITS: &str = include_str!("../ontology/lexicon/units.tsv");
const INDICATORS: &str = include_str!("../ontology/lexicon/indicators.ttl");

#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {subject} has no {what}")]
    Incomplete {
        file: String,
        subject: String,
        what: &'static str,
    },
    /// A line of a tab-separated table; `line` is 1-based.
    #[error("{file}:{line}: {message}")]
    Table { file: String, line: usize, message: String },
    #[error("cannot build the {what} matcher: {message}")]
    Matcher { what: &'static str, message: String },
}

/// One organization of the lexicon.
#[derive(Debug, Clone)]
pub struct Organization {
    /// The IRI's local key, e.g. `miit`.
    pub id: String,
    pub iri: NamedNode,
    pub label_zh: String,
    pub label_en: Option<String>,
    pub acronym: Option<String>,
}

/// One technology concept of the scheme.
#[derive(Debug, Clone)]
pub struct Technology {
    pub id: String,
    pub iri: NamedNode,
    pub label_zh: String,
    pub label_en: Option<String>,
    /// An economic sector or policy category (pkg:IndustryCategory), not a technology.
    pub category: bool,
    /// The broader concepts (entries), in IRI order.
    pub broader: Vec<usize>,
}

/// A qualifier word and the bound it implies.
#[derive(Debug, Clone, Deserialize)]
pub struct Qualifier {
    pub text: String,
    pub position: QualifierPosition,
    pub bound: Bound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QualifierPosition {
    Before,
    After,
}

/// Which of min/max a qualified value sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    Both,
    Min,
    Max,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreditLabel {
    pub text: String,
    pub role: CreditRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CreditRole {
    Photo,
    Publisher,
}

/// How a unit is written after a number, which decides how it is matched there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// A Chinese measure word counting things (个, 家).
    ZhClassifier,
    /// A Chinese unit of measure (千瓦, 公顷).
    ZhMeasure,
    /// A Chinese time unit that is also a calendar word (年): a duration only after a
    /// number that is not a year.
    ZhDuration,
    /// A sign right after the number (%, ‰).
    Symbol,
    /// A Latin-letter symbol (kW, EFLOPS), with or without one space, case as written.
    Si,
    /// An English unit word after one space, any case.
    En,
}

impl UnitKind {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "zh-classifier" => Self::ZhClassifier,
            "zh-measure" => Self::ZhMeasure,
            "zh-duration" => Self::ZhDuration,
            "symbol" => Self::Symbol,
            "si" => Self::Si,
            "en" => Self::En,
            _ => return None,
        })
    }
}

/// One row of the unit table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// As written in the text (without a magnitude word).
    pub written: String,
    pub kind: UnitKind,
    /// The QUDT unit IRI, when QUDT has the unit.
    pub qudt: Option<String>,
}

/// The units of `units.tsv`.
#[derive(Debug, Clone, Default)]
pub struct UnitTable {
    units: Vec<Unit>,
    /// The units by their first character: [`UnitTable::at`] runs after every number.
    by_first: rustc_hash::FxHashMap<char, Vec<usize>>,
}

impl UnitTable {
    /// Parses the table: `written<TAB>kind<TAB>QUDT IRI or empty[<TAB>note]`; `#` starts a
    /// comment line.
    pub fn parse(file: &str, text: &str) -> Result<Self, LexiconError> {
        let mut units: Vec<Unit> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let error = |message: String| LexiconError::Table {
                file: file.to_owned(),
                line: i + 1,
                message,
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let columns: Vec<&str> = line.split('\t').collect();
            if !(2..=4).contains(&columns.len()) {
                return Err(error(format!(
                    "expected 2 to 4 tab-separated columns (written, kind, QUDT IRI, note), found {}",
                    columns.len()
                )));
            }
            let written = columns[0];
            if written.is_empty() || written.trim() != written {
                return Err(error(format!("bad written form {written:?}")));
            }
            let kind = UnitKind::parse(columns[1]).ok_or_else(|| {
                error(format!(
                    "unknown kind {:?} (zh-classifier, zh-measure, zh-duration, symbol, si, en)",
                    columns[1]
                ))
            })?;
            let qudt = match columns.get(2).copied().unwrap_or("") {
                "" => None,
                iri => {
                    let local = iri
                        .strip_prefix(QUDT_UNIT_NS)
                        .ok_or_else(|| error(format!("{iri} is not in the QUDT unit namespace {QUDT_UNIT_NS}")))?;
                    if local.is_empty() || NamedNode::new(iri).is_err() {
                        return Err(error(format!("{iri} is not a valid IRI")));
                    }
                    Some(iri.to_owned())
                }
            };
            if kind == UnitKind::ZhClassifier && qudt.is_some() {
                return Err(error(format!("the classifier {written} has a QUDT unit")));
            }
            if units.iter().any(|u| u.written == written) {
                return Err(error(format!("{written} is listed twice")));
            }
            units.push(Unit {
                written: written.to_owned(),
                kind,
                qudt,
            });
        }
        Ok(Self::of(units))
    }

    fn of(units: Vec<Unit>) -> Self {
        let mut by_first = rustc_hash::FxHashMap::<char, Vec<usize>>::default();
        for (i, unit) in units.iter().enumerate() {
            if let Some(first) = unit.written.chars().next() {
                by_first.entry(first).or_default().push(i);
            }
        }
        Self { units, by_first }
    }

    /// This table with `user`'s rows laid over it: a row replaces the one written the same.
    fn overlay(self, user: Self) -> Self {
        let mut units = self.units;
        units.retain(|u| !user.units.iter().any(|v| v.written == u.written));
        units.extend(user.units);
        Self::of(units)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter()
    }

    /// The unit written exactly so.
    pub fn get(&self, written: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.written == written)
    }

    /// The longest unit that `text` (what follows a number or magnitude word) starts with:
    /// Chinese units and signs as they are, Latin symbols only when they end a word
    /// ("5 GWh" holds no GW, "3 km/h" no km).
    pub fn at(&self, text: &str) -> Option<&Unit> {
        self.by_first
            .get(&text.chars().next()?)?
            .iter()
            .map(|&i| &self.units[i])
            .filter(|u| u.kind != UnitKind::En && text.starts_with(u.written.as_str()))
            .filter(|u| u.kind != UnitKind::Si || ends_symbol(&text[u.written.len()..]))
            .max_by_key(|u| u.written.len())
    }

    /// A Latin symbol after one space ("10 EFLOPS"): `text` starts after the space.
    pub fn symbol_at(&self, text: &str) -> Option<&Unit> {
        self.at(text).filter(|u| u.kind == UnitKind::Si)
    }

    /// The longest English unit word that `text` starts with, in any case, ending a word.
    pub fn word_at(&self, text: &str) -> Option<&Unit> {
        self.units
            .iter()
            .filter(|u| u.kind == UnitKind::En)
            .filter(|u| {
                text.get(..u.written.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(&u.written))
                    && !text[u.written.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            })
            .max_by_key(|u| u.written.len())
    }
}

/// Whether a Latin unit symbol ends before `rest`: no letter or digit follows, nor a
/// `/`, `²` or `³` that would make it part of a compound unit.
fn ends_symbol(rest: &str) -> bool {
    let mut chars = rest.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_ascii_alphanumeric() || matches!(c, '²' | '³' | '·') => false,
        Some('/') => !chars.next().is_some_and(|c| c.is_ascii_alphanumeric()),
        Some(_) => true,
    }
}

/// The cue words of `cues.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Cues {
    pub issue_verbs: Vec<String>,
    pub issuer_count_nouns: Vec<String>,
    pub issue_verbs_en: Vec<String>,
    pub issuer_count_nouns_en: Vec<String>,
    pub count_words_en: BTreeMap<String, u32>,
    pub deadline_leads: Vec<String>,
    pub deadline_leads_en: Vec<String>,
    pub qualifiers: Vec<Qualifier>,
    pub range_separators: Vec<String>,
    pub magnitudes: Vec<String>,
    /// The unit table, `units.tsv` (not a key of `cues.json`).
    #[serde(skip)]
    pub units: UnitTable,
    /// Words right before a number that make its 年 a period, not a measured duration
    /// (今后5年, 连续3年).
    pub not_durations_before: Vec<String>,
    /// Words right after 年 that make it a period or a calendar word (80年代, 3年行动,
    /// 用8年时间).
    pub not_durations_after: Vec<String>,
    pub not_quantities_after: Vec<String>,
    pub not_quantities_before: Vec<String>,
    pub goal_verbs_before_object: Vec<String>,
    pub plural_quantifiers: Vec<String>,
    pub purpose_leads: Vec<String>,
    pub task_list_leads: Vec<String>,
    pub task_count_nouns: Vec<String>,
    pub task_count_classifiers: Vec<String>,
    pub subject_fillers: Vec<String>,
    pub measure_nouns: Vec<String>,
    pub measure_list_leads: Vec<String>,
    /// Sections whose sub-headings are measures ("四、保障措施").
    pub measure_section_words: Vec<String>,
    pub event_suffixes: Vec<String>,
    pub message_nouns: Vec<String>,
    pub credit_labels: Vec<CreditLabel>,
    pub first_publication_leads: Vec<String>,
    pub glossary_headings: Vec<String>,
    pub task_section_words: Vec<String>,
    pub non_task_section_words: Vec<String>,
    /// Words of a section that looks back ("2023年工作回顾", "发展成就"): its quantities
    /// are outcomes, and the document's year is the one after the year it names.
    pub review_words: Vec<String>,
    /// A sentence opening with one of these reports what was done ("过去一年，…",
    /// "这五年，…"): its paragraph is a review.
    pub review_openers: Vec<String>,
    /// A sentence of a review that names one of these turns to the future ("下一步",
    /// "今年"): its quantities may be goals.
    pub goal_turn_words: Vec<String>,
    /// Words before an amount that a result passed ("超过90万亿元"): they end the subject
    /// a following rate ("，增长6%") carries over.
    pub exceed_words: Vec<String>,
    /// "去年": the year before the document's.
    pub last_year_words: Vec<String>,
    /// "今年": the document's year, for an estimate of it ("预计今年…"); not 全年, which in
    /// a review is the year reviewed.
    pub this_year_words: Vec<String>,
    /// Words that open a clause stating an action or a circumstance rather than a state to
    /// reach ("在…中", "推广…", "加大…力度", "（某部指导）"): without a number, such a
    /// clause under a deadline is a measure, not a target.
    pub action_leads: Vec<String>,
    /// Words of time that open an indicator and are not part of it ("去年粮食产量").
    pub indicator_lead_words: Vec<String>,
    /// Verbs that close an indicator and lead to its value ("粮食产量达到").
    pub indicator_tail_words: Vec<String>,
    /// A clause naming a goal ("经济增长预期目标为5%左右") whose value was already stated
    /// restates it.
    pub restatement_markers: Vec<String>,
    /// Last characters of a Chinese body's name (部, 委, 局…), to keep unknown issuers.
    pub body_name_suffixes: String,
    pub policy_list_words: Vec<String>,
    pub goal_openers: Vec<String>,
    pub goal_section_words: Vec<String>,
    pub future_markers: Vec<String>,
    pub past_markers: Vec<String>,
    pub baseline_leads: Vec<String>,
    pub baseline_verbs: Vec<String>,
    pub change_to: Vec<String>,
    pub from_words: Vec<String>,
    pub current_year_words: Vec<String>,
    pub next_year_words: Vec<String>,
    /// "今后五年": the years ahead, counted from the document's year (which is the first).
    pub coming_years: BTreeMap<String, i32>,
    pub undated_markers: Vec<String>,
    pub representation_verbs: Vec<String>,
    pub resolution_verbs: Vec<String>,
    pub plan_period_words: Vec<String>,
    pub small_count_classifiers: Vec<String>,
    pub growth_verbs: Vec<String>,
    pub hypothetical_markers: Vec<String>,
    /// Phrases inside which a lexicon term is not meant (开源节流 is not open source).
    pub false_friends: Vec<String>,
    /// Head words of technology terms, for discovering terms the lexicon lacks.
    pub technology_heads: Vec<String>,
    /// Part-of-speech tags (jieba) that may modify a head word inside a term.
    pub candidate_modifier_tags: Vec<String>,
    /// A candidate term must occur this often in a document.
    pub candidate_min_occurrences: usize,
    /// Future markers that carry over the whole sentence ("我们希望，…").
    pub strong_future_markers: Vec<String>,
    pub level_verbs: Vec<String>,
    pub comparison_leads: Vec<String>,
    /// A 到 right after one of these characters ends a change (增加到), not a deadline.
    pub deadline_blocking_chars: String,
    /// Nouns a count describes the document by (25项重点任务, 3个专栏, 六部门): such a
    /// count is never a target.
    #[serde(default)]
    pub document_count_nouns: Vec<String>,
    /// Set phrases with a number in them (最后一公里) that measure nothing.
    #[serde(default)]
    pub idioms: Vec<String>,
    /// Points of a century named relative to the document's (本世纪末, 下世纪中叶): years
    /// after the first year of the document's century.
    #[serde(default)]
    pub century_points: BTreeMap<String, i32>,
    /// Words that name what a report or proposal is about (关于…的报告): a plan named
    /// after them in the opening is the document's plan when no title is given.
    #[serde(default)]
    pub subject_leads: Vec<String>,
    /// Verbs of completion (建成, 投产): "…全部建成后的产能为X，2030年建成" dates the
    /// capacity by the completion the rest of the sentence names.
    #[serde(default)]
    pub completion_verbs: Vec<String>,
    pub section_mark_open: String,
    pub section_mark_close: String,
    /// 根据《…》, 落实《…》: the document names another one it follows.
    pub citation_verbs: Vec<String>,
    /// What joins the names of several issuers (甲会同乙, 甲、乙和丙).
    pub issuer_joiners: Vec<String>,
    pub report_title: ReportTitleCues,
    pub task_areas: TaskAreaCues,
    /// "seven key tasks: …".
    pub task_nouns_en: Vec<String>,
    pub task_list_leads_en: Vec<String>,
    /// "关于印发《X》的通知": the heading of a notice that transmits X.
    pub notice_nouns: Vec<String>,
    /// "某部关于印发《…》": words between an issuer and its verb in a heading.
    pub title_leads: Vec<String>,
    pub title_endings: TitleEndings,
    /// "2035年碳排放强度目标": the goal nouns after a year that make it a deadline.
    pub year_goal_nouns: WordList,
    /// "5年一周期": what follows a period that recurs.
    pub cadence_marks: Vec<String>,
    pub news: NewsCues,
    pub sessions: SessionCues,
}

/// A list of words with a comment, as the cue file writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct WordList {
    pub words: Vec<String>,
}

/// The genre nouns titles end with (意见, 规划, "action plan"), Chinese and English.
#[derive(Debug, Clone, Deserialize)]
pub struct TitleEndings {
    pub zh: Vec<String>,
    /// Lower case; matched against the lower-cased title.
    pub en: Vec<String>,
}

impl TitleEndings {
    /// Whether `title` ends in a genre noun, a trailing bracket ("（2024—2027年）") aside.
    pub fn ends(&self, title: &str) -> bool {
        let mut t = title.trim().trim_end_matches(['》', '"', '”', '’', '\'']);
        if let Some(stripped) = t.strip_suffix(['）', ')']) {
            if let Some(open) = stripped.rfind(['（', '(']) {
                t = stripped[..open].trim_end();
            }
        }
        let lower = t.to_lowercase();
        self.zh.iter().any(|e| t.ends_with(e.as_str()))
            || self.en.iter().any(|e| {
                lower.ends_with(e.as_str())
                    && !lower[..lower.len() - e.len()].ends_with(|c: char| c.is_ascii_alphanumeric())
            })
    }
}

/// "作关于…的报告": the verb and noun of the title a speaker gives the report.
#[derive(Debug, Clone, Deserialize)]
pub struct ReportTitleCues {
    pub verbs: Vec<String>,
    pub nouns: Vec<String>,
}

/// "部署了N方面任务。在A方面…在B方面…".
#[derive(Debug, Clone, Deserialize)]
pub struct TaskAreaCues {
    pub open: String,
    pub close: String,
    pub area_classifiers: Vec<String>,
}

/// The frame of a news page: dateline, bylines, header lines, end marks and page chrome.
#[derive(Debug, Clone, Deserialize)]
pub struct NewsCues {
    /// Last characters of a news agency's name in a dateline (新华社, 人民网, 本报).
    pub agency_suffixes: Vec<String>,
    /// Labels of the header lines of a page ("来源:", "发布时间:").
    pub header_labels: Vec<String>,
    /// Lines that are page navigation, not text ("评论区", "点击排行").
    pub chrome_lines: Vec<String>,
    /// What separates the parts of a breadcrumb line ("产经 > 科技").
    pub breadcrumb_separators: Vec<String>,
    /// Marks that end a news text ("(完)").
    pub end_marks: Vec<String>,
    pub reporter_words: Vec<String>,
    pub editor_words: Vec<String>,
    /// The end of a photo caption's credit ("记者某某摄", "記者某某／攝影").
    pub photo_marks: Vec<String>,
    /// What separates the parts of a byline line ("某报/ 记者某某/即时报导").
    pub byline_separators: Vec<String>,
}

/// Meetings that date the document delivered at them.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionCues {
    /// The year of the first session of the N-th National People's Congress.
    pub npc_first_session_years: Vec<i32>,
    /// The year of the N-th National Congress of the Communist Party of China.
    pub cpc_congress_years: Vec<i32>,
    /// "Second Session": the ordinal words of sessions in English.
    pub ordinals_en: BTreeMap<String, u32>,
}

/// A lexicon hit in normalized text (byte offsets into that text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub entry: usize,
    pub start: usize,
    pub end: usize,
}

/// A multi-pattern matcher over the labels of one kind: leftmost-longest, so 行业大模型
/// wins over 大模型; English labels match case-insensitively on word boundaries.
#[derive(Debug, Clone)]
pub struct Matcher {
    automaton: AhoCorasick,
    entries: Vec<usize>,
    word_boundaries: bool,
    /// Every label is ASCII with a letter in it, so a hit lies inside one run of ASCII
    /// bytes that holds a letter: only those runs are read, not the Chinese between them.
    latin: bool,
}

impl Matcher {
    fn new(labels: Vec<(String, usize)>, mode: MatchMode, what: &'static str) -> Result<Self, LexiconError> {
        let (patterns, entries): (Vec<String>, Vec<usize>) = labels.into_iter().unzip();
        let latin = !patterns.is_empty()
            && patterns
                .iter()
                .all(|p| p.is_ascii() && p.bytes().any(|b| b.is_ascii_alphabetic()));
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(mode == MatchMode::EnglishWords)
            // A full DFA: one table lookup a byte. Chinese labels share their first bytes,
            // so no prefilter skips ahead, and every byte of every text goes through it.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|e| LexiconError::Matcher {
                what,
                message: e.to_string(),
            })?;
        Ok(Self {
            automaton,
            entries,
            word_boundaries: mode != MatchMode::Chinese,
            latin,
        })
    }

    /// Every non-overlapping hit in `text`.
    pub fn find_all(&self, text: &str) -> Vec<Hit> {
        if !self.latin {
            return self.hits_in(text, 0..text.len()).collect();
        }
        // No hit crosses the end of a run, so the hits of the runs one after the other are
        // the hits of the whole text.
        latin_runs(text).flat_map(|run| self.hits_in(text, run)).collect()
    }

    /// The hits in `text[range]`, with offsets into `text`.
    fn hits_in<'a>(&'a self, text: &'a str, range: Range<usize>) -> impl Iterator<Item = Hit> + 'a {
        self.automaton
            .find_iter(aho_corasick::Input::new(text).range(range))
            .filter_map(move |m| {
                let end = if !self.word_boundaries || on_word_boundaries(text, m.start(), m.end()) {
                    m.end()
                } else if text[m.end()..].starts_with('s') && on_word_boundaries(text, m.start(), m.end() + 1) {
                    // A plain English plural: "industrial robots".
                    m.end() + 1
                } else {
                    return None;
                };
                Some(Hit {
                    entry: self.entries[m.pattern().as_usize()],
                    start: m.start(),
                    end,
                })
            })
    }
}

/// The maximal runs of ASCII bytes in `text` that hold an ASCII letter.
fn latin_runs(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at + bytes[at..].iter().position(u8::is_ascii)?;
            let end = start
                + bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii())
                    .unwrap_or(bytes.len() - start);
            at = end;
            if bytes[start..end].iter().any(u8::is_ascii_alphabetic) {
                return Some(start..end);
            }
        }
        None
    })
}

/// How a matcher compares labels with text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchMode {
    /// Exact substrings of the normalized text.
    Chinese,
    /// Case-insensitive, on word boundaries.
    EnglishWords,
    /// Case-sensitive, on word boundaries: acronyms such as MOST or SAFE are words too.
    Acronyms,
}

fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Everything the extractors look up.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub organizations: Vec<Organization>,
    pub technologies: Vec<Technology>,
    /// The canonical indicators targets and outcomes are matched through.
    pub indicators: Vec<Indicator>,
    pub indicator_zh: Matcher,
    pub indicator_en: Matcher,
    pub cues: Cues,
    /// The lexicon files' own triples, stored in the lexicon graph.
    pub triples: Vec<Triple>,
    /// SHA-256 over the three lexicon texts: a store built with other lexicons is stale.
    pub fingerprint: String,
    pub org_zh: Matcher,
    pub org_en: Matcher,
    pub org_acronyms: Matcher,
    pub tech_zh: Matcher,
    pub tech_en: Matcher,
}

/// Whether more of an indicator is better, or its target is a ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// More is better: a result above the target's upper end exceeds it.
    Higher,
    /// The target is a ceiling: a result at or under its upper end meets it.
    Lower,
}

/// A canonical indicator (`indicators.ttl`): GDP growth, CPI, new urban jobs…
#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: String,
    pub iri: NamedNode,
    pub label_zh: String,
    pub label_en: Option<String>,
    pub polarity: Polarity,
}

/// Characters an indicator text may hold outside the label it matches (全国…, …平均).
const INDICATOR_SLACK: usize = 3;

impl Lexicon {
    /// The canonical indicator a target's or outcome's indicator text names: the longest
    /// label it contains, with at most a few characters outside it.
    pub fn indicator_of(&self, text: &str) -> Option<usize> {
        let norm = crate::extract::text::normalize(text);
        let lower = norm.to_lowercase();
        let chars = norm.chars().count();
        self.indicator_zh
            .find_all(&norm)
            .into_iter()
            .map(|h| (h, &norm))
            .chain(self.indicator_en.find_all(&lower).into_iter().map(|h| (h, &lower)))
            .map(|(h, text)| (text[h.start..h.end].chars().count(), h.start, h.entry))
            .filter(|&(len, _, _)| chars - len.min(chars) <= INDICATOR_SLACK)
            .max_by_key(|&(len, start, _)| (len, std::cmp::Reverse(start)))
            .map(|(_, _, entry)| entry)
    }

    /// The indicators of `indicators.ttl` (and the user's), their matchers, their triples
    /// in the lexicon graph and their text in the fingerprint.
    fn with_indicators(mut self, file: &str, triples: Vec<Triple>, text: &str) -> Result<Self, LexiconError> {
        let index = Index::new(&triples);
        let mut zh = Vec::new();
        let mut en = Vec::new();
        for subject in index.subjects_of_type(skos::CONCEPT.as_str()) {
            let incomplete = |what| LexiconError::Incomplete {
                file: file.to_owned(),
                subject: subject.clone(),
                what,
            };
            let label_zh = index
                .label(&subject, skos::PREF_LABEL.as_str(), "zh")
                .ok_or_else(|| incomplete("skos:prefLabel in Chinese"))?;
            let polarity = match index
                .plain(&subject, pkg::POLARITY.as_str())
                .first()
                .map(String::as_str)
            {
                Some("higher") => Polarity::Higher,
                Some("lower") => Polarity::Lower,
                _ => return Err(incomplete("pkg:polarity \"higher\" or \"lower\"")),
            };
            let entry = self.indicators.len();
            let (mut own_zh, mut own_en) = (Vec::new(), Vec::new());
            index.split_labels(
                &subject,
                &[skos::PREF_LABEL.as_str(), skos::ALT_LABEL.as_str()],
                entry,
                &mut own_zh,
                &mut own_en,
            );
            zh.extend(own_zh);
            en.extend(own_en.into_iter().map(|(l, e)| (l.to_lowercase(), e)));
            self.indicators.push(Indicator {
                id: local_key(&subject),
                iri: NamedNode::new_unchecked(subject.clone()),
                label_en: index.label(&subject, skos::PREF_LABEL.as_str(), "en"),
                label_zh,
                polarity,
            });
        }
        self.indicator_zh = Matcher::new(zh, MatchMode::Chinese, "indicator")?;
        self.indicator_en = Matcher::new(en, MatchMode::EnglishWords, "indicator (English)")?;
        self.triples.extend(derived_triples(&index));
        self.triples.extend(triples);
        self.triples.sort_by_cached_key(|t| t.to_string());
        self.triples.dedup();
        self.fingerprint = crate::ingest::sha256_hex(format!("{}\0{text}", self.fingerprint).as_bytes());
        Ok(self)
    }

    /// Organization hits in Chinese, English and acronyms, left to right, one per span.
    pub fn organizations_in(&self, text: &str) -> Vec<Hit> {
        let mut hits: Vec<Hit> = [&self.org_zh, &self.org_en, &self.org_acronyms]
            .iter()
            .flat_map(|m| m.find_all(text))
            .collect();
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.entry));
        let mut out: Vec<Hit> = Vec::new();
        for hit in hits {
            if out.last().is_none_or(|last| hit.start >= last.end) {
                out.push(hit);
            }
        }
        out
    }

    /// The top concept of a technology's branch of the scheme, following the first broader
    /// concept of each.
    pub fn tech_root(&self, entry: usize) -> usize {
        let mut at = entry;
        // A cycle in a user's scheme ends the walk after as many steps as there are concepts.
        for _ in 0..self.technologies.len() {
            match self.technologies[at].broader.first() {
                Some(&up) => at = up,
                None => break,
            }
        }
        at
    }

    /// Whether `ancestor` is broader than `entry`, through any chain of broader concepts.
    pub fn tech_is_broader(&self, ancestor: usize, entry: usize) -> bool {
        let mut seen = vec![false; self.technologies.len()];
        let mut todo = self.technologies[entry].broader.clone();
        while let Some(at) = todo.pop() {
            if at == ancestor {
                return true;
            }
            if !std::mem::replace(&mut seen[at], true) {
                todo.extend(&self.technologies[at].broader);
            }
        }
        false
    }

    /// The lexicons shipped in `ontology/lexicon/`.
    pub fn builtin() -> Result<Self, LexiconError> {
        Self::from_texts(
            ("organizations.ttl", ORGANIZATIONS),
            ("technologies.ttl", TECHNOLOGIES),
            ("cues.json", CUES),
            ("units.tsv", UNITS),
        )?
        .with_indicators(
            "indicators.ttl",
            parse_turtle("indicators.ttl", INDICATORS)?,
            INDICATORS,
        )
    }

    /// The built-in lexicons extended by the user's files in `dir`: entries of a user
    /// `organizations.ttl` or `technologies.ttl` are added, and replace a built-in entry with
    /// the same IRI; keys of a user `cues.json` replace the built-in lists; rows of a user
    /// `units.tsv` are added, and replace a built-in row written the same.
    pub fn with_overrides(dir: &Path) -> Result<Self, LexiconError> {
        let read = |name: &str| -> Result<Option<(String, String)>, LexiconError> {
            let path = dir.join(name);
            if !path.is_file() {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&path).map_err(|source| LexiconError::Io {
                file: path.display().to_string(),
                source,
            })?;
            Ok(Some((path.display().to_string(), text)))
        };
        let orgs = read("organizations.ttl")?;
        let techs = read("technologies.ttl")?;
        let cues = read("cues.json")?;
        let units = read("units.tsv")?;
        let mut cue_value: serde_json::Value = serde_json::from_str(CUES).map_err(|e| cue_error("cues.json", &e))?;
        if let Some((file, text)) = &cues {
            let user: serde_json::Value = serde_json::from_str(text).map_err(|e| cue_error(file, &e))?;
            if let (Some(base), Some(extra)) = (cue_value.as_object_mut(), user.as_object()) {
                for (key, value) in extra {
                    base.insert(key.clone(), value.clone());
                }
            }
        }
        let org_triples = overlay(parse_turtle("organizations.ttl", ORGANIZATIONS)?, orgs.as_ref())?;
        let tech_triples = overlay(parse_turtle("technologies.ttl", TECHNOLOGIES)?, techs.as_ref())?;
        // Every text read, the user's cue words included: a store built with others is stale.
        let fingerprint = crate::ingest::sha256_hex(
            format!("{ORGANIZATIONS}\0{TECHNOLOGIES}\0{CUES}\0{UNITS}\0{orgs:?}\0{techs:?}\0{cues:?}\0{units:?}")
                .as_bytes(),
        );
        let cues_file = cues.map_or_else(|| "cues.json".to_owned(), |(file, _)| file);
        let mut cues: Cues = serde_json::from_value(cue_value).map_err(|e| LexiconError::Syntax {
            file: cues_file,
            message: e.to_string(),
        })?;
        cues.units = UnitTable::parse("units.tsv", UNITS)?;
        if let Some((file, text)) = &units {
            cues.units = std::mem::take(&mut cues.units).overlay(UnitTable::parse(file, text)?);
        }
        let indicators = read("indicators.ttl")?;
        let indicator_triples = overlay(parse_turtle("indicators.ttl", INDICATORS)?, indicators.as_ref())?;
        let indicator_text = format!("{INDICATORS}\0{indicators:?}");
        Self::assemble(
            org_triples,
            tech_triples,
            cues,
            fingerprint,
            ("organizations.ttl", "technologies.ttl"),
        )?
        .with_indicators(
            indicators.as_ref().map_or("indicators.ttl", |(file, _)| file.as_str()),
            indicator_triples,
            &indicator_text,
        )
    }

    fn from_texts(
        orgs: (&str, &str),
        techs: (&str, &str),
        cues: (&str, &str),
        units: (&str, &str),
    ) -> Result<Self, LexiconError> {
        let mut cues_value: Cues = serde_json::from_str(cues.1).map_err(|e| cue_error(cues.0, &e))?;
        cues_value.units = UnitTable::parse(units.0, units.1)?;
        let org_triples = parse_turtle(orgs.0, orgs.1)?;
        let tech_triples = parse_turtle(techs.0, techs.1)?;
        let fingerprint =
            crate::ingest::sha256_hex(format!("{}\0{}\0{}\0{}", orgs.1, techs.1, cues.1, units.1).as_bytes());
        Self::assemble(org_triples, tech_triples, cues_value, fingerprint, (orgs.0, techs.0))
    }

    fn assemble(
        org_triples: Vec<Triple>,
        tech_triples: Vec<Triple>,
        cues_value: Cues,
        fingerprint: String,
        files: (&str, &str),
    ) -> Result<Self, LexiconError> {
        let org_index = Index::new(&org_triples);
        let tech_index = Index::new(&tech_triples);

        let mut organizations = Vec::new();
        let mut org_zh = Vec::new();
        let mut org_en = Vec::new();
        let mut org_acronyms = Vec::new();
        for subject in org_index.subjects_of_type(pkg::ORGANIZATION.as_str()) {
            let iri = NamedNode::new_unchecked(subject.clone());
            let id = local_key(&subject);
            let label_zh =
                org_index
                    .label(&subject, rdfs::LABEL.as_str(), "zh")
                    .ok_or_else(|| LexiconError::Incomplete {
                        file: files.0.to_owned(),
                        subject: subject.clone(),
                        what: "rdfs:label in Chinese",
                    })?;
            let label_en = org_index.label(&subject, rdfs::LABEL.as_str(), "en");
            let acronym = org_index.plain(&subject, pkg::ACRONYM.as_str()).into_iter().next();
            let entry = organizations.len();
            org_index.split_labels(
                &subject,
                &[rdfs::LABEL.as_str(), skos::ALT_LABEL.as_str()],
                entry,
                &mut org_zh,
                &mut org_en,
            );
            if let Some(acronym) = &acronym {
                org_acronyms.push((acronym.clone(), entry));
            }
            organizations.push(Organization {
                id,
                iri,
                label_zh,
                label_en,
                acronym,
            });
        }

        let mut technologies = Vec::new();
        let mut tech_zh = Vec::new();
        let mut tech_en = Vec::new();
        for subject in tech_index.subjects_of_type(skos::CONCEPT.as_str()) {
            let iri = NamedNode::new_unchecked(subject.clone());
            let id = local_key(&subject);
            let label_zh = tech_index
                .label(&subject, skos::PREF_LABEL.as_str(), "zh")
                .ok_or_else(|| LexiconError::Incomplete {
                    file: files.1.to_owned(),
                    subject: subject.clone(),
                    what: "skos:prefLabel in Chinese",
                })?;
            let label_en = tech_index.label(&subject, skos::PREF_LABEL.as_str(), "en");
            let entry = technologies.len();
            tech_index.split_labels(
                &subject,
                &[skos::PREF_LABEL.as_str(), skos::ALT_LABEL.as_str()],
                entry,
                &mut tech_zh,
                &mut tech_en,
            );
            let category = tech_index.has_type(&subject, pkg::INDUSTRY_CATEGORY.as_str());
            technologies.push(Technology {
                id,
                iri,
                label_zh,
                label_en,
                category,
                broader: Vec::new(),
            });
        }
        let entries: BTreeMap<String, usize> = technologies
            .iter()
            .enumerate()
            .map(|(i, t)| (t.iri.as_str().to_owned(), i))
            .collect();
        for t in &mut technologies {
            let mut broader: Vec<usize> = tech_index
                .named(t.iri.as_str(), skos::BROADER.as_str())
                .filter_map(|b| entries.get(b).copied())
                .collect();
            broader.sort_unstable();
            t.broader = broader;
        }

        let mut triples = org_triples;
        triples.extend(tech_triples);
        // Sorted and deduplicated once, by `with_indicators`, which every lexicon goes through.
        triples.extend(derived_triples(&tech_index));

        Ok(Self {
            fingerprint,
            org_zh: Matcher::new(org_zh, MatchMode::Chinese, "organization")?,
            org_en: Matcher::new(org_en, MatchMode::EnglishWords, "organization (English)")?,
            org_acronyms: Matcher::new(org_acronyms, MatchMode::Acronyms, "organization acronym")?,
            tech_zh: Matcher::new(tech_zh, MatchMode::Chinese, "technology")?,
            tech_en: Matcher::new(tech_en, MatchMode::EnglishWords, "technology (English)")?,
            indicators: Vec::new(),
            indicator_zh: Matcher::new(Vec::new(), MatchMode::Chinese, "indicator")?,
            indicator_en: Matcher::new(Vec::new(), MatchMode::EnglishWords, "indicator (English)")?,
            organizations,
            technologies,
            cues: cues_value,
            triples,
        })
    }
}

/// Labels the scheme leaves implicit: rdfs:label from skos:prefLabel, skos:narrower.
fn derived_triples(index: &Index) -> Vec<Triple> {
    let mut out = Vec::new();
    for (subject, predicates) in &index.by_subject {
        let node = NamedNode::new_unchecked(subject.clone());
        for object in predicates.get(skos::PREF_LABEL.as_str()).into_iter().flatten() {
            out.push(Triple::new(node.clone(), rdfs::LABEL, object.clone()));
        }
        for object in predicates.get(skos::BROADER.as_str()).into_iter().flatten() {
            if let Term::NamedNode(broader) = object {
                out.push(Triple::new(broader.clone(), skos::NARROWER, node.clone()));
            }
        }
    }
    out
}

fn cue_error(file: &str, e: &serde_json::Error) -> LexiconError {
    LexiconError::Syntax {
        file: file.to_owned(),
        message: format!("line {} column {}: {e}", e.line(), e.column()),
    }
}

/// The built-in triples with a user file laid over them: its subjects replace the
/// built-in ones, its new subjects are added.
fn overlay(builtin: Vec<Triple>, user: Option<&(String, String)>) -> Result<Vec<Triple>, LexiconError> {
    let Some((file, text)) = user else { return Ok(builtin) };
    let extra = parse_turtle(file, text)?;
    let replaced: BTreeSet<String> = extra.iter().map(|t| t.subject.to_string()).collect();
    let mut out: Vec<Triple> = builtin
        .into_iter()
        .filter(|t| !replaced.contains(&t.subject.to_string()))
        .collect();
    out.extend(extra);
    Ok(out)
}

fn parse_turtle(file: &str, text: &str) -> Result<Vec<Triple>, LexiconError> {
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(text.as_bytes())
        .map(|quad| {
            quad.map(Triple::from).map_err(|e| LexiconError::Syntax {
                file: file.to_owned(),
                message: e.to_string(),
            })
        })
        .collect()
}

fn local_key(iri: &str) -> String {
    iri.rsplit(['/', '#']).next().unwrap_or(iri).to_owned()
}

/// Subject → predicate → objects, over one file's triples.
struct Index {
    by_subject: BTreeMap<String, BTreeMap<String, Vec<Term>>>,
}

impl Index {
    fn new(triples: &[Triple]) -> Self {
        let mut by_subject: BTreeMap<String, BTreeMap<String, Vec<Term>>> = BTreeMap::new();
        for triple in triples {
            if let NamedOrBlankNode::NamedNode(subject) = &triple.subject {
                by_subject
                    .entry(subject.as_str().to_owned())
                    .or_default()
                    .entry(triple.predicate.as_str().to_owned())
                    .or_default()
                    .push(triple.object.clone());
            }
        }
        Self { by_subject }
    }

    fn has_type(&self, subject: &str, class: &str) -> bool {
        let rdf_type = oxigraph::model::vocab::rdf::TYPE.as_str();
        self.by_subject
            .get(subject)
            .and_then(|p| p.get(rdf_type))
            .is_some_and(|types| {
                types
                    .iter()
                    .any(|t| matches!(t, Term::NamedNode(n) if n.as_str() == class))
            })
    }

    fn subjects_of_type(&self, class: &str) -> Vec<String> {
        let rdf_type = oxigraph::model::vocab::rdf::TYPE.as_str();
        self.by_subject
            .iter()
            .filter(|(_, p)| {
                p.get(rdf_type).is_some_and(|types| {
                    types
                        .iter()
                        .any(|t| matches!(t, Term::NamedNode(n) if n.as_str() == class))
                })
            })
            .map(|(s, _)| s.clone())
            .collect()
    }

    fn literals(&self, subject: &str, predicate: &str) -> impl Iterator<Item = &Literal> {
        self.by_subject
            .get(subject)
            .and_then(|p| p.get(predicate))
            .into_iter()
            .flatten()
            .filter_map(|t| match t {
                Term::Literal(l) => Some(l),
                _ => None,
            })
    }

    fn named(&self, subject: &str, predicate: &str) -> impl Iterator<Item = &str> {
        self.by_subject
            .get(subject)
            .and_then(|p| p.get(predicate))
            .into_iter()
            .flatten()
            .filter_map(|t| match t {
                Term::NamedNode(n) => Some(n.as_str()),
                _ => None,
            })
    }

    fn label(&self, subject: &str, predicate: &str, lang: &str) -> Option<String> {
        let mut found: Vec<&str> = self
            .literals(subject, predicate)
            .filter(|l| l.language().is_some_and(|l| l.starts_with(lang)))
            .map(Literal::value)
            .collect();
        found.sort();
        found.first().map(|s| (*s).to_owned())
    }

    fn plain(&self, subject: &str, predicate: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .literals(subject, predicate)
            .map(|l| l.value().to_owned())
            .collect();
        found.sort();
        found
    }

    /// Adds a subject's labels to the Chinese (normalized) or the English pattern list.
    fn split_labels(
        &self,
        subject: &str,
        predicates: &[&str],
        entry: usize,
        zh: &mut Vec<(String, usize)>,
        en: &mut Vec<(String, usize)>,
    ) {
        for (text, lang) in self.all_labels(subject, predicates) {
            if lang.starts_with("zh") {
                zh.push((crate::extract::text::normalize(&text), entry));
            } else {
                en.push((text, entry));
            }
        }
    }

    fn all_labels(&self, subject: &str, predicates: &[&str]) -> BTreeSet<(String, String)> {
        predicates
            .iter()
            .flat_map(|p| self.literals(subject, p))
            .map(|l| (l.value().to_owned(), l.language().unwrap_or("en").to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_lexicon_loads_and_resolves_short_forms() {
        let lexicon = Lexicon::builtin().expect("builtin lexicon");
        let hits = lexicon.org_zh.find_all("工信部、国家发展改革委和中央网信办");
        let ids: Vec<&str> = hits
            .iter()
            .map(|h| lexicon.organizations[h.entry].id.as_str())
            .collect();
        assert_eq!(hits.len(), 3, "{ids:?}");
        assert!(ids.iter().all(|id| !id.is_empty()));
        let text = "the Ministry of Industry and Information Technology and MIIT, most of all";
        let en = lexicon.organizations_in(text);
        assert_eq!(en.len(), 2, "{en:?}");
        assert_eq!(en[0].entry, en[1].entry);
        assert_eq!(
            lexicon.organizations[en[0].entry].iri,
            lexicon.organizations[hits[0].entry].iri
        );
    }

    #[test]
    fn longest_technology_label_wins() {
        let lexicon = Lexicon::builtin().expect("builtin lexicon");
        let hits = lexicon.tech_zh.find_all("培育重点行业大模型");
        assert_eq!(hits.len(), 1);
        assert_eq!(lexicon.technologies[hits[0].entry].label_zh, "行业大模型");
    }

    #[test]
    fn every_qudt_unit_of_the_table_is_a_valid_iri_in_the_unit_namespace() {
        let lexicon = Lexicon::builtin().expect("builtin lexicon");
        let mut mapped = 0;
        for unit in lexicon.cues.units.iter() {
            if let Some(iri) = &unit.qudt {
                assert!(NamedNode::new(iri.as_str()).is_ok(), "{}: {iri}", unit.written);
                let local = iri.strip_prefix(QUDT_UNIT_NS).unwrap_or_default();
                assert!(
                    !local.is_empty() && !local.contains(['/', '#']),
                    "{}: {iri}",
                    unit.written
                );
                mapped += 1;
            }
        }
        assert!(mapped > 40, "only {mapped} units have a QUDT IRI");
        let kilowatt = lexicon.cues.units.get("千瓦").and_then(|u| u.qudt.as_deref());
        assert_eq!(kilowatt, Some("http://qudt.org/vocab/unit/KiloW"));
        assert_eq!(
            lexicon.cues.units.get("个").map(|u| u.kind),
            Some(UnitKind::ZhClassifier)
        );
    }

    #[test]
    fn a_malformed_unit_line_names_file_and_line() {
        let cases = [
            ("# comment\n千瓦\tzh-measure\n瓦\tzh-gadget\n", 3, "unknown kind"),
            ("千瓦\tzh-measure\thttp://example.org/unit/KiloW\n", 1, "namespace"),
            (
                "千瓦\tzh-measure\thttp://qudt.org/vocab/unit/Kilo W\n",
                1,
                "not a valid IRI",
            ),
            ("\n个\tzh-classifier\n个\tzh-classifier\n", 3, "twice"),
            ("个\n", 1, "columns"),
        ];
        for (text, line, words) in cases {
            let error = UnitTable::parse("mine.tsv", text).expect_err(text);
            let message = error.to_string();
            assert!(message.starts_with(&format!("mine.tsv:{line}: ")), "{message}");
            assert!(message.contains(words), "{message}");
        }
    }

    #[test]
    fn a_user_unit_table_adds_and_replaces_rows() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("units.tsv"),
            "瓦\tzh-measure\thttp://qudt.org/vocab/unit/W\n度\tzh-measure\t\tdegrees here\n",
        )
        .expect("write");
        let lexicon = Lexicon::with_overrides(dir.path()).expect("lexicon");
        let units = &lexicon.cues.units;
        assert_eq!(
            units.get("瓦").and_then(|u| u.qudt.as_deref()),
            Some("http://qudt.org/vocab/unit/W")
        );
        assert_eq!(units.get("度").map(|u| u.qudt.is_none()), Some(true));
        assert!(units.get("千瓦").is_some());
        assert_ne!(lexicon.fingerprint, Lexicon::builtin().expect("builtin").fingerprint);
    }

    #[test]
    fn latin_symbols_end_a_word() {
        let lexicon = Lexicon::builtin().expect("builtin lexicon");
        let units = &lexicon.cues.units;
        let at = |text: &str| units.at(text).map(|u| u.written.as_str());
        assert_eq!(at("GW以上"), Some("GW"));
        assert_eq!(at("GWh"), Some("GWh"));
        assert_eq!(at("GWx"), None);
        assert_eq!(at("km/h"), Some("km/h"));
        assert_eq!(at("km/s"), None);
        assert_eq!(at("m²"), Some("m²"));
        assert_eq!(at("gw"), None, "symbols keep their case");
        assert_eq!(units.word_at("Percent of").map(|u| u.written.as_str()), Some("percent"));
    }

    #[test]
    fn latin_runs_are_the_ascii_stretches_with_a_letter() {
        fn runs(text: &str) -> Vec<&str> {
            latin_runs(text).map(|r| &text[r]).collect()
        }
        assert_eq!(runs(""), Vec::<&str>::new());
        assert_eq!(runs("推进AI和5G应用，2030年"), ["AI", "5G"]);
        assert_eq!(runs("the MIIT 工信部 and NDRC."), ["the MIIT ", " and NDRC."]);
        assert_eq!(runs("一二三 2030 四五"), Vec::<&str>::new());
        assert_eq!(runs("Café AI"), ["Caf", " AI"]);
    }

    proptest::proptest! {
        /// Reading only the Latin runs finds what one pass over the whole text finds.
        #[test]
        fn english_hits_are_those_of_the_whole_text(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "artificial intelligence", "Artificial Intelligence", "robots", "robotics", "AI",
                "MIIT", "NDRC", "the Ministry of Industry and Information Technology", "5G",
                "人工智能", "工信部", "，", "。", " ", "-", "x", "2030", "é", "\n",
            ]), 0..24)
        ) {
            let lexicon = lexicon();
            let text = parts.concat();
            for matcher in [&lexicon.tech_en, &lexicon.org_en, &lexicon.org_acronyms] {
                proptest::prop_assert!(matcher.latin);
                let whole: Vec<Hit> = matcher.hits_in(&text, 0..text.len()).collect();
                proptest::prop_assert_eq!(matcher.find_all(&text), whole);
            }
        }
    }

    fn lexicon() -> &'static Lexicon {
        static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::builtin().expect("builtin lexicon"))
    }

    #[test]
    fn english_labels_need_word_boundaries() {
        let lexicon = Lexicon::builtin().expect("builtin lexicon");
        assert!(lexicon.tech_en.find_all("the MAIN road").is_empty());
    }
}

//! Targets: the goals a document sets, with their deadline.
//!
//! Two kinds of context make a clause a goal:
//! - a deadline phrase ("到2027年，…") opens a scope to the next deadline or the end of
//!   the paragraph; every clause in it is a target, quantified when it holds a quantity;
//! - a goal block — a paragraph that announces goals ("今年发展主要预期目标是：…") and the
//!   paragraphs after it up to the next heading, or a whole section named as a plan
//!   ("二、第一个五年计划概要") — where every quantity is a target unless it looks back
//!   (了, 已经, 预计…) or is a baseline or an increment over one (比上年增加…, 从…增加到).
//!
//! Outside both, a quantity is a target only when its own clause speaks of the future
//! (将, 要, 拟, 力争…). The deadline is the one the clause names (到2030年, 明年, 今年,
//! "十五五"时期, 第一个五年计划), else the scope's, else the document's (its five-year plan
//! for a plan document, else its year).

use super::mentions::techs_in;
use super::numbers::{quantities, year_at, Quantity};
use super::outline::Heading;
use super::patterns::Patterns;
use super::text::{contains_any, Text};
use super::{Context, TargetFact, TechMention};
use crate::lexicon::{Cues, Lexicon};
use regex::Regex;
use std::sync::OnceLock;

const SENTENCE_END: &[char] = &['。', '!', '！', '?', '？', '\n'];
const CLAUSE_END: &[char] = &['，', ',', '；', ';', '：', ':'];
const TRIM: &[char] = &['，', ',', '；', ';', '。', '、', '：', ':', ' ', '\u{3000}', '—'];
/// A clause needs this many characters to be a goal of its own.
const MIN_GOAL_CHARS: usize = 4;

fn period_patterns() -> &'static (Regex, Regex) {
    static PATTERNS: OnceLock<(Regex, Regex)> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        #[allow(clippy::expect_used)]
        let numbered = Regex::new(r"第([一二三四五六七八九十]+)个五年(?:计划|规划)").expect("pattern");
        #[allow(clippy::expect_used)]
        let short = Regex::new(r"十([一二三四五六七八九])五").expect("pattern");
        (numbered, short)
    })
}

/// The last year of the N-th five-year plan (1st 1953–57, 2nd 1958–62, 3rd 1966–70, …).
pub fn plan_end(n: u32) -> Option<i32> {
    match n {
        0 => None,
        1 => Some(1957),
        2 => Some(1962),
        n => Some(1966 + 5 * (n as i32 - 3) + 4),
    }
}

/// The five-year plan a text names, as its last year: 第一个五年计划, "十五五".
fn named_plan_end(text: &str) -> Option<i32> {
    let (numbered, short) = period_patterns();
    if let Some(c) = numbered.captures(text) {
        let n = super::patterns::count(c.get(1)?.as_str())?;
        return plan_end(n);
    }
    let c = short.captures(text)?;
    let n = super::patterns::count(c.get(1)?.as_str())?;
    plan_end(10 + n)
}

/// The document's year: the first full date near its start, else the year after the one
/// its review section looks back on ("一、2018年工作回顾").
pub fn document_year(text: &Text, headings: &[Heading], patterns: &Patterns, cues: &Cues) -> Option<i32> {
    let head: String = text.norm.chars().take(400).collect();
    if let Some(c) = patterns.date.captures(&head) {
        return c.name("y")?.as_str().parse().ok();
    }
    headings.iter().filter(|h| h.level == 1).find_map(|h| {
        let title = text.norm_of(h.title);
        if contains_any(title, &cues.review_words) {
            year_at(title).map(|(y, _)| y + 1)
        } else {
            None
        }
    })
}

/// A quantity that is a baseline ("从135万吨增加到…") or an absolute increment over one
/// ("比上年增加1800亿元") rather than a level or a rate to reach.
fn is_baseline(clause: &str, q: &Quantity, cues: &Cues) -> bool {
    let before = &clause[..q.start];
    let after = &clause[q.end..];
    if cues.change_to.iter().any(|w| after.starts_with(w.as_str())) {
        return true;
    }
    if let Some(lead) = cues
        .baseline_leads
        .iter()
        .filter_map(|l| before.rfind(l.as_str()))
        .max()
    {
        let between = &before[lead..];
        let verb_right_before = cues.baseline_verbs.iter().any(|v| between.ends_with(v.as_str()));
        if verb_right_before && q.unit != "%" {
            return true;
        }
    }
    false
}

/// "一个时期", "两个市场", "八个字": small counts written in Chinese numerals with a generic
/// classifier are prose, not targets.
fn is_small_count(clause: &str, q: &Quantity, cues: &Cues) -> bool {
    let written_in_words = !clause[q.start..].starts_with(|c: char| c.is_ascii_digit());
    written_in_words
        && cues.small_count_classifiers.contains(&q.unit)
        && q.max.or(q.min).is_some_and(|v| v.to_f64() < 10.0)
}

/// "钢：…增加到四百十二万吨，增长二点一倍": a growth rate stated beside the level it
/// leads to restates that level.
fn is_growth_beside_level(clause: &str, sentence: &str, q: &Quantity, cues: &Cues) -> bool {
    (q.unit == "倍" || q.unit == "%")
        && cues
            .growth_verbs
            .iter()
            .any(|v| clause[..q.start].ends_with(v.as_str()))
        && contains_any(sentence, &cues.level_verbs)
}

/// "等于一九四九年的四点二倍", "比上年增长一点二倍": a multiple of a base year is a
/// comparison, not a goal (a doubling, 翻一番, is).
fn is_comparison_multiple(clause: &str, q: &Quantity, cues: &Cues) -> bool {
    q.unit == "倍" && !clause[q.start..].starts_with('翻') && contains_any(&clause[..q.start], &cues.comparison_leads)
}

/// The deadline a clause names itself, if any: `Some(None)` when it says the target has
/// none ("全部建成后").
fn clause_deadline(clause: &str, sentence: &str, context: &Context, cues: &Cues) -> Option<Option<i32>> {
    if contains_any(clause, &cues.undated_markers) {
        return Some(None);
    }
    // A year the clause names as the time of completion ("一九五九年建成", "一九五四年计划的").
    let mut pos = 0;
    while pos < clause.len() {
        if let Some((y, len)) = year_at(&clause[pos..]) {
            let after = &clause[pos + len..];
            if after.starts_with('年') && context.year.is_none_or(|doc| y >= doc) {
                return Some(Some(y));
            }
            pos += len;
            continue;
        }
        pos += clause[pos..].chars().next().map_or(1, char::len_utf8);
    }
    if let Some(year) = context.year {
        for text in [clause, sentence] {
            if contains_any(text, &cues.next_year_words) {
                return Some(Some(year + 1));
            }
            if contains_any(text, &cues.current_year_words) {
                return Some(Some(year));
            }
            // The N years ahead include the document's own: a report of 2018 speaking of
            // 今后五年 looks to 2022.
            if let Some(n) = cues
                .coming_years
                .iter()
                .find(|(w, _)| text.contains(w.as_str()))
                .map(|(_, n)| *n)
            {
                return Some(Some(year + n - 1));
            }
        }
    }
    // A plan period named in the clause, or earlier in the sentence that introduces it
    // ("“十五五”时期…的主要目标是：地区生产总值年均增长5%左右").
    named_plan_end(clause).or_else(|| named_plan_end(sentence)).map(Some)
}

struct Clause {
    start: usize,
    end: usize,
}

/// Splits at the separators, except a comma or point between digits ("2,000", "6.5").
fn clauses_of(paragraph: &str, offset: usize, separators: &[char]) -> Vec<Clause> {
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
            out.push(Clause {
                start: offset + start,
                end: offset + i,
            });
            start = i + c.len_utf8();
        }
        previous = Some(c);
    }
    out.push(Clause {
        start: offset + start,
        end: offset + paragraph.len(),
    });
    out
}

/// Splits a clause before "和一批…"-style coordinated objects with their own quantity.
fn coordinated(norm: &str, clause: Clause, cues: &Cues) -> Vec<Clause> {
    let text = &norm[clause.start..clause.end];
    let mut out = Vec::new();
    let mut cut = clause.start;
    for (i, _) in text.match_indices('和') {
        let after = &text[i + '和'.len_utf8()..];
        if cues.plural_quantifiers.iter().any(|q| after.starts_with(q.as_str()))
            || after.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push(Clause {
                start: cut,
                end: clause.start + i,
            });
            cut = clause.start + i + '和'.len_utf8();
        }
    }
    out.push(Clause {
        start: cut,
        end: clause.end,
    });
    out
}

pub fn targets(
    text: &Text,
    all_headings: &[Heading],
    lexicon: &Lexicon,
    patterns: &Patterns,
    technologies: &[TechMention],
    context: &Context,
) -> Vec<TargetFact> {
    let cues = &lexicon.cues;
    let norm = text.norm.as_str();
    let plan_document = context
        .title
        .as_deref()
        .map(super::text::normalize)
        .and_then(|t| named_plan_end(&t));
    let default_deadline = plan_document.or(context.year);
    let mut out = Vec::new();
    let mut section_goal = false;
    let mut block_goal = false;
    let mut section_deadline: Option<i32> = None;
    for paragraph in text.paragraphs() {
        if let Some(h) = all_headings.iter().find(|h| h.paragraph == paragraph) {
            block_goal = false;
            if h.level == 1 {
                section_goal = contains_any(text.norm_of(h.title), &cues.goal_section_words)
                    && !contains_any(text.norm_of(h.title), &cues.review_words);
                section_deadline = None;
            }
        }
        let range = text.norm_range(paragraph);
        let body = &norm[range.clone()];
        if contains_any(body, &cues.goal_openers) {
            block_goal = true;
        }
        // Deadline phrases in this paragraph: (byte offset in norm where the scope starts, year).
        let mut markers: Vec<(usize, usize, i32)> = Vec::new();
        for caps in patterns
            .deadline
            .captures_iter(body)
            .chain(patterns.deadline_en.captures_iter(body))
        {
            let (Some(whole), Some(year)) = (caps.get(0), caps.name("year")) else {
                continue;
            };
            let blocked = body[..whole.start()]
                .chars()
                .next_back()
                .is_some_and(|c| cues.deadline_blocking_chars.contains(c));
            if let (Some((y, _)), false) = (year_at(year.as_str()), blocked) {
                // A deadline lies ahead of the document ("从一九五〇年到一九五四年" in a 1954
                // report is a period behind it).
                if context.year.is_none_or(|doc| y > doc) {
                    markers.push((range.start + whole.start(), range.start + whole.end(), y));
                }
            }
        }
        markers.sort();
        for sentence in clauses_of(body, range.start, SENTENCE_END) {
            let sentence_text = &norm[sentence.start..sentence.end];
            for clause in clauses_of(sentence_text, sentence.start, CLAUSE_END) {
                for part in coordinated(norm, clause, cues) {
                    let scope = markers.iter().rev().find(|m| m.1 <= part.start).map(|m| m.2);
                    let span = text.trim(text.span(part.start, part.end), TRIM);
                    if span.len() < MIN_GOAL_CHARS {
                        continue;
                    }
                    let clause_text = text.norm_of(span);
                    let clause_start = text.norm_range(span).start;
                    let found: Vec<Quantity> = quantities(clause_text, cues)
                        .into_iter()
                        .filter(|q| !is_baseline(clause_text, q, cues) && !is_small_count(clause_text, q, cues))
                        .filter(|q| !is_growth_beside_level(clause_text, sentence_text, q, cues))
                        .filter(|q| !is_comparison_multiple(clause_text, q, cues))
                        .collect();
                    if found.is_empty() {
                        let purpose = cues.purpose_leads.iter().any(|p| clause_text.starts_with(p.as_str()));
                        if let (Some(deadline), false, false) = (scope, purpose, clause_text.is_ascii()) {
                            out.push(TargetFact {
                                span,
                                deadline: Some(deadline),
                                quantity: None,
                                indicator: strip_fillers(clause_text, &cues.subject_fillers).to_owned(),
                                technologies: techs_in(technologies, span),
                            });
                        }
                        continue;
                    }
                    let sentence_so_far = &norm[sentence.start..text.norm_range(span).end];
                    let explicit_future = scope.is_some() || contains_any(sentence_so_far, &cues.next_year_words);
                    let in_block = section_goal || block_goal;
                    let clause_future = contains_any(clause_text, &cues.future_markers);
                    let forward = in_block
                        || explicit_future
                        || clause_future
                        || contains_any(sentence_so_far, &cues.strong_future_markers);
                    // In a goal block, or when the clause itself looks ahead, only the clause can
                    // look back; elsewhere an estimate or a look back anywhere in the sentence
                    // colours all of it.
                    let looks_back = if in_block || clause_future {
                        clause_text
                    } else {
                        sentence_text
                    };
                    let past = contains_any(looks_back, &cues.past_markers) && !explicit_future;
                    let hypothetical = contains_any(sentence_text, &cues.hypothetical_markers);
                    if !forward || past || hypothetical {
                        continue;
                    }
                    let deadline = clause_deadline(clause_text, sentence_so_far, context, cues)
                        .unwrap_or(scope.or(section_deadline).or(default_deadline));
                    // A clause naming a goal whose value was already stated restates it.
                    let restated: Vec<bool> = found
                        .iter()
                        .map(|q| {
                            contains_any(clause_text, &cues.restatement_markers)
                                && out.iter().any(|t: &TargetFact| {
                                    t.deadline == deadline
                                        && t.quantity.as_ref().is_some_and(|p| {
                                            (p.min, p.max, &p.unit, &p.qualifier)
                                                == (q.min, q.max, &q.unit, &q.qualifier)
                                        })
                                })
                        })
                        .collect();
                    for (i, quantity) in found.iter().enumerate() {
                        if restated[i] {
                            continue;
                        }
                        let piece_start = if i == 0 { 0 } else { found[i - 1].end };
                        let next_start = found.get(i + 1).map_or(clause_text.len(), |q| q.start);
                        // A list of targets ("3万家以上、先进级…2000家以上") splits at its 、.
                        let piece_end = clause_text[quantity.end..next_start]
                            .find('、')
                            .map_or(next_start, |i| quantity.end + i);
                        let piece = text.trim(text.span(clause_start + piece_start, clause_start + piece_end), TRIM);
                        let located = Quantity {
                            start: quantity.start + clause_start,
                            end: quantity.end + clause_start,
                            ..quantity.clone()
                        };
                        for indicator in indicators(clause_text, quantity, piece_start, piece_end, cues) {
                            out.push(TargetFact {
                                span: piece,
                                deadline,
                                quantity: Some(located.clone()),
                                indicator,
                                technologies: techs_in(technologies, piece),
                            });
                        }
                    }
                }
            }
            if let Some(last) = markers.iter().rev().find(|m| m.1 <= sentence.end) {
                section_deadline = Some(last.2);
            }
        }
    }
    out
}

fn strip_fillers<'a>(mut text: &'a str, fillers: &[String]) -> &'a str {
    while let Some(rest) = fillers.iter().find_map(|f| text.strip_prefix(f.as_str())) {
        text = rest;
    }
    text
}

/// What a quantity measures: the phrase before the number ("国内生产总值增长5%左右"),
/// or, when only a verb precedes it, the object after its unit ("打造100个高质量数据集").
/// A doubling of coordinated subjects ("国内生产总值和城乡居民人均收入比二0一0年翻一番")
/// is one target per subject.
fn indicators(clause: &str, quantity: &Quantity, piece_start: usize, piece_end: usize, cues: &Cues) -> Vec<String> {
    let before = strip_fillers(
        clause[piece_start..quantity.start].trim_matches(TRIM),
        &cues.subject_fillers,
    );
    let before = cues
        .baseline_leads
        .iter()
        .filter_map(|l| before.find(l.as_str()))
        .min()
        .map_or(before, |i| &before[..i]);
    let before = strip_fillers(before, &cues.goal_verbs_before_object);
    let after = clause[quantity.end..piece_end].trim_matches(TRIM);
    if clause.is_ascii() {
        // English puts the measured thing after the number: "30 percent of new factories".
        let object = after.trim_end_matches('.').trim();
        let object = object.strip_prefix("of ").unwrap_or(object);
        let subject = before.strip_prefix("and ").unwrap_or(before);
        return vec![if object.len() >= 2 {
            object.to_owned()
        } else {
            subject.to_owned()
        }];
    }
    let verb_only = before.is_empty() || cues.goal_verbs_before_object.iter().any(|v| before == v.as_str());
    if verb_only && after.chars().count() >= 2 {
        return vec![after.to_owned()];
    }
    if quantity.unit == "倍" {
        let parts: Vec<&str> = before.split('和').filter(|p| p.chars().count() >= 2).collect();
        if parts.len() == 2 {
            return parts.into_iter().map(str::to_owned).collect();
        }
    }
    vec![before.to_owned()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restated_goal_is_one_target() {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let text = "——2024年3月5日\n今年发展主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上。\n提出上述预期目标，经济增长预期目标为5%左右，考虑了促进就业增收的需要。\n";
        let facts = crate::extract::extract(text, &lexicon);
        let values: Vec<(String, String, Option<i32>)> = facts
            .targets
            .iter()
            .filter_map(|t| {
                t.quantity.as_ref().map(|q| {
                    (
                        q.min.map(|d| d.to_string()).unwrap_or_default(),
                        q.unit.clone(),
                        t.deadline,
                    )
                })
            })
            .collect();
        assert_eq!(
            values,
            [
                ("5".to_owned(), "%".to_owned(), Some(2024)),
                ("1200".to_owned(), "万人".to_owned(), Some(2024))
            ]
        );
    }

    #[test]
    fn the_coming_years_count_from_the_document_year() {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let facts = crate::extract::extract("——2018年3月5日\n今后五年，要确保城镇新增就业5000万人以上。\n", &lexicon);
        let deadlines: Vec<Option<i32>> = facts
            .targets
            .iter()
            .filter(|t| t.quantity.is_some())
            .map(|t| t.deadline)
            .collect();
        assert_eq!(deadlines, [Some(2022)]);
    }

    #[test]
    fn five_year_plans_end_in_their_last_year() {
        assert_eq!(plan_end(1), Some(1957));
        assert_eq!(plan_end(14), Some(2025));
        assert_eq!(named_plan_end("“十五五”时期经济社会发展"), Some(2030));
        assert_eq!(named_plan_end("在第一个五年计划期间"), Some(1957));
        assert_eq!(named_plan_end("今年"), None);
    }
}

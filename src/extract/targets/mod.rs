//! Targets: the goals a document sets, with their deadline.
//!
//! Three steps:
//! - [`clauses::segment`] cuts the text into paragraphs and clauses, each with its
//!   quantities and the goal frame around it: a deadline phrase ("到2030年，…") whose scope
//!   runs to the next one or the end of the paragraph, a goal block (a paragraph that
//!   announces goals, "主要目标是：…", up to the next heading) or a section named as a plan;
//! - [`clauses::assign_deadlines`] walks the outline once and gives every clause the
//!   deadline in force and where it came from (the clause, its sentence, a deadline phrase,
//!   the lead paragraph of its block, its section, the document);
//! - [`rules::RULES`] decide, in order, for every quantity of every clause: Keep or
//!   Drop(reason). The first rule that decides wins.
//!
//! A clause without a quantity (or whose quantities are all dropped as numbers) inside a
//! deadline phrase's scope is an unquantified target. [`Explanation`]s record every verdict.

mod clauses;
pub use clauses::DeadlineWords;
pub mod rules;

use super::mentions::techs_in;
use super::numbers::{year_at, Quantity};
use super::outline::Heading;
use super::patterns::Patterns;
use super::text::{contains_any, Span, Text};
use super::{Context, OutcomeFact, TargetFact, TechMention};
use crate::lexicon::{Cues, Lexicon};
pub use clauses::{DeadlineOrigin, Scope};
pub use rules::Verdict;
use rules::{ClauseView, Ctx, Stage};

const TRIM: &[char] = &[
    '，', ',', '；', ';', '。', '、', '：', ':', ' ', '\u{3000}', '—', '-', '•',
];

/// The five-year plan a text names, as its last year: 第一个五年计划, "十五五".
fn named_plan_end(text: &str) -> Option<i32> {
    super::document::five_year_plan(text).map(|(_, end)| end)
}

/// Characters of the opening in which a document without a title says what it is about.
const OPENING_CHARS: usize = 300;
/// Characters after 关于 in which the plan is named.
const SUBJECT_CHARS: usize = 40;

/// The plan a document without a title says it is about in its opening: a report or a
/// proposal "关于第二个五年计划的…", "关于“十五五”规划纲要的说明". Its last year is the
/// deadline of the document's targets, as a plan title's would be.
fn opening_plan(norm: &str, cues: &Cues) -> Option<i32> {
    let opening: String = norm.chars().take(OPENING_CHARS).collect();
    cues.subject_leads.iter().filter(|w| !w.is_empty()).find_map(|lead| {
        opening.match_indices(lead.as_str()).find_map(|(at, _)| {
            let subject: String = opening[at + lead.len()..]
                .chars()
                .take_while(|c| !matches!(c, '。' | '\n'))
                .take(SUBJECT_CHARS)
                .collect();
            named_plan_end(&subject)
        })
    })
}

/// The document's year: the first full date near its start, else the year after the one
/// its review section looks back on ("一、2030年工作回顾" → 2031).
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

/// Why one quantity of the text is, or is not, a target.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The characters of the quantity.
    pub span: Span,
    /// The clause it was judged in.
    pub clause: Span,
    /// The quantity, with byte offsets into the normalized text.
    pub quantity: Quantity,
    /// The rule that decided.
    pub rule: &'static str,
    pub verdict: Verdict,
    /// The deadline in force over its clause, and where it came from.
    pub scope: Scope,
}

/// The targets of a document, and an explanation for every quantity in it.
pub fn targets(
    text: &Text,
    all_headings: &[Heading],
    lexicon: &Lexicon,
    patterns: &Patterns,
    technologies: &[TechMention],
    context: &Context,
) -> Goals {
    let cues = &lexicon.cues;
    let norm = text.norm.as_str();
    let plan_document = match context.title.as_deref() {
        Some(title) => super::document::plan_period(&super::text::normalize(title)).map(|(_, end)| end),
        None => opening_plan(norm, cues),
    };
    let mut paragraphs = clauses::segment(text, all_headings, patterns, cues, context);
    clauses::assign_deadlines(&mut paragraphs, norm, patterns, cues, context, plan_document);
    let mut out: Vec<TargetFact> = Vec::new();
    let mut outcomes: Vec<OutcomeFact> = Vec::new();
    let review: Vec<Span> = paragraphs
        .iter()
        .filter(|p| p.clauses.first().is_some_and(|c| c.review))
        .map(|p| text.span(p.range.start, p.range.end))
        .collect();
    let mut explanations = Vec::new();
    for clause in paragraphs.iter().flat_map(|p| &p.clauses) {
        let clause_text = &norm[clause.range.clone()];
        let clause_start = clause.range.start;
        let view = ClauseView {
            text: clause_text,
            sentence: &norm[clause.sentence.clone()],
            so_far: &norm[clause.sentence.start..clause.range.end],
            in_phrase_scope: clause.phrase.is_some(),
            goal_frame: clause.goal_frame,
            deadline: clause.scope.year,
            review: clause.review,
        };
        let located = |q: &Quantity| Quantity {
            start: q.start + clause_start,
            end: q.end + clause_start,
            ..q.clone()
        };
        let mut explain = |q: &Quantity, rule: &'static str, verdict: Verdict| {
            let q = located(q);
            explanations.push(Explanation {
                span: text.span(q.start, q.end),
                clause: clause.span,
                quantity: q,
                rule,
                verdict,
                scope: clause.scope,
            });
        };
        let ctx = Ctx { cues, kept: &out };
        let mut found: Vec<&Quantity> = Vec::new();
        let mut void = false;
        for q in &clause.quantities {
            match rules::judge(&view, q, &ctx, Stage::Number) {
                Some((rule, verdict)) => {
                    void |= rule.voids_clause;
                    explain(q, rule.name, verdict);
                }
                None => found.push(q),
            }
        }
        if void {
            continue;
        }
        if found.is_empty() {
            // An unquantified goal states a state to reach ("体系基本建立", "建成…"), not a
            // purpose (为…), an action (推广…, 加大…) or a circumstance (在…中).
            let purpose = cues
                .purpose_leads
                .iter()
                .chain(&cues.action_leads)
                .any(|p| !p.is_empty() && clause_text.starts_with(p.as_str()));
            let fragment = clause.span.len() < rules::MIN_GOAL_CHARS;
            if let (Some(deadline), false, false, false) = (clause.phrase, purpose, fragment, clause_text.is_ascii()) {
                out.push(TargetFact {
                    span: clause.span,
                    deadline: Some(deadline),
                    quantity: None,
                    indicator: strip_fillers(clause_text, &cues.subject_fillers).to_owned(),
                    technologies: techs_in(technologies, clause.span),
                });
            }
            continue;
        }
        let verdicts: Vec<(&'static str, Verdict)> = found
            .iter()
            .map(|q| rules::judge(&view, q, &ctx, Stage::Clause).map_or(("none", Verdict::Keep), |(r, v)| (r.name, v)))
            .collect();
        let mut kept = Vec::new();
        for (i, (quantity, (rule, verdict))) in found.iter().zip(verdicts).enumerate() {
            let keep = verdict == Verdict::Keep;
            let outcome = matches!(verdict, Verdict::Outcome(_));
            explain(quantity, rule, verdict);
            if !keep && !outcome {
                continue;
            }
            let piece_start = if i == 0 { 0 } else { found[i - 1].end };
            let next_start = found.get(i + 1).map_or(clause_text.len(), |q| q.start);
            // A list of targets ("示范企业500家以上、领军企业50家以上") splits at its 、.
            let piece_end = clause_text[quantity.end..next_start]
                .find('、')
                .map_or(next_start, |i| quantity.end + i);
            let piece = text.trim(text.span(clause_start + piece_start, clause_start + piece_end), TRIM);
            for indicator in indicators(clause_text, quantity, piece_start, piece_end, cues) {
                let indicator = clean_indicator(&with_subject(indicator, view.so_far, clause_text, cues), cues);
                if outcome {
                    outcomes.push(OutcomeFact {
                        span: piece,
                        year: outcome_year(view.so_far, clause.review_year, cues, context),
                        quantity: located(quantity),
                        indicator,
                        technologies: techs_in(technologies, piece),
                    });
                    continue;
                }
                kept.push(TargetFact {
                    span: piece,
                    deadline: clause.scope.year,
                    quantity: Some(located(quantity)),
                    indicator,
                    technologies: techs_in(technologies, piece),
                });
            }
        }
        out.extend(kept);
    }
    explanations.sort_by_key(|e| (e.span.start, e.span.end));
    Goals {
        targets: out,
        outcomes,
        explanations,
        review,
    }
}

/// What the target pass finds in a document.
#[derive(Debug, Clone, Default)]
pub struct Goals {
    pub targets: Vec<TargetFact>,
    /// Results the document reports.
    pub outcomes: Vec<OutcomeFact>,
    /// Why each quantity is a target, an outcome or neither, in text order.
    pub explanations: Vec<Explanation>,
    /// The paragraphs that look back (review sections, 过去一年…).
    pub review: Vec<Span>,
}

/// An indicator that is only a verb of change ("增长" in "国内生产总值超过90万亿元，增长6%")
/// measures the subject of the clause before it: "国内生产总值增长".
fn with_subject(indicator: String, so_far: &str, clause: &str, cues: &Cues) -> String {
    if !cues.growth_verbs.contains(&indicator) {
        return indicator;
    }
    let prior = so_far.strip_suffix(clause).unwrap_or(so_far).trim_end_matches(TRIM);
    let previous = prior.rsplit(['，', ',', '；', ';', '：', ':']).next().unwrap_or("");
    // The subject ends where the previous clause's own verb or number begins.
    let subject_end = previous
        .char_indices()
        .find(|&(i, c)| {
            c.is_ascii_digit()
                || cues
                    .level_verbs
                    .iter()
                    .chain(&cues.growth_verbs)
                    .chain(&cues.exceed_words)
                    .any(|v| !v.is_empty() && previous[i..].starts_with(v.as_str()))
        })
        .map_or(previous.len(), |(i, _)| i);
    let subject = strip_fillers(previous[..subject_end].trim_matches(TRIM), &cues.subject_fillers);
    if subject.chars().count() < 2 || subject.chars().count() > MAX_SUBJECT_CHARS {
        return indicator;
    }
    format!("{subject}{indicator}")
}

/// An indicator without the time it is said of ("2030年", "去年", "预计今年") or the verb
/// that leads to its value ("达到", "提高到", "平均为"): "粮食产量", "城镇化率". A verb of
/// change (增长, 下降) stays: a rate is not a level.
fn clean_indicator(indicator: &str, cues: &Cues) -> String {
    let mut text = indicator.trim_matches(TRIM);
    loop {
        let year = year_at(text).filter(|(_, len)| text[*len..].starts_with('年'));
        let before = text;
        if let Some((_, len)) = year {
            text = &text[len + '年'.len_utf8()..];
        }
        text = strip_fillers(text, &cues.indicator_lead_words);
        if text == before {
            break;
        }
    }
    while let Some(rest) = cues
        .indicator_tail_words
        .iter()
        .filter(|w| !w.is_empty())
        .find_map(|w| text.strip_suffix(w.as_str()))
    {
        text = rest;
    }
    let text = text.trim_matches(TRIM);
    if text.chars().count() < 2 {
        return indicator.to_owned();
    }
    text.to_owned()
}

/// What an English quantity measures. "GDP growth of around 5 percent", "grain output of
/// over 650 million tons": the subject before "of". "a drop of 2.5 percent in energy use":
/// the change and what it is in. Else the measured thing after the number ("30 percent of
/// new factories", "12 million new urban jobs"), or the subject.
fn english_indicator(before: &str, after: &str) -> String {
    let subject = before.trim_start_matches(LIST_MARKS);
    let subject = subject.strip_prefix("and ").unwrap_or(subject).trim();
    let object = after.trim_end_matches('.').trim();
    let of_subject = subject.strip_suffix(" of").map(str::trim).filter(|s| !s.is_empty());
    if let (Some(change), Some(what)) = (of_subject, object.strip_prefix("in ")) {
        let change = ["a ", "an ", "the "]
            .iter()
            .find_map(|a| change.strip_prefix(a))
            .unwrap_or(change);
        return format!("{change} in {what}");
    }
    if let Some(s) = of_subject {
        return s.to_owned();
    }
    let object = object.strip_prefix("of ").unwrap_or(object);
    if object.len() >= 2 {
        object.to_owned()
    } else {
        subject.to_owned()
    }
}

/// Marks that open a list item ("- ", "-- ", "• ").
const LIST_MARKS: &[char] = &['-', '—', '•', '·', '*', ' '];

/// Longest subject carried from one clause to the next.
const MAX_SUBJECT_CHARS: usize = 16;

/// The year a result reports on: a year its sentence names up to it (not the base of a
/// comparison: 比2030年), 去年, 今年, else the year its review section names, else the year
/// before the document's.
fn outcome_year(so_far: &str, review_year: Option<i32>, cues: &Cues, context: &Context) -> Option<i32> {
    let mut named = None;
    for (i, _) in so_far.char_indices() {
        if so_far[..i].ends_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let Some((y, len)) = year_at(&so_far[i..]) else {
            continue;
        };
        let base = cues
            .baseline_leads
            .iter()
            .chain(&cues.from_words)
            .any(|w| !w.is_empty() && so_far[..i].ends_with(w.as_str()));
        if so_far[i + len..].starts_with('年') && !base && context.year.is_none_or(|doc| y <= doc) {
            named = Some(y);
        }
    }
    let last_year = context.year.map(|y| y - 1);
    named
        .or_else(|| {
            contains_any(so_far, &cues.last_year_words)
                .then_some(last_year)
                .flatten()
        })
        // An estimate of the year under way ("预计今年…").
        .or_else(|| {
            contains_any(so_far, &cues.this_year_words)
                .then_some(context.year)
                .flatten()
        })
        .or(review_year)
        .or(last_year)
}

fn strip_fillers<'a>(mut text: &'a str, fillers: &[String]) -> &'a str {
    while let Some(rest) = fillers.iter().find_map(|f| text.strip_prefix(f.as_str())) {
        text = rest;
    }
    text
}

/// What a quantity measures: the phrase before the number ("粮食产量达到7亿吨",
/// "研发投入增长8%左右"), or, when only a verb precedes it, the object after its unit
/// ("培育100家领军企业", "建设30个示范区"). A doubling of coordinated subjects
/// ("出口总额和进口总额比2030年翻一番", "甲和乙翻一番")
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
        return vec![english_indicator(before, after)];
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
    fn the_coming_years_count_from_the_document_year() {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let facts = crate::extract::extract("2018年3月5日\n今后五年，要确保新建保障住房300万套以上。\n", &lexicon);
        let deadlines: Vec<Option<i32>> = facts
            .targets
            .iter()
            .filter(|t| t.quantity.is_some())
            .map(|t| t.deadline)
            .collect();
        assert_eq!(deadlines, [Some(2022)]);
    }

    /// The deadline in force over each kept or dropped quantity, by its quote.
    fn deadlines(text: &str) -> Vec<(String, Option<i32>, &'static str)> {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let facts = crate::extract::extract(text, &lexicon);
        facts
            .explanations
            .iter()
            .map(|e| (facts.text.quote(e.span).to_owned(), e.scope.year, e.scope.origin.name()))
            .collect()
    }

    fn owned(expected: &[(&str, Option<i32>, &'static str)]) -> Vec<(String, Option<i32>, &'static str)> {
        expected.iter().map(|(q, y, o)| ((*q).to_owned(), *y, *o)).collect()
    }

    #[test]
    fn a_lead_paragraph_governs_the_numbered_block_after_it() {
        let text = "2021年3月1日\n“十四五”时期的主要目标：\n1. 粮食产量达到7亿吨。\n2. 森林覆盖率达到25%。\n今年要新建学校10所。\n要建设公园20个。\n";
        assert_eq!(
            deadlines(text),
            owned(&[
                ("7亿吨", Some(2025), "lead-paragraph"),
                ("25%", Some(2025), "lead-paragraph"),
                ("10所", Some(2021), "clause"),
                ("20个", Some(2021), "document-year"),
            ])
        );
        // A deadline phrase in the lead also puts its items in the phrase's scope.
        let text = "2021年3月1日\n到2030年，实现以下目标：\n（一）新建铁路5000公里。\n（二）新建机场30个。\n";
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let facts = crate::extract::extract(text, &lexicon);
        let kept: Vec<(&str, Option<i32>, &str)> = facts
            .explanations
            .iter()
            .map(|e| (facts.text.quote(e.span), e.scope.year, e.rule))
            .collect();
        assert_eq!(
            kept,
            [
                ("5000公里", Some(2030), "deadline-scope"),
                ("30个", Some(2030), "deadline-scope")
            ]
        );
    }

    #[test]
    fn a_year_named_with_its_goal_governs_what_follows() {
        let text = "2031年3月1日\n今年已经确定2035年单位产值能耗下降目标，由原来的下降10%，提高为下降15%。\n2040年主要指标：森林覆盖率达到30%。\n";
        assert_eq!(
            deadlines(text),
            owned(&[
                ("10%", Some(2035), "deadline-phrase"),
                ("15%", Some(2035), "deadline-phrase"),
                ("30%", Some(2040), "deadline-phrase"),
            ])
        );
    }

    #[test]
    fn a_period_of_years_binds_only_its_sentence() {
        let text = "1990年3月1日\n从1991年到1995年的五年间，要新建铁路5000公里。\n要新建公路3万公里。\n";
        assert_eq!(
            deadlines(text),
            owned(&[
                ("5000公里", Some(1995), "period"),
                ("3万公里", Some(1990), "document-year"),
            ])
        );
    }

    #[test]
    fn points_of_a_century_and_plan_ends_resolve_to_years() {
        let text = "1992年3月1日\n到本世纪末，人均收入要达到800美元。\n到下世纪中叶，人均产值要达到4000美元。\n";
        assert_eq!(
            deadlines(text),
            owned(&[
                ("800美元", Some(2000), "sentence"),
                ("4000美元", Some(2050), "sentence"),
            ])
        );
        let text =
            "2021年3月1日\n到“十四五”末，要建成基站60万个。\n本世纪中叶要建成科技强国，研发人员要达到500万人。\n";
        assert_eq!(
            deadlines(text),
            owned(&[("60万个", Some(2025), "sentence"), ("500万人", Some(2050), "sentence"),])
        );
    }

    #[test]
    fn a_document_without_a_title_is_about_the_plan_its_opening_names() {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let cues = &lexicon.cues;
        assert_eq!(
            opening_plan("各位代表：\n现在我向大会作关于第二个五年计划的报告。\n", cues),
            Some(1962)
        );
        assert_eq!(opening_plan("关于“十五五”规划纲要的说明\n", cues), Some(2030));
        // A plan named elsewhere than after 关于 is not the document's subject.
        assert_eq!(
            opening_plan("各位代表：\n第二个五年计划期间，工业增长很快。\n", cues),
            None
        );
        // The base year of a comparison is not a deadline, nor a year in an aside.
        assert_eq!(
            deadlines("关于第二个五年计划的报告\n钢产量将由1957年的500万吨上升到1200万吨（1957年尚不能达到）。\n"),
            owned(&[
                ("500万吨", Some(1962), "plan-title"),
                ("1200万吨", Some(1962), "plan-title")
            ])
        );
    }

    #[test]
    fn a_capacity_after_completion_is_dated_by_the_completion_its_sentence_names() {
        let text = "2030年2月1日\n新电厂全部建成后的发电能力将为120万千瓦，2034年建成。\n新港区全部建成后的吞吐能力将为5000万吨，计划期内建成。\n新矿区全部建成后的年产能力将为800万吨。\n";
        assert_eq!(
            deadlines(text),
            owned(&[
                ("120万千瓦", Some(2034), "sentence"),
                ("5000万吨", Some(2030), "document-year"),
                ("800万吨", None, "undated"),
            ])
        );
    }

    #[test]
    fn five_year_plans_end_in_their_last_year() {
        assert_eq!(named_plan_end("“十五五”时期经济社会发展"), Some(2030));
        assert_eq!(named_plan_end("在第一个五年计划期间"), Some(1957));
        assert_eq!(named_plan_end("今年"), None);
    }

    #[test]
    fn a_period_in_the_title_dates_the_goals_that_name_no_year() {
        let text = "某某产业发展行动计划（2031—2034年）\n一、主要目标\n培育骨干企业50家，建成试验线10条。\n";
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let facts = crate::extract::extract(text, &lexicon);
        let years: Vec<Option<i32>> = facts.targets.iter().map(|t| t.deadline).collect();
        assert_eq!(years, vec![Some(2034), Some(2034)]);
    }

    #[test]
    fn outcomes_carry_the_year_they_report_on() {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let text = "2031年3月5日\n一、2030年工作回顾\n地区生产总值超过9万亿元，增长5.5%。2029年新建学校20所。去年粮食产量达到600亿斤。\n二、2031年工作任务\n预计今年高校毕业生超过30万人。要新建学校40所。\n";
        let facts = crate::extract::extract(text, &lexicon);
        let outcomes: Vec<(&str, Option<i32>, &str)> = facts
            .outcomes
            .iter()
            .map(|o| (facts.text.quote(o.span), o.year, o.indicator.as_str()))
            .collect();
        assert_eq!(
            outcomes,
            [
                ("地区生产总值超过9万亿元", Some(2030), "地区生产总值"),
                ("增长5.5%", Some(2030), "地区生产总值增长"),
                ("2029年新建学校20所", Some(2029), "新建学校"),
                ("去年粮食产量达到600亿斤", Some(2030), "粮食产量"),
                ("预计今年高校毕业生超过30万人", Some(2031), "高校毕业生"),
            ]
        );
        let targets: Vec<&str> = facts.targets.iter().map(|t| facts.text.quote(t.span)).collect();
        assert_eq!(targets, ["要新建学校40所"]);
    }

    #[test]
    fn english_goal_lists_give_targets_with_their_indicators() {
        let lexicon = crate::lexicon::Lexicon::builtin().expect("lexicon");
        let text = "March 5, 2031\nThe main targets for development this year are as follows:\n-- GDP growth of around 4 percent\n-- over 11 million new urban jobs\n-- a drop of around 3 percent in energy consumption per unit of GDP\n-- grain output of over 700 million metric tons\n";
        let facts = crate::extract::extract(text, &lexicon);
        let got: Vec<(&str, Option<i32>, Option<&str>)> = facts
            .targets
            .iter()
            .map(|t| {
                let concept = lexicon
                    .indicator_of(&t.indicator)
                    .map(|i| lexicon.indicators[i].id.as_str());
                (t.indicator.as_str(), t.deadline, concept)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("GDP growth", Some(2031), Some("gdp-growth")),
                ("new urban jobs", Some(2031), Some("new-urban-jobs")),
                (
                    "drop in energy consumption per unit of GDP",
                    Some(2031),
                    Some("energy-intensity-reduction")
                ),
                ("grain output", Some(2031), Some("grain-output")),
            ]
        );
    }
}

//! The target rules: an ordered list, each answering Keep or Drop for one quantity of one
//! clause, or passing. The first rule that decides wins.
//!
//! Number rules look at the quantity itself (a baseline, a count of the document's parts,
//! an idiom): a clause whose every quantity they drop is read as a clause without a number.
//! Clause rules look at the clause around it (looking back, hypothetical, a goal frame).
//! Trigger words are data (`cues.json`); the rules hold only the pattern.

use super::super::numbers::Quantity;
use super::super::text::contains_any;
use super::super::TargetFact;
use crate::lexicon::Cues;

/// A clause needs this many characters to be a goal of its own.
pub const MIN_GOAL_CHARS: usize = 4;

/// What a rule says of a quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    /// Why it is not a target, with the words that show it.
    Drop(String),
}

/// Whether a rule reads the number or the clause around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Number,
    Clause,
}

/// The clause a quantity is judged in (normalized text, byte offsets).
#[derive(Debug, Clone, Copy)]
pub struct ClauseView<'a> {
    pub text: &'a str,
    /// The whole sentence.
    pub sentence: &'a str,
    /// The sentence up to the end of the clause.
    pub so_far: &'a str,
    /// A deadline phrase's scope covers the clause (到2027年，…).
    pub in_phrase_scope: bool,
    /// Inside a goal block or a section named as a plan.
    pub goal_frame: bool,
    /// The deadline in force.
    pub deadline: Option<i32>,
}

/// What the rules may consult beyond the clause.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub cues: &'a Cues,
    /// The targets kept before this clause.
    pub kept: &'a [TargetFact],
}

pub struct Rule {
    /// Stable kebab-case identifier, as `explain` prints it.
    pub name: &'static str,
    /// The pattern of policy language, in one line.
    pub doc: &'static str,
    pub stage: Stage,
    pub decide: fn(&ClauseView<'_>, &Quantity, &Ctx<'_>) -> Option<Verdict>,
}

/// The rules, in the order they are asked.
pub const RULES: &[Rule] = &[
    Rule {
        name: "short-clause",
        doc: "a clause of fewer than four characters is a fragment, not a goal",
        stage: Stage::Number,
        decide: short_clause,
    },
    Rule {
        name: "baseline",
        doc: "the starting level of a change (从X增加到Y, 比…的X): Y is the goal, X is not",
        stage: Stage::Number,
        decide: baseline,
    },
    Rule {
        name: "increment",
        doc: "an absolute change over a base (比上年增加X); a rate (比上年增长X%) stays",
        stage: Stage::Number,
        decide: increment,
    },
    Rule {
        name: "document-count",
        doc: "a count of the document's own parts (N项重点任务, N个主要指标, N个专栏, N个部门)",
        stage: Stage::Number,
        decide: document_count,
    },
    Rule {
        name: "prose-count",
        doc: "a small count in Chinese numerals with a generic classifier (两个市场, 一个时期)",
        stage: Stage::Number,
        decide: prose_count,
    },
    Rule {
        name: "idiom",
        doc: "a set phrase with a number in it (最后一公里, 一站式)",
        stage: Stage::Number,
        decide: idiom,
    },
    Rule {
        name: "growth-beside-level",
        doc: "a growth rate stated beside the level it leads to (增加到X吨，增长N倍) restates it",
        stage: Stage::Number,
        decide: growth_beside_level,
    },
    Rule {
        name: "comparison-multiple",
        doc: "a multiple of a base (等于某年的N倍, 比上年增长N倍) compares; a doubling (翻一番) is a goal",
        stage: Stage::Number,
        decide: comparison_multiple,
    },
    Rule {
        name: "hypothetical",
        doc: "a sentence that supposes (如果, 只要) sets no goal",
        stage: Stage::Clause,
        decide: hypothetical,
    },
    Rule {
        name: "look-back",
        doc: "a clause that reports or estimates (了, 已经, 预计) and names no deadline ahead",
        stage: Stage::Clause,
        decide: look_back,
    },
    Rule {
        name: "restatement",
        doc: "a clause naming a goal already stated with the same value and deadline (目标为X)",
        stage: Stage::Clause,
        decide: restatement,
    },
    Rule {
        name: "deadline-scope",
        doc: "a deadline phrase (到2027年, 明年) covers the clause",
        stage: Stage::Clause,
        decide: deadline_scope,
    },
    Rule {
        name: "goal-block",
        doc: "the clause is in a goal block (主要目标是：…) or a section named as a plan",
        stage: Stage::Clause,
        decide: goal_block,
    },
    Rule {
        name: "future-clause",
        doc: "the clause speaks of the future (将, 要, 力争) or its sentence sets a goal (目标, 计划)",
        stage: Stage::Clause,
        decide: future_clause,
    },
    Rule {
        name: "no-future-frame",
        doc: "nothing frames the quantity as a goal",
        stage: Stage::Clause,
        decide: no_future_frame,
    },
];

/// The first rule that decides on the quantity, and its verdict; only the rules of
/// `stage` are asked.
pub fn judge(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>, stage: Stage) -> Option<(&'static Rule, Verdict)> {
    RULES
        .iter()
        .filter(|r| r.stage == stage)
        .find_map(|r| (r.decide)(view, q, ctx).map(|v| (r, v)))
}

fn first_in<'w>(text: &str, words: &'w [String]) -> Option<&'w str> {
    words
        .iter()
        .filter(|w| !w.is_empty())
        .find(|w| text.contains(w.as_str()))
        .map(String::as_str)
}

fn drop(reason: String) -> Option<Verdict> {
    Some(Verdict::Drop(reason))
}

fn short_clause(view: &ClauseView<'_>, _: &Quantity, _: &Ctx<'_>) -> Option<Verdict> {
    let chars = view.text.chars().count();
    (chars < MIN_GOAL_CHARS).then(|| Verdict::Drop(format!("{chars} characters")))
}

fn baseline(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    let after = &view.text[q.end..];
    if let Some(verb) = ctx.cues.change_to.iter().find(|w| after.starts_with(w.as_str())) {
        return drop(format!("followed by {verb}"));
    }
    // 比…的X: the level of the base the comparison is made against.
    let before = &view.text[..q.start];
    let lead = ctx
        .cues
        .baseline_leads
        .iter()
        .filter_map(|l| before.rfind(l.as_str()))
        .max()?;
    let between = &before[lead..];
    (between.ends_with('的') && !contains_any(between, &ctx.cues.baseline_verbs))
        .then(|| Verdict::Drop(format!("the base of {between}")))
}

fn increment(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    if q.unit == "%" {
        return None;
    }
    let before = &view.text[..q.start];
    let lead = ctx
        .cues
        .baseline_leads
        .iter()
        .filter_map(|l| before.rfind(l.as_str()))
        .max()?;
    let between = &before[lead..];
    let verb = ctx.cues.baseline_verbs.iter().find(|v| between.ends_with(v.as_str()))?;
    drop(format!("an increment: {between} ({verb})"))
}

fn document_count(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    let after = &view.text[q.end..];
    let noun = ctx
        .cues
        .document_count_nouns
        .iter()
        .filter(|n| !n.is_empty())
        .find(|n| after.starts_with(n.as_str()) || q.unit.ends_with(n.as_str()))?;
    drop(format!("counts the document's {noun}"))
}

fn prose_count(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    let written_in_words = !view.text[q.start..].starts_with(|c: char| c.is_ascii_digit());
    (written_in_words
        && ctx.cues.small_count_classifiers.contains(&q.unit)
        && q.max.or(q.min).is_some_and(|v| v.to_f64() < 10.0))
    .then(|| Verdict::Drop(format!("a small count with {}", q.unit)))
}

fn idiom(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    ctx.cues.idioms.iter().filter(|w| !w.is_empty()).find_map(|w| {
        view.text
            .match_indices(w.as_str())
            .any(|(at, _)| at <= q.start && q.start < at + w.len())
            .then(|| Verdict::Drop(format!("inside {w}")))
    })
}

fn growth_beside_level(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    if q.unit != "倍" && q.unit != "%" {
        return None;
    }
    let verb = ctx
        .cues
        .growth_verbs
        .iter()
        .find(|v| view.text[..q.start].ends_with(v.as_str()))?;
    let level = first_in(view.sentence, &ctx.cues.level_verbs)?;
    drop(format!("{verb} beside the level {level}"))
}

fn comparison_multiple(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    if q.unit != "倍" || view.text[q.start..].starts_with('翻') {
        return None;
    }
    let lead = first_in(&view.text[..q.start], &ctx.cues.comparison_leads)?;
    drop(format!("a multiple after {lead}"))
}

fn hypothetical(view: &ClauseView<'_>, _: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    first_in(view.sentence, &ctx.cues.hypothetical_markers).map(|w| Verdict::Drop(format!("supposes: {w}")))
}

/// A deadline phrase covers the clause, or its sentence speaks of next year.
fn explicit_future(view: &ClauseView<'_>, cues: &Cues) -> bool {
    view.in_phrase_scope || contains_any(view.so_far, &cues.next_year_words)
}

fn look_back(view: &ClauseView<'_>, _: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    if explicit_future(view, ctx.cues) {
        return None;
    }
    // In a goal frame, or when the clause itself looks ahead, only the clause can look
    // back; elsewhere an estimate or a look back anywhere in the sentence colours all of it.
    let clause_future = contains_any(view.text, &ctx.cues.future_markers);
    let text = if view.goal_frame || clause_future {
        view.text
    } else {
        view.sentence
    };
    first_in(text, &ctx.cues.past_markers).map(|w| Verdict::Drop(format!("looks back: {w}")))
}

fn restatement(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    let marker = first_in(view.text, &ctx.cues.restatement_markers)?;
    ctx.kept
        .iter()
        .any(|t| {
            t.deadline == view.deadline
                && t.quantity
                    .as_ref()
                    .is_some_and(|p| (p.min, p.max, &p.unit, &p.qualifier) == (q.min, q.max, &q.unit, &q.qualifier))
        })
        .then(|| Verdict::Drop(format!("{marker} a goal already stated")))
}

fn deadline_scope(view: &ClauseView<'_>, _: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    explicit_future(view, ctx.cues).then_some(Verdict::Keep)
}

fn goal_block(view: &ClauseView<'_>, _: &Quantity, _: &Ctx<'_>) -> Option<Verdict> {
    view.goal_frame.then_some(Verdict::Keep)
}

fn future_clause(view: &ClauseView<'_>, _: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    (contains_any(view.text, &ctx.cues.future_markers) || contains_any(view.so_far, &ctx.cues.strong_future_markers))
        .then_some(Verdict::Keep)
}

fn no_future_frame(_: &ClauseView<'_>, _: &Quantity, _: &Ctx<'_>) -> Option<Verdict> {
    drop("no deadline, goal block or future marker".to_owned())
}

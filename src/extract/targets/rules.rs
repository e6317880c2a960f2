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
    /// Not a goal but a result the text reports (an outcome), with the words that show it.
    Outcome(String),
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
    /// Inside a review section or a paragraph that looks back.
    pub review: bool,
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
    /// A clause holding a number this rule drops is no goal at all, not even one without
    /// a number (a clause counting the document's tasks describes the document).
    pub voids_clause: bool,
    pub decide: fn(&ClauseView<'_>, &Quantity, &Ctx<'_>) -> Option<Verdict>,
}

/// The rules, in the order they are asked.
pub const RULES: &[Rule] = &[
    Rule {
        name: "short-clause",
        doc: "a clause of fewer than four characters is a fragment, not a goal",
        stage: Stage::Number,
        voids_clause: false,
        decide: short_clause,
    },
    Rule {
        name: "baseline",
        doc: "the starting level of a change (从X增加到Y, 比…的X): Y is the goal, X is not",
        stage: Stage::Number,
        voids_clause: false,
        decide: baseline,
    },
    Rule {
        name: "increment",
        doc: "an absolute change over a base (比上年增加X); a rate (比上年增长X%) stays",
        stage: Stage::Number,
        voids_clause: false,
        decide: increment,
    },
    Rule {
        name: "document-count",
        doc: "a count of the document's own parts (N项重点任务, N个主要指标, N个专栏, N个部门)",
        stage: Stage::Number,
        voids_clause: true,
        decide: document_count,
    },
    Rule {
        name: "prose-count",
        doc: "a small count in Chinese numerals with a generic classifier (两个市场, 一个时期)",
        stage: Stage::Number,
        voids_clause: false,
        decide: prose_count,
    },
    Rule {
        name: "idiom",
        doc: "a set phrase with a number in it (最后一公里, 一站式)",
        stage: Stage::Number,
        voids_clause: false,
        decide: idiom,
    },
    Rule {
        name: "cadence",
        doc: "the period a thing recurs in (5年一周期, 3年一轮, 两年一次), not a level to reach",
        stage: Stage::Number,
        voids_clause: false,
        decide: cadence,
    },
    Rule {
        name: "growth-beside-level",
        doc: "a growth rate stated beside the level it leads to (增加到X吨，增长N倍) restates it",
        stage: Stage::Number,
        voids_clause: false,
        decide: growth_beside_level,
    },
    Rule {
        name: "comparison-multiple",
        doc: "a multiple of a base (等于某年的N倍, 比上年增长N倍) compares; a doubling (翻一番) is a goal",
        stage: Stage::Number,
        voids_clause: false,
        decide: comparison_multiple,
    },
    Rule {
        name: "hypothetical",
        doc: "a sentence that supposes (如果, 只要) sets no goal",
        stage: Stage::Clause,
        voids_clause: false,
        decide: hypothetical,
    },
    Rule {
        name: "review-result",
        doc: "in a review (2030年工作回顾, 过去一年…) a quantity is a result, unless its sentence turns ahead (下一步, 今年, 到2035年)",
        stage: Stage::Clause,
        voids_clause: false,
        decide: review_result,
    },
    Rule {
        name: "look-back",
        doc: "a clause that reports or estimates (了, 已经, 预计) and names no deadline ahead: a result",
        stage: Stage::Clause,
        voids_clause: false,
        decide: look_back,
    },
    Rule {
        name: "restatement",
        doc: "the same value and deadline as a goal already stated, named again (目标为X) or said of the same thing",
        stage: Stage::Clause,
        voids_clause: false,
        decide: restatement,
    },
    Rule {
        name: "deadline-scope",
        doc: "a deadline phrase (到2027年, 明年) covers the clause",
        stage: Stage::Clause,
        voids_clause: false,
        decide: deadline_scope,
    },
    Rule {
        name: "goal-block",
        doc: "the clause is in a goal block (主要目标是：…) or a section named as a plan",
        stage: Stage::Clause,
        voids_clause: false,
        decide: goal_block,
    },
    Rule {
        name: "future-clause",
        doc: "the clause speaks of the future (将, 要, 力争) or its sentence sets a goal (目标, 计划)",
        stage: Stage::Clause,
        voids_clause: false,
        decide: future_clause,
    },
    Rule {
        name: "no-future-frame",
        doc: "nothing frames the quantity as a goal",
        stage: Stage::Clause,
        voids_clause: false,
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
    // 从X，提升为Y: a clause opened by 从 whose number ends it, and the next clause changes it.
    let closers: &[char] = &['」', '”', '’', '"', '』', ')', '）', ' '];
    let starts_from = ctx
        .cues
        .from_words
        .iter()
        .any(|w| !w.is_empty() && view.text[..q.start].contains(w.as_str()));
    if starts_from && after.trim_matches(closers).is_empty() {
        let rest = view.sentence.get(view.so_far.len()..).unwrap_or("");
        let rest = rest.trim_start_matches(|c: char| closers.contains(&c) || matches!(c, '，' | ',' | '、'));
        if let Some(verb) = ctx.cues.change_to.iter().find(|w| rest.starts_with(w.as_str())) {
            return drop(format!("the start of a change: …{verb}"));
        }
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

fn cadence(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    let after = &view.text[q.end..];
    ctx.cues
        .cadence_marks
        .iter()
        .find(|m| !m.is_empty() && after.starts_with(m.as_str()))
        .map(|m| Verdict::Drop(format!("recurs: {}{m}", q.unit)))
}

fn growth_beside_level(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    // A review reports both the level and the growth: two results.
    if view.review || (q.unit != "倍" && q.unit != "%") {
        return None;
    }
    // The rate has no subject of its own ("，增长20%"): it speaks of the level the clause
    // before it states ("增加到7亿吨"). A rate with its own subject ("收入增长4%") is a goal.
    let before = view.text[..q.start].trim_matches(TRIM_CHARS);
    let verb = ctx.cues.growth_verbs.iter().find(|v| before == v.as_str())?;
    let prior = view.so_far.strip_suffix(view.text).unwrap_or(view.so_far);
    let previous = prior
        .trim_end_matches(TRIM_CHARS)
        .rsplit(['，', ',', '；', ';', '：', ':'])
        .next()
        .unwrap_or("");
    let level = first_in(previous, &ctx.cues.level_verbs)?;
    drop(format!("{verb} beside the level {level}"))
}

/// Punctuation and spaces around a clause.
const TRIM_CHARS: &[char] = &['，', ',', '；', ';', '。', '、', '：', ':', ' ', '\u{3000}'];

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
    first_in(text, &ctx.cues.past_markers).map(|w| Verdict::Outcome(format!("looks back: {w}")))
}

fn review_result(view: &ClauseView<'_>, _: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    if !view.review || explicit_future(view, ctx.cues) {
        return None;
    }
    match first_in(view.so_far, &ctx.cues.goal_turn_words) {
        Some(_) => None,
        None => Some(Verdict::Outcome("in a review".to_owned())),
    }
}

/// Characters a repeated amount must share with the words of the goal first stated.
const RESTATED_RUN: usize = 4;

/// Whether `a` and `b` share a run of `n` characters.
fn shares_run(a: &str, b: &str, n: usize) -> bool {
    let chars: Vec<char> = a.chars().collect();
    chars.windows(n).any(|w| b.contains(&w.iter().collect::<String>()))
}

fn restatement(view: &ClauseView<'_>, q: &Quantity, ctx: &Ctx<'_>) -> Option<Verdict> {
    let same = |t: &&TargetFact| {
        t.deadline == view.deadline
            && t.quantity
                .as_ref()
                .is_some_and(|p| (p.min, p.max, &p.unit, &p.qualifier) == (q.min, q.max, &q.unit, &q.qualifier))
    };
    if let Some(marker) = first_in(view.text, &ctx.cues.restatement_markers) {
        if ctx.kept.iter().any(|t| same(&t)) {
            return drop(format!("{marker} a goal already stated"));
        }
    }
    // The same amount again, said of the same thing in other words.
    let before = &view.text[..q.start];
    ctx.kept
        .iter()
        .filter(same)
        .find(|t| shares_run(&t.indicator, before, RESTATED_RUN))
        .map(|t| Verdict::Drop(format!("repeats the amount of {}", t.indicator)))
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

#[cfg(test)]
mod tests {
    //! One labelled table per rule: constructed sentences of policy language, each with
    //! the quantities it holds and the rule expected to decide on each.

    use super::RULES;
    use crate::extract::{extract, Verdict};
    use crate::lexicon::Lexicon;
    use std::sync::OnceLock;

    fn lexicon() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::builtin().expect("lexicon"))
    }

    /// A labelled case: a text (dated 2026 so that 今年/明年 resolve) and, for quantities
    /// quoted as written, the rule expected to decide.
    struct Case {
        label: &'static str,
        text: &'static str,
        expect: &'static [(&'static str, &'static str)],
    }

    const KEEP_RULES: &[&str] = &["deadline-scope", "goal-block", "future-clause"];

    /// Runs every case and reports every failure at once.
    fn check(rule: &str, cases: &[Case]) {
        assert!(RULES.iter().any(|r| r.name == rule), "no rule {rule}");
        let mut failures = Vec::new();
        for case in cases {
            let text = format!("2026年2月1日\n{}\n", case.text);
            let facts = extract(&text, lexicon());
            for (quote, expected) in case.expect {
                let found = facts.explanations.iter().find(|e| facts.text.quote(e.span) == *quote);
                match found {
                    None => failures.push(format!("{}: no quantity {quote}", case.label)),
                    Some(e) if e.rule != *expected => {
                        failures.push(format!(
                            "{}: {quote} decided by {} ({:?}), not {expected}",
                            case.label, e.rule, e.verdict
                        ));
                    }
                    Some(e) => {
                        let kept = e.verdict == Verdict::Keep;
                        if kept != KEEP_RULES.contains(expected) {
                            failures.push(format!("{}: {quote} verdict {:?}", case.label, e.verdict));
                        }
                        let target = facts
                            .targets
                            .iter()
                            .any(|t| t.quantity.as_ref().is_some_and(|q| q.start == e.quantity.start));
                        if target != kept {
                            failures.push(format!("{}: {quote} kept={kept} but target={target}", case.label));
                        }
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{rule}:\n{}", failures.join("\n"));
    }

    #[test]
    fn short_clause() {
        check(
            "short-clause",
            &[
                Case {
                    label: "a bare quantity between colons",
                    text: "到2035年，新建学校：30所：均为寄宿制。",
                    expect: &[("30所", "short-clause")],
                },
                Case {
                    label: "a bare quantity in a list",
                    text: "到2035年，培训人数5万人；其中，8千人。",
                    expect: &[("5万人", "deadline-scope"), ("8千人", "short-clause")],
                },
            ],
        );
    }

    #[test]
    fn baseline() {
        check(
            "baseline",
            &[
                Case {
                    label: "从X提高到Y",
                    text: "到2035年，全省光伏装机容量从1200万千瓦提高到3000万千瓦。",
                    expect: &[("1200万千瓦", "baseline"), ("3000万千瓦", "deadline-scope")],
                },
                Case {
                    label: "由X增至Y",
                    text: "到2034年，粮食产量由6000万吨增至6500万吨。",
                    expect: &[("6000万吨", "baseline"), ("6500万吨", "deadline-scope")],
                },
                Case {
                    label: "比…的X",
                    text: "到2036年，研发投入比2025年的500亿元翻一番。",
                    expect: &[("500亿元", "baseline"), ("翻一番", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn increment() {
        check(
            "increment",
            &[
                Case {
                    label: "比上年增加 an amount",
                    text: "明年，城镇新增就业比上年增加50万人。",
                    expect: &[("50万人", "increment")],
                },
                Case {
                    label: "比上年多 an amount",
                    text: "到2033年，财政收入要比上年多300亿元。",
                    expect: &[("300亿元", "increment")],
                },
                Case {
                    label: "a rate over the base stays",
                    text: "到2033年，居民收入比上年增长6%。",
                    expect: &[("6%", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn document_count() {
        check(
            "document-count",
            &[
                Case {
                    label: "tasks the plan sets out",
                    text: "方案提出，到2035年要完成12项重点任务。",
                    expect: &[("12项", "document-count")],
                },
                Case {
                    label: "indicators and boxes of the plan",
                    text: "到2030年，本规划设置3个专栏、20个主要指标。",
                    expect: &[("3个", "document-count"), ("20个", "document-count")],
                },
                Case {
                    label: "departments that issue it",
                    text: "今后五年，要由9个部门联合推进。",
                    expect: &[("9个", "document-count")],
                },
                Case {
                    label: "a count of things to build stays",
                    text: "到2030年，建设20个产业园区。",
                    expect: &[("20个", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn prose_count() {
        check(
            "prose-count",
            &[
                Case {
                    label: "两个 with a generic classifier",
                    text: "要统筹利用两个市场。",
                    expect: &[("两个", "prose-count")],
                },
                Case {
                    label: "一个 in a set phrase of time",
                    text: "今后一个时期，要把握发展的主动权。",
                    expect: &[("一个", "prose-count")],
                },
                Case {
                    label: "Arabic digits are counted",
                    text: "要建设3个区域中心。",
                    expect: &[("3个", "future-clause")],
                },
            ],
        );
    }

    #[test]
    fn idiom() {
        check(
            "idiom",
            &[
                Case {
                    label: "最后一公里",
                    text: "要打通政策落实的最后一公里。",
                    expect: &[("一公里", "idiom")],
                },
                Case {
                    label: "最后一百米",
                    text: "到2035年，要解决社区服务最后一百米问题。",
                    expect: &[("一百米", "idiom")],
                },
            ],
        );
    }

    #[test]
    fn baseline_across_clauses() {
        check(
            "baseline",
            &[
                Case {
                    label: "从X，提升为Y",
                    text: "到2035年，覆盖率从原来的40%，提升为60%。",
                    expect: &[("40%", "baseline"), ("60%", "deadline-scope")],
                },
                Case {
                    label: "由X，降低到Y in quotes",
                    text: "到2035年，目标由“下降10%”，降低到“下降15%”。",
                    expect: &[("10%", "baseline"), ("15%", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn cadence() {
        check(
            "cadence",
            &[
                Case {
                    label: "N年一周期",
                    text: "要落实教师5年一周期的全员培训制度。",
                    expect: &[("5年", "cadence")],
                },
                Case {
                    label: "N年一次",
                    text: "到2035年，各地要坚持3年一次的质量评估。",
                    expect: &[("3年", "cadence")],
                },
                Case {
                    label: "a duration to reach stays",
                    text: "到2035年，平均受教育年限达到11年。",
                    expect: &[("11年", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn growth_beside_level() {
        check(
            "growth-beside-level",
            &[
                Case {
                    label: "a rate beside 增加到",
                    text: "到2035年，粮食产量增加到7亿吨，增长20%。",
                    expect: &[("7亿吨", "deadline-scope"), ("20%", "growth-beside-level")],
                },
                Case {
                    label: "a multiple beside 达到",
                    text: "要使发电量达到9000亿千瓦时，提高1.5倍。",
                    expect: &[("9000亿千瓦时", "future-clause"), ("1.5倍", "growth-beside-level")],
                },
                Case {
                    label: "rates with their own subjects in a sentence that also names a level",
                    text: "今年的主要预期目标是：地区生产总值增长5%左右，财政收入增长4%左右，粮食产量达到7亿吨。",
                    expect: &[
                        ("5%左右", "goal-block"),
                        ("4%左右", "goal-block"),
                        ("7亿吨", "goal-block"),
                    ],
                },
            ],
        );
    }

    #[test]
    fn comparison_multiple() {
        check(
            "comparison-multiple",
            &[
                Case {
                    label: "等于 a base year's multiple",
                    text: "到2035年，工业产值将等于2030年的3倍。",
                    expect: &[("3倍", "comparison-multiple")],
                },
                Case {
                    label: "比…高出 a multiple",
                    text: "到2035年，人均收入将比2030年高出2倍。",
                    expect: &[("2倍", "comparison-multiple")],
                },
                Case {
                    label: "a doubling is a goal",
                    text: "到2035年，经济总量比2030年翻一番。",
                    expect: &[("翻一番", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn hypothetical() {
        check(
            "hypothetical",
            &[
                Case {
                    label: "如果",
                    text: "如果能源价格上涨10%，要相应调整补贴。",
                    expect: &[("10%", "hypothetical")],
                },
                Case {
                    label: "只要",
                    text: "只要增加5万名教师，就能满足需要。",
                    expect: &[("5万名", "hypothetical")],
                },
            ],
        );
    }

    #[test]
    fn review_result() {
        check(
            "review-result",
            &[
                Case {
                    label: "a review section",
                    text:
                        "一、2025年工作回顾\n地区生产总值达到3万亿元，增长5.5%。\n新建学校20所。\n二、2026年工作安排\n",
                    expect: &[
                        ("3万亿元", "review-result"),
                        ("5.5%", "review-result"),
                        ("20所", "review-result"),
                    ],
                },
                Case {
                    label: "a paragraph that opens by looking back, in a section of another kind",
                    text: "二、发展成就和主要目标\n这五年，我们新建公园300个。\n今后五年，要新建公园500个。",
                    expect: &[("300个", "review-result"), ("500个", "goal-block")],
                },
                Case {
                    label: "a review sentence that turns to the year ahead",
                    text: "一、2025年工作回顾\n过去一年，城镇新增就业80万人。下一步，要新增就业岗位90万个。",
                    expect: &[("80万人", "review-result"), ("90万个", "future-clause")],
                },
                Case {
                    label: "this year's work is a goal frame",
                    text: "一、2025年工作回顾\n新建学校20所。\n二、2026年重点工作\n新建学校30所。",
                    expect: &[("20所", "review-result"), ("30所", "goal-block")],
                },
            ],
        );
    }

    #[test]
    fn look_back() {
        check(
            "look-back",
            &[
                Case {
                    label: "已经 reports",
                    text: "城镇新增就业已经达到1200万人。",
                    expect: &[("1200万人", "look-back")],
                },
                Case {
                    label: "预计 estimates, over the whole sentence",
                    text: "预计全年粮食产量为7亿吨，比上年增长2%。",
                    expect: &[("7亿吨", "look-back"), ("2%", "look-back")],
                },
                Case {
                    label: "a deadline ahead outweighs 已",
                    text: "到2035年，已建成的示范基地将达到50个。",
                    expect: &[("50个", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn restatement() {
        check(
            "restatement",
            &[
                Case {
                    label: "目标为 an amount already stated",
                    text: "今年主要目标是：新增造林面积500万亩以上。\n提出造林目标为500万亩以上，是综合考虑的结果。",
                    expect: &[("500万亩以上", "goal-block")],
                },
                Case {
                    label: "预期目标 a rate already stated",
                    text:
                        "到2030年的主要目标是：单位产值能耗降低3%左右。\n能耗降低的预期目标为3%左右，考虑了结构调整。",
                    expect: &[("3%左右", "deadline-scope")],
                },
            ],
        );
        // The second statement of each is the restatement.
        for text in [
            "到2030年，全市新建保障住房12万套。\n其中，新建保障住房12万套，由市区两级共同承担。",
            "计划期间，铁路建设投资将为56亿元。\n五年铁路建设投资56亿元，主要用于新线。",
            "今年主要目标是：新增造林面积500万亩以上。\n提出造林目标为500万亩以上，是综合考虑的结果。",
            "到2030年的主要目标是：单位产值能耗降低3%左右。\n能耗降低的预期目标为3%左右，考虑了结构调整。",
        ] {
            let facts = extract(&format!("2026年2月1日\n{text}\n"), lexicon());
            let rules: Vec<&str> = facts.explanations.iter().map(|e| e.rule).collect();
            assert_eq!(rules.last(), Some(&"restatement"), "{text}: {rules:?}");
            assert_eq!(
                facts.targets.iter().filter(|t| t.quantity.is_some()).count(),
                1,
                "{text}"
            );
        }
    }

    #[test]
    fn deadline_scope() {
        check(
            "deadline-scope",
            &[
                Case {
                    label: "到YEAR opens a scope",
                    text: "到2035年，建成30个示范区，培育100家领军企业。",
                    expect: &[("30个", "deadline-scope"), ("100家", "deadline-scope")],
                },
                Case {
                    label: "明年",
                    text: "明年，新建学校50所。",
                    expect: &[("50所", "deadline-scope")],
                },
            ],
        );
    }

    #[test]
    fn goal_block() {
        check(
            "goal-block",
            &[
                Case {
                    label: "a paragraph announcing goals",
                    text: "本期主要目标是：森林覆盖率达到25%。",
                    expect: &[("25%", "goal-block")],
                },
                Case {
                    label: "the paragraphs after it, to the next heading",
                    text: "发展的主要指标：\n粮食产量6亿吨左右。\n棉花产量600万吨。",
                    expect: &[("6亿吨左右", "goal-block"), ("600万吨", "goal-block")],
                },
            ],
        );
    }

    #[test]
    fn future_clause() {
        check(
            "future-clause",
            &[
                Case {
                    label: "要",
                    text: "要新增城镇就业800万人。",
                    expect: &[("800万人", "future-clause")],
                },
                Case {
                    label: "力争",
                    text: "我们力争使出口增长5%。",
                    expect: &[("5%", "future-clause")],
                },
            ],
        );
    }

    #[test]
    fn no_future_frame() {
        check(
            "no-future-frame",
            &[
                Case {
                    label: "a statement of fact",
                    text: "全省共有高校120所。",
                    expect: &[("120所", "no-future-frame")],
                },
                Case {
                    label: "a description of the present",
                    text: "该市常住人口达到900万人。",
                    expect: &[("900万人", "no-future-frame")],
                },
            ],
        );
    }

    #[test]
    fn every_rule_has_a_stable_name_and_a_doc() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        assert!(names
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
        assert!(RULES.iter().all(|r| !r.doc.is_empty()));
    }
}

//! Extraction: from one decoded document to the facts it states, each with the character
//! span it came from. Extractors are heuristics over the language of plans, driven by the
//! lexicons and cue words; a miss is a diagnostic, never an error.
//!
//! A new extractor goes in its own submodule, reads [`Text`] and the [`Lexicon`], and adds
//! its findings to [`Facts`].

mod candidates;
mod document;
mod header;
mod issuers;
mod mentions;
pub mod numbers;
mod outline;
mod patterns;
mod targets;
pub mod text;
pub mod variants;

use crate::lexicon::Lexicon;
pub use header::{header_date, header_fields, DocumentNumber, Header, HeaderFact, HeaderField};
pub use numbers::{Decimal, Quantity};
pub use targets::rules::{Rule, RULES};
pub use targets::{DeadlineOrigin, Explanation, Scope, Verdict};
pub use text::{Span, Text};

/// An organization as found: resolved to a lexicon entry, or kept as written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum OrgRef {
    Known(usize),
    Unresolved(String),
}

#[derive(Debug, Clone)]
pub struct OrgMention {
    pub org: OrgRef,
    pub span: Span,
}

/// A policy document the source is, or names as issued or followed.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Empty when the text gives the document no title.
    pub title: String,
    /// Every place the title is written.
    pub spans: Vec<Span>,
    pub issuers: Vec<OrgMention>,
    pub declared_issuer_count: Option<(u32, Span)>,
    /// The first and last years the plan covers, as its title names them.
    pub period: Option<(i32, i32)>,
}

#[derive(Debug, Clone)]
pub struct TaskFact {
    pub title: String,
    pub span: Span,
    /// 1-based position among its siblings.
    pub order: u32,
    /// Index of the parent task in `Facts::tasks`.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct MeasureFact {
    pub label: String,
    pub span: Span,
    pub order: u32,
    pub technologies: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct TargetFact {
    pub span: Span,
    pub deadline: Option<i32>,
    pub quantity: Option<Quantity>,
    pub indicator: String,
    pub technologies: Vec<usize>,
}

/// A result a document reports (a quantity of a review: "去年国内生产总值增长5.2%"), with
/// the year it reports on. Never a target.
#[derive(Debug, Clone)]
pub struct OutcomeFact {
    pub span: Span,
    pub year: Option<i32>,
    pub quantity: Quantity,
    pub indicator: String,
    pub technologies: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TechMention {
    pub entry: usize,
    pub span: Span,
}

/// A term that looks like a technology but is not in the lexicon, with every place it
/// occurs.
#[derive(Debug, Clone)]
pub struct CandidateMention {
    /// The normalized term, which keys the candidate across documents.
    pub term: String,
    pub spans: Vec<Span>,
}

/// A zh/en pair from a glossary section.
#[derive(Debug, Clone)]
pub struct GlossaryPair {
    pub zh: String,
    pub zh_span: Span,
    pub en: String,
    pub en_span: Span,
}

/// People, events, messages, photographs and publishers a news text names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mention {
    Person {
        name: String,
        span: Span,
    },
    Event {
        name: String,
        span: Span,
    },
    /// A letter or speech: who, to what, when (`YYYY-MM-DD`), what kind (贺信…).
    Message {
        kind: String,
        sender: String,
        recipient: Option<String>,
        date: Option<String>,
        span: Span,
    },
    /// A captioned photograph; `credit` is the credited agency and where it is written.
    Photograph {
        date: Option<String>,
        event: Option<String>,
        credit: Option<(String, Span)>,
        span: Span,
    },
    Publisher {
        name: String,
        span: Span,
    },
    /// A reporter named in a news byline ("记者 …").
    Reporter {
        name: String,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
}

/// Something an extractor noticed but could not settle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Option<Span>,
    pub message: String,
}

/// Everything extracted from one document.
#[derive(Debug, Clone)]
pub struct Facts {
    /// Shared: the graph built from the facts reads them while it grows, from a copy that
    /// then costs no copy of the text and its offset tables.
    pub text: std::sync::Arc<Text>,
    /// The year the document was issued, when known.
    pub year: Option<i32>,
    /// The date the document itself was issued (metadata or its signature), when known.
    pub issued: Option<String>,
    /// The document itself first (the plan the other facts belong to), then the documents
    /// it cites.
    pub plans: Vec<Plan>,
    pub tasks: Vec<TaskFact>,
    pub declared_task_count: Option<(u32, Span)>,
    pub measures: Vec<MeasureFact>,
    pub targets: Vec<TargetFact>,
    /// Results the document reports.
    pub outcomes: Vec<OutcomeFact>,
    /// The paragraphs that look back (review sections, 过去一年…), where no target belongs.
    pub review: Vec<Span>,
    /// Why each quantity of the text is or is not a target, in text order.
    pub explanations: Vec<Explanation>,
    pub technologies: Vec<TechMention>,
    pub candidates: Vec<CandidateMention>,
    pub organizations: Vec<OrgMention>,
    pub glossary: Vec<GlossaryPair>,
    pub mentions: Vec<Mention>,
    /// The official header (发文字号, 成文日期, 主送, …).
    pub header: Header,
    pub diagnostics: Vec<Diagnostic>,
}

/// What is known about a document before reading its sentences.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The year the document was issued: "今年" means this year.
    pub year: Option<i32>,
    /// The title given by sidecar metadata.
    pub title: Option<String>,
    /// The date the document was issued (`YYYY-MM-DD`), from sidecar metadata.
    pub date: Option<String>,
    /// Header fields the file states outside its text (an HTML page's `<meta>`), by label.
    pub stated: std::collections::BTreeMap<String, String>,
}

/// Runs every extractor over one decoded document, using its sidecar metadata.
pub fn extract_document(document: &crate::ingest::Document, lexicon: &Lexicon) -> Facts {
    let meta = document.meta.clone().unwrap_or_default();
    let context = Context {
        year: meta.year(),
        title: meta.title_zh.or(meta.title_en),
        date: meta.date,
        stated: document.fields.clone(),
    };
    extract_with(&document.text, lexicon, context)
}

/// Runs every extractor over a text with nothing known about it beforehand.
pub fn extract(raw: &str, lexicon: &Lexicon) -> Facts {
    extract_with(raw, lexicon, Context::default())
}

/// Builds ahead what extraction builds once per process and the lexicon (jieba's
/// dictionary, about 50 ms): a build calls it on a thread that would otherwise wait.
pub fn prepare(lexicon: &Lexicon) {
    candidates::segmenter(lexicon);
}

fn extract_with(raw: &str, lexicon: &Lexicon, mut context: Context) -> Facts {
    let patterns = patterns::Patterns::cached(lexicon);
    // A news page's frame (dateline, bylines, header lines, chrome) names publishers and
    // reporters; the other extractors read the text without it.
    let page = Text::new(raw);
    let frame = document::frame(&page, &lexicon.cues.news, &patterns.frame);
    // Most texts have no frame to mask: they are read as they are, not copied.
    let masked = (!frame.masked.is_empty()).then(|| page.masked(&frame.masked));
    let text: &Text = masked.as_ref().unwrap_or(&page);
    let headings = outline::headings(text);
    let signed = issuers::signature_date(text, lexicon, &patterns);
    if context.date.is_none() {
        context.date = signed.clone().or_else(|| document::delivered_date(text, &patterns));
    }
    if context.year.is_none() {
        context.year = context.date.as_deref().and_then(|d| d.get(..4)?.parse().ok());
    }
    if context.year.is_none() {
        context.year = document::head_date_year(text, &patterns)
            .or_else(|| frame.date.as_deref().and_then(|d| d.get(..4)?.parse().ok()))
            .or_else(|| document::session_year(text, &lexicon.cues, &patterns))
            .or_else(|| targets::document_year(text, &headings, &patterns, &lexicon.cues));
    }
    let header = header::header(&page, &context.stated, signed.as_deref(), lexicon, &patterns);
    let mut diagnostics = Vec::new();
    let organizations = mentions::organizations(&page, lexicon);
    let mut technologies = mentions::technologies(text, lexicon);
    // A term inside a body's name (信息化 in 工业和信息化部) is not a mention of it.
    technologies.retain(|t| !organizations.iter().any(|o| o.span.contains(t.span)));
    let candidates = candidates::candidates(text, lexicon, &patterns);
    let mut plans = issuers::plans(text, lexicon, &patterns, &context, &mut diagnostics);
    for plan in &mut plans {
        plan.period = document::plan_period(&text::normalize(&plan.title));
    }
    // The document's title (its own, or the sidecar's) names its plan period for targets.
    if let Some(title) = plans.first().map(|p| p.title.clone()).filter(|t| !t.is_empty()) {
        context.title = Some(title);
    }
    let (tasks, declared_task_count) = outline::tasks(text, &headings, &lexicon.cues, &patterns, &mut diagnostics);
    let measures = outline::measures(text, &headings, &lexicon.cues, &patterns, &technologies);
    let goals = targets::targets(text, &headings, lexicon, &patterns, &technologies, &context);
    let glossary = mentions::glossary(text, lexicon);
    let mut mentions = mentions::named(&page, lexicon, &patterns);
    mentions.extend(frame.mentions);
    mentions.sort_by_key(mentions::mention_span);
    mentions.dedup();
    diagnostics.sort();
    Facts {
        text: std::sync::Arc::new(masked.unwrap_or(page)),
        year: context.year,
        issued: context.date.clone(),
        plans,
        tasks,
        declared_task_count,
        measures,
        targets: goals.targets,
        outcomes: goals.outcomes,
        review: goals.review,
        explanations: goals.explanations,
        technologies,
        candidates,
        organizations,
        glossary,
        mentions,
        header,
        diagnostics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn lexicon() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::builtin().expect("lexicon"))
    }

    /// Every span of every fact lies inside the text, on its characters.
    fn check_spans(raw: &str, facts: &Facts) {
        let n = raw.chars().count();
        let mut spans: Vec<Span> = Vec::new();
        spans.extend(
            facts
                .plans
                .iter()
                .flat_map(|p| p.spans.iter().copied().chain(p.issuers.iter().map(|i| i.span))),
        );
        spans.extend(facts.tasks.iter().map(|t| t.span));
        spans.extend(facts.measures.iter().map(|m| m.span));
        spans.extend(facts.targets.iter().map(|t| t.span));
        spans.extend(facts.technologies.iter().map(|t| t.span));
        spans.extend(facts.candidates.iter().flat_map(|c| c.spans.iter().copied()));
        spans.extend(facts.organizations.iter().map(|o| o.span));
        for span in spans {
            assert!(span.start <= span.end && span.end <= n, "{span:?} outside {n} chars");
            let quote = facts.text.quote(span);
            assert_eq!(quote, raw.chars().skip(span.start).take(span.len()).collect::<String>());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn never_panics_on_policy_like_text(raw in "[一二三四五六七八九十百千万亿零〇0-9年月日到至以上左右以内约超过%，。；：、（）《》“”\\n 部委局办国务院工业信息化人工智能机器人计划目标今年明年将要达到增长a-zA-Z.,]{0,300}") {
            let facts = extract(&raw, lexicon());
            check_spans(&raw, &facts);
        }

        #[test]
        fn never_panics_on_arbitrary_unicode(raw in "\\PC{0,200}") {
            let facts = extract(&raw, lexicon());
            check_spans(&raw, &facts);
        }
    }
}

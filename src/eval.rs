//! `policykg eval`: precision, recall and F1 of what users get — the graph as stored, read
//! back with SPARQL (`ontology/queries/eval/`) from a store built like `build` builds it,
//! sidecars ignored unless asked for — against gold annotations in the corpus format
//! (`NAME.gold.json` beside `NAME.txt`), with the corpus README's rules:
//! targets match on min, max, unit and deadline, and count for precision only when their
//! evidence lies inside a `target_scope` span; issuers, tasks and technologies match by
//! normalized text.

use crate::extract::text::normalize;
use crate::ingest;
use crate::store::{GraphStore, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: invalid gold file: {message}")]
    Gold { path: String, message: String },
    #[error("{path}: no *.gold.json files")]
    Empty { path: String },
    #[error("building the evaluation store: {0}")]
    Build(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldIssuer {
    #[serde(default)]
    pub zh: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldTarget {
    pub deadline: Option<i32>,
    #[serde(default)]
    pub indicator: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: Option<String>,
    #[serde(default)]
    pub qualifier: Option<String>,
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldTask {
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldTechnology {
    pub term: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldScope {
    pub start: usize,
    pub end: usize,
}

/// One gold file.
#[derive(Debug, Clone, Deserialize)]
pub struct Gold {
    pub doc: String,
    #[serde(default)]
    pub issuers: Vec<GoldIssuer>,
    #[serde(default)]
    pub targets: Vec<GoldTarget>,
    #[serde(default)]
    pub tasks: Vec<GoldTask>,
    #[serde(default)]
    pub technologies: Vec<GoldTechnology>,
    #[serde(default)]
    pub target_scope: Vec<GoldScope>,
}

/// Counts for one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Predictions that match a gold item (one-to-one).
    pub matched: usize,
    /// Predictions that count for precision.
    pub predicted: usize,
    pub gold: usize,
}

impl Score {
    pub fn precision(self) -> f64 {
        if self.predicted == 0 {
            if self.gold == 0 {
                1.0
            } else {
                0.0
            }
        } else {
            self.matched as f64 / self.predicted as f64
        }
    }
    pub fn recall(self) -> f64 {
        if self.gold == 0 {
            if self.predicted == 0 {
                1.0
            } else {
                0.0
            }
        } else {
            self.matched as f64 / self.gold as f64
        }
    }
    pub fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, other: Score) {
        self.matched += other.matched;
        self.predicted += other.predicted;
        self.gold += other.gold;
    }
}

/// The scored categories, in report order.
pub const CATEGORIES: [&str; 4] = ["issuers", "targets", "tasks", "technologies"];

/// Scores of one document, by category, with the items that did not match.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentScore {
    pub doc: String,
    pub scores: BTreeMap<&'static str, Score>,
    pub missed: BTreeMap<&'static str, Vec<String>>,
    pub spurious: BTreeMap<&'static str, Vec<String>>,
    /// Outcomes the stored graph gives the document (results it reports).
    pub outcomes: usize,
    /// Stored targets whose evidence lies in a paragraph that looks back (should be ≈ 0).
    pub review_targets: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub documents: Vec<DocumentScore>,
    pub overall: BTreeMap<&'static str, Score>,
}

/// Text for matching: normalized (Traditional folded, full-width folded), without
/// punctuation or spaces, lowercase.
pub fn match_key(text: &str) -> String {
    normalize(text)
        .chars()
        .filter(|c| !c.is_whitespace() && !is_punctuation(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() && c != '+' && c != '%'
        || matches!(
            c,
            '“' | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '「'
                | '」'
                | '『'
                | '』'
                | '（'
                | '）'
                | '、'
                | '，'
                | '。'
                | '；'
                | '：'
                | '！'
                | '？'
                | '—'
                | '…'
                | '·'
                | '【'
                | '】'
        )
}

/// Counts one-to-one matches between predicted and gold keys.
fn match_sets(predicted: &[Vec<String>], gold: &[String]) -> (usize, Vec<usize>, Vec<usize>) {
    let mut used = vec![false; gold.len()];
    let mut unmatched_predictions = Vec::new();
    let mut matched = 0;
    for (i, keys) in predicted.iter().enumerate() {
        match gold
            .iter()
            .enumerate()
            .position(|(j, g)| !used[j] && keys.iter().any(|k| k == g))
        {
            Some(j) => {
                used[j] = true;
                matched += 1;
            }
            None => unmatched_predictions.push(i),
        }
    }
    let missed = used.iter().enumerate().filter(|(_, u)| !**u).map(|(j, _)| j).collect();
    (matched, unmatched_predictions, missed)
}

fn same_number(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => false,
    }
}

/// A target as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictedTarget {
    pub start: usize,
    pub end: usize,
    pub quote: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: String,
    pub deadline: Option<i32>,
}

/// What the store says about the document one source describes, read back with SPARQL.
#[derive(Debug, Clone, Default)]
pub struct Predicted {
    /// Every name of each distinct issuer (labels and quotes), the first one shown.
    pub issuers: Vec<Vec<String>>,
    pub targets: Vec<PredictedTarget>,
    /// Top-level task titles.
    pub tasks: Vec<String>,
    /// Technologies as written.
    pub technologies: Vec<String>,
    /// How many outcomes.
    pub outcomes: usize,
}

/// Scores what the store says of one document against its gold file.
pub fn score(gold: &Gold, predicted: &Predicted) -> DocumentScore {
    let mut scores = BTreeMap::new();
    let mut missed = BTreeMap::new();
    let mut spurious = BTreeMap::new();
    let mut record = |name: &'static str, s: Score, m: Vec<String>, p: Vec<String>| {
        scores.insert(name, s);
        missed.insert(name, m);
        spurious.insert(name, p);
    };

    // Issuers: each distinct issuer, known by all its names.
    let keys: Vec<Vec<String>> = predicted
        .issuers
        .iter()
        .map(|names| names.iter().map(|n| match_key(n)).collect())
        .collect();
    let gold_issuers: Vec<String> = gold
        .issuers
        .iter()
        .map(|g| match_key(g.zh.as_deref().or(g.en.as_deref()).unwrap_or("")))
        .collect();
    // An English gold name also matches.
    let gold_en: Vec<String> = gold
        .issuers
        .iter()
        .map(|g| match_key(g.en.as_deref().unwrap_or("")))
        .collect();
    let keys: Vec<Vec<String>> = keys
        .iter()
        .map(|keys| {
            keys.iter()
                .map(|k| {
                    gold_en
                        .iter()
                        .position(|e| !e.is_empty() && e == k)
                        .map_or(k.clone(), |j| gold_issuers[j].clone())
                })
                .collect()
        })
        .collect();
    let (matched, extra, miss) = match_sets(&keys, &gold_issuers);
    record(
        "issuers",
        Score {
            matched,
            predicted: keys.len(),
            gold: gold_issuers.len(),
        },
        miss.iter()
            .map(|&j| gold.issuers[j].zh.clone().unwrap_or_default())
            .collect(),
        extra
            .iter()
            .map(|&i| predicted.issuers[i].first().cloned().unwrap_or_default())
            .collect(),
    );

    // Targets: quantified ones, inside a scope span for precision.
    let in_scope = |start: usize, end: usize| gold.target_scope.iter().any(|s| s.start <= start && end <= s.end);
    let quantified: Vec<&PredictedTarget> = predicted
        .targets
        .iter()
        .filter(|t| (t.min.is_some() || t.max.is_some()) && in_scope(t.start, t.end))
        .collect();
    let mut used = vec![false; gold.targets.len()];
    let mut matched = 0;
    let mut extra = Vec::new();
    for t in &quantified {
        let found = gold.targets.iter().enumerate().position(|(j, g)| {
            !used[j]
                && g.deadline == t.deadline
                && same_number(g.min, t.min)
                && same_number(g.max, t.max)
                && g.unit.as_deref().map(normalize) == Some(normalize(&t.unit))
        });
        match found {
            Some(j) => {
                used[j] = true;
                matched += 1;
            }
            None => extra.push(format!(
                "{} [{:?}..{:?} {} {:?}]",
                t.quote, t.min, t.max, t.unit, t.deadline
            )),
        }
    }
    record(
        "targets",
        Score {
            matched,
            predicted: quantified.len(),
            gold: gold.targets.len(),
        },
        gold.targets
            .iter()
            .zip(&used)
            .filter(|(_, u)| !**u)
            .map(|(g, _)| {
                format!(
                    "{} [{:?}..{:?} {:?} {:?}]",
                    g.evidence, g.min, g.max, g.unit, g.deadline
                )
            })
            .collect(),
        extra,
    );

    // Tasks: top-level titles.
    let tasks: Vec<Vec<String>> = predicted.tasks.iter().map(|t| vec![match_key(t)]).collect();
    let gold_tasks: Vec<String> = gold.tasks.iter().map(|t| match_key(&t.title)).collect();
    let (matched, extra, miss) = match_sets(&tasks, &gold_tasks);
    record(
        "tasks",
        Score {
            matched,
            predicted: tasks.len(),
            gold: gold_tasks.len(),
        },
        miss.iter().map(|&j| gold.tasks[j].title.clone()).collect(),
        extra.iter().map(|&i| predicted.tasks[i].clone()).collect(),
    );

    // Technologies: distinct terms as written.
    let mut terms: Vec<String> = predicted.technologies.iter().map(|t| match_key(t)).collect();
    terms.sort();
    terms.dedup();
    let keys: Vec<Vec<String>> = terms.iter().map(|t| vec![t.clone()]).collect();
    let mut gold_terms: Vec<String> = gold.technologies.iter().map(|t| match_key(&t.term)).collect();
    gold_terms.sort();
    gold_terms.dedup();
    let (matched, extra, miss) = match_sets(&keys, &gold_terms);
    record(
        "technologies",
        Score {
            matched,
            predicted: keys.len(),
            gold: gold_terms.len(),
        },
        miss.iter().map(|&j| gold_terms[j].clone()).collect(),
        extra.iter().map(|&i| terms[i].clone()).collect(),
    );

    DocumentScore {
        outcomes: predicted.outcomes,
        review_targets: 0,
        doc: gold.doc.clone(),
        scores,
        missed,
        spurious,
    }
}

/// What the store says about the document of each source, by source path.
pub fn read_predictions(store: &GraphStore) -> Result<BTreeMap<String, Predicted>, EvalError> {
    let mut out: BTreeMap<String, Predicted> = BTreeMap::new();
    let rows = |query: &str| store.select(query).map_err(EvalError::Store);
    let mut issuers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for row in rows(include_str!("../ontology/queries/eval/issuers.rq"))? {
        let (Some(path), Some(org), Some(name)) = (row.get("path"), row.get("org"), row.get("name")) else {
            continue;
        };
        issuers
            .entry((path.clone(), org.clone()))
            .or_default()
            .push(name.clone());
    }
    for ((path, _), names) in issuers {
        out.entry(path).or_default().issuers.push(names);
    }
    let number = |row: &BTreeMap<String, String>, var: &str| row.get(var).and_then(|v| v.parse::<f64>().ok());
    for row in rows(include_str!("../ontology/queries/eval/targets.rq"))? {
        let (Some(path), Some(start), Some(end)) = (row.get("path"), number(&row, "start"), number(&row, "end")) else {
            continue;
        };
        out.entry(path.clone()).or_default().targets.push(PredictedTarget {
            start: start as usize,
            end: end as usize,
            quote: row.get("quote").cloned().unwrap_or_default(),
            min: number(&row, "min"),
            max: number(&row, "max"),
            unit: row.get("unit").cloned().unwrap_or_default(),
            deadline: row.get("deadline").and_then(|d| d.parse().ok()),
        });
    }
    for row in rows(include_str!("../ontology/queries/eval/tasks.rq"))? {
        if let (Some(path), Some(title)) = (row.get("path"), row.get("title")) {
            out.entry(path.clone()).or_default().tasks.push(title.clone());
        }
    }
    for row in rows(include_str!("../ontology/queries/eval/outcomes.rq"))? {
        if let (Some(path), Some(n)) = (row.get("path"), row.get("outcomes").and_then(|n| n.parse().ok())) {
            out.entry(path.clone()).or_default().outcomes = n;
        }
    }
    for row in rows(include_str!("../ontology/queries/eval/technologies.rq"))? {
        if let (Some(path), Some(quote)) = (row.get("path"), row.get("quote")) {
            out.entry(path.clone()).or_default().technologies.push(quote.clone());
        }
    }
    Ok(out)
}

/// The gold files in `dir`, sorted.
pub fn gold_files(dir: &Path) -> Result<Vec<PathBuf>, EvalError> {
    let entries = std::fs::read_dir(dir).map_err(|source| EvalError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(EvalError::Empty {
            path: dir.display().to_string(),
        });
    }
    Ok(files)
}

/// Reads a gold file.
pub fn read_gold(path: &Path) -> Result<Gold, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| EvalError::Gold {
        path: path.display().to_string(),
        message: format!("line {} column {}: {e}", e.line(), e.column()),
    })
}

/// How to evaluate.
#[derive(Debug, Clone, Default)]
pub struct EvalConfig {
    /// A directory whose lexicon files extend the built-in ones.
    pub lexicon_dir: Option<PathBuf>,
    /// Use `NAME.meta.json` sidecars, as `build` does; by default they are ignored, as real
    /// users' files come without them.
    pub with_meta: bool,
}

/// Builds a store from the documents next to the gold files in `dir`, exactly as `build`
/// does, reads back with SPARQL what the stored graph says of each document, and scores it.
pub fn evaluate(dir: &Path, config: &EvalConfig) -> Result<Report, EvalError> {
    let golds = gold_files(dir)?
        .iter()
        .map(|file| read_gold(file))
        .collect::<Result<Vec<Gold>, EvalError>>()?;
    let inputs: Vec<PathBuf> = golds.iter().map(|g| dir.join(&g.doc)).collect();
    let scratch = tempfile::tempdir().map_err(|source| EvalError::Io {
        path: std::env::temp_dir().display().to_string(),
        source,
    })?;
    let build = crate::pipeline::BuildConfig {
        inputs: inputs.clone(),
        store_dir: scratch.path().join("store"),
        out_dir: None,
        lexicon_dir: config.lexicon_dir.clone(),
        renderer: crate::render::Renderer::Builtin,
        sidecars: config.with_meta,
        policy: Default::default(),
        stdin: None,
    };
    let built = crate::pipeline::build(&build).map_err(|e| EvalError::Build(e.to_string()))?;
    if let Some(problem) = built.problems.first() {
        return Err(EvalError::Build(problem.clone()));
    }
    let store = GraphStore::open(&build.store_dir).map_err(EvalError::Store)?;
    let predictions = read_predictions(&store)?;
    let mut documents = Vec::new();
    let mut overall: BTreeMap<&'static str, Score> = CATEGORIES.iter().map(|c| (*c, Score::default())).collect();
    for (gold, input) in golds.iter().zip(&inputs) {
        let path = ingest::display(input);
        let predicted = predictions.get(&path).cloned().unwrap_or_default();
        let mut scored = score(gold, &predicted);
        let review = review_paragraphs(input, config)?;
        scored.review_targets = predicted
            .targets
            .iter()
            .filter(|t| review.iter().any(|r| r.start <= t.start && t.start < r.end))
            .count();
        for (name, s) in &scored.scores {
            if let Some(total) = overall.get_mut(name) {
                total.add(*s);
            }
        }
        documents.push(scored);
    }
    Ok(Report { documents, overall })
}

/// The paragraphs of a document that look back, as the extractor reads them: where no
/// stored target belongs.
fn review_paragraphs(input: &Path, config: &EvalConfig) -> Result<Vec<crate::extract::Span>, EvalError> {
    let io = |e: ingest::IngestError| EvalError::Build(e.to_string());
    let bytes = ingest::read_bytes(input).map_err(io)?;
    let mut document = ingest::decode_document(input, &bytes).map_err(io)?;
    if !config.with_meta {
        document.meta = None;
    }
    let lexicon =
        crate::pipeline::lexicon(config.lexicon_dir.as_deref()).map_err(|e| EvalError::Build(e.to_string()))?;
    Ok(crate::extract::extract_document(&document, &lexicon).review)
}

/// The report as a table for people.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    out.push_str(&format!("{:<28}", "document"));
    for c in CATEGORIES {
        out.push_str(&format!(" | {c:^20}"));
    }
    out.push('\n');
    out.push_str(&format!("{:<28}", ""));
    for _ in CATEGORIES {
        out.push_str(&format!(" | {:>6} {:>6} {:>6}", "P", "R", "F1"));
    }
    out.push('\n');
    let row = |name: &str, scores: &BTreeMap<&'static str, Score>| -> String {
        let mut line = format!("{name:<28}");
        for c in CATEGORIES {
            let s = scores.get(c).copied().unwrap_or_default();
            line.push_str(&format!(
                " | {:>6.3} {:>6.3} {:>6.3}",
                s.precision(),
                s.recall(),
                s.f1()
            ));
        }
        line.push('\n');
        line
    };
    for d in &report.documents {
        out.push_str(&row(&d.doc, &d.scores));
    }
    out.push_str(&row("OVERALL (micro)", &report.overall));
    out.push('\n');
    out.push_str(&format!(
        "{:<28} | {:>8} | {:>17}\n",
        "document", "outcomes", "targets in review"
    ));
    for d in &report.documents {
        out.push_str(&format!(
            "{:<28} | {:>8} | {:>17}\n",
            d.doc, d.outcomes, d.review_targets
        ));
    }
    out
}

//! `policykg eval`: precision, recall and F1 of the extraction against gold annotations in
//! the corpus format (`NAME.gold.json` beside `NAME.txt`), with the corpus README's rules:
//! targets match on min, max, unit and deadline, and count for precision only when their
//! evidence lies inside a `target_scope` span; issuers, tasks and technologies match by
//! normalized text.

use crate::extract::text::normalize;
use crate::extract::{Facts, OrgRef};
use crate::ingest;
use crate::lexicon::Lexicon;
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
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    #[error("{path}: no *.gold.json files")]
    Empty { path: String },
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

/// Scores one document's facts against its gold file.
pub fn score(gold: &Gold, facts: &Facts, lexicon: &Lexicon) -> DocumentScore {
    let mut scores = BTreeMap::new();
    let mut missed = BTreeMap::new();
    let mut spurious = BTreeMap::new();
    let mut record = |name: &'static str, s: Score, m: Vec<String>, p: Vec<String>| {
        scores.insert(name, s);
        missed.insert(name, m);
        spurious.insert(name, p);
    };

    // Issuers: each distinct issuer of the main plan, known by its surface forms and labels.
    let mut issuer_keys: BTreeMap<OrgRef, Vec<String>> = BTreeMap::new();
    if let Some(plan) = facts.plans.first() {
        for mention in &plan.issuers {
            let keys = issuer_keys.entry(mention.org.clone()).or_default();
            keys.push(match_key(facts.text.quote(mention.span)));
            if let OrgRef::Known(i) = mention.org {
                let org = &lexicon.organizations[i];
                keys.push(match_key(&org.label_zh));
                keys.extend(org.label_en.as_deref().map(match_key));
            }
        }
    }
    let predicted: Vec<Vec<String>> = issuer_keys.values().cloned().collect();
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
    let predicted_any: Vec<Vec<String>> = predicted
        .iter()
        .map(|keys| {
            keys.iter()
                .map(|k| {
                    gold_en
                        .iter()
                        .position(|e| e == k)
                        .map_or(k.clone(), |j| gold_issuers[j].clone())
                })
                .collect()
        })
        .collect();
    let (matched, extra, miss) = match_sets(&predicted_any, &gold_issuers);
    record(
        "issuers",
        Score {
            matched,
            predicted: predicted.len(),
            gold: gold_issuers.len(),
        },
        miss.iter()
            .map(|&j| gold.issuers[j].zh.clone().unwrap_or_default())
            .collect(),
        extra
            .iter()
            .map(|&i| predicted[i].first().cloned().unwrap_or_default())
            .collect(),
    );

    // Targets: quantified ones, inside a scope span for precision.
    let in_scope = |start: usize, end: usize| gold.target_scope.iter().any(|s| s.start <= start && end <= s.end);
    let quantified: Vec<_> = facts
        .targets
        .iter()
        .filter(|t| t.quantity.is_some() && in_scope(t.span.start, t.span.end))
        .collect();
    let mut used = vec![false; gold.targets.len()];
    let mut matched = 0;
    let mut extra = Vec::new();
    for t in &quantified {
        let Some(q) = &t.quantity else { continue };
        let found = gold.targets.iter().enumerate().position(|(j, g)| {
            !used[j]
                && g.deadline == t.deadline
                && same_number(g.min, q.min.map(|d| d.to_f64()))
                && same_number(g.max, q.max.map(|d| d.to_f64()))
                && g.unit.as_deref().map(normalize) == Some(normalize(&q.unit))
        });
        match found {
            Some(j) => {
                used[j] = true;
                matched += 1;
            }
            None => extra.push(format!(
                "{} [{:?}..{:?} {} {:?}]",
                facts.text.quote(t.span),
                q.min.map(|d| d.to_string()),
                q.max.map(|d| d.to_string()),
                q.unit,
                t.deadline
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
    let predicted: Vec<Vec<String>> = facts
        .tasks
        .iter()
        .filter(|t| t.parent.is_none())
        .map(|t| vec![match_key(&t.title)])
        .collect();
    let gold_tasks: Vec<String> = gold.tasks.iter().map(|t| match_key(&t.title)).collect();
    let (matched, extra, miss) = match_sets(&predicted, &gold_tasks);
    record(
        "tasks",
        Score {
            matched,
            predicted: predicted.len(),
            gold: gold_tasks.len(),
        },
        miss.iter().map(|&j| gold.tasks[j].title.clone()).collect(),
        extra.iter().map(|&i| predicted[i][0].clone()).collect(),
    );

    // Technologies: distinct terms as written.
    let mut terms: Vec<String> = facts
        .technologies
        .iter()
        .filter(|t| !lexicon.technologies[t.entry].category)
        .map(|t| match_key(facts.text.quote(t.span)))
        .collect();
    terms.sort();
    terms.dedup();
    let predicted: Vec<Vec<String>> = terms.iter().map(|t| vec![t.clone()]).collect();
    let mut gold_terms: Vec<String> = gold.technologies.iter().map(|t| match_key(&t.term)).collect();
    gold_terms.sort();
    gold_terms.dedup();
    let (matched, extra, miss) = match_sets(&predicted, &gold_terms);
    record(
        "technologies",
        Score {
            matched,
            predicted: predicted.len(),
            gold: gold_terms.len(),
        },
        miss.iter().map(|&j| gold_terms[j].clone()).collect(),
        extra.iter().map(|&i| terms[i].clone()).collect(),
    );

    DocumentScore {
        doc: gold.doc.clone(),
        scores,
        missed,
        spurious,
    }
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

/// Extracts every document next to the gold files in `dir` and scores it.
pub fn evaluate(dir: &Path, lexicon: &Lexicon) -> Result<Report, EvalError> {
    let mut documents = Vec::new();
    let mut overall: BTreeMap<&'static str, Score> = CATEGORIES.iter().map(|c| (*c, Score::default())).collect();
    for file in gold_files(dir)? {
        let gold = read_gold(&file)?;
        let document = ingest::read(&dir.join(&gold.doc))?;
        let facts = crate::extract::extract_document(&document, lexicon);
        let scored = score(&gold, &facts, lexicon);
        for (name, s) in &scored.scores {
            if let Some(total) = overall.get_mut(name) {
                total.add(*s);
            }
        }
        documents.push(scored);
    }
    Ok(Report { documents, overall })
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
    out
}

//! The pipeline: the one place that calls the stages in order.
//!
//! ```text
//! ingest::discover → ingest::read → extract::extract → model::build → rdf::mapping::quads
//!   → store (one named graph per source) → export (graph.ttl) → render (plan.dot, plan.svg)
//! ```

use crate::export::{export, ExportError, ExportFormat};
use crate::extract::{self, Diagnostic};
use crate::ingest::{self, IngestError};
use crate::lexicon::{Lexicon, LexiconError};
use crate::model::{self, Kind};
use crate::rdf::mapping;
use crate::rdf::vocab::{DERIVED_GRAPH, LEXICON_GRAPH};
use crate::render::{self, RenderError, Renderer, Used};
use crate::store::{write_atomically, GraphStore, SourceRecord, StoreError};
use oxigraph::model::NamedNodeRef;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A fatal failure: nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// What `build` is asked to do, already validated by the caller.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    pub inputs: Vec<PathBuf>,
    pub store_dir: PathBuf,
    /// Where graph.ttl, plan.dot and plan.svg go; `None` writes no artifacts.
    pub out_dir: Option<PathBuf>,
    /// A directory whose lexicon files replace the built-in ones.
    pub lexicon_dir: Option<PathBuf>,
    pub renderer: Renderer,
    /// Read `NAME.meta.json` beside each file: its title and date override what the text
    /// says.
    pub sidecars: bool,
}

/// What one source yielded.
#[derive(Debug, Clone)]
pub struct SourceSummary {
    pub path: String,
    pub encoding: &'static str,
    pub counts: BTreeMap<Kind, usize>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The outcome of a build: what was built, and the problems met on the way (each names
/// its file) — a non-empty `problems` means "finished with problems".
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Sources extracted in this build.
    pub sources: Vec<SourceSummary>,
    /// Sources whose stored graph was kept because the file had not changed.
    pub unchanged: Vec<String>,
    /// Sources of an earlier build that are no longer among the inputs; their graphs are gone.
    pub removed: Vec<String>,
    pub problems: Vec<String>,
    /// Files in the input folders that were not read, each as "PATH: why".
    pub skipped: Vec<String>,
    pub renderer: Option<Used>,
    pub artifacts: Vec<PathBuf>,
    pub quads: usize,
    /// Entities by class (local name) across the whole store.
    pub totals: BTreeMap<String, usize>,
}

/// Loads the lexicon the configuration asks for.
pub fn lexicon(config_dir: Option<&std::path::Path>) -> Result<Lexicon, LexiconError> {
    match config_dir {
        Some(dir) => Lexicon::with_overrides(dir),
        None => Lexicon::builtin(),
    }
}

/// Where a long build is.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub done: usize,
    pub total: usize,
    pub path: &'a str,
}

/// The kinds counted per source in the report.
pub const SUMMARY_KINDS: [Kind; 7] = [
    Kind::Document,
    Kind::Organization,
    Kind::Task,
    Kind::Measure,
    Kind::Target,
    Kind::Outcome,
    Kind::Technology,
];

/// What makes stored graphs current: this program (its executable's bytes) and the
/// lexicons. A store built by anything else is re-extracted in full.
fn fingerprint(lexicon: &Lexicon, sidecars: bool) -> String {
    let program = std::env::current_exe()
        .and_then(std::fs::read)
        .map(|b| ingest::sha256_hex(&b))
        .unwrap_or_default();
    ingest::sha256_hex(format!("{program}\0{}\0{sidecars}", lexicon.fingerprint).as_bytes())
}

/// Builds the store (and the artifacts) from the inputs.
pub fn build(config: &BuildConfig) -> Result<BuildReport, PipelineError> {
    build_with_progress(config, &mut |_| {})
}

/// [`build`], telling `progress` before each file and once at the end.
pub fn build_with_progress(
    config: &BuildConfig,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<BuildReport, PipelineError> {
    let lexicon = lexicon(config.lexicon_dir.as_deref())?;
    let mut report = BuildReport::default();
    let (files, missing) = ingest::discover(&config.inputs);
    report.problems.extend(missing.iter().map(IngestError::to_string));
    report.skipped = crate::formats::passed_over(&config.inputs, &files);
    if files.is_empty() {
        report.problems.push(format!(
            "no .txt, .md, .html, .pdf or .docx files found in {}",
            config
                .inputs
                .iter()
                .map(|p| ingest::display(p))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let mut store = GraphStore::open_or_create(&config.store_dir)?;
    let fingerprint = fingerprint(&lexicon, config.sidecars);
    let reusable = store.manifest.fingerprint == fingerprint;
    let previous = std::mem::take(&mut store.manifest.sources);
    let mut kept = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        let path = ingest::display(file);
        progress(Progress {
            done: i,
            total: files.len(),
            path: &path,
        });
        // A file that cannot be read or decoded is reported; what an earlier build made of
        // it is kept rather than lost.
        let mut skip = |error: IngestError, path: String| {
            report.problems.push(error.to_string());
            if let Some(record) = previous.get(&path) {
                kept.insert(path, record.clone());
            }
        };
        let bytes = match ingest::read_bytes(file) {
            Ok(b) => b,
            Err(e) => {
                skip(e, path);
                continue;
            }
        };
        // An unchanged file keeps its graph: same bytes, same code, same lexicons.
        let sha256 = ingest::sha256_hex(&bytes);
        if let Some(record) = previous.get(&path).filter(|r| reusable && r.sha256 == sha256) {
            if store.contains_graph(NamedNodeRef::new_unchecked(&record.graph))? {
                report.unchanged.push(path.clone());
                kept.insert(path, record.clone());
                continue;
            }
        }
        let document = match ingest::decode_document(file, &bytes) {
            Ok(d) if config.sidecars => d,
            Ok(d) => ingest::Document { meta: None, ..d },
            Err(e) => {
                skip(e, path);
                continue;
            }
        };
        let facts = extract::extract_document(&document, &lexicon);
        let graph = model::build(&document, facts, &lexicon);
        let quads = mapping::quads(&graph);
        let graph_iri = mapping::source_iri(&document.path);
        store.replace_graph(graph_iri.as_ref(), &quads)?;
        let counts = SUMMARY_KINDS.iter().map(|&kind| (kind, graph.count(kind))).collect();
        report.sources.push(SourceSummary {
            path: document.path.clone(),
            encoding: document.encoding,
            counts,
            diagnostics: graph.facts.diagnostics.clone(),
        });
        kept.insert(
            document.path.clone(),
            SourceRecord {
                sha256: document.sha256.clone(),
                graph: graph_iri.as_str().to_owned(),
                encoding: document.encoding.to_owned(),
            },
        );
    }
    progress(Progress {
        done: files.len(),
        total: files.len(),
        path: "",
    });
    for (path, record) in &previous {
        if !kept.contains_key(path) {
            store.remove_graph(NamedNodeRef::new_unchecked(&record.graph))?;
            report.removed.push(path.clone());
        }
    }
    store.manifest.fingerprint = fingerprint;
    store.replace_graph(
        NamedNodeRef::new_unchecked(LEXICON_GRAPH),
        &mapping::lexicon_quads(&lexicon),
    )?;
    // Links across documents (an outcome of one report, a target of an earlier plan) are
    // derived from the whole store, after every source is in place.
    let derived = crate::compare::derived_quads(&store)?;
    store.replace_graph(NamedNodeRef::new_unchecked(DERIVED_GRAPH), &derived)?;
    store.manifest.sources = kept;
    store.save()?;
    report.quads = store.len(None)?;
    report.totals = store
        .select(include_str!("../ontology/queries/summary.rq"))?
        .into_iter()
        .filter_map(|row| {
            let class = row.get("class")?;
            let local = class.rsplit(['#', '/']).next().unwrap_or(class);
            Some((local.to_owned(), row.get("n")?.parse().ok()?))
        })
        .collect();

    if let Some(out) = &config.out_dir {
        let mut turtle = Vec::new();
        export(&store, ExportFormat::Turtle, &mut turtle)?;
        let map = render::plan_map(&store)?;
        let dot = render::dot_text(&map);
        let (svg, used) = render::svg(&map, config.renderer)?;
        for (name, bytes) in [
            ("graph.ttl", turtle),
            ("plan.dot", dot.into_bytes()),
            ("plan.svg", svg.into_bytes()),
        ] {
            let path = out.join(name);
            write_atomically(&path, &bytes)?;
            report.artifacts.push(path);
        }
        report.renderer = Some(used);
    }
    Ok(report)
}

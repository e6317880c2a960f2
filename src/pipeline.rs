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
use crate::store::inputs::InputStats;
use crate::store::{write_atomically, Batch, GraphStore, SourceRecord, StoreError, WriteLock};
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
    /// How the build treats the store and inputs it cannot read.
    pub policy: BuildPolicy,
    /// A document given on standard input (`build -`), built as one more source.
    pub stdin: Option<NamedInput>,
}

/// A document that is no file: its bytes and the name it is stored under (its format is
/// recognized from the bytes and the name's extension, as for a file).
#[derive(Debug, Clone)]
pub struct NamedInput {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// How a build shares the store and what it does with sources it could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildPolicy {
    /// Wait for another writer's lock instead of failing at once.
    pub wait: bool,
    /// Drop every stored source not built in this run, even one whose input failed.
    pub prune: bool,
    /// Larger files are refused (a device or a runaway file must not fill memory).
    pub max_file_size: u64,
}

/// 256 MiB: far above any real plan, far below a machine's memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

impl Default for BuildPolicy {
    fn default() -> Self {
        Self {
            wait: false,
            prune: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        }
    }
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
    /// Sources whose input failed in this build (missing, unreadable, undecodable): what an
    /// earlier build stored of them is kept.
    pub kept: Vec<String>,
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

/// What makes stored graphs current: this program (its executable's bytes, hashed again
/// only when its stat changed) and the lexicons. A store built by anything else is
/// re-extracted in full.
fn fingerprint(lexicon: &Lexicon, sidecars: bool, program: &str) -> String {
    ingest::sha256_hex(format!("{program}\0{}\0{sidecars}", lexicon.fingerprint).as_bytes())
}

/// The SHA-256 of this executable (part of the fingerprint: another program may extract
/// otherwise), from the stat cache when its stat is as recorded; empty when it cannot be read.
fn program_sha256(stats: &mut InputStats) -> String {
    std::env::current_exe()
        .and_then(|exe| {
            let meta = std::fs::metadata(&exe)?;
            let key = format!("\0program {}", exe.display());
            let sha256 = match stats.sha256(&key, &meta) {
                Some(known) => known.to_owned(),
                None => ingest::sha256_hex(&std::fs::read(&exe)?),
            };
            stats.record(&key, &meta, &sha256);
            Ok(sha256)
        })
        .unwrap_or_default()
}

/// A file that cannot be read or decoded: reported, and what an earlier build made of it is
/// kept rather than lost.
fn skip(
    report: &mut BuildReport,
    kept: &mut BTreeMap<String, SourceRecord>,
    previous: &BTreeMap<String, SourceRecord>,
    error: IngestError,
    path: String,
) {
    report.problems.push(error.to_string());
    if let Some(record) = previous.get(&path) {
        kept.insert(path, record.clone());
    }
}

/// The stored record of a source whose graph can stay: same bytes (by their SHA-256), same
/// code, same lexicons, and the graph still in the store.
fn unchanged(
    store: &GraphStore,
    previous: &BTreeMap<String, SourceRecord>,
    path: &str,
    sha256: &str,
    reusable: bool,
) -> Result<Option<SourceRecord>, StoreError> {
    let Some(record) = previous.get(path).filter(|r| reusable && r.sha256 == sha256) else {
        return Ok(None);
    };
    Ok(store
        .contains_graph(NamedNodeRef::new_unchecked(&record.graph))?
        .then(|| record.clone()))
}

/// What extraction made of one file: the document, its graph and the graph's quads (encoded
/// on the worker, ready for the store's index).
type Extracted = (ingest::Document, model::KnowledgeGraph, Batch);

/// Decodes and extracts one file (on a worker thread).
fn extract_one(
    file: &std::path::Path,
    bytes: &[u8],
    sha256: String,
    sidecars: bool,
    lexicon: &Lexicon,
) -> Result<Extracted, IngestError> {
    let document = match ingest::decode_hashed(file, bytes, sha256) {
        Ok(d) if sidecars => d,
        Ok(d) => ingest::Document { meta: None, ..d },
        Err(e) => return Err(e),
    };
    let facts = extract::extract_document(&document, lexicon);
    let graph = model::build(&document, facts, lexicon);
    let quads = mapping::quads(&graph);
    Ok((
        document,
        graph,
        Batch::new(quads.iter().map(oxigraph::model::Quad::as_ref)),
    ))
}

/// Stores one extracted file (on the main thread, in input order).
fn store_one(
    store: &mut GraphStore,
    report: &mut BuildReport,
    kept: &mut BTreeMap<String, SourceRecord>,
    previous: &BTreeMap<String, SourceRecord>,
    path: String,
    result: Result<Extracted, IngestError>,
) -> Result<(), PipelineError> {
    let (document, graph, batch) = match result {
        Ok(x) => x,
        Err(e) => {
            skip(report, kept, previous, e, path);
            return Ok(());
        }
    };
    let graph_iri = mapping::source_iri(&document.path);
    store.replace_graph_with(graph_iri.as_ref(), batch)?;
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
    Ok(())
}

/// Worker threads that run one function over the inputs handed to them and give back the
/// results in the order the inputs came in, whatever order they finish in. A worker takes
/// the next input as soon as it is free, so no worker waits for a slower one; the caller
/// bounds memory by taking results before handing out more ([`OrderedPool::outstanding`]).
struct OrderedPool<I, O> {
    /// Closed when the pool is dropped, which ends the workers.
    inputs: std::sync::mpsc::Sender<(usize, I)>,
    results: std::sync::mpsc::Receiver<(usize, std::thread::Result<O>)>,
    /// Finished out of order, waiting for the ones before them.
    early: BTreeMap<usize, O>,
    handed_out: usize,
    given_back: usize,
}

impl<I: Send, O: Send> OrderedPool<I, O> {
    fn start<'scope, 'env, F>(scope: &'scope std::thread::Scope<'scope, 'env>, workers: usize, f: &'scope F) -> Self
    where
        F: Fn(I) -> O + Sync,
        I: 'scope,
        O: 'scope,
    {
        let (inputs, queue) = std::sync::mpsc::channel::<(usize, I)>();
        let (done, results) = std::sync::mpsc::channel();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for _ in 0..workers.max(1) {
            let (queue, done) = (queue.clone(), done.clone());
            scope.spawn(move || loop {
                let next = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                let Ok((i, input)) = next else { break };
                // A panic goes back to the caller, which raises it again: a worker that
                // died silently would leave the caller waiting for its result.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(input)));
                if done.send((i, result)).is_err() {
                    break;
                }
            });
        }
        Self {
            inputs,
            results,
            early: BTreeMap::new(),
            handed_out: 0,
            given_back: 0,
        }
    }

    fn hand_out(&mut self, input: I) {
        // The workers live as long as the pool: the queue is open.
        let _ = self.inputs.send((self.handed_out, input));
        self.handed_out += 1;
    }

    /// Inputs handed out whose results have not been taken.
    fn outstanding(&self) -> usize {
        self.handed_out - self.given_back
    }

    /// The result of the earliest input whose result has not been taken, waiting for it;
    /// `None` when every result has been taken.
    fn next(&mut self) -> Option<O> {
        if self.given_back == self.handed_out {
            return None;
        }
        loop {
            if let Some(result) = self.early.remove(&self.given_back) {
                self.given_back += 1;
                return Some(result);
            }
            match self.results.recv() {
                Ok((i, Ok(result))) => {
                    self.early.insert(i, result);
                }
                Ok((_, Err(panic))) => std::panic::resume_unwind(panic),
                Err(_) => unreachable!("the workers outlive the pool"),
            }
        }
    }
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
    let mut report = BuildReport::default();
    // Held until the build returns: no other writer interleaves with this one.
    std::fs::create_dir_all(&config.store_dir).map_err(|source| StoreError::Io {
        path: config.store_dir.display().to_string(),
        source,
    })?;
    let _lock = WriteLock::acquire(&config.store_dir, config.policy.wait)?;
    // The store is read (mostly the kernel copying the index), and then the executable
    // hashed when the stat cache does not know it, while this thread loads the lexicons and
    // walks the inputs.
    let (lexicon, walked, store, (mut stats, program)) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| {
            let store = GraphStore::open_or_create(&config.store_dir);
            let mut stats = InputStats::load(&config.store_dir);
            let program = program_sha256(&mut stats);
            (store, (stats, program))
        });
        let lexicon = lexicon(config.lexicon_dir.as_deref());
        let walked = ingest::discover(&config.inputs);
        let (store, stats) = opening.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lexicon, walked, store, stats)
    });
    let lexicon = lexicon?;
    let mut store = store?;
    let ingest::Walked {
        files,
        errors: failed,
        passed,
    } = walked;
    report.problems.extend(failed.iter().map(IngestError::to_string));
    report.skipped = crate::formats::passed_over(&files, &passed);
    if files.is_empty() && failed.is_empty() && config.stdin.is_none() {
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

    let fingerprint = fingerprint(&lexicon, config.sidecars, &program);
    let reusable = store.manifest.fingerprint == fingerprint;
    let previous = std::mem::take(&mut store.manifest.sources);
    let mut kept = BTreeMap::new();
    // Files are read and checked in order on this thread, extracted by one worker per core,
    // and stored back on this thread in input order, so the result never depends on the
    // workers. At most a few files per worker are out at a time, which bounds memory.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let window = workers * 8;
    let mut done = 0;
    let extract = |(file, path, bytes, sha256): (&PathBuf, String, Vec<u8>, String)| {
        let result = extract_one(file, &bytes, sha256, config.sidecars, &lexicon);
        (path, result)
    };
    std::thread::scope(|scope| -> Result<(), PipelineError> {
        let mut pool = OrderedPool::start(scope, workers, &extract);
        let mut prepared = false;
        // A last `None` stores what is still out.
        for file in files.iter().map(Some).chain([None]) {
            if let Some(file) = file {
                let path = ingest::display(file);
                // The stat comes before the read, so what it vouches for is never newer
                // than the bytes hashed; a file whose stat is as recorded is not read again.
                let meta = std::fs::metadata(file).ok();
                let known = meta.as_ref().and_then(|m| stats.sha256(&path, m)).map(str::to_owned);
                if let Some(record) = known
                    .as_deref()
                    .map(|sha| unchanged(&store, &previous, &path, sha, reusable))
                    .transpose()?
                    .flatten()
                {
                    if let Some(meta) = &meta {
                        stats.record(&path, meta, &record.sha256);
                    }
                    report.unchanged.push(path.clone());
                    kept.insert(path, record);
                    continue;
                }
                // A file that cannot be read is reported; what an earlier build made of it
                // is kept rather than lost.
                let bytes = match ingest::read_bytes_limited(file, config.policy.max_file_size) {
                    Ok(b) => b,
                    Err(e) => {
                        skip(&mut report, &mut kept, &previous, e, path);
                        continue;
                    }
                };
                let sha256 = ingest::sha256_hex(&bytes);
                if let Some(meta) = &meta {
                    stats.record(&path, meta, &sha256);
                }
                if let Some(record) = unchanged(&store, &previous, &path, &sha256, reusable)? {
                    report.unchanged.push(path.clone());
                    kept.insert(path, record);
                    continue;
                }
                pool.hand_out((file, path, bytes, sha256));
            }
            let keep = if file.is_some() { window - 1 } else { 0 };
            while pool.outstanding() > keep {
                // While the first files are extracted, this thread builds jieba's
                // dictionary (the workers would each wait for it), so one changed file
                // does not pay it alone.
                if !prepared {
                    extract::prepare(&lexicon);
                    prepared = true;
                }
                let Some((path, result)) = pool.next() else { break };
                progress(Progress {
                    done,
                    total: files.len(),
                    path: &path,
                });
                done += 1;
                store_one(&mut store, &mut report, &mut kept, &previous, path, result)?;
            }
        }
        Ok(())
    })?;
    if let Some(input) = &config.stdin {
        let sha256 = ingest::sha256_hex(&input.bytes);
        match unchanged(&store, &previous, &input.name, &sha256, reusable)? {
            Some(record) => {
                report.unchanged.push(input.name.clone());
                kept.insert(input.name.clone(), record);
            }
            None => {
                let result = extract_one(
                    std::path::Path::new(&input.name),
                    &input.bytes,
                    sha256,
                    config.sidecars,
                    &lexicon,
                );
                store_one(
                    &mut store,
                    &mut report,
                    &mut kept,
                    &previous,
                    input.name.clone(),
                    result,
                )?;
            }
        }
    }
    progress(Progress {
        done: files.len(),
        total: files.len(),
        path: "",
    });
    let built: std::collections::BTreeSet<String> = report
        .sources
        .iter()
        .map(|s| s.path.clone())
        .chain(report.unchanged.iter().cloned())
        .collect();
    for (path, record) in &previous {
        if built.contains(path) {
            continue;
        }
        // A source is dropped only when the inputs were all read and it is not among them:
        // after a mistyped path or an unreadable folder, nobody can tell whether it would
        // have been there, so it stays (and `--prune` is the explicit way out).
        let uncertain = kept.contains_key(path) || !failed.is_empty();
        if config.policy.prune || !uncertain {
            kept.remove(path);
            store.remove_graph(NamedNodeRef::new_unchecked(&record.graph))?;
            report.removed.push(path.clone());
        } else {
            kept.insert(path.clone(), record.clone());
            report.kept.push(path.clone());
        }
    }
    store.manifest.fingerprint = fingerprint;
    store.replace_graph(
        NamedNodeRef::new_unchecked(LEXICON_GRAPH),
        &mapping::lexicon_quads(&lexicon),
    )?;
    // Links across documents (an outcome of one report, a target of an earlier plan) are
    // derived from the whole store, after every source is in place; the summary counts the
    // sources' entities (not the derived graph's) meanwhile, on the other core.
    let (derived, totals) = std::thread::scope(|scope| {
        let counting = scope.spawn(|| store.select(include_str!("../ontology/queries/summary.rq")));
        let derived = crate::compare::derived_quads(&store);
        let totals = counting.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (derived, totals)
    });
    store.replace_graph(NamedNodeRef::new_unchecked(DERIVED_GRAPH), &derived?)?;
    store.manifest.sources = kept;
    store.save()?;
    stats.save(&config.store_dir)?;
    report.quads = store.len(None)?;
    report.totals = totals?
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
        let map = render::map(&store, &render::Scope::Auto)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Results come back in the order the inputs went out, though later inputs finish
    /// first, and no more than the caller lets out are out at a time.
    #[test]
    fn the_pool_gives_results_back_in_input_order() {
        let slow_first = |i: u64| {
            std::thread::sleep(std::time::Duration::from_millis(if i.is_multiple_of(5) {
                20
            } else {
                1
            }));
            i * 10
        };
        let mut back = Vec::new();
        std::thread::scope(|scope| {
            let mut pool = OrderedPool::start(scope, 3, &slow_first);
            for i in 0..40 {
                pool.hand_out(i);
                while pool.outstanding() > 6 {
                    back.extend(pool.next());
                }
            }
            while let Some(result) = pool.next() {
                back.push(result);
            }
            assert_eq!(pool.outstanding(), 0);
        });
        assert_eq!(back, (0..40).map(|i| i * 10).collect::<Vec<_>>());
    }

    /// A worker's panic reaches the caller when it asks for that result: it neither hangs
    /// the caller nor is lost.
    #[test]
    fn a_panic_in_a_worker_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            let fails_on_three = |i: u32| {
                assert_ne!(i, 3, "input three");
                i
            };
            std::thread::scope(|scope| {
                let mut pool = OrderedPool::start(scope, 2, &fails_on_three);
                (0..6).for_each(|i| pool.hand_out(i));
                std::iter::from_fn(|| pool.next()).collect::<Vec<_>>()
            })
        });
        let panic = caught.expect_err("the panic is raised again");
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        assert!(message.contains("input three"), "{message}");
    }
}

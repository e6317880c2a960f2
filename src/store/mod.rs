//! The store: every quad in a sorted, dictionary-encoded [`index`] that Oxigraph's SPARQL
//! evaluator queries, persisted in a directory as two files, and a third after a small change:
//!
//! - `store.nq`, the portable snapshot: sorted N-Quads whose last line is a comment
//!   holding the manifest (`# policykg-manifest {json}`): the sources it holds and the
//!   SHA-256 of the N-Quads before that line. Snapshot and manifest therefore commit as
//!   one file: written to a temporary file in the same directory, fsynced, renamed over
//!   the old one, and the directory fsynced. Reading it verifies the checksum and refuses
//!   a damaged or truncated snapshot.
//! - `store.index`, the same quads in binary form (see [`index`]), which is what opening
//!   reads: a cache stamped with the snapshot's length, time and checksum, so a snapshot
//!   changed behind its back (or a damaged index) sends `open` back to the snapshot.
//!
//! - `store.delta.nq`, when there is one: the graphs replaced since the snapshot was
//!   written, as N-Quads whose last line (`# policykg-delta {json}`) lists them, holds the
//!   SHA-256 of the lines above it and the store's current manifest. A save that replaces
//!   few graphs writes this file alone (a one-file change to a 500-document store writes
//!   its graph, not the 341 MB snapshot); a larger one writes the snapshot and the index
//!   again and removes it. It applies only to the snapshot whose checksum its manifest
//!   records, so one left behind by a save that ended between the two steps is ignored.
//!
//! Writers hold [`WriteLock`] (`DIR/lock`) for the whole write. Replaced graphs are kept
//! aside: queries see them over the index through a [`index::Delta`] while they are few,
//! and they are merged into a new index when they are many, or for a snapshot. SPARQL Update runs on
//! Oxigraph's own in-memory `Store`, filled from the index for the update.

pub mod index;
pub mod inputs;

pub use index::Batch;
use index::{Index, IndexView, Merge, SnapshotStamp, Source};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub const SNAPSHOT: &str = "store.nq";
/// The binary index beside the snapshot.
pub const INDEX: &str = "store.index";
/// The graphs replaced since the snapshot was written.
pub const DELTA: &str = "store.delta.nq";
/// The start of the delta's last line.
const DELTA_LINE: &str = "# policykg-delta ";
/// A save writes a delta while its quads are at most this share of the snapshot's (1/8),
/// and the snapshot again past that: opening merges the delta, so it stays small.
const DELTA_SHARE: usize = 8;
/// Where stores written before the manifest moved into the snapshot kept it; read once,
/// removed by the next write.
pub const LEGACY_MANIFEST: &str = "manifest.json";
/// The advisory lock every writer holds.
pub const LOCK: &str = "lock";
/// The start of the snapshot's last line.
const MANIFEST_LINE: &str = "# policykg-manifest ";
/// Temporary files of interrupted writes start with this (tempfile's default prefix).
const TEMP_PREFIX: &str = ".tmp";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: no store here (run `policykg build` first, or pass --store DIR)")]
    Missing { path: String },
    #[error(
        "{path}: damaged store: {message}. Nothing was changed. To recover, move the file \
         aside (it stays readable as N-Quads) and rebuild from the documents: \
         mv {path} {path}.damaged && policykg build … --store {dir}"
    )]
    Corrupt { path: String, dir: String, message: String },
    #[error(
        "{dir}: the store is being written by another process ({holder}): a build, or \
         `serve --allow-update`, which owns the store while it runs. Wait for it to finish \
         (or stop that serve); `build --wait` queues behind it"
    )]
    Locked { dir: String, holder: String },
    #[error("store: {0}")]
    Storage(String),
    #[error("SPARQL syntax error: {0}")]
    Syntax(String),
    #[error("SPARQL evaluation error: {0}")]
    Evaluation(String),
    #[error("the query was stopped: it ran past the time limit")]
    Cancelled,
}

/// One source recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRecord {
    pub sha256: String,
    pub graph: String,
    pub encoding: String,
}

/// What the snapshot holds, and what built it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Changes when the code or the lexicons change, so stale graphs are rebuilt.
    pub fingerprint: String,
    /// SHA-256 of the N-Quads in `store.nq` before the manifest line; a mismatch means
    /// the snapshot is damaged.
    pub snapshot_sha256: String,
    pub sources: BTreeMap<String, SourceRecord>,
}

/// The last line of `store.delta.nq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct DeltaLine {
    /// The graphs the delta replaces, in order; one with no quads above is removed.
    graphs: Vec<String>,
    /// SHA-256 of the N-Quads above this line.
    sha256: String,
    /// The store's manifest with the delta applied; its `snapshot_sha256` names the
    /// snapshot the delta applies to.
    manifest: Manifest,
}

/// How to evaluate a query: its dataset and a way to stop it.
#[derive(Default, Clone)]
pub struct QueryOptions {
    pub default_graphs: Vec<NamedNode>,
    pub named_graphs: Vec<NamedNode>,
    pub cancel: Option<oxigraph::sparql::CancellationToken>,
}

pub struct GraphStore {
    dir: PathBuf,
    /// The quads as last opened or saved.
    base: Arc<Index>,
    /// Graphs replaced since (by IRI; an empty batch removes the graph).
    edits: BTreeMap<String, Batch>,
    /// `base` with `edits` applied, made on the first read after an edit.
    merged: OnceLock<Arc<Index>>,
    /// `edits` over `base` for queries, made on the first query after an edit while the
    /// edits are few.
    delta: OnceLock<Arc<index::Delta>>,
    pub manifest: Manifest,
    /// The manifest on disk, when the files there hold `base` with `edits` (snapshot and
    /// index, and the delta): saving with this manifest writes nothing.
    on_disk: Option<Manifest>,
    /// Whether the snapshot on disk holds `base`, so a delta can be written against it.
    base_on_disk: bool,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn storage(e: impl std::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

impl GraphStore {
    fn with(dir: &Path, base: Index, manifest: Manifest) -> Self {
        Self {
            dir: dir.to_owned(),
            base: Arc::new(base),
            edits: BTreeMap::new(),
            merged: OnceLock::new(),
            delta: OnceLock::new(),
            manifest,
            on_disk: None,
            base_on_disk: false,
        }
    }

    /// [`Self::with`] for what was read from disk, index included.
    fn matching_disk(mut self) -> Self {
        self.on_disk = Some(self.manifest.clone());
        self.base_on_disk = true;
        self
    }

    /// An empty store that lives only in memory (to validate a file, for example); it has
    /// no directory to save to.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self::with(Path::new(""), Index::default(), Manifest::default()))
    }

    /// Opens the store in `dir`, empty if there is none yet.
    pub fn open_or_create(dir: &Path) -> Result<Self, StoreError> {
        if dir.join(SNAPSHOT).is_file() {
            Self::open(dir)
        } else {
            Ok(Self::with(dir, Index::default(), Manifest::default()))
        }
    }

    /// Opens an existing store: from its index when that matches the snapshot, else from
    /// the snapshot, verifying its checksum (and then writing the index again when no
    /// writer holds the store); then the delta, verified, when it applies to the snapshot.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let mut store = Self::open_snapshot(dir)?;
        if let Some((line, edits)) = read_delta(dir)? {
            // A delta written against another snapshot was left by a save that wrote the
            // snapshot again and ended before removing it: the snapshot holds it already.
            if line.manifest.snapshot_sha256 == store.manifest.snapshot_sha256 {
                store.edits = edits;
                store.manifest = line.manifest;
                if store.on_disk.is_some() {
                    store.on_disk = Some(store.manifest.clone());
                }
            }
        }
        Ok(store)
    }

    /// Opens the snapshot of an existing store (and its index).
    fn open_snapshot(dir: &Path) -> Result<Self, StoreError> {
        let snapshot = dir.join(SNAPSHOT);
        if !snapshot.is_file() {
            return Err(StoreError::Missing {
                path: dir.display().to_string(),
            });
        }
        let mut file = std::fs::File::open(&snapshot).map_err(io_error(&snapshot))?;
        let Some((manifest, body_len)) = manifest_line(&mut file).map_err(io_error(&snapshot))? else {
            return Self::open_whole(dir, &snapshot);
        };
        let stamp = stamp_of(&file, &manifest).map_err(io_error(&snapshot))?;
        if let Some(index) = read_index(dir, &stamp) {
            return Ok(Self::with(dir, index, manifest).matching_disk());
        }
        let index = read_snapshot(dir, file, body_len, &manifest.snapshot_sha256)?;
        // A store from before the index, or one whose index is stale or damaged: the next
        // open is fast again. A writer that owns the store writes it on its save.
        if let Ok(_lock) = WriteLock::acquire(dir, false) {
            if write_index(dir, &Source::Index(&index), &stamp).is_ok() {
                return Ok(Self::with(dir, index, manifest).matching_disk());
            }
        }
        let mut store = Self::with(dir, index, manifest);
        store.base_on_disk = true;
        Ok(store)
    }

    /// Opens a snapshot read whole: a store from before the manifest line (its separate
    /// `manifest.json`), or a file that does not end with its manifest (refused).
    fn open_whole(dir: &Path, snapshot: &Path) -> Result<Self, StoreError> {
        let bytes = std::fs::read(snapshot).map_err(io_error(snapshot))?;
        let (body, manifest, recorded) = split_snapshot(dir, &bytes)?;
        if let Some(sha256) = &recorded {
            verify(dir, body, sha256)?;
        }
        let quads = RdfParser::from_format(RdfFormat::NQuads)
            .lenient()
            .for_slice(body)
            .collect::<Result<Vec<Quad>, _>>()
            .map_err(|e| corrupt(dir, e.to_string()))?;
        Ok(Self::with(dir, Index::build(quads.iter().map(Quad::as_ref)), manifest))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current quads, with the edits made since the last save.
    fn view(&self) -> Arc<Index> {
        if self.edits.is_empty() {
            return self.base.clone();
        }
        self.merged
            .get_or_init(|| {
                let replaced: std::collections::HashSet<String> = self.edits.keys().map(|g| format!("<{g}>")).collect();
                let batches: Vec<&Batch> = self.edits.values().collect();
                Arc::new(Index::merge(&self.base, |g| replaced.contains(g), &batches))
            })
            .clone()
    }

    /// Drops what was made from the edits before the last one.
    /// The edits merged into the base become the base.
    fn adopt(&mut self, merged: Arc<Index>) {
        self.base = merged;
        self.edits.clear();
        self.forget_views();
    }

    fn forget_views(&mut self) {
        self.merged = OnceLock::new();
        self.delta = OnceLock::new();
    }

    /// Whether the edits are few beside the base: then a save writes them as a delta, and
    /// queries read them over the base rather than merging them in.
    fn edits_are_few(&self) -> bool {
        let replaced: usize = self.edits.values().map(Batch::len).sum();
        replaced.saturating_mul(DELTA_SHARE) <= self.base.len()
    }

    /// What a query reads: the base with the edits over it while they are few (and not
    /// merged already), else the merged index.
    fn query_view(&self) -> IndexView {
        if self.edits.is_empty() || self.merged.get().is_some() || !self.edits_are_few() {
            return IndexView::new(self.view());
        }
        let delta = self.delta.get_or_init(|| {
            let batches: Vec<&Batch> = self.edits.values().collect();
            Arc::new(index::Delta::new(
                &self.base,
                self.edits.keys().map(String::as_str),
                &batches,
            ))
        });
        IndexView::with_delta(self.base.clone(), delta.clone())
    }

    /// Replaces the content of one named graph.
    pub fn replace_graph(&mut self, graph: NamedNodeRef<'_>, quads: &[Quad]) -> Result<(), StoreError> {
        self.replace_graph_with(graph, Batch::new(quads.iter().map(Quad::as_ref)))
    }

    /// Replaces the content of one named graph with quads already encoded (by a worker).
    pub fn replace_graph_with(&mut self, graph: NamedNodeRef<'_>, batch: Batch) -> Result<(), StoreError> {
        // The same content again (the lexicon, the derived links of an unchanged store) is
        // no edit: nothing to merge, nothing to write. A graph back to what the snapshot
        // holds is no edit either, so a delta only ever holds graphs that differ from it.
        if self.edits.get(graph.as_str()) == Some(&batch) {
            return Ok(());
        }
        // Edits merged for a read become the base when no delta is to be written against
        // the snapshot anyway (a new store, or a change too large for a delta): the derived
        // links a build adds after its queries are then a few quads over the merged index,
        // not a reason to merge every graph again.
        if self.merged.get().is_some() && (!self.base_on_disk || !self.edits_are_few()) {
            if let Some(merged) = self.merged.take() {
                self.adopt(merged);
                self.base_on_disk = false;
            }
        }
        if self.base.holds_exactly(graph, &batch) {
            if self.edits.remove(graph.as_str()).is_some() {
                self.forget_views();
                self.on_disk = None;
            }
            return Ok(());
        }
        self.edits.insert(graph.as_str().to_owned(), batch);
        self.forget_views();
        self.on_disk = None;
        Ok(())
    }

    /// Adds quads to one named graph, keeping what it holds.
    pub fn add_to_graph(&mut self, graph: NamedNodeRef<'_>, quads: &[Quad]) -> Result<(), StoreError> {
        let mut held = self.quads_in(Some(graph))?;
        held.extend_from_slice(quads);
        self.replace_graph(graph, &held)
    }

    /// Whether the graph holds any quad (a snapshot keeps no empty graphs).
    pub fn contains_graph(&self, graph: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        Ok(match self.edits.get(graph.as_str()) {
            Some(batch) => !batch.is_empty(),
            None => self.base.graph_len(graph) > 0,
        })
    }

    pub fn remove_graph(&mut self, graph: NamedNodeRef<'_>) -> Result<(), StoreError> {
        self.replace_graph(graph, &[])
    }

    pub fn named_graphs(&self) -> Result<Vec<NamedNode>, StoreError> {
        Ok(self
            .view()
            .named_graphs()
            .map_err(storage)?
            .into_iter()
            .filter_map(|g| match g {
                NamedOrBlankNode::NamedNode(n) => Some(n),
                NamedOrBlankNode::BlankNode(_) => None,
            })
            .collect())
    }

    /// Every quad, as sorted canonical N-Quads lines.
    pub fn canonical_nquads(&self) -> Result<String, StoreError> {
        let mut out = Vec::new();
        self.view().write_nquads(&mut out).map_err(storage)?;
        String::from_utf8(out).map_err(storage)
    }

    /// Every quad, in the order of the snapshot's lines.
    pub fn quads(&self) -> Result<Vec<Quad>, StoreError> {
        self.view().quads().collect::<Result<_, _>>().map_err(storage)
    }

    /// Writes what changed since the last save: a delta when the replaced graphs are few
    /// beside the snapshot, else the snapshot with its manifest line as one atomic file and
    /// the index (and the delta is removed). The caller holds the [`WriteLock`].
    pub fn save(&mut self) -> Result<(), StoreError> {
        if self.on_disk.as_ref() == Some(&self.manifest) {
            return Ok(());
        }
        std::fs::create_dir_all(&self.dir).map_err(io_error(&self.dir))?;
        if self.base_on_disk && self.edits_are_few() {
            self.write_delta()?;
        } else {
            self.write_snapshot()?;
        }
        self.on_disk = Some(self.manifest.clone());
        // The snapshot now carries its manifest; the older separate one would only mislead.
        let legacy = self.dir.join(LEGACY_MANIFEST);
        if legacy.exists() {
            std::fs::remove_file(&legacy).map_err(io_error(&legacy))?;
            sync_dir(&self.dir)?;
        }
        Ok(())
    }

    /// Writes the replaced graphs, graph by graph in IRI order, with the delta line.
    fn write_delta(&mut self) -> Result<(), StoreError> {
        let mut line = DeltaLine {
            graphs: self.edits.keys().cloned().collect(),
            sha256: String::new(),
            manifest: self.manifest.clone(),
        };
        let edits = &self.edits;
        write_atomically_with(&self.dir.join(DELTA), |w| {
            let mut hashing = Checked {
                inner: &mut *w,
                digest: <sha2::Sha256 as sha2::Digest>::new(),
            };
            for batch in edits.values() {
                batch.write_nquads(&mut hashing)?;
            }
            line.sha256 = format!("{:x}", sha2::Digest::finalize(hashing.digest));
            let json = serde_json::to_string(&line).map_err(std::io::Error::other)?;
            w.write_all(DELTA_LINE.as_bytes())?;
            w.write_all(json.as_bytes())?;
            w.write_all(b"\n")
        })
    }

    /// Writes the snapshot and the index of every quad, then removes the delta.
    fn write_snapshot(&mut self) -> Result<(), StoreError> {
        // Edits not merged yet are merged on the way to disk: the files are written from the
        // base and the new rows, and no second index is made.
        let merged = self.merged.get().cloned();
        let replaced: std::collections::HashSet<String> = self.edits.keys().map(|g| format!("<{g}>")).collect();
        let batches: Vec<&Batch> = self.edits.values().collect();
        let source = match &merged {
            Some(index) => Source::Index(index),
            None if batches.is_empty() => Source::Index(&self.base),
            None => Source::Merge(Merge::new(&self.base, |g| replaced.contains(g), &batches)),
        };
        let streamed = matches!(source, Source::Merge(_));
        let path = self.dir.join(SNAPSHOT);
        let manifest = &mut self.manifest;
        // The lines go from the index to the file through the checksum, which the
        // manifest line after them records.
        let snapshot = written_temp(&path, |w| {
            manifest.snapshot_sha256 = sha256_aside(&mut *w, |hashing| source.write_nquads(hashing))?;
            // serde_json escapes control characters, so the manifest is one line.
            let line = serde_json::to_string(&*manifest).map_err(std::io::Error::other)?;
            w.write_all(MANIFEST_LINE.as_bytes())?;
            w.write_all(line.as_bytes())?;
            w.write_all(b"\n")
        })?;
        // The snapshot's length and time are final once it is written (neither the fsync nor
        // the rename changes them), so the index is written while the snapshot is fsynced.
        // Either may land first: an index whose snapshot is not in place fails its stamp.
        let stamp = stamp_of(snapshot.as_file(), &self.manifest).map_err(io_error(&path))?;
        std::thread::scope(|scope| {
            let indexing = scope.spawn(|| write_index(&self.dir, &source, &stamp));
            let committed = commit(snapshot, &path, true);
            let indexed = indexing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            committed.and(indexed)
        })?;
        drop(source);
        drop(batches);
        // On disk now: the base with the edits. Merged ones become the base; streamed ones
        // stay over it, and the next save writes the snapshot again rather than a delta.
        if let Some(index) = merged {
            self.adopt(index);
        }
        self.base_on_disk = !streamed;
        // The snapshot holds the delta's graphs now; a delta left behind (by a process that
        // ends here) names the older snapshot and is ignored.
        let delta = self.dir.join(DELTA);
        if delta.exists() {
            std::fs::remove_file(&delta).map_err(io_error(&delta))?;
            sync_dir(&self.dir)?;
        }
        Ok(())
    }

    /// Evaluates a SPARQL query with the union of all graphs as the default graph.
    pub fn query(&self, query: &str) -> Result<QueryResults<'static>, StoreError> {
        self.query_with(query, &QueryOptions::default())
    }

    /// Evaluates a SPARQL query with an explicit dataset and a cancellation token.
    pub fn query_with(&self, query: &str, options: &QueryOptions) -> Result<QueryResults<'static>, StoreError> {
        let mut evaluator = crate::sparql::evaluator();
        if let Some(token) = &options.cancel {
            evaluator = evaluator.with_cancellation_token(token.clone());
        }
        let parsed = crate::sparql::parser()
            .parse_query(query)
            .map_err(|e| StoreError::Syntax(crate::sparql::syntax_message(query, &e.to_string())))?;
        let (parsed, sort) = crate::sparql::order::take(parsed);
        let mut prepared = evaluator.for_query(parsed);
        // A dataset given by the protocol (default-graph-uri, named-graph-uri) wins over the
        // query's FROM clauses; without either, the default graph is the union of all graphs.
        let query_has_dataset = !prepared.dataset().is_default_dataset();
        if !options.default_graphs.is_empty() || !options.named_graphs.is_empty() {
            let dataset = prepared.dataset_mut();
            dataset.set_default_graph(options.default_graphs.iter().cloned().map(Into::into).collect());
            if !options.named_graphs.is_empty() {
                dataset.set_available_named_graphs(options.named_graphs.iter().cloned().map(Into::into).collect());
            }
        } else if !query_has_dataset {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        let results = prepared
            .on_queryable_dataset(self.query_view())
            .execute()
            .map_err(|e| match e {
                oxigraph::sparql::QueryEvaluationError::Cancelled => StoreError::Cancelled,
                e => StoreError::Evaluation(e.to_string()),
            })?;
        Ok(match (results, sort) {
            (QueryResults::Solutions(solutions), Some(sort)) => QueryResults::Solutions(sort.apply(solutions)),
            (results, _) => results,
        })
    }

    /// The quads in Oxigraph's own in-memory store, where SPARQL Update runs.
    pub fn to_oxigraph(&self) -> Result<Store, StoreError> {
        let store = Store::new().map_err(storage)?;
        let mut loader = store.bulk_loader();
        loader.load_quads(self.quads()?).map_err(storage)?;
        loader.commit().map_err(storage)?;
        Ok(store)
    }

    /// Runs a SPARQL update, then saves the snapshot.
    pub fn update(&mut self, update: &str) -> Result<(), StoreError> {
        let prepared = crate::sparql::evaluator()
            .parse_update(update)
            .map_err(|e| StoreError::Syntax(crate::sparql::syntax_message(update, &e.to_string())))?;
        let store = self.to_oxigraph()?;
        prepared
            .on_store(&store)
            .execute()
            .map_err(|e| StoreError::Evaluation(e.to_string()))?;
        let quads = store
            .iter()
            .map(|q| q.map(crate::rdf::mapping::with_declared_datatype))
            .collect::<Result<Vec<Quad>, _>>()
            .map_err(storage)?;
        self.base = Arc::new(Index::build(quads.iter().map(Quad::as_ref)));
        self.edits.clear();
        self.forget_views();
        self.on_disk = None;
        self.base_on_disk = false;
        self.save()
    }

    /// The rows of a SELECT query as strings (IRIs bare, literals by value), for callers
    /// that only need values.
    pub fn select(&self, query: &str) -> Result<Vec<BTreeMap<String, String>>, StoreError> {
        self.select_with(query, &QueryOptions::default())
    }

    /// [`Self::select`] over the dataset `options` gives.
    pub fn select_with(
        &self,
        query: &str,
        options: &QueryOptions,
    ) -> Result<Vec<BTreeMap<String, String>>, StoreError> {
        let QueryResults::Solutions(solutions) = self.query_with(query, options)? else {
            return Err(StoreError::Evaluation("not a SELECT query".into()));
        };
        let mut rows = Vec::new();
        for solution in solutions {
            let solution = solution.map_err(|e| StoreError::Evaluation(e.to_string()))?;
            let mut row = BTreeMap::new();
            for (var, term) in solution.iter() {
                let value = match term {
                    oxigraph::model::Term::NamedNode(n) => n.as_str().to_owned(),
                    oxigraph::model::Term::Literal(l) => l.value().to_owned(),
                    other => other.to_string(),
                };
                row.insert(var.as_str().to_owned(), value);
            }
            rows.push(row);
        }
        Ok(rows)
    }

    /// The quads of one named graph, or of the default graph with `None`, sorted.
    ///
    /// A term that does not decode is an error, never a graph read short: callers write
    /// back what they read (a POST to the Graph Store adds to it).
    pub fn quads_in(&self, graph: Option<NamedNodeRef<'_>>) -> Result<Vec<Quad>, StoreError> {
        let name = graph.map_or(GraphNameRef::DefaultGraph, GraphNameRef::NamedNode);
        // A graph replaced is its batch; any other (the default graph too) is as the base
        // holds it: no merge either way.
        match graph.and_then(|g| self.edits.get(g.as_str())) {
            Some(batch) => batch.graph_quads(name),
            None => self.base.graph_quads(name),
        }
        .map_err(|e| corrupt_file(&self.dir, INDEX, format!("cannot read graph {name}: {e}")))
    }

    /// Number of quads in one graph (or all with `None`), counted without merging the edits.
    pub fn len(&self, graph: Option<NamedNodeRef<'_>>) -> Result<usize, StoreError> {
        let in_graph = |g: NamedNodeRef<'_>| match self.edits.get(g.as_str()) {
            Some(batch) => batch.len(),
            None => self.base.graph_len(g),
        };
        Ok(match graph {
            Some(g) => in_graph(g),
            None => {
                self.base.len() + self.edits.values().map(Batch::len).sum::<usize>()
                    - self
                        .edits
                        .keys()
                        .map(|g| self.base.graph_len(NamedNodeRef::new_unchecked(g)))
                        .sum::<usize>()
            }
        })
    }
}

/// What the index must record to stand for this snapshot.
fn stamp_of(file: &std::fs::File, manifest: &Manifest) -> std::io::Result<SnapshotStamp> {
    let meta = file.metadata()?;
    let modified_ns = meta
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    Ok(SnapshotStamp {
        len: meta.len(),
        modified_ns,
        sha256: manifest.snapshot_sha256.clone(),
    })
}

/// The index in `dir`, if it is there, whole, and made from the snapshot `stamp` describes.
fn read_index(dir: &Path, stamp: &SnapshotStamp) -> Option<Index> {
    let file = std::fs::File::open(dir.join(INDEX)).ok()?;
    let len = file.metadata().ok()?.len();
    // Unbuffered: the index is read in large blocks straight into its arrays.
    let mut reader = file;
    Index::read(&mut reader, len, |found| found == stamp)
        .ok()?
        .map(|(_, index)| index)
}

/// Writes the index beside the snapshot. It is a cache: renamed into place, but not
/// fsynced; a torn one fails its checksum and the snapshot is read instead.
fn write_index(dir: &Path, source: &Source<'_>, stamp: &SnapshotStamp) -> Result<(), StoreError> {
    write_through_temp(&dir.join(INDEX), false, |w| source.write(stamp, w))
}

/// Reads the snapshot's N-Quads into an index: the file streams through the checksum into
/// the parser, and the parsed quads are encoded in batches as they come. A mismatch (or a
/// line that does not parse) discards it.
fn read_snapshot(dir: &Path, file: std::fs::File, body_len: u64, recorded: &str) -> Result<Index, StoreError> {
    let snapshot = dir.join(SNAPSHOT);
    let mut reader = Checked {
        inner: std::io::BufReader::with_capacity(1 << 20, file).take(body_len),
        digest: <sha2::Sha256 as sha2::Digest>::new(),
    };
    let mut batches = Vec::new();
    let mut quads = Vec::with_capacity(OPEN_BATCH);
    let mut parse_error = None;
    // The checksum vouches for every line: policykg wrote them, so the parser need not
    // validate each IRI again.
    for quad in RdfParser::from_format(RdfFormat::NQuads)
        .lenient()
        .for_reader(&mut reader)
    {
        match quad {
            Ok(quad) => quads.push(quad),
            Err(e) => {
                parse_error = Some(e.to_string());
                break;
            }
        }
        if quads.len() == OPEN_BATCH {
            batches.push(Batch::new(quads.iter().map(Quad::as_ref)));
            quads.clear();
        }
    }
    batches.push(Batch::new(quads.iter().map(Quad::as_ref)));
    // The whole body is hashed, even past a line that did not parse, so a damaged file is
    // reported as damaged rather than as a parse error.
    std::io::copy(&mut reader, &mut std::io::sink()).map_err(io_error(&snapshot))?;
    let found = format!("{:x}", sha2::Digest::finalize(reader.digest));
    if found != recorded {
        return Err(mismatch(dir, SNAPSHOT, body_len, &found, recorded));
    }
    if let Some(e) = parse_error {
        return Err(corrupt(dir, e));
    }
    Ok(Index::merge(
        &Index::default(),
        |_| false,
        &batches.iter().collect::<Vec<_>>(),
    ))
}

/// Quads parsed per batch when a snapshot is read: encoded as they come, so the parsed
/// quads are never all held at once.
const OPEN_BATCH: usize = 64 * 1024;

/// Writes `bytes` to `path` through a temporary file in the same directory, fsynced and
/// renamed over the target, so readers see the old or the new file, never a torn one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomically_with(path, |w| w.write_all(bytes))
}

/// [`write_atomically`] with the content written by `write` (through a buffer).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), StoreError> {
    write_through_temp(path, true, write)
}

/// Writes a temporary file in `path`'s directory and renames it over `path`; `durable`
/// fsyncs the file before the rename and the directory after it.
fn write_through_temp(
    path: &Path,
    durable: bool,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), StoreError> {
    commit(written_temp(path, write)?, path, durable)
}

/// A temporary file in `path`'s directory holding what `write` wrote (through a buffer).
fn written_temp(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<tempfile::NamedTempFile, StoreError> {
    let dir = parent_of(path);
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io_error(dir))?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
        write(&mut buffered).map_err(io_error(path))?;
        buffered.flush().map_err(io_error(path))?;
    }
    Ok(file)
}

/// Renames a temporary file from [`written_temp`] over `path`; `durable` fsyncs the file
/// before the rename and the directory after it.
fn commit(file: tempfile::NamedTempFile, path: &Path, durable: bool) -> Result<(), StoreError> {
    // Artifacts are ordinary files: readable by others, like those `cp` would make.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io_error(path))?;
    }
    if durable {
        file.as_file().sync_all().map_err(io_error(path))?;
    }
    file.persist(path).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        source: e.error,
    })?;
    // The rename is durable only once the directory entry is.
    if durable {
        sync_dir(parent_of(path))?;
    }
    Ok(())
}

/// The directory a file is written in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Fsyncs a directory, so the renames and removals in it survive a power cut.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn corrupt(dir: &Path, message: String) -> StoreError {
    corrupt_file(dir, SNAPSHOT, message)
}

fn corrupt_file(dir: &Path, file: &str, message: String) -> StoreError {
    StoreError::Corrupt {
        path: dir.join(file).display().to_string(),
        dir: dir.display().to_string(),
        message,
    }
}

/// A delta as read: its line and its graphs as batches.
type Delta = (DeltaLine, BTreeMap<String, Batch>);

/// The delta in `dir`, if there is one, verified against its checksum.
fn read_delta(dir: &Path) -> Result<Option<Delta>, StoreError> {
    let path = dir.join(DELTA);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error(&path)(source)),
    };
    let damaged = |message: String| corrupt_file(dir, DELTA, message);
    let content = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let line_start = content.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let Some(json) = content[line_start..].strip_prefix(DELTA_LINE.as_bytes()) else {
        return Err(damaged(
            "it does not end with its delta line (the file was truncated, or was not written \
             by policykg)"
                .into(),
        ));
    };
    let line: DeltaLine =
        serde_json::from_slice(json).map_err(|e| damaged(format!("its delta line does not parse ({e})")))?;
    let body = &bytes[..line_start];
    let found = crate::ingest::sha256_hex(body);
    if found != line.sha256 {
        return Err(mismatch(dir, DELTA, body.len() as u64, &found, &line.sha256));
    }
    let mut quads: BTreeMap<&str, Vec<Quad>> = line.graphs.iter().map(|g| (g.as_str(), Vec::new())).collect();
    for quad in RdfParser::from_format(RdfFormat::NQuads).lenient().for_slice(body) {
        let quad = quad.map_err(|e| damaged(e.to_string()))?;
        let graph = match &quad.graph_name {
            oxigraph::model::GraphName::NamedNode(g) => quads.get_mut(g.as_str()),
            _ => None,
        };
        let Some(graph) = graph else {
            return Err(damaged(format!("a quad outside the graphs it lists: {quad}")));
        };
        graph.push(quad);
    }
    let edits = quads
        .into_iter()
        .map(|(graph, quads)| (graph.to_owned(), Batch::new(quads.iter().map(Quad::as_ref))))
        .collect();
    Ok(Some((line, edits)))
}

/// Splits a snapshot into its N-Quads and its manifest, checking the checksum. A snapshot
/// without a manifest line is accepted only beside a legacy `manifest.json` (a store from
/// before the manifest moved inside); otherwise it was truncated.
/// The N-Quads body of a snapshot, its manifest, and the checksum the body must have (to
/// be checked with [`verify`]); a legacy store has none to check.
fn split_snapshot<'a>(dir: &Path, bytes: &'a [u8]) -> Result<(&'a [u8], Manifest, Option<String>), StoreError> {
    let content = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let line_start = content.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if let Some(json) = content[line_start..].strip_prefix(MANIFEST_LINE.as_bytes()) {
        let manifest: Manifest = serde_json::from_slice(json)
            .map_err(|e| corrupt(dir, format!("its manifest line does not parse ({e})")))?;
        let body = &bytes[..line_start];
        let recorded = manifest.snapshot_sha256.clone();
        return Ok((body, manifest, Some(recorded)));
    }
    if !dir.join(LEGACY_MANIFEST).is_file() {
        return Err(corrupt(
            dir,
            "it does not end with its manifest line (the file was truncated, or was not \
             written by policykg)"
                .into(),
        ));
    }
    // A legacy manifest describes the snapshot only when its checksum matches; otherwise
    // every source is extracted again on the next build.
    let manifest = std::fs::read(dir.join(LEGACY_MANIFEST))
        .ok()
        .and_then(|m| serde_json::from_slice::<Manifest>(&m).ok())
        .filter(|m| m.snapshot_sha256 == crate::ingest::sha256_hex(bytes))
        .unwrap_or_default();
    Ok((bytes, manifest, None))
}

/// Whether the N-Quads body hashes to the checksum its manifest line records.
fn verify(dir: &Path, body: &[u8], recorded: &str) -> Result<(), StoreError> {
    let found = crate::ingest::sha256_hex(body);
    if found != recorded {
        return Err(mismatch(dir, SNAPSHOT, body.len() as u64, &found, recorded));
    }
    Ok(())
}

/// The N-Quads of `file` (the snapshot or the delta) do not hash to what its last line
/// records.
fn mismatch(dir: &Path, file: &str, len: u64, found: &str, recorded: &str) -> StoreError {
    let line = if file == DELTA { "delta" } else { "manifest" };
    corrupt_file(
        dir,
        file,
        format!(
            "the checksum does not match ({len} bytes of N-Quads hash to {found}; the {line} \
             line records {recorded})"
        ),
    )
}

/// The manifest on a snapshot's last line and the length of the N-Quads before it, read
/// from the end of the file; `None` when the last line is no manifest line.
fn manifest_line(file: &mut std::fs::File) -> std::io::Result<Option<(Manifest, u64)>> {
    use std::io::{Seek, SeekFrom};
    let len = file.metadata()?.len();
    let mut window = len.min(64 * 1024);
    loop {
        file.seek(SeekFrom::Start(len - window))?;
        let mut tail = Vec::with_capacity(window as usize);
        (&mut *file).take(window).read_to_end(&mut tail)?;
        let content = tail.strip_suffix(b"\n").unwrap_or(&tail);
        let start = match content.iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None if window < len => {
                window = len.min(window * 4);
                continue;
            }
            None => 0,
        };
        file.seek(SeekFrom::Start(0))?;
        let Some(json) = content[start..].strip_prefix(MANIFEST_LINE.as_bytes()) else {
            return Ok(None);
        };
        return match serde_json::from_slice::<Manifest>(json) {
            Ok(manifest) => Ok(Some((manifest, len - window + start as u64))),
            // A damaged manifest line is reported by the whole-file path, with its reason.
            Err(_) => Ok(None),
        };
    }
}

/// A checksum that sees every byte read or written through [`Checked`].
trait Checksum {
    fn update(&mut self, bytes: &[u8]);
}

impl Checksum for sha2::Sha256 {
    fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(self, bytes);
    }
}

impl Checksum for crc32fast::Hasher {
    fn update(&mut self, bytes: &[u8]) {
        crc32fast::Hasher::update(self, bytes);
    }
}

/// A reader or writer that shows what passes through it to a checksum: the snapshot's
/// SHA-256, the index's CRC-32.
struct Checked<I, D> {
    inner: I,
    digest: D,
}

impl<R: Read, D: Checksum> Read for Checked<R, D> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
}

impl<W: Write, D: Checksum> Write for Checked<W, D> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// What `write` writes, passed on to `out` while a second thread computes its SHA-256 (as
/// hex): the checksum of a snapshot costs about as much as formatting its lines, and here it
/// costs no extra time on a second core.
fn sha256_aside(
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<String> {
    /// Bytes handed to the hashing thread at a time.
    const CHUNK: usize = 1 << 20;
    struct Aside<'a> {
        out: &'a mut dyn Write,
        chunk: Vec<u8>,
        hasher: std::sync::mpsc::SyncSender<Vec<u8>>,
    }
    impl Aside<'_> {
        fn pass_on(&mut self) -> std::io::Result<()> {
            self.out.write_all(&self.chunk)?;
            let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(CHUNK));
            self.hasher
                .send(chunk)
                .map_err(|_| std::io::Error::other("the checksum thread stopped"))
        }
    }
    impl Write for Aside<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.chunk.extend_from_slice(buf);
            if self.chunk.len() >= CHUNK {
                self.pass_on()?;
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.out.flush()
        }
    }
    let (sender, chunks) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    std::thread::scope(|scope| {
        let hashing = scope.spawn(move || {
            let mut digest = <sha2::Sha256 as sha2::Digest>::new();
            for chunk in chunks {
                sha2::Digest::update(&mut digest, &chunk);
            }
            format!("{:x}", sha2::Digest::finalize(digest))
        });
        let mut aside = Aside {
            out,
            chunk: Vec::with_capacity(CHUNK),
            hasher: sender,
        };
        let written = write(&mut aside).and_then(|()| aside.pass_on());
        // Closing the channel ends the hashing thread.
        drop(aside);
        let hex = hashing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written.map(|()| hex)
    })
}

/// The advisory lock on `DIR/lock` that every writer of a store holds while it writes:
/// `build` for its run, `serve --allow-update` for its whole life. The operating system
/// releases it when the process ends, however it ends.
#[derive(Debug)]
pub struct WriteLock {
    _file: std::fs::File,
}

impl WriteLock {
    /// Takes the lock of the store in `dir` (which must exist), waiting for the holder to
    /// finish when `wait` is set, else failing at once with [`StoreError::Locked`]. Once
    /// it is held, leftovers of interrupted writes are removed.
    pub fn acquire(dir: &Path, wait: bool) -> Result<Self, StoreError> {
        if !dir.is_dir() {
            return Err(StoreError::Missing {
                path: dir.display().to_string(),
            });
        }
        let path = dir.join(LOCK);
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) if wait => file.lock().map_err(io_error(&path))?,
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(StoreError::Locked {
                    dir: dir.display().to_string(),
                    holder: if holder.is_empty() { "unknown" } else { holder }.to_owned(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error(&path)(e)),
        }
        // Who holds it, for the message a second writer prints.
        let holder = format!(
            "pid {}: policykg {}",
            std::process::id(),
            std::env::args().nth(1).unwrap_or_default()
        );
        let _ = file.set_len(0).and_then(|()| file.write_all(holder.as_bytes()));
        remove_leftovers(dir)?;
        Ok(Self { _file: file })
    }
}

/// Removes the temporary files a killed writer left in the store directory (safe only
/// under the lock: no other writer can be filling one).
fn remove_leftovers(dir: &Path) -> Result<(), StoreError> {
    let entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
    let mut removed = false;
    for entry in entries.flatten() {
        let is_temp = entry.file_name().to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX));
        if is_temp && entry.file_type().is_ok_and(|t| t.is_file()) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io_error(&path))?;
            removed = true;
        }
    }
    if removed {
        sync_dir(dir)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{GraphName, Literal};

    #[test]
    fn canonical_nquads_are_the_sorted_distinct_lines_of_every_graph() {
        let mut store = GraphStore::in_memory().expect("store");
        let mut expected = Vec::new();
        for g in ["urn:g:b", "urn:g:a", "urn:g:c"] {
            let graph = NamedNode::new_unchecked(g);
            let quads: Vec<Quad> = (0..57)
                .rev()
                .map(|i| {
                    Quad::new(
                        NamedNode::new_unchecked(format!("urn:s:{}", i % 13)),
                        NamedNode::new_unchecked("urn:p"),
                        Literal::new_simple_literal(format!("值 {i}")),
                        GraphName::NamedNode(graph.clone()),
                    )
                })
                .collect();
            expected.extend(quads.iter().map(|q| format!("{q} .\n")));
            store.replace_graph(graph.as_ref(), &quads).expect("insert");
        }
        expected.sort();
        expected.dedup();
        assert_eq!(store.canonical_nquads().expect("nquads"), expected.concat());
    }

    fn quad(s: &str, o: &str, g: &str) -> Quad {
        Quad::new(
            NamedNode::new_unchecked(format!("https://example.org/{s}")),
            NamedNode::new_unchecked("https://example.org/p"),
            Literal::new_simple_literal(o),
            GraphName::NamedNode(NamedNode::new_unchecked(format!("https://example.org/{g}"))),
        )
    }

    /// A saved store with two graphs and one source record.
    fn saved(dir: &Path) -> GraphStore {
        let mut store = GraphStore::open_or_create(dir).expect("create");
        let a = NamedNode::new_unchecked("https://example.org/a");
        let b = NamedNode::new_unchecked("https://example.org/b");
        store
            .replace_graph(a.as_ref(), &[quad("x", "一", "a"), quad("y", "line\nbreak", "a")])
            .expect("a");
        store.replace_graph(b.as_ref(), &[quad("z", "2", "b")]).expect("b");
        store.manifest.fingerprint = "f".into();
        store.manifest.sources.insert(
            "docs/a.txt".into(),
            SourceRecord {
                sha256: "00".into(),
                graph: a.as_str().into(),
                encoding: "UTF-8".into(),
            },
        );
        store.save().expect("save");
        store
    }

    /// A saved store of twenty graphs (`g0`…`g19`) of ten quads each, `version` in every
    /// object of the graphs `changed` names.
    fn twenty_graphs(store: &mut GraphStore, changed: std::ops::Range<usize>, version: &str) {
        for g in changed {
            let quads: Vec<Quad> = (0..10)
                .map(|i| quad(&format!("s{i}"), version, &format!("g{g}")))
                .collect();
            let graph = NamedNode::new_unchecked(format!("https://example.org/g{g}"));
            store.replace_graph(graph.as_ref(), &quads).expect("replace");
        }
        store.manifest.fingerprint = version.into();
        store.save().expect("save");
    }

    /// [`twenty_graphs`] in a new store in `dir`, then the store opened again: written from
    /// edits merged on the way, the process that wrote it would write the snapshot again on
    /// its next save, and a store opened afresh writes deltas.
    fn twenty_graphs_reopened(dir: &Path) -> GraphStore {
        let mut store = GraphStore::open_or_create(dir).expect("create");
        twenty_graphs(&mut store, 0..20, "v1");
        GraphStore::open(dir).expect("open")
    }

    /// What a store opened afresh from `dir` holds: its quads and its manifest.
    fn reopened(dir: &Path) -> (String, Manifest) {
        let store = GraphStore::open(dir).expect("open");
        (store.canonical_nquads().expect("dump"), store.manifest)
    }

    #[test]
    fn a_few_graphs_replaced_are_saved_as_a_delta_and_many_as_the_snapshot_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = twenty_graphs_reopened(dir.path());
        let snapshot = std::fs::read(dir.path().join(SNAPSHOT)).expect("snapshot");
        assert!(!dir.path().join(DELTA).exists(), "a new store is written whole");
        let current = |store: &GraphStore| (store.canonical_nquads().expect("dump"), store.manifest.clone());

        // One graph of twenty (10 quads of 200): the delta alone is written.
        twenty_graphs(&mut store, 3..4, "v2");
        assert_eq!(std::fs::read(dir.path().join(SNAPSHOT)).expect("snapshot"), snapshot);
        let delta = std::fs::read_to_string(dir.path().join(DELTA)).expect("delta");
        assert_eq!(delta.lines().filter(|l| !l.starts_with('#')).count(), 10, "{delta}");
        assert!(delta
            .lines()
            .all(|l| l.starts_with('#') || l.ends_with("<https://example.org/g3> .")));
        assert_eq!(reopened(dir.path()), current(&store));
        assert!(current(&store).0.contains("\"v2\""));

        // Opened again and changed again: the delta holds both graphs.
        let mut store = GraphStore::open(dir.path()).expect("open");
        twenty_graphs(&mut store, 5..6, "v3");
        assert_eq!(std::fs::read(dir.path().join(SNAPSHOT)).expect("snapshot"), snapshot);
        assert_eq!(reopened(dir.path()), current(&store));
        let graphs = |dir: &Path| {
            let delta = std::fs::read_to_string(dir.join(DELTA)).expect("delta");
            let line = delta
                .lines()
                .last()
                .and_then(|l| l.strip_prefix(DELTA_LINE))
                .expect("line");
            serde_json::from_str::<DeltaLine>(line).expect("json").graphs
        };
        assert_eq!(graphs(dir.path()), ["https://example.org/g3", "https://example.org/g5"]);

        // A graph back to what the snapshot holds leaves the delta.
        twenty_graphs(&mut store, 3..4, "v1");
        assert_eq!(graphs(dir.path()), ["https://example.org/g5"]);
        assert_eq!(reopened(dir.path()), current(&store));

        // Five graphs of twenty are past an eighth: the snapshot is written again, the delta
        // removed, and the index vouches for the new snapshot.
        twenty_graphs(&mut store, 10..15, "v4");
        assert!(!dir.path().join(DELTA).exists(), "the delta is folded in");
        assert_ne!(std::fs::read(dir.path().join(SNAPSHOT)).expect("snapshot"), snapshot);
        let mut file = std::fs::File::open(dir.path().join(SNAPSHOT)).expect("open");
        let manifest = manifest_line(&mut file).expect("read").expect("manifest").0;
        assert!(read_index(dir.path(), &stamp_of(&file, &manifest).expect("stamp")).is_some());
        assert_eq!(reopened(dir.path()), current(&store));
    }

    #[test]
    fn a_graph_read_alone_is_its_replacement_or_the_snapshot_s_without_a_merge() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = twenty_graphs_reopened(dir.path());
        twenty_graphs(&mut store, 4..5, "v2");
        for opened in [&store, &GraphStore::open(dir.path()).expect("open with its delta")] {
            let graph = |n: usize| NamedNode::new_unchecked(format!("https://example.org/g{n}"));
            let values = |n: usize| -> Vec<String> {
                opened
                    .quads_in(Some(graph(n).as_ref()))
                    .expect("graph")
                    .iter()
                    .map(|q| q.object.to_string())
                    .collect()
            };
            assert_eq!(values(4), vec!["\"v2\"".to_owned(); 10], "the replaced graph");
            assert_eq!(values(7), vec!["\"v1\"".to_owned(); 10], "a graph left alone");
            assert!(opened.merged.get().is_none(), "read without merging");
            assert_eq!(opened.len(None).expect("len"), 200);
        }
    }

    #[test]
    fn a_delta_written_against_an_older_snapshot_is_ignored() {
        // A save that writes the snapshot again and is killed before removing the delta
        // leaves one behind: the snapshot holds its graphs already, and later ones too.
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = twenty_graphs_reopened(dir.path());
        twenty_graphs(&mut store, 3..4, "v2");
        let stale = std::fs::read(dir.path().join(DELTA)).expect("delta");
        twenty_graphs(&mut store, 0..20, "v3");
        assert!(!dir.path().join(DELTA).exists());
        std::fs::write(dir.path().join(DELTA), stale).expect("put back");
        let (quads, manifest) = reopened(dir.path());
        assert_eq!(quads, store.canonical_nquads().expect("dump"));
        assert_eq!(manifest.fingerprint, "v3");
        assert!(!quads.contains("\"v2\""));
    }

    #[test]
    fn a_damaged_or_truncated_delta_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = twenty_graphs_reopened(dir.path());
        twenty_graphs(&mut store, 7..8, "v2");
        let path = dir.path().join(DELTA);
        let good = std::fs::read(&path).expect("delta");
        let refusal = |bytes: &[u8]| {
            std::fs::write(&path, bytes).expect("write");
            let error = GraphStore::open(dir.path()).err().expect("refused").to_string();
            assert!(error.contains("store.delta.nq: damaged store"), "{error}");
            error
        };
        let mut flipped = good.clone();
        let at = flipped.iter().position(|&b| b == b'v').expect("a value");
        flipped[at] = b'w';
        assert!(refusal(&flipped).contains("checksum does not match"));
        let line_start = good[..good.len() - 1].iter().rposition(|&b| b == b'\n').expect("lines") + 1;
        assert!(refusal(&good[..line_start]).contains("does not end with its delta line"));
        std::fs::write(&path, &good).expect("restore");
        assert_eq!(reopened(dir.path()).0, store.canonical_nquads().expect("dump"));
    }

    #[test]
    fn the_manifest_travels_inside_the_snapshot_and_is_verified() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = saved(dir.path());
        let text = std::fs::read_to_string(dir.path().join(SNAPSHOT)).expect("read");
        assert_eq!(text.lines().filter(|l| l.starts_with(MANIFEST_LINE)).count(), 1);
        assert!(text.lines().last().is_some_and(|l| l.starts_with(MANIFEST_LINE)));
        assert!(!dir.path().join(LEGACY_MANIFEST).exists());
        let reopened = GraphStore::open(dir.path()).expect("open");
        assert_eq!(reopened.manifest, store.manifest);
        assert_eq!(
            reopened.canonical_nquads().expect("dump"),
            store.canonical_nquads().expect("dump")
        );
    }

    #[test]
    fn a_byte_that_breaks_a_line_is_reported_as_damage_not_as_a_parse_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        saved(dir.path());
        let path = dir.path().join(SNAPSHOT);
        let mut bytes = std::fs::read(&path).expect("read");
        let at = bytes.iter().position(|&b| b == b'<').expect("an IRI");
        bytes[at] = b'"';
        std::fs::write(&path, &bytes).expect("write");
        let error = GraphStore::open(dir.path()).err().expect("refused").to_string();
        assert!(error.contains("checksum does not match"), "{error}");
    }

    #[test]
    fn the_index_a_save_writes_beside_the_snapshot_vouches_for_it() {
        // The index is written while the snapshot is fsynced, from the snapshot's stamp taken
        // before its rename: the file in place must carry that same stamp.
        let dir = tempfile::tempdir().expect("tempdir");
        let store = saved(dir.path());
        let mut file = std::fs::File::open(dir.path().join(SNAPSHOT)).expect("open");
        let manifest = manifest_line(&mut file).expect("read").expect("manifest").0;
        assert_eq!(manifest, store.manifest);
        let stamp = stamp_of(&file, &manifest).expect("stamp");
        let index = read_index(dir.path(), &stamp).expect("the index matches the snapshot in place");
        assert_eq!(index.len(), store.len(None).expect("len"));
    }

    #[test]
    fn a_missing_damaged_or_stale_index_sends_open_to_the_snapshot_and_is_written_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = saved(dir.path()).canonical_nquads().expect("dump");
        let index = dir.path().join(INDEX);
        let reopened = |why: &str| {
            let store = GraphStore::open(dir.path()).unwrap_or_else(|e| panic!("{why}: {e}"));
            assert_eq!(store.canonical_nquads().expect("dump"), expected, "{why}");
            assert!(index.is_file(), "{why}: the index is written again");
        };
        let good = std::fs::read(&index).expect("index");
        std::fs::remove_file(&index).expect("remove");
        reopened("missing");
        assert_eq!(std::fs::read(&index).expect("index"), good, "the same index again");
        for at in [0, good.len() / 3, good.len() - 2] {
            let mut damaged = good.clone();
            damaged[at] ^= 0x01;
            std::fs::write(&index, &damaged).expect("write");
            reopened("damaged");
            assert_eq!(std::fs::read(&index).expect("index"), good, "byte {at} repaired");
        }
        // The same snapshot written again (a new time): the old index no longer vouches.
        let snapshot = std::fs::read(dir.path().join(SNAPSHOT)).expect("snapshot");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join(SNAPSHOT), snapshot).expect("rewrite");
        let mut file = std::fs::File::open(dir.path().join(SNAPSHOT)).expect("open");
        let manifest = manifest_line(&mut file).expect("read").expect("manifest").0;
        let stamp = stamp_of(&file, &manifest).expect("stamp");
        assert!(read_index(dir.path(), &stamp).is_none(), "stale");
        reopened("stale");
        assert!(read_index(dir.path(), &stamp).is_some(), "fresh again");
    }

    #[test]
    fn a_changed_byte_or_a_cut_at_a_line_end_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        saved(dir.path());
        let path = dir.path().join(SNAPSHOT);
        let good = std::fs::read(&path).expect("read");
        // One changed letter inside a literal still parses as N-Quads: only the checksum
        // can tell.
        let at = good.windows(4).position(|w| w == b"line").expect("literal");
        let mut changed = good.clone();
        changed[at] = b'L';
        std::fs::write(&path, &changed).expect("write");
        let error = GraphStore::open(dir.path()).err().expect("refused").to_string();
        assert!(error.contains("checksum does not match"), "{error}");
        assert!(error.contains("mv ") && error.contains("policykg build"), "{error}");
        // Every cut at a line boundary before the manifest line.
        for (cut, _) in good.iter().enumerate().filter(|(_, &b)| b == b'\n') {
            if cut + 1 == good.len() {
                continue;
            }
            std::fs::write(&path, &good[..=cut]).expect("write");
            let error = GraphStore::open(dir.path()).err().expect("refused").to_string();
            assert!(error.contains("damaged store"), "cut at {cut}: {error}");
        }
    }

    #[test]
    fn a_graph_replaced_by_the_same_quads_is_no_change_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        saved(dir.path());
        let modified = || {
            std::fs::metadata(dir.path().join(SNAPSHOT))
                .and_then(|m| m.modified())
                .expect("mtime")
        };
        let before = modified();
        let a = NamedNode::new_unchecked("https://example.org/a");
        let mut store = GraphStore::open(dir.path()).expect("open");
        store
            .replace_graph(a.as_ref(), &[quad("y", "line\nbreak", "a"), quad("x", "一", "a")])
            .expect("same");
        store.save().expect("save");
        assert_eq!(modified(), before, "nothing written");
        std::thread::sleep(std::time::Duration::from_millis(20));
        store.replace_graph(a.as_ref(), &[quad("x", "一", "a")]).expect("fewer");
        store.save().expect("save");
        assert_ne!(modified(), before, "written");
        assert_eq!(
            GraphStore::open(dir.path())
                .expect("open")
                .len(Some(a.as_ref()))
                .expect("len"),
            1
        );
    }

    #[test]
    fn a_legacy_store_opens_and_is_migrated_by_the_next_save() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = saved(dir.path());
        // Rewrite it the old way: bare N-Quads plus manifest.json with the file's checksum.
        let body = store.canonical_nquads().expect("dump");
        let mut manifest = store.manifest.clone();
        manifest.snapshot_sha256 = crate::ingest::sha256_hex(body.as_bytes());
        std::fs::write(dir.path().join(SNAPSHOT), &body).expect("write");
        std::fs::write(
            dir.path().join(LEGACY_MANIFEST),
            serde_json::to_string(&manifest).expect("json"),
        )
        .expect("write");
        let mut legacy = GraphStore::open(dir.path()).expect("legacy opens");
        assert_eq!(legacy.manifest.sources, store.manifest.sources);
        assert_eq!(legacy.canonical_nquads().expect("dump"), body);
        // Saved unchanged, it is written in the new form.
        legacy.save().expect("save");
        assert!(!dir.path().join(LEGACY_MANIFEST).exists());
        store.save().expect("save");
        assert_eq!(GraphStore::open(dir.path()).expect("open").manifest, store.manifest);
    }

    #[test]
    fn a_crash_before_the_legacy_manifest_is_removed_changes_nothing() {
        // The new snapshot was renamed into place, then the process died before removing
        // the old manifest.json: the manifest line inside the snapshot wins.
        let dir = tempfile::tempdir().expect("tempdir");
        let store = saved(dir.path());
        std::fs::write(
            dir.path().join(LEGACY_MANIFEST),
            r#"{"fingerprint":"old","snapshot_sha256":"x","sources":{}}"#,
        )
        .expect("write");
        assert_eq!(GraphStore::open(dir.path()).expect("open").manifest, store.manifest);
    }

    #[test]
    fn a_second_writer_fails_fast_or_waits_and_leftovers_go() {
        let dir = tempfile::tempdir().expect("tempdir");
        let leftover = dir.path().join(".tmpAbC123");
        std::fs::write(&leftover, b"half a snapshot").expect("write");
        let first = WriteLock::acquire(dir.path(), false).expect("first");
        assert!(!leftover.exists(), "the leftover of a killed write is removed");
        match WriteLock::acquire(dir.path(), false) {
            Err(StoreError::Locked { holder, .. }) => {
                assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}")
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        let path = dir.path().to_owned();
        let waiter = std::thread::spawn(move || {
            let started = std::time::Instant::now();
            WriteLock::acquire(&path, true).map(|_| started.elapsed())
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!waiter.is_finished(), "--wait waits while the lock is held");
        drop(first);
        let waited = waiter.join().expect("thread").expect("acquired after release");
        assert!(waited >= std::time::Duration::from_millis(250), "{waited:?}");
        let missing = WriteLock::acquire(&dir.path().join("nope"), false);
        assert!(matches!(missing, Err(StoreError::Missing { .. })));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn opening_arbitrary_bytes_never_panics(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
            with_manifest_line in proptest::prelude::any::<bool>(),
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut bytes = bytes;
            if with_manifest_line {
                // Past the first check, so the JSON and checksum paths are fuzzed too.
                bytes.extend_from_slice(MANIFEST_LINE.as_bytes());
                bytes.extend_from_slice(b"{\"fingerprint\":\"\",\"snapshot_sha256\":\"\",\"sources\":{}}\n");
            }
            std::fs::write(dir.path().join(SNAPSHOT), &bytes).expect("write");
            let _ = GraphStore::open(dir.path());
        }

        #[test]
        fn a_truncated_snapshot_is_refused_or_whole(cut in 0usize..4096) {
            let dir = tempfile::tempdir().expect("tempdir");
            let store = saved(dir.path());
            let path = dir.path().join(SNAPSHOT);
            let good = std::fs::read(&path).expect("read");
            let cut = cut % (good.len() + 1);
            std::fs::write(&path, &good[..cut]).expect("write");
            if let Ok(opened) = GraphStore::open(dir.path()) {
                // Only the final newline may go: the state is then the whole one.
                proptest::prop_assert!(cut + 1 >= good.len(), "cut at {} of {} opened", cut, good.len());
                proptest::prop_assert_eq!(&opened.manifest, &store.manifest);
                proptest::prop_assert_eq!(opened.canonical_nquads().expect("dump"), store.canonical_nquads().expect("dump"));
            }
        }
    }
}

//! The store: Oxigraph's SPARQL engine over its in-memory `Store`, persisted in a
//! directory as a sorted N-Quads snapshot (`store.nq`, written atomically: temporary file,
//! fsync, rename) plus a manifest of the sources it holds. A crash while saving leaves the
//! previous snapshot intact. A RocksDB backend can replace this module behind a feature.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphNameRef, NamedNode, NamedNodeRef, Quad};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SNAPSHOT: &str = "store.nq";
pub const MANIFEST: &str = "manifest.json";

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
    #[error("{path}: corrupt snapshot: {message}")]
    Corrupt { path: String, message: String },
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
    /// SHA-256 of `store.nq`; a mismatch means the manifest is stale.
    pub snapshot_sha256: String,
    pub sources: BTreeMap<String, SourceRecord>,
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
    store: Store,
    pub manifest: Manifest,
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
    /// An empty store that lives only in memory (to validate a file, for example); it has
    /// no directory to save to.
    pub fn in_memory() -> Result<Self, StoreError> {
        Ok(Self {
            dir: PathBuf::new(),
            store: Store::new().map_err(storage)?,
            manifest: Manifest::default(),
        })
    }

    /// Opens the store in `dir`, empty if there is none yet.
    pub fn open_or_create(dir: &Path) -> Result<Self, StoreError> {
        if dir.join(SNAPSHOT).is_file() {
            Self::open(dir)
        } else {
            Ok(Self {
                dir: dir.to_owned(),
                store: Store::new().map_err(storage)?,
                manifest: Manifest::default(),
            })
        }
    }

    /// Opens an existing store.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let snapshot = dir.join(SNAPSHOT);
        if !snapshot.is_file() {
            return Err(StoreError::Missing {
                path: dir.display().to_string(),
            });
        }
        let bytes = std::fs::read(&snapshot).map_err(io_error(&snapshot))?;
        let store = Store::new().map_err(storage)?;
        store
            .load_from_reader(RdfParser::from_format(RdfFormat::NQuads), bytes.as_slice())
            .map_err(|e| StoreError::Corrupt {
                path: snapshot.display().to_string(),
                message: e.to_string(),
            })?;
        let manifest_path = dir.join(MANIFEST);
        let manifest = std::fs::read(&manifest_path)
            .ok()
            .and_then(|m| serde_json::from_slice::<Manifest>(&m).ok())
            .filter(|m| m.snapshot_sha256 == crate::ingest::sha256_hex(&bytes))
            .unwrap_or_default();
        Ok(Self {
            dir: dir.to_owned(),
            store,
            manifest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The underlying Oxigraph store.
    pub fn inner(&self) -> &Store {
        &self.store
    }

    /// Replaces the content of one named graph, in one transaction.
    pub fn replace_graph(&self, graph: NamedNodeRef<'_>, quads: &[Quad]) -> Result<(), StoreError> {
        let mut tx = self.store.start_transaction().map_err(storage)?;
        tx.clear_graph(graph).map_err(storage)?;
        tx.insert_named_graph(graph);
        for quad in quads {
            tx.insert(quad);
        }
        tx.commit().map_err(storage)
    }

    /// Whether the graph holds any quad (a snapshot keeps no empty graphs).
    pub fn contains_graph(&self, graph: NamedNodeRef<'_>) -> Result<bool, StoreError> {
        match self
            .store
            .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(graph)))
            .next()
        {
            Some(quad) => quad.map(|_| true).map_err(storage),
            None => Ok(false),
        }
    }

    pub fn remove_graph(&self, graph: NamedNodeRef<'_>) -> Result<(), StoreError> {
        self.store.remove_named_graph(graph).map_err(storage).map(|_| ())
    }

    pub fn named_graphs(&self) -> Result<Vec<NamedNode>, StoreError> {
        let mut out = Vec::new();
        for g in self.store.named_graphs() {
            if let oxigraph::model::NamedOrBlankNode::NamedNode(n) = g.map_err(storage)? {
                out.push(n);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Every quad, as sorted canonical N-Quads lines.
    pub fn canonical_nquads(&self) -> Result<String, StoreError> {
        let mut lines = Vec::new();
        for quad in self.store.iter() {
            lines.push(format!("{} .\n", quad.map_err(storage)?));
        }
        lines.sort();
        lines.dedup();
        Ok(lines.concat())
    }

    /// Writes the snapshot and the manifest atomically.
    pub fn save(&mut self) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.dir).map_err(io_error(&self.dir))?;
        let snapshot = self.canonical_nquads()?;
        self.manifest.snapshot_sha256 = crate::ingest::sha256_hex(snapshot.as_bytes());
        write_atomically(&self.dir.join(SNAPSHOT), snapshot.as_bytes())?;
        let manifest = serde_json::to_string_pretty(&self.manifest).map_err(storage)? + "\n";
        write_atomically(&self.dir.join(MANIFEST), manifest.as_bytes())
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
        let mut prepared = evaluator
            .parse_query(query)
            .map_err(|e| StoreError::Syntax(crate::sparql::syntax_message(query, &e.to_string())))?;
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
        prepared.on_store(&self.store).execute().map_err(|e| match e {
            oxigraph::sparql::QueryEvaluationError::Cancelled => StoreError::Cancelled,
            e => StoreError::Evaluation(e.to_string()),
        })
    }

    /// Runs a SPARQL update, then saves the snapshot.
    pub fn update(&mut self, update: &str) -> Result<(), StoreError> {
        crate::sparql::evaluator()
            .parse_update(update)
            .map_err(|e| StoreError::Syntax(crate::sparql::syntax_message(update, &e.to_string())))?
            .on_store(&self.store)
            .execute()
            .map_err(|e| StoreError::Evaluation(e.to_string()))?;
        self.save()
    }

    /// The rows of a SELECT query as strings (IRIs bare, literals by value), for callers
    /// that only need values.
    pub fn select(&self, query: &str) -> Result<Vec<BTreeMap<String, String>>, StoreError> {
        let QueryResults::Solutions(solutions) = self.query(query)? else {
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

    /// The quads of one named graph, or of the default graph with `None`.
    pub fn quads_in(&self, graph: Option<NamedNodeRef<'_>>) -> Vec<Quad> {
        let name = graph.map_or(GraphNameRef::DefaultGraph, GraphNameRef::NamedNode);
        let mut quads: Vec<Quad> = self
            .store
            .quads_for_pattern(None, None, None, Some(name))
            .filter_map(Result::ok)
            .collect();
        quads.sort_by_cached_key(|q| q.to_string());
        quads
    }

    /// Number of quads in one graph (or all with `None`).
    pub fn len(&self, graph: Option<NamedNodeRef<'_>>) -> Result<usize, StoreError> {
        match graph {
            None => self.store.len().map_err(storage),
            Some(g) => Ok(self
                .store
                .quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(g)))
                .count()),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory, fsynced and
/// renamed over the target, so readers see the old or the new file, never a torn one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io_error(dir))?;
    file.write_all(bytes).map_err(io_error(path))?;
    // Artifacts are ordinary files: readable by others, like those `cp` would make.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io_error(path))?;
    }
    file.as_file().sync_all().map_err(io_error(path))?;
    file.persist(path).map_err(|e| StoreError::Io {
        path: path.display().to_string(),
        source: e.error,
    })?;
    Ok(())
}

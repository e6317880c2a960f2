//! Loading existing RDF into the store: Turtle, N-Triples, N-Quads, TriG, RDF/XML and
//! JSON-LD, recognized by file extension or given explicitly.
//!
//! A file's triples go into one named graph, by default the file's own `file://` IRI, so
//! loading a file again replaces what it gave before instead of doubling it. Quads that
//! name their graph (N-Quads, TriG) keep it. Every graph a file writes is replaced as a
//! whole. A file that cannot be parsed changes nothing: it is reported with its line and
//! column, and the other files are still loaded. Blank nodes are renamed after the graph
//! and the order they appear in, so the same file always gives the same snapshot.

use crate::store::{GraphStore, StoreError};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a known RDF file name (.ttl, .nt, .nq, .trig, .rdf, .owl, .xml, .jsonld); give --format")]
    UnknownFormat { path: String },
    #[error("{path}: {message}")]
    Syntax { path: String, message: String },
    #[error("standard input has no file name to tell its format and graph: give --format and --graph IRI")]
    Stdin,
    #[error("--graph {0}: not an absolute IRI")]
    BadGraph(String),
    #[error(transparent)]
    Walk(crate::ingest::IngestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where RDF comes from.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    Stdin,
}

/// What one load did.
#[derive(Debug, Default)]
pub struct LoadReport {
    /// Each file read, with the graphs it wrote and their sizes.
    pub loaded: Vec<(String, BTreeMap<String, usize>)>,
    /// Files in a folder that were not read, with why.
    pub skipped: Vec<String>,
    /// Files that could not be read or parsed; they changed nothing.
    pub problems: Vec<LoadError>,
}

/// The RDF format a file name says, if any ([`crate::rdf::syntax::readable`]).
pub fn format_of(path: &Path) -> Option<RdfFormat> {
    crate::rdf::syntax::readable(path.extension()?.to_str()?)
}

/// The `file://` IRI of a path, made absolute; bytes outside the unreserved set are
/// percent-encoded.
pub fn file_iri(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_owned())
    });
    let mut iri = String::from("file://");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            iri.push(b as char);
        } else {
            iri.push_str(&format!("%{b:02X}"));
        }
    }
    iri
}

/// Loads every input into `store` (in memory; the caller saves). `format` overrides the
/// file extension; `graph` receives the triples of every input instead of per-file graphs.
pub fn load(
    store: &mut GraphStore,
    inputs: &[Input],
    format: Option<RdfFormat>,
    graph: Option<&str>,
) -> Result<LoadReport, LoadError> {
    let graph = graph
        .map(|g| NamedNode::new(g).map_err(|_| LoadError::BadGraph(g.to_owned())))
        .transpose()?;
    let mut report = LoadReport::default();
    let mut files = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin => files.push(Input::Stdin),
            Input::Path(p) if p.is_dir() => {
                // The safe walk of `build` (symlinks once, loops and special files reported).
                let wanted = if format.is_some() {
                    (|_: &Path| true) as fn(&Path) -> bool
                } else {
                    |p: &Path| format_of(p).is_some()
                };
                let walked = crate::ingest::walk(std::slice::from_ref(p), wanted);
                report.skipped.extend(
                    walked
                        .passed
                        .iter()
                        .map(|f| format!("{}: not an RDF file name", f.display())),
                );
                report.problems.extend(walked.errors.into_iter().map(LoadError::Walk));
                files.extend(walked.files.into_iter().map(Input::Path));
            }
            Input::Path(p) => files.push(Input::Path(p.clone())),
        }
    }
    // With one --graph for several files, the graph holds them all: it is cleared once.
    let mut cleared = std::collections::BTreeSet::new();
    for file in &files {
        match read_one(file, format, graph.as_ref()) {
            Ok((name, quads)) => {
                let mut by_graph: BTreeMap<String, Vec<Quad>> = BTreeMap::new();
                for quad in quads {
                    let GraphName::NamedNode(g) = &quad.graph_name else {
                        continue;
                    };
                    by_graph.entry(g.as_str().to_owned()).or_default().push(quad);
                }
                let mut sizes = BTreeMap::new();
                for (g, quads) in by_graph {
                    let node = NamedNode::new_unchecked(g.clone());
                    if cleared.insert(g.clone()) {
                        store.replace_graph(node.as_ref(), &quads)?;
                    } else {
                        store.add_to_graph(node.as_ref(), &quads)?;
                    }
                    sizes.insert(g, quads.len());
                }
                report.loaded.push((name, sizes));
            }
            Err(e) => report.problems.push(e),
        }
    }
    Ok(report)
}

fn read_one(
    input: &Input,
    format: Option<RdfFormat>,
    graph: Option<&NamedNode>,
) -> Result<(String, Vec<Quad>), LoadError> {
    let (name, bytes, base, fallback) = match input {
        Input::Stdin => {
            let name = "<stdin>".to_owned();
            if format.is_none() || graph.is_none() {
                return Err(LoadError::Stdin);
            }
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|source| LoadError::Io {
                    path: name.clone(),
                    source,
                })?;
            let graph = graph.cloned().ok_or(LoadError::Stdin)?;
            (name, bytes, None, graph)
        }
        Input::Path(p) => {
            let name = p.display().to_string();
            let bytes = std::fs::read(p).map_err(|source| LoadError::Io {
                path: name.clone(),
                source,
            })?;
            let iri = file_iri(p);
            let fallback = graph.cloned().unwrap_or_else(|| NamedNode::new_unchecked(iri.clone()));
            (name, bytes, Some(iri), fallback)
        }
    };
    let format = match (format, input) {
        (Some(f), _) => f,
        (None, Input::Path(p)) => format_of(p).ok_or_else(|| LoadError::UnknownFormat { path: name.clone() })?,
        (None, Input::Stdin) => return Err(LoadError::Stdin),
    };
    let mut parser = RdfParser::from_format(format);
    if let Some(base) = &base {
        parser = parser.with_base_iri(base.as_str()).map_err(|e| LoadError::Syntax {
            path: name.clone(),
            message: e.to_string(),
        })?;
    }
    let mut blanks = Blanks::new(fallback.as_str());
    let mut quads = Vec::new();
    for quad in parser.for_slice(&bytes) {
        let quad = quad.map_err(|e| LoadError::Syntax {
            path: name.clone(),
            message: e.to_string(),
        })?;
        let graph_name = match quad.graph_name {
            GraphName::DefaultGraph => GraphName::NamedNode(fallback.clone()),
            // A blank graph name is a graph of this file: it gets an IRI under the file's.
            GraphName::BlankNode(b) => GraphName::NamedNode(NamedNode::new_unchecked(format!(
                "{}#graph-{}",
                fallback.as_str(),
                blanks.rename(&b).as_str()
            ))),
            named => named,
        };
        let subject = match quad.subject {
            NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::BlankNode(blanks.rename(&b)),
            s => s,
        };
        let object = match quad.object {
            Term::BlankNode(b) => Term::BlankNode(blanks.rename(&b)),
            o => o,
        };
        quads.push(Quad::new(subject, quad.predicate, object, graph_name));
    }
    Ok((name, quads))
}

/// Blank node labels that depend only on the graph and the order of first appearance.
struct Blanks {
    prefix: String,
    seen: HashMap<BlankNode, BlankNode>,
}

impl Blanks {
    fn new(graph: &str) -> Self {
        let hash = crate::ingest::sha256_hex(graph.as_bytes());
        Self {
            prefix: format!("l{}", &hash[..12]),
            seen: HashMap::new(),
        }
    }

    fn rename(&mut self, b: &BlankNode) -> BlankNode {
        let next = self.seen.len();
        self.seen
            .entry(b.clone())
            .or_insert_with(|| BlankNode::new_unchecked(format!("{}n{next}", self.prefix)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The extension of a file name names its syntax (the table is `rdf::syntax`'s); a
    /// name without one, or a folder's dotted name, names none.
    #[test]
    fn file_names_give_formats() {
        for (name, format) in [
            ("a.ttl", Some(RdfFormat::Turtle)),
            ("dir.d/a.NT", Some(RdfFormat::NTriples)),
            ("a.txt", None),
            ("a", None),
            ("g.ttl/a", None),
        ] {
            assert_eq!(format_of(Path::new(name)), format, "{name}");
        }
        assert!(matches!(
            format_of(Path::new("a.jsonld")),
            Some(RdfFormat::JsonLd { .. })
        ));
    }

    #[test]
    fn file_iris_escape_what_an_iri_cannot_hold() {
        let iri = file_iri(Path::new("/no such dir/政策 1.ttl"));
        assert!(iri.starts_with("file:///no%20such%20dir/%E6%94%BF"), "{iri}");
        assert!(NamedNode::new(&iri).is_ok(), "{iri}");
    }

    #[test]
    fn blank_nodes_are_named_by_order_of_appearance() {
        let mut a = Blanks::new("urn:g");
        let mut b = Blanks::new("urn:g");
        let x = a.rename(&BlankNode::default());
        let y = b.rename(&BlankNode::default());
        assert_eq!(x, y);
        assert_ne!(a.rename(&BlankNode::default()), x);
        assert_ne!(Blanks::new("urn:h").rename(&BlankNode::default()), x);
    }
}

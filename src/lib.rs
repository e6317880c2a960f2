//! policykg turns policy documents (Chinese Simplified/Traditional, English, bilingual)
//! into a knowledge graph: who issued a plan, its tasks and measures, the technologies it
//! pushes and its quantified targets, each fact tied to the character span it came from.
//! Deterministic and offline.
//!
//! The data flows through one module per stage; [`pipeline`] calls them in order:
//!
//! | stage | module | does |
//! |---|---|---|
//! | ingest | [`ingest`] | find files (sorted), decode UTF-8/UTF-16/GB18030/Big5 |
//! | formats | [`formats`] | recognize HTML, PDF, DOCX (or refuse); their plain text and page fields |
//! | lexicon | [`lexicon`] | organizations, technology scheme and cue words from `ontology/lexicon/` |
//! | extract | [`extract`] | plans, issuers, tasks, measures, targets, technologies, mentions — with spans |
//! | model | [`model`] | the petgraph knowledge graph of one source, keyed for cross-document identity |
//! | rdf | [`rdf`] | vocabulary constants, the IRI minter, the mapping to quads |
//! | store | [`store`] | a sorted, dictionary-encoded index queried by Oxigraph's SPARQL engine; an atomic N-Quads snapshot |
//! | compare | [`compare`] | planned vs achieved: outcomes linked to the targets they report on |
//! | export | [`export`] | Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD |
//! | render | [`render`] | the plan map: DOT (graphviz-rust AST) and SVG |
//! | serve | [`serve`] | SPARQL 1.1 Protocol endpoint, Graph Store Protocol, the map in the browser |
//!
//! Beside the flow: [`query`] runs SPARQL and writes results (and holds the named queries),
//! [`load`] brings existing RDF into the store, [`push`] sends it to another triple store, [`validate`] checks the store against the
//! shapes, [`eval`] scores the extraction against gold annotations.
//!
//! A new extractor goes under `extract/`; a new export format in [`export`]; a new query
//! under `ontology/queries/`.

pub mod compare;
pub mod eval;
pub mod export;
pub mod extract;
pub mod formats;
pub mod ingest;
pub mod lexicon;
pub mod load;
pub mod model;
pub mod pipeline;
pub mod push;
pub mod query;
pub mod rdf;
pub mod render;
pub mod serve;
pub mod sparql;
pub mod store;
pub mod validate;

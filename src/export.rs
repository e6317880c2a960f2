//! Export: the whole store in the standard RDF formats, in a canonical order so the same
//! store always gives the same bytes. Triple formats (Turtle, N-Triples, RDF/XML) carry the
//! union of all graphs; quad formats (N-Quads, TriG, JSON-LD) keep the named graphs.

use crate::rdf::vocab::PREFIXES;
use crate::store::{GraphStore, StoreError};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{Quad, Triple};
use std::io::Write;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing {format}: {source}")]
    Write {
        format: &'static str,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Turtle,
    NTriples,
    NQuads,
    TriG,
    RdfXml,
    JsonLd,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 6] = [
        Self::Turtle,
        Self::NTriples,
        Self::NQuads,
        Self::TriG,
        Self::RdfXml,
        Self::JsonLd,
    ];

    pub fn rdf_format(self) -> RdfFormat {
        match self {
            Self::Turtle => RdfFormat::Turtle,
            Self::NTriples => RdfFormat::NTriples,
            Self::NQuads => RdfFormat::NQuads,
            Self::TriG => RdfFormat::TriG,
            Self::RdfXml => RdfFormat::RdfXml,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        }
    }

    /// Whether the format keeps named graphs.
    pub fn has_graphs(self) -> bool {
        matches!(self, Self::NQuads | Self::TriG | Self::JsonLd)
    }

    pub fn name(self) -> &'static str {
        self.rdf_format().name()
    }

    pub fn extension(self) -> &'static str {
        self.rdf_format().file_extension()
    }
}

/// All quads, sorted by their N-Quads text, with their declared datatypes.
pub fn sorted_quads(store: &GraphStore) -> Result<Vec<Quad>, StoreError> {
    let mut quads: Vec<Quad> = store
        .quads()?
        .into_iter()
        .map(crate::rdf::mapping::with_declared_datatype)
        .collect();
    quads.sort_by_cached_key(|q| q.to_string());
    Ok(quads)
}

/// The union of all graphs as triples, sorted and without duplicates.
pub fn sorted_triples(store: &GraphStore) -> Result<Vec<Triple>, StoreError> {
    let mut triples: Vec<Triple> = sorted_quads(store)?.into_iter().map(Triple::from).collect();
    triples.sort_by_cached_key(|t| t.to_string());
    triples.dedup();
    Ok(triples)
}

/// Writes the store in `format`.
pub fn export(store: &GraphStore, format: ExportFormat, writer: impl Write) -> Result<(), ExportError> {
    let fail = |source| ExportError::Write {
        format: format.name(),
        source,
    };
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
    for (prefix, iri) in PREFIXES {
        serializer = serializer
            .with_prefix(*prefix, *iri)
            .map_err(|e| fail(std::io::Error::other(e)))?;
    }
    let mut out = serializer.for_writer(writer);
    if format.has_graphs() {
        for quad in sorted_quads(store)? {
            out.serialize_quad(&quad).map_err(fail)?;
        }
    } else {
        for triple in sorted_triples(store)? {
            out.serialize_triple(&triple).map_err(fail)?;
        }
    }
    out.finish().map_err(fail)?.flush().map_err(fail)
}

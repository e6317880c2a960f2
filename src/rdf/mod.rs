//! RDF: the vocabulary, the IRI minter, and the mapping from the model to quads.

pub mod mapping;
pub mod mint;
pub mod vocab;

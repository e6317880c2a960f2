//! RDF: the vocabulary, the IRI minter, the mapping from the model to quads, and the RDF
//! syntaxes known by file extension.

pub mod mapping;
pub mod mint;
pub mod syntax;
pub mod vocab;

//! The only place instance IRIs are built. Every IRI is `ID_BASE + kind + "/" + key` where
//! the key is ASCII: a lexicon id, or a short hash of a stable text (never the text itself).

use super::vocab::ID_BASE;
use oxigraph::model::NamedNode;
use sha2::{Digest, Sha256};

/// What an instance IRI names; decides its path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IriKind {
    Source,
    Document,
    Organization,
    Technology,
    Task,
    Measure,
    Target,
    Outcome,
    Indicator,
    Assessment,
    Evidence,
    /// People, events, messages, photographs, glossary terms and candidates.
    Entity,
    Graph,
    Scheme,
}

impl IriKind {
    fn segment(self) -> &'static str {
        match self {
            IriKind::Source => "source",
            IriKind::Document => "doc",
            IriKind::Organization => "org",
            IriKind::Technology => "tech",
            IriKind::Task => "task",
            IriKind::Measure => "measure",
            IriKind::Target => "target",
            IriKind::Outcome => "outcome",
            IriKind::Indicator => "indicator",
            IriKind::Assessment => "assessment",
            IriKind::Evidence => "evidence",
            IriKind::Entity => "entity",
            IriKind::Graph => "graph",
            IriKind::Scheme => "scheme",
        }
    }
}

/// A short stable key for a text: the first 16 hex digits of its SHA-256.
pub fn hash_key(text: &str) -> String {
    let mut hex = format!("{:x}", Sha256::digest(text.as_bytes()));
    hex.truncate(16);
    hex
}

/// Whether a key is safe inside an IRI path segment without escaping.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The IRI for `key` of `kind`. Keys that are not plain ASCII slugs are hashed, so an IRI
/// never carries Chinese text or characters that need escaping.
pub fn iri(kind: IriKind, key: &str) -> NamedNode {
    let key = if is_valid_key(key) {
        key.to_owned()
    } else {
        format!("h{}", hash_key(key))
    };
    NamedNode::new_unchecked(format!("{ID_BASE}{}/{key}", kind.segment()))
}

/// The local key back from an IRI minted here, if it was.
pub fn key_of(iri: &str, kind: IriKind) -> Option<&str> {
    iri.strip_prefix(ID_BASE)?
        .strip_prefix(kind.segment())?
        .strip_prefix('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_keys_are_hashed_and_slugs_kept() {
        assert_eq!(
            iri(IriKind::Organization, "miit").as_str(),
            "https://w3id.org/policykg/id/org/miit"
        );
        let hashed = iri(IriKind::Document, "人工智能");
        assert!(hashed.as_str().is_ascii());
        assert_eq!(hashed, iri(IriKind::Document, "人工智能"));
        assert_ne!(hashed, iri(IriKind::Document, "人工智能+"));
        assert!(NamedNode::new(hashed.as_str()).is_ok());
    }

    #[test]
    fn key_round_trips() {
        let node = iri(IriKind::Technology, "industrial-robot");
        assert_eq!(key_of(node.as_str(), IriKind::Technology), Some("industrial-robot"));
        assert_eq!(key_of(node.as_str(), IriKind::Organization), None);
    }
}

//! The RDF syntaxes known by file extension: the ones `policykg load` reads, and the ones it
//! does not. `build` refuses both kinds (its inputs are documents), pointing to `load` only
//! for the first.

use oxigraph::io::RdfFormat;

/// The syntax a file extension (any case) names, when `load` reads it. An explicit list:
/// Oxigraph's own table also takes `.txt` as N-Triples, and a folder of policy texts must
/// not be read as RDF.
pub fn readable(extension: &str) -> Option<RdfFormat> {
    Some(match extension.to_ascii_lowercase().as_str() {
        "ttl" | "turtle" => RdfFormat::Turtle,
        "nt" | "ntriples" => RdfFormat::NTriples,
        "nq" | "nquads" => RdfFormat::NQuads,
        "trig" => RdfFormat::TriG,
        "rdf" | "owl" | "xml" => RdfFormat::RdfXml,
        "jsonld" => RdfFormat::JsonLd {
            profile: Default::default(),
        },
        _ => return None,
    })
}

/// RDF syntaxes `load` does not read, by extension, with their names.
const UNREADABLE: &[(&str, &str)] = &[("n3", "N3")];

/// The name of an RDF syntax `load` does not read, from a file extension (any case).
pub fn unreadable(extension: &str) -> Option<&'static str> {
    let extension = extension.to_ascii_lowercase();
    UNREADABLE.iter().find(|(e, _)| *e == extension).map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_name_one_syntax_each() {
        for (extension, format) in [
            ("ttl", Some(RdfFormat::Turtle)),
            ("TURTLE", Some(RdfFormat::Turtle)),
            ("NT", Some(RdfFormat::NTriples)),
            ("nq", Some(RdfFormat::NQuads)),
            ("nquads", Some(RdfFormat::NQuads)),
            ("trig", Some(RdfFormat::TriG)),
            ("rdf", Some(RdfFormat::RdfXml)),
            ("owl", Some(RdfFormat::RdfXml)),
            ("xml", Some(RdfFormat::RdfXml)),
            ("n3", None),
            ("txt", None),
            ("json", None),
            ("", None),
        ] {
            assert_eq!(readable(extension), format, "{extension}");
        }
        assert!(matches!(readable("jsonld"), Some(RdfFormat::JsonLd { .. })));
        assert_eq!(unreadable("N3"), Some("N3"));
        assert_eq!(unreadable("ttl"), None);
    }
}

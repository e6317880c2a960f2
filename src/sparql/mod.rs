//! SPARQL as the project speaks it: one evaluator with the project's prefixes declared
//! (a query may redeclare any of them), and syntax errors a person can act on —
//! `line:column`, the offending line, a caret and one sentence — instead of the parser's
//! list of expected character classes.

pub mod order;

use crate::rdf::vocab::PREFIXES;
use oxigraph::sparql::SparqlEvaluator;
use spargebra::SparqlParser;

/// The evaluator every query and update of the project goes through, with the prefixes of
/// [`PREFIXES`] (pkg, rdfs, skos, xsd, dcterms, prov, qudt, schema…) declared.
pub fn evaluator() -> SparqlEvaluator {
    PREFIXES
        .iter()
        .fold(SparqlEvaluator::new(), |evaluator, (prefix, iri)| {
            // Constants: `vocab`'s tests check every one is an absolute IRI.
            evaluator
                .with_prefix(*prefix, *iri)
                .expect("the vocabulary's prefix IRIs are valid")
        })
}

/// The parser of every query the project evaluates, with the same prefixes as
/// [`evaluator`]; queries are parsed apart so that [`order::take`] can take out their ORDER BY.
pub fn parser() -> SparqlParser {
    PREFIXES.iter().fold(SparqlParser::new(), |parser, (prefix, iri)| {
        parser
            .with_prefix(*prefix, *iri)
            .expect("the vocabulary's prefix IRIs are valid")
    })
}

/// A syntax error of `text` as a person reads it:
///
/// ```text
/// 3:14: syntax error: the prefix `foo:` is not declared
///   ?d foo:bar ?x .
///      ^
/// ```
///
/// `raw` is the parser's message ("error at 3:14: expected one of …"); when it carries no
/// position, it is returned as it is.
pub fn syntax_message(text: &str, raw: &str) -> String {
    let Some((line, column)) = position(raw) else {
        return raw.to_owned();
    };
    let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    // The parser counts columns in bytes from 1.
    let mut byte = column.saturating_sub(1).min(source_line.len());
    while !source_line.is_char_boundary(byte) {
        byte -= 1;
    }
    let undeclared = raw.contains("Prefix not found");
    let sentence = if undeclared {
        // The parser stops after the prefixed name ("foo:bar"): point at its start.
        let start = source_line[..byte]
            .rfind(|c: char| c.is_whitespace() || matches!(c, '{' | '}' | '(' | ')' | ',' | ';' | '^' | '/'))
            .map_or(0, |i| i + 1);
        let name = &source_line[start..byte];
        byte = start;
        match name.split_once(':') {
            Some((prefix, _)) => format!(
                "the prefix `{prefix}:` is not declared (declare it with PREFIX {prefix}: <…>, or use one of: {})",
                PREFIXES.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
            ),
            None => "a prefix is not declared".to_owned(),
        }
    } else {
        match source_line[byte..].chars().next() {
            Some(c) => format!("the query cannot go on with `{c}` here"),
            None => "the query cannot be read up to here (an unclosed or misplaced part?)".to_owned(),
        }
    };
    let width = crate::query::display_width(&source_line[..byte]);
    let char_column = source_line[..byte].chars().count() + 1;
    format!(
        "{line}:{char_column}: syntax error: {sentence}\n  {source_line}\n  {}^",
        " ".repeat(width)
    )
}

/// "error at 3:14: …" → (3, 14).
fn position(raw: &str) -> Option<(usize, usize)> {
    let rest = &raw[raw.find("at ")? + 3..];
    let (line, rest) = rest.split_once(':')?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(query: &str) -> String {
        match evaluator().parse_query(query) {
            Ok(_) => panic!("{query} parsed"),
            Err(e) => syntax_message(query, &e.to_string()),
        }
    }

    #[test]
    fn the_projects_prefixes_need_no_declaration() {
        for query in [
            "SELECT ?d WHERE { ?d a pkg:PolicyDocument ; rdfs:label ?l ; dcterms:title ?t }",
            "SELECT ?c WHERE { ?c skos:prefLabel ?l FILTER(DATATYPE(?l) = xsd:string) }",
            // A query may declare its own IRI for a name.
            "PREFIX pkg: <http://example.org/> SELECT ?x WHERE { ?x a pkg:Thing }",
        ] {
            assert!(evaluator().parse_query(query).is_ok(), "{query}");
        }
    }

    #[test]
    fn syntax_errors_point_at_their_place() {
        let message = parse_error("SELECT ?x\nWHERE { ?x foo:bar ?y }");
        let mut lines = message.lines();
        let first = lines.next().unwrap_or_default();
        assert!(first.starts_with("2:"), "{message}");
        assert!(first.contains("`foo:` is not declared"), "{message}");
        assert_eq!(lines.next(), Some("  WHERE { ?x foo:bar ?y }"));
        let caret = lines.next().unwrap_or_default();
        assert!(caret.trim_end().ends_with('^'), "{message}");
        assert!(message.lines().count() == 3, "{message}");

        let message = parse_error("SELECT ?x WHERE { ?x a pkg:Thing ");
        assert!(message.starts_with("1:"), "{message}");
        assert!(message.contains("syntax error"), "{message}");
        assert!(!message.contains("'\\u{"), "{message}");

        let message = parse_error("SELECT ?x WHERE { ?x ?p ?y } LIMIT ten");
        assert!(message.starts_with("1:"), "{message}");
        assert!(message.contains("syntax error"), "{message}");
    }
}

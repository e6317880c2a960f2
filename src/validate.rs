//! Validation: the shapes of `ontology/shapes.ttl` checked over a store, with the report in
//! the SHACL results vocabulary.
//!
//! Each shape has one SPARQL query under `ontology/queries/validation/` (the SHACL-SPARQL
//! form of its constraints) that selects `?focus ?message` for every violation; a query's
//! first comment line names its shape (`# pkgsh:TargetShape — …`). The queries cover the
//! constraints the shapes state — classes, cardinalities, datatypes, value ranges and the
//! links between nodes — and a test keeps every shape of `shapes.ttl` paired with a query.
//! No general SHACL engine compiles in reasonable time here (see README, "Validation").

use crate::rdf::vocab::PREFIXES;
use crate::store::{GraphStore, StoreError};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use serde::Serialize;
use std::io::Write;

/// The checks, embedded so the binary works away from the repository.
pub const CHECKS: &[(&str, &str)] = &[
    (
        "assessment",
        include_str!("../ontology/queries/validation/assessment.rq"),
    ),
    ("evidence", include_str!("../ontology/queries/validation/evidence.rq")),
    ("measure", include_str!("../ontology/queries/validation/measure.rq")),
    (
        "official-header",
        include_str!("../ontology/queries/validation/official-header.rq"),
    ),
    (
        "organization",
        include_str!("../ontology/queries/validation/organization.rq"),
    ),
    ("outcome", include_str!("../ontology/queries/validation/outcome.rq")),
    (
        "policy-document",
        include_str!("../ontology/queries/validation/policy-document.rq"),
    ),
    ("source", include_str!("../ontology/queries/validation/source.rq")),
    (
        "source-text",
        include_str!("../ontology/queries/validation/source-text.rq"),
    ),
    ("target", include_str!("../ontology/queries/validation/target.rq")),
    ("task", include_str!("../ontology/queries/validation/task.rq")),
    (
        "technology",
        include_str!("../ontology/queries/validation/technology.rq"),
    ),
];

const SH: &str = "http://www.w3.org/ns/shacl#";
const PKGSH: &str = "https://w3id.org/policykg/shapes#";

/// One violation: a `sh:ValidationResult`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Violation {
    /// The shape's IRI (`sh:sourceShape`).
    pub shape: String,
    /// The node that violates it (`sh:focusNode`), in N-Triples form.
    pub focus: String,
    /// `sh:resultMessage`.
    pub message: String,
}

/// A `sh:ValidationReport`.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub conforms: bool,
    /// How many shapes were checked.
    pub shapes: usize,
    pub results: Vec<Violation>,
}

/// The shape a check names in its first comment line.
pub fn shape_of(check: &str) -> Option<String> {
    let line = check.lines().next()?.strip_prefix("# pkgsh:")?;
    let local: String = line.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    (!local.is_empty()).then(|| format!("{PKGSH}{local}"))
}

/// Runs every check over the store; results sorted by shape, focus node and message.
pub fn validate(store: &GraphStore) -> Result<Report, StoreError> {
    let mut results = Vec::new();
    for (name, check) in CHECKS {
        let shape = shape_of(check).unwrap_or_else(|| format!("{PKGSH}{name}"));
        let oxigraph::sparql::QueryResults::Solutions(solutions) = store.query(check)? else {
            continue;
        };
        for solution in solutions {
            let solution = solution.map_err(|e| StoreError::Evaluation(e.to_string()))?;
            let focus = solution.get("focus").map(|t| t.to_string()).unwrap_or_default();
            let message = match solution.get("message") {
                Some(Term::Literal(l)) => l.value().to_owned(),
                Some(t) => t.to_string(),
                None => String::new(),
            };
            results.push(Violation {
                shape: shape.clone(),
                focus,
                message,
            });
        }
    }
    results.sort();
    results.dedup();
    Ok(Report {
        conforms: results.is_empty(),
        shapes: CHECKS.len(),
        results,
    })
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One line per result, for people.
    Text,
    Turtle,
    /// JSON-LD of the same triples.
    JsonLd,
}

/// The report as SHACL triples: one `sh:ValidationReport` with its `sh:ValidationResult`s.
pub fn report_triples(report: &Report) -> Vec<Triple> {
    let sh = |local: &str| NamedNode::new_unchecked(format!("{SH}{local}"));
    let a = NamedNode::new_unchecked("http://www.w3.org/1999/02/22-rdf-syntax-ns#type");
    let root = BlankNode::new_unchecked("report");
    let mut triples = vec![
        Triple::new(root.clone(), a.clone(), sh("ValidationReport")),
        Triple::new(root.clone(), sh("conforms"), Literal::from(report.conforms)),
    ];
    for (i, r) in report.results.iter().enumerate() {
        let node = BlankNode::new_unchecked(format!("result{i}"));
        triples.push(Triple::new(root.clone(), sh("result"), node.clone()));
        triples.push(Triple::new(node.clone(), a.clone(), sh("ValidationResult")));
        triples.push(Triple::new(node.clone(), sh("resultSeverity"), sh("Violation")));
        triples.push(Triple::new(
            node.clone(),
            sh("sourceShape"),
            NamedNode::new_unchecked(r.shape.clone()),
        ));
        triples.push(Triple::new(
            node.clone(),
            sh("sourceConstraintComponent"),
            sh("SPARQLConstraintComponent"),
        ));
        if let Some(focus) = focus_term(&r.focus) {
            triples.push(Triple::new(node.clone(), sh("focusNode"), focus));
        }
        triples.push(Triple::new(
            node,
            sh("resultMessage"),
            Literal::new_simple_literal(r.message.clone()),
        ));
    }
    triples
}

/// The focus node back from its N-Triples form (an IRI or a blank node; literals are not
/// focus nodes of these shapes).
fn focus_term(text: &str) -> Option<NamedOrBlankNode> {
    if let Some(iri) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        return NamedNode::new(iri).ok().map(Into::into);
    }
    text.strip_prefix("_:")
        .and_then(|b| BlankNode::new(b).ok())
        .map(Into::into)
}

/// Writes the report.
pub fn write(report: &Report, format: ReportFormat, mut out: impl Write) -> std::io::Result<()> {
    let rdf = match format {
        ReportFormat::Text => {
            for r in &report.results {
                let shape = r.shape.strip_prefix(PKGSH).unwrap_or(&r.shape);
                writeln!(out, "violation\t{shape}\t{}\t{}", r.focus, r.message)?;
            }
            let verdict = if report.conforms {
                "conforms"
            } else {
                "does not conform"
            };
            return writeln!(
                out,
                "{verdict}: {} violations of {} shapes checked",
                report.results.len(),
                report.shapes
            );
        }
        ReportFormat::Turtle => RdfFormat::Turtle,
        ReportFormat::JsonLd => RdfFormat::JsonLd {
            profile: JsonLdProfileSet::empty(),
        },
    };
    let mut serializer = RdfSerializer::from_format(rdf)
        .with_prefix("sh", SH)
        .and_then(|s| s.with_prefix("pkgsh", PKGSH))
        .map_err(std::io::Error::other)?;
    for (prefix, iri) in PREFIXES {
        serializer = serializer.with_prefix(*prefix, *iri).map_err(std::io::Error::other)?;
    }
    let mut writer = serializer.for_writer(&mut out);
    for triple in report_triples(report) {
        writer.serialize_triple(&triple)?;
    }
    writer.finish()?;
    if rdf != RdfFormat::Turtle {
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_file_is_embedded_and_names_a_shape_of_the_shapes_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/ontology/queries/validation");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("validation dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().trim_end_matches(".rq").to_owned())
            .collect();
        files.sort();
        let embedded: Vec<String> = CHECKS.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(files, embedded);
        let shapes = include_str!("../ontology/shapes.ttl");
        for (name, check) in CHECKS {
            let shape = shape_of(check).unwrap_or_else(|| panic!("{name}: no '# pkgsh:Shape' first line"));
            let local = &shape[PKGSH.len()..];
            assert!(
                shapes.contains(&format!("pkgsh:{local}")),
                "{local} is not in shapes.ttl"
            );
        }
    }

    #[test]
    fn every_shape_of_the_shapes_file_has_a_check() {
        let shapes = include_str!("../ontology/shapes.ttl");
        let checked: Vec<String> = CHECKS.iter().filter_map(|(_, c)| shape_of(c)).collect();
        let declared: Vec<&str> = shapes
            .lines()
            .filter_map(|l| l.strip_prefix("pkgsh:")?.strip_suffix(" a sh:NodeShape ;"))
            .collect();
        assert!(declared.len() >= 10, "{declared:?}");
        for local in declared {
            assert!(checked.contains(&format!("{PKGSH}{local}")), "{local} has no check");
        }
    }

    #[test]
    fn a_report_is_shacl() {
        let report = Report {
            conforms: false,
            shapes: 1,
            results: vec![Violation {
                shape: format!("{PKGSH}TargetShape"),
                focus: "<https://w3id.org/policykg/id/target/x>".into(),
                message: "min > max".into(),
            }],
        };
        let mut turtle = Vec::new();
        write(&report, ReportFormat::Turtle, &mut turtle).expect("turtle");
        let turtle = String::from_utf8(turtle).expect("utf-8");
        assert!(turtle.contains("sh:ValidationReport"), "{turtle}");
        assert!(turtle.contains("sh:conforms false"), "{turtle}");
        assert!(turtle.contains("sh:focusNode ptgt:x"), "{turtle}");
        assert!(turtle.contains("sh:sourceShape pkgsh:TargetShape"), "{turtle}");
        let mut text = Vec::new();
        write(&report, ReportFormat::Text, &mut text).expect("text");
        let text = String::from_utf8(text).expect("utf-8");
        assert!(text.starts_with("violation\tTargetShape\t<https://w3id.org/policykg/id/target/x>\tmin > max\n"));
        assert!(text.ends_with("does not conform: 1 violations of 1 shapes checked\n"));
    }
}

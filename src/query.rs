//! Running a SPARQL query against the store and writing its results: SELECT/ASK as a
//! human table or in the W3C result formats, CONSTRUCT/DESCRIBE as Turtle or N-Triples.

use crate::rdf::vocab::PREFIXES;
use crate::store::{GraphStore, StoreError};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, QuerySolution};
use std::io::Write;

/// The named queries shipped under `ontology/queries/`, embedded so the binary works away
/// from the repository.
pub const NAMED: &[(&str, &str)] = &[
    ("documents", include_str!("../ontology/queries/documents.rq")),
    ("organizations", include_str!("../ontology/queries/organizations.rq")),
    ("outcomes", include_str!("../ontology/queries/outcomes.rq")),
    (
        "planned-vs-achieved",
        include_str!("../ontology/queries/planned-vs-achieved.rq"),
    ),
    ("plan-outline", include_str!("../ontology/queries/plan-outline.rq")),
    (
        "targets-by-deadline",
        include_str!("../ontology/queries/targets-by-deadline.rq"),
    ),
    ("technologies", include_str!("../ontology/queries/technologies.rq")),
];

/// The text of a named query.
pub fn named(name: &str) -> Option<&'static str> {
    NAMED.iter().find(|(n, _)| *n == name).map(|(_, q)| *q)
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("SPARQL evaluation error: {0}")]
    Evaluation(String),
    /// A `--format` that does not fit the query form (a SELECT as Turtle).
    #[error("--format {format} does not fit a {form} query; use one of: {valid}")]
    Format {
        format: &'static str,
        form: &'static str,
        valid: &'static str,
    },
}

impl ResultFormat {
    pub fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Json => "json",
            Self::Xml => "xml",
            Self::Turtle => "turtle",
            Self::NTriples => "ntriples",
        }
    }
}

/// The formats a SELECT or ASK answer can take.
const SOLUTION_FORMATS: &str = "table, csv, tsv, json, xml";
/// The formats a CONSTRUCT or DESCRIBE answer can take.
const GRAPH_FORMATS: &str = "turtle (the default), ntriples";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    NTriples,
}

/// Runs `query` and writes its results to `out`.
///
/// A format that does not fit the query's form is an error naming the ones that do; every
/// answer ends with a newline.
pub fn run(store: &GraphStore, query: &str, format: ResultFormat, out: &mut dyn Write) -> Result<(), QueryError> {
    let results = store.query(query)?;
    let mismatch = |form: &'static str, valid: &'static str| QueryError::Format {
        format: format.name(),
        form,
        valid,
    };
    match (&results, format) {
        (QueryResults::Boolean(_), ResultFormat::Turtle | ResultFormat::NTriples) => {
            return Err(mismatch("ASK", SOLUTION_FORMATS))
        }
        (QueryResults::Solutions(_), ResultFormat::Turtle | ResultFormat::NTriples) => {
            return Err(mismatch("SELECT", SOLUTION_FORMATS))
        }
        (QueryResults::Graph(_), ResultFormat::Csv | ResultFormat::Tsv | ResultFormat::Json | ResultFormat::Xml) => {
            return Err(mismatch("CONSTRUCT or DESCRIBE", GRAPH_FORMATS))
        }
        _ => {}
    }
    // JSON and XML serializers end without a newline.
    let newline = matches!(format, ResultFormat::Json | ResultFormat::Xml);
    match results {
        QueryResults::Boolean(value) => match results_format(format) {
            Some(f) => {
                QueryResultsSerializer::from_format(f).serialize_boolean_to_writer(&mut *out, value)?;
            }
            None => writeln!(out, "{value}")?,
        },
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let rows: Vec<QuerySolution> = solutions
                .collect::<Result<_, _>>()
                .map_err(|e| QueryError::Evaluation(e.to_string()))?;
            match results_format(format) {
                Some(f) => {
                    let mut serializer =
                        QueryResultsSerializer::from_format(f).serialize_solutions_to_writer(&mut *out, variables)?;
                    for row in &rows {
                        serializer.serialize(row)?;
                    }
                    serializer.finish()?;
                }
                None => write_table(&variables, &rows, out)?,
            }
        }
        QueryResults::Graph(triples) => {
            let mut triples: Vec<Triple> = triples
                .collect::<Result<_, _>>()
                .map_err(|e| QueryError::Evaluation(e.to_string()))?;
            triples.sort_by_cached_key(|t| t.to_string());
            triples.dedup();
            let rdf = if format == ResultFormat::NTriples {
                RdfFormat::NTriples
            } else {
                RdfFormat::Turtle
            };
            let mut serializer = RdfSerializer::from_format(rdf);
            for (prefix, iri) in PREFIXES {
                serializer = serializer
                    .with_prefix(*prefix, *iri)
                    .map_err(|e| QueryError::Evaluation(e.to_string()))?;
            }
            let mut writer = serializer.for_writer(&mut *out);
            for triple in &triples {
                writer.serialize_triple(triple)?;
            }
            writer.finish()?;
        }
    }
    if newline {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}

fn results_format(format: ResultFormat) -> Option<QueryResultsFormat> {
    match format {
        ResultFormat::Csv => Some(QueryResultsFormat::Csv),
        ResultFormat::Tsv => Some(QueryResultsFormat::Tsv),
        ResultFormat::Json => Some(QueryResultsFormat::Json),
        ResultFormat::Xml => Some(QueryResultsFormat::Xml),
        ResultFormat::Table | ResultFormat::Turtle | ResultFormat::NTriples => None,
    }
}

/// A term as a person reads it: prefixed IRIs, literals by value with their language.
pub fn display_term(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => {
            for (prefix, ns) in PREFIXES {
                if let Some(local) = n.as_str().strip_prefix(ns) {
                    if !local.contains(['/', '#']) {
                        return format!("{prefix}:{local}");
                    }
                }
            }
            format!("<{}>", n.as_str())
        }
        Term::Literal(l) => match l.language() {
            Some(lang) => format!("{}@{lang}", l.value()),
            None => l.value().to_owned(),
        },
        other => other.to_string(),
    }
}

/// Columns a string takes in a terminal: East Asian wide characters take two.
pub fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn write_table(
    variables: &[oxigraph::model::Variable],
    rows: &[QuerySolution],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let header: Vec<String> = variables.iter().map(|v| v.as_str().to_owned()).collect();
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            variables
                .iter()
                .map(|v| row.get(v).map(display_term).unwrap_or_default().replace('\n', " "))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(cell));
        }
    }
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - display_width(c))))
            .collect();
        format!("| {} |", padded.join(" | ")).trim_end().to_owned()
    };
    writeln!(out, "{}", line(&header))?;
    writeln!(
        out,
        "|{}|",
        widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("|")
    )?;
    for row in &cells {
        writeln!(out, "{}", line(row))?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })
}

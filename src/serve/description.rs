//! The SPARQL 1.1 Service Description of the endpoint, answered at `GET /sparql` without a
//! query: what languages and result formats it speaks, that its default graph is the union
//! of the named graphs, and which named graphs it holds.

use super::http::{Reply, Request};
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const FORMATS: &str = "http://www.w3.org/ns/formats/";

fn sd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{local}"))
}

/// The description, as Turtle or JSON-LD by `Accept`.
pub fn describe(request: &Request, graphs: &[NamedNode], allow_update: bool) -> Reply {
    let host = request.header("Host").unwrap_or("localhost");
    let endpoint = NamedNode::new(format!("http://{host}/sparql"))
        .unwrap_or_else(|_| NamedNode::new_unchecked("http://localhost/sparql"));
    let service = BlankNode::new_unchecked("service");
    let dataset = BlankNode::new_unchecked("dataset");
    let default_graph = BlankNode::new_unchecked("default");
    let mut triples = Vec::new();
    let mut add = |s: NamedOrBlankNode, p: NamedNode, o: Term| triples.push(Triple::new(s, p, o));
    add(service.clone().into(), rdf::TYPE.into(), sd("Service").into());
    add(service.clone().into(), sd("endpoint"), endpoint.into());
    add(
        service.clone().into(),
        sd("supportedLanguage"),
        sd("SPARQL11Query").into(),
    );
    if allow_update {
        add(
            service.clone().into(),
            sd("supportedLanguage"),
            sd("SPARQL11Update").into(),
        );
    }
    add(service.clone().into(), sd("feature"), sd("UnionDefaultGraph").into());
    for format in [
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
    ] {
        add(
            service.clone().into(),
            sd("resultFormat"),
            NamedNode::new_unchecked(format!("{FORMATS}{format}")).into(),
        );
    }
    add(service.clone().into(), sd("defaultDataset"), dataset.clone().into());
    add(dataset.clone().into(), rdf::TYPE.into(), sd("Dataset").into());
    add(dataset.clone().into(), sd("defaultGraph"), default_graph.clone().into());
    add(default_graph.into(), rdf::TYPE.into(), sd("Graph").into());
    for (i, graph) in graphs.iter().enumerate() {
        let named = BlankNode::new_unchecked(format!("g{i}"));
        add(dataset.clone().into(), sd("namedGraph"), named.clone().into());
        add(named.clone().into(), rdf::TYPE.into(), sd("NamedGraph").into());
        add(named.into(), sd("name"), graph.clone().into());
    }
    add(
        service.into(),
        NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment"),
        Literal::new_language_tagged_literal_unchecked(
            "policykg: the default graph of a query is the union of all named graphs",
            "en",
        )
        .into(),
    );
    let jsonld = RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    };
    let options: [(&str, RdfFormat, &str); 3] = [
        ("text/turtle", RdfFormat::Turtle, "text/turtle; charset=utf-8"),
        ("application/ld+json", jsonld, "application/ld+json"),
        ("application/n-triples", RdfFormat::NTriples, "application/n-triples"),
    ];
    let (format, mime) = super::http::negotiate(&request.accept(), &options)
        .unwrap_or((RdfFormat::Turtle, "text/turtle; charset=utf-8"));
    let mut serializer = RdfSerializer::from_format(format);
    if format == RdfFormat::Turtle {
        serializer = serializer
            .with_prefix("sd", SD)
            .unwrap_or_else(|_| RdfSerializer::from_format(format));
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in &triples {
        if writer.serialize_triple(triple).is_err() {
            return Reply::text(500, "cannot serialize the service description");
        }
    }
    match writer.finish() {
        Ok(body) => Reply::bytes(200, mime, body),
        Err(_) => Reply::text(500, "cannot serialize the service description"),
    }
}

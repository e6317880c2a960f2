//! The JSON API behind the page: documents, the map, a node's facts and evidence, a
//! source's text, label search, and the named queries. Also used, with the store, to embed
//! the same data in the offline HTML map.

use super::http::{Reply, Request};
use super::Server;
use crate::render::{self, Renderer};
use crate::store::GraphStore;
use serde_json::{json, Value};

/// The page: one HTML file with its script and style, embedded in the binary.
pub const PAGE: &str = include_str!("../../assets/index.html");

/// Literal text safe inside a SPARQL string.
fn sparql_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn valid_iri(text: &str) -> Option<String> {
    oxigraph::model::NamedNode::new(text).ok().map(|n| n.into_string())
}

pub fn route(server: &Server, request: &Request) -> Reply {
    if request.path == "/api/map.svg" && request.param("doc").is_none() {
        // The whole store: drawn once per version of it, and before the page asks.
        return match server.whole_map() {
            Ok(svg) => Reply::bytes(200, "image/svg+xml", svg.to_vec()),
            Err(e) => Reply::text(500, e),
        };
    }
    if request.path == "/api/search" {
        let Some(q) = request.param("q").map(str::trim).filter(|q| !q.is_empty()) else {
            return Reply::json(&json!([]));
        };
        // The labels first: they take the store's read lock themselves when they are made.
        let labels = match server.labels() {
            Ok(labels) => labels,
            Err(e) => return Reply::text(500, e),
        };
        return json_or_error(search(&server.read_store(), q, Some(&labels)));
    }
    let store = server.read_store();
    match request.path.as_str() {
        "/api/documents" => json_or_error(documents(&store)),
        "/api/queries" => Reply::json(&queries()),
        "/api/map.svg" => {
            // One plan when the page asks for it (the whole store is answered above).
            let scope = match request.param("doc").and_then(valid_iri) {
                Some(doc) => render::Scope::Plan(doc),
                None => return Reply::text(400, "give ?doc= with a valid IRI, or no doc for the whole store"),
            };
            match render::map(&store, &scope)
                .map_err(|e| e.to_string())
                .and_then(|g| render::svg(&g, Renderer::Auto).map_err(|e| e.to_string()))
            {
                Ok((svg, _)) => Reply::bytes(200, "image/svg+xml", svg.into_bytes()),
                Err(e) => Reply::text(500, e),
            }
        }
        "/api/node" => match request.param("iri").and_then(valid_iri) {
            Some(iri) => json_or_error(node(&store, &iri)),
            None => Reply::text(400, "give ?iri= with a valid IRI"),
        },
        "/api/source" => match request.param("iri").and_then(valid_iri) {
            Some(iri) => match source_text(&store, &iri) {
                Some(text) => Reply::bytes(200, "text/plain; charset=utf-8", text.into_bytes()),
                None => Reply::text(404, "no such source in this store"),
            },
            None => Reply::text(400, "give ?iri= with a valid IRI"),
        },
        _ => Reply::text(404, format!("no such resource: {}", request.path)),
    }
}

fn json_or_error(value: Result<Value, String>) -> Reply {
    match value {
        Ok(v) => Reply::json(&v),
        Err(e) => Reply::text(500, e),
    }
}

pub fn queries() -> Value {
    Value::Array(
        crate::query::NAMED
            .iter()
            .map(|(name, query)| json!({"name": name, "query": query}))
            .collect(),
    )
}

pub fn documents(store: &GraphStore) -> Result<Value, String> {
    let rows = store
        .select(
            "PREFIX pkg: <https://w3id.org/policykg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
             SELECT ?doc (MIN(?l) AS ?title) WHERE { ?doc a pkg:PolicyDocument ; rdfs:label ?l } GROUP BY ?doc ORDER BY ?title",
        )
        .map_err(|e| e.to_string())?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|r| json!({"iri": r.get("doc"), "title": r.get("title")}))
            .collect(),
    ))
}

/// A node's types, labels, other facts and evidence.
pub fn node(store: &GraphStore, iri: &str) -> Result<Value, String> {
    let facts = store
        .select(&format!(
            "SELECT ?p ?o (LANG(?o) AS ?lang) WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o"
        ))
        .map_err(|e| e.to_string())?;
    let evidence = store
        .select(&format!(
            "PREFIX pkg: <https://w3id.org/policykg/ontology#>
             SELECT ?source ?path ?start ?end ?quote WHERE {{
               <{iri}> pkg:evidence ?e . ?e pkg:source ?source ; pkg:start ?start ; pkg:end ?end ; pkg:quote ?quote .
               OPTIONAL {{ ?source pkg:path ?path }}
             }} ORDER BY ?path ?start"
        ))
        .map_err(|e| e.to_string())?;
    let evidence_predicate = format!("{}evidence", crate::rdf::vocab::pkg::NS);
    let facts: Vec<Value> = facts
        .into_iter()
        .filter(|r| r.get("p").is_some_and(|p| *p != evidence_predicate))
        .map(|r| json!({"p": r.get("p"), "o": r.get("o"), "lang": r.get("lang")}))
        .collect();
    let evidence: Vec<Value> = evidence
        .into_iter()
        .map(|r| {
            json!({
                "source": r.get("source"),
                "path": r.get("path"),
                "start": r.get("start").and_then(|s| s.parse::<u64>().ok()),
                "end": r.get("end").and_then(|s| s.parse::<u64>().ok()),
                "quote": r.get("quote"),
            })
        })
        .collect();
    let assessments = store
        .select(&format!(
            "PREFIX pkg: <https://w3id.org/policykg/ontology#>
             SELECT ?role ?other ?quote ?year ?verdict WHERE {{
               {{ ?a pkg:assessedTarget <{iri}> ; pkg:assessedOutcome ?other . BIND(\"outcome\" AS ?role)
                  OPTIONAL {{ ?other pkg:year ?year }} }}
               UNION
               {{ ?a pkg:assessedOutcome <{iri}> ; pkg:assessedTarget ?other . BIND(\"target\" AS ?role)
                  OPTIONAL {{ ?other pkg:deadline ?year }} }}
               ?other pkg:evidence/pkg:quote ?quote .
               OPTIONAL {{ ?a pkg:verdict ?verdict }}
             }} ORDER BY ?role ?year ?quote"
        ))
        .map_err(|e| e.to_string())?;
    // Planned vs achieved: a target's outcomes, an outcome's target, with the verdict.
    let assessments: Vec<Value> = assessments
        .into_iter()
        .map(|r| {
            json!({
                "role": r.get("role"),
                "iri": r.get("other"),
                "quote": r.get("quote"),
                "year": r.get("year"),
                "verdict": r.get("verdict"),
            })
        })
        .collect();
    Ok(json!({"iri": iri, "facts": facts, "evidence": evidence, "assessments": assessments}))
}

/// The text of a source the store holds, as extraction read it: its `pkg:text`, else (a
/// store built before sources kept their text) the file read again (and only a source the
/// store holds: the path comes from the manifest, never from the request).
pub fn source_text(store: &GraphStore, iri: &str) -> Option<String> {
    let graph = store.manifest.sources.values().find(|record| record.graph == iri)?;
    let stored = store
        .select(&format!(
            "PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT ?text WHERE {{ GRAPH <{0}> {{ <{0}> pkg:text ?text }} }}",
            graph.graph
        ))
        .ok()
        .and_then(|rows| rows.into_iter().next()?.remove("text"));
    if stored.is_some() {
        return stored;
    }
    let path = store
        .manifest
        .sources
        .iter()
        .find(|(_, record)| record.graph == iri)
        .map(|(path, _)| path.clone())?;
    let document = crate::ingest::read(std::path::Path::new(&path)).ok()?;
    Some(document.text)
}

/// What the page's search can find: each node with evidence, not itself evidence, with one
/// of its labels, lower-cased (as SPARQL's LCASE does). Made once per version of the store.
pub struct Labels(Vec<(String, String)>);

impl Labels {
    pub fn of(store: &GraphStore) -> Result<Self, String> {
        let rows = store
            .select(
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
                 PREFIX pkg: <https://w3id.org/policykg/ontology#>
                 SELECT DISTINCT ?node ?l WHERE {
                   { ?node rdfs:label ?l } UNION { ?node skos:altLabel ?l }
                   FILTER EXISTS { ?node pkg:evidence ?e }
                   FILTER EXISTS { ?node a ?t FILTER(?t != pkg:Evidence) }
                 }",
            )
            .map_err(|e| e.to_string())?;
        Ok(Self(
            rows.into_iter()
                .filter_map(|mut row| Some((row.remove("node")?, row.remove("l")?.to_lowercase())))
                // Blank nodes cannot be named in a query (nor shown by /api/node).
                .filter(|(node, _)| !node.starts_with("_:"))
                .collect(),
        ))
    }

    /// The nodes with a label containing one of `needles`, in store order, once each.
    fn matching(&self, needles: &[&str]) -> Vec<&str> {
        let mut nodes: Vec<&str> = self
            .0
            .iter()
            .filter(|(_, label)| needles.iter().any(|n| label.contains(n)))
            .map(|(node, _)| node.as_str())
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }
}

/// Nodes whose label contains the text (Traditional or Simplified, any case), the 50
/// shortest labels first. With `labels`, the nodes whose labels match are found there first and the
/// query runs on those alone; the answer is the same, without lower-casing every label of
/// the store for each search.
pub fn search(store: &GraphStore, text: &str, labels: Option<&Labels>) -> Result<Value, String> {
    let lowered = text.to_lowercase();
    let folded = crate::extract::text::normalize(text).to_lowercase();
    let only = match labels {
        Some(labels) => {
            let nodes = labels.matching(&[lowered.as_str(), folded.as_str()]);
            if nodes.is_empty() {
                return Ok(Value::Array(Vec::new()));
            }
            let values: Vec<String> = nodes.iter().map(|n| format!("<{n}>")).collect();
            format!("VALUES ?node {{ {} }}", values.join(" "))
        }
        None => String::new(),
    };
    let rows = store
        .select(&format!(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
             PREFIX pkg: <https://w3id.org/policykg/ontology#>
             SELECT ?node (MIN(?l) AS ?label) (SAMPLE(?t) AS ?type) WHERE {{
               {only}
               {{ ?node rdfs:label ?l }} UNION {{ ?node skos:altLabel ?l }}
               ?node a ?t . FILTER(?t != pkg:Evidence)
               FILTER(CONTAINS(LCASE(STR(?l)), {}) || CONTAINS(LCASE(STR(?l)), {}))
               FILTER EXISTS {{ ?node pkg:evidence ?e }}
             }} GROUP BY ?node ORDER BY STRLEN(?label) ?label LIMIT 50",
            sparql_string(&lowered),
            sparql_string(&folded)
        ))
        .map_err(|e| e.to_string())?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|r| json!({"iri": r.get("node"), "label": r.get("label"), "type": r.get("type")}))
            .collect(),
    ))
}

/// Everything the page needs, for the offline HTML map: documents, the map, every mapped
/// node's facts and evidence, and the source texts.
pub fn offline_data(store: &GraphStore, svg: &str) -> Result<Value, String> {
    let nodes = store
        .select("PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT DISTINCT ?n WHERE { ?n pkg:evidence ?e }")
        .map_err(|e| e.to_string())?;
    let mut facts = serde_json::Map::new();
    for row in nodes {
        if let Some(iri) = row.get("n") {
            facts.insert(iri.clone(), node(store, iri)?);
        }
    }
    let mut sources = serde_json::Map::new();
    for record in store.manifest.sources.values() {
        if let Some(text) = source_text(store, &record.graph) {
            sources.insert(record.graph.clone(), Value::String(text));
        }
    }
    Ok(json!({"documents": documents(store)?, "svg": svg, "nodes": facts, "sources": sources}))
}

/// The page with the data embedded, for `render --format html`.
pub fn offline_page(store: &GraphStore, svg: &str) -> Result<String, String> {
    let data = offline_data(store, svg)?.to_string().replace("</", "<\\/");
    Ok(PAGE.replace(
        "<script id=\"policykg-data\" type=\"application/json\">null</script>",
        &format!("<script id=\"policykg-data\" type=\"application/json\">{data}</script>"),
    ))
}

//! `policykg serve` over real HTTP: the SPARQL 1.1 Protocol, the Graph Store Protocol,
//! read-only refusals, limits, CORS, the page's API — with a minimal HTTP client on
//! std's TcpStream, against the real binary.

mod common;

use common::*;
use policykg::render::Renderer;
use std::path::Path;
use std::process::Command;

fn start(store: &Path, extra: &[&str]) -> Server {
    serve(store, extra, &[])
}

fn get(server: &Server, path: &str, accept: &str) -> Response {
    request(server, "GET", path, &[("Accept", accept)], b"")
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn seed_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    build_into(&[seeds()], dir.path(), Renderer::Builtin);
    let store = dir.path().join("store");
    (dir, store)
}

const COUNT_TASKS: &str =
    "PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT (COUNT(?t) AS ?n) WHERE { ?d pkg:hasTask ?t }";

#[test]
fn the_sparql_protocol_answers_every_way_a_client_asks() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[]);
    let via_get = get(
        &server,
        &format!("/sparql?query={}", encode(COUNT_TASKS)),
        "application/sparql-results+json",
    );
    assert_eq!(via_get.status, 200, "{}", via_get.body);
    assert!(via_get.headers.contains("application/sparql-results+json"));
    let json: serde_json::Value = serde_json::from_str(&via_get.body).expect("json");
    assert_eq!(json["results"]["bindings"][0]["n"]["value"], "7");

    let form = format!("query={}", encode(COUNT_TASKS));
    let via_form = request(
        &server,
        "POST",
        "/sparql",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/csv"),
        ],
        form.as_bytes(),
    );
    assert_eq!(via_form.status, 200);
    assert!(via_form.headers.contains("text/csv"));
    assert_eq!(via_form.body.lines().nth(1), Some("7"));

    let direct = request(
        &server,
        "POST",
        "/sparql",
        &[
            ("Content-Type", "application/sparql-query"),
            ("Accept", "application/sparql-results+xml"),
        ],
        COUNT_TASKS.as_bytes(),
    );
    assert!(direct.headers.contains("application/sparql-results+xml") && direct.body.contains("<sparql"));
    let tsv = get(
        &server,
        &format!("/sparql?query={}", encode(COUNT_TASKS)),
        "text/tab-separated-values",
    );
    assert!(tsv.headers.contains("text/tab-separated-values"));

    let ask = get(
        &server,
        &format!("/sparql?query={}", encode("ASK { ?s ?p ?o }")),
        "application/sparql-results+json",
    );
    assert!(ask.body.contains("true"));

    let construct = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5";
    for (accept, marker) in [
        ("text/turtle", " a "),
        (
            "application/n-triples",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        ),
        ("application/ld+json", "@id"),
        ("application/rdf+xml", "rdf:RDF"),
    ] {
        let r = get(&server, &format!("/sparql?query={}", encode(construct)), accept);
        assert_eq!(r.status, 200, "{accept}: {}", r.body);
        assert!(r.headers.contains(accept), "{accept}: {}", r.headers);
        assert!(r.body.contains(marker), "{accept}: {}", r.body);
    }

    // The protocol's dataset: only the lexicon graph as default graph has no tasks.
    let lexicon_only = get(
        &server,
        &format!(
            "/sparql?query={}&default-graph-uri={}",
            encode(COUNT_TASKS),
            encode("https://w3id.org/policykg/id/graph/lexicon")
        ),
        "text/csv",
    );
    assert_eq!(lexicon_only.body.lines().nth(1), Some("0"));
}

#[test]
fn errors_are_answered_with_the_right_status() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--timeout", "0.3", "--max-result-bytes", "3000"]);
    let bad = get(
        &server,
        &format!("/sparql?query={}", encode("SELECT ?x WHERE { ?x")),
        "",
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("1:"), "{}", bad.body);
    assert_eq!(get(&server, "/nowhere", "").status, 404);
    assert_eq!(get(&server, "/../../etc/passwd", "").status, 404);
    assert_eq!(
        get(
            &server,
            &format!("/api/source?iri={}", encode("file:///etc/passwd")),
            ""
        )
        .status,
        404
    );
    let refused = update(&server, "INSERT DATA { <http://a> <http://b> <http://c> }");
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("--allow-update"));
    let put = request(
        &server,
        "PUT",
        "/store?graph=http://example.org/g",
        &[("Content-Type", "text/turtle")],
        b"<http://a> <http://b> <http://c> .",
    );
    assert_eq!(put.status, 403);

    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let started = std::time::Instant::now();
    let stopped = get(&server, &format!("/sparql?query={}", encode(slow)), "");
    assert_eq!(stopped.status, 503, "{}", stopped.body);
    assert!(started.elapsed().as_secs() < 30);

    let big = get(
        &server,
        &format!("/sparql?query={}", encode("SELECT * WHERE { ?s ?p ?o }")),
        "",
    );
    assert_eq!(big.status, 500);
    assert!(big.body.contains("byte limit"), "{}", big.body);
    assert!(!big.headers.contains("Access-Control-Allow-Origin"));
}

#[test]
fn updates_and_graph_store_writes_persist_when_allowed() {
    let (_dir, store) = seed_store();
    {
        let server = start(&store, &["--allow-update", "--cors", "http://example.org"]);
        let inserted = update(
            &server,
            "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/b> \"c\" } }",
        );
        assert_eq!(inserted.status, 204, "{}", inserted.body);
        assert!(inserted
            .headers
            .contains("Access-Control-Allow-Origin: http://example.org"));
        let put = request(
            &server,
            "PUT",
            "/store?graph=http://example.org/h",
            &[("Content-Type", "text/turtle")],
            b"<http://example.org/x> <http://example.org/y> 42 .",
        );
        assert_eq!(put.status, 204, "{}", put.body);
        let read = get(&server, "/store?graph=http://example.org/h", "application/n-triples");
        assert_eq!(read.status, 200);
        assert!(read.body.contains("<http://example.org/x>"));
        assert_eq!(get(&server, "/store?graph=http://example.org/none", "").status, 404);
    }
    // On disk (the snapshot, or its delta for a small change), and the seed intact.
    let reopened = policykg::store::GraphStore::open(&store).expect("reopen");
    let quads = reopened.canonical_nquads().expect("dump");
    assert!(quads.contains("<http://example.org/a> <http://example.org/b> \"c\" <http://example.org/g>"));
    assert!(quads.contains("<http://example.org/x>"));
    assert!(ask(&reopened, "?d a pkg:PolicyDocument"));
}

#[test]
fn the_graph_store_protocol_reads_source_graphs() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[]);
    let graphs = get(
        &server,
        &format!(
            "/sparql?query={}",
            encode("SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/policykg/ontology#Source> } }")
        ),
        "text/csv",
    );
    let graph = graphs.body.lines().nth(1).expect("a source graph").trim().to_owned();
    let turtle = get(&server, &format!("/store?graph={}", encode(&graph)), "text/turtle");
    assert_eq!(turtle.status, 200);
    let parsed: Vec<_> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(turtle.body.as_bytes())
        .collect::<Result<_, _>>()
        .expect("turtle parses");
    assert!(parsed.len() > 100);
    // The default graph is the union a query sees: it holds the source graph's triples.
    let union = get(&server, "/store?default", "application/n-triples");
    assert_eq!(union.status, 200);
    let union: std::collections::BTreeSet<&str> = union.body.lines().collect();
    let one = get(
        &server,
        &format!("/store?graph={}", encode(&graph)),
        "application/n-triples",
    );
    assert!(one.body.lines().all(|t| union.contains(t)));
    let count = get(
        &server,
        &format!(
            "/sparql?query={}",
            encode("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        ),
        "text/csv",
    );
    let n: usize = count
        .body
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("a count");
    assert_eq!(union.len(), n);
}

#[test]
fn get_sparql_without_a_query_describes_the_service() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[]);
    let reply = get(&server, "/sparql", "text/turtle");
    assert_eq!(reply.status, 200);
    let triples: Vec<oxigraph::model::Triple> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_slice(reply.body.as_bytes())
        .map(|q| q.map(Into::into))
        .collect::<Result<_, _>>()
        .expect("turtle parses");
    let sd = |local: &str| format!("<http://www.w3.org/ns/sparql-service-description#{local}>");
    let rows: Vec<(String, String)> = triples
        .iter()
        .map(|t| (t.predicate.to_string(), t.object.to_string()))
        .collect();
    let has = |p: &str, o: &str| rows.iter().any(|(rp, ro)| rp == p && ro == o);
    assert!(has("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", &sd("Service")));
    assert!(has(&sd("supportedLanguage"), &sd("SPARQL11Query")));
    assert!(!has(&sd("supportedLanguage"), &sd("SPARQL11Update")));
    assert!(has(&sd("feature"), &sd("UnionDefaultGraph")));
    assert!(rows.iter().any(|(p, _)| *p == sd("name")));
    let jsonld = get(&server, "/sparql", "application/ld+json");
    assert_eq!(jsonld.status, 200);
    assert!(jsonld.body.contains("sparql-service-description#Service"));
}

#[test]
fn the_page_and_its_api_show_facts_with_their_evidence() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[]);
    let page = get(&server, "/", "text/html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("policykg") && !page.body.contains("src=\"http"));
    let svg = get(&server, "/api/map.svg", "");
    assert!(svg.body.contains("<svg"));
    let hits: serde_json::Value =
        serde_json::from_str(&get(&server, &format!("/api/search?q={}", encode("工業機器人")), "").body).expect("json");
    let robot = hits
        .as_array()
        .and_then(|h| {
            h.iter()
                .find(|h| h["iri"].as_str().is_some_and(|i| i.ends_with("/industrial-robot")))
        })
        .expect("robot found from Traditional text");
    let iri = robot["iri"].as_str().expect("iri");
    let node: serde_json::Value =
        serde_json::from_str(&get(&server, &format!("/api/node?iri={}", encode(iri)), "").body).expect("json");
    let evidence = &node["evidence"][0];
    let source = get(
        &server,
        &format!(
            "/api/source?iri={}",
            encode(evidence["source"].as_str().expect("source"))
        ),
        "",
    );
    assert_eq!(source.status, 200);
    let chars: Vec<char> = source.body.chars().collect();
    let (start, end) = (
        evidence["start"].as_u64().expect("start") as usize,
        evidence["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(
        chars[start..end].iter().collect::<String>(),
        evidence["quote"].as_str().expect("quote")
    );
    let queries: serde_json::Value = serde_json::from_str(&get(&server, "/api/queries", "").body).expect("json");
    assert!(queries.as_array().is_some_and(|q| q.len() >= 4));
}

#[test]
fn concurrent_readers_are_served() {
    let (_dir, store) = seed_store();
    let server = std::sync::Arc::new(start(&store, &[]));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let server = std::sync::Arc::clone(&server);
            std::thread::spawn(move || {
                get(&server, &format!("/sparql?query={}", encode(COUNT_TASKS)), "text/csv").status
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), 200);
    }
}

#[test]
fn the_offline_page_embeds_map_facts_and_sources() {
    let (dir, store) = seed_store();
    let out = dir.path().join("plan.html");
    let status = Command::new(assert_cmd::cargo::cargo_bin("policykg"))
        .args(["render", "--format", "html", "--renderer", "builtin", "--store"])
        .arg(&store)
        .arg("-o")
        .arg(&out)
        .current_dir(root())
        .status()
        .expect("render");
    assert!(status.success());
    let html = std::fs::read_to_string(&out).expect("html");
    assert!(html.contains("<svg") && html.contains("工业机器人") && html.contains("\"sources\""));
    assert!(!html.contains("<script src"), "nothing is fetched from elsewhere");
}

#[test]
fn the_whole_store_s_map_is_drawn_again_after_a_write() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--allow-update"]);
    let before = get(&server, "/api/map.svg", "");
    assert_eq!(before.status, 200);
    assert!(before.body.contains("人工智能"), "the plan is on the map");
    // Kept between requests: the same drawing.
    assert_eq!(get(&server, "/api/map.svg", "").body, before.body);
    let dropped = update(&server, "DROP ALL");
    assert_eq!(dropped.status, 204, "{}", dropped.body);
    let after = get(&server, "/api/map.svg", "");
    assert_eq!(after.status, 200);
    assert!(
        !after.body.contains("人工智能"),
        "a map of the emptied store, not the kept one"
    );
    assert_eq!(get(&server, "/api/map.svg?doc=not%20an%20iri", "").status, 400);
}

#[test]
fn search_through_the_label_table_answers_as_the_query_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeds_and_corpus(dir.path());
    let labels = policykg::serve::api::Labels::of(&store).expect("labels");
    let mut found = 0;
    for q in [
        "人工智能",
        "工業機器人",
        "AI",
        "Robot",
        "制造",
        "国务院",
        "计划",
        "zz-nothing",
    ] {
        let alone = policykg::serve::api::search(&store, q, None).expect("search");
        let through = policykg::serve::api::search(&store, q, Some(&labels)).expect("search");
        assert_eq!(through, alone, "{q}");
        found += alone.as_array().map_or(0, Vec::len);
    }
    assert!(found > 20, "{found} hits in all");
}

//! Store-level properties: SHACL core shapes hold, builds are byte-identical, every export
//! format parses back to exactly the store's content, and the snapshot survives reopening.

mod common;

use common::*;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Quad, Triple};
use policykg::export::{export, sorted_quads, sorted_triples, ExportFormat};
use policykg::render::Renderer;
use std::collections::BTreeSet;

#[test]
fn the_seed_store_violates_no_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(&[seeds()], dir.path(), Renderer::Builtin);
    assert_conforms(&store);
}

#[test]
fn shape_checks_do_find_violations() {
    // A store with a broken target and a broken evidence must be reported.
    let mut store =
        policykg::store::GraphStore::open_or_create(&tempfile::tempdir().expect("tempdir").path().join("s"))
            .expect("store");
    let ttl = r#"
        @prefix pkg: <https://w3id.org/policykg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/policykg/id/target/x> a pkg:Target ; pkg:minValue 5.0 ; pkg:maxValue 3.0 ; pkg:deadline "2027" ;
            <http://qudt.org/schema/qudt/unit> <http://example.org/unit/KiloW> .
        <https://w3id.org/policykg/id/evidence/y> a pkg:Evidence ; pkg:start "9"^^xsd:nonNegativeInteger ; pkg:end "4"^^xsd:nonNegativeInteger .
    "#;
    let quads: Vec<Quad> = RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(oxigraph::model::NamedNode::new_unchecked(
            "https://w3id.org/policykg/id/graph/test",
        ))
        .for_slice(ttl.as_bytes())
        .collect::<Result<_, _>>()
        .expect("turtle");
    store
        .replace_graph(
            oxigraph::model::NamedNodeRef::new_unchecked("https://w3id.org/policykg/id/graph/test"),
            &quads,
        )
        .expect("insert");
    let target = std::fs::read_to_string(root().join("ontology/queries/validation/target.rq")).expect("query");
    let messages = column(&store.select(&target).expect("select"), "message");
    assert!(messages.iter().any(|m| m.contains("greater")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("gYear")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("no evidence")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("QUDT unit vocabulary")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("without the written")),
        "{messages:?}"
    );
    let evidence = std::fs::read_to_string(root().join("ontology/queries/validation/evidence.rq")).expect("query");
    assert_eq!(store.select(&evidence).expect("select").len(), 3);
}

#[test]
fn two_builds_give_byte_identical_files() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    build_into(&[seeds()], a.path(), Renderer::Builtin);
    build_into(&[seeds()], b.path(), Renderer::Builtin);
    for file in ["store/store.nq", "out/graph.ttl", "out/plan.dot", "out/plan.svg"] {
        let left = std::fs::read(a.path().join(file)).expect(file);
        let right = std::fs::read(b.path().join(file)).expect(file);
        assert!(left == right, "{file} differs between two builds");
        assert!(!left.is_empty(), "{file} is empty");
    }
    // Rebuilding in place changes nothing either.
    build_into(&[seeds()], a.path(), Renderer::Builtin);
    assert_eq!(
        std::fs::read(a.path().join("store/store.nq")).ok(),
        std::fs::read(b.path().join("store/store.nq")).ok()
    );
}

#[test]
fn a_store_changed_by_a_delta_exports_what_a_fresh_build_of_the_same_files_does() {
    // Twelve sources, one changed: the second build saves a delta; its store, exported,
    // drawn and counted, is the store a fresh build of the changed files makes.
    let work = tempfile::tempdir().expect("tempdir");
    let docs = twelve_sources(work.path());
    let (changed, fresh) = (work.path().join("changed"), work.path().join("fresh"));
    build_into(std::slice::from_ref(&docs), &changed, Renderer::Builtin);
    change_one_source(&docs);
    let (incremental, report) = build_into(std::slice::from_ref(&docs), &changed, Renderer::Builtin);
    assert_eq!(report.unchanged.len(), 11, "{:?}", report.unchanged);
    assert!(changed.join("store/store.delta.nq").exists(), "saved as a delta");
    let (whole, fresh_report) = build_into(std::slice::from_ref(&docs), &fresh, Renderer::Builtin);
    assert_eq!(
        incremental.canonical_nquads().expect("dump"),
        whole.canonical_nquads().expect("dump")
    );
    assert_eq!(report.totals, fresh_report.totals);
    assert_eq!(report.quads, fresh_report.quads);
    for file in ["out/graph.ttl", "out/plan.dot", "out/plan.svg"] {
        let left = std::fs::read(changed.join(file)).expect(file);
        let right = std::fs::read(fresh.join(file)).expect(file);
        assert!(left == right, "{file} differs from a fresh build's");
    }
}

#[test]
fn every_export_format_parses_back_to_the_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(&[seeds()], dir.path(), Renderer::Builtin);
    let quads: BTreeSet<String> = sorted_quads(&store)
        .expect("quads")
        .iter()
        .map(Quad::to_string)
        .collect();
    let triples: BTreeSet<String> = sorted_triples(&store)
        .expect("triples")
        .iter()
        .map(Triple::to_string)
        .collect();
    for format in ExportFormat::ALL {
        let mut bytes = Vec::new();
        export(&store, format, &mut bytes).expect("export");
        let parsed: Vec<Quad> = RdfParser::from_format(format.rdf_format())
            .for_slice(&bytes)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{} does not parse back: {e}", format.name()));
        if format.has_graphs() {
            let back: BTreeSet<String> = parsed.iter().map(Quad::to_string).collect();
            assert_eq!(back, quads, "{}", format.name());
        } else {
            let back: BTreeSet<String> = parsed.into_iter().map(|q| Triple::from(q).to_string()).collect();
            assert_eq!(back, triples, "{}", format.name());
        }
        let mut again = Vec::new();
        export(&store, format, &mut again).expect("export");
        assert_eq!(bytes, again, "{} export is not deterministic", format.name());
    }
}

#[test]
fn a_reopened_store_answers_like_the_built_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(&[seeds()], dir.path(), Renderer::Builtin);
    let reopened = policykg::store::GraphStore::open(&dir.path().join("store")).expect("reopen");
    assert_eq!(reopened.len(None).expect("len"), report.quads);
    assert_eq!(
        store.canonical_nquads().expect("nq"),
        reopened.canonical_nquads().expect("nq")
    );
    assert_eq!(reopened.manifest.sources.len(), 1);
    let record = reopened.manifest.sources.values().next().expect("record");
    assert_eq!(record.sha256.len(), 64);
}

#[test]
fn every_named_query_runs_and_answers_on_the_seed_and_two_reports() {
    // The seed is a plan; two consecutive work reports add outcomes and their assessment.
    let both = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[seeds(), root().join("tests/fixtures/reports")],
        both.path(),
        Renderer::Builtin,
    );
    for (name, query) in policykg::query::NAMED {
        let rows = store.select(query).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!rows.is_empty(), "{name} returned no rows");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(&[seeds()], dir.path(), Renderer::Builtin);
    let deadlines = column(
        &store
            .select(policykg::query::named("targets-by-deadline").expect("named"))
            .expect("select"),
        "deadline",
    );
    assert_eq!(deadlines, vec!["2027"; 5]);
}

/// A query's answer as comparable text: rows as sorted lines of `variable=value`. Literals
/// by value, since Oxigraph's own store writes integer-derived datatypes as `xsd:integer`;
/// the parts of a `GROUP_CONCAT(… " | ")` sorted, since SPARQL leaves their order to the
/// order solutions come in, which follows each store's numbering of terms.
fn answer(results: oxigraph::sparql::QueryResults<'_>) -> Vec<String> {
    use oxigraph::model::Term;
    use oxigraph::sparql::QueryResults;
    let show = |term: &Term| match term {
        Term::Literal(l) => {
            let mut parts: Vec<&str> = l.value().split(" | ").collect();
            parts.sort_unstable();
            format!("{:?}@{}", parts.join(" | "), l.language().unwrap_or(""))
        }
        other => other.to_string(),
    };
    let mut lines: Vec<String> = match results {
        QueryResults::Boolean(b) => vec![b.to_string()],
        QueryResults::Solutions(rows) => rows
            .map(|row| {
                let row = row.expect("row");
                row.iter()
                    .map(|(var, term)| format!("{var}={}", show(term)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect(),
        QueryResults::Graph(triples) => triples.map(|t| t.expect("triple").to_string()).collect(),
    };
    lines.sort();
    lines
}

#[test]
fn every_shipped_query_answers_over_the_index_as_over_oxigraph_s_own_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeds_and_corpus(dir.path());
    let oxigraph = store.to_oxigraph().expect("oxigraph store");
    let files = shipped_queries();
    assert!(files.len() >= 30, "{} queries", files.len());
    let mut answered = 0;
    for file in &files {
        let query = std::fs::read_to_string(file).expect("query");
        let ours = store.query(&query);
        let mut prepared = match policykg::sparql::evaluator().parse_query(&query) {
            Ok(prepared) => prepared,
            Err(_) => {
                // A template filled in by the code: neither side may accept it.
                assert!(ours.is_err(), "{}", file.display());
                continue;
            }
        };
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        let theirs = answer(prepared.on_store(&oxigraph).execute().expect("oxigraph answers"));
        let ours = answer(ours.expect("the index answers"));
        assert_eq!(ours, theirs, "{}", file.display());
        answered += usize::from(!ours.is_empty());
    }
    // The comparison means something only where there are answers.
    assert!(answered >= 20, "{answered} of {} queries had answers", files.len());
}

/// The shipped queries, sorted: every `.rq` under `ontology/queries`.
fn shipped_queries() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root().join("ontology/queries")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).expect("queries") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rq") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_shipped_query_answers_over_replaced_graphs_as_over_oxigraph_s_own_store() {
    // A few graphs replaced are read over the index (not merged into it): one source graph
    // removed, one cut to every other quad, and a new graph holding a copy of a third with
    // a term no other graph has.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = seeds_and_corpus(dir.path());
    let mut sources: Vec<_> = store
        .named_graphs()
        .expect("graphs")
        .into_iter()
        .filter(|g| g.as_str().contains("/id/source/"))
        .collect();
    sources.sort_by_key(|g| (store.len(Some(g.as_ref())).expect("len"), g.clone()));
    assert!(sources.len() >= 3, "{} sources", sources.len());
    let (removed, halved, copied) = (&sources[0], &sources[1], &sources[2]);
    let kept: Vec<Quad> = store
        .quads_in(Some(halved.as_ref()))
        .expect("halved graph")
        .into_iter()
        .step_by(2)
        .collect();
    let added = oxigraph::model::NamedNode::new_unchecked("https://example.org/graph/copy");
    let mut copy: Vec<Quad> = store
        .quads_in(Some(copied.as_ref()))
        .expect("copied graph")
        .into_iter()
        .map(|q| Quad::new(q.subject, q.predicate, q.object, added.clone()))
        .collect();
    let first = copy[0].subject.clone();
    copy.push(Quad::new(
        first,
        oxigraph::model::NamedNode::new_unchecked("http://www.w3.org/2000/01/rdf-schema#comment"),
        oxigraph::model::Literal::new_simple_literal("a term only the new graph holds"),
        added.clone(),
    ));
    let mut expected: Vec<Quad> = store
        .quads()
        .expect("quads")
        .into_iter()
        .filter(|q| q.graph_name != removed.clone().into() && q.graph_name != halved.clone().into())
        .collect();
    expected.extend(kept.iter().cloned());
    expected.extend(copy.iter().cloned());
    let whole = store.len(None).expect("len");
    store.remove_graph(removed.as_ref()).expect("remove");
    store.replace_graph(halved.as_ref(), &kept).expect("halve");
    store.replace_graph(added.as_ref(), &copy).expect("copy");
    // Few beside the store, so queries read them over the index.
    assert!(8 * (kept.len() + copy.len()) <= whole);
    assert_eq!(store.len(None).expect("len"), expected.len());
    let oxigraph = oxigraph::store::Store::new().expect("store");
    let mut loader = oxigraph.bulk_loader();
    loader.load_quads(expected).expect("load");
    loader.commit().expect("commit");
    let mut answered = 0;
    for file in &shipped_queries() {
        let query = std::fs::read_to_string(file).expect("query");
        let Ok(mut prepared) = policykg::sparql::evaluator().parse_query(&query) else {
            continue;
        };
        if prepared.dataset().is_default_dataset() {
            prepared.dataset_mut().set_default_graph_as_union();
        }
        let theirs = answer(prepared.on_store(&oxigraph).execute().expect("oxigraph answers"));
        let ours = answer(store.query(&query).expect("the index answers"));
        assert_eq!(ours, theirs, "{}", file.display());
        answered += usize::from(!ours.is_empty());
    }
    assert!(answered >= 20, "{answered} queries had answers");
    // The graphs themselves, and the new term found by its text.
    for (ask, expected) in [
        (format!("ASK {{ GRAPH <{}> {{ ?s ?p ?o }} }}", removed.as_str()), false),
        (format!("ASK {{ GRAPH <{}> {{ ?s ?p ?o }} }}", added.as_str()), true),
        ("ASK { ?s ?p \"a term only the new graph holds\" }".to_owned(), true),
    ] {
        let Ok(oxigraph::sparql::QueryResults::Boolean(found)) = store.query(&ask) else {
            panic!("{ask}");
        };
        assert_eq!(found, expected, "{ask}");
    }
    let graphs = answer(store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }").expect("graphs"));
    assert!(graphs.iter().any(|g| g.contains("graph/copy")), "{graphs:?}");
    assert!(!graphs.iter().any(|g| g.contains(removed.as_str())), "{graphs:?}");
}

#[test]
fn a_plan_s_map_read_from_its_own_graphs_is_the_map_read_from_the_whole_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = seeds_and_corpus(dir.path());
    let plans = column(
        &store
            .select(include_str!("../ontology/queries/map/plans.rq"))
            .expect("plans"),
        "doc",
    );
    assert!(!plans.is_empty());
    let mut drawn = 0;
    for plan in &plans {
        let own = policykg::render::map(&store, &policykg::render::Scope::Plan(plan.clone())).expect("map");
        let whole = policykg::render::plan_map_over(&store, Some(plan), &Default::default()).expect("map");
        let own = policykg::render::dot_text(&own);
        assert_eq!(own, policykg::render::dot_text(&whole), "{plan}");
        drawn += usize::from(own.matches("->").count() > 3);
    }
    assert!(drawn * 2 >= plans.len(), "{drawn} of {} plans have a map", plans.len());
}

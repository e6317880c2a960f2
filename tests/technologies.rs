//! What the built store says of technologies: categories stay categories, a compound is one
//! concept, and Taiwan/Hong Kong vocabulary resolves to the Mainland concept with the
//! original quote.

mod common;

use common::{ask, build_into, column, root, select};
use policykg::render::Renderer;
use policykg::store::GraphStore;

fn store() -> (tempfile::TempDir, GraphStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[root().join("tests/fixtures/technologies")],
        dir.path(),
        Renderer::Builtin,
    );
    (dir, store)
}

/// The quotes of a concept's evidence in one fixture.
fn quotes(store: &GraphStore, file: &str, concept: &str) -> Vec<String> {
    let rows = select(
        store,
        &format!(
            "SELECT DISTINCT ?quote WHERE {{
               <https://w3id.org/policykg/id/tech/{concept}> pkg:evidence ?e .
               ?e pkg:quote ?quote ; pkg:source ?source .
               ?source pkg:path ?path .
               FILTER(STRENDS(?path, \"/{file}\"))
             }} ORDER BY ?quote"
        ),
    );
    column(&rows, "quote")
}

#[test]
fn a_target_concerning_a_category_does_not_make_it_a_technology() {
    let (_dir, store) = store();
    assert!(ask(
        &store,
        "?target pkg:concerns <https://w3id.org/policykg/id/tech/digital-economy>"
    ));
    assert!(!ask(&store, "?c a pkg:Technology , pkg:IndustryCategory"));
    assert!(!ask(
        &store,
        "?x pkg:concerns ?c . ?c a pkg:Technology . ?c a pkg:IndustryCategory"
    ));
}

#[test]
fn compounds_are_one_concept_and_lists_are_several() {
    let (_dir, store) = store();
    let cases: &[(&str, &[&str])] = &[
        ("intelligent-connected-new-energy-vehicle", &["智能网联新能源汽车"]),
        ("new-energy-vehicle", &[]),
        ("intelligent-connected-vehicle", &[]),
        ("eda", &["电子设计自动化软件"]),
        ("software", &[]),
        ("wind-power", &["风电"]),
        ("photovoltaic", &["光伏"]),
    ];
    for (concept, expected) in cases {
        assert_eq!(quotes(&store, "plan.txt", concept), *expected, "{concept}");
    }
}

#[test]
fn regional_vocabulary_resolves_to_the_mainland_concept_with_the_original_quote() {
    let (_dir, store) = store();
    let cases: &[(&str, &[&str])] = &[
        ("artificial-intelligence", &["人工智慧"]),
        ("software", &["軟體"]),
        ("chip", &["晶片"]),
        ("cloud-computing", &["雲端運算"]),
        ("internet", &["網際網路"]),
    ];
    for (concept, expected) in cases {
        assert_eq!(quotes(&store, "plan_zht.txt", concept), *expected, "{concept}");
    }
    // 工業和資訊化部 is the Ministry of Industry and Information Technology.
    let issuers = select(
        &store,
        "SELECT ?org WHERE { ?plan pkg:issuedBy ?org ; pkg:describedIn ?source .
           ?source pkg:path ?path . FILTER(STRENDS(?path, \"/plan_zht.txt\")) }",
    );
    assert_eq!(
        column(&issuers, "org"),
        ["https://w3id.org/policykg/id/org/miit"],
        "{issuers:?}"
    );
}

//! Outcomes and planned vs achieved: two consecutive work reports written for these tests
//! (a report of 2031 setting that year's goals, the report of 2032 reviewing them), built
//! into one store and read back with SPARQL.

mod common;

use common::*;
use policykg::query;
use policykg::render::Renderer;

fn reports() -> (tempfile::TempDir, policykg::store::GraphStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(&[root().join("tests/fixtures/reports")], dir.path(), Renderer::Builtin);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    (dir, store)
}

#[test]
fn review_quantities_are_outcomes_of_the_year_reviewed_and_never_targets() {
    let (_dir, store) = reports();
    // Every quantity of a review section is an outcome of the year its heading names.
    let rows = select(
        &store,
        "SELECT ?quote ?year WHERE {
           ?d pkg:hasOutcome ?o ; pkg:describedIn/pkg:path ?path .
           FILTER(STRENDS(?path, 'report_2031.txt'))
           ?o pkg:year ?year ; pkg:evidence/pkg:quote ?quote .
         } ORDER BY ?quote",
    );
    let got: Vec<(String, String)> = rows.iter().map(|r| (r["quote"].clone(), r["year"].clone())).collect();
    let expected: Vec<(String, String)> = [
        "全年新建高标准农田8000万亩",
        "国内生产总值增长5.3%",
        "城镇新增就业1250万人",
        "城镇调查失业率平均为5.1%",
        "居民消费价格上涨0.8%",
    ]
    .iter()
    .map(|q| ((*q).to_owned(), "2030".to_owned()))
    .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(got, expected);
    // No target has its evidence inside a review section, nor is anything both.
    assert!(!ask(
        &store,
        "?t a pkg:Target ; pkg:evidence/pkg:quote ?q . FILTER(CONTAINS(?q, '5.3%') || CONTAINS(?q, '1250万人'))"
    ));
    assert!(!ask(&store, "?x a pkg:Target , pkg:Outcome"));
    // The year's goals and its work are targets of that year.
    let targets = column(
        &select(
            &store,
            "SELECT ?quote WHERE {
               ?d pkg:hasTarget ?t ; pkg:describedIn/pkg:path ?path .
               FILTER(STRENDS(?path, 'report_2031.txt'))
               ?t pkg:deadline ?y ; pkg:evidence/pkg:quote ?quote . FILTER(STR(?y) = '2031')
             } ORDER BY ?quote",
        ),
        "quote",
    );
    for goal in [
        "国内生产总值增长5%左右",
        "城镇新增就业1200万人以上",
        "新建城市地下管网5万公里",
        "开发公益性岗位100万个",
    ] {
        assert!(targets.iter().any(|t| t == goal), "{goal} not among {targets:?}");
    }
}

#[test]
fn a_later_report_meets_misses_or_exceeds_the_targets_of_the_earlier_one() {
    let (_dir, store) = reports();
    let rows = select(&store, query::named("planned-vs-achieved").expect("named query"));
    let got: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["indicator"].clone(),
                r["year"].clone(),
                r["outcome"].clone(),
                r.get("verdict").cloned().unwrap_or_default(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = [
        ("CPI increase", "1.1", "met"),
        ("GDP growth", "4.8", "missed"),
        ("grain output", "1.42", "met"),
        ("new urban jobs", "1260", "met"),
        ("surveyed urban unemployment rate", "5.2", "met"),
    ]
    .iter()
    .map(|(i, v, verdict)| {
        (
            (*i).to_owned(),
            "2031".to_owned(),
            (*v).to_owned(),
            (*verdict).to_owned(),
        )
    })
    .collect();
    assert_eq!(got, expected);
    // The 2032 targets have no outcome yet, and no outcome of 2030 meets a 2031 target.
    assert!(!ask(
        &store,
        "?o pkg:outcomeOf ?t . ?t pkg:deadline ?y . FILTER(STR(?y) != '2031')"
    ));
}

#[test]
fn outcomes_and_assessments_satisfy_their_shapes() {
    let (_dir, store) = reports();
    let mut violations = Vec::new();
    for name in ["outcome.rq", "assessment.rq", "target.rq", "evidence.rq"] {
        let file = root().join("ontology/queries/validation").join(name);
        let query = std::fs::read_to_string(&file).expect("query");
        for row in store.select(&query).unwrap_or_else(|e| panic!("{name}: {e}")) {
            violations.push(format!("{name}: {} {}", row["focus"], row["message"]));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_page_shows_a_target_with_its_outcome_and_verdict() {
    let (_dir, store) = reports();
    let target = select(
        &store,
        "SELECT ?t WHERE { ?t a pkg:Target ; pkg:evidence/pkg:quote '国内生产总值增长5%左右' ; pkg:deadline ?y . FILTER(STR(?y) = '2031') }",
    );
    let iri = &target[0]["t"];
    let node = policykg::serve::api::node(&store, iri).expect("node");
    let assessments = node["assessments"].as_array().expect("assessments");
    assert_eq!(assessments.len(), 1, "{node}");
    assert_eq!(assessments[0]["role"], "outcome");
    assert_eq!(assessments[0]["quote"], "增长4.8%");
    assert_eq!(assessments[0]["year"], "2031");
    assert_eq!(assessments[0]["verdict"], "missed");
    // And the outcome points back to its target.
    let outcome = policykg::serve::api::node(&store, assessments[0]["iri"].as_str().expect("iri")).expect("node");
    assert_eq!(outcome["assessments"][0]["role"], "target");
    assert_eq!(outcome["assessments"][0]["quote"], "国内生产总值增长5%左右");
}

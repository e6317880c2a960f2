//! Official-document layouts: issuers from the title, the document number and the
//! signature lines; targets, tasks and spans from a plan written for these tests.

mod common;

use common::*;
use policykg::render::Renderer;
use std::collections::BTreeSet;

fn issuers(path: &str) -> BTreeSet<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(&[root().join(path)], dir.path(), Renderer::Builtin);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    column(&select(&store, "SELECT DISTINCT ?o WHERE { ?d pkg:issuedBy ?o }"), "o")
        .into_iter()
        .collect()
}

fn ids(names: &[&str]) -> BTreeSet<String> {
    names
        .iter()
        .map(|n| format!("https://w3id.org/policykg/id/org/{n}"))
        .collect()
}

#[test]
fn a_notice_names_its_issuers_in_its_title() {
    assert_eq!(
        issuers("tests/fixtures/official/notice.txt"),
        ids(&["miit", "ndrc", "nda"])
    );
}

#[test]
fn a_plan_names_its_issuers_in_its_number_and_signatures() {
    assert_eq!(
        issuers("tests/fixtures/official/signed_plan.txt"),
        ids(&["miit", "ndrc", "nda"])
    );
}

#[test]
fn a_list_of_targets_splits_at_its_commas() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[root().join("tests/fixtures/official/notice.txt")],
        dir.path(),
        Renderer::Builtin,
    );
    let rows = select(
        &store,
        "SELECT ?min ?max ?unit ?q ?quote WHERE { ?t pkg:deadline \"2028\"^^xsd:gYear ; pkg:minValue ?min ; pkg:unit ?unit ; pkg:evidence/pkg:quote ?quote OPTIONAL { ?t pkg:maxValue ?max } OPTIONAL { ?t pkg:qualifier ?q } } ORDER BY ?min",
    );
    let got: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["min"].clone(),
                r.get("max").cloned().unwrap_or_default(),
                r["unit"].clone(),
                r["quote"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "3".into(),
                "".into(),
                "万家".into(),
                "建设基础级智能工厂3万家以上".into()
            ),
            (
                "500".into(),
                "500".into(),
                "家".into(),
                "培育卓越级智能工厂500家左右".into()
            ),
            ("2000".into(), "".into(), "家".into(), "先进级智能工厂2000家以上".into()),
        ]
    );
    let tasks = column(
        &select(
            &store,
            "SELECT ?l WHERE { ?d pkg:hasTask ?t . ?t rdfs:label ?l ; pkg:order ?o } ORDER BY ?o",
        ),
        "l",
    );
    assert_eq!(
        tasks,
        ["夯实智能工厂建设基础", "推进人工智能与制造深度融合", "强化标准引领"]
    );
}

#[test]
fn a_user_lexicon_extends_the_builtin_one() {
    let lexicon = policykg::lexicon::Lexicon::with_overrides(&root().join("tests/fixtures/lexicon")).expect("lexicon");
    let builtin = policykg::lexicon::Lexicon::builtin().expect("lexicon");
    assert_eq!(lexicon.technologies.len(), builtin.technologies.len() + 1);
    assert_eq!(lexicon.organizations.len(), builtin.organizations.len());
    assert_ne!(lexicon.fingerprint, builtin.fingerprint);
    let seed = std::fs::read_to_string(seeds().join("000_ddbfb2b346a9e714.txt")).expect("seed");
    let facts = policykg::extract::extract(&seed, &lexicon);
    let found: Vec<&str> = facts
        .technologies
        .iter()
        .map(|t| lexicon.technologies[t.entry].id.as_str())
        .collect();
    assert!(found.contains(&"smart-micro-pressure-chamber"), "{found:?}");
    assert!(found.contains(&"industrial-robot"), "{found:?}");
}

#[test]
fn english_plans_yield_issuers_targets_and_technologies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[root().join("tests/fixtures/english/plan.txt")],
        dir.path(),
        Renderer::Builtin,
    );
    let issuers: BTreeSet<String> = column(&select(&store, "SELECT DISTINCT ?o WHERE { ?d pkg:issuedBy ?o }"), "o")
        .into_iter()
        .collect();
    assert_eq!(issuers, ids(&["miit", "ndrc", "nda"]));
    assert_eq!(
        column(
            &select(&store, "SELECT ?n WHERE { ?d pkg:declaredIssuerCount ?n }"),
            "n"
        ),
        ["3"]
    );
    let rows = select(
        &store,
        "SELECT ?min ?max ?unit ?q WHERE { ?t pkg:deadline \"2028\"^^xsd:gYear ; pkg:minValue ?min ; pkg:unit ?unit ; pkg:qualifier ?q OPTIONAL { ?t pkg:maxValue ?max } } ORDER BY ?min",
    );
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["min"].clone(),
                r.get("max").cloned().unwrap_or_default(),
                r["q"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("500".into(), "500".into(), "about".into()),
            ("2000".into(), "".into(), "at least".into())
        ]
    );
    let techs = column(
        &select(
            &store,
            "SELECT DISTINCT ?t WHERE { ?d pkg:mentions ?t . ?t a pkg:Technology }",
        ),
        "t",
    );
    assert!(techs.iter().any(|t| t.ends_with("/industrial-robot")), "{techs:?}");
}

#[test]
fn a_measures_section_lists_measures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[root().join("tests/fixtures/official/notice.txt")],
        dir.path(),
        Renderer::Builtin,
    );
    let rows = select(
        &store,
        "SELECT ?l (GROUP_CONCAT(?tl) AS ?techs) WHERE { ?d pkg:hasMeasure ?m . ?m rdfs:label ?l ; pkg:order ?o OPTIONAL { ?m pkg:concerns/skos:prefLabel ?tl FILTER(LANG(?tl) = \"zh\") } } GROUP BY ?l ?o ORDER BY ?o",
    );
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r["l"].clone(), r.get("techs").cloned().unwrap_or_default()))
        .collect();
    assert_eq!(
        got,
        [
            ("加强组织实施".into(), "工业互联网平台".into()),
            ("强化资金支持".into(), "智能工厂".into())
        ]
    );
    // The date line under the signatures dates the document.
    assert_eq!(
        column(&select(&store, "SELECT ?d WHERE { ?p dcterms:issued ?d }"), "d"),
        ["2026-02-10"]
    );
}

#[test]
fn a_heading_wrapped_over_two_lines_names_the_plan_and_the_signature_dates_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(
        &[root().join("tests/fixtures/official/wrapped_notice.txt")],
        dir.path(),
        Renderer::Builtin,
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let rows = select(
        &store,
        "SELECT ?title ?issued WHERE { ?d pkg:describedIn ?s ; dcterms:title ?title ; dcterms:issued ?issued }",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["title"], "示例省低空经济高质量发展三年行动方案");
    assert_eq!(rows[0]["issued"], "2031-03-09");
    // The title's evidence is where the text writes it, quoted exactly.
    let quotes = column(
        &select(
            &store,
            "SELECT ?q WHERE { ?d pkg:describedIn ?s ; dcterms:title ?t ; pkg:evidence/pkg:quote ?q }",
        ),
        "q",
    );
    assert!(
        quotes.iter().any(|q| q == "示例省低空经济高质量发展三年行动方案"),
        "{quotes:?}"
    );
    // The signature above the date issued it.
    let issuers = column(
        &select(
            &store,
            "SELECT ?label WHERE { ?d pkg:issuedBy ?o . ?o rdfs:label ?label }",
        ),
        "label",
    );
    assert_eq!(issuers, ["示例省人民政府"]);
}

//! Units as data: a plan written for these tests, built into a store, answers for the QUDT
//! unit of its targets beside the unit as written.

mod common;

use common::*;
use policykg::render::Renderer;

#[test]
fn targets_carry_the_qudt_unit_beside_the_written_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(
        &[root().join("tests/fixtures/units/plan.txt")],
        dir.path(),
        Renderer::Builtin,
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let rows = select(
        &store,
        "PREFIX qudt: <http://qudt.org/schema/qudt/>
         SELECT ?unit ?qudt ?min ?max WHERE {
           ?t a pkg:Target ; pkg:unit ?unit .
           OPTIONAL { ?t qudt:unit ?qudt }
           OPTIONAL { ?t pkg:minValue ?min }
           OPTIONAL { ?t pkg:maxValue ?max }
         } ORDER BY ?unit",
    );
    let got: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            let get = |k: &str| r.get(k).cloned().unwrap_or_default();
            (get("unit"), get("qudt"), get("min"), get("max"))
        })
        .collect();
    let unit = |local: &str| format!("http://qudt.org/vocab/unit/{local}");
    let expected = vec![
        ("EB".to_owned(), unit("ExaBYTE"), "300".to_owned(), "300".to_owned()),
        ("EFLOPS".to_owned(), String::new(), "10".to_owned(), String::new()),
        ("GW".to_owned(), unit("GigaW"), "5".to_owned(), String::new()),
        (
            "Gbps".to_owned(),
            unit("GigaBIT-PER-SEC"),
            "100".to_owned(),
            "100".to_owned(),
        ),
        ("ms".to_owned(), unit("MilliSEC"), String::new(), "10".to_owned()),
        (
            "万千瓦时".to_owned(),
            unit("KiloW-HR"),
            "3.5".to_owned(),
            "3.5".to_owned(),
        ),
        ("年".to_owned(), unit("YR"), "11.3".to_owned(), "11.3".to_owned()),
    ];
    assert_eq!(got, expected, "targets: {got:#?}");

    // Asked the other way round: which targets are measured in gigawatts?
    let gigawatt = select(
        &store,
        "PREFIX qudt: <http://qudt.org/schema/qudt/>
         SELECT ?quote WHERE {
           ?t qudt:unit <http://qudt.org/vocab/unit/GigaW> ; pkg:evidence/pkg:quote ?quote
         }",
    );
    assert_eq!(column(&gigawatt, "quote").len(), 1, "{gigawatt:?}");
}

#[test]
fn a_store_with_qudt_units_violates_no_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[root().join("tests/fixtures/units/plan.txt")],
        dir.path(),
        Renderer::Builtin,
    );
    assert_conforms(&store);
}

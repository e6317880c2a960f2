//! What a document is: keyed on its source (two files are never one document), its own
//! facts read from its text, the documents it cites kept apart, and the frame of a news page
//! naming publishers and reporters, never issuers. Checked on the stored graph.

mod common;

use common::*;
use policykg::render::Renderer;

#[test]
fn two_files_with_the_same_heading_are_two_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(
        &[root().join("tests/fixtures/documents")],
        dir.path(),
        Renderer::Builtin,
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let rows = select(
        &store,
        "SELECT ?doc (COUNT(DISTINCT ?s) AS ?n) WHERE { ?doc pkg:describedIn ?s } GROUP BY ?doc",
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r["n"] == "1"), "{rows:?}");
    // Each keeps its own year: the goals of one are not the other's.
    let deadlines = column(
        &select(
            &store,
            "SELECT ?p ?y WHERE { ?d pkg:describedIn ?s ; pkg:hasTarget ?t . ?s pkg:path ?p . ?t pkg:deadline ?y ; pkg:minValue ?v } ORDER BY ?p ?y",
        ),
        "y",
    );
    assert_eq!(deadlines, ["2031", "2031", "2032"]);
}

#[test]
fn cited_documents_are_documents_of_their_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, _) = build_into(
        &[root().join("tests/fixtures/documents")],
        dir.path(),
        Renderer::Builtin,
    );
    // One cited plan, cited by both reports, issued by the State Council, described nowhere.
    let rows = select(
        &store,
        r#"SELECT ?cited (COUNT(DISTINCT ?doc) AS ?citing) WHERE {
             ?doc pkg:cites ?cited . ?cited dcterms:title "示例数字经济发展规划"@zh
           } GROUP BY ?cited"#,
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["citing"], "2");
    assert!(ask(
        &store,
        r#"?cited dcterms:title "示例数字经济发展规划"@zh ; pkg:issuedBy ?o . ?o rdfs:label "国务院"@zh"#
    ));
    assert!(!ask(
        &store,
        r#"?cited dcterms:title "示例数字经济发展规划"@zh ; pkg:describedIn ?s"#
    ));
    // The cited plan lends its issuer to neither report.
    assert!(!ask(
        &store,
        r#"?doc pkg:describedIn ?s ; pkg:issuedBy ?o . ?o rdfs:label "国务院"@zh"#
    ));
    // Both citations are kept: 根据《…》 and 落实《…》.
    let titles = column(
        &select(
            &store,
            "SELECT DISTINCT ?t WHERE { ?doc pkg:describedIn ?s ; pkg:cites ?c . ?c dcterms:title ?t } ORDER BY ?t",
        ),
        "t",
    );
    assert_eq!(titles, ["示例制造强市实施方案", "示例数字经济发展规划"]);
}

#[test]
fn a_report_without_sidecar_takes_its_year_and_title_from_its_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = root().join("tests/fixtures/documents/report_a.txt");
    let (store, _) = build_into(&[file], dir.path(), Renderer::Builtin);
    let rows = select(
        &store,
        "SELECT ?title ?q WHERE { ?d pkg:describedIn ?s ; dcterms:title ?title ; pkg:evidence ?e . ?e pkg:quote ?q }",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["title"], "政府工作报告");
    assert_eq!(rows[0]["q"], "政府工作报告");
    assert!(ask(
        &store,
        r#"?d pkg:describedIn ?s ; pkg:issuedBy ?o . ?o rdfs:label "市人民政府"@zh"#
    ));
}

#[test]
fn a_news_page_names_publishers_and_reporters_not_issuers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(&[root().join("tests/fixtures/news")], dir.path(), Renderer::Builtin);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // The document is the plan the lead reports, issued by the two joined bodies.
    let issuers = column(
        &select(
            &store,
            r#"SELECT ?label WHERE { ?d pkg:describedIn ?s ; dcterms:title "示例机器人产业行动计划"@zh ; pkg:issuedBy ?o . ?o rdfs:label ?label FILTER(LANG(?label) = "zh") } ORDER BY ?label"#,
        ),
        "label",
    );
    assert_eq!(issuers, ["国家发展和改革委员会", "工业和信息化部"]);
    // The agency of the dateline publishes; the reporters wrote it.
    let reporters = column(
        &select(
            &store,
            "SELECT ?name WHERE { ?s a pkg:Source ; schema:author ?p . ?p rdfs:label ?name } ORDER BY ?name",
        ),
        "name",
    );
    assert_eq!(reporters, ["吴乙", "周甲"]);
    assert!(ask(&store, r#"?s schema:publisher ?p . ?p rdfs:label "示例社"@zh"#));
    assert!(!ask(&store, r#"?d pkg:issuedBy ?o . ?o rdfs:label "示例社"@zh"#));
    // The tasks are the three declared areas; the target is the lead's; chrome adds nothing.
    let tasks = column(
        &select(
            &store,
            "SELECT ?t WHERE { ?d pkg:describedIn ?s ; pkg:hasTask ?task . ?task rdfs:label ?t ; pkg:order ?o } ORDER BY ?o",
        ),
        "t",
    );
    assert_eq!(tasks, ["夯实技术基础", "拓展应用场景", "完善产业生态"]);
    let targets = column(
        &select(
            &store,
            "SELECT ?v WHERE { ?d pkg:describedIn ?s ; pkg:hasTarget ?t . ?t pkg:minValue ?v ; pkg:deadline ?y } ",
        ),
        "v",
    );
    assert_eq!(targets, ["10"]);
    assert!(!ask(
        &store,
        r#"?x pkg:evidence ?e . ?e pkg:quote ?q FILTER(CONTAINS(?q, "评论区") || CONTAINS(?q, "点击排行"))"#
    ));
    // The plan it cites is a document of its own.
    assert!(ask(
        &store,
        r#"?d pkg:describedIn ?s ; pkg:cites ?c . ?c dcterms:title "示例科技创新规划"@zh"#
    ));
}

#[test]
fn a_byline_line_and_a_photo_caption_are_frame_not_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, report) = build_into(&[root().join("tests/fixtures/bylines")], dir.path(), Renderer::Builtin);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let reporters = column(
        &select(
            &store,
            "SELECT ?name WHERE { ?s a pkg:Source ; schema:author ?p . ?p rdfs:label ?name } ORDER BY ?name",
        ),
        "name",
    );
    assert_eq!(reporters, ["甲乙丙"]);
    assert!(ask(&store, r#"?s schema:publisher ?p . ?p rdfs:label "示例日报"@zh"#));
    // The page's lines are no title; the date line dates nothing but the page.
    assert!(!ask(&store, r#"?d a pkg:PolicyDocument ; dcterms:title ?t"#));
    // The caption and the byline yield no facts; the text's target stays.
    assert!(!ask(
        &store,
        r#"?x pkg:evidence ?e . ?e pkg:quote ?q FILTER(CONTAINS(?q, "记者") || CONTAINS(?q, "摄影") || CONTAINS(?q, "相关报道"))"#
    ));
    let targets = column(
        &select(
            &store,
            "SELECT ?v WHERE { ?t a pkg:Target ; pkg:minValue ?v ; pkg:deadline \"2035\"^^xsd:gYear }",
        ),
        "v",
    );
    assert_eq!(targets, ["500"]);
}

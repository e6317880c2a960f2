//! Input formats (issue 9): the same plan as .txt, .html, .pdf and .docx yields the same
//! facts; every quote is its span of the stored text; the official header is in the graph;
//! other files are refused with what to do; folders say what they passed over; scans and
//! damaged files are errors naming the file, never panics.
//!
//! The PDF and DOCX fixtures are made by real producers from `plan.txt` with
//! `scripts/make-format-fixtures.sh` (fpdf2, python-docx); the HTML page is written by hand.

mod common;

use common::{build_into, policykg, root, select};
use policykg::render::Renderer;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FORMATS: [&str; 4] = ["plan.txt", "plan.html", "plan.pdf", "plan.docx"];

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/formats").join(name)
}

/// Builds `inputs` with the real binary into `dir`; returns (exit code, stderr).
fn build_cli(dir: &Path, inputs: &[PathBuf]) -> (i32, String) {
    let out = policykg()
        .arg("build")
        .args(inputs)
        .arg("--store")
        .arg(dir.join("store"))
        .arg("--no-artifacts")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Did the build report (stderr) say it built plan.txt?
fn built_plan(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|l| l.starts_with("built ") && l.contains("plan.txt"))
}

/// One store with the plan in every format, built once.
fn store() -> &'static policykg::store::GraphStore {
    static STORE: std::sync::OnceLock<(tempfile::TempDir, policykg::store::GraphStore)> = std::sync::OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let inputs: Vec<PathBuf> = FORMATS.iter().map(|f| fixture(f)).collect();
            let (store, report) = build_into(&inputs, dir.path(), Renderer::Builtin);
            assert!(report.problems.is_empty(), "{:?}", report.problems);
            (dir, store)
        })
        .1
}

/// Rows of a query, grouped by the source file name (`?path`), each row without the path.
fn by_file(query: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in select(store(), query) {
        let path = row.get("path").cloned().unwrap_or_default();
        let name = path.rsplit('/').next().unwrap_or_default().to_owned();
        let rest: Vec<String> = row
            .iter()
            .filter(|(k, _)| k.as_str() != "path")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.entry(name).or_default().insert(rest.join(" "));
    }
    out
}

fn assert_same_in_every_format(what: &str, facts: &BTreeMap<String, BTreeSet<String>>) {
    let txt = facts.get("plan.txt").cloned().unwrap_or_default();
    assert!(!txt.is_empty(), "no {what} from plan.txt");
    for file in &FORMATS[1..] {
        assert_eq!(facts.get(*file), Some(&txt), "{what} of {file} differ from plan.txt");
    }
}

#[test]
fn the_same_plan_yields_the_same_issuers_tasks_and_targets_in_every_format() {
    let issuers = by_file(
        "SELECT ?path ?org WHERE { GRAPH ?g { ?doc pkg:describedIn ?s ; pkg:issuedBy ?org . ?s pkg:path ?path } }",
    );
    assert_same_in_every_format("issuers", &issuers);
    let titles = by_file(
        "SELECT ?path ?title WHERE { GRAPH ?g { ?doc pkg:describedIn ?s ; dcterms:title ?title . ?s pkg:path ?path } }",
    );
    assert_same_in_every_format("titles", &titles);
    assert_eq!(
        titles["plan.txt"],
        BTreeSet::from(["title=算力基础设施绿色升级行动方案（2026—2028年）".to_owned()])
    );
    assert_eq!(issuers["plan.txt"].len(), 2, "{:?}", issuers["plan.txt"]);
    let tasks = by_file(
        "SELECT ?path ?title WHERE { GRAPH ?g { ?doc pkg:describedIn ?s ; pkg:hasTask ?t . ?t rdfs:label ?title . ?s pkg:path ?path } }",
    );
    assert_same_in_every_format("tasks", &tasks);
    assert!(tasks["plan.txt"].len() >= 3, "{:?}", tasks["plan.txt"]);
    let targets = by_file(
        "SELECT ?path ?min ?max ?unit ?deadline WHERE { GRAPH ?g { ?doc pkg:describedIn ?s ; pkg:hasTarget ?t . ?s pkg:path ?path .
           ?t pkg:unit ?unit . OPTIONAL { ?t pkg:minValue ?min } OPTIONAL { ?t pkg:maxValue ?max } OPTIONAL { ?t pkg:deadline ?deadline } } }",
    );
    assert_same_in_every_format("targets", &targets);
    let txt = &targets["plan.txt"];
    for target in [
        "deadline=2028 min=45 unit=%",
        "deadline=2028 max=120 min=120 unit=个",
        "deadline=2028 max=60 min=60 unit=%",
    ] {
        assert!(txt.contains(target), "{target} not in {txt:?}");
    }
}

#[test]
fn every_quote_is_its_span_of_the_stored_text_and_the_text_is_what_text_prints() {
    let texts = select(store(), "SELECT ?path ?text ?format WHERE { GRAPH ?g { ?s a pkg:Source ; pkg:path ?path ; pkg:text ?text ; dcterms:format ?format } }");
    assert_eq!(texts.len(), FORMATS.len());
    let mut by_path = BTreeMap::new();
    for row in &texts {
        let printed = policykg().arg("text").arg(&row["path"]).output().expect("runs");
        assert!(printed.status.success());
        assert_eq!(String::from_utf8_lossy(&printed.stdout), row["text"], "{}", row["path"]);
        by_path.insert(row["path"].clone(), row["text"].chars().collect::<Vec<char>>());
    }
    let formats: BTreeSet<&str> = texts.iter().map(|r| r["format"].as_str()).collect();
    assert_eq!(
        formats,
        BTreeSet::from([
            "text/plain",
            "text/html",
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ])
    );
    let evidence = select(
        store(),
        "SELECT ?path ?start ?end ?quote WHERE { GRAPH ?g { ?e a pkg:Evidence ; pkg:source ?s ; pkg:start ?start ; pkg:end ?end ; pkg:quote ?quote . ?s pkg:path ?path } }",
    );
    assert!(evidence.len() > 40, "{}", evidence.len());
    for row in evidence {
        let chars = &by_path[&row["path"]];
        let (start, end): (usize, usize) = (row["start"].parse().expect("start"), row["end"].parse().expect("end"));
        let slice: String = chars[start..end].iter().collect();
        assert_eq!(slice, row["quote"], "{} {start}..{end}", row["path"]);
    }
    // The same check as a user writes it in SPARQL.
    let mismatched = select(
        store(),
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?e pkg:source ?s ; pkg:start ?a ; pkg:end ?b ; pkg:quote ?q . ?s pkg:text ?t
           FILTER(SUBSTR(?t, ?a + 1, ?b - ?a) != ?q) } }",
    );
    assert_eq!(mismatched[0]["n"], "0");
}

#[test]
fn html_keeps_the_main_text_and_drops_the_page_furniture() {
    let text = String::from_utf8(
        policykg()
            .arg("text")
            .arg(fixture("plan.html"))
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("utf-8");
    for kept in [
        "索引号：000014349/2026-00021",
        "（一）推进数据中心节能改造。",
        "By 2028, the plan aims to build 120 green computing demonstration projects across the country.",
        "（2026—2028年）",
    ] {
        assert!(text.contains(kept), "{kept} missing from\n{text}");
    }
    for dropped in [
        "首页",
        "分享到",
        "打印本页",
        "版权所有",
        "不是正文",
        "font-family",
        "&nbsp;",
        "&mdash;",
    ] {
        assert!(!text.contains(dropped), "{dropped} kept in\n{text}");
    }
}

#[test]
fn pdf_lines_join_into_the_paragraphs_of_the_text() {
    let pdf = String::from_utf8(
        policykg()
            .arg("text")
            .arg(fixture("plan.pdf"))
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("utf-8");
    let txt = std::fs::read_to_string(fixture("plan.txt")).expect("plan.txt");
    // Every body paragraph of the plan is one line of the PDF's text (the running head
    // "算力基础设施绿色升级行动方案" alone and the page numbers are gone).
    let lines: BTreeSet<&str> = pdf.lines().collect();
    for paragraph in txt.lines().skip(1) {
        assert!(lines.contains(paragraph), "{paragraph} is not a line of\n{pdf}");
    }
    assert!(
        !pdf.lines()
            .any(|l| l == "算力基础设施绿色升级行动方案" || l.starts_with("- ")),
        "{pdf}"
    );
}

#[test]
fn docx_keeps_numbering_and_tables() {
    let plan = String::from_utf8(
        policykg()
            .arg("text")
            .arg(fixture("plan.docx"))
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("utf-8");
    let txt = std::fs::read_to_string(fixture("plan.txt")).expect("plan.txt");
    assert_eq!(
        plan,
        txt.trim_end(),
        "numbering drawn by Word is written out as in the text"
    );
    let table = String::from_utf8(
        policykg()
            .arg("text")
            .arg(fixture("table.docx"))
            .output()
            .expect("runs")
            .stdout,
    )
    .expect("utf-8");
    assert_eq!(
        table,
        "主要指标\n指标\t2025年\t2028年\n电能利用效率\t1.3\t1.25\n示范项目（个）\t40\t120\n1.开展能效诊断。\n2.推广液冷技术。"
    );
}

#[test]
fn the_official_header_is_in_the_graph() {
    let rows = select(
        store(),
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>
         SELECT ?path ?number ?code ?year ?serial ?signed ?published ?identifier ?subject ?addressee ?copy ?plan WHERE {
           ?notice pkg:transmits ?plan ; eli:id_local ?number ; pkg:organCode ?code ; pkg:numberYear ?year ;
             pkg:serialNumber ?serial ; eli:date_document ?signed ; pkg:addressee ?addressee ; pkg:copyTo ?copy .
           ?plan pkg:describedIn ?s . ?s pkg:path ?path .
           OPTIONAL { ?notice eli:date_publication ?published }
           OPTIONAL { ?notice dcterms:identifier ?identifier }
           OPTIONAL { ?notice dcterms:subject ?subject }
         } ORDER BY ?path",
    );
    assert_eq!(rows.len(), FORMATS.len(), "{rows:#?}");
    for row in &rows {
        assert_eq!(row["number"], "工信部联节〔2026〕21号", "{}", row["path"]);
        assert_eq!(row["code"], "工信部联节");
        assert_eq!(row["year"], "2026");
        assert_eq!(row["serial"], "21");
        assert_eq!(row["signed"], "2026-03-06");
        assert_eq!(row["addressee"], "各省、自治区、直辖市工业和信息化主管部门、发展改革委");
        assert_eq!(row["copy"], "国家数据局");
    }
    let html = rows
        .iter()
        .find(|r| r["path"].ends_with("plan.html"))
        .expect("html row");
    assert_eq!(html.get("published").map(String::as_str), Some("2026-03-12"));
    assert_eq!(html.get("identifier").map(String::as_str), Some("000014349/2026-00021"));
    assert_eq!(html.get("subject").map(String::as_str), Some("工业、交通\\信息产业"));
    // 发文机关 is the lexicon's organization, cited where the page's table names it.
    let organ = select(
        store(),
        "SELECT ?quote WHERE { GRAPH ?g { ?notice pkg:transmits ?plan ; pkg:issuedBy <https://w3id.org/policykg/id/org/miit> .
           ?s pkg:path ?path FILTER(STRENDS(?path, 'plan.html'))
           <https://w3id.org/policykg/id/org/miit> pkg:evidence ?e . ?e pkg:source ?s ; pkg:start ?start ; pkg:quote ?quote } } ORDER BY ?start LIMIT 1",
    );
    assert_eq!(organ.first().map(|r| r["quote"].as_str()), Some("工业和信息化部"));
}

#[test]
fn the_named_query_documents_lists_the_header() {
    let query = policykg::query::named("documents").expect("named query documents");
    let rows = store().select(query).expect("runs");
    let notices: Vec<_> = rows.iter().filter(|r| r.contains_key("transmits")).collect();
    assert_eq!(notices.len(), FORMATS.len(), "{rows:#?}");
    assert!(notices
        .iter()
        .all(|r| r["number"] == "工信部联节〔2026〕21号" && r["date_document"] == "2026-03-06"));
    assert!(
        notices.iter().all(|r| r["issuers"].contains("工业和信息化部")),
        "{notices:#?}"
    );
}

#[test]
fn other_files_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "graph.ttl",
            b"@prefix pkg: <https://w3id.org/policykg/ontology#> .\n",
            "use `policykg load`",
        ),
        ("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG image"),
        ("bundle.zip", b"PK\x03\x04\x14\0\0\0\0\0plans/a.txt", "zip archive"),
        ("old.doc", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", "save it as .docx"),
        ("tool", b"\x7FELF\x02\x01\x01\0", "executable"),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        let (code, stderr) = build_cli(
            &dir.path().join(format!("store-{}", expected.len())),
            &[path, fixture("plan.txt")],
        );
        assert_eq!(code, 1, "{name}: {stderr}");
        let line = stderr.lines().find(|l| l.contains(name)).unwrap_or_default();
        assert!(line.contains(expected), "{name}: {stderr}");
        assert!(built_plan(&stderr), "the plan is still built: {stderr}");
    }
}

#[test]
fn a_folder_says_what_it_passed_over_and_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).expect("mkdir");
    std::fs::copy(fixture("plan.html"), input.join("plan.html")).expect("copy");
    std::fs::write(input.join("plan.meta.json"), r#"{"date": "2026-03-06"}"#).expect("write");
    std::fs::write(input.join("sub/chart.png"), b"\x89PNG").expect("write");
    std::fs::write(input.join("data.nq"), b"").expect("write");
    std::fs::write(input.join("notes.xyz"), b"x").expect("write");
    let (code, stderr) = build_cli(&dir.path().join("store"), std::slice::from_ref(&input));
    assert_eq!(code, 0, "{stderr}");
    let notes: Vec<&str> = stderr.lines().filter(|l| l.starts_with("not read: ")).collect();
    assert_eq!(notes.len(), 3, "{stderr}");
    assert!(
        notes.iter().any(|l| l.ends_with(
            "data.nq: N-Quads (RDF) is not a policy text; use `policykg load` to add RDF data to the store"
        )),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|l| l.contains("sub/chart.png: PNG image")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|l| l.contains("notes.xyz: extension .xyz is not read")),
        "{notes:?}"
    );
}

#[test]
fn a_scanned_pdf_is_reported_as_a_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = build_cli(dir.path(), &[fixture("scan.pdf"), fixture("plan.txt")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("tests/fixtures/formats/scan.pdf: PDF without a text layer (1 page(s), no text)"),
        "{stderr}"
    );
    assert!(built_plan(&stderr), "{stderr}");
}

#[test]
fn damaged_pdf_and_docx_are_errors_naming_the_file_not_panics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inputs = Vec::new();
    for (name, keep) in [("plan.pdf", 0.5), ("plan.pdf", 0.02), ("plan.docx", 0.5)] {
        let bytes = std::fs::read(fixture(name)).expect("fixture");
        let cut = (bytes.len() as f64 * keep) as usize;
        let path = dir.path().join(format!("cut-{cut}-{name}"));
        std::fs::write(&path, &bytes[..cut]).expect("write");
        inputs.push(path);
    }
    inputs.push(fixture("plan.txt"));
    let (code, stderr) = build_cli(&dir.path().join("store"), &inputs);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for input in &inputs[..3] {
        let name = input.file_name().and_then(|n| n.to_str()).expect("name");
        let line = stderr.lines().find(|l| l.contains(name)).unwrap_or_default();
        assert!(
            line.contains("unreadable PDF")
                || line.contains("unreadable DOCX")
                || line.contains("without a text layer"),
            "{name}: {stderr}"
        );
    }
    assert!(built_plan(&stderr), "{stderr}");
}

#[test]
fn the_store_of_every_format_violates_no_shape() {
    common::assert_conforms(store());
}

#[test]
fn the_page_highlights_evidence_in_the_stored_text_even_when_the_file_is_gone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("plan.pdf");
    std::fs::copy(fixture("plan.pdf"), &copy).expect("copy");
    let (store, _) = build_into(std::slice::from_ref(&copy), dir.path(), Renderer::Builtin);
    std::fs::remove_file(&copy).expect("remove");
    let graph = store
        .manifest
        .sources
        .values()
        .next()
        .expect("one source")
        .graph
        .clone();
    let text = policykg::serve::api::source_text(&store, &graph).expect("text of the source");
    let stored = select(&store, "SELECT ?t WHERE { GRAPH ?g { ?s pkg:text ?t } }");
    assert_eq!(text, stored[0]["t"]);
    assert!(text.starts_with("工业和信息化部 国家发展改革委关于印发"), "{text}");
}

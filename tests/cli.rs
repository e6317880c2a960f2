//! The real binary: help, build with bad inputs, queries, render and export.

mod common;

use common::{policykg, text};
use std::path::Path;

/// Builds `inputs` into `dir` with the real binary; returns (exit code, stderr).
fn build(dir: &Path, inputs: &[&str]) -> (i32, String) {
    let out = policykg()
        .arg("build")
        .args(inputs)
        .arg("--store")
        .arg(dir.join("store"))
        .arg("--out")
        .arg(dir.join("out"))
        .arg("--renderer")
        .arg("builtin")
        .output()
        .expect("runs");
    (out.status.code().unwrap_or(-1), text(&out.stderr))
}

#[test]
fn help_documents_every_command_with_examples() {
    let out = policykg().arg("--help").output().expect("runs");
    assert!(out.status.success());
    let help = text(&out.stdout);
    for word in ["build", "query", "render", "export", "Examples:", "Exit codes"] {
        assert!(help.contains(word), "{word} missing from --help");
    }
    for sub in ["build", "query", "render", "export"] {
        let out = policykg().args([sub, "--help"]).output().expect("runs");
        assert!(out.status.success(), "{sub} --help");
        assert!(text(&out.stdout).contains("--store"), "{sub} --help has no --store");
    }
}

#[test]
fn an_undecodable_file_is_reported_and_the_others_are_built() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = build(dir.path(), &["tests/fixtures/mixed"]);
    assert_eq!(code, 1, "{stderr}");
    // b_binary.txt holds PNG bytes: recognized from them, refused by type, not mined.
    assert!(
        stderr.contains("b_binary.txt: PNG image is not a policy text"),
        "{stderr}"
    );
    assert!(stderr.contains("built tests/fixtures/mixed/a_good.txt"), "{stderr}");
    assert!(stderr.contains("built tests/fixtures/mixed/c_good.md"), "{stderr}");
    let out = policykg()
        .args(["query", "--format", "csv", "--store"])
        .arg(dir.path().join("store"))
        .arg("PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT (COUNT(?s) AS ?n) WHERE { ?s a pkg:Source }")
        .output()
        .expect("runs");
    assert_eq!(text(&out.stdout).lines().nth(1), Some("2"));
}

#[test]
fn a_missing_path_is_reported_with_exit_code_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = build(dir.path(), &["seeds", "no/such/dir"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no/such/dir: no such file or directory"), "{stderr}");
    assert!(stderr.contains("built seeds/000_ddbfb2b346a9e714.txt"), "{stderr}");
}

#[test]
fn every_encoding_is_detected_and_extracted_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stderr) = build(dir.path(), &["tests/fixtures/encodings"]);
    assert_eq!(code, 0, "{stderr}");
    for (file, encoding) in [
        ("big5_plan.txt", "Big5"),
        ("gbk_plan.txt", "gb18030"),
        ("utf16_plan.txt", "UTF-16LE"),
        ("utf8_bom_plan.txt", "UTF-8 (BOM)"),
    ] {
        assert!(stderr.contains(&format!("{file} ({encoding})")), "{file}: {stderr}");
    }
    // The three Simplified copies describe one plan, with the same 2030 targets.
    let out = policykg()
        .args(["query", "--format", "csv", "--store"])
        .arg(dir.path().join("store"))
        .arg("PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT DISTINCT ?min ?unit WHERE { ?t pkg:deadline ?y ; pkg:minValue ?min ; pkg:unit ?unit } ORDER BY ?min")
        .output()
        .expect("runs");
    let rows = text(&out.stdout);
    assert_eq!(
        rows.lines().collect::<Vec<_>>(),
        ["min,unit", "30,个", "200,个", "500,台"],
        "{rows}"
    );
}

#[test]
fn a_malformed_query_fails_with_its_position_and_exit_code_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    build(dir.path(), &["seeds"]);
    let out = policykg()
        .args(["query", "--store"])
        .arg(dir.path().join("store"))
        .arg("SELECT ?x WHERE { ?x ?y }")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("malformed query") && stderr.contains("1:"), "{stderr}");
}

#[test]
fn a_missing_store_is_fatal_and_says_what_to_do() {
    let out = policykg()
        .args(["query", "--store", "no/such/store", "ASK {}"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("policykg build"));
}

#[test]
fn query_formats_render_and_export_work_on_the_built_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    build(dir.path(), &["seeds"]);
    let store = dir.path().join("store");
    let q = "PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT ?o ?l WHERE { ?t pkg:order ?o ; <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?o";
    let run = |args: &[&str]| {
        let out = policykg().args(args).arg("--store").arg(&store).output().expect("runs");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    };
    assert!(run(&["query", q]).contains("| 1 | 创新筑基"));
    assert!(run(&["query", "--format", "json", q]).contains("\"创新筑基\""));
    assert!(run(&["query", "--format", "xml", q]).contains("<sparql"));
    assert!(run(&["query", "--format", "csv", q]).starts_with("o,l"));
    assert_eq!(run(&["query", "ASK { ?s ?p ?o }"]).trim(), "true");
    let construct = run(&["query", "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3"]);
    assert!(
        construct.contains("@prefix") || construct.contains(" a "),
        "{construct}"
    );
    assert!(run(&["render", "--format", "dot"]).starts_with("digraph"));
    assert!(run(&["render", "--format", "svg", "--renderer", "builtin"]).contains("<svg"));
    for format in ["turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"] {
        assert!(!run(&["export", "--format", format]).is_empty(), "{format}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    build(dir.path(), &["seeds"]);
    let binary = assert_cmd::cargo::cargo_bin("policykg");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' export --format ntriples --store '{}' | head -c 10 >/dev/null; echo ${{PIPESTATUS[0]}}",
            binary.display(),
            dir.path().join("store").display()
        ))
        .output()
        .expect("bash");
    assert_eq!(text(&out.stdout).trim(), "0");
}

#[test]
fn eval_scores_a_users_gold_files_and_enforces_thresholds() {
    let out = policykg()
        .args(["eval", "--gold", "tests/fixtures/gold", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let overall = &report["overall"];
    // 2 of 3 gold targets found, both found ones correct.
    assert_eq!(overall["targets"]["matched"], 2);
    assert_eq!(overall["targets"]["gold"], 3);
    assert_eq!(overall["targets"]["predicted"], 2);
    assert_eq!(overall["issuers"]["matched"], 1);
    assert_eq!(overall["tasks"]["matched"], 2);
    assert_eq!(overall["technologies"]["gold"], 2);
    assert_eq!(overall["technologies"]["matched"], 1);
    let table = policykg()
        .args(["eval", "--gold", "tests/fixtures/gold"])
        .output()
        .expect("runs");
    assert!(text(&table.stdout).contains("OVERALL"));
    let strict = policykg()
        .args(["eval", "--gold", "tests/fixtures/gold", "--min-f1", "targets=0.9"])
        .output()
        .expect("runs");
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stderr).contains("targets F1"));
    let lenient = policykg()
        .args(["eval", "--gold", "tests/fixtures/gold", "--min-f1", "0.5"])
        .output()
        .expect("runs");
    assert_eq!(lenient.status.code(), Some(0), "{}", text(&lenient.stderr));
}

#[test]
fn explain_shows_the_rule_and_deadline_of_every_number() {
    let out = policykg()
        .args(["explain", "tests/fixtures/explain/plan.txt"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let rows: Vec<Vec<&str>> = table.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    let decided: Vec<(&str, &str, &str)> = rows
        .iter()
        .filter(|r| r.len() == 8)
        .map(|r| (r[1], r[5], r[6]))
        .collect();
    let outcomes: Vec<&str> = rows
        .iter()
        .filter(|r| r.len() == 8 && r[4] == "outcome")
        .map(|r| r[1])
        .collect();
    assert_eq!(outcomes, ["300公里"], "{table}");
    assert_eq!(
        decided,
        [
            ("6项", "document-count", "2026 (document-year)"),
            ("3个", "document-count", "2026 (document-year)"),
            ("300公里", "review-result", "2026 (document-year)"),
            ("90%以上", "deadline-scope", "2030 (lead-paragraph)"),
            ("2万个", "baseline", "2030 (lead-paragraph)"),
            ("8万个", "deadline-scope", "2030 (lead-paragraph)"),
            ("一公里", "idiom", "2030 (lead-paragraph)"),
            ("200公里", "future-clause", "2026 (clause)"),
            ("10%", "hypothetical", "2030 (section)"),
        ],
        "{table}"
    );
    assert!(
        table.ends_with("9 quantities: 3 kept, 1 outcomes, 5 dropped\n"),
        "{table}"
    );

    let out = policykg()
        .args(["explain", "tests/fixtures/explain/plan.txt", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let kept: Vec<&serde_json::Value> = json
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["verdict"] == "keep")
        .collect();
    assert_eq!(kept.len(), 3);
    // Numbers stay numbers; positions are 1-based lines and columns.
    assert_eq!(kept[0]["min"], serde_json::json!(90));
    assert_eq!(kept[0]["max"], serde_json::Value::Null);
    assert_eq!(
        (kept[0]["line"].as_u64(), kept[0]["column"].as_u64()),
        (Some(9), Some(14))
    );
    assert_eq!(kept[0]["deadline_origin"], "lead-paragraph");
}

#[test]
fn query_help_names_every_shipped_query() {
    let out = policykg().args(["query", "--help"]).output().expect("runs");
    let help = text(&out.stdout);
    for (name, _) in policykg::query::NAMED {
        assert!(help.contains(name), "query --help does not name {name}");
    }
}

#[test]
fn a_store_of_many_plans_is_drawn_as_the_overview_and_one_plan_on_request() {
    let Some(corpus) = common::corpus() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let out = policykg()
        .args(["build", "--no-artifacts", "-q", "--no-sidecars", "--store"])
        .arg(&store)
        .arg(&corpus)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let render = |extra: &[&str]| {
        let out = policykg()
            .args(["render", "--format", "dot", "--store"])
            .arg(&store)
            .args(extra)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    // Up to 12 plans are drawn in full by default; the overview (the default beyond) has
    // one node per plan described by a file, issuers counting their plans and technology
    // areas counted on the edges.
    let full = render(&[]);
    assert!(full.starts_with("digraph plan"), "{}", &full[..80]);
    let overview = render(&["--overview"]);
    assert!(overview.starts_with("digraph overview"), "{}", &overview[..80]);
    assert!(
        overview.contains("splines=line"),
        "the overview is laid out with straight edges"
    );
    let files = std::fs::read_dir(&corpus)
        .expect("corpus")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "txt"))
        })
        .count();
    assert_eq!(
        overview.matches("fillcolor=\"#fde4b8\"").count(),
        files,
        "one plan node per file"
    );
    assert!(
        overview.contains("国务院 ("),
        "an issuer node carries its count of plans"
    );
    assert!(
        overview.contains("->") && overview.contains("[label=\""),
        "edges carry counts"
    );
    // One plan by the file that describes it: only that plan.
    let file = corpus.join("gwr_2024_zh.txt").display().to_string();
    let one = render(&["--doc", &file]);
    assert!(one.starts_with("digraph plan"), "{}", &one[..80]);
    assert_eq!(one.matches("fillcolor=\"#fde4b8\"").count(), 1, "one plan node");
    assert!(one.contains("fillcolor=\"#fff7cf\""), "with its targets");
    // An unknown plan is an error naming it.
    let out = policykg()
        .args(["render", "--format", "dot", "--doc", "no/such/file.txt", "--store"])
        .arg(&store)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no/such/file.txt"), "{}", text(&out.stderr));
}

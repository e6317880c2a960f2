//! RDF in and out as other tools expect: `load`, `update`, `validate`, queries from
//! standard input, shell completions and the man page — through the real binary.

mod common;

use common::{policykg, root, text};
use std::path::Path;

fn fixture(name: &str) -> String {
    root().join("tests/fixtures/rdf").join(name).display().to_string()
}

/// Runs policykg with `args` on the store `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = policykg();
    cmd.args(args).arg("--store").arg(dir);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("runs");
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn count(dir: &Path, query: &str) -> String {
    let (code, out, err) = run(dir, &["query", query, "--format", "csv"], None);
    assert_eq!(code, 0, "{err}");
    out.lines().nth(1).unwrap_or_default().to_owned()
}

#[test]
fn load_gives_each_file_its_graph_and_loading_again_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["load", &fixture("notes.trig")], None);
    assert_eq!(code, 0, "{err}");
    // Named graphs keep their names; the default-graph triple goes to the file's graph.
    let (_, listed, _) = run(
        &store,
        &[
            "query",
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--format",
            "csv",
        ],
        None,
    );
    assert!(
        listed.contains("urn:notes:a") && listed.contains("urn:notes:b"),
        "{listed}"
    );
    assert!(listed.contains("file:///") && listed.contains("notes.trig"), "{listed}");
    let all = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    assert_eq!(count(&store, all), "4");
    let snapshot = std::fs::read(store.join("store.nq")).expect("snapshot");
    let (code, _, err) = run(&store, &["load", &fixture("notes.trig")], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(count(&store, all), "4", "loading again doubles nothing");
    // Blank nodes are named after the graph and their order: the same bytes again.
    assert_eq!(std::fs::read(store.join("store.nq")).expect("snapshot"), snapshot);
}

#[test]
fn a_file_that_does_not_parse_changes_nothing_and_names_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["load", &fixture("broken.ttl"), &fixture("notes.trig")], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("broken.ttl") && err.contains("line 3"), "{err}");
    assert!(
        err.contains("loaded ") && err.contains("notes.trig"),
        "the other file is loaded: {err}"
    );
    let labels = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> \"fine\" }";
    assert_eq!(count(&store, labels), "0", "nothing of the broken file is stored");
}

#[test]
fn standard_input_needs_a_format_and_a_graph() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let triple = "<urn:a> <urn:b> \"c\" .\n";
    let (code, _, err) = run(&store, &["load", "-"], Some(triple));
    assert_eq!(code, 1);
    assert!(err.contains("--format") && err.contains("--graph"), "{err}");
    let (code, _, err) = run(
        &store,
        &["load", "-", "--format", "ntriples", "--graph", "urn:g"],
        Some(triple),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        count(
            &store,
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g> { <urn:a> ?p ?o } }"
        ),
        "1"
    );
    // And a query may come from standard input too.
    let (code, out, err) = run(
        &store,
        &["query", "-", "--format", "csv"],
        Some("ASK { GRAPH <urn:g> { <urn:a> <urn:b> \"c\" } }"),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("true"), "{out}");
}

#[test]
fn an_update_is_saved_whole_or_not_at_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["load", &fixture("notes.trig")], None);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        &store,
        &[
            "update",
            "INSERT DATA { GRAPH <urn:notes:c> { <urn:plan:x> rdfs:comment \"third\" } }",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("4 quads before, 5 after"), "{err}");
    let before = std::fs::read(store.join("store.nq")).expect("snapshot");
    // A syntax error: line:column, the line and a caret; the store is untouched.
    let (code, _, err) = run(&store, &["update", "-f", "-"], Some("DELETE WHERE {\n  ?s ?p \n"));
    assert_eq!(code, 2);
    assert!(
        err.contains("malformed update: 3:1") || err.contains("malformed update: 2:"),
        "{err}"
    );
    assert_eq!(std::fs::read(store.join("store.nq")).expect("snapshot"), before);
    let (code, _, err) = run(&store, &["update", "DROP GRAPH <urn:notes:a>"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        count(&store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
        "4"
    );
}

#[test]
fn validate_reports_violations_in_the_shacl_vocabulary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, out, err) = run(&store, &["validate", &fixture("bad-target.ttl")], None);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("TargetShape\t<https://example.org/target/backwards>\tminValue is greater than maxValue"),
        "{out}"
    );
    assert!(out.contains("deadline is not an xsd:gYear"), "{out}");
    assert!(out.contains("Target has no evidence"), "{out}");
    assert!(
        out.ends_with("does not conform: 3 violations of 12 shapes checked\n"),
        "{out}"
    );
    let (code, turtle, _) = run(
        &store,
        &["validate", &fixture("bad-target.ttl"), "--format", "turtle"],
        None,
    );
    assert_eq!(code, 1);
    // The Turtle report is RDF a SHACL tool reads: load it and ask it.
    let report = dir.path().join("report.ttl");
    std::fs::write(&report, &turtle).expect("write");
    let (code, _, err) = run(&store, &["load", &report.display().to_string()], None);
    assert_eq!(code, 0, "{err}");
    let ask = "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT (COUNT(?r) AS ?n) WHERE { ?rep a sh:ValidationReport ; sh:conforms false ; sh:result ?r . ?r sh:focusNode <https://example.org/target/backwards> ; sh:resultSeverity sh:Violation ; sh:sourceShape <https://w3id.org/policykg/shapes#TargetShape> }";
    assert_eq!(count(&store, ask), "3");
    let (code, json, _) = run(
        &store,
        &["validate", &fixture("bad-target.ttl"), "--format", "json"],
        None,
    );
    assert_eq!(code, 1);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON-LD");
    assert!(value.to_string().contains("ValidationReport"), "{json}");
}

#[test]
fn a_built_store_conforms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["build", "seeds", "--no-artifacts", "-q"], None);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&store, &["validate"], None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "conforms: 0 violations of 12 shapes checked\n");
}

#[test]
fn completions_and_the_man_page_come_from_the_same_definitions_as_help() {
    let out = policykg().args(["completions", "bash"]).output().expect("runs");
    assert!(out.status.success());
    let script = text(&out.stdout);
    for word in ["_policykg", "validate", "--named", "--allow-update"] {
        assert!(script.contains(word), "{word} missing from the bash completions");
    }
    let out = policykg().arg("man").output().expect("runs");
    assert!(out.status.success());
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH policykg"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(
        page.contains("validate") && page.contains("Exit codes"),
        "the man page lists commands and exit codes"
    );
}

#[test]
fn update_and_load_respect_the_store_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["load", &fixture("notes.trig")], None);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(store.join("store.nq")).expect("snapshot");
    let held = policykg::store::WriteLock::acquire(&store, false).expect("lock");
    let (code, _, err) = run(&store, &["update", "DROP ALL"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lock") || err.contains("another"), "{err}");
    let (code, _, err) = run(&store, &["load", &fixture("bad-target.ttl")], None);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(store.join("store.nq")).expect("snapshot"), before);
    drop(held);
    let (code, _, err) = run(&store, &["update", "DROP ALL"], None);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn build_reads_a_document_on_standard_input_under_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (piped, filed) = (dir.path().join("piped"), dir.path().join("filed"));
    let seed = std::fs::read_dir(root().join("seeds"))
        .expect("seeds")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "txt"))
        .expect("a seed text");
    let text = std::fs::read_to_string(&seed).expect("seed");
    let (code, _, err) = run(
        &piped,
        &["build", "-", "--name", "plans/piped.txt", "--no-artifacts", "-q"],
        Some(&text),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        &filed,
        &["build", &seed.display().to_string(), "--no-artifacts", "-q"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let facts = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?d pkg:hasTarget ?t }";
    assert_eq!(count(&piped, facts), count(&filed, facts));
    assert_ne!(count(&piped, facts), "0");
    let path = "SELECT ?p WHERE { ?s a pkg:Source ; pkg:path ?p }";
    assert_eq!(count(&piped, path), "plans/piped.txt");
}

#[test]
fn a_query_nested_too_deep_is_refused_with_its_place_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["load", &fixture("notes.trig")], None);
    assert_eq!(code, 0, "{err}");
    let deep = format!("SELECT * WHERE {}{}", "{".repeat(1000), "}".repeat(1000));
    let (code, _, err) = run(&store, &["query", &deep], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("malformed query: 1:") && err.contains("levels"), "{err}");
    let (code, _, err) = run(
        &store,
        &["update", "-"],
        Some(&format!("INSERT DATA {}", "{".repeat(1000))),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("malformed update"), "{err}");
}

#[cfg(unix)]
#[test]
fn load_walks_folders_as_build_does_loops_and_fifos_reported_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).expect("mkdir");
    std::fs::copy(
        root().join("tests/fixtures/rdf/notes.trig"),
        tree.join("sub/notes.trig"),
    )
    .expect("copy");
    std::os::unix::fs::symlink(&tree, tree.join("sub/back")).expect("loop link");
    let fifo = tree.join("pipe.ttl");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let store = dir.path().join("store");
    let (code, _, err) = run(&store, &["load", &tree.display().to_string()], None);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("loop"), "{err}");
    assert!(err.contains("pipe.ttl") && err.contains("FIFO"), "{err}");
    assert!(err.contains("loaded ") && err.contains("notes.trig"), "{err}");
    assert_eq!(
        err.matches("notes.trig: ").count(),
        3,
        "loaded once, three graphs: {err}"
    );
}

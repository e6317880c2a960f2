//! `policykg push` against a real Graph Store Protocol server: another policykg store
//! served with `serve --allow-update` (CI also pushes to a real Virtuoso).

mod common;

use assert_cmd::Command;
use common::root;
use std::path::Path;

fn policykg(args: &[&str], store: &Path) -> (i32, String) {
    let out = Command::cargo_bin("policykg")
        .expect("binary")
        .current_dir(root())
        .args(args)
        .arg("--store")
        .arg(store)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Each named graph with its size, as CSV lines.
fn graphs(store: &Path) -> String {
    let out = Command::cargo_bin("policykg")
        .expect("binary")
        .current_dir(root())
        .args([
            "query",
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            "--format",
            "csv",
            "--store",
        ])
        .arg(store)
        .output()
        .expect("runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn push_sends_changed_graphs_and_deletes_the_gone_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ours, theirs) = (dir.path().join("ours"), dir.path().join("theirs"));
    let (code, err) = policykg(&["build", "seeds", "--no-artifacts", "-q"], &ours);
    assert_eq!(code, 0, "{err}");
    let notes = root().join("tests/fixtures/rdf/notes.trig").display().to_string();
    let (code, err) = policykg(&["load", &notes], &ours);
    assert_eq!(code, 0, "{err}");
    // The other side starts with one graph of its own, which a push leaves alone.
    let (code, err) = policykg(&["load", &notes], &theirs);
    assert_eq!(code, 0, "{err}");
    let (code, err) = policykg(&["update", "DROP GRAPH <urn:notes:a>"], &theirs);
    assert_eq!(code, 0, "{err}");

    let server = common::serve(&theirs, &["--allow-update"], &[]);
    let endpoint = format!("http://{}/store", server.addr);
    let (code, err) = policykg(&["push", "--endpoint", &endpoint], &ours);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("5 graphs sent, 0 unchanged, 0 deleted, 0 failed"), "{err}");
    // Again: nothing changed, nothing sent.
    let (code, err) = policykg(&["push", "--endpoint", &endpoint], &ours);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 graphs sent, 5 unchanged"), "{err}");
    // A graph changed and one dropped: one PUT, one DELETE.
    let (code, err) = policykg(
        &[
            "update",
            "INSERT DATA { GRAPH <urn:notes:b> { <urn:x> <urn:y> \"z\" } }; DROP GRAPH <urn:notes:a>",
        ],
        &ours,
    );
    assert_eq!(code, 0, "{err}");
    let (code, err) = policykg(&["push", "--endpoint", &endpoint], &ours);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 graphs sent, 3 unchanged, 1 deleted, 0 failed"), "{err}");
    drop(server);
    // What the server stored is what we hold, graph by graph.
    assert_eq!(graphs(&theirs), graphs(&ours));
}

#[test]
fn an_unreachable_endpoint_fails_after_retries_and_records_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ours = dir.path().join("ours");
    let one = root().join("tests/fixtures/rdf/bad-target.ttl").display().to_string();
    let (code, err) = policykg(&["load", &one], &ours);
    assert_eq!(code, 0, "{err}");
    // A port nobody listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let endpoint = format!("http://127.0.0.1:{port}/store");
    let (code, err) = policykg(&["push", "--endpoint", &endpoint], &ours);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("retrying PUT") && err.contains("1 failed"), "{err}");
    assert!(
        !ours.join("push.json").exists()
            || !std::fs::read_to_string(ours.join("push.json"))
                .unwrap_or_default()
                .contains("bad-target")
    );
    let (code, err) = policykg(&["push", "--endpoint", "https://example.org/store"], &ours);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("only http://"), "{err}");
}

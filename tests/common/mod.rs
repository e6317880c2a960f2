//! Shared helpers for the integration tests.
#![allow(dead_code)]

use policykg::pipeline::{build, BuildConfig, BuildReport};
use policykg::render::Renderer;
use policykg::store::GraphStore;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const PREFIXES: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real binary, run from the project root.
pub fn policykg() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("policykg").expect("binary");
    cmd.current_dir(root());
    cmd
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn seeds() -> PathBuf {
    root().join("seeds")
}

/// Builds `inputs` into a fresh temporary store (and artifacts beside it).
pub fn build_into(inputs: &[PathBuf], dir: &Path, renderer: Renderer) -> (GraphStore, BuildReport) {
    let config = BuildConfig {
        inputs: inputs.to_vec(),
        store_dir: dir.join("store"),
        out_dir: Some(dir.join("out")),
        lexicon_dir: None,
        renderer,
        sidecars: true,
        policy: Default::default(),
        stdin: None,
    };
    let report = build(&config).expect("build succeeds");
    let store = GraphStore::open(&config.store_dir).expect("store opens");
    (store, report)
}

/// Twelve copies of the seed document, `d00.txt` to `d11.txt`, in `dir/docs`: twelve
/// sources, each well under an eighth of the store they make, so changing one is saved as a
/// delta.
pub fn twelve_sources(dir: &Path) -> PathBuf {
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    let seed = std::fs::read(seeds().join("000_ddbfb2b346a9e714.txt")).expect("seed");
    for i in 0..12 {
        std::fs::write(docs.join(format!("d{i:02}.txt")), &seed).expect("write");
    }
    docs
}

/// Changes one of [`twelve_sources`] (`d05.txt`): a sentence with a target at its end.
pub fn change_one_source(docs: &Path) {
    let mut changed = std::fs::read(docs.join("d05.txt")).expect("source");
    changed.extend_from_slice("\n到2030年，示范项目达到12个。\n".as_bytes());
    std::fs::write(docs.join("d05.txt"), changed).expect("change");
}

/// The seed and, where `../shared` is there, the whole development corpus, built into a
/// fresh store in `dir`.
pub fn seeds_and_corpus(dir: &Path) -> GraphStore {
    let mut inputs = vec![seeds()];
    inputs.extend(corpus());
    build_into(&inputs, dir, Renderer::Builtin).0
}

/// Every shape check of `ontology/queries/validation/` (all of them: a unit test keeps the
/// embedded list equal to the folder) finds nothing in `store`.
pub fn assert_conforms(store: &GraphStore) {
    let report = policykg::validate::validate(store).expect("the checks run");
    assert!(report.shapes >= 8, "{} shapes checked", report.shapes);
    let violations: Vec<String> = report
        .results
        .iter()
        .map(|v| format!("{}: {} {}", v.shape, v.focus, v.message))
        .collect();
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

pub fn select(store: &GraphStore, query: &str) -> Vec<BTreeMap<String, String>> {
    store
        .select(&format!("{PREFIXES}{query}"))
        .unwrap_or_else(|e| panic!("{e}\n{query}"))
}

pub fn column(rows: &[BTreeMap<String, String>], name: &str) -> Vec<String> {
    rows.iter().filter_map(|r| r.get(name).cloned()).collect()
}

pub fn ask(store: &GraphStore, query: &str) -> bool {
    let rows = select(store, &format!("SELECT (COUNT(*) AS ?n) WHERE {{ {query} }}"));
    rows[0]["n"] != "0"
}

/// The shared development corpus, or `None` when it is absent. Under CI (`CI` set) the
/// corpus is always there, so its absence fails the test instead of skipping it silently
/// (a skip note printed to captured stderr is invisible).
pub fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        panic!("../shared/corpus is absent under CI: the corpus tests cannot run");
    } else {
        println!("SKIPPED: ../shared/corpus is absent; corpus tests did not run");
        None
    }
}

/// `policykg serve` on a free loopback port, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `policykg serve` on `store` with `extra` flags and `env`; stderr is drained so the
/// server never blocks on it.
pub fn serve(store: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("policykg"));
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--store"])
        .arg(store)
        .args(extra)
        .env_remove("POLICYKG_UPDATE_TOKEN")
        .current_dir(root())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("spawn");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).expect("banner");
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("address")
        .to_owned();
    Server { child, addr }
}

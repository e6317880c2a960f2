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

/// An HTTP reply as the tests' client reads it.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// The tests' minimal HTTP client on std's TcpStream: sends `bytes`, half-closes (so a
/// head that never ends is answered or dropped at once, not at the read timeout) and
/// reads the whole reply; the server closes after each one. A request the server resets
/// reads as what arrived before it.
pub fn raw(server: &Server, bytes: &[u8]) -> Response {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(&server.addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    read_response(&mut stream)
}

/// Reads a reply to its end: status, head, and the body (dechunked when it is chunked, as
/// from a proxy, since a chunk may split a character).
pub fn read_response(stream: &mut std::net::TcpStream) -> Response {
    use std::io::Read;
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(reply.len());
    let headers = String::from_utf8_lossy(&reply[..split]).into_owned();
    let status = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = reply.get(split + 4..).unwrap_or(&[]);
    let body = if headers.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        String::from_utf8_lossy(&dechunk(body)).into_owned()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    Response { status, headers, body }
}

fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..end]);
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        let after = &rest[end + 2..];
        out.extend_from_slice(&after[..n.min(after.len())]);
        rest = after.get(n + 2..).unwrap_or(&[]);
    }
    out
}

/// A request with `headers` and a Content-Length, on a connection of its own.
pub fn request(server: &Server, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        server.addr,
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    raw(server, &bytes)
}

/// POST /update with a SPARQL update as its body.
pub fn update(server: &Server, text: &str) -> Response {
    request(
        server,
        "POST",
        "/update",
        &[("Content-Type", "application/sparql-update")],
        text.as_bytes(),
    )
}

//! Pushing the store to another triple store through the SPARQL 1.1 Graph Store HTTP
//! Protocol: one `PUT ENDPOINT?graph=IRI` per named graph (Virtuoso, Apache Jena Fuseki,
//! GraphDB, Oxigraph server, `policykg serve --allow-update`).
//!
//! Only graphs whose content changed since the last successful push to the same endpoint
//! are sent (a checksum per graph, kept in `DIR/push.json`); graphs gone from the store are
//! deleted there. A PUT replaces one graph whole on the server, so a failure leaves that
//! graph as it was; transient failures (connection errors, 5xx, 429) are retried with
//! backoff. The client is plain HTTP/1.1 on the standard library: `http://` endpoints only.

use crate::store::{write_atomically, GraphStore, StoreError};
use oxigraph::model::NamedNodeRef;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

const STATE: &str = "push.json";
/// Waits before the retries of one request.
const BACKOFF_MS: [u64; 3] = [250, 1000, 4000];

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("--endpoint {0}: only http:// endpoints are supported (put a TLS-terminating proxy in front of an https:// one)")]
    Scheme(String),
    #[error("--endpoint {0}: not a URL of the form http://host[:port]/path")]
    Url(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How to reach the endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    host: String,
    port: u16,
    path: String,
    url: String,
    authorization: Option<String>,
}

impl Endpoint {
    /// `basic` is `user:password`; `token` a bearer token.
    pub fn new(url: &str, basic: Option<&str>, token: Option<&str>) -> Result<Self, PushError> {
        let rest = match url.strip_prefix("http://") {
            Some(rest) => rest,
            None if url.starts_with("https://") => return Err(PushError::Scheme(url.to_owned())),
            None => return Err(PushError::Url(url.to_owned())),
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| PushError::Url(url.to_owned()))?),
            None => (authority, 80),
        };
        if host.is_empty() {
            return Err(PushError::Url(url.to_owned()));
        }
        let authorization = match (basic, token) {
            (Some(b), _) => Some(format!("Basic {}", base64(b.as_bytes()))),
            (None, Some(t)) => Some(format!("Bearer {t}")),
            (None, None) => None,
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            path: if path.is_empty() {
                "/".to_owned()
            } else {
                path.to_owned()
            },
            url: url.to_owned(),
            authorization,
        })
    }

    fn target(&self, graph: &str) -> String {
        let separator = if self.path.contains('?') { '&' } else { '?' };
        let graph: String = form_urlencoded::byte_serialize(graph.as_bytes()).collect();
        format!("{}{separator}graph={graph}", self.path)
    }

    /// One request; the status code, or why there is none.
    fn send(&self, method: &str, graph: &str, body: &[u8]) -> Result<u16, String> {
        let address = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| format!("{}: {e}", self.host))?
            .next()
            .ok_or_else(|| format!("{}: no address", self.host))?;
        let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(10)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(300)))
            .and_then(|()| stream.set_write_timeout(Some(Duration::from_secs(300))))
            .map_err(|e| e.to_string())?;
        let mut head = format!(
            "{method} {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: policykg/{}\r\nContent-Type: text/turtle; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.target(graph),
            self.host,
            self.port,
            env!("CARGO_PKG_VERSION"),
            body.len()
        );
        if let Some(auth) = &self.authorization {
            head.push_str(&format!("Authorization: {auth}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
        stream.write_all(body).map_err(|e| e.to_string())?;
        let mut reply = Vec::new();
        stream.read_to_end(&mut reply).map_err(|e| e.to_string())?;
        let status_line = reply.split(|&b| b == b'\n').next().unwrap_or_default();
        let status = String::from_utf8_lossy(status_line);
        status
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("no HTTP status in the reply: {:.80}", status.trim()))
    }

    /// A request with retries of what may pass on a second try.
    fn send_retrying(
        &self,
        method: &str,
        graph: &str,
        body: &[u8],
        log: &mut dyn FnMut(String),
    ) -> Result<u16, String> {
        let mut attempt = 0;
        loop {
            let result = self.send(method, graph, body);
            let transient = match &result {
                Ok(code) => *code >= 500 || *code == 429,
                Err(_) => true,
            };
            if !transient || attempt == BACKOFF_MS.len() {
                return result;
            }
            log(format!(
                "retrying {method} <{graph}> after {}: {}",
                match &result {
                    Ok(code) => format!("HTTP {code}"),
                    Err(e) => e.clone(),
                },
                BACKOFF_MS[attempt]
            ));
            std::thread::sleep(Duration::from_millis(BACKOFF_MS[attempt]));
            attempt += 1;
        }
    }
}

/// What a push did.
#[derive(Debug, Default)]
pub struct PushReport {
    /// Graphs sent, with their number of triples.
    pub sent: Vec<(String, usize)>,
    pub unchanged: usize,
    pub deleted: Vec<String>,
    /// Graphs that failed, with why; the endpoint keeps what it had for them.
    pub failed: Vec<(String, String)>,
}

/// Pushes the store's named graphs to `endpoint`; `all` sends every graph.
pub fn push(
    store: &GraphStore,
    endpoint: &Endpoint,
    all: bool,
    log: &mut dyn FnMut(String),
) -> Result<PushReport, PushError> {
    let state_path = store.dir().join(STATE);
    let mut state: BTreeMap<String, BTreeMap<String, String>> = std::fs::read(&state_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let mut pushed = state.remove(&endpoint.url).unwrap_or_default();
    let mut report = PushReport::default();
    let graphs = store.named_graphs()?;
    for graph in &graphs {
        let body = graph_ntriples(store, graph.as_ref())?;
        let sha256 = crate::ingest::sha256_hex(body.as_bytes());
        if !all && pushed.get(graph.as_str()) == Some(&sha256) {
            report.unchanged += 1;
            continue;
        }
        match endpoint.send_retrying("PUT", graph.as_str(), body.as_bytes(), log) {
            Ok(200..=299) => {
                report.sent.push((graph.as_str().to_owned(), body.lines().count()));
                pushed.insert(graph.as_str().to_owned(), sha256);
                save_state(&state_path, &state, &endpoint.url, &pushed)?;
            }
            Ok(code) => report.failed.push((graph.as_str().to_owned(), format!("HTTP {code}"))),
            Err(e) => report.failed.push((graph.as_str().to_owned(), e)),
        }
    }
    // Graphs pushed before and gone from the store now.
    let gone: Vec<String> = pushed
        .keys()
        .filter(|g| !graphs.iter().any(|n| n.as_str() == g.as_str()))
        .cloned()
        .collect();
    for graph in gone {
        match endpoint.send_retrying("DELETE", &graph, b"", log) {
            Ok(200..=299 | 404) => {
                pushed.remove(&graph);
                save_state(&state_path, &state, &endpoint.url, &pushed)?;
                report.deleted.push(graph);
            }
            Ok(code) => report.failed.push((graph, format!("HTTP {code}"))),
            Err(e) => report.failed.push((graph, e)),
        }
    }
    Ok(report)
}

/// Writes the state of every endpoint, this one's entry as it is now.
fn save_state(
    path: &Path,
    others: &BTreeMap<String, BTreeMap<String, String>>,
    url: &str,
    pushed: &BTreeMap<String, String>,
) -> Result<(), StoreError> {
    let mut state: BTreeMap<&str, &BTreeMap<String, String>> = others.iter().map(|(k, v)| (k.as_str(), v)).collect();
    state.insert(url, pushed);
    let text = serde_json::to_string_pretty(&state).map_err(|e| StoreError::Storage(e.to_string()))? + "\n";
    write_atomically(path, text.as_bytes())
}

/// One graph as sorted N-Triples.
fn graph_ntriples(store: &GraphStore, graph: NamedNodeRef<'_>) -> Result<String, StoreError> {
    let mut lines: Vec<String> = store
        .quads_in(Some(graph))?
        .into_iter()
        .map(|q| format!("{} {} {} .\n", q.subject, q.predicate, q.object))
        .collect();
    lines.sort();
    lines.dedup();
    Ok(lines.concat())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_rfc_4648_gives_it() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("dba:dba", "ZGJhOmRiYQ=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
    }

    #[test]
    fn endpoints_are_read_from_their_urls() {
        let e = Endpoint::new("http://localhost:8890/sparql-graph-crud", Some("dba:dba"), None).expect("url");
        assert_eq!(
            (e.host.as_str(), e.port, e.path.as_str()),
            ("localhost", 8890, "/sparql-graph-crud")
        );
        assert_eq!(e.authorization.as_deref(), Some("Basic ZGJhOmRiYQ=="));
        assert_eq!(
            e.target("https://w3id.org/x#g"),
            "/sparql-graph-crud?graph=https%3A%2F%2Fw3id.org%2Fx%23g"
        );
        let e = Endpoint::new("http://h/ds/data?default", None, Some("t")).expect("url");
        assert_eq!(
            (e.port, e.target("urn:g").as_str()),
            (80, "/ds/data?default&graph=urn%3Ag")
        );
        assert!(matches!(
            Endpoint::new("https://h/", None, None),
            Err(PushError::Scheme(_))
        ));
        assert!(matches!(Endpoint::new("ftp://h/", None, None), Err(PushError::Url(_))));
        assert!(matches!(
            Endpoint::new("http://:80/", None, None),
            Err(PushError::Url(_))
        ));
    }
}

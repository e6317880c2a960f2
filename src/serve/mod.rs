//! `policykg serve`: a SPARQL 1.1 Protocol endpoint, the read side of the Graph Store
//! Protocol (and its write side with `--allow-update`), and the plan map in the browser.
//!
//! tiny_http serves each request on one of a few worker threads; queries read the store
//! in parallel, updates take it exclusively and are persisted atomically as `build` does.
//! Every query runs under a time limit (a cancellation token fired by a timer) and its
//! serialized results under a size limit.

pub mod api;
mod description;
mod http;

use crate::store::{GraphStore, QueryOptions, StoreError};
use http::{Reply, Request};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, Quad};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: String, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `serve` is asked to do, validated by the caller.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub bind: SocketAddr,
    pub store_dir: PathBuf,
    pub timeout: Duration,
    pub max_result_bytes: usize,
    pub allow_update: bool,
    pub cors: Option<String>,
    pub threads: usize,
}

/// The state every worker shares.
pub struct Server {
    config: ServeConfig,
    store: RwLock<GraphStore>,
}

/// Starts the server and serves until the process ends. `ready` is told the bound address
/// (useful with port 0).
pub fn serve(config: ServeConfig, ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    // With updates the server owns the store for its whole life: a build refuses (or
    // waits) rather than overwrite what the server has acknowledged.
    let _lock = match config.allow_update {
        true => Some(crate::store::WriteLock::acquire(&config.store_dir, false)?),
        false => None,
    };
    let store = GraphStore::open(&config.store_dir)?;
    let bind_error = |e: &dyn std::fmt::Display| ServeError::Bind {
        addr: config.bind.to_string(),
        message: e.to_string(),
    };
    let listener = tiny_http::Server::from_listener(listen(config.bind).map_err(|e| bind_error(&e))?, None)
        .map_err(|e| bind_error(&e))?;
    let addr = listener.server_addr().to_ip().unwrap_or(config.bind);
    ready(addr);
    let threads = config.threads.max(1);
    let server = Arc::new(Server {
        config,
        store: RwLock::new(store),
    });
    let listener = Arc::new(listener);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let server = Arc::clone(&server);
            let listener = Arc::clone(&listener);
            std::thread::spawn(move || {
                while let Ok(request) = listener.recv() {
                    server.handle(request);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

/// A listening socket with TCP_NODELAY, which the accepted connections inherit: tiny_http
/// writes a reply's headers and body separately, and Nagle's algorithm would hold the body
/// back until the client's delayed ACK (40 ms).
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

impl Server {
    fn handle(self: &Arc<Self>, raw: tiny_http::Request) {
        let request = http::read(raw);
        let (raw, request) = match request {
            Ok(pair) => pair,
            Err((raw, reply)) => {
                http::respond(raw, reply, self.config.cors.as_deref());
                return;
            }
        };
        let reply = self.route(&request);
        http::respond(raw, reply, self.config.cors.as_deref());
    }

    fn route(self: &Arc<Self>, request: &Request) -> Reply {
        if request.method == "OPTIONS" {
            return Reply::empty(204);
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET" | "POST", "/sparql") => self.sparql(request),
            (_, "/update") => self.update(request),
            (_, "/store") => self.graph_store(request),
            ("GET", "/") => Reply::bytes(200, "text/html; charset=utf-8", api::PAGE.as_bytes().to_vec()),
            ("GET", path) if path.starts_with("/api/") => api::route(self, request),
            ("GET" | "POST", _) => Reply::text(404, format!("no such resource: {}", request.path)),
            _ => Reply::text(405, format!("method {} is not allowed here", request.method)),
        }
    }

    pub(crate) fn read_store(&self) -> std::sync::RwLockReadGuard<'_, GraphStore> {
        self.store.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// SPARQL 1.1 Protocol: GET ?query=, POST form (query=), POST application/sparql-query.
    fn sparql(self: &Arc<Self>, request: &Request) -> Reply {
        let query = if request.method == "GET" {
            request.param("query").map(str::to_owned)
        } else if request.content_type() == "application/sparql-query" {
            Some(String::from_utf8_lossy(&request.body).into_owned())
        } else if request.content_type() == "application/x-www-form-urlencoded" {
            request.form("query")
        } else {
            return Reply::text(
                415,
                "POST a query as application/sparql-query or application/x-www-form-urlencoded",
            );
        };
        let Some(query) = query else {
            // GET /sparql without a query: the SPARQL 1.1 Service Description.
            if request.method == "GET" {
                let graphs = self.read_store().named_graphs().unwrap_or_default();
                return description::describe(request, &graphs, self.config.allow_update);
            }
            return Reply::text(400, "missing the query parameter");
        };
        if request.method == "POST"
            && request.content_type() == "application/x-www-form-urlencoded"
            && request.form("update").is_some()
        {
            return Reply::text(400, "an update belongs at /update");
        }
        let graphs = |name: &str| -> Result<Vec<NamedNode>, Reply> {
            request
                .params_all(name)
                .into_iter()
                .chain(if request.method == "POST" {
                    request.form_all(name)
                } else {
                    Vec::new()
                })
                .map(|iri| NamedNode::new(iri.clone()).map_err(|e| Reply::text(400, format!("{name} {iri}: {e}"))))
                .collect()
        };
        let (default_graphs, named_graphs) = match (graphs("default-graph-uri"), graphs("named-graph-uri")) {
            (Ok(d), Ok(n)) => (d, n),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        // The query runs on its own thread; past the time limit the client gets 503 at
        // once and the query is told to stop.
        let token = oxigraph::sparql::CancellationToken::new();
        let options = QueryOptions {
            default_graphs,
            named_graphs,
            cancel: Some(token.clone()),
        };
        let accept = request.accept();
        let (send, receive) = std::sync::mpsc::channel();
        let server = Arc::clone(self);
        std::thread::spawn(move || {
            let reply = {
                let store = server.read_store();
                match store.query_with(&query, &options) {
                    Ok(results) => server.serialize(results, &accept),
                    Err(e) => store_error(e),
                }
            };
            let _ = send.send(reply);
        });
        match receive.recv_timeout(self.config.timeout) {
            Ok(reply) => reply,
            Err(_) => {
                token.cancel();
                Reply::text(
                    503,
                    format!(
                        "the query ran past the {} s time limit (--timeout) and was stopped",
                        self.config.timeout.as_secs_f64()
                    ),
                )
            }
        }
    }

    fn serialize(&self, results: QueryResults<'_>, accept: &str) -> Reply {
        let mut out = http::Limited::new(self.config.max_result_bytes);
        let outcome: Result<&'static str, String> = match results {
            QueryResults::Boolean(value) => {
                let (format, mime) = results_format(accept);
                QueryResultsSerializer::from_format(format)
                    .serialize_boolean_to_writer(&mut out, value)
                    .map(|_| mime)
                    .map_err(|e| e.to_string())
            }
            QueryResults::Solutions(solutions) => {
                let (format, mime) = results_format(accept);
                (|| {
                    let mut writer = QueryResultsSerializer::from_format(format)
                        .serialize_solutions_to_writer(&mut out, solutions.variables().to_vec())
                        .map_err(|e| e.to_string())?;
                    for solution in solutions {
                        let solution = solution.map_err(evaluation_message)?;
                        writer.serialize(&solution).map_err(|e| e.to_string())?;
                    }
                    writer.finish().map_err(|e| e.to_string())?;
                    Ok(mime)
                })()
            }
            QueryResults::Graph(triples) => {
                let (format, mime) = graph_format(accept);
                (|| {
                    let mut writer = RdfSerializer::from_format(format).for_writer(&mut out);
                    for triple in triples {
                        let triple = triple.map_err(evaluation_message)?;
                        writer.serialize_triple(&triple).map_err(|e| e.to_string())?;
                    }
                    writer.finish().map_err(|e| e.to_string())?;
                    Ok(mime)
                })()
            }
        };
        match outcome {
            Ok(mime) => Reply::bytes(200, mime, out.into_inner()),
            Err(message) if message == CANCELLED => Reply::text(
                503,
                format!(
                    "the query ran past the {} s time limit and was stopped",
                    self.config.timeout.as_secs_f64()
                ),
            ),
            Err(_) if out.overflowed() => Reply::text(
                500,
                format!(
                    "the results exceed the {} byte limit (--max-result-bytes); narrow the query or add LIMIT",
                    self.config.max_result_bytes
                ),
            ),
            Err(message) => Reply::text(500, message),
        }
    }

    /// SPARQL Update, only with --allow-update.
    fn update(&self, request: &Request) -> Reply {
        if !self.config.allow_update {
            return Reply::text(
                403,
                "this endpoint is read-only; start `policykg serve --allow-update` to accept updates",
            );
        }
        if request.method != "POST" {
            return Reply::text(405, "send updates with POST");
        }
        let update = match request.content_type() {
            "application/sparql-update" => Some(String::from_utf8_lossy(&request.body).into_owned()),
            "application/x-www-form-urlencoded" => request.form("update"),
            _ => {
                return Reply::text(
                    415,
                    "POST an update as application/sparql-update or a form with update=",
                )
            }
        };
        let Some(update) = update else {
            return Reply::text(400, "missing the update parameter");
        };
        let mut store = self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        match store.update(&update) {
            Ok(()) => Reply::empty(204),
            Err(e) => store_error(e),
        }
    }

    /// Graph Store Protocol: GET (always), PUT/POST/DELETE (with --allow-update).
    fn graph_store(&self, request: &Request) -> Reply {
        let graph = match (request.param("graph"), request.has_param("default")) {
            (Some(iri), false) => match NamedNode::new(iri) {
                Ok(n) => GraphName::NamedNode(n),
                Err(e) => return Reply::text(400, format!("graph {iri}: {e}")),
            },
            (None, true) => GraphName::DefaultGraph,
            _ => return Reply::text(400, "give exactly one of ?graph=IRI and ?default"),
        };
        match request.method.as_str() {
            "GET" | "HEAD" => {
                let (format, mime) = graph_format(&request.accept());
                let store = self.read_store();
                // The default graph is what a query's default graph is: the union of the
                // named graphs (as Fuseki's unionDefaultGraph), each triple once.
                let quads: Vec<Quad> = match &graph {
                    GraphName::NamedNode(n) => store.quads_in(Some(n.as_ref())),
                    _ => {
                        let mut union = store.quads_in(None);
                        for g in store.named_graphs().unwrap_or_default() {
                            union.extend(store.quads_in(Some(g.as_ref())));
                        }
                        let mut union: Vec<Quad> = union
                            .into_iter()
                            .map(|q| Quad::new(q.subject, q.predicate, q.object, GraphName::DefaultGraph))
                            .collect();
                        union.sort_by_cached_key(|q| q.to_string());
                        union.dedup();
                        union
                    }
                };
                if quads.is_empty() && matches!(graph, GraphName::NamedNode(_)) {
                    return Reply::text(404, "no such graph");
                }
                let mut out = http::Limited::new(self.config.max_result_bytes);
                let mut writer = RdfSerializer::from_format(format).for_writer(&mut out);
                for quad in &quads {
                    if writer.serialize_triple(quad.as_ref()).is_err() {
                        return Reply::text(
                            500,
                            format!("the graph exceeds the {} byte limit", self.config.max_result_bytes),
                        );
                    }
                }
                if writer.finish().is_err() {
                    return Reply::text(500, "cannot serialize the graph");
                }
                Reply::bytes(200, mime, out.into_inner())
            }
            "PUT" | "POST" | "DELETE" if !self.config.allow_update => Reply::text(
                403,
                "this endpoint is read-only; start `policykg serve --allow-update` to change graphs",
            ),
            method @ ("PUT" | "POST" | "DELETE") => {
                let GraphName::NamedNode(name) = graph else {
                    return Reply::text(400, "changing the default graph is not supported; name a graph");
                };
                let mut store = self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                let result = if method == "DELETE" {
                    store.remove_graph(name.as_ref())
                } else {
                    let Some(format) = RdfFormat::from_media_type(request.content_type()) else {
                        return Reply::text(415, format!("unsupported RDF media type {}", request.content_type()));
                    };
                    let parsed: Result<Vec<Quad>, _> = RdfParser::from_format(format)
                        .without_named_graphs()
                        .with_default_graph(name.clone())
                        .for_slice(&request.body)
                        .collect();
                    match parsed {
                        Err(e) => return Reply::text(400, format!("cannot parse the body: {e}")),
                        Ok(mut quads) => {
                            if method == "POST" {
                                quads.extend(store.quads_in(Some(name.as_ref())));
                            }
                            store.replace_graph(name.as_ref(), &quads)
                        }
                    }
                };
                match result.and_then(|()| store.save()) {
                    Ok(()) => Reply::empty(204),
                    Err(e) => store_error(e),
                }
            }
            _ => Reply::text(405, format!("method {} is not allowed on /store", request.method)),
        }
    }
}

const CANCELLED: &str = "cancelled";

fn evaluation_message(e: oxigraph::sparql::QueryEvaluationError) -> String {
    match e {
        oxigraph::sparql::QueryEvaluationError::Cancelled => CANCELLED.to_owned(),
        e => e.to_string(),
    }
}

fn store_error(e: StoreError) -> Reply {
    match e {
        StoreError::Syntax(message) => Reply::text(400, format!("malformed SPARQL: {message}")),
        StoreError::Cancelled => Reply::text(503, e.to_string()),
        e => Reply::text(500, e.to_string()),
    }
}

/// The SELECT/ASK result format for an Accept header (JSON when nothing matches).
fn results_format(accept: &str) -> (QueryResultsFormat, &'static str) {
    const OPTIONS: [(&str, QueryResultsFormat, &str); 6] = [
        (
            "application/sparql-results+json",
            QueryResultsFormat::Json,
            "application/sparql-results+json",
        ),
        (
            "application/json",
            QueryResultsFormat::Json,
            "application/sparql-results+json",
        ),
        (
            "application/sparql-results+xml",
            QueryResultsFormat::Xml,
            "application/sparql-results+xml",
        ),
        (
            "application/xml",
            QueryResultsFormat::Xml,
            "application/sparql-results+xml",
        ),
        ("text/csv", QueryResultsFormat::Csv, "text/csv; charset=utf-8"),
        (
            "text/tab-separated-values",
            QueryResultsFormat::Tsv,
            "text/tab-separated-values; charset=utf-8",
        ),
    ];
    http::negotiate(accept, &OPTIONS).unwrap_or((QueryResultsFormat::Json, "application/sparql-results+json"))
}

/// The CONSTRUCT/DESCRIBE/graph format for an Accept header (Turtle when nothing matches).
fn graph_format(accept: &str) -> (RdfFormat, &'static str) {
    let jsonld = RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    };
    let options: [(&str, RdfFormat, &str); 6] = [
        ("text/turtle", RdfFormat::Turtle, "text/turtle; charset=utf-8"),
        ("application/n-triples", RdfFormat::NTriples, "application/n-triples"),
        ("application/ld+json", jsonld, "application/ld+json"),
        ("application/rdf+xml", RdfFormat::RdfXml, "application/rdf+xml"),
        ("application/n-quads", RdfFormat::NTriples, "application/n-triples"),
        ("text/plain", RdfFormat::NTriples, "application/n-triples"),
    ];
    http::negotiate(accept, &options).unwrap_or((RdfFormat::Turtle, "text/turtle; charset=utf-8"))
}

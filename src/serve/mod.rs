//! `policykg serve`: a SPARQL 1.1 Protocol endpoint, the read side of the Graph Store
//! Protocol (and its write side with `--allow-update`), and the plan map in the browser.
//!
//! `connection` reads each request under size and time limits and hands it to a bounded
//! pool of workers; queries read the store in parallel, updates take it exclusively and are
//! persisted atomically as `build` does. Every query is screened before parsing (`screen`:
//! length, nesting, no SERVICE/LOAD), runs under a time limit (a cancellation token fired
//! at the deadline, checked again for every solution) and its serialized results under a
//! size limit. Writes pass `guard` (origin, content type, token). SIGTERM or SIGINT stops
//! accepting, lets requests in flight finish, and returns.

pub mod api;
pub mod connection;
mod description;
pub mod evaluate;
pub mod guard;
mod http;
pub mod screen;

use crate::store::{GraphStore, StoreError};
use http::{Reply, Request};
use oxigraph::io::{RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, Quad};
use oxigraph::sparql::results::QueryResultsFormat;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// Stack of a thread that parses and evaluates one query or update: the parser and the
/// evaluator recurse over the query's tree, which the screen bounds in depth but not in
/// breadth (a chain of `+` or of `{ } { }` is a deep tree). Reserved, not committed.
const EVALUATION_STACK: usize = 256 * 1024 * 1024;

/// The longest `--timeout`: one day.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: String, message: String },
    #[error("cannot listen for SIGTERM/SIGINT: {0}")]
    Signals(std::io::Error),
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
    /// The bearer token every write must carry, when set.
    pub update_token: Option<String>,
    /// How long a client may take to send its whole request.
    pub read_timeout: Duration,
    /// How to start an evaluator process, so that a query past its time limit can be
    /// killed; without one, queries run in-process and stop only where Oxigraph checks.
    pub evaluator: Option<evaluate::EvaluatorCommand>,
}

/// The state every worker shares.
pub struct Server {
    config: ServeConfig,
    store: RwLock<GraphStore>,
    writes: guard::WritePolicy,
    /// Queries evaluating now, including stopped ones still unwinding.
    running: AtomicUsize,
    evaluators: Option<Arc<evaluate::Pool>>,
    /// Bumped by every write: what was made from an older store is not kept.
    generation: AtomicU64,
    /// The page's map of the whole store (Graphviz takes seconds on a store of hundreds
    /// of plans).
    whole_map: PerVersion<Vec<u8>>,
    /// The labels the page's search looks in.
    labels: PerVersion<api::Labels>,
}

/// Something made from the store once per version of it (a write bumps the version), held
/// while it is made, so concurrent requests wait for one making instead of starting their
/// own.
struct PerVersion<T>(Mutex<Option<(u64, Arc<T>)>>);

impl<T> PerVersion<T> {
    fn new() -> Self {
        Self(Mutex::new(None))
    }

    /// The value made for the current version, made now with `make` if there is none. A
    /// value made while a write bumped the version is returned but not kept.
    fn get(&self, version: &AtomicU64, make: impl FnOnce() -> Result<T, String>) -> Result<Arc<T>, String> {
        let mut kept = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = version.load(Ordering::SeqCst);
        if let Some((_, value)) = kept.as_ref().filter(|(made, _)| *made == current) {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(make()?);
        if version.load(Ordering::SeqCst) == current {
            *kept = Some((current, Arc::clone(&value)));
        }
        Ok(value)
    }
}

/// Starts the server and serves until SIGTERM or SIGINT, then finishes the requests in
/// flight and returns. `ready` is told the bound address (useful with port 0).
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
    let listener = listen(config.bind).map_err(|e| bind_error(&e))?;
    let addr = listener.local_addr().unwrap_or(config.bind);
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(Arc::clone(&stop), connection::wake_address(addr))?;
    ready(addr);
    let limits = connection::Limits {
        read_timeout: config.read_timeout,
        ..connection::Limits::default()
    };
    let threads = config.threads.max(1);
    let extra = connection::ReplyHeaders {
        cors: config.cors.clone(),
    };
    let evaluators = config.evaluator.clone().map(|command| {
        let pool = Arc::new(evaluate::Pool::new(command, threads));
        pool.warm();
        pool
    });
    let server = Arc::new(Server {
        evaluators,
        writes: guard::WritePolicy {
            token: config.update_token.clone(),
            cors: config.cors.clone(),
        },
        config,
        store: RwLock::new(store),
        running: AtomicUsize::new(0),
        generation: AtomicU64::new(0),
        whole_map: PerVersion::new(),
        labels: PerVersion::new(),
    });
    // The page asks for the whole store's map first, and searches labels: both are made
    // now, in the background.
    let warm = Arc::clone(&server);
    let _ = std::thread::Builder::new().name("warm".into()).spawn(move || {
        let _ = warm.labels();
        let _ = warm.whole_map();
    });
    let handler: connection::Handler = Arc::new(move |request| server.route(&request));
    connection::run(listener, limits, threads, handler, extra, stop);
    Ok(())
}

/// On the first SIGTERM or SIGINT, sets `stop` and wakes the accept loop; on a second one,
/// exits at once.
fn stop_on_signals(stop: Arc<AtomicBool>, wake: SocketAddr) -> Result<(), ServeError> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT]).map_err(ServeError::Signals)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for _ in signals.forever() {
                if stop.swap(true, Ordering::SeqCst) {
                    std::process::exit(130);
                }
                eprintln!("policykg: stopping: finishing the requests in flight");
                let _ = std::net::TcpStream::connect_timeout(&wake, Duration::from_secs(1));
            }
        })
        .map_err(ServeError::Signals)?;
    Ok(())
}

/// A listening socket with TCP_NODELAY, which the accepted connections inherit: a reply
/// and an interim `100 Continue` are small writes that Nagle's algorithm would hold back
/// until the client's delayed ACK (40 ms).
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

impl Server {
    fn route(self: &Arc<Self>, request: &Request) -> Reply {
        if request.method == "OPTIONS" {
            return Reply::empty(204);
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("GET" | "POST", "/sparql") => self.sparql(request),
            (_, "/update") => self.update(request),
            (_, "/store") => self.graph_store(request),
            ("GET", "/") => Reply::bytes(200, "text/html; charset=utf-8", api::PAGE.as_bytes().to_vec()),
            ("GET", path) if path.starts_with("/api/") => {
                let request = request.clone();
                self.within_time_limit(move |server, _| api::route(server, &request))
            }
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
        if let Err(refusal) = screen::check(&query, screen::QUERY) {
            return Reply::text(400, format!("query refused: {refusal}"));
        }
        let graphs = |name: &str| -> Result<Vec<String>, Reply> {
            request
                .params_all(name)
                .into_iter()
                .chain(if request.method == "POST" {
                    request.form_all(name)
                } else {
                    Vec::new()
                })
                .map(|iri| match NamedNode::new(iri.clone()) {
                    Ok(node) => Ok(node.into_string()),
                    Err(e) => Err(Reply::text(400, format!("{name} {iri}: {e}"))),
                })
                .collect()
        };
        let (default_graphs, named_graphs) = match (graphs("default-graph-uri"), graphs("named-graph-uri")) {
            (Ok(d), Ok(n)) => (d, n),
            (Err(reply), _) | (_, Err(reply)) => return reply,
        };
        let job = evaluate::QueryJob {
            query,
            default_graphs,
            named_graphs,
            accept: request.accept(),
        };
        let limits = self.answer_limits();
        if let Some(pool) = &self.evaluators {
            if let Some(reply) = pool.answer(evaluate::Work::Query(job.clone()), limits) {
                return reply;
            }
        }
        self.within_time_limit(move |server, token| evaluate::answer(&server.read_store(), &job, token, &limits))
    }

    fn answer_limits(&self) -> evaluate::Limits {
        evaluate::Limits {
            timeout: self.config.timeout,
            max_result_bytes: self.config.max_result_bytes,
        }
    }

    /// Runs `work` on its own thread under the time limit. Past it, the client gets 503 at
    /// once and the token is cancelled: the evaluator checks it at every read of the store
    /// and `serialize` at every solution, so the work ends soon after and drops its read
    /// lock and memory.
    fn within_time_limit(
        self: &Arc<Self>,
        work: impl FnOnce(&Server, &oxigraph::sparql::CancellationToken) -> Reply + Send + 'static,
    ) -> Reply {
        let limit = self.config.threads.max(1) * 4;
        if self.running.load(Ordering::SeqCst) >= limit {
            return Reply::text(
                503,
                "too many queries are running (or still stopping); try again shortly",
            );
        }
        let token = oxigraph::sparql::CancellationToken::new();
        let (send, receive) = std::sync::mpsc::channel();
        let server = Arc::clone(self);
        let cancel = token.clone();
        self.running.fetch_add(1, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let spawned = std::thread::Builder::new()
            .name("query".into())
            .stack_size(EVALUATION_STACK)
            .spawn(move || {
                let reply = work(&server, &cancel);
                server.running.fetch_sub(1, Ordering::SeqCst);
                let _ = send.send(reply);
            });
        if spawned.is_err() {
            self.running.fetch_sub(1, Ordering::SeqCst);
            return Reply::text(503, "cannot start the query now; try again shortly");
        }
        match receive.recv_timeout(self.config.timeout) {
            // Work that ended past the limit (its thread ran before this one looked) is
            // answered as late, the same whatever the scheduling.
            Ok(reply) if started.elapsed() <= self.config.timeout => reply,
            _ => {
                token.cancel();
                evaluate::timed_out(self.config.timeout)
            }
        }
    }

    /// After a write (even a failed one, which may have changed part of the store): the
    /// evaluator processes hold the old store.
    fn store_changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(pool) = &self.evaluators {
            pool.invalidate();
        }
    }

    /// The SVG map of the whole store (an overview when it holds many plans), drawn once per
    /// version of the store. The store is read only while the map's queries run, not while
    /// Graphviz draws.
    pub(crate) fn whole_map(&self) -> Result<Arc<Vec<u8>>, String> {
        self.whole_map.get(&self.generation, || {
            let map = crate::render::map(&self.read_store(), &crate::render::Scope::Auto).map_err(|e| e.to_string())?;
            let (svg, _) = crate::render::svg(&map, crate::render::Renderer::Auto).map_err(|e| e.to_string())?;
            Ok(svg.into_bytes())
        })
    }

    /// The labels of the store's nodes for the page's search, gathered once per version of
    /// the store.
    pub(crate) fn labels(&self) -> Result<Arc<api::Labels>, String> {
        self.labels
            .get(&self.generation, || api::Labels::of(&self.read_store()))
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
        if let Err(refusal) = self.writes.authorize(request) {
            return refusal;
        }
        let update = match request.content_type().as_str() {
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
        if let Err(refusal) = screen::check(&update, screen::UPDATE) {
            return Reply::text(400, format!("update refused: {refusal}"));
        }
        // Writers take turns, so the rehearsal sees the data the update will change.
        let mut store = self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        // The store's update cannot be stopped once started: it first runs in an evaluator
        // process, which is killed at the time limit, and only an update that ended there
        // in time runs here.
        if let Some(pool) = &self.evaluators {
            match pool.answer(evaluate::Work::Rehearse(update.clone()), self.answer_limits()) {
                Some(reply) if reply.status == 204 => {}
                Some(reply) if reply.status == 503 => {
                    return Reply::text(
                        503,
                        format!(
                            "the update ran past the {} s time limit (--timeout) and was stopped; nothing was changed",
                            self.config.timeout.as_secs_f64()
                        ),
                    )
                }
                Some(refused) => return refused,
                None => {}
            }
        }
        // Parsing and evaluating recurse over the update's tree: a thread with room for it.
        let target: &mut GraphStore = &mut store;
        let evaluated = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("update".into())
                .stack_size(EVALUATION_STACK)
                .spawn_scoped(scope, || target.update(&update))
                .map(|handle| handle.join())
        });
        self.store_changed();
        drop(store);
        match evaluated {
            Ok(Ok(Ok(()))) => Reply::empty(204),
            Ok(Ok(Err(e))) => store_error(e),
            Ok(Err(_)) => Reply::text(500, "the update failed"),
            Err(_) => Reply::text(503, "cannot start the update now; try again shortly"),
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
                let read = || -> Result<Vec<Quad>, StoreError> {
                    if let GraphName::NamedNode(n) = &graph {
                        return store.quads_in(Some(n.as_ref()));
                    }
                    let mut union = store.quads_in(None)?;
                    for g in store.named_graphs()? {
                        union.extend(store.quads_in(Some(g.as_ref()))?);
                    }
                    let mut union: Vec<Quad> = union
                        .into_iter()
                        .map(|q| Quad::new(q.subject, q.predicate, q.object, GraphName::DefaultGraph))
                        .collect();
                    union.sort_by_cached_key(|q| q.to_string());
                    union.dedup();
                    Ok(union)
                };
                let quads = match read() {
                    Ok(quads) => quads,
                    Err(e) => return store_error(e),
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
                if let Err(refusal) = self.writes.authorize(request) {
                    return refusal;
                }
                let GraphName::NamedNode(name) = graph else {
                    return Reply::text(400, "changing the default graph is not supported; name a graph");
                };
                let mut store = self.store.write().unwrap_or_else(std::sync::PoisonError::into_inner);
                let result = if method == "DELETE" {
                    store.remove_graph(name.as_ref())
                } else {
                    let Some(format) = RdfFormat::from_media_type(&request.content_type()) else {
                        return Reply::text(415, format!("unsupported RDF media type {}", request.content_type()));
                    };
                    let parsed: Result<Vec<Quad>, _> = RdfParser::from_format(format)
                        .without_named_graphs()
                        .with_default_graph(name.clone())
                        .for_slice(&request.body)
                        .collect();
                    match parsed {
                        Err(e) => return Reply::text(400, format!("cannot parse the body: {e}")),
                        // A POST adds to the graph (a graph that cannot be read is an error,
                        // not replaced by the body alone); a PUT replaces it.
                        Ok(quads) if method == "POST" => store.add_to_graph(name.as_ref(), &quads),
                        Ok(quads) => store.replace_graph(name.as_ref(), &quads),
                    }
                };
                let saved = result.and_then(|()| store.save());
                self.store_changed();
                drop(store);
                match saved {
                    Ok(()) => Reply::empty(204),
                    Err(e) => store_error(e),
                }
            }
            _ => Reply::text(405, format!("method {} is not allowed on /store", request.method)),
        }
    }
}

pub(crate) fn store_error(e: StoreError) -> Reply {
    match e {
        StoreError::Syntax(message) => Reply::text(400, format!("malformed SPARQL: {message}")),
        StoreError::Cancelled => Reply::text(503, e.to_string()),
        e => Reply::text(500, e.to_string()),
    }
}

/// The SELECT/ASK result format for an Accept header (JSON when nothing matches).
pub(crate) fn results_format(accept: &str) -> (QueryResultsFormat, &'static str) {
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
pub(crate) fn graph_format(accept: &str) -> (RdfFormat, &'static str) {
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

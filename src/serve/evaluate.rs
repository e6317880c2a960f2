//! Where a query is evaluated. Oxigraph's evaluator checks its cancellation token only when
//! it reads the store, so a query whose work is in memory (a cartesian product under
//! COUNT, a large ORDER BY) runs on for minutes after its token fires, holding CPU and
//! memory. A thread cannot be stopped from outside; a process can. So `serve` evaluates
//! queries in evaluator processes (the same binary, started by the caller's command): each
//! loads the store once and answers one query at a time over its stdin and stdout. A query
//! past the time limit gets its process killed, which frees its CPU and memory at once;
//! the pool starts a fresh one when needed. After a write the pool's processes are stale
//! and are replaced. Without an evaluator command, queries run on a thread in-process.

use super::http::{self, Reply};
use super::{graph_format, results_format, store_error};
use crate::store::{GraphStore, QueryOptions};
use oxigraph::io::RdfSerializer;
use oxigraph::model::NamedNode;
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{CancellationToken, QueryResults};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// One query and how to answer it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryJob {
    pub query: String,
    pub default_graphs: Vec<String>,
    pub named_graphs: Vec<String>,
    pub accept: String,
}

/// The limits an answer is held to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Limits {
    pub timeout: Duration,
    pub max_result_bytes: usize,
}

/// How to start an evaluator process: a program and its arguments; the process runs
/// [`run_evaluator`] on its store.
#[derive(Debug, Clone)]
pub struct EvaluatorCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

pub fn timed_out(timeout: Duration) -> Reply {
    Reply::text(
        503,
        format!(
            "the query ran past the {} s time limit (--timeout) and was stopped",
            timeout.as_secs_f64()
        ),
    )
}

/// Evaluates `job` on `store` and serializes its results.
pub fn answer(store: &GraphStore, job: &QueryJob, token: &CancellationToken, limits: &Limits) -> Reply {
    let names = |iris: &[String]| -> Result<Vec<NamedNode>, Reply> {
        iris.iter()
            .map(|iri| NamedNode::new(iri.clone()).map_err(|e| Reply::text(400, format!("graph {iri}: {e}"))))
            .collect()
    };
    let (default_graphs, named_graphs) = match (names(&job.default_graphs), names(&job.named_graphs)) {
        (Ok(d), Ok(n)) => (d, n),
        (Err(reply), _) | (_, Err(reply)) => return reply,
    };
    let options = QueryOptions {
        default_graphs,
        named_graphs,
        cancel: Some(token.clone()),
    };
    match store.query_with(&job.query, &options) {
        Ok(results) => serialize(results, &job.accept, token, limits),
        Err(e) => store_error(e),
    }
}

/// What an evaluator process is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Work {
    Query(QueryJob),
    /// Runs an update on the process's copy of the store (never saved) to learn whether it
    /// ends within the time limit before the server runs it on the real store. The
    /// process is discarded after.
    Rehearse(String),
}

/// The reply header an evaluator process writes before the body.
#[derive(Debug, Serialize, Deserialize)]
struct ReplyHead {
    status: u16,
    content_type: String,
    length: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    work: Work,
    limits: Limits,
}

/// The evaluator process: opens the store, then answers one JSON request per line on stdin
/// with a JSON head line and the body on stdout, until stdin closes.
pub fn run_evaluator(store_dir: &std::path::Path) -> Result<(), crate::store::StoreError> {
    let store = GraphStore::open(store_dir)?;
    // Loading may take seconds on a large store; the server waits for this line before it
    // counts a query's time.
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{READY}")
            .and_then(|()| stdout.flush())
            .map_err(|e| crate::store::StoreError::Storage(format!("evaluator: {e}")))?;
    }
    // Ctrl-C reaches the whole process group: the server drains its requests in flight, so
    // its evaluators must not die first. They end when the server closes their stdin.
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::default());
    // Parsing and evaluating recurse over the query's tree: a thread with room for it.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("evaluator".into())
            .stack_size(super::EVALUATION_STACK)
            .spawn_scoped(scope, || answer_lines(&store))
            .map(|handle| {
                let _ = handle.join();
            })
    })
    .map_err(|e| crate::store::StoreError::Storage(format!("cannot start the evaluator thread: {e}")))
}

fn answer_lines(store: &GraphStore) {
    let stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lines() {
        let Ok(line) = line else { break };
        let reply = match serde_json::from_str::<Request>(&line) {
            Ok(Request {
                work: Work::Query(job),
                limits,
            }) => answer(store, &job, &CancellationToken::new(), &limits),
            Ok(Request {
                work: Work::Rehearse(update),
                ..
            }) => rehearse(store, &update),
            Err(e) => Reply::text(500, format!("evaluator: unreadable request: {e}")),
        };
        let head = ReplyHead {
            status: reply.status,
            content_type: reply.content_type.into_owned(),
            length: reply.body.len(),
        };
        let Ok(head) = serde_json::to_string(&head) else { break };
        let written = writeln!(stdout, "{head}")
            .and_then(|()| stdout.write_all(&reply.body))
            .and_then(|()| stdout.flush());
        if written.is_err() {
            break;
        }
    }
}

/// Runs `update` on the in-memory copy only.
fn rehearse(store: &GraphStore, update: &str) -> Reply {
    let prepared = match crate::sparql::evaluator().parse_update(update) {
        Ok(prepared) => prepared,
        Err(e) => {
            return store_error(crate::store::StoreError::Syntax(crate::sparql::syntax_message(
                update,
                &e.to_string(),
            )))
        }
    };
    let copy = match store.to_oxigraph() {
        Ok(copy) => copy,
        Err(e) => return store_error(e),
    };
    match prepared.on_store(&copy).execute() {
        Ok(()) => Reply::empty(204),
        Err(e) => store_error(crate::store::StoreError::Evaluation(e.to_string())),
    }
}

/// The line an evaluator writes once its store is loaded.
const READY: &str = "ready";

/// One running evaluator process.
struct Evaluator {
    child: Arc<Mutex<Child>>,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    generation: u64,
}

impl Evaluator {
    fn ask(&mut self, request: &Request) -> std::io::Result<Reply> {
        let line = serde_json::to_string(request).map_err(std::io::Error::other)?;
        writeln!(self.input, "{line}")?;
        self.input.flush()?;
        let mut head = String::new();
        if self.output.read_line(&mut head)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let head: ReplyHead = serde_json::from_str(&head).map_err(std::io::Error::other)?;
        let mut body = vec![0; head.length];
        self.output.read_exact(&mut body)?;
        Ok(Reply::bytes(head.status, head.content_type, body))
    }

    fn kill(child: &Mutex<Child>) {
        let mut child = child.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Evaluator processes, started when needed and kept while they are current.
pub struct Pool {
    command: EvaluatorCommand,
    idle: Mutex<Vec<Evaluator>>,
    /// Bumped by every write to the store: processes of an older generation are stale.
    generation: AtomicU64,
    keep: usize,
}

impl Pool {
    pub fn new(command: EvaluatorCommand, keep: usize) -> Self {
        Self {
            command,
            idle: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            keep: keep.max(1),
        }
    }

    /// Starts one process ahead of the first query.
    pub fn warm(&self) {
        if let Ok(evaluator) = self.start() {
            self.put_back(evaluator);
        }
    }

    /// The store changed: every idle process is stale.
    pub fn invalidate(self: &Arc<Self>) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let stale = std::mem::take(&mut *self.lock_idle());
        for evaluator in stale {
            Evaluator::kill(&evaluator.child);
        }
        self.warm_in_background();
    }

    /// Starts a replacement off the request's path, so the next query finds it loaded.
    fn warm_in_background(self: &Arc<Self>) {
        let pool = Arc::clone(self);
        let _ = std::thread::Builder::new()
            .name("evaluator-start".into())
            .spawn(move || pool.warm());
    }

    /// Does `work` in a process within `limits.timeout`; `None` when no process can be
    /// started (the caller then evaluates in-process).
    pub fn answer(self: &Arc<Self>, work: Work, limits: Limits) -> Option<Reply> {
        let reusable = matches!(work, Work::Query(_));
        let mut evaluator = self.take().ok()?;
        let child = Arc::clone(&evaluator.child);
        let (send, receive) = mpsc::channel();
        let pool = Arc::clone(self);
        let request = Request { work, limits };
        let spawned = std::thread::Builder::new().name("evaluator-io".into()).spawn(move || {
            let reply = evaluator.ask(&request);
            if reply.is_ok() && reusable {
                pool.put_back(evaluator);
            } else {
                Evaluator::kill(&evaluator.child);
            }
            let _ = send.send(reply);
        });
        if spawned.is_err() {
            Evaluator::kill(&child);
            return None;
        }
        Some(match receive.recv_timeout(limits.timeout) {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => Reply::text(
                500,
                format!("the query's evaluator process ended without an answer ({e}); the server goes on"),
            ),
            Err(_) => {
                Evaluator::kill(&child);
                self.warm_in_background();
                timed_out(limits.timeout)
            }
        })
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<Evaluator>> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> std::io::Result<Evaluator> {
        let current = self.generation.load(Ordering::SeqCst);
        while let Some(evaluator) = self.lock_idle().pop() {
            if evaluator.generation == current {
                return Ok(evaluator);
            }
            Evaluator::kill(&evaluator.child);
        }
        self.start()
    }

    fn put_back(&self, evaluator: Evaluator) {
        let mut idle = self.lock_idle();
        if evaluator.generation == self.generation.load(Ordering::SeqCst) && idle.len() < self.keep {
            idle.push(evaluator);
        } else {
            drop(idle);
            Evaluator::kill(&evaluator.child);
        }
    }

    fn start(&self) -> std::io::Result<Evaluator> {
        let generation = self.generation.load(Ordering::SeqCst);
        let mut child = Command::new(&self.command.program)
            .args(&self.command.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::other("the evaluator process has no pipes"));
        };
        let mut evaluator = Evaluator {
            child: Arc::new(Mutex::new(child)),
            input,
            output: BufReader::new(output),
            generation,
        };
        let mut line = String::new();
        let ready = evaluator.output.read_line(&mut line);
        if !matches!(ready, Ok(n) if n > 0 && line.trim_end() == READY) {
            Evaluator::kill(&evaluator.child);
            return Err(std::io::Error::other("the evaluator process could not load the store"));
        }
        Ok(evaluator)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for evaluator in std::mem::take(&mut *self.lock_idle()) {
            Evaluator::kill(&evaluator.child);
        }
    }
}

fn serialize(results: QueryResults<'_>, accept: &str, token: &CancellationToken, limits: &Limits) -> Reply {
    // Results computed before the first solution (ORDER BY, GROUP BY) are walked without
    // reading the store, so the deadline is also checked here.
    let deadline = Instant::now() + limits.timeout;
    let stopped = || token.is_cancelled() || Instant::now() > deadline;
    let mut out = http::Limited::new(limits.max_result_bytes);
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
                    if stopped() {
                        return Err(CANCELLED.to_owned());
                    }
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
                    if stopped() {
                        return Err(CANCELLED.to_owned());
                    }
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
        Err(message) if message == CANCELLED => timed_out(limits.timeout),
        Err(_) if out.overflowed() => Reply::text(
            500,
            format!(
                "the results exceed the {} byte limit (--max-result-bytes); narrow the query or add LIMIT",
                limits.max_result_bytes
            ),
        ),
        Err(message) => Reply::text(500, message),
    }
}

const CANCELLED: &str = "cancelled";

fn evaluation_message(e: oxigraph::sparql::QueryEvaluationError) -> String {
    match e {
        oxigraph::sparql::QueryEvaluationError::Cancelled => CANCELLED.to_owned(),
        e => e.to_string(),
    }
}

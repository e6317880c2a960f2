//! `policykg serve` under hostile requests and faults, over real HTTP against the real
//! binary: nesting and length limits, SERVICE/LOAD, queries and updates past the time limit
//! (stopped, CPU released), header/URL/body limits, slow clients, cross-site writes,
//! `--timeout` validation, graceful shutdown, and random bytes on the wire.

mod common;

use common::*;
use policykg::render::Renderer;
use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn start(store: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    serve(store, extra, env)
}

fn query(server: &Server, text: &str) -> Response {
    request(
        server,
        "POST",
        "/sparql",
        &[("Content-Type", "application/sparql-query"), ("Accept", "text/csv")],
        text.as_bytes(),
    )
}

fn seed_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    build_into(&[seeds()], dir.path(), Renderer::Builtin);
    let store = dir.path().join("store");
    (dir, store)
}

const COUNT: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
/// A cartesian product under COUNT: its work is in memory, where Oxigraph's cancellation
/// token is not checked.
const SLOW: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";

fn count(server: &Server) -> String {
    let reply = query(server, COUNT);
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body.lines().nth(1).unwrap_or_default().to_owned()
}

/// CPU time (user + system, in clock ticks) of a process and its children, from /proc.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let ticks = |stat: &str| -> Option<(u32, u64)> {
        let rest = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        let ppid = fields.get(1)?.parse().ok()?;
        let cpu = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some((ppid, cpu))
    };
    let mut total = ticks(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)?.1;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        if let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) {
            if let Some((ppid, cpu)) = ticks(&stat) {
                if ppid == pid {
                    total += cpu;
                }
            }
        }
    }
    Some(total)
}

#[test]
fn deep_nesting_is_refused_before_parsing_and_the_server_lives_on() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[], &[]);
    let before = count(&server);
    let deep = format!("SELECT * WHERE {}{}", "{".repeat(1000), "}".repeat(1000));
    let refused = query(&server, &deep);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("the limit is 64 levels"), "{}", refused.body);
    assert!(refused.body.contains("1:80:"), "{}", refused.body);
    // Nesting inside strings, IRIs and comments is not nesting.
    let quoted = format!(
        "SELECT * WHERE {{ ?s ?p \"{}\" }} # {}\n",
        "{".repeat(200),
        "(".repeat(200)
    );
    assert_eq!(query(&server, &quoted).status, 200);
    let long = format!("SELECT * WHERE {{ ?s ?p ?o }} #{}", "x".repeat(70_000));
    let refused = query(&server, &long);
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("the limit is 65536 bytes"), "{}", refused.body);
    assert_eq!(count(&server), before);
}

#[test]
fn service_and_load_are_refused_with_a_clear_400() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--allow-update"], &[]);
    let service = query(
        &server,
        "SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    );
    assert_eq!(service.status, 400);
    assert!(service.body.contains("2:3: SERVICE is not allowed"), "{}", service.body);
    let load = update(
        &server,
        "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://example.org/g>",
    );
    assert_eq!(load.status, 400);
    assert!(load.body.contains("LOAD is not allowed"), "{}", load.body);
    assert!(load.body.contains("/store"), "{}", load.body);
    // A variable or a prefixed name called service is no keyword.
    let fine = query(
        &server,
        "SELECT ?service WHERE { ?service <http://example.org/load> ?load }",
    );
    assert_eq!(fine.status, 200, "{}", fine.body);
}

#[test]
fn a_query_past_the_time_limit_is_stopped_and_its_cpu_released() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--timeout", "1", "--allow-update"], &[]);
    let before = count(&server);
    let started = Instant::now();
    let stopped = query(&server, SLOW);
    let answered = started.elapsed();
    assert_eq!(stopped.status, 503, "{}", stopped.body);
    assert!(stopped.body.contains("time limit"), "{}", stopped.body);
    assert!(answered < Duration::from_secs(3), "503 after {answered:?}");
    // Nothing keeps computing: over the next second the server and its evaluators use
    // (almost) no CPU. A query left running would use about 100 ticks.
    let pid = server.child.id();
    std::thread::sleep(Duration::from_millis(200));
    let ticks_before = cpu_ticks(pid).expect("/proc");
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu_ticks(pid).expect("/proc").saturating_sub(ticks_before);
    assert!(used < 30, "{used} ticks of CPU in the second after the 503");
    println!("503 after {answered:?}; CPU in the next second: {used} ticks");
    // The store is free: a write and a read answer at once.
    let started = Instant::now();
    assert_eq!(
        update(
            &server,
            "INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> <http://c> } }"
        )
        .status,
        204
    );
    assert_ne!(count(&server), before);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn an_update_past_the_time_limit_changes_nothing() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--timeout", "1", "--allow-update"], &[]);
    let before = count(&server);
    let sum = vec!["1"; 100_000].join("+");
    let slow = format!(
        "INSERT {{ GRAPH <http://example.org/g> {{ <http://a> <http://b> ?x }} }} WHERE {{ BIND({sum} AS ?x) }}"
    );
    let started = Instant::now();
    let stopped = update(&server, &slow);
    assert_eq!(stopped.status, 503, "{}", stopped.body);
    assert!(stopped.body.contains("nothing was changed"), "{}", stopped.body);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(count(&server), before);
    let on_disk = policykg::store::GraphStore::open(&store)
        .and_then(|s| s.canonical_nquads())
        .expect("reopen");
    assert!(!on_disk.contains("<http://a>"));
}

#[test]
fn the_api_is_under_the_same_time_limit() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--timeout", "0.000001"], &[]);
    let reply = request(&server, "GET", "/api/documents", &[], b"");
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert!(reply.body.contains("time limit"), "{}", reply.body);
    let normal = start(&store, &[], &[]);
    let reply = request(&normal, "GET", "/api/documents", &[], b"");
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn oversized_heads_urls_and_bodies_are_refused() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[], &[]);
    let big_header = "x".repeat(40 * 1024);
    let reply = request(&server, "GET", "/api/queries", &[("X-Big", &big_header)], b"");
    assert_eq!(reply.status, 431, "{}", reply.body);
    let many: Vec<(String, String)> = (0..150).map(|i| (format!("X-{i}"), "1".to_owned())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(request(&server, "GET", "/api/queries", &many, b"").status, 431);
    let long_url = format!("/sparql?query={}", "x".repeat(20 * 1024));
    assert_eq!(request(&server, "GET", &long_url, &[], b"").status, 414);
    // A body larger than the limit is refused from its Content-Length, unread.
    let reply = raw(
        &server,
        b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 50000000\r\n\r\nASK {}",
    );
    assert_eq!(reply.status, 413, "{}", reply.body);
    let chunked = raw(
        &server,
        b"POST /sparql HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Type: application/sparql-query\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n",
    );
    assert_eq!(chunked.status, 411);
    assert_eq!(raw(&server, b"GET / HTTP/1.1\r\nBad Header\r\n\r\n").status, 400);
    assert_eq!(raw(&server, b"GET / HTTP/3.0\r\n\r\n").status, 505);
    // A client may ask before sending its body.
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream
        .write_all(b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\nExpect: 100-continue\r\n\r\n")
        .expect("write");
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).expect("100 Continue");
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"ASK {}").expect("body");
    assert_eq!(read_response(&mut stream).status, 200);
    assert!(count(&server).parse::<u64>().is_ok());
}

#[test]
fn a_request_that_arrives_too_slowly_is_answered_408() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--read-timeout", "1"], &[]);
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    stream
        .write_all(b"POST /sparql HTTP/1.1\r\nContent-Length: 100\r\n\r\nASK")
        .expect("write");
    let started = Instant::now();
    let reply = read_response(&mut stream);
    assert_eq!(reply.status, 408, "{}", reply.body);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn slow_clients_do_not_starve_a_normal_query() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--threads", "2", "--read-timeout", "30"], &[]);
    // Eight clients that send their body (4) or their headers (4) a byte at a time.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let slow: Vec<_> = (0..8)
        .map(|i| {
            let addr = server.addr.clone();
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).expect("connect");
                let start: &[u8] = if i % 2 == 0 {
                    b"POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\n"
                } else {
                    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n"
                };
                let _ = stream.write_all(start);
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let _ = stream.write_all(if i % 2 == 0 { b" " } else { b"X" });
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let reply = query(&server, "ASK { ?s ?p ?o }");
        slowest = slowest.max(started.elapsed());
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for client in slow {
        let _ = client.join();
    }
    println!("slowest of 5 queries beside 8 slow clients: {slowest:?}");
    assert!(
        slowest < Duration::from_secs(2),
        "a query took {slowest:?} beside slow clients"
    );
}

#[test]
fn a_cross_site_form_cannot_change_the_store() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--allow-update"], &[]);
    let before = count(&server);
    let form = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Origin", "http://evil.example"),
    ];
    let refused = request(&server, "POST", "/update", &form, b"update=DROP+ALL");
    assert_eq!(refused.status, 403, "{}", refused.body);
    // Without an Origin, a form type is still what a cross-site form sends.
    let bare_form = request(
        &server,
        "POST",
        "/update",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"update=DROP+ALL",
    );
    assert_eq!(bare_form.status, 403);
    assert!(bare_form.body.contains("--update-token"), "{}", bare_form.body);
    let text_plain = request(
        &server,
        "POST",
        "/update",
        &[("Content-Type", "text/plain")],
        b"DROP ALL",
    );
    assert_eq!(text_plain.status, 403);
    let other_origin = request(
        &server,
        "POST",
        "/update",
        &[
            ("Content-Type", "application/sparql-update"),
            ("Origin", "http://evil.example"),
        ],
        b"DROP ALL",
    );
    assert_eq!(other_origin.status, 403);
    let graph_delete = request(
        &server,
        "DELETE",
        "/store?graph=http://example.org/g",
        &[("Origin", "http://evil.example")],
        b"",
    );
    assert_eq!(graph_delete.status, 403);
    assert_eq!(count(&server), before);
    // The server's own page (same origin) and tools without an Origin may write.
    let own = format!("http://{}", server.addr);
    let insert = b"INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> <http://c> } }";
    let from_page = request(
        &server,
        "POST",
        "/update",
        &[("Content-Type", "application/sparql-update"), ("Origin", &own)],
        insert,
    );
    assert_eq!(from_page.status, 204, "{}", from_page.body);
    assert_ne!(count(&server), before);
}

#[test]
fn with_an_update_token_every_write_needs_it() {
    let (_dir, store) = seed_store();
    let server = start(&store, &["--allow-update"], &[("POLICYKG_UPDATE_TOKEN", "t0ken")]);
    let before = count(&server);
    let insert = b"INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> <http://c> } }";
    let sparql = ("Content-Type", "application/sparql-update");
    assert_eq!(request(&server, "POST", "/update", &[sparql], insert).status, 401);
    assert_eq!(
        request(
            &server,
            "POST",
            "/update",
            &[sparql, ("Authorization", "Bearer nope")],
            insert
        )
        .status,
        403
    );
    assert_eq!(count(&server), before);
    let form = request(
        &server,
        "POST",
        "/update",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", "Bearer t0ken"),
        ],
        format!("update={}", form_urlencoded::byte_serialize(insert).collect::<String>()).as_bytes(),
    );
    assert_eq!(form.status, 204, "{}", form.body);
    assert_ne!(count(&server), before);
}

#[test]
fn timeouts_out_of_range_are_clear_errors() {
    for bad in ["1e300", "nan", "inf", "0", "-1", "abc", "86401"] {
        for flag in ["--timeout", "--read-timeout"] {
            let output = Command::new(assert_cmd::cargo::cargo_bin("policykg"))
                .args(["serve", "--store", "/nonexistent", &format!("{flag}={bad}")])
                .output()
                .expect("run");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{flag} {bad}: {stderr}");
            assert!(stderr.contains(flag), "{flag} {bad}: {stderr}");
            assert!(
                stderr.contains("not a number") || stderr.contains("out of range"),
                "{flag} {bad}: {stderr}"
            );
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}

#[test]
fn sigterm_finishes_requests_in_flight_then_exits_0() {
    let (_dir, store) = seed_store();
    let mut server = start(&store, &[], &[]);
    // A request in flight: its head is in, its body comes after the signal.
    let mut stream = TcpStream::connect(&server.addr).expect("connect");
    let body = b"ASK { ?s ?p ?o }";
    stream
        .write_all(
            format!(
                "POST /sparql HTTP/1.1\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .expect("head");
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    // No new connection is served...
    let refused = TcpStream::connect(&server.addr)
        .and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(2)))?;
            s.write_all(b"GET /api/queries HTTP/1.1\r\n\r\n")?;
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).map(|_| buf)
        })
        .map_or(true, |buf| buf.is_empty());
    assert!(refused, "a connection after SIGTERM was answered");
    // ...but the one in flight is answered in full.
    stream.write_all(body).expect("body");
    let reply = read_response(&mut stream);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("true"), "{}", reply.body);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

/// Whatever arrives on the wire, the server answers (or closes) and keeps serving.
#[test]
fn random_requests_never_take_the_server_down() {
    let (_dir, store) = seed_store();
    let server = start(&store, &[], &[]);
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..600),
        "[A-Z]{0,8} /[ -~]{0,80} HTTP/1\\.[01]",
        "[ -~]{0,200}",
        1usize..200,
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    });
    let outcome = runner.run(&strategy, |(junk, line, header, depth)| {
        let _ = raw(&server, &junk);
        let _ = raw(&server, format!("{line}\r\n{header}\r\n\r\n").as_bytes());
        let nested = format!("ASK {}{}", "{".repeat(depth), "}".repeat(depth));
        let reply = query(&server, &nested);
        prop_assert_eq!(reply.status, if depth > 64 { 400 } else { 200 }, "{}", reply.body);
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

//! Connections, from accept to the last byte of the reply.
//!
//! One thread accepts and never reads. Each connection gets a small reader thread (at most
//! [`Limits::max_connections`] at once; past that a connection is answered 503 at once)
//! that reads one request under size limits and one deadline for the whole request, hands
//! it to a pool of N workers, and writes the reply. A slow client therefore holds only its
//! own reader thread, never a worker: the pool answers everyone else. One request per
//! connection (`Connection: close`).

use super::http::{Reply, Request};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// What one request may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest request target (path and query string): 414 past it.
    pub max_target: usize,
    /// Largest request line and headers together: 431 past it.
    pub max_head: usize,
    /// Most header fields: 431 past it.
    pub max_headers: usize,
    /// Largest body: 413 past it (told by Content-Length, before reading it).
    pub max_body: usize,
    /// The whole request (head and body) must arrive within this: 408 otherwise.
    pub read_timeout: Duration,
    /// A client must take the reply within this.
    pub write_timeout: Duration,
    /// Connections being read or answered at once: 503 past it.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_target: 16 * 1024,
            max_head: 32 * 1024,
            max_headers: 100,
            max_body: 32 * 1024 * 1024,
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 256,
        }
    }
}

/// A request handler shared by the workers.
pub type Handler = Arc<dyn Fn(Request) -> Reply + Send + Sync>;

/// What the server needs to add to every reply.
#[derive(Debug, Clone, Default)]
pub struct ReplyHeaders {
    pub cors: Option<String>,
}

type Job = (Request, mpsc::Sender<Reply>);

/// Accepts connections until `stop` is set (and the listener woken by a connection), then
/// stops accepting, lets every connection in flight finish, and returns.
pub fn run(
    listener: TcpListener,
    limits: Limits,
    workers: usize,
    handler: Handler,
    extra: ReplyHeaders,
    stop: Arc<AtomicBool>,
) {
    let (jobs, queue) = mpsc::sync_channel::<Job>(limits.max_connections);
    let queue = Arc::new(Mutex::new(queue));
    let pool: Vec<_> = (0..workers.max(1))
        .filter_map(|i| {
            let queue = Arc::clone(&queue);
            let handler = Arc::clone(&handler);
            std::thread::Builder::new()
                .name(format!("worker-{i}"))
                .spawn(move || loop {
                    let job = queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).recv();
                    let Ok((request, reply_to)) = job else { break };
                    let _ = reply_to.send(handler(request));
                })
                .ok()
        })
        .collect();
    let open = Arc::new(AtomicUsize::new(0));
    let extra = Arc::new(extra);
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(mut stream) = stream else { continue };
        if open.load(Ordering::SeqCst) >= limits.max_connections {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let busy = Reply::text(503, "the server has too many open connections; try again shortly");
            write_reply(&mut stream, busy, false, &extra);
            continue;
        }
        open.fetch_add(1, Ordering::SeqCst);
        let guard = OpenGuard(Arc::clone(&open));
        let jobs = jobs.clone();
        let extra = Arc::clone(&extra);
        let spawned = std::thread::Builder::new()
            .name("connection".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let _guard = guard;
                serve_connection(stream, &limits, &jobs, &extra);
            });
        // Without a thread the connection is dropped (and its guard with it).
        drop(spawned);
    }
    drop(listener);
    // Finish what is in flight: every connection ends within its read, time and write limits.
    while open.load(Ordering::SeqCst) > 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(jobs);
    for worker in pool {
        let _ = worker.join();
    }
}

struct OpenGuard(Arc<AtomicUsize>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn serve_connection(mut stream: TcpStream, limits: &Limits, jobs: &mpsc::SyncSender<Job>, extra: &ReplyHeaders) {
    let _ = stream.set_write_timeout(Some(limits.write_timeout));
    let (reply, head_only) = match read_request(&mut stream, limits) {
        Ok(mut request) => {
            request.local = stream.local_addr().ok();
            let head_only = request.method == "HEAD";
            let (send, receive) = mpsc::channel();
            if jobs.send((request, send)).is_err() {
                return;
            }
            match receive.recv() {
                Ok(reply) => (reply, head_only),
                Err(_) => (Reply::text(500, "the request could not be answered"), head_only),
            }
        }
        Err(Failure::Closed) => return,
        Err(Failure::Reply(reply)) => (reply, false),
    };
    write_reply(&mut stream, reply, head_only, extra);
}

enum Failure {
    /// The client went away (or sent nothing): nobody to answer.
    Closed,
    Reply(Reply),
}

/// Reads one request from `stream` within `limits`.
fn read_request(stream: &mut TcpStream, limits: &Limits) -> Result<Request, Failure> {
    let deadline = Instant::now() + limits.read_timeout;
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 8192];
    let mut scanned = 0;
    let head_end = loop {
        if let Some(end) = head_end(&buffer, scanned) {
            break end;
        }
        scanned = buffer.len().saturating_sub(3);
        if buffer.len() > limits.max_head {
            return Err(Failure::Reply(oversized_head(&buffer, limits)));
        }
        let n = read_before(stream, &mut chunk, deadline, limits, buffer.is_empty())?;
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = parse_head(&buffer[..head_end], limits).map_err(Failure::Reply)?;
    let length = body_length(&head)?;
    if length > limits.max_body {
        return Err(Failure::Reply(Reply::text(
            413,
            format!(
                "the request body is {length} bytes; the limit is {} bytes",
                limits.max_body
            ),
        )));
    }
    let mut body = buffer.split_off(head_end);
    body.truncate(length);
    if body.len() < length
        && head
            .header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    while body.len() < length {
        let want = (length - body.len()).min(chunk.len());
        let n = read_before(stream, &mut chunk[..want], deadline, limits, false)?;
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Request::new(&head.method, &head.target, head.headers, body))
}

/// Reads some bytes before `deadline`: 408 past it, `Closed` when the client hung up.
fn read_before(
    stream: &mut TcpStream,
    chunk: &mut [u8],
    deadline: Instant,
    limits: &Limits,
    nothing_yet: bool,
) -> Result<usize, Failure> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            // A connection opened and never used is closed without a word.
            return Err(if nothing_yet {
                Failure::Closed
            } else {
                Failure::Reply(Reply::text(
                    408,
                    format!(
                        "the request did not arrive within {} s (--read-timeout)",
                        limits.read_timeout.as_secs_f64()
                    ),
                ))
            });
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.read(chunk) {
            Ok(0) => return Err(Failure::Closed),
            Ok(n) => return Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return Err(Failure::Closed),
        }
    }
}

/// The end of the head (after its blank line), searching from `from`.
fn head_end(buffer: &[u8], from: usize) -> Option<usize> {
    let tail = &buffer[from.min(buffer.len())..];
    let crlf = tail.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = tail.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let end = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some(from.min(buffer.len()) + end)
}

fn oversized_head(buffer: &[u8], limits: &Limits) -> Reply {
    let first_line = buffer.iter().position(|&b| b == b'\n').unwrap_or(buffer.len());
    if first_line > limits.max_target {
        Reply::text(
            414,
            format!("the request URL is longer than {} bytes", limits.max_target),
        )
    } else {
        Reply::text(
            431,
            format!("the request headers are larger than {} bytes", limits.max_head),
        )
    }
}

/// A request line and header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a request head (request line, header fields, the blank line); the reply to send
/// when it is malformed or too large.
pub fn parse_head(head: &[u8], limits: &Limits) -> Result<Head, Reply> {
    let bad = |message: &str| Reply::text(400, format!("malformed request: {message}"));
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .skip_while(|line| line.is_empty());
    let request_line = lines.next().ok_or_else(|| bad("no request line"))?;
    let request_line = std::str::from_utf8(request_line).map_err(|_| bad("the request line is not ASCII"))?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not METHOD TARGET VERSION"));
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(bad("the method is not a token"));
    }
    if target.len() > limits.max_target {
        return Err(Reply::text(
            414,
            format!("the request URL is longer than {} bytes", limits.max_target),
        ));
    }
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(bad("the request target is empty or holds a space or control character"));
    }
    if !version.starts_with("HTTP/1.") {
        return Err(Reply::text(505, format!("{version} is not served; speak HTTP/1.1")));
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if headers.len() == limits.max_headers {
            return Err(Reply::text(
                431,
                format!("more than {} request header fields", limits.max_headers),
            ));
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(bad("folded header lines are not accepted"));
        }
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| bad("a header line has no colon"))?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty() || !name.iter().copied().all(is_token_byte) {
            return Err(bad("a header name is not a token"));
        }
        let value = String::from_utf8_lossy(value).trim().to_owned();
        headers.push((String::from_utf8_lossy(name).into_owned(), value));
    }
    Ok(Head {
        method: method.to_owned(),
        target: origin_form(target).to_owned(),
        headers,
    })
}

/// `http://host/path?q` → `/path?q`; other targets as they are.
fn origin_form(target: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = target.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    target
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn body_length(head: &Head) -> Result<usize, Failure> {
    if head.header("Transfer-Encoding").is_some() {
        return Err(Failure::Reply(Reply::text(
            411,
            "send the request body with Content-Length (chunked bodies are not accepted)",
        )));
    }
    let mut length = None;
    for (_, value) in head
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
    {
        let parsed = (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
            .then(|| value.parse::<usize>().unwrap_or(usize::MAX));
        match (parsed, length) {
            (None, _) => {
                return Err(Failure::Reply(Reply::text(
                    400,
                    format!("malformed request: Content-Length {value} is not a number"),
                )))
            }
            (Some(n), Some(m)) if n != m => {
                return Err(Failure::Reply(Reply::text(
                    400,
                    "malformed request: two different Content-Length values",
                )))
            }
            (Some(n), _) => length = Some(n),
        }
    }
    Ok(length.unwrap_or(0))
}

/// Writes `reply` and closes the connection; a client that went away is not an error.
fn write_reply(stream: &mut TcpStream, reply: Reply, head_only: bool, extra: &ReplyHeaders) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len()
    );
    if let Some(origin) = &extra.cors {
        let origin: String = origin.chars().filter(|c| !c.is_control()).collect();
        head.push_str(&format!(
            "Access-Control-Allow-Origin: {origin}\r\nAccess-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS\r\nAccess-Control-Allow-Headers: Content-Type, Accept, Authorization\r\n"
        ));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&reply.body);
    }
    if stream.write_all(&bytes).is_err() {
        return;
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
    // Read what the client still sends (an unread body) for a moment, so closing does not
    // reset the connection before the client has read the reply.
    let until = Instant::now() + Duration::from_millis(500);
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    while drained < 1024 * 1024 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The address to connect to so that a blocked `accept` returns (loopback for a wildcard bind).
pub fn wake_address(bound: SocketAddr) -> SocketAddr {
    let mut addr = bound;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    addr
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn limits() -> Limits {
        Limits {
            max_target: 64,
            max_head: 256,
            max_headers: 4,
            ..Limits::default()
        }
    }

    #[test]
    fn heads_parse_or_are_refused_with_the_right_status() {
        let head = parse_head(
            b"GET /sparql?query=x HTTP/1.1\r\nHost: a\r\nAccept:  text/csv \r\n\r\n",
            &limits(),
        )
        .expect("parses");
        assert_eq!(head.method, "GET");
        assert_eq!(head.target, "/sparql?query=x");
        assert_eq!(head.header("accept"), Some("text/csv"));
        let absolute = parse_head(b"GET http://h:1/api/x?y HTTP/1.1\r\n\r\n", &limits()).expect("parses");
        assert_eq!(absolute.target, "/api/x?y");
        for (raw, status) in [
            (&b"GET / HTTP/1.1 extra\r\n\r\n"[..], 400),
            (b"GET /\r\n\r\n", 400),
            (b"G{T / HTTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/2\r\n\r\n", 505),
            (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 431),
            (b"\r\n\r\n", 400),
        ] {
            assert_eq!(
                parse_head(raw, &limits()).map(|_| ()).map_err(|r| r.status),
                Err(status),
                "{}",
                String::from_utf8_lossy(raw)
            );
        }
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(64));
        assert_eq!(
            parse_head(long.as_bytes(), &limits()).map_err(|r| r.status).err(),
            Some(414)
        );
    }

    #[test]
    fn content_length_must_be_one_number() {
        let length = |raw: &[u8]| match parse_head(raw, &limits()).map(|h| body_length(&h)) {
            Ok(Ok(n)) => Ok(n),
            Ok(Err(Failure::Reply(r))) | Err(r) => Err(r.status),
            Ok(Err(Failure::Closed)) => Err(0),
        };
        assert_eq!(length(b"POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"), Ok(12));
        assert_eq!(length(b"POST / HTTP/1.1\r\n\r\n"), Ok(0));
        assert_eq!(length(b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), Err(400));
        assert_eq!(
            length(b"POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\n"),
            Err(400)
        );
        assert_eq!(
            length(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(411)
        );
        assert_eq!(
            length(b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n"),
            Ok(usize::MAX)
        );
    }

    #[test]
    fn the_head_ends_at_the_first_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\nbody", 0), Some(18));
        assert_eq!(head_end(b"GET / HTTP/1.1\n\nbody", 0), Some(16));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n", 0), None);
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\n", 14), Some(18));
    }

    proptest! {
        #[test]
        fn any_bytes_parse_or_are_refused_without_panic(raw in proptest::collection::vec(any::<u8>(), 0..400)) {
            match parse_head(&raw, &limits()) {
                Ok(head) => {
                    prop_assert!(head.headers.len() <= 4);
                    prop_assert!(head.target.len() <= 64);
                    let _ = body_length(&head);
                }
                Err(reply) => prop_assert!(matches!(reply.status, 400 | 414 | 431 | 505)),
            }
            let _ = head_end(&raw, raw.len() / 2);
        }

        #[test]
        fn well_formed_heads_round_trip(
            method in "[A-Z]{1,7}",
            path in "/[a-z0-9/?=&%]{0,40}",
            fields in proptest::collection::vec(("[A-Za-z-]{1,12}", "[ -~]{0,30}"), 0..4),
        ) {
            let mut raw = format!("{method} {path} HTTP/1.1\r\n");
            for (k, v) in &fields {
                raw.push_str(&format!("{k}: {v}\r\n"));
            }
            raw.push_str("\r\n");
            let head = parse_head(raw.as_bytes(), &limits()).map_err(|r| r.status);
            let head = head.expect("a well-formed head parses");
            prop_assert_eq!(&head.method, &method);
            prop_assert_eq!(&head.target, &path);
            let expected: Vec<(String, String)> =
                fields.iter().map(|(k, v)| (k.clone(), v.trim().to_owned())).collect();
            prop_assert_eq!(head.headers, expected);
        }
    }
}

//! The HTTP plumbing of the server: requests read into a plain struct (with a body size
//! limit), replies, content negotiation, and a writer that stops at a size limit.

use std::io::{Read, Write};

/// Largest request body accepted (queries, updates, graphs).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// A request, read whole.
pub struct Request {
    pub method: String,
    pub path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    form: Option<Vec<(String, String)>>,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn params_all(&self, name: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has_param(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    pub fn form(&self, name: &str) -> Option<String> {
        self.form
            .as_ref()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    pub fn form_all(&self, name: &str) -> Vec<String> {
        self.form
            .iter()
            .flatten()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of the body, without parameters, lowercase.
    pub fn content_type(&self) -> &str {
        self.header("Content-Type")
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .unwrap_or("")
    }

    pub fn accept(&self) -> String {
        self.header("Accept").unwrap_or("").to_owned()
    }
}

/// A reply to send.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type,
            body,
        }
    }

    pub fn text(status: u16, message: impl Into<String>) -> Self {
        let mut body = message.into().into_bytes();
        body.push(b'\n');
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }

    pub fn json(value: &serde_json::Value) -> Self {
        Self::bytes(200, "application/json; charset=utf-8", value.to_string().into_bytes())
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Vec::new(),
        }
    }
}

/// Reads a request whole; on failure, the reply to send instead.
#[allow(clippy::result_large_err)]
pub fn read(mut raw: tiny_http::Request) -> Result<(tiny_http::Request, Request), (tiny_http::Request, Reply)> {
    let url = raw.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let headers: Vec<(String, String)> = raw
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_str().to_owned(), h.value.as_str().to_owned()))
        .collect();
    let mut body = Vec::new();
    let read = raw.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut body);
    if read.is_err() {
        return Err((raw, Reply::text(400, "cannot read the request body")));
    }
    if body.len() > MAX_BODY {
        return Err((
            raw,
            Reply::text(413, format!("the request body exceeds {MAX_BODY} bytes")),
        ));
    }
    let mut request = Request {
        method: raw.method().as_str().to_ascii_uppercase(),
        path: path.to_owned(),
        query,
        headers,
        body,
        form: None,
    };
    if request.content_type() == "application/x-www-form-urlencoded" {
        request.form = Some(form_urlencoded::parse(&request.body).into_owned().collect());
    }
    Ok((raw, request))
}

/// Sends a reply; a client that went away is not an error.
pub fn respond(raw: tiny_http::Request, reply: Reply, cors: Option<&str>) {
    let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", reply.content_type.to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
    ];
    if let Some(origin) = cors {
        headers.push(("Access-Control-Allow-Origin", origin.to_owned()));
        headers.push((
            "Access-Control-Allow-Methods",
            "GET, POST, PUT, DELETE, OPTIONS".to_owned(),
        ));
        headers.push(("Access-Control-Allow-Headers", "Content-Type, Accept".to_owned()));
    }
    for (name, value) in headers {
        if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    let _ = raw.respond(response);
}

/// The first option the Accept header prefers (by q-value, then order), if any is named.
pub fn negotiate<T: Copy>(accept: &str, options: &[(&str, T, &'static str)]) -> Option<(T, &'static str)> {
    let mut ranges: Vec<(f32, usize, String)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let media = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!media.is_empty() && q > 0.0).then_some((q, i, media))
        })
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, _, media) in ranges {
        if let Some((_, value, mime)) = options.iter().find(|(m, _, _)| *m == media) {
            return Some((*value, mime));
        }
        if media == "*/*" {
            return None;
        }
    }
    None
}

/// A byte buffer that refuses to grow past a limit.
pub struct Limited {
    buffer: Vec<u8>,
    limit: usize,
    overflowed: bool,
}

impl Limited {
    pub fn new(limit: usize) -> Self {
        Self {
            buffer: Vec::new(),
            limit,
            overflowed: false,
        }
    }

    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    pub fn into_inner(self) -> Vec<u8> {
        self.buffer
    }
}

impl Write for Limited {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buffer.len() + data.len() > self.limit {
            self.overflowed = true;
            return Err(std::io::Error::other("result size limit reached"));
        }
        self.buffer.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_q_values() {
        let options = [
            ("text/csv", 1, "text/csv"),
            ("application/sparql-results+json", 2, "json"),
        ];
        assert_eq!(negotiate("text/csv", &options).map(|o| o.0), Some(1));
        assert_eq!(
            negotiate("text/csv;q=0.5, application/sparql-results+json", &options).map(|o| o.0),
            Some(2)
        );
        assert_eq!(negotiate("*/*", &options), None);
        assert_eq!(negotiate("", &options), None);
        assert_eq!(negotiate("image/png, text/csv;q=0.1", &options).map(|o| o.0), Some(1));
    }

    #[test]
    fn the_limited_writer_stops_at_its_limit() {
        let mut w = Limited::new(4);
        assert!(w.write_all(b"abc").is_ok());
        assert!(w.write_all(b"de").is_err());
        assert!(w.overflowed());
    }
}

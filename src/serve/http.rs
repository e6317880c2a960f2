//! The HTTP plumbing of the server: requests as a plain struct, replies, content
//! negotiation, and a writer that stops at a size limit. Reading them off a socket is
//! `connection`'s job.

use std::io::Write;
use std::net::SocketAddr;

/// A request, read whole.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub(crate) form: Option<Vec<(String, String)>>,
    /// The address the client connected to: the server's own origin for it.
    pub local: Option<SocketAddr>,
}

impl Request {
    /// A request from its parts: `target` is the request target (path and query string).
    pub fn new(method: &str, target: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut request = Self {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            query: form_urlencoded::parse(query.as_bytes()).into_owned().collect(),
            headers,
            body,
            form: None,
            local: None,
        };
        if request.content_type() == "application/x-www-form-urlencoded" {
            request.form = Some(form_urlencoded::parse(&request.body).into_owned().collect());
        }
        request
    }

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
    pub fn content_type(&self) -> String {
        self.header("Content-Type")
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    }

    pub fn accept(&self) -> String {
        self.header("Accept").unwrap_or("").to_owned()
    }
}

/// A reply to send.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: std::borrow::Cow<'static, str>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn bytes(status: u16, content_type: impl Into<std::borrow::Cow<'static, str>>, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: content_type.into(),
            body,
        }
    }

    pub fn text(status: u16, message: impl Into<String>) -> Self {
        let mut body = message.into().into_bytes();
        body.push(b'\n');
        Self {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body,
        }
    }

    pub fn json(value: &serde_json::Value) -> Self {
        Self::bytes(200, "application/json; charset=utf-8", value.to_string().into_bytes())
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body: Vec::new(),
        }
    }
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

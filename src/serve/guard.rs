//! Who may change the store. A browser lets any page send a "simple" cross-site request
//! (a form POST of `application/x-www-form-urlencoded`, `multipart/form-data` or
//! `text/plain`) without asking the server first, so with `--allow-update` alone a page
//! elsewhere could post `update=DROP ALL`. A write is accepted only when
//!
//! - its `Origin` header is absent (not a browser) or is this server's own origin (or the
//!   one `--cors` names), and
//! - it carries the update token (`Authorization: Bearer …`) when one is set, or, when none
//!   is set, its content type is not one a form can send.

use super::http::{Reply, Request};

/// Content types a cross-site form can send without a preflight.
const SIMPLE_TYPES: [&str; 3] = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

/// What writes must show.
#[derive(Debug, Clone, Default)]
pub struct WritePolicy {
    /// The bearer token every write must carry, when set.
    pub token: Option<String>,
    /// An origin trusted besides the server's own (`--cors`), unless it is `*`.
    pub cors: Option<String>,
}

impl WritePolicy {
    /// `Ok` when `request` may change the store; otherwise the refusal to send.
    pub fn authorize(&self, request: &Request) -> Result<(), Reply> {
        if let Some(origin) = request.header("Origin") {
            if !self.own_origin(request, origin) {
                return Err(Reply::text(
                    403,
                    format!(
                        "a page from {origin} may not change this store: writes are accepted only from \
                         this server's own pages or without an Origin header"
                    ),
                ));
            }
        }
        match &self.token {
            Some(token) => {
                let given = request
                    .header("Authorization")
                    .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                    .map(str::trim);
                match given {
                    Some(given) if same_secret(given.as_bytes(), token.as_bytes()) => Ok(()),
                    Some(_) => Err(Reply::text(403, "the update token is wrong")),
                    None => Err(Reply::text(
                        401,
                        "this server takes writes only with its update token: send Authorization: Bearer TOKEN",
                    )),
                }
            }
            None if SIMPLE_TYPES.contains(&request.content_type().as_str()) => Err(Reply::text(
                403,
                format!(
                    "a write sent as {} could come from a form on any web site, so it is refused: send \
                     application/sparql-update (or an RDF type to /store), or start the server with \
                     --update-token and send Authorization: Bearer TOKEN",
                    request.content_type()
                ),
            )),
            None => Ok(()),
        }
    }

    fn own_origin(&self, request: &Request, origin: &str) -> bool {
        let origin = origin.trim().trim_end_matches('/');
        if self
            .cors
            .as_deref()
            .is_some_and(|cors| cors != "*" && cors.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return true;
        }
        let Some(local) = request.local else { return false };
        let mut own = vec![format!("http://{local}")];
        if local.ip().is_loopback() {
            own.push(format!("http://localhost:{}", local.port()));
        }
        own.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let headers = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut request = Request::new("POST", "/update", headers, b"update=DROP+ALL".to_vec());
        request.local = "127.0.0.1:7878".parse().ok();
        request
    }

    #[test]
    fn a_cross_site_form_cannot_write() {
        let open = WritePolicy::default();
        let form = [("Content-Type", "application/x-www-form-urlencoded")];
        assert_eq!(open.authorize(&request(&form)).map_err(|r| r.status), Err(403));
        let upper = [("Content-Type", "Text/Plain; charset=utf-8")];
        assert_eq!(open.authorize(&request(&upper)).map_err(|r| r.status), Err(403));
        let elsewhere = [
            ("Content-Type", "application/sparql-update"),
            ("Origin", "http://evil.example"),
        ];
        assert_eq!(open.authorize(&request(&elsewhere)).map_err(|r| r.status), Err(403));
        let null = [("Content-Type", "application/sparql-update"), ("Origin", "null")];
        assert_eq!(open.authorize(&request(&null)).map_err(|r| r.status), Err(403));
    }

    #[test]
    fn own_pages_and_tools_can_write() {
        let open = WritePolicy::default();
        for headers in [
            &[("Content-Type", "application/sparql-update")][..],
            &[
                ("Content-Type", "application/sparql-update"),
                ("Origin", "http://127.0.0.1:7878"),
            ],
            &[
                ("Content-Type", "application/sparql-update"),
                ("Origin", "http://localhost:7878/"),
            ],
            &[("Content-Type", "text/turtle")],
        ] {
            assert!(open.authorize(&request(headers)).is_ok(), "{headers:?}");
        }
        let cors = WritePolicy {
            cors: Some("http://app.example".into()),
            ..WritePolicy::default()
        };
        let from_app = [
            ("Content-Type", "application/sparql-update"),
            ("Origin", "http://app.example"),
        ];
        assert!(cors.authorize(&request(&from_app)).is_ok());
        let star = WritePolicy {
            cors: Some("*".into()),
            ..WritePolicy::default()
        };
        assert!(star.authorize(&request(&from_app)).is_err());
    }

    #[test]
    fn a_token_is_required_once_set_and_lets_forms_in() {
        let policy = WritePolicy {
            token: Some("s3cret".into()),
            ..WritePolicy::default()
        };
        let form = ("Content-Type", "application/x-www-form-urlencoded");
        assert_eq!(policy.authorize(&request(&[form])).map_err(|r| r.status), Err(401));
        assert_eq!(
            policy
                .authorize(&request(&[form, ("Authorization", "Bearer guess")]))
                .map_err(|r| r.status),
            Err(403)
        );
        assert!(policy
            .authorize(&request(&[form, ("Authorization", "Bearer s3cret")]))
            .is_ok());
        let elsewhere = [
            form,
            ("Authorization", "Bearer s3cret"),
            ("Origin", "http://evil.example"),
        ];
        assert_eq!(policy.authorize(&request(&elsewhere)).map_err(|r| r.status), Err(403));
    }
}

//! What a query or update must pass before the SPARQL parser sees it: a length limit, a
//! nesting limit (the parser recurses once per bracket, and 1000 nested `{` overflow its
//! stack), and no SERVICE or LOAD (this endpoint never fetches remote data).
//!
//! A small lexer reads the text once: brackets, braces and parentheses count only outside
//! strings (all four quote forms, with escapes), IRIs (`<…>`, told apart from `<` the
//! operator) and `#` comments; keywords count only as whole bare words.

/// The limits one text is held to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest text, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of `{`, `(` and `[` together.
    pub max_depth: usize,
}

/// Queries: longer than any hand-written or named query by far.
pub const QUERY: Limits = Limits {
    max_bytes: 64 * 1024,
    max_depth: 64,
};

/// Updates may carry data (INSERT DATA); bulk data belongs at /store.
pub const UPDATE: Limits = Limits {
    max_bytes: 1024 * 1024,
    max_depth: 64,
};

/// Why a text is refused; every variant becomes a 400 with its message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the text is {bytes} bytes long; the limit is {max} bytes")]
    TooLong { bytes: usize, max: usize },
    #[error(
        "{line}:{column}: brackets nest {max} levels deep here and this one goes deeper; \
         the limit is {max} levels of {{ }}, ( ) and [ ] together"
    )]
    TooDeep { line: usize, column: usize, max: usize },
    #[error(
        "{line}:{column}: SERVICE is not allowed: this endpoint does not send queries to \
         other endpoints"
    )]
    Service { line: usize, column: usize },
    #[error(
        "{line}:{column}: LOAD is not allowed: this endpoint does not fetch remote data; \
         PUT the graph to /store?graph=IRI instead"
    )]
    Load { line: usize, column: usize },
}

/// Checks `text` against `limits`; the first problem found, with its 1-based position.
pub fn check(text: &str, limits: Limits) -> Result<(), Refusal> {
    if text.len() > limits.max_bytes {
        return Err(Refusal::TooLong {
            bytes: text.len(),
            max: limits.max_bytes,
        });
    }
    let mut depth = 0usize;
    for token in tokens(text) {
        match token.kind {
            Kind::Open => {
                depth += 1;
                if depth > limits.max_depth {
                    let (line, column) = position(text, token.start);
                    return Err(Refusal::TooDeep {
                        line,
                        column,
                        max: limits.max_depth,
                    });
                }
            }
            Kind::Close => depth = depth.saturating_sub(1),
            Kind::Word(word) if word.eq_ignore_ascii_case("SERVICE") => {
                let (line, column) = position(text, token.start);
                return Err(Refusal::Service { line, column });
            }
            Kind::Word(word) if word.eq_ignore_ascii_case("LOAD") => {
                let (line, column) = position(text, token.start);
                return Err(Refusal::Load { line, column });
            }
            Kind::Word(_) => {}
        }
    }
    Ok(())
}

/// The deepest nesting of brackets in `text` (outside strings, IRIs and comments).
pub fn depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for token in tokens(text) {
        match token.kind {
            Kind::Open => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Kind::Close => depth = depth.saturating_sub(1),
            Kind::Word(_) => {}
        }
    }
    deepest
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, byte: usize) -> (usize, usize) {
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[derive(Debug, PartialEq, Eq)]
enum Kind<'a> {
    Open,
    Close,
    /// A bare word: letters, digits and `_` not part of a variable, prefixed name or
    /// language tag.
    Word(&'a str),
}

struct Token<'a> {
    kind: Kind<'a>,
    start: usize,
}

fn tokens(text: &str) -> impl Iterator<Item = Token<'_>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let start = i;
            match bytes[i] {
                b'{' | b'(' | b'[' => {
                    i += 1;
                    return Some(Token {
                        kind: Kind::Open,
                        start,
                    });
                }
                b'}' | b')' | b']' => {
                    i += 1;
                    return Some(Token {
                        kind: Kind::Close,
                        start,
                    });
                }
                b'#' => {
                    i = bytes[i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(bytes.len(), |n| i + n)
                }
                quote @ (b'"' | b'\'') => i = skip_string(bytes, i, quote),
                b'<' => i = iri_end(bytes, i).unwrap_or(i + 1),
                b if is_word_byte(b) => {
                    while i < bytes.len() && (is_word_byte(bytes[i]) || bytes[i] >= 0x80) {
                        i += 1;
                    }
                    // `?service`, `$load`, `ex:load`, `"…"@load` and `ex:x.load` are not keywords.
                    let glued_before = start > 0 && matches!(bytes[start - 1], b'?' | b'$' | b':' | b'@' | b'.' | b'-');
                    let glued_after = i < bytes.len() && matches!(bytes[i], b':' | b'-');
                    if !glued_before && !glued_after {
                        return Some(Token {
                            kind: Kind::Word(&text[start..i]),
                            start,
                        });
                    }
                }
                _ => i += 1,
            }
        }
        None
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The end of a string literal starting at `start` (its closing quote included), or the
/// end of the text when it is not closed.
fn skip_string(bytes: &[u8], start: usize, quote: u8) -> usize {
    let long = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if long { 3 } else { 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => {
                if !long {
                    return i + 1;
                }
                if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                    return i + 3;
                }
                i += 1;
            }
            b'\n' | b'\r' if !long => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The end of an IRI `<…>` at `start` (after the `>`), or `None` when the `<` is the
/// less-than operator: an IRIREF holds no space and none of `<"{}|^` and backtick.
fn iri_end(bytes: &[u8], start: usize) -> Option<usize> {
    for (offset, &b) in bytes[start + 1..].iter().enumerate() {
        match b {
            b'>' => return Some(start + offset + 2),
            b'<' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\' => return None,
            b if b <= b' ' => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nesting_counts_only_real_brackets() {
        for (text, expected) in [
            ("SELECT * WHERE { ?s ?p ?o }", 1),
            ("SELECT * WHERE { { ?s ?p ?o } }", 2),
            ("SELECT * WHERE { ?s ?p \"{{{{\" }", 1),
            ("SELECT * WHERE { ?s ?p '''{\n{'''@en }", 1),
            ("SELECT * WHERE { ?s ?p \"a\\\"{{\" }", 1),
            ("SELECT * WHERE { ?s <http://x/(a[> ?o }", 1),
            // `{` cannot be in an IRI: this `<` is an operator.
            ("SELECT * WHERE { ?s <http://x/{> ?o }", 2),
            ("SELECT * WHERE { ?s ?p ?o } # {{{{{\n", 1),
            ("SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && (?o > 1)) }", 3),
            ("SELECT * WHERE { ?s ?p [ ?q ( 1 2 ) ] }", 3),
            ("}}} {", 1),
            ("", 0),
        ] {
            assert_eq!(depth(text), expected, "{text}");
        }
    }

    #[test]
    fn too_deep_is_refused_with_its_place() {
        let deep = format!("SELECT * WHERE {}{}", "{".repeat(70), "}".repeat(70));
        match check(&deep, QUERY) {
            Err(Refusal::TooDeep { line, column, max }) => {
                assert_eq!((line, max), (1, 64));
                assert_eq!(column, "SELECT * WHERE ".len() + 65);
            }
            other => panic!("{other:?}"),
        }
        let fine = format!("SELECT * WHERE {}{}", "{".repeat(64), "}".repeat(64));
        assert_eq!(check(&fine, QUERY), Ok(()));
    }

    #[test]
    fn service_and_load_are_refused_only_as_keywords() {
        assert!(matches!(
            check("SELECT * WHERE {\n  SERVICE <http://x/sparql> { ?s ?p ?o } }", QUERY),
            Err(Refusal::Service { line: 2, column: 3 })
        ));
        assert!(matches!(
            check("load <http://x/data.ttl>", UPDATE),
            Err(Refusal::Load { line: 1, column: 1 })
        ));
        assert!(matches!(
            check("LOAD SILENT <http://x/d> INTO GRAPH <http://g>", UPDATE),
            Err(Refusal::Load { .. })
        ));
        for fine in [
            "SELECT ?service ?load WHERE { ?service ex:load \"SERVICE LOAD\"@en }",
            "SELECT * WHERE { ?s <http://x/SERVICE> ?o } # SERVICE",
            "SELECT * WHERE { ?s ex:SERVICE ex:LOAD-x }",
            "SELECT * WHERE { ?s ?p \"x\"@load }",
        ] {
            assert_eq!(check(fine, QUERY), Ok(()), "{fine}");
        }
    }

    #[test]
    fn length_is_limited() {
        let long = "#".repeat(QUERY.max_bytes + 1);
        assert!(matches!(check(&long, QUERY), Err(Refusal::TooLong { .. })));
    }

    /// The reference: the same rules as a character state machine, written plainly.
    fn reference_depth(text: &str) -> usize {
        let chars: Vec<char> = text.chars().collect();
        let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
        while i < chars.len() {
            let c = chars[i];
            if c == '#' {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            } else if c == '"' || c == '\'' {
                let long = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                i += if long { 3 } else { 1 };
                loop {
                    match chars.get(i) {
                        None => break,
                        Some('\\') => i += 2,
                        Some(&q)
                            if q == c && (!long || (chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c))) =>
                        {
                            i += if long { 3 } else { 1 };
                            break;
                        }
                        Some('\n' | '\r') if !long => break,
                        Some(_) => i += 1,
                    }
                }
                continue;
            } else if c == '<' {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&d| d == '>' || matches!(d, '<' | '"' | '{' | '}' | '|' | '^' | '`' | '\\') || d <= ' ');
                if let Some(n) = close {
                    if chars[i + 1 + n] == '>' {
                        i += n + 2;
                        continue;
                    }
                }
            } else if "{([".contains(c) {
                depth += 1;
                deepest = deepest.max(depth);
            } else if "})]".contains(c) {
                depth = depth.saturating_sub(1);
            }
            i += 1;
        }
        deepest
    }

    fn sparqlish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("\"\"\"".to_owned()),
            Just("\\".to_owned()),
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("#".to_owned()),
            Just("\n".to_owned()),
            Just(" ".to_owned()),
            Just("SERVICE".to_owned()),
            Just("?x".to_owned()),
            Just("<http://x/>".to_owned()),
            Just("规划".to_owned()),
            "[a-z:]{1,4}",
        ];
        proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn the_lexer_agrees_with_the_reference(text in sparqlish()) {
            prop_assert_eq!(depth(&text), reference_depth(&text));
        }

        #[test]
        fn any_text_is_screened_without_panic(text in "\\PC{0,200}") {
            let _ = check(&text, QUERY);
            prop_assert_eq!(depth(&text), reference_depth(&text));
        }

        #[test]
        fn a_refused_depth_is_the_depth(text in sparqlish()) {
            let limits = Limits { max_bytes: usize::MAX, max_depth: 3 };
            let deep = matches!(check(&text, limits), Err(Refusal::TooDeep { .. }));
            let has_keyword = check(&text, Limits { max_bytes: usize::MAX, max_depth: usize::MAX }).is_err();
            if !has_keyword {
                prop_assert_eq!(deep, depth(&text) > 3);
            }
        }
    }
}

//! Targets: the goals a plan sets for a deadline ("到2027年，…推广500个典型应用场景").
//! A deadline phrase opens a scope that runs to the next deadline or the end of the
//! paragraph; each clause in it is a target, quantified when it holds a quantity.

use super::numbers::{quantities, Quantity};
use super::patterns::Patterns;
use super::text::{Span, Text};
use super::{TargetFact, TechMention};
use crate::lexicon::Lexicon;

const CLAUSE_END: &[char] = &['，', ',', '；', ';', '。', '：', ':', '!', '！', '?', '？'];
const TRIM: &[char] = &['，', ',', '；', ';', '。', '、', '：', ':', ' '];
/// A clause needs this many characters to be a goal of its own.
const MIN_GOAL_CHARS: usize = 4;

struct Scope {
    deadline: i32,
    start: usize,
    end: usize,
}

fn scopes(text: &Text, patterns: &Patterns) -> Vec<Scope> {
    let norm = text.norm.as_str();
    let mut markers: Vec<(usize, usize, i32)> = Vec::new();
    for caps in patterns
        .deadline
        .captures_iter(norm)
        .chain(patterns.deadline_en.captures_iter(norm))
    {
        let (Some(whole), Some(year)) = (caps.get(0), caps.name("year")) else {
            continue;
        };
        if let Some((y, _)) = super::numbers::year_at(year.as_str()) {
            markers.push((whole.start(), whole.end(), y));
        }
    }
    markers.sort();
    let mut out = Vec::new();
    for (i, &(_, end, deadline)) in markers.iter().enumerate() {
        let paragraph_end = norm[end..].find('\n').map_or(norm.len(), |p| end + p);
        let next = markers.get(i + 1).map_or(usize::MAX, |m| m.0);
        out.push(Scope {
            deadline,
            start: end,
            end: paragraph_end.min(next),
        });
    }
    out
}

/// Clause byte ranges inside a scope, further split before "和一批…"-style coordinated
/// objects that carry their own quantity.
fn clauses(text: &Text, lexicon: &Lexicon, start: usize, end: usize) -> Vec<(usize, usize)> {
    let norm = &text.norm[start..end];
    let mut out = Vec::new();
    let mut pos = 0;
    for piece in norm.split(CLAUSE_END) {
        let piece_start = start + pos;
        pos += piece.len() + norm[pos + piece.len()..].chars().next().map_or(0, char::len_utf8);
        let mut cut = piece_start;
        for (i, _) in piece.match_indices('和') {
            let after = &piece[i + '和'.len_utf8()..];
            let quantified = lexicon
                .cues
                .plural_quantifiers
                .iter()
                .any(|q| after.starts_with(q.as_str()))
                || after.chars().next().is_some_and(|c| c.is_ascii_digit());
            if quantified {
                out.push((cut, piece_start + i));
                cut = piece_start + i + '和'.len_utf8();
            }
        }
        out.push((cut, piece_start + piece.len()));
    }
    out
}

pub fn targets(text: &Text, lexicon: &Lexicon, patterns: &Patterns, technologies: &[TechMention]) -> Vec<TargetFact> {
    let cues = &lexicon.cues;
    let mut out = Vec::new();
    for scope in scopes(text, patterns) {
        for (start, end) in clauses(text, lexicon, scope.start, scope.end) {
            let span = text.trim(text.span(start, end), TRIM);
            if span.len() < MIN_GOAL_CHARS {
                continue;
            }
            let clause = text.norm_of(span);
            let range = text.norm_range(span);
            let found = quantities(clause, cues);
            if found.is_empty() {
                if cues.purpose_leads.iter().any(|p| clause.starts_with(p.as_str())) || clause.is_ascii() {
                    continue;
                }
                out.push(TargetFact {
                    span,
                    deadline: Some(scope.deadline),
                    quantity: None,
                    indicator: strip_fillers(clause, &cues.subject_fillers).to_owned(),
                    technologies: techs_in(technologies, span),
                });
                continue;
            }
            for (i, quantity) in found.iter().enumerate() {
                let piece_start = if i == 0 { 0 } else { found[i - 1].end };
                let piece_end = found.get(i + 1).map_or(clause.len(), |q| q.start);
                let piece = text.trim(text.span(range.start + piece_start, range.start + piece_end), TRIM);
                let indicator = indicator(clause, quantity, piece_start, piece_end, lexicon);
                out.push(TargetFact {
                    span: piece,
                    deadline: Some(scope.deadline),
                    quantity: Some(Quantity {
                        start: quantity.start + range.start,
                        end: quantity.end + range.start,
                        ..quantity.clone()
                    }),
                    indicator,
                    technologies: techs_in(technologies, piece),
                });
            }
        }
    }
    out
}

fn techs_in(technologies: &[TechMention], span: Span) -> Vec<usize> {
    let mut found: Vec<usize> = technologies
        .iter()
        .filter(|t| span.contains(t.span))
        .map(|t| t.entry)
        .collect();
    found.dedup();
    found
}

fn strip_fillers<'a>(mut text: &'a str, fillers: &[String]) -> &'a str {
    while let Some(rest) = fillers.iter().find_map(|f| text.strip_prefix(f.as_str())) {
        text = rest;
    }
    text
}

/// What a quantity measures: the phrase before the number ("国内生产总值增长5%左右"),
/// or, when only a verb precedes it, the object after its unit ("打造100个高质量数据集").
fn indicator(clause: &str, quantity: &Quantity, piece_start: usize, piece_end: usize, lexicon: &Lexicon) -> String {
    let cues = &lexicon.cues;
    let before = strip_fillers(
        clause[piece_start..quantity.start].trim_matches(TRIM),
        &cues.subject_fillers,
    );
    let after = clause[quantity.end..piece_end].trim_matches(TRIM);
    let verb_only = before.is_empty() || cues.goal_verbs_before_object.iter().any(|v| before == v.as_str());
    if verb_only && after.chars().count() >= 2 {
        after.to_owned()
    } else {
        before.to_owned()
    }
}

//! `policykg explain`: prints, for every quantity of a document, the rule that kept or
//! dropped it and the deadline in force. The explanations come from the library; this
//! module only lays them out.

use policykg::extract::{Decimal, Explanation, Text, Verdict};
use serde_json::{json, Value};
use std::io::Write;

/// 1-based line and column (in characters) of each character offset of a text.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(raw: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(raw.chars().enumerate().filter(|(_, c)| *c == '\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        (line, offset - start + 1)
    }
}

fn value(min: Option<Decimal>, max: Option<Decimal>) -> String {
    match (min, max) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        (Some(a), None) => format!(">={a}"),
        (None, Some(b)) => format!("<={b}"),
        (None, None) => String::new(),
    }
}

fn verdict(e: &Explanation) -> (&'static str, &str) {
    match &e.verdict {
        Verdict::Keep => ("keep", ""),
        Verdict::Outcome(reason) => ("outcome", reason.as_str()),
        Verdict::Drop(reason) => ("drop", reason.as_str()),
    }
}

fn deadline(e: &Explanation) -> String {
    e.scope.year.map(|y| y.to_string()).unwrap_or_else(|| "-".to_owned())
}

/// One line per quantity: position, quote, value and unit, verdict, rule, deadline
/// (origin), reason; tab-separated so that it lines up and can be cut.
pub fn table(text: &Text, explanations: &[Explanation], out: &mut impl Write) -> std::io::Result<()> {
    let lines = Lines::new(&text.raw);
    writeln!(out, "at\tquote\tvalue\tunit\tverdict\trule\tdeadline\treason")?;
    for e in explanations {
        let (line, column) = lines.position(e.span.start);
        let (verdict, reason) = verdict(e);
        writeln!(
            out,
            "{line}:{column}\t{}\t{}\t{}\t{verdict}\t{}\t{} ({})\t{reason}",
            text.quote(e.span),
            value(e.quantity.min, e.quantity.max),
            e.quantity.unit,
            e.rule,
            deadline(e),
            e.scope.origin.name(),
        )?;
    }
    let kept = explanations.iter().filter(|e| e.verdict == Verdict::Keep).count();
    let outcomes = explanations
        .iter()
        .filter(|e| matches!(e.verdict, Verdict::Outcome(_)))
        .count();
    writeln!(
        out,
        "{} quantities: {kept} kept, {outcomes} outcomes, {} dropped",
        explanations.len(),
        explanations.len() - kept - outcomes
    )
}

fn number(d: Option<Decimal>) -> Value {
    d.and_then(|d| d.to_string().parse::<serde_json::Number>().ok())
        .map_or(Value::Null, Value::Number)
}

/// A JSON array, one object per quantity, in text order.
pub fn json(text: &Text, explanations: &[Explanation]) -> Value {
    let lines = Lines::new(&text.raw);
    Value::Array(
        explanations
            .iter()
            .map(|e| {
                let (line, column) = lines.position(e.span.start);
                let (verdict, reason) = verdict(e);
                json!({
                    "line": line,
                    "column": column,
                    "start": e.span.start,
                    "end": e.span.end,
                    "quote": text.quote(e.span),
                    "min": number(e.quantity.min),
                    "max": number(e.quantity.max),
                    "unit": e.quantity.unit,
                    "qualifier": e.quantity.qualifier,
                    "verdict": verdict,
                    "rule": e.rule,
                    "reason": reason,
                    "deadline": e.scope.year,
                    "deadline_origin": e.scope.origin.name(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let lines = Lines::new("ab\n到2030年\n");
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(1), (1, 2));
        assert_eq!(lines.position(3), (2, 1));
        assert_eq!(lines.position(4), (2, 2));
    }
}

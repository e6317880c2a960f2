//! Tasks and measures: enumerations such as "围绕甲、乙、丙等7项重点任务" (with the declared
//! count checked against the items found) and measure lists such as "举措，包括A；B；C".

use super::patterns::{count, Patterns};
use super::text::{Span, Text};
use super::{Diagnostic, MeasureFact, Severity, TaskFact, TechMention};

/// Punctuation trimmed from both ends of a list item.
const ITEM_TRIM: &[char] = &['、', ',', '，', '。', ';', '；', ':', '：', '“', '”', '"'];

/// Splits `range` (bytes of `text.norm`) at any of `separators`, trimming each item.
fn split_items(text: &Text, start: usize, end: usize, separators: &[char]) -> Vec<Span> {
    let mut items = Vec::new();
    let slice = &text.norm[start..end];
    let mut pos = 0;
    for piece in slice.split(separators) {
        let span = text.trim(text.span(start + pos, start + pos + piece.len()), ITEM_TRIM);
        if !span.is_empty() {
            items.push(span);
        }
        pos += piece.len() + slice[pos + piece.len()..].chars().next().map_or(0, char::len_utf8);
    }
    items
}

pub fn tasks(
    text: &Text,
    patterns: &Patterns,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<TaskFact>, Option<(u32, Span)>) {
    let mut tasks = Vec::new();
    let mut declared = None;
    for caps in patterns.task_list.captures_iter(&text.norm) {
        let (Some(list), Some(n)) = (caps.name("list"), caps.name("count")) else {
            continue;
        };
        let items = split_items(text, list.start(), list.end(), &['、', ',', '，']);
        if items.len() < 2 {
            continue;
        }
        let declared_count = count(n.as_str());
        let whole = caps.get(0).map(|m| text.span(m.start(), m.end()));
        if let (Some(d), Some(span)) = (declared_count, whole) {
            if d as usize != items.len() {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    span: Some(span),
                    message: format!("{d} tasks declared, {} found in the list", items.len()),
                });
            }
            declared.get_or_insert((d, span));
        }
        if !tasks.is_empty() {
            continue;
        }
        for (i, span) in items.into_iter().enumerate() {
            tasks.push(TaskFact {
                title: text.quote(span).to_owned(),
                span,
                order: i as u32 + 1,
                parent: None,
            });
        }
    }
    (tasks, declared)
}

pub fn measures(text: &Text, patterns: &Patterns, technologies: &[TechMention]) -> Vec<MeasureFact> {
    let mut out = Vec::new();
    for caps in patterns.measure_list.captures_iter(&text.norm) {
        let Some(list) = caps.name("list") else {
            continue;
        };
        let items = split_items(text, list.start(), list.end(), &[';', '；']);
        if items.len() < 2 {
            continue;
        }
        for span in items {
            let technologies = technologies
                .iter()
                .filter(|t| span.contains(t.span))
                .map(|t| t.entry)
                .collect();
            out.push(MeasureFact {
                label: text.quote(span).to_owned(),
                span,
                order: out.len() as u32 + 1,
                technologies,
            });
        }
    }
    out
}

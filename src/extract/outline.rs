//! Tasks and measures from the outline a document uses: enumerations such as
//! "围绕甲、乙、丙等7项重点任务" (the declared count checked against the items found),
//! numbered headings (一、 / （一）), policy lines after a colon ("方针…是：A；B；C"), and
//! measure lists such as "举措，包括A；B；C".

use super::mentions::techs_in;
use super::numbers::chinese_at;
use super::patterns::{count, Patterns};
use super::text::{contains_any, Span, Text};
use super::{Diagnostic, MeasureFact, Severity, TaskFact, TechMention};
use crate::lexicon::Cues;

/// Punctuation trimmed from both ends of a list item.
const ITEM_TRIM: &[char] = &[
    '、', ',', '，', '。', ';', '；', ':', '：', '“', '”', '"', ' ', '\u{3000}',
];
/// A section heading without a full stop is at most this long; longer numbered paragraphs
/// are list items.
const MAX_HEADING_CHARS: usize = 60;

/// Splits a byte range of `text.norm` at any of `separators`, trimming each item.
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

/// A numbered heading: level 1 is "一、", level 2 is "（一）".
#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    pub number: u32,
    /// The heading's title, without its number.
    pub title: Span,
    /// The whole paragraph it opens.
    pub paragraph: Span,
}

/// The kinds of numbered heading, from the outermost: 第一篇 / 第一部分, 第一章, 一、, （一）.
const HEADING_KINDS: usize = 4;

/// A paragraph's heading kind, number and where its title starts, if it opens with one.
fn heading_of(line: &str) -> Option<(usize, super::numbers::Numeral, usize)> {
    if let Some(inner) = line.strip_prefix(['（', '(']) {
        let n = chinese_at(inner)?;
        let after = &inner[n.len..];
        let close = after.chars().next().filter(|c| matches!(c, '）' | ')'))?;
        return Some((3, n, line.len() - after.len() + close.len_utf8()));
    }
    if let Some(inner) = line.strip_prefix('第') {
        let n = chinese_at(inner)?;
        let after = &inner[n.len..];
        let (kind, word) = [(0, "篇"), (0, "部分"), (1, "章")]
            .into_iter()
            .find(|(_, w)| after.starts_with(w))?;
        let rest = &after[word.len()..];
        let gap = rest.len() - rest.trim_start_matches([' ', '\u{3000}']).len();
        return Some((kind, n, line.len() - rest.len() + gap));
    }
    let n = chinese_at(line)?;
    line[n.len..].starts_with('、').then(|| {
        let rest_at = n.len + '、'.len_utf8();
        (2, n, rest_at)
    })
}

/// The numbered headings of the document, in order, at two levels: the outermost kind of
/// heading the document uses is level 1, the next one level 2. A heading of the outer
/// kinds is a short paragraph without a full stop ("三、2024年政府工作任务"); a （一）
/// heading may run on into its first sentence ("（一）标题。正文…"), which is its title.
pub fn headings(text: &Text) -> Vec<Heading> {
    let mut found: Vec<(usize, u32, Span, Span)> = Vec::new();
    for &paragraph in text.paragraphs() {
        let line = text.norm_of(paragraph);
        let range = text.norm_range(paragraph);
        let Some((kind, number, rest_at)) = heading_of(line) else {
            continue;
        };
        let value = number.value.to_f64();
        if !number.magnitude.is_empty() || value.fract() != 0.0 || !(1.0..=199.0).contains(&value) {
            continue;
        }
        let body = &line[rest_at..];
        if kind < 3 && (body.contains('。') || body.chars().count() > MAX_HEADING_CHARS) {
            continue;
        }
        let title_end = body.find('。').unwrap_or(body.len());
        let title = text.trim(
            text.span(range.start + rest_at, range.start + rest_at + title_end),
            ITEM_TRIM,
        );
        if !title.is_empty() {
            found.push((kind, value as u32, title, paragraph));
        }
    }
    // A kind counts when the document uses it at least twice.
    let used: Vec<usize> = (0..HEADING_KINDS)
        .filter(|k| found.iter().filter(|(kind, ..)| kind == k).count() >= 2)
        .take(2)
        .collect();
    found
        .into_iter()
        .filter_map(|(kind, number, title, paragraph)| {
            let level = used.iter().position(|k| *k == kind)? as u8 + 1;
            Some(Heading {
                level,
                number,
                title,
                paragraph,
            })
        })
        .collect()
}

/// Runs of consecutively numbered headings of one level (a chapter run may continue its
/// numbering from the previous part, so a run need not start at 1).
fn runs(headings: &[&Heading]) -> Vec<Vec<Heading>> {
    let mut out: Vec<Vec<Heading>> = Vec::new();
    for h in headings {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|last| last.number + 1 == h.number) => run.push((*h).clone()),
            _ => out.push(vec![(*h).clone()]),
        }
    }
    out
}

fn task(text: &Text, span: Span, order: u32, parent: Option<usize>) -> TaskFact {
    TaskFact {
        title: text.quote(span).to_owned(),
        span,
        order,
        parent,
    }
}

pub fn tasks(
    text: &Text,
    all: &[Heading],
    cues: &Cues,
    patterns: &Patterns,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<TaskFact>, Option<(u32, Span)>) {
    let (enumerated, declared) = enumerated_tasks(text, cues, patterns, diagnostics);
    if !enumerated.is_empty() {
        return (enumerated, declared);
    }
    let level1: Vec<&Heading> = all.iter().filter(|h| h.level == 1).collect();
    let sections = runs(&level1).into_iter().max_by_key(Vec::len).unwrap_or_default();
    let children = |section: &Heading, next: Option<&Heading>| -> Vec<Heading> {
        let end = next.map_or(usize::MAX, |n| n.paragraph.start);
        let inside: Vec<&Heading> = all
            .iter()
            .filter(|h| h.level == 2 && h.paragraph.start > section.paragraph.start && h.paragraph.start < end)
            .collect();
        runs(&inside).into_iter().next().unwrap_or_default()
    };
    // A section named as the work to do ("2024年政府工作任务") lists the tasks as its
    // sub-headings.
    for (i, section) in sections.iter().enumerate() {
        let sub = children(section, sections.get(i + 1));
        if contains_any(text.norm_of(section.title), &cues.task_section_words) && sub.len() >= 2 {
            let tasks = sub
                .iter()
                .enumerate()
                .map(|(j, h)| task(text, h.title, j as u32 + 1, None))
                .collect();
            return (tasks, None);
        }
    }
    // Otherwise the sections themselves, without the review and goal sections, with their
    // sub-headings as sub-tasks.
    if sections.len() >= 2 {
        let mut tasks = Vec::new();
        let mut order = 0;
        for (i, section) in sections.iter().enumerate() {
            if contains_any(text.norm_of(section.title), &cues.non_task_section_words) {
                continue;
            }
            order += 1;
            let index = tasks.len();
            tasks.push(task(text, section.title, order, None));
            for (j, h) in children(section, sections.get(i + 1)).iter().enumerate() {
                tasks.push(task(text, h.title, j as u32 + 1, Some(index)));
            }
        }
        return (tasks, None);
    }
    (policy_lines(text, cues), None)
}

/// "…的方针是大家已经知道的，这就是：A；B；C。" — the policy lines of a document without
/// numbered sections.
fn policy_lines(text: &Text, cues: &Cues) -> Vec<TaskFact> {
    for sentence in text.norm.split_inclusive(['。', '\n']) {
        let Some(colon) = sentence.find(['：', ':']) else {
            continue;
        };
        if !contains_any(&sentence[..colon], &cues.policy_list_words) {
            continue;
        }
        let start = sentence.as_ptr() as usize - text.norm.as_ptr() as usize + colon;
        let end = start + sentence.len() - colon;
        let items = split_items(text, start, end, &['；', ';']);
        if items.len() >= 3 {
            return items
                .into_iter()
                .enumerate()
                .map(|(i, s)| task(text, s, i as u32 + 1, None))
                .collect();
        }
    }
    Vec::new()
}

/// How many paragraphs after "部署了N方面任务" its areas may run.
const AREA_PARAGRAPHS: usize = 4;

/// A task list the text enumerates: where it starts, its items, the count it declares.
struct Enumeration {
    at: usize,
    items: Vec<Span>,
    declared: Option<(u32, Span)>,
}

/// Task lists in the forms plans and their news reports use:
/// - 围绕A、B…等N项重点任务 / 部署了A、B…N方面任务 (the list, then its count);
/// - 在A、B…等N方面部署M项重点任务;
/// - 部署了N方面任务。在A方面，…在B方面，… (the count, then the areas one by one);
/// - "seven key tasks: A, B and C".
///
/// The first list in the text gives the tasks; every declared count is checked.
fn enumerated_tasks(
    text: &Text,
    cues: &Cues,
    patterns: &Patterns,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<TaskFact>, Option<(u32, Span)>) {
    let norm = text.norm.as_str();
    let mut found: Vec<Enumeration> = Vec::new();
    let whole = |caps: &regex::Captures<'_>| caps.get(0).map(|m| text.span(m.start(), m.end()));
    for pattern in [&patterns.task_list, &patterns.task_list_bare, &patterns.task_list_areas] {
        for caps in pattern.captures_iter(norm) {
            let (Some(list), Some(n), Some(span)) = (caps.name("list"), caps.name("count"), whole(&caps)) else {
                continue;
            };
            let items = split_items(text, list.start(), list.end(), &['、', ',', '，']);
            found.push(Enumeration {
                at: list.start(),
                items,
                declared: count(n.as_str()).map(|d| (d, span)),
            });
        }
    }
    for caps in patterns.task_area_count.captures_iter(norm) {
        let (Some(declared), Some(m)) = (caps.name("count").and_then(|n| count(n.as_str())), caps.get(0)) else {
            continue;
        };
        let paragraphs = text.paragraphs();
        let Some(first) = paragraphs.iter().position(|p| text.norm_range(*p).end >= m.end()) else {
            continue;
        };
        let end = paragraphs
            .get((first + AREA_PARAGRAPHS).min(paragraphs.len() - 1))
            .map_or(norm.len(), |p| text.norm_range(*p).end);
        let items: Vec<Span> = patterns
            .task_area
            .captures_iter(&norm[m.end()..end])
            .filter_map(|c| c.name("area"))
            .take(declared as usize)
            .map(|a| text.span(m.end() + a.start(), m.end() + a.end()))
            .collect();
        found.push(Enumeration {
            at: m.start(),
            items,
            declared: Some((declared, text.span(m.start(), m.end()))),
        });
    }
    for caps in patterns.task_list_en.captures_iter(norm) {
        let (Some(list), Some(n), Some(span)) = (caps.name("list"), caps.name("count"), whole(&caps)) else {
            continue;
        };
        let items = english_items(text, list.start(), list.end());
        let declared = n
            .as_str()
            .parse::<u32>()
            .ok()
            .or_else(|| cues.count_words_en.get(&n.as_str().to_lowercase()).copied());
        found.push(Enumeration {
            at: list.start(),
            items,
            declared: declared.map(|d| (d, span)),
        });
    }
    found.retain(|e| e.items.len() >= 2);
    found.sort_by_key(|e| e.at);
    for e in &found {
        if let Some((d, span)) = e.declared {
            if d as usize != e.items.len() {
                diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    span: Some(span),
                    message: format!("{d} tasks declared, {} found in the list", e.items.len()),
                });
            }
        }
    }
    let Some(first) = found.first() else {
        return (Vec::new(), None);
    };
    let declared = found.iter().find_map(|e| e.declared);
    let tasks = first
        .items
        .iter()
        .enumerate()
        .map(|(i, span)| task(text, *span, i as u32 + 1, None))
        .collect();
    (tasks, declared)
}

/// The items of an English list: split at commas, semicolons and "and".
fn english_items(text: &Text, start: usize, end: usize) -> Vec<Span> {
    let slice = &text.norm[start..end];
    let mut items = Vec::new();
    let mut pos = 0;
    let cut = |from: usize, to: usize, items: &mut Vec<Span>| {
        let span = text.trim(text.span(start + from, start + to), ITEM_TRIM);
        let words = text.norm_of(span);
        let words = words.strip_prefix("and ").unwrap_or(words);
        if !words.trim().is_empty() {
            let lead = text.norm_of(span).len() - words.len();
            let range = text.norm_range(span);
            items.push(text.span(range.start + lead, range.end));
        }
    };
    for (i, c) in slice.char_indices() {
        let and = slice[i..].starts_with(" and ") && !slice[pos..i].trim().is_empty();
        if c == ',' || c == ';' || and {
            cut(pos, i, &mut items);
            pos = i + 1;
        }
    }
    cut(pos, slice.len(), &mut items);
    items
}

pub fn measures(
    text: &Text,
    all: &[Heading],
    cues: &Cues,
    patterns: &Patterns,
    technologies: &[TechMention],
) -> Vec<MeasureFact> {
    let mut out = Vec::new();
    // "四、保障措施" with "（一）加强组织领导。…": each sub-heading is a measure.
    let level1: Vec<&Heading> = all.iter().filter(|h| h.level == 1).collect();
    for (i, section) in level1.iter().enumerate() {
        if !contains_any(text.norm_of(section.title), &cues.measure_section_words) {
            continue;
        }
        let end = level1.get(i + 1).map_or(usize::MAX, |n| n.paragraph.start);
        for h in all
            .iter()
            .filter(|h| h.level == 2 && h.paragraph.start > section.paragraph.start && h.paragraph.start < end)
        {
            out.push(MeasureFact {
                label: text.quote(h.title).to_owned(),
                span: h.title,
                order: out.len() as u32 + 1,
                technologies: techs_in(technologies, h.paragraph),
            });
        }
    }
    for caps in patterns.measure_list.captures_iter(&text.norm) {
        let Some(list) = caps.name("list") else { continue };
        let items = split_items(text, list.start(), list.end(), &[';', '；']);
        if items.len() < 2 {
            continue;
        }
        for span in items {
            let technologies = techs_in(technologies, span);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    /// (level, number, title) of each heading.
    fn outline(text: &Text) -> Vec<(u8, u32, String)> {
        headings(text)
            .iter()
            .map(|h| (h.level, h.number, text.quote(h.title).to_owned()))
            .collect()
    }

    #[test]
    fn headings_of_both_levels() {
        let text = Text::new("一、2023年工作回顾\n正文。\n（一）大力推进现代化产业体系建设，加快发展新质生产力。充分发挥创新主导作用。\n（二）深入实施科教兴国战略。\n一、提高设计工作，在设计人员中确立正确的设计思想。\n十二、全面提高党的建设科学化水平\n");
        assert_eq!(
            outline(&text),
            vec![
                (1, 1, "2023年工作回顾".to_owned()),
                (2, 1, "大力推进现代化产业体系建设，加快发展新质生产力".to_owned()),
                (2, 2, "深入实施科教兴国战略".to_owned()),
                (1, 12, "全面提高党的建设科学化水平".to_owned()),
            ]
        );
    }

    #[test]
    fn parts_and_chapters_outrank_numbered_sections() {
        let text = Text::new("第一篇 开启新征程\n第一章 发展环境\n一、当前形势\n第二章 指导方针\n第二篇 坚持创新驱动发展\n第三章 强化国家战略科技力量\n一、整合优化科技资源配置\n二、加强原创性引领性科技攻关\n");
        assert_eq!(
            outline(&text),
            vec![
                (1, 1, "开启新征程".to_owned()),
                (2, 1, "发展环境".to_owned()),
                (2, 2, "指导方针".to_owned()),
                (1, 2, "坚持创新驱动发展".to_owned()),
                (2, 3, "强化国家战略科技力量".to_owned()),
            ]
        );
        let cues = Lexicon::builtin().expect("lexicon").cues;
        let lexicon = Lexicon::builtin().expect("lexicon");
        let patterns = Patterns::new(&lexicon.cues);
        let (tasks, _) = tasks(&text, &headings(&text), &cues, &patterns, &mut Vec::new());
        let top: Vec<&str> = tasks
            .iter()
            .filter(|t| t.parent.is_none())
            .map(|t| t.title.as_str())
            .collect();
        assert_eq!(top, ["开启新征程", "坚持创新驱动发展"]);
        assert_eq!(tasks.iter().filter(|t| t.parent.is_some()).count(), 3);
    }

    /// The forms a task list takes (constructed sentences): the tasks found, in order.
    #[test]
    fn task_lists_in_every_form() {
        let lexicon = Lexicon::builtin().expect("lexicon");
        let patterns = Patterns::new(&lexicon.cues);
        let cases: &[(&str, &str, &[&str], Option<u32>)] = &[
            (
                "count after the list, with 等",
                "方案明确了育主体、强链条、优环境等3项重点任务。",
                &["育主体", "强链条", "优环境"],
                Some(3),
            ),
            (
                "count after the list, without 等",
                "意见部署了建平台、聚人才、促转化、扩开放四方面任务。",
                &["建平台", "聚人才", "促转化", "扩开放"],
                Some(4),
            ),
            (
                "areas with a count, then the tasks they hold",
                "计划在数据供给、算力设施、场景开放等3方面部署12项重点任务。",
                &["数据供给", "算力设施", "场景开放"],
                Some(3),
            ),
            (
                "a count of areas, then the areas one by one",
                "办法部署了3方面任务。\n在标准建设方面，完善标准体系。在平台建设方面，建设公共平台。\n在人才培养方面，加强人才队伍建设。",
                &["标准建设", "平台建设", "人才培养"],
                Some(3),
            ),
            (
                "English",
                "The plan sets out three key tasks: building platforms, training talent, and opening markets.",
                &["building platforms", "training talent", "opening markets"],
                Some(3),
            ),
            ("no list", "要加快推进重点任务落实。", &[], None),
        ];
        for (label, raw, expected, count) in cases {
            let text = Text::new(raw);
            let (found, declared) = tasks(&text, &headings(&text), &lexicon.cues, &patterns, &mut Vec::new());
            let titles: Vec<&str> = found.iter().map(|t| t.title.as_str()).collect();
            assert_eq!(titles, *expected, "{label}");
            assert_eq!(declared.map(|d| d.0), *count, "{label}");
            for t in &found {
                assert_eq!(text.quote(t.span), t.title, "{label}: the span quotes the title");
            }
        }
    }
}

//! Plans and who issued them: "甲、乙、丙等八部门日前联合印发《…》" and its English
//! counterpart "jointly issued by eight departments including A, B, and C".

use super::patterns::{count, Patterns};
use super::text::normalize;
use super::text::{Span, Text};
use super::{Context, Diagnostic, OrgMention, OrgRef, Plan, Severity};
use crate::lexicon::Lexicon;

/// Characters that end a sentence for the purpose of finding an issuance statement.
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '\n', '!', '?', ';'];

pub fn plans(
    text: &Text,
    lexicon: &Lexicon,
    patterns: &Patterns,
    context: &Context,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Plan> {
    let norm = text.norm.as_str();
    let mut plans: Vec<(String, Plan)> = Vec::new();
    let mut title_spans: Vec<(String, Span)> = Vec::new();
    for caps in patterns.title.captures_iter(norm) {
        let Some(inner) = caps.get(1) else { continue };
        let span = text.span(inner.start(), inner.end());
        let key = inner.as_str().to_owned();
        title_spans.push((key.clone(), span));
        let sentence_start = norm[..inner.start()]
            .rfind(SENTENCE_END)
            .map(|i| i + norm[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        let title_open = inner.start() - '《'.len_utf8();
        let pre = &norm[sentence_start..title_open];
        let Some(verb) = patterns.issue_verb.find_iter(pre).last() else {
            continue;
        };
        if pre[verb.end()..].chars().count() > 2 {
            continue;
        }
        let head = &pre[..verb.start()];
        let issuers = issuers_in(text, lexicon, patterns, sentence_start, head);
        let declared = patterns.declared_count.captures_iter(head).last().and_then(|c| {
            let m = c.get(0)?;
            Some((
                count(c.get(1)?.as_str())?,
                text.span(sentence_start + m.start(), sentence_start + m.end()),
            ))
        });
        if issuers.is_empty() && declared.is_none() {
            continue;
        }
        match plans.iter_mut().find(|(k, _)| *k == key) {
            Some((_, plan)) => {
                plan.issuers.extend(issuers);
                plan.declared_issuer_count = plan.declared_issuer_count.or(declared);
            }
            None => plans.push((
                key,
                Plan {
                    title: text.quote(span).to_owned(),
                    spans: Vec::new(),
                    issuers,
                    declared_issuer_count: declared,
                },
            )),
        }
    }
    let mut plans: Vec<Plan> = plans
        .into_iter()
        .map(|(key, mut plan)| {
            plan.spans = title_spans.iter().filter(|(k, _)| *k == key).map(|(_, s)| *s).collect();
            plan
        })
        .collect();
    if plans.is_empty() {
        if let Some(first) = text.paragraphs().first() {
            // The document is the plan itself: its title is the metadata's or its first line;
            // its issuer speaks for itself ("我代表国务院"), is the body that adopted it, or
            // signs it.
            let line = text.trim(*first, &['《', '》', '#', ' ']);
            let title = context.title.clone().unwrap_or_else(|| text.quote(line).to_owned());
            let spans = if text.norm_of(line) == normalize(&title) {
                vec![line]
            } else {
                Vec::new()
            };
            let mut issuers = representatives(text, lexicon, patterns);
            issuers.extend(document_number_issuer(text, lexicon, patterns));
            issuers.extend(signatures(text, lexicon, patterns));
            plans.push(Plan {
                title,
                spans,
                issuers,
                declared_issuer_count: None,
            });
        }
    }
    if let Some(primary) = plans.first_mut() {
        english_issuers(text, lexicon, patterns, primary, diagnostics);
    }
    for plan in &mut plans {
        check_count(text, plan, diagnostics);
    }
    plans
}

/// The organizations named in `head` (the text before the issuing verb), in order; a
/// fragment between 、 that the lexicon does not know but reads like a body is kept
/// unresolved.
fn issuers_in(text: &Text, lexicon: &Lexicon, patterns: &Patterns, offset: usize, head: &str) -> Vec<OrgMention> {
    let list_end = patterns.declared_count.find(head).map_or(head.len(), |m| m.start());
    let list = &head[..list_end];
    let hits = lexicon.org_zh.find_all(list);
    let mut out: Vec<OrgMention> = hits
        .iter()
        .map(|h| OrgMention {
            org: OrgRef::Known(h.entry),
            span: text.span(offset + h.start, offset + h.end),
        })
        .collect();
    // The issuer list is the run of names right before the count or verb; earlier text of
    // the sentence (a date, a place) is not part of it.
    let mut pos = 0;
    for fragment in list.split(['、', '和', '及', ',', '，']) {
        let start = pos;
        pos += fragment.len() + list[pos + fragment.len()..].chars().next().map_or(0, char::len_utf8);
        let covered = hits.iter().any(|h| h.start < start + fragment.len() && h.end > start);
        let name = fragment.trim();
        let chars = name.chars().count();
        if covered
            || !(2..=20).contains(&chars)
            || !name.ends_with(|c: char| lexicon.cues.body_name_suffixes.contains(c))
            || !name.chars().all(super::text::is_han)
        {
            continue;
        }
        let lead = fragment.len() - fragment.trim_start().len();
        out.push(OrgMention {
            org: OrgRef::Unresolved(name.to_owned()),
            span: text.span(offset + start + lead, offset + start + lead + name.len()),
        });
    }
    // A bracketed aside ends what comes before it: in "新华社北京11月3日电(记者…)工业和信息化部
    // 印发…" the agency of the dateline reports and the body after the reporter issues.
    let aside_end = list
        .match_indices(')')
        .map(|(i, m)| i + m.len())
        .rfind(|&end| !hits.iter().any(|h| h.start < end && end <= h.end));
    if let Some(cut) = aside_end.map(|end| text.span(offset + end, offset + end).start) {
        if out.iter().any(|m| m.span.start >= cut) {
            out.retain(|m| m.span.start >= cut);
        }
    }
    out.sort_by_key(|m| m.span);
    out
}

/// An organization name as written: the lexicon's when the whole name is one of its
/// labels, else kept unresolved.
fn organization(text: &Text, lexicon: &Lexicon, start: usize, end: usize) -> OrgMention {
    let name = &text.norm[start..end];
    let whole = lexicon
        .org_zh
        .find_all(name)
        .into_iter()
        .find(|h| h.start == 0 && h.end == name.len());
    let span = text.span(start, end);
    match whole {
        Some(hit) => OrgMention {
            org: OrgRef::Known(hit.entry),
            span,
        },
        None => OrgMention {
            org: OrgRef::Unresolved(text.quote(span).to_owned()),
            span,
        },
    }
}

/// "我代表国务院向大会报告" and resolutions opening with the adopting body
/// ("第十四届全国人民代表大会第二次会议听取和审议了…").
fn representatives(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Vec<OrgMention> {
    let mut out = Vec::new();
    if let Some(caps) = patterns.representative.captures(&text.norm) {
        if let Some(who) = caps.name("who") {
            out.push(organization(text, lexicon, who.start(), who.end()));
        }
    }
    if out.is_empty() {
        if let Some(caps) = patterns.resolution.captures(&text.norm) {
            if let Some(who) = caps.name("who") {
                out.push(organization(text, lexicon, who.start(), who.end()));
            }
        }
    }
    out
}

/// The date line closing an official document ("2026年2月10日" under the signatures).
pub fn signature_date(text: &Text, patterns: &Patterns) -> Option<String> {
    text.paragraphs().iter().rev().take(4).find_map(|span| {
        let line = text.norm_of(*span);
        let caps = patterns.date.captures(line)?;
        let whole = caps.get(0)?;
        (whole.start() == 0 && line[whole.end()..].trim().is_empty())
            .then(|| super::patterns::iso_date(&caps))
            .flatten()
    })
}

/// The issuer abbreviated in a document number ("工信部联科〔2026〕12号" → 工信部).
fn document_number_issuer(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Option<OrgMention> {
    let caps = patterns.document_number.captures(&text.norm)?;
    let prefix = caps.name("prefix")?;
    let hit = lexicon
        .org_zh
        .find_all(prefix.as_str())
        .into_iter()
        .find(|h| h.start == 0)?;
    Some(OrgMention {
        org: OrgRef::Known(hit.entry),
        span: text.span(prefix.start() + hit.start, prefix.start() + hit.end),
    })
}

/// Signature lines at the end of an official document: lines that are each the name of
/// one or more bodies, next to the date line ("工业和信息化部\n国家发展改革委\n2026年1月5日").
fn signatures(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Vec<OrgMention> {
    let paragraphs = text.paragraphs();
    let tail: Vec<Span> = paragraphs.iter().rev().take(12).copied().collect();
    let is_date = |span: &Span| {
        let line = text.norm_of(*span);
        patterns
            .date
            .find(line)
            .is_some_and(|m| m.start() == 0 && line[m.end()..].trim().is_empty())
    };
    let Some(date_at) = tail.iter().position(is_date) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for span in &tail[date_at + 1..] {
        let range = text.norm_range(*span);
        let line = &text.norm[range.clone()];
        let mut names = Vec::new();
        let mut pos = 0;
        for name in line.split([' ', '\u{3000}', '\t']) {
            if !name.is_empty() {
                names.push((range.start + pos, range.start + pos + name.len()));
            }
            pos += name.len() + 1;
        }
        let found: Vec<OrgMention> = names
            .iter()
            .map(|&(a, b)| organization(text, lexicon, a, b))
            .filter(|m| match &m.org {
                OrgRef::Known(_) => true,
                OrgRef::Unresolved(name) => {
                    let chars = name.chars().count();
                    (3..=25).contains(&chars)
                        && name.ends_with(|c: char| lexicon.cues.body_name_suffixes.contains(c))
                        && name.chars().all(super::text::is_han)
                }
            })
            .collect();
        if found.is_empty() || found.len() != names.len() {
            break;
        }
        out.extend(found);
    }
    out.sort_by_key(|m| m.span);
    out
}

/// "The plan was jointly issued by eight departments including A, B, and C."
fn english_issuers(
    text: &Text,
    lexicon: &Lexicon,
    patterns: &Patterns,
    plan: &mut Plan,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let norm = text.norm.as_str();
    for caps in patterns.issue_en.captures_iter(norm) {
        let Some(whole) = caps.get(0) else { continue };
        let rest_end = norm[whole.end()..]
            .find(['.', '\n'])
            .map_or(norm.len(), |i| whole.end() + i);
        let rest = &norm[whole.end()..rest_end];
        for hit in lexicon.organizations_in(rest) {
            plan.issuers.push(OrgMention {
                org: OrgRef::Known(hit.entry),
                span: text.span(whole.end() + hit.start, whole.end() + hit.end),
            });
        }
        if let Some(word) = caps.name("count") {
            let declared = word
                .as_str()
                .parse::<u32>()
                .ok()
                .or_else(|| lexicon.cues.count_words_en.get(&word.as_str().to_lowercase()).copied());
            let span = text.span(word.start(), word.end());
            match (declared, plan.declared_issuer_count) {
                (Some(n), None) => plan.declared_issuer_count = Some((n, span)),
                (Some(n), Some((m, _))) if n != m => diagnostics.push(Diagnostic {
                    severity: Severity::Warning,
                    span: Some(span),
                    message: format!("the English text declares {n} issuers, the Chinese text {m}"),
                }),
                _ => {}
            }
        }
    }
}

fn check_count(text: &Text, plan: &Plan, diagnostics: &mut Vec<Diagnostic>) {
    let Some((declared, span)) = plan.declared_issuer_count else {
        return;
    };
    let mut distinct: Vec<&OrgRef> = plan.issuers.iter().map(|m| &m.org).collect();
    distinct.sort();
    distinct.dedup();
    let named = distinct.len() as u32;
    let phrase = text.quote(span);
    if named > declared {
        diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            span: Some(span),
            message: format!("{phrase}: {declared} issuers declared but {named} named"),
        });
    } else if named < declared {
        diagnostics.push(Diagnostic {
            severity: Severity::Info,
            span: Some(span),
            message: format!(
                "{phrase}: {declared} issuers declared, {named} named in the text (the rest are implied by 等)"
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::{extract, OrgRef};
    use crate::lexicon::Lexicon;

    #[test]
    fn the_agency_of_a_dateline_is_no_issuer() {
        let lexicon = Lexicon::builtin().expect("lexicon");
        for raw in [
            "新华社上海5月6日电(记者王某)国家发展改革委印发《数据中心节能行动方案》，提出多项措施。",
            "新華社上海5月6日電（記者王某）國家發展改革委印發《數據中心節能行動方案》，提出多項措施。",
        ] {
            let facts = extract(raw, &lexicon);
            let issuers: Vec<String> = facts.plans[0]
                .issuers
                .iter()
                .map(|m| match &m.org {
                    OrgRef::Known(i) => lexicon.organizations[*i].label_zh.clone(),
                    OrgRef::Unresolved(name) => name.clone(),
                })
                .collect();
            assert_eq!(issuers, ["国家发展和改革委员会"], "{raw}");
        }
    }
}

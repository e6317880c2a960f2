//! Plans and who issued them: "甲、乙、丙等八部门日前联合印发《…》" and its English
//! counterpart "jointly issued by eight departments including A, B, and C".

use super::patterns::{count, Patterns};
use super::text::{contains_any, normalize};
use super::text::{Span, Text};
use super::{Context, Diagnostic, OrgMention, OrgRef, Plan, Severity};
use crate::lexicon::Lexicon;

/// Characters that end a sentence for the purpose of finding an issuance statement.
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '\n', '!', '?', ';'];

/// A document named between 《》 by an issuance (甲印发《…》) or a citation (根据《…》).
struct Statement {
    key: String,
    title: Span,
    issuers: Vec<OrgMention>,
    declared: Option<(u32, Span)>,
}

/// The plans of a document: first the document itself, then the documents it cites.
///
/// The document is the plan its lead paragraph reports as issued (a news report of a plan:
/// "某部日前印发《X》，提出…") or the plan a notice transmits ("关于印发《X》的通知"); else
/// the document speaks for itself: its title is its heading or the report its speaker
/// delivers, its issuer the body it speaks for (我代表…), the prefix of its document number
/// or its signature. Every other document it names as issued or followed is cited: a plan
/// of its own, with its own issuers, lending nothing to the document.
pub fn plans(
    text: &Text,
    lexicon: &Lexicon,
    patterns: &Patterns,
    context: &Context,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Plan> {
    let Some(&first) = text.paragraphs().first() else {
        return Vec::new();
    };
    let statements = statements(text, lexicon, patterns);
    let lead = lead_paragraph(text);
    let notice = notice_title(text, lexicon, patterns);
    let primary_key = notice.as_ref().map(|(key, _)| key.clone()).or_else(|| {
        let lead = lead?;
        statements
            .iter()
            .find(|s| lead.contains(s.title) && (!s.issuers.is_empty() || s.declared.is_some()))
            .map(|s| s.key.clone())
    });
    let mut primary = match &primary_key {
        Some(key) => {
            let mut plan = Plan {
                title: String::new(),
                spans: Vec::new(),
                issuers: Vec::new(),
                declared_issuer_count: None,
                period: None,
            };
            for s in statements.iter().filter(|s| s.key == *key) {
                if plan.title.is_empty() {
                    plan.title = text.quote(s.title).to_owned();
                }
                plan.issuers.extend(s.issuers.iter().cloned());
                plan.declared_issuer_count = plan.declared_issuer_count.or(s.declared);
            }
            // A notice transmitting a plan it names without 《》 ("关于印发X的通知"): the plan's
            // title as the text writes it in 《》 elsewhere, else as the heading has it.
            if plan.title.is_empty() {
                let written = patterns
                    .title
                    .captures_iter(&text.norm)
                    .filter_map(|c| c.get(1))
                    .find(|m| m.as_str() == key.as_str());
                match (written, &notice) {
                    (Some(m), _) => plan.title = text.quote(text.span(m.start(), m.end())).to_owned(),
                    (None, Some((_, heading))) => {
                        plan.title = key.clone();
                        plan.spans.push(*heading);
                    }
                    (None, None) => {}
                }
            }
            if plan.issuers.is_empty() {
                plan.issuers.extend(document_number_issuer(text, lexicon, patterns));
                plan.issuers.extend(signatures(text, lexicon, patterns));
            }
            plan
        }
        None => {
            let title = super::document::title(text, &lexicon.cues, patterns);
            let (title, spans) = match title {
                Some((title, span)) => (title, vec![span]),
                None => (String::new(), Vec::new()),
            };
            let mut issuers = representatives(text, lexicon, patterns);
            issuers.extend(document_number_issuer(text, lexicon, patterns));
            issuers.extend(signatures(text, lexicon, patterns));
            Plan {
                title,
                spans,
                issuers,
                declared_issuer_count: None,
                period: None,
            }
        }
    };
    // The sidecar's title overrides the text's.
    if let Some(title) = &context.title {
        primary.title = title.clone();
        primary.spans.clear();
        if text.norm_of(text.trim(first, &['《', '》', '#', ' '])) == normalize(title) {
            primary.spans.push(text.trim(first, &['《', '》', '#', ' ']));
        }
    }
    // Every place a plan's title is written is evidence of it.
    let written: Vec<(String, Span)> = patterns
        .title
        .captures_iter(&text.norm)
        .filter_map(|c| c.get(1))
        .map(|m| (m.as_str().to_owned(), text.span(m.start(), m.end())))
        .collect();
    let primary_norm = normalize(&primary.title);
    for (key, span) in &written {
        if *key == primary_norm && !primary.spans.contains(span) {
            primary.spans.push(*span);
        }
    }
    primary.spans.sort();
    primary.issuers.sort_by_key(|m| m.span);
    english_issuers(text, lexicon, patterns, &mut primary, diagnostics);

    let mut out = vec![primary];
    for s in statements {
        if Some(&s.key) == primary_key.as_ref() || s.key == primary_norm {
            continue;
        }
        match out[1..].iter_mut().find(|p| normalize(&p.title) == s.key) {
            Some(plan) => {
                plan.spans.push(s.title);
                plan.issuers.extend(s.issuers);
                plan.declared_issuer_count = plan.declared_issuer_count.or(s.declared);
            }
            None => out.push(Plan {
                title: text.quote(s.title).to_owned(),
                spans: vec![s.title],
                issuers: s.issuers,
                declared_issuer_count: s.declared,
                period: None,
            }),
        }
    }
    for plan in &mut out[1..] {
        let key = normalize(&plan.title);
        for (k, span) in &written {
            if *k == key && !plan.spans.contains(span) {
                plan.spans.push(*span);
            }
        }
        plan.spans.sort();
    }
    for plan in &mut out {
        plan.issuers.sort_by_key(|m| m.span);
        check_count(text, plan, diagnostics);
    }
    out
}

/// Every 《…》 the text names as issued (甲、乙等N部门联合印发《…》) or followed (根据《…》).
fn statements(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Vec<Statement> {
    let norm = text.norm.as_str();
    let mut out = Vec::new();
    for caps in patterns.title.captures_iter(norm) {
        let Some(inner) = caps.get(1) else { continue };
        let title = text.span(inner.start(), inner.end());
        let sentence_start = norm[..inner.start()]
            .rfind(SENTENCE_END)
            .map(|i| i + norm[i..].chars().next().map_or(1, char::len_utf8))
            .unwrap_or(0);
        let title_open = inner.start() - '《'.len_utf8();
        let pre = &norm[sentence_start..title_open];
        let key = inner.as_str().to_owned();
        if let Some(verb) = patterns.issue_verb.find_iter(pre).last() {
            if pre[verb.end()..].chars().count() <= 2 {
                // "某部关于印发《…》的通知": the issuer ends before 关于.
                let head = &pre[..verb.start()];
                let head = lexicon
                    .cues
                    .title_leads
                    .iter()
                    .find_map(|l| head.strip_suffix(l.as_str()))
                    .unwrap_or(head);
                let issuers = issuers_in(text, lexicon, patterns, sentence_start, head);
                let declared = patterns.declared_count.captures_iter(head).last().and_then(|c| {
                    let m = c.get(0)?;
                    Some((
                        count(c.get(1)?.as_str())?,
                        text.span(sentence_start + m.start(), sentence_start + m.end()),
                    ))
                });
                out.push(Statement {
                    key,
                    title,
                    issuers,
                    declared,
                });
                continue;
            }
        }
        if let Some(verb) = patterns.citation_verb.find_iter(pre).last() {
            if pre[verb.end()..].chars().count() <= 2 {
                out.push(Statement {
                    key,
                    title,
                    issuers: Vec::new(),
                    declared: None,
                });
            }
        }
    }
    out
}

/// The lead of the text: its first paragraph that is prose (a sentence, not a heading,
/// a salutation or a line of the page).
fn lead_paragraph(text: &Text) -> Option<Span> {
    text.paragraphs().iter().copied().find(|p| {
        let line = text.norm_of(*p).trim();
        line.chars().count() > 20 && line.contains(['。', '，', ','])
    })
}

/// "关于印发《X》的通知" as the document's heading (one line, or wrapped over two): the
/// document is X, named between 《》 or, in a heading without them, between the issuing
/// verb and 的通知. The key of X and the heading's span.
fn notice_title(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Option<(String, Span)> {
    let (_, heading) = super::document::heading(text, &lexicon.cues, patterns)?;
    let line: String = text.norm_of(heading).lines().map(str::trim).collect();
    if let Some(caps) = patterns.title.captures(&line) {
        let inner = caps.get(1)?;
        let before = &line[..inner.start()];
        let after = &line[inner.end()..];
        return (patterns.issue_verb.is_match(before) && contains_any(after, &lexicon.cues.notice_nouns))
            .then(|| (inner.as_str().to_owned(), heading));
    }
    let verb = patterns.issue_verb.find(&line)?;
    let rest = &line[verb.end()..];
    let plan = lexicon
        .cues
        .notice_nouns
        .iter()
        .find_map(|n| rest.strip_suffix(n.as_str())?.strip_suffix('的'))?
        .trim();
    (plan.chars().count() >= 2).then(|| (plan.to_owned(), heading))
}

/// The organizations named in `head` (the text before the issuing verb), in order; a
/// fragment between joiners (、, 和, 会同, 联合…) that the lexicon does not know but reads
/// like a body is kept unresolved.
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
    // Bodies are joined by 、, 和, 会同, 联合…: each piece between joiners may be one.
    let mut cuts = vec![(0, 0)];
    cuts.extend(patterns.issuer_joiner.find_iter(list).map(|m| (m.start(), m.end())));
    cuts.push((list.len(), list.len()));
    // A word joiner (和, 会同) inside a name that is not a list of bodies ("X和Y部" where
    // X is no body) joins words of one name, not two bodies.
    let mut previous_is_body = true;
    for pair in cuts.windows(2) {
        let (start, end) = (pair[0].1, pair[1].0);
        let fragment = &list[start..end];
        let covered = hits.iter().any(|h| h.start < start + fragment.len() && h.end > start);
        let name = fragment.trim();
        let chars = name.chars().count();
        let body_like = name.ends_with(|c: char| lexicon.cues.body_name_suffixes.contains(c));
        let word_joiner = list[pair[0].0..pair[0].1].chars().all(super::text::is_han);
        let inside_a_name = word_joiner && !previous_is_body;
        previous_is_body = covered || body_like;
        if covered
            || inside_a_name
            || !(2..=20).contains(&chars)
            || !body_like
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

/// The date an official document is signed: the first date line under signature lines
/// (the notice's "国务院\n2031年1月2日" above the plan it transmits), else a date line among
/// the last lines of the text.
pub fn signature_date(text: &Text, lexicon: &Lexicon, patterns: &Patterns) -> Option<String> {
    let paragraphs = text.paragraphs();
    let date_line = |span: &Span| {
        let line = text.norm_of(*span);
        let caps = patterns.date.captures(line)?;
        let whole = caps.get(0)?;
        (whole.start() == 0 && line[whole.end()..].trim().is_empty())
            .then(|| super::patterns::iso_date(&caps))
            .flatten()
    };
    let signed = paragraphs.iter().enumerate().find_map(|(at, span)| {
        let date = date_line(span)?;
        let mut signers = Vec::new();
        signed_above(text, lexicon, &paragraphs[..at], &mut signers);
        (!signers.is_empty()).then_some(date)
    });
    signed.or_else(|| paragraphs.iter().rev().take(4).find_map(date_line))
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
    let is_date = |span: &Span| {
        let line = text.norm_of(*span);
        patterns
            .date
            .find(line)
            .is_some_and(|m| m.start() == 0 && line[m.end()..].trim().is_empty())
    };
    let mut out = Vec::new();
    for (date_at, _) in paragraphs.iter().enumerate().filter(|(_, p)| is_date(p)) {
        signed_above(text, lexicon, &paragraphs[..date_at], &mut out);
    }
    out.sort_by_key(|m| m.span);
    out.dedup_by_key(|m| m.span);
    out
}

/// The lines right above a date line that are each the names of bodies.
fn signed_above(text: &Text, lexicon: &Lexicon, above: &[Span], out: &mut Vec<OrgMention>) {
    for span in above.iter().rev() {
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

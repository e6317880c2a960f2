//! The knowledge graph of one source as a petgraph: typed entities with natural keys,
//! attributes, evidence spans, and typed relations. Entities that have a lexicon id
//! (organizations, technologies) are keyed by it, so they are one node across documents.

use crate::extract::text::normalize;
use crate::extract::{Decimal, Facts, Mention, OrgRef, Span};
use crate::ingest::Document;
use crate::lexicon::Lexicon;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Source,
    Document,
    Organization,
    Technology,
    Task,
    Measure,
    Target,
    /// A result a document reports.
    Outcome,
    /// A canonical indicator of the indicator scheme.
    Indicator,
    GlossaryTerm,
    /// A term that looks like a technology and is not in the lexicon.
    Candidate,
    /// An economic sector or policy category of the technology scheme.
    Category,
    Person,
    Event,
    Message,
    Photograph,
    /// A publisher or platform that is not in the organization lexicon.
    Publisher,
}

/// What an attribute says; the RDF mapping chooses the predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attr {
    Label,
    Title,
    Path,
    Sha256,
    Encoding,
    Order,
    DeclaredIssuerCount,
    DeclaredTaskCount,
    Deadline,
    MinValue,
    MaxValue,
    Unit,
    /// The QUDT unit of a quantity (magnitude words aside): an IRI.
    QudtUnit,
    Qualifier,
    Indicator,
    Resolved,
    Issued,
    /// The year an outcome reports on.
    Year,
    /// The first and last years a plan covers.
    PeriodStart,
    PeriodEnd,
    DateSent,
    DateCreated,
    CreditText,
    /// The plain text a source was read as, which evidence offsets count in.
    Text,
    /// The media type a source was read from.
    Format,
    /// The official header (`extract::header`): 发文字号 and its parts, 成文日期, 发布日期,
    /// 索引号, 主题分类, 主送, 抄送.
    IdLocal,
    OrganCode,
    NumberYear,
    SerialNumber,
    DateDocument,
    DatePublication,
    Identifier,
    Subject,
    Addressee,
    CopyTo,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Text(String),
    /// Text with a language tag (`zh`, `en`).
    Lang(String, &'static str),
    Integer(i64),
    Decimal(String),
    Year(i32),
    Date(String),
    Bool(bool),
    /// An IRI of an external vocabulary, checked where it was loaded (the unit table).
    Iri(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation {
    IssuedBy,
    DescribedIn,
    HasTask,
    HasSubtask,
    HasMeasure,
    HasTarget,
    HasOutcome,
    /// A target or outcome measures a canonical indicator.
    IndicatorConcept,
    Concerns,
    Mentions,
    Publisher,
    Sender,
    Recipient,
    About,
    /// A reporter who wrote the source.
    Author,
    /// A document names another one it follows or implements (根据《…》).
    Cites,
    /// A notice transmits the plan it issues (关于印发《X》的通知).
    Transmits,
}

/// A natural key: the minter turns it into an IRI (hashing anything that is not a slug).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub kind: Kind,
    pub key: String,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub key: Key,
    pub attrs: BTreeSet<(Attr, Value)>,
    pub evidence: BTreeSet<Span>,
}

/// One source's graph, with the text its spans point into.
#[derive(Debug)]
pub struct KnowledgeGraph {
    pub graph: StableDiGraph<Entity, Relation>,
    index: BTreeMap<Key, NodeIndex>,
    pub source: NodeIndex,
    /// The source path, which keys its evidence.
    pub path: String,
    pub facts: Facts,
}

impl KnowledgeGraph {
    fn node(&mut self, kind: Kind, key: impl Into<String>) -> NodeIndex {
        let key = Key { kind, key: key.into() };
        if let Some(&n) = self.index.get(&key) {
            return n;
        }
        let n = self.graph.add_node(Entity {
            key: key.clone(),
            attrs: BTreeSet::new(),
            evidence: BTreeSet::new(),
        });
        self.index.insert(key, n);
        n
    }

    /// The node of a concept of the technology scheme: a category when the scheme types it
    /// so, else a technology. Every link goes through here, so a measure that concerns
    /// 数字经济 does not make it a technology.
    fn technology(&mut self, lexicon: &Lexicon, entry: usize) -> NodeIndex {
        let concept = &lexicon.technologies[entry];
        let kind = if concept.category {
            Kind::Category
        } else {
            Kind::Technology
        };
        self.node(kind, concept.id.clone())
    }

    fn set(&mut self, n: NodeIndex, attr: Attr, value: Value) {
        self.graph[n].attrs.insert((attr, value));
    }

    fn cite(&mut self, n: NodeIndex, span: Span) {
        if !span.is_empty() {
            self.graph[n].evidence.insert(span);
        }
    }

    fn link(&mut self, from: NodeIndex, relation: Relation, to: NodeIndex) {
        if !self
            .graph
            .edges(from)
            .any(|e| e.target() == to && *e.weight() == relation)
        {
            self.graph.add_edge(from, to, relation);
        }
    }

    /// Entities in key order, for deterministic output.
    pub fn entities(&self) -> impl Iterator<Item = (NodeIndex, &Entity)> {
        self.index.values().map(|&n| (n, &self.graph[n]))
    }

    /// Relations in (from, relation, to) key order.
    pub fn relations(&self) -> Vec<(&Key, Relation, &Key)> {
        let mut out: Vec<_> = self
            .graph
            .edge_references()
            .map(|e| (&self.graph[e.source()].key, *e.weight(), &self.graph[e.target()].key))
            .collect();
        out.sort();
        out
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.index.keys().filter(|k| k.kind == kind).count()
    }
}

/// The file name of a source path, as the label of a document that gives itself no title.
fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_owned()
}

fn lang_of(text: &str) -> &'static str {
    if text.chars().any(crate::extract::text::is_han) {
        "zh"
    } else {
        "en"
    }
}

/// Builds the graph of one document from its facts.
pub fn build(document: &Document, facts: Facts, lexicon: &Lexicon) -> KnowledgeGraph {
    let mut g = KnowledgeGraph {
        graph: StableDiGraph::new(),
        index: BTreeMap::new(),
        source: NodeIndex::end(),
        path: document.path.clone(),
        facts,
    };
    let source = g.node(Kind::Source, document.path.clone());
    g.source = source;
    g.set(source, Attr::Path, Value::Text(document.path.clone()));
    g.set(source, Attr::Sha256, Value::Text(document.sha256.clone()));
    g.set(source, Attr::Encoding, Value::Text(document.encoding.to_owned()));
    g.set(source, Attr::Label, Value::Lang(document.path.clone(), "en"));
    g.set(source, Attr::Text, Value::Text(document.text.clone()));
    g.set(
        source,
        Attr::Format,
        Value::Text(document.format.media_type().to_owned()),
    );

    let facts = g.facts.clone();
    let org = |g: &mut KnowledgeGraph, r: &OrgRef| -> NodeIndex {
        match r {
            OrgRef::Known(i) => g.node(Kind::Organization, lexicon.organizations[*i].id.clone()),
            OrgRef::Unresolved(name) => {
                let n = g.node(Kind::Organization, format!("unresolved#{}", normalize(name)));
                g.set(n, Attr::Label, Value::Lang(name.clone(), lang_of(name)));
                g.set(n, Attr::Resolved, Value::Bool(false));
                n
            }
        }
    };
    for mention in &facts.organizations {
        let n = org(&mut g, &mention.org);
        g.cite(n, mention.span);
        g.link(source, Relation::Mentions, n);
    }

    // The document the source is: keyed on the source, so two files are never one
    // document. The documents it cites are keyed on their title, shared across sources.
    let mut plan_nodes = Vec::new();
    for (i, plan) in facts.plans.iter().enumerate() {
        let doc = if i == 0 {
            let doc = g.node(Kind::Document, format!("source#{}", document.path));
            if plan.title.is_empty() {
                let name = file_name(&document.path);
                // A file name is no text of any language.
                g.set(doc, Attr::Label, Value::Text(name));
            } else {
                g.set(doc, Attr::Title, Value::Lang(plan.title.clone(), lang_of(&plan.title)));
                g.set(doc, Attr::Label, Value::Lang(plan.title.clone(), lang_of(&plan.title)));
            }
            g.link(doc, Relation::DescribedIn, source);
            doc
        } else {
            let doc = g.node(Kind::Document, format!("cited#{}", normalize(&plan.title)));
            g.set(doc, Attr::Title, Value::Lang(plan.title.clone(), lang_of(&plan.title)));
            g.set(doc, Attr::Label, Value::Lang(plan.title.clone(), lang_of(&plan.title)));
            g.link(plan_nodes[0], Relation::Cites, doc);
            doc
        };
        plan_nodes.push(doc);
        for span in &plan.spans {
            g.cite(doc, *span);
        }
        for issuer in &plan.issuers {
            let n = org(&mut g, &issuer.org);
            g.cite(n, issuer.span);
            g.link(doc, Relation::IssuedBy, n);
        }
        if let Some((start, end)) = plan.period {
            g.set(doc, Attr::PeriodStart, Value::Year(start));
            g.set(doc, Attr::PeriodEnd, Value::Year(end));
        }
        if let Some((count, span)) = plan.declared_issuer_count {
            g.set(doc, Attr::DeclaredIssuerCount, Value::Integer(i64::from(count)));
            g.cite(doc, span);
        }
    }
    let Some(&doc) = plan_nodes.first() else {
        return g;
    };
    if let Some(date) = &facts.issued {
        g.set(doc, Attr::Issued, Value::Date(date.clone()));
    }
    official_header(&mut g, doc, &facts, &org);
    let doc_key = g.graph[doc].key.key.clone();

    for tech in &facts.technologies {
        let n = g.technology(lexicon, tech.entry);
        g.cite(n, tech.span);
        g.link(doc, Relation::Mentions, n);
    }

    for candidate in &facts.candidates {
        let n = g.node(Kind::Candidate, format!("candidate#{}", candidate.term));
        let first = candidate.spans[0];
        let written = g.facts.text.quote(first).to_owned();
        g.set(n, Attr::Label, Value::Lang(written, "zh"));
        for span in &candidate.spans {
            g.cite(n, *span);
        }
        g.link(doc, Relation::Mentions, n);
    }

    if let Some((count, span)) = facts.declared_task_count {
        g.set(doc, Attr::DeclaredTaskCount, Value::Integer(i64::from(count)));
        g.cite(doc, span);
    }
    let mut task_nodes = Vec::new();
    for task in &facts.tasks {
        let n = g.node(Kind::Task, format!("{doc_key}#task#{}", normalize(&task.title)));
        task_nodes.push(n);
        g.set(n, Attr::Label, Value::Lang(task.title.clone(), lang_of(&task.title)));
        g.set(n, Attr::Order, Value::Integer(i64::from(task.order)));
        g.cite(n, task.span);
        match task.parent.and_then(|p| task_nodes.get(p).copied()) {
            Some(parent) => g.link(parent, Relation::HasSubtask, n),
            None => g.link(doc, Relation::HasTask, n),
        }
    }

    for measure in &facts.measures {
        let n = g.node(
            Kind::Measure,
            format!("{doc_key}#measure#{}", normalize(&measure.label)),
        );
        g.set(
            n,
            Attr::Label,
            Value::Lang(measure.label.clone(), lang_of(&measure.label)),
        );
        g.set(n, Attr::Order, Value::Integer(i64::from(measure.order)));
        g.cite(n, measure.span);
        g.link(doc, Relation::HasMeasure, n);
        for &t in &measure.technologies {
            let tech = g.technology(lexicon, t);
            g.link(n, Relation::Concerns, tech);
        }
    }

    for outcome in &facts.outcomes {
        let quote = g.facts.text.norm_of(outcome.span).to_owned();
        let n = g.node(
            Kind::Outcome,
            format!(
                "{doc_key}#outcome#{}#{quote}#{}#{}",
                outcome.year.unwrap_or(0),
                normalize(&outcome.indicator),
                outcome.quantity.start
            ),
        );
        g.cite(n, outcome.span);
        g.set(
            n,
            Attr::Label,
            Value::Lang(g.facts.text.quote(outcome.span).to_owned(), lang_of(&quote)),
        );
        if !outcome.indicator.is_empty() {
            g.set(
                n,
                Attr::Indicator,
                Value::Lang(outcome.indicator.clone(), lang_of(&outcome.indicator)),
            );
        }
        if let Some(year) = outcome.year {
            g.set(n, Attr::Year, Value::Year(year));
        }
        set_quantity(&mut g, n, &outcome.quantity);
        link_indicator(&mut g, lexicon, n, &outcome.indicator);
        g.link(doc, Relation::HasOutcome, n);
        for &t in &outcome.technologies {
            let tech = g.technology(lexicon, t);
            g.link(n, Relation::Concerns, tech);
        }
    }

    for target in &facts.targets {
        let quote = g.facts.text.norm_of(target.span).to_owned();
        // One clause may set one value for several indicators (A和B翻一番): one target each.
        let n = g.node(
            Kind::Target,
            format!(
                "{doc_key}#target#{}#{quote}#{}",
                target.deadline.unwrap_or(0),
                normalize(&target.indicator)
            ),
        );
        g.cite(n, target.span);
        g.set(
            n,
            Attr::Label,
            Value::Lang(g.facts.text.quote(target.span).to_owned(), lang_of(&quote)),
        );
        if !target.indicator.is_empty() {
            g.set(
                n,
                Attr::Indicator,
                Value::Lang(target.indicator.clone(), lang_of(&target.indicator)),
            );
        }
        if let Some(year) = target.deadline {
            g.set(n, Attr::Deadline, Value::Year(year));
        }
        if let Some(q) = &target.quantity {
            set_quantity(&mut g, n, q);
            link_indicator(&mut g, lexicon, n, &target.indicator);
        }
        g.link(doc, Relation::HasTarget, n);
        for &t in &target.technologies {
            let tech = g.technology(lexicon, t);
            g.link(n, Relation::Concerns, tech);
        }
    }

    for pair in &facts.glossary {
        let zh = normalize(&pair.zh);
        let known = lexicon.technologies.iter().position(|t| normalize(&t.label_zh) == zh);
        let n = match known {
            Some(t) => g.technology(lexicon, t),
            None => g.node(Kind::GlossaryTerm, format!("term#{zh}")),
        };
        g.set(n, Attr::Label, Value::Lang(pair.zh.clone(), "zh"));
        g.set(n, Attr::Label, Value::Lang(pair.en.clone(), "en"));
        g.cite(n, pair.zh_span);
        g.cite(n, pair.en_span);
        g.link(doc, Relation::Mentions, n);
    }

    add_mentions(&mut g, &facts.mentions, lexicon, source);
    g
}

/// Links a target or outcome to the canonical indicator its indicator text names.
/// The official header, on the document it heads: the notice, when the source is a notice
/// transmitting a plan (the notice is then a document of its own, transmitting the plan
/// the source describes), else the document itself.
fn official_header(
    g: &mut KnowledgeGraph,
    doc: NodeIndex,
    facts: &Facts,
    org: &dyn Fn(&mut KnowledgeGraph, &OrgRef) -> NodeIndex,
) {
    use crate::extract::HeaderField as F;
    let header = &facts.header;
    let notice = header.notice.as_ref().filter(|(title, _)| {
        facts
            .plans
            .first()
            .is_some_and(|p| !p.title.is_empty() && normalize(&p.title) != normalize(title))
    });
    let target = match notice {
        Some((title, span)) => {
            let key = format!("notice#{}", g.path);
            let n = g.node(Kind::Document, key);
            g.set(n, Attr::Title, Value::Lang(title.clone(), lang_of(title)));
            g.set(n, Attr::Label, Value::Lang(title.clone(), lang_of(title)));
            g.cite(n, *span);
            g.link(n, Relation::Transmits, doc);
            let issuers: Vec<OrgRef> = facts.plans[0].issuers.iter().map(|i| i.org.clone()).collect();
            for issuer in &issuers {
                let o = org(g, issuer);
                g.link(n, Relation::IssuedBy, o);
            }
            n
        }
        None => doc,
    };
    for fact in &header.facts {
        let (attr, value) = match fact.field {
            F::Number => (Attr::IdLocal, Value::Text(fact.value.clone())),
            F::Identifier => (Attr::Identifier, Value::Text(fact.value.clone())),
            F::Subject => (Attr::Subject, Value::Text(fact.value.clone())),
            F::Addressee => (Attr::Addressee, Value::Text(fact.value.clone())),
            F::CopyTo => (
                Attr::CopyTo,
                Value::Text(fact.value.trim_end_matches(['。', '.']).to_owned()),
            ),
            F::DateDocument | F::DatePublication => {
                let Some(date) = fact.date.clone() else {
                    continue;
                };
                let attr = if fact.field == F::DateDocument {
                    Attr::DateDocument
                } else {
                    Attr::DatePublication
                };
                (attr, Value::Date(date))
            }
            // The title and the organ are the document's own title and issuers.
            F::Title | F::Organ => continue,
        };
        g.set(target, attr, value);
        if let Some(span) = fact.span {
            g.cite(target, span);
        }
    }
    if let Some(number) = &header.number {
        g.set(target, Attr::OrganCode, Value::Text(number.organ_code.clone()));
        g.set(target, Attr::NumberYear, Value::Year(number.year));
        g.set(target, Attr::SerialNumber, Value::Integer(i64::from(number.serial)));
    }
    for (organ, span) in &header.organs {
        let o = org(g, organ);
        if let Some(span) = span {
            g.cite(o, *span);
        }
        g.link(target, Relation::IssuedBy, o);
    }
}

fn link_indicator(g: &mut KnowledgeGraph, lexicon: &Lexicon, n: NodeIndex, indicator: &str) {
    if let Some(entry) = lexicon.indicator_of(indicator) {
        let concept = g.node(Kind::Indicator, lexicon.indicators[entry].id.clone());
        g.link(n, Relation::IndicatorConcept, concept);
    }
}

/// The value or range of a quantity, its unit as written (and in QUDT) and its qualifier.
fn set_quantity(g: &mut KnowledgeGraph, n: NodeIndex, q: &crate::extract::Quantity) {
    let decimal = |d: Decimal| Value::Decimal(d.to_string());
    if let Some(min) = q.min {
        g.set(n, Attr::MinValue, decimal(min));
    }
    if let Some(max) = q.max {
        g.set(n, Attr::MaxValue, decimal(max));
    }
    g.set(n, Attr::Unit, Value::Text(q.unit.clone()));
    if let Some(iri) = &q.qudt_unit {
        g.set(n, Attr::QudtUnit, Value::Iri(iri.clone()));
    }
    if let Some(qualifier) = &q.qualifier {
        g.set(n, Attr::Qualifier, Value::Text(qualifier.clone()));
    }
}

/// A publisher: the lexicon's organization when the whole name is one, else a node of its own.
fn publisher(g: &mut KnowledgeGraph, lexicon: &Lexicon, name: &str, span: Span) -> NodeIndex {
    let whole = normalize(name);
    let known = lexicon
        .org_zh
        .find_all(&whole)
        .into_iter()
        .find(|h| h.start == 0 && h.end == whole.len());
    let n = match known {
        Some(hit) => g.node(Kind::Organization, lexicon.organizations[hit.entry].id.clone()),
        None => {
            let n = g.node(Kind::Publisher, format!("{:?}#{whole}", Kind::Publisher));
            g.set(n, Attr::Label, Value::Lang(name.to_owned(), lang_of(name)));
            n
        }
    };
    g.cite(n, span);
    n
}

fn add_mentions(g: &mut KnowledgeGraph, mentions: &[Mention], lexicon: &Lexicon, source: NodeIndex) {
    let named = |g: &mut KnowledgeGraph, kind: Kind, name: &str, span: Span| -> NodeIndex {
        let n = g.node(kind, format!("{kind:?}#{}", normalize(name)));
        g.set(n, Attr::Label, Value::Lang(name.to_owned(), lang_of(name)));
        g.cite(n, span);
        n
    };
    // Named things first, so messages and photographs can link to them.
    let (named_first, linking): (Vec<&Mention>, Vec<&Mention>) = mentions.iter().partition(|m| {
        matches!(
            m,
            Mention::Person { .. } | Mention::Event { .. } | Mention::Publisher { .. } | Mention::Reporter { .. }
        )
    });
    for mention in named_first.into_iter().chain(linking) {
        match mention {
            Mention::Person { name, span } => {
                let n = named(g, Kind::Person, name, *span);
                g.link(source, Relation::Mentions, n);
            }
            Mention::Event { name, span } => {
                let n = named(g, Kind::Event, name, *span);
                g.link(source, Relation::Mentions, n);
            }
            Mention::Reporter { name, span } => {
                let n = named(g, Kind::Person, name, *span);
                g.link(source, Relation::Author, n);
            }
            Mention::Publisher { name, span } => {
                let n = publisher(g, lexicon, name, *span);
                g.link(source, Relation::Publisher, n);
            }
            Mention::Message {
                kind,
                sender,
                recipient,
                date,
                span,
            } => {
                let key = format!(
                    "message#{sender}#{}#{}",
                    recipient.clone().unwrap_or_default(),
                    date.clone().unwrap_or_default()
                );
                let n = g.node(Kind::Message, key);
                let label = g.facts.text.quote(*span).to_owned();
                g.set(n, Attr::Label, Value::Lang(label, "zh"));
                g.set(n, Attr::Title, Value::Lang(kind.clone(), "zh"));
                g.cite(n, *span);
                if let Some(date) = date {
                    g.set(n, Attr::DateSent, Value::Date(date.clone()));
                }
                if let Some(&person) = g.index.get(&Key {
                    kind: Kind::Person,
                    key: format!("{:?}#{}", Kind::Person, normalize(sender)),
                }) {
                    g.link(n, Relation::Sender, person);
                }
                if let Some(to) = recipient {
                    let event_key = Key {
                        kind: Kind::Event,
                        key: format!("{:?}#{}", Kind::Event, normalize(to)),
                    };
                    if let Some(&event) = g.index.get(&event_key) {
                        g.link(n, Relation::Recipient, event);
                    }
                }
                g.link(source, Relation::Mentions, n);
            }
            Mention::Photograph {
                date,
                event,
                credit,
                span,
            } => {
                let key = format!("photo#{}#{}-{}", g.path, span.start, span.end);
                let n = g.node(Kind::Photograph, key);
                let caption = g.facts.text.quote(*span).to_owned();
                g.set(n, Attr::Label, Value::Lang(caption, "zh"));
                g.cite(n, *span);
                if let Some(date) = date {
                    g.set(n, Attr::DateCreated, Value::Date(date.clone()));
                }
                if let Some((credit, credit_span)) = credit {
                    g.set(n, Attr::CreditText, Value::Text(credit.clone()));
                    let agency = publisher(g, lexicon, credit, *credit_span);
                    g.link(n, Relation::Publisher, agency);
                    g.link(source, Relation::Mentions, agency);
                }
                if let Some(event) = event {
                    let event_key = Key {
                        kind: Kind::Event,
                        key: format!("{:?}#{}", Kind::Event, normalize(event)),
                    };
                    if let Some(&e) = g.index.get(&event_key) {
                        g.link(n, Relation::About, e);
                    }
                }
                g.link(source, Relation::Mentions, n);
            }
        }
    }
}

//! The model mapped to RDF: one named graph per source, every entity typed, every span an
//! Evidence node with its quote. The lexicon graph holds the lexicon files' own triples.

use super::mint::{iri, IriKind};
use super::vocab::{dcterms, eli, org, pkg, qudt, rdfs, schema, skos, LEXICON_GRAPH};
use crate::lexicon::Lexicon;
use crate::model::{Attr, Key, Kind, KnowledgeGraph, Relation, Value};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};

fn iri_kind(kind: Kind) -> IriKind {
    match kind {
        Kind::Source => IriKind::Source,
        Kind::Document => IriKind::Document,
        Kind::Organization => IriKind::Organization,
        Kind::Technology | Kind::Category => IriKind::Technology,
        Kind::Task => IriKind::Task,
        Kind::Measure => IriKind::Measure,
        Kind::Target => IriKind::Target,
        Kind::Outcome => IriKind::Outcome,
        Kind::Indicator => IriKind::Indicator,
        Kind::GlossaryTerm
        | Kind::Candidate
        | Kind::Person
        | Kind::Event
        | Kind::Message
        | Kind::Photograph
        | Kind::Publisher => IriKind::Entity,
    }
}

/// The IRI of an entity key.
pub fn entity_iri(key: &Key) -> NamedNode {
    iri(iri_kind(key.kind), &key.key)
}

/// The IRI of the Source (and of its named graph) for a path.
pub fn source_iri(path: &str) -> NamedNode {
    iri(IriKind::Source, path)
}

fn classes(kind: Kind) -> &'static [NamedNodeRef<'static>] {
    match kind {
        Kind::Source => &[pkg::SOURCE],
        Kind::Document => &[pkg::POLICY_DOCUMENT],
        Kind::Organization => &[pkg::ORGANIZATION, org::ORGANIZATION],
        Kind::Technology => &[pkg::TECHNOLOGY, skos::CONCEPT],
        Kind::Task => &[pkg::TASK],
        Kind::Measure => &[pkg::MEASURE],
        Kind::Target => &[pkg::TARGET],
        Kind::Outcome => &[pkg::OUTCOME],
        Kind::Indicator => &[skos::CONCEPT],
        Kind::GlossaryTerm => &[pkg::GLOSSARY_TERM, skos::CONCEPT],
        Kind::Candidate => &[pkg::TECHNOLOGY_CANDIDATE, skos::CONCEPT],
        Kind::Category => &[pkg::INDUSTRY_CATEGORY, skos::CONCEPT],
        Kind::Person => &[schema::PERSON],
        Kind::Event => &[schema::EVENT],
        Kind::Message => &[schema::MESSAGE],
        Kind::Photograph => &[schema::PHOTOGRAPH],
        Kind::Publisher => &[schema::ORGANIZATION],
    }
}

fn attr_predicate(attr: Attr) -> NamedNodeRef<'static> {
    match attr {
        Attr::Label => rdfs::LABEL,
        Attr::Title => dcterms::TITLE,
        Attr::Path => pkg::PATH,
        Attr::Sha256 => pkg::SHA256,
        Attr::Encoding => pkg::ENCODING,
        Attr::Order => pkg::ORDER,
        Attr::DeclaredIssuerCount => pkg::DECLARED_ISSUER_COUNT,
        Attr::DeclaredTaskCount => pkg::DECLARED_TASK_COUNT,
        Attr::Deadline => pkg::DEADLINE,
        Attr::MinValue => pkg::MIN_VALUE,
        Attr::MaxValue => pkg::MAX_VALUE,
        Attr::Unit => pkg::UNIT,
        Attr::QudtUnit => qudt::UNIT,
        Attr::Qualifier => pkg::QUALIFIER,
        Attr::Indicator => pkg::INDICATOR,
        Attr::Resolved => pkg::RESOLVED,
        Attr::Issued => dcterms::ISSUED,
        Attr::Year => pkg::YEAR,
        Attr::PeriodStart => pkg::PERIOD_START,
        Attr::PeriodEnd => pkg::PERIOD_END,
        Attr::DateSent => schema::DATE_SENT,
        Attr::DateCreated => schema::DATE_CREATED,
        Attr::CreditText => schema::CREDIT_TEXT,
        Attr::Text => pkg::TEXT,
        Attr::Format => dcterms::FORMAT,
        Attr::IdLocal => eli::ID_LOCAL,
        Attr::OrganCode => pkg::ORGAN_CODE,
        Attr::NumberYear => pkg::NUMBER_YEAR,
        Attr::SerialNumber => pkg::SERIAL_NUMBER,
        Attr::DateDocument => eli::DATE_DOCUMENT,
        Attr::DatePublication => eli::DATE_PUBLICATION,
        Attr::Identifier => dcterms::IDENTIFIER,
        Attr::Subject => dcterms::SUBJECT,
        Attr::Addressee => pkg::ADDRESSEE,
        Attr::CopyTo => pkg::COPY_TO,
    }
}

fn relation_predicate(relation: Relation) -> NamedNodeRef<'static> {
    match relation {
        Relation::IssuedBy => pkg::ISSUED_BY,
        Relation::DescribedIn => pkg::DESCRIBED_IN,
        Relation::HasTask => pkg::HAS_TASK,
        Relation::HasSubtask => pkg::HAS_SUBTASK,
        Relation::HasMeasure => pkg::HAS_MEASURE,
        Relation::HasTarget => pkg::HAS_TARGET,
        Relation::HasOutcome => pkg::HAS_OUTCOME,
        Relation::IndicatorConcept => pkg::INDICATOR_CONCEPT,
        Relation::Concerns => pkg::CONCERNS,
        Relation::Mentions => pkg::MENTIONS,
        Relation::Publisher => schema::PUBLISHER,
        Relation::Sender => schema::SENDER,
        Relation::Recipient => schema::RECIPIENT,
        Relation::About => schema::ABOUT,
        Relation::Author => schema::AUTHOR,
        Relation::Cites => pkg::CITES,
        Relation::Transmits => pkg::TRANSMITS,
    }
}

/// The object of an attribute: a literal of the value's datatype, or an IRI.
fn object(value: &Value) -> Term {
    match value {
        Value::Text(s) => Literal::new_simple_literal(s).into(),
        Value::Lang(s, lang) => Literal::new_language_tagged_literal_unchecked(s, *lang).into(),
        Value::Integer(i) => Literal::new_typed_literal(i.to_string(), xsd::INTEGER).into(),
        Value::Decimal(d) => Literal::new_typed_literal(d, xsd::DECIMAL).into(),
        Value::Year(y) => Literal::new_typed_literal(format!("{y:04}"), xsd::G_YEAR).into(),
        Value::Date(d) => Literal::new_typed_literal(d, xsd::DATE).into(),
        Value::Bool(b) => Literal::new_typed_literal(b.to_string(), xsd::BOOLEAN).into(),
        Value::Iri(iri) => NamedNode::new_unchecked(iri.as_str()).into(),
    }
}

/// Oxigraph's own store (where SPARQL Update runs) keeps every integer-derived datatype as
/// `xsd:integer`; this gives the offsets back the datatype the ontology declares for them.
pub fn with_declared_datatype(mut quad: Quad) -> Quad {
    if quad.predicate == pkg::START || quad.predicate == pkg::END {
        if let Term::Literal(l) = &quad.object {
            if l.datatype() == xsd::INTEGER && !l.value().starts_with('-') {
                quad.object = Literal::new_typed_literal(l.value(), xsd::NON_NEGATIVE_INTEGER).into();
            }
        }
    }
    quad
}

/// All quads of one source's graph, in no particular order and possibly repeated (an
/// evidence span shared by two entities): the store's [`crate::store::Batch`] sorts them
/// by their text and drops the repeats once, on the extraction worker.
pub fn quads(graph: &KnowledgeGraph) -> Vec<Quad> {
    let source = source_iri(&graph.path);
    let name = GraphName::NamedNode(source.clone());
    let mut out = Vec::new();
    let mut push = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| out.push(Quad::new(s.clone(), p, o, name.clone()));
    for (_, entity) in graph.entities() {
        let subject = entity_iri(&entity.key);
        for class in classes(entity.key.kind) {
            push(&subject, rdf::TYPE, (*class).into());
        }
        for (attr, value) in &entity.attrs {
            push(&subject, attr_predicate(*attr), object(value));
        }
        for span in &entity.evidence {
            let evidence = iri(
                IriKind::Evidence,
                &format!("{}#{}-{}", graph.path, span.start, span.end),
            );
            push(&subject, pkg::EVIDENCE_PROP, evidence.clone().into());
            push(&evidence, rdf::TYPE, pkg::EVIDENCE.into());
            push(&evidence, pkg::SOURCE_PROP, source.clone().into());
            let offset = |n: usize| Literal::new_typed_literal(n.to_string(), xsd::NON_NEGATIVE_INTEGER);
            push(&evidence, pkg::START, offset(span.start).into());
            push(&evidence, pkg::END, offset(span.end).into());
            push(
                &evidence,
                pkg::QUOTE,
                Literal::new_simple_literal(graph.facts.text.quote(*span)).into(),
            );
        }
    }
    for (from, relation, to) in graph.relations() {
        push(&entity_iri(from), relation_predicate(relation), entity_iri(to).into());
    }
    out
}

/// The lexicon graph's quads, sorted.
pub fn lexicon_quads(lexicon: &Lexicon) -> Vec<Quad> {
    let name = GraphName::NamedNode(NamedNode::new_unchecked(LEXICON_GRAPH));
    lexicon
        .triples
        .iter()
        .map(|t| Quad::new(t.subject.clone(), t.predicate.clone(), t.object.clone(), name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_iris_are_the_minted_ones() {
        let lexicon = Lexicon::builtin().expect("lexicon");
        for o in &lexicon.organizations {
            assert_eq!(o.iri, iri(IriKind::Organization, &o.id), "{}", o.id);
        }
        for t in &lexicon.technologies {
            assert_eq!(t.iri, iri(IriKind::Technology, &t.id), "{}", t.id);
        }
    }
}

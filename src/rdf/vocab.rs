//! Every IRI policykg writes, declared once. Standard vocabularies come from
//! `oxigraph::model::vocab` where it has them; the rest are here.

use oxigraph::model::NamedNodeRef;

macro_rules! terms {
    ($ns:literal; $($name:ident = $local:literal),* $(,)?) => {
        /// The namespace IRI.
        pub const NS: &str = $ns;
        $(pub const $name: NamedNodeRef<'static> =
            NamedNodeRef::new_unchecked(concat!($ns, $local));)*
        /// Every term of this module, for the validity test.
        #[cfg(test)]
        pub const ALL: &[NamedNodeRef<'static>] = &[$($name),*];
    };
}

/// The policykg ontology (`ontology/policykg.ttl`).
pub mod pkg {
    use super::NamedNodeRef;
    terms!("https://w3id.org/policykg/ontology#";
        SOURCE = "Source",
        POLICY_DOCUMENT = "PolicyDocument",
        ORGANIZATION = "Organization",
        TASK = "Task",
        MEASURE = "Measure",
        TECHNOLOGY = "Technology",
        TARGET = "Target",
        OUTCOME = "Outcome",
        ASSESSMENT = "Assessment",
        EVIDENCE = "Evidence",
        TECHNOLOGY_CANDIDATE = "TechnologyCandidate",
        GLOSSARY_TERM = "GlossaryTerm",
        INDUSTRY_CATEGORY = "IndustryCategory",
        ISSUED_BY = "issuedBy",
        CITES = "cites",
        DECLARED_ISSUER_COUNT = "declaredIssuerCount",
        DECLARED_TASK_COUNT = "declaredTaskCount",
        DESCRIBED_IN = "describedIn",
        HAS_TASK = "hasTask",
        HAS_SUBTASK = "hasSubtask",
        ORDER = "order",
        HAS_MEASURE = "hasMeasure",
        HAS_TARGET = "hasTarget",
        HAS_OUTCOME = "hasOutcome",
        INDICATOR_CONCEPT = "indicatorConcept",
        OUTCOME_OF = "outcomeOf",
        ASSESSED_OUTCOME = "assessedOutcome",
        ASSESSED_TARGET = "assessedTarget",
        VERDICT = "verdict",
        YEAR = "year",
        CONCERNS = "concerns",
        MENTIONS = "mentions",
        DEADLINE = "deadline",
        PERIOD_START = "periodStart",
        PERIOD_END = "periodEnd",
        MIN_VALUE = "minValue",
        MAX_VALUE = "maxValue",
        UNIT = "unit",
        QUALIFIER = "qualifier",
        INDICATOR = "indicator",
        EVIDENCE_PROP = "evidence",
        SOURCE_PROP = "source",
        START = "start",
        END = "end",
        QUOTE = "quote",
        SHA256 = "sha256",
        PATH = "path",
        ENCODING = "encoding",
        ACRONYM = "acronym",
        RESOLVED = "resolved",
        POLARITY = "polarity",
        SURFACE_FORM = "surfaceForm",
        TEXT = "text",
        TRANSMITS = "transmits",
        ORGAN_CODE = "organCode",
        NUMBER_YEAR = "numberYear",
        SERIAL_NUMBER = "serialNumber",
        ADDRESSEE = "addressee",
        COPY_TO = "copyTo",
    );
}

pub mod rdfs {
    use super::NamedNodeRef;
    terms!("http://www.w3.org/2000/01/rdf-schema#"; LABEL = "label", COMMENT = "comment");
}

pub mod skos {
    use super::NamedNodeRef;
    terms!("http://www.w3.org/2004/02/skos/core#";
        CONCEPT = "Concept",
        CONCEPT_SCHEME = "ConceptScheme",
        PREF_LABEL = "prefLabel",
        ALT_LABEL = "altLabel",
        BROADER = "broader",
        NARROWER = "narrower",
        IN_SCHEME = "inScheme",
    );
}

pub mod org {
    use super::NamedNodeRef;
    terms!("http://www.w3.org/ns/org#";
        ORGANIZATION = "Organization",
        SUB_ORGANIZATION_OF = "subOrganizationOf",
    );
}

pub mod dcterms {
    use super::NamedNodeRef;
    terms!("http://purl.org/dc/terms/";
        TITLE = "title",
        ISSUED = "issued",
        FORMAT = "format",
        IDENTIFIER = "identifier",
        SUBJECT = "subject",
    );
}

/// The European Legislation Identifier ontology, for the official header: the document
/// number (发文字号) and the dates of signing (成文日期) and publication (发布日期).
pub mod eli {
    use super::NamedNodeRef;
    terms!("http://data.europa.eu/eli/ontology#";
        ID_LOCAL = "id_local",
        DATE_DOCUMENT = "date_document",
        DATE_PUBLICATION = "date_publication",
    );
}

pub mod owl {
    use super::NamedNodeRef;
    terms!("http://www.w3.org/2002/07/owl#"; SAME_AS = "sameAs");
}

/// schema.org, for what a news article names besides the plan: people, events,
/// messages, photographs and publishers.
pub mod schema {
    use super::NamedNodeRef;
    terms!("https://schema.org/";
        PERSON = "Person",
        EVENT = "Event",
        ORGANIZATION = "Organization",
        MESSAGE = "Message",
        PHOTOGRAPH = "Photograph",
        NAME = "name",
        SENDER = "sender",
        RECIPIENT = "recipient",
        DATE_SENT = "dateSent",
        DATE_CREATED = "dateCreated",
        START_DATE = "startDate",
        PUBLISHER = "publisher",
        CREDIT_TEXT = "creditText",
        ABOUT = "about",
        AUTHOR = "author",
        LOCATION = "location",
    );
}

/// QUDT, for the unit of a target's quantity as a unit IRI beside the written one.
pub mod qudt {
    use super::NamedNodeRef;
    terms!("http://qudt.org/schema/qudt/"; UNIT = "unit");
}

/// The QUDT unit vocabulary. Its IRIs (the objects of `qudt:unit`) are data: they come
/// from `ontology/lexicon/units.tsv`, which is checked to stay in this namespace.
pub const QUDT_UNIT_NS: &str = "http://qudt.org/vocab/unit/";

/// Instance IRIs (built only by [`crate::rdf::mint`]) live under this base.
pub const ID_BASE: &str = "https://w3id.org/policykg/id/";

/// The named graph that holds the lexicons (organizations, technology scheme).
pub const LEXICON_GRAPH: &str = "https://w3id.org/policykg/id/graph/lexicon";
/// The graph of links derived from the whole store (planned vs achieved).
pub const DERIVED_GRAPH: &str = "https://w3id.org/policykg/id/graph/derived";

/// Prefixes used when writing Turtle, one per instance kind so local names need no `\/`.
pub const PREFIXES: &[(&str, &str)] = &[
    ("pkg", pkg::NS),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", rdfs::NS),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("skos", skos::NS),
    ("org", org::NS),
    ("dcterms", dcterms::NS),
    ("eli", eli::NS),
    ("owl", owl::NS),
    ("schema", schema::NS),
    ("qudt", qudt::NS),
    ("unit", QUDT_UNIT_NS),
    ("porg", "https://w3id.org/policykg/id/org/"),
    ("ptech", "https://w3id.org/policykg/id/tech/"),
    ("pdoc", "https://w3id.org/policykg/id/doc/"),
    ("psrc", "https://w3id.org/policykg/id/source/"),
    ("ptask", "https://w3id.org/policykg/id/task/"),
    ("pmeas", "https://w3id.org/policykg/id/measure/"),
    ("ptgt", "https://w3id.org/policykg/id/target/"),
    ("pout", "https://w3id.org/policykg/id/outcome/"),
    ("pind", "https://w3id.org/policykg/id/indicator/"),
    ("pass", "https://w3id.org/policykg/id/assessment/"),
    ("pev", "https://w3id.org/policykg/id/evidence/"),
    ("pent", "https://w3id.org/policykg/id/entity/"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::NamedNode;

    #[test]
    fn every_constant_is_a_valid_iri() {
        for list in [
            pkg::ALL,
            rdfs::ALL,
            skos::ALL,
            org::ALL,
            dcterms::ALL,
            eli::ALL,
            owl::ALL,
            schema::ALL,
            qudt::ALL,
        ] {
            for term in list {
                assert!(NamedNode::new(term.as_str()).is_ok(), "{}", term.as_str());
            }
        }
        for (_, ns) in PREFIXES {
            assert!(NamedNode::new(*ns).is_ok(), "{ns}");
        }
    }

    #[test]
    fn every_pkg_term_is_declared_in_the_ontology() {
        let ontology = include_str!("../../ontology/policykg.ttl");
        for term in pkg::ALL {
            let local = &term.as_str()[pkg::NS.len()..];
            assert!(
                ontology.contains(&format!("pkg:{local} ")) || ontology.contains(&format!("pkg:{local}\n")),
                "pkg:{local} is not declared in ontology/policykg.ttl"
            );
        }
    }
}

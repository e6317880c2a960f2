//! Planned vs achieved: links each outcome a report gives to the target an earlier plan of
//! the same issuer set for it (same canonical indicator, year and unit), with a verdict —
//! met, exceeded or missed — computed from the numbers. The links live in the derived graph,
//! recomputed from the whole store after every build.

use crate::rdf::mint::{hash_key, iri, IriKind};
use crate::rdf::vocab::{pkg, DERIVED_GRAPH};
use crate::store::{GraphStore, StoreError};
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad};

const PAIRS: &str = include_str!("../ontology/queries/derive/outcome-target-pairs.rq");

/// How a result compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Exceeded,
    Missed,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Exceeded => "exceeded",
            Self::Missed => "missed",
        }
    }
}

/// Whether an indicator's target is a floor to pass (more is better) or a ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    Higher,
    Lower,
}

/// The verdict on a result `value` against a target from `min` to `max` (either may be
/// open; a point target is both). More is better: under the lower end misses, above the
/// upper end exceeds, else meets. A ceiling: above the upper end misses, else meets.
pub fn verdict(value: f64, min: Option<f64>, max: Option<f64>, polarity: Polarity) -> Option<Verdict> {
    if min.is_none() && max.is_none() {
        return None;
    }
    Some(match polarity {
        Polarity::Higher if min.is_some_and(|m| value < m) => Verdict::Missed,
        Polarity::Higher if max.is_some_and(|m| value > m) => Verdict::Exceeded,
        Polarity::Higher => Verdict::Met,
        Polarity::Lower if max.or(min).is_some_and(|m| value > m) => Verdict::Missed,
        Polarity::Lower => Verdict::Met,
    })
}

/// The derived graph's quads: `pkg:outcomeOf` and one `pkg:Assessment` per outcome and
/// target, sorted.
pub fn derived_quads(store: &GraphStore) -> Result<Vec<Quad>, StoreError> {
    let graph = GraphName::NamedNode(NamedNode::new_unchecked(DERIVED_GRAPH));
    let mut out = Vec::new();
    for row in store.select(PAIRS)? {
        let (Some(outcome), Some(target), Some(polarity)) =
            (row.get("outcome"), row.get("target"), row.get("polarity"))
        else {
            continue;
        };
        let number = |key: &str| row.get(key).and_then(|v| v.parse::<f64>().ok());
        let polarity = match polarity.as_str() {
            "lower" => Polarity::Lower,
            _ => Polarity::Higher,
        };
        let Some(value) = number("omin").or_else(|| number("omax")) else {
            continue;
        };
        let outcome = NamedNode::new_unchecked(outcome.as_str());
        let target = NamedNode::new_unchecked(target.as_str());
        let mut push = |s: &NamedNode, p: NamedNodeRef<'_>, o: oxigraph::model::Term| {
            out.push(Quad::new(s.clone(), p, o, graph.clone()));
        };
        push(&outcome, pkg::OUTCOME_OF, target.clone().into());
        let assessment = iri(
            IriKind::Assessment,
            &hash_key(&format!("{}\0{}", outcome.as_str(), target.as_str())),
        );
        push(&assessment, rdf::TYPE, pkg::ASSESSMENT.into());
        push(&assessment, pkg::ASSESSED_OUTCOME, outcome.clone().into());
        push(&assessment, pkg::ASSESSED_TARGET, target.clone().into());
        if let Some(v) = verdict(value, number("tmin"), number("tmax"), polarity) {
            push(
                &assessment,
                pkg::VERDICT,
                Literal::new_typed_literal(v.name(), xsd::STRING).into(),
            );
        }
    }
    out.sort_by_cached_key(ToString::to_string);
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_by_polarity() {
        use Polarity::{Higher, Lower};
        use Verdict::{Exceeded, Met, Missed};
        type Case = (f64, Option<f64>, Option<f64>, Polarity, Option<Verdict>);
        let cases: &[Case] = &[
            // A growth target of 5 (point): 5 meets, 5.2 exceeds, 4.8 misses.
            (5.0, Some(5.0), Some(5.0), Higher, Some(Met)),
            (5.2, Some(5.0), Some(5.0), Higher, Some(Exceeded)),
            (4.8, Some(5.0), Some(5.0), Higher, Some(Missed)),
            // A range 6–6.5: inside meets.
            (6.1, Some(6.0), Some(6.5), Higher, Some(Met)),
            // A floor (以上): any value above meets.
            (1244.0, Some(1200.0), None, Higher, Some(Met)),
            (1100.0, Some(1200.0), None, Higher, Some(Missed)),
            // A ceiling: CPI around 3, unemployment within 5.5.
            (0.2, Some(3.0), Some(3.0), Lower, Some(Met)),
            (3.4, Some(3.0), Some(3.0), Lower, Some(Missed)),
            (5.2, None, Some(5.5), Lower, Some(Met)),
            (5.6, None, Some(5.5), Lower, Some(Missed)),
            // No number on the target: no verdict.
            (5.0, None, None, Higher, None),
        ];
        for &(value, min, max, polarity, expected) in cases {
            assert_eq!(
                verdict(value, min, max, polarity),
                expected,
                "{value} against {min:?}–{max:?}"
            );
        }
    }
}

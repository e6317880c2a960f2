//! ORDER BY on keys taken once per row.
//!
//! Oxigraph's evaluator sorts with a comparator that evaluates both rows' keys at every
//! comparison: over a store, each key is a term decoded again (a string copied) some
//! 2·log₂(n) times per row, most of a named query's time once it returns tens of thousands
//! of rows. A SELECT whose outermost ORDER BY sorts on plain variables (`ORDER BY ?a
//! DESC(?b)`, what every query the project ships uses) is evaluated here without its ORDER BY,
//! with the key variables projected too; the rows are then sorted on keys converted once,
//! by the same ordering the evaluator applies ([`cmp_terms`], SPARQL 1.1 §15.1 as Oxigraph
//! implements it), and DISTINCT, OFFSET and LIMIT are applied after the sort, as the
//! algebra orders them. Any other query is evaluated as it is.

use oxigraph::model::{Term, Variable};
use oxigraph::sparql::{QueryEvaluationError, QuerySolutionIter};
use oxsdatatypes::{Decimal, Double, Float};
use spareval::ExpressionTerm;
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
use spargebra::Query;
use std::cmp::Ordering;
use std::collections::HashSet;

/// A row's values, one per column (`None` where unbound).
type Row = Vec<Option<Term>>;

/// What was taken out of a query's algebra, to be done on its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    /// The variables the query projects, the first columns of the rows evaluated.
    variables: Vec<Variable>,
    /// Those, then the key variables the query does not project: what is evaluated.
    columns: Vec<Variable>,
    /// The key columns, in order, each descending or not.
    keys: Vec<(usize, bool)>,
    distinct: bool,
    start: usize,
    length: Option<usize>,
}

/// `query` without its outermost ORDER BY, and what to do on its rows, when that ORDER BY
/// sorts on variables only; otherwise the query as it is and `None`.
pub fn take(query: Query) -> (Query, Option<Sort>) {
    let Query::Select {
        dataset,
        pattern,
        base_iri,
    } = query
    else {
        return (query, None);
    };
    let (pattern, sort) = match split(&pattern) {
        Some((evaluated, sort)) => (evaluated, Some(sort)),
        None => (pattern, None),
    };
    (
        Query::Select {
            dataset,
            pattern,
            base_iri,
        },
        sort,
    )
}

/// `Slice? Distinct? Project(OrderBy(inner, variables), projected)` →
/// `Project(inner, projected + key variables)`.
fn split(pattern: &GraphPattern) -> Option<(GraphPattern, Sort)> {
    let (pattern, start, length) = match pattern {
        GraphPattern::Slice { inner, start, length } => (inner.as_ref(), *start, *length),
        other => (other, 0, None),
    };
    let (pattern, distinct) = match pattern {
        GraphPattern::Distinct { inner } => (inner.as_ref(), true),
        other => (other, false),
    };
    let GraphPattern::Project { inner, variables } = pattern else {
        return None;
    };
    let GraphPattern::OrderBy { inner, expression } = inner.as_ref() else {
        return None;
    };
    let mut columns = variables.clone();
    let mut keys = Vec::with_capacity(expression.len());
    for key in expression {
        let (variable, descending) = match key {
            OrderExpression::Asc(Expression::Variable(v)) => (v, false),
            OrderExpression::Desc(Expression::Variable(v)) => (v, true),
            _ => return None,
        };
        let column = match columns.iter().position(|c| c == variable) {
            Some(column) => column,
            None => {
                columns.push(variable.clone());
                columns.len() - 1
            }
        };
        keys.push((column, descending));
    }
    let evaluated = GraphPattern::Project {
        inner: inner.clone(),
        variables: columns.clone(),
    };
    Some((
        evaluated,
        Sort {
            variables: variables.clone(),
            columns,
            keys,
            distinct,
            start,
            length,
        },
    ))
}

impl Sort {
    /// The rows of `solutions` (the query [`take`] returned, evaluated) sorted, with the
    /// query's own variables. An evaluation error ends the rows with that error.
    pub fn apply(&self, solutions: QuerySolutionIter<'_>) -> QuerySolutionIter<'static> {
        let mut rows: Vec<(Vec<Option<ExpressionTerm>>, Row)> = Vec::new();
        let mut error = None;
        let at: Vec<Option<usize>> = self
            .columns
            .iter()
            .map(|c| solutions.variables().iter().position(|v| v == c))
            .collect();
        for solution in solutions {
            match solution {
                Ok(solution) => {
                    let values: Row = at
                        .iter()
                        .map(|i| i.and_then(|i| solution.values().get(i).cloned().flatten()))
                        .collect();
                    let keys = self
                        .keys
                        .iter()
                        .map(|&(column, _)| values.get(column).cloned().flatten().map(ExpressionTerm::from))
                        .collect();
                    rows.push((keys, values));
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        // Stable: rows the keys do not tell apart stay in the order they were evaluated.
        let rows = merge_sort_by(rows, |(a, _), (b, _)| {
            for (((_, descending), a), b) in self.keys.iter().zip(a).zip(b) {
                let order = cmp_terms(a.as_ref(), b.as_ref());
                let order = if *descending { order.reverse() } else { order };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        });
        let width = self.variables.len();
        let mut seen = HashSet::new();
        let rows: Vec<Result<Row, QueryEvaluationError>> = rows
            .into_iter()
            .map(|(_, mut values)| {
                values.truncate(width);
                values
            })
            .filter(|values| !self.distinct || seen.insert(values.clone()))
            .skip(self.start)
            .take(self.length.unwrap_or(usize::MAX))
            .map(Ok)
            .chain(error.map(Err))
            .collect();
        QuerySolutionIter::from_tuples(self.variables.clone().into(), rows)
    }
}

/// `items` sorted by `compare`, stably, by a merge sort that never panics: SPARQL's order is
/// no total order across kinds of literals (the number 9 before 10, 10 before the string
/// "5" by their texts, "5" before 9), and the standard library's sorts may panic on such a
/// comparison; here those rows come in some order, as the engine's own sort leaves them.
fn merge_sort_by<T>(items: Vec<T>, compare: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    let n = items.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right, mut at) = (start, middle, start);
            while left < middle && right < end {
                // The right run's row goes first only when it is strictly smaller: stable.
                if compare(&items[order[right]], &items[order[left]]) == Ordering::Less {
                    merged[at] = order[right];
                    right += 1;
                } else {
                    merged[at] = order[left];
                    left += 1;
                }
                at += 1;
            }
            merged[at..at + middle - left].copy_from_slice(&order[left..middle]);
            at += middle - left;
            merged[at..end].copy_from_slice(&order[right..end]);
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

/// The order of two ORDER BY keys, unbound first, as Oxigraph's evaluator (spareval 0.2,
/// `cmp_terms`) orders them: blank nodes, then IRIs by their text, then literals, compared
/// by value where SPARQL defines `<` for them and otherwise by (lexical form, datatype,
/// language).
pub fn cmp_terms(a: Option<&ExpressionTerm>, b: Option<&ExpressionTerm>) -> Ordering {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        (Some(_), None) => return Ordering::Greater,
        (None, Some(_)) => return Ordering::Less,
        (None, None) => return Ordering::Equal,
    };
    match (a, b) {
        (ExpressionTerm::BlankNode(a), ExpressionTerm::BlankNode(b)) => a.as_str().cmp(b.as_str()),
        (ExpressionTerm::BlankNode(_), _) => Ordering::Less,
        (ExpressionTerm::NamedNode(_), ExpressionTerm::BlankNode(_)) => Ordering::Greater,
        (ExpressionTerm::NamedNode(a), ExpressionTerm::NamedNode(b)) => a.as_str().cmp(b.as_str()),
        (ExpressionTerm::NamedNode(_), _) => Ordering::Less,
        (_, ExpressionTerm::NamedNode(_) | ExpressionTerm::BlankNode(_)) => Ordering::Greater,
        _ => partial_cmp_literals(a, b).unwrap_or_else(|| match (Term::from(a.clone()), Term::from(b.clone())) {
            (Term::Literal(a), Term::Literal(b)) => {
                (a.value(), a.datatype(), a.language()).cmp(&(b.value(), b.datatype(), b.language()))
            }
            _ => Ordering::Equal,
        }),
    }
}

/// `<` between two literals where SPARQL defines it (spareval 0.2's `partial_cmp_literals`):
/// strings, strings of one language, numbers of any numeric type with each other, and
/// date-times, dates, times, the Gregorian parts and durations each with their own kind.
/// Booleans are not compared.
fn partial_cmp_literals(a: &ExpressionTerm, b: &ExpressionTerm) -> Option<Ordering> {
    use ExpressionTerm as T;
    match (a, b) {
        (T::StringLiteral(a), T::StringLiteral(b)) => a.partial_cmp(b),
        (
            T::LangStringLiteral {
                value: va,
                language: la,
            },
            T::LangStringLiteral {
                value: vb,
                language: lb,
            },
        ) => (la == lb).then(|| va.cmp(vb)),
        (T::FloatLiteral(a), T::FloatLiteral(b)) => a.partial_cmp(b),
        (T::FloatLiteral(a), T::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (T::FloatLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(&Float::from(*b)),
        (T::FloatLiteral(a), T::DecimalLiteral(b)) => a.partial_cmp(&Float::from(*b)),
        (T::DoubleLiteral(a), T::FloatLiteral(b)) => a.partial_cmp(&Double::from(*b)),
        (T::DoubleLiteral(a), T::DoubleLiteral(b)) => a.partial_cmp(b),
        (T::DoubleLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(&Double::from(*b)),
        (T::DoubleLiteral(a), T::DecimalLiteral(b)) => a.partial_cmp(&Double::from(*b)),
        (T::IntegerLiteral(a), T::FloatLiteral(b)) => Float::from(*a).partial_cmp(b),
        (T::IntegerLiteral(a), T::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (T::IntegerLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(b),
        (T::IntegerLiteral(a), T::DecimalLiteral(b)) => Decimal::from(*a).partial_cmp(b),
        (T::DecimalLiteral(a), T::FloatLiteral(b)) => Float::from(*a).partial_cmp(b),
        (T::DecimalLiteral(a), T::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (T::DecimalLiteral(a), T::IntegerLiteral(b)) => a.partial_cmp(&Decimal::from(*b)),
        (T::DecimalLiteral(a), T::DecimalLiteral(b)) => a.partial_cmp(b),
        (T::DateTimeLiteral(a), T::DateTimeLiteral(b)) => a.partial_cmp(b),
        (T::TimeLiteral(a), T::TimeLiteral(b)) => a.partial_cmp(b),
        (T::DateLiteral(a), T::DateLiteral(b)) => a.partial_cmp(b),
        (T::GYearMonthLiteral(a), T::GYearMonthLiteral(b)) => a.partial_cmp(b),
        (T::GYearLiteral(a), T::GYearLiteral(b)) => a.partial_cmp(b),
        (T::GMonthDayLiteral(a), T::GMonthDayLiteral(b)) => a.partial_cmp(b),
        (T::GDayLiteral(a), T::GDayLiteral(b)) => a.partial_cmp(b),
        (T::GMonthLiteral(a), T::GMonthLiteral(b)) => a.partial_cmp(b),
        (T::DurationLiteral(a), T::DurationLiteral(b)) => a.partial_cmp(b),
        (T::DurationLiteral(a), T::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (T::DurationLiteral(a), T::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        (T::YearMonthDurationLiteral(a), T::DurationLiteral(b)) => a.partial_cmp(b),
        (T::YearMonthDurationLiteral(a), T::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (T::YearMonthDurationLiteral(a), T::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        (T::DayTimeDurationLiteral(a), T::DurationLiteral(b)) => a.partial_cmp(b),
        (T::DayTimeDurationLiteral(a), T::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (T::DayTimeDurationLiteral(a), T::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode, Quad, Term};
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};
    use oxigraph::store::Store;
    use proptest::prelude::*;

    const EX: &str = "http://example.org/";

    /// Values of every kind ORDER BY meets: unbound (no value), blank nodes, IRIs, plain
    /// and tagged strings, numbers of four types that compare across types, years, dates,
    /// booleans (compared by their text) and a datatype SPARQL does not know.
    fn value(i: u8) -> Option<Term> {
        let xsd = |local: &str| NamedNode::new_unchecked(format!("http://www.w3.org/2001/XMLSchema#{local}"));
        let typed = |text: &str, local: &str| Some(Literal::new_typed_literal(text, xsd(local)).into());
        match i % 24 {
            0 => None,
            1 => Some(BlankNode::new_unchecked("b1").into()),
            2 => Some(NamedNode::new_unchecked(format!("{EX}a")).into()),
            3 => Some(NamedNode::new_unchecked(format!("{EX}b")).into()),
            4 => Some(Literal::new_simple_literal("规划").into()),
            5 => Some(Literal::new_simple_literal("alpha").into()),
            6 => Some(Literal::new_language_tagged_literal_unchecked("plan", "en").into()),
            7 => Some(Literal::new_language_tagged_literal_unchecked("规划", "zh").into()),
            8 => Some(Literal::new_language_tagged_literal_unchecked("atlas", "en").into()),
            9 => typed("2", "integer"),
            10 => typed("10", "integer"),
            11 => typed("2.5", "decimal"),
            12 => typed("1.0E1", "double"),
            13 => typed("-3", "float"),
            14 => typed("2030", "gYear"),
            15 => typed("2025", "gYear"),
            16 => typed("2025-03-01", "date"),
            17 => typed("2024-12-31", "date"),
            18 => typed("true", "boolean"),
            19 => typed("false", "boolean"),
            20 => Some(Literal::new_typed_literal("x", NamedNode::new_unchecked(format!("{EX}type"))).into()),
            21 => typed("P1Y", "duration"),
            22 => typed("2025-01-01T00:00:00Z", "dateTime"),
            _ => typed("7", "integer"),
        }
    }

    fn store(rows: &[(u8, u8)]) -> Store {
        let store = Store::new().expect("an in-memory store");
        let node = |local: String| NamedNode::new_unchecked(format!("{EX}{local}"));
        for (n, (v, w)) in rows.iter().enumerate() {
            let s = node(format!("s{n:03}"));
            let mut quads = vec![Quad::new(
                s.clone(),
                node("kind".into()),
                node("Row".into()),
                oxigraph::model::GraphName::DefaultGraph,
            )];
            for (p, value) in [("v", value(*v)), ("w", value(*w))] {
                if let Some(value) = value {
                    quads.push(Quad::new(
                        s.clone(),
                        node(p.into()),
                        value,
                        oxigraph::model::GraphName::DefaultGraph,
                    ));
                }
            }
            for quad in quads {
                store.insert(&quad).expect("an insert");
            }
        }
        store
    }

    fn rows(results: QueryResults<'_>) -> Vec<Vec<Option<Term>>> {
        let QueryResults::Solutions(solutions) = results else {
            panic!("not solutions");
        };
        solutions.map(|s| s.expect("a solution").values().to_vec()).collect()
    }

    /// The rows the engine gives with its own ORDER BY, and the rows of the same query
    /// with the ORDER BY taken out and done here.
    fn both(store: &Store, query: &str) -> (Vec<Row>, Vec<Row>) {
        let engine = rows(
            SparqlEvaluator::new()
                .parse_query(query)
                .expect("a query")
                .on_store(store)
                .execute()
                .expect("an evaluation"),
        );
        let parsed = spargebra::SparqlParser::new().parse_query(query).expect("a query");
        let (parsed, sort) = take(parsed);
        let sort = sort.expect("an ORDER BY on variables is taken out");
        let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
            .for_query(parsed)
            .on_store(store)
            .execute()
            .expect("an evaluation")
        else {
            panic!("not solutions");
        };
        (engine, rows(QueryResults::Solutions(sort.apply(solutions))))
    }

    /// Whether two rows' keys (their first columns) are equal for ORDER BY.
    fn same_keys(a: &[Option<Term>], b: &[Option<Term>], keys: usize) -> bool {
        (0..keys).all(|k| {
            let key = |row: &[Option<Term>]| row[k].clone().map(ExpressionTerm::from);
            cmp_terms(key(a).as_ref(), key(b).as_ref()) == Ordering::Equal
        })
    }

    /// Values whose SPARQL order is a total one: each kind of literal with unbound values,
    /// blank nodes and IRIs (numbers of four types; texts, tagged or not; years; dates;
    /// booleans). Across kinds of literals the order is no total one (see [`merge_sort_by`]).
    const FAMILIES: [&[u8]; 5] = [
        &[0, 1, 2, 3, 9, 10, 11, 12, 13, 23],
        &[0, 1, 2, 4, 5, 6, 7, 8],
        &[0, 2, 3, 14, 15],
        &[0, 1, 16, 17],
        &[0, 2, 18, 19],
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Values of every kind in one column, where SPARQL's order is no total one: the
        /// sort ends, and gives the rows the query gives without its ORDER BY.
        #[test]
        fn mixed_kinds_sort_without_a_panic(data in proptest::collection::vec((0u8..24, 0u8..24), 0..60)) {
            let store = store(&data);
            let pattern = format!("{{ ?s <{EX}kind> <{EX}Row> OPTIONAL {{ ?s <{EX}v> ?v }} OPTIONAL {{ ?s <{EX}w> ?w }} }}");
            let unordered = rows(
                SparqlEvaluator::new()
                    .parse_query(&format!("SELECT ?v ?w ?s WHERE {pattern}"))
                    .expect("a query")
                    .on_store(&store)
                    .execute()
                    .expect("an evaluation"),
            );
            let parsed = spargebra::SparqlParser::new()
                .parse_query(&format!("SELECT ?v ?w ?s WHERE {pattern} ORDER BY ?v DESC(?w)"))
                .expect("a query");
            let (parsed, sort) = take(parsed);
            let sort = sort.expect("an ORDER BY on variables is taken out");
            let QueryResults::Solutions(solutions) = SparqlEvaluator::new().for_query(parsed).on_store(&store).execute().expect("an evaluation") else {
                panic!("not solutions");
            };
            let mut ours = rows(QueryResults::Solutions(sort.apply(solutions)));
            let mut unordered = unordered;
            ours.sort_by_key(|r| format!("{r:?}"));
            unordered.sort_by_key(|r| format!("{r:?}"));
            prop_assert_eq!(ours, unordered);
        }

        /// On a total order the merge sort is the standard stable sort; on any comparison
        /// at all it ends and returns every item once.
        #[test]
        fn the_merge_sort_is_a_stable_sort(
            items in proptest::collection::vec((0u8..8, proptest::prelude::any::<u16>()), 0..300),
            noise in proptest::collection::vec(0u8..3, 1..50),
        ) {
            let mut standard = items.clone();
            standard.sort_by_key(|&(key, _)| key);
            prop_assert_eq!(merge_sort_by(items.clone(), |a, b| a.0.cmp(&b.0)), standard);
            let calls = std::cell::Cell::new(0usize);
            let arbitrary = merge_sort_by(items.clone(), |_, _| {
                calls.set(calls.get() + 1);
                match noise[calls.get() % noise.len()] {
                    0 => Ordering::Less,
                    1 => Ordering::Equal,
                    _ => Ordering::Greater,
                }
            });
            let (mut got, mut want) = (arbitrary, items);
            got.sort_unstable();
            want.sort_unstable();
            prop_assert_eq!(got, want);
        }

        /// Over values of every kind, in both directions, the rows come back as the
        /// engine's own ORDER BY gives them: the same rows, with keys equal place by place
        /// (rows whose keys are equal may come in another order, as they may in SPARQL).
        #[test]
        fn the_rows_come_in_the_engines_order(
            family in 0usize..FAMILIES.len(),
            picks in proptest::collection::vec((0usize..16, 0usize..16), 0..40),
            keys in prop::sample::select(vec!["?v ?w", "DESC(?v) ?w", "?w DESC(?v)", "DESC(?w) DESC(?v)"]),
        ) {
            let kinds = FAMILIES[family];
            let data: Vec<(u8, u8)> = picks.iter().map(|&(v, w)| (kinds[v % kinds.len()], kinds[w % kinds.len()])).collect();
            let store = store(&data);
            let columns = keys.replace("DESC(", "").replace(')', "");
            let query = format!(
                "SELECT {columns} ?s WHERE {{ ?s <{EX}kind> <{EX}Row> OPTIONAL {{ ?s <{EX}v> ?v }} OPTIONAL {{ ?s <{EX}w> ?w }} }} ORDER BY {keys}"
            );
            let (engine, ours) = both(&store, &query);
            let mut sorted_engine = engine.clone();
            let mut sorted_ours = ours.clone();
            sorted_engine.sort_by_key(|r| format!("{r:?}"));
            sorted_ours.sort_by_key(|r| format!("{r:?}"));
            prop_assert_eq!(sorted_engine, sorted_ours);
            for (e, o) in engine.iter().zip(&ours) {
                prop_assert!(same_keys(e, o, 2), "{:?} against the engine's {:?}", o, e);
            }
        }

        /// Keys the query does not project, DISTINCT, OFFSET and LIMIT: with keys that
        /// tell every row apart, the rows are the engine's, in its order.
        #[test]
        fn hidden_keys_distinct_and_slices_are_the_engines(
            picks in proptest::collection::btree_set(9u8..14, 0..5),
            offset in 0usize..3,
            limit in 0usize..6,
        ) {
            let data: Vec<(u8, u8)> = picks.iter().map(|&v| (v, v % 2)).collect();
            let store = store(&data);
            for query in [
                format!("SELECT ?s WHERE {{ ?s <{EX}v> ?v }} ORDER BY DESC(?v)"),
                format!("SELECT DISTINCT ?w WHERE {{ ?s <{EX}v> ?v OPTIONAL {{ ?s <{EX}w> ?w }} }} ORDER BY ?v"),
                format!("SELECT ?s WHERE {{ ?s <{EX}v> ?v }} ORDER BY ?v OFFSET {offset} LIMIT {limit}"),
            ] {
                let (engine, ours) = both(&store, &query);
                prop_assert_eq!(&engine, &ours, "{}", query);
            }
        }
    }

    #[test]
    fn only_an_outermost_order_on_variables_is_taken_out() {
        let taken = |query: &str| {
            take(spargebra::SparqlParser::new().parse_query(query).expect("a query"))
                .1
                .is_some()
        };
        assert!(taken("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o DESC(?p)"));
        assert!(taken("SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 3"));
        assert!(!taken("SELECT ?s WHERE { ?s ?p ?o } ORDER BY STRLEN(STR(?o))"));
        assert!(!taken("SELECT ?s WHERE { ?s ?p ?o }"));
        assert!(!taken("SELECT REDUCED ?s WHERE { ?s ?p ?o } ORDER BY ?o"));
        assert!(!taken(
            "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o } }"
        ));
        assert!(!taken("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?o"));
        assert!(!taken("ASK { ?s ?p ?o }"));
    }
}

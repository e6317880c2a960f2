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
use std::sync::Arc;

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
    match split(&pattern) {
        Some((pattern, sort)) => (
            Query::Select {
                dataset,
                pattern,
                base_iri,
            },
            Some(sort),
        ),
        None => (
            Query::Select {
                dataset,
                pattern,
                base_iri,
            },
            None,
        ),
    }
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
        let mut rows: Vec<(Vec<Option<ExpressionTerm>>, Vec<Option<Term>>)> = Vec::new();
        let mut error = None;
        let at: Vec<Option<usize>> = self
            .columns
            .iter()
            .map(|c| solutions.variables().iter().position(|v| v == c))
            .collect();
        for solution in solutions {
            match solution {
                Ok(solution) => {
                    let values: Vec<Option<Term>> = at
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
        rows.sort_by(|(a, _), (b, _)| {
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
        let rows: Vec<Vec<Option<Term>>> = rows
            .into_iter()
            .map(|(_, mut values)| {
                values.truncate(width);
                values
            })
            .filter(|values| !self.distinct || seen.insert(values.clone()))
            .skip(self.start)
            .take(self.length.unwrap_or(usize::MAX))
            .collect();
        let variables: Arc<[Variable]> = self.variables.clone().into();
        let rows = rows
            .into_iter()
            .map(Ok)
            .chain(error.map(Err::<Vec<Option<Term>>, QueryEvaluationError>));
        QuerySolutionIter::from_tuples(variables, rows.collect::<Vec<_>>())
    }
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

//! The plan map: read from the store with the queries in `ontology/queries/map/`, built as
//! a graphviz-rust DOT AST (issuers → plan → tasks/measures → technologies, targets grouped
//! by deadline), and rendered to SVG by Graphviz `dot` when installed, else by the pure-Rust
//! layout-rs.

use crate::store::{GraphStore, QueryOptions, StoreError};
use graphviz_rust::cmd::{CommandArg, Format, Layout};
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use std::collections::{BTreeMap, BTreeSet};

/// The font asked for in the DOT file: CJK-capable (Debian: fonts-noto-cjk).
pub const FONT: &str = "Noto Sans CJK SC";
/// Characters per line of a wrapped node label.
const WRAP: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Graphviz `dot` is not installed (Debian/Ubuntu: apt-get install graphviz fonts-noto-cjk); use --renderer builtin for the pure-Rust layout")]
    GraphvizMissing,
    #[error("Graphviz `dot` failed: {0}")]
    Graphviz(String),
    #[error("the built-in layout failed: {0}")]
    Builtin(String),
    #[error("--doc {0}: no plan in the store has this IRI or is described by this file")]
    UnknownPlan(String),
}

/// Which program lays out the SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Renderer {
    /// Graphviz when installed, else the built-in layout.
    #[default]
    Auto,
    Graphviz,
    Builtin,
}

/// The renderer that actually ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Used {
    Graphviz,
    Builtin,
}

impl std::fmt::Display for Used {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Used::Graphviz => "Graphviz dot",
            Used::Builtin => "built-in layout (layout-rs)",
        })
    }
}

fn rows(store: &GraphStore, query: &str) -> Result<Vec<BTreeMap<String, String>>, StoreError> {
    store.select(query)
}

/// The dataset a plan's map is read from: the graphs that say anything of the plan as a
/// subject (every source describing it, where its tasks, measures, targets and issuers are
/// too), with the lexicon's and the derived links'. One plan's map then reads its own
/// sources instead of every plan of the store (1.5 s -> a few ms on 500 plans).
fn plan_dataset(store: &GraphStore, plan: &str) -> Result<QueryOptions, StoreError> {
    let Ok(plan) = oxigraph::model::NamedNode::new(plan) else {
        return Ok(QueryOptions::default());
    };
    let mut graphs: Vec<oxigraph::model::NamedNode> = store
        .select(&format!("SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {plan} ?p ?o }} }}"))?
        .into_iter()
        .filter_map(|row| oxigraph::model::NamedNode::new(row.get("g")?).ok())
        .collect();
    graphs.extend(
        [crate::rdf::vocab::LEXICON_GRAPH, crate::rdf::vocab::DERIVED_GRAPH]
            .map(oxigraph::model::NamedNode::new_unchecked),
    );
    Ok(QueryOptions {
        default_graphs: graphs,
        ..QueryOptions::default()
    })
}

/// Escapes a DOT string body: graphviz-rust does not (see CRATES.md).
fn quoted(text: &str) -> Id {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    Id::Escaped(format!("\"{escaped}\""))
}

fn wrap(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(WRAP)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

fn attr(name: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(name.to_owned()), value)
}

fn plain(value: &str) -> Id {
    Id::Plain(value.to_owned())
}

struct Builder {
    ids: BTreeMap<String, String>,
    stmts: Vec<Stmt>,
    edges: BTreeSet<(String, String)>,
}

impl Builder {
    /// An empty left-to-right map in the CJK font: `spacing` is (nodesep, ranksep), then the
    /// node font size and the edge attributes besides the font.
    fn new(spacing: (&str, &str), layout: Vec<Attribute>, node_size: &str, edge: Vec<Attribute>) -> Self {
        let font = quoted(FONT);
        let mut edge_attributes = vec![attr("fontname", font.clone())];
        edge_attributes.extend(edge);
        Self {
            ids: BTreeMap::new(),
            stmts: vec![
                Stmt::GAttribute(GraphAttributes::Graph(
                    [
                        attr("rankdir", plain("LR")),
                        attr("fontname", font.clone()),
                        attr("nodesep", quoted(spacing.0)),
                        attr("ranksep", quoted(spacing.1)),
                    ]
                    .into_iter()
                    .chain(layout)
                    .collect(),
                )),
                Stmt::GAttribute(GraphAttributes::Node(vec![
                    attr("fontname", font),
                    attr("fontsize", plain(node_size)),
                ])),
                Stmt::GAttribute(GraphAttributes::Edge(edge_attributes)),
            ],
            edges: BTreeSet::new(),
        }
    }

    fn id(&mut self, iri: &str) -> String {
        let next = format!("n{}", self.ids.len() + 1);
        self.ids.entry(iri.to_owned()).or_insert(next).clone()
    }

    fn node(&mut self, iri: &str, label: &str, style: &[(&str, &str)]) -> String {
        if let Some(id) = self.ids.get(iri) {
            return id.clone();
        }
        let id = self.id(iri);
        // The node's IRI as its SVG id, so the page can tell which node was clicked.
        let mut attributes = vec![attr("label", quoted(label)), attr("id", quoted(iri))];
        attributes.extend(style.iter().map(|(k, v)| attr(k, quoted(v))));
        self.stmts.push(Stmt::Node(Node {
            id: NodeId(plain(&id), None),
            attributes,
        }));
        id
    }

    fn edge(&mut self, from: &str, to: &str) {
        if self.edges.insert((from.to_owned(), to.to_owned())) {
            self.stmts.push(edge_stmt(from, to));
        }
    }
}

fn edge_stmt(from: &str, to: &str) -> Stmt {
    Stmt::Edge(Edge {
        ty: EdgeTy::Pair(Vertex::N(NodeId(plain(from), None)), Vertex::N(NodeId(plain(to), None))),
        attributes: vec![],
    })
}

const ISSUER: &[(&str, &str)] = &[("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "#dbe9f6")];
const PLAN: &[(&str, &str)] = &[("shape", "box"), ("style", "filled,bold"), ("fillcolor", "#fde4b8")];
const TASK: &[(&str, &str)] = &[("shape", "box"), ("style", "rounded,filled"), ("fillcolor", "#e3f1dc")];
const MEASURE: &[(&str, &str)] = &[("shape", "box"), ("style", "filled"), ("fillcolor", "#f3f3f3")];
const TECH: &[(&str, &str)] = &[("shape", "ellipse"), ("style", "filled"), ("fillcolor", "#efe0f5")];
const TARGET: &[(&str, &str)] = &[("shape", "note"), ("style", "filled"), ("fillcolor", "#fff7cf")];
const TARGET_OPEN: &[(&str, &str)] = &[("shape", "note"), ("style", "dashed")];

/// A target's value as written on its node: "3–5 个", "≥1200 万人 (以上)".
fn value_text(row: &BTreeMap<String, String>) -> Option<String> {
    let unit = row.get("unit").map_or("", String::as_str);
    let qualifier = row.get("qualifier").map(|q| format!(" ({q})")).unwrap_or_default();
    let value = match (row.get("min"), row.get("max")) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => format!("≥{a}"),
        (None, Some(b)) => format!("≤{b}"),
        (None, None) => return None,
    };
    Some(format!("{value} {unit}{qualifier}"))
}

/// How many plans a store may hold and still be drawn whole by default; a larger store is
/// drawn as the overview.
pub const DETAILED_PLANS: usize = 12;

/// What a map shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every plan in full when there are at most [`DETAILED_PLANS`], else the overview.
    Auto,
    /// Every plan in full, however many.
    Full,
    /// One plan (by its document IRI) in full.
    Plan(String),
    /// Organizations → plans → technology areas, with counts on the edges.
    Overview,
}

/// The document IRI for `--doc`: an IRI of a plan, or the path of a source file that
/// describes one (as given to `build`, or the same file by another path).
pub fn resolve_plan(store: &GraphStore, doc: &str) -> Result<Option<String>, StoreError> {
    let rows = rows(store, include_str!("../ontology/queries/map/document-of-file.rq"))?;
    if rows.iter().any(|r| r.get("doc").is_some_and(|d| d == doc)) {
        return Ok(Some(doc.to_owned()));
    }
    let wanted = std::fs::canonicalize(doc).ok();
    Ok(rows
        .iter()
        .find(|r| {
            r.get("path")
                .is_some_and(|p| p == doc || (wanted.is_some() && std::fs::canonicalize(p).ok() == wanted))
        })
        .and_then(|r| r.get("doc").cloned()))
}

/// The map `scope` asks for.
pub fn map(store: &GraphStore, scope: &Scope) -> Result<Graph, RenderError> {
    match scope {
        Scope::Full => plan_map_for(store, None),
        Scope::Plan(iri) => plan_map_for(store, Some(iri)),
        Scope::Overview => overview(store),
        Scope::Auto => {
            let plans = rows(store, include_str!("../ontology/queries/map/plans.rq"))?.len();
            if plans <= DETAILED_PLANS {
                plan_map_for(store, None)
            } else {
                overview(store)
            }
        }
    }
}

/// Characters of a plan title on an overview node.
const OVERVIEW_TITLE: usize = 24;

/// The overview: organizations → the plans they issued → the technology areas (top
/// concepts of the scheme) each plan mentions, the edge labelled with how many of the
/// area's technologies it names. Plans without issuers hang from one "issuer not named" node.
pub fn overview(store: &GraphStore) -> Result<Graph, RenderError> {
    // Straight edges, short crossing-minimization passes and the newer ranking: dot lays
    // out 500 plans in about 8 s instead of about 55 s, and the overview reads as well.
    let layout = vec![
        attr("newrank", plain("true")),
        attr("splines", plain("line")),
        attr("mclimit", quoted("0.1")),
        attr("nslimit", quoted("1")),
        attr("nslimit1", quoted("1")),
    ];
    let mut b = Builder::new(
        ("0.05", "1.2"),
        layout,
        "10",
        vec![attr("fontsize", plain("9")), attr("color", quoted("#999999"))],
    );
    let plans = rows(store, include_str!("../ontology/queries/map/overview-plans.rq"))?;
    let mut issued: BTreeMap<&str, usize> = BTreeMap::new();
    for row in &plans {
        if let Some(org) = row.get("org") {
            *issued.entry(org.as_str()).or_default() += 1;
        }
    }
    for row in &plans {
        let (Some(doc), Some(title)) = (row.get("doc"), row.get("title")) else {
            continue;
        };
        let short: String = title.chars().take(OVERVIEW_TITLE).collect();
        let ellipsis = if title.chars().count() > OVERVIEW_TITLE {
            "…"
        } else {
            ""
        };
        let d = b.node(doc, &format!("《{short}{ellipsis}》"), PLAN);
        let (org, label) = match (row.get("org"), row.get("label")) {
            (Some(org), Some(label)) => (org.as_str(), format!("{label} ({})", issued[org.as_str()])),
            _ => (
                "urn:policykg:issuer-not-named",
                "发布机关未识别 / issuer not named".to_owned(),
            ),
        };
        let o = b.node(org, &label, ISSUER);
        b.edge(&o, &d);
    }
    for row in rows(store, include_str!("../ontology/queries/map/overview-technologies.rq"))? {
        let (Some(doc), Some(top), Some(label), Some(n)) =
            (row.get("doc"), row.get("top"), row.get("label"), row.get("n"))
        else {
            continue;
        };
        let Some(d) = b.ids.get(doc.as_str()).cloned() else {
            continue;
        };
        let t = b.node(top, label, TECH);
        if b.edges.insert((d.clone(), t.clone())) {
            b.stmts.push(Stmt::Edge(Edge {
                ty: EdgeTy::Pair(Vertex::N(NodeId(plain(&d), None)), Vertex::N(NodeId(plain(&t), None))),
                attributes: vec![attr("label", quoted(n))],
            }));
        }
    }
    let (mut nodes, edges): (Vec<Stmt>, Vec<Stmt>) = b.stmts.into_iter().partition(|s| !matches!(s, Stmt::Edge(_)));
    nodes.extend(edges);
    Ok(Graph::DiGraph {
        id: plain("overview"),
        strict: false,
        stmts: nodes,
    })
}

/// The plan map of every plan in the store as a DOT graph.
pub fn plan_map(store: &GraphStore) -> Result<Graph, RenderError> {
    plan_map_for(store, None)
}

/// The plan map of one plan (by IRI), or of all of them.
pub fn plan_map_for(store: &GraphStore, only: Option<&str>) -> Result<Graph, RenderError> {
    let dataset = match only {
        Some(plan) => plan_dataset(store, plan)?,
        None => QueryOptions::default(),
    };
    plan_map_over(store, only, &dataset)
}

/// [`plan_map_for`] with the queries run over `dataset` (the whole store by default).
pub fn plan_map_over(store: &GraphStore, only: Option<&str>, dataset: &QueryOptions) -> Result<Graph, RenderError> {
    let rows = |store: &GraphStore, query: &str| store.select_with(query, dataset);
    let mut kept: BTreeSet<String> = BTreeSet::new();
    let mut b = Builder::new(
        ("0.15", "0.6"),
        Vec::new(),
        "11",
        vec![attr("color", quoted("#777777"))],
    );

    for plan in rows(store, include_str!("../ontology/queries/map/plans.rq"))? {
        let (Some(doc), Some(title)) = (plan.get("doc"), plan.get("title")) else {
            continue;
        };
        if only.is_some_and(|o| o != doc) {
            continue;
        }
        kept.insert(doc.clone());
        b.node(doc, &format!("《{}》", wrap(title)), PLAN);
    }
    for row in rows(store, include_str!("../ontology/queries/map/issuers.rq"))? {
        let (Some(doc), Some(org), Some(label)) = (row.get("doc"), row.get("org"), row.get("label")) else {
            continue;
        };
        if !kept.contains(doc) {
            continue;
        }
        let o = b.node(org, label, ISSUER);
        let d = b.id(doc);
        b.edge(&o, &d);
    }
    for row in rows(store, include_str!("../ontology/queries/map/tasks.rq"))? {
        let (Some(parent), Some(task), Some(label)) = (row.get("parent"), row.get("task"), row.get("label")) else {
            continue;
        };
        if !kept.contains(parent) {
            continue;
        }
        kept.insert(task.clone());
        let order = row.get("order").map(String::as_str).unwrap_or("");
        let t = b.node(task, &format!("{order}. {}", wrap(label)), TASK);
        let p = b.id(parent);
        b.edge(&p, &t);
    }
    for row in rows(store, include_str!("../ontology/queries/map/measures.rq"))? {
        let (Some(parent), Some(measure), Some(label)) = (row.get("parent"), row.get("measure"), row.get("label"))
        else {
            continue;
        };
        if !kept.contains(parent) {
            continue;
        }
        kept.insert(measure.clone());
        let m = b.node(measure, &wrap(label), MEASURE);
        let p = b.id(parent);
        b.edge(&p, &m);
    }
    for row in rows(store, include_str!("../ontology/queries/map/concerns.rq"))? {
        let (Some(measure), Some(tech), Some(label)) = (row.get("measure"), row.get("tech"), row.get("label")) else {
            continue;
        };
        if !kept.contains(measure) {
            continue;
        }
        let t = b.node(tech, label, TECH);
        let m = b.id(measure);
        b.edge(&m, &t);
    }
    let mut clusters: BTreeMap<(String, String), Vec<Stmt>> = BTreeMap::new();
    for row in rows(store, include_str!("../ontology/queries/map/targets.rq"))? {
        let (Some(doc), Some(target)) = (row.get("doc"), row.get("target")) else {
            continue;
        };
        if !kept.contains(doc) {
            continue;
        }
        let deadline = row.get("deadline").cloned().unwrap_or_else(|| "—".to_owned());
        let indicator = row.get("indicator").map(|s| wrap(s)).unwrap_or_default();
        let (label, style) = match value_text(&row) {
            Some(value) => (format!("{value}\n{indicator}"), TARGET),
            None => (indicator, TARGET_OPEN),
        };
        let before = b.stmts.len();
        let t = b.node(target, &label, style);
        // Move the node statement into its deadline cluster.
        let node_stmts: Vec<Stmt> = b.stmts.drain(before..).collect();
        let d = b.id(doc);
        clusters.entry((d.clone(), deadline)).or_default().extend(node_stmts);
        b.edge(&d, &t);
    }
    for (i, ((_, deadline), stmts)) in clusters.into_iter().enumerate() {
        let mut inner = vec![
            Stmt::Attribute(attr("label", quoted(&format!("到 {deadline} 年 / by {deadline}")))),
            Stmt::Attribute(attr("style", quoted("rounded"))),
        ];
        inner.extend(stmts);
        b.stmts.push(Stmt::Subgraph(Subgraph {
            id: plain(&format!("cluster_targets_{i}")),
            stmts: inner,
        }));
    }
    // Edges after every node and cluster, so each node is declared where it belongs.
    let (mut nodes, edges): (Vec<Stmt>, Vec<Stmt>) = b.stmts.into_iter().partition(|s| !matches!(s, Stmt::Edge(_)));
    nodes.extend(edges);
    Ok(Graph::DiGraph {
        id: plain("plan"),
        strict: false,
        stmts: nodes,
    })
}

/// The DOT text of a graph.
pub fn dot_text(graph: &Graph) -> String {
    graph.print(&mut PrinterContext::default()) + "\n"
}

/// Renders the map to SVG with the chosen renderer; says which one ran.
pub fn svg(graph: &Graph, renderer: Renderer) -> Result<(String, Used), RenderError> {
    if renderer != Renderer::Builtin {
        match graphviz_rust::exec_dot(
            dot_text(graph),
            vec![CommandArg::Format(Format::Svg), CommandArg::Layout(Layout::Dot)],
        ) {
            Ok(bytes) => return Ok((String::from_utf8_lossy(&bytes).into_owned(), Used::Graphviz)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if renderer == Renderer::Graphviz {
                    return Err(RenderError::GraphvizMissing);
                }
            }
            Err(e) => return Err(RenderError::Graphviz(e.to_string())),
        }
    }
    builtin_svg(graph).map(|svg| (svg, Used::Builtin))
}

/// layout-rs knows no clusters or graph attributes: lay out the same nodes and edges flat.
fn flatten(stmts: &[Stmt], out: &mut Vec<Stmt>) {
    for stmt in stmts {
        match stmt {
            Stmt::Subgraph(sub) => flatten(&sub.stmts, out),
            Stmt::Node(_) | Stmt::Edge(_) => out.push(stmt.clone()),
            _ => {}
        }
    }
}

fn builtin_svg(graph: &Graph) -> Result<String, RenderError> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let (Graph::DiGraph { stmts, .. } | Graph::Graph { stmts, .. }) = graph;
    let mut flat = Vec::new();
    flatten(stmts, &mut flat);
    let dot = dot_text(&Graph::DiGraph {
        id: plain("plan"),
        strict: false,
        stmts: flat,
    });
    let mut parser = DotParser::new(&dot);
    let parsed = parser.process().map_err(RenderError::Builtin)?;
    let mut builder = GraphBuilder::new();
    builder.visit_graph(&parsed);
    let mut visual = builder.get();
    let mut writer = SVGWriter::new();
    visual.do_it(false, false, false, &mut writer);
    Ok(writer.finalize())
}

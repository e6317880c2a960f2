//! Command-line arguments. Every flag's doc comment is its `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use policykg::export::ExportFormat;
use policykg::query::ResultFormat;
use policykg::render::Renderer;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  policykg build                         # seeds/ -> output/store, output/graph.ttl, plan.dot, plan.svg
  policykg build docs/ extra.txt --out out/ --store out/store
  policykg query 'SELECT ?t ?year WHERE { ?t pkg:deadline ?year }'
  policykg query --named targets-by-deadline --format csv
  policykg query -f my-query.rq --format json
  policykg render --format svg -o plan.svg
  policykg export --format trig -o graph.trig
  policykg render --format html -o plan.html
  policykg serve --bind 127.0.0.1:7878   # then open http://127.0.0.1:7878/
  policykg eval --gold ../shared/corpus --min-f1 targets=0.6
  policykg explain report.txt --format json      # which rule kept or dropped each number
  policykg update 'INSERT DATA { GRAPH <urn:notes> { <urn:notes> rdfs:comment \"reviewed\" } }'
  policykg load ontology/ external/*.ttl          # one named graph per file
  policykg export --format nquads | policykg load - --format nquads --graph urn:x --store other/
  policykg validate --format turtle               # SHACL report; exit 1 on violations
  policykg push --endpoint http://localhost:8890/sparql-graph-crud   # changed graphs to Virtuoso
  policykg completions bash > ~/.local/share/bash-completion/completions/policykg
  policykg build plan.html notice.pdf plan.docx  # web pages, PDF and Word as well as text
  policykg text notice.pdf                       # the text extraction reads (offsets count in it)
  policykg query --named documents               # documents with 发文字号, 成文日期, 主送…

Exit codes: 0 ok, 1 finished with problems (e.g. a file skipped), 2 fatal.";

/// Builds a knowledge graph of policy plans: issuers, tasks, measures, technologies and
/// quantified targets, each traced to the characters it came from.
#[derive(Debug, Parser)]
#[command(name = "policykg", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract the documents into the store and write graph.ttl, plan.dot and plan.svg.
    Build(BuildArgs),
    /// Run a SPARQL query (the default graph is the union of all graphs; the project's
    /// prefixes pkg:, rdfs:, skos:, dcterms:, qudt:, … are predeclared, a query may
    /// redeclare them).
    Query(QueryArgs),
    /// Draw the plan map from the store.
    Render(RenderArgs),
    /// Write the whole store in a standard RDF format.
    Export(ExportArgs),
    /// Serve the store: a SPARQL 1.1 endpoint at /sparql, the Graph Store Protocol at
    /// /store, and the plan map in the browser at /.
    Serve(ServeArgs),
    /// Internal: a query evaluator process for `serve` (requests on stdin, answers on
    /// stdout), so that a query past its time limit can be killed.
    #[command(hide = true)]
    ServeEvaluator {
        #[arg(long, value_name = "DIR")]
        store: PathBuf,
    },
    /// Score the extraction against gold annotations (NAME.gold.json beside NAME.txt):
    /// precision, recall and F1 for issuers, targets, tasks and technologies.
    Eval(EvalArgs),
    /// Show, for every number in one document, which target rule kept or dropped it, why,
    /// and the deadline in force with where it came from.
    Explain(ExplainArgs),
    /// Print the plain text extraction reads from a file (.txt, .md, .html, .pdf, .docx):
    /// evidence offsets count characters of exactly this text.
    Text(TextArgs),
    /// Run a SPARQL 1.1 Update on the store; all of it or nothing is saved.
    Update(UpdateArgs),
    /// Load RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) into the store,
    /// one named graph per file; loading a file again replaces its graph.
    Load(LoadArgs),
    /// Check the store (or an RDF file) against the shapes of ontology/shapes.ttl; a SHACL
    /// validation report, exit 1 when something does not conform.
    Validate(ValidateArgs),
    /// Send the store's named graphs to a SPARQL Graph Store Protocol endpoint (Virtuoso,
    /// Fuseki, GraphDB, Oxigraph, another policykg serve): one PUT per graph changed since
    /// the last push there.
    Push(PushArgs),
    /// Print a shell completion script (e.g. `policykg completions bash > ~/.local/share/bash-completion/completions/policykg`).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `policykg man | man -l -`.
    Man,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The SPARQL Update text, or - to read it from standard input.
    #[arg(value_name = "SPARQL", conflicts_with = "file", required_unless_present = "file")]
    pub update: Option<String>,
    /// Read the update from a file (- for standard input).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
    /// Wait for another writer of the store (a build, an updating serve) instead of failing.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// RDF files, folders (recursively, by file extension) or - for standard input.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// The format, when file names do not say it (required for standard input).
    #[arg(long, value_enum)]
    pub format: Option<ExportArg>,
    /// Put the triples of every input into this named graph (required for standard input;
    /// by default each file gets its own file:// graph). Quads that name a graph keep it.
    #[arg(long, value_name = "IRI")]
    pub graph: Option<String>,
    /// The store directory (created when missing).
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
    /// Wait for another writer of the store (a build, an updating serve) instead of failing.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// An RDF file to check instead of the store (format from its extension).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// text (one line per violation), turtle or json (JSON-LD): the SHACL results vocabulary.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Turtle,
    Json,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The Graph Store Protocol URL, e.g. http://localhost:8890/sparql-graph-crud (Virtuoso),
    /// http://localhost:3030/ds/data (Fuseki), http://localhost:7878/store (policykg serve).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// HTTP Basic credentials.
    #[arg(long, value_name = "USER:PASSWORD", conflicts_with = "token_env")]
    pub auth: Option<String>,
    /// The environment variable holding a bearer token (kept out of the command line).
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Send every graph, changed or not.
    #[arg(long)]
    pub all: bool,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct TextArgs {
    /// The document.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The document (.txt, .md, .html, .pdf, .docx); a NAME.meta.json beside it is read, as by build.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// table (tab-separated, for people) or json (one object per quantity).
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
    /// A directory with lexicon files extending the built-in ones (as for build).
    #[arg(long, value_name = "DIR")]
    pub lexicon: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExplainFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; loopback by default (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7878")]
    pub bind: std::net::SocketAddr,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
    /// Seconds a query (or /api call) may run before it is stopped and answered 503; more
    /// than 0, at most 86400 (one day).
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = seconds)]
    pub timeout: std::time::Duration,
    /// Seconds a client may take to send its whole request (headers and body) before it is
    /// answered 408; more than 0, at most 86400.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = seconds)]
    pub read_timeout: std::time::Duration,
    /// With --allow-update: every write must send `Authorization: Bearer TOKEN`, and may
    /// then also come as a form. Prefer the POLICYKG_UPDATE_TOKEN environment variable,
    /// which other users cannot read in the process list.
    #[arg(long, value_name = "TOKEN")]
    pub update_token: Option<String>,
    /// Largest serialized result, in bytes; a larger one is refused with a clear error.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_result_bytes: usize,
    /// Accept SPARQL Update at /update and Graph Store PUT/POST/DELETE (persisted
    /// atomically); without it the server is read-only and refuses them with 403.
    #[arg(long)]
    pub allow_update: bool,
    /// Allow a browser page from this origin (e.g. http://localhost:3000) to call the API.
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Worker threads serving requests in parallel.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub threads: usize,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The directory holding NAME.txt and NAME.gold.json (and optionally NAME.meta.json).
    #[arg(long, value_name = "DIR")]
    pub gold: PathBuf,
    /// table (for people) or json (with the missed and spurious items of each document).
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    pub format: EvalFormat,
    /// Fail (exit 1) when an overall F1 is below this: `0.8` for every category, or
    /// `targets=0.9` for one; repeatable.
    #[arg(long, value_name = "[CATEGORY=]F1")]
    pub min_f1: Vec<String>,
    /// A directory with lexicon files extending the built-in ones (as for build).
    #[arg(long, value_name = "DIR")]
    pub lexicon: Option<PathBuf>,
    /// Use the NAME.meta.json sidecars as `build` does; by default they are ignored, since
    /// users' files come without them.
    #[arg(long)]
    pub with_meta: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EvalFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Files and directories to read (.txt, .md, .html/.htm/.shtml, .pdf, .docx; directories
    /// recursively, sorted; other files are refused or listed as not read); - reads one
    /// document from standard input, stored under --name.
    #[arg(value_name = "PATH", default_value = "seeds")]
    pub paths: Vec<PathBuf>,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
    /// The name a document on standard input (`-`) is stored under; its extension says the
    /// format when the bytes do not (.txt by default).
    #[arg(long, value_name = "NAME", default_value = "stdin.txt")]
    pub name: String,
    /// Where graph.ttl, plan.dot and plan.svg are written.
    #[arg(long, value_name = "DIR", default_value = "output")]
    pub out: PathBuf,
    /// Write only the store, no graph.ttl/plan.dot/plan.svg.
    #[arg(long)]
    pub no_artifacts: bool,
    /// A directory with organizations.ttl, technologies.ttl, cues.json and/or units.tsv that
    /// extend the built-in lexicons (an entry with the same IRI, a cue key or a unit row
    /// written the same replaces the built-in one).
    #[arg(long, value_name = "DIR")]
    pub lexicon: Option<PathBuf>,
    /// Which program lays out plan.svg.
    #[arg(long, value_enum, default_value_t = RendererArg::Auto)]
    pub renderer: RendererArg,
    /// Print only problems.
    #[arg(long, short)]
    pub quiet: bool,
    /// Ignore NAME.meta.json files beside the inputs (by default their title and date
    /// override what the text says).
    #[arg(long)]
    pub no_sidecars: bool,
    /// When another process writes the store (a build, or `serve --allow-update`), wait
    /// for it to finish instead of failing at once.
    #[arg(long)]
    pub wait: bool,
    /// Drop every stored source not built in this run. Without it, the graphs of an input
    /// that failed (missing path, unreadable or undecodable file) are kept.
    #[arg(long)]
    pub prune: bool,
    /// Refuse files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = policykg::pipeline::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
}

impl BuildArgs {
    pub fn paths(&self) -> Vec<PathBuf> {
        self.paths.clone()
    }
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The SPARQL query text, or - to read it from standard input.
    #[arg(value_name = "SPARQL", conflicts_with_all = ["file", "named"], required_unless_present_any = ["file", "named"])]
    pub query: Option<String>,
    /// Read the query from a file (- for standard input).
    #[arg(short = 'f', long = "file", value_name = "FILE", conflicts_with = "named")]
    pub file: Option<PathBuf>,
    /// Run a query shipped in ontology/queries/: documents, organizations, outcomes,
    /// planned-vs-achieved, plan-outline, targets-by-deadline, technologies.
    #[arg(long, value_name = "NAME")]
    pub named: Option<String>,
    /// Output format: table (for people), csv, tsv, json, xml (SELECT/ASK); turtle or
    /// ntriples (CONSTRUCT/DESCRIBE, which default to Turtle).
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// dot (the Graphviz source), svg, or html (a self-contained page to share).
    #[arg(long, value_enum, default_value_t = MapFormat::Svg)]
    pub format: MapFormat,
    /// Draw one plan: its document IRI, or the path of the file that describes it.
    #[arg(long, value_name = "IRI|FILE", conflicts_with_all = ["overview", "full"])]
    pub doc: Option<String>,
    /// Draw the overview (organizations → plans → technology areas, with counts), the
    /// default when the store holds more than 12 plans.
    #[arg(long, conflicts_with = "full")]
    pub overview: bool,
    /// Draw every plan in full, however many.
    #[arg(long)]
    pub full: bool,
    /// Output file (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which program lays out the SVG.
    #[arg(long, value_enum, default_value_t = RendererArg::Auto)]
    pub renderer: RendererArg,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// RDF format; turtle, ntriples and rdfxml merge the named graphs, the others keep them.
    #[arg(long, value_enum, default_value_t = ExportArg::Turtle)]
    pub format: ExportArg,
    /// Output file (default: standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The store directory.
    #[arg(long, value_name = "DIR", default_value = "output/store")]
    pub store: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum QueryFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    Ntriples,
}

impl From<QueryFormat> for ResultFormat {
    fn from(f: QueryFormat) -> Self {
        match f {
            QueryFormat::Table => ResultFormat::Table,
            QueryFormat::Csv => ResultFormat::Csv,
            QueryFormat::Tsv => ResultFormat::Tsv,
            QueryFormat::Json => ResultFormat::Json,
            QueryFormat::Xml => ResultFormat::Xml,
            QueryFormat::Turtle => ResultFormat::Turtle,
            QueryFormat::Ntriples => ResultFormat::NTriples,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MapFormat {
    Dot,
    Svg,
    /// One self-contained offline page: the map, every node's facts, evidence and sources.
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RendererArg {
    /// Graphviz `dot` when installed, else the built-in layout.
    Auto,
    /// Graphviz `dot` (fails when it is not installed).
    Graphviz,
    /// The pure-Rust layout (layout-rs).
    Builtin,
}

impl From<RendererArg> for Renderer {
    fn from(r: RendererArg) -> Self {
        match r {
            RendererArg::Auto => Renderer::Auto,
            RendererArg::Graphviz => Renderer::Graphviz,
            RendererArg::Builtin => Renderer::Builtin,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportArg {
    Turtle,
    Ntriples,
    Nquads,
    Trig,
    Rdfxml,
    Jsonld,
}

impl From<ExportArg> for ExportFormat {
    fn from(f: ExportArg) -> Self {
        match f {
            ExportArg::Turtle => ExportFormat::Turtle,
            ExportArg::Ntriples => ExportFormat::NTriples,
            ExportArg::Nquads => ExportFormat::NQuads,
            ExportArg::Trig => ExportFormat::TriG,
            ExportArg::Rdfxml => ExportFormat::RdfXml,
            ExportArg::Jsonld => ExportFormat::JsonLd,
        }
    }
}

/// A number of seconds for a time limit: positive, finite and at most one day.
fn seconds(text: &str) -> Result<std::time::Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    let max = policykg::serve::MAX_TIMEOUT;
    if !(value > 0.0 && value <= max.as_secs_f64()) {
        return Err(format!(
            "`{text}` is out of range: give more than 0 and at most {} seconds (one day)",
            max.as_secs()
        ));
    }
    Ok(std::time::Duration::from_secs_f64(value))
}

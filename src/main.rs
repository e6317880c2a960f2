//! The `policykg` command: parses arguments, calls the library, maps outcomes to exit codes
//! (0 ok, 1 finished with problems, 2 fatal). A closed pipe is not an error.

mod cli;
mod explain;

use anyhow::Context;
use clap::{CommandFactory, Parser};
use cli::{Cli, Command};
use policykg::pipeline::{self, BuildConfig};
use policykg::query::{self};
use policykg::render;
use policykg::store::{GraphStore, StoreError};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Every allocation of the command goes to mimalloc (see Cargo.toml); the library leaves the
/// choice to whoever links it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            if error.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("policykg: error: {}", message(&error));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, each said once: our errors already name their cause in their
/// own message (`{path}: {source}`), which `{:#}` would repeat.
fn message(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
    }
    text
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => {
            let stdin = if args.paths.iter().any(|p| p.as_os_str() == "-") {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).context("reading standard input")?;
                Some(pipeline::NamedInput {
                    name: args.name.clone(),
                    bytes,
                })
            } else {
                None
            };
            let config = BuildConfig {
                inputs: args.paths().into_iter().filter(|p| p.as_os_str() != "-").collect(),
                stdin,
                store_dir: args.store.clone(),
                out_dir: (!args.no_artifacts).then(|| args.out.clone()),
                lexicon_dir: args.lexicon.clone(),
                renderer: args.renderer.into(),
                sidecars: !args.no_sidecars,
                policy: pipeline::BuildPolicy {
                    wait: args.wait,
                    prune: args.prune,
                    max_file_size: args.max_file_size,
                },
            };
            if args.wait {
                // Say why nothing happens yet; the build takes the lock itself.
                if let Err(StoreError::Locked { holder, .. }) = policykg::store::WriteLock::acquire(&args.store, false)
                {
                    eprintln!("policykg: waiting for the store lock ({holder})");
                }
            }
            let show_progress = !args.quiet && std::io::stderr().is_terminal();
            let report = pipeline::build_with_progress(&config, &mut |p| {
                if show_progress && p.total > 1 {
                    let width = 30;
                    let filled = width * p.done / p.total.max(1);
                    eprint!(
                        "\r[{}{}] {}/{} {:<50.50}",
                        "#".repeat(filled),
                        " ".repeat(width - filled),
                        p.done,
                        p.total,
                        p.path
                    );
                    if p.done == p.total {
                        eprint!("\r{:<100}\r", "");
                    }
                }
            })?;
            let mut err = std::io::stderr().lock();
            if !args.quiet {
                for source in &report.sources {
                    let counts: Vec<String> = source.counts.iter().map(|(k, n)| format!("{n} {k:?}")).collect();
                    writeln!(
                        err,
                        "built {} ({}): {}",
                        source.path,
                        source.encoding,
                        counts.join(", ")
                    )?;
                    for d in &source.diagnostics {
                        let at = d
                            .span
                            .map(|s| format!(" [chars {}..{}]", s.start, s.end))
                            .unwrap_or_default();
                        writeln!(err, "  {:?}: {}{at}", d.severity, d.message)?;
                    }
                }
                for path in &report.unchanged {
                    writeln!(err, "unchanged {path}")?;
                }
                for note in &report.skipped {
                    writeln!(err, "not read: {note}")?;
                }
                for path in &report.removed {
                    writeln!(err, "removed {path}")?;
                }
                for path in &report.kept {
                    writeln!(
                        err,
                        "kept {path} (its input failed; the stored graphs stay, --prune drops them)"
                    )?;
                }
                let diagnostics: usize = report.sources.iter().map(|s| s.diagnostics.len()).sum();
                let totals: Vec<String> = report.totals.iter().map(|(k, n)| format!("{n} {k}")).collect();
                writeln!(
                    err,
                    "summary: {} documents ({} built, {} unchanged, {} removed); {}; {diagnostics} diagnostics",
                    report.sources.len() + report.unchanged.len(),
                    report.sources.len(),
                    report.unchanged.len(),
                    report.removed.len(),
                    totals.join(", ")
                )?;
                writeln!(err, "store: {} ({} quads)", config.store_dir.display(), report.quads)?;
                if let Some(used) = report.renderer {
                    writeln!(err, "map rendered by {used}")?;
                }
                for artifact in &report.artifacts {
                    writeln!(err, "wrote {}", artifact.display())?;
                }
            }
            for problem in &report.problems {
                writeln!(err, "policykg: skipped: {problem}")?;
            }
            Ok(if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Query(args) => {
            let text = match (&args.query, &args.file, &args.named) {
                (Some(q), None, None) if q == "-" => read_stdin("the query")?,
                (Some(q), None, None) => q.clone(),
                (None, Some(f), None) => read_text_arg(f, "query")?,
                (None, None, Some(name)) => match query::named(name) {
                    Some(q) => q.to_owned(),
                    None => {
                        let known: Vec<&str> = query::NAMED.iter().map(|(n, _)| *n).collect();
                        anyhow::bail!("no named query {name:?}; known: {}", known.join(", "))
                    }
                },
                _ => anyhow::bail!("give one of: a query, -f FILE, --named NAME"),
            };
            if let Some(refusal) = too_deep(&text) {
                eprintln!("policykg: malformed query: {refusal}");
                return Ok(ExitCode::from(2));
            }
            let store = exiting(GraphStore::open(&args.store)?);
            // Stdout flushes at every line on its own; results are written in 64 KiB blocks.
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            match query::run(store, &text, args.format.into(), &mut out).and_then(|()| Ok(out.flush()?)) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(query::QueryError::Store(StoreError::Syntax(message))) => {
                    eprintln!("policykg: malformed query: {message}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Render(args) => {
            let store = exiting(GraphStore::open(&args.store)?);
            let scope = match (&args.doc, args.overview, args.full) {
                (Some(doc), _, _) => render::Scope::Plan(
                    render::resolve_plan(store, doc)?.ok_or_else(|| render::RenderError::UnknownPlan(doc.clone()))?,
                ),
                (None, true, _) => render::Scope::Overview,
                (None, false, true) => render::Scope::Full,
                (None, false, false) => render::Scope::Auto,
            };
            let map = render::map(store, &scope)?;
            let bytes = match args.format {
                cli::MapFormat::Dot => render::dot_text(&map),
                cli::MapFormat::Svg => {
                    let (svg, used) = render::svg(&map, args.renderer.into())?;
                    eprintln!("map rendered by {used}");
                    svg
                }
                cli::MapFormat::Html => {
                    let (svg, used) = render::svg(&map, args.renderer.into())?;
                    eprintln!("map rendered by {used}");
                    policykg::serve::api::offline_page(store, &svg).map_err(anyhow::Error::msg)?
                }
            };
            write_output(args.output.as_deref(), bytes.as_bytes())
        }
        Command::Serve(args) => {
            let config = policykg::serve::ServeConfig {
                bind: args.bind,
                store_dir: args.store.clone(),
                timeout: args.timeout,
                read_timeout: args.read_timeout,
                update_token: args
                    .update_token
                    .or_else(|| std::env::var("POLICYKG_UPDATE_TOKEN").ok())
                    .filter(|t| !t.is_empty()),
                evaluator: Some(policykg::serve::evaluate::EvaluatorCommand {
                    program: std::env::current_exe().context("cannot find this program to start evaluators")?,
                    args: vec!["serve-evaluator".into(), "--store".into(), args.store.into()],
                }),
                max_result_bytes: args.max_result_bytes,
                allow_update: args.allow_update,
                cors: args.cors,
                threads: args.threads,
            };
            let writable = if config.allow_update { "read-write" } else { "read-only" };
            policykg::serve::serve(config, |addr| {
                eprintln!("policykg: serving http://{addr}/ ({writable}; SPARQL at /sparql)");
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ServeEvaluator { store } => {
            policykg::serve::evaluate::run_evaluator(&store)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(args) => {
            let config = policykg::eval::EvalConfig {
                lexicon_dir: args.lexicon.clone(),
                with_meta: args.with_meta,
            };
            let report = policykg::eval::evaluate(&args.gold, &config)?;
            let mut out = std::io::stdout().lock();
            match args.format {
                cli::EvalFormat::Table => write!(out, "{}", policykg::eval::table(&report))?,
                cli::EvalFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
            }
            let mut failed = false;
            for threshold in &args.min_f1 {
                let (category, value) = match threshold.split_once('=') {
                    Some((c, v)) => (Some(c), v),
                    None => (None, threshold.as_str()),
                };
                let value: f64 = value
                    .parse()
                    .with_context(|| format!("--min-f1 {threshold}: not a number"))?;
                if let Some(c) = category {
                    anyhow::ensure!(
                        policykg::eval::CATEGORIES.contains(&c),
                        "--min-f1: unknown category {c}"
                    );
                }
                for (name, score) in &report.overall {
                    if category.is_none_or(|c| c == *name) && score.f1() < value {
                        eprintln!("policykg: {name} F1 {:.3} is below {value}", score.f1());
                        failed = true;
                    }
                }
            }
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Explain(args) => {
            let lexicon = pipeline::lexicon(args.lexicon.as_deref())?;
            let document = policykg::ingest::read(&args.file)?;
            let facts = policykg::extract::extract_document(&document, &lexicon);
            let mut out = std::io::stdout().lock();
            match args.format {
                cli::ExplainFormat::Table => explain::table(&facts.text, &facts.explanations, &mut out)?,
                cli::ExplainFormat::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&explain::json(&facts.text, &facts.explanations))?
                )?,
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Text(args) => {
            let document = policykg::ingest::read(&args.file)?;
            let mut out = std::io::stdout().lock();
            out.write_all(document.text.as_bytes())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Update(args) => {
            let text = match (&args.update, &args.file) {
                (Some(u), None) if u == "-" => read_stdin("the update")?,
                (Some(u), None) => u.clone(),
                (None, Some(f)) => read_text_arg(f, "update")?,
                _ => anyhow::bail!("give one of: an update, -f FILE"),
            };
            if let Some(refusal) = too_deep(&text) {
                eprintln!("policykg: malformed update: {refusal}");
                return Ok(ExitCode::from(2));
            }
            let _lock = policykg::store::WriteLock::acquire(&args.store, args.wait)?;
            let mut store = GraphStore::open(&args.store)?;
            let before = store.len(None)?;
            match store.update(&text) {
                Ok(()) => {
                    eprintln!(
                        "updated {}: {before} quads before, {} after",
                        args.store.display(),
                        store.len(None)?
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::Syntax(message)) => {
                    eprintln!("policykg: malformed update: {message}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Load(args) => {
            let inputs: Vec<policykg::load::Input> = args
                .paths
                .iter()
                .map(|p| {
                    if p.as_os_str() == "-" {
                        policykg::load::Input::Stdin
                    } else {
                        policykg::load::Input::Path(p.clone())
                    }
                })
                .collect();
            let format = args
                .format
                .map(|f| policykg::export::ExportFormat::from(f).rdf_format());
            std::fs::create_dir_all(&args.store).with_context(|| format!("creating {}", args.store.display()))?;
            let _lock = policykg::store::WriteLock::acquire(&args.store, args.wait)?;
            let mut store = GraphStore::open_or_create(&args.store)?;
            let report = policykg::load::load(&mut store, &inputs, format, args.graph.as_deref())?;
            if !report.loaded.is_empty() {
                store.save()?;
            }
            let mut err = std::io::stderr().lock();
            for (path, graphs) in &report.loaded {
                for (graph, n) in graphs {
                    writeln!(err, "loaded {path}: {n} quads into <{graph}>")?;
                }
            }
            for note in &report.skipped {
                writeln!(err, "not read: {note}")?;
            }
            for problem in &report.problems {
                writeln!(err, "policykg: not loaded: {problem}")?;
            }
            writeln!(err, "store: {} ({} quads)", args.store.display(), store.len(None)?)?;
            Ok(if report.problems.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Validate(args) => {
            let store = match &args.file {
                Some(file) => {
                    let mut store = GraphStore::in_memory()?;
                    let report =
                        policykg::load::load(&mut store, &[policykg::load::Input::Path(file.clone())], None, None)?;
                    if let Some(problem) = report.problems.into_iter().next() {
                        return Err(problem.into());
                    }
                    store
                }
                None => GraphStore::open(&args.store)?,
            };
            let report = policykg::validate::validate(&store)?;
            let format = match args.format {
                cli::ValidateFormat::Text => policykg::validate::ReportFormat::Text,
                cli::ValidateFormat::Turtle => policykg::validate::ReportFormat::Turtle,
                cli::ValidateFormat::Json => policykg::validate::ReportFormat::JsonLd,
            };
            let mut out = std::io::stdout().lock();
            policykg::validate::write(&report, format, &mut out)?;
            out.flush()?;
            Ok(if report.conforms {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Push(args) => {
            let token = match &args.token_env {
                Some(var) => Some(std::env::var(var).with_context(|| format!("--token-env {var}: not set"))?),
                None => None,
            };
            let endpoint = policykg::push::Endpoint::new(&args.endpoint, args.auth.as_deref(), token.as_deref())?;
            // The push state beside the store is written, so no other writer may interleave.
            let _lock = policykg::store::WriteLock::acquire(&args.store, false)?;
            let store = GraphStore::open(&args.store)?;
            let mut err = std::io::stderr().lock();
            let report = policykg::push::push(&store, &endpoint, args.all, &mut |line| {
                eprintln!("policykg: {line}");
            })?;
            for (graph, triples) in &report.sent {
                writeln!(err, "pushed <{graph}>: {triples} triples")?;
            }
            for graph in &report.deleted {
                writeln!(err, "deleted <{graph}> (no longer in the store)")?;
            }
            for (graph, why) in &report.failed {
                writeln!(
                    err,
                    "policykg: not pushed: <{graph}>: {why} (the endpoint keeps what it had)"
                )?;
            }
            writeln!(
                err,
                "push to {}: {} graphs sent, {} unchanged, {} deleted, {} failed",
                args.endpoint,
                report.sent.len(),
                report.unchanged,
                report.deleted.len(),
                report.failed.len()
            )?;
            Ok(if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Completions(args) => {
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "policykg", &mut std::io::stdout().lock());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            write_output(None, &page)
        }
        Command::Export(args) => {
            let store = exiting(GraphStore::open(&args.store)?);
            let mut bytes = Vec::new();
            policykg::export::export(store, args.format.into(), &mut bytes)?;
            write_output(args.output.as_deref(), &bytes)
        }
    }
}

/// A store a command reads until the process ends. Freeing a store of a million quads
/// allocation by allocation takes longer than many queries; the operating system takes the
/// memory back at exit at once, so the store is deliberately never dropped.
fn exiting(store: GraphStore) -> &'static GraphStore {
    Box::leak(Box::new(store))
}

/// The parser recurses once per bracket: a text nested deeper than the endpoint allows is
/// refused here too, with its position, before it can overflow the stack.
fn too_deep(text: &str) -> Option<policykg::serve::screen::Refusal> {
    let limits = policykg::serve::screen::Limits {
        max_bytes: usize::MAX,
        ..policykg::serve::screen::QUERY
    };
    match policykg::serve::screen::check(text, limits) {
        Err(refusal @ policykg::serve::screen::Refusal::TooDeep { .. }) => Some(refusal),
        _ => None,
    }
}

/// Standard input as text, for a query or an update given as `-`.
fn read_stdin(what: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        .with_context(|| format!("reading {what} from standard input"))?;
    Ok(text)
}

/// The text of a `-f FILE` argument; `-` is standard input.
fn read_text_arg(path: &std::path::Path, what: &str) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        return read_stdin(&format!("the {what}"));
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {what} file {}", path.display()))
}

fn write_output(path: Option<&std::path::Path>, bytes: &[u8]) -> anyhow::Result<ExitCode> {
    match path {
        Some(p) => {
            policykg::store::write_atomically(p, bytes)?;
            eprintln!("wrote {}", p.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

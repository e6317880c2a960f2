//! The `policykg` command: parses arguments, calls the library, maps outcomes to exit codes
//! (0 ok, 1 finished with problems, 2 fatal). A closed pipe is not an error.

mod cli;
mod explain;

use anyhow::Context;
use clap::Parser;
use cli::{Cli, Command};
use policykg::pipeline::{self, BuildConfig};
use policykg::query::{self};
use policykg::render;
use policykg::store::{GraphStore, StoreError};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

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
            eprintln!("policykg: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => {
            let config = BuildConfig {
                inputs: args.paths(),
                store_dir: args.store.clone(),
                out_dir: (!args.no_artifacts).then(|| args.out.clone()),
                lexicon_dir: args.lexicon.clone(),
                renderer: args.renderer.into(),
                sidecars: !args.no_sidecars,
            };
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
                for path in &report.removed {
                    writeln!(err, "removed {path}")?;
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
                (Some(q), None, None) => q.clone(),
                (None, Some(f), None) => {
                    std::fs::read_to_string(f).with_context(|| format!("reading query file {}", f.display()))?
                }
                (None, None, Some(name)) => match query::named(name) {
                    Some(q) => q.to_owned(),
                    None => {
                        let known: Vec<&str> = query::NAMED.iter().map(|(n, _)| *n).collect();
                        anyhow::bail!("no named query {name:?}; known: {}", known.join(", "))
                    }
                },
                _ => anyhow::bail!("give one of: a query, -f FILE, --named NAME"),
            };
            let store = GraphStore::open(&args.store)?;
            let mut out = std::io::stdout().lock();
            match query::run(&store, &text, args.format.into(), &mut out) {
                Ok(()) => Ok(ExitCode::SUCCESS),
                Err(query::QueryError::Store(StoreError::Syntax(message))) => {
                    eprintln!("policykg: malformed query: {message}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Render(args) => {
            let store = GraphStore::open(&args.store)?;
            let map = render::plan_map(&store)?;
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
                    policykg::serve::api::offline_page(&store, &svg).map_err(anyhow::Error::msg)?
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
        Command::Export(args) => {
            let store = GraphStore::open(&args.store)?;
            let mut bytes = Vec::new();
            policykg::export::export(&store, args.format.into(), &mut bytes)?;
            write_output(args.output.as_deref(), &bytes)
        }
    }
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

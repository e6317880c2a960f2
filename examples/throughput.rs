//! Extraction throughput benchmark (not a test): decodes, extracts and maps every document
//! under the given paths several times and prints MB/s, documents/s, quads/s and peak
//! memory. Run it in release: `cargo run --release --example throughput -- ../shared/corpus`.

use policykg::{extract, ingest, lexicon::Lexicon, model, rdf::mapping};
use std::time::Instant;

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() -> anyhow::Result<()> {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let paths = if paths.is_empty() { vec!["seeds".into()] } else { paths };
    let files = ingest::discover(&paths).files;
    let documents: Vec<ingest::Document> = files.iter().filter_map(|f| ingest::read(f).ok()).collect();
    let bytes: usize = documents.iter().map(|d| d.text.len()).sum();
    let start = Instant::now();
    let lexicon = Lexicon::builtin()?;
    println!("lexicon load: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    let rounds = 5;
    let start = Instant::now();
    let mut quads = 0;
    for _ in 0..rounds {
        for document in &documents {
            let facts = extract::extract_document(document, &lexicon);
            let graph = model::build(document, facts, &lexicon);
            let encoded = policykg::store::Batch::new(mapping::quads(&graph).iter().map(oxigraph::model::Quad::as_ref));
            quads += encoded.len();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let mb = (bytes * rounds) as f64 / 1e6;
    println!(
        "{} documents, {:.2} MB of text, {rounds} rounds: {:.2} s, {:.2} MB/s, {:.1} documents/s, {:.0} quads/s",
        documents.len(),
        bytes as f64 / 1e6,
        seconds,
        mb / seconds,
        (documents.len() * rounds) as f64 / seconds,
        quads as f64 / seconds
    );
    if let Some(kib) = peak_rss_kib() {
        println!("peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0);
    }
    Ok(())
}

//! Faults and hostile inputs against the real binary: builds killed at many points,
//! damaged snapshots, concurrent writers (build/build, build/serve --allow-update), inputs
//! that fail, and file trees with FIFOs, devices, symlink loops, non-UTF-8 names and
//! UTF-16 without a BOM. The promise under test: the store is the old state or the new one,
//! never a mix, nothing acknowledged is lost, and nothing hangs.

mod common;

use common::{change_one_source, root, select, twelve_sources};
use policykg::store::{GraphStore, Manifest, WriteLock, DELTA, SNAPSHOT};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn policykg() -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("policykg"));
    cmd.current_dir(root());
    cmd
}

/// `policykg build INPUTS --store STORE --no-artifacts EXTRA`.
fn build_command(store: &Path, inputs: &[&Path], extra: &[&str]) -> Command {
    let mut cmd = policykg();
    cmd.arg("build")
        .args(inputs)
        .arg("--store")
        .arg(store)
        .arg("--no-artifacts")
        .args(extra);
    cmd
}

fn build(store: &Path, inputs: &[&Path], extra: &[&str]) -> (i32, String) {
    let out: Output = build_command(store, inputs, extra).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Everything a store holds: its quads and its manifest.
fn state(store: &Path) -> (String, Manifest) {
    let opened = GraphStore::open(store).unwrap_or_else(|e| panic!("{e}"));
    (opened.canonical_nquads().expect("dump"), opened.manifest)
}

fn sources(store: &Path) -> Vec<String> {
    let opened = GraphStore::open(store).unwrap_or_else(|e| panic!("{e}"));
    let mut paths: Vec<String> = opened.manifest.sources.keys().cloned().collect();
    paths.sort();
    let rows = select(&opened, "SELECT ?s WHERE { ?s a pkg:Source }");
    assert_eq!(rows.len(), paths.len(), "Source nodes and manifest agree");
    paths
}

fn seeds() -> PathBuf {
    PathBuf::from("seeds")
}

fn copy_store(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    std::fs::copy(from.join(SNAPSHOT), to.join(SNAPSHOT)).expect("copy");
    if from.join(DELTA).exists() {
        std::fs::copy(from.join(DELTA), to.join(DELTA)).expect("copy");
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".tmp"))
        .collect()
}

/// Waits for a child at most `limit`; kills it and fails when it hangs.
fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> (i32, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            return (status.code().unwrap_or(-1), stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_build_killed_at_any_point_leaves_the_old_or_the_new_store() {
    let work = tempfile::tempdir().expect("tempdir");
    let reports = root().join("tests/fixtures/reports");
    let old_dir = work.path().join("old");
    assert_eq!(build(&old_dir, &[&seeds()], &[]).0, 0);
    kill_builds_at_every_point(work.path(), &old_dir, &[&seeds(), &reports]);
}

#[test]
fn a_build_killed_while_it_writes_a_delta_leaves_the_old_or_the_new_store() {
    // Twelve sources and one of them changed: the build writes the delta, not the snapshot.
    let work = tempfile::tempdir().expect("tempdir");
    let docs = twelve_sources(work.path());
    let old_dir = work.path().join("old");
    assert_eq!(build(&old_dir, &[&docs], &[]).0, 0);
    let snapshot = std::fs::read(old_dir.join(SNAPSHOT)).expect("snapshot");
    change_one_source(&docs);
    let probe = work.path().join("probe");
    copy_store(&old_dir, &probe);
    assert_eq!(build(&probe, &[&docs], &[]).0, 0);
    assert!(probe.join(DELTA).exists(), "one source of twelve is saved as a delta");
    assert_eq!(std::fs::read(probe.join(SNAPSHOT)).expect("snapshot"), snapshot);
    kill_builds_at_every_point(work.path(), &old_dir, &[&docs]);
}

/// Builds `inputs` over copies of the store in `old_dir`, killing each build at a point
/// spread over the run: every store left is the old one or the new one, and the next
/// build over the last of them commits.
fn kill_builds_at_every_point(work: &Path, old_dir: &Path, inputs: &[&Path]) {
    let old = state(old_dir);
    let new_dir = work.join("new");
    copy_store(old_dir, &new_dir);
    let started = Instant::now();
    assert_eq!(build(&new_dir, inputs, &[]).0, 0);
    let full = started.elapsed();
    let new = state(&new_dir);
    assert_ne!(old, new, "the second build changes the store");

    let points = 24;
    let (mut saw_old, mut saw_new, mut mid_write) = (0, 0, 0);
    let mut last = PathBuf::new();
    for i in 0..points {
        let dir = work.join(format!("killed{i}"));
        copy_store(old_dir, &dir);
        let mut child = build_command(&dir, inputs, &[])
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Spread over the whole run and a little past it, where the commit happens.
        std::thread::sleep(full.mul_f64((i as f64 + 0.5) / points as f64 * 1.1));
        let _ = child.kill();
        let _ = child.wait();
        // A leftover temporary file means the kill landed while the snapshot was written.
        mid_write += usize::from(!temp_files(&dir).is_empty());
        let got = state(&dir);
        if got == old {
            saw_old += 1;
        } else if got == new {
            saw_new += 1;
        } else {
            panic!("killed build {i} left a store that is neither the old nor the new one");
        }
        last = dir;
    }
    eprintln!(
        "killed {points} builds (full build {full:?}): {saw_old} old, {saw_new} new, \
         {mid_write} killed while writing the snapshot"
    );
    assert_eq!(saw_old + saw_new, points);
    // The lock died with the process; the next build runs, removes leftovers and commits.
    std::fs::write(last.join(".tmpKilled"), b"a partial snapshot").expect("leftover");
    assert_eq!(build(&last, inputs, &[]).0, 0);
    assert_eq!(state(&last), new);
    assert!(temp_files(&last).is_empty(), "{:?}", temp_files(&last));
}

#[test]
fn a_truncated_or_altered_snapshot_is_refused_with_the_recovery_step() {
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    assert_eq!(build(&store, &[&seeds()], &[]).0, 0);
    let path = store.join(SNAPSHOT);
    let good = std::fs::read(&path).expect("read");
    // Cut at a line boundary in the middle: valid N-Quads, so only the manifest can tell.
    let middle = good[..good.len() / 2].iter().rposition(|&b| b == b'\n').expect("line");
    std::fs::write(&path, &good[..=middle]).expect("write");
    for args in [vec!["query", "ASK {}"], vec!["export"]] {
        let out = policykg()
            .args(&args)
            .arg("--store")
            .arg(&store)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("damaged store"), "{stderr}");
        assert!(stderr.contains(&format!("mv {}", path.display())), "{stderr}");
        assert_eq!(stderr.matches("damaged store").count(), 1, "said once: {stderr}");
    }
    // A build refuses too, and leaves the damaged file for inspection.
    let (code, stderr) = build(&store, &[&seeds()], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(std::fs::read(&path).expect("read"), &good[..=middle]);
    // The recovery the message names works.
    std::fs::rename(&path, store.join("store.nq.damaged")).expect("mv");
    assert_eq!(build(&store, &[&seeds()], &[]).0, 0);
    assert_eq!(std::fs::read(&path).expect("read"), good);
}

#[test]
fn a_second_build_fails_fast_or_waits_with_wait() {
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    std::fs::create_dir_all(&store).expect("mkdir");
    let lock = WriteLock::acquire(&store, false).expect("lock");
    let started = Instant::now();
    let (code, stderr) = build(&store, &[&seeds()], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30), "fails fast");
    assert!(stderr.contains("being written by another process"), "{stderr}");
    assert!(stderr.contains(&format!("pid {}", std::process::id())), "{stderr}");
    assert!(stderr.contains("--wait"), "{stderr}");
    assert!(!store.join(SNAPSHOT).exists(), "the refused build wrote nothing");

    let waiting = build_command(&store, &[&seeds()], &["--wait", "-q"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        !store.join(SNAPSHOT).exists(),
        "--wait does not write under another's lock"
    );
    drop(lock);
    let (code, stderr) = wait_bounded(waiting, Duration::from_secs(120), "build --wait");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("waiting for the store lock"), "{stderr}");
    assert_eq!(sources(&store), ["seeds/000_ddbfb2b346a9e714.txt"]);
}

/// POSTs a SPARQL update; returns the status code (0 when the server is gone).
fn post_update(addr: &str, update: &str) -> u16 {
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else {
        return 0;
    };
    write!(
        stream,
        "POST /update HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/sparql-update\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{update}",
        update.len()
    )
    .unwrap_or(());
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Starts `serve --allow-update` on a free port; returns it and its address.
fn serve_for_updates(store: &Path) -> (Child, String) {
    let mut serve = policykg()
        .args(["serve", "--allow-update", "--bind", "127.0.0.1:0", "--store"])
        .arg(store)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut banner = String::new();
    BufReader::new(serve.stderr.take().expect("stderr"))
        .read_line(&mut banner)
        .expect("banner");
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_owned();
    (serve, addr)
}

#[test]
fn build_refuses_while_serve_allow_update_owns_the_store_and_keeps_its_updates() {
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    assert_eq!(build(&store, &[&seeds()], &[]).0, 0);
    let (mut serve, addr) = serve_for_updates(&store);
    let status = post_update(
        &addr,
        "INSERT DATA { GRAPH <urn:test:notes> { <urn:test:a> <urn:test:said> \"acknowledged\" } }",
    );
    assert_eq!(status, 204, "the update is acknowledged");

    let (code, stderr) = build(&store, &[&seeds()], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("serve --allow-update"), "{stderr}");

    let waiting = build_command(&store, &[&seeds()], &["--wait", "-q"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(500));
    let _ = serve.kill();
    let _ = serve.wait();
    let (code, stderr) = wait_bounded(waiting, Duration::from_secs(120), "build --wait");
    assert_eq!(code, 0, "{stderr}");
    let opened = GraphStore::open(&store).expect("open");
    let kept = opened
        .select("SELECT ?o WHERE { GRAPH <urn:test:notes> { <urn:test:a> <urn:test:said> ?o } }")
        .expect("select");
    assert_eq!(kept.len(), 1, "the acknowledged update survived the build");
}

#[test]
fn a_missing_path_or_a_broken_file_keeps_the_stored_graphs() {
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    let docs = work.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    let doc = docs.join("plan.txt");
    std::fs::write(&doc, "到2030年，本市新建充电桩5000个。\n").expect("write");
    assert_eq!(build(&store, &[&seeds(), &docs], &[]).0, 0);
    let before = sources(&store);
    assert_eq!(before.len(), 2);

    // A mistyped path: everything stays.
    let (code, stderr) = build(&store, &[Path::new("no/such/dir")], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.matches("no/such/dir").count(), 1, "said once: {stderr}");
    assert!(stderr.contains("kept seeds/000_ddbfb2b346a9e714.txt"), "{stderr}");
    assert_eq!(sources(&store), before);

    // A file that no longer decodes keeps what it gave before.
    std::fs::write(&doc, b"\x00\x01\x02\xFF\x00\x00\xFE\x00").expect("write");
    let (code, stderr) = build(&store, &[&seeds(), &docs], &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("plan.txt: cannot decode"), "{stderr}");
    assert!(stderr.contains("kept ") && stderr.contains("plan.txt"), "{stderr}");
    assert_eq!(sources(&store), before);

    // --prune is the explicit way to drop what was not built.
    let (code, stderr) = build(&store, &[&seeds(), &docs], &["--prune"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("removed ") && stderr.contains("plan.txt"), "{stderr}");
    assert_eq!(sources(&store), ["seeds/000_ddbfb2b346a9e714.txt"]);

    // A source that was read and is no longer given goes, as before.
    std::fs::write(&doc, "到2030年，本市新建充电桩5000个。\n").expect("write");
    assert_eq!(build(&store, &[&docs], &[]).0, 0);
    assert_eq!(sources(&store).len(), 1);
    assert!(sources(&store)[0].ends_with("docs/plan.txt"));
}

#[cfg(unix)]
#[test]
fn special_files_links_and_loops_are_walked_safely() {
    use std::os::unix::fs::symlink;
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    let docs = work.path().join("docs");
    std::fs::create_dir_all(docs.join("sub")).expect("mkdir");
    std::fs::write(docs.join("a.txt"), "第一章 总则\n到2030年，建成示范区10个。\n").expect("write");
    // The same file through a link, and a directory linking back to its ancestor.
    symlink(docs.join("a.txt"), docs.join("again.txt")).expect("symlink");
    symlink(&docs, docs.join("sub/loop")).expect("symlink");
    symlink(docs.join("sub"), docs.join("sub2")).expect("symlink");
    // A device: reading it would never end.
    symlink("/dev/zero", docs.join("zero.txt")).expect("symlink");
    symlink("itself.txt", docs.join("itself.txt")).expect("symlink");
    let fifo = docs.join("pipe.txt");
    let have_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    if !have_fifo {
        eprintln!("SKIPPED the FIFO case: mkfifo is not available");
    }
    let child = build_command(&store, &[&docs], &[])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (code, stderr) = wait_bounded(child, Duration::from_secs(120), "build over a hostile tree");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("zero.txt: a device, not read"), "{stderr}");
    assert!(stderr.contains("symlink loop"), "{stderr}");
    assert!(stderr.contains("itself.txt"), "{stderr}");
    if have_fifo {
        assert!(stderr.contains("pipe.txt: a FIFO, not read"), "{stderr}");
    }
    let built = sources(&store);
    assert_eq!(built.len(), 1, "one source per real file: {built:?}");
    assert!(built[0].ends_with("docs/a.txt"), "{built:?}");
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let work = tempfile::tempdir().expect("tempdir");
    let docs = work.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    std::fs::write(docs.join("small.txt"), "到2030年，建成示范区10个。\n").expect("write");
    std::fs::write(docs.join("large.txt"), "到2030年，建成示范区10个。\n".repeat(100)).expect("write");
    let store = work.path().join("store");
    let (code, stderr) = build(&store, &[&docs], &["--max-file-size", "1000"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("large.txt") && stderr.contains("--max-file-size"),
        "{stderr}"
    );
    let built = sources(&store);
    assert_eq!(built.len(), 1);
    assert!(built[0].ends_with("small.txt"));
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_stay_distinct_sources() {
    use std::os::unix::ffi::OsStrExt;
    let work = tempfile::tempdir().expect("tempdir");
    let docs = work.path().join("docs");
    std::fs::create_dir_all(&docs).expect("mkdir");
    for (name, text) in [
        (&b"plan\xFF.txt"[..], "到2030年，建成示范区10个。\n"),
        (&b"plan\xFE.txt"[..], "到2035年，建成示范区20个。\n"),
    ] {
        std::fs::write(docs.join(std::ffi::OsStr::from_bytes(name)), text).expect("write");
    }
    let store = work.path().join("store");
    let (code, stderr) = build(&store, &[&docs], &[]);
    assert_eq!(code, 0, "{stderr}");
    let built = sources(&store);
    assert_eq!(built.len(), 2, "{built:?}");
    assert!(built.iter().any(|p| p.ends_with("plan\\xFF.txt")), "{built:?}");
    assert!(built.iter().any(|p| p.ends_with("plan\\xFE.txt")), "{built:?}");
}

#[test]
fn utf16_without_a_bom_is_decoded_like_utf8() {
    let work = tempfile::tempdir().expect("tempdir");
    let text = "关于推进示范区建设的实施方案\n到2030年，全市建成示范区10个，新建充电桩5000个。\n";
    let mut targets = Vec::new();
    for (name, bytes, encoding) in [
        ("utf8", text.as_bytes().to_vec(), "(UTF-8)"),
        (
            "utf16le",
            text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            "(UTF-16LE (no BOM))",
        ),
        (
            "utf16be",
            text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            "(UTF-16BE (no BOM))",
        ),
    ] {
        let docs = work.path().join(name);
        std::fs::create_dir_all(&docs).expect("mkdir");
        std::fs::write(docs.join("plan.txt"), bytes).expect("write");
        let store = work.path().join(format!("{name}-store"));
        let (code, stderr) = build(&store, &[&docs], &[]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(stderr.contains(encoding), "{name}: {stderr}");
        let opened = GraphStore::open(&store).expect("open");
        let mut values: Vec<String> = select(
            &opened,
            "SELECT ?v ?d WHERE { ?t a pkg:Target ; pkg:minValue ?v ; pkg:deadline ?d }",
        )
        .into_iter()
        .map(|row| format!("{:?} by {:?}", row.get("v"), row.get("d")))
        .collect();
        values.sort();
        targets.push(values);
    }
    assert!(!targets[0].is_empty(), "the UTF-8 text has targets");
    assert_eq!(targets[0], targets[1]);
    assert_eq!(targets[0], targets[2]);
}

#[test]
fn an_error_with_a_cause_is_printed_once() {
    // `{path}: {source}` already names the cause; printing the chain too said it twice.
    let out = policykg().args(["explain", "no/such/plan.txt"]).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("no/such/plan.txt").count(), 1, "{stderr}");
    assert_eq!(stderr.matches("(os error 2)").count(), 1, "{stderr}");
}

#[test]
fn a_killed_serve_loses_no_acknowledged_update() {
    let work = tempfile::tempdir().expect("tempdir");
    let store = work.path().join("store");
    assert_eq!(build(&store, &[&seeds()], &[]).0, 0);
    let (serve, addr) = serve_for_updates(&store);
    let serve = std::sync::Arc::new(std::sync::Mutex::new(serve));
    let killer = {
        let serve = std::sync::Arc::clone(&serve);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1500));
            let mut child = serve.lock().expect("child");
            let _ = child.kill();
            let _ = child.wait();
        })
    };
    let mut acknowledged = Vec::new();
    for i in 0..10_000 {
        let update = format!("INSERT DATA {{ GRAPH <urn:test:log> {{ <urn:test:n{i}> <urn:test:n> {i} }} }}");
        match post_update(&addr, &update) {
            204 => acknowledged.push(i),
            0 => break,
            other => panic!("update {i} answered {other}"),
        }
    }
    killer.join().expect("killer");
    assert!(
        !acknowledged.is_empty(),
        "some updates were acknowledged before the kill"
    );
    let opened = GraphStore::open(&store).expect("the store opens after the kill");
    let mut stored: Vec<i64> = opened
        .select("SELECT ?n WHERE { GRAPH <urn:test:log> { ?s <urn:test:n> ?n } }")
        .expect("select")
        .iter()
        .filter_map(|row| row.get("n")?.parse().ok())
        .collect();
    stored.sort();
    eprintln!(
        "serve killed after {} acknowledged updates; {} stored",
        acknowledged.len(),
        stored.len()
    );
    // Every acknowledged update is there; at most the one in flight when the kill came
    // may be there too.
    let acked: Vec<i64> = acknowledged.iter().map(|&i| i64::from(i)).collect();
    assert_eq!(
        &stored[..acked.len().min(stored.len())],
        &acked[..],
        "acknowledged updates lost"
    );
    assert!(
        stored.len() <= acked.len() + 1,
        "{} stored, {} acknowledged",
        stored.len(),
        acked.len()
    );
}

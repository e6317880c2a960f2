//! What the last build saw of each input file: its size, times and inode, and the SHA-256
//! of its bytes. A file whose stat is the same is not read again to learn that it did not
//! change (hashing 50 MB of documents is most of a rebuild in which one file changed).
//!
//! It is a cache beside the store, `DIR/inputs.stat`, like `store.index`: renamed into
//! place, not fsynced, and when it is missing or does not parse every file is read. The
//! stat is taken before the file is read, and an entry is trusted only when the file's
//! modification time is well before the build that recorded it began, so a file written
//! again within the same tick of the file system's clock is read again too (what Git calls
//! a racy entry).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The cache's file in the store's directory.
pub const INPUT_STATS: &str = "inputs.stat";

/// How long before a build began a file must have been last modified for its entry to be
/// trusted: far more than any file system's timestamp granularity.
const RACY_NS: u128 = 2_000_000_000;

/// A file's stat, as far as it tells whether its bytes changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stat {
    len: u64,
    modified_ns: u128,
    /// The inode change time and number (zero where the platform has none).
    changed_ns: i128,
    inode: u64,
}

impl Stat {
    fn of(meta: &std::fs::Metadata) -> Option<Self> {
        let modified_ns = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        #[cfg(unix)]
        let (changed_ns, inode) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (changed_ns, inode) = (0, 0);
        Some(Self {
            len: meta.len(),
            modified_ns,
            changed_ns,
            inode,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    stat: Stat,
    sha256: String,
    /// When the build that recorded it began (ns since the epoch).
    build_ns: u128,
}

/// The entries read from the last build, and those this build records.
#[derive(Debug, Default)]
pub struct InputStats {
    seen: BTreeMap<String, Entry>,
    recorded: BTreeMap<String, Entry>,
    build_ns: u128,
}

impl InputStats {
    /// The entries in `dir`, for a build beginning now; none when the file is missing or
    /// damaged.
    pub fn load(dir: &Path) -> Self {
        let seen = std::fs::read(dir.join(INPUT_STATS))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        let build_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Self {
            seen,
            recorded: BTreeMap::new(),
            build_ns,
        }
    }

    /// The SHA-256 of the file `key` names, when its stat `meta` (taken before any read of
    /// it) is the one recorded and the entry is not racy.
    pub fn sha256(&self, key: &str, meta: &std::fs::Metadata) -> Option<&str> {
        let entry = self.seen.get(key)?;
        let stat = Stat::of(meta)?;
        (stat == entry.stat && stat.modified_ns + RACY_NS < entry.build_ns).then_some(entry.sha256.as_str())
    }

    /// Records what this build knows of a file: its stat taken before it was read, and the
    /// SHA-256 of what was read (or found above).
    pub fn record(&mut self, key: &str, meta: &std::fs::Metadata, sha256: &str) {
        if let Some(stat) = Stat::of(meta) {
            self.recorded.insert(
                key.to_owned(),
                Entry {
                    stat,
                    sha256: sha256.to_owned(),
                    build_ns: self.build_ns,
                },
            );
        }
    }

    /// Writes what this build recorded, replacing the last build's entries.
    pub fn save(&self, dir: &Path) -> Result<(), super::StoreError> {
        let json = serde_json::to_vec(&self.recorded).map_err(super::storage)?;
        super::write_through_temp(&dir.join(INPUT_STATS), false, |w| w.write_all(&json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_trusted_only_with_the_same_stat_and_an_old_enough_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "one").expect("write");
        let meta = std::fs::metadata(&file).expect("stat");
        // Recorded by a build that began just now: the file's time is too close to trust.
        let mut stats = InputStats::load(dir.path());
        stats.record("a.txt", &meta, "sha-one");
        stats.save(dir.path()).expect("save");
        assert_eq!(InputStats::load(dir.path()).sha256("a.txt", &meta), None, "racy");
        // The same entry recorded by a build that began later is trusted.
        let mut later = InputStats::load(dir.path());
        later.build_ns += 10 * RACY_NS;
        later.record("a.txt", &meta, "sha-one");
        later.save(dir.path()).expect("save");
        let stats = InputStats::load(dir.path());
        assert_eq!(stats.sha256("a.txt", &meta), Some("sha-one"));
        assert_eq!(stats.sha256("b.txt", &meta), None, "another file");
        // Written again (another size): not trusted.
        std::fs::write(&file, "three").expect("write");
        let changed = std::fs::metadata(&file).expect("stat");
        assert_eq!(stats.sha256("a.txt", &changed), None);
        // A damaged cache is no cache.
        std::fs::write(dir.path().join(INPUT_STATS), b"{not json").expect("write");
        assert_eq!(InputStats::load(dir.path()).sha256("a.txt", &meta), None);
    }
}

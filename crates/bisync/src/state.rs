//! Per-pair state in the state dir: results, lockout, pending deletions, the run journal.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::name::RelPath;
use crate::side::Side;
use crate::Error;

/// Files of one pair under `<state_dir>/<pair>/`.
#[derive(Debug, Clone)]
pub struct PairPaths {
    pub dir: PathBuf,
    /// rclone's `--workdir`.
    pub workdir: PathBuf,
    pub state: PathBuf,
    pub journal: PathBuf,
    /// Listings saved before each run (`path1.lst`, `path2.lst`).
    pub journal_dir: PathBuf,
    /// The guard's own lock (one run per pair).
    pub lock: PathBuf,
    /// The copy of the filters file rclone is given (rclone writes its `.md5` next to it).
    pub filters: PathBuf,
    pub quarantine_root: PathBuf,
    pub backup_root: PathBuf,
}

impl PairPaths {
    pub fn new(state_dir: &Path, pair: &str) -> Self {
        let dir = state_dir.join("pairs").join(pair);
        Self {
            workdir: dir.join("workdir"),
            state: dir.join("state.json"),
            journal: dir.join("journal.json"),
            journal_dir: dir.join("journal"),
            lock: dir.join("guard.lock"),
            filters: dir.join("filters.txt"),
            quarantine_root: state_dir.join("quarantine").join(pair),
            backup_root: state_dir.join("backup").join(pair),
            dir,
        }
    }

    pub fn create(&self) -> Result<(), Error> {
        for d in [&self.dir, &self.workdir, &self.journal_dir] {
            std::fs::create_dir_all(d).map_err(|source| Error::Io {
                path: d.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Why a pair is locked out until `recover`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Lockout {
    pub since: u64,
    pub reason: String,
}

/// Deletions a refused run would have made: the exact sets, so that an approval covers
/// exactly the files it showed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(default)]
pub struct Pending {
    pub at: u64,
    pub reason: String,
    /// Files gone from path1 that the run would delete on path2 (sorted, Go-quoted on disk).
    #[serde(with = "crate::name::quoted_list")]
    pub delete_on_path2: Vec<RelPath>,
    /// Files gone from path2 that the run would delete on path1.
    #[serde(with = "crate::name::quoted_list")]
    pub delete_on_path1: Vec<RelPath>,
}

impl Pending {
    /// The deletions on `side`.
    pub fn on(&self, side: Side) -> &[RelPath] {
        match side {
            Side::Path1 => &self.delete_on_path1,
            Side::Path2 => &self.delete_on_path2,
        }
    }
}

/// Persistent state of a pair (`state.json`).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PairState {
    pub initialized: bool,
    pub last_success: Option<u64>,
    pub last_attempt: Option<u64>,
    pub last_result: Option<String>,
    pub last_code: Option<i32>,
    pub locked_out: Option<Lockout>,
    pub pending: Option<Pending>,
    /// `approve` was run: the next run may make exactly the pending deletions, once.
    pub approved: bool,
    /// The pair's identity, written into the marker file on both sides by `init`/`recover`:
    /// a side whose marker holds another identity is another volume (or another pair).
    pub identity: Option<String>,
    /// File counts (path1, path2) after the last good run.
    pub counts: Option<(u64, u64)>,
    /// Last "no success for too long" notification.
    pub stale_notified: Option<u64>,
}

impl PairState {
    pub fn load(path: &Path) -> Result<Self, Error> {
        Ok(load_json(path)?.unwrap_or_default())
    }

    /// Replace `state.json` atomically (temp file + rename) but without fsync: it runs
    /// after every sync and an fsync costs up to tens of ms on a busy disk. After a power
    /// loss an update may be missing; none of them protects data (the journal, which does,
    /// is fsynced), so at worst a result or an approval is asked for again.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let data = serde_json::to_vec_pretty(self).map_err(|e| Error::State {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| Error::Io { path: p, source }
        };
        std::fs::write(&tmp, &data).map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    }
}

/// The record of a run in flight, written before rclone starts and removed when the
/// guard has seen it end. Its presence at the next start means the run was cut short.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// When the run started (ns since the epoch).
    pub started_ns: i128,
    pub guard_pid: u32,
    pub kind: JournalKind,
}

/// What kind of rclone run a journal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JournalKind {
    Run,
    Resync,
}

impl Journal {
    pub fn load(path: &Path) -> Result<Option<Self>, Error> {
        load_json(path)
    }

    pub fn save(&self, path: &Path) -> Result<(), Error> {
        save_json(path, self)
    }

    pub fn remove(path: &Path) -> Result<(), Error> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(Error::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

/// A JSON state file: `None` when it does not exist; a damaged one is an error naming it.
fn load_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>, Error> {
    match std::fs::read(path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| Error::State {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Write a JSON state file atomically.
fn save_json<T: Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    let data = serde_json::to_vec_pretty(value).map_err(|e| Error::State {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    axios_core::atomic_write(path, &data)?;
    Ok(())
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Nanoseconds since the epoch.
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// Seconds since the epoch as `2026-11-21 23:52:39 UTC`.
pub fn fmt_secs(secs: u64) -> String {
    let t = crate::listing::format_time(i128::from(secs) * 1_000_000_000);
    format!(
        "{} {} UTC",
        t.get(..10).unwrap_or_default(),
        t.get(11..19).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A state file from the previous version (pending deletions as counts, an approval for
    /// a count) still loads; the approval then covers no file set and the guard asks again.
    #[test]
    fn previous_state_format_loads() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("state.json");
        std::fs::write(
            &p,
            r#"{"initialized":true,"pending":{"at":1,"reason":"r","delete_on_path2":0,"delete_on_path1":30,"examples_path2":[],"examples_path1":["a"]},"approved":true,"counts":[10,10]}"#,
        )
        .expect("w");
        let st = PairState::load(&p).expect("loads");
        let pending = st.pending.expect("pending");
        assert!(pending.delete_on_path1.is_empty());
        assert!(st.approved);
        assert_eq!(st.identity, None);
    }
}

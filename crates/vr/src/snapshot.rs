//! A saved state: the files a switch touches (as a symlink, bytes + mode, or absent) and the
//! backend units that were running. `select` keeps one as its journal (what to roll back to)
//! and one as the original state (what `restore` puts back). A snapshot directory is
//! written under a temporary name and renamed into place, so it is complete or absent.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::units::UnitRef;
use crate::{Error, Result};

const INDEX: &str = "snapshot.json";

/// The saved form of one path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Slot {
    Absent,
    Symlink {
        target: PathBuf,
    },
    /// Bytes stored in the snapshot directory as `data/<file>`.
    File {
        file: String,
        mode: u32,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub path: PathBuf,
    pub slot: Slot,
}

/// The index of a snapshot directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// What the snapshot is for (`select wivrn`, `restore`).
    pub action: String,
    pub entries: Vec<Entry>,
    /// Backend units that were running.
    pub running: Vec<UnitRef>,
    #[serde(skip)]
    pub dir: PathBuf,
}

/// Read `path` as a slot (bytes go into `data`).
fn capture_one(path: &Path, data: &mut Vec<(String, Vec<u8>)>) -> Result<Slot> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Slot::Absent),
        Err(e) => Err(Error::io(path, e)),
        Ok(m) if m.file_type().is_symlink() => Ok(Slot::Symlink {
            target: std::fs::read_link(path).map_err(|e| Error::io(path, e))?,
        }),
        Ok(m) if m.is_file() => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let file = format!("{}", data.len());
            data.push((file.clone(), bytes));
            Ok(Slot::File {
                file,
                mode: m.permissions().mode() & 0o7777,
            })
        }
        Ok(_) => Err(Error::Refused(format!(
            "{} is not a file or symlink; move it away",
            path.display()
        ))),
    }
}

/// Take a snapshot of `paths` and `running` and save it at `dir` (which must not exist).
/// `overrides` replace a captured path's content by another path's (used to record what
/// WiVRn's `*.wivrn-backup` says the original was).
pub fn save(
    dir: &Path,
    action: &str,
    paths: &[PathBuf],
    overrides: &[(PathBuf, PathBuf)],
    running: &[UnitRef],
) -> Result<Snapshot> {
    let mut data = Vec::new();
    let mut entries = Vec::new();
    for p in paths {
        let slot = if let Some((_, src)) = overrides.iter().find(|(dst, _)| dst == p) {
            capture_one(src, &mut data)?
        } else if overrides.iter().any(|(_, src)| src == p) {
            Slot::Absent
        } else {
            capture_one(p, &mut data)?
        };
        entries.push(Entry {
            path: p.clone(),
            slot,
        });
    }
    let snap = Snapshot {
        version: 1,
        action: action.to_string(),
        entries,
        running: running.to_vec(),
        dir: dir.to_path_buf(),
    };
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".snapshot-tmp-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    std::fs::create_dir(tmp.path().join("data")).map_err(|e| Error::io(tmp.path(), e))?;
    for (name, bytes) in &data {
        let f = tmp.path().join("data").join(name);
        axios_core::fs::atomic_write_mode(&f, bytes, Some(0o600))
            .map_err(|e| Error::io(&f, std::io::Error::other(e.to_string())))?;
    }
    let index = serde_json::to_vec_pretty(&snap).unwrap_or_default();
    let f = tmp.path().join(INDEX);
    axios_core::fs::atomic_write_mode(&f, &index, Some(0o600))
        .map_err(|e| Error::io(&f, std::io::Error::other(e.to_string())))?;
    let tmp = tmp.keep();
    std::fs::rename(&tmp, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp);
        Error::io(dir, e)
    })?;
    if let Ok(d) = std::fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(snap)
}

/// Load the snapshot at `dir`; `Ok(None)` when there is none. Every entry must be one of
/// `allowed` (the files axios-vr manages for this user) and every data file a plain name in
/// `data/`: a tampered or foreign snapshot must never delete or write anything else.
pub fn load(dir: &Path, allowed: &[PathBuf]) -> Result<Option<Snapshot>> {
    let f = dir.join(INDEX);
    let bytes = match std::fs::read(&f) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !dir.exists() => return Ok(None),
        Err(e) => return Err(Error::io(&f, e)),
    };
    let mut snap: Snapshot = serde_json::from_slice(&bytes).map_err(|e| Error::State {
        path: f.clone(),
        message: e.to_string(),
    })?;
    snap.dir = dir.to_path_buf();
    for e in &snap.entries {
        if !allowed.contains(&e.path) {
            return Err(Error::State {
                path: f.clone(),
                message: format!(
                    "it names {}, which is not a file axios-vr manages for this user (was HOME or XDG_CONFIG_HOME changed?)",
                    e.path.display()
                ),
            });
        }
        if let Slot::File { file, .. } = &e.slot {
            if file.is_empty() || !file.chars().all(|c| c.is_ascii_digit()) {
                return Err(Error::State {
                    path: f.clone(),
                    message: format!("bad data file name {file:?}"),
                });
            }
        }
    }
    Ok(Some(snap))
}

/// Put `path` back as a symlink to `target`, atomically (new link, then rename over).
pub fn atomic_symlink(target: &Path, path: &Path) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".{name}.axios-tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if let Ok(d) = std::fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

impl Snapshot {
    /// Write every saved path back. Goes on after a failure; returns the failures.
    pub fn apply_files(&self) -> Vec<String> {
        let mut failed = Vec::new();
        for e in &self.entries {
            let r = match &e.slot {
                Slot::Absent => match std::fs::remove_file(&e.path) {
                    Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
                    _ => Ok(()),
                },
                Slot::Symlink { target } => atomic_symlink(target, &e.path),
                Slot::File { file, mode } => {
                    let src = self.dir.join("data").join(file);
                    std::fs::read(&src).and_then(|bytes| {
                        if let Some(p) = e.path.parent() {
                            std::fs::create_dir_all(p)?;
                        }
                        axios_core::fs::atomic_write_mode(&e.path, &bytes, Some(*mode))
                            .map_err(|x| std::io::Error::other(x.to_string()))
                    })
                }
            };
            if let Err(err) = r {
                failed.push(format!("{}: {err}", e.path.display()));
            }
        }
        failed
    }

    /// Whether the files are, right now, as saved.
    pub fn files_match(&self) -> bool {
        let mut scratch = Vec::new();
        self.entries
            .iter()
            .all(|e| match (capture_one(&e.path, &mut scratch), &e.slot) {
                (
                    Ok(Slot::File {
                        file: now,
                        mode: m1,
                    }),
                    Slot::File { file, mode },
                ) => {
                    let saved = std::fs::read(self.dir.join("data").join(file)).ok();
                    let cur = scratch
                        .iter()
                        .find(|(n, _)| *n == now)
                        .map(|(_, b)| b.clone());
                    m1 == *mode && saved.is_some() && saved == cur
                }
                (Ok(a), b) => &a == b,
                (Err(_), _) => false,
            })
    }
}

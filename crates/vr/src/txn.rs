//! The transaction machinery `select` and `restore` share.
//!
//! State directory (`$XDG_STATE_HOME/axios/vr/`):
//! - `lock`: held while a transaction runs (released by the kernel if we die);
//! - `original/`: the state before the first `select` (taken once; `restore` consumes it);
//! - `journal/`: the state to roll back to, present only while a transaction runs. Finding
//!   it at start means the last run died half-way: it is rolled back first;
//! - `state.json`: the selected backend (part of every snapshot, so it rolls back too).
//!
//! Rollback: stop units that were not running, put the files back, start units that were.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::config::Config;
use crate::paths::Paths;
use crate::units::{Bus, UnitControl, UnitRef};
use crate::{snapshot, Error, Result};

/// Suffix WiVRn gives the files it replaces.
pub const WIVRN_BACKUP: &str = ".wivrn-backup";

/// Test hooks (environment): fail at a step, or stop after one and wait to be killed.
pub const FAIL_AT_ENV: &str = "AXIOS_VR_TEST_FAIL_AT";
pub const PAUSE_AT_ENV: &str = "AXIOS_VR_TEST_PAUSE_AT";

/// The state directory layout.
pub struct StateDir {
    pub dir: PathBuf,
}

impl StateDir {
    pub fn new(paths: &Paths) -> Self {
        Self {
            dir: paths.state_dir.clone(),
        }
    }
    pub fn lock(&self) -> PathBuf {
        self.dir.join("lock")
    }
    pub fn original(&self) -> PathBuf {
        self.dir.join("original")
    }
    pub fn journal(&self) -> PathBuf {
        self.dir.join("journal")
    }
    pub fn state(&self) -> PathBuf {
        self.dir.join("state.json")
    }
}

/// `state.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Selected {
    pub backend: String,
    pub manifest: PathBuf,
    pub openvr_runtime: PathBuf,
}

/// Read `state.json`, if any.
pub fn selected(paths: &Paths) -> Option<Selected> {
    let f = StateDir::new(paths).state();
    serde_json::from_slice(&std::fs::read(f).ok()?).ok()
}

/// The outcome of `select` / `restore`.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub action: String,
    /// A journal left by a killed run that was rolled back first.
    pub recovered: Option<String>,
    pub stopped: Vec<String>,
    pub started: Vec<String>,
    pub warnings: Vec<String>,
}

pub(crate) fn unit_of(b: &crate::Backend) -> Option<UnitRef> {
    b.unit.as_ref().map(|n| UnitRef {
        name: n.clone(),
        bus: if b.user_unit {
            Bus::Session
        } else {
            Bus::System
        },
    })
}

/// All configured backend units (deduplicated).
pub fn all_units(cfg: &Config) -> Vec<UnitRef> {
    let mut v: Vec<UnitRef> = cfg.backends.values().filter_map(unit_of).collect();
    v.sort();
    v.dedup();
    v
}

pub(crate) fn backup_of(p: &Path) -> PathBuf {
    let mut s = p.as_os_str().to_os_string();
    s.push(WIVRN_BACKUP);
    PathBuf::from(s)
}

/// The files a switch may touch, in the order they are saved and restored.
pub fn touched(paths: &Paths) -> Vec<PathBuf> {
    let ar = paths.user_active_runtime();
    let ara = paths.user_active_runtime_arch();
    let vr = paths.vrpath();
    vec![
        ar.clone(),
        backup_of(&ar),
        ara.clone(),
        backup_of(&ara),
        vr.clone(),
        backup_of(&vr),
        StateDir::new(paths).state(),
    ]
}

/// WiVRn leftovers present now: `*.wivrn-backup` files and a read-only vrpath.
pub fn leftovers(paths: &Paths) -> Vec<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let mut v = Vec::new();
    for p in [
        paths.user_active_runtime(),
        paths.user_active_runtime_arch(),
        paths.vrpath(),
    ] {
        let b = backup_of(&p);
        if b.symlink_metadata().is_ok() {
            v.push(b);
        }
    }
    let vr = paths.vrpath();
    if let Ok(m) = std::fs::metadata(&vr) {
        if m.permissions().mode() & 0o222 == 0 {
            v.push(vr);
        }
    }
    v
}

pub(crate) fn euid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Refuse before any change: files owned by someone else, directories we cannot write.
pub(crate) fn preflight(paths: &Paths) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = euid();
    // root (sudo) switching a user's runtime would leave root-owned files in their home
    if let (Ok(m), Some(me)) = (std::fs::metadata(&paths.home), me) {
        if m.uid() != me {
            return Err(Error::Refused(format!(
                "HOME {} belongs to uid {} but axios-vr runs as uid {me}: run it as that user (not with sudo)",
                paths.home.display(),
                m.uid()
            )));
        }
    }
    for p in touched(paths) {
        if p.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            return Err(Error::Refused(format!(
                "{} is a directory where a file or symlink belongs; move it away",
                p.display()
            )));
        }
        if let (Ok(m), Some(me)) = (p.symlink_metadata(), me) {
            if m.uid() != me {
                return Err(Error::Refused(format!(
                    "{} belongs to uid {} but axios-vr runs as uid {me}; run it as that user (or fix the owner with chown)",
                    p.display(),
                    m.uid()
                )));
            }
        }
    }
    let mut dirs: Vec<PathBuf> = touched(paths)
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    dirs.push(paths.state_dir.clone());
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        // the nearest existing ancestor must let us create what is missing
        let mut probe = d.clone();
        while !probe.exists() {
            match probe.parent() {
                Some(p) => probe = p.to_path_buf(),
                None => break,
            }
        }
        if let Err(e) = tempfile::Builder::new()
            .prefix(".axios-vr-probe-")
            .tempfile_in(&probe)
        {
            return Err(Error::Refused(format!(
                "cannot write in {} ({e}){}",
                probe.display(),
                if probe == d {
                    String::new()
                } else {
                    format!(", needed to create {}", d.display())
                }
            )));
        }
    }
    Ok(())
}

/// Test hooks, read once.
pub(crate) struct Hooks {
    fail_at: Option<String>,
    pause_at: Option<String>,
    state_dir: PathBuf,
}

impl Hooks {
    pub(crate) fn from_env(paths: &Paths) -> Self {
        Self {
            fail_at: std::env::var(FAIL_AT_ENV).ok(),
            pause_at: std::env::var(PAUSE_AT_ENV).ok(),
            state_dir: paths.state_dir.clone(),
        }
    }
    pub(crate) fn before(&self, step: &str) -> std::result::Result<(), String> {
        if self.fail_at.as_deref() == Some(step) {
            return Err(format!("injected failure ({FAIL_AT_ENV}={step})"));
        }
        Ok(())
    }
    pub(crate) fn after(&self, step: &str) {
        if self.pause_at.as_deref() == Some(step) {
            let _ = std::fs::write(self.state_dir.join("paused"), step);
            std::thread::sleep(Duration::from_secs(600));
        }
    }
}

/// Clean what a killed transaction left: temporary dirs and a committed journal.
pub(crate) fn sweep(sd: &StateDir) {
    if let Ok(rd) = std::fs::read_dir(&sd.dir) {
        for e in rd.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(".snapshot-tmp-")
                || n.starts_with("journal.done")
                || n == "journal.next"
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Remove the journal: rename (the commit point) then delete.
pub(crate) fn drop_snapshot(dir: &Path) -> Result<()> {
    let done = dir.with_file_name(format!("journal.done-{}", std::process::id()));
    std::fs::rename(dir, &done).map_err(|e| Error::io(dir, e))?;
    let _ = std::fs::remove_dir_all(&done);
    Ok(())
}

/// Bring units back to `running` (stop the others first, then start the missing ones).
pub(crate) fn restore_units(
    units: &mut dyn UnitControl,
    all: &[UnitRef],
    running: &[UnitRef],
    stopped_first: bool,
) -> Vec<String> {
    let mut failed = Vec::new();
    let mut phase = |stop: bool| {
        for u in all {
            let want = running.contains(u);
            if want == stop {
                continue;
            }
            let r = units.state(u).and_then(|st| match (stop, st.is_running()) {
                (true, true) => units.stop(u),
                (false, false) => units.start(u),
                _ => Ok(()),
            });
            if let Err(e) = r {
                failed.push(e.to_string());
            }
        }
    };
    if stopped_first {
        phase(true);
    }
    phase(false);
    failed
}

/// Roll back to `snap`: units not running before are stopped, files put back, units that
/// were running started again. Returns what could not be restored.
pub(crate) fn rollback(
    units: &mut dyn UnitControl,
    all: &[UnitRef],
    snap: &snapshot::Snapshot,
) -> Vec<String> {
    let mut failed = Vec::new();
    // stop first: a backend that is shut down may rewrite files itself (WiVRn does)
    for u in all {
        if !snap.running.contains(u) {
            if let Err(e) = units.state(u).and_then(|st| {
                if st.is_running() {
                    units.stop(u)
                } else {
                    Ok(())
                }
            }) {
                failed.push(e.to_string());
            }
        }
    }
    failed.extend(snap.apply_files());
    failed.extend(restore_units(units, all, &snap.running, false));
    failed
}

/// Roll back a journal left by a killed run, if any. Call with the lock held.
pub(crate) fn recover(
    paths: &Paths,
    sd: &StateDir,
    cfg: &Config,
    units: &mut dyn UnitControl,
) -> Result<Option<String>> {
    sweep(sd);
    let Some(snap) = snapshot::load(&sd.journal(), &touched(paths))? else {
        return Ok(None);
    };
    let mut all = all_units(cfg);
    for u in &snap.running {
        if !all.contains(u) {
            all.push(u.clone());
        }
    }
    let failed = rollback(units, &all, &snap);
    if !failed.is_empty() {
        return Err(Error::RollbackFailed {
            action: format!("recovery of an interrupted `{}`", snap.action),
            step: "recover".into(),
            cause: "the previous run was interrupted".into(),
            rollback: failed.join("; "),
            journal: sd.journal(),
        });
    }
    drop_snapshot(&sd.journal())?;
    Ok(Some(snap.action))
}

pub(crate) fn running_units(units: &mut dyn UnitControl, all: &[UnitRef]) -> Result<Vec<UnitRef>> {
    let mut v = Vec::new();
    for u in all {
        let st = units.state(u).map_err(|e| Error::BusUnavailable {
            bus: u.bus.name(),
            unit: u.name.clone(),
            message: e.to_string(),
        })?;
        if st.is_running() {
            v.push(u.clone());
        }
    }
    Ok(v)
}

pub(crate) fn lock(sd: &StateDir) -> Result<axios_core::PidLock> {
    std::fs::create_dir_all(&sd.dir).map_err(|e| Error::io(&sd.dir, e))?;
    axios_core::PidLock::try_acquire(&sd.lock()).map_err(|e| match e {
        axios_core::LockError::Busy { .. } => Error::Busy(e.to_string()),
        axios_core::LockError::Io { path, source } => Error::io(path, source),
    })
}

//! `select` and `restore` as transactions.
//!
//! State directory (`$XDG_STATE_HOME/axios/vr/`):
//! - `lock`: held while a transaction runs (released by the kernel if we die);
//! - `original/`: the state before the first `select` (taken once; `restore` consumes it);
//! - `journal/`: the state to roll back to, present only while a transaction runs. Finding
//!   it at start means the last run died half-way: it is rolled back first;
//! - `state.json`: the selected backend (part of every snapshot, so it rolls back too).
//!
//! `select` steps: `journal-units` (record running units), `stop-units`, `backup` (original
//! state, once; WiVRn's `*.wivrn-backup` counts as the original of the file it replaced),
//! `journal` (the files, after WiVRn had its chance to restore its backups on stop),
//! `active-runtime` (atomic symlink swap), `vrpath` (other keys kept, WiVRn's stripped
//! copy merged with its backup), `clean-leftovers`, `start-unit`, `verify`, `commit`.
//! Rollback: stop units that were not running, put the files back, start units that were.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::config::Config;
use crate::openxr::{Library, Manifest};
use crate::paths::Paths;
use crate::units::{Bus, UnitControl, UnitRef};
use crate::{openvr, openxr, snapshot, Error, Result};

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

/// What a `select` will do (also the `--dry-run` output).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub backend: String,
    pub manifest: PathBuf,
    pub runtime_name: Option<String>,
    pub openvr_runtime: PathBuf,
    pub active_runtime: Vec<PathBuf>,
    pub vrpath: PathBuf,
    /// WiVRn leftovers that will be cleaned.
    pub leftovers: Vec<PathBuf>,
    /// Units to stop (if running) and the one to start.
    pub stop: Vec<UnitRef>,
    pub start: Option<UnitRef>,
    pub take_original_backup: bool,
    pub warnings: Vec<String>,
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

fn unit_of(b: &crate::Backend) -> Option<UnitRef> {
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

fn backup_of(p: &Path) -> PathBuf {
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

fn euid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Refuse before any change: files owned by someone else, directories we cannot write.
fn preflight(paths: &Paths) -> Result<()> {
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

/// Check the backend and compute the plan. No side effects.
pub fn plan(paths: &Paths, cfg: &Config, name: &str) -> Result<Plan> {
    let b = cfg.backend(name)?;
    let manifest_path = paths.expand(&b.manifest);
    let m = Manifest::load(&manifest_path).map_err(|source| Error::Manifest {
        backend: name.to_string(),
        source,
    })?;
    if let (Library::File(lib), Some(false)) = (&m.library, m.library_exists) {
        return Err(Error::Manifest {
            backend: name.to_string(),
            source: openxr::ManifestError::Invalid {
                path: manifest_path.clone(),
                message: format!(
                    "its runtime library {} does not exist (is the package complete?)",
                    lib.display()
                ),
            },
        });
    }
    let openvr_runtime = paths.expand(&b.openvr_runtime);
    if !openvr_runtime.is_dir() {
        return Err(Error::InvalidConfig {
            path: openvr_runtime.clone(),
            message: format!(
                "backend `{name}`: openvr_runtime is not a directory{}",
                if name.contains("alvr") {
                    " (ALVR needs SteamVR: install it from Steam)"
                } else {
                    " (install OpenComposite or xrizer)"
                }
            ),
        });
    }
    let mut warnings = Vec::new();
    if let Some(env) = &paths.xr_runtime_json {
        warnings.push(format!(
            "XR_RUNTIME_JSON={} is set: it overrides the active runtime for every program started with it; unset it for `{name}` to take effect",
            env.display()
        ));
    }
    // a malformed vrpath would lose its keys: refuse now rather than half-way
    for p in [paths.vrpath(), backup_of(&paths.vrpath())] {
        openvr::read(&p).map_err(|e| Error::Refused(e.to_string()))?;
    }
    let this = unit_of(b);
    let stop = all_units(cfg)
        .into_iter()
        .filter(|u| Some(u) != this.as_ref())
        .collect();
    let mut active_runtime = vec![paths.user_active_runtime()];
    if paths.user_active_runtime_arch().symlink_metadata().is_ok() {
        active_runtime.push(paths.user_active_runtime_arch());
    }
    Ok(Plan {
        backend: name.to_string(),
        runtime_name: m.name.clone(),
        manifest: manifest_path,
        openvr_runtime,
        active_runtime,
        vrpath: paths.vrpath(),
        leftovers: leftovers(paths),
        stop,
        start: this,
        take_original_backup: !StateDir::new(paths).original().exists(),
        warnings,
    })
}

/// Test hooks, read once.
struct Hooks {
    fail_at: Option<String>,
    pause_at: Option<String>,
    state_dir: PathBuf,
}

impl Hooks {
    fn from_env(paths: &Paths) -> Self {
        Self {
            fail_at: std::env::var(FAIL_AT_ENV).ok(),
            pause_at: std::env::var(PAUSE_AT_ENV).ok(),
            state_dir: paths.state_dir.clone(),
        }
    }
    fn before(&self, step: &str) -> std::result::Result<(), String> {
        if self.fail_at.as_deref() == Some(step) {
            return Err(format!("injected failure ({FAIL_AT_ENV}={step})"));
        }
        Ok(())
    }
    fn after(&self, step: &str) {
        if self.pause_at.as_deref() == Some(step) {
            let _ = std::fs::write(self.state_dir.join("paused"), step);
            std::thread::sleep(Duration::from_secs(600));
        }
    }
}

/// Clean what a killed transaction left: temporary dirs and a committed journal.
fn sweep(sd: &StateDir) {
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
fn drop_snapshot(dir: &Path) -> Result<()> {
    let done = dir.with_file_name(format!("journal.done-{}", std::process::id()));
    std::fs::rename(dir, &done).map_err(|e| Error::io(dir, e))?;
    let _ = std::fs::remove_dir_all(&done);
    Ok(())
}

/// Bring units back to `running` (stop the others first, then start the missing ones).
fn restore_units(
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
fn rollback(
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
fn recover(
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

fn running_units(units: &mut dyn UnitControl, all: &[UnitRef]) -> Result<Vec<UnitRef>> {
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

fn lock(sd: &StateDir) -> Result<axios_core::PidLock> {
    std::fs::create_dir_all(&sd.dir).map_err(|e| Error::io(&sd.dir, e))?;
    axios_core::PidLock::try_acquire(&sd.lock()).map_err(|e| match e {
        axios_core::LockError::Busy { .. } => Error::Busy(e.to_string()),
        axios_core::LockError::Io { path, source } => Error::io(path, source),
    })
}

/// Switch to backend `name` as one transaction.
pub fn select(
    paths: &Paths,
    cfg: &Config,
    name: &str,
    units: &mut dyn UnitControl,
) -> Result<Outcome> {
    let plan = plan(paths, cfg, name)?;
    preflight(paths)?;
    let sd = StateDir::new(paths);
    let _lock = lock(&sd)?;
    let recovered = recover(paths, &sd, cfg, units)?;
    let all = all_units(cfg);
    let hooks = Hooks::from_env(paths);
    let action = format!("select {name}");
    let mut out = Outcome {
        action: action.clone(),
        recovered,
        stopped: Vec::new(),
        started: Vec::new(),
        warnings: plan.warnings.clone(),
    };

    // journal-units: nothing has changed yet, so a failure here needs no rollback
    let running = running_units(units, &all)?;
    let not_started = |cause: String| Error::RolledBack {
        backend: name.to_string(),
        step: "journal-units".into(),
        cause,
    };
    hooks.before("journal-units").map_err(not_started)?;
    let mut journal = snapshot::save(&sd.journal(), &action, &touched(paths), &[], &running)
        .map_err(|e| not_started(e.to_string()))?;
    hooks.after("journal-units");

    let mut step = "stop-units";
    let result = (|| -> std::result::Result<(), String> {
        hooks.before(step)?;
        for u in &plan.stop {
            if running.contains(u) {
                units.stop(u).map_err(|e| e.to_string())?;
                out.stopped.push(u.name.clone());
            }
        }
        hooks.after(step);

        step = "backup";
        hooks.before(step)?;
        if !sd.original().exists() {
            // WiVRn's backups are what it would have put back: the original files
            let ov: Vec<(PathBuf, PathBuf)> = [
                paths.user_active_runtime(),
                paths.user_active_runtime_arch(),
                paths.vrpath(),
            ]
            .into_iter()
            .map(|p| (p.clone(), backup_of(&p)))
            .filter(|(_, b)| b.symlink_metadata().is_ok())
            .collect();
            snapshot::save(&sd.original(), "original", &touched(paths), &ov, &running)
                .map_err(|e| e.to_string())?;
        }
        hooks.after(step);

        step = "journal";
        hooks.before(step)?;
        // the files as they are now that the other backends stopped (unchanged, and not
        // saved again, when none was running)
        if out.stopped.is_empty() {
            hooks.after(step);
        }
        if !out.stopped.is_empty() {
            let tmp = sd.dir.join("journal.next");
            let _ = std::fs::remove_dir_all(&tmp);
            let next = snapshot::save(&tmp, &action, &touched(paths), &[], &running)
                .map_err(|e| e.to_string())?;
            std::fs::rename(&tmp, sd.journal())
                .or_else(|_| {
                    // rename over a non-empty dir fails: swap in two renames
                    let old = sd.dir.join(format!("journal.done-{}", std::process::id()));
                    std::fs::rename(sd.journal(), &old)?;
                    std::fs::rename(&tmp, sd.journal())?;
                    let _ = std::fs::remove_dir_all(&old);
                    Ok::<(), std::io::Error>(())
                })
                .map_err(|e| format!("{}: {e}", sd.journal().display()))?;
            journal = snapshot::Snapshot {
                dir: sd.journal(),
                ..next
            };
            hooks.after(step);
        }

        step = "active-runtime";
        hooks.before(step)?;
        for f in &plan.active_runtime {
            snapshot::atomic_symlink(&plan.manifest, f)
                .map_err(|e| format!("{}: {e}", f.display()))?;
        }
        hooks.after(step);

        step = "vrpath";
        hooks.before(step)?;
        let vr = paths.vrpath();
        let current = openvr::read(&vr).map_err(|e| e.to_string())?;
        let backup = openvr::read(&backup_of(&vr)).map_err(|e| e.to_string())?;
        let merged = openvr::merged(current.as_ref(), backup.as_ref(), &plan.openvr_runtime);
        if let Some(p) = vr.parent() {
            std::fs::create_dir_all(p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        // 0644 even over WiVRn's 0400: Steam must be able to update it
        axios_core::fs::atomic_write_mode(&vr, &openvr::render(&merged), Some(0o644))
            .map_err(|e| e.to_string())?;
        hooks.after(step);

        step = "clean-leftovers";
        hooks.before(step)?;
        for p in [
            paths.user_active_runtime(),
            paths.user_active_runtime_arch(),
            paths.vrpath(),
        ] {
            let b = backup_of(&p);
            match std::fs::remove_file(&b) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!("{}: {e}", b.display()))
                }
                _ => {}
            }
        }
        hooks.after(step);

        step = "start-unit";
        hooks.before(step)?;
        if let Some(u) = &plan.start {
            units.start(u).map_err(|e| e.to_string())?;
            out.started.push(u.name.clone());
        }
        hooks.after(step);

        step = "verify";
        hooks.before(step)?;
        if paths.xr_runtime_json.is_none() {
            let r = openxr::resolve(paths).ok_or("the loader finds no active runtime")?;
            let want = std::fs::canonicalize(&plan.manifest).ok();
            let got = std::fs::canonicalize(&r.file).ok();
            if want.is_none() || want != got {
                return Err(format!(
                    "the loader would use {} instead of {}",
                    r.file.display(),
                    plan.manifest.display()
                ));
            }
        }
        hooks.after(step);

        step = "commit";
        hooks.before(step)?;
        let sel = Selected {
            backend: name.to_string(),
            manifest: plan.manifest.clone(),
            openvr_runtime: plan.openvr_runtime.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&sel).unwrap_or_default();
        axios_core::fs::atomic_write(&sd.state(), &bytes).map_err(|e| e.to_string())?;
        drop_snapshot(&sd.journal()).map_err(|e| e.to_string())?;
        hooks.after(step);
        Ok(())
    })();

    match result {
        Ok(()) => Ok(out),
        Err(cause) => {
            let failed = rollback(units, &all, &journal);
            if failed.is_empty() {
                let _ = drop_snapshot(&sd.journal());
                Err(Error::RolledBack {
                    backend: name.to_string(),
                    step: step.to_string(),
                    cause,
                })
            } else {
                Err(Error::RollbackFailed {
                    action: action.clone(),
                    step: step.to_string(),
                    cause,
                    rollback: failed.join("; "),
                    journal: sd.journal(),
                })
            }
        }
    }
}

/// Whether a killed run left a journal to roll back.
pub fn interrupted(paths: &Paths) -> bool {
    StateDir::new(paths).journal().exists()
}

/// Roll back an interrupted `select`/`restore`, if any (`select` and `restore` also do it
/// first). Returns the interrupted action.
pub fn recover_only(
    paths: &Paths,
    cfg: &Config,
    units: &mut dyn UnitControl,
) -> Result<Option<String>> {
    let sd = StateDir::new(paths);
    let _lock = lock(&sd)?;
    recover(paths, &sd, cfg, units)
}

/// Put back the state from before the first `select` (files and which units ran).
pub fn restore(paths: &Paths, cfg: &Config, units: &mut dyn UnitControl) -> Result<Outcome> {
    preflight(paths)?;
    let sd = StateDir::new(paths);
    let _lock = lock(&sd)?;
    let recovered = recover(paths, &sd, cfg, units)?;
    let Some(original) = snapshot::load(&sd.original(), &touched(paths))? else {
        if recovered.is_some() {
            return Ok(Outcome {
                action: "restore".into(),
                recovered,
                stopped: vec![],
                started: vec![],
                warnings: vec![],
            });
        }
        return Err(Error::NothingToRestore(sd.original()));
    };
    let hooks = Hooks::from_env(paths);
    let mut all = all_units(cfg);
    for u in &original.running {
        if !all.contains(u) {
            all.push(u.clone());
        }
    }
    let running = running_units(units, &all)?;
    let journal = snapshot::save(&sd.journal(), "restore", &touched(paths), &[], &running)?;
    hooks.after("journal-units");
    let mut out = Outcome {
        action: "restore".into(),
        recovered,
        stopped: running
            .iter()
            .filter(|u| !original.running.contains(u))
            .map(|u| u.name.clone())
            .collect(),
        started: original
            .running
            .iter()
            .filter(|u| !running.contains(u))
            .map(|u| u.name.clone())
            .collect(),
        warnings: vec![],
    };
    let mut step = "restore";
    let result = (|| -> std::result::Result<(), String> {
        hooks.before(step)?;
        let mut failed = Vec::new();
        for u in &all {
            if running.contains(u) && !original.running.contains(u) {
                if let Err(e) = units.stop(u) {
                    failed.push(e.to_string());
                }
            }
        }
        if !failed.is_empty() {
            return Err(failed.join("; "));
        }
        let f = original.apply_files();
        if !f.is_empty() {
            return Err(f.join("; "));
        }
        hooks.after(step);
        step = "start-units";
        hooks.before(step)?;
        let f = restore_units(units, &all, &original.running, false);
        if !f.is_empty() {
            return Err(f.join("; "));
        }
        hooks.after(step);
        step = "commit";
        hooks.before(step)?;
        // commit point first: killed after it, the next restore simply applies the
        // original again; the other order could roll back with the original gone
        drop_snapshot(&sd.journal()).map_err(|e| e.to_string())?;
        hooks.after(step);
        // the original is consumed: the next select takes a fresh one
        let done = sd
            .dir
            .join(format!("journal.done-orig-{}", std::process::id()));
        if std::fs::rename(sd.original(), &done).is_ok() {
            let _ = std::fs::remove_dir_all(&done);
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok(out),
        Err(cause) => {
            out.warnings.push(cause.clone());
            let failed = rollback(units, &all, &journal);
            if failed.is_empty() {
                let _ = drop_snapshot(&sd.journal());
                Err(Error::RolledBack {
                    backend: "the original state".into(),
                    step: step.to_string(),
                    cause,
                })
            } else {
                Err(Error::RollbackFailed {
                    action: "restore".into(),
                    step: step.to_string(),
                    cause,
                    rollback: failed.join("; "),
                    journal: sd.journal(),
                })
            }
        }
    }
}

//! `select`: switch to a backend as one transaction (see [`crate::txn`] for the state
//! directory and the rollback).
//!
//! Steps: `journal-units` (record running units), `stop-units`, `backup` (original state,
//! once; WiVRn's `*.wivrn-backup` counts as the original of the file it replaced), `journal`
//! (the files, after WiVRn had its chance to restore its backups on stop), `active-runtime`
//! (atomic symlink swap), `vrpath` (other keys kept, WiVRn's stripped copy merged with its
//! backup), `clean-leftovers`, `start-unit`, `verify`, `commit`.

use std::path::PathBuf;

use serde::Serialize;

use crate::config::Config;
use crate::openxr::{Library, Manifest};
use crate::paths::Paths;
use crate::txn::*;
use crate::units::{UnitControl, UnitRef};
use crate::{openvr, openxr, snapshot, Error, Result};

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

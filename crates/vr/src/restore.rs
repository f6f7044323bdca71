//! `restore` (the state from before the first `select`) and `recover` (roll back an
//! interrupted switch).

use crate::config::Config;
use crate::paths::Paths;
use crate::txn::*;
use crate::units::UnitControl;
use crate::{snapshot, Error, Result};

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

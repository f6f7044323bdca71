//! The guard's operations: `run` (preflight, the deletion policy, the journal, rclone and
//! its result), `status`, `approve`, `unlock`. `init`/`recover` live in `resync.rs`, the
//! reconciliation after a crash in `reconcile.rs`, the policy in `policy.rs`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use axios_core::lock::{LockError, PidLock};

use crate::config::{Config, PairConfig};
use crate::current::Current;
use crate::desktop::{self, Urgency};
use crate::name::rclone_name;
use crate::policy;
use crate::rclone::workdir::{LockState, Workdir};
use crate::rclone::{BisyncOutcome, Rclone};
use crate::report::{PairReport, PendingView, ResultKind, StatusReport};
use crate::side::{PerSide, Side};
use crate::state::{
    now_ns, now_secs, Journal, JournalKind, Lockout, PairPaths, PairState, Pending,
};
use crate::{fsutil, Error};

/// The guard, for one config.
pub struct Guard {
    pub cfg: Config,
    /// The root below which `proc/self/mountinfo` and `proc/<pid>/cmdline` are read
    /// (`/`; `AXIOS_BISYNC_ROOT` for tests).
    pub root: axios_core::Root,
    /// `proc/self/mountinfo` below the root, or `AXIOS_BISYNC_MOUNTINFO`.
    pub mountinfo: PathBuf,
    /// Send desktop notifications.
    pub notifications: bool,
}

/// The pair's own lock, or the report saying another run holds it.
pub(crate) fn lock_pair(name: &str, paths: &PairPaths) -> Result<PidLock, PairReport> {
    PidLock::try_acquire(&paths.lock).map_err(|e| match e {
        LockError::Busy { holder, .. } => PairReport::new(
            name,
            ResultKind::Busy,
            format!(
                "another axios-bisync run{} is syncing this pair; try again later",
                holder.map(|p| format!(" (pid {p})")).unwrap_or_default()
            ),
        ),
        e => PairReport::new(name, ResultKind::Retryable, e.to_string()),
    })
}

impl Guard {
    pub fn new(cfg: Config) -> Self {
        let root = std::env::var_os("AXIOS_BISYNC_ROOT")
            .and_then(|r| axios_core::Root::new(PathBuf::from(r)).ok())
            .unwrap_or_default();
        let mountinfo = std::env::var_os("AXIOS_BISYNC_MOUNTINFO")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.path("proc/self/mountinfo"));
        Self {
            cfg,
            root,
            mountinfo,
            notifications: true,
        }
    }

    pub(crate) fn proc_dir(&self) -> PathBuf {
        self.root.path("proc")
    }

    pub(crate) fn rclone(&self) -> Result<Rclone, Error> {
        Rclone::detect_cached(
            &self.cfg.rclone_bin(),
            self.cfg.rclone_config.as_deref(),
            &self.cfg.state_dir.join("rclone-version.json"),
        )
    }

    pub(crate) fn notify(&self, summary: &str, body: &str, urgency: Urgency) {
        if self.notifications {
            desktop::notify(summary, body, urgency);
        }
    }

    /// The pairs to act on: all when `names` is empty; unknown names are an error.
    pub fn select(&self, names: &[String]) -> Result<Vec<String>, Error> {
        if names.is_empty() {
            return Ok(self.cfg.pairs.keys().cloned().collect());
        }
        for n in names {
            self.cfg.pair(n)?;
        }
        Ok(names.to_vec())
    }

    /// `run [PAIR...]`.
    pub fn run(&self, names: &[String]) -> Result<Vec<PairReport>, Error> {
        let names = self.select(names)?;
        let rc = self.rclone()?;
        tracing::debug!("rclone {} at {}", rc.caps.version, rc.bin.display());
        Ok(names.iter().map(|n| self.run_pair(&rc, n)).collect())
    }

    fn run_pair(&self, rc: &Rclone, name: &str) -> PairReport {
        let pc = match self.cfg.pair(name) {
            Ok(p) => p,
            Err(e) => return PairReport::new(name, ResultKind::ConfigError, e.to_string()),
        };
        let paths = PairPaths::new(&self.cfg.state_dir, name);
        if let Err(e) = paths.create() {
            return PairReport::new(name, ResultKind::Retryable, e.to_string());
        }
        let _lock = match lock_pair(name, &paths) {
            Ok(l) => l,
            Err(r) => return r,
        };
        let mut st = match PairState::load(&paths.state) {
            Ok(s) => s,
            Err(e) => return PairReport::new(name, ResultKind::Retryable, e.to_string()),
        };
        let report = self
            .run_locked(rc, name, pc, &paths, &mut st)
            .unwrap_or_else(|e| PairReport::new(name, ResultKind::of_error(&e), e.to_string()));
        self.record(name, pc, &paths, &mut st, &report);
        report
    }

    /// Write the result into the state, and notify when the pair has not synced for long.
    pub(crate) fn record(
        &self,
        name: &str,
        pc: &PairConfig,
        paths: &PairPaths,
        st: &mut PairState,
        report: &PairReport,
    ) {
        let now = now_secs();
        st.last_attempt = Some(now);
        st.last_result = Some(report.message.clone());
        st.last_code = Some(report.code);
        if report.result == ResultKind::Ok {
            st.last_success = Some(now);
        } else if st.initialized {
            let since = st.last_success.unwrap_or(0);
            let limit = pc.notify_after.as_secs();
            let due = now.saturating_sub(since) >= limit
                && st
                    .stale_notified
                    .is_none_or(|t| now.saturating_sub(t) >= limit);
            if due {
                st.stale_notified = Some(now);
                self.notify(
                    &format!("Sync of {name} has not succeeded for a while"),
                    &format!(
                        "No successful sync of {name} since {}. Last problem: {}",
                        st.last_success
                            .map(crate::state::fmt_secs)
                            .unwrap_or_else(|| "setup".into()),
                        report.message
                    ),
                    Urgency::Normal,
                );
            }
        }
        if let Err(e) = st.save(&paths.state) {
            tracing::error!("{e}");
        }
    }

    pub(crate) fn lock_out(&self, name: &str, st: &mut PairState, reason: &str) -> PairReport {
        st.locked_out = Some(Lockout {
            since: now_secs(),
            reason: reason.to_string(),
        });
        let msg = format!(
            "locked out: {reason}. Nothing was deleted. Run `axios-bisync recover {name}` to review what a resync would change and apply it"
        );
        self.notify(
            &format!("Sync of {name} is locked out"),
            &msg,
            Urgency::Critical,
        );
        PairReport::new(name, ResultKind::Critical, msg)
    }

    pub(crate) fn refuse(&self, name: &str, msg: String) -> PairReport {
        let msg = if msg.starts_with("refused") {
            msg
        } else {
            format!("refused: {msg}")
        };
        self.notify(&format!("Sync of {name} refused"), &msg, Urgency::Critical);
        PairReport::new(name, ResultKind::Refused, msg)
    }

    /// A stale rclone lock is cleared; a live one is `Busy`.
    pub(crate) fn clear_rclone_lock(&self, name: &str, wd: &Workdir) -> Result<(), PairReport> {
        match wd.clear_stale_locks(&self.proc_dir()) {
            Ok(LockState::Clear(_)) => Ok(()),
            Ok(LockState::Held(pid)) => Err(PairReport::new(
                name,
                ResultKind::Busy,
                format!("rclone (pid {pid}) is still running for this pair; try again later"),
            )),
            Err(e) => Err(PairReport::new(name, ResultKind::Retryable, e.to_string())),
        }
    }

    pub(crate) fn check_mountpoint(&self, pc: &PairConfig) -> Result<Option<String>, Error> {
        if let Some(mp) = &pc.mountpoint {
            if !fsutil::is_mountpoint(mp, &self.mountinfo)? {
                return Ok(Some(format!(
                    "{} is not a mount point (the disk is not mounted?); refusing to sync an empty folder",
                    mp.display()
                )));
            }
        }
        Ok(None)
    }

    /// Roots, mount point, markers and their identity; returns the current trees.
    fn preflight(
        &self,
        rc: &Rclone,
        name: &str,
        pc: &PairConfig,
        st: &PairState,
    ) -> Result<Result<PerSide<Current>, String>, Error> {
        if let Some(msg) = self.check_mountpoint(pc)? {
            return Ok(Err(msg));
        }
        let local = |root: &Path, side: Side| -> Result<Current, String> {
            if !root.is_dir() {
                return Err(format!(
                    "{side} {} does not exist or is not a directory",
                    root.display()
                ));
            }
            let names = fsutil::walk(root).map_err(|e| format!("cannot read {side}: {e}"))?;
            Ok(Current::local(root, names))
        };
        // Both sides at once (a walk of 10,000 files is most of the guard's cost).
        let (cur1, cur2) = std::thread::scope(|sc| {
            let h2 = sc.spawn(|| local(&pc.path2, Side::Path2));
            let cur1 = match pc.path1_local() {
                Some(p) => Ok(local(&p, Side::Path1)),
                None => rc
                    .lsjson(&pc.path1, None)
                    .map(|meta| Ok(Current::remote(meta))),
            };
            let cur2 = h2
                .join()
                .unwrap_or_else(|_| Err("the walk of path2 failed".to_string()));
            (cur1, cur2)
        });
        let cur1 = match cur1? {
            Ok(c) => c,
            Err(m) => return Ok(Err(m)),
        };
        let cur2 = match cur2 {
            Ok(c) => c,
            Err(m) => return Ok(Err(m)),
        };
        let cur = PerSide::new(cur1, cur2);
        let marker = rclone_name(pc.marker.as_bytes());
        for side in Side::BOTH {
            let c = cur.get(side);
            if !c.names.contains(&marker) {
                return Ok(Err(format!(
                    "marker file `{}` is missing on {side} ({}); the folder may be emptied, replaced or not mounted. If this is intended, run `axios-bisync recover {name}`",
                    pc.marker,
                    pc.shown(side)
                )));
            }
            if let (Some(root), Some(id)) = (&c.root, &st.identity) {
                if let Some(msg) = crate::resync::identity_mismatch(root, pc, id, side) {
                    return Ok(Err(msg));
                }
            }
        }
        Ok(Ok(cur))
    }

    fn run_locked(
        &self,
        rc: &Rclone,
        name: &str,
        pc: &PairConfig,
        paths: &PairPaths,
        st: &mut PairState,
    ) -> Result<PairReport, Error> {
        if let Some(lo) = &st.locked_out {
            return Ok(PairReport::new(
                name,
                ResultKind::LockedOut,
                format!(
                    "locked out since {}: {}. Run `axios-bisync recover {name}`",
                    crate::state::fmt_secs(lo.since),
                    lo.reason
                ),
            ));
        }
        if !st.initialized {
            return Ok(PairReport::new(
                name,
                ResultKind::Refused,
                format!("pair not set up yet: run `axios-bisync init {name}` for the first sync"),
            ));
        }
        // rclone's listings are parsed, and saved for the journal, while the trees are
        // walked. Not saved when a journal exists: its saved listings are the ones from
        // before the interrupted run, which reconciliation may need.
        let wd = Workdir::new(&paths.workdir, pc);
        let interrupted = paths.journal.exists();
        let (cur, early, saved) = std::thread::scope(|sc| {
            let h = sc.spawn(|| {
                let saved = !interrupted && save_listings(&wd, paths).is_ok();
                (wd.read_raw(), saved)
            });
            let cur = self.preflight(rc, name, pc, st);
            let (early, saved) = h
                .join()
                .unwrap_or((Err(Error::Aborted("listing thread".into())), false));
            (cur, early.ok(), saved)
        });
        let cur = match cur? {
            Ok(c) => c,
            Err(msg) => return Ok(self.refuse(name, msg)),
        };
        if let Some(msg) = filters_changed(pc, paths) {
            return Ok(self.refuse(name, msg.replace("PAIR", name)));
        }
        if let Err(r) = self.clear_rclone_lock(name, &wd) {
            return Ok(r);
        }
        let mut quarantined = Vec::new();
        let mut early = early;
        if let Some(j) = Journal::load(&paths.journal)? {
            tracing::warn!(
                "pair {name}: the previous run was cut short; reconciling before syncing"
            );
            quarantined = self.reconcile(rc, name, pc, paths, &wd, &j)?;
            Journal::remove(&paths.journal)?;
            early = None; // reconciliation rewrote the listings
        }
        if let Some(reason) = wd.missing_listings() {
            return Ok(self
                .lock_out(name, st, &reason)
                .with_quarantined(quarantined));
        }
        let prior = match early {
            Some(l) => l,
            None => wd.read_raw()?,
        };

        // The deletion policy: what rclone WILL delete, per side.
        let deletes = PerSide::new(
            cur.path2.deletions(&prior.path2)?,
            cur.path1.deletions(&prior.path1)?,
        );
        let counts = cur.map(|_, c| c.names.len() as u64);
        let before = st.counts.map(|(a, b)| PerSide::new(a, b));
        let approval = match (&st.pending, st.approved) {
            (Some(p), true) => Some(PerSide::new(
                p.delete_on_path1.clone(),
                p.delete_on_path2.clone(),
            )),
            _ => None,
        };
        let decision = policy::decide(pc, &deletes, &counts, before.as_ref(), approval.as_ref());
        // Tens of thousands of small allocations that would only be freed at exit: leave
        // them to the exit (freeing them one by one costs milliseconds per run).
        std::mem::forget(prior);
        std::mem::forget(cur);
        if decision.approval_expired {
            tracing::warn!(
                "pair {name}: the deletions differ from the ones that were approved; asking again"
            );
            st.approved = false;
        }
        if decision.approved {
            tracing::warn!("pair {name}: making the deletions approved by `axios-bisync approve`");
        }
        if !decision.refusals.is_empty() {
            let reasons: Vec<String> = decision.refusals.iter().map(|r| r.to_string()).collect();
            st.pending = Some(Pending {
                at: now_secs(),
                reason: reasons.join("; "),
                delete_on_path2: deletes.path2.files.clone(),
                delete_on_path1: deletes.path1.files.clone(),
            });
            st.approved = false;
            let msg = format!(
                "refused: {}. Nothing was changed. `axios-bisync status {name}` lists the files; if this is intended, run `axios-bisync approve {name}`",
                reasons.join("; ")
            );
            return Ok(self.refuse(name, msg).with_quarantined(quarantined));
        }

        // Journal, then rclone.
        if !saved || !quarantined.is_empty() || interrupted {
            save_listings(&wd, paths)?;
        }
        Journal {
            started_ns: now_ns(),
            guard_pid: std::process::id(),
            kind: JournalKind::Run,
        }
        .save(&paths.journal)?;

        let mut args = bisync_args(rc, pc, paths);
        if decision.force || decision.approved {
            args.push("--force".into());
        } else {
            args.push("--max-delete".into());
            args.push(pc.max_delete_percent.max(1).to_string().into());
        }
        let out = rc.run_bisync(&args, self.cfg.stop_grace, |pid| {
            tracing::debug!("pair {name}: rclone bisync started (pid {pid})");
        })?;
        let report = if out.code == Some(0) {
            self.after_success(pc, paths, &wd, st)?;
            PairReport::new(name, ResultKind::Ok, "synced")
        } else {
            self.failure(rc, name, st, &out, "rclone")
        };
        Ok(report.with_quarantined(quarantined))
    }

    /// After rclone exited 0: repair its listings, drop the journal, record the counts.
    pub(crate) fn after_success(
        &self,
        pc: &PairConfig,
        paths: &PairPaths,
        wd: &Workdir,
        st: &mut PairState,
    ) -> Result<(), Error> {
        let roots = PerSide::new(pc.path1_local(), Some(pc.path2.clone()));
        let (fixed, counts) = wd.finish(&roots)?;
        if fixed > 0 {
            tracing::info!("restored the real bytes of {fixed} file name(s) in rclone's listings");
        }
        Journal::remove(&paths.journal)?;
        st.pending = None;
        st.approved = false;
        st.counts = Some(counts);
        Ok(())
    }

    /// rclone did not exit 0: killed, critical (lock out) or retryable.
    pub(crate) fn failure(
        &self,
        rc: &Rclone,
        name: &str,
        st: &mut PairState,
        out: &BisyncOutcome,
        what: &str,
    ) -> PairReport {
        if out.killed {
            return PairReport::new(
                name,
                ResultKind::Retryable,
                "stopped: rclone did not finish within the stop grace period and was killed; the next run reconciles",
            );
        }
        let last = crate::rclone::last_error_line(&out.tail.join("\n"));
        let critical = out.code.is_some_and(|c| rc.caps.is_critical(c)) && !out.retryable;
        if out.must_resync || critical {
            let critical = out
                .tail
                .iter()
                .rev()
                .find(|l| l.contains("critical error"))
                .map(|l| crate::rclone::last_error_line(l))
                .unwrap_or(last);
            return self.lock_out(
                name,
                st,
                &format!("rclone reported a critical error ({critical})"),
            );
        }
        PairReport::new(
            name,
            ResultKind::Retryable,
            format!(
                "{what} failed (exit {}): {last}",
                out.code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "signal".into()),
            ),
        )
    }

    /// `status`.
    pub fn status(&self, names: &[String]) -> Result<Vec<StatusReport>, Error> {
        let mut out = Vec::new();
        for n in self.select(names)? {
            let pc = self.cfg.pair(&n)?;
            let paths = PairPaths::new(&self.cfg.state_dir, &n);
            let st = PairState::load(&paths.state)?;
            out.push(StatusReport {
                pair: n.clone(),
                path1: pc.path1.clone(),
                path2: pc.path2.clone(),
                initialized: st.initialized,
                last_success: st.last_success,
                last_attempt: st.last_attempt,
                last_result: st.last_result,
                last_code: st.last_code,
                locked_out: st.locked_out,
                pending: st.pending.map(|p| PendingView {
                    at: p.at,
                    reason: p.reason,
                    delete_on_path2: p.delete_on_path2.len(),
                    delete_on_path1: p.delete_on_path1.len(),
                    files_path2: p.delete_on_path2,
                    files_path1: p.delete_on_path1,
                }),
                approved: st.approved,
                running: PidLock::is_held(&paths.lock),
                interrupted: paths.journal.exists(),
            });
        }
        Ok(out)
    }

    /// `approve PAIR`: the next run may make exactly the deletions that were refused (and
    /// are returned here, to be shown); if the set changes, it asks again.
    pub fn approve(&self, name: &str) -> Result<Pending, Error> {
        self.cfg.pair(name)?;
        let paths = PairPaths::new(&self.cfg.state_dir, name);
        let mut st = PairState::load(&paths.state)?;
        let Some(p) = st.pending.clone() else {
            return Err(Error::Refused {
                pair: name.to_string(),
                message: "nothing to approve: no run was refused by the deletion guard".into(),
            });
        };
        st.approved = true;
        st.save(&paths.state)?;
        Ok(p)
    }

    /// `unlock [PAIR...]`: clear stale rclone locks whose process is gone.
    pub fn unlock(&self, names: &[String]) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for n in self.select(names)? {
            let pc = self.cfg.pair(&n)?;
            let paths = PairPaths::new(&self.cfg.state_dir, &n);
            if PidLock::is_held(&paths.lock) {
                out.push(format!("{n}: a run is in progress; nothing to unlock"));
                continue;
            }
            let wd = Workdir::new(&paths.workdir, pc);
            match wd.clear_stale_locks(&self.proc_dir())? {
                LockState::Held(pid) => out.push(format!(
                    "{n}: rclone (pid {pid}) is still running for this pair"
                )),
                LockState::Clear(c) if c.is_empty() => out.push(format!("{n}: no stale lock")),
                LockState::Clear(c) => out.extend(c.into_iter().map(|m| format!("{n}: {m}"))),
            }
        }
        Ok(out)
    }
}

/// The arguments of every bisync run: paths, workdir, the access check, filters, and the
/// safety flags of this rclone version.
pub(crate) fn bisync_args(rc: &Rclone, pc: &PairConfig, paths: &PairPaths) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "bisync".into(),
        pc.path1.clone().into(),
        pc.path2.clone().into(),
        "--workdir".into(),
        paths.workdir.clone().into(),
        "--check-access".into(),
        "--check-filename".into(),
        pc.marker.clone().into(),
        "-v".into(),
    ];
    args.extend(rc.caps.safety_flags());
    if pc.filters_file.is_some() && paths.filters.is_file() {
        args.push("--filters-file".into());
        args.push(paths.filters.clone().into());
    }
    args
}

/// Save rclone's listings next to the journal (the fallback when rclone is killed while
/// rewriting them). Copies, not hard links: rclone rewrites its listings in place (same
/// inode, checked on 1.60.1 and 1.75.2), so a link would show the new, possibly
/// half-written, one.
fn save_listings(wd: &Workdir, paths: &PairPaths) -> Result<(), Error> {
    let listings = wd.listings();
    for s in Side::BOTH {
        let snap = paths.journal_dir.join(format!("{s}.lst"));
        std::fs::copy(listings.get(s), &snap).map_err(|source| Error::Io {
            path: listings.get(s).clone(),
            source,
        })?;
    }
    Ok(())
}

/// `None` when the filters copy matches the configured file; else why it does not.
fn filters_changed(pc: &PairConfig, paths: &PairPaths) -> Option<String> {
    let copy = std::fs::read(&paths.filters).ok();
    match (&pc.filters_file, copy) {
        (None, None) => None,
        (None, Some(_)) => Some("the filters file was removed from the config since the last resync; rclone needs a resync for that: run `axios-bisync recover PAIR`".into()),
        (Some(f), copy) => match std::fs::read(f) {
            Err(e) => Some(format!("cannot read filters file {}: {e}", f.display())),
            Ok(src) if Some(&src) == copy.as_ref() => None,
            Ok(_) => Some(format!(
                "filters file {} changed since the last resync; rclone needs a resync with the new filters: review and apply it with `axios-bisync recover PAIR`",
                f.display()
            )),
        },
    }
}

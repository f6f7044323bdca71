//! The guard's operations: run, status, init/recover (resync), approve, unlock.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use axios_core::lock::{LockError, PidLock};
use serde::Serialize;

use crate::config::{Config, PairConfig};
use crate::desktop::{self, Urgency};
use crate::fsutil;
use crate::listing::{self, Entry, Listing};
use crate::rclone::Rclone;
use crate::state::{now_ns, now_secs, Journal, Lockout, PairPaths, PairState, Pending};
use crate::{Error, EXIT_CONFIG, EXIT_CRITICAL, EXIT_OK, EXIT_REFUSED, EXIT_RETRY};

/// Two modification times this close are the same (Google Drive keeps milliseconds).
const MTIME_TOLERANCE_NS: i128 = 1_000_000_000;
/// Clock slack when deciding whether a file was written during an interrupted run.
const START_SLACK_NS: i128 = 2_000_000_000;

/// How a pair's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultKind {
    Ok,
    /// rclone failed in a way a later run can fix.
    Retryable,
    /// Another run holds the pair.
    Busy,
    /// rclone hit a critical error; the pair is now locked out.
    Critical,
    /// The pair was already locked out.
    LockedOut,
    /// A guard refused the run.
    Refused,
    /// Configuration problem for this pair.
    ConfigError,
}

impl ResultKind {
    pub fn code(self) -> i32 {
        match self {
            ResultKind::Ok => EXIT_OK,
            ResultKind::Retryable | ResultKind::Busy => EXIT_RETRY,
            ResultKind::Critical | ResultKind::LockedOut => EXIT_CRITICAL,
            ResultKind::Refused => EXIT_REFUSED,
            ResultKind::ConfigError => EXIT_CONFIG,
        }
    }
}

/// The result of one pair.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    pub pair: String,
    pub result: ResultKind,
    pub code: i32,
    pub message: String,
    /// Files moved to the quarantine folder by the reconciliation step.
    pub quarantined: Vec<String>,
}

impl PairReport {
    fn new(pair: &str, result: ResultKind, message: impl Into<String>) -> Self {
        Self {
            pair: pair.to_string(),
            result,
            code: result.code(),
            message: message.into(),
            quarantined: Vec::new(),
        }
    }
}

/// `status` for one pair.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub pair: String,
    pub path1: String,
    pub path2: PathBuf,
    pub initialized: bool,
    pub last_success: Option<u64>,
    pub last_attempt: Option<u64>,
    pub last_result: Option<String>,
    pub last_code: Option<i32>,
    pub locked_out: Option<Lockout>,
    pub pending: Option<Pending>,
    pub approved: bool,
    pub running: bool,
    /// A run was cut short; the next run reconciles first.
    pub interrupted: bool,
}

/// What a resync (`init` / `recover`) would do.
#[derive(Debug, Clone, Serialize)]
pub struct ResyncPlan {
    pub pair: String,
    /// Files only on path1: copied to path2.
    pub to_path2: Vec<String>,
    /// Files only on path2: copied to path1.
    pub to_path1: Vec<String>,
    /// Files on both sides that differ: path1's version overwrites path2's (backed up first).
    pub overwrite_path2: Vec<String>,
    pub identical: usize,
    pub create_markers: Vec<String>,
}

/// The current files of one side.
struct Current {
    names: HashSet<String>,
    /// Full metadata when listed through rclone.
    meta: Option<Listing>,
    root: Option<PathBuf>,
}

impl Current {
    fn sig(&self, p: &str) -> Option<(i64, i128)> {
        if let Some(m) = &self.meta {
            return m.get(p).map(|e| (e.size, e.mtime_ns));
        }
        self.root
            .as_ref()
            .and_then(|r| fsutil::file_sig(&r.join(p)))
    }
}

/// Deletions one side's changes would cause on the other side.
#[derive(Debug, Default)]
struct SideDeletes {
    missing: Vec<String>,
    moved: usize,
    listing_len: usize,
}

impl SideDeletes {
    fn real(&self) -> usize {
        self.missing.len().saturating_sub(self.moved)
    }
}

/// The guard, for one config.
pub struct Guard {
    pub cfg: Config,
    /// `/proc/self/mountinfo`, injectable for tests (`AXIOS_BISYNC_MOUNTINFO`).
    pub mountinfo: PathBuf,
    /// Send desktop notifications.
    pub notifications: bool,
}

impl Guard {
    pub fn new(cfg: Config) -> Self {
        let mountinfo = std::env::var_os("AXIOS_BISYNC_MOUNTINFO")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/proc/self/mountinfo"));
        Self {
            cfg,
            mountinfo,
            notifications: true,
        }
    }

    fn rclone(&self) -> Result<Rclone, Error> {
        Rclone::detect_cached(
            &self.cfg.rclone_bin(),
            self.cfg.rclone_config.as_deref(),
            &self.cfg.state_dir.join("rclone-version.json"),
        )
    }

    fn notify(&self, summary: &str, body: &str, urgency: Urgency) {
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
        let _lock = match PidLock::try_acquire(&paths.lock) {
            Ok(l) => l,
            Err(LockError::Busy { holder, .. }) => {
                return PairReport::new(
                    name,
                    ResultKind::Busy,
                    format!(
                        "another axios-bisync run{} is syncing this pair; try again later",
                        holder.map(|p| format!(" (pid {p})")).unwrap_or_default()
                    ),
                )
            }
            Err(e) => return PairReport::new(name, ResultKind::Retryable, e.to_string()),
        };
        let mut st = match PairState::load(&paths.state) {
            Ok(s) => s,
            Err(e) => return PairReport::new(name, ResultKind::Retryable, e.to_string()),
        };
        let report = match self.run_locked(rc, name, pc, &paths, &mut st) {
            Ok(r) => r,
            Err(e) => {
                let kind = match e.exit_code() {
                    EXIT_CONFIG => ResultKind::ConfigError,
                    EXIT_REFUSED => ResultKind::Refused,
                    _ => ResultKind::Retryable,
                };
                PairReport::new(name, kind, e.to_string())
            }
        };
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
        report
    }

    fn lock_out(&self, name: &str, st: &mut PairState, reason: &str) -> PairReport {
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

    fn refuse(&self, name: &str, msg: String) -> PairReport {
        let msg = if msg.starts_with("refused") {
            msg
        } else {
            format!("refused: {msg}")
        };
        self.notify(&format!("Sync of {name} refused"), &msg, Urgency::Critical);
        PairReport::new(name, ResultKind::Refused, msg)
    }

    /// Roots, mount point and markers; returns the current trees of both sides.
    fn preflight(
        &self,
        rc: &Rclone,
        name: &str,
        pc: &PairConfig,
    ) -> Result<Result<(Current, Current), String>, Error> {
        if let Some(mp) = &pc.mountpoint {
            if !fsutil::is_mountpoint(mp, &self.mountinfo)? {
                return Ok(Err(format!(
                    "{} is not a mount point (the disk is not mounted?); refusing to sync an empty folder",
                    mp.display()
                )));
            }
        }
        let local = |root: &Path, side: &str| -> Result<Current, String> {
            if !root.is_dir() {
                return Err(format!(
                    "{side} {} does not exist or is not a directory",
                    root.display()
                ));
            }
            let names = fsutil::walk_files(root).map_err(|e| format!("cannot read {side}: {e}"))?;
            Ok(Current {
                names: names.into_iter().collect(),
                meta: None,
                root: Some(root.to_path_buf()),
            })
        };
        let cur2 = match local(&pc.path2, "path2") {
            Ok(c) => c,
            Err(m) => return Ok(Err(m)),
        };
        let cur1 = match pc.path1_local() {
            Some(p) => match local(&p, "path1") {
                Ok(c) => c,
                Err(m) => return Ok(Err(m)),
            },
            None => {
                let meta = rc.lsjson(&pc.path1, None)?;
                Current {
                    names: meta.keys().cloned().collect(),
                    meta: Some(meta),
                    root: None,
                }
            }
        };
        for (side, cur, shown) in [
            ("path1", &cur1, pc.path1.clone()),
            ("path2", &cur2, pc.path2.display().to_string()),
        ] {
            if !cur.names.contains(&pc.marker) {
                return Ok(Err(format!(
                    "marker file `{}` is missing on {side} ({shown}); the folder may be emptied, replaced or not mounted. If this is intended, run `axios-bisync recover {name}`",
                    pc.marker
                )));
            }
        }
        Ok(Ok((cur1, cur2)))
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
        let (cur1, cur2) = match self.preflight(rc, name, pc)? {
            Ok(c) => c,
            Err(msg) => return Ok(self.refuse(name, msg)),
        };
        if let Some(msg) = filters_changed(pc, paths) {
            return Ok(self.refuse(name, msg));
        }
        if let Err(r) = clear_stale_rclone_lock(name, &paths.workdir) {
            return Ok(r);
        }
        let mut quarantined = Vec::new();
        if let Some(j) = Journal::load(&paths.journal)? {
            tracing::warn!(
                "pair {name}: the previous run was cut short; reconciling before syncing"
            );
            quarantined = self.reconcile(rc, name, pc, paths, &j)?;
            Journal::remove(&paths.journal)?;
        }
        let session = session_name(&paths.workdir, pc);
        let (lp1, lp2) = listing_paths(&paths.workdir, &session);
        if !lp1.is_file() || !lp2.is_file() {
            let err = paths.workdir.join(format!("{session}.path1.lst-err"));
            let reason = if err.exists() {
                "rclone aborted a previous run and renamed its listings to .lst-err".to_string()
            } else {
                format!(
                    "rclone's listings are missing from {}",
                    paths.workdir.display()
                )
            };
            let mut r = self.lock_out(name, st, &reason);
            r.quarantined = quarantined;
            return Ok(r);
        }
        let l1 = listing::read_listing(&lp1)?;
        let l2 = listing::read_listing(&lp2)?;

        // The deletion guard: what rclone WILL delete, per side.
        let d1 = side_deletes(&l1, &cur1);
        let d2 = side_deletes(&l2, &cur2);
        let mut force = d1.moved > 0 || d2.moved > 0;
        // An approval covers at most the deletions that were shown when it was given.
        let approved = match (&st.pending, st.approved) {
            (Some(p), true) => {
                let within =
                    d1.real() as u64 <= p.delete_on_path2 && d2.real() as u64 <= p.delete_on_path1;
                if !within {
                    tracing::warn!(
                        "pair {name}: more deletions than were approved ({} on path2, {} on path1 now); asking again",
                        d1.real(),
                        d2.real()
                    );
                    st.approved = false;
                }
                within
            }
            _ => false,
        };
        if approved {
            tracing::warn!(
                "pair {name}: running with the approval given by `axios-bisync approve`"
            );
            force = true;
        } else {
            let mut problems = Vec::new();
            for (d, from, to) in [(&d1, "path1", "path2"), (&d2, "path2", "path1")] {
                let real = d.real() as u64;
                let pct = if d.listing_len == 0 {
                    0
                } else {
                    real * 100 / d.listing_len as u64
                };
                if real > pc.max_delete_count
                    || real * 100 > u64::from(pc.max_delete_percent) * d.listing_len as u64
                {
                    problems.push(format!(
                        "{real} files ({pct}%) gone from {from} would be deleted on {to} (caps: {} files, {}%)",
                        pc.max_delete_count, pc.max_delete_percent
                    ));
                }
            }
            for (cur, side, idx) in [(&cur1, "path1", 0usize), (&cur2, "path2", 1usize)] {
                let n = cur.names.len() as u64;
                if n < pc.min_files {
                    problems.push(format!(
                        "{side} holds {n} files, fewer than min_files = {}",
                        pc.min_files
                    ));
                } else if let Some(c) = st.counts {
                    let before = if idx == 0 { c.0 } else { c.1 };
                    if n * 100 < before * u64::from(100 - pc.collapse_percent) {
                        problems.push(format!(
                            "{side} went from {before} to {n} files since the last good run (more than {}% fewer)",
                            pc.collapse_percent
                        ));
                    }
                }
            }
            if !problems.is_empty() {
                let ex = |d: &SideDeletes| d.missing.iter().take(50).cloned().collect();
                st.pending = Some(Pending {
                    at: now_secs(),
                    reason: problems.join("; "),
                    delete_on_path2: d1.real() as u64,
                    delete_on_path1: d2.real() as u64,
                    examples_path2: ex(&d1),
                    examples_path1: ex(&d2),
                });
                let msg = format!(
                    "refused: {}. Nothing was changed. If this is intended, run `axios-bisync approve {name}`; see `axios-bisync status` for the files",
                    problems.join("; ")
                );
                let mut r = self.refuse(name, msg);
                r.quarantined = quarantined;
                return Ok(r);
            }
        }

        // Journal, then rclone.
        std::fs::copy(&lp1, paths.journal_dir.join("path1.lst")).map_err(|source| Error::Io {
            path: lp1.clone(),
            source,
        })?;
        std::fs::copy(&lp2, paths.journal_dir.join("path2.lst")).map_err(|source| Error::Io {
            path: lp2.clone(),
            source,
        })?;
        Journal {
            started_ns: now_ns(),
            guard_pid: std::process::id(),
            kind: "run".into(),
        }
        .save(&paths.journal)?;

        let mut args = base_args(pc, paths);
        if force {
            args.push("--force".into());
        } else {
            args.push("--max-delete".into());
            args.push(pc.max_delete_percent.max(1).to_string().into());
        }
        let out = rc.run_bisync(&args, self.cfg.stop_grace, |pid| {
            tracing::debug!("pair {name}: rclone bisync started (pid {pid})");
        })?;
        let mut report = if out.code == Some(0) {
            Journal::remove(&paths.journal)?;
            st.pending = None;
            st.approved = false;
            st.counts = Some((count_lines(&lp1), count_lines(&lp2)));
            PairReport::new(name, ResultKind::Ok, "synced")
        } else if out.killed {
            PairReport::new(
                name,
                ResultKind::Retryable,
                "stopped: rclone did not finish within the stop grace period and was killed; the next run reconciles",
            )
        } else if out.must_resync || out.code.is_some_and(|c| rc.caps.is_critical(c)) {
            let last = out
                .tail
                .iter()
                .rev()
                .find(|l| l.contains("critical error"))
                .map(|l| crate::rclone::last_error_line(l))
                .unwrap_or_else(|| crate::rclone::last_error_line(&out.tail.join("\n")));
            self.lock_out(
                name,
                st,
                &format!("rclone reported a critical error ({last})"),
            )
        } else {
            PairReport::new(
                name,
                ResultKind::Retryable,
                format!(
                    "rclone failed (exit {}): {}",
                    out.code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "signal".into()),
                    crate::rclone::last_error_line(&out.tail.join("\n"))
                ),
            )
        };
        report.quarantined = quarantined;
        Ok(report)
    }

    /// After an interrupted run: make files that are identical on both sides look
    /// unchanged to rclone, and move half-written files to the quarantine folder.
    fn reconcile(
        &self,
        rc: &Rclone,
        name: &str,
        pc: &PairConfig,
        paths: &PairPaths,
        journal: &Journal,
    ) -> Result<Vec<String>, Error> {
        let session = session_name(&paths.workdir, pc);
        let (lp1, lp2) = listing_paths(&paths.workdir, &session);
        let load = |p: &Path, snap: &str| -> Option<Listing> {
            listing::read_listing(p)
                .ok()
                .or_else(|| listing::read_listing(&paths.journal_dir.join(snap)).ok())
        };
        let (mut l1, mut l2) = match (load(&lp1, "path1.lst"), load(&lp2, "path2.lst")) {
            (Some(a), Some(b)) => (Some(a), Some(b)),
            _ => (None, None),
        };
        let filters = pc.filters_file.as_ref().map(|_| paths.filters.as_path());
        let filters = filters.filter(|f| f.is_file());
        let c1 = rc.lsjson(&pc.path1, filters)?;
        let c2 = rc.lsjson(&pc.path2.to_string_lossy(), filters)?;
        let start = journal.started_ns;
        let stamp = listing::format_time(now_ns()).replace([':', '+'], "-");
        let qdir = paths.quarantine_root.join(&stamp);
        let mut quarantined = Vec::new();
        let mut agreed = 0usize;
        let keys: BTreeSet<&String> = c1.keys().chain(c2.keys()).collect();
        for p in keys {
            let (Some(a), Some(b)) = (c1.get(p), c2.get(p)) else {
                continue;
            };
            if same(a, b) {
                if let (Some(l1), Some(l2)) = (l1.as_mut(), l2.as_mut()) {
                    let e1 = keep_hash(l1.get(p), a);
                    let e2 = keep_hash(l2.get(p), b);
                    l1.insert(p.clone(), e1);
                    l2.insert(p.clone(), e2);
                    agreed += 1;
                }
                continue;
            }
            let p1 = l1.as_ref().and_then(|l| l.get(p));
            let p2 = l2.as_ref().and_then(|l| l.get(p));
            let side = if partial(b, a, p2, p1, start) {
                2
            } else if partial(a, b, p1, p2, start) {
                1
            } else {
                continue;
            };
            let dest = qdir.join(format!("path{side}")).join(p);
            if side == 2 {
                fsutil::move_file(&pc.path2.join(p), &dest)?;
            } else if let Some(root) = pc.path1_local() {
                fsutil::move_file(&root.join(p), &dest)?;
            } else {
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                        path: parent.to_path_buf(),
                        source,
                    })?;
                }
                let src = join_remote(&pc.path1, p);
                rc.run_simple(&["moveto".as_ref(), src.as_ref(), dest.as_os_str()], &src)?;
            }
            tracing::warn!(
                "pair {name}: {p} on path{side} was left half-written by the interrupted run; moved to {}",
                dest.display()
            );
            if let (Some(l1), Some(l2)) = (l1.as_mut(), l2.as_mut()) {
                l1.remove(p);
                l2.remove(p);
            }
            quarantined.push(format!("path{side}/{p}"));
        }
        if let (Some(l1), Some(l2)) = (&l1, &l2) {
            let now = now_ns();
            axios_core::atomic_write(&lp1, listing::render_listing(l1, now).as_bytes())?;
            axios_core::atomic_write(&lp2, listing::render_listing(l2, now).as_bytes())?;
        }
        tracing::info!(
            "pair {name}: reconciled {agreed} files that agree on both sides, quarantined {}",
            quarantined.len()
        );
        if !quarantined.is_empty() {
            self.notify(
                &format!("Sync of {name}: half-written files set aside"),
                &format!(
                    "{} file(s) left incomplete by an interrupted sync were moved to {}",
                    quarantined.len(),
                    qdir.display()
                ),
                Urgency::Normal,
            );
        }
        Ok(quarantined)
    }

    /// `status`.
    pub fn status(&self, names: &[String]) -> Result<Vec<StatusReport>, Error> {
        let names = self.select(names)?;
        let mut out = Vec::new();
        for n in names {
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
                pending: st.pending,
                approved: st.approved,
                running: PidLock::is_held(&paths.lock),
                interrupted: paths.journal.exists(),
            });
        }
        Ok(out)
    }

    /// `approve PAIR`: let the next run exceed the deletion caps once.
    pub fn approve(&self, name: &str) -> Result<String, Error> {
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
        Ok(format!(
            "approved: the next run of {name} may delete up to {} file(s) on path2 and {} on path1 ({}); if more are gone by then, it asks again",
            p.delete_on_path2, p.delete_on_path1, p.reason
        ))
    }

    /// `unlock [PAIR...]`: clear stale rclone locks whose process is gone.
    pub fn unlock(&self, names: &[String]) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for n in self.select(names)? {
            let paths = PairPaths::new(&self.cfg.state_dir, &n);
            if PidLock::is_held(&paths.lock) {
                out.push(format!("{n}: a run is in progress; nothing to unlock"));
                continue;
            }
            match clear_stale_rclone_lock(&n, &paths.workdir) {
                Err(r) => out.push(format!("{n}: {}", r.message)),
                Ok(c) if c.is_empty() => out.push(format!("{n}: no stale lock")),
                Ok(c) => out.extend(c.into_iter().map(|m| format!("{n}: {m}"))),
            }
        }
        Ok(out)
    }

    /// What `init`/`recover` would do for `name` (no changes).
    pub fn plan_resync(&self, name: &str) -> Result<ResyncPlan, Error> {
        let pc = self.cfg.pair(name)?;
        let rc = self.rclone()?;
        let empty = Listing::new;
        let c1 = match pc.path1_local() {
            Some(p) if !p.exists() => empty(),
            _ => rc.lsjson(&pc.path1, pc.filters_file.as_deref())?,
        };
        let c2 = if pc.path2.exists() {
            rc.lsjson(&pc.path2.to_string_lossy(), pc.filters_file.as_deref())?
        } else {
            empty()
        };
        let mut plan = ResyncPlan {
            pair: name.to_string(),
            to_path2: Vec::new(),
            to_path1: Vec::new(),
            overwrite_path2: Vec::new(),
            identical: 0,
            create_markers: Vec::new(),
        };
        for (c, side) in [(&c1, "path1"), (&c2, "path2")] {
            if !c.contains_key(&pc.marker) {
                plan.create_markers.push(side.to_string());
            }
        }
        let keys: BTreeSet<&String> = c1.keys().chain(c2.keys()).collect();
        for p in keys {
            match (c1.get(p), c2.get(p)) {
                (Some(a), Some(b)) if same(a, b) => plan.identical += 1,
                (Some(_), Some(_)) => plan.overwrite_path2.push(p.clone()),
                (Some(_), None) => plan.to_path2.push(p.clone()),
                (None, Some(_)) => plan.to_path1.push(p.clone()),
                (None, None) => {}
            }
        }
        Ok(plan)
    }

    /// Apply a resync (`init`/`recover`): markers, backups of path2 files it overwrites,
    /// the filters copy, then `rclone bisync --resync`.
    pub fn apply_resync(&self, name: &str, plan: &ResyncPlan) -> Result<PairReport, Error> {
        let pc = self.cfg.pair(name)?;
        let rc = self.rclone()?;
        let paths = PairPaths::new(&self.cfg.state_dir, name);
        paths.create()?;
        let _lock = match PidLock::try_acquire(&paths.lock) {
            Ok(l) => l,
            Err(LockError::Busy { .. }) => {
                return Ok(PairReport::new(
                    name,
                    ResultKind::Busy,
                    "a run of this pair is in progress; try again when it ends",
                ))
            }
            Err(e) => return Err(Error::Aborted(e.to_string())),
        };
        let mut st = PairState::load(&paths.state)?;
        if let Err(r) = clear_stale_rclone_lock(name, &paths.workdir) {
            return Ok(r);
        }
        // Roots and markers.
        let mkdir = |p: &Path| {
            std::fs::create_dir_all(p).map_err(|source| Error::Io {
                path: p.to_path_buf(),
                source,
            })
        };
        mkdir(&pc.path2)?;
        if let Some(p) = pc.path1_local() {
            mkdir(&p)?;
        }
        if let Some(mp) = &pc.mountpoint {
            if !fsutil::is_mountpoint(mp, &self.mountinfo)? {
                return Ok(PairReport::new(
                    name,
                    ResultKind::Refused,
                    format!("{} is not a mount point; mount it first", mp.display()),
                ));
            }
        }
        let mut quarantined = Vec::new();
        if let Some(j) = Journal::load(&paths.journal)? {
            quarantined = self.reconcile(&rc, name, pc, &paths, &j)?;
        }
        for side in &plan.create_markers {
            if side == "path2" {
                touch(&pc.path2.join(&pc.marker))?;
            } else if let Some(p) = pc.path1_local() {
                touch(&p.join(&pc.marker))?;
            } else {
                let m = join_remote(&pc.path1, &pc.marker);
                rc.run_simple(&["touch".as_ref(), m.as_ref()], &m)?;
            }
        }
        // Back up every path2 file the resync would overwrite.
        let stamp = listing::format_time(now_ns()).replace([':', '+'], "-");
        let bdir = paths.backup_root.join(&stamp);
        for p in &plan.overwrite_path2 {
            let src = pc.path2.join(p);
            if src.is_file() {
                fsutil::backup_file(&src, &bdir.join(p))?;
            }
        }
        if !plan.overwrite_path2.is_empty() {
            tracing::info!(
                "pair {name}: backed up {} path2 file(s) to {}",
                plan.overwrite_path2.len(),
                bdir.display()
            );
        }
        // The filters copy rclone will use (and hash next to itself).
        match &pc.filters_file {
            Some(f) => {
                let data = std::fs::read(f).map_err(|source| Error::Io {
                    path: f.clone(),
                    source,
                })?;
                axios_core::atomic_write(&paths.filters, &data)?;
            }
            None => {
                let _ = std::fs::remove_file(&paths.filters);
            }
        }
        let _ = std::fs::remove_file(paths.filters.with_extension("txt.md5"));
        Journal {
            started_ns: now_ns(),
            guard_pid: std::process::id(),
            kind: "resync".into(),
        }
        .save(&paths.journal)?;
        let mut args = base_args(pc, &paths);
        args.push("--resync".into());
        let out = rc.run_bisync(&args, self.cfg.stop_grace, |_| {})?;
        let mut report = if out.code == Some(0) {
            Journal::remove(&paths.journal)?;
            let session = session_name(&paths.workdir, pc);
            for suffix in ["path1.lst-err", "path2.lst-err"] {
                let _ = std::fs::remove_file(paths.workdir.join(format!("{session}.{suffix}")));
            }
            let (lp1, lp2) = listing_paths(&paths.workdir, &session);
            st.initialized = true;
            st.locked_out = None;
            st.pending = None;
            st.approved = false;
            st.last_success = Some(now_secs());
            st.counts = Some((count_lines(&lp1), count_lines(&lp2)));
            PairReport::new(name, ResultKind::Ok, "resync done; regular runs may start")
        } else {
            PairReport::new(
                name,
                ResultKind::Retryable,
                format!(
                    "rclone --resync failed (exit {}): {}",
                    out.code
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "signal".into()),
                    crate::rclone::last_error_line(&out.tail.join("\n"))
                ),
            )
        };
        st.last_attempt = Some(now_secs());
        st.last_result = Some(report.message.clone());
        st.last_code = Some(report.code);
        st.save(&paths.state)?;
        report.quarantined = quarantined;
        Ok(report)
    }
}

fn touch(p: &Path) -> Result<(), Error> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(p)
        .map(|_| ())
        .map_err(|source| Error::Io {
            path: p.to_path_buf(),
            source,
        })
}

fn base_args(pc: &PairConfig, paths: &PairPaths) -> Vec<OsString> {
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
    if pc.filters_file.is_some() && paths.filters.is_file() {
        args.push("--filters-file".into());
        args.push(paths.filters.clone().into());
    }
    args
}

/// Files of the source side agree: same size and modification time.
fn same(a: &Entry, b: &Entry) -> bool {
    a.size == b.size && (a.mtime_ns - b.mtime_ns).abs() <= MTIME_TOLERANCE_NS
}

/// `x` was written by the interrupted run and is not a finished copy of `other`: written
/// after the run started and after `other` was last modified, not larger than `other`
/// (a truncated copy, or a complete one whose mtime rclone had not set yet), changed since
/// the prior listing, while `other` is new or changed too (so rclone was copying it).
/// Such a file is quarantined (moved, never deleted).
fn partial(
    x: &Entry,
    other: &Entry,
    prior_x: Option<&Entry>,
    prior_other: Option<&Entry>,
    start: i128,
) -> bool {
    x.mtime_ns >= start - START_SLACK_NS
        && x.mtime_ns > other.mtime_ns
        && x.size <= other.size
        && prior_x.is_none_or(|p| !same(p, x))
        && prior_other.is_none_or(|p| !same(p, other))
}

fn keep_hash(prior: Option<&Entry>, cur: &Entry) -> Entry {
    let hash = match prior {
        Some(p) if p.size == cur.size && p.mtime_ns == cur.mtime_ns => p.hash.clone(),
        _ => "-".to_string(),
    };
    Entry {
        size: cur.size,
        mtime_ns: cur.mtime_ns,
        hash,
    }
}

fn side_deletes(listing: &Listing, cur: &Current) -> SideDeletes {
    let missing: Vec<String> = listing
        .keys()
        .filter(|k| !cur.names.contains(*k))
        .cloned()
        .collect();
    let mut moved = 0;
    if !missing.is_empty() {
        // A file that vanished under one name and appeared under another with the same
        // size and mtime was moved, not lost: it does not count against the caps.
        let mut new_sigs: HashMap<(i64, i128), usize> = HashMap::new();
        for n in cur.names.iter().filter(|n| !listing.contains_key(*n)) {
            if let Some((size, ns)) = cur.sig(n) {
                *new_sigs
                    .entry((size, ns.div_euclid(1_000_000_000)))
                    .or_default() += 1;
            }
        }
        for m in &missing {
            if let Some(e) = listing.get(m) {
                let key = (e.size, e.mtime_ns.div_euclid(1_000_000_000));
                if let Some(c) = new_sigs.get_mut(&key) {
                    if *c > 0 {
                        *c -= 1;
                        moved += 1;
                    }
                }
            }
        }
    }
    SideDeletes {
        missing,
        moved,
        listing_len: listing.len(),
    }
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

/// A stale rclone `.lck` (its PID is gone) is removed with a log line; a live one makes
/// the run `Busy`. `Ok` carries the locks that were cleared.
fn clear_stale_rclone_lock(name: &str, workdir: &Path) -> Result<Vec<String>, PairReport> {
    let Ok(rd) = std::fs::read_dir(workdir) else {
        return Ok(Vec::new());
    };
    let mut cleared = Vec::new();
    for ent in rd.flatten() {
        let p = ent.path();
        if p.extension().and_then(|e| e.to_str()) != Some("lck") {
            continue;
        }
        let pid: Option<u32> = std::fs::read_to_string(&p)
            .ok()
            .and_then(|s| s.trim().parse().ok());
        if let Some(pid) = pid {
            if fsutil::rclone_alive(pid) {
                return Err(PairReport::new(
                    name,
                    ResultKind::Busy,
                    format!("rclone (pid {pid}) is still running for this pair; try again later"),
                ));
            }
        }
        let shown = pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into());
        match std::fs::remove_file(&p) {
            Ok(()) => {
                tracing::warn!(
                    "pair {name}: cleared stale rclone lock {} (pid {shown} is not running)",
                    p.display()
                );
                cleared.push(format!(
                    "cleared stale rclone lock {} (pid {shown} is not running)",
                    p.display()
                ));
            }
            Err(e) => {
                return Err(PairReport::new(
                    name,
                    ResultKind::Retryable,
                    format!("cannot remove stale rclone lock {}: {e}", p.display()),
                ))
            }
        }
    }
    Ok(cleared)
}

/// rclone's session name for this pair: the one present in the workdir, else computed
/// like rclone 1.60 does (`/tmp/a` -> `tmp_a`, `remote:/x y` -> `remote__x_y`).
pub fn session_name(workdir: &Path, pc: &PairConfig) -> String {
    let computed = format!(
        "{}..{}",
        canonical(&pc.path1),
        canonical(&pc.path2.to_string_lossy())
    );
    let mut found = BTreeSet::new();
    if let Ok(rd) = std::fs::read_dir(workdir) {
        for ent in rd.flatten() {
            let n = ent.file_name().to_string_lossy().into_owned();
            for suf in [".path1.lst", ".path1.lst-err", ".lck"] {
                if let Some(s) = n.strip_suffix(suf) {
                    found.insert(s.to_string());
                }
            }
        }
    }
    if found.contains(&computed) || found.len() != 1 {
        computed
    } else {
        found.into_iter().next().unwrap_or(computed)
    }
}

fn canonical(p: &str) -> String {
    let clean = |s: &str| -> String {
        s.trim_end_matches('/')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    if let Some(rest) = p.strip_prefix('/') {
        clean(rest)
    } else if let Some((remote, path)) = p.split_once(':') {
        format!("{remote}_{}", clean(path))
    } else {
        clean(p)
    }
}

fn listing_paths(workdir: &Path, session: &str) -> (PathBuf, PathBuf) {
    (
        workdir.join(format!("{session}.path1.lst")),
        workdir.join(format!("{session}.path2.lst")),
    )
}

fn join_remote(base: &str, p: &str) -> String {
    if base.ends_with(':') || base.ends_with('/') {
        format!("{base}{p}")
    } else {
        format!("{base}/{p}")
    }
}

fn count_lines(p: &Path) -> u64 {
    std::fs::read(p)
        .map(|b| {
            b.split(|c| *c == b'\n')
                .filter(|l| !l.is_empty() && l[0] != b'#')
                .count() as u64
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(size: i64, s: i128) -> Entry {
        Entry {
            size,
            mtime_ns: s * 1_000_000_000,
            hash: "-".into(),
        }
    }

    #[test]
    fn canonical_names_match_rclone_160() {
        assert_eq!(canonical("/tmp/bx/a"), "tmp_bx_a");
        assert_eq!(canonical("loc:/tmp/bx/c d"), "loc__tmp_bx_c_d");
        assert_eq!(canonical("gdrive:Documents"), "gdrive_Documents");
    }

    #[test]
    fn partial_rules() {
        let start = 1000 * 1_000_000_000;
        // Truncated copy written during the run vs an older source: partial.
        assert!(partial(&e(10, 1001), &e(100, 500), None, None, start));
        // Same size but mtime not yet set by rclone: partial.
        let (px, po) = (e(50, 400), e(60, 300));
        assert!(partial(
            &e(100, 1001),
            &e(100, 500),
            Some(&px),
            Some(&po),
            start
        ));
        // Source changed after the copy was written: undecidable, left to rclone.
        assert!(!partial(&e(10, 1001), &e(100, 1002), None, None, start));
        // Larger than the source: a user edit, not a partial copy.
        assert!(!partial(&e(200, 1001), &e(100, 500), None, None, start));
        // Written before the run: not ours.
        assert!(!partial(&e(10, 900), &e(100, 500), None, None, start));
        // The other side is unchanged since the listing, so rclone was not copying it:
        // `x` is a user edit made during the run.
        let (px, po) = (e(100, 400), e(100, 500));
        assert!(!partial(
            &e(100, 1001),
            &e(100, 500),
            Some(&px),
            Some(&po),
            start
        ));
    }

    #[test]
    fn moves_do_not_count_as_deletions() {
        let mut l = Listing::new();
        l.insert("old/a".into(), e(5, 10));
        l.insert("old/b".into(), e(6, 11));
        l.insert("gone".into(), e(7, 12));
        let mut meta = Listing::new();
        meta.insert("new/a".into(), e(5, 10));
        meta.insert("new/b".into(), e(6, 11));
        let cur = Current {
            names: meta.keys().cloned().collect(),
            meta: Some(meta),
            root: None,
        };
        let d = side_deletes(&l, &cur);
        assert_eq!(d.missing.len(), 3);
        assert_eq!(d.moved, 2);
        assert_eq!(d.real(), 1);
    }
}

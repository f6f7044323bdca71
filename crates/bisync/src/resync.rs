//! `init` and `recover`: a summary of what a resync copies where, the pair's identity in
//! the marker files, backups of what it overwrites, then `rclone bisync --resync`.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::config::PairConfig;
use crate::guard::{bisync_args, lock_pair, Guard};
use crate::listing::{self, Listing};
use crate::name::RelPath;
use crate::rclone::workdir::Workdir;
use crate::reconcile::same;
use crate::report::{PairReport, ResultKind};
use crate::side::{PerSide, Side};
use crate::state::{now_ns, now_secs, Journal, JournalKind, PairPaths, PairState};
use crate::{fsutil, Error};

/// What a resync (`init` / `recover`) would do.
#[derive(Debug, Clone, Serialize)]
pub struct ResyncPlan {
    pub pair: String,
    /// Files only on path1: copied to path2.
    pub to_path2: Vec<RelPath>,
    /// Files only on path2: copied to path1.
    pub to_path1: Vec<RelPath>,
    /// Files on both sides that differ: path1's version overwrites path2's (backed up first).
    pub overwrite_path2: Vec<RelPath>,
    pub identical: usize,
    pub create_markers: Vec<Side>,
    /// path2 is not the volume the pair was set up on (its marker is missing or belongs to
    /// another pair): the resync is refused unless `--new-volume` is given.
    pub other_volume: Option<String>,
}

const IDENTITY_PREFIX: &str = "axios-bisync pair identity: ";

/// The identity written into a marker file, if any.
fn marker_identity(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(IDENTITY_PREFIX))
        .map(|s| s.trim().to_string())
}

/// A local side whose marker holds another pair's identity: another volume or folder.
pub fn identity_mismatch(root: &Path, pc: &PairConfig, id: &str, side: Side) -> Option<String> {
    let found = marker_identity(&root.join(&pc.marker))?;
    (found != id).then(|| {
        format!(
            "the marker on {side} ({}) belongs to another volume or pair (identity {found}, this pair is {id}): the disk or folder was swapped. Mount the disk the pair was set up on; nothing was changed",
            root.display()
        )
    })
}

fn new_identity() -> String {
    use std::io::Read;
    let mut b = [0u8; 16];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok();
    if !ok {
        let n = now_ns() ^ i128::from(std::process::id());
        b.copy_from_slice(&n.to_le_bytes());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Guard {
    /// What `init`/`recover` would do for `name` (no changes).
    pub fn plan_resync(&self, name: &str) -> Result<ResyncPlan, Error> {
        let pc = self.cfg.pair(name)?;
        let rc = self.rclone()?;
        let paths = PairPaths::new(&self.cfg.state_dir, name);
        let st = PairState::load(&paths.state)?;
        let c = PerSide::new(
            match pc.path1_local() {
                Some(p) if !p.exists() => Listing::new(),
                Some(p) => fsutil::list_local(&p)?.files,
                None => rc.lsjson(&pc.path1, pc.filters_file.as_deref())?,
            },
            if pc.path2.exists() {
                fsutil::list_local(&pc.path2)?.files
            } else {
                Listing::new()
            },
        );
        let marker = RelPath::from(pc.marker.as_str());
        let mut plan = ResyncPlan {
            pair: name.to_string(),
            to_path2: Vec::new(),
            to_path1: Vec::new(),
            overwrite_path2: Vec::new(),
            identical: 0,
            create_markers: Side::BOTH
                .into_iter()
                .filter(|s| !c.get(*s).contains_key(&marker))
                .collect(),
            other_volume: None,
        };
        if let Some(id) = &st.identity {
            let m = pc.path2.join(&pc.marker);
            plan.other_volume = match marker_identity(&m) {
                Some(found) if &found != id => Some(format!(
                    "the marker on path2 ({}) belongs to another volume or pair",
                    pc.path2.display()
                )),
                None if !m.exists() => Some(format!(
                    "path2 ({}) has no marker: it is not the folder or disk the pair was set up on (or the marker was deleted)",
                    pc.path2.display()
                )),
                _ => None,
            };
        }
        let keys: BTreeSet<&RelPath> = c.path1.keys().chain(c.path2.keys()).collect();
        for p in keys {
            match (c.path1.get(p), c.path2.get(p)) {
                (Some(a), Some(b)) if same(a, b) => plan.identical += 1,
                (Some(_), Some(_)) => plan.overwrite_path2.push(p.clone()),
                (Some(_), None) => plan.to_path2.push(p.clone()),
                (None, Some(_)) => plan.to_path1.push(p.clone()),
                (None, None) => {}
            }
        }
        Ok(plan)
    }

    /// Apply a resync (`init`/`recover`): markers with the pair's identity, backups of
    /// path2 files it overwrites, the filters copy, then `rclone bisync --resync`.
    /// `new_volume` accepts a path2 that is not the volume the pair was set up on.
    pub fn apply_resync(
        &self,
        name: &str,
        plan: &ResyncPlan,
        new_volume: bool,
    ) -> Result<PairReport, Error> {
        let pc = self.cfg.pair(name)?;
        let rc = self.rclone()?;
        let paths = PairPaths::new(&self.cfg.state_dir, name);
        paths.create()?;
        let _lock = match lock_pair(name, &paths) {
            Ok(l) => l,
            Err(r) => return Ok(r),
        };
        let mut st = PairState::load(&paths.state)?;
        if let (Some(why), false) = (&plan.other_volume, new_volume) {
            return Ok(PairReport::new(
                name,
                ResultKind::Refused,
                format!(
                    "refused: {why}. A resync onto it would make the next run with the right disk delete files. Mount the disk the pair was set up on, or, if it is gone for good, run `axios-bisync recover {name} --new-volume`. Nothing was changed"
                ),
            ));
        }
        let wd = Workdir::new(&paths.workdir, pc);
        if let Err(r) = self.clear_rclone_lock(name, &wd) {
            return Ok(r);
        }
        if let Some(msg) = self.check_mountpoint(pc)? {
            return Ok(PairReport::new(
                name,
                ResultKind::Refused,
                format!("{msg}; mount it first"),
            ));
        }
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
        let mut quarantined = Vec::new();
        if let Some(j) = Journal::load(&paths.journal)? {
            quarantined = self.reconcile(&rc, name, pc, &paths, &wd, &j)?;
        }
        let identity = match (&st.identity, new_volume) {
            (Some(id), false) => id.clone(),
            _ => new_identity(),
        };
        self.write_markers(&rc, pc, &paths, &identity)?;
        // Back up every path2 file the resync would overwrite.
        let stamp = listing::format_time(now_ns()).replace([':', '+'], "-");
        let bdir = paths.backup_root.join(&stamp);
        // The plan names files as rclone does: back up the bytes on disk, under their name.
        let renamed = if plan.overwrite_path2.is_empty() {
            fsutil::LocalTree::default()
        } else {
            fsutil::list_local(&pc.path2)?
        };
        for p in &plan.overwrite_path2 {
            let p = renamed.on_disk(p);
            let src = p.under(&pc.path2);
            if src.is_file() {
                fsutil::backup_file(&src, &p.under(&bdir))?;
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
            kind: JournalKind::Resync,
        }
        .save(&paths.journal)?;
        let mut args = bisync_args(&rc, pc, &paths);
        args.push("--resync".into());
        let mut out = rc.run_bisync(&args, self.cfg.stop_grace, |_| {})?;
        if rc.caps.has_v166_bisync()
            && out.code.is_some_and(|c| rc.caps.is_critical(c))
            && out
                .tail
                .iter()
                .any(|l| l.contains("path1 and path2 are out of sync"))
        {
            // rclone 1.66+ (checked on 1.75.2): a resync that overwrites a path2 file
            // records the old time in its listing and fails its own check, although the
            // copy is done. A second resync finds both sides identical and succeeds.
            tracing::info!("pair {name}: rclone's resync tripped over its own listing check; running it once more");
            out = rc.run_bisync(&args, self.cfg.stop_grace, |_| {})?;
        }
        let report = if out.code == Some(0) {
            let wd = Workdir::new(&paths.workdir, pc);
            wd.clear_err_listings();
            self.after_success(pc, &paths, &wd, &mut st)?;
            st.last_success = Some(now_secs());
            st.initialized = true;
            st.locked_out = None;
            st.identity = Some(identity);
            PairReport::new(name, ResultKind::Ok, "resync done; regular runs may start")
        } else {
            let mut r = self.failure(&rc, name, &mut st, &out, "rclone --resync");
            if r.result == ResultKind::Critical {
                // A failed resync is retried by the user; it does not lock the pair out.
                st.locked_out = None;
                r = PairReport::new(name, ResultKind::Retryable, r.message);
            }
            r
        };
        st.last_attempt = Some(now_secs());
        st.last_result = Some(report.message.clone());
        st.last_code = Some(report.code);
        st.save(&paths.state)?;
        Ok(report.with_quarantined(quarantined))
    }

    /// The marker on both sides, holding the pair's identity, with one modification time
    /// (rclone 1.75's resync fails on same-content files whose times differ).
    fn write_markers(
        &self,
        rc: &crate::rclone::Rclone,
        pc: &PairConfig,
        paths: &PairPaths,
        identity: &str,
    ) -> Result<(), Error> {
        let text = format!(
            "{IDENTITY_PREFIX}{identity}\nThis file marks a folder synced by axios-bisync; do not delete it.\n"
        );
        let mtime = (now_ns() / 1_000_000_000) * 1_000_000_000;
        let write = |p: &Path| -> Result<(), Error> {
            axios_core::atomic_write(p, text.as_bytes())?;
            fsutil::set_mtime(p, mtime)
        };
        write(&pc.path2.join(&pc.marker))?;
        match pc.path1_local() {
            Some(root) => write(&root.join(&pc.marker))?,
            None => {
                let tmp = paths.dir.join("marker.tmp");
                write(&tmp)?;
                let dest = RelPath::from(pc.marker.as_str()).under_remote(&pc.path1);
                let dest = String::from_utf8_lossy(&dest).into_owned();
                let r = rc.run_simple(&["copyto".as_ref(), tmp.as_os_str(), dest.as_ref()], &dest);
                let _ = std::fs::remove_file(&tmp);
                r?;
            }
        }
        Ok(())
    }
}

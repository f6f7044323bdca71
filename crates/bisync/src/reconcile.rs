//! After an interrupted run: make files that are identical on both sides look unchanged to
//! rclone, and move half-written files (and rclone's `.partial` temporaries) to the
//! quarantine folder. Decisions come from what the interrupted run had to copy (both
//! sides changed since the prior listings) and from content and size, never from the
//! order of modification times: a source file may carry a time in the future.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::config::PairConfig;
use crate::desktop::Urgency;
use crate::fsutil::LocalTree;
use crate::guard::Guard;
use crate::listing::{Entry, Listing};
use crate::name::RelPath;
use crate::rclone::workdir::Workdir;
use crate::rclone::Rclone;
use crate::side::{PerSide, Side};
use crate::state::{now_ns, Journal, PairPaths};
use crate::{fsutil, Error};

/// Two modification times this close are the same (Google Drive keeps milliseconds). Not
/// more: a same-size file edited within a second of the other side's version must not be
/// taken for a finished copy (it was, with 1 s, and the edit was never synced; found by the
/// kill -9 test on rclone 1.75).
pub const MTIME_TOLERANCE_NS: i128 = 1_000_000;
/// Clock slack when deciding whether a file was written during an interrupted run.
pub const START_SLACK_NS: i128 = 2_000_000_000;

/// Same size and modification time.
pub fn same(a: &Entry, b: &Entry) -> bool {
    a.size == b.size && (a.mtime_ns - b.mtime_ns).abs() <= MTIME_TOLERANCE_NS
}

/// What to do with one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Identical on both sides: record it as unchanged in both listings.
    Agree,
    /// Same bytes, but the copy on `side` lacks the source's time (rclone 1.60 sets it
    /// last): give it `mtime_ns`, then agree.
    SetTime { side: Side, mtime_ns: i128 },
    /// Half-written copy on `side`: move it to the quarantine and drop the name from both
    /// listings, so rclone copies the good version again.
    Quarantine(Side),
}

/// What can be learnt about content (local files only; `None` when unknown).
pub trait Content {
    /// The file on `side` is a strict byte prefix of the one on the other side.
    fn is_truncated_copy(&self, side: Side, p: &RelPath) -> Option<bool>;
    /// Both sides hold the same bytes.
    fn same_bytes(&self, p: &RelPath) -> Option<bool>;
}

/// The decision for a name present on both sides (pure but for `content`).
pub fn classify(
    p: &RelPath,
    cur: PerSide<&Entry>,
    prior: PerSide<Option<&Entry>>,
    start_ns: i128,
    content: &dyn Content,
) -> Option<Action> {
    if same(cur.path1, cur.path2) {
        return Some(Action::Agree);
    }
    let changed = |s: Side| prior.get(s).is_none_or(|e| !same(e, cur.get(s)));
    if !(changed(Side::Path1) && changed(Side::Path2)) {
        // Only one side changed: rclone had nothing to copy onto the other one yet.
        return None;
    }
    // A strict prefix of the other side's bytes: a truncated copy, whatever the times say.
    // Moving it aside loses nothing, the other side holds all its bytes.
    for d in [Side::Path2, Side::Path1] {
        if content.is_truncated_copy(d, p) == Some(true) {
            return Some(Action::Quarantine(d));
        }
    }
    let written = |s: Side| cur.get(s).mtime_ns >= start_ns - START_SLACK_NS;
    let d = match (written(Side::Path1), written(Side::Path2)) {
        (false, false) => return None, // edited on both sides before the run: a conflict
        (true, false) => Side::Path1,
        (false, true) => Side::Path2,
        // Both "after the start": one may be a source dated in the future. Only a copy
        // smaller than the other side can be the one rclone was writing.
        (true, true) => match cur.path1.size.cmp(&cur.path2.size) {
            std::cmp::Ordering::Less => Side::Path1,
            std::cmp::Ordering::Greater => Side::Path2,
            std::cmp::Ordering::Equal => return None,
        },
    };
    let s = d.other();
    match content.same_bytes(p) {
        Some(true) => Some(Action::SetTime {
            side: d,
            mtime_ns: cur.get(s).mtime_ns,
        }),
        // Written during the run, not larger than the source: rclone's copy in progress
        // (in place, possibly preallocated). A user edit made during the run also lands
        // here; the quarantine keeps it.
        _ if cur.get(d).size <= cur.get(s).size => Some(Action::Quarantine(d)),
        _ => None,
    }
}

/// rclone 1.63+ temporaries: `<name>.<8 hex>.partial` where `<name>` exists on the other
/// side (the source of the copy). Returns the names to quarantine on `side`.
pub fn partial_temps(side_now: &Listing, other_now: &Listing) -> Vec<RelPath> {
    side_now
        .keys()
        .filter(|k| !other_now.contains_key(*k))
        .filter(|k| {
            let b = k.as_bytes();
            let Some(stem) = b.strip_suffix(b".partial") else {
                return false;
            };
            if stem.len() < 10 {
                return false;
            }
            let (base, tag) = stem.split_at(stem.len() - 9);
            tag[0] == b'.'
                && tag[1..].iter().all(u8::is_ascii_hexdigit)
                && other_now.contains_key(&RelPath::new(base))
        })
        .cloned()
        .collect()
}

/// Keep the hash rclone recorded when the entry did not change.
pub fn keep_hash(prior: Option<&Entry>, cur: &Entry) -> Entry {
    let hash = match prior {
        Some(p) if p.size == cur.size && p.mtime_ns == cur.mtime_ns => p.hash.clone(),
        _ => String::new(),
    };
    Entry {
        size: cur.size,
        mtime_ns: cur.mtime_ns,
        hash,
    }
}

/// Every name on both sides.
pub fn names_on_both<'a>(c: &PerSide<&'a Listing>) -> BTreeSet<&'a RelPath> {
    c.path1
        .keys()
        .filter(|k| c.path2.contains_key(*k))
        .collect()
}

impl Guard {
    /// The current files of `side` with size and mtime, as rclone sees them (local sides by
    /// a byte-exact walk, named as rclone names them; a filters file narrows them to
    /// rclone's view).
    fn list_side(
        &self,
        rc: &Rclone,
        pc: &PairConfig,
        paths: &PairPaths,
        side: Side,
    ) -> Result<LocalTree, Error> {
        let filters = pc
            .filters_file
            .as_ref()
            .map(|_| paths.filters.as_path())
            .filter(|f| f.is_file());
        let Some(root) = pc.local_root(side) else {
            return Ok(LocalTree {
                files: rc.lsjson(&pc.path1, filters)?,
                renamed: Default::default(),
            });
        };
        let mut t = fsutil::list_local(&root)?;
        if let Some(f) = filters {
            // rclone's JSON replaces bytes that are not UTF-8; match on that lossy form.
            let seen: HashSet<Vec<u8>> = rc
                .lsjson(&root.to_string_lossy(), Some(f))?
                .into_keys()
                .map(|k| k.as_bytes().to_vec())
                .collect();
            t.files
                .retain(|k, _| seen.contains(String::from_utf8_lossy(k.as_bytes()).as_bytes()));
        }
        Ok(t)
    }

    /// After an interrupted run (see `reconcile.rs`).
    pub(crate) fn reconcile(
        &self,
        rc: &Rclone,
        name: &str,
        pc: &PairConfig,
        paths: &PairPaths,
        wd: &Workdir,
        journal: &Journal,
    ) -> Result<Vec<RelPath>, Error> {
        let load = |s: Side| -> Option<Listing> {
            crate::listing::read_listing(&wd.listing(s))
                .ok()
                .or_else(|| {
                    crate::listing::read_listing(&paths.journal_dir.join(format!("{s}.lst"))).ok()
                })
        };
        let mut prior = match (load(Side::Path1), load(Side::Path2)) {
            (Some(a), Some(b)) => Some(PerSide::new(a, b)),
            _ => None,
        };
        let trees = PerSide::new(
            self.list_side(rc, pc, paths, Side::Path1)?,
            self.list_side(rc, pc, paths, Side::Path2)?,
        );
        let cur = PerSide::new(&trees.path1.files, &trees.path2.files);
        let stamp = crate::listing::format_time(now_ns()).replace([':', '+'], "-");
        let qdir = paths.quarantine_root.join(&stamp);
        let content = LocalContent { pc, trees: &trees };
        let mut quarantine: Vec<(Side, RelPath)> = Vec::new();
        let mut agreed = 0usize;
        for p in names_on_both(&cur) {
            let (Some(a), Some(b)) = (cur.path1.get(p), cur.path2.get(p)) else {
                continue;
            };
            let prior_of = |s: Side| prior.as_ref().and_then(|l| l.get(s).get(p));
            let action = classify(
                p,
                PerSide::new(a, b),
                PerSide::new(prior_of(Side::Path1), prior_of(Side::Path2)),
                journal.started_ns,
                &content,
            );
            let agree_with = match action {
                None => continue,
                Some(Action::Quarantine(side)) => {
                    quarantine.push((side, p.clone()));
                    continue;
                }
                Some(Action::Agree) => PerSide::new(a.clone(), b.clone()),
                Some(Action::SetTime { side, mtime_ns }) => {
                    let Some(root) = pc.local_root(side) else {
                        continue;
                    };
                    fsutil::set_mtime(&trees.get(side).on_disk(p).under(&root), mtime_ns)?;
                    let mut e = PerSide::new(a.clone(), b.clone());
                    e.get_mut(side).mtime_ns = mtime_ns;
                    e
                }
            };
            if let Some(l) = prior.as_mut() {
                for s in Side::BOTH {
                    let e = keep_hash(l.get(s).get(p), agree_with.get(s));
                    l.get_mut(s).insert(p.clone(), e);
                }
                agreed += 1;
            }
        }
        // rclone 1.63+ copies under temporary names: those left behind go too.
        for s in Side::BOTH {
            for t in partial_temps(cur.get(s), cur.get(s.other())) {
                quarantine.push((s, t));
            }
        }
        // The listings first, without the names about to be moved: if the guard dies between
        // the two steps, the next reconciliation finds those names new on both sides and
        // decides again, instead of rclone taking a moved file for a deletion.
        if let Some(l) = prior.as_mut() {
            for (_, p) in &quarantine {
                l.path1.remove(p);
                l.path2.remove(p);
            }
            wd.write(l, now_ns())?;
        }
        let mut moved = Vec::new();
        for (side, p) in quarantine {
            let on_disk = trees.get(side).on_disk(&p);
            let dest = qdir.join(side.as_str()).join(on_disk.as_path());
            self.move_to_quarantine(rc, pc, side, on_disk, &dest)?;
            tracing::warn!(
                "pair {name}: {p} on {side} was left half-written by the interrupted run; moved to {}",
                dest.display()
            );
            let mut shown = side.as_str().as_bytes().to_vec();
            shown.push(b'/');
            shown.extend_from_slice(p.as_bytes());
            moved.push(RelPath::new(shown));
        }
        tracing::info!(
            "pair {name}: reconciled {agreed} files that agree on both sides, quarantined {}",
            moved.len()
        );
        if !moved.is_empty() {
            self.notify(
                &format!("Sync of {name}: half-written files set aside"),
                &format!(
                    "{} file(s) left incomplete by an interrupted sync were moved to {}",
                    moved.len(),
                    qdir.display()
                ),
                Urgency::Normal,
            );
        }
        Ok(moved)
    }

    fn move_to_quarantine(
        &self,
        rc: &Rclone,
        pc: &PairConfig,
        side: Side,
        p: &RelPath,
        dest: &Path,
    ) -> Result<(), Error> {
        if let Some(root) = pc.local_root(side) {
            return fsutil::move_file(&p.under(&root), dest);
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        use std::os::unix::ffi::OsStrExt;
        let src = p.under_remote(&pc.path1);
        let src = std::ffi::OsStr::from_bytes(&src);
        rc.run_simple(
            &["moveto".as_ref(), src, dest.as_os_str()],
            &src.to_string_lossy(),
        )
    }
}

/// Content checks on local sides.
struct LocalContent<'a> {
    pc: &'a PairConfig,
    trees: &'a PerSide<LocalTree>,
}

impl LocalContent<'_> {
    /// `p` on `side`, when that side is local.
    fn path(&self, side: Side, p: &RelPath) -> Option<PathBuf> {
        let root = self.pc.local_root(side)?;
        Some(self.trees.get(side).on_disk(p).under(&root))
    }
}

impl Content for LocalContent<'_> {
    fn is_truncated_copy(&self, side: Side, p: &RelPath) -> Option<bool> {
        let (a, b) = (self.path(side, p)?, self.path(side.other(), p)?);
        Some(fsutil::is_strict_prefix(&a, &b))
    }

    fn same_bytes(&self, p: &RelPath) -> Option<bool> {
        let (a, b) = (self.path(Side::Path1, p)?, self.path(Side::Path2, p)?);
        Some(fsutil::same_content(&a, &b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i128 = 1_000_000_000;

    fn e(size: i64, s: i128) -> Entry {
        Entry::new(size, s * S)
    }

    struct Known(Option<Side>, Option<bool>);
    impl Content for Known {
        fn is_truncated_copy(&self, side: Side, _: &RelPath) -> Option<bool> {
            self.0.map(|s| s == side)
        }
        fn same_bytes(&self, _: &RelPath) -> Option<bool> {
            self.1
        }
    }

    fn run(
        c1: Entry,
        c2: Entry,
        p1: Option<Entry>,
        p2: Option<Entry>,
        content: Known,
    ) -> Option<Action> {
        classify(
            &RelPath::from("x"),
            PerSide::new(&c1, &c2),
            PerSide::new(p1.as_ref(), p2.as_ref()),
            1000 * S,
            &content,
        )
    }

    #[test]
    fn truncated_copy_is_quarantined_whatever_the_times() {
        // Source on path1 dated a day in the FUTURE (clock skew, camera files); the
        // truncated copy on path2 was written during the run, so it is OLDER than its source.
        let future = 1000 + 86400;
        assert_eq!(
            run(
                e(100, future),
                e(10, 1001),
                None,
                None,
                Known(Some(Side::Path2), Some(false))
            ),
            Some(Action::Quarantine(Side::Path2))
        );
        // Remote side (no content known): size and the run's start decide.
        assert_eq!(
            run(e(100, future), e(10, 1001), None, None, Known(None, None)),
            Some(Action::Quarantine(Side::Path2))
        );
    }

    #[test]
    fn complete_copy_without_its_time_gets_it() {
        assert_eq!(
            run(
                e(100, 500),
                e(100, 1001),
                Some(e(50, 400)),
                Some(e(60, 300)),
                Known(Some(Side::Path1).filter(|_| false), Some(true))
            ),
            Some(Action::SetTime {
                side: Side::Path2,
                mtime_ns: 500 * S
            })
        );
    }

    #[test]
    fn edits_are_left_to_rclone() {
        // Only path2 changed since the listing: a user edit, nothing in flight.
        assert_eq!(
            run(
                e(100, 500),
                e(10, 1001),
                Some(e(100, 500)),
                Some(e(100, 500)),
                Known(None, Some(false))
            ),
            None
        );
        // Both edited before the run: a real conflict.
        assert_eq!(
            run(
                e(100, 500),
                e(10, 600),
                None,
                None,
                Known(None, Some(false))
            ),
            None
        );
        // Larger than the source and not a prefix: not a partial copy.
        assert_eq!(
            run(
                e(100, 500),
                e(200, 1001),
                None,
                None,
                Known(None, Some(false))
            ),
            None
        );
        assert_eq!(
            run(e(1, 5), e(1, 5), None, None, Known(None, None)),
            Some(Action::Agree)
        );
    }

    #[test]
    fn a_same_size_edit_within_a_second_is_not_agreement() {
        // path2 rewritten 0.9 s after path1's version, same size, other bytes, both changed
        // since the listing: not "identical", whatever rclone then decides.
        let c1 = Entry::new(96, 1000 * S);
        let c2 = Entry::new(96, 1000 * S + 900_000_000);
        let a = classify(
            &RelPath::from("x"),
            PerSide::new(&c1, &c2),
            PerSide::new(Some(&e(96, 10)), Some(&e(96, 10))),
            2000 * S,
            &Known(None, Some(false)),
        );
        assert_ne!(a, Some(Action::Agree));
    }

    #[test]
    fn partial_temp_names() {
        let mut a = Listing::new();
        a.insert(RelPath::from("big.bin"), e(10, 1));
        let mut b = Listing::new();
        b.insert(RelPath::from("big.bin.c4c0a432.partial"), e(3, 1));
        b.insert(RelPath::from("notes.partial"), e(3, 1));
        b.insert(RelPath::from("other.bin.c4c0a432.partial"), e(3, 1));
        assert_eq!(
            partial_temps(&b, &a),
            vec![RelPath::from("big.bin.c4c0a432.partial")]
        );
    }
}

//! After an interrupted run: make files that are identical on both sides look unchanged to
//! rclone, and move half-written files (and rclone's `.partial` temporaries) to the
//! quarantine folder. Decisions come from what the interrupted run had to copy (both
//! sides changed since the prior listings) and from content and size, never from the
//! order of modification times: a source file may carry a time in the future.

use std::collections::BTreeSet;

use crate::listing::{Entry, Listing};
use crate::name::RelPath;
use crate::side::{PerSide, Side};

/// Two modification times this close are the same (Google Drive keeps milliseconds).
pub const MTIME_TOLERANCE_NS: i128 = 1_000_000_000;
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
        _ => "-".to_string(),
    };
    Entry {
        size: cur.size,
        mtime_ns: cur.mtime_ns,
        hash,
    }
}

/// Every name on both sides.
pub fn names_on_both(c: &PerSide<Listing>) -> BTreeSet<&RelPath> {
    c.path1
        .keys()
        .filter(|k| c.path2.contains_key(*k))
        .collect()
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

//! The deletion policy: a pure function of rclone's prior listings, the current trees, the
//! caps and the approval on file. No I/O; every refusal is a value.

use std::collections::{HashMap, HashSet};

use crate::config::PairConfig;
use crate::listing::Listing;
use crate::name::RelPath;
use crate::side::{PerSide, Side};

/// What rclone will delete on one side: the files of the other side's prior listing that
/// are gone from it now.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Deletions {
    /// Every file rclone will delete (sorted), moves included.
    pub files: Vec<RelPath>,
    /// How many of them reappeared under another name with the same size and mtime.
    pub moved: usize,
    /// Length of the prior listing they are counted against.
    pub listing_len: usize,
}

impl Deletions {
    /// Deletions that are not moves.
    pub fn real(&self) -> u64 {
        self.files.len().saturating_sub(self.moved) as u64
    }
}

/// Why a run is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    TooManyDeletions {
        on: Side,
        count: u64,
        percent: u64,
        max_count: u64,
        max_percent: u8,
    },
    TooFewFiles {
        side: Side,
        count: u64,
        min: u64,
    },
    Collapsed {
        side: Side,
        before: u64,
        now: u64,
        percent: u8,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::TooManyDeletions {
                on,
                count,
                percent,
                max_count,
                max_percent,
            } => write!(
                f,
                "{count} files ({percent}%) gone from {} would be deleted on {on} (caps: {max_count} files, {max_percent}%)",
                on.other()
            ),
            Refusal::TooFewFiles { side, count, min } => {
                write!(f, "{side} holds {count} files, fewer than min_files = {min}")
            }
            Refusal::Collapsed {
                side,
                before,
                now,
                percent,
            } => write!(
                f,
                "{side} went from {before} to {now} files since the last good run (more than {percent}% fewer)"
            ),
        }
    }
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub refusals: Vec<Refusal>,
    /// The approval on file covers exactly these deletions: the run goes ahead with them.
    pub approved: bool,
    /// An approval was on file but the deletions changed since: it no longer holds.
    pub approval_expired: bool,
    /// rclone needs `--force` (moves or an approval would trip its own `--max-delete`).
    pub force: bool,
}

/// What rclone will delete on `prior`'s OTHER side, given the names now present on
/// `prior`'s side. `sig` gives (size, mtime ns) of a current file, for move detection.
pub fn deletions<S: std::hash::BuildHasher>(
    prior: &Listing,
    names: &HashSet<RelPath, S>,
    sig: impl Fn(&RelPath) -> Option<(i64, i128)>,
) -> Deletions {
    let files: Vec<RelPath> = prior
        .keys()
        .filter(|k| !names.contains(*k))
        .cloned()
        .collect();
    let mut moved = 0;
    if !files.is_empty() {
        // A file that vanished under one name and appeared under another with the same
        // size and mtime (to the second) was moved, not lost.
        let mut new_sigs: HashMap<(i64, i128), usize> = HashMap::new();
        for n in names.iter().filter(|n| !prior.contains_key(*n)) {
            if let Some((size, ns)) = sig(n) {
                *new_sigs
                    .entry((size, ns.div_euclid(1_000_000_000)))
                    .or_default() += 1;
            }
        }
        for m in &files {
            if let Some(e) = prior.get(m) {
                let key = (e.size, e.mtime_ns.div_euclid(1_000_000_000));
                if let Some(c) = new_sigs.get_mut(&key).filter(|c| **c > 0) {
                    *c -= 1;
                    moved += 1;
                }
            }
        }
    }
    Deletions {
        files,
        moved,
        listing_len: prior.len(),
    }
}

/// Decide. `deletions` is indexed by the side the deletions happen ON; `counts` are the
/// current file counts; `before` the counts after the last good run; `approved` the exact
/// deletions an approval covers (on path1, on path2), if one is on file.
pub fn decide(
    pc: &PairConfig,
    deletions: &PerSide<Deletions>,
    counts: &PerSide<u64>,
    before: Option<&PerSide<u64>>,
    approved: Option<&PerSide<Vec<RelPath>>>,
) -> Decision {
    let moved = deletions.path1.moved > 0 || deletions.path2.moved > 0;
    if let Some(a) = approved {
        if a.path1 == deletions.path1.files && a.path2 == deletions.path2.files {
            return Decision {
                refusals: Vec::new(),
                approved: true,
                approval_expired: false,
                force: true,
            };
        }
    }
    let mut refusals = Vec::new();
    for on in Side::BOTH {
        let d = deletions.get(on);
        let real = d.real();
        let len = d.listing_len as u64;
        if real > pc.max_delete_count || real * 100 > u64::from(pc.max_delete_percent) * len {
            refusals.push(Refusal::TooManyDeletions {
                on,
                count: real,
                percent: (real * 100).checked_div(len).unwrap_or(0),
                max_count: pc.max_delete_count,
                max_percent: pc.max_delete_percent,
            });
        }
    }
    for side in Side::BOTH {
        let n = *counts.get(side);
        if n < pc.min_files {
            refusals.push(Refusal::TooFewFiles {
                side,
                count: n,
                min: pc.min_files,
            });
        } else if let Some(b) = before {
            let before = *b.get(side);
            if n * 100 < before * u64::from(100 - pc.collapse_percent) {
                refusals.push(Refusal::Collapsed {
                    side,
                    before,
                    now: n,
                    percent: pc.collapse_percent,
                });
            }
        }
    }
    Decision {
        force: moved && refusals.is_empty(),
        refusals,
        approved: false,
        approval_expired: approved.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::Entry;

    fn pc() -> PairConfig {
        let cfg = crate::Config::parse(
            std::path::Path::new("t.toml"),
            "version = 1\nstate_dir = \"/s\"\n[pairs.a]\npath1 = \"/x\"\npath2 = \"/y\"\nmax_delete_count = 5\nmax_delete_percent = 50\n",
        )
        .expect("cfg");
        cfg.pair("a").expect("a").clone()
    }

    fn listing(names: &[&str]) -> Listing {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    RelPath::from(*n),
                    Entry::new(i as i64, i as i128 * 1_000_000_000),
                )
            })
            .collect()
    }

    #[test]
    fn moves_do_not_count_as_deletions() {
        let prior = listing(&["old/a", "old/b", "gone"]);
        let now: HashSet<RelPath> = ["new/a", "new/b"].into_iter().map(RelPath::from).collect();
        let sig = |p: &RelPath| match p.as_bytes() {
            b"new/a" => Some((0, 0)),
            b"new/b" => Some((1, 1_000_000_000)),
            _ => None,
        };
        let d = deletions(&prior, &now, sig);
        assert_eq!(d.files.len(), 3);
        assert_eq!(d.moved, 2);
        assert_eq!(d.real(), 1);
    }

    #[test]
    fn approval_covers_the_exact_set_only() {
        let pc = pc();
        let names: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let prior = listing(&refs);
        let keep = |range: std::ops::Range<usize>| -> HashSet<RelPath> {
            names[range]
                .iter()
                .map(|n| RelPath::from(n.as_str()))
                .collect()
        };
        // 10 of 20 gone from path2: deleted on path1. Refused.
        let d = PerSide::new(
            deletions(&prior, &keep(10..20), |_| None),
            Deletions::default(),
        );
        let counts = PerSide::new(20, 10);
        let dec = decide(&pc, &d, &counts, None, None);
        assert!(matches!(
            dec.refusals[0],
            Refusal::TooManyDeletions {
                on: Side::Path1,
                count: 10,
                ..
            }
        ));
        // Approved for exactly those ten: goes ahead, with --force.
        let approved = PerSide::new(d.path1.files.clone(), Vec::new());
        let dec = decide(&pc, &d, &counts, None, Some(&approved));
        assert!(dec.approved && dec.force && dec.refusals.is_empty());
        // The same count, other files: the approval does not hold.
        let other = PerSide::new(
            deletions(&prior, &keep(0..10), |_| None),
            Deletions::default(),
        );
        let dec = decide(&pc, &other, &counts, None, Some(&approved));
        assert!(!dec.approved && dec.approval_expired && !dec.refusals.is_empty());
        // A subset is a different set too: asks again (the user sees the new list).
        let fewer = PerSide::new(
            deletions(&prior, &keep(11..20), |_| None),
            Deletions::default(),
        );
        let dec = decide(&pc, &fewer, &counts, None, Some(&approved));
        assert!(!dec.approved);
    }

    #[test]
    fn collapse_and_min_files() {
        let pc = pc();
        let d = PerSide::new(Deletions::default(), Deletions::default());
        let dec = decide(
            &pc,
            &d,
            &PerSide::new(0, 10),
            Some(&PerSide::new(10, 30)),
            None,
        );
        assert!(dec.refusals.contains(&Refusal::TooFewFiles {
            side: Side::Path1,
            count: 0,
            min: 1
        }));
        assert!(dec.refusals.contains(&Refusal::Collapsed {
            side: Side::Path2,
            before: 30,
            now: 10,
            percent: 50
        }));
    }
}

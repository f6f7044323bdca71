//! What one side holds now, as rclone names it: the tree walk (or `rclone lsjson`) the
//! run compares with rclone's prior listings, and the quick "is anything deleted?" answer.

use std::path::{Path, PathBuf};

use crate::listing::{Listing, RawListing};
use crate::name::{Names, RelPath};
use crate::{fsutil, policy, Error};

/// The current files of one side.
pub(crate) struct Current {
    /// The names as rclone shows them (and writes them in its listings): for a local side,
    /// [`crate::name::rclone_name`] of each name on disk. One buffer, no allocation per name.
    pub names: Names,
    /// Local names whose rclone form differs (control characters...): rclone form -> bytes
    /// on disk.
    pub os_names: std::collections::HashMap<RelPath, RelPath>,
    /// Full metadata when listed through rclone.
    pub meta: Option<Listing>,
    pub root: Option<PathBuf>,
}

impl Current {
    /// A local tree, from the names on disk.
    pub(crate) fn local(root: &Path, on_disk: Names) -> Self {
        let (names, os_names) = crate::name::rclone_names(on_disk);
        Self {
            names,
            os_names,
            meta: None,
            root: Some(root.to_path_buf()),
        }
    }

    /// A side listed through rclone (`rclone lsjson`).
    pub(crate) fn remote(meta: Listing) -> Self {
        let mut names = Names::default();
        for k in meta.keys() {
            names.push(k.as_bytes());
        }
        Self {
            names,
            os_names: Default::default(),
            meta: Some(meta),
            root: None,
        }
    }

    fn sig(&self, p: &RelPath) -> Option<(i64, i128)> {
        if let Some(m) = &self.meta {
            return m.get(p).map(|e| (e.size, e.mtime_ns));
        }
        let on_disk = self.os_names.get(p).unwrap_or(p);
        self.root
            .as_ref()
            .and_then(|r| fsutil::file_sig(&on_disk.under(r)))
    }

    /// What rclone will delete on the other side: the files of `prior` (this side's listing)
    /// that are gone. When every listed name is still here (a run with no deletion: one set
    /// lookup per name, nothing else built) the answer is empty; otherwise the policy's own
    /// function over the full listing.
    pub(crate) fn deletions(&self, prior: &RawListing) -> Result<policy::Deletions, Error> {
        // A side listed through rclone (`lsjson`) names a file whose name is not UTF-8 with
        // U+FFFD: such a current name stands for the listed real name it is the lossy form of.
        let mut real_of_lossy = rustc_hash::FxHashMap::default();
        if self.meta.is_some() {
            for n in prior.names().iter() {
                if std::str::from_utf8(n).is_err() {
                    real_of_lossy.insert(String::from_utf8_lossy(n).into_owned().into_bytes(), n);
                }
            }
        }
        let now: rustc_hash::FxHashSet<&[u8]> = self
            .names
            .iter()
            .map(|c| real_of_lossy.get(c).copied().unwrap_or(c))
            .collect();
        if prior.names().iter().all(|n| now.contains(n)) {
            return Ok(policy::Deletions {
                files: Vec::new(),
                moved: 0,
                listing_len: prior.len(),
            });
        }
        let names: rustc_hash::FxHashSet<RelPath> = now.iter().map(|c| RelPath::new(*c)).collect();
        Ok(policy::deletions(&prior.to_listing()?, &names, |p| {
            self.sig(p)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick answer (nothing deleted) is given exactly when the policy's own function
    /// finds nothing to delete, and otherwise it is that function's answer: random prior
    /// listings against random current trees.
    #[test]
    fn quick_deletions_agree_with_the_policy() {
        let mut next = crate::xorshift(0x2545_f491_4f6c_dd1d);
        let pool: Vec<Vec<u8>> = (0..40)
            .map(|i| match i % 4 {
                0 => format!("d{}/f{i}", i % 3).into_bytes(),
                1 => format!("f{i}.txt").into_bytes(),
                2 => format!("q \"{i}\"").into_bytes(),
                _ => vec![b'x', 0xe9, b'0' + (i % 10) as u8],
            })
            .collect();
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("l.lst");
        for round in 0..500 {
            let mut text = b"# bisync listing v1 from x\n".to_vec();
            let mut listed = std::collections::BTreeSet::new();
            for n in &pool {
                if next(3) > 0 {
                    listed.insert(n.clone());
                }
            }
            for n in &listed {
                text.extend_from_slice(
                    format!(
                        "- {:>8} - - 2026-11-21T23:24:{:02}.000000000+0000 {}\n",
                        next(3),
                        next(3),
                        crate::name::quote(n)
                    )
                    .as_bytes(),
                );
            }
            std::fs::write(&file, &text).expect("write");
            let raw = RawListing::read(&file, &mut Vec::new()).expect("listing");
            let mut names = Names::default();
            let mut meta = Listing::new();
            for n in &pool {
                let keep = if listed.contains(n) {
                    round % 5 == 0 || next(20) > 0
                } else {
                    next(4) == 0
                };
                if keep {
                    names.push(n);
                    meta.insert(
                        RelPath::new(n.clone()),
                        crate::listing::Entry::new(
                            next(3) as i64,
                            i128::from(next(3) as u8) * 1_000_000_000 + 1_763_767_440_000_000_000,
                        ),
                    );
                }
            }
            let cur = Current {
                names: names.clone(),
                os_names: Default::default(),
                meta: Some(meta),
                root: None,
            };
            let set: rustc_hash::FxHashSet<RelPath> = names.iter().map(RelPath::new).collect();
            let full = crate::listing::parse_listing(&text).expect("full");
            let want = policy::deletions(&full, &set, |p| cur.sig(p));
            assert_eq!(
                cur.deletions(&raw).expect("deletions"),
                want,
                "round {round}"
            );
        }
    }
}

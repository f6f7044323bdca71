//! rclone's working directory (`--workdir`) of one pair: its session name, the listings
//! `<session>.path{1,2}.lst` (`.lst-err` after a critical error), and its lock
//! `<session>.lck` (a bare PID up to 1.65; JSON with `"PID"` and `TimeExpires` from 1.66).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::config::PairConfig;
use crate::listing::{self, Listing, RawListing};
use crate::name::RelPath;
use crate::side::{PerSide, Side};
use crate::{fsutil, Error};

/// The workdir of one pair.
#[derive(Debug, Clone)]
pub struct Workdir {
    pub dir: PathBuf,
    pub session: String,
}

/// A stale-lock check result.
#[derive(Debug)]
pub enum LockState {
    /// No lock, or only stale ones, now removed (one line each).
    Clear(Vec<String>),
    /// rclone with this PID is running for the pair.
    Held(u32),
}

impl Workdir {
    pub fn new(dir: &Path, pc: &PairConfig) -> Self {
        Self {
            dir: dir.to_path_buf(),
            session: session_name(dir, pc),
        }
    }

    pub fn listing(&self, side: Side) -> PathBuf {
        self.dir.join(format!("{}.{side}.lst", self.session))
    }

    pub fn listings(&self) -> PerSide<PathBuf> {
        PerSide::new(self.listing(Side::Path1), self.listing(Side::Path2))
    }

    fn err_listing(&self, side: Side) -> PathBuf {
        self.dir.join(format!("{}.{side}.lst-err", self.session))
    }

    /// Why rclone cannot run without a resync, if it cannot.
    pub fn missing_listings(&self) -> Option<String> {
        let l = self.listings();
        if l.path1.is_file() && l.path2.is_file() {
            return None;
        }
        Some(if self.err_listing(Side::Path1).exists() {
            "rclone aborted a previous run and renamed its listings to .lst-err".to_string()
        } else {
            format!("rclone's listings are missing from {}", self.dir.display())
        })
    }

    /// After a successful resync: drop the `.lst-err` files of an earlier abort.
    pub fn clear_err_listings(&self) {
        for s in Side::BOTH {
            let _ = std::fs::remove_file(self.err_listing(s));
        }
    }

    /// Both listings (parsed in parallel).
    pub fn read(&self) -> Result<PerSide<Listing>, Error> {
        let (l1, l2) = std::thread::scope(|sc| {
            let h = sc.spawn(|| listing::read_listing(&self.listing(Side::Path2)));
            let l1 = listing::read_listing(&self.listing(Side::Path1));
            (l1, h.join())
        });
        let l2 = l2.unwrap_or_else(|_| {
            Err(Error::Listing {
                path: self.listing(Side::Path2),
                line: 0,
                message: "parser thread failed".into(),
            })
        });
        Ok(PerSide::new(l1?, l2?))
    }

    /// Both listings with only their names decoded ([`RawListing`]), one after the other
    /// (the caller is itself one of the parallel lanes).
    pub fn read_raw(&self) -> Result<PerSide<RawListing>, Error> {
        let mut buf = Vec::new();
        Ok(PerSide::new(
            RawListing::read(&self.listing(Side::Path1), &mut buf)?,
            RawListing::read(&self.listing(Side::Path2), &mut buf)?,
        ))
    }

    pub fn write(&self, l: &PerSide<Listing>, now_ns: i128) -> Result<(), Error> {
        for s in Side::BOTH {
            axios_core::atomic_write(&self.listing(s), &listing::render_listing(l.get(s), now_ns))?;
        }
        Ok(())
    }

    /// After a successful run: repair the listings (below) and count their entries, reading
    /// each listing once, in chunks through one reused buffer. Returns (names repaired,
    /// (path1 count, path2 count)).
    pub fn finish(&self, roots: &PerSide<Option<PathBuf>>) -> Result<(usize, (u64, u64)), Error> {
        let mut counts = [0u64; 2];
        let mut lossy = [false; 2];
        let mut buf = Vec::new();
        for s in Side::BOTH {
            if let Ok((count, l)) = scan_listing(&self.listing(s), &mut buf, listing::CHUNK) {
                counts[s.index()] = count;
                lossy[s.index()] = l;
            }
        }
        if !lossy.contains(&true) {
            return Ok((0, (counts[0], counts[1])));
        }
        // The real names come from a local side's walk; a remote side (path1) takes those
        // of path2, which rclone copied under the same name: repairing only the local
        // listing would leave the two disagreeing, and rclone then stops with "out of sync".
        let mut real: PerSide<Option<_>> = PerSide::new(None, None);
        let mut fixed = 0;
        for s in Side::BOTH.into_iter().filter(|s| lossy[s.index()]) {
            let Some(from) = [s, s.other()].into_iter().find(|f| roots.get(*f).is_some()) else {
                continue;
            };
            if real.get(from).is_none() {
                if let Some(root) = roots.get(from) {
                    *real.get_mut(from) = Some(real_names(root)?);
                }
            }
            if let Some(names) = real.get(from) {
                fixed += restore_names(&self.listing(s), names)?;
            }
        }
        Ok((fixed, (counts[0], counts[1])))
    }

    /// Remove stale rclone locks (their PID is gone or is not rclone); report a live one.
    pub fn clear_stale_locks(&self, proc_dir: &Path) -> Result<LockState, Error> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Ok(LockState::Clear(Vec::new()));
        };
        let mut cleared = Vec::new();
        for ent in rd.flatten() {
            let p = ent.path();
            if p.extension().and_then(|e| e.to_str()) != Some("lck") {
                continue;
            }
            let pid = std::fs::read(&p).ok().and_then(|b| lock_pid(&b));
            if let Some(pid) = pid {
                if fsutil::rclone_alive(proc_dir, pid) {
                    return Ok(LockState::Held(pid));
                }
            }
            let shown = pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into());
            std::fs::remove_file(&p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            let line = format!(
                "cleared stale rclone lock {} (pid {shown} is not running)",
                p.display()
            );
            tracing::warn!("{line}");
            cleared.push(line);
        }
        Ok(LockState::Clear(cleared))
    }
}

/// The files under `root` whose names are not UTF-8, by their lossy form (U+FFFD for
/// each bad sequence), each in rclone's form of its real bytes.
fn real_names(root: &Path) -> Result<HashMap<Vec<u8>, Vec<RelPath>>, Error> {
    let mut by_lossy: HashMap<Vec<u8>, Vec<RelPath>> = HashMap::new();
    for p in fsutil::walk(root)?.iter() {
        if std::str::from_utf8(p).is_err() {
            // the listing holds rclone's form of the name (control characters...)
            let p = RelPath::new(crate::name::rclone_name(p).into_owned());
            let lossy = String::from_utf8_lossy(p.as_bytes())
                .into_owned()
                .into_bytes();
            by_lossy.entry(lossy).or_default().push(p);
        }
    }
    Ok(by_lossy)
}

/// rclone 1.66+ writes some names that are not UTF-8 into its listings with U+FFFD
/// instead of their bytes (after `--resync`, and for files it carries over), and on the
/// next run takes the real file for a new one: it "forgets" the file, then makes conflict
/// copies. Where exactly one real name has the listed lossy one, the entry gets it back.
fn restore_names(path: &Path, by_lossy: &HashMap<Vec<u8>, Vec<RelPath>>) -> Result<usize, Error> {
    let mut l = listing::read_listing(path)?;
    let lossy_keys: Vec<RelPath> = l
        .keys()
        .filter(|k| by_lossy.contains_key(k.as_bytes()))
        .cloned()
        .collect();
    let mut fixed = 0;
    for k in lossy_keys {
        if let Some([real]) = by_lossy.get(k.as_bytes()).map(Vec::as_slice) {
            if !l.contains_key(real) {
                if let Some(e) = l.remove(&k) {
                    l.insert(real.clone(), e);
                    fixed += 1;
                }
            }
        }
    }
    if fixed > 0 {
        axios_core::atomic_write(path, &listing::render_listing(&l, crate::state::now_ns()))?;
    }
    Ok(fixed)
}

/// Scan a listing in chunks: (its entry lines: the non-empty lines not starting with `#`,
/// whether it holds U+FFFD anywhere).
fn scan_listing(path: &Path, buf: &mut Vec<u8>, chunk: usize) -> std::io::Result<(u64, bool)> {
    const FFFD: &[u8] = "\u{fffd}".as_bytes();
    let (mut count, mut lossy) = (0u64, false);
    let fffd = memchr::memmem::Finder::new(FFFD);
    let scanned = listing::read_lines(path, buf, chunk, |line| {
        if !line.is_empty() && line[0] != b'#' {
            count += 1;
        }
        lossy = lossy || fffd.find(line).is_some();
        Ok::<(), std::convert::Infallible>(())
    })?;
    let Ok(()) = scanned;
    Ok((count, lossy))
}

/// The PID in an rclone lock file: a bare number (up to 1.65) or JSON `{"PID": "123"}`.
pub fn lock_pid(data: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(data).ok()?.trim();
    if let Ok(pid) = text.parse() {
        return Some(pid);
    }
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    match &v["PID"] {
        serde_json::Value::String(s) => s.parse().ok(),
        serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

/// rclone's session name for this pair: the one present in the workdir, else computed
/// like rclone does (`/tmp/a` -> `tmp_a`, `remote:/x y` -> `remote__x_y`).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_are_scanned_across_chunk_boundaries() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("l");
        let cases: [(&[u8], u64); 6] = [
            (b"", 0),
            (b"# header\n", 0),
            (b"# h\n- a\n\n- b", 2),
            (b"- a\n- b\n", 2),
            (b"\n\n#\n- c\n", 1),
            (b"#h\n- aa\n- bb\n#x\n- cc", 3),
        ];
        // Every chunk size from 3 bytes up, so that lines and U+FFFD straddle boundaries.
        for size in 3..40 {
            let mut buf = Vec::new();
            for (data, want) in cases {
                std::fs::write(&p, data).expect("w");
                assert_eq!(
                    scan_listing(&p, &mut buf, size).expect("scan"),
                    (want, false)
                );
            }
            for at in 0..12 {
                let mut data = b"#h\n- aaaa\n- bbbb\n".to_vec();
                let fffd = "\u{fffd}".as_bytes();
                data.splice(at..at, fffd.iter().copied());
                std::fs::write(&p, &data).expect("w");
                let (_, lossy) = scan_listing(&p, &mut buf, size).expect("scan");
                assert!(lossy, "size {size}, at {at}");
            }
            // Two of the three bytes of U+FFFD are not U+FFFD.
            std::fs::write(&p, b"- a\xef\xbf\n- \xbf\xbd\n").expect("w");
            assert_eq!(scan_listing(&p, &mut buf, size).expect("scan"), (2, false));
        }
        assert!(scan_listing(&d.path().join("missing"), &mut Vec::new(), 8).is_err());
    }

    #[test]
    fn canonical_names_match_rclone() {
        assert_eq!(canonical("/tmp/bx/a"), "tmp_bx_a");
        assert_eq!(canonical("loc:/tmp/bx/c d"), "loc__tmp_bx_c_d");
        assert_eq!(canonical("gdrive:Documents"), "gdrive_Documents");
    }

    #[test]
    fn lock_files_of_both_formats() {
        assert_eq!(lock_pid(b"1234\n"), Some(1234));
        // rclone 1.75.2, captured.
        assert_eq!(
            lock_pid(br#"{"Session":"/w/a..b","PID":"2739","TimeRenewed":"2026-11-30T13:43:46.504223085Z","TimeExpires":"2026-11-30T13:45:46.504223135Z"}"#),
            Some(2739)
        );
        assert_eq!(lock_pid(b"garbage"), None);
    }
}

//! Local filesystem helpers: a fast tree walk, mount points, process liveness, safe moves.

use std::path::Path;

use crate::listing::{Entry, Listing};
use crate::name::{Names, RelPath};
use crate::Error;

/// Relative paths (bytes, `/`-separated) of the regular files under `root`, like rclone's
/// local backend sees them: symlinks are skipped, directories are not listed.
///
/// Every directory is read in full with `getdents64` into one reused 64 KiB buffer (no
/// allocation per entry), and opened relative to the root (`O_NOFOLLOW`: a directory
/// swapped for a symlink during the walk is an error, not followed). Entries whose type
/// the file system does not report are `lstat`ed. The names go into one [`Names`] buffer
/// (no allocation per file).
pub fn walk(root: &Path) -> Result<Names, Error> {
    use rustix::fs::{openat, statat, AtFlags, FileType, Mode, OFlags, RawDir, CWD};
    use std::os::unix::ffi::OsStrExt;
    let io = |rel: &[u8]| {
        let path = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(std::ffi::OsStr::from_bytes(rel))
        };
        move |e: rustix::io::Errno| Error::Io {
            path,
            source: e.into(),
        }
    };
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let root_fd = openat(CWD, root, flags, Mode::empty()).map_err(io(b""))?;
    let mut out = Names::default();
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut stack: Vec<Vec<u8>> = vec![Vec::new()];
    while let Some(prefix) = stack.pop() {
        let dir = if prefix.is_empty() {
            None
        } else {
            let rel = std::ffi::OsStr::from_bytes(&prefix);
            Some(
                openat(&root_fd, rel, flags | OFlags::NOFOLLOW, Mode::empty())
                    .map_err(|e| io(&prefix)(e))?,
            )
        };
        let fd = dir.as_ref().unwrap_or(&root_fd);
        let mut rd = RawDir::new(fd, buf.spare_capacity_mut());
        while let Some(ent) = rd.next() {
            let ent = ent.map_err(|e| io(&prefix)(e))?;
            let name = ent.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let mut ft = ent.file_type();
            if ft == FileType::Unknown {
                let st = statat(fd, ent.file_name(), AtFlags::SYMLINK_NOFOLLOW)
                    .map_err(|e| io(&prefix)(e))?;
                ft = FileType::from_raw_mode(st.st_mode);
            }
            if ft != FileType::Directory && ft != FileType::RegularFile {
                continue;
            }
            if ft == FileType::Directory {
                let mut rel = Vec::with_capacity(prefix.len() + 1 + name.len());
                rel.extend_from_slice(&prefix);
                if !rel.is_empty() {
                    rel.push(b'/');
                }
                rel.extend_from_slice(name);
                stack.push(rel);
            } else {
                out.push_joined(&prefix, name);
            }
        }
    }
    Ok(out)
}

/// The regular files of a local side, with size and mtime, named as rclone names them
/// ([`crate::name::rclone_name`]: what its listings hold), and the bytes on disk of the
/// names that differ (control characters...).
#[derive(Debug, Default)]
pub struct LocalTree {
    pub files: Listing,
    pub renamed: std::collections::HashMap<RelPath, RelPath>,
}

impl LocalTree {
    /// `p` (rclone's form) as it is on disk.
    pub fn on_disk<'a>(&'a self, p: &'a RelPath) -> &'a RelPath {
        self.renamed.get(p).unwrap_or(p)
    }
}

/// Every regular file under `root` with its size and mtime.
pub fn list_local(root: &Path) -> Result<LocalTree, Error> {
    let (names, renamed) = crate::name::rclone_names(walk(root)?);
    let mut t = LocalTree {
        files: Listing::new(),
        renamed,
    };
    for p in names.iter() {
        let p = RelPath::new(p);
        if let Some((size, ns)) = file_sig(&t.on_disk(&p).under(root)) {
            t.files.insert(p, Entry::new(size, ns));
        }
    }
    Ok(t)
}

/// Whether `short` is a strict prefix of `long` (byte content): a truncated copy.
pub fn is_strict_prefix(short: &Path, long: &Path) -> bool {
    use std::io::Read;
    let (Ok(a), Ok(b)) = (std::fs::File::open(short), std::fs::File::open(long)) else {
        return false;
    };
    let (Ok(ma), Ok(mb)) = (a.metadata(), b.metadata()) else {
        return false;
    };
    if ma.len() >= mb.len() {
        return false;
    }
    let (mut ra, mut rb) = (
        std::io::BufReader::new(a),
        std::io::BufReader::new(b).take(ma.len()),
    );
    let mut ba = vec![0u8; 64 * 1024];
    let mut bb = vec![0u8; 64 * 1024];
    loop {
        let Ok(n) = ra.read(&mut ba) else {
            return false;
        };
        if n == 0 {
            return true;
        }
        if rb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

/// Whether two local files hold the same bytes.
pub fn same_content(a: &Path, b: &Path) -> bool {
    match (std::fs::read(a), std::fs::read(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Set a local file's modification time (ns since the epoch).
pub fn set_mtime(path: &Path, ns: i128) -> Result<(), Error> {
    let t = if ns >= 0 {
        std::time::UNIX_EPOCH + std::time::Duration::from_nanos(u64::try_from(ns).unwrap_or(0))
    } else {
        std::time::UNIX_EPOCH
    };
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(t))
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })
}

/// Size and mtime (ns) of a local file.
pub fn file_sig(path: &Path) -> Option<(i64, i128)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).ok()?;
    let ns = i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec());
    Some((i64::try_from(m.size()).ok()?, ns))
}

/// Whether `path` is a mount point according to a `mountinfo` file.
pub fn is_mountpoint(path: &Path, mountinfo: &Path) -> Result<bool, Error> {
    let text = std::fs::read_to_string(mountinfo).map_err(|source| Error::Io {
        path: mountinfo.to_path_buf(),
        source,
    })?;
    let want = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(text.lines().any(|l| {
        l.split(' ')
            .nth(4)
            .map(|mp| Path::new(&unescape_mount(mp)) == want)
            .unwrap_or(false)
    }))
}

/// mountinfo escapes space, tab, newline and backslash as `\ooo`.
fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a process with this PID is alive and looks like rclone (`<proc>/<pid>/cmdline`).
pub fn rclone_alive(proc_dir: &Path, pid: u32) -> bool {
    match std::fs::read(proc_dir.join(pid.to_string()).join("cmdline")) {
        Ok(c) => c.split(|b| *b == 0).any(|arg| {
            arg.rsplit(|b| *b == b'/')
                .next()
                .is_some_and(|base| base.windows(6).any(|w| w == b"rclone"))
        }),
        Err(_) => false,
    }
}

/// Move `from` to `to` (creating parents), copying across filesystems. Never deletes
/// the source before the copy is complete and synced.
pub fn move_file(from: &Path, to: &Path) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            // EXDEV: copy, fsync, then remove the original.
            std::fs::copy(from, to).map_err(io(to))?;
            std::fs::File::open(to)
                .and_then(|f| f.sync_all())
                .map_err(io(to))?;
            std::fs::remove_file(from).map_err(io(from))
        }
        Err(e) => Err(Error::Io {
            path: from.to_path_buf(),
            source: e,
        }),
    }
}

/// Copy `from` to `to` (creating parents), keeping the modification time.
pub fn backup_file(from: &Path, to: &Path) -> Result<(), Error> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::copy(from, to).map_err(io(to))?;
    if let Ok(m) = std::fs::metadata(from).and_then(|m| m.modified()) {
        if let Ok(f) = std::fs::File::options().write(true).open(to) {
            let _ = f.set_modified(m);
            let _ = f.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_files_only() {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(d.path().join("a/b")).expect("mk");
        std::fs::write(d.path().join("a/b/c"), "x").expect("w");
        std::fs::write(d.path().join("top"), "x").expect("w");
        std::os::unix::fs::symlink("top", d.path().join("link")).expect("ln");
        let mut v: Vec<RelPath> = walk(d.path())
            .expect("walk")
            .iter()
            .map(RelPath::new)
            .collect();
        v.sort();
        assert_eq!(v, vec![RelPath::from("a/b/c"), RelPath::from("top")]);
    }

    #[test]
    fn walk_keeps_odd_names_and_skips_special_files() {
        use std::os::unix::ffi::OsStrExt;
        let d = tempfile::tempdir().expect("tmp");
        let deep = d.path().join("a/b/c/d/e");
        std::fs::create_dir_all(&deep).expect("mk");
        std::fs::write(deep.join("f"), "x").expect("w");
        let odd = std::ffi::OsStr::from_bytes(b"caf\xe9 \n.txt");
        std::fs::write(d.path().join("a").join(odd), "x").expect("w");
        std::fs::create_dir(d.path().join("empty")).expect("mk");
        std::os::unix::fs::symlink("a", d.path().join("dirlink")).expect("ln");
        let fifo = d.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success());
        let mut v: Vec<RelPath> = walk(d.path())
            .expect("walk")
            .iter()
            .map(RelPath::new)
            .collect();
        v.sort();
        assert_eq!(
            v,
            vec![
                RelPath::new(&b"a/b/c/d/e/f"[..]),
                RelPath::new(&b"a/caf\xe9 \n.txt"[..]),
            ]
        );
        assert!(walk(&d.path().join("missing")).is_err());
        assert!(
            walk(&d.path().join("a/b/c/d/e/f")).is_err(),
            "a file is no root"
        );
    }

    #[test]
    fn rclone_liveness_reads_the_injected_proc() {
        let d = tempfile::tempdir().expect("tmp");
        let pd = d.path().join("proc/4242");
        std::fs::create_dir_all(&pd).expect("mk");
        std::fs::write(
            pd.join("cmdline"),
            b"/nix/store/x-rclone-1.75.2/bin/rclone\0bisync\0",
        )
        .expect("w");
        let pd = d.path().join("proc/4243");
        std::fs::create_dir_all(&pd).expect("mk");
        std::fs::write(pd.join("cmdline"), b"/usr/bin/sleep\x00600\x00").expect("w");
        let proc_dir = d.path().join("proc");
        assert!(rclone_alive(&proc_dir, 4242));
        assert!(
            !rclone_alive(&proc_dir, 4243),
            "a reused PID of another program"
        );
        assert!(!rclone_alive(&proc_dir, 4244), "gone");
    }

    #[test]
    fn mountinfo_parsing() {
        let d = tempfile::tempdir().expect("tmp");
        let mp = d.path().join("my disk");
        std::fs::create_dir(&mp).expect("mk");
        let canon = std::fs::canonicalize(&mp).expect("canon");
        let esc = canon.to_string_lossy().replace(' ', "\\040");
        let mi = d.path().join("mountinfo");
        std::fs::write(
            &mi,
            format!(
                "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n99 22 0:50 / {esc} rw - ext4 /dev/sdb1 rw\n"
            ),
        )
        .expect("w");
        assert!(is_mountpoint(&mp, &mi).expect("read"));
        assert!(!is_mountpoint(d.path(), &mi).expect("read"));
    }
}

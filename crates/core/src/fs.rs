//! Atomic file writes: a reader sees the old file or the new one, never a mix.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum AtomicWriteError {
    #[error("cannot write {path}: the path has no parent directory")]
    NoParent { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Write `data` to `path` atomically: a temporary file in the same directory is
/// written, fsynced and renamed over `path`, then the directory is fsynced.
/// An existing file keeps its permissions; a new one gets `mode` (if given) or 0644.
pub fn atomic_write(path: &Path, data: &[u8]) -> Result<(), AtomicWriteError> {
    atomic_write_mode(path, data, None)
}

/// Like [`atomic_write`] with an explicit mode for the file.
pub fn atomic_write_mode(
    path: &Path,
    data: &[u8],
    mode: Option<u32>,
) -> Result<(), AtomicWriteError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |source| AtomicWriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let parent = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => {
            return Err(AtomicWriteError::NoParent {
                path: path.to_path_buf(),
            })
        }
    };
    let mode = match mode {
        Some(m) => m,
        None => std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".axios-tmp-")
        .tempfile_in(parent)
        .map_err(io)?;
    tmp.write_all(data).map_err(io)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    if let Ok(dir) = std::fs::File::open(parent) {
        // Directory fsync makes the rename durable; some filesystems refuse it.
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_and_replaces_keeping_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("out.txt");
        atomic_write(&f, b"one").expect("write");
        assert_eq!(std::fs::read(&f).expect("read"), b"one");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        atomic_write(&f, b"two").expect("rewrite");
        assert_eq!(std::fs::read(&f).expect("read"), b"two");
        let mode = std::fs::metadata(&f).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn failure_leaves_old_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("no-such-dir").join("x");
        let e = atomic_write(&missing, b"x").expect_err("no dir");
        assert!(e.to_string().contains("no-such-dir"));
    }
}

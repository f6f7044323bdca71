//! An advisory, non-blocking lock file that records its holder's PID.
//!
//! The kernel releases an `flock` when its holder dies, so a lock can never go
//! stale: a file left behind by a killed process is simply re-locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path} is locked by another process{}", holder.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Busy { path: PathBuf, holder: Option<u32> },
    #[error("cannot open lock file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A held lock; released on drop (or when the process dies).
#[derive(Debug)]
pub struct PidLock {
    file: File,
    path: PathBuf,
}

impl PidLock {
    /// Try to take the lock at `path` without waiting.
    pub fn try_acquire(path: &Path) -> Result<Self, LockError> {
        let io = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut s = String::new();
                let _ = file.read_to_string(&mut s);
                return Err(LockError::Busy {
                    path: path.to_path_buf(),
                    holder: s.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Whether someone holds the lock at `path` right now (without taking it).
    pub fn is_held(path: &Path) -> bool {
        match OpenOptions::new().read(true).write(true).open(path) {
            Ok(f) => matches!(f.try_lock(), Err(TryLockError::WouldBlock)),
            Err(_) => false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PidLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_is_busy_and_names_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("sub/x.lock");
        let held = PidLock::try_acquire(&p).expect("first");
        assert!(PidLock::is_held(&p));
        match PidLock::try_acquire(&p) {
            Err(LockError::Busy { holder, .. }) => assert_eq!(holder, Some(std::process::id())),
            other => panic!("expected busy, got {other:?}"),
        }
        drop(held);
        assert!(!PidLock::is_held(&p));
        PidLock::try_acquire(&p).expect("after release");
    }

    #[test]
    fn stale_file_from_dead_holder_is_relocked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.lock");
        std::fs::write(&p, "999999\n").expect("write stale");
        PidLock::try_acquire(&p).expect("stale file is not a lock");
    }
}

//! `axios-gpu recover --card N`: ask amdgpu to reset a GPU through debugfs
//! (`/sys/kernel/debug/dri/<N>/amdgpu_gpu_recover`; reading it triggers recovery).

use std::io::Read;
use std::path::PathBuf;

use axios_core::root::Root;

#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error("recovery through debugfs needs root (run as root, e.g. with sudo)")]
    NotRoot,
    #[error("debugfs is not mounted at {path} (mount -t debugfs none /sys/kernel/debug)")]
    NoDebugfs { path: PathBuf },
    #[error("{path} does not exist: card {card} is not driven by amdgpu (only amdgpu offers GPU recovery through debugfs), or there is no such card")]
    NotAmdgpu { card: u32, path: PathBuf },
    #[error("cannot trigger recovery through {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Trigger amdgpu recovery of DRM minor `card`; returns what the kernel answered.
/// `require_root` is false only in tests that run on fixture trees.
pub fn recover(root: &Root, card: u32, require_root: bool) -> Result<String, RecoverError> {
    if require_root && !rustix::process::geteuid().is_root() {
        return Err(RecoverError::NotRoot);
    }
    let dri = root.path("sys/kernel/debug/dri");
    let debug = root.path("sys/kernel/debug");
    let mounted = std::fs::read_dir(&debug).is_ok_and(|mut d| d.next().is_some());
    if !mounted {
        return Err(RecoverError::NoDebugfs { path: debug });
    }
    let path = dri.join(card.to_string()).join("amdgpu_gpu_recover");
    let mut f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RecoverError::NotAmdgpu { card, path })
        }
        Err(source) => return Err(RecoverError::Io { path, source }),
    };
    let mut out = Vec::new();
    f.read_to_end(&mut out)
        .map_err(|source| RecoverError::Io { path, source })?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

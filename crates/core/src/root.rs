//! An injectable filesystem root: `/` on a live system, a fixture tree in tests.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("root {path} does not exist or is not a directory (pass a directory holding sys/ and proc/)")]
    NotADirectory { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Malformed { path: PathBuf, message: String },
}

/// The root below which `sys/`, `proc/` and `dev/` are found.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
}

impl Default for Root {
    fn default() -> Self {
        Self {
            base: PathBuf::from("/"),
        }
    }
}

impl Root {
    /// A root at `base`; fails if it is not a readable directory.
    pub fn new(base: impl Into<PathBuf>) -> Result<Self, RootError> {
        let base = base.into();
        match std::fs::read_dir(&base) {
            Ok(_) => Ok(Self { base }),
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(RootError::Io {
                path: base,
                source: e,
            }),
            Err(_) => Err(RootError::NotADirectory { path: base }),
        }
    }

    pub fn base(&self) -> &Path {
        &self.base
    }

    /// `rel` (absolute or relative, e.g. `/sys/class/drm`) below this root.
    pub fn path(&self, rel: impl AsRef<Path>) -> PathBuf {
        let rel = rel.as_ref();
        self.base.join(rel.strip_prefix("/").unwrap_or(rel))
    }

    pub fn sys(&self) -> PathBuf {
        self.path("sys")
    }

    pub fn proc(&self) -> PathBuf {
        self.path("proc")
    }

    /// Read a small text attribute, trimmed. `Ok(None)` when it does not exist.
    pub fn read_attr(&self, path: &Path) -> Result<Option<String>, RootError> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(RootError::Io {
                path: path.to_path_buf(),
                source: e,
            }),
        }
    }

    /// Read a hex attribute such as `0x10de` or `0x030000`.
    pub fn read_hex(&self, path: &Path) -> Result<Option<u32>, RootError> {
        let Some(text) = self.read_attr(path)? else {
            return Ok(None);
        };
        let digits = text
            .strip_prefix("0x")
            .or_else(|| text.strip_prefix("0X"))
            .unwrap_or(&text);
        u32::from_str_radix(digits, 16)
            .map(Some)
            .map_err(|_| RootError::Malformed {
                path: path.to_path_buf(),
                message: format!("expected a hexadecimal number like 0x10de, found {text:?}"),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_rebased() {
        let r = Root::new("/").expect("root");
        assert_eq!(r.path("/sys/class"), PathBuf::from("/sys/class"));
        let dir = tempfile::tempdir().expect("tempdir");
        let r = Root::new(dir.path()).expect("fixture root");
        assert_eq!(r.path("/sys/x"), dir.path().join("sys/x"));
    }

    #[test]
    fn hex_attrs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = Root::new(dir.path()).expect("root");
        let f = dir.path().join("vendor");
        std::fs::write(&f, "0x10de\n").expect("write");
        assert_eq!(r.read_hex(&f).expect("hex"), Some(0x10de));
        std::fs::write(&f, "nvidia\n").expect("write");
        let e = r.read_hex(&f).expect_err("malformed");
        assert!(e.to_string().contains("hexadecimal"), "{e}");
        assert_eq!(r.read_hex(&dir.path().join("none")).expect("missing"), None);
    }

    #[test]
    fn missing_root_is_an_error() {
        let e = Root::new("/definitely/not/here").expect_err("missing");
        assert!(e.to_string().contains("/definitely/not/here"));
    }
}

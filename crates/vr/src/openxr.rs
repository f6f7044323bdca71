//! OpenXR runtime manifests and the active runtime, resolved the way the Khronos loader
//! (`src/loader/manifest_file.cpp`) does on Linux:
//!
//! 1. `XR_RUNTIME_JSON`, when set and non-empty, is used as is;
//! 2. otherwise, in `$XDG_CONFIG_HOME` (default `~/.config`), each entry of `$XDG_CONFIG_DIRS`
//!    (default `/etc/xdg`), then `SYSCONFDIR` (`/etc`), under `openxr/1/`, the first existing
//!    `active_runtime.<arch>.json` or `active_runtime.json` wins (the arch-specific one
//!    first, in the same directory). "Existing" follows symlinks: a dangling symlink is
//!    skipped and the search goes on.
//!
//! A manifest needs `file_format_version` "1.0.0" and a string `runtime.library_path`; a
//! library path with a `/` is relative to the directory of the manifest's canonical path
//! (symlinks resolved), a bare file name is left to the dynamic linker's search.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::paths::Paths;

/// What is wrong with a runtime manifest.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("runtime manifest {path} does not exist (is the backend's package installed?)")]
    Missing { path: PathBuf },
    #[error("cannot read runtime manifest {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("runtime manifest {path} is not valid JSON: {message}")]
    Json { path: PathBuf, message: String },
    #[error("runtime manifest {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Where the runtime library of a manifest is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum Library {
    /// A path (absolute, or resolved against the manifest's directory).
    File(PathBuf),
    /// A bare file name, found by the dynamic linker's search path.
    Search(String),
}

/// A parsed runtime manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub path: PathBuf,
    /// `runtime.name`, when present.
    pub name: Option<String>,
    pub library: Library,
    /// Whether the library file exists (`None` for a bare name: not checkable here).
    pub library_exists: Option<bool>,
}

impl Manifest {
    /// Read and check the manifest at `path`.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ManifestError::Missing {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => {
                return Err(ManifestError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Self::parse(path, &bytes)
    }

    /// Check the manifest bytes read from `path`.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, ManifestError> {
        let invalid = |message: &str| ManifestError::Invalid {
            path: path.to_path_buf(),
            message: message.to_string(),
        };
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Json {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let Some(obj) = v.as_object() else {
            return Err(invalid("the top level must be a JSON object"));
        };
        match obj.get("file_format_version").and_then(|v| v.as_str()) {
            Some(f) if parse_version(f) == Some((1, 0, 0)) => {}
            Some(f) => {
                return Err(invalid(&format!(
                "file_format_version {f:?} is not supported by the OpenXR loader (only \"1.0.0\")"
            )))
            }
            None => return Err(invalid("missing string \"file_format_version\"")),
        }
        let Some(rt) = obj.get("runtime").and_then(|r| r.as_object()) else {
            return Err(invalid(
                "missing object \"runtime\" (is this an API layer manifest?)",
            ));
        };
        let Some(lib) = rt.get("library_path").and_then(|l| l.as_str()) else {
            return Err(invalid("missing string \"runtime.library_path\""));
        };
        if lib.is_empty() {
            return Err(invalid("\"runtime.library_path\" is empty"));
        }
        let name = rt.get("name").and_then(|n| n.as_str()).map(str::to_string);
        let library = if lib.contains('/') || lib.contains('\\') {
            let lp = Path::new(lib);
            if lp.is_absolute() {
                Library::File(lp.to_path_buf())
            } else {
                // relative to the real manifest, not to a symlink pointing at it
                let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                let dir = canonical.parent().unwrap_or(Path::new("/"));
                Library::File(normalize(&dir.join(lp)))
            }
        } else {
            Library::Search(lib.to_string())
        };
        let library_exists = match &library {
            Library::File(p) => Some(p.exists()),
            Library::Search(_) => None,
        };
        Ok(Self {
            path: path.to_path_buf(),
            name,
            library,
            library_exists,
        })
    }

    /// Name for messages: `runtime.name`, else the file name.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }
}

fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split('.').map(|p| p.trim().parse::<u32>().ok());
    let v = (it.next()??, it.next()??, it.next()??);
    Some(v)
}

/// Lexically fold `..` and `.` (the loader combines paths as strings; the kernel then
/// resolves `..` after symlinks, and the manifest's directory is already canonical).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Where the effective runtime came from.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// `XR_RUNTIME_JSON` overrides every active_runtime file.
    Env,
    /// An `active_runtime` file in one of the loader's directories.
    File { label: String, dir: PathBuf },
}

/// The runtime the loader would load.
#[derive(Debug, Clone, Serialize)]
pub struct Resolution {
    pub source: Source,
    /// The file the loader opens (active_runtime file or `XR_RUNTIME_JSON`).
    pub file: PathBuf,
    /// Where that file points, when it is a symlink.
    pub link_target: Option<PathBuf>,
    /// The manifest, or why the loader would fail on it.
    #[serde(serialize_with = "ser_manifest")]
    pub manifest: Result<Manifest, String>,
    /// Active-runtime files that exist but are hidden by `file` (lower precedence).
    pub shadowed: Vec<PathBuf>,
    /// Dangling active-runtime symlinks the loader skipped.
    pub dangling: Vec<PathBuf>,
}

fn ser_manifest<S: serde::Serializer>(
    m: &Result<Manifest, String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(None)?;
    match m {
        Ok(m) => {
            map.serialize_entry("valid", &true)?;
            map.serialize_entry("path", &m.path)?;
            map.serialize_entry("name", &m.name)?;
            map.serialize_entry("library", &m.library)?;
            map.serialize_entry("library_exists", &m.library_exists)?;
        }
        Err(e) => {
            map.serialize_entry("valid", &false)?;
            map.serialize_entry("error", e)?;
        }
    }
    map.end()
}

/// The candidate active-runtime files, in the loader's order.
pub fn candidates(paths: &Paths) -> Vec<(String, PathBuf, PathBuf)> {
    let mut v = Vec::new();
    for (label, dir) in paths.loader_dirs() {
        for f in [
            format!("active_runtime.{}.json", paths.arch),
            "active_runtime.json".to_string(),
        ] {
            v.push((label.clone(), dir.clone(), dir.join(f)));
        }
    }
    v
}

/// Resolve the active runtime exactly as the loader does; `None` when it finds none.
pub fn resolve(paths: &Paths) -> Option<Resolution> {
    let mut dangling = Vec::new();
    let mut found: Option<(Source, PathBuf)> = None;
    let mut shadowed = Vec::new();
    if let Some(env) = &paths.xr_runtime_json {
        found = Some((Source::Env, env.clone()));
    }
    for (label, dir, file) in candidates(paths) {
        let is_link = file.symlink_metadata().is_ok();
        if file.exists() {
            if found.is_none() {
                found = Some((Source::File { label, dir }, file));
            } else {
                shadowed.push(file);
            }
        } else if is_link {
            dangling.push(file);
        }
    }
    let (source, file) = found?;
    let link_target = std::fs::read_link(&file).ok();
    let manifest = Manifest::load(&file).map_err(|e| e.to_string());
    Some(Resolution {
        source,
        file,
        link_target,
        manifest,
        shadowed,
        dangling,
    })
}

/// Runtime manifests found in the standard directories (for `list`): every `*.json` in
/// `openxr/1/` of the config and data dirs, except the active_runtime files.
pub fn discover(paths: &Paths) -> Vec<(PathBuf, Result<Manifest, String>)> {
    let mut out = Vec::new();
    for dir in paths.manifest_dirs() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                let n = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                n.ends_with(".json") && !n.starts_with("active_runtime") && p.is_file()
            })
            .collect();
        files.sort();
        for f in files {
            let m = Manifest::load(&f).map_err(|e| e.to_string());
            out.push((f, m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_checks() {
        let p = Path::new("/x/m.json");
        let ok = br#"{"file_format_version":"1.0.0","runtime":{"name":"Monado","library_path":"../../../lib/libopenxr_monado.so"}}"#;
        let m = Manifest::parse(p, ok).expect("ok");
        assert_eq!(m.name.as_deref(), Some("Monado"));
        assert_eq!(m.library, Library::File("/lib/libopenxr_monado.so".into()));
        let bare = br#"{"file_format_version":"1.0.0","runtime":{"library_path":"libx.so"}}"#;
        assert_eq!(
            Manifest::parse(p, bare).expect("bare").library,
            Library::Search("libx.so".into())
        );
        for (bad, want) in [
            (&b"{"[..], "not valid JSON"),
            (b"[]", "JSON object"),
            (
                br#"{"runtime":{"library_path":"x"}}"#,
                "file_format_version",
            ),
            (
                br#"{"file_format_version":"1.1.0","runtime":{"library_path":"x"}}"#,
                "1.1.0",
            ),
            (br#"{"file_format_version":"1.0.0"}"#, "\"runtime\""),
            (
                br#"{"file_format_version":"1.0.0","runtime":{"library_path":3}}"#,
                "library_path",
            ),
        ] {
            let e = Manifest::parse(p, bad).expect_err(want).to_string();
            assert!(e.contains(want) && e.contains("/x/m.json"), "{want}: {e}");
        }
    }
}

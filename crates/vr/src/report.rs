//! `list` and `status`: read-only reports.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::Config;
use crate::input::{self, Device};
use crate::openvr;
use crate::openxr::{self, Library, Manifest, Resolution};
use crate::paths::Paths;
use crate::txn::{self, Selected, StateDir};
use crate::units::{Bus, UnitState};

/// A configured backend, checked.
#[derive(Debug, Serialize)]
pub struct BackendInfo {
    pub name: String,
    pub default: bool,
    pub manifest: PathBuf,
    pub valid: bool,
    pub error: Option<String>,
    pub runtime_name: Option<String>,
    pub library: Option<Library>,
    pub library_exists: Option<bool>,
    pub openvr_runtime: PathBuf,
    pub openvr_runtime_exists: bool,
    pub unit: Option<String>,
    pub bus: Option<Bus>,
    pub ports: Vec<u16>,
}

/// A runtime manifest found on the standard paths.
#[derive(Debug, Serialize)]
pub struct Found {
    pub path: PathBuf,
    pub valid: bool,
    pub error: Option<String>,
    pub runtime_name: Option<String>,
    pub library_exists: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct ListReport {
    pub backends: Vec<BackendInfo>,
    pub found: Vec<Found>,
}

fn split(m: Result<Manifest, String>) -> (bool, Option<String>, Option<Manifest>) {
    match m {
        Ok(m) => {
            let bad_lib = m.library_exists == Some(false);
            let err = bad_lib.then(|| "runtime library missing".to_string());
            (!bad_lib, err, Some(m))
        }
        Err(e) => (false, Some(e), None),
    }
}

/// `axios-vr list`.
pub fn list(paths: &Paths, cfg: &Config) -> ListReport {
    let backends = cfg
        .backends
        .iter()
        .map(|(name, b)| {
            let manifest = paths.expand(&b.manifest);
            let (valid, error, m) = split(Manifest::load(&manifest).map_err(|e| e.to_string()));
            let openvr_runtime = paths.expand(&b.openvr_runtime);
            BackendInfo {
                name: name.clone(),
                default: cfg.default.as_deref() == Some(name),
                valid,
                error,
                runtime_name: m.as_ref().and_then(|m| m.name.clone()),
                library: m.as_ref().map(|m| m.library.clone()),
                library_exists: m.as_ref().and_then(|m| m.library_exists),
                manifest,
                openvr_runtime_exists: openvr_runtime.is_dir(),
                openvr_runtime,
                unit: b.unit.clone(),
                bus: b.unit.as_ref().map(|_| {
                    if b.user_unit {
                        Bus::Session
                    } else {
                        Bus::System
                    }
                }),
                ports: b.ports.clone(),
            }
        })
        .collect();
    let found = openxr::discover(paths)
        .into_iter()
        .map(|(path, m)| {
            let (valid, error, m) = split(m);
            Found {
                path,
                valid,
                error,
                runtime_name: m.as_ref().and_then(|m| m.name.clone()),
                library_exists: m.as_ref().and_then(|m| m.library_exists),
            }
        })
        .collect();
    ListReport { backends, found }
}

#[derive(Debug, Serialize)]
pub struct VrPathInfo {
    pub path: PathBuf,
    pub exists: bool,
    pub runtime: Vec<String>,
    pub read_only: bool,
    pub error: Option<String>,
    /// The configured backend whose `openvr_runtime` is the first runtime entry.
    pub backend: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UnitInfo {
    pub backend: String,
    pub unit: String,
    pub bus: Bus,
    pub state: Option<UnitState>,
    pub running: Option<bool>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    /// The runtime the OpenXR loader would load, `None` when it finds none.
    pub openxr: Option<Resolution>,
    /// The configured backend whose manifest is the effective runtime.
    pub openxr_backend: Option<String>,
    pub warnings: Vec<String>,
    /// What the last `select` chose (`state.json`).
    pub selected: Option<Selected>,
    pub vrpath: VrPathInfo,
    pub units: Vec<UnitInfo>,
    pub wivrn_leftovers: Vec<PathBuf>,
    /// A `select`/`restore` was killed half-way; the next one rolls it back first.
    pub interrupted: bool,
    /// The saved state from before the first `select`, when there is one.
    pub original_backup: Option<PathBuf>,
    pub state_dir: PathBuf,
    pub devices: Vec<Device>,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// `axios-vr status`. `unit_state` asks systemd (errors are reported, not fatal).
pub fn status(
    paths: &Paths,
    cfg: &Config,
    unit_state: &mut dyn FnMut(&str, Bus) -> Result<UnitState, String>,
) -> StatusReport {
    use std::os::unix::fs::PermissionsExt;
    let openxr = openxr::resolve(paths);
    let mut warnings = Vec::new();
    if let Some(env) = &paths.xr_runtime_json {
        warnings.push(format!(
            "XR_RUNTIME_JSON={} is set: it overrides every active_runtime file",
            env.display()
        ));
    }
    let selected = txn::selected(paths);
    // the backend matching `f`, the selected one first (two backends may share a path)
    let matching = |f: &dyn Fn(&crate::Backend) -> bool| -> Option<String> {
        let sel = selected.as_ref().map(|s| s.backend.as_str());
        let mut hits: Vec<&String> = cfg
            .backends
            .iter()
            .filter(|(_, b)| f(b))
            .map(|(n, _)| n)
            .collect();
        hits.sort_by_key(|n| Some(n.as_str()) != sel);
        hits.first().map(|n| (*n).clone())
    };
    let openxr_backend = openxr
        .as_ref()
        .and_then(|r| matching(&|b| same_file(&paths.expand(&b.manifest), &r.file)));
    if let Some(r) = &openxr {
        if !r.dangling.is_empty() {
            warnings.push(format!(
                "dangling active runtime link(s) skipped by the loader: {}",
                r.dangling
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    } else {
        warnings.push("the OpenXR loader finds no active runtime".into());
    }
    let vp = paths.vrpath();
    let (runtime, error) = match openvr::read(&vp) {
        Ok(Some(m)) => (openvr::runtimes(&m), None),
        Ok(None) => (vec![], None),
        Err(e) => (vec![], Some(e.to_string())),
    };
    let vr_backend = runtime.first().and_then(|first| {
        matching(&|b| same_file(&paths.expand(&b.openvr_runtime), Path::new(first)))
    });
    let vrpath = VrPathInfo {
        exists: vp.exists(),
        read_only: std::fs::metadata(&vp)
            .map(|m| m.permissions().mode() & 0o222 == 0)
            .unwrap_or(false),
        path: vp,
        runtime,
        error,
        backend: vr_backend,
    };
    // drift: something changed the files after the last `select` (Steam rewrites the
    // vrpath when it starts; a WiVRn started by hand replaces the active runtime)
    if let Some(sel) = &selected {
        if paths.xr_runtime_json.is_none()
            && openxr_backend.as_deref() != Some(sel.backend.as_str())
        {
            warnings.push(format!(
                "the active OpenXR runtime is not the selected backend `{}` any more; run `axios-vr select {}` again",
                sel.backend, sel.backend
            ));
        }
        let first = vrpath.runtime.first().map(PathBuf::from);
        if first
            .as_deref()
            .is_none_or(|f| !same_file(f, &sel.openvr_runtime))
        {
            warnings.push(format!(
                "{} no longer points at {} for `{}` (Steam rewrites it when it starts); run `axios-vr select {}` again",
                vrpath.path.display(),
                sel.openvr_runtime.display(),
                sel.backend,
                sel.backend
            ));
        }
    }
    let units = cfg
        .backends
        .iter()
        .filter_map(|(name, b)| {
            let unit = b.unit.clone()?;
            let bus = if b.user_unit {
                Bus::Session
            } else {
                Bus::System
            };
            let (state, error) = match unit_state(&unit, bus) {
                Ok(s) => (Some(s), None),
                Err(e) => (None, Some(e)),
            };
            Some(UnitInfo {
                backend: name.clone(),
                running: state.as_ref().map(UnitState::is_running),
                unit,
                bus,
                state,
                error,
            })
        })
        .collect();
    let sd = StateDir::new(paths);
    StatusReport {
        openxr,
        openxr_backend,
        warnings,
        selected,
        vrpath,
        units,
        wivrn_leftovers: txn::leftovers(paths),
        interrupted: sd.journal().exists(),
        original_backup: sd.original().exists().then(|| sd.original()),
        state_dir: sd.dir.clone(),
        devices: input::scan(&paths.sysfs_root),
    }
}

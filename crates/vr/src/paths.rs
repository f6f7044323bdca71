//! Every path that touches the machine, taken from the environment once, so that tests run
//! on a fake `$HOME`, fake XDG dirs, a fake `/etc` and a fixture sysfs.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The OpenXR loader's default for an unset or empty `$XDG_CONFIG_DIRS`.
pub const FALLBACK_CONFIG_DIRS: &str = "/etc/xdg";
/// The default for an unset or empty `$XDG_DATA_DIRS` (XDG base directory spec).
pub const FALLBACK_DATA_DIRS: &str = "/usr/local/share:/usr/share";

/// The architecture name the loader puts in `active_runtime.<arch>.json` (`XR_ARCH_ABI`).
pub fn arch_abi() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x86_64",
        "x86" => "i686",
        "aarch64" => "aarch64",
        "arm" => "armv7a-vfp",
        "riscv64" => "riscv64",
        "powerpc64" => "ppc64",
        other => other,
    }
}

/// The machine paths `axios-vr` reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, default `~/.config`.
    pub config_home: PathBuf,
    /// `$XDG_CONFIG_DIRS` split, default `/etc/xdg`.
    pub config_dirs: Vec<PathBuf>,
    /// `$XDG_DATA_HOME`, default `~/.local/share`.
    pub data_home: PathBuf,
    /// `$XDG_DATA_DIRS` split.
    pub data_dirs: Vec<PathBuf>,
    /// The loader's compiled-in `SYSCONFDIR` (`/etc`), injectable.
    pub sysconfdir: PathBuf,
    /// `$XR_RUNTIME_JSON`, when set and non-empty: it overrides everything.
    pub xr_runtime_json: Option<PathBuf>,
    /// Where `axios-vr` keeps its backup, journal and lock: `$XDG_STATE_HOME/axios/vr`.
    pub state_dir: PathBuf,
    /// The root below which `sys/class/input` is read (`/` on a live system).
    pub sysfs_root: PathBuf,
    /// The architecture for `active_runtime.<arch>.json`.
    pub arch: String,
}

/// A non-empty environment variable (the loader treats empty as unset).
fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

fn split(list: &OsString) -> Vec<PathBuf> {
    std::env::split_paths(list)
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

impl Paths {
    /// Paths from the environment; `sysconfdir` and `sysfs_root` come from flags.
    pub fn from_env(sysconfdir: Option<PathBuf>, sysfs_root: Option<PathBuf>) -> Result<Self> {
        let home = var("HOME")
            .map(PathBuf::from)
            .ok_or_else(|| Error::Environment {
                what: "the home directory".into(),
                hint: "HOME is not set".into(),
            })?;
        let config_home = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".config"));
        let config_dirs =
            split(&var("XDG_CONFIG_DIRS").unwrap_or_else(|| FALLBACK_CONFIG_DIRS.into()));
        let data_home = var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".local/share"));
        let data_dirs = split(&var("XDG_DATA_DIRS").unwrap_or_else(|| FALLBACK_DATA_DIRS.into()));
        let state_home = var("XDG_STATE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".local/state"));
        Ok(Self {
            config_home,
            config_dirs,
            data_home,
            data_dirs,
            sysconfdir: sysconfdir.unwrap_or_else(|| PathBuf::from("/etc")),
            xr_runtime_json: var("XR_RUNTIME_JSON").map(PathBuf::from),
            state_dir: state_home.join("axios/vr"),
            sysfs_root: sysfs_root.unwrap_or_else(|| PathBuf::from("/")),
            arch: arch_abi().to_string(),
            home,
        })
    }

    /// `$XDG_CONFIG_HOME/openxr/1`: the directory `select` writes the active runtime to.
    pub fn user_openxr_dir(&self) -> PathBuf {
        self.config_home.join("openxr/1")
    }

    /// The generic active-runtime file of the user.
    pub fn user_active_runtime(&self) -> PathBuf {
        self.user_openxr_dir().join("active_runtime.json")
    }

    /// The arch-specific active-runtime file of the user (checked first by the loader).
    pub fn user_active_runtime_arch(&self) -> PathBuf {
        self.user_openxr_dir()
            .join(format!("active_runtime.{}.json", self.arch))
    }

    /// `$XDG_CONFIG_HOME/openvr/openvrpaths.vrpath`.
    pub fn vrpath(&self) -> PathBuf {
        self.config_home.join("openvr/openvrpaths.vrpath")
    }

    /// The directories the loader searches, in its order, with a label each.
    pub fn loader_dirs(&self) -> Vec<(String, PathBuf)> {
        let mut v = vec![(
            "XDG_CONFIG_HOME".to_string(),
            self.config_home.join("openxr/1"),
        )];
        for d in &self.config_dirs {
            v.push(("XDG_CONFIG_DIRS".to_string(), d.join("openxr/1")));
        }
        v.push(("SYSCONFDIR".to_string(), self.sysconfdir.join("openxr/1")));
        v
    }

    /// Directories where packages install runtime manifests (`share/openxr/1`), for `list`.
    pub fn manifest_dirs(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.loader_dirs().into_iter().map(|(_, d)| d).collect();
        v.push(self.data_home.join("openxr/1"));
        v.extend(self.data_dirs.iter().map(|d| d.join("openxr/1")));
        let mut seen = std::collections::BTreeSet::new();
        v.retain(|d| seen.insert(d.clone()));
        v
    }

    /// Expand `~/` and `$XDG_CONFIG_HOME/`, `$XDG_DATA_HOME/`, `$HOME/` prefixes in a
    /// configured path, so the backends file can name paths under the user's home.
    pub fn expand(&self, p: &Path) -> PathBuf {
        let s = p.to_string_lossy();
        let pairs: [(&str, &Path); 4] = [
            ("~/", &self.home),
            ("$HOME/", &self.home),
            ("$XDG_CONFIG_HOME/", &self.config_home),
            ("$XDG_DATA_HOME/", &self.data_home),
        ];
        for (prefix, base) in pairs {
            if let Some(rest) = s.strip_prefix(prefix) {
                return base.join(rest);
            }
        }
        p.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake() -> Paths {
        Paths {
            home: "/h".into(),
            config_home: "/h/.config".into(),
            config_dirs: vec!["/a".into(), "/b".into()],
            data_home: "/h/.local/share".into(),
            data_dirs: vec!["/usr/share".into()],
            sysconfdir: "/etc".into(),
            xr_runtime_json: None,
            state_dir: "/h/.local/state/axios/vr".into(),
            sysfs_root: "/".into(),
            arch: "x86_64".into(),
        }
    }

    #[test]
    fn loader_order() {
        let d: Vec<_> = fake().loader_dirs().into_iter().map(|(_, p)| p).collect();
        assert_eq!(
            d,
            vec![
                PathBuf::from("/h/.config/openxr/1"),
                "/a/openxr/1".into(),
                "/b/openxr/1".into(),
                "/etc/openxr/1".into()
            ]
        );
    }

    #[test]
    fn expands_home_prefixes() {
        let p = fake();
        assert_eq!(p.expand(Path::new("~/x")), PathBuf::from("/h/x"));
        assert_eq!(
            p.expand(Path::new("$XDG_DATA_HOME/Steam")),
            PathBuf::from("/h/.local/share/Steam")
        );
        assert_eq!(
            p.expand(Path::new("/nix/store/x")),
            PathBuf::from("/nix/store/x")
        );
        assert_eq!(p.expand(Path::new("~x")), PathBuf::from("~x"));
    }
}

//! The backends file (`/etc/axios/vr.toml` from the NixOS module):
//!
//! ```toml
//! version = 1
//! default = "wivrn"
//! [backends.wivrn]
//! manifest = "/run/current-system/sw/share/openxr/1/openxr_wivrn.json"
//! openvr_runtime = "/run/current-system/sw/lib/xrizer"
//! unit = "wivrn.service"
//! user_unit = true
//! ports = [9757]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Where the NixOS module installs the backends file.
pub const DEFAULT_CONFIG: &str = "/etc/axios/vr.toml";

/// Seconds to wait for a systemd job (start or stop) to finish, by default.
pub const DEFAULT_JOB_TIMEOUT_SECS: u64 = 60;

/// The whole file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub version: u32,
    /// The backend `axios-vr select` (without a name) and the login unit apply.
    #[serde(default)]
    pub default: Option<String>,
    /// Seconds to wait for a unit to start or stop.
    #[serde(default = "default_timeout")]
    pub job_timeout_secs: u64,
    #[serde(default)]
    pub backends: BTreeMap<String, Backend>,
}

fn default_timeout() -> u64 {
    DEFAULT_JOB_TIMEOUT_SECS
}

/// One `[backends.<name>]` table.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    /// The OpenXR runtime manifest the active runtime must point at (`~/` allowed).
    pub manifest: PathBuf,
    /// The directory `openvrpaths.vrpath`'s `runtime` must name: OpenComposite/xrizer for
    /// OpenXR-native backends, SteamVR for ALVR (`~/`, `$XDG_DATA_HOME/` allowed).
    pub openvr_runtime: PathBuf,
    /// The systemd unit that runs the backend's server, if any.
    #[serde(default)]
    pub unit: Option<String>,
    /// `true`: `unit` is a user unit (session bus); `false`: a system unit (system bus).
    #[serde(default)]
    pub user_unit: bool,
    /// The ports the backend listens on (informational, shown by `list`).
    #[serde(default)]
    pub ports: Vec<u16>,
}

impl axios_core::Versioned for Config {
    const SUPPORTED: &'static [u32] = &[1];
}

impl Config {
    /// Read, parse and check the file.
    pub fn load(path: &Path) -> Result<Self> {
        let cfg: Config = axios_core::load_config(path)?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    /// Parse and check `text` read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let cfg: Config = axios_core::config::parse_config(path, text)?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |message: String| Error::InvalidConfig {
            path: path.to_path_buf(),
            message,
        };
        if self.backends.is_empty() {
            return Err(bad(
                "no backends: add at least one `[backends.<name>]` table".into(),
            ));
        }
        for (name, b) in &self.backends {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(bad(format!(
                    "backend name {name:?}: use letters, digits, `-` and `_` only"
                )));
            }
            for (key, p) in [
                ("manifest", &b.manifest),
                ("openvr_runtime", &b.openvr_runtime),
            ] {
                let s = p.to_string_lossy();
                if !(p.is_absolute() || s.starts_with("~/") || s.starts_with("$")) {
                    return Err(bad(format!(
                        "backends.{name}.{key} = {s:?}: must be an absolute path or start with `~/`, `$HOME/`, `$XDG_CONFIG_HOME/` or `$XDG_DATA_HOME/`"
                    )));
                }
                if s.starts_with('$')
                    && !["$HOME/", "$XDG_CONFIG_HOME/", "$XDG_DATA_HOME/"]
                        .iter()
                        .any(|v| s.starts_with(v))
                {
                    return Err(bad(format!(
                        "backends.{name}.{key} = {s:?}: only `$HOME/`, `$XDG_CONFIG_HOME/` and `$XDG_DATA_HOME/` are expanded"
                    )));
                }
            }
            if let Some(unit) = &b.unit {
                let ok_suffix = [".service", ".socket", ".target"]
                    .iter()
                    .any(|s| unit.ends_with(s) && unit.len() > s.len());
                if !ok_suffix || unit.contains('/') || unit.chars().any(char::is_whitespace) {
                    return Err(bad(format!(
                        "backends.{name}.unit = {unit:?}: expected a unit name such as `wivrn.service`"
                    )));
                }
            } else if b.user_unit {
                return Err(bad(format!(
                    "backends.{name}: `user_unit = true` without a `unit`"
                )));
            }
        }
        if let Some(d) = &self.default {
            if !self.backends.contains_key(d) {
                return Err(bad(format!(
                    "default = {d:?} is not a configured backend (have: {})",
                    self.names()
                )));
            }
        }
        if self.job_timeout_secs == 0 {
            return Err(bad("job_timeout_secs must be at least 1".into()));
        }
        Ok(())
    }

    /// The configured backend names, comma-separated (for messages).
    pub fn names(&self) -> String {
        self.backends.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// The backend called `name`, or an error listing the configured ones.
    pub fn backend(&self, name: &str) -> Result<&Backend> {
        self.backends
            .get(name)
            .ok_or_else(|| Error::UnknownBackend {
                name: name.to_string(),
                known: self.names(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("/etc/axios/vr.toml")
    }

    const GOOD: &str = r#"
version = 1
default = "alvr"
[backends.wivrn]
manifest = "/nix/store/x-wivrn/share/openxr/1/openxr_wivrn.json"
openvr_runtime = "/nix/store/y-xrizer/lib/xrizer"
unit = "wivrn.service"
user_unit = true
ports = [9757]
[backends.alvr]
manifest = "~/.local/share/Steam/steamapps/common/SteamVR/steamxr_linux64.json"
openvr_runtime = "$XDG_DATA_HOME/Steam/steamapps/common/SteamVR"
ports = [9943, 9944]
"#;

    #[test]
    fn parses() {
        let c = Config::parse(p(), GOOD).expect("good");
        assert_eq!(c.backends.len(), 2);
        assert_eq!(c.job_timeout_secs, DEFAULT_JOB_TIMEOUT_SECS);
        assert!(c.backends["wivrn"].user_unit);
        assert_eq!(c.backends["alvr"].unit, None);
    }

    #[test]
    fn rejects_bad_input() {
        let cases = [
            (
                GOOD.replace("default = \"alvr\"", "default = \"monado\""),
                "not a configured backend",
            ),
            (
                GOOD.replace("unit = \"wivrn.service\"", "unit = \"wivrn\""),
                "unit name",
            ),
            (
                GOOD.replace("ports = [9757]", "ports = [9757]\ncolour = 1"),
                "colour",
            ),
            (GOOD.replace("\"~/.local", "\".local"), "absolute path"),
            (GOOD.replace("$XDG_DATA_HOME", "$STEAM"), "only `$HOME/`"),
            ("version = 1\n".to_string(), "no backends"),
            (
                GOOD.replace("[backends.alvr]", "[backends.\"a b\"]"),
                "backend name",
            ),
            (GOOD.replace("ports = [9757]", "ports = [97570]"), "97570"),
        ];
        for (text, want) in cases {
            let e = Config::parse(p(), &text).expect_err(want).to_string();
            assert!(e.contains(want), "{want}: {e}");
            assert!(e.contains("/etc/axios/vr.toml"), "{e}");
        }
    }

    #[test]
    fn unknown_backend_lists_known() {
        let c = Config::parse(p(), GOOD).expect("good");
        let e = c.backend("monado").expect_err("unknown").to_string();
        assert!(e.contains("alvr, wivrn"), "{e}");
    }
}

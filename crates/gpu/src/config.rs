//! The watcher's TOML config (`axios-gpu watch --config FILE`). Every key has a
//! default here, the one place defaults live; the NixOS module only writes the
//! keys a user set.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::policy::{Policy, PolicyKind};

/// Example config, parsed by a test so the README cannot drift.
pub const EXAMPLE: &str = r#"version = 1
state_dir = "/var/lib/axios-gpu"
kmsg = "/dev/kmsg"
debounce_ms = 2000
policy = "restart-unit"
restart_unit = "display-manager.service"
max_resets = 3
window_secs = 600
"#;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WatchConfig {
    pub version: u32,
    /// Incident log and copied devcoredumps.
    pub state_dir: PathBuf,
    /// The system root holding sys/ (a fixture in tests).
    pub root: PathBuf,
    /// Kernel log to follow: `/dev/kmsg`, or a recorded file or FIFO.
    pub kmsg: PathBuf,
    /// Read uevents from a Unix datagram socket bound at this path instead of
    /// the kernel's netlink socket (tests, or a relay).
    pub uevent_socket: Option<PathBuf>,
    /// Events for one device closer together than this form one incident.
    pub debounce_ms: u64,
    pub policy: PolicyKind,
    /// The unit `restart-unit` restarts (e.g. `display-manager.service`).
    pub restart_unit: Option<String>,
    /// Resets within `window_secs` that trigger a restart.
    pub max_resets: u32,
    pub window_secs: u64,
    /// The `systemctl` used to restart the unit.
    pub systemctl: PathBuf,
    /// Copied devcoredumps to keep (oldest removed first).
    pub keep_coredumps: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            version: 1,
            state_dir: PathBuf::from("/var/lib/axios-gpu"),
            root: PathBuf::from("/"),
            kmsg: PathBuf::from("/dev/kmsg"),
            uevent_socket: None,
            debounce_ms: 2000,
            policy: PolicyKind::Notify,
            restart_unit: None,
            max_resets: 3,
            window_secs: 600,
            systemctl: PathBuf::from("systemctl"),
            keep_coredumps: 10,
        }
    }
}

impl axios_core::Versioned for WatchConfig {
    const SUPPORTED: &'static [u32] = &[1];
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigCheckError {
    #[error(transparent)]
    Load(#[from] axios_core::ConfigError),
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl WatchConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigCheckError> {
        let c: Self = axios_core::load_config(path)?;
        c.validate().map_err(|message| ConfigCheckError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(c)
    }

    /// Rules serde cannot express.
    pub fn validate(&self) -> Result<(), String> {
        if self.policy == PolicyKind::RestartUnit {
            match self.restart_unit.as_deref() {
                None | Some("") => {
                    return Err("policy = \"restart-unit\" needs restart_unit (e.g. \"display-manager.service\")".into())
                }
                Some(u) if u.starts_with('-') || u.contains(['/', ' ', '\n']) || !u.contains('.') => {
                    return Err(format!("restart_unit {u:?} is not a unit name like \"display-manager.service\""))
                }
                _ => {}
            }
        }
        if self.max_resets == 0 {
            return Err("max_resets must be at least 1".into());
        }
        if self.window_secs == 0 {
            return Err("window_secs must be at least 1".into());
        }
        if self.debounce_ms > 60_000 {
            return Err(format!(
                "debounce_ms {} is over a minute: a burst of hang messages lasts seconds",
                self.debounce_ms
            ));
        }
        Ok(())
    }

    pub fn policy(&self) -> Policy {
        Policy {
            kind: self.policy,
            restart_unit: self.restart_unit.clone(),
            max_resets: self.max_resets,
            window: Duration::from_secs(self.window_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<WatchConfig, ConfigCheckError> {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("gpu.toml");
        std::fs::write(&p, text).expect("write");
        WatchConfig::load(&p)
    }

    #[test]
    fn example_parses() {
        let c = parse(EXAMPLE).expect("example");
        assert_eq!(c.policy, PolicyKind::RestartUnit);
        assert_eq!(c.restart_unit.as_deref(), Some("display-manager.service"));
        assert_eq!(
            parse("version = 1\n").expect("minimal"),
            WatchConfig::default()
        );
    }

    #[test]
    fn bad_configs_are_named() {
        for (text, needle) in [
            ("version = 1\nbogus = 1\n", "bogus"),
            ("version = 2\n", "unsupported config version 2"),
            ("version = 1\npolicy = \"reboot\"\n", "reboot"),
            (
                "version = 1\npolicy = \"restart-unit\"\n",
                "needs restart_unit",
            ),
            (
                "version = 1\npolicy = \"restart-unit\"\nrestart_unit = \"--now\"\n",
                "not a unit name",
            ),
            ("version = 1\nmax_resets = 0\n", "max_resets"),
            ("version = 1\nmax_resets = -1\n", "gpu.toml:2:14"),
        ] {
            let e = parse(text).expect_err(text).to_string();
            assert!(e.contains(needle), "{text}: {e}");
            assert!(e.contains("gpu.toml"), "{e}");
        }
    }
}

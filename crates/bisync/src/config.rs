//! The guard's configuration: one TOML file, `version = 1`, pairs under `[pairs.<name>]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use crate::side::Side;
use crate::Error;

/// The whole config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub version: u32,
    /// Where workdirs, journals, state, quarantine and backups live.
    pub state_dir: PathBuf,
    /// The rclone binary (default: `rclone` on `PATH`).
    #[serde(default)]
    pub rclone: Option<PathBuf>,
    /// rclone's config file (`--config`), if not rclone's default.
    #[serde(default)]
    pub rclone_config: Option<PathBuf>,
    /// On SIGTERM, how long to let rclone finish before stopping it (default 90s).
    #[serde(default = "default_stop_grace", deserialize_with = "de_duration")]
    pub stop_grace: Duration,
    #[serde(default)]
    pub pairs: BTreeMap<String, PairConfig>,
}

impl axios_core::Versioned for Config {
    const SUPPORTED: &'static [u32] = &[1];
}

/// One synchronised pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairConfig {
    /// Any rclone path: `gdrive:Documents`, or an absolute local directory.
    pub path1: String,
    /// A local directory.
    pub path2: PathBuf,
    /// Marker file that must exist at the root of both sides.
    #[serde(default = "default_marker")]
    pub marker: String,
    /// At most this many deletions per side per run.
    #[serde(default = "default_max_delete_count")]
    pub max_delete_count: u64,
    /// At most this percentage of the side's prior listing deleted per run.
    #[serde(default = "default_max_delete_percent")]
    pub max_delete_percent: u8,
    /// rclone filters file; a copy is kept in the state dir.
    #[serde(default)]
    pub filters_file: Option<PathBuf>,
    /// When set, this path must be a mount point (e.g. the disk holding `path2`).
    #[serde(default)]
    pub mountpoint: Option<PathBuf>,
    /// Refuse when a side holds fewer files than this (after the first sync).
    #[serde(default = "default_min_files")]
    pub min_files: u64,
    /// Refuse when a side's file count fell by more than this percentage since the last good run.
    #[serde(default = "default_collapse_percent")]
    pub collapse_percent: u8,
    /// Notify when the last success is older than this (e.g. `"2d"`, `"12h"`).
    #[serde(default = "default_notify_after", deserialize_with = "de_duration")]
    pub notify_after: Duration,
}

fn default_marker() -> String {
    "RCLONE_TEST".into()
}
fn default_max_delete_count() -> u64 {
    100
}
fn default_max_delete_percent() -> u8 {
    25
}
fn default_min_files() -> u64 {
    1
}
fn default_collapse_percent() -> u8 {
    50
}
fn default_notify_after() -> Duration {
    Duration::from_secs(2 * 86400)
}
fn default_stop_grace() -> Duration {
    Duration::from_secs(90)
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s).map_err(serde::de::Error::custom)
}

/// Parse `"90s"`, `"15min"`, `"2h"`, `"3d"`, `"1w"`, `"1h 30min"` (humantime); a bare
/// number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Ok(n) = t.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    humantime::parse_duration(t).map_err(|e| {
        format!("invalid duration `{s}`: {e} (use e.g. \"90s\", \"15min\", \"2h\", \"3d\")")
    })
}

impl Config {
    /// Load and validate `path`.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let cfg: Config = axios_core::load_config(path)?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    /// Parse `text` (for tests and the README example).
    pub fn parse(path: &Path, text: &str) -> Result<Self, Error> {
        let cfg: Config = axios_core::config::parse_config(path, text)?;
        cfg.validate(path)?;
        Ok(cfg)
    }

    fn validate(&self, path: &Path) -> Result<(), Error> {
        let bad = |msg: String| Error::InvalidConfig {
            path: path.to_path_buf(),
            message: msg,
        };
        if !self.state_dir.is_absolute() {
            return Err(bad(format!(
                "`state_dir` must be an absolute path, got {}",
                self.state_dir.display()
            )));
        }
        for (name, p) in &self.pairs {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(bad(format!(
                    "pair name `{name}` may only contain letters, digits, `-` and `_`"
                )));
            }
            if !p.path2.is_absolute() {
                return Err(bad(format!(
                    "pairs.{name}.path2 must be an absolute local directory, got {}",
                    p.path2.display()
                )));
            }
            if p.path1.is_empty() {
                return Err(bad(format!("pairs.{name}.path1 must not be empty")));
            }
            if !p.path1.starts_with('/') && !p.path1.contains(':') {
                return Err(bad(format!(
                    "pairs.{name}.path1 `{}` must be an absolute directory or an rclone remote (`remote:dir`)",
                    p.path1
                )));
            }
            if p.max_delete_percent > 100 || p.collapse_percent > 100 {
                return Err(bad(format!(
                    "pairs.{name}: max_delete_percent and collapse_percent are percentages (0-100)"
                )));
            }
            if let Some(p1) = p.path1_local() {
                if overlapping(&p1, &p.path2) {
                    return Err(bad(format!(
                        "pairs.{name}: path1 {} and path2 {} are the same folder or one is inside the other (rclone refuses overlapping paths, and a sync into itself would duplicate or delete files); use two separate folders",
                        p1.display(),
                        p.path2.display()
                    )));
                }
            }
            if overlapping(&self.state_dir, &p.path2)
                || p.path1_local()
                    .is_some_and(|p1| overlapping(&self.state_dir, &p1))
            {
                return Err(bad(format!(
                    "pairs.{name}: state_dir {} overlaps a synced folder; keep the guard's state outside the pair",
                    self.state_dir.display()
                )));
            }
            if p.marker.is_empty() || p.marker.contains('/') {
                return Err(bad(format!(
                    "pairs.{name}.marker must be a plain file name, got `{}`",
                    p.marker
                )));
            }
        }
        Ok(())
    }

    /// The pair `name`, or an error listing the known ones.
    pub fn pair(&self, name: &str) -> Result<&PairConfig, Error> {
        self.pairs.get(name).ok_or_else(|| Error::UnknownPair {
            name: name.to_string(),
            known: self.pairs.keys().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    /// The rclone binary to run.
    pub fn rclone_bin(&self) -> PathBuf {
        self.rclone
            .clone()
            .unwrap_or_else(|| PathBuf::from("rclone"))
    }
}

impl PairConfig {
    /// `path1` as a local directory, when it is one.
    pub fn path1_local(&self) -> Option<PathBuf> {
        self.path1
            .starts_with('/')
            .then(|| PathBuf::from(&self.path1))
    }

    /// The local directory of `side`, when it is one (path2 always is).
    pub fn local_root(&self, side: Side) -> Option<PathBuf> {
        match side {
            Side::Path1 => self.path1_local(),
            Side::Path2 => Some(self.path2.clone()),
        }
    }

    /// `side` as configured, for messages.
    pub fn shown(&self, side: Side) -> String {
        match side {
            Side::Path1 => self.path1.clone(),
            Side::Path2 => self.path2.display().to_string(),
        }
    }
}

/// `p` made absolute and free of `.`/`..`, with symlinks resolved for the part that exists
/// (what the path will mean once the rest is created).
pub fn resolve(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            Component::RootDir | Component::Prefix(_) | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => {
                out.push(n);
                // Resolve symlinks as we go, so `link/..` means what the kernel makes of it.
                if let Ok(real) = std::fs::canonicalize(&out) {
                    out = real;
                }
            }
        }
    }
    out
}

/// Whether two local directories are the same or one holds the other.
pub fn overlapping(a: &Path, b: &Path) -> bool {
    let (a, b) = (resolve(a), resolve(b));
    a.starts_with(&b) || b.starts_with(&a)
}

/// The default config path: `$XDG_CONFIG_HOME/axios/bisync.toml` (or `~/.config/...`).
pub fn default_config_path() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("axios/bisync.toml"))
}

/// The default state dir: `$XDG_STATE_HOME/axios/bisync` (or `~/.local/state/...`).
pub fn default_state_dir() -> Option<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state").map(|d| d.join("axios/bisync"))
}

fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() && Path::new(&v).is_absolute() => Some(PathBuf::from(v)),
        _ => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(fallback)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15min"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172800)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert!(parse_duration("2 fortnights").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn readme_example_parses() {
        let readme = include_str!("../README.md");
        let start = readme.find("```toml").expect("toml block in README") + "```toml".len();
        let len = readme[start..].find("```").expect("closing fence");
        let cfg = Config::parse(Path::new("README.md"), &readme[start..start + len])
            .expect("README example parses");
        let docs = cfg.pair("documents").expect("documents pair");
        assert_eq!(docs.path1, "gdrive:Documents");
        assert_eq!(docs.max_delete_count, 100);
        assert!(cfg.pair("music").is_ok());
        assert!(cfg.pair("photos").is_err());
    }

    #[test]
    fn rejects_bad_values() {
        let p = Path::new("x.toml");
        let e = Config::parse(p, "version = 1\nstate_dir = \"rel\"\n").expect_err("relative");
        assert!(e.to_string().contains("state_dir"), "{e}");
        let e = Config::parse(
            p,
            "version = 1\nstate_dir = \"/s\"\n[pairs.a]\npath1 = \"/x\"\npath2 = \"/y\"\nmax_delete_percent = 150\n",
        )
        .expect_err("pct");
        assert!(e.to_string().contains("percent"), "{e}");
        let e = Config::parse(
            p,
            "version = 1\nstate_dir = \"/s\"\n[pairs.a]\npath1 = \"/x\"\npath2 = \"/y\"\nmax_delete = 5\n",
        )
        .expect_err("unknown key");
        assert!(e.to_string().contains("max_delete"), "{e}");
    }
}

//! Talking to rclone: version detection, listings (`lsjson`), and running `bisync`
//! so that a SIGTERM to the guard lets rclone finish instead of interrupting it.

pub mod workdir;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;

use crate::listing::{parse_time, Entry, Listing};
use crate::name::RelPath;
use crate::Error;

/// An rclone version, e.g. 1.60.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Parse the first line of `rclone version` (`rclone v1.60.1-DEV`).
pub fn parse_version(text: &str) -> Option<Version> {
    let line = text.lines().next()?;
    let v = line.trim().strip_prefix("rclone v")?;
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    Some(Version {
        major: parts.next()?.parse().ok()?,
        minor: parts.next()?.parse().ok()?,
        patch: parts.next().and_then(|p| p.parse().ok()).unwrap_or(0),
    })
}

/// What this rclone can do, by version.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    pub version: Version,
}

impl Capabilities {
    /// bisync appeared in 1.58.
    pub const MIN: Version = Version {
        major: 1,
        minor: 58,
        patch: 0,
    };

    /// Exit codes that mean "critical, must --resync" for this version.
    pub fn is_critical(&self, code: i32) -> bool {
        if self.version
            >= (Version {
                major: 1,
                minor: 69,
                patch: 0,
            })
        {
            code == 7
        } else {
            code == 2
        }
    }

    fn at_least(&self, minor: u32) -> bool {
        self.version
            >= Version {
                major: 1,
                minor,
                patch: 0,
            }
    }

    /// 1.66 rewrote bisync: JSON lock files that expire (`--max-lock`), `--recover` (keep
    /// the listings usable after an interruption), `--resilient` (retry after less serious
    /// errors without a resync), `--conflict-resolve`, conflict copies named
    /// `<name>.conflict1`/`.conflict2` instead of `<name>..path1`/`..path2`.
    pub fn has_v166_bisync(&self) -> bool {
        self.at_least(66)
    }

    /// From 1.63 the local backend writes copies under a temporary name
    /// (`<name>.<8 hex>.partial`) and renames them when complete.
    pub fn has_partial_temp_names(&self) -> bool {
        self.at_least(63)
    }

    /// The safety flags this version has, added to every bisync run. Not `--recover`: its
    /// backup listings override the ones the guard reconciles after a kill -9 (checked on
    /// 1.75.2: the run after reconciliation then fails "path1 and path2 are out of sync");
    /// the guard's journal does that job, on every version.
    pub fn safety_flags(&self) -> Vec<OsString> {
        if !self.has_v166_bisync() {
            return Vec::new();
        }
        ["--resilient", "--max-lock", "2m"]
            .into_iter()
            .map(OsString::from)
            .collect()
    }
}

/// An rclone binary with an optional config file.
#[derive(Debug, Clone)]
pub struct Rclone {
    pub bin: PathBuf,
    pub config: Option<PathBuf>,
    pub caps: Capabilities,
}

#[derive(Deserialize)]
struct LsItem {
    #[serde(rename = "Path")]
    path: String,
    #[serde(rename = "Size")]
    size: i64,
    #[serde(rename = "ModTime")]
    mod_time: String,
}

#[derive(serde::Serialize, Deserialize, PartialEq, Eq)]
struct VersionCache {
    key: String,
    version_line: String,
}

/// `path size mtime_ns` of the resolved binary (through `PATH` for a bare name).
fn binary_key(bin: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let resolved = if bin.components().count() > 1 {
        bin.to_path_buf()
    } else {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(bin))
            .find(|p| p.is_file())?
    };
    let resolved = std::fs::canonicalize(resolved).ok()?;
    let m = std::fs::metadata(&resolved).ok()?;
    Some(format!(
        "{} {} {}.{}",
        resolved.display(),
        m.size(),
        m.mtime(),
        m.mtime_nsec()
    ))
}

/// How a bisync run ended.
#[derive(Debug, Clone)]
pub struct BisyncOutcome {
    /// rclone's exit code (`None` when it died from a signal).
    pub code: Option<i32>,
    /// The guard got SIGTERM/SIGINT while rclone ran.
    pub signalled: bool,
    /// rclone had to be killed after the grace period.
    pub killed: bool,
    /// rclone said `Must run --resync to recover` (or `must run --resync`).
    pub must_resync: bool,
    /// rclone 1.66+ with `--resilient` said the error "is retryable without --resync".
    pub retryable: bool,
    /// The last lines rclone logged (for messages).
    pub tail: Vec<String>,
}

impl Rclone {
    /// Find rclone and detect its version.
    pub fn detect(bin: &Path, config: Option<&Path>) -> Result<Self, Error> {
        let out = std::process::Command::new(bin)
            .arg("version")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::RcloneMissing {
                bin: bin.to_path_buf(),
                source,
            })?;
        let text = String::from_utf8_lossy(&out.stdout);
        let version = parse_version(&text).ok_or_else(|| Error::RcloneVersion {
            bin: bin.to_path_buf(),
            found: text.lines().next().unwrap_or("").to_string(),
        })?;
        if version < Capabilities::MIN {
            return Err(Error::RcloneVersion {
                bin: bin.to_path_buf(),
                found: format!("{version} (bisync needs 1.58 or newer)"),
            });
        }
        Self::with_version(bin, config, version)
    }

    /// Like [`Rclone::detect`], but remembers the version per binary (path, size, mtime) in
    /// `cache` (the last few binaries used), saving a `rclone version` call (0.1 s and more)
    /// on every run.
    pub fn detect_cached(bin: &Path, config: Option<&Path>, cache: &Path) -> Result<Self, Error> {
        let Some(key) = binary_key(bin) else {
            return Self::detect(bin, config);
        };
        let mut entries: Vec<VersionCache> = std::fs::read(cache)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        if let Some(version) = entries
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| parse_version(&c.version_line))
        {
            return Self::with_version(bin, config, version);
        }
        let rc = Self::detect(bin, config)?;
        entries.retain(|c| c.key != key);
        entries.insert(
            0,
            VersionCache {
                key,
                version_line: format!("rclone v{}", rc.caps.version),
            },
        );
        entries.truncate(8);
        if let Ok(data) = serde_json::to_vec(&entries) {
            if let Some(parent) = cache.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if let Err(e) = axios_core::atomic_write(cache, &data) {
                tracing::debug!("cannot cache the rclone version: {e}");
            }
        }
        Ok(rc)
    }

    /// The handle for a binary of known `version`; checks that `config` exists.
    fn with_version(bin: &Path, config: Option<&Path>, version: Version) -> Result<Self, Error> {
        if let Some(c) = config {
            if !c.is_file() {
                return Err(Error::Io {
                    path: c.to_path_buf(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "rclone config file not found (set `rclone_config` or run `rclone config`)",
                    ),
                });
            }
        }
        Ok(Self {
            bin: bin.to_path_buf(),
            config: config.map(Path::to_path_buf),
            caps: Capabilities { version },
        })
    }

    /// A command with `--config` applied.
    pub fn command(&self) -> std::process::Command {
        let mut c = std::process::Command::new(&self.bin);
        if let Some(cfg) = &self.config {
            c.arg("--config").arg(cfg);
        }
        c.stdin(Stdio::null());
        c
    }

    /// Recursive file listing of an rclone path (files only), optionally filtered.
    pub fn lsjson(&self, path: &str, filters: Option<&Path>) -> Result<Listing, Error> {
        let mut c = self.command();
        c.args(["lsjson", "-R", "--files-only", "--no-mimetype"]);
        if let Some(f) = filters {
            c.arg("--filter-from").arg(f);
        }
        c.arg(path);
        let out = c.output().map_err(|source| Error::RcloneMissing {
            bin: self.bin.clone(),
            source,
        })?;
        if !out.status.success() {
            return Err(Error::Remote {
                path: path.to_string(),
                message: last_error_line(&String::from_utf8_lossy(&out.stderr)),
            });
        }
        let items: Vec<LsItem> =
            serde_json::from_slice(&out.stdout).map_err(|e| Error::Remote {
                path: path.to_string(),
                message: format!("cannot parse `rclone lsjson` output: {e}"),
            })?;
        let mut l = Listing::new();
        for it in items {
            let mtime_ns = parse_time(&it.mod_time).ok_or_else(|| Error::Remote {
                path: path.to_string(),
                message: format!("bad ModTime `{}` for {}", it.mod_time, it.path),
            })?;
            l.insert(
                RelPath::from(it.path.as_str()),
                Entry::new(it.size, mtime_ns),
            );
        }
        Ok(l)
    }

    /// Run an rclone subcommand to completion, returning an error naming `what` on failure.
    pub fn run_simple(&self, args: &[&std::ffi::OsStr], what: &str) -> Result<(), Error> {
        let out = self
            .command()
            .args(args)
            .output()
            .map_err(|source| Error::RcloneMissing {
                bin: self.bin.clone(),
                source,
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::Remote {
                path: what.to_string(),
                message: last_error_line(&String::from_utf8_lossy(&out.stderr)),
            })
        }
    }

    /// Run `rclone <args>` (a bisync) in its own process group, logging its output.
    /// On SIGTERM/SIGINT the signal is NOT forwarded: rclone may finish within `grace`;
    /// after that it is killed with SIGKILL (which, unlike SIGTERM, does not make rclone
    /// 1.60 demand a resync; the journal covers the half-done run).
    pub fn run_bisync(
        &self,
        args: &[std::ffi::OsString],
        grace: Duration,
        on_spawn: impl FnOnce(u32),
    ) -> Result<BisyncOutcome, Error> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| Error::Io {
                path: PathBuf::from("<tokio runtime>"),
                source,
            })?;
        rt.block_on(self.run_bisync_async(args, grace, on_spawn))
    }

    async fn run_bisync_async(
        &self,
        args: &[std::ffi::OsString],
        grace: Duration,
        on_spawn: impl FnOnce(u32),
    ) -> Result<BisyncOutcome, Error> {
        use tokio::io::AsyncBufReadExt;
        use tokio::signal::unix::{signal, SignalKind};
        let sig_io = |source| Error::Io {
            path: PathBuf::from("<signal handler>"),
            source,
        };
        // Handlers first, so a signal between spawn and wait cannot kill us.
        let mut term = signal(SignalKind::terminate()).map_err(sig_io)?;
        let mut int = signal(SignalKind::interrupt()).map_err(sig_io)?;
        let mut cmd = tokio::process::Command::from(self.command());
        cmd.args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(false);
        let mut child = cmd.spawn().map_err(|source| Error::RcloneMissing {
            bin: self.bin.clone(),
            source,
        })?;
        if let Some(pid) = child.id() {
            on_spawn(pid);
        }
        let stderr = child.stderr.take();
        let reader = tokio::spawn(async move {
            let mut tail: Vec<String> = Vec::new();
            let mut must_resync = false;
            let mut resilient = false;
            if let Some(stderr) = stderr {
                // Bytes, to the end: rclone prints file names that need not be UTF-8, and a
                // reader that stops early closes the pipe and kills rclone with SIGPIPE.
                let mut r = tokio::io::BufReader::new(stderr);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match r.read_until(b'\n', &mut buf).await {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!("reading rclone's output: {e}");
                            // Keep draining so rclone never writes into a closed pipe.
                            let mut sink = tokio::io::sink();
                            let _ = tokio::io::copy(&mut r, &mut sink).await;
                            break;
                        }
                    }
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end_matches(['\n', '\r']);
                    if line.contains("Must run --resync") || line.contains("must run --resync") {
                        must_resync = true;
                    }
                    if line.contains("retryable without --resync") {
                        resilient = true;
                    }
                    if line.contains("ERROR") || line.contains("Failed") {
                        tracing::warn!(target: "rclone", "{line}");
                    } else {
                        tracing::debug!(target: "rclone", "{line}");
                    }
                    tail.push(line.to_string());
                    if tail.len() > 20 {
                        tail.remove(0);
                    }
                }
            }
            (tail, must_resync, resilient)
        });
        let mut signalled = false;
        let mut killed = false;
        let wait_io = |source| Error::Io {
            path: PathBuf::from("<rclone child>"),
            source,
        };
        let status = tokio::select! {
            s = child.wait() => s.map_err(wait_io)?,
            _ = term.recv() => { signalled = true; wait_after_signal(&mut child, grace, &mut killed).await.map_err(wait_io)? }
            _ = int.recv() => { signalled = true; wait_after_signal(&mut child, grace, &mut killed).await.map_err(wait_io)? }
        };
        let (tail, must_resync, retryable) = reader.await.unwrap_or_default();
        Ok(BisyncOutcome {
            code: status.code(),
            signalled,
            killed,
            must_resync,
            retryable,
            tail,
        })
    }
}

async fn wait_after_signal(
    child: &mut tokio::process::Child,
    grace: Duration,
    killed: &mut bool,
) -> std::io::Result<std::process::ExitStatus> {
    tracing::warn!(
        "stop requested: letting rclone finish (up to {}s) so the pair is not locked out",
        grace.as_secs()
    );
    match tokio::time::timeout(grace, child.wait()).await {
        Ok(s) => s,
        Err(_) => {
            tracing::warn!(
                "rclone still running after {}s: killing it; the journal makes the next run reconcile",
                grace.as_secs()
            );
            *killed = true;
            child.start_kill()?;
            child.wait().await
        }
    }
}

/// The most useful line of rclone's stderr.
pub fn last_error_line(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .find(|l| !l.contains("NOTICE") && !l.trim().is_empty())
        .map(|l| {
            // Drop rclone's "2026/11/21 23:26:18 " timestamp.
            let t = l.trim();
            match t.get(20..) {
                Some(rest) if t.as_bytes().get(4) == Some(&b'/') => rest.to_string(),
                _ => t.to_string(),
            }
        })
        .unwrap_or_else(|| "rclone failed without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let v = parse_version("rclone v1.60.1-DEV\n- os/version: debian").expect("v");
        assert_eq!(v.to_string(), "1.60.1");
        let caps = Capabilities { version: v };
        assert!(caps.is_critical(2));
        assert!(!caps.is_critical(7));
        assert!(!caps.has_v166_bisync());
        assert!(caps.safety_flags().is_empty());
        let new = Capabilities {
            version: parse_version("rclone v1.69.0").expect("v"),
        };
        assert!(new.is_critical(7));
        assert!(new.has_v166_bisync());
        assert!(new.has_partial_temp_names());
        assert!(parse_version("not rclone").is_none());
    }

    #[test]
    fn error_line() {
        let s = "2026/11/21 23:26:18 NOTICE: Config file not found\n2026/11/21 23:26:18 Failed to create file system for \"nope:x\": didn't find section in config file\n";
        assert_eq!(
            last_error_line(s),
            "Failed to create file system for \"nope:x\": didn't find section in config file"
        );
    }
}

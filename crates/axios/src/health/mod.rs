//! `axios doctor`'s health check of the axiOS domains installed on a machine.
//!
//! Each domain reads its own config and state files at the paths its module
//! installs (overridable), never Nix, and reports [`Finding`]s: a severity, a
//! one-line message and a one-line fix. A domain that is not configured says
//! so and is not a problem.

pub mod bisync;
pub mod caddy;
pub mod gpu;
pub mod ollama;
pub mod vr;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

/// How bad a finding is; the exit code of `axios doctor` follows the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The domains doctor checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Gpu,
    Caddy,
    Ollama,
    Bisync,
    Vr,
}

impl Domain {
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Gpu => "gpu",
            Domain::Caddy => "caddy",
            Domain::Ollama => "ollama",
            Domain::Bisync => "bisync",
            Domain::Vr => "vr",
        }
    }
}

/// One thing doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub domain: Domain,
    pub severity: Severity,
    /// What it is about: a file, a route, a pair.
    pub subject: String,
    pub message: String,
    /// One line saying what to do; `None` when nothing needs doing.
    pub fix: Option<String>,
}

impl Finding {
    pub fn new(
        domain: Domain,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Self {
            domain,
            severity,
            subject: subject.into(),
            message: message.into(),
            fix,
        }
    }
}

/// Whether a domain is configured on this machine, and from which file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainStatus {
    pub domain: Domain,
    pub configured: bool,
    pub source: String,
}

/// Where the domains' files are and how long to wait for services.
#[derive(Debug, Clone)]
pub struct Options {
    /// The system root (`/`, or a fixture tree): the GPUs PRIME is re-checked against.
    pub root: axios_core::Root,
    /// The boot-time `axios-gpu check-prime` result.
    pub gpu_prime_check: PathBuf,
    /// The GPU hang watcher's state directory (its `incidents.jsonl`).
    pub gpu_state_dir: PathBuf,
    /// The route registry the services module installs.
    pub caddy_routes: PathBuf,
    /// Caddy's admin endpoint.
    pub caddy_admin: String,
    /// `axios-ollama preload`'s config (the wanted models, Ollama's URL).
    pub ollama_preload: PathBuf,
    /// The last preload run's summary (`--summary-file` of the preload unit).
    pub ollama_preload_summary: PathBuf,
    /// `axios-ollama proxy`'s config (where it listens).
    pub ollama_proxy: PathBuf,
    /// The axios-bisync config of the user; `None`: no user config to look at.
    pub bisync_config: Option<PathBuf>,
    /// The axios-vr backends file the VR module installs.
    pub vr_config: PathBuf,
    /// The machine paths axios-vr reads (HOME, XDG dirs, the loader's SYSCONFDIR);
    /// `Err(why)`: no user whose runtime to check (HOME not set, or root through sudo).
    pub vr_paths: Result<axios_vr::Paths, String>,
    /// Connect/read timeout for Caddy, the upstreams, Ollama and its proxy.
    pub timeout: Duration,
    /// Seconds since the epoch (the clock of the last-success check).
    pub now: u64,
}

/// Default path of the route registry (`environment.etc."axios/caddy-routes.json"`).
pub const CADDY_ROUTES: &str = "/etc/axios/caddy-routes.json";
/// Where the AI module installs the `axios-ollama` configs.
pub const OLLAMA_PRELOAD: &str = "/etc/axios/ollama/preload.toml";
pub const OLLAMA_PROXY: &str = "/etc/axios/ollama/proxy.toml";
/// Where the preload unit leaves its last run's summary.
pub const OLLAMA_PRELOAD_SUMMARY: &str = "/run/axios-ollama/preload.json";
/// Default state directory of the GPU hang watcher (`StateDirectory=axios-gpu`).
pub const GPU_STATE_DIR: &str = "/var/lib/axios-gpu";
/// Caddy's default admin endpoint.
pub const CADDY_ADMIN: &str = "http://localhost:2019";

/// The health check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    pub domains: Vec<DomainStatus>,
    pub findings: Vec<Finding>,
}

impl Health {
    /// The worst severity found (`Ok` when nothing was found).
    pub fn worst(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Ok)
    }

    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from("Health\n");
        for d in &self.domains {
            if !d.configured {
                let _ = writeln!(
                    out,
                    "  {:<7} not configured (no {})",
                    d.domain.as_str(),
                    d.source
                );
            }
        }
        for f in &self.findings {
            let _ = writeln!(
                out,
                "  {:<7} {:<7} {}: {}",
                f.domain.as_str(),
                f.severity.as_str(),
                f.subject,
                f.message
            );
            if let Some(fix) = &f.fix {
                let _ = writeln!(out, "                  fix: {fix}");
            }
        }
        out
    }
}

impl Health {
    /// Record whether `domain` is configured (its file at `path` exists); the source as text.
    fn domain(&mut self, domain: Domain, path: &std::path::Path) -> Option<String> {
        let source = path.display().to_string();
        let configured = std::fs::symlink_metadata(path).is_ok();
        self.domains.push(DomainStatus {
            domain,
            configured,
            source: source.clone(),
        });
        configured.then_some(source)
    }
}

/// A FIFO or device where a file should be would block a reader or never end: refuse
/// it. A missing file or a directory passes (the reader names those).
pub(crate) fn regular(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Check every domain.
pub fn check(o: &Options) -> Health {
    let mut h = Health {
        domains: Vec::new(),
        findings: Vec::new(),
    };
    gpu::check(o, &mut h);
    caddy::check(o, &mut h);
    ollama::check(o, &mut h);
    bisync::check(o, &mut h);
    vr::check(o, &mut h);
    h
}

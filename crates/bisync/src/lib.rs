//! `axios-bisync`: the guard around `rclone bisync`.
//!
//! Before every run it checks roots, markers, the mount point, file-count collapse, its own
//! lock and rclone's lock; it computes what rclone WILL delete from rclone's prior listings
//! and the current trees and refuses above a count cap and a percentage cap per side; it
//! keeps a journal of each run and reconciles after a crash so that finished copies never
//! become `..path1`/`..path2` conflicts and half-written files go to a quarantine folder.
//! It never runs `--resync` on its own. See README.md for the exit codes and the layout.

pub mod config;
mod current;
pub mod desktop;
pub mod fsutil;
pub mod guard;
pub mod listing;
pub mod name;
pub mod policy;
pub mod rclone;
pub mod reconcile;
pub mod report;
pub mod resync;
pub mod side;
pub mod state;

use std::path::PathBuf;

pub use config::{Config, PairConfig};
pub use guard::Guard;
pub use name::RelPath;
pub use report::{PairReport, ResultKind, StatusReport};
pub use resync::ResyncPlan;
pub use side::Side;

/// Exit code: every pair synced (or nothing to do).
pub const EXIT_OK: i32 = 0;
/// Exit code: a retryable failure (rclone error, another run in progress, network).
pub const EXIT_RETRY: i32 = 1;
/// Exit code: critical; the pair is locked out until `axios-bisync recover PAIR`.
pub const EXIT_CRITICAL: i32 = 2;
/// Exit code: a guard refused the run (caps, markers, mount, collapse, filters changed).
pub const EXIT_REFUSED: i32 = 3;
/// Exit code: configuration or usage error (bad config, unknown pair, missing rclone).
pub const EXIT_CONFIG: i32 = 4;

/// Everything that can go wrong, naming the file, pair or remote involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] axios_core::ConfigError),
    #[error("{path}: {message}")]
    InvalidConfig { path: PathBuf, message: String },
    #[error("unknown pair `{name}` (configured pairs: {known})")]
    UnknownPair { name: String, known: String },
    #[error("cannot run rclone `{bin}`: {source} (install rclone or set `rclone` in the config)")]
    RcloneMissing {
        bin: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unsupported rclone `{bin}`: {found}")]
    RcloneVersion { bin: PathBuf, found: String },
    #[error("rclone cannot use `{path}`: {message}")]
    Remote { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] axios_core::AtomicWriteError),
    #[error("{path}:{line}: cannot parse rclone listing: {message}")]
    Listing {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: corrupt state file ({message}); move it away to start over")]
    State { path: PathBuf, message: String },
    #[error("pair `{pair}`: {message}")]
    Refused { pair: String, message: String },
    #[error("aborted: {0}")]
    Aborted(String),
}

impl Error {
    /// The documented exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_)
            | Error::InvalidConfig { .. }
            | Error::UnknownPair { .. }
            | Error::RcloneMissing { .. }
            | Error::RcloneVersion { .. } => EXIT_CONFIG,
            Error::Remote { message, .. } if is_config_problem(message) => EXIT_CONFIG,
            Error::Refused { .. } | Error::Aborted(_) => EXIT_REFUSED,
            _ => EXIT_RETRY,
        }
    }
}

/// rclone messages that mean the remote is misconfigured, not temporarily unreachable.
fn is_config_problem(message: &str) -> bool {
    message.contains("didn't find section in config file")
        || message.contains("directory not found")
        || message.contains("config file")
}

/// A small deterministic pseudo-random sequence for the tests: `next(m)` is in `0..m`.
#[cfg(test)]
pub(crate) fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed;
    move |m| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    }
}

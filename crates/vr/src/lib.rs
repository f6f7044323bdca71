//! `axios-vr`: the OpenXR/OpenVR runtime selector.
//!
//! - [`config`]: the backends file the NixOS module generates (`[backends.<name>]`).
//! - [`paths`]: every path that touches the machine (`$HOME`, XDG dirs, `/etc`, sysfs), injectable.
//! - [`openxr`]: runtime manifests and the active runtime, resolved exactly as the loader does.
//! - [`openvr`]: `openvrpaths.vrpath`, rewritten keeping its other keys.
//! - [`units`]: backend units started and stopped through systemd over D-Bus.
//! - [`input`]: VR input devices (headsets, controllers, lighthouse receivers) from sysfs.
//! - [`snapshot`]: the saved state a transaction rolls back to.
//! - [`txn`]: the state directory, journal, lock, preflight checks and rollback.
//! - [`select`]: `select` as one transaction; [`restore`]: `restore` and `recover`.
//! - [`report`]: `list` and `status`.
//!
//! Exit codes (also in README.md): see the `EXIT_*` constants.

pub mod config;
pub mod input;
pub mod openvr;
pub mod openxr;
pub mod paths;
pub mod report;
pub mod restore;
pub mod select;
pub mod snapshot;
pub mod txn;
pub mod units;

use std::path::PathBuf;

pub use config::{Backend, Config};
pub use paths::Paths;

/// Exit code: done.
pub const EXIT_OK: i32 = 0;
/// Exit code: the switch failed part-way and everything was rolled back to the previous state.
pub const EXIT_ROLLED_BACK: i32 = 1;
/// Exit code: configuration or usage error (bad config, unknown backend, malformed manifest);
/// nothing was touched.
pub const EXIT_CONFIG: i32 = 2;
/// Exit code: refused before any change (a file owned by someone else or not writable,
/// D-Bus unavailable, another `axios-vr` running); nothing was touched.
pub const EXIT_REFUSED: i32 = 3;
/// Exit code: a failure AND the rollback could not restore everything; the message says what
/// is left and the journal stays so that the next `select` or `restore` finishes the job.
pub const EXIT_ROLLBACK_FAILED: i32 = 4;

/// Everything that can go wrong, naming the file, backend or unit involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] axios_core::ConfigError),
    #[error("{path}: {message}")]
    InvalidConfig { path: PathBuf, message: String },
    #[error("unknown backend `{name}` (configured backends: {known})")]
    UnknownBackend { name: String, known: String },
    #[error("backend `{backend}`: {source}")]
    Manifest {
        backend: String,
        #[source]
        source: openxr::ManifestError,
    },
    #[error("cannot determine {what}: {hint}")]
    Environment { what: String, hint: String },
    #[error("refused, nothing changed: {0}")]
    Refused(String),
    #[error("another axios-vr is switching runtimes right now ({0}); try again when it is done")]
    Busy(String),
    #[error(
        "D-Bus unavailable, nothing changed: cannot reach the {bus} bus for unit {unit}: {message}"
    )]
    BusUnavailable {
        bus: &'static str,
        unit: String,
        message: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: corrupt state ({message}); move it away to start over")]
    State { path: PathBuf, message: String },
    #[error("switch to `{backend}` failed at step `{step}`: {cause}; rolled back, the previous runtime is active again")]
    RolledBack {
        backend: String,
        step: String,
        cause: String,
    },
    #[error("{action} failed at step `{step}`: {cause}; the rollback ALSO failed: {rollback}. The journal {journal} is kept: run `axios-vr restore` or `axios-vr select` again to finish")]
    RollbackFailed {
        action: String,
        step: String,
        cause: String,
        rollback: String,
        journal: PathBuf,
    },
    #[error(
        "nothing to restore: no `select` has been made since the last restore ({0} does not exist)"
    )]
    NothingToRestore(PathBuf),
}

impl Error {
    /// The documented exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Config(_)
            | Error::InvalidConfig { .. }
            | Error::UnknownBackend { .. }
            | Error::Manifest { .. }
            | Error::Environment { .. } => EXIT_CONFIG,
            Error::Refused(_)
            | Error::Busy(_)
            | Error::BusUnavailable { .. }
            | Error::NothingToRestore(_) => EXIT_REFUSED,
            Error::Io { .. } | Error::State { .. } | Error::RolledBack { .. } => EXIT_ROLLED_BACK,
            Error::RollbackFailed { .. } => EXIT_ROLLBACK_FAILED,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

//! `axios-core`: the pieces every axiOS helper shares.
//!
//! - [`cli`]: the `generate man|bash|zsh|fish|elvish` subcommand and stdout writing.
//! - [`config`]: one TOML file per program, `deny_unknown_fields`, a `version` key,
//!   and errors that name the file, line, column and key.
//! - [`logging`]: `tracing` to stderr, or to the journal under systemd.
//! - [`notify`]: `sd_notify` READY / STATUS / WATCHDOG / STOPPING.
//! - [`fs`]: atomic file writes (temp + fsync + rename + directory fsync).
//! - [`lock`]: an advisory, non-blocking per-resource lock that records its holder.
//! - [`root`]: an injectable filesystem root so `/sys`, `/proc`, `/dev` can be fixtures.

pub mod cli;
pub mod config;
pub mod fs;
pub mod lock;
pub mod logging;
pub mod notify;
pub mod root;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{load_config, ConfigError, Versioned};
pub use fs::{atomic_write, AtomicWriteError};
pub use lock::{LockError, PidLock};
pub use root::{Root, RootError};

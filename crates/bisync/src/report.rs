//! What the guard reports: per-pair results and status.

use std::path::PathBuf;

use serde::Serialize;

use crate::name::RelPath;
use crate::state::Lockout;
use crate::{EXIT_CONFIG, EXIT_CRITICAL, EXIT_OK, EXIT_REFUSED, EXIT_RETRY};

/// How a pair's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultKind {
    Ok,
    /// rclone failed in a way a later run can fix.
    Retryable,
    /// Another run holds the pair.
    Busy,
    /// rclone hit a critical error; the pair is now locked out.
    Critical,
    /// The pair was already locked out.
    LockedOut,
    /// A guard refused the run.
    Refused,
    /// Configuration problem for this pair.
    ConfigError,
}

impl ResultKind {
    pub fn code(self) -> i32 {
        match self {
            ResultKind::Ok => EXIT_OK,
            ResultKind::Retryable | ResultKind::Busy => EXIT_RETRY,
            ResultKind::Critical | ResultKind::LockedOut => EXIT_CRITICAL,
            ResultKind::Refused => EXIT_REFUSED,
            ResultKind::ConfigError => EXIT_CONFIG,
        }
    }

    /// The kind for an error's exit code.
    pub fn of_error(e: &crate::Error) -> Self {
        match e.exit_code() {
            EXIT_CONFIG => ResultKind::ConfigError,
            EXIT_REFUSED => ResultKind::Refused,
            _ => ResultKind::Retryable,
        }
    }
}

/// The result of one pair. Names in JSON are surrogateescape strings (see `name.rs`).
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    pub pair: String,
    pub result: ResultKind,
    pub code: i32,
    pub message: String,
    /// Files moved to the quarantine folder by the reconciliation step (`path1/...`).
    pub quarantined: Vec<RelPath>,
}

impl PairReport {
    pub fn new(pair: &str, result: ResultKind, message: impl Into<String>) -> Self {
        Self {
            pair: pair.to_string(),
            result,
            code: result.code(),
            message: message.into(),
            quarantined: Vec::new(),
        }
    }

    pub fn with_quarantined(mut self, q: Vec<RelPath>) -> Self {
        self.quarantined = q;
        self
    }
}

/// Deletions a refused run would have made, as shown by `status`.
#[derive(Debug, Clone, Serialize)]
pub struct PendingView {
    pub at: u64,
    pub reason: String,
    pub delete_on_path2: usize,
    pub delete_on_path1: usize,
    /// Every file the run would delete on path2 / path1.
    pub files_path2: Vec<RelPath>,
    pub files_path1: Vec<RelPath>,
}

/// `status` for one pair.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub pair: String,
    pub path1: String,
    pub path2: PathBuf,
    pub initialized: bool,
    pub last_success: Option<u64>,
    pub last_attempt: Option<u64>,
    pub last_result: Option<String>,
    pub last_code: Option<i32>,
    pub locked_out: Option<Lockout>,
    pub pending: Option<PendingView>,
    pub approved: bool,
    pub running: bool,
    /// A run was cut short; the next run reconciles first.
    pub interrupted: bool,
}

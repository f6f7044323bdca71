//! The Caddy version in use, and the request-handling details that differ
//! between the versions users run (Debian's 2.6.2, nixpkgs' 2.10 and 2.11).
//!
//! Each difference was measured on real Caddy (tests/e2e.rs sends requests to
//! every version the test suite runs against):
//! - before 2.7.0 the path matcher trims trailing dots and spaces
//!   (`/health.` and `/health%20` match `/health`); 2.7.0 made that Windows-only;
//! - from 2.11 (built with Go 1.26) a path that lost its leading slash to
//!   `strip_path_prefix` (`/apix` minus `/api`, `/ollama%2Fapi` minus `/ollama`)
//!   reaches the upstream with a leading slash again; before, it arrives as
//!   `x` or `%2Fapi`.

use std::fmt;
use std::path::Path;
use std::process::Command;

use serde::Serialize;

/// A Caddy release: `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CaddyVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// Why the Caddy version could not be found out.
#[derive(Debug, thiserror::Error)]
pub enum VersionError {
    #[error("cannot run `{caddy} version`: {source} (install Caddy, name it with --caddy PATH, or give --caddy-version X.Y.Z)")]
    Run {
        caddy: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "`{caddy} version` printed {printed:?}, not a Caddy version (give --caddy-version X.Y.Z)"
    )]
    Unrecognised { caddy: String, printed: String },
    #[error("`{0}` is not a Caddy version such as 2.6.2 or v2.11.7")]
    Bad(String),
}

impl CaddyVersion {
    /// The oldest version users run (Debian); assumed when nothing else is known.
    pub const OLDEST: CaddyVersion = CaddyVersion::new(2, 6, 2);

    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        CaddyVersion {
            major,
            minor,
            patch,
        }
    }

    /// Parse the first word of `caddy version` (`v2.10.0 h1:...`, `2.6.2`,
    /// `v2.11.0-beta.1`).
    pub fn parse(text: &str) -> Option<Self> {
        let word = text.split_whitespace().next()?;
        let word = word.strip_prefix('v').unwrap_or(word);
        let core = word.split(['-', '+']).next()?;
        let mut it = core.split('.').map(|n| n.parse::<u32>().ok());
        let v = CaddyVersion::new(it.next()??, it.next()??, it.next().unwrap_or(Some(0))?);
        (it.next().is_none() && v.major >= 2).then_some(v)
    }

    /// `--caddy-version` text.
    pub fn parse_flag(text: &str) -> Result<Self, VersionError> {
        Self::parse(text).ok_or_else(|| VersionError::Bad(text.to_string()))
    }

    /// Run `caddy version`.
    pub fn detect(caddy: &Path) -> Result<Self, VersionError> {
        let name = caddy.display().to_string();
        let o = Command::new(caddy)
            .arg("version")
            .output()
            .map_err(|source| VersionError::Run {
                caddy: name.clone(),
                source,
            })?;
        let printed = String::from_utf8_lossy(&o.stdout).trim().to_string();
        Self::parse(&printed)
            .filter(|_| o.status.success())
            .ok_or(VersionError::Unrecognised {
                caddy: name,
                printed,
            })
    }

    /// The path matcher trims trailing dots and spaces from the request path.
    pub fn trims_trailing_dots(self) -> bool {
        self < CaddyVersion::new(2, 7, 0)
    }

    /// A stripped path without a leading slash gets one before it is proxied.
    pub fn restores_leading_slash(self) -> bool {
        self >= CaddyVersion::new(2, 11, 0)
    }
}

impl fmt::Display for CaddyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_caddy_prints() {
        assert_eq!(
            CaddyVersion::parse("v2.10.0 h1:fonubSaQKF1YANl8TXqGcn4IbIRUDdfAkpcsfI/vX5U="),
            Some(CaddyVersion::new(2, 10, 0))
        );
        assert_eq!(
            CaddyVersion::parse("2.6.2\n"),
            Some(CaddyVersion::new(2, 6, 2))
        );
        assert_eq!(
            CaddyVersion::parse("v2.11.0-beta.1 h1:x"),
            Some(CaddyVersion::new(2, 11, 0))
        );
        for bad in ["", "(devel)", "v1.0.4", "2.x.1", "2.6.2.1"] {
            assert_eq!(CaddyVersion::parse(bad), None, "{bad}");
        }
        assert!(CaddyVersion::new(2, 6, 2).trims_trailing_dots());
        assert!(!CaddyVersion::new(2, 7, 0).trims_trailing_dots());
        assert!(!CaddyVersion::new(2, 10, 2).restores_leading_slash());
        assert!(CaddyVersion::new(2, 11, 7).restores_leading_slash());
    }
}

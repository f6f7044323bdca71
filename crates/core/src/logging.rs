//! Logging: `tracing` to stderr, or to the systemd journal when `JOURNAL_STREAM` is set.

use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

/// Map `-v`/`-q` counts to a default level: -q warn, none info, -v debug, -vv trace.
pub fn level_for(verbose: u8, quiet: u8) -> &'static str {
    match i16::from(verbose) - i16::from(quiet) {
        i16::MIN..=-2 => "error",
        -1 => "warn",
        0 => "info",
        1 => "debug",
        _ => "trace",
    }
}

/// Install the global subscriber. `RUST_LOG` overrides the level from the flags.
/// Safe to call more than once (later calls do nothing).
pub fn init(verbose: u8, quiet: u8) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(level_for(verbose, quiet)));
    let under_journal = std::env::var_os("JOURNAL_STREAM").is_some();
    if under_journal {
        if let Ok(journald) = tracing_journald::layer() {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(journald)
                .try_init();
            return;
        }
    }
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::level_for;

    #[test]
    fn levels() {
        assert_eq!(level_for(0, 0), "info");
        assert_eq!(level_for(1, 0), "debug");
        assert_eq!(level_for(3, 0), "trace");
        assert_eq!(level_for(0, 1), "warn");
        assert_eq!(level_for(0, 2), "error");
    }
}

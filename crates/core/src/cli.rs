//! What every axiOS command line shares: the `generate man|bash|zsh|fish|elvish`
//! subcommand that prints the man page or shell completions from the program's own
//! clap definition (the package installs them, so help, man page and completions
//! never disagree), command-line parsing with the program's usage exit code, and
//! writing a report to stdout that tolerates a closed pipe.

use std::io::Write;

/// `-v`/`-q`, the logging flags of every program; embed with `#[command(flatten)]`.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct Verbosity {
    /// More log output (-v debug, -vv trace; RUST_LOG overrides).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Less log output (-q warnings only, -qq errors only).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub quiet: u8,
}

impl Verbosity {
    /// [`crate::logging::init`] with these counts.
    pub fn init_logging(self) {
        crate::logging::init(self.verbose, self.quiet);
    }
}

/// What `generate` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Generated {
    /// The man page (roff).
    Man,
    /// Bash completions.
    Bash,
    /// Zsh completions.
    Zsh,
    /// Fish completions.
    Fish,
    /// Elvish completions.
    Elvish,
}

/// The arguments of the `generate` subcommand; embed as
/// `Generate(axios_core::cli::GenerateArgs)` in a program's subcommand enum.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    #[arg(value_enum)]
    pub what: Generated,
}

/// Writes the man page or the completions of `cmd` (the program's full clap
/// definition, `Cli::command()`) to `out`; the program name is the command's name.
///
/// # Errors
/// Writing to `out` failed.
pub fn generate(
    mut cmd: clap::Command,
    what: Generated,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let shell = match what {
        Generated::Man => return clap_mangen::Man::new(cmd).render(out),
        Generated::Bash => clap_complete::Shell::Bash,
        Generated::Zsh => clap_complete::Shell::Zsh,
        Generated::Fish => clap_complete::Shell::Fish,
        Generated::Elvish => clap_complete::Shell::Elvish,
    };
    let name = cmd.get_name().to_string();
    clap_complete::generate(shell, &mut cmd, name, out);
    Ok(())
}

/// Parses the command line into `C`; on `--help`/`--version` prints them and gives
/// exit code 0, on a usage error prints clap's message and gives `usage_exit` (the
/// program's documented code for configuration and usage errors).
///
/// # Errors
/// The exit code to end the program with, after clap has printed its text.
pub fn parse<C: clap::Parser>(usage_exit: u8) -> Result<C, std::process::ExitCode> {
    C::try_parse().map_err(|e| {
        let _ = e.print();
        std::process::ExitCode::from(if e.use_stderr() { usage_exit } else { 0 })
    })
}

/// [`generate`] to stdout, through [`write_stdout`].
///
/// # Errors
/// Rendering or writing to stdout failed (a closed pipe is not an error).
pub fn generate_to_stdout(cmd: clap::Command, what: Generated) -> std::io::Result<()> {
    let mut buf = Vec::new();
    generate(cmd, what, &mut buf)?;
    write_stdout(&buf)
}

/// Writes `bytes` to stdout and flushes; a reader that went away (`| head`,
/// `BrokenPipe`) is not an error.
///
/// # Errors
/// Any other write error.
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> clap::Command {
        clap::Command::new("demo")
            .subcommand(clap::Command::new("alpha").about("first"))
            .subcommand(clap::Command::new("beta").arg(clap::Arg::new("dry-run").long("dry-run")))
    }

    fn text(what: Generated) -> String {
        let mut out = Vec::new();
        generate(cmd(), what, &mut out).expect("generate");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn every_kind_names_the_program_and_its_subcommands() {
        assert!(text(Generated::Man).contains(".TH demo 1"));
        assert!(text(Generated::Man).contains("alpha"));
        assert!(text(Generated::Bash).contains("complete -F _demo"));
        assert!(text(Generated::Bash).contains("--dry-run"));
        assert!(text(Generated::Zsh).contains("#compdef demo"));
        assert!(text(Generated::Fish).contains("complete -c demo"));
        assert!(text(Generated::Elvish).contains("beta"));
    }
}

//! `axios`: the axiOS command line.
//!
//! Exit codes: 0 success; 1 detection failed (unreadable or malformed system
//! root); 2 usage error (unknown flag or command).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "axios", version, about = "The axiOS command line")]
struct Cli {
    /// More logging (-v debug, -vv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Less logging.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    quiet: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Detect this machine's CPU, GPUs (with NixOS PRIME bus IDs), form factor and disks.
    Doctor {
        /// Print a stable JSON document instead of the text report.
        #[arg(long)]
        json: bool,
        /// A directory standing in for `/` (its sys/ and proc/), e.g. a fixture tree.
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
    },
}

fn run(cli: Cli) -> anyhow::Result<()> {
    axios_core::logging::init(cli.verbose, cli.quiet);
    match cli.command {
        Command::Doctor { json, root } => {
            let root = axios_core::Root::new(&root)?;
            let report = axios_cli::doctor(&root).with_context(|| {
                format!("hardware detection under {} failed", root.base().display())
            })?;
            let text = if json {
                let mut t =
                    serde_json::to_string_pretty(&report).context("serialising the report")?;
                t.push('\n');
                t
            } else {
                report.to_text()
            };
            write_stdout(&text)?;
        }
    }
    Ok(())
}

/// Print to stdout; a reader that went away (`axios doctor | head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the report to stdout")
        }
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axios: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

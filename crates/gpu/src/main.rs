//! `axios-gpu`: the axiOS GPU manager.
//!
//! Exit codes: 0 success; 1 failure (detection, I/O, daemon start); 2 usage error
//! (unknown flag, malformed or out-of-range bus ID); 3 `check-prime` found stale IDs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use axios_gpu::prime::{BusId, PrimeRole};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "axios-gpu",
    version,
    about = "The axiOS GPU manager: detection, PRIME bus IDs, status, hang watcher"
)]
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
    /// List every display controller with its NixOS PRIME bus ID (never wakes a suspended dGPU).
    Detect {
        /// A directory standing in for `/` (its sys/), e.g. a fixture tree.
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        /// Print a stable JSON document.
        #[arg(long, conflicts_with = "nix")]
        json: bool,
        /// Print a ready `axios.hardware.prime` snippet (or why PRIME is not needed).
        #[arg(long)]
        nix: bool,
    },
    /// Compare configured PRIME bus IDs with the hardware; exit 3 naming each stale ID.
    CheckPrime {
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        /// `hardware.nvidia.prime.nvidiaBusId` (decimal, e.g. PCI:1:0:0).
        #[arg(long, value_name = "ID")]
        nvidia: BusId,
        /// `intelBusId`.
        #[arg(
            long,
            value_name = "ID",
            required_unless_present = "amdgpu",
            conflicts_with = "amdgpu"
        )]
        intel: Option<BusId>,
        /// `amdgpuBusId`.
        #[arg(long, value_name = "ID")]
        amdgpu: Option<BusId>,
        #[arg(long)]
        json: bool,
    },
    /// Live figures per GPU (NVML for NVIDIA, amdgpu sysfs for AMD); suspended GPUs are not read.
    Status {
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        #[arg(long, conflicts_with = "watch")]
        json: bool,
        /// Read runtime-suspended GPUs too (this wakes them up).
        #[arg(long)]
        wake: bool,
        /// The NVML library to load (default: /run/opengl-driver/lib/libnvidia-ml.so.1, then the loader's search).
        #[arg(long, value_name = "PATH")]
        nvml_lib: Option<PathBuf>,
        /// Refresh the table every SECS seconds until interrupted.
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
        watch: Option<u64>,
    },
}

enum Outcome {
    Ok,
    Stale,
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    axios_core::logging::init(cli.verbose, cli.quiet);
    match cli.command {
        Command::Detect { root, json, nix } => {
            let root = axios_core::Root::new(&root)?;
            let gpus = axios_gpu::detect_gpus(&root)
                .with_context(|| format!("GPU detection under {} failed", root.base().display()))?;
            let text = if nix {
                axios_gpu::prime::nix_snippet(&gpus)
            } else {
                let view =
                    axios_gpu::view::DetectView::new(&root.base().display().to_string(), &gpus);
                if json {
                    json_text(&view)?
                } else {
                    view.to_text()
                }
            };
            write_stdout(&text)?;
        }
        Command::CheckPrime {
            root,
            nvidia,
            intel,
            amdgpu,
            json,
        } => {
            let root = axios_core::Root::new(&root)?;
            let gpus = axios_gpu::detect_gpus(&root)
                .with_context(|| format!("GPU detection under {} failed", root.base().display()))?;
            let mut ids = vec![(PrimeRole::Nvidia, nvidia)];
            ids.extend(intel.map(|i| (PrimeRole::Intel, i)));
            ids.extend(amdgpu.map(|a| (PrimeRole::Amdgpu, a)));
            let check = axios_gpu::prime::check(&root, &gpus, &ids)?;
            let text = if json {
                json_text(&check)?
            } else {
                let mut t = String::new();
                for e in &check.entries {
                    t.push_str(if e.ok { "ok     " } else { "STALE  " });
                    t.push_str(&e.message);
                    t.push('\n');
                }
                t
            };
            write_stdout(&text)?;
            if !check.ok {
                return Ok(Outcome::Stale);
            }
        }
        Command::Status {
            root,
            json,
            wake,
            nvml_lib,
            watch,
        } => {
            let root = axios_core::Root::new(&root)?;
            let opts = axios_gpu::status::StatusOptions { wake, nvml_lib };
            loop {
                let gpus = axios_gpu::detect_gpus(&root).with_context(|| {
                    format!("GPU detection under {} failed", root.base().display())
                })?;
                let report = axios_gpu::status::status(&root, &gpus, &opts);
                let text = if json {
                    json_text(&report)?
                } else {
                    report.to_text()
                };
                match watch {
                    None => {
                        write_stdout(&text)?;
                        break;
                    }
                    Some(secs) => {
                        use std::io::IsTerminal;
                        let clear = if std::io::stdout().is_terminal() {
                            "\x1b[H\x1b[2J"
                        } else {
                            ""
                        };
                        write_stdout(&format!("{clear}{text}\n"))?;
                        std::thread::sleep(std::time::Duration::from_secs(secs));
                    }
                }
            }
        }
    }
    Ok(Outcome::Ok)
}

fn json_text<T: serde::Serialize>(v: &T) -> anyhow::Result<String> {
    let mut t = serde_json::to_string_pretty(v).context("serialising JSON")?;
    t.push('\n');
    Ok(t)
}

/// Print to stdout; a reader that went away (`axios-gpu detect | head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("writing to stdout"),
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Stale) => ExitCode::from(3),
        Err(e) => {
            eprintln!("axios-gpu: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

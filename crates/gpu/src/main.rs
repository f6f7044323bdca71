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
    #[command(flatten)]
    log: axios_core::cli::Verbosity,
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
        /// Also write the result as JSON to FILE (the boot unit uses /run/axios-gpu/check-prime.json, which `axios doctor` reads).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// The hang watcher daemon (systemd Type=notify): records incidents, applies the policy, serves D-Bus.
    Watch {
        #[command(flatten)]
        args: WatchArgs,
        /// Check the configuration (and print it resolved as JSON), then exit.
        #[arg(long)]
        check: bool,
    },
    /// List the incidents the watcher recorded.
    Incidents {
        /// The watcher's state directory.
        #[arg(long, value_name = "DIR", default_value = "/var/lib/axios-gpu")]
        state_dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Trigger amdgpu GPU recovery of DRM card N through debugfs (root only).
    Recover {
        /// The DRM minor: N of /dev/dri/cardN.
        #[arg(long, value_name = "N")]
        card: u32,
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
    },
    /// Print the man page (`man`) or shell completions (`bash`, `zsh`, `fish`, `elvish`) to stdout.
    Generate(axios_core::cli::GenerateArgs),
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

#[derive(clap::Args)]
struct WatchArgs {
    /// TOML config (see the README); flags override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Incident log and devcoredump copies.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Kernel log to follow: /dev/kmsg, a recorded file, or a FIFO.
    #[arg(long, value_name = "FILE|FIFO")]
    kmsg: Option<PathBuf>,
    /// Read uevents from a Unix datagram socket bound here instead of netlink.
    #[arg(long, value_name = "PATH")]
    uevent_socket: Option<PathBuf>,
    #[arg(long, value_name = "MS")]
    debounce_ms: Option<u64>,
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    #[arg(long, value_name = "UNIT")]
    restart_unit: Option<String>,
    #[arg(long, value_name = "N")]
    max_resets: Option<u32>,
    #[arg(long, value_name = "SECS")]
    window_secs: Option<u64>,
    #[arg(long, value_name = "PATH")]
    systemctl: Option<PathBuf>,
    /// D-Bus to serve org.axios.Gpu1 on: `system`, `none`, or a bus address.
    #[arg(long, value_name = "BUS", default_value = "system")]
    bus: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PolicyArg {
    Notify,
    RestartUnit,
}

impl WatchArgs {
    fn resolve(
        self,
    ) -> anyhow::Result<(axios_gpu::config::WatchConfig, axios_gpu::watch::BusChoice)> {
        use axios_gpu::config::WatchConfig;
        let mut c = match &self.config {
            Some(p) => WatchConfig::load(p)?,
            None => WatchConfig::default(),
        };
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { c.$f = v.into(); } )* };
        }
        set!(
            state_dir,
            root,
            kmsg,
            debounce_ms,
            max_resets,
            window_secs,
            systemctl
        );
        if self.uevent_socket.is_some() {
            c.uevent_socket = self.uevent_socket;
        }
        if self.restart_unit.is_some() {
            c.restart_unit = self.restart_unit;
        }
        if let Some(p) = self.policy {
            c.policy = match p {
                PolicyArg::Notify => axios_gpu::policy::PolicyKind::Notify,
                PolicyArg::RestartUnit => axios_gpu::policy::PolicyKind::RestartUnit,
            };
        }
        c.validate()
            .map_err(|m| anyhow::anyhow!("invalid watch settings: {m}"))?;
        let bus = match self.bus.as_str() {
            "system" => axios_gpu::watch::BusChoice::System,
            "none" => axios_gpu::watch::BusChoice::None,
            a => axios_gpu::watch::BusChoice::Address(a.to_string()),
        };
        Ok((c, bus))
    }
}

enum Outcome {
    Ok,
    Stale,
}

fn run(cli: Cli) -> anyhow::Result<Outcome> {
    cli.log.init_logging();
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
            report,
        } => {
            let root = axios_core::Root::new(&root)?;
            let gpus = axios_gpu::detect_gpus(&root)
                .with_context(|| format!("GPU detection under {} failed", root.base().display()))?;
            let mut ids = vec![(PrimeRole::Nvidia, nvidia)];
            ids.extend(intel.map(|i| (PrimeRole::Intel, i)));
            ids.extend(amdgpu.map(|a| (PrimeRole::Amdgpu, a)));
            let check = axios_gpu::prime::check(&root, &gpus, &ids)?;
            if let Some(path) = &report {
                axios_gpu::prime::write_report(path, &check)?;
            }
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
        Command::Watch { args, check } => {
            let (cfg, bus) = args.resolve()?;
            if check {
                write_stdout(&format!("{cfg:#?}\n"))?;
                return Ok(Outcome::Ok);
            }
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            rt.block_on(axios_gpu::watch::run(cfg, bus))?;
        }
        Command::Generate(g) => {
            use clap::CommandFactory;
            axios_core::cli::generate_to_stdout(Cli::command(), g.what)
                .context("writing the man page or completions to stdout")?;
        }
        Command::Incidents { state_dir, json } => {
            let (list, bad) = axios_gpu::incident::load(&state_dir)?;
            if bad > 0 {
                tracing::warn!(
                    "{bad} unreadable line(s) in {} skipped",
                    axios_gpu::incident::log_path(&state_dir).display()
                );
            }
            let text = if json {
                json_text(&list)?
            } else if list.is_empty() {
                format!("No incidents recorded in {}.\n", state_dir.display())
            } else {
                axios_gpu::incident::to_text(&list)
            };
            write_stdout(&text)?;
        }
        Command::Recover { card, root } => {
            let root = axios_core::Root::new(&root)?;
            let answer = axios_gpu::recover::recover(&root, card, true)?;
            write_stdout(&format!(
                "recovery of card{card} triggered{}\n",
                if answer.is_empty() {
                    String::new()
                } else {
                    format!(": {answer}")
                }
            ))?;
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
    axios_core::cli::write_stdout(text.as_bytes()).context("writing to stdout")
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

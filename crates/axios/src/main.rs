//! `axios`: the axiOS command line.
//!
//! Exit codes: 0 success (doctor: no finding worse than info); 1 failure
//! (detection failed, unreadable system root, I/O; nothing half-written);
//! 2 usage error (unknown flag, invalid or missing value); 3 doctor: the worst
//! finding is a warning; 4 doctor: the worst finding is an error; 5 init:
//! files exist and --force was not given (nothing written).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "axios", version, about = "The axiOS command line")]
struct Cli {
    #[command(flatten)]
    log: axios_core::cli::Verbosity,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Detect this machine's CPU, GPUs (with NixOS PRIME bus IDs), form factor and disks, and check
    /// every configured domain (GPU, Caddy, Ollama, bisync, VR); exit 3/4 on a warning/error.
    Doctor {
        /// Print a stable JSON document instead of the text report.
        #[arg(long)]
        json: bool,
        /// A directory standing in for `/` (its sys/ and proc/), e.g. a fixture tree.
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        /// The boot-time PRIME check result [default: ROOT/run/axios-gpu/check-prime.json].
        #[arg(long, value_name = "FILE", env = "AXIOS_GPU_PRIME_CHECK")]
        gpu_prime_check: Option<PathBuf>,
        /// The GPU hang watcher's state directory [default: ROOT/var/lib/axios-gpu].
        #[arg(long, value_name = "DIR", env = "AXIOS_GPU_STATE_DIR")]
        gpu_state_dir: Option<PathBuf>,
        /// The Caddy route registry [default: ROOT/etc/axios/caddy-routes.json].
        #[arg(long, value_name = "FILE", env = "AXIOS_CADDY_ROUTES")]
        caddy_routes: Option<PathBuf>,
        /// Caddy's admin endpoint.
        #[arg(long, value_name = "ADDR", env = "AXIOS_CADDY_ADMIN", default_value = axios_cli::health::CADDY_ADMIN)]
        caddy_admin: String,
        /// axios-ollama's preload config [default: ROOT/etc/axios/ollama/preload.toml].
        #[arg(long, value_name = "FILE", env = "AXIOS_OLLAMA_PRELOAD_CONFIG")]
        ollama_preload_config: Option<PathBuf>,
        /// The last preload's summary [default: ROOT/run/axios-ollama/preload.json].
        #[arg(long, value_name = "FILE", env = "AXIOS_OLLAMA_PRELOAD_SUMMARY")]
        ollama_preload_summary: Option<PathBuf>,
        /// axios-ollama's proxy config [default: ROOT/etc/axios/ollama/proxy.toml].
        #[arg(long, value_name = "FILE", env = "AXIOS_OLLAMA_PROXY_CONFIG")]
        ollama_proxy_config: Option<PathBuf>,
        /// The user's axios-bisync config [default: ROOT/$XDG_CONFIG_HOME/axios/bisync.toml].
        #[arg(long, value_name = "FILE", env = "AXIOS_BISYNC_CONFIG")]
        bisync_config: Option<PathBuf>,
        /// The axios-vr backends file [default: ROOT/etc/axios/vr.toml]; the user's runtime
        /// files come from HOME and the XDG variables, as for axios-vr.
        #[arg(long, value_name = "FILE", env = "AXIOS_VR_CONFIG")]
        vr_config: Option<PathBuf>,
        /// Seconds to wait for Caddy, each upstream, Ollama and its proxy.
        #[arg(long, value_name = "SECS", default_value_t = 3.0)]
        timeout: f64,
        /// Hardware report only: check no domain.
        #[arg(long)]
        hardware_only: bool,
    },
    /// Write a configuration flake for this machine into DIR (asks on a terminal).
    Init(InitArgs),
    /// Print the man page (`man`) or shell completions (`bash`, `zsh`, `fish`, `elvish`) to stdout.
    Generate(axios_core::cli::GenerateArgs),
}

#[derive(clap::Args)]
struct InitArgs {
    /// The directory to write (created when missing).
    dir: PathBuf,
    /// A directory standing in for `/` (facts, etc/hostname, etc/nixos/hardware-configuration.nix).
    #[arg(long, value_name = "DIR", default_value = "/")]
    root: PathBuf,
    /// Host name (RFC 1123 label).
    #[arg(long)]
    hostname: Option<String>,
    /// Login name of the user.
    #[arg(long)]
    user: Option<String>,
    /// The user's full name [default: the login name].
    #[arg(long)]
    full_name: Option<String>,
    /// The user's e-mail address.
    #[arg(long)]
    email: Option<String>,
    /// Time zone, a tz database name such as Europe/Paris.
    #[arg(long)]
    timezone: Option<String>,
    /// Locale [default: the machine's, else en_US.UTF-8].
    #[arg(long)]
    locale: Option<String>,
    /// desktop, laptop or server [default: detected].
    #[arg(long)]
    form_factor: Option<String>,
    /// Modules to turn on, comma-separated (system, networking and users are always on).
    #[arg(long, value_delimiter = ',')]
    modules: Option<Vec<String>>,
    /// Ask nothing: use flags and detected values (fails naming what is missing).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Overwrite files that exist.
    #[arg(long)]
    force: bool,
    /// Print the files instead of writing them.
    #[arg(long)]
    dry_run: bool,
    /// The axiOS flake URL for flake.nix.
    #[arg(long, default_value = axios_cli::init::render::AXIOS_URL)]
    axios_url: String,
}

/// An error with its documented exit code.
#[derive(Debug)]
struct Exit(u8, anyhow::Error);

impl<E: Into<anyhow::Error>> From<E> for Exit {
    fn from(e: E) -> Self {
        Exit(1, e.into())
    }
}

fn run(cli: Cli) -> Result<u8, Exit> {
    cli.log.init_logging();
    match cli.command {
        Command::Generate(g) => {
            use clap::CommandFactory;
            axios_core::cli::generate_to_stdout(Cli::command(), g.what)
                .context("writing the man page or completions to stdout")?;
            Ok(0)
        }
        Command::Doctor {
            json,
            root,
            caddy_routes,
            caddy_admin,
            bisync_config,
            ollama_preload_config,
            ollama_preload_summary,
            ollama_proxy_config,
            gpu_prime_check,
            gpu_state_dir,
            vr_config,
            timeout,
            hardware_only,
        } => {
            let root = axios_core::Root::new(&root)?;
            let report = axios_cli::doctor(&root).with_context(|| {
                format!("hardware detection under {} failed", root.base().display())
            })?;
            if !(timeout.is_finite() && timeout > 0.0 && timeout <= 600.0) {
                return Err(Exit(
                    2,
                    anyhow::anyhow!("--timeout {timeout}: give seconds between 0 and 600"),
                ));
            }
            let health = (!hardware_only).then(|| {
                // default paths are the installed ones, under --root
                let bisync_config = bisync_config.or_else(|| {
                    axios_bisync::config::default_config_path()
                        .map(|p| root.path(p.strip_prefix("/").unwrap_or(&p)))
                });
                let under_root = |p: &str| root.path(p.trim_start_matches('/'));
                axios_cli::health::check(&axios_cli::health::Options {
                    gpu_prime_check: gpu_prime_check
                        .unwrap_or_else(|| under_root(axios_gpu::prime::BOOT_CHECK_FILE)),
                    gpu_state_dir: gpu_state_dir
                        .unwrap_or_else(|| under_root(axios_cli::health::GPU_STATE_DIR)),
                    vr_config: vr_config
                        .unwrap_or_else(|| under_root(axios_vr::config::DEFAULT_CONFIG)),
                    // the loader's SYSCONFDIR and the input devices' sysfs, under --root
                    vr_paths: vr_user().and_then(|()| {
                        axios_vr::Paths::from_env(
                            Some(under_root("/etc")),
                            Some(root.base().to_path_buf()),
                        )
                        .map_err(|_| {
                            "HOME is not set: no user whose OpenXR runtime to check".to_string()
                        })
                    }),
                    ollama_preload: ollama_preload_config
                        .unwrap_or_else(|| under_root(axios_cli::health::OLLAMA_PRELOAD)),
                    ollama_preload_summary: ollama_preload_summary
                        .unwrap_or_else(|| under_root(axios_cli::health::OLLAMA_PRELOAD_SUMMARY)),
                    ollama_proxy: ollama_proxy_config
                        .unwrap_or_else(|| under_root(axios_cli::health::OLLAMA_PROXY)),
                    root: root.clone(),
                    caddy_routes: caddy_routes
                        .unwrap_or_else(|| under_root(axios_cli::health::CADDY_ROUTES)),
                    caddy_admin,
                    bisync_config,
                    timeout: Duration::from_secs_f64(timeout),
                    now: axios_bisync::state::now_secs(),
                })
            });
            let text = if json {
                let mut v = serde_json::to_value(&report).context("serialising the report")?;
                if let (Some(h), Some(obj)) = (&health, v.as_object_mut()) {
                    obj.insert("health".into(), serde_json::to_value(h)?);
                    obj.insert("worst".into(), serde_json::to_value(h.worst())?);
                }
                let mut t = serde_json::to_string_pretty(&v).context("serialising the report")?;
                t.push('\n');
                t
            } else {
                let mut t = report.to_text();
                if let Some(h) = &health {
                    t.push('\n');
                    t.push_str(&h.to_text());
                }
                t
            };
            write_stdout(&text)?;
            use axios_cli::health::Severity;
            Ok(match health.map(|h| h.worst()) {
                Some(Severity::Error) => 4,
                Some(Severity::Warning) => 3,
                _ => 0,
            })
        }
        Command::Init(a) => init(a),
    }
}

fn init(a: InitArgs) -> Result<u8, Exit> {
    use axios_cli::init::{self, InitError};
    use std::io::IsTerminal;
    let root = axios_core::Root::new(&a.root)?;
    let facts = init::Facts::detect(&root)
        .with_context(|| format!("hardware detection under {} failed", root.base().display()))?;
    let live_user = (root.base() == std::path::Path::new("/"))
        .then(|| {
            std::env::var("SUDO_USER")
                .or_else(|_| std::env::var("USER"))
                .ok()
        })
        .flatten();
    let defaults = init::defaults(&root, &facts, live_user);
    let given = init::Given {
        hostname: a.hostname,
        user: a.user,
        full_name: a.full_name,
        email: a.email,
        timezone: a.timezone,
        locale: a.locale,
        form_factor: a.form_factor,
        modules: a.modules,
    };
    let interactive = !a.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let usage = |e: InitError| match e {
        InitError::Value(_) => Exit(2, e.into()),
        InitError::Write(init::WriteError::Exists { .. }) => Exit(5, e.into()),
        e => Exit(1, e.into()),
    };
    let answers = if interactive {
        init::prompt::interactive(&given, &defaults, &facts).map_err(usage)?
    } else {
        init::resolve(&given, &defaults, &facts).map_err(|e| usage(e.into()))?
    };
    let files = init::files(&answers, &facts, &root, &a.axios_url).map_err(usage)?;
    if a.dry_run {
        let exists = init::write::existing(&a.dir, &files);
        let mut out = String::new();
        for f in &files {
            let note = if exists.contains(&f.path) {
                if a.force {
                    " (exists: would be overwritten)"
                } else {
                    " (exists: refused without --force)"
                }
            } else {
                ""
            };
            out.push_str(&format!(
                "==> {}{note} <==\n{}\n",
                a.dir.join(&f.path).display(),
                f.text
            ));
        }
        write_stdout(&out)?;
        if !exists.is_empty() && !a.force {
            return Err(usage(
                init::WriteError::Exists {
                    dir: a.dir.clone(),
                    files: exists,
                }
                .into(),
            ));
        }
        return Ok(0);
    }
    init::write::write(&a.dir, &files, a.force).map_err(|e| usage(e.into()))?;
    let mut out = format!("wrote {}:\n", a.dir.display());
    for f in &files {
        out.push_str(&format!("  {}\n", f.path));
    }
    out.push_str(&format!(
        "next: cd {} && git init && git add -A && sudo nixos-rebuild switch --flake .#{}\n",
        a.dir.display(),
        answers.hostname
    ));
    write_stdout(&out)?;
    Ok(0)
}

/// VR runtimes are per user: `sudo axios doctor` (to read the GPU watcher's root-only
/// state) would check root's, which is not what anybody uses.
fn vr_user() -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    match std::env::var("SUDO_USER") {
        Ok(u) if root && !u.is_empty() && u != "root" => Err(format!(
            "doctor runs as root through sudo: OpenXR runtimes are per user, run `axios doctor` as {u} (without sudo) to check theirs"
        )),
        _ => Ok(()),
    }
}

/// Print to stdout; a reader that went away (`axios doctor | head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    axios_core::cli::write_stdout(text.as_bytes()).context("writing the report to stdout")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Exit(code, e)) => {
            eprintln!("axios: error: {e:#}");
            ExitCode::from(code)
        }
    }
}

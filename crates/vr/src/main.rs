//! `axios-vr`: switch the OpenXR/OpenVR runtime between VR backends in one transaction.
//! Exit codes (README.md): 0 ok, 1 failed and rolled back (previous state in place),
//! 2 config/usage error, 3 refused before any change, 4 rollback incomplete.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use axios_vr::report::{self, ListReport, StatusReport};
use axios_vr::restore;
use axios_vr::select::{self, Plan};
use axios_vr::txn::{self, Outcome};
use axios_vr::units::{Bus, Systemd, UnitControl, UnitRef};
use axios_vr::{Config, Paths, EXIT_CONFIG, EXIT_OK};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "axios-vr",
    version,
    about = "Switch the OpenXR/OpenVR runtime between VR backends (WiVRn, ALVR, Monado) in one transaction",
    after_help = "Exit codes: 0 done; 1 the switch failed and was rolled back (previous state in place); \
2 configuration or usage error (nothing touched); 3 refused before any change (foreign owner, \
read-only, malformed vrpath, D-Bus unreachable, another run); 4 the rollback failed too (run \
`axios-vr recover`).\n\nFiles: /etc/axios/vr.toml (backends); $XDG_STATE_HOME/axios/vr/ \
(state.json, original/, journal/, lock)."
)]
struct Cli {
    /// The backends file [default: /etc/axios/vr.toml, the one the NixOS module installs]
    #[arg(long, global = true, env = "AXIOS_VR_CONFIG")]
    config: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    /// The system configuration directory the OpenXR loader searches last (its SYSCONFDIR).
    #[arg(
        long,
        global = true,
        env = "AXIOS_VR_SYSCONFDIR",
        default_value = "/etc"
    )]
    sysconfdir: PathBuf,
    /// The root below which sys/class/input is read (for fixtures).
    #[arg(long, global = true, env = "AXIOS_VR_SYSFS_ROOT", default_value = "/")]
    sysfs_root: PathBuf,
    #[command(flatten)]
    log: axios_core::cli::Verbosity,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The configured backends and every runtime manifest on the standard paths.
    List,
    /// The effective OpenXR runtime, the OpenVR paths, backend units, leftovers, devices.
    Status,
    /// Switch to BACKEND (the configured default when omitted) as one transaction.
    Select {
        backend: Option<String>,
        /// Print the plan, change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Put back the state from before the first `select`.
    Restore,
    /// Roll back a switch that was interrupted (killed, power loss); select and restore
    /// do this first on their own.
    Recover,
    /// Print the man page (`man`) or shell completions (`bash`, `zsh`, `fish`, `elvish`) to stdout.
    Generate(axios_core::cli::GenerateArgs),
    /// Check the backends file (the NixOS module runs this at build time).
    Check {
        /// Also require every manifest, library and openvr_runtime to exist.
        #[arg(long)]
        strict: bool,
    },
}

fn main() -> ExitCode {
    let cli = match axios_core::cli::parse::<Cli>(EXIT_CONFIG as u8) {
        Ok(c) => c,
        Err(code) => return code,
    };
    cli.log.init_logging();
    match real_main(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            // our errors already say their cause: print them once, not as a chain
            match e.downcast_ref::<axios_vr::Error>() {
                Some(own) => eprintln!("axios-vr: {own}"),
                None => eprintln!("axios-vr: {e:#}"),
            }
            let code = e
                .downcast_ref::<axios_vr::Error>()
                .map(axios_vr::Error::exit_code)
                .unwrap_or(EXIT_CONFIG);
            ExitCode::from(code as u8)
        }
    }
}

fn systemd_for(cfg: &Config) -> Result<Systemd, axios_vr::Error> {
    let units = txn::all_units(cfg);
    Systemd::connect(&units, Duration::from_secs(cfg.job_timeout_secs)).map_err(|e| {
        let (bus, unit) = match &e {
            axios_vr::units::UnitError::Connect { bus, .. } => (
                *bus,
                units
                    .iter()
                    .find(|u| u.bus == *bus)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
            ),
            _ => (Bus::Session, String::new()),
        };
        axios_vr::Error::BusUnavailable {
            bus: bus.name(),
            unit,
            message: format!(
                "{e} (set {} or start the bus)",
                if bus == Bus::Session {
                    "DBUS_SESSION_BUS_ADDRESS"
                } else {
                    "DBUS_SYSTEM_BUS_ADDRESS"
                }
            ),
        }
    })
}

fn real_main(cli: Cli) -> anyhow::Result<i32> {
    // generated from the clap definition, so help, man page and completions agree
    if let Cmd::Generate(g) = &cli.cmd {
        let cmd = <Cli as clap::CommandFactory>::command();
        axios_core::cli::generate_to_stdout(cmd, g.what)
            .map_err(|e| anyhow::anyhow!("writing the man page or completions to stdout: {e}"))?;
        return Ok(EXIT_OK);
    }
    let cfg_path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(axios_vr::config::DEFAULT_CONFIG));
    let cfg = Config::load(&cfg_path)?;
    if let Cmd::Check { strict } = cli.cmd {
        if strict {
            let paths = Paths::from_env(Some(cli.sysconfdir), Some(cli.sysfs_root))?;
            for name in cfg.backends.keys() {
                select::plan(&paths, &cfg, name)?;
            }
        }
        println!(
            "{}: {} backend(s): {}",
            cfg_path.display(),
            cfg.backends.len(),
            cfg.names()
        );
        return Ok(EXIT_OK);
    }
    let paths = Paths::from_env(Some(cli.sysconfdir), Some(cli.sysfs_root))?;
    match cli.cmd {
        Cmd::List => {
            let r = report::list(&paths, &cfg);
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_list(&r);
            }
            Ok(EXIT_OK)
        }
        Cmd::Status => {
            let mut conns: Vec<(Bus, Result<Systemd, String>)> = Vec::new();
            let timeout = Duration::from_secs(cfg.job_timeout_secs);
            let mut ask = |unit: &str, bus: Bus| -> Result<_, String> {
                if !conns.iter().any(|(b, _)| *b == bus) {
                    let u = UnitRef {
                        name: unit.into(),
                        bus,
                    };
                    conns.push((
                        bus,
                        Systemd::connect(&[u], timeout).map_err(|e| e.to_string()),
                    ));
                }
                let Some((_, c)) = conns.iter_mut().find(|(b, _)| *b == bus) else {
                    return Err("no connection".into());
                };
                match c {
                    Ok(s) => s
                        .state(&UnitRef {
                            name: unit.into(),
                            bus,
                        })
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.clone()),
                }
            };
            let r = report::status(&paths, &cfg, &mut ask);
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print_status(&r);
            }
            Ok(EXIT_OK)
        }
        Cmd::Select { backend, dry_run } => {
            let Some(name) = backend.or(cfg.default.clone()) else {
                return Err(axios_vr::Error::Environment {
                    what: "the backend".into(),
                    hint: format!(
                        "none given and no `default` in {}: name one of {}",
                        cfg_path.display(),
                        cfg.names()
                    ),
                }
                .into());
            };
            if dry_run {
                let plan = select::plan(&paths, &cfg, &name)?;
                if cli.json {
                    println!("{}", serde_json::to_string_pretty(&plan)?);
                } else {
                    print_plan(&plan);
                }
                return Ok(EXIT_OK);
            }
            // validate before touching the bus: a bad backend needs no D-Bus to be refused
            select::plan(&paths, &cfg, &name)?;
            let mut sd = systemd_for(&cfg)?;
            let out = select::select(&paths, &cfg, &name, &mut sd)?;
            print_outcome(&out, cli.json, &format!("selected {name}"))?;
            Ok(EXIT_OK)
        }
        Cmd::Restore => {
            let mut sd = systemd_for(&cfg)?;
            let out = restore::restore(&paths, &cfg, &mut sd)?;
            print_outcome(
                &out,
                cli.json,
                "restored the state from before the first select",
            )?;
            Ok(EXIT_OK)
        }
        Cmd::Recover => {
            if !restore::interrupted(&paths) {
                println!("nothing to recover");
                return Ok(EXIT_OK);
            }
            let mut sd = systemd_for(&cfg)?;
            match restore::recover_only(&paths, &cfg, &mut sd)? {
                Some(a) => println!("rolled back an interrupted `{a}`"),
                None => println!("nothing to recover"),
            }
            Ok(EXIT_OK)
        }
        Cmd::Check { .. } | Cmd::Generate(_) => Ok(EXIT_OK),
    }
}

fn print_outcome(out: &Outcome, json: bool, what: &str) -> anyhow::Result<()> {
    for w in &out.warnings {
        eprintln!("axios-vr: warning: {w}");
    }
    if json {
        println!("{}", serde_json::to_string_pretty(out)?);
        return Ok(());
    }
    if let Some(r) = &out.recovered {
        println!("rolled back an interrupted `{r}` first");
    }
    for u in &out.stopped {
        println!("stopped {u}");
    }
    for u in &out.started {
        println!("started {u}");
    }
    println!("{what}");
    Ok(())
}

fn print_plan(p: &Plan) {
    println!("select {} would:", p.backend);
    for w in &p.warnings {
        println!("  WARNING: {w}");
    }
    if p.take_original_backup {
        println!("  save the current state (axios-vr restore puts it back)");
    }
    for u in &p.stop {
        println!("  stop {} ({} bus) if running", u.name, u.bus.name());
    }
    for f in &p.active_runtime {
        println!(
            "  point {} at {}{}",
            f.display(),
            p.manifest.display(),
            p.runtime_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    println!(
        "  set the runtime of {} to {} (other keys kept)",
        p.vrpath.display(),
        p.openvr_runtime.display()
    );
    for l in &p.leftovers {
        println!("  clean WiVRn leftover {}", l.display());
    }
    if let Some(u) = &p.start {
        println!("  start {} ({} bus)", u.name, u.bus.name());
    }
}

fn print_list(r: &ListReport) {
    println!("Configured backends:");
    for b in &r.backends {
        println!(
            "  {}{}: {} [{}]",
            b.name,
            if b.default { " (default)" } else { "" },
            b.manifest.display(),
            if b.valid {
                "ok".to_string()
            } else {
                format!("INVALID: {}", b.error.clone().unwrap_or_default())
            }
        );
        println!(
            "      openvr runtime {}{}",
            b.openvr_runtime.display(),
            if b.openvr_runtime_exists {
                ""
            } else {
                " (missing)"
            }
        );
        if let Some(u) = &b.unit {
            println!("      unit {u}");
        }
        if !b.ports.is_empty() {
            let ports: Vec<String> = b.ports.iter().map(u16::to_string).collect();
            println!("      ports {}", ports.join(", "));
        }
    }
    println!("Runtime manifests on the standard paths:");
    if r.found.is_empty() {
        println!("  none");
    }
    for f in &r.found {
        println!(
            "  {} {}{}",
            f.path.display(),
            f.runtime_name.clone().unwrap_or_default(),
            if f.valid {
                String::new()
            } else {
                format!(" [INVALID: {}]", f.error.clone().unwrap_or_default())
            }
        );
    }
}

fn print_status(r: &StatusReport) {
    for w in &r.warnings {
        println!("WARNING: {w}");
    }
    match &r.openxr {
        Some(x) => {
            let name = match &x.manifest {
                Ok(m) => m.display_name(),
                Err(e) => format!("INVALID: {e}"),
            };
            println!("OpenXR runtime: {name}");
            println!("  from {}", x.file.display());
            if let Some(t) = &x.link_target {
                println!("  -> {}", t.display());
            }
            if let Some(b) = &r.openxr_backend {
                println!("  backend {b}");
            }
            for s in &x.shadowed {
                println!("  (hides {})", s.display());
            }
        }
        None => println!("OpenXR runtime: none"),
    }
    println!(
        "OpenVR paths: {}{}",
        r.vrpath.path.display(),
        if r.vrpath.exists { "" } else { " (missing)" }
    );
    for rt in &r.vrpath.runtime {
        println!("  runtime {rt}");
    }
    if let Some(e) = &r.vrpath.error {
        println!("  ERROR: {e}");
    }
    if r.vrpath.read_only {
        println!("  read-only (WiVRn leaves it so after a crash; `axios-vr select` fixes it)");
    }
    if let Some(s) = &r.selected {
        println!("Selected with axios-vr: {}", s.backend);
    }
    for u in &r.units {
        let st = match (&u.state, &u.error) {
            (Some(s), _) => format!("{} ({})", s.active, s.sub),
            (None, Some(e)) => format!("unknown: {e}"),
            _ => "unknown".into(),
        };
        println!(
            "Unit {} [{}] ({} bus): {st}",
            u.unit,
            u.backend,
            u.bus.name()
        );
    }
    for l in &r.wivrn_leftovers {
        println!("WiVRn leftover: {}", l.display());
    }
    if r.interrupted {
        println!("An axios-vr switch was interrupted; the next select or restore rolls it back");
    }
    if r.devices.is_empty() {
        println!("VR devices: none");
    }
    for d in &r.devices {
        println!(
            "VR device: {} {:?} {} [{}:{}] {}",
            d.node, d.kind, d.vendor, d.vendor_id, d.product_id, d.name
        );
    }
}

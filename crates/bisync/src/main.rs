//! `axios-bisync`: the guard around `rclone bisync`. Exit codes (see README.md):
//! 0 ok, 1 retryable, 2 critical / locked out, 3 refused by a guard, 4 config or usage error.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use axios_bisync::{config, Config, Guard, ResyncPlan, EXIT_CONFIG, EXIT_OK, EXIT_REFUSED};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "axios-bisync",
    version,
    about = "Safe rclone bisync: deletion caps, markers, mount checks, crash-safe journal"
)]
struct Cli {
    /// Config file [default: $XDG_CONFIG_HOME/axios/bisync.toml]
    #[arg(long, global = true, env = "AXIOS_BISYNC_CONFIG")]
    config: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    json: bool,
    /// Do not send desktop notifications.
    #[arg(long, global = true)]
    no_notify: bool,
    #[command(flatten)]
    log: axios_core::cli::Verbosity,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Sync the given pairs (all when none given).
    Run { pairs: Vec<String> },
    /// Last success, last result, lockout and pending deletions per pair.
    Status { pairs: Vec<String> },
    /// Guided first sync: markers, a summary of what the resync copies where, the resync.
    Init {
        pair: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Guided way out of a lockout: what a resync would change, backups, the resync.
    Recover {
        pair: String,
        #[arg(long)]
        yes: bool,
        /// Accept a path2 that is not the volume the pair was set up on (a replaced disk):
        /// the pair gets a new identity, and the old disk is refused if it comes back.
        #[arg(long)]
        new_volume: bool,
    },
    /// Let the next run make exactly the deletions a refused run showed (once); they are
    /// listed. If the set changes before the run, it asks again.
    Approve { pair: String },
    /// Clear stale rclone locks whose process is gone.
    Unlock { pairs: Vec<String> },
    /// Check the config file and exit (the home-manager module runs this at build time).
    Check,
    /// Print the man page (`man`) or shell completions (`bash`, `zsh`, `fish`, `elvish`) to stdout.
    Generate(axios_core::cli::GenerateArgs),
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
            let code = e
                .downcast_ref::<axios_bisync::Error>()
                .map(axios_bisync::Error::exit_code)
                .unwrap_or(EXIT_CONFIG);
            eprintln!("axios-bisync: {e:#}");
            ExitCode::from(code as u8)
        }
    }
}

fn real_main(cli: Cli) -> anyhow::Result<i32> {
    if let Cmd::Generate(g) = &cli.cmd {
        let cmd = <Cli as clap::CommandFactory>::command();
        axios_core::cli::generate_to_stdout(cmd, g.what)
            .context("writing the man page or completions to stdout")?;
        return Ok(EXIT_OK);
    }
    let path = match cli.config.clone() {
        Some(p) => p,
        None => config::default_config_path()
            .context("cannot find the config: set --config, XDG_CONFIG_HOME or HOME")?,
    };
    let cfg = Config::load(&path)?;
    if let Cmd::Check = cli.cmd {
        println!(
            "{}: ok ({} pair(s): {})",
            path.display(),
            cfg.pairs.len(),
            cfg.pairs.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        return Ok(EXIT_OK);
    }
    let mut guard = Guard::new(cfg);
    guard.notifications = !cli.no_notify;
    match cli.cmd {
        Cmd::Run { pairs } => {
            let reports = guard.run(&pairs)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            } else {
                for r in &reports {
                    println!("{}: {}", r.pair, r.message);
                    for q in &r.quarantined {
                        println!("  quarantined {q}");
                    }
                }
            }
            Ok(reports.iter().map(|r| r.code).max().unwrap_or(EXIT_OK))
        }
        Cmd::Status { pairs } => {
            let st = guard.status(&pairs)?;
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&st)?);
            } else {
                for s in &st {
                    println!("{} ({} <-> {})", s.pair, s.path1, s.path2.display());
                    let t = |v: Option<u64>| {
                        v.map(axios_bisync::state::fmt_secs)
                            .unwrap_or_else(|| "never".into())
                    };
                    println!("  initialized:  {}", s.initialized);
                    println!("  last success: {}", t(s.last_success));
                    println!(
                        "  last result:  {}",
                        s.last_result.as_deref().unwrap_or("none")
                    );
                    match &s.locked_out {
                        Some(l) => println!(
                            "  LOCKED OUT:   {} (run `axios-bisync recover {}`)",
                            l.reason, s.pair
                        ),
                        None => println!("  locked out:   no"),
                    }
                    if let Some(p) = &s.pending {
                        println!(
                            "  pending deletions (blocked): {} on path2, {} on path1 - {}",
                            p.delete_on_path2, p.delete_on_path1, p.reason
                        );
                        for e in &p.files_path2 {
                            println!("    delete on path2: {e}");
                        }
                        for e in &p.files_path1 {
                            println!("    delete on path1: {e}");
                        }
                    }
                    if s.running {
                        println!("  a run is in progress");
                    }
                    if s.interrupted {
                        println!("  the last run was interrupted; the next run reconciles");
                    }
                }
            }
            Ok(EXIT_OK)
        }
        Cmd::Init { pair, yes } => resync(&guard, &pair, yes, false, cli.json),
        Cmd::Recover {
            pair,
            yes,
            new_volume,
        } => resync(&guard, &pair, yes, new_volume, cli.json),
        Cmd::Approve { pair } => {
            let p = guard.approve(&pair)?;
            if cli.json {
                #[derive(serde::Serialize)]
                struct Approved<'a> {
                    pair: &'a str,
                    delete_on_path2: &'a [axios_bisync::RelPath],
                    delete_on_path1: &'a [axios_bisync::RelPath],
                }
                let a = Approved {
                    pair: &pair,
                    delete_on_path2: &p.delete_on_path2,
                    delete_on_path1: &p.delete_on_path1,
                };
                println!("{}", serde_json::to_string_pretty(&a)?);
                return Ok(EXIT_OK);
            }
            println!(
                "approved for {pair}: the next run may delete exactly these {} file(s) on path2 and {} on path1 ({}); if the set changes, it asks again",
                p.delete_on_path2.len(),
                p.delete_on_path1.len(),
                p.reason
            );
            for f in &p.delete_on_path2 {
                println!("  delete on path2: {f}");
            }
            for f in &p.delete_on_path1 {
                println!("  delete on path1: {f}");
            }
            Ok(EXIT_OK)
        }
        Cmd::Unlock { pairs } => {
            for line in guard.unlock(&pairs)? {
                println!("{line}");
            }
            Ok(EXIT_OK)
        }
        Cmd::Check | Cmd::Generate(_) => Ok(EXIT_OK),
    }
}

fn resync(
    guard: &Guard,
    pair: &str,
    yes: bool,
    new_volume: bool,
    json: bool,
) -> anyhow::Result<i32> {
    let plan = guard.plan_resync(pair)?;
    print_plan(&plan, json)?;
    if plan.other_volume.is_some() && !new_volume {
        // Refused without asking (and without changing anything).
        let r = guard.apply_resync(pair, &plan, false)?;
        println!("{}: {}", r.pair, r.message);
        return Ok(r.code);
    }
    if !yes && !confirm()? {
        eprintln!("nothing changed; re-run with --yes to apply");
        return Ok(EXIT_REFUSED);
    }
    let r = guard.apply_resync(pair, &plan, new_volume)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!("{}: {}", r.pair, r.message);
    }
    Ok(r.code)
}

fn print_plan(plan: &ResyncPlan, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(plan)?);
        return Ok(());
    }
    println!("Resync of {} would:", plan.pair);
    if let Some(why) = &plan.other_volume {
        println!("  WARNING: {why}");
    }
    for m in &plan.create_markers {
        println!("  create the marker file on {m}");
    }
    println!("  copy {} file(s) from path1 to path2", plan.to_path2.len());
    println!("  copy {} file(s) from path2 to path1", plan.to_path1.len());
    println!(
        "  overwrite {} path2 file(s) with path1's version (backed up first)",
        plan.overwrite_path2.len()
    );
    for p in plan.overwrite_path2.iter().take(20) {
        println!("    {p}");
    }
    println!("  leave {} identical file(s)", plan.identical);
    println!("  delete nothing");
    Ok(())
}

fn confirm() -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Ok(false);
    }
    print!("Proceed? [y/N] ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

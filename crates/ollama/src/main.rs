//! `axios-ollama`: dependable Ollama model preload and an authenticating policy proxy.
//!
//! Exit codes: 0 success; 1 preload: at least one model failed (the summary
//! names each); 2 usage or config error (bad flag, malformed config, unreadable
//! token file); 3 Ollama unreachable (preload) or the listen address is unusable
//! (proxy).

mod report;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use axios_core::notify::{notify, State};
use axios_ollama::config::{self, PreloadConfig, ProxyConfig};
use axios_ollama::preload::{self, PreloadError};
use axios_ollama::proxy::{self, Listen, Listener, ProxyError};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "axios-ollama",
    version,
    about = "Ollama helper: dependable model preload and an authenticating policy proxy",
    after_help = "Exit codes: 0 success; 1 preload: a model failed; 2 usage or config error; \
                  3 Ollama unreachable (preload) or the listen address unusable (proxy)."
)]
struct Cli {
    #[command(flatten)]
    log: axios_core::cli::Verbosity,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Preload,
    Proxy,
}

#[derive(Subcommand)]
enum Command {
    /// Wait for Ollama, pull the missing models, warm each one; READY=1 when all are.
    Preload {
        /// Ollama's URL (default from the config, else http://127.0.0.1:11434).
        #[arg(long)]
        url: Option<String>,
        /// A model to have present and warm (`name[:tag]`); repeatable, added to the config's.
        #[arg(long = "model", value_name = "NAME")]
        models: Vec<String>,
        /// The TOML config (see the README).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Print a JSON summary on stdout.
        #[arg(long)]
        json: bool,
        /// Also write the JSON summary to this file (atomically), e.g. for `axios doctor`.
        #[arg(long, value_name = "FILE")]
        summary_file: Option<PathBuf>,
    },
    /// Serve the policy proxy in front of Ollama.
    Proxy {
        /// `IP:PORT` or `unix:/path`.
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
        /// Ollama's URL.
        #[arg(long, value_name = "URL")]
        upstream: Option<String>,
        /// Path prefix the proxy is published under, e.g. `/ollama`.
        #[arg(long)]
        prefix: Option<String>,
        /// File with the bearer token every request must carry.
        #[arg(long, value_name = "F")]
        token_file: Option<PathBuf>,
        /// File with the admin token (also allows model management).
        #[arg(long, value_name = "F")]
        admin_token_file: Option<PathBuf>,
        /// The TOML config (see the README); flags override it.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check a config file (the NixOS module runs this at build time).
    Check {
        #[arg(value_enum)]
        kind: Kind,
        file: PathBuf,
    },
    /// Print the man page (`man`) or shell completions (`bash`, `zsh`, `fish`, `elvish`) to stdout.
    Generate(axios_core::cli::GenerateArgs),
}

#[derive(Debug, thiserror::Error)]
#[error("{1}")]
struct Coded(u8, String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli.log.init_logging();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = e.downcast_ref::<Coded>().map_or(2, |c| c.0);
            eprintln!("axios-ollama: {e:#}");
            ExitCode::from(code)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        // generated from the clap definition, so help, man page and completions agree
        Command::Generate(g) => {
            let cmd = <Cli as clap::CommandFactory>::command();
            axios_core::cli::generate_to_stdout(cmd, g.what)
                .context("writing the man page or completions to stdout")?;
            Ok(0)
        }
        Command::Check { kind, file } => {
            match kind {
                Kind::Preload => config::load_preload(&file).map(|_| ()),
                Kind::Proxy => config::load_proxy(&file).map(|_| ()),
            }
            .map_err(|e| Coded(2, e.to_string()))?;
            println!("{}: ok", file.display());
            Ok(0)
        }
        Command::Preload {
            url,
            models,
            config: file,
            json,
            summary_file,
        } => {
            let mut cfg = match &file {
                Some(f) => config::load_preload(f).map_err(|e| Coded(2, e.to_string()))?,
                None => PreloadConfig::default(),
            };
            if let Some(u) = url {
                cfg.url = u;
            }
            cfg.models.extend(models);
            config::check_preload(&cfg).map_err(|e| Coded(2, e))?;
            let tty =
                std::io::stderr().is_terminal() && std::env::var_os("JOURNAL_STREAM").is_none();
            let reporter = Arc::new(report::Reporter::new(tty, cfg.models.len()));
            let _ = notify(&[State::Status("waiting for Ollama")]);
            let summary = match runtime()?.block_on(preload::preload(&cfg, reporter)) {
                Ok(s) => s,
                Err(e @ PreloadError::Config(_)) => return Err(Coded(2, e.to_string()).into()),
                Err(e) => return Err(Coded(3, e.to_string()).into()),
            };
            let text = serde_json::to_string_pretty(&summary)?;
            if json {
                println!("{text}");
            }
            if let Some(f) = &summary_file {
                if let Err(e) = axios_core::atomic_write(f, format!("{text}\n").as_bytes()) {
                    tracing::warn!("cannot write the summary to {}: {e}", f.display());
                }
            }
            if summary.ok {
                let line = format!("{} model(s) present and warm", summary.models.len());
                let _ = notify(&[State::Ready, State::Status(&line)]);
                tracing::info!("{line}");
                Ok(0)
            } else {
                let line = format!("failed: {}", summary.failed.join(", "));
                let _ = notify(&[State::Status(&line)]);
                if !json {
                    for o in summary.models.iter().filter(|o| o.error.is_some()) {
                        eprintln!("{}: {}", o.model, o.error.as_deref().unwrap_or(""));
                    }
                }
                Ok(1)
            }
        }
        Command::Proxy {
            listen,
            upstream,
            prefix,
            token_file,
            admin_token_file,
            config: file,
        } => {
            let mut cfg = match &file {
                Some(f) => config::load_proxy(f).map_err(|e| Coded(2, e.to_string()))?,
                None => ProxyConfig::default(),
            };
            if let Some(v) = listen {
                cfg.listen = v;
            }
            if let Some(v) = upstream {
                cfg.upstream = v;
            }
            if let Some(v) = prefix {
                cfg.prefix = v;
            }
            if token_file.is_some() {
                cfg.token_file = token_file;
            }
            if admin_token_file.is_some() {
                cfg.admin_token_file = admin_token_file;
            }
            serve(cfg)
        }
    }
}

fn serve(cfg: ProxyConfig) -> anyhow::Result<u8> {
    let state = proxy::State::from_config(&cfg).map_err(|e| Coded(2, e.to_string()))?;
    if state_is_open(&cfg) {
        tracing::warn!(
            "no token file: every caller that reaches {} is trusted",
            cfg.listen
        );
    }
    let listen = Listen::parse(&cfg.listen).map_err(|e| Coded(2, e))?;
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = Listener::bind(&listen)
            .await
            .map_err(|e: ProxyError| Coded(3, e.to_string()))?;
        let shown = listener
            .local_addr()
            .map_or_else(|| cfg.listen.clone(), |a| a.to_string());
        let line = format!("proxying {shown} to {}", cfg.upstream);
        tracing::info!("{line}");
        let grace = cfg.grace_period;
        let stop = stop_signal()?;
        let _ = notify(&[State::Ready, State::Status(&line)]);
        proxy::run(listener, Arc::new(state), grace.0, async {
            stop.await;
            let _ = notify(&[
                State::Stopping,
                State::Status("draining in-flight requests"),
            ]);
            tracing::info!("stopping: no new connections");
        })
        .await;
        Ok::<_, anyhow::Error>(0)
    })
}

fn state_is_open(cfg: &ProxyConfig) -> bool {
    cfg.token_file.is_none() && cfg.admin_token_file.is_none()
}

/// SIGTERM or SIGINT. The handlers are installed when this is called, not when the
/// future is first polled: a SIGTERM right after READY=1 must not kill the process.
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

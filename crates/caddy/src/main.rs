//! `axios-caddy`: route registry -> ordered, validated Caddy config.
//!
//! Exit codes: 0 success; 1 the registry has errors (or `explain` found no
//! route); 2 usage or input error (unreadable or malformed file, bad flag);
//! 3 `apply`: Caddy rejected the config or its admin API could not be reached.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use axios_caddy::version::CaddyVersion;
use axios_caddy::{admin, explain, registry, ComposeError, ComposeOptions, Format, Plan};
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "axios-caddy",
    version,
    about = "Caddy route compositor: a route registry in, an ordered, validated Caddy config out",
    after_help = "Exit codes: 0 success; 1 the registry has errors (explain: no route serves the URL); \
                  2 usage or input error; 3 apply: Caddy rejected the config or is unreachable."
)]
struct Cli {
    #[command(flatten)]
    log: axios_core::cli::Verbosity,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutFormat {
    Caddyfile,
    Json,
}

impl From<OutFormat> for Format {
    fn from(f: OutFormat) -> Self {
        match f {
            OutFormat::Caddyfile => Format::Caddyfile,
            OutFormat::Json => Format::Json,
        }
    }
}

#[derive(clap::Args)]
struct ComposeArgs {
    /// Output format. `compose`: caddyfile by default. `apply`: json, unless
    /// routes carry Caddyfile text (extraConfig/handleConfig) or --global/--extra
    /// are given, then caddyfile.
    #[arg(long, value_enum)]
    format: Option<OutFormat>,
    /// Caddyfile global options block (braces included), placed first.
    #[arg(long, value_name = "FILE")]
    global: Option<PathBuf>,
    /// Raw Caddyfile appended after the generated sites.
    #[arg(long, value_name = "FILE")]
    extra: Option<PathBuf>,
    /// A Caddy JSON config that `--format json` extends (admin, logging, ...).
    #[arg(long, value_name = "FILE")]
    base: Option<PathBuf>,
    /// Listen only on this IP address (e.g. 127.0.0.1); all interfaces by default.
    #[arg(long, value_name = "IP")]
    bind: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the complete Caddy config (refuses, writing nothing, when check finds errors).
    Compose {
        /// The route registry (JSON or TOML; `-` for stdin).
        routes: PathBuf,
        #[command(flatten)]
        args: ComposeArgs,
        /// Output file (written atomically); stdout when absent.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        caddy: CaddyArgs,
    },
    /// Report every problem of the registry at once.
    Check {
        routes: PathBuf,
        #[command(flatten)]
        caddy: CaddyArgs,
        /// Print a JSON report (diagnostics and the computed order).
        #[arg(long)]
        json: bool,
        /// Treat warnings as errors.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Which route serves a URL, what path the upstream receives, and why, as
    /// the Caddy version in use handles it.
    Explain {
        routes: PathBuf,
        /// e.g. `https://photos.tail1234.ts.net/ollama/api/tags`.
        url: String,
        /// Print the answer as JSON (route, upstream path, every route tried).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        caddy: CaddyArgs,
    },
    /// Load the composed config into a running Caddy through its admin API; no
    /// reload when Caddy already runs exactly that config.
    Apply {
        routes: PathBuf,
        /// Caddy's admin endpoint (`http://host:port` or `unix//path`).
        #[arg(long, default_value = "http://localhost:2019")]
        admin: String,
        #[command(flatten)]
        args: ComposeArgs,
        #[command(flatten)]
        caddy: CaddyArgs,
    },
    /// Print the man page (`man`) or shell completions (`bash`, `zsh`, `fish`, `elvish`) to stdout.
    Generate(axios_core::cli::GenerateArgs),
}

/// The Caddy version whose behaviour `explain` follows and version-dependent
/// warnings assume.
#[derive(clap::Args)]
struct CaddyArgs {
    /// The Caddy binary whose version counts (`caddy version`). `explain` runs
    /// `caddy` from PATH when neither this nor --caddy-version is given; the
    /// other commands then assume the oldest Caddy users run (2.6.2).
    #[arg(long, value_name = "PATH", env = "AXIOS_CADDY")]
    caddy: Option<PathBuf>,
    /// This Caddy version (e.g. 2.6.2), without running Caddy; wins over --caddy.
    #[arg(long, value_name = "X.Y.Z")]
    caddy_version: Option<String>,
}

impl CaddyArgs {
    fn version(&self, run_default: bool) -> anyhow::Result<CaddyVersion> {
        let v = match (&self.caddy_version, &self.caddy) {
            (Some(v), _) => CaddyVersion::parse_flag(v),
            (None, Some(p)) => CaddyVersion::detect(p),
            (None, None) if run_default => CaddyVersion::detect(Path::new("caddy")),
            (None, None) => Ok(CaddyVersion::OLDEST),
        };
        let v = v.map_err(|e| Coded(2, e.to_string()))?;
        tracing::debug!("following Caddy {v}");
        Ok(v)
    }
}

/// An error with its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{1}")]
struct Coded(u8, String);

fn load_plan(routes: &Path, caddy: CaddyVersion) -> anyhow::Result<Plan> {
    let parsed = registry::load(routes).map_err(|e| Coded(2, e.to_string()))?;
    Ok(axios_caddy::plan_for(parsed, caddy))
}

fn read(what: &str, path: &Path) -> anyhow::Result<(String, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Coded(2, format!("cannot read {what} {}: {e}", path.display())))?;
    Ok((path.display().to_string(), text))
}

fn options(args: &ComposeArgs) -> anyhow::Result<ComposeOptions> {
    let mut o = ComposeOptions {
        bind: args.bind.clone(),
        ..ComposeOptions::default()
    };
    if let Some(p) = &args.global {
        o.global = Some(read("global options", p)?);
    }
    if let Some(p) = &args.extra {
        o.extra = Some(read("extra Caddyfile", p)?);
    }
    if let Some(p) = &args.base {
        let (name, text) = read("base JSON config", p)?;
        let v = serde_json::from_str(&text)
            .map_err(|e| Coded(2, format!("{name}: malformed JSON: {e}")))?;
        o.base = Some(v);
    }
    Ok(o)
}

fn report_diagnostics(plan: &Plan) {
    use std::io::Write;
    let mut s = String::new();
    for d in &plan.diagnostics {
        s.push_str(&d.to_string());
        s.push('\n');
    }
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

fn compose(plan: &Plan, format: Format, opts: &ComposeOptions) -> anyhow::Result<String> {
    axios_caddy::compose(plan, format, opts).map_err(|e| match e {
        ComposeError::Invalid { .. } => Coded(1, e.to_string()).into(),
        other => Coded(2, other.to_string()).into(),
    })
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    cli.log.init_logging();
    match cli.command {
        Command::Generate(g) => {
            use clap::CommandFactory;
            axios_core::cli::generate_to_stdout(Cli::command(), g.what)
                .context("writing the man page or completions to stdout")?;
            Ok(0)
        }
        Command::Compose {
            routes,
            args,
            output,
            caddy,
        } => {
            let opts = options(&args)?;
            let plan = &load_plan(&routes, caddy.version(false)?)?;
            report_diagnostics(plan);
            let format = args.format.unwrap_or(OutFormat::Caddyfile).into();
            let text = compose(plan, format, &opts)?;
            match output {
                Some(out) => {
                    axios_core::fs::atomic_write(&out, text.as_bytes())
                        .with_context(|| format!("writing {}", out.display()))?;
                    tracing::info!(
                        "wrote {} ({} routes on {} sites)",
                        out.display(),
                        plan.route_count(),
                        plan.sites.len()
                    );
                }
                None => write_stdout(&text)?,
            }
            Ok(0)
        }
        Command::Check {
            routes,
            caddy,
            json,
            deny_warnings,
        } => {
            let plan = &load_plan(&routes, caddy.version(false)?)?;
            let errors = plan.errors().count();
            let warnings = plan.warnings().count();
            let failed = errors > 0 || (deny_warnings && warnings > 0);
            if json {
                let order: Vec<serde_json::Value> = axios_caddy::order(plan)
                    .into_iter()
                    .map(|(site, routes)| serde_json::json!({"site": site, "routes": routes}))
                    .collect();
                let v = serde_json::json!({
                    "ok": !failed,
                    "errors": errors,
                    "warnings": warnings,
                    "diagnostics": plan.diagnostics,
                    "order": order,
                });
                write_stdout(&format!("{}\n", serde_json::to_string_pretty(&v)?))?;
            } else {
                let mut s = String::new();
                for d in &plan.diagnostics {
                    s.push_str(&format!("{d}\n"));
                }
                s.push_str(&format!(
                    "{}: {} routes on {} sites, {errors} error(s), {warnings} warning(s)\n",
                    routes.display(),
                    plan.route_count(),
                    plan.sites.len()
                ));
                write_stdout(&s)?;
            }
            Ok(u8::from(failed))
        }
        Command::Explain {
            routes,
            url,
            json,
            caddy,
        } => {
            let version = caddy.version(true)?;
            let plan = &load_plan(&routes, version)?;
            if plan.has_errors() {
                report_diagnostics(plan);
                return Err(Coded(
                    1,
                    "the registry has errors; fix them first (see above)".into(),
                )
                .into());
            }
            let ex = explain::explain(plan, &url, version).map_err(|e| Coded(2, e.to_string()))?;
            if json {
                write_stdout(&format!("{}\n", serde_json::to_string_pretty(&ex)?))?;
            } else {
                write_stdout(&ex.to_text())?;
            }
            Ok(if ex.route.is_some() { 0 } else { 1 })
        }
        Command::Apply {
            routes,
            admin,
            args,
            caddy,
        } => {
            let target = admin::Admin::parse(&admin).map_err(|e| Coded(2, e.to_string()))?;
            let mut opts = options(&args)?;
            let plan = &load_plan(&routes, caddy.version(false)?)?;
            report_diagnostics(plan);
            let format: Format = match args.format {
                Some(f) => f.into(),
                None if opts.global.is_some()
                    || opts.extra.is_some()
                    || plan.sites.iter().flat_map(|s| &s.routes).any(|r| {
                        !r.route.extra_config.trim().is_empty()
                            || !r.route.handle_config.trim().is_empty()
                    }) =>
                {
                    tracing::debug!(
                        "the registry carries Caddyfile text: loading it as a Caddyfile"
                    );
                    Format::Caddyfile
                }
                None => Format::Json,
            };
            let content_type = match format {
                Format::Json => {
                    // Keep the admin endpoint where it is: a config without `admin`
                    // would move it to Caddy's default address.
                    let mut base = opts.base.take().unwrap_or_else(|| serde_json::json!({}));
                    if let Some(obj) = base.as_object_mut() {
                        let admin = obj.entry("admin").or_insert_with(|| serde_json::json!({}));
                        if let Some(a) = admin.as_object_mut() {
                            a.entry("listen")
                                .or_insert_with(|| serde_json::Value::String(target.listen()));
                        }
                    }
                    opts.base = Some(base);
                    "application/json"
                }
                Format::Caddyfile => {
                    match &opts.global {
                        None => {
                            opts.global = Some((
                                "generated".into(),
                                format!("{{\n\tadmin {}\n}}\n", target.listen()),
                            ));
                        }
                        Some((name, text)) if !text.contains("admin") => tracing::warn!(
                            "{name} has no `admin` option: after loading, Caddy's admin API moves to its default address"
                        ),
                        Some(_) => {}
                    }
                    "text/caddyfile"
                }
            };
            let text = compose(plan, format, &opts)?;
            // Reload only for a change: a reload can reset connections being
            // accepted at that moment, and activations re-apply the same routes.
            let caddy_err = |e: admin::AdminError| Coded(3, e.to_string());
            let wanted = match format {
                Format::Json => serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| Coded(2, format!("composed JSON does not parse: {e}")))?,
                Format::Caddyfile => target
                    .adapt(text.as_bytes(), content_type)
                    .map_err(caddy_err)?,
            };
            let running = target.config().map_err(caddy_err)?;
            if wanted == running {
                tracing::info!(
                    "Caddy at {admin} already runs this config ({} routes on {} sites): not reloaded",
                    plan.route_count(),
                    plan.sites.len()
                );
                return Ok(0);
            }
            target
                .load(text.as_bytes(), content_type)
                .map_err(caddy_err)?;
            tracing::info!(
                "Caddy at {admin} loaded {} routes on {} sites",
                plan.route_count(),
                plan.sites.len()
            );
            Ok(0)
        }
    }
}

/// Print to stdout; a reader that went away (`| head`) is not an error.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    axios_core::cli::write_stdout(text.as_bytes()).context("writing to stdout")
}

fn main() -> ExitCode {
    let cli = match axios_core::cli::parse::<Cli>(2) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let code = e.downcast_ref::<Coded>().map_or(2, |c| c.0);
            eprintln!("axios-caddy: error: {e:#}");
            ExitCode::from(code)
        }
    }
}

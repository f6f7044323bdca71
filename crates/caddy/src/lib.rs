//! `axios-caddy`: the Caddy route compositor.
//!
//! A route registry (`name -> { domain, path, target, priority, stripPrefix,
//! extraConfig, handleConfig }`, JSON or TOML) goes in; a Caddy config whose
//! effective route order is exactly the computed one comes out, or a list of
//! every problem that would make the registry not work.
//!
//! - [`registry`]: reading the registry, every field problem at once.
//! - [`plan`]: validation and ordering (most specific path first, exact before
//!   wildcard, priority, name; the catch-all last).
//! - [`caddyfile`] / [`json`]: output forms that Caddy does not reorder.
//! - [`explain`]: which route serves a URL and why.
//! - [`admin`]: loading a config through Caddy's admin API.
//! - [`version`]: the Caddy version in use and what differs between versions.

pub mod addr;
pub mod admin;
pub mod caddyfile;
pub mod diag;
pub mod dupkeys;
pub mod explain;
pub mod json;
pub mod plan;
pub mod registry;
pub mod version;

pub use diag::{Diagnostic, Kind, Severity};
pub use plan::{plan, plan_for, Plan};
pub use registry::{Parsed, RegistryError, Route};

/// Output format of `compose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Caddyfile,
    Json,
}

/// Why `compose` produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(
        "the registry has {count} error(s); run `axios-caddy check` for the full list:\n{list}"
    )]
    Invalid { count: usize, list: String },
    #[error(transparent)]
    Fragment(#[from] caddyfile::FragmentError),
    #[error(transparent)]
    Json(#[from] json::JsonError),
    #[error("--bind `{0}` is not an IP address (e.g. 127.0.0.1 or ::1)")]
    BadBind(String),
    #[error("--global/--extra are Caddyfile text and cannot be used with --format json; put global settings in a JSON --base file")]
    CaddyfileFragmentInJson,
}

/// Inputs besides the registry.
#[derive(Debug, Clone, Default)]
pub struct ComposeOptions {
    /// The global options block (braces included) and where it came from.
    pub global: Option<(String, String)>,
    /// Raw Caddyfile appended at the end.
    pub extra: Option<(String, String)>,
    /// A Caddy JSON config to extend (`--format json`).
    pub base: Option<serde_json::Value>,
    /// Listen only on this address (a `bind` line per site; `listen` in JSON).
    pub bind: Option<String>,
}

/// Compose the config text; refuses when the plan has errors.
pub fn compose(plan: &Plan, format: Format, opts: &ComposeOptions) -> Result<String, ComposeError> {
    let errors: Vec<String> = plan.errors().map(ToString::to_string).collect();
    if !errors.is_empty() {
        return Err(ComposeError::Invalid {
            count: errors.len(),
            list: errors.join("\n"),
        });
    }
    if let Some(b) = &opts.bind {
        if b.parse::<std::net::IpAddr>().is_err() {
            return Err(ComposeError::BadBind(b.clone()));
        }
    }
    match format {
        Format::Caddyfile => {
            if let Some((what, text)) = &opts.global {
                caddyfile::check_global(what, text)?;
            }
            if let Some((what, text)) = &opts.extra {
                caddyfile::check_extra(what, text)?;
            }
            Ok(caddyfile::render(
                plan,
                opts.bind.as_deref(),
                opts.global.as_ref().map(|g| g.1.as_str()),
                opts.extra.as_ref().map(|e| e.1.as_str()),
            ))
        }
        Format::Json => {
            if opts.global.is_some() || opts.extra.is_some() {
                return Err(ComposeError::CaddyfileFragmentInJson);
            }
            Ok(json::render(plan, opts.base.clone(), opts.bind.as_deref())?)
        }
    }
}

/// The compositor's route order for each site: `(site address, [route names])`.
pub fn order(plan: &Plan) -> Vec<(String, Vec<String>)> {
    plan.sites
        .iter()
        .map(|s| {
            (
                s.site.address(),
                s.routes.iter().map(|r| r.route.name.clone()).collect(),
            )
        })
        .collect()
}

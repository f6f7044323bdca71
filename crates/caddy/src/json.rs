//! Caddy JSON output: the route order is explicit, nothing re-sorts it.
//!
//! One server per listening port (`axios_<port>`), one host-matched route per
//! site holding a subroute whose routes are in the compositor's order and all
//! in one mutual-exclusion `group` (the first match wins). HTTP sites are put
//! in the server's `automatic_https.skip`, as Caddy's own adapter does.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::addr::Scheme;
use crate::plan::{Plan, PlannedRoute};

/// Why a JSON config cannot be produced.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    #[error("route(s) {routes} use extraConfig/handleConfig, which are Caddyfile text that only Caddy's adapter can translate; use --format caddyfile for this registry")]
    CaddyfileText { routes: String },
    #[error("the base config must be a JSON object, found {found}")]
    BaseNotObject { found: String },
    #[error("the base config already defines `apps.http.servers.{name}`; remove it (axios-caddy generates that server)")]
    ServerClash { name: String },
    #[error("the base config's `{key}` must be an object")]
    BaseShape { key: String },
}

/// Build the JSON config; `base` (a Caddy JSON config, e.g. with `admin` and
/// `logging`) is extended with the generated servers.
pub fn render(plan: &Plan, base: Option<Value>, bind: Option<&str>) -> Result<Value, JsonError> {
    let raw: Vec<&str> = plan
        .sites
        .iter()
        .flat_map(|s| &s.routes)
        .filter(|r| {
            !r.route.extra_config.trim().is_empty() || !r.route.handle_config.trim().is_empty()
        })
        .map(|r| r.route.name.as_str())
        .collect();
    if !raw.is_empty() {
        let mut shown: Vec<String> = raw.iter().take(5).map(|n| format!("`{n}`")).collect();
        if raw.len() > 5 {
            shown.push(format!("and {} more", raw.len() - 5));
        }
        return Err(JsonError::CaddyfileText {
            routes: shown.join(", "),
        });
    }
    let mut root = match base {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(JsonError::BaseNotObject {
                found: other.to_string().chars().take(40).collect(),
            })
        }
    };
    let mut servers: BTreeMap<u16, (Vec<Value>, Vec<String>)> = BTreeMap::new();
    for s in &plan.sites {
        let entry = servers.entry(s.site.port).or_default();
        let routes: Vec<Value> = s.routes.iter().map(route).collect();
        entry.0.push(json!({
            "match": [{"host": [s.site.host_matcher()]}],
            "handle": [{"handler": "subroute", "routes": routes}],
            "terminal": true,
        }));
        if s.site.scheme == Scheme::Http {
            entry.1.push(s.site.host_matcher());
        }
    }
    let apps = object_at(&mut root, "apps")?;
    let http = object_at(apps, "http")?;
    let srv = object_at(http, "servers")?;
    for (port, (routes, skip)) in servers {
        let name = format!("axios_{port}");
        if srv.contains_key(&name) {
            return Err(JsonError::ServerClash { name });
        }
        let listen = match bind {
            Some(b) if b.contains(':') => format!("[{b}]:{port}"),
            Some(b) => format!("{b}:{port}"),
            None => format!(":{port}"),
        };
        let mut server = json!({"listen": [listen], "routes": routes});
        if !skip.is_empty() {
            server["automatic_https"] = json!({"skip": skip});
        }
        srv.insert(name, server);
    }
    Ok(Value::Object(root))
}

fn object_at<'a>(
    m: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Map<String, Value>, JsonError> {
    let v = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    v.as_object_mut().ok_or_else(|| JsonError::BaseShape {
        key: key.to_string(),
    })
}

fn route(r: &PlannedRoute) -> Value {
    let mut handle = Vec::new();
    if let Some(prefix) = &r.strip {
        handle.push(json!({"handler": "rewrite", "strip_path_prefix": prefix}));
    }
    let mut proxy = json!({
        "handler": "reverse_proxy",
        "upstreams": [{"dial": r.upstream.dial}],
    });
    if r.upstream.tls {
        proxy["transport"] = json!({"protocol": "http", "tls": {}});
    }
    handle.push(proxy);
    let mut v = json!({"group": "axios_routes", "handle": handle});
    if let Some(p) = &r.pattern {
        v["match"] = json!([{"path": [p.pattern]}]);
    }
    v
}

//! Caddy JSON output: the route order is explicit, nothing re-sorts it.
//!
//! One server per listening port (`axios_<port>`), one host-matched route per
//! site holding a subroute whose routes are in the compositor's order and all
//! in one mutual-exclusion `group` (the first match wins). HTTP sites are put
//! in the server's `automatic_https.skip`, as Caddy's own adapter does.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

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

/// Build the JSON config text; `base` (a Caddy JSON config, e.g. with `admin`
/// and `logging`) is extended with the generated servers.
pub fn render(plan: &Plan, base: Option<Value>, bind: Option<&str>) -> Result<String, JsonError> {
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
    let mut apps = take_object(&mut root, "apps")?;
    let mut http = take_object(&mut apps, "http")?;
    let base_servers = take_object(&mut http, "servers")?;

    let mut servers: BTreeMap<String, Server<'_>> = BTreeMap::new();
    let mut by_port: BTreeMap<u16, Vec<&crate::plan::SitePlan>> = BTreeMap::new();
    for s in &plan.sites {
        by_port.entry(s.site.port).or_default().push(s);
    }
    for (port, sites) in by_port {
        let name = format!("axios_{port}");
        if base_servers.contains_key(&name) {
            return Err(JsonError::ServerClash { name });
        }
        let listen = match bind {
            Some(b) if b.contains(':') => format!("[{b}]:{port}"),
            Some(b) => format!("{b}:{port}"),
            None => format!(":{port}"),
        };
        let skip: Vec<String> = sites
            .iter()
            .filter(|s| s.site.scheme == Scheme::Http && !s.site.is_hostless())
            .map(|s| s.site.host_matcher())
            .collect();
        let routes = sites
            .iter()
            .map(|s| SiteRoute {
                // a hostless site (`:8080`) serves every host: no matcher
                matcher: (!s.site.is_hostless()).then(|| {
                    [HostMatch {
                        host: [s.site.host_matcher()],
                    }]
                }),
                handle: [Subroute {
                    handler: "subroute",
                    routes: s.routes.iter().map(route).collect(),
                }],
                terminal: true,
            })
            .collect();
        servers.insert(
            name,
            Server {
                listen: [listen],
                routes,
                automatic_https: (!skip.is_empty()).then_some(Skip { skip }),
                // a hostless HTTPS site (`https://:8443`): TLS on, as Caddy's
                // adapter does (certificates then come from the base config)
                tls_connection_policies: sites
                    .iter()
                    .any(|s| s.site.is_hostless() && s.site.scheme == Scheme::Https)
                    .then(|| [Map::new()]),
            },
        );
    }
    let doc = Root {
        rest: root,
        apps: Apps {
            rest: apps,
            http: Http {
                rest: http,
                servers: Servers {
                    base: base_servers,
                    ours: servers,
                },
            },
        },
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

/// Remove `key` from `m` as an object (an empty one when absent).
fn take_object(m: &mut Map<String, Value>, key: &str) -> Result<Map<String, Value>, JsonError> {
    match m.remove(key) {
        None => Ok(Map::new()),
        Some(Value::Object(o)) => Ok(o),
        Some(_) => Err(JsonError::BaseShape {
            key: key.to_string(),
        }),
    }
}

#[derive(Serialize)]
struct Root<'a> {
    #[serde(flatten)]
    rest: Map<String, Value>,
    apps: Apps<'a>,
}

#[derive(Serialize)]
struct Apps<'a> {
    #[serde(flatten)]
    rest: Map<String, Value>,
    http: Http<'a>,
}

#[derive(Serialize)]
struct Http<'a> {
    #[serde(flatten)]
    rest: Map<String, Value>,
    servers: Servers<'a>,
}

#[derive(Serialize)]
struct Servers<'a> {
    #[serde(flatten)]
    base: Map<String, Value>,
    #[serde(flatten)]
    ours: BTreeMap<String, Server<'a>>,
}

#[derive(Serialize)]
struct Server<'a> {
    listen: [String; 1],
    routes: Vec<SiteRoute<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    automatic_https: Option<Skip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_connection_policies: Option<[Map<String, Value>; 1]>,
}

#[derive(Serialize)]
struct Skip {
    skip: Vec<String>,
}

#[derive(Serialize)]
struct SiteRoute<'a> {
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matcher: Option<[HostMatch; 1]>,
    handle: [Subroute<'a>; 1],
    terminal: bool,
}

#[derive(Serialize)]
struct HostMatch {
    host: [String; 1],
}

#[derive(Serialize)]
struct Subroute<'a> {
    handler: &'static str,
    routes: Vec<Route<'a>>,
}

/// One route; all routes of a site share one group: the first match wins.
#[derive(Serialize)]
struct Route<'a> {
    group: &'static str,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matcher: Option<[PathMatch<'a>; 1]>,
    handle: Vec<Handler<'a>>,
}

#[derive(Serialize)]
struct PathMatch<'a> {
    path: [&'a str; 1],
}

#[derive(Serialize)]
#[serde(tag = "handler", rename_all = "snake_case")]
enum Handler<'a> {
    Rewrite {
        strip_path_prefix: &'a str,
    },
    ReverseProxy {
        upstreams: [Dial<'a>; 1],
        #[serde(skip_serializing_if = "Option::is_none")]
        transport: Option<Transport>,
    },
}

#[derive(Serialize)]
struct Dial<'a> {
    dial: &'a str,
}

#[derive(Serialize)]
struct Transport {
    protocol: &'static str,
    tls: Map<String, Value>,
}

fn route(r: &PlannedRoute) -> Route<'_> {
    let mut handle = Vec::with_capacity(2);
    if let Some(prefix) = &r.strip {
        handle.push(Handler::Rewrite {
            strip_path_prefix: prefix,
        });
    }
    handle.push(Handler::ReverseProxy {
        upstreams: [Dial {
            dial: &r.upstream.dial,
        }],
        transport: r.upstream.tls.then(|| Transport {
            protocol: "http",
            tls: Map::new(),
        }),
    });
    Route {
        group: "axios_routes",
        matcher: r.pattern.as_ref().map(|p| {
            [PathMatch {
                path: [p.pattern.as_str()],
            }]
        }),
        handle,
    }
}

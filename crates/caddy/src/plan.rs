//! Validation and ordering: registry routes -> sites with ordered routes, plus every problem.
//!
//! Order within a site (the order Caddy must try the routes in):
//! 1. longest literal path first (the part before a trailing `*`),
//! 2. an exact path before a wildcard path with the same literal,
//! 3. lower `priority` first, 4. route name; 5. the catch-all last.
//!
//! With this order a route can only be shadowed by a duplicate of its own path
//! or by `/*` (for the catch-all); `priority` only decides between routes that
//! cannot match the same request, or reports that it cannot take effect.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::addr::{PathPattern, Scheme, Site, Upstream};
use crate::diag::{self, Diagnostic, Kind};
use crate::registry::{Parsed, Route};
use crate::version::CaddyVersion;

/// The maps here are keyed by short strings from the user's own config, so a
/// fast non-keyed hash is fine (SipHash dominated the profile).
type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// A route with its interpreted fields.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRoute {
    pub route: Route,
    /// `None`: the catch-all.
    pub pattern: Option<PathPattern>,
    pub upstream: Upstream,
    /// The prefix removed before proxying (`stripPrefix`).
    pub strip: Option<String>,
}

/// One site block: a site address and its routes in the order Caddy must try them.
#[derive(Debug, Clone, Serialize)]
pub struct SitePlan {
    pub site: Site,
    pub routes: Vec<PlannedRoute>,
}

/// The composed plan and everything `check` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub sites: Vec<SitePlan>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Plan {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
    pub fn route_count(&self) -> usize {
        self.sites.iter().map(|s| s.routes.len()).sum()
    }
}

/// Validate `parsed` and compute the order, with the warnings that hold for
/// the oldest Caddy users run ([`CaddyVersion::OLDEST`]).
pub fn plan(parsed: Parsed) -> Plan {
    plan_for(parsed, CaddyVersion::OLDEST)
}

/// Validate `parsed` and compute the order; version-dependent warnings follow
/// `caddy`. Problems from parsing are carried over.
pub fn plan_for(parsed: Parsed, caddy: CaddyVersion) -> Plan {
    let Parsed { routes, problems } = parsed;
    let mut diags = problems;
    if routes.is_empty() && diags.is_empty() {
        diags.push(Diagnostic::warning(
            Kind::EmptyRegistry,
            [],
            None,
            "the registry has no routes; the config will only hold the global options".into(),
        ));
    }
    // Many routes share a domain string: parse each distinct spelling once, and
    // map every spelling of one site to the same index.
    let mut spelled: FastMap<String, Result<usize, String>> = FastMap::default();
    let mut index: FastMap<Site, usize> = FastMap::default();
    let mut sites: Vec<SitePlan> = Vec::new();
    for r in routes {
        let site = match spelled.get(r.domain.as_str()) {
            Some(s) => s.clone(),
            None => {
                let s = Site::parse(&r.domain).map(|site| {
                    *index.entry(site.clone()).or_insert_with(|| {
                        sites.push(SitePlan {
                            site,
                            routes: Vec::new(),
                        });
                        sites.len() - 1
                    })
                });
                spelled.insert(r.domain.clone(), s.clone());
                s
            }
        };
        if let Some((i, p)) = interpret(r, site, caddy, &mut diags) {
            sites[i].routes.push(p);
        }
    }
    sites.retain(|s| !s.routes.is_empty());
    for s in &mut sites {
        s.routes.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    }
    sites.sort_by_key(|s| s.site.sort_key());
    scheme_conflicts(&sites, &mut diags);
    for s in &sites {
        check_site(s, &mut diags);
    }
    diag::sort(&mut diags);
    Plan {
        sites,
        diagnostics: diags,
    }
}

type OrderKey<'a> = (bool, std::cmp::Reverse<usize>, bool, i64, &'a str);

fn order_key(r: &PlannedRoute) -> OrderKey<'_> {
    match &r.pattern {
        None => (
            true,
            std::cmp::Reverse(0),
            false,
            r.route.priority,
            &r.route.name,
        ),
        Some(p) => (
            false,
            std::cmp::Reverse(p.literal.len()),
            p.wildcard,
            r.route.priority,
            &r.route.name,
        ),
    }
}

fn interpret(
    r: Route,
    site: Result<usize, String>,
    caddy: CaddyVersion,
    diags: &mut Vec<Diagnostic>,
) -> Option<(usize, PlannedRoute)> {
    let name = r.name.as_str();
    let before = diags.len();
    let site = site
        .map_err(|m| {
            diags.push(Diagnostic::error(
                Kind::InvalidDomain,
                [name],
                Some("domain"),
                m,
            ))
        })
        .ok();
    let pattern = match &r.path {
        None => Some(None),
        Some(p) => PathPattern::parse(p)
            .map(Some)
            .map_err(|m| {
                diags.push(Diagnostic::error(
                    Kind::InvalidPath,
                    [name],
                    Some("path"),
                    m,
                ))
            })
            .ok(),
    };
    let upstream = Upstream::parse(&r.target)
        .map_err(|m| {
            diags.push(Diagnostic::error(
                Kind::InvalidTarget,
                [name],
                Some("target"),
                m,
            ))
        })
        .ok();
    for (key, text) in [
        ("extraConfig", &r.extra_config),
        ("handleConfig", &r.handle_config),
    ] {
        if let Err(m) = check_config_text(text) {
            diags.push(Diagnostic::error(
                Kind::InvalidConfigText,
                [name],
                Some(key),
                m,
            ));
        }
    }
    if r.strip_prefix && r.path.is_none() {
        diags.push(Diagnostic::error(
            Kind::StripPrefixWithoutPath,
            [name],
            Some("stripPrefix"),
            "`stripPrefix = true` on a catch-all (path null) has no prefix to strip; set a `path` or drop `stripPrefix`".into(),
        ));
    }
    if diags.len() != before {
        return None;
    }
    let pattern = pattern?;
    // From 2.11 a stripped path that lost its leading slash gets one back.
    let relative_possible = !caddy.restores_leading_slash();
    if let Some(p) = pattern
        .as_ref()
        .filter(|p| r.strip_prefix && p.wildcard && relative_possible)
    {
        if p.literal.ends_with('/') && p.literal != "/" {
            // Caddy matches the decoded path but strips from the raw one.
            diags.push(Diagnostic::warning(
                Kind::StripLeavesRelativePath,
                [name],
                Some("stripPrefix"),
                format!(
                    "`{0}` with stripPrefix also matches `{1}%2Fx` (an encoded slash), which Caddy before 2.11 hands to the upstream as `%2Fx`, without a leading slash; make sure the upstream copes, or run Caddy 2.11 or later",
                    p.pattern, p.strip()
                ),
            ));
        } else if !p.literal.ends_with('/') {
            diags.push(Diagnostic::warning(
                Kind::StripLeavesRelativePath,
                [name],
                Some("stripPrefix"),
                format!(
                    "`{0}` with stripPrefix also matches e.g. `{1}x`, which reaches the upstream as `x`, without a leading slash (Caddy strips `{1}` literally); use `{1}/*` (plus an exact `{1}` route if needed)",
                    p.pattern, p.strip()
                ),
            ));
        }
    }
    if let Some(p) = pattern
        .as_ref()
        .filter(|p| r.strip_prefix && !p.pattern.is_ascii())
    {
        // Clients send `ü` as `%C3%BC`; Caddy's strip_path_prefix compares each
        // escape, as one byte, with the prefix's character: it never matches.
        diags.push(Diagnostic::warning(
            Kind::StripIneffective,
            [name],
            Some("stripPrefix"),
            format!(
                "`{}` holds non-ASCII characters, which requests carry percent-encoded; Caddy (2.6 to 2.11) then does not strip the prefix and the upstream receives the whole path; use an ASCII prefix or let the upstream handle it",
                p.pattern
            ),
        ));
    }
    let strip = match (&pattern, r.strip_prefix) {
        (Some(p), true) => Some(p.strip()).filter(|s| !s.is_empty()),
        _ => None,
    };
    let (site, upstream) = (site?, upstream?);
    Some((
        site,
        PlannedRoute {
            route: r,
            pattern,
            upstream,
            strip,
        },
    ))
}

/// Raw Caddyfile lines must keep the generated block structure intact:
/// braces balanced (outside quotes and comments), no NUL.
pub fn check_config_text(text: &str) -> Result<(), String> {
    if text.contains('\0') {
        return Err("contains a NUL byte".into());
    }
    let mut depth: i64 = 0;
    for (n, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut token_start = true;
        for c in line.chars() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                continue;
            }
            match c {
                '"' | '`' if token_start => quote = Some(c),
                '#' if token_start => break,
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth < 0 {
                        return Err(format!(
                            "line {}: `}}` closes a block that was not opened here; it would close the generated block",
                            n + 1
                        ));
                    }
                }
                _ => {}
            }
            token_start = c.is_whitespace();
        }
        if quote.is_some() {
            return Err(format!("line {}: unterminated quote", n + 1));
        }
    }
    if depth != 0 {
        return Err(format!(
            "{depth} unclosed `{{`; every block opened here must be closed here"
        ));
    }
    Ok(())
}

fn scheme_conflicts(sites: &[SitePlan], diags: &mut Vec<Diagnostic>) {
    let mut by_port: BTreeMap<u16, (Option<&SitePlan>, Option<&SitePlan>)> = BTreeMap::new();
    for s in sites {
        let e = by_port.entry(s.site.port).or_default();
        match s.site.scheme {
            Scheme::Http => e.0 = e.0.or(Some(s)),
            Scheme::Https => e.1 = e.1.or(Some(s)),
        }
    }
    for (port, pair) in by_port {
        if let (Some(h), Some(t)) = pair {
            let (a, b) = (&h.routes[0].route, &t.routes[0].route);
            diags.push(Diagnostic::error(
                Kind::SchemeConflict,
                [a.name.as_str(), b.name.as_str()],
                Some("domain"),
                format!(
                    "port {port} is used by `{}` (HTTP) and `{}` (HTTPS); one port serves one protocol, change a port",
                    a.domain, b.domain
                ),
            ));
        }
    }
}

fn names(rs: &[&PlannedRoute]) -> Vec<String> {
    rs.iter().map(|r| r.route.name.clone()).collect()
}

fn list(names: &[String]) -> String {
    const MAX: usize = 5;
    let mut s: Vec<String> = names.iter().take(MAX).map(|n| format!("`{n}`")).collect();
    if names.len() > MAX {
        s.push(format!("and {} more", names.len() - MAX));
    }
    s.join(", ")
}

fn check_site(s: &SitePlan, diags: &mut Vec<Diagnostic>) {
    let site = s.site.address();
    let catch_alls: Vec<&PlannedRoute> = s.routes.iter().filter(|r| r.pattern.is_none()).collect();
    if catch_alls.len() > 1 {
        let n = names(&catch_alls);
        diags.push(Diagnostic::error(
            Kind::TwoCatchAlls,
            n.iter().map(String::as_str),
            Some("path"),
            format!(
                "{} catch-all routes (path null) on `{site}`: only `{}` could ever serve; give the others a path or another domain",
                catch_alls.len(),
                n[0]
            ),
        ));
    }
    // Duplicate paths (Caddy compares paths case-insensitively).
    let mut by_path: FastMap<(&str, bool), Vec<&PlannedRoute>> = FastMap::default();
    for r in &s.routes {
        if let Some(p) = &r.pattern {
            by_path.entry((&p.literal, p.wildcard)).or_default().push(r);
        }
    }
    let mut dups: Vec<_> = by_path.iter().filter(|(_, v)| v.len() > 1).collect();
    dups.sort_by_key(|(k, _)| *k);
    for (_, rs) in dups {
        let n = names(rs);
        diags.push(Diagnostic::error(
            Kind::DuplicatePath,
            n.iter().map(String::as_str),
            Some("path"),
            format!(
                "the same path `{}` on `{site}`: `{}` is tried first and the others can never match; remove or change the duplicates",
                rs[0].pattern.as_ref().map_or("", |p| p.pattern.as_str()),
                n[0]
            ),
        ));
    }
    // `/*` matches every request: the catch-all after it can never match.
    if let Some(all) = by_path.get(&("/", true)) {
        for c in &catch_alls {
            diags.push(Diagnostic::error(
                Kind::Shadowed,
                [all[0].route.name.as_str(), c.route.name.as_str()],
                Some("path"),
                format!(
                    "`{}` (path `{}`) matches every request on `{site}`, so the catch-all `{}` can never match; make one of them the only catch-all",
                    all[0].route.name,
                    all[0].pattern.as_ref().map_or("", |p| p.pattern.as_str()),
                    c.route.name
                ),
            ));
        }
    }
    // Priorities that cannot take effect: a wildcard (or the catch-all) asks to
    // come before a route that overlaps it but is more specific, so it comes after.
    let wild: FastMap<&str, Vec<&PlannedRoute>> = {
        let mut m: FastMap<&str, Vec<&PlannedRoute>> = FastMap::default();
        for r in &s.routes {
            if let Some(p) = r.pattern.as_ref().filter(|p| p.wildcard) {
                m.entry(p.literal.as_str()).or_default().push(r);
            }
        }
        m
    };
    let mut losers: BTreeMap<&str, (i64, Vec<String>)> = BTreeMap::new();
    for r in &s.routes {
        let Some(p) = &r.pattern else { continue };
        let lit = p.literal.as_str();
        for (i, _) in lit.char_indices().skip(1) {
            for b in wild.get(&lit[..i]).into_iter().flatten() {
                if b.route.priority < r.route.priority {
                    losers
                        .entry(&b.route.name)
                        .or_insert_with(|| (b.route.priority, Vec::new()))
                        .1
                        .push(r.route.name.clone());
                }
            }
        }
        if p.wildcard {
            continue;
        }
        // An exact path overlaps the wildcard with the same literal.
        for b in wild.get(lit).into_iter().flatten() {
            if b.route.priority < r.route.priority {
                losers
                    .entry(&b.route.name)
                    .or_insert_with(|| (b.route.priority, Vec::new()))
                    .1
                    .push(r.route.name.clone());
            }
        }
    }
    for c in &catch_alls {
        let more: Vec<String> = s
            .routes
            .iter()
            .filter(|r| r.pattern.is_some() && r.route.priority > c.route.priority)
            .map(|r| r.route.name.clone())
            .collect();
        if !more.is_empty() {
            losers.insert(&c.route.name, (c.route.priority, more));
        }
    }
    for (loser, (prio, mut winners)) in losers {
        winners.sort();
        diags.push(Diagnostic::warning(
            Kind::PriorityIneffective,
            [loser],
            Some("priority"),
            format!(
                "priority {prio} cannot take effect on `{site}`: more specific overlapping route(s) {} are always tried first (specificity decides; priority only breaks ties)",
                list(&winners)
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, path: Option<&str>, prio: i64) -> Route {
        let mut r = Route::new(name, "a.test", path, "127.0.0.1:1");
        r.priority = prio;
        r
    }

    fn order(routes: Vec<Route>) -> Plan {
        plan(Parsed {
            routes,
            problems: vec![],
        })
    }

    #[test]
    fn specificity_then_priority_then_name() {
        let p = order(vec![
            r("all", None, 1000),
            r("api_prefix", Some("/api*"), 10),
            r("api_exact", Some("/api"), 500),
            r("api_dir", Some("/api/*"), 500),
            r("z", Some("/zzz*"), 1),
            r("b", Some("/bbb*"), 1),
        ]);
        let names: Vec<&str> = p.sites[0]
            .routes
            .iter()
            .map(|r| r.route.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["api_dir", "api_exact", "b", "z", "api_prefix", "all"]
        );
        let warn: Vec<String> = p.warnings().map(ToString::to_string).collect();
        assert_eq!(warn.len(), 1, "{warn:?}");
        assert!(
            warn[0].contains("`api_prefix`") && warn[0].contains("`api_dir`, `api_exact`"),
            "{warn:?}"
        );
        assert!(!p.has_errors());
    }

    #[test]
    fn duplicates_catch_alls_and_slash_star() {
        let p = order(vec![
            r("a", Some("/x/*"), 1),
            r("b", Some("/X/*"), 2),
            r("c", None, 1),
            r("d", None, 2),
            r("e", Some("/*"), 3),
        ]);
        let errs: Vec<String> = p.errors().map(ToString::to_string).collect();
        assert!(
            errs.iter()
                .any(|e| e.contains("routes `a`, `b`") && e.contains("same path")),
            "{errs:#?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("routes `c`, `d`") && e.contains("catch-all")),
            "{errs:#?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("`e`") && e.contains("can never match")),
            "{errs:#?}"
        );
    }

    #[test]
    fn config_text_balance() {
        assert!(
            check_config_text("header_up Host {upstream_hostport}\nheader_down -Server").is_ok()
        );
        assert!(check_config_text("transport http {\n  versions 2\n}").is_ok());
        assert!(check_config_text("respond \"}\" 200").is_ok());
        assert!(check_config_text("# }\nfoo").is_ok());
        assert!(check_config_text("}\nreverse_proxy evil:1 {").is_err());
        assert!(check_config_text("transport http {").is_err());
        assert!(check_config_text("respond \"x").is_err());
    }
}

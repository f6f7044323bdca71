//! `explain`: which route serves a URL, and why, with Caddy's matching rules
//! (host match picks the site; paths match exactly, or by prefix with a
//! trailing `*`, case-insensitively, on the cleaned, decoded path).

use serde::Serialize;

use crate::addr::{PathPattern, Scheme};
use crate::plan::Plan;

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("`{url}` is not a URL: {why}")]
    BadUrl { url: String, why: String },
}

/// One route that was tried before the answer.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    pub route: String,
    pub path: Option<String>,
    pub matched: bool,
    pub why: String,
}

/// The answer for one URL.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub url: String,
    /// The site block that serves the host, if any.
    pub site: Option<String>,
    /// The route that serves the request, if any.
    pub route: Option<String>,
    pub target: Option<String>,
    /// The path the upstream sees (after `stripPrefix`).
    pub upstream_path: Option<String>,
    pub reason: String,
    /// Routes tried in order, up to and including the one that matched.
    pub tried: Vec<Tried>,
}

impl Explanation {
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        match (&self.route, &self.site) {
            (Some(r), Some(site)) => {
                s.push_str(&format!(
                    "{} -> route `{r}` on `{site}` -> {} (upstream path {})\n",
                    self.url,
                    self.target.as_deref().unwrap_or("?"),
                    self.upstream_path.as_deref().unwrap_or("?"),
                ));
            }
            _ => s.push_str(&format!("{} -> no route\n", self.url)),
        }
        s.push_str(&format!("  why: {}\n", self.reason));
        for t in &self.tried {
            s.push_str(&format!(
                "  {} `{}` ({}): {}\n",
                if t.matched { "match" } else { "skip " },
                t.route,
                t.path.as_deref().unwrap_or("catch-all"),
                t.why
            ));
        }
        s
    }
}

struct Url {
    scheme: Scheme,
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, ExplainError> {
    let bad = |why: &str| ExplainError::BadUrl {
        url: url.to_string(),
        why: why.to_string(),
    };
    let (scheme, rest) = if let Some(r) = url.strip_prefix("http://") {
        (Scheme::Http, r)
    } else if let Some(r) = url.strip_prefix("https://") {
        (Scheme::Https, r)
    } else if url.contains("://") {
        return Err(bad(
            "only http:// and https:// URLs are served by Caddy sites",
        ));
    } else {
        (Scheme::Https, url)
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let path = if path.is_empty() { "/" } else { path };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            let port = p
                .parse::<u16>()
                .map_err(|_| bad(&format!("port `{p}` is not a number")))?;
            (h, port)
        }
        _ => (
            authority,
            match scheme {
                Scheme::Http => 80,
                Scheme::Https => 443,
            },
        ),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok(Url {
        scheme,
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
        port,
        path: path.to_string(),
    })
}

/// Percent-decode, merge slashes, resolve `.`/`..` (as Go and Caddy clean a request path).
fn clean_path(p: &str) -> String {
    let bytes = p.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                decoded.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        decoded.push(bytes[i]);
        i += 1;
    }
    let decoded = String::from_utf8_lossy(&decoded).into_owned();
    let trailing = decoded.ends_with('/') && decoded.len() > 1;
    let mut segs: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = format!("/{}", segs.join("/"));
    if trailing && out != "/" {
        out.push('/');
    }
    out
}

/// Which route of `plan` serves `url`.
pub fn explain(plan: &Plan, url: &str) -> Result<Explanation, ExplainError> {
    let u = parse_url(url)?;
    let path = clean_path(&u.path);
    let lower = path.to_ascii_lowercase();
    let mut ex = Explanation {
        url: url.to_string(),
        site: None,
        route: None,
        target: None,
        upstream_path: None,
        reason: String::new(),
        tried: Vec::new(),
    };
    let site = plan
        .sites
        .iter()
        .filter(|s| s.site.port == u.port && s.site.scheme == u.scheme)
        .find(|s| s.site.matches_host(&u.host));
    let Some(site) = site else {
        let others: Vec<String> = plan
            .sites
            .iter()
            .filter(|s| s.site.port == u.port)
            .map(|s| format!("`{}`", s.site.address()))
            .collect();
        ex.reason = if others.is_empty() {
            format!("no site listens on {}:{}", u.scheme.as_str(), u.port)
        } else {
            format!(
                "host `{}` matches none of the sites on port {}: {}",
                u.host,
                u.port,
                others.join(", ")
            )
        };
        return Ok(ex);
    };
    ex.site = Some(site.site.address());
    for r in &site.routes {
        let (matched, why) = match &r.pattern {
            None => (
                true,
                "the catch-all serves every request no earlier route matched".to_string(),
            ),
            Some(p) => why(p, &path, &lower),
        };
        ex.tried.push(Tried {
            route: r.route.name.clone(),
            path: r.pattern.as_ref().map(|p| p.pattern.clone()),
            matched,
            why: why.clone(),
        });
        if matched {
            ex.route = Some(r.route.name.clone());
            ex.target = Some(r.upstream.caddyfile());
            let upstream_path = match &r.strip {
                Some(prefix) if lower.starts_with(&prefix.to_ascii_lowercase()) => {
                    // As Caddy 2.6.2 does (tested): `/apix` minus `/api` is `x`,
                    // without a leading slash; an empty rest becomes `/`.
                    let rest = &path[prefix.len()..];
                    if rest.is_empty() {
                        "/".to_string()
                    } else {
                        rest.to_string()
                    }
                }
                _ => path.clone(),
            };
            ex.upstream_path = Some(upstream_path);
            ex.reason =
                format!("{why}; routes are tried most specific first and the first match wins");
            return Ok(ex);
        }
    }
    ex.reason = format!(
        "no route of `{}` matches `{path}` and it has no catch-all: Caddy answers with an empty response",
        site.site.address()
    );
    Ok(ex)
}

fn why(p: &PathPattern, path: &str, lower: &str) -> (bool, String) {
    let m = p.matches(lower);
    let text = match (p.wildcard, m) {
        (true, true) => format!("`{path}` starts with `{}` (prefix match)", p.literal),
        (true, false) => format!(
            "`{path}` does not start with `{}` (`*` matches only after the prefix)",
            p.literal
        ),
        (false, true) => format!("`{path}` equals `{}` (exact match)", p.pattern),
        (false, false) => format!(
            "`{path}` is not exactly `{}` (a path without `*` is an exact match, not a prefix)",
            p.pattern
        ),
    };
    (m, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_paths() {
        assert_eq!(clean_path("/a//b/./c/../d"), "/a/b/d");
        assert_eq!(clean_path("/a%20b/"), "/a b/");
        assert_eq!(clean_path(""), "/");
        assert_eq!(clean_path("/%zz"), "/%zz");
    }
}

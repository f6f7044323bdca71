//! `explain`: which route serves a URL, and why, with Caddy's matching rules
//! (host match picks the site; paths match exactly, or by prefix with a
//! trailing `*`, case-insensitively, on the cleaned, decoded path), for the
//! Caddy version in use (see [`crate::version`]). The upstream path is the raw
//! one: Caddy does not clean what it proxies (`/x/../y` arrives as is, `%2F`
//! stays encoded), only `stripPrefix` does.

use serde::Serialize;

use crate::addr::{PathPattern, Scheme};
use crate::plan::Plan;
use crate::version::CaddyVersion;

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
    /// The Caddy version whose behaviour this answer follows.
    pub caddy_version: String,
    /// The path as sent on the request line (percent-encoded as a browser does).
    pub request_path: String,
    /// The path Caddy's path matcher compares with the route paths.
    pub matched_path: String,
    /// The site block that serves the host, if any.
    pub site: Option<String>,
    /// The route that serves the request, if any.
    pub route: Option<String>,
    pub target: Option<String>,
    /// The path the upstream receives on its request line (the raw path, after
    /// `stripPrefix`; without the query).
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
                let up = self.upstream_path.as_deref().unwrap_or("?");
                s.push_str(&format!(
                    "{} -> route `{r}` on `{site}` -> {} (upstream path {up}{})\n",
                    self.url,
                    self.target.as_deref().unwrap_or("?"),
                    if up.starts_with('/') {
                        ""
                    } else {
                        ", without a leading slash"
                    },
                ));
            }
            _ => s.push_str(&format!("{} -> no route\n", self.url)),
        }
        s.push_str(&format!(
            "  Caddy {}: request path {}, matched as {}\n",
            self.caddy_version, self.request_path, self.matched_path
        ));
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
    /// The request target's path as a client sends it (percent-encoded).
    raw_path: String,
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
    // `user:password@` is not sent in the Host header
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let default_port = match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    };
    let port_of = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| bad(&format!("port `{p}` is not a number")))
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inner, after) = v6
            .split_once(']')
            .ok_or_else(|| bad("unclosed `[` in the IPv6 host"))?;
        if inner.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(bad(&format!("`[{inner}]` is not an IPv6 address")));
        }
        let port = match after {
            "" => default_port,
            p => port_of(
                p.strip_prefix(':')
                    .ok_or_else(|| bad(&format!("unexpected `{after}` after the IPv6 host")))?,
            )?,
        };
        (inner.to_ascii_lowercase(), port)
    } else {
        let (h, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, port_of(p)?),
            None => (authority, default_port),
        };
        let h = if h.is_ascii() {
            h.to_ascii_lowercase()
        } else {
            // A browser sends an internationalised name in its ASCII form.
            idna::domain_to_ascii(h)
                .map_err(|_| bad(&format!("`{h}` is not a valid domain name")))?
        };
        (h, port)
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    // What a browser puts on the request line: characters that may not appear
    // there raw are percent-encoded; `%` escapes must be well-formed.
    let mut raw_path = String::with_capacity(path.len());
    for c in path.chars() {
        if c.is_ascii_graphic() && !"\"<>\\^`{|}".contains(c) {
            raw_path.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                raw_path.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if unescape(&raw_path).is_none() {
        return Err(bad(&format!(
            "`{path}` has a malformed percent-escape (Caddy answers 400 Bad Request)"
        )));
    }
    Ok(Url {
        scheme,
        host,
        port,
        raw_path,
    })
}

/// Go's `url.PathUnescape`: `None` on a malformed escape.
fn unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |k: usize| b.get(k).and_then(|c| (*c as char).to_digit(16));
            let (h, l) = (hex(i + 1)?, hex(i + 2)?);
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `shouldEscape(c, encodePath)`.
fn go_should_escape(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&c))
}

/// Go's `url.URL.EscapedPath` for a path without a valid raw form.
fn go_escape(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if go_should_escape(b) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Go's `validEncoded(s, encodePath)`.
fn go_valid_encoded(s: &str) -> bool {
    s.bytes()
        .all(|c| b"!$&'()*+,;=:@[]%".contains(&c) || !go_should_escape(c))
}

/// Go's `url.URL.EscapedPath`: the raw form when it is a valid spelling of `path`.
fn escaped_path(raw: &str, path: &str) -> String {
    if !raw.is_empty() && go_valid_encoded(raw) && unescape(raw).as_deref() == Some(path) {
        raw.to_string()
    } else {
        go_escape(path)
    }
}

/// Go's `path.Clean`, keeping a trailing slash as Caddy's `CleanPath` does
/// (slashes merged; `.` and `..` resolved on the text as given).
fn clean_path(p: &str) -> String {
    let trailing = p.ends_with('/') && p.len() > 1;
    let mut segs: Vec<&str> = Vec::new();
    for seg in p.split('/') {
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

/// The path Caddy's path matcher compares with the patterns: decoded, lower
/// case, (before 2.7) trailing dots and spaces trimmed, then cleaned.
fn matcher_path(decoded: &str, caddy: CaddyVersion) -> String {
    let lower = decoded.to_lowercase();
    let lower = if caddy.trims_trailing_dots() {
        lower.trim_end_matches(['.', ' '])
    } else {
        lower.as_str()
    };
    clean_path(lower)
}

/// Caddy's `trimPathPrefix`: `prefix` (decoded) removed from the escaped path,
/// case-insensitively; the path unchanged when it does not start with it.
fn trim_path_prefix(escaped: &str, prefix: &str) -> String {
    let (e, p) = (escaped.as_bytes(), prefix.as_bytes());
    let (mut ip, mut ix) = (0, 0);
    while ip < e.len() && ix < p.len() {
        let mut ch = e[ip];
        if ch == b'%' && p[ix] != b'%' && e.len() >= ip + 3 {
            match escaped.get(ip..ip + 3).and_then(unescape) {
                Some(d) if d.len() == 1 => ch = d.as_bytes()[0],
                // a multi-byte or malformed escape never equals one prefix byte
                _ => return escaped.to_string(),
            }
            ip += 2;
        }
        if !ch.eq_ignore_ascii_case(&p[ix]) {
            return escaped.to_string();
        }
        ip += 1;
        ix += 1;
    }
    if ip >= p.len() {
        escaped.get(ip..).unwrap_or("").to_string()
    } else {
        escaped.to_string()
    }
}

/// The path line the upstream receives (without the query): what Caddy's
/// `rewrite` with `strip_path_prefix` and Go's HTTP client make of the
/// request's escaped path.
fn upstream_path(raw: &str, decoded: &str, strip: Option<&str>, caddy: CaddyVersion) -> String {
    let escaped = escaped_path(raw, decoded);
    let Some(prefix) = strip else {
        return escaped;
    };
    let prefix = if prefix.starts_with('/') {
        prefix.to_string()
    } else {
        format!("/{prefix}")
    };
    // rewrite's changePath()
    let raw_path = trim_path_prefix(&clean_path(&escaped), &prefix);
    let path = match unescape(&raw_path) {
        Some(p) if !p.is_empty() => p,
        _ => trim_path_prefix(&clean_path(decoded), &prefix),
    };
    let mut sent = escaped_path(&raw_path, &path);
    if caddy.restores_leading_slash() && !sent.starts_with('/') {
        sent = if path.starts_with('/') {
            go_escape(&path)
        } else {
            format!("/{sent}")
        };
    }
    if sent.is_empty() {
        sent.push('/');
    }
    sent
}

/// Which route of `plan` serves `url` on Caddy `caddy`.
pub fn explain(plan: &Plan, url: &str, caddy: CaddyVersion) -> Result<Explanation, ExplainError> {
    let u = parse_url(url)?;
    let decoded = unescape(&u.raw_path).unwrap_or_else(|| u.raw_path.clone());
    let lower = matcher_path(&decoded, caddy);
    let path = lower.as_str();
    let mut ex = Explanation {
        url: url.to_string(),
        caddy_version: caddy.to_string(),
        request_path: u.raw_path.clone(),
        matched_path: lower.clone(),
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
            Some(p) => why(p, path),
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
            ex.upstream_path = Some(upstream_path(
                &u.raw_path,
                &decoded,
                r.strip.as_deref(),
                caddy,
            ));
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

/// Does pattern `p` match the matcher's `path` (lower case, cleaned), and why.
fn why(p: &PathPattern, path: &str) -> (bool, String) {
    let m = p.matches(path);
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

    const OLD: CaddyVersion = CaddyVersion::new(2, 6, 2);
    const NEW: CaddyVersion = CaddyVersion::new(2, 11, 7);

    #[test]
    fn cleans_paths() {
        assert_eq!(clean_path("/a//b/./c/../d"), "/a/b/d");
        assert_eq!(clean_path("/a b/"), "/a b/");
        assert_eq!(matcher_path("/health. .", OLD), "/health");
        assert_eq!(matcher_path("/health/.", OLD), "/health/");
        assert_eq!(matcher_path("/health.", NEW), "/health.");
    }

    #[test]
    fn odd_urls() {
        let u = parse_url("http://user:pw@[::1]:8080/a b/ü").expect("ok");
        assert_eq!((u.host.as_str(), u.port), ("::1", 8080));
        assert_eq!(u.raw_path, "/a%20b/%C3%BC");
        let u = parse_url("https://Bücher.TEST").expect("idn");
        assert_eq!(
            (u.host.as_str(), u.port, u.raw_path.as_str()),
            ("xn--bcher-kva.test", 443, "/")
        );
        for bad in [
            "http://[::1",
            "http://[::1]x/",
            "http://[zz]/",
            "http://a.test:99999/",
            "http://a.test:/",
            "http:///x",
            "http://a.test/%zz",
            "http://a.test/%",
            "ftp://a.test/",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn upstream_paths_as_measured() {
        let up = |raw: &str, strip: Option<&str>, v| {
            upstream_path(raw, &unescape(raw).expect("escape"), strip, v)
        };
        assert_eq!(up("/x/../health", None, OLD), "/x/../health");
        assert_eq!(up("/a|b", None, OLD), "/a%7Cb");
        assert_eq!(
            up("/ollama%2Fapi/tags", Some("/ollama"), OLD),
            "%2Fapi/tags"
        );
        assert_eq!(up("/ollama%2Fapi/tags", Some("/ollama"), NEW), "/api/tags");
        assert_eq!(up("/apix%2Fy", Some("/api"), NEW), "/x%2Fy");
        assert_eq!(up("/ollama//x", Some("/ollama"), OLD), "/x");
        assert_eq!(up("/api/../apix", Some("/api"), OLD), "x");
        assert_eq!(up("/strip", Some("/strip"), OLD), "/");
        assert_eq!(up("/a%20b/c", Some("/a b"), OLD), "/c");
    }
}

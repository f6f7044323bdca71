//! Site addresses, upstream targets and path patterns: parsing and validation.
//!
//! Everything accepted here means the same thing in a Caddyfile (quoted where
//! it holds a space, see [`caddyfile_token`]) and in Caddy's JSON config.
//! Internationalised domain names are written in their ASCII (`xn--`) form:
//! that is what clients send in the `Host` header and what Caddy's host
//! matcher compares with.

use std::fmt;

use serde::Serialize;

/// `http` or `https` (a site address without a scheme is HTTPS, as in Caddy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A Caddy site address, normalised: spellings of the same site compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Site {
    pub scheme: Scheme,
    /// Lower-case host name, IPv4 address, `[v6]` address, or `*.name`.
    pub host: String,
    pub port: u16,
}

impl Site {
    /// Parse a Caddy site address: `host`, `host:port`, `http://host`, `https://host:port`.
    pub fn parse(s: &str) -> Result<Site, String> {
        if s.trim().is_empty() {
            return Err("domain is empty; give a site address such as `photos.tail1234.ts.net` or `http://a.test:8080`".into());
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "domain {s:?} contains {c:?}; a site address has no spaces or control characters"
            ));
        }
        let (scheme, rest) = if let Some(r) = s.strip_prefix("http://") {
            (Some(Scheme::Http), r)
        } else if let Some(r) = s.strip_prefix("https://") {
            (Some(Scheme::Https), r)
        } else if s.contains("://") {
            return Err(format!(
                "domain `{s}` has an unsupported scheme; use `http://` or `https://` (or none for HTTPS)"
            ));
        } else {
            (None, s)
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            return Err(format!(
                "domain `{s}` contains a path; a site address is host[:port], put the path in `path`"
            ));
        }
        let (host, port) = split_host_port(rest).map_err(|e| format!("domain `{s}`: {e}"))?;
        // `http://` alone: every host on the scheme's port, as in Caddy
        let port = match (port, scheme) {
            (None, Some(sc)) if host.is_empty() => Some(sc.default_port()),
            (p, _) => p,
        };
        if host.is_empty() && port.is_none() {
            return Err(format!(
                "domain `{s}` has no host name and no port; give a host or a port (`:8080`)"
            ));
        }
        // `:8080`: every host on that port; Caddy serves it over plain HTTP
        // (no name to get a certificate for) unless the port is 443.
        let host = if host.is_empty() {
            host
        } else {
            validate_host(&host, true).map_err(|e| format!("domain `{s}`: {e}"))?
        };
        let scheme = scheme.unwrap_or(
            if port == Some(80) || (host.is_empty() && port != Some(443)) {
                Scheme::Http
            } else {
                Scheme::Https
            },
        );
        Ok(Site {
            scheme,
            port: port.unwrap_or(scheme.default_port()),
            host,
        })
    }

    /// The canonical Caddyfile spelling of this site.
    pub fn address(&self) -> String {
        if self.host.is_empty() {
            let implied = if self.port == 443 {
                Scheme::Https
            } else {
                Scheme::Http
            };
            return if self.scheme == implied {
                format!(":{}", self.port)
            } else {
                format!("{}://:{}", self.scheme.as_str(), self.port)
            };
        }
        if self.port == self.scheme.default_port() {
            match self.scheme {
                Scheme::Https => self.host.clone(),
                Scheme::Http => format!("http://{}", self.host),
            }
        } else {
            format!("{}://{}:{}", self.scheme.as_str(), self.host, self.port)
        }
    }

    pub fn is_wildcard(&self) -> bool {
        self.host.starts_with("*.")
    }

    /// The host as it appears in a Caddy `host` matcher (no brackets for IPv6).
    pub fn host_matcher(&self) -> String {
        self.host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string()
    }

    /// A site without a host (`:8080`) serves every host on its port.
    pub fn is_hostless(&self) -> bool {
        self.host.is_empty()
    }

    /// Does `host` (lower case) match this site's host, as Caddy's host matcher does?
    pub fn matches_host(&self, host: &str) -> bool {
        if self.is_hostless() {
            return true;
        }
        let h = self.host_matcher();
        match h.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .and_then(|p| p.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.contains('.')),
            None => h == host,
        }
    }

    /// Sort key: exact hosts before wildcards, the hostless site last (Caddy
    /// tries more specific hosts first).
    pub fn sort_key(&self) -> (u16, bool, bool, String, Scheme) {
        (
            self.port,
            self.is_hostless(),
            self.is_wildcard(),
            self.host.clone(),
            self.scheme,
        )
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

fn split_host_port(s: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let end = rest.find(']').ok_or("unclosed `[` in IPv6 address")?;
        let host = format!("[{}]", &rest[..end]);
        let after = &rest[end + 1..];
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return Err(format!("unexpected `{after}` after the IPv6 address")),
        }
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok((host, port))
}

fn parse_port(p: &str) -> Result<u16, String> {
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("port `{p}` is not a number between 1 and 65535")),
        Ok(n) => Ok(n),
    }
}

/// Validate a host (hostname, IPv4, `[IPv6]`; `*.name` when `wildcard_ok`); returns it in lower case.
fn validate_host(host: &str, wildcard_ok: bool) -> Result<String, String> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<std::net::Ipv6Addr>()
            .map(|_| host.to_ascii_lowercase())
            .map_err(|_| format!("`{host}` is not a valid IPv6 address"));
    }
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Ok(host.to_string());
    }
    let ascii;
    let host = if host.is_ascii() {
        host
    } else {
        // An internationalised name: its A-label form, as clients send it.
        ascii = idna::domain_to_ascii(host)
            .map_err(|_| format!("`{host}` is not a valid internationalised domain name"))?;
        ascii.as_str()
    };
    if host.len() > 253 {
        return Err(format!("host name `{host}` is longer than 253 characters"));
    }
    let lower = host.to_ascii_lowercase();
    for (i, label) in lower.split('.').enumerate() {
        if label == "*" && i == 0 && wildcard_ok && lower.len() > 2 {
            continue;
        }
        let ok = !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(format!(
                "`{host}` is not a valid host name (label `{label}`: letters, digits and inner `-` only{})",
                if wildcard_ok { "; `*` only as the whole first label" } else { "" }
            ));
        }
    }
    if lower.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(format!("`{host}` is not a valid IPv4 address"));
    }
    Ok(lower)
}

/// Where a route proxies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upstream {
    /// Caddy's dial address: `host:port` or `unix//path`.
    pub dial: String,
    /// TLS to the upstream (`https://` targets).
    pub tls: bool,
}

impl Upstream {
    /// Parse `http://host[:port]`, `https://host[:port]`, `host:port`,
    /// `unix//path` or `unix/@abstract`.
    pub fn parse(s: &str) -> Result<Upstream, String> {
        const FORMS: &str = "expected `http://host:port`, `https://host:port`, `host:port`, `unix//absolute/path` or `unix/@abstract`";
        if s.is_empty() {
            return Err(format!("target is empty; {FORMS}"));
        }
        if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("target {s:?} contains {c:?}; {FORMS}"));
        }
        if let Some(path) = s.strip_prefix("unix/") {
            // `unix//abs/path`, or `unix/@name`: a Linux abstract socket.
            if !(path.starts_with('/') || path.starts_with('@')) || path.len() < 2 {
                return Err(format!(
                    "target `{s}`: a unix socket target is `unix/` followed by an absolute path (`unix//run/app.sock`) or an abstract name (`unix/@app`)"
                ));
            }
            if let Some(c) = path.chars().find(|c| "{}\"'`\\#;".contains(*c)) {
                return Err(format!(
                    "target `{s}`: `{c}` is not allowed in a socket path"
                ));
            }
            return Ok(Upstream {
                dial: s.to_string(),
                tls: false,
            });
        }
        let (tls, rest, scheme) = if let Some(r) = s.strip_prefix("http://") {
            (false, r, Some(Scheme::Http))
        } else if let Some(r) = s.strip_prefix("https://") {
            (true, r, Some(Scheme::Https))
        } else if s.contains("://") {
            return Err(format!("target `{s}` has an unsupported scheme; {FORMS}"));
        } else {
            (false, s, None)
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') || rest.contains('?') || rest.contains('#') {
            return Err(format!(
                "target `{s}` has a path; Caddy's reverse_proxy takes an address only (use `stripPrefix` or `handleConfig` with `rewrite` to change the path)"
            ));
        }
        let (host, port) = split_host_port(rest).map_err(|e| format!("target `{s}`: {e}"))?;
        if host.is_empty() {
            return Err(format!("target `{s}` has no host; {FORMS}"));
        }
        let host = validate_host(&host, false).map_err(|e| format!("target `{s}`: {e}"))?;
        let port = match (port, scheme) {
            (Some(p), _) => p,
            (None, Some(sc)) => sc.default_port(),
            (None, None) => {
                return Err(format!(
                "target `{s}` is not an address: a target without a scheme needs a port; {FORMS}"
            ))
            }
        };
        Ok(Upstream {
            dial: format!("{host}:{port}"),
            tls,
        })
    }

    /// The upstream as written in a Caddyfile `reverse_proxy` line.
    pub fn caddyfile(&self) -> String {
        if self.tls {
            format!("https://{}", self.dial)
        } else {
            self.dial.clone()
        }
    }
}

/// A validated path pattern: a literal, optionally followed by one `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PathPattern {
    /// As written (case kept for output).
    pub pattern: String,
    /// The part before the `*`, lower case (Caddy matches paths case-insensitively).
    pub literal: String,
    pub wildcard: bool,
}

impl PathPattern {
    pub fn parse(p: &str) -> Result<PathPattern, String> {
        if p.is_empty() {
            return Err(
                "path is empty; use null for the catch-all or a path such as `/app/*`".into(),
            );
        }
        if !p.starts_with('/') {
            return Err(format!("path `{p}` must start with `/` (e.g. `/{p}`)"));
        }
        for c in p.chars() {
            let why = match c {
                ' ' => None,
                c if c.is_whitespace() => Some("a tab or line break"),
                c if c.is_control() => Some("a control character"),
                '{' | '}' => Some("a brace, which Caddy reads as a block or a placeholder"),
                '\\' => Some("a backslash"),
                '?' => Some("`?`: the query string is not part of the path"),
                '[' | ']' => Some("a bracket, which Caddy reads as a glob class"),
                '%' => Some("`%`: write the decoded character instead of a percent-escape (a space as a space)"),
                '<' | '>' | '|' | '^' => Some("a character that is not allowed in a URL path"),
                _ => None,
            };
            if let Some(why) = why {
                return Err(format!("path {p:?} contains {why}"));
            }
        }
        let star = p.find('*');
        if let Some(i) = star {
            if i != p.len() - 1 {
                return Err(format!(
                    "path `{p}`: `*` is only supported as the last character (a prefix match such as `/app/*`)"
                ));
            }
        }
        let literal = p.trim_end_matches('*');
        if literal.contains("//") || literal.split('/').any(|seg| seg == "." || seg == "..") {
            return Err(format!(
                "path `{p}` is not a clean path (`//`, `.` or `..` segments); Caddy cleans request paths first, so it could never match"
            ));
        }
        Ok(PathPattern {
            pattern: p.to_string(),
            literal: if literal.is_ascii() {
                literal.to_ascii_lowercase()
            } else {
                literal.to_lowercase()
            },
            wildcard: star.is_some(),
        })
    }

    /// Caddy's path matching: exact, or prefix with a trailing `*`; case-insensitive.
    pub fn matches(&self, lower_path: &str) -> bool {
        if self.wildcard {
            lower_path.starts_with(&self.literal)
        } else {
            lower_path == self.literal
        }
    }

    /// The prefix `stripPrefix` removes, as `handle_path` does (tested against
    /// `caddy adapt`): for `/app/*` the literal without its trailing `/` (so
    /// `/app/x` becomes `/x`); for an exact path, the whole path; for `/*`,
    /// nothing (empty).
    pub fn strip(&self) -> String {
        if !self.wildcard {
            return self.pattern.clone();
        }
        let lit = self.pattern.trim_end_matches('*');
        // `/*` strips nothing (a lone `/` would leave relative paths).
        lit.strip_suffix('/').unwrap_or(lit).to_string()
    }
}

/// A Caddyfile token: quoted when it holds a character Caddyfile syntax
/// cares about (a space, a quote, a backtick, `#`), with `"` escaped. (Braces
/// and backslashes never get here: paths refuse them.)
pub fn caddyfile_token(s: &str) -> String {
    if s.contains([' ', '"', '`', '#', '\'']) {
        format!("\"{}\"", s.replace('"', "\\\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_normalise() {
        let a = Site::parse("Photos.Example.COM").expect("ok");
        assert_eq!(
            a,
            Site::parse("https://photos.example.com:443").expect("ok")
        );
        assert_eq!(a.address(), "photos.example.com");
        let h = Site::parse("http://a.test:8080").expect("ok");
        assert_eq!((h.scheme, h.port), (Scheme::Http, 8080));
        assert_eq!(h.address(), "http://a.test:8080");
        assert_eq!(
            Site::parse("a.test:80").expect("ok").address(),
            "http://a.test"
        );
        assert!(Site::parse("*.a.test")
            .expect("ok")
            .matches_host("x.a.test"));
        assert!(!Site::parse("*.a.test")
            .expect("ok")
            .matches_host("y.x.a.test"));
        for bad in [
            "",
            "a test",
            "a.test/x",
            "ftp://a.test",
            "a..test",
            "-a.test",
            "a.test:0",
            "a.test:http",
            "x.*.test",
            "1.2.3.999",
        ] {
            assert!(Site::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn what_caddy_also_accepts() {
        let any = Site::parse(":8080").expect("hostless");
        assert_eq!(
            (any.scheme, any.port, any.address()),
            (Scheme::Http, 8080, ":8080".into())
        );
        assert!(any.matches_host("whatever.test"));
        assert_eq!(
            Site::parse("https://:8443").expect("ok").address(),
            "https://:8443"
        );
        let idn = Site::parse("http://Bücher.example:8081").expect("idn");
        assert_eq!(idn.address(), "http://xn--bcher-kva.example:8081");
        assert_eq!(
            Site::parse("xn--bcher-kva.example").expect("ok").host,
            "xn--bcher-kva.example"
        );
        assert_eq!(
            Upstream::parse("unix/@axios").expect("abstract").dial,
            "unix/@axios"
        );
        let p = PathPattern::parse("/My Photos/*").expect("space");
        assert!(p.matches("/my photos/x"));
        assert_eq!(caddyfile_token(&p.pattern), "\"/My Photos/*\"");
        assert!(PathPattern::parse("/fotos/é*").is_ok());
        assert_eq!(caddyfile_token("/say \"hi\"#1"), "\"/say \\\"hi\\\"#1\"");
        assert!(Site::parse(":").is_err());
        assert!(Upstream::parse("unix/@").is_err());
    }

    #[test]
    fn upstreams() {
        assert_eq!(
            Upstream::parse("http://127.0.0.1:11434").expect("ok").dial,
            "127.0.0.1:11434"
        );
        assert_eq!(
            Upstream::parse("localhost:80").expect("ok").dial,
            "localhost:80"
        );
        assert_eq!(Upstream::parse("http://app").expect("ok").dial, "app:80");
        let t = Upstream::parse("https://app:8443").expect("ok");
        assert!(t.tls);
        assert_eq!(t.caddyfile(), "https://app:8443");
        assert_eq!(
            Upstream::parse("unix//run/a.sock").expect("ok").dial,
            "unix//run/a.sock"
        );
        for bad in [
            "",
            "localhost",
            "http://a:1/x",
            "unix/rel",
            "ftp://a:1",
            "a b:1",
            "a:99999",
            "[zz]:1",
        ] {
            assert!(Upstream::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths() {
        let p = PathPattern::parse("/Ollama/*").expect("ok");
        assert!(p.matches("/ollama/x"));
        assert!(!p.matches("/ollama"));
        assert_eq!(p.strip(), "/Ollama");
        let e = PathPattern::parse("/api").expect("ok");
        assert!(e.matches("/api") && !e.matches("/api/"));
        assert_eq!(PathPattern::parse("/api*").expect("ok").strip(), "/api");
        for bad in [
            "", "api", "/a\tb", "/a{b}", "/a\\b", "/a\nb", "/*/x", "/a//b", "/a/../b", "/a?x",
            "/a%20b",
        ] {
            assert!(PathPattern::parse(bad).is_err(), "{bad:?}");
        }
    }
}

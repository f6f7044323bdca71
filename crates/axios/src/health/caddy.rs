//! Caddy: the route registry's `check` result, Caddy's admin endpoint, and
//! every route's upstream.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use axios_caddy::admin::Admin;
use axios_caddy::Severity as CaddySeverity;

use super::{regular, Domain, Finding, Health, Options, Severity};

const REBUILD: &str = "the file comes from selfHosted.caddy.routes: fix the route there and run `sudo nixos-rebuild switch`";

pub fn check(o: &Options, h: &mut Health) {
    let path = &o.caddy_routes;
    let Some(source) = h.domain(Domain::Caddy, path) else {
        return;
    };
    let f = |sev, subject: &str, msg: String, fix: Option<String>| {
        Finding::new(Domain::Caddy, sev, subject, msg, fix)
    };
    let loaded = regular(path)
        .map_err(|e| e.to_string())
        .and_then(|()| axios_caddy::registry::load(path).map_err(|e| e.to_string()));
    let parsed = match loaded {
        Ok(p) => p,
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                &source,
                format!("the route registry cannot be read: {e}"),
                Some(REBUILD.into()),
            ));
            return;
        }
    };
    let plan = axios_caddy::plan(parsed);
    for d in &plan.diagnostics {
        let sev = match d.severity {
            CaddySeverity::Error => Severity::Error,
            CaddySeverity::Warning => Severity::Warning,
        };
        let subject = match d.routes.as_slice() {
            [] => source.clone(),
            r => format!("route {}", r.join(", ")),
        };
        h.findings.push(f(
            sev,
            &subject,
            d.message.clone(),
            Some(format!(
                "`axios-caddy check {source}` lists every problem; {REBUILD}"
            )),
        ));
    }
    if !plan.has_errors() {
        h.findings.push(f(
            Severity::Ok,
            &source,
            format!(
                "{} route(s) on {} site(s) pass `axios-caddy check`",
                plan.route_count(),
                plan.sites.len()
            ),
            None,
        ));
    }

    // Caddy itself
    match Admin::parse(&o.caddy_admin) {
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                &o.caddy_admin,
                e.to_string(),
                Some("pass --caddy-admin http://HOST:PORT or unix//PATH".into()),
            ));
        }
        Ok(admin) => match get(&admin, "/config/", o.timeout) {
            Ok(status) if (200..300).contains(&status) => {
                h.findings.push(f(
                    Severity::Ok,
                    "caddy",
                    format!("Caddy's admin API answers at {}", o.caddy_admin),
                    None,
                ));
            }
            Ok(status) => {
                h.findings.push(f(
                    Severity::Warning,
                    "caddy",
                    format!(
                        "Caddy's admin API at {} answered HTTP {status}",
                        o.caddy_admin
                    ),
                    Some("check `journalctl -u caddy`; pass --caddy-admin if Caddy's admin endpoint is elsewhere".into()),
                ));
            }
            Err(e) => {
                h.findings.push(f(
                    Severity::Error,
                    "caddy",
                    format!("Caddy is not reachable at {}: {e}", o.caddy_admin),
                    Some("start it: `sudo systemctl start caddy`, then `journalctl -u caddy` if it stops again".into()),
                ));
            }
        },
    }

    // every route's upstream, once per address
    let mut seen: Vec<&axios_caddy::addr::Upstream> = Vec::new();
    for site in &plan.sites {
        for r in &site.routes {
            let up = &r.upstream;
            if seen.contains(&up) {
                continue;
            }
            seen.push(up);
            let dial = up.dial.as_str();
            let users: Vec<&str> = plan
                .sites
                .iter()
                .flat_map(|s| &s.routes)
                .filter(|x| &x.upstream == up)
                .map(|x| x.route.name.as_str())
                .collect();
            let subject = format!("route {}", users.join(", "));
            match probe(dial, r.upstream.tls, o.timeout) {
                Ok(what) => h.findings.push(f(
                    Severity::Ok,
                    &subject,
                    format!("upstream {} {what}", r.upstream.caddyfile()),
                    None,
                )),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    h.findings.push(f(
                        Severity::Error,
                        &subject,
                        format!(
                            "upstream {} sent no reply within {:.1} s",
                            r.upstream.caddyfile(),
                            o.timeout.as_secs_f64()
                        ),
                        Some(format!("the service on {dial} is stuck or slow: check its logs or restart it (--timeout waits longer)")),
                    ))
                }
                Err(e) => h.findings.push(f(
                    Severity::Error,
                    &subject,
                    format!("upstream {} does not answer: {e}", r.upstream.caddyfile()),
                    Some(format!(
                        "start the service that should listen on {dial}, or fix the route's target"
                    )),
                )),
            }
        }
    }
}

/// `GET path` on Caddy's admin endpoint; the HTTP status.
fn get(admin: &Admin, path: &str, timeout: Duration) -> std::io::Result<u16> {
    let (host, reply) = match admin {
        Admin::Tcp { host, port } => {
            let mut s = connect(&format!("{host}:{port}"), timeout)?;
            let hh = format!("{host}:{port}");
            let r = exchange(&mut s, &hh, path)?;
            (hh, r)
        }
        Admin::Unix { path: sock } => {
            let mut s = std::os::unix::net::UnixStream::connect(sock)?;
            s.set_read_timeout(Some(timeout))?;
            s.set_write_timeout(Some(timeout))?;
            (
                "localhost".to_string(),
                exchange(&mut s, "localhost", path)?,
            )
        }
    };
    let _ = host;
    status_of(&reply)
}

pub(super) fn connect(dial: &str, timeout: Duration) -> std::io::Result<TcpStream> {
    let mut last = std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("{dial} resolves to no address"),
    );
    for a in dial.to_socket_addrs()? {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => {
                s.set_read_timeout(Some(timeout))?;
                s.set_write_timeout(Some(timeout))?;
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn exchange<S: Read + Write>(s: &mut S, host: &str, path: &str) -> std::io::Result<Vec<u8>> {
    let req = format!(
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: axios-doctor\r\nConnection: close\r\n\r\n"
    );
    // a server may answer (and close) before reading the whole request: read its reply anyway
    match s.write_all(req.as_bytes()).and_then(|()| s.flush()) {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ) => {}
        r => r?,
    }
    // the status line is enough
    let mut buf = vec![0u8; 256];
    let mut n = 0;
    while n < buf.len() {
        let k = s.read(&mut buf[n..])?;
        if k == 0 {
            break;
        }
        n += k;
        if buf[..n].contains(&b'\n') {
            break;
        }
    }
    buf.truncate(n);
    Ok(buf)
}

pub(super) fn status_of(reply: &[u8]) -> std::io::Result<u16> {
    let line = String::from_utf8_lossy(reply);
    let mut parts = line.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|s| s.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => Ok(code),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not an HTTP reply: {:?}",
                line.chars().take(40).collect::<String>()
            ),
        )),
    }
}

/// Whether an upstream answers: an HTTP status for plain HTTP, a TCP
/// connection for TLS upstreams (doctor speaks no TLS).
fn probe(dial: &str, tls: bool, timeout: Duration) -> std::io::Result<String> {
    if let Some(sock) = dial.strip_prefix("unix/") {
        let mut s = std::os::unix::net::UnixStream::connect(sock)?;
        s.set_read_timeout(Some(timeout))?;
        s.set_write_timeout(Some(timeout))?;
        let code = status_of(&exchange(&mut s, "localhost", "/")?)?;
        return Ok(format!("answers (HTTP {code} for /)"));
    }
    let mut s = connect(dial, timeout)?;
    if tls {
        return Ok("accepts connections (TLS, not probed further)".into());
    }
    let code = status_of(&exchange(&mut s, dial, "/")?)?;
    Ok(format!("answers (HTTP {code} for /)"))
}

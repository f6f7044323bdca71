//! Ollama: reachable, the preload config's models present and warm, and the
//! policy proxy's `/healthz`, from the configs the AI module installs.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use axios_ollama::client::Upstream;
use axios_ollama::config::{PreloadConfig, ProxyConfig};
use axios_ollama::model::ModelName;
use axios_ollama::proxy::Listen;

use super::caddy::{connect, status_of};
use super::{regular, Domain, DomainStatus, Finding, Health, Options, Severity};

/// Largest reply read from Ollama or the proxy.
const MAX_REPLY: u64 = 8 << 20;

const REBUILD: &str =
    "the file comes from services.ai: fix it there and run `sudo nixos-rebuild switch`";

fn f(sev: Severity, subject: &str, msg: String, fix: Option<String>) -> Finding {
    Finding::new(Domain::Ollama, sev, subject, msg, fix)
}

pub fn check(o: &Options, h: &mut Health) {
    let (pre, pro) = (&o.ollama_preload, &o.ollama_proxy);
    let has_pre = std::fs::symlink_metadata(pre).is_ok();
    let has_pro = std::fs::symlink_metadata(pro).is_ok();
    h.domains.push(DomainStatus {
        domain: Domain::Ollama,
        configured: has_pre || has_pro,
        source: format!("{} or {}", pre.display(), pro.display()),
    });
    let preload = has_pre
        .then(|| load(pre, "preload", axios_ollama::config::load_preload, h))
        .flatten();
    let proxy = has_pro
        .then(|| load(pro, "proxy", axios_ollama::config::load_proxy, h))
        .flatten();
    // Ollama itself: the preload's URL, else the proxy's upstream
    let url = preload
        .as_ref()
        .map(|c| c.url.clone())
        .or_else(|| proxy.as_ref().map(|c| c.upstream.clone()));
    let up = url.as_deref().and_then(|u| reachable(u, o.timeout, h));
    let last = preload
        .as_ref()
        .map(|_| last_preload(&o.ollama_preload_summary, h))
        .unwrap_or_default();
    if let (Some(up), Some(c)) = (&up, &preload) {
        models(up, c, &last, o.timeout, h);
    }
    if let Some(c) = &proxy {
        proxy_health(c, o.timeout, h);
    }
}

/// A config through its crate's loader; `None` (and an error naming it) when unusable.
fn load<T, E: std::fmt::Display>(
    path: &Path,
    what: &str,
    loader: fn(&Path) -> Result<T, E>,
    h: &mut Health,
) -> Option<T> {
    let loaded = regular(path)
        .map_err(|e| e.to_string())
        .and_then(|()| loader(path).map_err(|e| e.to_string()));
    match loaded {
        Ok(c) => Some(c),
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                &path.display().to_string(),
                format!("the {what} config cannot be used: {e}"),
                Some(REBUILD.into()),
            ));
            None
        }
    }
}

/// `GET /api/version`; the upstream when Ollama answers.
fn reachable(url: &str, timeout: Duration, h: &mut Health) -> Option<Upstream> {
    let up = match Upstream::parse(url) {
        Ok(u) => u,
        Err(e) => {
            h.findings
                .push(f(Severity::Error, url, e, Some(REBUILD.into())));
            return None;
        }
    };
    match get_json(
        &Target::Tcp(up.authority.clone()),
        &up.authority,
        "/api/version",
        timeout,
    ) {
        Ok(v) => {
            let version = v["version"].as_str().unwrap_or("(no version)");
            h.findings.push(f(
                Severity::Ok,
                "ollama",
                format!("Ollama {version} answers at {url}"),
                None,
            ));
            Some(up)
        }
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                "ollama",
                format!("Ollama does not answer at {url}: {e}"),
                Some("start it: `sudo systemctl start ollama`; `journalctl -u ollama` says why it stopped".into()),
            ));
            None
        }
    }
}

/// What the last `axios-ollama preload` run said about each model that failed
/// (canonical name -> error), from the summary its unit leaves in /run.
fn last_preload(path: &Path, h: &mut Health) -> Vec<(String, String)> {
    let source = path.display().to_string();
    let read = regular(path).and_then(|()| std::fs::read(path));
    let bytes = match read {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            h.findings.push(f(
                Severity::Info,
                &source,
                "no preload summary: axios-ollama-preload has not finished a run since boot".into(),
                Some(
                    "`systemctl status axios-ollama-preload` says whether it is still pulling"
                        .into(),
                ),
            ));
            return Vec::new();
        }
        Err(e) => {
            h.findings.push(f(
                Severity::Warning,
                &source,
                format!("cannot read the preload summary: {e}"),
                Some("`sudo systemctl restart axios-ollama-preload` writes it again".into()),
            ));
            return Vec::new();
        }
    };
    let v: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            h.findings.push(f(
                Severity::Warning,
                &source,
                format!("not a preload summary: {e}"),
                Some("`sudo systemctl restart axios-ollama-preload` writes it again".into()),
            ));
            return Vec::new();
        }
    };
    v["models"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["state"] == "failed")
        .filter_map(|m| {
            let name = ModelName::canonical_of(m["model"].as_str()?);
            let err = m["error"].as_str().unwrap_or("failed");
            Some((name, short(err)))
        })
        .collect()
}

/// Names in a `/api/tags` or `/api/ps` reply, canonical.
fn names(v: &serde_json::Value) -> HashSet<String> {
    v["models"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|m| [&m["name"], &m["model"]])
        .filter_map(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .map(ModelName::canonical_of)
        .collect()
}

/// `keep_alive` that keeps a model loaded for good (Ollama: any negative duration).
fn forever(keep_alive: Option<&str>) -> bool {
    keep_alive.is_some_and(|k| k.trim_start().starts_with('-'))
}

fn models(
    up: &Upstream,
    c: &PreloadConfig,
    last: &[(String, String)],
    timeout: Duration,
    h: &mut Health,
) {
    let t = Target::Tcp(up.authority.clone());
    let fetch = |path: &str, h: &mut Health| match get_json(&t, &up.authority, path, timeout) {
        Ok(v) => Some(names(&v)),
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                "ollama",
                format!("{}{path} failed: {e}", up.base),
                Some("`journalctl -u ollama` says why".into()),
            ));
            None
        }
    };
    let Some(present) = fetch("/api/tags", h) else {
        return;
    };
    let loaded = if c.warm { fetch("/api/ps", h) } else { None };
    let mut seen = HashSet::new();
    for m in &c.models {
        let Ok(name) = ModelName::parse(m) else {
            continue; // load_preload refused it already
        };
        if !seen.insert(name.canonical.clone()) {
            continue;
        }
        let subject = format!("model {m}");
        let said = last
            .iter()
            .find(|(n, _)| *n == name.canonical)
            .map(|(_, e)| format!("; the last preload failed: {e}"))
            .unwrap_or_default();
        if !present.contains(&name.canonical) {
            h.findings.push(f(
                Severity::Warning,
                &subject,
                format!("wanted by the preload config but not pulled{said}"),
                Some("`sudo systemctl restart axios-ollama-preload` pulls it; `journalctl -u axios-ollama-preload` says why it failed".into()),
            ));
            continue;
        }
        match &loaded {
            Some(l) if !l.contains(&name.canonical) => {
                if forever(c.keep_alive.as_deref()) {
                    h.findings.push(f(
                        Severity::Warning,
                        &subject,
                        format!("present but not loaded (cold), although keep_alive keeps it loaded: the first request waits for it to load{said}"),
                        Some("`sudo systemctl restart axios-ollama-preload` warms it (Ollama may have been restarted or run out of memory)".into()),
                    ));
                } else {
                    h.findings.push(f(
                        Severity::Info,
                        &subject,
                        format!(
                            "present, not loaded now (Ollama unloads an idle model after keep_alive{})",
                            c.keep_alive.as_deref().map(|k| format!(" = {k}")).unwrap_or_default()
                        ),
                        None,
                    ));
                }
            }
            Some(_) => h
                .findings
                .push(f(Severity::Ok, &subject, "present and warm".into(), None)),
            None => h.findings.push(f(
                Severity::Ok,
                &subject,
                "present (warming is off)".into(),
                None,
            )),
        }
    }
}

fn proxy_health(c: &ProxyConfig, timeout: Duration, h: &mut Health) {
    let subject = format!("proxy {}", c.listen);
    let (target, host) = match Listen::parse(&c.listen) {
        Ok(Listen::Tcp(a)) => (Target::Tcp(a.to_string()), a.to_string()),
        Ok(Listen::Unix(p)) => (Target::Unix(p), "localhost".to_string()),
        Err(e) => {
            h.findings
                .push(f(Severity::Error, &subject, e, Some(REBUILD.into())));
            return;
        }
    };
    let path = format!("{}/healthz", c.prefix.trim_end_matches('/'));
    let fix = Some(
        "`sudo systemctl restart axios-ollama-proxy`; `journalctl -u axios-ollama-proxy` says why it failed"
            .to_string(),
    );
    match get_json(&target, &host, &path, timeout) {
        Ok(v) if v["status"] == "ok" => h.findings.push(f(
            Severity::Ok,
            &subject,
            format!("the proxy answers {path}"),
            None,
        )),
        Ok(v) => h.findings.push(f(
            Severity::Error,
            &subject,
            format!("{path} did not say ok: {}", short(&v.to_string())),
            fix,
        )),
        Err(e) => h.findings.push(f(
            Severity::Error,
            &subject,
            format!("the proxy does not answer {path}: {e}"),
            fix,
        )),
    }
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(160).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

enum Target {
    Tcp(String),
    Unix(std::path::PathBuf),
}

/// `GET path` over HTTP/1.0; the JSON body of a 200 reply.
fn get_json(
    t: &Target,
    host: &str,
    path: &str,
    timeout: Duration,
) -> std::io::Result<serde_json::Value> {
    let req = format!(
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: axios-doctor\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    let deadline = std::time::Instant::now() + timeout;
    let reply = match t {
        Target::Tcp(dial) => {
            let mut s = connect(dial, timeout)?;
            s.write_all(req.as_bytes())?;
            read_reply(&mut s, deadline)?
        }
        Target::Unix(p) => {
            let mut s = std::os::unix::net::UnixStream::connect(p)?;
            s.set_read_timeout(Some(timeout))?;
            s.set_write_timeout(Some(timeout))?;
            s.write_all(req.as_bytes())?;
            read_reply(&mut s, deadline)?
        }
    };
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
    let code = status_of(&reply)?;
    let split = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("the reply has no end of headers".into()))?;
    let (head, body) = (&reply[..split], &reply[split + 4..]);
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body).ok_or_else(|| bad("a broken chunked body".into()))?
    } else {
        body.to_vec()
    };
    if code != 200 {
        return Err(bad(format!(
            "HTTP {code}: {}",
            short(String::from_utf8_lossy(&body).trim())
        )));
    }
    serde_json::from_slice(&body).map_err(|e| bad(format!("not JSON: {e}")))
}

/// The whole reply, at most [`MAX_REPLY`] bytes, by `deadline` (a server trickling
/// bytes does not hold doctor up longer than the timeout).
fn read_reply(s: &mut impl Read, deadline: std::time::Instant) -> std::io::Result<Vec<u8>> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if std::time::Instant::now() > deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the reply did not end within the timeout",
            ));
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(reply);
        }
        reply.extend_from_slice(&buf[..n]);
        if reply.len() as u64 > MAX_REPLY {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("the reply is larger than {MAX_REPLY} bytes"),
            ));
        }
    }
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

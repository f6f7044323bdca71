//! Shared helpers: run the real binary, real Caddy, tiny upstream servers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_axios-caddy");

/// The real Caddy on PATH (tests/run-all puts each newer version first) and its
/// version, printed so that every run says what it ran against. None (skip)
/// when Caddy is missing, a failure under CI=true.
pub fn caddy() -> Option<(PathBuf, axios_caddy::version::CaddyVersion)> {
    let caddy = axios_core::testing::require_tool("caddy")?;
    let v = axios_caddy::version::CaddyVersion::detect(&caddy).expect("caddy version");
    eprintln!("running against Caddy {v} ({})", caddy.display());
    Some((caddy, v))
}

pub fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run axios-caddy")
}

/// A path as a command-line argument (the tests' temp dirs are UTF-8).
pub fn utf8(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

/// `text` contains `needle`; on failure the message shows all of `text`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected `{needle}` in:\n{text}");
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

/// Compose a file through the real binary; panics with its stderr on failure.
pub fn compose(routes: &Path, extra_args: &[&str]) -> String {
    let mut args = vec!["compose", utf8(routes)];
    args.extend_from_slice(extra_args);
    let o = run(&args);
    assert!(o.status.success(), "compose failed: {}", stderr(&o));
    stdout(&o)
}

/// `caddy adapt` a Caddyfile; returns the JSON config.
pub fn caddy_adapt(caddy: &Path, caddyfile: &str) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "Caddyfile", caddyfile);
    let o = Command::new(caddy)
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(&f)
        .env("HOME", dir.path())
        .output()
        .expect("run caddy adapt");
    assert!(
        o.status.success(),
        "caddy adapt rejected the composed Caddyfile: {}\n{caddyfile}",
        stderr(&o)
    );
    serde_json::from_slice(&o.stdout).expect("adapt output is JSON")
}

/// The route order inside a Caddy JSON config: per (listen, host), the list of
/// path matchers (None = no matcher) of the innermost route list, in order.
pub fn effective_order(config: &Value) -> Vec<(String, String, Vec<Option<String>>)> {
    let mut out = Vec::new();
    let servers = config["apps"]["http"]["servers"]
        .as_object()
        .expect("servers");
    for srv in servers.values() {
        let listen = srv["listen"][0].as_str().expect("listen").to_string();
        for site in srv["routes"].as_array().expect("routes") {
            // a site without a host matcher (`:8080`) serves every host
            let host = site["match"][0]["host"][0].as_str().unwrap_or("");
            let mut routes = subroutes(site);
            // Descend through wrappers: a single unmatched route holding a subroute.
            while routes.len() == 1 && routes[0].get("match").is_none() {
                let inner = subroutes(&routes[0]);
                if inner.is_empty() || !is_wrapper(&routes[0]) {
                    break;
                }
                routes = inner;
            }
            let paths = routes
                .iter()
                .map(|r| {
                    r.get("match").map(|m| {
                        let p = m[0]["path"].as_array().expect("path matcher");
                        assert_eq!(p.len(), 1, "one path per matcher: {m}");
                        p[0].as_str().expect("path").to_string()
                    })
                })
                .collect();
            out.push((listen.clone(), host.to_string(), paths));
        }
    }
    out.sort();
    out
}

fn subroutes(route: &Value) -> Vec<Value> {
    route["handle"]
        .as_array()
        .and_then(|h| h.first())
        .filter(|h| h["handler"] == "subroute")
        .and_then(|h| h["routes"].as_array())
        .cloned()
        .unwrap_or_default()
}

/// A route whose only handler is a subroute that itself contains subroutes with
/// matchers or more than one route (the `route { }` block wrapper).
fn is_wrapper(route: &Value) -> bool {
    let inner = subroutes(route);
    inner.len() > 1 || inner.iter().any(|r| r.get("match").is_some())
}

/// The compositor's order, per (listen port, host), as path patterns.
pub fn compositor_order(routes: &Path) -> Vec<(String, String, Vec<Option<String>>)> {
    let parsed = axios_caddy::registry::load(routes).expect("registry parses");
    let plan = axios_caddy::plan(parsed);
    assert!(!plan.has_errors(), "{:?}", plan.diagnostics);
    let mut out: Vec<_> = plan
        .sites
        .iter()
        .map(|s| {
            (
                format!(":{}", s.site.port),
                s.site.host_matcher(),
                s.routes
                    .iter()
                    .map(|r| r.pattern.as_ref().map(|p| p.pattern.clone()))
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Poll `cond` until it holds (up to 10 s): right after `/load` returns, a new
/// connection can still be accepted by the old config's server for a moment
/// (seen on 2.6.2), so a check of the new routes waits for them to take over.
pub fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A free loopback port (bind, read, release).
///
/// Taken below Linux's ephemeral range (32768-60999): the load test's client
/// connections take their source ports from there, and one of them could
/// grab a port between this pick and Caddy's bind. Random, since nextest runs
/// every test in its own process.
pub fn free_port() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    loop {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let port = 20_000 + (h.finish() % 12_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A tiny HTTP upstream that answers `id=<id> path=<request target> host=<Host>`.
pub fn upstream_tcp(id: &str) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind upstream");
    let port = l.local_addr().expect("addr").port();
    let id = id.to_string();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let id = id.clone();
            std::thread::spawn(move || serve(s, &id));
        }
    });
    port
}

/// The same on a Linux abstract unix socket (`unix/@name` in Caddy).
pub fn upstream_abstract(id: &str, name: &str) {
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name).expect("abstract name");
    let l = std::os::unix::net::UnixListener::bind_addr(&addr).expect("bind abstract upstream");
    let id = id.to_string();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let id = id.clone();
            std::thread::spawn(move || serve(s, &id));
        }
    });
}

/// The same on a unix socket.
pub fn upstream_unix(id: &str, path: &Path) {
    let l = std::os::unix::net::UnixListener::bind(path).expect("bind unix upstream");
    let id = id.to_string();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let id = id.clone();
            std::thread::spawn(move || serve(s, &id));
        }
    });
}

fn serve<S: Read + Write>(mut s: S, id: &str) {
    loop {
        let Some(head) = read_head(&mut s) else {
            return;
        };
        let mut lines = head.lines();
        let target = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string();
        let host = lines
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("host").then(|| v.trim().to_string())
            })
            .unwrap_or_default();
        let body = format!("id={id} path={target} host={host}");
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if s.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn read_head<S: Read>(s: &mut S) -> Option<String> {
    let mut buf = Vec::new();
    let mut b = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut b) {
            Ok(1) => buf.push(b[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// GET `path` from 127.0.0.1:`port` with `Host: host`; returns (status, body).
pub fn get(port: u16, host: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to caddy");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("read reply");
    let status = reply
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = reply
        .split_once("\r\n\r\n")
        .map(|x| x.1)
        .unwrap_or("")
        .to_string();
    (status, body)
}

/// A running Caddy, killed on drop.
pub struct Caddy {
    child: Child,
    pub admin: u16,
    _home: tempfile::TempDir,
}

impl Caddy {
    /// `caddy run` on a config file; waits until the admin API and `wait_port` answer.
    pub fn start(caddy: &Path, config: &Path, adapter: &str, admin: u16, wait_port: u16) -> Caddy {
        let home = tempfile::tempdir().expect("caddy home");
        let log = std::fs::File::create(home.path().join("caddy.log")).expect("log");
        let mut cmd = Command::new(caddy);
        cmd.arg("run");
        if adapter != "json" {
            cmd.args(["--adapter", adapter]);
        }
        let child = cmd
            .arg("--config")
            .arg(config)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start caddy");
        let mut c = Caddy {
            child,
            admin,
            _home: home,
        };
        c.wait_for(wait_port);
        c
    }

    pub fn wait_for(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for p in [self.admin, port] {
            while TcpStream::connect(("127.0.0.1", p)).is_err() {
                if let Ok(Some(status)) = self.child.try_wait() {
                    panic!("caddy exited ({status}):\n{}", self.log());
                }
                assert!(
                    Instant::now() < deadline,
                    "caddy did not listen on {p}:\n{}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self._home.path().join("caddy.log")).unwrap_or_default()
    }
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

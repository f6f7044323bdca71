//! Shared helpers: the fake Ollama, the real binary, a raw HTTP/1.1 client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axios_core::testing::require_tool;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_axios-ollama");

pub fn fake_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fake_ollama.py")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// python3 (the fake needs only the standard library). Missing: skip, or fail under CI=true.
pub fn python() -> Option<PathBuf> {
    require_tool("python3")
}

/// python3 with the official `ollama` client importable.
pub fn python_with_client() -> Option<PathBuf> {
    let py = python()?;
    let ok = Command::new(&py)
        .args(["-c", "import ollama"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(py);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "the official Ollama Python client is not installed (CI=true forbids skipping; run tests/setup)"
    );
    eprintln!("SKIPPED: python3 cannot import `ollama`; run tests/setup (pip install ollama)");
    None
}

/// A child process killed on drop.
pub use axios_core::testing::KillOnDrop as Proc;

/// The fake Ollama server.
pub struct Fake {
    pub port: u16,
    pub proc: Proc,
}

impl Fake {
    /// Start on a free port; waits until it listens.
    pub fn start(py: &Path, args: &[&str]) -> Fake {
        let mut child = Command::new(py)
            .arg(fake_script())
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fake ollama");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("fake port line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("fake ollama said {line:?}"));
        Fake {
            port,
            proc: Proc(child),
        }
    }

    /// Start on `port`, binding only after `late` seconds (Ollama up late).
    pub fn start_late(py: &Path, port: u16, late: f64, args: &[&str]) -> Proc {
        let child = Command::new(py)
            .arg(fake_script())
            .args(["--port", &port.to_string(), "--late", &late.to_string()])
            .args(args)
            .stdout(Stdio::null())
            .spawn()
            .expect("start fake ollama");
        Proc(child)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The fake's record: pull counts and every request's headers.
    pub fn stats(&self) -> Value {
        let r = http(
            self.port,
            "GET /_fake/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        );
        serde_json::from_slice(&r.body).expect("stats json")
    }
}

/// Wait until something accepts on `port`.
pub fn wait_port(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(s)) = child.try_wait() {
            panic!("process exited before listening: {s}");
        }
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The proxy binary on a free port.
pub struct Proxy {
    pub port: u16,
    pub proc: Proc,
    pub dir: tempfile::TempDir,
}

pub const TOKEN: &str = "user-token-0123456789";
pub const ADMIN: &str = "admin-token-9876543210";

impl Proxy {
    /// Start with a config file made of `extra` TOML lines plus listen/upstream/tokens.
    pub fn start(upstream: &str, extra: &str) -> Proxy {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("token"), format!("{TOKEN}\n")).expect("token");
        std::fs::write(dir.path().join("admin"), ADMIN).expect("admin");
        let port = free_port();
        let cfg = format!(
            "version = 1\nlisten = \"127.0.0.1:{port}\"\nupstream = \"{upstream}\"\n\
             token_file = \"{}\"\nadmin_token_file = \"{}\"\n{extra}\n",
            dir.path().join("token").display(),
            dir.path().join("admin").display()
        );
        let cfg_path = dir.path().join("proxy.toml");
        std::fs::write(&cfg_path, cfg).expect("config");
        let mut child = Command::new(BIN)
            .arg("proxy")
            .arg("--config")
            .arg(&cfg_path)
            .stdin(Stdio::null())
            .spawn()
            .expect("start proxy");
        wait_port(port, &mut child);
        Proxy {
            port,
            proc: Proc(child),
            dir,
        }
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Send raw bytes (a complete request, `Connection: close` added when absent) and read the response.
pub fn http(port: u16, raw: &str) -> Resp {
    http_bytes(port, raw.as_bytes())
}

pub fn http_bytes(port: u16, raw: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let text = String::from_utf8_lossy(raw);
    let raw = if text.to_ascii_lowercase().contains("\r\nconnection:") {
        raw.to_vec()
    } else {
        let head_end = text.find("\r\n").expect("request line");
        let mut v = raw[..head_end + 2].to_vec();
        v.extend_from_slice(b"Connection: close\r\n");
        v.extend_from_slice(&raw[head_end + 2..]);
        v
    };
    s.write_all(&raw).expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    parse_response(&out)
}

pub fn parse_response(out: &[u8]) -> Resp {
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(out)));
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let raw_body = &out[split + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(raw_body)
    } else {
        raw_body.to_vec()
    };
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&b[start..(start + size).min(b.len())]);
        b = &b[(start + size + 2).min(b.len())..];
    }
    out
}

/// A POST with a JSON body and the given extra header lines.
pub fn post(port: u16, path: &str, headers: &str, body: &str) -> Resp {
    http(
        port,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

pub fn get(port: u16, path: &str, headers: &str) -> Resp {
    http(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n"),
    )
}

pub fn bearer(token: &str) -> String {
    format!("Authorization: Bearer {token}\r\n")
}

/// `text` contains `needle`; on failure the message shows all of `text`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected `{needle}` in:\n{text}");
}

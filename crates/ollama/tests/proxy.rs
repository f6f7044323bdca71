//! The real proxy binary in front of the fake Ollama, over real sockets.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn setup(fake_args: &[&str], extra: &str) -> Option<(Fake, Proxy)> {
    let py = python()?;
    let fake = Fake::start(&py, fake_args);
    let proxy = Proxy::start(&fake.url(), &format!("prefix = \"/ollama\"\n{extra}"));
    Some((fake, proxy))
}

fn pulls(fake: &Fake) -> Value {
    fake.stats()["pulls"].clone()
}

#[test]
fn auth_is_required_and_never_forwarded() {
    let Some((fake, proxy)) = setup(&["--have", "qwen3:4b"], "") else {
        return;
    };
    let p = proxy.port;
    let r = get(p, "/ollama/api/tags", "");
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_contains(&r.json()["error"].to_string(), "Authorization");
    for wrong in [
        "Bearer nope",
        "Bearer user-token-012345678",
        "Basic dXNlcjp4",
        "Bearer ",
    ] {
        let r = get(
            p,
            "/ollama/api/tags",
            &format!("Authorization: {wrong}\r\n"),
        );
        assert_eq!(r.status, 401, "{wrong}");
    }
    // the fake saw none of those
    assert!(fake.stats()["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .all(|r| r["path"] == "/_fake/stats"));

    // a Host Ollama would refuse (403) is rewritten
    let r = http(
        p,
        &format!(
            "GET /ollama/api/tags HTTP/1.1\r\nHost: llm.example.com\r\n{}\r\n",
            bearer(TOKEN)
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["models"][0]["name"], "qwen3:4b");
    let seen = fake.stats()["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .find(|r| r["path"] == "/api/tags")
        .cloned()
        .expect("forwarded");
    assert!(seen["headers"].get("authorization").is_none(), "{seen}");
    assert_eq!(seen["headers"]["host"], format!("127.0.0.1:{}", fake.port));

    // the admin token works for everything too; /healthz needs no token
    assert_eq!(get(p, "/ollama/api/tags", &bearer(ADMIN)).status, 200);
    let h = get(p, "/ollama/healthz", "");
    assert_eq!(
        (h.status, h.json()["status"].clone()),
        (200, Value::from("ok"))
    );
    // outside the prefix
    assert_eq!(get(p, "/api/tags", &bearer(TOKEN)).status, 404);
}

#[test]
fn management_is_denied_in_every_spelling() {
    let Some((fake, proxy)) = setup(&["--have", "qwen3:4b"], "") else {
        return;
    };
    let p = proxy.port;
    let body = r#"{"model":"llama3.2:1b"}"#;
    for path in [
        "/ollama/api/pull",
        "/ollama/api/pull/",
        "/ollama//api//pull",
        "/ollama/API/Pull",
        "/ollama/api/%70ull",
        "/ollama/%61pi/pull",
        "/ollama/api/./pull",
        "/ollama/api/tags/../pull",
        "/ollama/x/../api/pull",
        "/ollama/api/push",
        "/ollama/api/create",
        "/ollama/api/copy",
        "/ollama/api/blobs/sha256:abc",
    ] {
        let r = post(p, path, &bearer(TOKEN), body);
        assert_eq!(r.status, 403, "{path}: {}", r.text());
        assert_contains(r.json()["error"].as_str().unwrap_or(""), "admin token");
    }
    let r = http(
        p,
        &format!("DELETE /ollama/api/delete HTTP/1.1\r\nHost: x\r\n{}Content-Length: 21\r\n\r\n{{\"model\":\"qwen3:4b\"}}", bearer(TOKEN)),
    );
    assert_eq!(r.status, 403);
    for path in [
        "/ollama/api%2Fpull",
        "/ollama/api%5cpull",
        "/ollama/api/pull%00",
        "/ollama/../../api/pull",
        "/ollama/api/%zz",
    ] {
        let r = post(p, path, &bearer(TOKEN), body);
        assert_eq!(r.status, 400, "{path}: {}", r.text());
    }
    assert_eq!(pulls(&fake), serde_json::json!({}), "a pull reached Ollama");
    assert_eq!(fake.stats()["installed"], serde_json::json!(["qwen3:4b"]));

    // the admin token may manage models
    let r = post(
        p,
        "/ollama/api/pull",
        &bearer(ADMIN),
        r#"{"model":"llama3.2:1b","stream":false}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(pulls(&fake)["llama3.2:1b"], 1);
}

#[test]
fn management_allowed_by_config() {
    let Some((fake, proxy)) = setup(&[], "allow_management = true") else {
        return;
    };
    let r = post(
        proxy.port,
        "/ollama/api/pull",
        &bearer(TOKEN),
        r#"{"model":"all-minilm","stream":false}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(pulls(&fake)["all-minilm:latest"], 1);
}

#[test]
fn status_codes_and_error_bodies_pass_through() {
    let Some((_fake, proxy)) = setup(&["--have", "nomic-embed-text", "--have", "qwen3:4b"], "")
    else {
        return;
    };
    let p = proxy.port;
    let r = post(
        p,
        "/ollama/api/generate",
        &bearer(TOKEN),
        r#"{"model":"nope:1b","prompt":"hi"}"#,
    );
    assert_eq!(r.status, 404);
    assert_contains(r.json()["error"].as_str().unwrap_or(""), "not found");
    let r = post(
        p,
        "/ollama/api/generate",
        &bearer(TOKEN),
        r#"{"model":"nomic-embed-text","prompt":"hi"}"#,
    );
    assert_eq!(r.status, 400);
    assert_contains(
        r.json()["error"].as_str().unwrap_or(""),
        "does not support generate",
    );
    let r = http(
        p,
        &format!("HEAD /ollama/ HTTP/1.1\r\nHost: x\r\n{}\r\n", bearer(TOKEN)),
    );
    assert_eq!(r.status, 200);
    let r = get(p, "/ollama/", &bearer(TOKEN));
    assert_eq!(r.text(), "Ollama is running");
    let r = get(p, "/ollama/api/nothing-here", &bearer(TOKEN));
    assert_eq!(r.status, 404);
    let r = get(p, "/ollama/v1/models", &bearer(TOKEN));
    assert_eq!(r.json()["object"], "list");
}

/// Read a chunked streaming response line by line as it arrives.
fn open_stream(port: u16, path: &str, body: &str) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: x\r\n{}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        bearer(TOKEN),
        body.len()
    )
    .expect("write");
    let mut r = BufReader::new(s);
    let mut status = String::new();
    r.read_line(&mut status).expect("status");
    assert!(status.contains(" 200 "), "{status}");
    loop {
        let mut l = String::new();
        r.read_line(&mut l).expect("header");
        if l == "\r\n" {
            break;
        }
    }
    r
}

/// The next chunk's payload (chunked encoding), or None at the end.
fn next_chunk(r: &mut BufReader<TcpStream>) -> Option<String> {
    let mut size = String::new();
    r.read_line(&mut size).ok()?;
    let n = usize::from_str_radix(size.trim(), 16).ok()?;
    if n == 0 {
        return None;
    }
    let mut buf = vec![0; n + 2];
    r.read_exact(&mut buf).ok()?;
    buf.truncate(n);
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[test]
fn streams_are_not_buffered() {
    let Some((_fake, proxy)) = setup(&["--have", "qwen3:4b"], "") else {
        return;
    };
    // 4 tokens 1.5 s apart: the whole stream takes 6 s upstream
    let body = r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":4,"fake_delay":1.5}}"#;
    let start = Instant::now();
    let mut r = open_stream(proxy.port, "/ollama/api/generate", body);
    let first = next_chunk(&mut r).expect("first chunk");
    let first_at = start.elapsed();
    assert_contains(&first, "\"response\": \"tok0 \"");
    assert!(
        first_at < Duration::from_secs(4),
        "first chunk only after {first_at:?}: buffered?"
    );
    let mut n = 1;
    while let Some(c) = next_chunk(&mut r) {
        n += c.matches('\n').count();
    }
    assert_eq!(n, 5, "4 tokens and the done line");

    // SSE from the OpenAI endpoint
    let body = r#"{"model":"qwen3:4b","stream":true,"messages":[{"role":"user","content":"hi"}],"options":{"fake_tokens":3,"fake_delay":1.5}}"#;
    let start = Instant::now();
    let mut r = open_stream(proxy.port, "/ollama/v1/chat/completions", body);
    let first = next_chunk(&mut r).expect("first event");
    assert!(first.starts_with("data: {"), "{first}");
    assert!(start.elapsed() < Duration::from_secs(3), "SSE buffered");
    let mut rest = String::new();
    while let Some(c) = next_chunk(&mut r) {
        rest.push_str(&c);
    }
    assert!(rest.ends_with("data: [DONE]\n\n"), "{rest}");
}

#[test]
fn body_limit_is_enforced_before_upstream() {
    let Some((fake, proxy)) = setup(&["--have", "qwen3:4b"], "max_body_bytes = 1000") else {
        return;
    };
    let big = format!(r#"{{"model":"qwen3:4b","prompt":"{}"}}"#, "x".repeat(2000));
    // declared length: refused without reading
    let r = post(proxy.port, "/ollama/api/generate", &bearer(TOKEN), &big);
    assert_eq!(r.status, 413);
    assert_contains(
        r.json()["error"].as_str().unwrap_or(""),
        "larger than 1000 bytes",
    );
    // chunked, no length: refused once the limit is crossed
    let raw = format!(
        "POST /ollama/api/generate HTTP/1.1\r\nHost: x\r\n{}Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
        bearer(TOKEN),
        big.len()
    );
    assert_eq!(http(proxy.port, &raw).status, 413);
    assert!(fake.stats()["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .all(|r| r["path"] != "/api/generate"));
    // a body just under the limit goes through
    let ok = r#"{"model":"qwen3:4b","prompt":"hi","stream":false}"#;
    assert_eq!(
        post(proxy.port, "/ollama/api/generate", &bearer(TOKEN), ok).status,
        200
    );
}

#[test]
fn concurrency_limit_answers_503_and_spares_other_streams() {
    let Some((_fake, proxy)) = setup(&["--have", "qwen3:4b"], "max_concurrent = 2") else {
        return;
    };
    let body = r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":3,"fake_delay":1.0}}"#;
    let mut a = open_stream(proxy.port, "/ollama/api/generate", body);
    let mut b = open_stream(proxy.port, "/ollama/api/generate", body);
    assert!(next_chunk(&mut a).is_some() && next_chunk(&mut b).is_some());
    let r = get(proxy.port, "/ollama/api/tags", &bearer(TOKEN));
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_contains(r.json()["error"].as_str().unwrap_or(""), "limit");
    let drain = |r: &mut BufReader<TcpStream>| {
        let mut lines = 1;
        while let Some(c) = next_chunk(r) {
            lines += c.matches('\n').count();
        }
        lines
    };
    assert_eq!(drain(&mut a), 4);
    assert_eq!(drain(&mut b), 4);
    // permits come back when the streams end
    assert_eq!(
        get(proxy.port, "/ollama/api/tags", &bearer(TOKEN)).status,
        200
    );
}

/// Read one response off a kept-alive connection (sized or chunked body).
fn read_one(r: &mut BufReader<TcpStream>) -> Resp {
    let mut head = Vec::new();
    loop {
        let mut l = String::new();
        let n = r.read_line(&mut l).expect("response head");
        assert!(
            n > 0,
            "closed before a whole response head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.extend_from_slice(l.as_bytes());
        if l == "\r\n" {
            break;
        }
    }
    let mut resp = parse_response(&head);
    if resp
        .header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        while let Some(c) = next_chunk(r) {
            resp.body.extend_from_slice(c.as_bytes());
        }
        let mut end = String::new();
        r.read_line(&mut end).expect("last chunk CRLF");
    } else {
        let len = resp
            .header("content-length")
            .map_or(0, |v| v.parse().expect("content-length"));
        let mut body = vec![0; len];
        r.read_exact(&mut body).expect("body");
        resp.body = body;
    }
    resp
}

/// A keep-alive connection whose first request was answered 200.
fn served_connection(port: u16) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET /ollama/api/tags HTTP/1.1\r\nHost: x\r\n{}\r\n",
        bearer(TOKEN)
    )
    .expect("write");
    let mut r = BufReader::new(s);
    let first = read_one(&mut r);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_ne!(first.header("connection"), Some("close"));
    r
}

/// Everything the proxy still sends until it closes.
fn rest(mut r: BufReader<TcpStream>) -> Vec<u8> {
    let mut out = Vec::new();
    r.read_to_end(&mut out)
        .expect("read until the proxy closes");
    out
}

/// A JSON error answer: the status, `{"error": ...}`, application/json, then close.
fn assert_json_error(raw: &[u8], status: u16, what: &str) -> String {
    assert!(
        !raw.is_empty(),
        "{what}: closed without an answer (want {status})"
    );
    let r = parse_response(raw);
    assert_eq!(r.status, status, "{what}: {}", r.text());
    assert_contains(r.header("content-type").unwrap_or(""), "application/json");
    assert_eq!(r.header("connection"), Some("close"), "{what}");
    let len: usize = r
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .expect("content-length");
    assert_eq!(len, r.body.len(), "{what}: trailing bytes after the answer");
    r.json()["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no error string in {}", r.text()))
        .to_string()
}

/// Heads hyper would answer with a bare 400/431/414 (no body): each gets a JSON error,
/// first thing on a connection or after a served request on it.
fn malformed_heads() -> Vec<(&'static str, Vec<u8>, u16, &'static str)> {
    vec![
        ("garbage", b"\x00\xff NOT HTTP\r\n\r\n".to_vec(), 400, "malformed"),
        (
            "HTTP/2 preface",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
            400,
            "malformed",
        ),
        (
            "head over 64 KiB",
            format!(
                "GET /ollama/api/tags HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "b".repeat(70 * 1024)
            )
            .into_bytes(),
            431,
            "larger than 64 KiB",
        ),
        (
            "URI too long",
            format!(
                "GET /ollama/{} HTTP/1.1\r\nHost: x\r\n\r\n",
                "u".repeat(10 * 1024)
            )
            .into_bytes(),
            414,
            "longer than",
        ),
        (
            "two lengths",
            b"POST /ollama/api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"
                .to_vec(),
            400,
            "Content-Length",
        ),
    ]
}

#[test]
fn slow_and_malformed_requests_do_not_disturb_a_stream() {
    let Some((_fake, proxy)) = setup(&["--have", "qwen3:4b"], "header_timeout = \"1s\"") else {
        return;
    };
    let p = proxy.port;
    let body = r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":8,"fake_delay":1.0}}"#;
    let mut stream = open_stream(p, "/ollama/api/generate", body);
    // a client that never finishes its headers is cut off
    let mut slow = TcpStream::connect(("127.0.0.1", p)).expect("connect");
    slow.write_all(b"GET /ollama/api/tags HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("t");
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    let e = assert_json_error(&buf, 408, "late first head");
    assert_contains(&e, "headers not received in time");
    // a new connection that sends nothing at all: 408 too
    let silent = TcpStream::connect(("127.0.0.1", p)).expect("connect");
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("t");
    let e = assert_json_error(&rest(BufReader::new(silent)), 408, "silent new connection");
    assert_contains(&e, "headers not received in time");
    // a body that never arrives: 408 with a JSON body
    let mut slow_body = TcpStream::connect(("127.0.0.1", p)).expect("connect");
    write!(
        slow_body,
        "POST /ollama/api/chat HTTP/1.1\r\nHost: x\r\n{}Content-Length: 50\r\n\r\n{{",
        bearer(TOKEN)
    )
    .expect("w");
    slow_body
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("t");
    let mut out = Vec::new();
    let _ = slow_body.read_to_end(&mut out);
    let r = parse_response(&out);
    assert_eq!(r.status, 408);
    assert!(r.json()["error"].is_string());
    // the second request of a kept-alive connection stalls mid-head: 408 with JSON too
    let mut c = served_connection(p);
    c.get_mut()
        .write_all(b"GET /ollama/api/tags HTTP/1.1\r\nHost: x\r\n")
        .expect("partial second head");
    let e = assert_json_error(&rest(c), 408, "late second head");
    assert_contains(&e, "headers not received in time");
    // an idle kept-alive connection just expires: closed, nothing written
    let idle = served_connection(p);
    let left = rest(idle);
    assert!(
        left.is_empty(),
        "idle connection got {:?}",
        String::from_utf8_lossy(&left)
    );
    // malformed heads, on a new connection and as the second request of one
    for (what, raw, status, msg) in malformed_heads() {
        let mut fresh = TcpStream::connect(("127.0.0.1", p)).expect("connect");
        fresh
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("t");
        fresh.write_all(&raw).expect("write");
        let e = assert_json_error(&rest(BufReader::new(fresh)), status, what);
        assert_contains(&e, msg);
        let mut c = served_connection(p);
        c.get_mut().write_all(&raw).expect("write");
        let e = assert_json_error(&rest(c), status, &format!("{what} (2nd request)"));
        assert_contains(&e, msg);
    }
    // a large head under the limit is served, twice on one connection
    let big = format!(
        "GET /ollama/api/tags HTTP/1.1\r\nHost: x\r\n{}X-Big: {}\r\n\r\n",
        bearer(TOKEN),
        "b".repeat(60 * 1024)
    );
    let mut c = served_connection(p);
    for _ in 0..2 {
        c.get_mut().write_all(big.as_bytes()).expect("write");
        assert_eq!(read_one(&mut c).status, 200);
    }
    // the stream went on untouched
    let mut lines = 0;
    while let Some(c) = next_chunk(&mut stream) {
        lines += c.matches('\n').count();
    }
    assert_eq!(lines, 9, "8 tokens and the done line");
}

/// Pipelined requests: the proxy follows each body's framing (chunked, sized) to find the
/// next head, and a malformed head behind a streaming answer waits for it to finish.
#[test]
fn pipelined_requests_keep_their_framing() {
    let Some((_fake, proxy)) = setup(&["--have", "qwen3:4b"], "") else {
        return;
    };
    let mut s = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let auth = bearer(TOKEN);
    let gen = r#"{"model":"qwen3:4b","prompt":"hi","stream":false}"#;
    let (a, b) = gen.split_at(10);
    let stream =
        r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":3,"fake_delay":0.3}}"#;
    let all = format!(
        "POST /ollama/api/generate HTTP/1.1\r\nHost: x\r\n{auth}Transfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{a}\r\n{:X};ext=1\r\n{b}\r\n0\r\n\r\n\
         POST /ollama/api/generate HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {}\r\n\r\n{gen}\
         GET /ollama/api/version HTTP/1.1\r\nHost: x\r\n{auth}\r\n\
         POST /ollama/api/generate HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: {}\r\n\r\n{stream}\
         \x01junk\r\n\r\n",
        a.len(),
        b.len(),
        gen.len(),
        stream.len(),
    );
    s.write_all(all.as_bytes()).expect("write");
    let mut r = BufReader::new(s);
    for what in ["chunked", "sized"] {
        let one = read_one(&mut r);
        assert_eq!(one.status, 200, "{what}: {}", one.text());
        assert_eq!(one.json()["done"], true, "{what}");
    }
    let v = read_one(&mut r);
    assert_eq!(v.status, 200);
    assert!(v.json()["version"].is_string(), "{}", v.text());
    let streamed = read_one(&mut r);
    assert_eq!(streamed.status, 200);
    assert_eq!(streamed.text().lines().count(), 4, "{}", streamed.text());
    let e = assert_json_error(&rest(r), 400, "garbage behind a stream");
    assert_contains(&e, "malformed");
}

#[test]
fn cors_preflight_as_configured() {
    let Some((_fake, proxy)) = setup(
        &["--have", "qwen3:4b"],
        "cors_origins = [\"https://app.example\"]",
    ) else {
        return;
    };
    let pre = |origin: &str| {
        http(
            proxy.port,
            &format!("OPTIONS /ollama/api/chat HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization\r\n\r\n"),
        )
    };
    let ok = pre("https://app.example");
    assert_eq!(ok.status, 204);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_contains(
        ok.header("access-control-allow-headers").unwrap_or(""),
        "Authorization",
    );
    assert_eq!(pre("https://evil.example").status, 403);
    // actual request from the allowed origin gets the header; Origin is not forwarded
    let r = get(
        proxy.port,
        "/ollama/api/tags",
        &format!("{}Origin: https://app.example\r\n", bearer(TOKEN)),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let r = get(
        proxy.port,
        "/ollama/api/tags",
        &format!("{}Origin: https://evil.example\r\n", bearer(TOKEN)),
    );
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn upstream_down_is_a_502_with_json() {
    let port = free_port();
    let proxy = Proxy::start(&format!("http://127.0.0.1:{port}"), "");
    let r = get(proxy.port, "/api/tags", &bearer(TOKEN));
    assert_eq!(r.status, 502);
    assert_contains(r.json()["error"].as_str().unwrap_or(""), "unreachable");
}

#[test]
fn sigterm_drains_in_flight_streams() {
    let Some((_fake, mut proxy)) = setup(&["--have", "qwen3:4b"], "grace_period = \"20s\"") else {
        return;
    };
    let body = r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":3,"fake_delay":1.0}}"#;
    let mut stream = open_stream(proxy.port, "/ollama/api/generate", body);
    assert!(next_chunk(&mut stream).is_some());
    let st = std::process::Command::new("kill")
        .args(["-TERM", &proxy.proc.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(("127.0.0.1", proxy.port)).is_err(),
        "still accepting after SIGTERM"
    );
    let mut lines = 1;
    while let Some(c) = next_chunk(&mut stream) {
        lines += c.matches('\n').count();
    }
    assert_eq!(lines, 4, "the in-flight stream was cut");
    let status = proxy.proc.0.wait().expect("wait");
    assert!(status.success(), "{status}");
}

#[test]
fn bad_configs_and_token_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .output()
            .expect("run")
    };
    let cfg = dir.path().join("p.toml");
    std::fs::write(
        &cfg,
        "version = 1\nlisten = \"127.0.0.1:1\"\nlisten_typo = 3\n",
    )
    .expect("w");
    let o = run(&["proxy", "--config", cfg.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&o.stderr), "listen_typo");
    let o = run(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--token-file",
        "/nonexistent/token",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&o.stderr), "/nonexistent/token");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").expect("w");
    let o = run(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--token-file",
        empty.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&o.stderr), "is empty");
    let o = run(&["proxy", "--prefix", "/a/../b", "--listen", "127.0.0.1:0"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["check", "proxy", cfg.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    // a port already taken: exit 3
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let o = run(&["proxy", "--listen", &addr]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn unix_socket_listener() {
    let Some(py) = python() else {
        return;
    };
    let fake = Fake::start(&py, &["--have", "qwen3:4b"]);
    let dir = tempfile::tempdir().expect("tmp");
    let sock = dir.path().join("proxy.sock");
    let mut child = std::process::Command::new(BIN)
        .args(["proxy", "--upstream", &fake.url(), "--listen"])
        .arg(format!("unix:{}", sock.display()))
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() {
        assert!(Instant::now() < deadline && child.try_wait().ok().flatten().is_none());
        std::thread::sleep(Duration::from_millis(20));
    }
    let _p = Proc(child);
    let mut s = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
    s.write_all(b"GET /api/tags HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("w");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let r = parse_response(&out);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["models"][0]["name"], "qwen3:4b");
}

#[test]
fn open_listen_beyond_loopback_is_refused() {
    let o = std::process::Command::new(BIN)
        .args(["proxy", "--listen", "0.0.0.0:0"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&o.stderr), "without a token_file");
}

#[test]
fn stale_unix_socket_is_replaced_but_a_file_is_not() {
    let dir = tempfile::tempdir().expect("tmp");
    let sock = dir.path().join("proxy.sock");
    // a socket left behind by a killed run
    drop(std::os::unix::net::UnixListener::bind(&sock).expect("bind"));
    assert!(sock.exists());
    let mut child = std::process::Command::new(BIN)
        .args(["proxy", "--upstream", "http://127.0.0.1:9", "--listen"])
        .arg(format!("unix:{}", sock.display()))
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::os::unix::net::UnixStream::connect(&sock).is_err() {
        assert!(
            Instant::now() < deadline && child.try_wait().ok().flatten().is_none(),
            "never listened"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    assert!(child.wait().expect("wait").success());
    assert!(!sock.exists(), "socket left behind after a clean stop");
    // a regular file at the path is never removed
    std::fs::write(&sock, "precious").expect("w");
    let o = std::process::Command::new(BIN)
        .args(["proxy", "--upstream", "http://127.0.0.1:9", "--listen"])
        .arg(format!("unix:{}", sock.display()))
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&sock).expect("kept"), "precious");
}

#[test]
fn notifies_ready_and_stopping() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("notify.sock");
    let sock = std::os::unix::net::UnixDatagram::bind(&path).expect("bind");
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("t");
    let port = free_port();
    let child = std::process::Command::new(BIN)
        .args([
            "proxy",
            "--upstream",
            "http://127.0.0.1:9",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env("NOTIFY_SOCKET", &path)
        .spawn()
        .expect("spawn");
    let mut child = Proc(child);
    let mut buf = [0u8; 512];
    let n = sock.recv(&mut buf).expect("READY");
    let ready = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert_contains(&ready, "READY=1");
    // READY comes after the socket is bound
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    let n = sock.recv(&mut buf).expect("STOPPING");
    assert_contains(&String::from_utf8_lossy(&buf[..n]), "STOPPING=1");
    assert!(child.0.wait().expect("wait").success());
}

#[test]
fn a_client_leaving_mid_stream_frees_its_slot() {
    let Some((_fake, proxy)) = setup(&["--have", "qwen3:4b"], "max_concurrent = 1") else {
        return;
    };
    let body =
        r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":50,"fake_delay":0.2}}"#;
    let mut s = open_stream(proxy.port, "/ollama/api/generate", body);
    assert!(next_chunk(&mut s).is_some());
    assert_eq!(
        get(proxy.port, "/ollama/api/tags", &bearer(TOKEN)).status,
        503
    );
    drop(s);
    // the proxy notices on its next write (the fake sends a token every 200 ms)
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = get(proxy.port, "/ollama/api/tags", &bearer(TOKEN));
        if r.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "slot never freed: {}", r.status);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn ollama_dying_mid_stream_cuts_that_stream_only() {
    let Some(py) = python() else {
        return;
    };
    let mut fake = Fake::start(&py, &["--have", "qwen3:4b"]);
    let proxy = Proxy::start(&fake.url(), "");
    let body =
        r#"{"model":"qwen3:4b","prompt":"hi","options":{"fake_tokens":50,"fake_delay":0.2}}"#;
    let mut s = open_stream(proxy.port, "/api/generate", body);
    assert!(next_chunk(&mut s).is_some());
    let _ = fake.proc.0.kill();
    let _ = fake.proc.0.wait();
    // the stream ends without the terminating chunk: the client can tell it was cut
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(
        !String::from_utf8_lossy(&rest).contains("\r\n0\r\n\r\n"),
        "cut stream looked complete"
    );
    // the proxy lives on and says what is wrong
    let r = get(proxy.port, "/api/tags", &bearer(TOKEN));
    assert_eq!(r.status, 502);
    assert_eq!(get(proxy.port, "/healthz", "").status, 200);
}

#[test]
fn man_page_and_completions_come_from_the_cli_definition() {
    let run = |args: &[&str]| {
        std::process::Command::new(BIN)
            .args(args)
            .output()
            .expect("run")
    };
    let man = run(&["generate", "man"]);
    assert!(man.status.success());
    let man = String::from_utf8_lossy(&man.stdout);
    assert_contains(&man, ".TH axios-ollama");
    assert_contains(&man, "preload");
    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["generate", shell]);
        assert!(o.status.success(), "{shell}");
        assert_contains(&String::from_utf8_lossy(&o.stdout), "token-file");
    }
}

/// A refused request whose body the proxy has not read (a denied `create` with a large body,
/// a wrong token): the client must read the JSON refusal, not a reset connection, and a
/// keep-alive connection must stay usable for the next request. Answering and closing with
/// the body unread made the kernel reset the connection (the official client then reported
/// "Server disconnected without sending a response").
#[test]
fn refusals_read_the_body_first_and_keep_the_connection() {
    let Some((_fake, proxy)) = setup(&["--have", "qwen3:4b"], "") else {
        return;
    };
    let filler = "x".repeat(4 << 20);
    let body = format!(r#"{{"model":"mine:2","from":"qwen3:4b","system":"{filler}"}}"#);
    for (path, auth, want) in [
        ("/ollama/api/create", TOKEN, "403"),
        ("/ollama/api/chat", "wrong-token", "401"),
    ] {
        let mut s = TcpStream::connect(("127.0.0.1", proxy.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {auth}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        s.write_all(head.as_bytes()).expect("head");
        // The whole body goes out before anything is read, as a client sending a file does.
        s.write_all(body.as_bytes())
            .unwrap_or_else(|e| panic!("{path}: the proxy cut the upload: {e}"));
        // Then a second request on the same connection.
        s.write_all(b"GET /ollama/api/version HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
            .and_then(|()| s.write_all(format!("{TOKEN}\r\n\r\n").as_bytes()))
            .expect("second request");
        let mut r = BufReader::new(s);
        let mut status = String::new();
        r.read_line(&mut status)
            .unwrap_or_else(|e| panic!("{path}: no refusal read, connection reset: {e}"));
        assert!(status.contains(want), "{path}: {status}");
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            r.read_line(&mut h).expect("header");
            if h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().expect("length");
            }
        }
        let mut err = vec![0; len];
        r.read_exact(&mut err).expect("refusal body");
        let v: Value = serde_json::from_slice(&err).expect("JSON refusal");
        assert!(v["error"].is_string(), "{v}");
        let mut next = String::new();
        r.read_line(&mut next).expect("the connection stays usable");
        assert!(next.contains("200"), "{path}: second request got {next}");
    }
}

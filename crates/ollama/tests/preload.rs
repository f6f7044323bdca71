//! `axios-ollama preload` against the fake Ollama.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Output};

use common::*;
use serde_json::{json, Value};

struct Run {
    out: Output,
    notes: Vec<String>,
}

impl Run {
    fn summary(&self) -> Value {
        serde_json::from_slice(&self.out.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON summary ({e}); stderr:\n{}",
                String::from_utf8_lossy(&self.out.stderr)
            )
        })
    }
    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    fn model(&self, name: &str) -> Value {
        self.summary()["models"]
            .as_array()
            .expect("models")
            .iter()
            .find(|m| m["model"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in summary"))
    }
}

/// Run preload with a config (`extra` TOML) and flags, collecting sd_notify messages.
fn preload(url: &str, extra: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("preload.toml");
    std::fs::write(
        &cfg,
        format!(
            "version = 1\nurl = \"{url}\"\n{}{extra}\n",
            if extra.contains("retry.backoff") {
                ""
            } else {
                "retry.backoff = \"50ms\"\nretry.max_backoff = \"200ms\"\n"
            }
        ),
    )
    .expect("cfg");
    let sock_path = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).expect("notify socket");
    sock.set_read_timeout(Some(std::time::Duration::from_millis(100)))
        .expect("timeout");
    // drain while the program runs, as systemd does (a full queue blocks the sender)
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut notes = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                match sock.recv(&mut buf) {
                    Ok(n) => notes.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
                    Err(_) if done.load(std::sync::atomic::Ordering::SeqCst) => return notes,
                    Err(_) => {}
                }
            }
        })
    };
    let out = Command::new(BIN)
        .arg("preload")
        .arg("--config")
        .arg(&cfg)
        .arg("--json")
        .args(args)
        .env("NOTIFY_SOCKET", &sock_path)
        .output()
        .expect("run preload");
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let notes = reader.join().expect("notify reader");
    Run { out, notes }
}

fn start(args: &[&str]) -> Option<Fake> {
    Some(Fake::start(&python()?, args))
}

#[test]
fn all_present_needs_no_pull_and_warms_each_kind() {
    let Some(fake) = start(&["--have", "qwen3:4b", "--have", "nomic-embed-text"]) else {
        return;
    };
    let run = preload(
        &fake.url(),
        "models = [\"qwen3:4b\", \"nomic-embed-text:latest\", \"nomic-embed-text\"]\nkeep_alive = \"-1\"\nnum_ctx = 16384\n",
        &[],
    );
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let s = run.summary();
    assert_eq!(s["ok"], true);
    assert_eq!(s["failed"], json!([]));
    assert_eq!(
        s["models"].as_array().map(Vec::len),
        Some(2),
        "duplicates folded"
    );
    let q = run.model("qwen3:4b");
    assert_eq!(
        (
            q["present"].clone(),
            q["pulled"].clone(),
            q["kind"].clone(),
            q["warm"].clone()
        ),
        (json!(true), json!(false), json!("completion"), json!(true))
    );
    assert_eq!(run.model("nomic-embed-text:latest")["kind"], "embedding");
    let stats = fake.stats();
    assert_eq!(stats["pulls"], json!({}), "a present model was pulled");
    assert_eq!(
        stats["loaded"],
        json!(["nomic-embed-text:latest", "qwen3:4b"])
    );
    let paths: Vec<String> = stats["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["path"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        paths.contains(&"/api/embed".to_string()) && paths.contains(&"/api/generate".to_string())
    );
    // warmed with the configured num_ctx (else the runner reloads) and keep-alive forever
    let ps = get(fake.port, "/api/ps", "").json();
    for m in ps["models"].as_array().expect("ps") {
        assert_eq!(m["context_length"], 16384, "{m}");
        assert!(
            m["expires_at"]
                .as_str()
                .is_some_and(|e| e.starts_with("20") && e > "2030"),
            "{m}"
        );
    }
    let notes = run.notes.join("\n");
    assert_contains(&notes, "READY=1");
    assert_contains(&notes, "STATUS=2 model(s) present and warm");
}

#[test]
fn only_missing_models_are_pulled() {
    let Some(fake) = start(&["--have", "qwen3:4b"]) else {
        return;
    };
    let run = preload(
        &fake.url(),
        "models = [\"qwen3:4b\", \"llama3.2:1b\"]",
        &["--model", "all-minilm"],
    );
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(
        fake.stats()["pulls"],
        json!({"llama3.2:1b": 1, "all-minilm:latest": 1})
    );
    let l = run.model("llama3.2:1b");
    assert_eq!(
        (
            l["present"].clone(),
            l["pulled"].clone(),
            l["pull_attempts"].clone()
        ),
        (json!(false), json!(true), json!(1))
    );
    assert_eq!(run.model("all-minilm")["kind"], "embedding");
    // under systemd: STATUS updates while pulling
    assert!(
        run.notes
            .iter()
            .any(|n| n.contains("STATUS=") && n.contains("llama3.2:1b")),
        "{:?}",
        run.notes
    );
}

#[test]
fn a_pull_that_fails_twice_then_succeeds() {
    // attempt 1: HTTP 500; attempt 2: an error line mid-stream under 200; attempt 3 works
    let Some(fake) = start(&[
        "--http-fail-pull",
        "llama3.2:1b=1",
        "--fail-pull",
        "llama3.2:1b=2",
    ]) else {
        return;
    };
    let run = preload(&fake.url(), "models = [\"llama3.2:1b\"]", &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.model("llama3.2:1b")["pull_attempts"], 3);
    assert_eq!(fake.stats()["pulls"]["llama3.2:1b"], 3);
    let notes = run.notes.join("\n");
    assert_contains(&notes, "READY=1");
}

#[test]
fn mid_stream_errors_fail_one_model_not_the_others() {
    let Some(fake) = start(&["--fail-pull", "llama3.2:1b=99", "--have", "qwen3:4b"]) else {
        return;
    };
    let run = preload(
        &fake.url(),
        "models = [\"llama3.2:1b\", \"qwen3:4b\", \"all-minilm\", \"no-such-model:7b\"]\nretry.attempts = 3\n",
        &[],
    );
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let s = run.summary();
    assert_eq!(s["ok"], false);
    assert_eq!(s["failed"], json!(["llama3.2:1b", "no-such-model:7b"]));
    let l = run.model("llama3.2:1b");
    assert_eq!(l["pull_attempts"], 3);
    assert_contains(
        l["error"].as_str().unwrap_or(""),
        "max retries exceeded: EOF",
    );
    // an unknown model is not retried
    let u = run.model("no-such-model:7b");
    assert_eq!(u["pull_attempts"], 1);
    assert_contains(u["error"].as_str().unwrap_or(""), "file does not exist");
    assert_eq!(run.model("all-minilm")["state"], "ready");
    assert_eq!(run.model("qwen3:4b")["state"], "ready");
    assert!(
        !run.notes.iter().any(|n| n.contains("READY=1")),
        "READY despite failures"
    );
    assert!(
        run.notes
            .iter()
            .any(|n| n.contains("failed: llama3.2:1b, no-such-model:7b")),
        "{:?}",
        run.notes
    );
    // without --json the failures are named on stderr
    let o = Command::new(BIN)
        .args([
            "preload",
            "--url",
            &fake.url(),
            "--model",
            "no-such-model:7b",
        ])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(1));
    assert_contains(
        &String::from_utf8_lossy(&o.stderr),
        "no-such-model:7b: pull failed",
    );
}

#[test]
fn ollama_up_several_seconds_late() {
    let Some(py) = python() else {
        return;
    };
    let port = free_port();
    let _late = Fake::start_late(&py, port, 3.0, &["--have", "qwen3:4b"]);
    let run = preload(
        &format!("http://127.0.0.1:{port}"),
        "models = [\"qwen3:4b\"]\nwait = \"30s\"",
        &[],
    );
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.summary()["ollama_version"], "0.12.3");
}

#[test]
fn unreachable_ollama_is_exit_3_naming_the_url() {
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let run = preload(&url, "models = [\"qwen3:4b\"]\nwait = \"1s\"", &[]);
    assert_eq!(run.code(), Some(3));
    assert_contains(&run.stderr(), &url);
    assert!(run.out.stdout.is_empty());
}

#[test]
fn a_busy_ollama_is_retried_then_reported() {
    let Some(fake) = start(&["--have", "qwen3:4b", "--max-queue", "0"]) else {
        return;
    };
    let run = preload(
        &fake.url(),
        "models = [\"qwen3:4b\"]\nretry.attempts = 2\nretry.backoff = \"10ms\"",
        &[],
    );
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let e = run.model("qwen3:4b")["error"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_contains(&e, "503");
    assert_contains(&e, "server busy");
    let generates = fake.stats()["requests"]
        .as_array()
        .expect("r")
        .iter()
        .filter(|r| r["path"] == "/api/generate")
        .count();
    assert_eq!(generates, 2);
}

#[test]
fn overall_timeout_names_the_unfinished_model() {
    let Some(fake) = start(&["--pull-seconds", "qwen3:8b=20"]) else {
        return;
    };
    let run = preload(
        &fake.url(),
        "models = [\"qwen3:8b\", \"all-minilm\"]\ntimeout = \"2s\"\nconcurrency = 2",
        &[],
    );
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    assert_eq!(run.summary()["failed"], json!(["qwen3:8b"]));
    assert_contains(
        run.model("qwen3:8b")["error"].as_str().unwrap_or(""),
        "timeout",
    );
}

#[test]
fn bad_input_is_named() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = |args: &[&str]| Command::new(BIN).args(args).output().expect("run");
    let o = run(&[
        "preload",
        "--model",
        "qwen 3",
        "--url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&o.stderr), "qwen 3");
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "version = 1\nmodels = \"qwen3\"\n").expect("w");
    let o = run(&["preload", "--config", cfg.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(
        &String::from_utf8_lossy(&o.stderr),
        &cfg.display().to_string(),
    );
    let o = run(&["preload", "--config", "/nonexistent/preload.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(
        &String::from_utf8_lossy(&o.stderr),
        "/nonexistent/preload.toml",
    );
    let o = run(&["preload", "--url", "https://127.0.0.1:11434"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::write(&cfg, "version = 1\nconcurrency = 0\n").expect("w");
    let o = run(&["check", "preload", cfg.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&String::from_utf8_lossy(&o.stderr), "concurrency");
}

#[test]
fn ollama_dying_mid_pull_is_retried_then_named() {
    let Some(py) = python() else {
        return;
    };
    let mut fake = Fake::start(&py, &["--pull-seconds", "qwen3:8b=30"]);
    let url = fake.url();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, format!("version = 1\nurl = \"{url}\"\nmodels = [\"qwen3:8b\"]\nretry.attempts = 2\nretry.backoff = \"100ms\"\n")).expect("w");
    let child = Command::new(BIN)
        .args(["preload", "--json", "--config"])
        .arg(&cfg)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // let the pull start, then Ollama dies
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fake.stats()["pulls"]["qwen3:8b"] != 1 {
        assert!(std::time::Instant::now() < deadline, "pull never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = fake.proc.0.kill();
    let _ = fake.proc.0.wait();
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).expect("summary");
    assert_eq!(s["failed"], json!(["qwen3:8b"]));
    let m = &s["models"][0];
    assert_eq!(m["pull_attempts"], 2);
    assert_contains(m["error"].as_str().unwrap_or(""), "cannot reach Ollama");
}

#[test]
fn embedding_model_told_by_the_error_when_show_has_no_capabilities() {
    let Some(fake) = start(&[
        "--have",
        "nomic-embed-text",
        "--have",
        "qwen3:4b",
        "--old-show",
    ]) else {
        return;
    };
    let run = preload(
        &fake.url(),
        "models = [\"nomic-embed-text\", \"qwen3:4b\"]",
        &[],
    );
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.model("nomic-embed-text")["kind"], "embedding");
    assert_eq!(run.model("qwen3:4b")["kind"], "completion");
    assert_eq!(
        fake.stats()["loaded"],
        json!(["nomic-embed-text:latest", "qwen3:4b"])
    );
}

#[test]
fn without_a_tty_progress_is_log_lines() {
    let Some(fake) = start(&[]) else {
        return;
    };
    let o = Command::new(BIN)
        .args(["preload", "--url", &fake.url(), "--model", "llama3.2:1b"])
        .env_remove("JOURNAL_STREAM")
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    for line in [
        "llama3.2:1b: pulling",
        "llama3.2:1b: pulled 0 of 1 MB",
        "llama3.2:1b: warming",
        "llama3.2:1b: ready",
        "1 model(s) present and warm",
    ] {
        assert_contains(&err, line);
    }
    assert!(!err.contains('\u{1b}'), "escape codes without a TTY: {err}");
    assert!(o.stdout.is_empty());
}

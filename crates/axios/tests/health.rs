//! `axios doctor`'s domain checks: a real Caddy (admin API) with live and dead
//! upstreams, axios-bisync pair states (locked out, waiting for approval,
//! stale, never initialised), bad files, and a machine with nothing configured.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use axios_bisync::state::{Lockout, PairPaths, PairState, Pending};
use axios_core::testing::require_tool;
use serde_json::Value;

fn fixture() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../gpu/tests/fixtures/vm-no-gpu")
        .display()
        .to_string()
}

/// `axios doctor --root <vm fixture> ARGS` with an empty HOME (no user config).
fn doctor(home: &Path, args: &[&str]) -> Output {
    doctor_at(&fixture(), home, args)
}

fn doctor_at(root: &str, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_axios"))
        .args(["doctor", "--root", root])
        .args(if args.contains(&"--timeout") {
            &[][..]
        } else {
            &["--timeout", "2"][..]
        })
        .args(args)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("AXIOS_CADDY_ROUTES")
        .env_remove("AXIOS_CADDY_ADMIN")
        .env_remove("AXIOS_BISYNC_CONFIG")
        .output()
        .expect("run axios")
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// (domain, severity, subject, message) of every finding.
fn findings(v: &Value) -> Vec<(String, String, String, String)> {
    v["health"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["domain"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
                f["subject"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(v: &Value, sev: &str, subject: &str, msg: &str) -> bool {
    findings(v)
        .iter()
        .any(|(_, s, sub, m)| s == sev && sub.contains(subject) && m.contains(msg))
}

#[test]
fn nothing_configured_is_fine() {
    let home = tempfile::tempdir().expect("home");
    let o = doctor(home.path(), &["--json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["worst"], "ok");
    let domains = v["health"]["domains"].as_array().expect("domains");
    assert_eq!(domains.len(), 2);
    assert!(
        domains.iter().all(|d| d["configured"] == false),
        "{domains:?}"
    );
    // the installed paths, under --root
    assert!(domains[0]["source"]
        .as_str()
        .is_some_and(|s| s.ends_with("vm-no-gpu/etc/axios/caddy-routes.json")));
    let o = doctor(home.path(), &[]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("caddy   not configured"), "{t}");
    assert!(t.contains("bisync  not configured"), "{t}");
}

/// A tiny HTTP upstream answering 200 to anything.
fn upstream() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        }
    });
    port
}

/// A port nothing listens on.
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A real Caddy whose admin API listens on `admin`; killed on drop.
struct Caddy(Child, #[allow(dead_code)] tempfile::TempDir);

impl Caddy {
    fn start(caddy: &Path, admin: u16) -> Caddy {
        let home = tempfile::tempdir().expect("caddy home");
        let cfg = home.path().join("caddy.json");
        std::fs::write(
            &cfg,
            format!(r#"{{"admin": {{"listen": "127.0.0.1:{admin}"}}}}"#),
        )
        .expect("config");
        let child = Command::new(caddy)
            .args(["run", "--config"])
            .arg(&cfg)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start caddy");
        let mut c = Caddy(child, home);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", admin)).is_err() {
            assert!(
                c.0.try_wait().ok().flatten().is_none(),
                "caddy exited early"
            );
            assert!(Instant::now() < deadline, "caddy never listened on {admin}");
            std::thread::sleep(Duration::from_millis(50));
        }
        c
    }
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn caddy_routes_admin_and_upstreams() {
    let Some(caddy) = require_tool("caddy") else {
        return;
    };
    let home = tempfile::tempdir().expect("home");
    let live = upstream();
    let dead = dead_port();
    let routes = home.path().join("caddy-routes.json");
    std::fs::write(
        &routes,
        serde_json::json!({
            "photos": {"domain": "box.tail1.ts.net", "target": format!("http://127.0.0.1:{live}")},
            "ollama": {"domain": "box.tail1.ts.net", "path": "/ollama/*", "target": format!("127.0.0.1:{dead}"), "priority": 100},
        })
        .to_string(),
    )
    .expect("routes");
    let admin_port = dead_port();
    let admin = format!("http://127.0.0.1:{admin_port}");
    let r = routes.display().to_string();
    let args = ["--json", "--caddy-routes", &r, "--caddy-admin", &admin];

    // Caddy down: the admin check and the dead upstream are errors
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert_eq!(v["worst"], "error");
    assert!(has(&v, "ok", &r, "2 route(s) on 1 site(s)"), "{v}");
    assert!(has(&v, "error", "caddy", "Caddy is not reachable"), "{v}");
    assert!(has(&v, "ok", "route photos", "answers (HTTP 200"), "{v}");
    assert!(has(&v, "error", "route ollama", "does not answer"), "{v}");
    // every finding that is a problem has a one-line fix
    for f in v["health"]["findings"].as_array().expect("findings") {
        if f["severity"] == "error" || f["severity"] == "warning" {
            let fix = f["fix"].as_str().expect("fix");
            assert!(!fix.is_empty() && !fix.contains('\n'), "{f}");
        }
    }

    // the real Caddy up: its admin API answers
    let _c = Caddy::start(&caddy, admin_port);
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert!(has(&v, "ok", "caddy", "admin API answers"), "{v}");
    assert_eq!(
        o.status.code(),
        Some(4),
        "the dead upstream is still an error: {v}"
    );

    // only live upstreams: a clean bill of health, exit 0
    std::fs::write(
        &routes,
        serde_json::json!({"photos": {"domain": "box.tail1.ts.net", "target": format!("127.0.0.1:{live}")}}).to_string(),
    )
    .expect("routes");
    let o = doctor(home.path(), &args);
    assert_eq!(o.status.code(), Some(0), "{}", json(&o));
}

/// A port that accepts connections and never answers.
fn silent_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut keep = Vec::new();
        for s in l.incoming().flatten() {
            keep.push(s);
        }
    });
    port
}

#[test]
fn stuck_upstreams_and_tls_upstreams() {
    let home = tempfile::tempdir().expect("home");
    let silent = silent_port();
    let routes = home.path().join("caddy-routes.json");
    // the same address once as plain HTTP and once as TLS: probed separately
    std::fs::write(
        &routes,
        serde_json::json!({
            "stuck": {"domain": "x.test", "target": format!("127.0.0.1:{silent}")},
            "tls": {"domain": "x.test", "path": "/t/*", "target": format!("https://127.0.0.1:{silent}")},
        })
        .to_string(),
    )
    .expect("routes");
    let r = routes.display().to_string();
    let admin = format!("http://127.0.0.1:{}", dead_port());
    let o = doctor(
        home.path(),
        &[
            "--json",
            "--caddy-routes",
            &r,
            "--caddy-admin",
            &admin,
            "--timeout",
            "0.5",
        ],
    );
    let v = json(&o);
    assert!(
        has(&v, "error", "route stuck", "no reply within 0.5 s"),
        "{v}"
    );
    assert!(has(&v, "ok", "route tls", "accepts connections"), "{v}");
}

#[test]
fn caddy_registry_problems_are_named() {
    let home = tempfile::tempdir().expect("home");
    let routes = home.path().join("caddy-routes.json");
    let r = routes.display().to_string();
    let admin = format!("http://127.0.0.1:{}", dead_port());
    let args = ["--json", "--caddy-routes", &r, "--caddy-admin", &admin];
    // not JSON at all
    std::fs::write(&routes, b"{ not json \xff").expect("write");
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(has(&v, "error", &r, "cannot be read"), "{v}");
    // two routes that can never both work
    std::fs::write(
        &routes,
        r#"{"a": {"domain": "x.test", "path": "/a/*", "target": "127.0.0.1:1"},
            "b": {"domain": "x.test", "path": "/a/*", "target": "127.0.0.1:2"}}"#,
    )
    .expect("write");
    let v = json(&doctor(home.path(), &args));
    let errs: Vec<_> = findings(&v)
        .into_iter()
        .filter(|(_, s, sub, _)| s == "error" && sub.starts_with("route a, b"))
        .collect();
    assert!(!errs.is_empty(), "{v}");
    // a bad admin address is named
    let o = doctor(
        home.path(),
        &["--json", "--caddy-routes", &r, "--caddy-admin", "nonsense"],
    );
    assert!(
        has(&json(&o), "error", "nonsense", "nonsense"),
        "{}",
        json(&o)
    );
}

fn pair_state(state_dir: &Path, pair: &str, st: &PairState) {
    let p = PairPaths::new(state_dir, pair);
    p.create().expect("create");
    st.save(&p.state).expect("save");
}

#[test]
fn bisync_pairs() {
    let home = tempfile::tempdir().expect("home");
    let state_dir = home.path().join("state");
    let mut cfg = String::from("version = 1\n");
    cfg.push_str(&format!("state_dir = \"{}\"\n", state_dir.display()));
    for p in ["docs", "music", "photos", "notes", "fresh"] {
        cfg.push_str(&format!(
            "[pairs.{p}]\npath1 = \"gdrive:{p}\"\npath2 = \"{}\"\nnotify_after = \"1d\"\n",
            home.path().join(p).display()
        ));
    }
    let config = home.path().join(".config/axios/bisync.toml");
    std::fs::create_dir_all(config.parent().expect("parent")).expect("mkdir");
    std::fs::write(&config, cfg).expect("config");
    let now = axios_bisync::state::now_secs();
    let ok = PairState {
        initialized: true,
        last_success: Some(now - 600),
        ..Default::default()
    };
    pair_state(
        &state_dir,
        "docs",
        &PairState {
            locked_out: Some(Lockout {
                since: now - 3600,
                reason: "rclone: Bisync aborted. Must run --resync to recover.".into(),
            }),
            ..ok.clone()
        },
    );
    pair_state(
        &state_dir,
        "music",
        &PairState {
            pending: Some(Pending {
                at: now - 60,
                reason: "would delete 300 files on path2 (cap 100)".into(),
                delete_on_path2: (0..300)
                    .map(|i| axios_bisync::RelPath::from(format!("old/{i}.txt").as_str()))
                    .collect(),
                ..Default::default()
            }),
            ..ok.clone()
        },
    );
    pair_state(
        &state_dir,
        "photos",
        &PairState {
            last_success: Some(now - 5 * 86400),
            last_result: Some("retryable".into()),
            ..ok.clone()
        },
    );
    pair_state(&state_dir, "notes", &ok);
    // "fresh": no state at all (never initialised)

    // found at the default path under $HOME
    let o = doctor_at("/", home.path(), &["--json"]);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(has(&v, "error", "pair docs", "locked out since"), "{v}");
    assert!(
        has(&v, "warning", "pair music", "waits for approval"),
        "{v}"
    );
    assert!(has(&v, "warning", "pair music", "300 deletion(s)"), "{v}");
    assert!(has(&v, "warning", "pair photos", "5 days ago"), "{v}");
    assert!(has(&v, "ok", "pair notes", "last success"), "{v}");
    assert!(has(&v, "warning", "pair fresh", "never initialised"), "{v}");
    let fix_of = |subject: &str| {
        v["health"]["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["subject"] == subject && f["severity"] != "ok")
            .and_then(|f| f["fix"].as_str())
            .unwrap_or("")
            .to_string()
    };
    assert!(fix_of("pair docs").contains("axios-bisync recover docs"));
    assert!(fix_of("pair music").contains("axios-bisync approve music"));
    assert!(fix_of("pair fresh").contains("axios-bisync init fresh"));

    // approved: no longer waiting; only the warnings of the others remain
    let p = PairPaths::new(&state_dir, "docs");
    std::fs::remove_dir_all(&p.dir).expect("rm");
    for n in ["music", "photos", "fresh"] {
        let p = PairPaths::new(&state_dir, n);
        let _ = std::fs::remove_dir_all(&p.dir);
        pair_state(&state_dir, n, &ok);
    }
    pair_state(&state_dir, "docs", &ok);
    let o = doctor_at("/", home.path(), &["--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", json(&o));
}

#[test]
fn bisync_config_that_does_not_parse_is_named() {
    let home = tempfile::tempdir().expect("home");
    let config = home.path().join("bisync.toml");
    std::fs::write(&config, "version = 1\nstate_dir = 3\nsurprise = true\n").expect("w");
    let c = config.display().to_string();
    let o = doctor(home.path(), &["--json", "--bisync-config", &c]);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(has(&v, "error", &c, "cannot be used"), "{v}");
    // a corrupt state file is named too
    let state_dir = home.path().join("state");
    std::fs::write(
        &config,
        format!(
            "version = 1\nstate_dir = \"{}\"\n[pairs.docs]\npath1 = \"gdrive:d\"\npath2 = \"/tmp/d\"\n",
            state_dir.display()
        ),
    )
    .expect("w");
    let p = PairPaths::new(&state_dir, "docs");
    p.create().expect("create");
    std::fs::write(&p.state, "{ truncated").expect("w");
    let v = json(&doctor(home.path(), &["--json", "--bisync-config", &c]));
    assert!(has(&v, "error", &c, "state.json"), "{v}");
}

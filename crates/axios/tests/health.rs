//! `axios doctor`'s domain checks: a real Caddy (admin API) with live and dead
//! upstreams, axios-bisync pair states (locked out, waiting for approval,
//! stale, never initialised), bad files, and a machine with nothing configured.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use axios_bisync::state::{Lockout, PairPaths, PairState, Pending};
use axios_core::testing::{require_tool, KillOnDrop};
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
        .env_remove("AXIOS_GPU_PRIME_CHECK")
        .env_remove("AXIOS_GPU_STATE_DIR")
        .env_remove("AXIOS_OLLAMA_PRELOAD_CONFIG")
        .env_remove("AXIOS_OLLAMA_PROXY_CONFIG")
        .env_remove("AXIOS_OLLAMA_PRELOAD_SUMMARY")
        .env_remove("AXIOS_VR_CONFIG")
        .env_remove("XR_RUNTIME_JSON")
        .env_remove("XDG_CONFIG_DIRS")
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_DATA_HOME")
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
    let names: Vec<&str> = domains
        .iter()
        .filter_map(|d| d["domain"].as_str())
        .collect();
    assert_eq!(names, ["gpu", "caddy", "ollama", "bisync", "vr"]);
    assert!(
        domains.iter().all(|d| d["configured"] == false),
        "{domains:?}"
    );
    assert!(findings(&v).is_empty(), "{v}");
    // the installed paths, under --root
    let source = |i: usize| domains[i]["source"].as_str().unwrap_or("").to_string();
    assert!(source(0).contains("vm-no-gpu/run/axios-gpu/check-prime.json"));
    assert!(source(0).ends_with("vm-no-gpu/var/lib/axios-gpu"));
    assert!(source(1).ends_with("vm-no-gpu/etc/axios/caddy-routes.json"));
    assert!(source(2).ends_with("vm-no-gpu/etc/axios/ollama/proxy.toml"));
    assert!(source(4).ends_with("vm-no-gpu/etc/axios/vr.toml"));
    let o = doctor(home.path(), &[]);
    let t = String::from_utf8_lossy(&o.stdout);
    for d in ["gpu     ", "caddy   ", "ollama  ", "bisync  ", "vr      "] {
        assert!(t.contains(&format!("{d}not configured")), "{t}");
    }
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
struct Caddy(KillOnDrop, #[allow(dead_code)] tempfile::TempDir);

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
        let mut c = Caddy(KillOnDrop(child), home);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", admin)).is_err() {
            assert!(
                c.0 .0.try_wait().ok().flatten().is_none(),
                "caddy exited early"
            );
            assert!(Instant::now() < deadline, "caddy never listened on {admin}");
            std::thread::sleep(Duration::from_millis(50));
        }
        c
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

// ---- GPU -----------------------------------------------------------------

fn gpu_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../gpu/tests/fixtures")
        .join(name)
}

/// What the boot unit (`axios-gpu check-prime --report`) writes for `ids`, checked
/// against the hardware of fixture `checked_on`, into a copy of fixture `machine`.
fn prime_machine(machine: &str, checked_on: &str, ids: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    axios_core::testing::copy_tree(&gpu_fixture(machine), dir.path());
    let on = axios_core::Root::new(gpu_fixture(checked_on)).expect("root");
    let gpus = axios_gpu::detect_gpus(&on).expect("detect");
    let ids: Vec<_> = ids
        .iter()
        .map(|(role, id)| {
            let role = match *role {
                "nvidia" => axios_gpu::PrimeRole::Nvidia,
                "intel" => axios_gpu::PrimeRole::Intel,
                _ => axios_gpu::PrimeRole::Amdgpu,
            };
            (role, id.parse::<axios_gpu::BusId>().expect("bus id"))
        })
        .collect();
    let check = axios_gpu::prime::check(&on, &gpus, &ids).expect("check");
    let file = dir.path().join(axios_gpu::prime::BOOT_CHECK_FILE);
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    axios_gpu::prime::write_report(&file, &check).expect("write");
    dir
}

fn fix_of(v: &Value, sev: &str, subject: &str) -> String {
    v["health"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["severity"] == sev && f["subject"] == subject)
        .and_then(|f| f["fix"].as_str())
        .unwrap_or("")
        .to_string()
}

/// `axios doctor --json` on [`prime_machine`]: exit code and report.
fn prime_doctor(
    home: &Path,
    machine: &str,
    checked_on: &str,
    ids: &[(&str, &str)],
) -> (Option<i32>, Value, tempfile::TempDir) {
    let m = prime_machine(machine, checked_on, ids);
    let o = doctor_at(m.path().to_str().expect("utf8"), home, &["--json"]);
    (o.status.code(), json(&o), m)
}

#[test]
fn gpu_prime_drift() {
    let home = tempfile::tempdir().expect("home");
    let ids = [("nvidia", "PCI:10:0:0"), ("amdgpu", "PCI:14:0:0")];
    // the right IDs: fine
    let (code, v, _m) = prime_doctor(
        home.path(),
        "desktop-apu-nvidia",
        "desktop-apu-nvidia",
        &ids,
    );
    assert_eq!(code, Some(0), "{v}");
    assert!(
        has(&v, "ok", "prime nvidiaBusId", "matches 0000:0a:00.0 (now)"),
        "{v}"
    );
    assert!(has(&v, "ok", "prime amdgpuBusId", "matches"), "{v}");

    // a stale NVIDIA ID: an error whose fix is the ID to use
    let (code, v, m) = prime_doctor(
        home.path(),
        "desktop-apu-nvidia",
        "desktop-apu-nvidia",
        &[("nvidia", "PCI:1:0:0"), ("amdgpu", "PCI:14:0:0")],
    );
    assert_eq!(code, Some(4), "{v}");
    assert!(has(&v, "error", "prime nvidiaBusId", "is stale"), "{v}");
    assert!(has(&v, "ok", "prime amdgpuBusId", "matches"), "{v}");
    let fix = fix_of(&v, "error", "prime nvidiaBusId");
    assert!(
        fix.contains("axios.hardware.prime.nvidiaBusId = \"PCI:10:0:0\""),
        "{fix}"
    );
    let root = m.path().to_str().expect("utf8");
    let t = String::from_utf8_lossy(&doctor_at(root, home.path(), &[]).stdout).to_string();
    assert!(t.contains("gpu     error   prime nvidiaBusId"), "{t}");
    assert!(
        t.contains("fix: set axios.hardware.prime.nvidiaBusId"),
        "{t}"
    );

    // right at boot, but the GPUs moved since (checked now against the hardware)
    let (_, v, _m) = prime_doctor(
        home.path(),
        "laptop-amd-nvidia-active",
        "desktop-apu-nvidia",
        &ids,
    );
    assert!(has(&v, "error", "prime nvidiaBusId", "(now)"), "{v}");
    assert!(
        fix_of(&v, "error", "prime nvidiaBusId").contains("\"PCI:1:0:0\""),
        "{v}"
    );
    assert!(
        fix_of(&v, "error", "prime amdgpuBusId").contains("\"PCI:6:0:0\""),
        "{v}"
    );

    // stale at boot, right now: the session still runs with the stale IDs
    let (code, v, _m) = prime_doctor(
        home.path(),
        "desktop-apu-nvidia",
        "laptop-amd-nvidia-active",
        &ids,
    );
    assert_eq!(code, Some(3), "{v}");
    assert!(
        has(&v, "warning", "prime nvidiaBusId", "was stale at boot"),
        "{v}"
    );
    assert!(
        fix_of(&v, "warning", "prime nvidiaBusId").contains("reboot"),
        "{v}"
    );

    // an ID that cannot be checked again (hand-edited): the boot result stands, said so
    let edited = home.path().join("edited.json");
    std::fs::write(
        &edited,
        r#"{"ok": false, "entries": [{"option": "nvidiaBusId", "configured": "PCI:zz:0:0", "ok": false, "found": null, "use_instead": "PCI:1:0:0", "message": "nvidiaBusId = \"PCI:zz:0:0\" is stale: there is no PCI device there; use nvidiaBusId = \"PCI:1:0:0\""}]}"#,
    )
    .expect("write");
    let e = edited.display().to_string();
    let o = doctor(home.path(), &["--json", "--gpu-prime-check", &e]);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(
        has(
            &v,
            "error",
            "prime nvidiaBusId",
            "is stale: there is no PCI device there (at boot)"
        ),
        "{v}"
    );
    assert!(
        fix_of(&v, "error", "prime nvidiaBusId").contains("nvidiaBusId = \"PCI:1:0:0\""),
        "{v}"
    );

    // a file that is not a check result; the path given by flag
    let bad = home.path().join("check.json");
    std::fs::write(&bad, b"{\"ok\": tru\xff").expect("write");
    let b = bad.display().to_string();
    let o = doctor(home.path(), &["--json", "--gpu-prime-check", &b]);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(3), "{v}");
    assert!(has(&v, "warning", &b, "not a PRIME check result"), "{v}");
    // a FIFO for the incident log would block a reader forever: refused, named
    let fifo = home.path().join("fifo");
    mkfifo(&fifo);
    let fifo_dir = home.path().join("fifo-state");
    std::fs::create_dir(&fifo_dir).expect("mkdir");
    std::fs::rename(&fifo, fifo_dir.join("incidents.jsonl")).expect("mv");
    let fd = fifo_dir.display().to_string();
    let o = doctor(home.path(), &["--json", "--gpu-state-dir", &fd]);
    assert!(
        has(
            &json(&o),
            "warning",
            "incidents.jsonl",
            "not a regular file"
        ),
        "{}",
        json(&o)
    );
    // a directory where the file should be
    let o = doctor(
        home.path(),
        &[
            "--json",
            "--gpu-prime-check",
            &home.path().display().to_string(),
        ],
    );
    assert!(
        has(
            &json(&o),
            "warning",
            "",
            "cannot read the boot-time PRIME check"
        ),
        "{}",
        json(&o)
    );
}

/// Incidents recorded the way the watcher does: real kernel lines and uevents (the gpu
/// crate's recordings) through its parser and aggregator, appended to `incidents.jsonl`.
fn record(state: &Path, wall: std::time::SystemTime, kmsg: &[&str], uevents: &[&[u8]]) {
    use axios_gpu::events::{parse_kmsg_line, parse_uevent};
    let mut a = axios_gpu::incident::Aggregator::new(Duration::ZERO);
    let now = Instant::now();
    for l in kmsg {
        if let Some(ev) = parse_kmsg_line(l) {
            a.push(&ev, now, wall, None);
        }
    }
    for u in uevents {
        if let Some(ev) = parse_uevent(u) {
            a.push(&ev, now, wall, None);
        }
    }
    std::fs::create_dir_all(state).expect("state dir");
    for mut i in a.take_all() {
        i.action = "notified".into();
        axios_gpu::incident::append(state, &i).expect("append");
    }
}

fn recording(name: &str) -> Vec<u8> {
    std::fs::read(gpu_fixture("..").join("events").join(name)).expect("recording")
}

#[test]
fn gpu_recovery_incidents() {
    use std::time::SystemTime;
    let home = tempfile::tempdir().expect("home");
    let state = home.path().join("axios-gpu");
    let s = state.display().to_string();
    let args = ["--json", "--gpu-state-dir", s.as_str()];
    let day = Duration::from_secs(86_400);

    // the watcher is installed but recorded nothing: fine
    std::fs::create_dir_all(&state).expect("mkdir");
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert!(
        has(&v, "ok", "gpu incidents", "recorded no GPU incident"),
        "{v}"
    );

    // a reset a month ago is history
    let reset = String::from_utf8(recording("amdgpu-reset-vram-lost.kmsg")).expect("utf8");
    let reset: Vec<&str> = reset.lines().collect();
    record(&state, SystemTime::now() - 30 * day, &reset, &[]);
    let v = json(&doctor(home.path(), &args));
    assert!(
        has(
            &v,
            "ok",
            "gpu incidents",
            "no GPU incident in the last 7 days (1 older"
        ),
        "{v}"
    );

    // a recovered reset yesterday that lost VRAM: a warning naming the process
    record(&state, SystemTime::now() - day, &reset, &[]);
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(3), "{v}");
    assert!(
        has(
            &v,
            "warning",
            "gpu 0000:03:00.0",
            "1 reset(s), VRAM lost 1 time(s)"
        ),
        "{v}"
    );
    assert!(
        has(&v, "warning", "gpu 0000:03:00.0", "process(es): Xwayland"),
        "{v}"
    );
    assert!(
        fix_of(&v, "warning", "gpu 0000:03:00.0").contains("restart the apps"),
        "{v}"
    );

    // now the device wedged (WEDGED=rebind, card0): an error whose fix recovers card 0
    let wedged = recording("wedged-rebind.uevent");
    record(&state, SystemTime::now(), &reset[..2], &[&wedged]);
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(has(&v, "error", "gpu 0000:03:00.0", "WEDGED=rebind"), "{v}");
    assert!(
        fix_of(&v, "error", "gpu 0000:03:00.0").contains("sudo axios-gpu recover 0"),
        "{v}"
    );
    assert!(
        has(&v, "warning", "gpu 0000:03:00.0", "1 failed recovery"),
        "{v}"
    );

    // a torn last line (the watcher killed mid-write) is said, the rest still read
    std::fs::OpenOptions::new()
        .append(true)
        .open(state.join("incidents.jsonl"))
        .and_then(|mut f| f.write_all(b"{\"time\": \"20"))
        .expect("torn");
    let v = json(&doctor(home.path(), &args));
    assert!(
        has(&v, "info", "incidents.jsonl", "1 line(s) are not incidents"),
        "{v}"
    );
    assert!(has(&v, "error", "gpu 0000:03:00.0", "WEDGED=rebind"), "{v}");

    // garbage bytes, and a directory where the log should be
    std::fs::write(state.join("incidents.jsonl"), b"\xff\xfe\x00garbage\n").expect("w");
    let v = json(&doctor(home.path(), &args));
    assert!(has(&v, "info", "incidents.jsonl", "1 line(s)"), "{v}");
    std::fs::remove_file(state.join("incidents.jsonl")).expect("rm");
    std::fs::create_dir(state.join("incidents.jsonl")).expect("mkdir");
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(3), "{v}");
    assert!(
        has(
            &v,
            "warning",
            "incidents.jsonl",
            "cannot read the GPU incidents"
        ),
        "{v}"
    );
}

// ---- VR ------------------------------------------------------------------

/// A machine with WiVRn and Monado installed in a fake store, the backends file the VR
/// module installs at ROOT/etc/axios/vr.toml, and a user's HOME.
struct VrMachine {
    root: tempfile::TempDir,
    home: PathBuf,
}

impl VrMachine {
    fn new() -> Self {
        let root = tempfile::tempdir().expect("root");
        let r = root.path();
        axios_core::testing::copy_tree(&gpu_fixture("vm-no-gpu"), r);
        let man = |n: &str| {
            std::fs::read(
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../vr/tests/fixtures/manifests")
                    .join(n),
            )
            .expect("fixture")
        };
        let put = |p: PathBuf, b: &[u8]| {
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, b).expect("write");
        };
        let store = r.join("store");
        put(
            store.join("wivrn/share/openxr/1/openxr_wivrn.json"),
            &man("openxr_wivrn.json"),
        );
        put(store.join("wivrn/lib/wivrn/libopenxr_wivrn.so"), b"ELF");
        put(
            store.join("monado/share/openxr/1/openxr_monado.json"),
            &man("openxr_monado.json"),
        );
        put(store.join("monado/lib/libopenxr_monado.so"), b"ELF");
        put(
            store.join("xrizer/lib/xrizer/bin/linux64/vrclient.so"),
            b"ELF",
        );
        put(
            r.join("etc/axios/vr.toml"),
            format!(
                "version = 1\ndefault = \"wivrn\"\n\n[backends.wivrn]\nmanifest = \"{s}/wivrn/share/openxr/1/openxr_wivrn.json\"\nopenvr_runtime = \"{s}/xrizer/lib/xrizer\"\n\n[backends.monado]\nmanifest = \"{s}/monado/share/openxr/1/openxr_monado.json\"\nopenvr_runtime = \"{s}/xrizer/lib/xrizer\"\n",
                s = store.display()
            )
            .as_bytes(),
        );
        let home = r.join("home");
        std::fs::create_dir_all(&home).expect("home");
        std::fs::create_dir_all(r.join("xdg")).expect("xdg");
        VrMachine { root, home }
    }

    /// The paths `axios doctor` derives from the environment `run` gives it.
    fn paths(&self) -> axios_vr::Paths {
        axios_vr::Paths {
            home: self.home.clone(),
            config_home: self.home.join(".config"),
            config_dirs: vec![self.root.path().join("xdg")],
            data_home: self.home.join(".local/share"),
            data_dirs: vec![],
            sysconfdir: self.root.path().join("etc"),
            xr_runtime_json: None,
            state_dir: self.home.join(".local/state/axios/vr"),
            sysfs_root: self.root.path().to_path_buf(),
            arch: axios_vr::paths::arch_abi().to_string(),
        }
    }

    fn config(&self) -> axios_vr::Config {
        axios_vr::Config::load(&self.root.path().join("etc/axios/vr.toml")).expect("config")
    }

    /// `axios-vr select NAME`, through its library (no units configured: no D-Bus).
    fn select(&self, name: &str) {
        struct NoUnits;
        impl axios_vr::units::UnitControl for NoUnits {
            fn state(
                &mut self,
                u: &axios_vr::units::UnitRef,
            ) -> Result<axios_vr::units::UnitState, axios_vr::units::UnitError> {
                panic!("no unit is configured, asked for {}", u.name)
            }
            fn start(
                &mut self,
                u: &axios_vr::units::UnitRef,
            ) -> Result<(), axios_vr::units::UnitError> {
                panic!("no unit is configured, asked to start {}", u.name)
            }
            fn stop(
                &mut self,
                u: &axios_vr::units::UnitRef,
            ) -> Result<(), axios_vr::units::UnitError> {
                panic!("no unit is configured, asked to stop {}", u.name)
            }
        }
        axios_vr::select::select(&self.paths(), &self.config(), name, &mut NoUnits)
            .expect("select");
    }

    fn run(&self, env: &[(&str, &str)]) -> (Option<i32>, Value) {
        let mut c = Command::new(env!("CARGO_BIN_EXE_axios"));
        c.args(["doctor", "--json", "--root"])
            .arg(self.root.path())
            .env("HOME", &self.home)
            .env("XDG_CONFIG_DIRS", self.root.path().join("xdg"))
            .env("XDG_DATA_DIRS", self.root.path().join("none"));
        for v in [
            "SUDO_USER",
            "XDG_CONFIG_HOME",
            "XDG_DATA_HOME",
            "XDG_STATE_HOME",
            "XR_RUNTIME_JSON",
            "AXIOS_VR_CONFIG",
            "AXIOS_CADDY_ROUTES",
            "AXIOS_BISYNC_CONFIG",
            "AXIOS_GPU_PRIME_CHECK",
            "AXIOS_GPU_STATE_DIR",
        ] {
            c.env_remove(v);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().expect("run axios");
        (o.status.code(), json(&o))
    }
}

fn vr_findings(v: &Value) -> Vec<(String, String, String)> {
    findings(v)
        .into_iter()
        .filter(|(d, ..)| d == "vr")
        .map(|(_, s, sub, m)| (s, sub, m))
        .collect()
}

#[test]
fn vr_runtime_drift_and_leftovers() {
    let m = VrMachine::new();
    let p = m.paths();
    // installed, never selected: the loader finds nothing
    let (code, v) = m.run(&[]);
    assert_eq!(code, Some(3), "{v}");
    assert!(
        has(&v, "warning", "vr openxr", "finds no active runtime"),
        "{v}"
    );
    assert_eq!(
        fix_of(&v, "warning", "vr openxr"),
        "`axios-vr select wivrn`"
    );

    // a real select: clean
    m.select("wivrn");
    let (code, v) = m.run(&[]);
    assert_eq!(code, Some(0), "{v}");
    assert!(
        has(&v, "ok", "vr openxr", "loads WiVRn from")
            && has(&v, "ok", "vr openxr", "(backend `wivrn`)"),
        "{v}"
    );
    assert_eq!(vr_findings(&v).len(), 1, "{v}");

    // XR_RUNTIME_JSON overrides it
    let (_, v) = m.run(&[("XR_RUNTIME_JSON", "/nowhere/runtime.json")]);
    assert!(
        has(&v, "warning", "vr openxr", "XR_RUNTIME_JSON=/nowhere"),
        "{v}"
    );
    assert!(has(&v, "error", "vr openxr", "is broken"), "{v}");

    // drift: Monado took the active runtime by hand, Steam rewrote the vrpath
    let ar = p.user_active_runtime();
    std::fs::remove_file(&ar).expect("rm");
    std::os::unix::fs::symlink(
        m.root
            .path()
            .join("store/monado/share/openxr/1/openxr_monado.json"),
        &ar,
    )
    .expect("link");
    std::fs::write(
        p.vrpath(),
        r#"{"runtime": ["/home/x/.local/share/Steam/steamapps/common/SteamVR"], "version": 1}"#,
    )
    .expect("vrpath");
    let (code, v) = m.run(&[]);
    assert_eq!(code, Some(3), "{v}");
    assert!(has(&v, "ok", "vr openxr", "loads Monado"), "{v}");
    assert!(
        has(
            &v,
            "warning",
            "vr openxr",
            "not the selected backend `wivrn`"
        ),
        "{v}"
    );
    assert!(
        has(&v, "warning", "vr openvr", "no longer points at"),
        "{v}"
    );
    assert_eq!(
        fix_of(&v, "warning", "vr openvr"),
        "`axios-vr select wivrn` again"
    );

    // WiVRn's leftovers, and a vrpath that is not JSON
    std::fs::write(
        p.vrpath().with_file_name("openvrpaths.vrpath.wivrn-backup"),
        b"{}",
    )
    .expect("backup");
    std::fs::write(p.vrpath(), b"\xff{ nope").expect("vrpath");
    let (code, v) = m.run(&[]);
    assert_eq!(code, Some(4), "{v}");
    assert!(has(&v, "warning", "vr leftovers", "wivrn-backup"), "{v}");
    assert!(has(&v, "error", "vr openvr", "cannot be read"), "{v}");

    // the runtime's library was garbage-collected
    std::fs::remove_file(m.root.path().join("store/monado/lib/libopenxr_monado.so")).expect("rm");
    let (_, v) = m.run(&[]);
    assert!(
        has(
            &v,
            "error",
            "vr openxr",
            "names a library that does not exist"
        ),
        "{v}"
    );

    // a switch killed half-way leaves its journal
    std::fs::create_dir_all(p.state_dir.join("journal")).expect("journal");
    let (code, v) = m.run(&[]);
    assert_eq!(code, Some(4), "{v}");
    assert!(has(&v, "error", "vr switch", "killed half-way"), "{v}");
    assert!(
        fix_of(&v, "error", "vr switch").contains("axios-vr recover"),
        "{v}"
    );

    // a state.json that is not one: drift cannot be checked, said so
    std::fs::write(p.state_dir.join("state.json"), b"\x00{").expect("state");
    let (_, v) = m.run(&[]);
    assert!(
        has(&v, "warning", "vr switch", "drift cannot be checked"),
        "{v}"
    );
    assert!(
        !has(&v, "warning", "vr openvr", "no longer points at"),
        "{v}"
    );

    // root through sudo (to read the GPU watcher's state): root's runtime is nobody's
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    let (_, v) = m.run(&[("SUDO_USER", "alice")]);
    assert_eq!(
        has(&v, "info", "vr.toml", "run `axios doctor` as alice"),
        root,
        "{v}"
    );
    assert_eq!(
        has(&v, "error", "vr switch", "killed half-way"),
        !root,
        "{v}"
    );

    // no HOME: nobody's runtime to check, not a problem
    let mut c = Command::new(env!("CARGO_BIN_EXE_axios"));
    let o = c
        .args(["doctor", "--json", "--root"])
        .arg(m.root.path())
        .env_remove("HOME")
        .env_remove("AXIOS_VR_CONFIG")
        .env_remove("AXIOS_BISYNC_CONFIG")
        .output()
        .expect("run");
    let v = json(&o);
    assert!(has(&v, "info", "vr.toml", "HOME is not set"), "{v}");
}

#[test]
fn vr_config_that_does_not_parse_is_named() {
    let m = VrMachine::new();
    let cfg = m.root.path().join("etc/axios/vr.toml");
    std::fs::write(&cfg, "version = 1\nsurprise = 3\n").expect("w");
    let (code, v) = m.run(&[]);
    assert_eq!(code, Some(4), "{v}");
    let c = cfg.display().to_string();
    assert!(has(&v, "error", &c, "cannot be used"), "{v}");
    assert!(has(&v, "error", &c, "surprise"), "{v}");
    // given by AXIOS_VR_CONFIG, as for axios-vr
    let other = m.home.join("vr.toml");
    std::fs::write(&other, "version = 7\n").expect("w");
    let o = other.display().to_string();
    let (code, v) = m.run(&[("AXIOS_VR_CONFIG", &o)]);
    assert_eq!(code, Some(4), "{v}");
    assert!(has(&v, "error", &o, "cannot be used"), "{v}");
}

/// A FIFO where a domain's file should be would block doctor forever: each domain names it.
#[test]
fn fifos_instead_of_files_do_not_hang() {
    let home = tempfile::tempdir().expect("home");
    let fifo = home.path().join("fifo");
    mkfifo(&fifo);
    let ff = fifo.display().to_string();
    for (flag, domain, sev) in [
        ("--gpu-prime-check", "gpu", "warning"),
        ("--caddy-routes", "caddy", "error"),
        ("--bisync-config", "bisync", "error"),
        ("--vr-config", "vr", "error"),
        ("--ollama-preload-config", "ollama", "error"),
        ("--ollama-proxy-config", "ollama", "error"),
    ] {
        let v = json(&doctor(home.path(), &["--json", flag, &ff]));
        assert!(
            findings(&v).iter().any(|(d, s, sub, m)| d == domain
                && s == sev
                && sub == &ff
                && m.contains("is not a regular file")),
            "{flag}: {v}"
        );
    }
}

fn mkfifo(path: &Path) {
    let st = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(st.success(), "mkfifo {}", path.display());
}

// ---- Ollama --------------------------------------------------------------

/// The axios-ollama crate's fake Ollama (python3, standard library only); killed on drop.
struct FakeOllama(#[allow(dead_code)] KillOnDrop, u16);

impl FakeOllama {
    fn start(py: &Path) -> FakeOllama {
        use std::io::BufRead;
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../ollama/tests/support/fake_ollama.py");
        let mut child = Command::new(py)
            .arg(script)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start fake ollama");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("fake ollama said {line:?}"));
        FakeOllama(KillOnDrop(child), port)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.1)
    }

    /// `POST /api/generate` with keep_alive 0: Ollama unloads the model.
    fn unload(&self, model: &str) {
        let body = format!(r#"{{"model": "{model}", "keep_alive": 0}}"#);
        let mut s = TcpStream::connect(("127.0.0.1", self.1)).expect("connect");
        write!(
            s,
            "POST /api/generate HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("write");
        let mut r = String::new();
        let _ = s.read_to_string(&mut r);
        assert!(
            r.starts_with("HTTP/1.0 200") || r.starts_with("HTTP/1.1 200"),
            "{r}"
        );
    }
}

#[test]
fn ollama_models_warm_and_proxy_healthy() {
    let Some(py) = require_tool("python3") else {
        return;
    };
    let home = tempfile::tempdir().expect("home");
    let fake = FakeOllama::start(&py);
    let proxy_port = dead_port();
    let preload = home.path().join("preload.toml");
    let proxy = home.path().join("proxy.toml");
    let preload_toml = |keep_alive: &str| {
        format!(
            "version = 1\nurl = \"{}\"\nmodels = [\"qwen3:4b\", \"nomic-embed-text\", \"llama3.2:1b\", \"nosuch:1b\"]\nkeep_alive = \"{keep_alive}\"\n[retry]\nattempts = 1\n",
            fake.url()
        )
    };
    std::fs::write(&preload, preload_toml("-1")).expect("preload");
    std::fs::write(
        &proxy,
        format!(
            "version = 1\nlisten = \"127.0.0.1:{proxy_port}\"\nupstream = \"{}\"\nprefix = \"/ollama\"\n",
            fake.url()
        ),
    )
    .expect("proxy");
    let summary_file = home.path().join("preload.json");
    let (pre, pro) = (preload.display().to_string(), proxy.display().to_string());
    let sum = summary_file.display().to_string();
    let args = [
        "--json",
        "--ollama-preload-config",
        &pre,
        "--ollama-proxy-config",
        &pro,
        "--ollama-preload-summary",
        &sum,
    ];

    // Ollama up, nothing pulled, the proxy not running, the preload never ran
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(
        has(&v, "ok", "ollama", "answers at http://127.0.0.1"),
        "{v}"
    );
    for m in ["qwen3:4b", "nomic-embed-text", "llama3.2:1b", "nosuch:1b"] {
        assert!(
            has(&v, "warning", &format!("model {m}"), "not pulled"),
            "{v}"
        );
    }
    assert!(has(&v, "info", &sum, "no preload summary"), "{v}");
    let proxy_subject = format!("proxy 127.0.0.1:{proxy_port}");
    assert!(
        has(
            &v,
            "error",
            &proxy_subject,
            "does not answer /ollama/healthz"
        ),
        "{v}"
    );
    assert!(
        fix_of(&v, "error", &proxy_subject).contains("axios-ollama-proxy"),
        "{v}"
    );

    // the real proxy, and a real preload of all but llama3.2:1b (nosuch:1b is in no
    // registry), its summary where the unit puts it
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pcfg = axios_ollama::config::load_proxy(&proxy).expect("proxy config");
    let state = std::sync::Arc::new(axios_ollama::proxy::State::from_config(&pcfg).expect("state"));
    let listen = axios_ollama::proxy::Listen::parse(&pcfg.listen).expect("listen");
    let listener = rt
        .block_on(axios_ollama::proxy::Listener::bind(&listen))
        .expect("bind");
    rt.spawn(axios_ollama::proxy::run(
        listener,
        state,
        Duration::from_secs(1),
        std::future::pending(),
    ));
    let mut cfg = axios_ollama::config::load_preload(&preload).expect("preload config");
    cfg.models.retain(|m| m != "llama3.2:1b");
    let summary = rt
        .block_on(axios_ollama::preload::preload(
            &cfg,
            std::sync::Arc::new(axios_ollama::preload::Silent),
        ))
        .expect("preload");
    assert_eq!(summary.failed, ["nosuch:1b"], "{summary:?}");
    std::fs::write(
        &summary_file,
        serde_json::to_string_pretty(&summary).expect("json"),
    )
    .expect("summary");
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(3), "{v}");
    assert!(has(&v, "ok", "model qwen3:4b", "present and warm"), "{v}");
    assert!(
        has(&v, "ok", "model nomic-embed-text", "present and warm"),
        "{v}"
    );
    assert!(has(&v, "warning", "model llama3.2:1b", "not pulled"), "{v}");
    assert!(
        !has(&v, "warning", "model llama3.2:1b", "last preload"),
        "{v}"
    );
    assert!(
        has(
            &v,
            "warning",
            "model nosuch:1b",
            "not pulled; the last preload failed: "
        ),
        "{v}"
    );
    assert!(
        has(&v, "ok", &proxy_subject, "answers /ollama/healthz"),
        "{v}"
    );
    // a summary that is not one is said
    std::fs::write(&summary_file, b"\xff").expect("summary");
    let v = json(&doctor(home.path(), &args));
    assert!(has(&v, "warning", &sum, "not a preload summary"), "{v}");

    // a proxy on a Unix socket is asked there
    let sock = home.path().join("proxy.sock");
    let unix_proxy = home.path().join("proxy-unix.toml");
    std::fs::write(
        &unix_proxy,
        format!(
            "version = 1\nlisten = \"unix:{}\"\nupstream = \"{}\"\n",
            sock.display(),
            fake.url()
        ),
    )
    .expect("proxy");
    let ucfg = axios_ollama::config::load_proxy(&unix_proxy).expect("proxy config");
    let ustate =
        std::sync::Arc::new(axios_ollama::proxy::State::from_config(&ucfg).expect("state"));
    let ulisten = axios_ollama::proxy::Listen::parse(&ucfg.listen).expect("listen");
    let ulistener = rt
        .block_on(axios_ollama::proxy::Listener::bind(&ulisten))
        .expect("bind");
    let up = unix_proxy.display().to_string();
    let usubject = format!("proxy unix:{}", sock.display());
    let uargs = ["--json", "--ollama-proxy-config", up.as_str()];
    {
        // bound, not serving yet: connections wait unanswered (timeout), then it serves
        let v = json(&doctor(
            home.path(),
            &["--json", "--timeout", "0.5", "--ollama-proxy-config", &up],
        ));
        assert!(
            has(&v, "error", &usubject, "does not answer /healthz"),
            "{v}"
        );
        rt.spawn(axios_ollama::proxy::run(
            ulistener,
            ustate,
            Duration::from_secs(1),
            std::future::pending(),
        ));
        let v = json(&doctor(home.path(), &uargs));
        assert!(has(&v, "ok", &usubject, "answers /healthz"), "{v}");
    }

    // unloaded although keep_alive = -1: cold is a warning; with a finite keep_alive, normal
    fake.unload("qwen3:4b");
    let v = json(&doctor(home.path(), &args));
    assert!(
        has(&v, "warning", "model qwen3:4b", "not loaded (cold)"),
        "{v}"
    );
    std::fs::write(&preload, preload_toml("5m")).expect("preload");
    let v = json(&doctor(home.path(), &args));
    assert!(has(&v, "info", "model qwen3:4b", "keep_alive = 5m"), "{v}");

    // Ollama gone: an error; the proxy still answers its own health check
    drop(fake);
    let o = doctor(home.path(), &args);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(has(&v, "error", "ollama", "does not answer at"), "{v}");
    assert!(
        fix_of(&v, "error", "ollama").contains("systemctl start ollama"),
        "{v}"
    );
    assert!(
        has(&v, "ok", &proxy_subject, "answers /ollama/healthz"),
        "{v}"
    );
}

#[test]
fn ollama_configs_that_do_not_parse_are_named() {
    let home = tempfile::tempdir().expect("home");
    let preload = home.path().join("preload.toml");
    let proxy = home.path().join("proxy.toml");
    std::fs::write(&preload, "version = 1\nmodels = [\"bad name!\"]\n").expect("w");
    std::fs::write(&proxy, "version = 1\nlisten = \"0.0.0.0:80\"\n").expect("w");
    let (pre, pro) = (preload.display().to_string(), proxy.display().to_string());
    let o = doctor(
        home.path(),
        &[
            "--json",
            "--ollama-preload-config",
            &pre,
            "--ollama-proxy-config",
            &pro,
        ],
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(4), "{v}");
    assert!(has(&v, "error", &pre, "bad name!"), "{v}");
    assert!(has(&v, "error", &pro, "without a token_file"), "{v}");
    // an "Ollama" that never answers, or answers something else: named, within the timeout
    for (url, what) in [
        (
            format!("http://127.0.0.1:{}", silent_port()),
            "does not answer",
        ),
        (format!("http://127.0.0.1:{}", upstream()), "not JSON"),
        (
            format!("http://127.0.0.1:{}", dead_port()),
            "does not answer",
        ),
    ] {
        std::fs::write(&preload, format!("version = 1\nurl = \"{url}\"\n")).expect("w");
        let o = doctor(
            home.path(),
            &[
                "--json",
                "--timeout",
                "0.5",
                "--ollama-preload-config",
                &pre,
            ],
        );
        let v = json(&o);
        assert_eq!(o.status.code(), Some(4), "{v}");
        assert!(has(&v, "error", "ollama", what), "{url}: {v}");
    }
    // only one given: the other is simply not there
    let o = doctor(home.path(), &["--json", "--ollama-proxy-config", &pro]);
    let v = json(&o);
    assert!(
        findings(&v)
            .iter()
            .all(|(d, _, sub, _)| d != "ollama" || sub == &pro),
        "{v}"
    );
}

/// The watcher's state dir is root's (0700): a user running doctor is told to use sudo, and
/// that is not a problem of the machine (info).
#[test]
fn gpu_incidents_unreadable_as_a_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let state = dir.path().join("axios-gpu");
    std::fs::create_dir(&state).expect("mkdir");
    std::fs::write(state.join("incidents.jsonl"), "").expect("log");
    let s = state.display().to_string();
    let args = [
        "doctor",
        "--json",
        "--root",
        &fixture(),
        "--gpu-state-dir",
        &s,
        "--bisync-config",
        "/nonexistent",
    ];
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    std::fs::set_permissions(
        &state,
        std::fs::Permissions::from_mode(if root { 0o700 } else { 0o000 }),
    )
    .expect("chmod");
    let o = if root {
        // root reads everything: ask as nobody
        // (setpriv, as the gpu crate's tests: no PAM session needed)
        let Some(setpriv) = require_tool("setpriv") else {
            return;
        };
        Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_axios"))
            .args(args)
            .output()
            .expect("setpriv")
    } else {
        Command::new(env!("CARGO_BIN_EXE_axios"))
            .args(args)
            .output()
            .expect("axios")
    };
    let _ = std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700));
    let v = json(&o);
    assert!(
        has(&v, "info", "incidents.jsonl", "Permission denied"),
        "{v}"
    );
    assert!(
        fix_of(&v, "info", &format!("{s}/incidents.jsonl")).contains("sudo axios doctor"),
        "{v}"
    );
    assert_eq!(o.status.code(), Some(0), "{v}");
}

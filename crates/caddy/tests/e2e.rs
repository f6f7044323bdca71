//! Real Caddy on loopback, real upstream servers, request by request.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use axios_caddy::version::CaddyVersion;
use common::*;

struct Setup {
    _dir: tempfile::TempDir,
    routes: PathBuf,
    global: PathBuf,
    site_port: u16,
    other_port: u16,
    admin: u16,
}

impl Setup {
    /// Compose `registry` into a Caddyfile (with the global block that sets the admin
    /// address) and run real Caddy on it.
    fn start_caddyfile(&self, caddy: &Path, registry: &Path) -> Caddy {
        let text = compose(
            registry,
            &["--global", utf8(&self.global), "--bind", "127.0.0.1"],
        );
        let cfg = write(self._dir.path(), "Caddyfile", &text);
        Caddy::start(caddy, &cfg, "caddyfile", self.admin, self.site_port)
    }

    /// A registry `name` with one route, `only`, on a.test sending `path` (None: the
    /// catch-all) to the upstream on `upstream_port`.
    fn one_route(&self, name: &str, path: Option<&str>, upstream_port: u16) -> PathBuf {
        let registry = serde_json::json!({"only": {
            "domain": format!("http://a.test:{}", self.site_port),
            "path": path,
            "target": format!("127.0.0.1:{upstream_port}"),
        }});
        write(self._dir.path(), name, &registry.to_string())
    }
}

/// Upstreams and a registry exercising overlapping prefixes, stripping,
/// several domains and ports, a unix socket target and the catch-all.
fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let site_port = free_port();
    let other_port = free_port();
    let admin = free_port();
    let up = |id: &str| format!("127.0.0.1:{}", upstream_tcp(id));
    let sock = dir.path().join("immich.sock");
    upstream_unix("immich", &sock);
    let a = format!("http://a.test:{site_port}");
    let b = format!("http://B.test:{site_port}");
    let c = format!("http://c.test:{other_port}");
    let registry = serde_json::json!({
        "api_exact":  {"domain": a, "path": "/api", "target": up("api_exact")},
        "api_prefix": {"domain": a, "path": "/api*", "target": up("api_prefix"), "stripPrefix": true},
        "api_dir":    {"domain": a, "path": "/api/*", "target": format!("http://{}", up("api_dir"))},
        "ollama":     {"domain": a, "path": "/ollama/*", "target": up("ollama"), "priority": 100, "stripPrefix": true},
        "strip_star": {"domain": a, "path": "/strip*", "target": up("strip_star"), "stripPrefix": true},
        "ollama_ui":  {"domain": a, "path": "/ollama-ui/*", "target": up("ollama_ui")},
        "immich":     {"domain": a, "path": null, "target": format!("unix/{}", sock.display()), "priority": 1000,
                       "handleConfig": "header X-Served-By axios"},
        "b_api":      {"domain": b, "path": "/api/*", "target": up("b_api"), "stripPrefix": true,
                       "extraConfig": "header_up X-Upstream-Route b_api"},
        "b_all":      {"domain": b, "path": null, "target": up("b_all")},
        "c_only":     {"domain": c, "path": "/only/*", "target": up("c_only")},
    });
    let routes = write(dir.path(), "routes.json", &registry.to_string());
    let global = write(
        dir.path(),
        "global",
        &format!("{{\n\tauto_https off\n\tadmin 127.0.0.1:{admin}\n}}\n"),
    );
    Setup {
        _dir: dir,
        routes,
        global,
        site_port,
        other_port,
        admin,
    }
}

/// (port, host, path) -> (upstream id, path it saw)
#[rustfmt::skip]
fn expectations(s: &Setup, v: CaddyVersion) -> Vec<(u16, &'static str, &'static str, &'static str, &'static str)> {
    let (p, q) = (s.site_port, s.other_port);
    // 2.11 (Go 1.26) puts back the leading slash that stripping took away.
    let new = v.restores_leading_slash();
    vec![
        (p, "a.test", "/api",                  "api_exact",  "/api"),
        (p, "a.test", "/api/",                 "api_dir",    "/api/"),
        (p, "a.test", "/api/v1/users",         "api_dir",    "/api/v1/users"),
        (p, "a.test", "/API/x",                "api_dir",    "/API/x"),
        // Real Caddy 2.6.2: stripping `/api` from `/apix` leaves `x`, without a
        // leading slash, and that is what the upstream sees (check warns about it).
        (p, "a.test", "/apix",                 "api_prefix", if new { "/x" } else { "x" }),
        (p, "a.test", "/api-v2/z",             "api_prefix", if new { "/-v2/z" } else { "-v2/z" }),
        (p, "a.test", "/strip",                "strip_star", "/"),
        (p, "a.test", "/strip/",               "strip_star", "/"),
        (p, "a.test", "/strip/a/b",            "strip_star", "/a/b"),
        (p, "a.test", "/ollama/api/tags",      "ollama",     "/api/tags"),
        (p, "a.test", "/ollama/",              "ollama",     "/"),
        (p, "a.test", "/ollama",               "immich",     "/ollama"),
        (p, "a.test", "/ollama-ui/index.html", "ollama_ui",  "/ollama-ui/index.html"),
        (p, "a.test", "/ollama-uix",           "immich",     "/ollama-uix"),
        (p, "a.test", "/",                     "immich",     "/"),
        (p, "a.test", "/photos/1?size=2",      "immich",     "/photos/1?size=2"),
        (p, "b.test", "/api/v1",               "b_api",      "/v1"),
        (p, "b.test", "/api",                  "b_all",      "/api"),
        (p, "b.test", "/",                     "b_all",      "/"),
        (q, "c.test", "/only/x",               "c_only",     "/only/x"),
    ]
}

fn assert_routing(s: &Setup, v: CaddyVersion) {
    for (port, host, path, id, seen) in expectations(s, v) {
        let (status, body) = get(port, host, path);
        assert_eq!(status, 200, "{host}{path}: {body}");
        assert!(
            body.starts_with(&format!("id={id} path={seen} ")),
            "{host}:{port}{path} should reach `{id}` as {seen}, got `{body}`"
        );
        // reverse_proxy keeps the client's Host header.
        assert!(body.ends_with(&format!("host={host}")), "{body}");
    }
    // No catch-all on c.test: Caddy answers an empty 200, no upstream.
    let (status, body) = get(s.other_port, "c.test", "/elsewhere");
    assert_eq!((status, body.as_str()), (200, ""));
}

/// `explain` predicts what real Caddy does.
fn assert_explain_agrees(s: &Setup, caddy: &Path, v: CaddyVersion) {
    for (port, host, path, id, seen) in expectations(s, v) {
        let url = format!("http://{host}:{port}{path}");
        let o = run(&[
            "explain",
            utf8(&s.routes),
            &url,
            "--json",
            "--caddy",
            utf8(caddy),
        ]);
        assert!(o.status.success(), "{url}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(v["route"], id, "{url}: {v}");
        let want_path = seen.split('?').next().unwrap_or(seen);
        assert_eq!(v["upstream_path"], want_path, "{url}: {v}");
    }
    let url = format!("http://c.test:{}/elsewhere", s.other_port);
    let o = run(&["explain", utf8(&s.routes), &url, "--caddy", utf8(caddy)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn caddyfile_routes_every_request_to_the_intended_upstream() {
    let Some((caddy, v)) = caddy() else {
        return;
    };
    let s = setup();
    let mut c = s.start_caddyfile(&caddy, &s.routes);
    c.wait_for(s.other_port);
    assert_routing(&s, v);
    // handleConfig lines land inside the handle block.
    assert_contains(&raw_get(s.site_port, "a.test", "/"), "X-Served-By: axios");
    assert_explain_agrees(&s, &caddy, v);
}

#[test]
fn json_config_routes_every_request_to_the_intended_upstream() {
    let Some((caddy, v)) = caddy() else {
        return;
    };
    let s = setup();
    // JSON cannot carry Caddyfile text: drop those keys for this run.
    let mut reg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s.routes).expect("read")).expect("json");
    for r in reg.as_object_mut().expect("obj").values_mut() {
        let o = r.as_object_mut().expect("route");
        o.remove("extraConfig");
        o.remove("handleConfig");
    }
    let routes = write(s._dir.path(), "routes-plain.json", &reg.to_string());
    let base = write(
        s._dir.path(),
        "base.json",
        &serde_json::json!({"admin": {"listen": format!("127.0.0.1:{}", s.admin)}}).to_string(),
    );
    let text = compose(
        &routes,
        &[
            "--format",
            "json",
            "--base",
            utf8(&base),
            "--bind",
            "127.0.0.1",
        ],
    );
    let cfg = write(s._dir.path(), "caddy.json", &text);
    let mut c = Caddy::start(&caddy, &cfg, "json", s.admin, s.site_port);
    c.wait_for(s.other_port);
    assert_routing(&s, v);
}

#[test]
fn apply_loads_new_routes_and_a_rejected_config_leaves_the_old_one() {
    let Some((caddy, v)) = caddy() else {
        return;
    };
    let s = setup();
    // Start with a config that only knows the catch-all of a.test.
    let first = s.one_route("first.json", None, upstream_tcp("first"));
    let mut c = s.start_caddyfile(&caddy, &first);
    assert!(get(s.site_port, "a.test", "/api")
        .1
        .starts_with("id=first "));

    let admin = format!("http://127.0.0.1:{}", s.admin);
    let global = utf8(&s.global);
    // Caddyfile source through text/caddyfile (chosen without --format: the
    // registry carries extraConfig/handleConfig, which JSON cannot).
    let o = apply(
        &s.routes,
        &admin,
        &["-v", "--global", global, "--bind", "127.0.0.1"],
    );
    assert!(o.status.success(), "apply: {}\n{}", stderr(&o), c.log());
    assert_contains(&stderr(&o), "loading it as a Caddyfile");
    c.wait_for(s.other_port);
    eventually("the new routes serve", || {
        get(s.site_port, "a.test", "/api")
            .1
            .starts_with("id=api_exact ")
    });
    assert_routing(&s, v);

    // A config Caddy rejects: our checks pass (balanced braces), Caddy's adapter does not.
    let bad = write(
        s._dir.path(),
        "bad.json",
        &format!(
            r#"{{"x": {{"domain": "http://a.test:{}", "path": null, "target": "127.0.0.1:1",
                 "extraConfig": "no_such_subdirective on"}}}}"#,
            s.site_port
        ),
    );
    let o = apply(&bad, &admin, &["--format", "caddyfile", "--global", global]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    // DOMAIN-FACTS: a failed /load answers 400 and the old config stays.
    assert!(
        err.contains("Caddy rejected the config (HTTP 400)")
            && err.contains("no_such_subdirective"),
        "{err}"
    );
    assert_routing(&s, v);

    // JSON through application/json, admin address kept by apply itself.
    let plain = s.one_route("plain.json", Some("/api/*"), upstream_tcp("second"));
    let served_by_second = || {
        get(s.site_port, "a.test", "/api/x")
            .1
            .starts_with("id=second path=/api/x")
    };
    let o = apply(&plain, &admin, &["--bind", "127.0.0.1", "--format", "json"]);
    assert!(
        o.status.success(),
        "apply json: {}\n{}",
        stderr(&o),
        c.log()
    );
    eventually("the JSON config serves", served_by_second);
    // A JSON config Caddy rejects (an unknown log writer module): exit 3, Caddy's
    // error, the running config untouched.
    let bad_base = write(
        s._dir.path(),
        "bad-base.json",
        r#"{"logging": {"logs": {"default": {"writer": {"output": "no-such-writer"}}}}}"#,
    );
    let o = apply(
        &plain,
        &admin,
        &[
            "--bind",
            "127.0.0.1",
            "--format",
            "json",
            "--base",
            utf8(&bad_base),
        ],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_contains(&stderr(&o), "no-such-writer");
    assert!(served_by_second());

    // The admin API is still where it was: a second apply works (JSON by default).
    let o = apply(&plain, &admin, &["--bind", "127.0.0.1", "-v"]);
    assert!(
        !stderr(&o).contains("loading it as a Caddyfile"),
        "{}",
        stderr(&o)
    );
    assert!(o.status.success(), "second apply: {}", stderr(&o));
    // ...and, being the running config already, reloads nothing.
    assert_contains(&stderr(&o), "already runs this config");

    // Unreachable admin: exit 3 with a message naming the address.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let o = apply(&plain, &dead, &[]);
    assert_eq!(o.status.code(), Some(3));
    assert_contains(&stderr(&o), "cannot reach Caddy's admin API");
    drop(c);
}

/// `axios-caddy apply <registry> --admin <admin> <options>`.
fn apply(registry: &Path, admin: &str, options: &[&str]) -> Output {
    let mut args = vec!["apply", utf8(registry), "--admin", admin];
    args.extend_from_slice(options);
    run(&args)
}

fn raw_get(port: u16, host: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
    let mut r = String::new();
    s.read_to_string(&mut r).expect("read");
    r
}

/// Every `explain` case goes to live Caddy: the route that answers and the
/// path the upstream receives must be what `explain` said, on this version.
#[test]
fn explain_agrees_with_live_caddy_on_every_case() {
    explain_agrees_on_every_case(false);
}

/// The same through the JSON output: both formats route and escape alike.
#[test]
fn explain_agrees_with_live_caddy_on_every_case_json_config() {
    explain_agrees_on_every_case(true);
}

fn explain_agrees_on_every_case(json: bool) {
    let Some((caddy, v)) = caddy() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (port, other, admin) = (free_port(), free_port(), free_port());
    let up = |id: &str| format!("127.0.0.1:{}", upstream_tcp(id));
    let abstract_name = format!("axios-caddy-test-{}-{other}-{json}", std::process::id());
    upstream_abstract("anyhost", &abstract_name);
    let a = format!("http://a.test:{port}");
    let registry = serde_json::json!({
        "health":  {"domain": a, "path": "/health", "target": up("health")},
        "ollama":  {"domain": a, "path": "/ollama/*", "target": up("ollama"), "stripPrefix": true},
        "api":     {"domain": a, "path": "/api*", "target": up("api"), "stripPrefix": true},
        "spaced":  {"domain": a, "path": "/My Photos/*", "target": up("spaced"), "stripPrefix": true},
        "umlaut":  {"domain": a, "path": "/übersicht/*", "target": up("umlaut")},
        "fotos":   {"domain": a, "path": "/fotos-ü/*", "target": up("fotos"), "stripPrefix": true},
        "x":       {"domain": a, "path": "/x/*", "target": up("x")},
        "quoted":  {"domain": a, "path": "/say \"hi\" #1/*", "target": up("quoted"), "stripPrefix": true},
        "tick":    {"domain": a, "path": "/it's`", "target": up("tick")},
        "all":     {"domain": a, "path": null, "target": up("all")},
        "idn":     {"domain": format!("http://Bücher.test:{port}"), "path": null, "target": up("idn")},
        "v6":      {"domain": format!("http://[::1]:{port}"), "path": "/v6/*", "target": up("v6"), "stripPrefix": true},
        "anyhost": {"domain": format!(":{other}"), "path": null, "target": format!("unix/@{abstract_name}")},
        "sameport": {"domain": format!(":{port}"), "path": "/any/*", "target": up("sameport")},
    });
    let routes = write(dir.path(), "routes.json", &registry.to_string());
    let global = write(
        dir.path(),
        "global",
        &format!("{{\n\tauto_https off\n\tadmin 127.0.0.1:{admin}\n}}\n"),
    );
    let mut cases: Vec<String> = [
        "/health",
        "/health.",
        "/health%20",
        "/health..",
        "/health/.",
        "/health%2E",
        "/HEALTH",
        "/health%09",
        "/x/../health",
        "/ollama/../health",
        "/ollama%2Fapi/tags",
        "/ollama/api%2Ftags",
        "/ollama//x",
        "/ollama%2F%2Fapi",
        "/OLLAMA/Api",
        "/apix",
        "/apix%2Fy",
        "/api",
        "/api/",
        "/api/../apix",
        "/My%20Photos/a%20b",
        "/my photos/x",
        "/My Photos",
        "/übersicht/x",
        "/%C3%9Cbersicht/y",
        "/x/./y",
        "/x//y",
        "/x/%2e%2e/y",
        "/a|b",
        "/",
        "/?q=1",
    ]
    .iter()
    .map(|p| format!("http://a.test:{port}{p}"))
    .collect();
    cases.extend([
        format!("http://bücher.test:{port}/idn"),
        format!("http://[::1]:{port}/v6/x"),
        format!("http://[::1]:{port}/v6%2Fy"),
        format!("http://[::1]:{port}/"),
        format!("http://elsewhere.test:{other}/any/path"),
        format!("http://zzz.test:{port}/any/x"),
        format!("http://zzz.test:{port}/other"),
        format!("http://a.test:{port}/any/x"),
    ]);
    let mut c = if json {
        let base = write(
            dir.path(),
            "base.json",
            &serde_json::json!({"admin": {"listen": format!("127.0.0.1:{admin}")}}).to_string(),
        );
        let text = compose(
            &routes,
            &[
                "--format",
                "json",
                "--base",
                utf8(&base),
                "--bind",
                "127.0.0.1",
            ],
        );
        let cfg = write(dir.path(), "caddy.json", &text);
        Caddy::start(&caddy, &cfg, "json", admin, port)
    } else {
        let text = compose(&routes, &["--global", utf8(&global), "--bind", "127.0.0.1"]);
        let cfg = write(dir.path(), "Caddyfile", &text);
        Caddy::start(&caddy, &cfg, "caddyfile", admin, port)
    };
    c.wait_for(other);
    let mut mismatches = Vec::new();
    for url in &cases {
        let o = run(&[
            "explain",
            utf8(&routes),
            url,
            "--json",
            "--caddy",
            utf8(&caddy),
        ]);
        let ex: serde_json::Value = serde_json::from_slice(&o.stdout).expect("explain json");
        assert_eq!(ex["caddy_version"], v.to_string());
        let host = url
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .expect("authority");
        let host = match host {
            h if h.starts_with("bücher") => h.replace("bücher", "xn--bcher-kva"),
            h => h.to_string(),
        };
        let target = ex["request_path"].as_str().expect("request_path");
        let query = url
            .split_once('?')
            .map(|q| format!("?{}", q.1))
            .unwrap_or_default();
        let (sport, _) = if url.contains(&format!(":{other}/")) {
            (other, 0)
        } else {
            (port, 0)
        };
        let (_, body) = get(sport, &host, &format!("{target}{query}"));
        let (id, seen) = body
            .strip_prefix("id=")
            .and_then(|b| b.split_once(" path="))
            .map(|(id, rest)| {
                (
                    id.to_string(),
                    rest.split(" host=").next().unwrap_or("").to_string(),
                )
            })
            .unwrap_or_default();
        let seen = seen.split('?').next().unwrap_or("").to_string();
        let want = (
            ex["route"].as_str().unwrap_or("").to_string(),
            ex["upstream_path"].as_str().unwrap_or("").to_string(),
        );
        if (id.clone(), seen.clone()) != want {
            mismatches.push(format!(
                "{url}: explain says {want:?}, Caddy {v} sent it to {id:?} as {seen:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "Caddy {v}:\n{}",
        mismatches.join("\n")
    );
}

/// A load generator on loopback: `threads` clients, a new connection per
/// request, until stopped; counts answers from an upstream and failures.
struct Load {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    workers: Vec<std::thread::JoinHandle<(u64, u64, Vec<String>)>>,
}

impl Load {
    fn start(port: u16, host: &'static str, path: &'static str, threads: usize) -> Load {
        use std::io::{Read, Write};
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let workers = (0..threads)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let (mut ok, mut failed, mut samples) = (0u64, 0u64, Vec::new());
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let one = || -> Result<String, String> {
                            let mut s = std::net::TcpStream::connect(("127.0.0.1", port))
                                .map_err(|e| format!("connect: {e}"))?;
                            s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
                                .map_err(|e| e.to_string())?;
                            write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")
                                .map_err(|e| format!("send: {e}"))?;
                            let mut r = String::new();
                            s.read_to_string(&mut r).map_err(|e| format!("read: {e}"))?;
                            Ok(r)
                        };
                        match one() {
                            Ok(r)
                                if r.split_whitespace().nth(1) == Some("200")
                                    && r.contains("\r\n\r\nid=") =>
                            {
                                ok += 1
                            }
                            Ok(r) => {
                                failed += 1;
                                samples.push(r.chars().take(60).collect());
                            }
                            Err(e) => {
                                failed += 1;
                                samples.push(e);
                            }
                        }
                    }
                    (ok, failed, samples)
                })
            })
            .collect();
        Load { stop, workers }
    }

    /// Stop; (answered, failed, a few failure samples).
    fn finish(self) -> (u64, u64, Vec<String>) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut total = (0, 0, Vec::new());
        for w in self.workers {
            let (ok, failed, samples) = w.join().expect("load worker");
            total.0 += ok;
            total.1 += failed;
            total.2.extend(samples.into_iter().take(3));
        }
        total
    }
}

/// Under load: re-applying the running routes does not reload Caddy, a
/// refused apply leaves it alone (zero failed requests for both); a real
/// change reloads once (its failed requests are reported, not asserted: a
/// reload may reset connections being accepted at that moment).
#[test]
fn apply_under_load_reloads_only_for_a_change() {
    let Some((caddy, v)) = caddy() else {
        return;
    };
    let s = setup();
    let mut c = s.start_caddyfile(&caddy, &s.routes);
    c.wait_for(s.other_port);
    let admin_url = format!("http://127.0.0.1:{}", s.admin);
    let admin = axios_caddy::admin::Admin::parse(&admin_url).expect("admin address");
    let global = utf8(&s.global);
    let flags = ["--global", global, "--bind", "127.0.0.1"];
    let before = admin.config().expect("running config");

    let load = Load::start(s.site_port, "a.test", "/api/x", 4);
    // The same routes, again and again (what every NixOS activation does).
    for _ in 0..10 {
        let o = apply(&s.routes, &admin_url, &flags);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_contains(&stderr(&o), "already runs this config");
    }
    // Refused by the compositor: two catch-alls on a.test.
    let broken = write(
        s._dir.path(),
        "broken.json",
        &format!(
            r#"{{"x": {{"domain": "http://a.test:{0}", "target": "127.0.0.1:1"}}, "y": {{"domain": "http://a.test:{0}", "target": "127.0.0.1:2"}}}}"#,
            s.site_port
        ),
    );
    let o = apply(&broken, &admin_url, &flags);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Refused by Caddy's adapter.
    let rejected = write(
        s._dir.path(),
        "rejected.json",
        &format!(
            r#"{{"x": {{"domain": "http://a.test:{}", "target": "127.0.0.1:1", "extraConfig": "no_such_subdirective on"}}}}"#,
            s.site_port
        ),
    );
    let o = apply(&rejected, &admin_url, &flags);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let (ok, failed, samples) = load.finish();
    eprintln!(
        "Caddy {v}: unchanged and refused applies under load: {ok} answered, {failed} failed"
    );
    assert!(ok > 0, "the load generator got no answer");
    assert_eq!(failed, 0, "requests failed without a reload: {samples:?}");
    assert_eq!(
        admin.config().expect("config"),
        before,
        "the running config changed"
    );
    assert_routing(&s, v);

    // A real change: one more route; reloads once.
    let mut reg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s.routes).expect("read")).expect("json");
    reg["extra"] = serde_json::json!({
        "domain": format!("http://a.test:{}", s.site_port),
        "path": "/extra/*",
        "target": format!("127.0.0.1:{}", upstream_tcp("extra")),
    });
    let changed = write(s._dir.path(), "changed.json", &reg.to_string());
    let load = Load::start(s.site_port, "a.test", "/api/x", 4);
    let o = apply(&changed, &admin_url, &flags);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("already runs"), "{}", stderr(&o));
    let (ok, failed, samples) = load.finish();
    eprintln!("Caddy {v}: one real change under load: {ok} answered, {failed} failed {samples:?}");
    eventually("the new route serves", || {
        get(s.site_port, "a.test", "/extra/y")
            .1
            .starts_with("id=extra ")
    });
    assert_ne!(admin.config().expect("config"), before);
    // ...and applying it again is a no-op.
    let o = apply(&changed, &admin_url, &flags);
    assert_contains(&stderr(&o), "already runs this config");
}

/// The admin API on a unix socket (`admin unix//path`): apply talks to it too.
#[test]
fn apply_through_a_unix_socket_admin() {
    let Some((caddy, v)) = caddy() else {
        return;
    };
    let s = setup();
    let sock = s._dir.path().join("admin.sock");
    let global = write(
        s._dir.path(),
        "global-unix",
        &format!(
            "{{\n\tauto_https off\n\tadmin unix/{}\n}}\n",
            sock.display()
        ),
    );
    let flags = ["--global", utf8(&global), "--bind", "127.0.0.1"];
    let text = compose(&s.routes, &flags);
    let cfg = write(s._dir.path(), "Caddyfile-unix", &text);
    // no TCP admin port: wait for the site port (twice)
    let mut c = Caddy::start(&caddy, &cfg, "caddyfile", s.site_port, s.site_port);
    c.wait_for(s.other_port);
    let admin = format!("unix/{}", sock.display());
    let o = apply(&s.routes, &admin, &flags);
    assert!(o.status.success(), "{}\n{}", stderr(&o), c.log());
    assert_contains(&stderr(&o), "already runs this config");
    let one = s.one_route("one.json", Some("/api/*"), upstream_tcp("one"));
    let o = apply(&one, &admin, &flags);
    assert!(o.status.success(), "{}\n{}", stderr(&o), c.log());
    eventually(&format!("Caddy {v} serves the applied route"), || {
        get(s.site_port, "a.test", "/api/x")
            .1
            .starts_with("id=one ")
    });
}

/// An admin address that is not Caddy's (here: an HTTP server answering
/// text): exit 3 with a message, nothing loaded.
#[test]
fn apply_to_something_that_is_not_caddy_fails_cleanly() {
    let s = setup();
    let fake = format!("http://127.0.0.1:{}", upstream_tcp("not-caddy"));
    let plain = s.one_route("plain.json", Some("/api/*"), 1);
    let o = apply(&plain, &fake, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_contains(&stderr(&o), "sent a malformed reply: not JSON");
    let o = apply(
        &plain,
        "unix//nonexistent/admin.sock",
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_contains(
        &stderr(&o),
        "cannot reach Caddy's admin API at unix//nonexistent/admin.sock",
    );
}

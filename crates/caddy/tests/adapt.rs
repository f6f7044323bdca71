//! Real `caddy adapt`: the adapted route order equals the compositor's order,
//! for every composed test registry, in both output forms.

mod common;

use std::fmt::Write;
use std::path::Path;

use common::*;

const OVERLAP: &str = r#"{
  "api_exact":   {"domain": "http://a.test:18080", "path": "/api",   "target": "127.0.0.1:9001"},
  "api_prefix":  {"domain": "http://a.test:18080", "path": "/api*",  "target": "127.0.0.1:9002", "stripPrefix": true},
  "api_dir":     {"domain": "http://a.test:18080", "path": "/api/*", "target": "127.0.0.1:9003"},
  "ollama":      {"domain": "http://a.test:18080", "path": "/ollama/*", "target": "http://127.0.0.1:11434", "priority": 100},
  "ollama_ui":   {"domain": "http://a.test:18080", "path": "/ollama-ui/*", "target": "127.0.0.1:9004", "stripPrefix": true},
  "immich":      {"domain": "http://a.test:18080", "path": null, "target": "unix//run/immich.sock", "priority": 1000},
  "b_root":      {"domain": "http://b.test:18080", "path": "/", "target": "127.0.0.1:9005"},
  "b_all":       {"domain": "http://b.test:18080", "path": null, "target": "127.0.0.1:9006"},
  "b}{ \"odd\" #name": {"domain": "http://b.test:18080", "path": "/odd/*", "target": "127.0.0.1:9008"},
  "photos":      {"domain": "photos.tail1234.ts.net", "path": null, "target": "http://127.0.0.1:2283", "priority": 1000},
  "photos_ai":   {"domain": "photos.tail1234.ts.net", "path": "/ollama/*", "target": "http://127.0.0.1:11434", "priority": 100},
  "wild":        {"domain": "*.apps.test", "path": "/x*", "target": "https://127.0.0.1:9443"},
  "wild_only":   {"domain": "http://only.test:8081", "path": "/only/*", "target": "127.0.0.1:9007"}
}"#;

/// A larger registry: nested prefixes, exact and wildcard, mixed priorities.
fn generated() -> String {
    let mut s = String::from("{\n");
    let mut first = true;
    for d in 0..6 {
        let domain = if d % 2 == 0 {
            format!("http://d{d}.test:1808{d}")
        } else {
            format!("d{d}.example.org")
        };
        for i in 0..50 {
            let depth = i % 4;
            let mut path = String::new();
            for k in 0..=depth {
                let _ = write!(path, "/s{}", (i / 4 + k) % 5);
            }
            match i % 3 {
                0 => path.push('*'),
                1 => path.push_str("/*"),
                _ => {}
            }
            if !first {
                s.push_str(",\n");
            }
            first = false;
            let _ = write!(
                s,
                r#"  "r{d}_{i}": {{"domain": "{domain}", "path": "{path}", "target": "127.0.0.1:{}", "priority": {}, "stripPrefix": {}}}"#,
                9000 + i,
                (i * 37) % 1000,
                i % 5 == 0 && path.ends_with('*')
            );
        }
        let _ = write!(
            s,
            ",\n  \"all{d}\": {{\"domain\": \"{domain}\", \"path\": null, \"target\": \"127.0.0.1:9999\"}}"
        );
    }
    s.push_str("\n}\n");
    s
}

fn registry_unique_paths(text: &str) -> String {
    // The generator can repeat a path on one domain; keep the first of each.
    let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).expect("json");
    let mut seen = std::collections::HashSet::new();
    let kept: serde_json::Map<String, serde_json::Value> = v
        .into_iter()
        .filter(|(_, r)| {
            seen.insert((
                r["domain"].to_string(),
                r["path"].to_string().to_ascii_lowercase(),
            ))
        })
        .collect();
    serde_json::to_string_pretty(&kept).expect("json")
}

fn assert_orders(caddy: &Path, registry: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let routes = write(dir.path(), "routes.json", registry);
    let want = compositor_order(&routes);
    assert!(!want.is_empty());

    let caddyfile = compose(&routes, &[]);
    // Already in `caddy fmt` form (Caddy warns about unformatted input).
    let f = write(dir.path(), "Caddyfile", &caddyfile);
    let fmt = std::process::Command::new(caddy)
        .arg("fmt")
        .arg(&f)
        .output()
        .expect("caddy fmt");
    assert_eq!(stdout(&fmt), caddyfile, "not in caddy fmt form");
    let adapted = caddy_adapt(caddy, &caddyfile);
    assert_eq!(
        effective_order(&adapted),
        want,
        "caddy adapt changed the order of the composed Caddyfile:\n{caddyfile}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&compose(&routes, &["--format", "json"])).expect("json output");
    assert_eq!(effective_order(&json), want, "JSON order differs");
}

#[test]
fn adapted_order_matches_for_overlapping_prefixes() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    assert_orders(&caddy, OVERLAP);
}

#[test]
fn adapted_order_matches_for_generated_registry() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    assert_orders(&caddy, &registry_unique_paths(&generated()));
}

#[test]
fn adapted_order_matches_for_single_route_sites() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    assert_orders(
        &caddy,
        r#"{"a": {"domain": "a.test", "path": null, "target": "127.0.0.1:1"},
            "b": {"domain": "b.test", "path": "/only", "target": "127.0.0.1:2"},
            "c": {"domain": "http://[::1]:8082", "path": "/v6/*", "target": "[::1]:3"}}"#,
    );
}

/// What Caddy accepts and the compositor once refused: a hostless `:port`
/// site, an abstract unix socket, an internationalised name, paths with
/// spaces and non-ASCII letters; adapted in the same order in both formats.
#[test]
fn adapted_order_matches_for_hostless_idn_abstract_and_spaced_routes() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    assert_orders(
        &caddy,
        r#"{"any":    {"domain": ":8080", "path": null, "target": "unix/@app"},
            "any_sp": {"domain": ":8080", "path": "/My Photos/*", "target": "127.0.0.1:2", "stripPrefix": true},
            "named":  {"domain": "http://a.test:8080", "path": "/x/*", "target": "127.0.0.1:3"},
            "idn":    {"domain": "Bücher.example", "path": "/übersicht/*", "target": "127.0.0.1:4"},
            "idn_all":{"domain": "bücher.example", "path": null, "target": "unix/@idn"}}"#,
    );
}

/// A hostless HTTPS site turns TLS on in both formats; `http://` alone is port 80.
#[test]
fn hostless_sites_mean_the_same_in_both_formats() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let routes = write(
        dir.path(),
        "r.json",
        r#"{"tls": {"domain": "https://:8443", "target": "127.0.0.1:1"},
            "plain": {"domain": "http://", "target": "127.0.0.1:2"}}"#,
    );
    let adapted = caddy_adapt(&caddy, &compose(&routes, &[]));
    let ours: serde_json::Value =
        serde_json::from_str(&compose(&routes, &["--format", "json"])).expect("json");
    let tls_of = |v: &serde_json::Value, port: &str| -> Vec<bool> {
        v["apps"]["http"]["servers"]
            .as_object()
            .expect("servers")
            .values()
            .filter(|s| s["listen"][0].as_str().is_some_and(|l| l.ends_with(port)))
            .map(|s| s.get("tls_connection_policies").is_some())
            .collect()
    };
    assert_eq!(tls_of(&adapted, ":8443"), [true], "{adapted}");
    assert_eq!(tls_of(&ours, ":8443"), [true], "{ours}");
    assert_eq!(tls_of(&adapted, ":80"), [false], "{adapted}");
    assert_eq!(tls_of(&ours, ":80"), [false], "{ours}");
}

/// The problem this crate exists for, shown on the real Caddy: top-level
/// `handle` blocks are re-sorted by the adapter, whatever their source order.
#[test]
fn real_caddy_reorders_top_level_handle_blocks() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    let text = "http://a.test:18080 {\n\thandle /a {\n\t\trespond 1\n\t}\n\thandle /abc/* {\n\t\trespond 2\n\t}\n\thandle /api {\n\t\trespond 3\n\t}\n\thandle /api* {\n\t\trespond 4\n\t}\n}\n";
    let v = caddy_adapt(&caddy, text);
    let order = &effective_order(&v)[0].2;
    let pos = |p: &str| order.iter().position(|x| x.as_deref() == Some(p)).expect(p);
    // Longest path first on every version.
    assert!(pos("/abc/*") < pos("/a"), "{order:?}");
    let version = std::process::Command::new(&caddy)
        .arg("version")
        .output()
        .expect("caddy version");
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    if version.starts_with("v2.6.") || version.starts_with("2.6.") {
        // DOMAIN-FACTS: 2.6 counts the `*`, so `/api*` shadows `/api`.
        assert!(pos("/api*") < pos("/api"), "{version}: {order:?}");
    }
}

#[test]
fn json_and_toml_registries_compose_identically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = write(
        dir.path(),
        "r.json",
        r#"{"ollama": {"domain": "a.test", "path": "/ollama/*", "target": "127.0.0.1:11434", "priority": 100},
            "immich": {"domain": "a.test", "target": "127.0.0.1:2283", "priority": 1000}}"#,
    );
    let toml = write(
        dir.path(),
        "r.toml",
        "[ollama]\ndomain = \"a.test\"\npath = \"/ollama/*\"\ntarget = \"127.0.0.1:11434\"\npriority = 100\n\n[immich]\ndomain = \"a.test\"\ntarget = \"127.0.0.1:2283\"\npriority = 1000\n",
    );
    let a = compose(&json, &[]);
    assert_eq!(a, compose(&toml, &[]));
    // Byte-for-byte deterministic.
    assert_eq!(a, compose(&json, &[]));
    let j1 = compose(&json, &["--format", "json"]);
    assert_eq!(j1, compose(&toml, &["--format", "json"]));
}

/// `stripPrefix` removes what Caddy's own `handle_path` would remove.
#[test]
fn strip_prefix_is_what_handle_path_strips() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    for pattern in [
        "/ollama/*",
        "/api*",
        "/a/b/*",
        "/x/",
        "/exact",
        "/Mixed/Case/*",
        "/*",
    ] {
        let text = format!("http://a.test:18080 {{\n\thandle_path {pattern} {{\n\t\treverse_proxy 127.0.0.1:1\n\t}}\n}}\n");
        let adapted = caddy_adapt(&caddy, &text).to_string();
        let theirs = adapted
            .split("\"strip_path_prefix\":\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .map(str::to_string);
        let ours = axios_caddy::addr::PathPattern::parse(pattern)
            .expect("valid")
            .strip();
        // Caddy leaves `strip_path_prefix` out when there is nothing to strip.
        assert_eq!(theirs.unwrap_or_default(), ours, "{pattern}: {adapted}");
    }
}

//! The real binary on good and bad input: messages, exit codes, files left alone.

mod common;

use common::*;

fn check(dir: &std::path::Path, name: &str, text: &str) -> std::process::Output {
    let p = write(dir, name, text);
    run(&["check", utf8(&p)])
}

/// Compose into an existing file that must stay as it was.
fn compose_refuses(dir: &std::path::Path, routes: &std::path::Path, code: i32) -> String {
    let out = dir.join("Caddyfile");
    std::fs::write(&out, "OLD CONTENT\n").expect("old file");
    let o = run(&["compose", utf8(routes), "-o", utf8(&out)]);
    assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&out).expect("read"),
        "OLD CONTENT\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".axios-tmp"))
        .collect();
    assert!(leftovers.is_empty());
    stderr(&o)
}

#[test]
fn malformed_json_and_toml_exit_2_with_position_and_leave_output_alone() {
    let d = tempfile::tempdir().expect("tempdir");
    let j = write(
        d.path(),
        "r.json",
        "{\n  \"a\": {\"domain\": \"a.test\",, }\n}\n",
    );
    let err = compose_refuses(d.path(), &j, 2);
    assert!(
        err.contains("r.json:2:") && err.contains("malformed JSON"),
        "{err}"
    );
    let t = write(d.path(), "r.toml", "[a]\ndomain = \"a.test\"\ntarget = \n");
    let err = compose_refuses(d.path(), &t, 2);
    assert!(
        err.contains("r.toml:3:") && err.contains("malformed TOML"),
        "{err}"
    );
    let l = write(d.path(), "l.json", "[1, 2]");
    let err = compose_refuses(d.path(), &l, 2);
    assert_contains(&err, "must be an object of routes");
    let o = run(&["check", utf8(&d.path().join("missing.json"))]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "cannot read route registry");
}

#[test]
fn field_problems_are_all_reported_with_route_and_key() {
    let d = tempfile::tempdir().expect("tempdir");
    let text = r#"{
      "no_domain": {"target": "127.0.0.1:1"},
      "bad_types": {"domain": "a.test", "target": "127.0.0.1:1", "priority": "high", "stripPrefix": "yes", "path": 5},
      "typo":      {"domain": "a.test", "target": "127.0.0.1:1", "path": "/x/*", "strip_prefix": true},
      "bad_domain":{"domain": "not a domain", "target": "127.0.0.1:1"},
      "empty_dom": {"domain": "", "target": "127.0.0.1:1"},
      "bad_target":{"domain": "b.test", "target": "just-a-name"},
      "path_target":{"domain": "b.test", "path": "/p/*", "target": "http://127.0.0.1:1/sub"},
      "tab":       {"domain": "c.test", "path": "/a\tb/*", "target": "127.0.0.1:1"},
      "brace":     {"domain": "c.test", "path": "/a{b}", "target": "127.0.0.1:1"},
      "backslash": {"domain": "c.test", "path": "/a\\b", "target": "127.0.0.1:1"},
      "newline":   {"domain": "c.test", "path": "/a\nb", "target": "127.0.0.1:1"},
      "relative":  {"domain": "c.test", "path": "app/*", "target": "127.0.0.1:1"},
      "midstar":   {"domain": "c.test", "path": "/a/*/b", "target": "127.0.0.1:1"},
      "unbalanced":{"domain": "c.test", "path": "/u/*", "target": "127.0.0.1:1", "extraConfig": "}\nreverse_proxy evil:1 {"}
    }"#;
    let p = write(d.path(), "r.json", text);
    let o = run(&["check", utf8(&p)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    for (route, key, words) in [
        ("no_domain", "domain", "missing required key"),
        ("bad_types", "priority", "must be an integer"),
        ("bad_types", "stripPrefix", "must be a boolean"),
        (
            "bad_types",
            "path",
            "`path` must be a string, found an integer",
        ),
        ("typo", "strip_prefix", "did you mean `stripPrefix`"),
        ("bad_domain", "domain", "no spaces"),
        ("empty_dom", "domain", "domain is empty"),
        ("bad_target", "target", "needs a port"),
        ("path_target", "target", "has a path"),
        ("tab", "path", "a tab"),
        ("brace", "path", "a brace"),
        ("backslash", "path", "a backslash"),
        ("newline", "path", "line break"),
        ("relative", "path", "must start with `/`"),
        ("midstar", "path", "only supported as the last character"),
        ("unbalanced", "extraConfig", "closes a block"),
    ] {
        let line = format!("error: route `{route}`, key `{key}`: ");
        assert!(
            out.lines()
                .any(|l| l.starts_with(&line) && l.contains(words)),
            "missing `{line}...{words}` in:\n{out}"
        );
    }
    assert_contains(&out, "16 error(s)");
    let err = compose_refuses(d.path(), &p, 1);
    assert_contains(&err, "route `tab`, key `path`");
}

#[test]
fn cross_route_problems_name_every_route_involved() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = check(
        d.path(),
        "r.json",
        r#"{
          "immich":  {"domain": "photos.test", "path": null, "target": "127.0.0.1:2283", "priority": 1000},
          "nextcloud": {"domain": "https://photos.test:443", "path": null, "target": "127.0.0.1:8080"},
          "ollama":  {"domain": "photos.test", "path": "/ollama/*", "target": "127.0.0.1:11434"},
          "ollama2": {"domain": "photos.test", "path": "/Ollama/*", "target": "127.0.0.1:11435"},
          "h":  {"domain": "http://x.test:9000", "path": null, "target": "127.0.0.1:1"},
          "s":  {"domain": "https://y.test:9000", "path": null, "target": "127.0.0.1:1"},
          "everything": {"domain": "z.test", "path": "/*", "target": "127.0.0.1:1"},
          "z_all": {"domain": "z.test", "path": null, "target": "127.0.0.1:1"},
          "strip_all": {"domain": "w.test", "path": null, "target": "127.0.0.1:1", "stripPrefix": true}
        }"#,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_contains(
        &out,
        "error: routes `nextcloud`, `immich`, key `path`: 2 catch-all routes",
    );
    assert_contains(
        &out,
        "error: routes `ollama`, `ollama2`, key `path`: the same path",
    );
    assert_contains(&out, "error: routes `h`, `s`, key `domain`: port 9000");
    assert!(
        out.contains("error: routes `everything`, `z_all`, key `path`:")
            && out.contains("can never match"),
        "{out}"
    );
    assert_contains(&out, "error: route `strip_all`, key `stripPrefix`");
}

#[test]
fn warnings_do_not_fail_unless_denied_and_json_report_has_the_order() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = write(
        d.path(),
        "r.json",
        r#"{
          "ollama": {"domain": "a.test", "path": "/ollama/*", "target": "127.0.0.1:11434", "priority": 100},
          "models": {"domain": "a.test", "path": "/ollama/models/*", "target": "127.0.0.1:9000"},
          "immich": {"domain": "a.test", "path": null, "target": "127.0.0.1:2283", "priority": 1000}
        }"#,
    );
    let path = utf8(&p);
    let o = run(&["check", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o)
            .contains("warning: route `ollama`, key `priority`: priority 100 cannot take effect")
            && stdout(&o).contains("`models`"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        run(&["check", path, "--deny-warnings"]).status.code(),
        Some(1)
    );
    let o = run(&["check", path, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["ok"], true);
    assert_eq!(v["warnings"], 1);
    assert_eq!(v["diagnostics"][0]["kind"], "priority-ineffective");
    assert_eq!(v["order"][0]["site"], "a.test");
    assert_eq!(
        v["order"][0]["routes"],
        serde_json::json!(["models", "ollama", "immich"])
    );
}

#[test]
fn compose_writes_atomically_and_reads_stdin() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = write(
        d.path(),
        "r.json",
        r#"{"immich": {"domain": "a.test", "path": null, "target": "127.0.0.1:2283"}}"#,
    );
    let out = d.path().join("Caddyfile");
    let o = run(&["compose", utf8(&p), "-o", utf8(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).expect("written");
    assert_contains(&text, "a.test {\n\troute {\n");

    use std::io::Write;
    let mut child = std::process::Command::new(BIN)
        .args(["compose", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(std::fs::read(&p).expect("read").as_slice())
        .expect("write stdin");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(stdout(&o), text);
}

#[test]
fn bad_fragments_and_flags_are_usage_errors() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = write(
        d.path(),
        "r.json",
        r#"{"x": {"domain": "a.test", "path": "/x/*", "target": "127.0.0.1:1", "extraConfig": "header_up Host {upstream_hostport}"}}"#,
    );
    let path = utf8(&p);
    let g = write(d.path(), "global", "auto_https off\n");
    let o = run(&["compose", path, "--global", utf8(&g)]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "one `{ ... }` block");
    let e = write(d.path(), "extra", "b.test {\n");
    let o = run(&["compose", path, "--extra", utf8(&e)]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "unclosed");
    let o = run(&["compose", path, "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "`x` use extraConfig");
    let o = run(&["compose", path, "--bind", "localhost"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        run(&["compose", path, "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn duplicate_route_names_and_keys_are_refused_with_both_lines() {
    let d = tempfile::tempdir().expect("tempdir");
    let text = "{\n  \"immich\": {\"domain\": \"a.test\", \"target\": \"127.0.0.1:2283\"},\n  \"ollama\": {\"domain\": \"a.test\", \"path\": \"/o/*\",\n     \"target\": \"127.0.0.1:1\", \"target\": \"127.0.0.1:2\"},\n  \"immich\": {\"domain\": \"a.test\", \"target\": \"127.0.0.1:9999\"}\n}\n";
    let p = write(d.path(), "r.json", text);
    let o = run(&["check", utf8(&p)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("error: route `immich`: defined twice, on lines 2 and 5 of"),
        "{out}"
    );
    assert!(
        out.contains(
            "error: route `ollama`, key `target`: `target` is given twice, on lines 4 and 4"
        ),
        "{out}"
    );
    compose_refuses(d.path(), &p, 1);
}

#[test]
fn check_warns_when_stripping_can_leave_a_relative_path() {
    let d = tempfile::tempdir().expect("tempdir");
    let o = check(
        d.path(),
        "r.json",
        r#"{"ollama": {"domain": "a.test", "path": "/ollama/*", "target": "127.0.0.1:1", "stripPrefix": true},
            "fotos": {"domain": "a.test", "path": "/fotos-ü/*", "target": "127.0.0.1:1", "stripPrefix": true}}"#,
    );
    assert_eq!(o.status.code(), Some(0));
    // (e2e: live Caddy sends `/fotos-%C3%BC/x` upstream unstripped)
    assert_contains(
        &stdout(&o),
        "warning: route `fotos`, key `stripPrefix`: `/fotos-ü/*` holds non-ASCII characters",
    );
    // Without a version: the oldest Caddy users run (2.6.2).
    assert_contains(
        &stdout(&o),
        "warning: route `ollama`, key `stripPrefix`: `/ollama/*` with stripPrefix also matches `/ollama%2Fx`",
    );
    // From 2.11 the stripped path gets its leading slash back: no such warning then.
    let p = d.path().join("r.json");
    let o = run(&["check", utf8(&p), "--caddy-version", "2.11.7"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("%2Fx"), "{}", stdout(&o));
    let o = run(&["check", utf8(&p), "--caddy-version", "2.10.0"]);
    assert_contains(
        &stdout(&o),
        "`/ollama/*` with stripPrefix also matches `/ollama%2Fx`",
    );
    let o = run(&["check", utf8(&p), "--caddy-version", "banana"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "`banana` is not a Caddy version");
}

#[test]
fn explain_says_why() {
    let d = tempfile::tempdir().expect("tempdir");
    let p = write(
        d.path(),
        "r.toml",
        "[ollama]\ndomain = \"photos.tail1234.ts.net\"\npath = \"/ollama/*\"\ntarget = \"http://127.0.0.1:11434\"\npriority = 100\nstripPrefix = true\n\n[immich]\ndomain = \"photos.tail1234.ts.net\"\ntarget = \"http://127.0.0.1:2283\"\npriority = 1000\n",
    );
    let path = utf8(&p);
    let o = run(&[
        "explain",
        path,
        "https://photos.tail1234.ts.net/ollama/api/tags",
        "--caddy-version",
        "2.6.2",
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.contains("route `ollama`") && out.contains("(upstream path /api/tags)"),
        "{out}"
    );
    let o = run(&[
        "explain",
        path,
        "photos.tail1234.ts.net/ollama",
        "--caddy-version",
        "2.10.0",
    ]);
    let out = stdout(&o);
    assert_contains(&out, "route `immich`");
    assert_contains(&out, "does not start with `/ollama/`");
    let o = run(&[
        "explain",
        path,
        "https://other.test/",
        "--caddy-version",
        "2.11.7",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_contains(&stdout(&o), "matches none of the sites");
    assert_eq!(
        run(&["explain", path, "ftp://x/", "--caddy-version", "2.6.2"])
            .status
            .code(),
        Some(2)
    );
    // IPv6 hosts (once refused: "port `1]` is not a number"), the version from a named binary.
    let o = run(&["explain", path, "http://[::1]/", "--caddy-version", "2.6.2"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains(&stdout(&o), "no site listens on http:80");
    let o = run(&[
        "explain",
        path,
        "https://photos.tail1234.ts.net/",
        "--caddy",
        "/nonexistent/caddy",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(&stderr(&o), "cannot run `/nonexistent/caddy version`");
}

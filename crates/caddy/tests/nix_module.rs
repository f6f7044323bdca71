//! From the NixOS module to real Caddy: evaluate `nixos/services` (with the ai
//! module registering Ollama) with the real nixpkgs library, run the exact
//! build command of the Caddyfile derivation with the real `axios-caddy`, and
//! adapt the result with real Caddy.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use axios_core::testing::{nix_eval, nix_eval_with};
use common::*;

const HOST: &str = r#"{
  selfHosted = {
    enable = true;
    domain = "desk.tail1234.ts.net";
    immich.enable = true;
    caddy.globalConfig = "auto_https off";
    caddy.extraConfig = "http://status.home.arpa {\n  respond \"ok\"\n}\n";
    caddy.routes.api = { domain = "desk.tail1234.ts.net"; path = "/api"; target = "127.0.0.1:9001"; };
    caddy.routes.api_dir = { domain = "desk.tail1234.ts.net"; path = "/api/*"; target = "127.0.0.1:9002"; priority = 10; };
  };
  services.tailscale.enable = true;
  services.ai.local = { enable = true; ollamaReverseProxy.enable = true; };
}"#;

/// Evaluate `host` with `modules` (names in `axios.nixosModules`); returns the failed
/// assertions (`failed`), the Caddyfile derivation's build command (`script`) and its
/// input files (`files`: store path and text). None (the test is skipped) when Nix or
/// the nixpkgs lib is missing.
fn evaluate(modules: &[&str], host: &str) -> Option<serde_json::Value> {
    let modules: Vec<String> = modules
        .iter()
        .map(|m| format!("h.axios.nixosModules.{m}"))
        .collect();
    nix_eval_with(
        r#"{
  failed = e.failedAssertions;
  script = f.buildCommand;
  files = map (d: { path = d.outPath; text = d.text; }) [ f.env.passthru.routes f.env.passthru.global f.env.passthru.extra ];
}"#,
        &[
            (
                "e",
                &format!("h.evalNixos [ {} {host} ]", modules.join(" ")),
            ),
            ("f", "e.config.services.caddy.configFile"),
        ],
    )
}

/// Run the derivation's build command from `evaluate` with the store paths replaced by
/// files (and the real `axios-caddy` first on PATH); returns its output and where `$out`
/// would be.
fn run_build_command(v: &serde_json::Value) -> (Output, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut script = v["script"].as_str().expect("script").to_string();
    for (i, f) in v["files"].as_array().expect("files").iter().enumerate() {
        let local = write(
            dir.path(),
            &format!("input{i}"),
            f["text"].as_str().expect("text"),
        );
        script = script.replace(f["path"].as_str().expect("path"), utf8(&local));
    }
    let out = dir.path().join("Caddyfile");
    let o = axios_core::testing::run_build_command(&script, Path::new(BIN), &out, dir.path());
    (o, out, dir)
}

#[test]
fn module_build_command_composes_a_caddyfile_caddy_keeps_in_order() {
    let Some((caddy, _)) = caddy() else {
        return;
    };
    let Some(v) = evaluate(&["services", "ai"], HOST) else {
        return;
    };
    assert_eq!(v["failed"], serde_json::json!([]));

    let (o, out, _dir) = run_build_command(&v);
    assert!(
        o.status.success(),
        "build command failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    let caddyfile = std::fs::read_to_string(&out).expect("Caddyfile written");
    assert_contains(&caddyfile, "{\n\tauto_https off\n}\n");
    assert_contains(&caddyfile, "http://status.home.arpa {");

    // The route order Caddy will use, from its own adapter.
    let adapted = caddy_adapt(&caddy, &caddyfile);
    let order = effective_order(&adapted);
    let site = order
        .iter()
        .find(|(_, host, _)| host == "desk.tail1234.ts.net")
        .expect("site");
    let paths: Vec<Option<&str>> = site.2.iter().map(|p| p.as_deref()).collect();
    assert_eq!(
        paths,
        [Some("/ollama/*"), Some("/api/*"), Some("/api"), None],
        "{caddyfile}"
    );
}

/// Evaluate the services module with `host`, run the derivation's build
/// command; returns its output and where `$out` would be.
fn build(host: &str) -> Option<(Output, PathBuf, tempfile::TempDir)> {
    caddy()?;
    Some(run_build_command(&evaluate(&["services"], host)?))
}

#[test]
fn module_build_command_fails_on_a_broken_registry() {
    // Two catch-alls on one domain: Immich and a second service.
    let Some((o, out, _dir)) = build(
        r#"{ selfHosted = { enable = true; domain = "http://media.home.arpa"; immich.enable = true;
             caddy.routes.jellyfin = { domain = "http://media.home.arpa"; target = "127.0.0.1:8096"; }; }; }"#,
    ) else {
        return;
    };
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("error: routes `jellyfin`, `immich`, key `path`: 2 catch-all routes"),
        "{text}"
    );
    assert!(!out.exists(), "no Caddyfile may be written");
}

#[test]
fn module_build_command_fails_on_caddyfile_text_caddy_rejects() {
    let Some((o, _out, _dir)) = build(
        r#"{ selfHosted = { enable = true;
             caddy.routes.app = { domain = "http://app.home.arpa"; target = "127.0.0.1:8096";
               extraConfig = "no_such_subdirective on"; }; }; }"#,
    ) else {
        return;
    };
    assert!(!o.status.success());
    assert_contains(&stderr(&o), "no_such_subdirective");
}

/// The module's route options are the route schema of the program (one
/// definition: `registry::RouteSpec`).
#[test]
fn module_route_options_are_the_route_schema() {
    let Some(options) = nix_eval(
        r#"let e = h.evalNixos [ h.axios.nixosModules.services { } ];
in builtins.filter (n: n != "_module") (builtins.attrNames (e.options.selfHosted.caddy.routes.type.getSubOptions [ ]))"#,
    ) else {
        return;
    };
    let mut options: Vec<String> = serde_json::from_value(options).expect("names");
    let mut keys: Vec<String> = axios_caddy::registry::keys()
        .iter()
        .map(|k| k.to_string())
        .collect();
    options.sort();
    keys.sort();
    assert_eq!(
        options, keys,
        "nixos/services/caddy.nix route options vs registry::RouteSpec"
    );
}

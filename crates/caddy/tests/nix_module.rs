//! From the NixOS module to real Caddy: evaluate `nixos/services` (with the ai
//! module registering Ollama) with the real nixpkgs library, run the exact
//! build command of the Caddyfile derivation with the real `axios-caddy`, and
//! adapt the result with real Caddy.

mod common;

use std::path::PathBuf;
use std::process::Command;

use axios_core::testing::require_tool;
use common::*;

fn nixpkgs_lib() -> Option<PathBuf> {
    let p = std::env::var_os("NIXPKGS_LIB")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/axios/nixpkgs-lib"))
        })?;
    p.join("lib").is_dir().then_some(p)
}

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

#[test]
fn module_build_command_composes_a_caddyfile_caddy_keeps_in_order() {
    let Some(_nix) = require_tool("nix-instantiate") else {
        return;
    };
    let Some(caddy) = require_tool("caddy") else {
        return;
    };
    let Some(lib) = nixpkgs_lib() else {
        eprintln!(
            "SKIPPED: no nixpkgs lib (set NIXPKGS_LIB or clone it to ~/.cache/axios/nixpkgs-lib)"
        );
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let expr = format!(
        r#"let
  lib = import {lib}/lib;
  h = import {root}/tests/nix/lib/harness.nix {{ inherit lib; }};
  e = h.evalNixos [ h.axios.nixosModules.services h.axios.nixosModules.ai {HOST} ];
  f = e.config.services.caddy.configFile;
in {{
  failed = e.failedAssertions;
  script = f.buildCommand;
  files = map (d: {{ path = d.outPath; text = d.text; }}) [ f.env.passthru.routes f.env.passthru.global f.env.passthru.extra ];
}}"#,
        lib = lib.display(),
        root = root.display()
    );
    let o = Command::new("nix-instantiate")
        .args([
            "--eval",
            "--strict",
            "--json",
            "--readonly-mode",
            "-E",
            &expr,
        ])
        .output()
        .expect("nix-instantiate");
    assert!(o.status.success(), "evaluation failed: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["failed"], serde_json::json!([]));

    // Run the derivation's build command with the store paths replaced by files.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut script = v["script"].as_str().expect("script").to_string();
    for (i, f) in v["files"].as_array().expect("files").iter().enumerate() {
        let local = write(
            dir.path(),
            &format!("input{i}"),
            f["text"].as_str().expect("text"),
        );
        script = script.replace(
            f["path"].as_str().expect("path"),
            local.to_str().expect("utf8"),
        );
    }
    let out = dir.path().join("Caddyfile");
    let bin_dir = PathBuf::from(BIN).parent().expect("bin dir").to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("PATH", path)
        .env("out", &out)
        .env("TMPDIR", dir.path())
        .output()
        .expect("bash");
    assert!(
        o.status.success(),
        "build command failed: {}\n{}",
        stdout(&o),
        stderr(&o)
    );
    let caddyfile = std::fs::read_to_string(&out).expect("Caddyfile written");
    assert!(
        caddyfile.contains("{\n\tauto_https off\n}\n"),
        "{caddyfile}"
    );
    assert!(
        caddyfile.contains("http://status.home.arpa {"),
        "{caddyfile}"
    );

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
fn build(host: &str) -> Option<(std::process::Output, PathBuf, tempfile::TempDir)> {
    require_tool("nix-instantiate")?;
    require_tool("caddy")?;
    let Some(lib) = nixpkgs_lib() else {
        eprintln!(
            "SKIPPED: no nixpkgs lib (set NIXPKGS_LIB or clone it to ~/.cache/axios/nixpkgs-lib)"
        );
        return None;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let expr = format!(
        r#"let
  lib = import {lib}/lib;
  h = import {root}/tests/nix/lib/harness.nix {{ inherit lib; }};
  e = h.evalNixos [ h.axios.nixosModules.services {host} ];
  f = e.config.services.caddy.configFile;
in {{
  script = f.buildCommand;
  files = map (d: {{ path = d.outPath; text = d.text; }}) [ f.env.passthru.routes f.env.passthru.global f.env.passthru.extra ];
}}"#,
        lib = lib.display(),
        root = root.display()
    );
    let o = Command::new("nix-instantiate")
        .args([
            "--eval",
            "--strict",
            "--json",
            "--readonly-mode",
            "-E",
            &expr,
        ])
        .output()
        .expect("nix-instantiate");
    assert!(o.status.success(), "evaluation failed: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut script = v["script"].as_str().expect("script").to_string();
    for (i, f) in v["files"].as_array().expect("files").iter().enumerate() {
        let local = write(
            dir.path(),
            &format!("input{i}"),
            f["text"].as_str().expect("text"),
        );
        script = script.replace(
            f["path"].as_str().expect("path"),
            local.to_str().expect("utf8"),
        );
    }
    let out = dir.path().join("Caddyfile");
    let bin_dir = PathBuf::from(BIN).parent().expect("bin dir").to_path_buf();
    let o = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("out", &out)
        .env("TMPDIR", dir.path())
        .output()
        .expect("bash");
    Some((o, out, dir))
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
    assert!(
        stderr(&o).contains("no_such_subdirective"),
        "{}",
        stderr(&o)
    );
}

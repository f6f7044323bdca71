//! From nixos/ai to the real binary and systemd: evaluate the module with the real
//! nixpkgs library, check the config files it generates with the real
//! `axios-ollama check`, and measure the rendered units with
//! `systemd-analyze security --offline=true` (DESIGN's measure of hardening).

use std::path::{Path, PathBuf};
use std::process::Command;

use axios_core::testing::require_tool;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_axios-ollama");

const HOST: &str = r#"{
  selfHosted = { enable = true; domain = "desk.tail1234.ts.net"; };
  services.tailscale.enable = true;
  axios.hardware.gpuType = "amd";
  services.ai.local = {
    enable = true;
    models = [ "qwen3:8b" "nomic-embed-text" ];
    preload.settings = { concurrency = 3; retry = { attempts = 4; backoff = "3s"; }; };
    ollamaReverseProxy = {
      enable = true;
      tokenFile = "/run/agenix/ollama-token";
      adminTokenFile = "/run/agenix/ollama-admin";
      corsOrigins = [ "https://chat.example.org" ];
      settings = { max_concurrent = 64; header_timeout = "5s"; };
    };
  };
}"#;

fn evaluate() -> Option<Value> {
    axios_core::testing::nix_eval_with(
        r#"{
  failed = e.failedAssertions;
  proxy = { unit = unit e.config.systemd.services.axios-ollama-proxy; text = (etc "proxy").env.passthru.raw.text; path = (etc "proxy").outPath; };
  preload = { unit = unit e.config.systemd.services.axios-ollama-preload; text = (etc "preload").env.passthru.raw.text; path = (etc "preload").outPath; };
}"#,
        &[
            ("e", &format!("h.evalNixos [ h.axios.nixosModules.ai h.axios.nixosModules.services {HOST} ]")),
            ("unit", "u: { inherit (u) description after wantedBy serviceConfig; unitConfig = u.unitConfig or { }; }"),
            ("etc", r#"n: e.config.environment.etc."axios/ollama/${n}.toml".source"#),
        ],
    )
}

/// Write `text` and run `axios-ollama check kind` on it.
fn check(dir: &Path, kind: &str, text: &str) -> PathBuf {
    let f = dir.join(format!("{kind}.toml"));
    std::fs::write(&f, text).expect("write");
    let o = Command::new(BIN)
        .args(["check", kind])
        .arg(&f)
        .output()
        .expect("check");
    assert!(
        o.status.success(),
        "generated {kind} config rejected:\n{text}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    f
}

/// Render a NixOS unit (`description`, `after`, `wantedBy`, `serviceConfig`) as a file,
/// with the stub store paths replaced by real files.
fn render(unit: &Value, replace: &[(&str, &str)]) -> String {
    let mut text = axios_core::testing::render_nixos_unit(unit);
    for (from, to) in replace {
        text = text.replace(from, to);
    }
    text
}

#[test]
fn generated_configs_pass_the_program_and_units_are_hardened() {
    let Some(v) = evaluate() else {
        return;
    };
    assert_eq!(v["failed"], serde_json::json!([]));
    let dir = tempfile::tempdir().expect("tmp");
    let proxy_cfg = check(
        dir.path(),
        "proxy",
        v["proxy"]["text"].as_str().expect("text"),
    );
    let preload_cfg = check(
        dir.path(),
        "preload",
        v["preload"]["text"].as_str().expect("text"),
    );
    // what the program reads from them
    let proxy_text = v["proxy"]["text"].as_str().unwrap_or("");
    assert!(
        proxy_text.contains("max_concurrent = 64") && proxy_text.contains("prefix = \"/ollama\""),
        "{proxy_text}"
    );
    let preload_text = v["preload"]["text"].as_str().unwrap_or("");
    assert!(
        preload_text.contains("retry = { attempts = 4, backoff = \"3s\" }"),
        "{preload_text}"
    );

    let Some(analyze) = require_tool("systemd-analyze") else {
        return;
    };
    for (name, cfg, limit) in [("proxy", &proxy_cfg, 2.5), ("preload", &preload_cfg, 2.5)] {
        let unit = &v[name]["unit"];
        let exec = unit["serviceConfig"]["ExecStart"]
            .as_str()
            .expect("ExecStart");
        let stub_bin = exec.split(' ').next().expect("binary");
        assert!(stub_bin.ends_with("/bin/axios-ollama"), "{exec}");
        let cfg_store = v[name]["path"].as_str().expect("path");
        let text = render(
            unit,
            &[(stub_bin, BIN), (cfg_store, cfg.to_str().expect("utf8"))],
        );
        let f = dir.path().join(format!("axios-ollama-{name}.service"));
        std::fs::write(&f, &text).expect("unit");
        axios_core::testing::systemd_verify(&analyze, false, &[&f], &[], &text);
        let score = axios_core::testing::systemd_exposure(&analyze, &f);
        eprintln!("axios-ollama-{name}: exposure {score}");
        assert!(
            score <= limit,
            "{name}: exposure {score} > {limit}:\n{text}"
        );
    }
}

//! The config the home-manager module generates (home/desktop/gdrive-sync.nix, evaluated
//! with the real nixpkgs lib and home-manager) is accepted by the real binary.

use std::path::PathBuf;
use std::process::Command;

fn source(var: &str, cache: &str) -> Option<PathBuf> {
    let p = std::env::var_os(var).map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/axios").join(cache))
    })?;
    p.exists().then_some(p)
}

#[test]
fn home_module_config_is_accepted_by_the_binary() {
    let Some(nix) = axios_core::testing::require_tool("nix-instantiate") else {
        return;
    };
    let (Some(nixlib), Some(hm)) = (
        source("NIXPKGS_LIB", "nixpkgs-lib"),
        source("HOME_MANAGER_SRC", "home-manager"),
    ) else {
        eprintln!("SKIPPED: nixpkgs lib or home-manager source missing (see tests/nix/README.md)");
        return;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let expr = format!(
        r#"let
  lib = import {nixlib}/lib;
  h = import {root}/tests/nix/lib/harness.nix {{ inherit lib; homeManagerPath = {hm}; }};
  e = h.evalHome [ h.axios.homeModules.desktop {{
    services.gdrive-sync = {{
      enable = true;
      rcloneConfig = "/home/alice/.config/rclone/rclone.conf";
      pairs = {{ documents = {{ filters = "- *.tmp\n"; mountpoint = "/home"; }}; music = {{ }}; }};
    }};
  }} ];
in e.config.xdg.configFile."axios/bisync.toml".source.value"#,
        nixlib = nixlib.display(),
        root = root.display(),
        hm = hm.display()
    );
    let out = Command::new(nix)
        .args(["--eval", "--strict", "--json", "-E", &expr])
        .output()
        .expect("nix-instantiate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let toml_text =
        toml::to_string(&toml::Value::try_from(&json).expect("toml value")).expect("toml");
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("bisync.toml");
    std::fs::write(&cfg, &toml_text).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_axios-bisync"))
        .args(["--config"])
        .arg(&cfg)
        .args(["status", "--json"])
        .output()
        .expect("axios-bisync");
    assert_eq!(
        out.status.code(),
        Some(0),
        "generated config rejected:\n{toml_text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status");
    let pairs: Vec<&str> = st
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["pair"].as_str().expect("pair"))
        .collect();
    assert_eq!(pairs, vec!["documents", "music"]);
    assert_eq!(st[0]["path1"], "gdrive:Documents");
    assert_eq!(st[0]["path2"], "/home/alice/Documents");
}

//! The home-manager module (home/desktop/gdrive-sync.nix), evaluated with the real nixpkgs
//! lib and home-manager: its generated config is accepted by the real binary, and its units
//! pass `systemd-analyze verify`.

use std::path::PathBuf;
use std::process::Command;

/// `$var`, else `~/.cache/axios/<name>`, else `../shared/vendor/<name>` beside the repository
/// (where tests/nix/run finds them too).
fn source(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var).map(PathBuf::from) {
        return p.exists().then_some(p);
    }
    let cache = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/axios").join(name));
    let vendor = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vendor")
        .join(name);
    [cache, Some(vendor)]
        .into_iter()
        .flatten()
        .find(|p| p.exists())
}

/// Evaluate the home module with the gdrive-sync settings below and return `attr` (an
/// expression over the evaluation `e`) as JSON; None when Nix or its sources are missing.
fn eval_home(attr: &str) -> Option<serde_json::Value> {
    eval_home_with(
        r#"rcloneConfig = "/home/alice/.config/rclone/rclone.conf";
      pairs = { documents = { filters = "- *.tmp\n"; mountpoint = "/home"; }; music = { }; };"#,
        attr,
    )
}

/// Like [`eval_home`] with `settings` inside `services.gdrive-sync`.
fn eval_home_with(settings: &str, attr: &str) -> Option<serde_json::Value> {
    let nix = axios_core::testing::require_tool("nix-instantiate")?;
    let (Some(nixlib), Some(hm)) = (
        source("NIXPKGS_LIB", "nixpkgs-lib"),
        source("HOME_MANAGER_SRC", "home-manager"),
    ) else {
        eprintln!("SKIPPED: nixpkgs lib or home-manager source missing (see tests/nix/README.md)");
        return None;
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let expr = format!(
        r#"let
  lib = import {nixlib}/lib;
  h = import {root}/tests/nix/lib/harness.nix {{ inherit lib; homeManagerPath = {hm}; }};
  e = h.evalHome [ h.axios.homeModules.desktop {{
    services.gdrive-sync = {{
      enable = true;
      {settings}
    }};
  }} ];
in {attr}"#,
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
    Some(serde_json::from_slice(&out.stdout).expect("json"))
}

#[test]
fn home_module_config_is_accepted_by_the_binary() {
    let Some(json) = eval_home(r#"e.config.xdg.configFile."axios/bisync.toml".source.value"#)
    else {
        return;
    };
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

/// Render home-manager's INI form of a unit (`Section.Key = value | [values]`).
/// The generated service and timer pass `systemd-analyze verify` without unknown keys.
#[test]
fn home_module_units_verify_with_systemd() {
    let Some(units) = eval_home(
        r#"{ services = { inherit (e.config.systemd.user.services) gdrive-sync-documents; }; timers = { inherit (e.config.systemd.user.timers) gdrive-sync-documents; }; }"#,
    ) else {
        return;
    };
    let Some(analyze) = axios_core::testing::require_tool("systemd-analyze") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let mut service = axios_core::testing::render_unit(&units["services"]["gdrive-sync-documents"]);
    // The stub store path does not exist here: point ExecStart at the real binary.
    let exec = units["services"]["gdrive-sync-documents"]["Service"]["ExecStart"]
        .as_str()
        .expect("ExecStart")
        .to_string();
    let stub_bin = exec.split(' ').next().expect("binary").to_string();
    assert!(stub_bin.ends_with("/bin/axios-bisync"), "{exec}");
    service = service.replace(&stub_bin, env!("CARGO_BIN_EXE_axios-bisync"));
    let timer = axios_core::testing::render_unit(&units["timers"]["gdrive-sync-documents"]);
    let sp = dir.path().join("gdrive-sync-documents.service");
    let tp = dir.path().join("gdrive-sync-documents.timer");
    std::fs::write(&sp, &service).expect("service");
    std::fs::write(&tp, &timer).expect("timer");
    let shown = format!("{service}\n{timer}");
    let out = axios_core::testing::systemd_verify(&analyze, false, &[&sp, &tp], &[], &shown);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{shown}\n{err}");
    assert!(service.contains("KillMode=mixed"));
    assert!(service.contains("TimeoutStopSec=120"));

    // DESIGN's measure of hardening: `systemd-analyze security --offline=true`. Without
    // options that need user namespaces (see the module) the unit scores 6.3; light
    // sandboxing alone was 8.9.
    let score = axios_core::testing::systemd_exposure(&analyze, &sp);
    assert!(score <= 6.5, "exposure {score} > 6.5:\n{service}");
}

/// The config file's derivation runs `axios-bisync check` at build time: run that exact
/// build command with the real binary. A good config builds; a pair name or duration the
/// program rejects fails the build with the program's message (the module does not
/// restate the rule).
#[test]
fn build_time_check_runs_the_program() {
    let attr = r#"let f = e.config.xdg.configFile."axios/bisync.toml".source; in { script = f.buildCommand; input = f.unchecked.outPath; value = f.value; }"#;
    let Some(good) = eval_home(attr) else { return };
    let build = |v: &serde_json::Value| {
        let dir = tempfile::tempdir().expect("tmp");
        let input = dir.path().join("unchecked.toml");
        let text =
            toml::to_string(&toml::Value::try_from(&v["value"]).expect("toml")).expect("toml");
        std::fs::write(&input, text).expect("write");
        let script = v["script"].as_str().expect("script").replace(
            v["input"].as_str().expect("input"),
            &input.display().to_string(),
        );
        let out = dir.path().join("out.toml");
        let o = axios_core::testing::run_build_command(
            &script,
            std::path::Path::new(env!("CARGO_BIN_EXE_axios-bisync")),
            &out,
            dir.path(),
        );
        (o, out.exists(), dir)
    };
    let (o, built, _dir) = build(&good);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(built);
    for (settings, message) in [
        (
            r#"pairs."my docs".localDir = "/home/alice/x";"#,
            "pair name `my docs`",
        ),
        (
            r#"pairs.documents.notifyAfter = "2 fortnights";"#,
            "invalid duration",
        ),
        (
            r#"pairs.documents.marker = "a/b";"#,
            "marker must be a plain file name",
        ),
    ] {
        let Some(v) = eval_home_with(settings, attr) else {
            return;
        };
        let (o, built, _dir) = build(&v);
        assert!(!o.status.success(), "{settings} built");
        assert!(!built);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{settings}: {err}");
    }
}

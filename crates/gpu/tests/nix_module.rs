//! From nixos/graphics to the real program and systemd: evaluate the module with the
//! real nixpkgs library, run the watcher config's build-time check and the
//! check-prime unit's command with the real `axios-gpu`, and measure both units with
//! `systemd-analyze verify` and `systemd-analyze security --offline=true`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use axios_core::testing::require_tool;
use common::*;
use serde_json::Value;

const HOSTS: &str = r#"{
  laptop = [ h.axios.nixosModules.graphics { axios.graphics.enable = true; axios.hardware = { gpuType = "nvidia"; isLaptop = true; prime = { nvidiaBusId = "PCI:1:0:0"; intelBusId = "PCI:0:2:0"; }; }; } ];
  desktop = [ h.axios.nixosModules.graphics { axios.graphics.enable = true; axios.hardware = { gpuType = "amd"; enableGPURecovery = true; gpuRecovery = { policy = "restart-unit"; restartUnit = "display-manager.service"; maxResets = 2; window = 300; }; }; } ];
}"#;

/// The two units and the watcher config derivation, as JSON; None when Nix or the
/// nixpkgs lib is missing (tests/nix is the tier allowed to skip).
fn evaluate() -> Option<Value> {
    let v = axios_core::testing::nix_eval_with(
        r#"{
  failed = laptop.failedAssertions ++ desktop.failedAssertions;
  checkPrime = unit laptop.config.systemd.services.axios-gpu-check-prime;
  watch = unit desktop.config.systemd.services.axios-gpu-watch;
  config = { path = cfg.outPath; script = cfg.buildCommand; toml = cfg.toml.outPath; settings = cfg.settings; };
}"#,
        &[
            ("hosts", HOSTS),
            ("laptop", "h.evalNixos hosts.laptop"),
            ("desktop", "h.evalNixos hosts.desktop"),
            (
                "unit",
                "s: { inherit (s) serviceConfig description wantedBy; }",
            ),
            (
                "cfg",
                "builtins.head desktop.config.systemd.services.axios-gpu-watch.restartTriggers",
            ),
        ],
    )?;
    assert_eq!(v["failed"], serde_json::json!([]));
    Some(v)
}

/// Render a NixOS `serviceConfig` as a unit file, the store path of `axios-gpu`
/// replaced by the real binary.
fn render(name: &str, unit: &Value, dir: &std::path::Path) -> PathBuf {
    let text = axios_core::testing::render_nixos_unit(unit);
    let exec = unit["serviceConfig"]["ExecStart"]
        .as_str()
        .expect("ExecStart");
    let stub = exec.split(' ').next().expect("binary");
    assert!(stub.ends_with("/bin/axios-gpu"), "{exec}");
    let text = text.replace(stub, BIN);
    let p = dir.join(name);
    std::fs::write(&p, text).expect("unit");
    p
}

#[test]
fn units_verify_and_are_hardened_to_4_or_less() {
    let Some(v) = evaluate() else { return };
    let Some(analyze) = require_tool("systemd-analyze") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    // The watcher config is a store path here: point it at a real file.
    let cfg = dir.path().join("axios-gpu-watch.toml");
    std::fs::write(&cfg, axios_gpu::config::EXAMPLE).expect("cfg");
    let mut watch = v["watch"].clone();
    let exec = watch["serviceConfig"]["ExecStart"]
        .as_str()
        .expect("exec")
        .to_string();
    let store_cfg = exec.rsplit(' ').next().expect("config path").to_string();
    watch["serviceConfig"]["ExecStart"] =
        Value::String(exec.replace(&store_cfg, cfg.to_str().expect("utf8")));
    let units = [
        render("axios-gpu-watch.service", &watch, dir.path()),
        render(
            "axios-gpu-check-prime.service",
            &v["checkPrime"],
            dir.path(),
        ),
    ];
    for unit in &units {
        axios_core::testing::systemd_verify(
            &analyze,
            false,
            &[unit],
            &["ignoring"],
            &format!(
                "{}:\n{}",
                unit.display(),
                std::fs::read_to_string(unit).unwrap_or_default()
            ),
        );
        let score = axios_core::testing::systemd_exposure(&analyze, unit);
        eprintln!("{}: exposure {score}", unit.display());
        assert!(score <= 4.0, "{}: exposure {score} > 4.0", unit.display());
    }
}

/// The derivation that checks the watcher config, run with the real binary: the
/// module's settings pass; a wrong one fails the build.
#[test]
fn watcher_config_is_checked_by_the_program_at_build_time() {
    let Some(v) = evaluate() else { return };
    let s = &v["config"]["settings"];
    assert_eq!(s["policy"], "restart-unit");
    assert_eq!(s["max_resets"], 2);
    assert_eq!(s["window_secs"], 300);
    let run = |settings: &Value| {
        let dir = tempfile::tempdir().expect("tmp");
        let toml_text =
            toml::to_string(&toml::Value::try_from(settings).expect("toml")).expect("toml");
        let cfg = dir.path().join("in.toml");
        std::fs::write(&cfg, &toml_text).expect("w");
        let script = v["config"]["script"].as_str().expect("script").replace(
            v["config"]["toml"].as_str().expect("toml path"),
            cfg.to_str().expect("utf8"),
        );
        let out_file = dir.path().join("out.toml");
        let o = axios_core::testing::run_build_command(
            &script,
            std::path::Path::new(BIN),
            &out_file,
            dir.path(),
        );
        (o, out_file.exists(), dir)
    };
    let (o, written, _d) = run(s);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(written);
    let mut bad = s.clone();
    bad["restart_unit"] = Value::String("not a unit".into());
    let (o, written, _d) = run(&bad);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not a unit name"), "{}", stderr(&o));
    assert!(!written);
}

/// The check-prime unit's command, pointed at fixture machines: the laptop it was
/// written for passes, a machine whose dGPU moved fails naming the fix.
#[test]
fn check_prime_unit_command_on_fixtures() {
    let Some(v) = evaluate() else { return };
    let exec = v["checkPrime"]["serviceConfig"]["ExecStart"]
        .as_str()
        .expect("exec");
    assert!(
        exec.ends_with(" --report /run/axios-gpu/check-prime.json"),
        "{exec}"
    );
    assert_eq!(
        v["checkPrime"]["serviceConfig"]["RuntimeDirectory"],
        "axios-gpu"
    );
    let dir = tempfile::tempdir().expect("tmp");
    let report = dir.path().join("check-prime.json");
    let exec = exec.replace(
        "/run/axios-gpu/check-prime.json",
        report.to_str().expect("utf8"),
    );
    let args: Vec<&str> = exec.split(' ').skip(1).collect();
    let with_root = |name: &str| {
        let root = fixture(name);
        Command::new(BIN)
            .args(&args)
            .arg("--root")
            .arg(&root)
            .output()
            .expect("run")
    };
    let out = with_root("laptop-intel-nvidia");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(r["ok"], true);
    let out = with_root("desktop-apu-nvidia");
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(text.contains("use nvidiaBusId = \"PCI:10:0:0\""), "{text}");
    let r: Value = serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(
        r["ok"], false,
        "the report is written when the check fails too"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&report)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644, "axios doctor (a user) reads it");
}

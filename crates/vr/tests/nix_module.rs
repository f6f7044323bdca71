//! From the NixOS module to the real program: evaluate `nixos/gaming` with the real nixpkgs
//! library, render the backends file it generates, run the derivation's exact build
//! command (which runs `axios-vr check`) with the real binary, and check the login unit
//! with `systemd-analyze`.

use std::path::{Path, PathBuf};
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_axios-vr");

/// Evaluate the gaming module with `host` (a Nix attrset); returns `{ failed, settings,
/// script, file, unit }`.
fn evaluate(host: &str) -> Option<serde_json::Value> {
    axios_core::testing::nix_eval_with(
        r#"{
  failed = e.failedAssertions;
  inherit (f) settings;
  script = f.buildCommand;
  file = f.file.outPath;
  unit = if u == null then null else {
    Unit = { Description = u.description; After = u.after; Documentation = u.documentation; };
    Service = u.serviceConfig;
    Install = { WantedBy = u.wantedBy; };
  };
}"#,
        &[
            ("e", &format!("h.evalNixos [ h.axios.nixosModules.gaming {{ gaming.enable = true; hardware.graphics.enable = true; }} {host} ]")),
            ("f", r#"e.config.environment.etc."axios/vr.toml".source"#),
            ("u", "e.config.systemd.user.services.axios-vr-select or null"),
        ],
    )
}

/// Run the build command with the settings rendered to TOML in place of the store file.
fn build(
    v: &serde_json::Value,
    settings: &serde_json::Value,
) -> (Output, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let toml_text =
        toml::to_string(&toml::Value::try_from(settings).expect("toml value")).expect("toml");
    let local = dir.path().join("axios-vr.toml");
    std::fs::write(&local, toml_text).expect("write");
    let script = v["script"].as_str().expect("script").replace(
        v["file"].as_str().expect("file"),
        &local.display().to_string(),
    );
    let out = dir.path().join("out.toml");
    let o = axios_core::testing::run_build_command(&script, Path::new(BIN), &out, dir.path());
    (o, out, dir)
}

const BOTH_NVIDIA_MONADO_LOGIN: &str = r#"{
  axios.hardware.gpuType = "nvidia";
  services.monado.enable = true;
  services.monado.package = h.pkgs.monado;
  gaming.vr = {
    enable = true;
    wireless = { enable = true; backend = "both"; };
    selector = { defaultBackend = "wivrn"; applyAtLogin = true; };
  };
}"#;

#[test]
fn generated_backends_file_passes_the_programs_check() {
    for (host, names) in [
        (
            r#"{ axios.hardware.gpuType = "amd"; gaming.vr = { enable = true; wireless = { enable = true; backend = "wivrn"; }; }; }"#,
            "wivrn",
        ),
        (
            r#"{ axios.hardware.gpuType = "amd"; gaming.vr = { enable = true; wireless = { enable = true; backend = "alvr"; }; }; }"#,
            "alvr",
        ),
        (BOTH_NVIDIA_MONADO_LOGIN, "alvr, monado, wivrn"),
    ] {
        let Some(v) = evaluate(host) else { return };
        assert_eq!(v["failed"], serde_json::json!([]));
        let (o, out, _dir) = build(&v, &v["settings"]);
        assert!(
            o.status.success(),
            "{host}: {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(names),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(out.exists());
    }
}

#[test]
fn a_file_the_program_rejects_fails_the_build() {
    let Some(v) = evaluate(BOTH_NVIDIA_MONADO_LOGIN) else {
        return;
    };
    let mut bad = v["settings"].clone();
    bad["backends"]["wivrn"]["unit"] = serde_json::json!("wivrn");
    let (o, out, _dir) = build(&v, &bad);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("backends.wivrn.unit"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!out.exists(), "nothing installed");
}

/// The login unit verifies, and `systemd-analyze security --offline=true` measures it.
#[test]
fn login_unit_verifies_and_is_hardened() {
    let Some(v) = evaluate(BOTH_NVIDIA_MONADO_LOGIN) else {
        return;
    };
    let Some(analyze) = axios_core::testing::require_tool("systemd-analyze") else {
        return;
    };
    let exec = v["unit"]["Service"]["ExecStart"]
        .as_str()
        .expect("ExecStart")
        .to_string();
    let stub_bin = exec.split(' ').next().expect("bin").to_string();
    assert!(stub_bin.ends_with("/bin/axios-vr"), "{exec}");
    assert!(
        exec.ends_with("--config /etc/axios/vr.toml select"),
        "{exec}"
    );
    let unit = axios_core::testing::render_unit(&v["unit"]).replace(&stub_bin, BIN);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("axios-vr-select.service");
    std::fs::write(&p, &unit).expect("write");
    axios_core::testing::systemd_verify(&analyze, true, &[&p], &[], &unit);
    let score = axios_core::testing::systemd_exposure(&analyze, &p);
    eprintln!("axios-vr-select.service exposure: {score}");
    assert!(
        score <= 4.0,
        "exposure {score} > 4.0 (measured 3.4):\n{unit}"
    );
}

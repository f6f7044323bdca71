//! `select` and `restore` on a fake home, with units started and stopped over a real
//! private D-Bus by the fake systemd.

mod common;

use common::*;

#[test]
fn select_wivrn_then_alvr_then_restore() {
    let Some(fx) = Fx::with_bus(&["monado.service"]) else {
        return;
    };
    let before = fx.tree();
    let steam = fx.vrpath_json();

    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("wivrn")));
    let v = fx.vrpath_json();
    assert_eq!(
        v["runtime"][0],
        fx.store.join("xrizer/lib/xrizer").display().to_string()
    );
    for k in ["config", "log", "external_drivers", "jsonid", "version"] {
        assert_eq!(v[k], steam[k], "key {k} kept");
    }
    assert_eq!(fx.bus().active(), vec!["wivrn.service".to_string()]);
    assert_eq!(
        fx.bus().log(),
        vec!["stop monado.service", "start wivrn.service"]
    );
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr_backend"], "wivrn");
    assert_eq!(st["openxr"]["manifest"]["name"], "WiVRn");
    assert_eq!(st["selected"]["backend"], "wivrn");
    assert_eq!(st["vrpath"]["backend"], "wivrn");
    let wivrn_unit = st["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == "wivrn.service")
        .cloned()
        .expect("wivrn unit");
    assert_eq!(wivrn_unit["running"], true);
    assert_eq!(wivrn_unit["bus"], "session");

    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("alvr")));
    assert_eq!(
        fx.vrpath_json()["runtime"][0],
        fx.steamvr().display().to_string()
    );
    assert!(fx.bus().active().is_empty(), "{:?}", fx.bus().active());

    let o = fx.run(&["restore"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(
        fx.tree(),
        before,
        "restore puts every file back byte for byte"
    );
    assert_eq!(fx.bus().active(), vec!["monado.service".to_string()]);
    // consumed: a second restore has nothing to do
    let o = fx.run(&["restore"]);
    assert_exit(&o, 3, &["nothing to restore"]);
}

#[test]
fn default_backend_and_selecting_twice() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    let o = fx.run(&["select"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("alvr")));
    let once = fx.tree();
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(
        fx.tree(),
        once,
        "selecting the same backend again changes nothing"
    );
    // the original backup is taken once: restore goes back to before the FIRST select
    let o = fx.run(&["restore"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(fx.active_runtime().symlink_metadata().is_err());
}

#[test]
fn cleans_wivrn_leftovers_after_a_crash() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    let steam_bytes = std::fs::read(fx.vrpath()).expect("vrpath");
    // the state WiVRn leaves when it is killed: its runtime active, the user's in a
    // backup, a stripped read-only vrpath and Steam's in a backup (WiVRn#772, #412)
    std::fs::create_dir_all(fx.openxr_dir()).expect("mkdir");
    std::os::unix::fs::symlink(fx.manifest("wivrn"), fx.active_runtime()).expect("link");
    std::os::unix::fs::symlink(
        fx.manifest("monado"),
        fx.openxr_dir().join("active_runtime.json.wivrn-backup"),
    )
    .expect("link");
    let vr_backup = fx
        .home
        .join(".config/openvr/openvrpaths.vrpath.wivrn-backup");
    std::fs::rename(fx.vrpath(), &vr_backup).expect("mv");
    let stripped = std::fs::read_to_string(
        std::path::Path::new(FIXTURES).join("manifests/wivrn-stripped.vrpath"),
    )
    .expect("fixture")
    .replace("@STORE@", &fx.store.display().to_string());
    std::fs::write(fx.vrpath(), stripped).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(fx.vrpath(), std::fs::Permissions::from_mode(0o400)).expect("chmod");

    let st = fx.json(&["status"]);
    assert_eq!(
        st["wivrn_leftovers"].as_array().map(Vec::len),
        Some(3),
        "{st}"
    );
    assert_eq!(st["vrpath"]["read_only"], true);
    let plan = fx.json(&["select", "alvr", "--dry-run"]);
    assert_eq!(
        plan["leftovers"].as_array().map(Vec::len),
        Some(3),
        "{plan}"
    );

    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(!vr_backup.exists());
    assert!(fx
        .openxr_dir()
        .join("active_runtime.json.wivrn-backup")
        .symlink_metadata()
        .is_err());
    let mode = std::fs::metadata(fx.vrpath())
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644);
    let v = fx.vrpath_json();
    let steam: serde_json::Value = serde_json::from_slice(&steam_bytes).expect("json");
    assert_eq!(
        v["config"], steam["config"],
        "Steam's keys come back from the backup"
    );
    assert_eq!(v["log"], steam["log"]);
    assert_eq!(v["runtime"][0], fx.steamvr().display().to_string());
    assert!(fx.json(&["status"])["wivrn_leftovers"]
        .as_array()
        .expect("arr")
        .is_empty());

    // the original is what WiVRn would have put back: Monado active, Steam's vrpath
    let o = fx.run(&["restore"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("monado")));
    assert_eq!(std::fs::read(fx.vrpath()).expect("vrpath"), steam_bytes);
    assert!(!vr_backup.exists());
}

#[test]
fn dry_run_changes_nothing() {
    let Some(fx) = Fx::with_bus(&["monado.service"]) else {
        return;
    };
    let before = fx.tree();
    let o = fx.run(&["select", "wivrn", "--dry-run"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("start wivrn.service"), "{out}");
    assert!(out.contains("stop monado.service"), "{out}");
    assert!(out.contains("save the current state"), "{out}");
    assert_eq!(fx.tree(), before);
    assert!(fx.bus().log().is_empty());
    assert!(!fx.state_dir().exists());
}

#[test]
fn arch_specific_user_file_is_switched_too() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    let arch_file = fx
        .openxr_dir()
        .join(format!("active_runtime.{}.json", arch()));
    std::fs::create_dir_all(fx.openxr_dir()).expect("mkdir");
    std::os::unix::fs::symlink(fx.manifest("monado"), &arch_file).expect("link");
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(link(&arch_file), Some(fx.manifest("wivrn")));
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("wivrn")));
    assert_eq!(
        fx.json(&["status"])["openxr"]["file"],
        arch_file.display().to_string()
    );
}

#[test]
fn backends_without_units_need_no_dbus() {
    let fx = Fx::bare();
    fx.write_config(&format!(
        "version = 1\n[backends.alvr]\nmanifest = \"{}\"\nopenvr_runtime = \"{}\"\n",
        fx.manifest("alvr").display(),
        fx.steamvr().display()
    ));
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("alvr")));
}

#[test]
fn list_shows_backends_and_found_manifests() {
    let fx = Fx::bare();
    // a broken manifest next to Monado's on XDG_DATA_DIRS
    std::fs::write(fx.store.join("monado/share/openxr/1/broken.json"), "{").expect("write");
    let l = fx.json(&["list"]);
    let names: Vec<_> = l["backends"]
        .as_array()
        .expect("arr")
        .iter()
        .map(|b| b["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, ["alvr", "monado", "wivrn"]);
    let alvr = &l["backends"][0];
    assert_eq!(alvr["valid"], true);
    assert_eq!(alvr["default"], true);
    assert_eq!(alvr["runtime_name"], "SteamVR");
    assert_eq!(alvr["library_exists"], true);
    let found = l["found"].as_array().expect("found");
    let monado = found
        .iter()
        .find(|f| f["runtime_name"] == "Monado")
        .expect("monado found");
    assert_eq!(monado["valid"], true);
    let broken = found
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("broken.json"))
        })
        .expect("broken");
    assert_eq!(broken["valid"], false);
    let o = fx.run(&["list"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("INVALID"),
        "{}",
        text(&o)
    );
}

#[test]
fn no_vrpath_and_no_openxr_dir_yet() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    std::fs::remove_dir_all(fx.home.join(".config")).expect("rm");
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let v = fx.vrpath_json();
    assert_eq!(
        v["runtime"][0],
        fx.store.join("xrizer/lib/xrizer").display().to_string()
    );
    assert_eq!(v["jsonid"], "vrpathreg");
    assert_eq!(v["version"], 1);
    let o = fx.run(&["restore"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(!fx.vrpath().exists() && fx.active_runtime().symlink_metadata().is_err());
}

#[test]
fn status_reports_drift_after_select() {
    let fx = Fx::bare();
    fx.write_config(&format!(
        "version = 1\n[backends.alvr]\nmanifest = \"{}\"\nopenvr_runtime = \"{}\"\n",
        fx.manifest("alvr").display(),
        fx.steamvr().display()
    ));
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(fx.json(&["status"])["warnings"]
        .as_array()
        .expect("w")
        .is_empty());
    // Steam (or anything) points the vrpath elsewhere; WiVRn started by hand takes OpenXR
    let mut v = fx.vrpath_json();
    v["runtime"] = serde_json::json!(["/elsewhere"]);
    std::fs::write(fx.vrpath(), v.to_string()).expect("w");
    std::fs::remove_file(fx.active_runtime()).expect("rm");
    std::os::unix::fs::symlink(fx.manifest("wivrn"), fx.active_runtime()).expect("ln");
    let w = fx.json(&["status"])["warnings"].to_string();
    assert!(
        w.contains("not the selected backend `alvr`") && w.contains("no longer points at"),
        "{w}"
    );
}

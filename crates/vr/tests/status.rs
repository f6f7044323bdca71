//! `status`: the effective runtime exactly as the OpenXR loader resolves it, and the VR
//! input devices from a fixture sysfs.

mod common;

use std::os::unix::fs::symlink;

use common::*;

#[test]
fn loader_order_arch_first_dangling_skipped_etc_last() {
    let fx = Fx::bare();
    let put = |dir: &std::path::Path, file: &str, target: &std::path::Path| {
        let d = dir.join("openxr/1");
        std::fs::create_dir_all(&d).expect("mkdir");
        symlink(target, d.join(file)).expect("link");
    };
    let generic = "active_runtime.json".to_string();
    let archf = format!("active_runtime.{}.json", arch());
    // /etc: Monado (lowest)
    put(&fx.etc, &generic, &fx.manifest("monado"));
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr"]["manifest"]["name"], "Monado");
    assert_eq!(st["openxr"]["source"]["label"], "SYSCONFDIR");
    // second XDG_CONFIG_DIRS entry: generic SteamVR, arch-specific WiVRn -> arch wins
    put(&fx.xdg2, &generic, &fx.manifest("alvr"));
    put(&fx.xdg2, &archf, &fx.manifest("wivrn"));
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr"]["manifest"]["name"], "WiVRn", "{st}");
    assert_eq!(st["openxr"]["source"]["label"], "XDG_CONFIG_DIRS");
    assert_eq!(
        st["openxr"]["shadowed"].as_array().map(Vec::len),
        Some(2),
        "{st}"
    );
    // first entry: a dangling link is skipped like the loader does
    put(&fx.xdg1, &generic, &fx.root().join("gone.json"));
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr"]["manifest"]["name"], "WiVRn");
    assert_eq!(st["openxr"]["dangling"].as_array().map(Vec::len), Some(1));
    assert!(
        st["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("dangling")),
        "{st}"
    );
    // XDG_CONFIG_HOME beats all
    put(&fx.home.join(".config"), &generic, &fx.manifest("alvr"));
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr"]["manifest"]["name"], "SteamVR");
    assert_eq!(st["openxr_backend"], "alvr");
    // XDG_CONFIG_HOME moved: the file under ~/.config no longer counts
    let o = fx
        .cmd(&["status", "--json"])
        .env("XDG_CONFIG_HOME", fx.root().join("cfg"))
        .output()
        .expect("run");
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(st["openxr"]["manifest"]["name"], "WiVRn");
    // nothing anywhere
    let o = fx
        .cmd(&["status", "--json"])
        .env("XDG_CONFIG_DIRS", "")
        .env("AXIOS_VR_SYSCONFDIR", fx.root().join("none"))
        .env("XDG_CONFIG_HOME", fx.root().join("cfg"))
        .output()
        .expect("run");
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(st["openxr"].is_null(), "{st}");
}

#[test]
fn relative_library_path_resolves_against_the_real_manifest() {
    let fx = Fx::bare();
    // the active runtime is a symlink in ~/.config: the library is found next to the target
    std::fs::create_dir_all(fx.openxr_dir()).expect("mkdir");
    symlink(fx.manifest("wivrn"), fx.active_runtime()).expect("link");
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr"]["manifest"]["library_exists"], true, "{st}");
    assert_eq!(
        st["openxr"]["manifest"]["library"]["path"],
        fx.store
            .join("wivrn/lib/wivrn/libopenxr_wivrn.so")
            .display()
            .to_string()
    );
}

#[test]
fn vr_devices_from_fixture_sysfs() {
    let fx = Fx::bare();
    let o = fx
        .cmd(&["status", "--json"])
        .env("AXIOS_VR_SYSFS_ROOT", format!("{FIXTURES}/sysfs-index"))
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", text(&o));
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let got: Vec<(String, String, String)> = st["devices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| {
            (
                d["node"].as_str().unwrap_or("").to_string(),
                d["kind"].as_str().unwrap_or("").to_string(),
                d["vendor"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String, String)> = [
        ("/dev/input/event12", "headset", "Valve"),
        ("/dev/input/event13", "lighthouse", "Valve"),
        ("/dev/input/event14", "lighthouse", "Valve"),
        ("/dev/input/event15", "headset", "HTC"),
        ("/dev/input/event17", "headset", "Oculus/Meta"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(
        got, want,
        "keyboard, Steam Deck and the broken entry are not VR devices"
    );
    let o = fx
        .cmd(&["status"])
        .env("AXIOS_VR_SYSFS_ROOT", format!("{FIXTURES}/sysfs-index"))
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Valve Software Index HMD"),
        "{}",
        text(&o)
    );
}

#[test]
fn readme_example_config_parses() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let start = readme.find("```toml\n").expect("a toml block") + 8;
    let end = start + readme[start..].find("```").expect("end of block");
    let cfg = axios_vr::Config::parse(std::path::Path::new("README.md"), &readme[start..end])
        .expect("README example parses");
    assert!(cfg.backends.contains_key("wivrn") && cfg.backends.contains_key("alvr"));
}

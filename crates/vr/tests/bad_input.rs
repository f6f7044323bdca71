//! Bad input: a clear message naming what is wrong, the documented exit code, nothing
//! changed (files and units).

mod common;

use common::*;

fn assert_untouched(fx: &Fx, before: &std::collections::BTreeMap<String, String>) {
    assert_eq!(&fx.tree(), before);
    if let Some(bus) = &fx.bus {
        assert!(bus.log().is_empty(), "no unit touched: {:?}", bus.log());
    }
}

#[test]
fn unknown_backend() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    let before = fx.tree();
    let o = fx.run(&["select", "steamvr"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        stderr(&o).contains("unknown backend `steamvr` (configured backends: alvr, monado, wivrn)"),
        "{}",
        text(&o)
    );
    assert_untouched(&fx, &before);
}

#[test]
fn missing_malformed_and_incomplete_manifests() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    let m = fx.manifest("wivrn");
    let lib = fx.store.join("wivrn/lib/wivrn/libopenxr_wivrn.so");
    let good = std::fs::read(&m).expect("manifest");
    type Breaker<'a> = Box<dyn Fn() + 'a>;
    let cases: Vec<(&str, Breaker)> = vec![
        (
            "does not exist",
            Box::new(|| std::fs::remove_file(&m).expect("rm")),
        ),
        (
            "not valid JSON",
            Box::new(|| std::fs::write(&m, &good[..good.len() / 2]).expect("w")),
        ),
        (
            "file_format_version \"2.0.0\"",
            Box::new(|| {
                std::fs::write(&m, String::from_utf8_lossy(&good).replace("1.0.0", "2.0.0"))
                    .expect("w")
            }),
        ),
        (
            "missing string \"runtime.library_path\"",
            Box::new(|| {
                std::fs::write(
                    &m,
                    r#"{"file_format_version":"1.0.0","runtime":{"name":"WiVRn"}}"#,
                )
                .expect("w")
            }),
        ),
        (
            "libopenxr_wivrn.so does not exist",
            Box::new(|| {
                std::fs::write(&m, &good).expect("w");
                std::fs::remove_file(&lib).expect("rm lib");
            }),
        ),
    ];
    for (want, break_it) in cases {
        break_it();
        let before = fx.tree();
        let o = fx.run(&["select", "wivrn"]);
        assert_eq!(code(&o), 2, "{want}: {}", text(&o));
        let e = stderr(&o);
        assert!(
            e.contains(want) && e.contains("openxr_wivrn.json") && e.contains("backend `wivrn`"),
            "{want}: {e}"
        );
        assert_untouched(&fx, &before);
        // list reports it instead of failing
        let l = fx.json(&["list"]);
        let w = l["backends"]
            .as_array()
            .expect("arr")
            .iter()
            .find(|b| b["name"] == "wivrn")
            .cloned()
            .expect("wivrn");
        assert_eq!(w["valid"], false, "{want}: {w}");
    }
}

#[test]
fn malformed_config() {
    let fx = Fx::bare();
    for (text_, want) in [
        ("version = 1\n[backends.x]\nmanifest = 3\n", "vr.toml:3:"),
        ("version = 2\n", "unsupported config version 2"),
        ("[backends]\n", "missing required key `version`"),
        ("version = 1\ncolour = 1\n", "colour"),
        ("version = 1\n\u{0}\n", "vr.toml:2"),
    ] {
        fx.write_config(text_);
        for cmd in [
            &["select", "alvr"][..],
            &["status"],
            &["list"],
            &["restore"],
        ] {
            let o = fx.run(cmd);
            assert_eq!(code(&o), 2, "{cmd:?} {text_:?}: {}", text(&o));
            assert!(stderr(&o).contains(want), "{want}: {}", text(&o));
        }
    }
    let o = fx
        .cmd(&["status"])
        .env("AXIOS_VR_CONFIG", "/nonexistent/vr.toml")
        .output()
        .expect("run");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/vr.toml"), "{}", text(&o));
    let o = fx.run(&["frobnicate"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
}

#[test]
fn malformed_vrpath_is_refused_not_overwritten() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    std::fs::write(fx.vrpath(), b"{\"config\": [\"/x\"], \"runtime\": [").expect("w");
    let before = fx.tree();
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(
        stderr(&o).contains("openvrpaths.vrpath is not a JSON object"),
        "{}",
        text(&o)
    );
    assert_untouched(&fx, &before);
    let st = fx.json(&["status"]);
    assert!(
        st["vrpath"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("openvrpaths.vrpath")),
        "{st}"
    );
}

#[test]
fn missing_steamvr_for_alvr() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    std::fs::remove_dir_all(fx.home.join(".local/share/Steam")).expect("rm");
    let before = fx.tree();
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        stderr(&o).contains("steamxr_linux64.json does not exist"),
        "{}",
        text(&o)
    );
    assert_untouched(&fx, &before);
}

#[test]
fn xr_runtime_json_set_warns_and_still_switches() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    let o = fx
        .cmd(&["select", "wivrn"])
        .env("XR_RUNTIME_JSON", fx.manifest("monado"))
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        stderr(&o).contains("XR_RUNTIME_JSON") && stderr(&o).contains("overrides"),
        "{}",
        text(&o)
    );
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("wivrn")));
    let o = fx
        .cmd(&["status", "--json"])
        .env("XR_RUNTIME_JSON", fx.manifest("monado"))
        .output()
        .expect("run");
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(st["openxr"]["source"]["kind"], "env");
    assert_eq!(st["openxr"]["manifest"]["name"], "Monado");
    assert_eq!(
        st["openxr"]["shadowed"][0],
        fx.active_runtime().display().to_string()
    );
    assert!(
        st["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("XR_RUNTIME_JSON")),
        "{st}"
    );
    // empty counts as unset, as in the loader
    let o = fx
        .cmd(&["status", "--json"])
        .env("XR_RUNTIME_JSON", "")
        .output()
        .expect("run");
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(st["openxr"]["manifest"]["name"], "WiVRn");
}

#[test]
fn odd_bytes_in_files_do_not_panic() {
    let Some(fx) = Fx::with_bus(&[]) else { return };
    std::fs::create_dir_all(fx.openxr_dir()).expect("mkdir");
    std::fs::write(fx.active_runtime(), b"\xff\xfe\x00garbage").expect("w");
    let st = fx.json(&["status"]);
    assert_eq!(st["openxr"]["manifest"]["valid"], false, "{st}");
    // a directory where the active runtime should be
    std::fs::remove_file(fx.active_runtime()).expect("rm");
    std::fs::create_dir(fx.active_runtime()).expect("mkdir");
    let before = fx.tree();
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 3, "{}", text(&o));
    assert!(stderr(&o).contains("active_runtime.json"), "{}", text(&o));
    assert_untouched(&fx, &before);
}

#[test]
fn select_without_a_name_and_without_a_default() {
    let fx = Fx::bare();
    fx.write_config(&fx.default_config().replace("default = \"alvr\"\n", ""));
    let before = fx.tree();
    let o = fx.run(&["select"]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(
        stderr(&o).contains("no `default`") && stderr(&o).contains("alvr, monado, wivrn"),
        "{}",
        text(&o)
    );
    assert_eq!(fx.tree(), before);
}

#[test]
fn man_page_and_completions_come_from_the_cli_definition() {
    let fx = Fx::bare();
    let man = fx.run(&["generate", "man"]);
    assert_eq!(code(&man), 0);
    let man = String::from_utf8_lossy(&man.stdout);
    for s in [
        ".TH axios-vr 1",
        "select",
        "restore",
        "Exit codes",
        "journal",
    ] {
        assert!(man.contains(s), "{s} in man page");
    }
    for shell in ["bash", "zsh", "fish"] {
        let o = fx.run(&["generate", shell]);
        assert_eq!(code(&o), 0, "{}", text(&o));
        let c = String::from_utf8_lossy(&o.stdout);
        assert!(c.contains("select") && c.contains("dry-run"), "{shell}");
    }
    let help = fx.run(&["--help"]);
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit codes: 0 done"));
}

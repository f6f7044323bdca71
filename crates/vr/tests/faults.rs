//! Failure injection: a unit that fails (or dies, or hangs), a write that fails at each step,
//! a kill -9 after each step, a concurrent run. The assertion is always the same: the files
//! and the units are exactly as before (after the rollback, or after the next run recovers).

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

/// Every step of `select`, in order (src/select.rs).
const STEPS: &[&str] = &[
    "journal-units",
    "stop-units",
    "backup",
    "journal",
    "active-runtime",
    "vrpath",
    "clean-leftovers",
    "start-unit",
    "verify",
    "commit",
];

/// Start `axios-vr ARGS` paused after `step` (test hook); returns once it is there.
fn paused_at(fx: &Fx, args: &[&str], step: &str) -> std::process::Child {
    let paused = fx.state_dir().join("paused");
    let _ = std::fs::remove_file(&paused);
    let child = fx
        .cmd(args)
        .env("AXIOS_VR_TEST_PAUSE_AT", step)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let t = Instant::now();
    while !paused.exists() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "{step}: never reached"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

/// SIGKILL `child` and reap it.
fn kill_9(mut child: std::process::Child) {
    child.kill().expect("SIGKILL");
    let _ = child.wait();
}

/// A machine where alvr was selected and monado runs: the "previous state" to keep.
fn prepared() -> Option<Fx> {
    let fx = Fx::with_bus(&[])?;
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = fx.cmd(&["select", "monado"]).output().expect("run");
    assert_eq!(code(&o), 0, "{}", text(&o));
    Some(fx)
}

#[test]
fn unit_that_fails_to_start_rolls_everything_back() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    fx.bus().set("fail", &["wivrn.service"]);
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("wivrn.service") && e.contains("`failed`") && e.contains("rolled back"),
        "{e}"
    );
    fx.assert_untouched(&before);
    assert_eq!(
        fx.bus().log()[1..],
        [
            "stop monado.service",
            "start wivrn.service",
            "start monado.service"
        ]
    );
    assert_eq!(fx.json(&["status"])["selected"]["backend"], "monado");
    assert_eq!(fx.json(&["status"])["interrupted"], false);
}

#[test]
fn unit_that_dies_right_after_starting_rolls_back() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    fx.bus().set("die", &["wivrn.service"]);
    let o = fx.run(&["select", "wivrn"]);
    assert_exit(&o, 1, &["exited after starting"]);
    fx.assert_untouched(&before);
}

#[test]
fn unit_job_that_never_finishes_times_out_and_rolls_back() {
    let Some(fx) = prepared() else { return };
    fx.write_config(
        &fx.default_config()
            .replace("job_timeout_secs = 5", "job_timeout_secs = 1"),
    );
    let before = fx.tree();
    fx.bus().set("hang", &["wivrn.service"]);
    let o = fx.run(&["select", "wivrn"]);
    assert_exit(&o, 1, &["did not finish within 1 s"]);
    fx.assert_untouched(&before);
}

#[test]
fn a_failure_at_any_step_leaves_the_previous_state() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    for step in STEPS {
        let o = fx
            .cmd(&["select", "wivrn"])
            .env("AXIOS_VR_TEST_FAIL_AT", step)
            .output()
            .expect("run");
        assert_eq!(code(&o), 1, "{step}: {}", text(&o));
        assert!(
            stderr(&o).contains(&format!("at step `{step}`")),
            "{step}: {}",
            text(&o)
        );
        assert_eq!(fx.tree(), before, "files after a failure at {step}");
        assert_eq!(
            fx.bus().active(),
            vec!["monado.service".to_string()],
            "units after {step}"
        );
        assert!(
            !fx.state_dir().join("journal").exists(),
            "{step}: journal removed"
        );
    }
    // and the switch still works afterwards
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
}

#[test]
fn kill_9_after_each_step_then_the_next_run_recovers() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    for step in STEPS {
        kill_9(paused_at(&fx, &["select", "wivrn"], step));
        let st = fx.json(&["status"]);
        // the journal is gone once the commit rename is done
        assert_eq!(st["interrupted"], *step != "commit", "{step}: {st}");
        let o = fx.run(&["recover"]);
        assert_eq!(code(&o), 0, "{step}: {}", text(&o));
        if *step == "commit" {
            // the switch was complete: nothing to recover; go back by selecting monado
            assert!(
                String::from_utf8_lossy(&o.stdout).contains("nothing to recover"),
                "{}",
                text(&o)
            );
            assert_eq!(fx.json(&["status"])["selected"]["backend"], "wivrn");
            let o = fx.run(&["select", "monado"]);
            assert_eq!(code(&o), 0, "{}", text(&o));
        } else {
            assert!(
                String::from_utf8_lossy(&o.stdout)
                    .contains("rolled back an interrupted `select wivrn`"),
                "{step}: {}",
                text(&o)
            );
        }
        assert_eq!(fx.tree(), before, "files after a kill at {step}");
        assert_eq!(
            fx.bus().active(),
            vec!["monado.service".to_string()],
            "units after {step}"
        );
    }
}

#[test]
fn kill_9_then_restore_recovers_and_restores_the_original() {
    let Some(fx) = Fx::with_bus(&["monado.service"]) else {
        return;
    };
    let original = fx.tree();
    for step in ["stop-units", "vrpath", "start-unit"] {
        kill_9(paused_at(&fx, &["select", "wivrn"], step));
        let o = fx.run(&["restore"]);
        assert_eq!(code(&o), 0, "{step}: {}", text(&o));
        assert_eq!(fx.tree(), original, "{step}");
        assert_eq!(
            fx.bus().active(),
            vec!["monado.service".to_string()],
            "{step}"
        );
    }
}

#[test]
fn a_second_run_during_a_switch_is_refused() {
    let Some(fx) = prepared() else { return };
    let child = paused_at(&fx, &["select", "wivrn"], "active-runtime");
    let o = fx.run(&["select", "alvr"]);
    assert_exit(&o, 3, &["another axios-vr"]);
    kill_9(child);
    let o = fx.run(&["select", "alvr"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("rolled back an interrupted `select wivrn`"),
        "{}",
        text(&o)
    );
    assert_eq!(link(&fx.active_runtime()), Some(fx.manifest("alvr")));
    assert!(fx.bus().active().is_empty());
}

#[test]
fn dbus_unavailable_changes_nothing() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    let o = fx
        .cmd(&["select", "wivrn"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    assert_eq!(code(&o), 3, "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("D-Bus unavailable")
            && e.contains("session")
            && e.contains("DBUS_SESSION_BUS_ADDRESS"),
        "{e}"
    );
    fx.assert_untouched(&before);
    // status still reports what it can
    let o = fx
        .cmd(&["status", "--json"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("run");
    assert_eq!(code(&o), 0, "{}", text(&o));
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let wivrn = st["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == "wivrn.service")
        .cloned()
        .expect("wivrn");
    assert!(
        wivrn["error"]
            .as_str()
            .is_some_and(|e| e.contains("session")),
        "{wivrn}"
    );
    assert_eq!(st["openxr_backend"], "monado");
}

#[test]
fn files_owned_by_someone_else_are_refused() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    std::os::unix::fs::lchown(fx.vrpath(), Some(4242), Some(4242)).expect("chown");
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 3, "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("openvrpaths.vrpath") && e.contains("uid 4242"),
        "{e}"
    );
    fx.assert_untouched(&before);
}

/// A read-only directory, as an unprivileged user (root ignores permissions).
#[test]
fn read_only_directory_is_refused() {
    let Some(setpriv) = axios_core::testing::require_tool("setpriv") else {
        return;
    };
    let fx = Fx::bare();
    fx.write_config(&format!(
        "version = 1\n[backends.alvr]\nmanifest = \"{}\"\nopenvr_runtime = \"{}\"\n",
        fx.manifest("alvr").display(),
        fx.steamvr().display()
    ));
    let status = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(&fx.home)
        .status()
        .expect("chown");
    assert!(status.success());
    use std::os::unix::fs::PermissionsExt;
    let openvr = fx.home.join(".config/openvr");
    std::fs::set_permissions(&openvr, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    std::fs::set_permissions(&fx.cfg, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let before = fx.tree();
    let o = std::process::Command::new(setpriv)
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            BIN,
            "select",
            "alvr",
        ])
        .env_clear()
        .envs(&fx.env)
        .output()
        .expect("run");
    assert_exit(&o, 3, &["cannot write in", ".config/openvr"]);
    assert_eq!(fx.tree(), before);
    assert!(fx.active_runtime().symlink_metadata().is_err());
}

#[test]
fn when_the_rollback_fails_too_the_journal_stays_and_recover_finishes() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    // wivrn fails to start, and monado cannot be started again during the rollback
    fx.bus().set("fail", &["wivrn.service", "monado.service"]);
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 4, "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("the rollback ALSO failed")
            && e.contains("monado.service")
            && e.contains("journal"),
        "{e}"
    );
    assert_eq!(fx.tree(), before, "the files were rolled back all the same");
    assert!(fx.state_dir().join("journal").exists());
    assert_eq!(fx.json(&["status"])["interrupted"], true);
    // once monado can start again, recover finishes the job
    fx.bus().set("fail", &[]);
    let o = fx.run(&["recover"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    fx.assert_untouched(&before);
    assert!(!fx.state_dir().join("journal").exists());
}

#[test]
fn corrupt_journal_is_reported_not_applied() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    let j = fx.state_dir().join("journal");
    std::fs::create_dir_all(&j).expect("mkdir");
    std::fs::write(j.join("snapshot.json"), b"{\"version\": 1, \"entries\": [").expect("w");
    let o = fx.run(&["select", "wivrn"]);
    assert_exit(&o, 1, &["journal/snapshot.json", "move it away"]);
    fx.assert_untouched(&before);
}

/// Found by fuzzing (as root, it deleted /etc/passwd): a tampered journal naming a file
/// outside the ones axios-vr manages must be refused, never applied.
#[test]
fn tampered_journal_cannot_touch_other_files() {
    let Some(fx) = prepared() else { return };
    let victim = fx.root().join("victim.txt");
    std::fs::write(&victim, b"precious").expect("w");
    let secret = fx.root().join("secret.txt");
    std::fs::write(&secret, b"secret").expect("w");
    let before = fx.tree();
    let j = fx.state_dir().join("journal");
    for index in [
        serde_json::json!({"version": 1, "action": "x", "running": [],
            "entries": [{"path": victim, "slot": {"kind": "absent"}}]}),
        serde_json::json!({"version": 1, "action": "x", "running": [],
            "entries": [{"path": fx.vrpath(), "slot": {"kind": "file", "file": format!("../../../../{}", secret.display()), "mode": 420}}]}),
    ] {
        std::fs::create_dir_all(j.join("data")).expect("mkdir");
        std::fs::write(j.join("snapshot.json"), index.to_string()).expect("w");
        for cmd in [&["select", "wivrn"][..], &["restore"], &["recover"]] {
            let o = fx.run(cmd);
            assert_eq!(code(&o), 1, "{cmd:?}: {}", text(&o));
            assert!(stderr(&o).contains("journal/snapshot.json"), "{}", text(&o));
            assert_eq!(std::fs::read(&victim).expect("victim kept"), b"precious");
            assert_eq!(fx.tree(), before, "{cmd:?}");
        }
        std::fs::remove_dir_all(&j).expect("rm");
    }
}

#[test]
fn a_home_owned_by_someone_else_is_refused() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    std::os::unix::fs::chown(&fx.home, Some(4242), Some(4242)).expect("chown");
    for cmd in [&["select", "wivrn"][..], &["restore"]] {
        let o = fx.run(cmd);
        assert_exit(&o, 3, &["belongs to uid 4242", "not with sudo"]);
    }
    fx.assert_untouched(&before);
}

#[test]
fn a_unit_that_is_not_installed_rolls_back() {
    let Some(fx) = prepared() else { return };
    let before = fx.tree();
    fx.bus().set("missing", &["wivrn.service"]);
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let e = stderr(&o);
    assert!(
        e.contains("refused start of wivrn.service") && e.contains("not found"),
        "{e}"
    );
    fx.assert_untouched(&before);
    let st = fx.json(&["status"]);
    let w = st["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["unit"] == "wivrn.service")
        .cloned()
        .expect("wivrn");
    assert_eq!(w["state"]["load"], "not-found", "{w}");
}

#[test]
fn kill_9_or_failure_during_restore_never_loses_the_original() {
    let Some(fx) = Fx::with_bus(&["monado.service"]) else {
        return;
    };
    let original = fx.tree();
    let o = fx.run(&["select", "wivrn"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let selected = fx.tree();
    for step in ["restore", "start-units", "commit"] {
        // a failure rolls back to the selected state and keeps the original
        let o = fx
            .cmd(&["restore"])
            .env("AXIOS_VR_TEST_FAIL_AT", step)
            .output()
            .expect("run");
        assert_eq!(code(&o), 1, "{step}: {}", text(&o));
        assert_eq!(fx.tree(), selected, "{step}");
        assert_eq!(
            fx.bus().active(),
            vec!["wivrn.service".to_string()],
            "{step}"
        );
        assert!(fx.state_dir().join("original").exists(), "{step}");
    }
    for step in ["journal-units", "restore", "start-units", "commit"] {
        kill_9(paused_at(&fx, &["restore"], step));
        // whatever was interrupted, a restore afterwards ends in the original state
        let o = fx.run(&["restore"]);
        assert_eq!(code(&o), 0, "{step}: {}", text(&o));
        assert_eq!(fx.tree(), original, "{step}");
        assert_eq!(
            fx.bus().active(),
            vec!["monado.service".to_string()],
            "{step}"
        );
        let o = fx.run(&["select", "wivrn"]);
        assert_eq!(code(&o), 0, "{step}: {}", text(&o));
    }
}

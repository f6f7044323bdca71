//! `axios-gpu watch` as a real process: recorded kmsg sequences through a FIFO,
//! uevent payloads through its injectable socket, a private `dbus-daemon` using the
//! shipped policy file, a stub `systemctl`, and an sd_notify socket.

mod common;
mod watcher;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::Value;
use watcher::*;

/// The whole path: a real amdgpu reset burst with VRAM loss, then a devcoredump
/// uevent; one incident, the dump copied, the unit restarted, `Reset` signalled,
/// properties and methods answering on a system-like bus.
#[test]
fn reset_burst_is_recorded_signalled_and_restarts_the_unit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Some(bus) = start_system_like_bus(tmp.path(), true) else {
        return;
    };
    let Some(_) = axios_core::testing::require_tool("busctl") else {
        return;
    };
    let mut w = Watcher::start(
        &bus.address,
        &[
            "--policy",
            "restart-unit",
            "--restart-unit",
            "display-manager.service",
        ],
    );
    // The watchdog is pinged (WATCHDOG_USEC=2s: every second).
    w.wait_note("WATCHDOG=1");
    wait_for("the name on the bus", || {
        busctl(&bus.address, &["status", "org.axios.Gpu1"])
            .status
            .success()
    });
    let signals = subscribe_reset(&bus.address);
    // The devcoredump as the kernel shows it, pointing at the failing GPU.
    let dcd = w.root.path().join("sys/class/devcoredump/devcd1");
    std::fs::create_dir_all(&dcd).expect("devcd");
    let dump: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dcd.join("data"), &dump).expect("data");
    std::os::unix::fs::symlink(
        "../../../devices/pci0000:00/0000:00:03.1/0000:03:00.0",
        dcd.join("failing_device"),
    )
    .expect("link");

    w.kmsg(&std::fs::read(events("amdgpu-reset-vram-lost.kmsg")).expect("kmsg"));
    w.uevent(&std::fs::read(events("libudev-rebroadcast.uevent")).expect("ue"));
    w.uevent(&std::fs::read(events("devcoredump-add.uevent")).expect("ue"));
    wait_for("the incident", || !w.incidents().is_empty());
    let inc = w.incidents();
    assert_eq!(inc.len(), 1, "one burst, one incident: {inc:?}");
    let i = &inc[0];
    assert_eq!(i["card"], "card0");
    assert_eq!(i["pci_slot"], "0000:03:00.0");
    assert_eq!(i["kind"], "reset");
    assert_eq!(i["ring"], "gfx_0.0.0");
    assert_eq!(i["vram_lost"], true);
    assert_eq!(i["process"], "Xwayland");
    assert_eq!(i["pid"], 2345);
    assert_eq!(i["outcome"], "recovered");
    assert_eq!(i["events"], 6, "5 kmsg lines and the devcoredump");
    assert_eq!(
        i["action"],
        "restarted display-manager.service (VRAM was lost in the reset)"
    );
    let copy = PathBuf::from(i["coredump"].as_str().expect("coredump path"));
    assert!(copy.starts_with(w.state().join("coredumps")), "{copy:?}");
    assert_eq!(std::fs::read(&copy).expect("copy"), dump);
    assert_eq!(
        w.systemctl_log(),
        "restart --no-block -- display-manager.service\n"
    );
    w.wait_note("1 incident(s) recorded");

    let (card, kind, vram_lost, outcome, json) = signals
        .recv_timeout(Duration::from_secs(20))
        .expect("the Reset signal");
    assert_eq!(
        (card.as_str(), kind.as_str(), vram_lost, outcome.as_str()),
        ("card0", "reset", true, "recovered")
    );
    let sig: Value = serde_json::from_str(&json).expect("incident JSON in the signal");
    assert_eq!(sig["pid"], 2345);
    // Properties and methods.
    let get = |p: &str| busctl_value(&bus.address, &["get-property", OBJ[0], OBJ[1], OBJ[2], p]);
    assert_eq!(get("IncidentCount"), 1);
    assert_eq!(get("Policy"), "restart-unit");
    let last: Value = serde_json::from_str(get("LastIncident").as_str().expect("s")).expect("json");
    assert_eq!(last["ring"], "gfx_0.0.0");
    let gpus: Value = serde_json::from_str(get("Gpus").as_str().expect("s")).expect("json");
    assert_eq!(gpus["gpus"][0]["pci_slot"], "0000:03:00.0");
    let list = busctl_value(&bus.address, &["call", OBJ[0], OBJ[1], OBJ[2], "Incidents"]);
    let list: Value = serde_json::from_str(list.as_str().expect("s")).expect("json");
    assert_eq!(list.as_array().expect("array").len(), 1);
    let st = busctl_value(
        &bus.address,
        &["call", OBJ[0], OBJ[1], OBJ[2], "Status", "b", "false"],
    );
    let st: Value = serde_json::from_str(st.as_str().expect("s")).expect("json");
    assert_eq!(st["gpus"][0]["busy_percent"], 3);

    // `incidents` reads the same log.
    let v = json_ok(&[
        "incidents",
        "--json",
        "--state-dir",
        w.state().to_str().expect("utf8"),
    ]);
    assert_eq!(v[0]["action"], inc[0]["action"]);
    let err = w.stop();
    assert!(err.contains("GPU incident on card0"), "{err}");
}

/// Resets without VRAM loss: the third within the window restarts the unit; a
/// `WEDGED=none` uevent counts as a recovered reset; separate bursts stay separate.
#[test]
fn n_resets_in_the_window_restart_and_bursts_stay_apart() {
    let mut w = Watcher::start(
        "none",
        &[
            "--policy",
            "restart-unit",
            "--restart-unit",
            "niri.service",
            "--max-resets",
            "3",
        ],
    );
    w.kmsg(&std::fs::read(events("amdgpu-soft-recovery.kmsg")).expect("kmsg"));
    wait_for("incident 1", || w.incidents().len() == 1);
    w.uevent(&std::fs::read(events("wedged-none.uevent")).expect("ue"));
    wait_for("incident 2", || w.incidents().len() == 2);
    assert_eq!(w.systemctl_log(), "", "two resets are under the limit");
    w.kmsg(&std::fs::read(events("amdgpu-soft-recovery.kmsg")).expect("kmsg"));
    wait_for("incident 3", || w.incidents().len() == 3);
    let inc = w.incidents();
    assert_eq!(inc[0]["ring"], "comp_1.0.0");
    assert_eq!(inc[0]["process"], "steamwebhelper");
    assert_eq!(inc[0]["action"], "notified");
    assert_eq!(inc[1]["wedged"], "none");
    assert_eq!(inc[1]["outcome"], "recovered");
    assert_eq!(inc[1]["card"], "card0");
    assert_eq!(
        inc[2]["action"],
        "restarted niri.service (3 GPU resets within 600s (limit 3))"
    );
    assert_eq!(w.systemctl_log(), "restart --no-block -- niri.service\n");
    w.wait_note("3 incident(s) recorded");
    w.stop();
}

/// Garbage on both sources, a wedged device, no D-Bus, a failing systemctl, and
/// a kill -9 followed by a restart: nothing is lost and the daemon keeps running.
#[test]
fn hostile_input_dead_bus_and_kill_9() {
    let dir;
    {
        let mut w = Watcher::start(
            "unix:path=/nonexistent/bus.sock",
            &[
                "--policy",
                "restart-unit",
                "--restart-unit",
                "display-manager.service",
                "--max-resets",
                "1",
            ],
        );
        // No writable stub: make systemctl fail.
        std::fs::write(
            w.dir.path().join("systemctl"),
            "#!/bin/sh\necho 'Failed to restart: Access denied' >&2\nexit 4\n",
        )
        .expect("stub");
        let mut junk = Vec::new();
        junk.extend_from_slice(
            b"\xff\xfe\x00garbage\n;;;\n,,,;\n6,1,2,-;amdgpu 0000:03:00.0: amdgpu: ring\n",
        );
        junk.extend_from_slice(&[b'x'; 100_000]);
        junk.extend_from_slice(b"\n3,2,3,-;amdgpu: Process information: process pid\n");
        w.kmsg(&junk);
        for p in [
            &b""[..],
            b"\0\0\0",
            &[0xffu8; 20_000][..],
            b"ACTION=add\0SUBSYSTEM=drm\0",
        ] {
            w.uevent(p);
        }
        w.uevent(&std::fs::read(events("wedged-rebind.uevent")).expect("ue"));
        // The devcoredump vanished before we could copy it: a warning, not a crash.
        w.uevent(&std::fs::read(events("devcoredump-add.uevent")).expect("ue"));
        wait_for("the wedged incident", || !w.incidents().is_empty());
        let inc = w.incidents();
        assert_eq!(inc.len(), 1, "{inc:?}");
        assert_eq!(inc[0]["kind"], "wedged");
        assert_eq!(inc[0]["outcome"], "needs-recovery");
        assert_eq!(inc[0]["wedged"], "rebind");
        assert_eq!(inc[0]["coredump"], Value::Null);
        let action = inc[0]["action"].as_str().expect("action");
        assert!(
            action.starts_with("restart of display-manager.service failed"),
            "{action}"
        );
        assert!(action.contains("Access denied"), "{action}");
        // A second watcher on the same state dir refuses, naming the holder.
        let second = gpu(&[
            "watch",
            "--bus",
            "none",
            "--kmsg",
            "/nonexistent",
            "--state-dir",
            w.state().to_str().expect("utf8"),
        ]);
        assert_eq!(second.status.code(), Some(1));
        assert!(
            stderr(&second).contains("another watcher uses this state directory"),
            "{}",
            stderr(&second)
        );
        assert!(
            stderr(&second).contains(&format!("pid {}", w.child.id())),
            "{}",
            stderr(&second)
        );
        // kill -9 mid-run, then a new watcher on the same state dir.
        let pid = w.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .expect("kill")
            .success());
        let _ = w.child.wait();
        dir = w.state();
        let (list, bad) = axios_gpu::incident::load(&dir).expect("load");
        assert_eq!((list.len(), bad), (1, 0));
        // Keep the temp dir alive until the next run has read it.
        let v = json_ok(&[
            "incidents",
            "--json",
            "--state-dir",
            dir.to_str().expect("utf8"),
        ]);
        assert_eq!(v.as_array().expect("array").len(), 1);
        let text = stdout(&gpu(&[
            "incidents",
            "--state-dir",
            dir.to_str().expect("utf8"),
        ]));
        assert!(
            text.contains("wedged") && text.contains("needs-recovery"),
            "{text}"
        );
        // The lock of the killed watcher does not block the next one, which starts
        // from the recorded count.
        let mut again = Command::new(BIN)
            .args([
                "watch",
                "--bus",
                "none",
                "--kmsg",
                "/nonexistent",
                "--uevent-socket",
            ])
            .arg(dir.join("ue.sock"))
            .arg("--state-dir")
            .arg(&dir)
            .env("RUST_LOG", "info")
            .env_remove("NOTIFY_SOCKET")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut err = std::io::BufReader::new(again.stderr.take().expect("stderr"));
        let mut line = String::new();
        while !line.contains("1 incident(s) recorded") {
            line.clear();
            let n = std::io::BufRead::read_line(&mut err, &mut line).expect("read");
            assert!(n > 0, "the watcher exited instead of starting");
        }
        let _ = again.kill();
        let _ = again.wait();
    }
}

/// SIGTERM in the middle of a burst: the open incident is recorded before exit.
#[test]
fn sigterm_flushes_the_open_incident() {
    let mut w = Watcher::start("none", &["--debounce-ms", "60000"]);
    w.kmsg(&std::fs::read(events("amdgpu-reset-vram-lost.kmsg")).expect("kmsg"));
    w.wait_note("GPU incident in progress on 0000:03:00.0");
    assert!(w.incidents().is_empty(), "still debouncing");
    w.term();
    let inc = w.incidents();
    assert_eq!(inc.len(), 1, "{inc:?}");
    let v = &inc[0];
    assert_eq!(v["vram_lost"], true);
    assert_eq!(v["outcome"], "recovered");
}

#[test]
fn watcher_startup_errors_and_config_check() {
    let dir = tempfile::tempdir().expect("tmp");
    // A state dir that cannot be created: exit 1 naming it.
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").expect("w");
    let out = gpu(&[
        "watch",
        "--bus",
        "none",
        "--state-dir",
        blocker.join("state").to_str().expect("utf8"),
        "--kmsg",
        "/nonexistent",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("file/state"), "{}", stderr(&out));
    // Config: bad keys are named; --check prints the resolved settings.
    let cfg = dir.path().join("gpu.toml");
    std::fs::write(&cfg, "version = 1\npolicy = \"restart-unit\"\n").expect("w");
    let out = gpu(&["watch", "--check", "--config", cfg.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs restart_unit"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&cfg, axios_gpu::config::EXAMPLE).expect("w");
    let out = gpu(&["watch", "--check", "--config", cfg.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("display-manager.service"));
    // Incidents of an empty or odd state dir.
    let text = stdout(&gpu(&[
        "incidents",
        "--state-dir",
        dir.path().to_str().expect("utf8"),
    ]));
    assert!(text.contains("No incidents recorded"), "{text}");
    std::fs::write(dir.path().join("incidents.jsonl"), b"\xff\xfe\n{}\n").expect("w");
    let out = gpu(&[
        "incidents",
        "--json",
        "--state-dir",
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("2 unreadable line(s)"),
        "{}",
        stderr(&out)
    );
}

/// A non-root process may not own org.axios.Gpu1 (the policy file); the watcher
/// then runs without D-Bus. As root the test drops to `nobody` with setpriv.
#[test]
fn dbus_policy_only_root_owns_the_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Some(bus) = start_system_like_bus(tmp.path(), false) else {
        return;
    };
    use std::os::unix::fs::PermissionsExt;
    let state = tmp.path().join("state");
    std::fs::create_dir(&state).expect("state");
    for p in [tmp.path(), state.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    }
    let mut cmd = if is_root() {
        let Some(setpriv) = axios_core::testing::require_tool("setpriv") else {
            return;
        };
        let mut c = Command::new(setpriv);
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "timeout",
            "-s",
            "TERM",
            "3",
        ]);
        c.arg(BIN);
        c
    } else {
        let mut c = Command::new("timeout");
        c.args(["-s", "TERM", "3"]).arg(BIN);
        c
    };
    let out = cmd
        .args([
            "watch",
            "--bus",
            &bus.address,
            "--kmsg",
            "/nonexistent",
            "--uevent-socket",
        ])
        .arg(tmp.path().join("ue.sock"))
        .arg("--state-dir")
        .arg(&state)
        .arg("--root")
        .arg(fixture("desktop-amd"))
        .env("RUST_LOG", "info")
        .output()
        .expect("watcher as a non-root user");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no D-Bus"), "{err}");
    assert!(err.contains("not allowed to own"), "{err}");
    assert!(err.contains("watching"), "keeps running: {err}");
}

#[test]
fn recover_needs_root_debugfs_and_amdgpu() {
    let dir = copy_fixture("desktop-amd");
    let root = axios_core::Root::new(dir.path()).expect("root");
    let as_root = is_root();
    // Through the binary as root; through the library otherwise (the root check
    // comes first and is tested below).
    let recover = |card: &str| -> Result<String, String> {
        if as_root {
            let out = gpu(&[
                "recover",
                "--card",
                card,
                "--root",
                dir.path().to_str().expect("utf8"),
            ]);
            if out.status.success() {
                Ok(stdout(&out))
            } else {
                assert_eq!(out.status.code(), Some(1));
                Err(stderr(&out))
            }
        } else {
            axios_gpu::recover::recover(&root, card.parse().expect("n"), false)
                .map(|a| format!("recovery of card{card} triggered: {a}\n"))
                .map_err(|e| e.to_string())
        }
    };
    let e = recover("0").expect_err("no debugfs");
    assert!(e.contains("debugfs is not mounted"), "{e}");
    let dri = dir.path().join("sys/kernel/debug/dri/0");
    std::fs::create_dir_all(&dri).expect("dri");
    std::fs::write(dri.join("amdgpu_gpu_recover"), "0\n").expect("w");
    let e = recover("1").expect_err("card 1");
    assert!(e.contains("card 1 is not driven by amdgpu"), "{e}");
    assert_eq!(
        recover("0").expect("recovered"),
        "recovery of card0 triggered: 0\n"
    );
    // Unreadable debugfs file (a directory here).
    std::fs::remove_file(dri.join("amdgpu_gpu_recover")).expect("rm");
    std::fs::create_dir(dri.join("amdgpu_gpu_recover")).expect("dir");
    let e = recover("0").expect_err("unreadable");
    assert!(e.contains("cannot trigger recovery through"), "{e}");
    // Not root: refused before anything is touched.
    let out = if as_root {
        let Some(setpriv) = axios_core::testing::require_tool("setpriv") else {
            return;
        };
        Command::new(setpriv)
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(BIN)
            .args(["recover", "--card", "0"])
            .output()
            .expect("setpriv")
    } else {
        gpu(&["recover", "--card", "0"])
    };
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs root"));
}

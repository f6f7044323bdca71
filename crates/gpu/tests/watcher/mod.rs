//! The watcher test harness: a system-like private bus, the watcher process with its
//! FIFO, uevent socket, stub systemctl and sd_notify socket, and D-Bus clients.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use serde_json::Value;

pub fn events(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/events")
        .join(name)
}

/// Wait (up to 20 s on a loaded machine) for `f` to hold. Not a timing assertion.
pub fn wait_for(what: &str, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

pub struct Bus {
    pub child: Child,
    pub address: String,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// A system-type bus: deny by default like /usr/share/dbus-1/system.conf, plus the
/// policy file the NixOS module installs. `as_root`: when the tests do not run as root
/// (CI), the current user gets what the policy gives root, standing in for the
/// watcher's root.
pub fn start_system_like_bus(dir: &Path, as_root: bool) -> Option<Bus> {
    axios_core::testing::require_tool("dbus-daemon")?;
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("dbus/org.axios.Gpu1.conf");
    let conf = dir.join("bus.conf");
    std::fs::write(
        &conf,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={}/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <include>{}</include>
  {}
</busconfig>
"#,
            dir.display(),
            policy.display(),
            if as_root && !is_root() {
                format!(
                    r#"<policy user="{}"><allow own="org.axios.Gpu1"/></policy>"#,
                    rustix::process::geteuid().as_raw()
                )
            } else {
                String::new()
            }
        ),
    )
    .expect("bus.conf");
    let mut child = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", conf.display()))
        .args(["--nofork", "--print-address"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address");
    Some(Bus {
        child,
        address: line.trim().to_string(),
    })
}

pub struct Watcher {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub root: tempfile::TempDir,
    pub fifo: PathBuf,
    pub uevents: PathBuf,
    pub notify: UnixDatagram,
    pub notes: Vec<String>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watcher {
    pub fn start(bus: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let root = copy_fixture("desktop-amd");
        let fifo = dir.path().join("kmsg");
        let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(st.success());
        let uevents = dir.path().join("uevent.sock");
        let notify_path = dir.path().join("notify.sock");
        let notify = UnixDatagram::bind(&notify_path).expect("notify socket");
        notify
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let systemctl = dir.path().join("systemctl");
        std::fs::write(
            &systemctl,
            format!(
                "#!/bin/sh\necho \"$@\" >> '{}/systemctl.log'\n",
                dir.path().display()
            ),
        )
        .expect("stub");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&systemctl, std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let child = Command::new(BIN)
            .arg("watch")
            .arg("--root")
            .arg(root.path())
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .arg("--kmsg")
            .arg(&fifo)
            .arg("--uevent-socket")
            .arg(&uevents)
            .arg("--systemctl")
            .arg(&systemctl)
            .args(["--bus", bus])
            .args(if extra.contains(&"--debounce-ms") {
                &[][..]
            } else {
                &["--debounce-ms", "400"][..]
            })
            .args(extra)
            .env("NOTIFY_SOCKET", &notify_path)
            .env("WATCHDOG_USEC", "2000000")
            .env_remove("WATCHDOG_PID")
            .env_remove("JOURNAL_STREAM")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn watcher");
        let mut w = Self {
            child,
            dir,
            root,
            fifo,
            uevents,
            notify,
            notes: Vec::new(),
        };
        w.wait_note("READY=1");
        w
    }

    /// Read sd_notify messages until one contains `needle`.
    pub fn wait_note(&mut self, needle: &str) -> String {
        let mut buf = [0u8; 4096];
        loop {
            let n = self
                .notify
                .recv(&mut buf)
                .unwrap_or_else(|e| panic!("no sd_notify {needle:?}: {e}; got {:?}", self.notes));
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            self.notes.push(msg.clone());
            if msg.contains(needle) {
                return msg;
            }
        }
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Write lines into the kmsg FIFO (one writer session, then closed).
    pub fn kmsg(&self, text: &[u8]) {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.fifo)
            .expect("open fifo");
        f.write_all(text).expect("write fifo");
    }

    pub fn uevent(&self, payload: &[u8]) {
        let s = UnixDatagram::unbound().expect("sock");
        s.send_to(payload, &self.uevents).expect("send uevent");
    }

    pub fn incidents(&self) -> Vec<Value> {
        std::fs::read_to_string(self.state().join("incidents.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("incident JSON line"))
            .collect()
    }

    pub fn systemctl_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("systemctl.log")).unwrap_or_default()
    }

    /// SIGTERM and wait: the process must exit 0.
    pub fn term(&mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success());
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "watcher exit {status:?}");
    }

    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success());
        let status = self.child.wait().expect("wait");
        assert!(status.success(), "watcher exit {status:?}");
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        assert!(!err.contains("panicked"), "{err}");
        err
    }
}

pub fn busctl(address: &str, args: &[&str]) -> std::process::Output {
    Command::new("busctl")
        .arg(format!("--address={address}"))
        .arg("--json=short")
        .args(args)
        .output()
        .expect("busctl")
}

pub fn busctl_value(address: &str, args: &[&str]) -> Value {
    let out = busctl(address, args);
    assert!(
        out.status.success(),
        "busctl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("busctl json");
    match &v["data"] {
        Value::Array(a) if a.len() == 1 => a[0].clone(),
        other => other.clone(),
    }
}

pub type ResetSignal = (String, String, bool, String, String);

/// Subscribe to `org.axios.Gpu1.Reset` on `address` (a zbus client on its own
/// thread); returns once the match rule is in place.
pub fn subscribe_reset(address: &str) -> std::sync::mpsc::Receiver<ResetSignal> {
    use futures_util::StreamExt;
    let (tx, rx) = std::sync::mpsc::channel();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let address = address.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async move {
            let conn = zbus::connection::Builder::address(address.as_str())
                .expect("address")
                .build()
                .await
                .expect("connect");
            let rule = zbus::MatchRule::builder()
                .msg_type(zbus::message::Type::Signal)
                .interface("org.axios.Gpu1")
                .expect("iface")
                .member("Reset")
                .expect("member")
                .build();
            let mut stream = zbus::MessageStream::for_match_rule(rule, &conn, None)
                .await
                .expect("match");
            ready_tx.send(()).expect("ready");
            while let Some(Ok(msg)) = stream.next().await {
                let body: ResetSignal = msg.body().deserialize().expect("Reset(sssbs)... body");
                if tx.send(body).is_err() {
                    return;
                }
            }
        });
    });
    ready_rx
        .recv_timeout(Duration::from_secs(20))
        .expect("subscribed");
    rx
}

pub const OBJ: [&str; 3] = ["org.axios.Gpu1", "/org/axios/Gpu1", "org.axios.Gpu1"];

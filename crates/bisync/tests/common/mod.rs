//! Shared fixture for the integration tests: two real directories, a state dir, a config,
//! a wrapper `rclone` that records its PID and can be slowed down, and helpers that check
//! that nothing was lost, truncated or turned into a conflict copy.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_axios-bisync");

pub struct Fx {
    pub tmp: tempfile::TempDir,
    pub p1: PathBuf,
    pub p2: PathBuf,
    pub state: PathBuf,
    pub cfg: PathBuf,
    /// Wrapper script used as the `rclone` config key.
    pub wrapper: PathBuf,
    /// The wrapper appends each rclone PID here.
    pub pids: PathBuf,
    /// When this file exists, `bisync` runs get `--bwlimit <contents> --transfers 1`.
    pub slow: PathBuf,
    pub mountinfo: PathBuf,
    pub extra: String,
    pub dbus: Option<String>,
}

/// rclone must be installed (CI fails, elsewhere the test is skipped loudly).
pub fn rclone() -> Option<PathBuf> {
    axios_core::testing::require_tool("rclone")
}

/// The minor version of an rclone 1.x binary (60 for Debian's 1.60.1).
pub fn rclone_minor(rc: &Path) -> u32 {
    let out = Command::new(rc)
        .arg("version")
        .output()
        .expect("rclone version");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("rclone v1."))
        .and_then(|r| r.split('.').next())
        .and_then(|m| m.parse().ok())
        .expect("rclone v1.x")
}

impl Fx {
    pub fn new(rclone: &Path) -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        let p1 = root.join("cloud");
        let p2 = root.join("local");
        std::fs::create_dir_all(&p1).expect("mk p1");
        std::fs::create_dir_all(&p2).expect("mk p2");
        let wrapper = root.join("rclone-wrapper");
        let pids = root.join("rclone.pids");
        let slow = root.join("slow");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\necho $$ >> '{pids}'\ncase \" $* \" in *' bisync '*) if [ -f '{slow}' ]; then exec '{rc}' \"$@\" --transfers 1 --bwlimit \"$(cat '{slow}')\"; fi;; esac\nexec '{rc}' \"$@\"\n",
                pids = pids.display(),
                slow = slow.display(),
                rc = rclone.display()
            ),
        )
        .expect("wrapper");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let mountinfo = root.join("mountinfo");
        std::fs::write(&mountinfo, "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n").expect("mi");
        let fx = Self {
            p1,
            p2,
            state: root.join("state"),
            cfg: root.join("bisync.toml"),
            wrapper,
            pids,
            slow,
            mountinfo,
            extra: String::new(),
            dbus: None,
            tmp,
        };
        fx.write_config();
        fx
    }

    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// (Re)write the config with `self.extra` appended to the `[pairs.docs]` table.
    pub fn write_config(&self) {
        let text = format!(
            "version = 1\nstate_dir = \"{}\"\nrclone = \"{}\"\nstop_grace = \"60s\"\n\n[pairs.docs]\npath1 = \"{}\"\npath2 = \"{}\"\nmax_delete_count = 20\nmax_delete_percent = 30\n{}\n",
            self.state.display(),
            self.wrapper.display(),
            self.p1.display(),
            self.p2.display(),
            self.extra
        );
        std::fs::write(&self.cfg, text).expect("config");
    }

    /// Put path1 behind an rclone remote (`cloud:`, a local-backed remote in an rclone
    /// config file), so the guard lists and moves it through rclone.
    pub fn use_remote(&self) {
        let path1 = format!("cloud:{}", self.p1.display());
        self.set_remote_path1("[cloud]\ntype = local\n", &path1);
    }

    /// Write `rclone_conf` as the rclone config file the guard passes to rclone, and make
    /// `path1` (a `remote:path`) the pair's path1.
    pub fn set_remote_path1(&self, rclone_conf: &str, path1: &str) {
        let rconf = self.root().join("rclone.conf");
        std::fs::write(&rconf, rclone_conf).expect("rclone.conf");
        let text = std::fs::read_to_string(&self.cfg).expect("cfg");
        let text = text
            .replace(
                &format!("path1 = \"{}\"", self.p1.display()),
                &format!("path1 = \"{path1}\""),
            )
            .replace(
                "stop_grace",
                &format!("rclone_config = \"{}\"\nstop_grace", rconf.display()),
            );
        std::fs::write(&self.cfg, text).expect("cfg");
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--config").arg(&self.cfg).args(args);
        c.env("AXIOS_BISYNC_MOUNTINFO", &self.mountinfo);
        c.env_remove("JOURNAL_STREAM");
        match &self.dbus {
            Some(a) => c.env("DBUS_SESSION_BUS_ADDRESS", a),
            // No session bus: notifications must only warn.
            None => c.env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}/no-bus", self.root().display()),
            ),
        };
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self
            .cmd(args)
            .stdin(Stdio::null())
            .output()
            .expect("spawn axios-bisync");
        eprintln!(
            "$ axios-bisync {} -> {:?}\n{}{}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn spawn(&self, args: &[&str]) -> Child {
        self.cmd(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn axios-bisync")
    }

    /// Markers on both sides and a first resync.
    pub fn init(&self) {
        let o = self.run(&["init", "docs", "--yes"]);
        assert_eq!(o.status.code(), Some(0), "init failed");
    }

    pub fn last_rclone_pid(&self) -> Option<i32> {
        std::fs::read_to_string(&self.pids)
            .ok()?
            .lines()
            .last()?
            .trim()
            .parse()
            .ok()
    }

    pub fn workdir(&self) -> PathBuf {
        self.state.join("pairs/docs/workdir")
    }

    /// Names of the files in rclone's workdir that end with `suffix`.
    pub fn workdir_files(&self, suffix: &str) -> Vec<String> {
        std::fs::read_dir(self.workdir())
            .expect("workdir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(suffix))
            .collect()
    }

    /// Delete rclone's listings (`*.lst`), which makes rclone demand a resync.
    pub fn delete_listings(&self) {
        for name in self.workdir_files(".lst") {
            std::fs::remove_file(self.workdir().join(name)).expect("rm");
        }
    }

    /// The guard's journal of an interrupted run.
    pub fn journal(&self) -> PathBuf {
        self.state.join("pairs/docs/journal.json")
    }

    pub fn status_json(&self) -> serde_json::Value {
        let o = self.run(&["status", "--json"]);
        assert_eq!(o.status.code(), Some(0));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("status json");
        v[0].clone()
    }
}

/// Relative path -> content.
pub type Files = BTreeMap<String, Vec<u8>>;

/// `n` small files spread over five folders on path1.
pub fn seed(fx: &Fx, n: usize) -> Files {
    let mut exp = Files::new();
    add_files(
        &fx.p1,
        &mut exp,
        (0..n).map(|i| {
            let k = format!("d{}/f{i}.txt", i % 5);
            let v = content(&k, 100 + i);
            (k, v)
        }),
    );
    exp
}

/// `text` contains `needle`; on failure the message shows all of `text`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected `{needle}` in:\n{text}");
}

pub fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Relative path -> content of every regular file under `root`.
pub fn tree(root: &Path) -> Files {
    let mut out = Files::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let e = e.expect("entry");
            let ft = e.file_type().expect("ft");
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                let rel = e
                    .path()
                    .strip_prefix(root)
                    .expect("prefix")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(e.path()).expect("read"));
            }
        }
    }
    out
}

/// No conflict copies (`..path1`/`..path2` up to 1.65, `.conflict1`/`.conflict2` from
/// 1.66) and no rclone temporaries (`.partial`) anywhere under `root`.
pub fn assert_no_conflicts(root: &Path) {
    for k in tree(root).keys() {
        assert!(
            !k.contains("..path1")
                && !k.contains("..path2")
                && !k.contains(".conflict1")
                && !k.contains(".conflict2")
                && !k.ends_with(".partial"),
            "conflict copy or temporary {k} under {}",
            root.display()
        );
    }
}

/// Every `expected` file is present with exactly its content under `root`. The marker
/// only needs to be there: `init` writes the pair's identity into it.
pub fn assert_has_all(root: &Path, expected: &Files) {
    let t = tree(root);
    for (k, v) in expected {
        match t.get(k) {
            None => panic!("{k} lost from {}", root.display()),
            Some(_) if k == "RCLONE_TEST" => {}
            Some(got) => assert!(
                got == v,
                "{k} under {} differs: {} bytes, expected {} bytes (truncated?)",
                root.display(),
                got.len(),
                v.len()
            ),
        }
    }
}

/// Both sides hold exactly `expected` (plus nothing else), no conflicts.
pub fn assert_synced(fx: &Fx, expected: &Files) {
    assert_no_conflicts(&fx.p1);
    assert_no_conflicts(&fx.p2);
    let t1 = tree(&fx.p1);
    let t2 = tree(&fx.p2);
    assert_has_all(&fx.p1, expected);
    assert_has_all(&fx.p2, expected);
    assert_eq!(
        t1.keys().collect::<Vec<_>>(),
        t2.keys().collect::<Vec<_>>(),
        "sides hold different file sets"
    );
    assert_eq!(t1, t2, "sides differ");
}

/// Deterministic content for a file.
pub fn content(seed: &str, len: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(len);
    let mut x: u64 = seed.bytes().fold(1469598103934665603, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1099511628211)
    });
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

pub fn write(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, data).expect("write");
}

/// Write `rel` under `root` and record it in `exp` (where it is expected after a sync).
pub fn add_file(root: &Path, exp: &mut Files, rel: &str, data: &[u8]) {
    write(root, rel, data);
    exp.insert(rel.to_string(), data.to_vec());
}

/// Write each file under `root`, record it in `exp`, and return them as a batch.
pub fn add_files(
    root: &Path,
    exp: &mut Files,
    files: impl IntoIterator<Item = (String, Vec<u8>)>,
) -> Files {
    let mut batch = Files::new();
    for (rel, data) in files {
        add_file(root, exp, &rel, &data);
        batch.insert(rel, data);
    }
    batch
}

/// Poll until `f` holds (never a fixed sleep as a synchronisation point).
pub fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Number of files under `root` whose name starts with `prefix` and whose content is
/// complete compared to `expected`.
pub fn complete_copies(root: &Path, expected: &Files) -> usize {
    expected
        .iter()
        .filter(|(k, v)| std::fs::read(root.join(k)).is_ok_and(|d| &d == *v))
        .count()
}

pub fn kill9(pid: i32) {
    let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
}

pub fn pid_alive(pid: i32) -> bool {
    // A zombie is dead for our purposes.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

//! Shared fixture: a fake HOME with XDG dirs, a fake `/etc`, a fake Nix store with the real
//! manifest files of WiVRn, Monado and SteamVR, Steam's vrpath, a backends file, and a
//! private `dbus-daemon` carrying the fake systemd (`axios-vr-fake-systemd`).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_axios-vr");
pub const FAKE: &str = env!("CARGO_BIN_EXE_axios-vr-fake-systemd");
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

pub struct Bus {
    fake: Option<Child>,
    // dropped after the fake systemd
    _daemon: axios_core::testing::PrivateBus,
    pub address: String,
    pub dir: PathBuf,
}

impl Drop for Bus {
    fn drop(&mut self) {
        if let Some(f) = &mut self.fake {
            let _ = f.kill();
            let _ = f.wait();
        }
    }
}

impl Bus {
    /// Units the fake systemd reports running.
    pub fn active(&self) -> Vec<String> {
        read_lines(&self.dir.join("active"))
    }
    /// Every start/stop call, in order.
    pub fn log(&self) -> Vec<String> {
        read_lines(&self.dir.join("log"))
    }
    /// Make `unit` fail (`fail`), die right after start (`die`) or hang (`hang`).
    pub fn set(&self, file: &str, units: &[&str]) {
        std::fs::write(self.dir.join(file), units.join("\n")).expect("write fake control");
    }
}

fn read_lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A private bus (real dbus-daemon) with the fake systemd on it, `active` units running.
pub fn start_bus(dir: &Path, active: &[&str]) -> Option<Bus> {
    std::fs::create_dir_all(dir).expect("bus dir");
    let daemon = axios_core::testing::private_bus(dir)?;
    let address = daemon.address.clone();
    std::fs::write(dir.join("active"), active.join("\n")).expect("active");
    let mut bus = Bus {
        _daemon: daemon,
        fake: None,
        address,
        dir: dir.to_path_buf(),
    };
    bus.fake = Some(
        Command::new(FAKE)
            .args(["--address", &bus.address, "--dir"])
            .arg(dir)
            .spawn()
            .expect("fake systemd"),
    );
    let t = Instant::now();
    while !dir.join("ready").exists() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "fake systemd did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(bus)
}

pub struct Fx {
    pub tmp: tempfile::TempDir,
    pub home: PathBuf,
    pub store: PathBuf,
    pub etc: PathBuf,
    pub xdg1: PathBuf,
    pub xdg2: PathBuf,
    pub cfg: PathBuf,
    pub env: BTreeMap<String, String>,
    pub bus: Option<Bus>,
}

pub fn arch() -> &'static str {
    axios_vr::paths::arch_abi()
}

fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

impl Fx {
    /// The fake machine, without a bus.
    pub fn bare() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let home = root.join("home");
        let store = root.join("store");
        let etc = root.join("etc");
        let (xdg1, xdg2) = (root.join("xdg1"), root.join("xdg2"));
        let man = |n: &str| {
            std::fs::read(Path::new(FIXTURES).join("manifests").join(n)).expect("fixture")
        };
        put(
            &store.join("wivrn/share/openxr/1/openxr_wivrn.json"),
            &man("openxr_wivrn.json"),
        );
        put(&store.join("wivrn/lib/wivrn/libopenxr_wivrn.so"), b"ELF");
        put(
            &store.join("monado/share/openxr/1/openxr_monado.json"),
            &man("openxr_monado.json"),
        );
        put(&store.join("monado/lib/libopenxr_monado.so"), b"ELF");
        put(
            &store.join("xrizer/lib/xrizer/bin/linux64/vrclient.so"),
            b"ELF",
        );
        let steamvr = home.join(".local/share/Steam/steamapps/common/SteamVR");
        put(
            &steamvr.join("steamxr_linux64.json"),
            &man("steamxr_linux64.json"),
        );
        put(&steamvr.join("bin/linux64/vrclient.so"), b"ELF");
        let vrpath = String::from_utf8(man("steam.vrpath"))
            .expect("utf8")
            .replace("@HOME@", &home.display().to_string());
        put(
            &home.join(".config/openvr/openvrpaths.vrpath"),
            vrpath.as_bytes(),
        );
        for d in [&etc, &xdg1, &xdg2] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        let cfg = root.join("vr.toml");
        let mut env = BTreeMap::new();
        env.insert("HOME".into(), home.display().to_string());
        env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
        env.insert(
            "XDG_CONFIG_DIRS".into(),
            format!("{}:{}", xdg1.display(), xdg2.display()),
        );
        env.insert(
            "XDG_DATA_DIRS".into(),
            store.join("monado/share").display().to_string(),
        );
        env.insert("AXIOS_VR_SYSCONFDIR".into(), etc.display().to_string());
        env.insert(
            "AXIOS_VR_SYSFS_ROOT".into(),
            root.join("no-sysfs").display().to_string(),
        );
        env.insert("AXIOS_VR_CONFIG".into(), cfg.display().to_string());
        env.insert(
            "DBUS_SESSION_BUS_ADDRESS".into(),
            "unix:path=/nonexistent/bus".into(),
        );
        env.insert(
            "DBUS_SYSTEM_BUS_ADDRESS".into(),
            "unix:path=/nonexistent/bus".into(),
        );
        let fx = Self {
            tmp,
            home,
            store,
            etc,
            xdg1,
            xdg2,
            cfg,
            env,
            bus: None,
        };
        fx.write_config(&fx.default_config());
        fx
    }

    /// The fake machine with a bus; `None` when dbus-daemon is missing (not under CI).
    pub fn with_bus(active: &[&str]) -> Option<Self> {
        let mut fx = Self::bare();
        let bus = start_bus(&fx.root().join("bus"), active)?;
        fx.env
            .insert("DBUS_SESSION_BUS_ADDRESS".into(), bus.address.clone());
        fx.env
            .insert("DBUS_SYSTEM_BUS_ADDRESS".into(), bus.address.clone());
        fx.bus = Some(bus);
        Some(fx)
    }

    pub fn bus(&self) -> &Bus {
        self.bus.as_ref().expect("bus")
    }

    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// wivrn (user unit), alvr (no unit, SteamVR), monado (system unit), default alvr.
    pub fn default_config(&self) -> String {
        format!(
            r#"version = 1
default = "alvr"
job_timeout_secs = 5

[backends.wivrn]
manifest = "{store}/wivrn/share/openxr/1/openxr_wivrn.json"
openvr_runtime = "{store}/xrizer/lib/xrizer"
unit = "wivrn.service"
user_unit = true
ports = [9757]

[backends.alvr]
manifest = "~/.local/share/Steam/steamapps/common/SteamVR/steamxr_linux64.json"
openvr_runtime = "$XDG_DATA_HOME/Steam/steamapps/common/SteamVR"
ports = [9943, 9944]

[backends.monado]
manifest = "{store}/monado/share/openxr/1/openxr_monado.json"
openvr_runtime = "{store}/xrizer/lib/xrizer"
unit = "monado.service"
"#,
            store = self.store.display()
        )
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(&self.cfg, text).expect("config");
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear().envs(&self.env).args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run axios-vr")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let o = self.run(&a);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        serde_json::from_slice(&o.stdout).expect("json")
    }

    pub fn manifest(&self, name: &str) -> PathBuf {
        match name {
            "wivrn" => self.store.join("wivrn/share/openxr/1/openxr_wivrn.json"),
            "monado" => self.store.join("monado/share/openxr/1/openxr_monado.json"),
            _ => self.steamvr().join("steamxr_linux64.json"),
        }
    }

    pub fn steamvr(&self) -> PathBuf {
        self.home
            .join(".local/share/Steam/steamapps/common/SteamVR")
    }

    pub fn openxr_dir(&self) -> PathBuf {
        self.home.join(".config/openxr/1")
    }

    pub fn active_runtime(&self) -> PathBuf {
        self.openxr_dir().join("active_runtime.json")
    }

    pub fn vrpath(&self) -> PathBuf {
        self.home.join(".config/openvr/openvrpaths.vrpath")
    }

    pub fn vrpath_json(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.vrpath()).expect("vrpath")).expect("json")
    }

    pub fn state_dir(&self) -> PathBuf {
        self.home.join(".local/state/axios/vr")
    }

    /// Every file under HOME except axios-vr's own state: path -> (kind, content, mode).
    pub fn tree(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let skip = self.state_dir();
        walk(&self.home, &self.home, &skip, &mut out);
        out
    }

    /// Nothing was switched: HOME is as `before` and only the original backend (Monado) runs.
    #[allow(dead_code)]
    pub fn assert_untouched(&self, before: &BTreeMap<String, String>) {
        assert_eq!(&self.tree(), before);
        assert_eq!(self.bus().active(), vec!["monado.service".to_string()]);
    }
}

/// `o` exited with `want` and its stderr names every one of `needles`.
#[allow(dead_code)]
pub fn assert_exit(o: &Output, want: i32, needles: &[&str]) {
    assert_eq!(code(o), want, "{}", text(o));
    let err = stderr(o);
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {}", text(o));
    }
}

fn walk(base: &Path, dir: &Path, skip: &Path, out: &mut BTreeMap<String, String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.starts_with(skip) {
            continue;
        }
        let rel = p.strip_prefix(base).expect("rel").display().to_string();
        let m = std::fs::symlink_metadata(&p).expect("meta");
        if m.file_type().is_symlink() {
            out.insert(
                rel,
                format!(
                    "link -> {}",
                    std::fs::read_link(&p).expect("link").display()
                ),
            );
        } else if m.is_dir() {
            walk(base, &p, skip, out);
        } else {
            let bytes = std::fs::read(&p).expect("read");
            out.insert(
                rel,
                format!(
                    "{:o} {}",
                    m.permissions().mode() & 0o7777,
                    String::from_utf8_lossy(&bytes)
                ),
            );
        }
    }
}

pub fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn link(p: &Path) -> Option<PathBuf> {
    std::fs::read_link(p).ok()
}

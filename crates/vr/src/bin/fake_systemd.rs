//! A small stand-in for systemd's unit-control D-Bus interface, for the integration tests
//! (feature `test-support`). It owns `org.freedesktop.systemd1` on the bus at `--address`
//! and implements `Subscribe`, `StartUnit`, `StopUnit`, `ListUnitsByNames` and the
//! `JobRemoved` signal, sent after the method reply as systemd does.
//!
//! Behaviour is driven by files in `--dir`, re-read on every call so a test can change it:
//! - `fail`: unit names (one per line) whose start job ends with result `failed`;
//! - `die`: units whose start job is `done` but which are `failed` right after;
//! - `hang`: units whose jobs never finish;
//! - `missing`: units that are not installed (`StartUnit` fails with `NoSuchUnit`, as systemd's
//!   "Unit x.service not found.", and `ListUnitsByNames` says `not-found`);
//! - `active`: the running units (read at start, rewritten after every change);
//! - `log`: every call appended as `start U` / `stop U`.
//!
//! `ready` is created once the name is owned.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::zvariant::{ObjectPath, OwnedObjectPath};

const PATH: &str = "/org/freedesktop/systemd1";

struct Manager {
    dir: PathBuf,
    active: Arc<Mutex<BTreeSet<String>>>,
    failed: Arc<Mutex<BTreeSet<String>>>,
    next_job: AtomicU32,
}

fn listed(dir: &Path, file: &str, unit: &str) -> bool {
    std::fs::read_to_string(dir.join(file))
        .map(|s| s.lines().any(|l| l.trim() == unit))
        .unwrap_or(false)
}

impl Manager {
    fn persist(&self) {
        let active = self.active.lock().map(|a| a.clone()).unwrap_or_default();
        let text: String = active.iter().map(|u| format!("{u}\n")).collect();
        let tmp = self.dir.join("active.tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, self.dir.join("active"));
        }
    }

    fn log(&self, line: &str) {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("log"))
        {
            let _ = writeln!(f, "{line}");
        }
    }

    fn job(
        &self,
        conn: &zbus::Connection,
        unit: &str,
        start: bool,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        if unit.is_empty() || !unit.contains('.') {
            return Err(zbus::fdo::Error::InvalidArgs(format!(
                "Unit name {unit} is not valid."
            )));
        }
        self.log(&format!("{} {unit}", if start { "start" } else { "stop" }));
        if start && listed(&self.dir, "missing", unit) {
            return Err(zbus::fdo::Error::Failed(format!("Unit {unit} not found.")));
        }
        let id = self.next_job.fetch_add(1, Ordering::SeqCst);
        let job = OwnedObjectPath::try_from(format!("{PATH}/job/{id}"))
            .map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        if listed(&self.dir, "hang", unit) {
            return Ok(job);
        }
        let result = if start && listed(&self.dir, "fail", unit) {
            if let Ok(mut f) = self.failed.lock() {
                f.insert(unit.to_string());
            }
            "failed"
        } else {
            if let (Ok(mut a), Ok(mut f)) = (self.active.lock(), self.failed.lock()) {
                if start && listed(&self.dir, "die", unit) {
                    a.remove(unit);
                    f.insert(unit.to_string());
                } else if start {
                    a.insert(unit.to_string());
                    f.remove(unit);
                } else {
                    a.remove(unit);
                    f.remove(unit);
                }
            }
            "done"
        };
        self.persist();
        let conn = conn.clone();
        let unit = unit.to_string();
        let job2 = job.clone();
        tokio::spawn(async move {
            // after the method reply, like systemd
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            if let Ok(em) = SignalEmitter::new(&conn, PATH) {
                let _ = Manager::job_removed(&em, id, job2.as_ref(), &unit, result).await;
            }
        });
        Ok(job)
    }
}

use axios_vr::units::UnitRow;

#[zbus::interface(name = "org.freedesktop.systemd1.Manager")]
impl Manager {
    async fn subscribe(&self) {}

    async fn start_unit(
        &self,
        name: String,
        _mode: String,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        self.job(conn, &name, true)
    }

    async fn stop_unit(
        &self,
        name: String,
        _mode: String,
        #[zbus(connection)] conn: &zbus::Connection,
    ) -> zbus::fdo::Result<OwnedObjectPath> {
        self.job(conn, &name, false)
    }

    async fn list_units_by_names(&self, names: Vec<String>) -> zbus::fdo::Result<Vec<UnitRow>> {
        let active = self.active.lock().map(|a| a.clone()).unwrap_or_default();
        let failed = self.failed.lock().map(|a| a.clone()).unwrap_or_default();
        let root =
            OwnedObjectPath::try_from("/").map_err(|e| zbus::fdo::Error::Failed(e.to_string()))?;
        Ok(names
            .into_iter()
            .map(|n| {
                let (a, s) = if active.contains(&n) {
                    ("active", "running")
                } else if failed.contains(&n) {
                    ("failed", "failed")
                } else {
                    ("inactive", "dead")
                };
                let load = if listed(&self.dir, "missing", &n) {
                    "not-found"
                } else {
                    "loaded"
                };
                (
                    n.clone(),
                    String::new(),
                    load.into(),
                    a.into(),
                    s.into(),
                    String::new(),
                    root.clone(),
                    0,
                    String::new(),
                    root.clone(),
                )
            })
            .collect())
    }

    #[zbus(signal)]
    async fn job_removed(
        emitter: &SignalEmitter<'_>,
        id: u32,
        job: ObjectPath<'_>,
        unit: &str,
        result: &str,
    ) -> zbus::Result<()>;
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut address = None;
    let mut dir = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--address" => address = args.next(),
            "--dir" => dir = args.next().map(PathBuf::from),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let address = address.ok_or("--address is required")?;
    let dir = dir.ok_or("--dir is required")?;
    let active: BTreeSet<String> = std::fs::read_to_string(dir.join("active"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let mgr = Manager {
        dir: dir.clone(),
        active: Arc::new(Mutex::new(active)),
        failed: Arc::default(),
        next_job: AtomicU32::new(1),
    };
    mgr.persist();
    let _conn = zbus::connection::Builder::address(address.as_str())?
        .name("org.freedesktop.systemd1")?
        .serve_at(PATH, mgr)?
        .build()
        .await?;
    std::fs::write(dir.join("ready"), "")?;
    std::future::pending::<()>().await;
    Ok(())
}

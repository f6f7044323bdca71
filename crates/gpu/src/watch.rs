//! `axios-gpu watch`: the hang watcher daemon.
//!
//! Sources (threads blocked in read/recv: no polling loop): `/dev/kmsg` and kernel
//! uevents (netlink, or an injected Unix socket). Bursts are folded into incidents
//! ([`crate::incident::Aggregator`]); each is appended to `incidents.jsonl`, its
//! devcoredump copied as soon as the uevent arrives, the [`crate::policy`] applied,
//! and `Reset` signalled on D-Bus. `sd_notify` READY/STATUS/WATCHDOG; SIGTERM
//! flushes open incidents and stops.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axios_core::notify::{notify, State};
use axios_core::root::Root;

use crate::config::WatchConfig;
use crate::dbus::{GpuIface, Shared, BUS_NAME, OBJECT_PATH};
use crate::events::{parse_kmsg_line, parse_uevent, EventKind};
use crate::incident::{self, Aggregator, Incident, IncidentKind};
use crate::policy::{decide, Decision};
use crate::sources::{self, Raw};

/// Which bus to publish `org.axios.Gpu1` on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusChoice {
    /// The system bus (`DBUS_SYSTEM_BUS_ADDRESS` or the default socket).
    System,
    /// A bus address (tests: a private dbus-daemon).
    Address(String),
    /// No D-Bus.
    None,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot create state directory {path}: {source}")]
    StateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Root(#[from] axios_core::RootError),
    #[error(transparent)]
    Store(#[from] incident::StoreError),
    #[error("another watcher uses this state directory: {0}")]
    Locked(#[from] axios_core::LockError),
    #[error("cannot install signal handlers: {0}")]
    Signals(#[source] std::io::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum CoredumpError {
    #[error("cannot copy devcoredump {from} to {to}: {source}")]
    Copy {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Copy `/sys/class/devcoredump/<name>/data` into `<state_dir>/coredumps/` before
/// the kernel drops it (after 5 minutes). Returns the copy and the PCI slot of the
/// failing device. Keeps the newest `keep` copies.
pub fn copy_coredump(
    root: &Root,
    name: &str,
    state_dir: &Path,
    keep: usize,
) -> Result<(PathBuf, Option<String>), CoredumpError> {
    let dir = root.path(format!("sys/class/devcoredump/{name}"));
    let from = dir.join("data");
    let stamp = incident::rfc3339(SystemTime::now()).replace(':', "");
    let dest_dir = state_dir.join("coredumps");
    let to = dest_dir.join(format!("{stamp}-{name}.bin"));
    let err = |source| CoredumpError::Copy {
        from: from.clone(),
        to: to.clone(),
        source,
    };
    std::fs::create_dir_all(&dest_dir).map_err(err)?;
    let mut src = std::fs::File::open(&from).map_err(err)?;
    let tmp = dest_dir.join(format!(".{stamp}-{name}.part"));
    let mut dst = std::fs::File::create(&tmp).map_err(err)?;
    std::io::copy(&mut src, &mut dst).map_err(err)?;
    dst.sync_all().map_err(err)?;
    std::fs::rename(&tmp, &to).map_err(err)?;
    let slot = std::fs::read_link(dir.join("failing_device"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n.parse::<crate::PciAddress>().is_ok());
    // Prune: the names sort by time.
    if let Ok(rd) = std::fs::read_dir(&dest_dir) {
        let mut copies: Vec<PathBuf> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "bin"))
            .collect();
        copies.sort();
        let excess = copies.len().saturating_sub(keep.max(1));
        for old in &copies[..excess] {
            let _ = std::fs::remove_file(old);
        }
    }
    Ok((to, slot))
}

/// Seconds since the epoch of an RFC 3339 `YYYY-MM-DDTHH:MM:SSZ` time.
fn parse_time(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

fn is_reset(i: &Incident) -> bool {
    matches!(i.kind, IncidentKind::Reset | IncidentKind::Wedged)
}

struct Daemon {
    cfg: WatchConfig,
    root: Root,
    agg: Aggregator,
    resets: Vec<SystemTime>,
    shared: Arc<Mutex<Shared>>,
    conn: Option<zbus::Connection>,
    sources: Vec<String>,
}

impl Daemon {
    fn status_line(&self) -> String {
        let count = self.shared.lock().map(|s| s.incident_count).unwrap_or(0);
        let src = if self.sources.is_empty() {
            "no event source".to_string()
        } else {
            self.sources.join(", ")
        };
        format!("watching {src}; {count} incident(s) recorded")
    }

    /// A new incident started: say so in the unit's status until it is recorded.
    fn opened(&self, opened: bool, ev: &crate::events::Event) {
        if opened {
            let dev = ev
                .card
                .as_deref()
                .or(ev.pci_slot.as_deref())
                .unwrap_or("a GPU");
            let _ = notify(&[State::Status(&format!(
                "GPU incident in progress on {dev}; {}",
                self.status_line()
            ))]);
        }
    }

    async fn on_raw(&mut self, raw: Raw) {
        let now = Instant::now();
        match raw {
            Raw::Kmsg(line) => {
                if let Some(ev) = parse_kmsg_line(&line) {
                    tracing::debug!(?ev, "kernel log event");
                    let opened = self.agg.push(&ev, now, SystemTime::now(), None);
                    self.opened(opened, &ev);
                }
            }
            Raw::Uevent(bytes) => {
                let Some(mut ev) = parse_uevent(&bytes) else {
                    return;
                };
                tracing::debug!(?ev, "uevent");
                let mut copy = None;
                if let EventKind::Devcoredump { name } = &ev.kind {
                    let (root, name, dir, keep) = (
                        self.root.clone(),
                        name.clone(),
                        self.cfg.state_dir.clone(),
                        self.cfg.keep_coredumps,
                    );
                    match tokio::task::spawn_blocking(move || {
                        copy_coredump(&root, &name, &dir, keep)
                    })
                    .await
                    {
                        Ok(Ok((path, slot))) => {
                            tracing::info!("devcoredump copied to {}", path.display());
                            copy = Some(path.display().to_string());
                            ev.pci_slot = slot;
                        }
                        Ok(Err(e)) => tracing::warn!("{e}"),
                        Err(e) => tracing::warn!("devcoredump copy task failed: {e}"),
                    }
                }
                let opened = self.agg.push(&ev, now, SystemTime::now(), copy);
                self.opened(opened, &ev);
            }
            Raw::Ended { source, why } => {
                tracing::warn!(
                    "event source {source} stopped: {why}; the watcher keeps running on the others"
                );
                self.sources.retain(|s| s != &source);
                let _ = notify(&[State::Status(&self.status_line())]);
            }
        }
    }

    async fn record(&mut self, mut inc: Incident) {
        if inc.card.is_none() {
            if let (Some(slot), Ok(gpus)) = (&inc.pci_slot, crate::detect_gpus(&self.root)) {
                inc.card = gpus
                    .gpus
                    .iter()
                    .find(|g| &g.pci_slot == slot)
                    .and_then(|g| g.drm_cards.first().cloned());
            }
        }
        let now = SystemTime::now();
        let window = Duration::from_secs(self.cfg.window_secs);
        self.resets
            .retain(|t| now.duration_since(*t).map_or(true, |age| age <= window));
        let earlier = u32::try_from(self.resets.len()).unwrap_or(u32::MAX);
        inc.action = match decide(&self.cfg.policy(), &inc, earlier) {
            Decision::Notify => "notified".into(),
            Decision::RestartUnit { unit, reason } => self.restart(&unit, &reason).await,
        };
        if is_reset(&inc) {
            self.resets.push(parse_time(&inc.time).unwrap_or(now));
        }
        if let Err(e) = incident::append(&self.cfg.state_dir, &inc) {
            tracing::error!("{e}");
        }
        let json = serde_json::to_string(&inc).unwrap_or_default();
        tracing::warn!(
            "GPU incident on {}: {:?}, outcome {:?}, VRAM lost: {}, process {}; {}",
            inc.card
                .as_deref()
                .or(inc.pci_slot.as_deref())
                .unwrap_or("an unnamed device"),
            inc.kind,
            inc.outcome,
            inc.vram_lost,
            inc.process.as_deref().unwrap_or("unknown"),
            inc.action
        );
        if let Ok(mut s) = self.shared.lock() {
            s.incident_count += 1;
            s.last_incident.clone_from(&json);
        }
        let _ = notify(&[State::Status(&self.status_line())]);
        if let Some(conn) = &self.conn {
            let kind = serde_json::to_value(inc.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let outcome = serde_json::to_value(inc.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let card = inc
                .card
                .clone()
                .or(inc.pci_slot.clone())
                .unwrap_or_default();
            match conn
                .object_server()
                .interface::<_, GpuIface>(OBJECT_PATH)
                .await
            {
                Ok(iface) => {
                    let emitter = iface.signal_emitter();
                    if let Err(e) =
                        GpuIface::reset(emitter, &card, &kind, inc.vram_lost, &outcome, &json).await
                    {
                        tracing::warn!("cannot emit the D-Bus Reset signal: {e}");
                    }
                    let i = iface.get().await;
                    let _ = i.incident_count_changed(emitter).await;
                    let _ = i.last_incident_changed(emitter).await;
                }
                Err(e) => tracing::warn!("D-Bus interface missing: {e}"),
            }
        }
    }

    async fn restart(&self, unit: &str, reason: &str) -> String {
        tracing::warn!("restarting {unit}: {reason}");
        let run = tokio::process::Command::new(&self.cfg.systemctl)
            .args(["restart", "--no-block", "--", unit])
            .stdin(std::process::Stdio::null())
            .output();
        match tokio::time::timeout(Duration::from_secs(30), run).await {
            Ok(Ok(out)) if out.status.success() => format!("restarted {unit} ({reason})"),
            Ok(Ok(out)) => format!(
                "restart of {unit} failed ({reason}): {} exited with {}: {}",
                self.cfg.systemctl.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Ok(Err(e)) => format!(
                "restart of {unit} failed ({reason}): cannot run {}: {e}",
                self.cfg.systemctl.display()
            ),
            Err(_) => format!(
                "restart of {unit} failed ({reason}): {} did not return within 30 s",
                self.cfg.systemctl.display()
            ),
        }
    }
}

async fn connect(bus: &BusChoice, iface: GpuIface) -> Option<zbus::Connection> {
    let builder = match bus {
        BusChoice::None => return None,
        BusChoice::System => zbus::connection::Builder::system(),
        BusChoice::Address(a) => zbus::connection::Builder::address(a.as_str()),
    };
    let built = async {
        builder?
            .serve_at(OBJECT_PATH, iface)?
            .name(BUS_NAME)?
            .build()
            .await
    };
    match built.await {
        Ok(c) => {
            tracing::info!("serving {BUS_NAME} at {OBJECT_PATH}");
            Some(c)
        }
        Err(e) => {
            tracing::warn!("no D-Bus ({e}); incidents are still recorded and logged");
            None
        }
    }
}

/// Run the watcher until SIGTERM/SIGINT.
pub async fn run(cfg: WatchConfig, bus: BusChoice) -> Result<(), WatchError> {
    use tokio::signal::unix::{signal, SignalKind};
    std::fs::create_dir_all(&cfg.state_dir).map_err(|source| WatchError::StateDir {
        path: cfg.state_dir.clone(),
        source,
    })?;
    // One watcher per state dir: two would record every incident twice.
    let _lock = axios_core::PidLock::try_acquire(&cfg.state_dir.join("watch.lock"))?;
    let root = Root::new(&cfg.root)?;
    let (previous, bad) = incident::load(&cfg.state_dir)?;
    if bad > 0 {
        tracing::warn!(
            "{bad} unreadable line(s) in {} skipped",
            incident::log_path(&cfg.state_dir).display()
        );
    }
    let window = Duration::from_secs(cfg.window_secs);
    let now = SystemTime::now();
    let resets = previous
        .iter()
        .filter(|i| is_reset(i))
        .filter_map(|i| parse_time(&i.time))
        .filter(|t| now.duration_since(*t).is_ok_and(|a| a <= window))
        .collect();
    let shared = Arc::new(Mutex::new(Shared {
        incident_count: u32::try_from(previous.len()).unwrap_or(u32::MAX),
        last_incident: previous
            .last()
            .and_then(|i| serde_json::to_string(i).ok())
            .unwrap_or_default(),
    }));

    let mut term = signal(SignalKind::terminate()).map_err(WatchError::Signals)?;
    let mut int = signal(SignalKind::interrupt()).map_err(WatchError::Signals)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut active = Vec::new();
    match sources::spawn_kmsg(&cfg.kmsg, tx.clone()) {
        Ok(()) => active.push(cfg.kmsg.display().to_string()),
        Err(e) => tracing::warn!("{e}"),
    }
    let uevents = match &cfg.uevent_socket {
        Some(p) => sources::spawn_uevent_socket(p, tx.clone()).map(|()| p.display().to_string()),
        None => sources::spawn_netlink(tx.clone()).map(|()| "netlink uevents".to_string()),
    };
    match uevents {
        Ok(name) => active.push(name),
        Err(e) => tracing::warn!("{e}"),
    }
    drop(tx);

    let iface = GpuIface {
        root: root.clone(),
        state_dir: cfg.state_dir.clone(),
        policy: serde_json::to_value(cfg.policy)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        shared: shared.clone(),
    };
    let conn = connect(&bus, iface).await;
    let mut d = Daemon {
        agg: Aggregator::new(Duration::from_millis(cfg.debounce_ms)),
        cfg,
        root,
        resets,
        shared,
        conn,
        sources: active,
    };
    let status = d.status_line();
    tracing::info!("{status}");
    let _ = notify(&[State::Ready, State::Status(&status)]);
    let watchdog = axios_core::notify::watchdog_interval().map(|i| i / 2);
    let mut next_ping = watchdog.map(|i| tokio::time::Instant::now() + i);
    let mut channel_open = true;
    loop {
        let deadline = d.agg.next_deadline().map(tokio::time::Instant::from_std);
        tokio::select! {
            raw = rx.recv(), if channel_open => match raw {
                Some(raw) => d.on_raw(raw).await,
                None => channel_open = false,
            },
            () = async { if let Some(t) = deadline { tokio::time::sleep_until(t).await } else { std::future::pending().await } } => {
                for inc in d.agg.take_due(Instant::now()) {
                    d.record(inc).await;
                }
            }
            () = async { if let Some(t) = next_ping { tokio::time::sleep_until(t).await } else { std::future::pending().await } } => {
                let _ = notify(&[State::Watchdog]);
                next_ping = watchdog.map(|i| tokio::time::Instant::now() + i);
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    let _ = notify(&[State::Stopping]);
    for inc in d.agg.take_all() {
        d.record(inc).await;
    }
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_round_trip() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_046_302);
        assert_eq!(parse_time(&incident::rfc3339(t)), Some(t));
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(parse_time("2026-1x-30T13:45:02Z"), None);
    }
}

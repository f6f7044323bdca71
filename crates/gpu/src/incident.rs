//! Incidents: a burst of hang events folded into one record, kept as JSON lines
//! in the watcher's state dir.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::events::{Event, EventKind};

/// The most serious thing an incident contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// Only a devcoredump appeared.
    Coredump,
    /// A ring timed out (a hung job), no reset seen.
    RingTimeout,
    /// The GPU was reset.
    Reset,
    /// The device is wedged: the kernel asks for a rebind or bus reset.
    Wedged,
}

/// How the incident ended, as far as the kernel said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentOutcome {
    /// A reset succeeded, or `WEDGED=none`.
    Recovered,
    /// A reset failed.
    ResetFailed,
    /// `WEDGED=<method>` other than none: userspace must recover the device.
    NeedsRecovery,
    /// No reset or recovery was reported.
    Unknown,
}

/// One incident, one JSON line in `incidents.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// RFC 3339 UTC time of the first event.
    pub time: String,
    pub card: Option<String>,
    pub pci_slot: Option<String>,
    pub kind: IncidentKind,
    pub ring: Option<String>,
    pub vram_lost: bool,
    pub process: Option<String>,
    pub pid: Option<u32>,
    /// `WEDGED=` recovery method, when the kernel sent one.
    pub wedged: Option<String>,
    pub outcome: IncidentOutcome,
    /// Where the devcoredump was copied (inside the state dir).
    pub coredump: Option<String>,
    /// Kernel events folded into this incident.
    pub events: u32,
    /// What the watcher did: `notified`, `restarted <unit>`, or why it could not.
    pub action: String,
}

/// Format `t` as RFC 3339 UTC with seconds (`2026-11-30T13:45:02Z`).
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// An incident being assembled.
#[derive(Debug, Clone)]
struct Open {
    incident: Incident,
    last: Instant,
}

/// Folds bursts of events into incidents: events for the same device that arrive
/// less than `quiet` apart belong to one incident; it closes after `quiet` of silence.
/// Events that name no device join the device's open incident when there is one.
#[derive(Debug)]
pub struct Aggregator {
    quiet: Duration,
    open: BTreeMap<String, Open>,
}

const ANY: &str = "?";

impl Aggregator {
    pub fn new(quiet: Duration) -> Self {
        Self {
            quiet,
            open: BTreeMap::new(),
        }
    }

    /// Add an event seen at `now` (wall time `wall`); `coredump` is where its dump was copied.
    /// Returns true when the event opened a new incident.
    pub fn push(
        &mut self,
        ev: &Event,
        now: Instant,
        wall: SystemTime,
        coredump: Option<String>,
    ) -> bool {
        let key = match (&ev.pci_slot, &ev.card) {
            (Some(s), _) => s.clone(),
            (None, Some(c)) => self
                .open
                .iter()
                .find(|(_, o)| o.incident.card.as_deref() == Some(c))
                .map(|(k, _)| k.clone())
                .unwrap_or_else(|| c.clone()),
            // Nameless lines (`[drm] VRAM is lost`) belong to the one incident open.
            (None, None) if self.open.len() == 1 => {
                self.open.keys().next().cloned().unwrap_or_default()
            }
            (None, None) => ANY.to_string(),
        };
        // A device-less incident opened first is adopted by the first named device.
        if key != ANY {
            if let Some(o) = self.open.remove(ANY) {
                self.open.entry(key.clone()).or_insert(o);
            }
        }
        let opened = !self.open.contains_key(&key);
        let o = self.open.entry(key).or_insert_with(|| Open {
            incident: Incident {
                time: rfc3339(wall),
                card: None,
                pci_slot: None,
                kind: IncidentKind::Coredump,
                ring: None,
                vram_lost: false,
                process: None,
                pid: None,
                wedged: None,
                outcome: IncidentOutcome::Unknown,
                coredump: None,
                events: 0,
                action: String::new(),
            },
            last: now,
        });
        o.last = now;
        let i = &mut o.incident;
        i.events += 1;
        if i.pci_slot.is_none() {
            i.pci_slot.clone_from(&ev.pci_slot);
        }
        if i.card.is_none() {
            i.card.clone_from(&ev.card);
        }
        if coredump.is_some() {
            i.coredump = coredump;
        }
        let raise = |i: &mut Incident, k| i.kind = i.kind.max(k);
        match &ev.kind {
            EventKind::RingTimeout { ring } => {
                raise(i, IncidentKind::RingTimeout);
                if i.ring.is_none() {
                    i.ring = Some(ring.clone());
                }
            }
            EventKind::Process { process, pid } => {
                if i.process.is_none() {
                    i.process = Some(process.clone());
                    i.pid = Some(*pid);
                }
            }
            EventKind::ResetBegin => raise(i, IncidentKind::Reset),
            EventKind::ResetSucceeded | EventKind::WedgedRecovered => {
                raise(i, IncidentKind::Reset);
                if i.outcome != IncidentOutcome::NeedsRecovery {
                    i.outcome = IncidentOutcome::Recovered;
                }
            }
            EventKind::ResetFailed => {
                raise(i, IncidentKind::Reset);
                i.outcome = IncidentOutcome::ResetFailed;
            }
            EventKind::VramLost => {
                raise(i, IncidentKind::Reset);
                i.vram_lost = true;
            }
            EventKind::Wedged { method } => {
                i.wedged = Some(method.clone());
                if method == "none" {
                    raise(i, IncidentKind::Reset);
                    if i.outcome == IncidentOutcome::Unknown {
                        i.outcome = IncidentOutcome::Recovered;
                    }
                } else {
                    raise(i, IncidentKind::Wedged);
                    i.outcome = IncidentOutcome::NeedsRecovery;
                }
            }
            EventKind::Devcoredump { .. } => {}
        }
        opened
    }

    /// Incidents quiet for at least the debounce period at `now`, removed.
    pub fn take_due(&mut self, now: Instant) -> Vec<Incident> {
        let due: Vec<String> = self
            .open
            .iter()
            .filter(|(_, o)| now.saturating_duration_since(o.last) >= self.quiet)
            .map(|(k, _)| k.clone())
            .collect();
        due.into_iter()
            .filter_map(|k| self.open.remove(&k).map(|o| o.incident))
            .collect()
    }

    /// Every open incident, removed (at shutdown).
    pub fn take_all(&mut self) -> Vec<Incident> {
        std::mem::take(&mut self.open)
            .into_values()
            .map(|o| o.incident)
            .collect()
    }

    /// When the next open incident will be due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.open.values().map(|o| o.last + self.quiet).min()
    }
}

/// Errors of the incident log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot write incident log {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read incident log {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The incident log file in `state_dir`.
pub fn log_path(state_dir: &Path) -> PathBuf {
    state_dir.join("incidents.jsonl")
}

/// Append `incident` as one line (O_APPEND, fsynced): a crash loses at most the
/// line being written, never earlier ones.
pub fn append(state_dir: &Path, incident: &Incident) -> Result<(), StoreError> {
    let path = log_path(state_dir);
    let err = |source| StoreError::Write {
        path: path.clone(),
        source,
    };
    let mut line = serde_json::to_string(incident).map_err(|e| err(std::io::Error::other(e)))?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(err)?;
    f.write_all(line.as_bytes()).map_err(err)?;
    f.sync_data().map_err(err)
}

/// Incidents in the log, oldest first, and how many lines could not be read
/// (a torn last line after a crash, hand edits).
pub fn load(state_dir: &Path) -> Result<(Vec<Incident>, usize), StoreError> {
    let path = log_path(state_dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(source) => return Err(StoreError::Read { path, source }),
    };
    let mut out = Vec::new();
    let mut bad = 0;
    for line in String::from_utf8_lossy(&bytes).lines() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(i) => out.push(i),
            Err(_) => bad += 1,
        }
    }
    Ok((out, bad))
}

/// The human table of incidents.
pub fn to_text(list: &[Incident]) -> String {
    let header = [
        "TIME",
        "CARD",
        "KIND",
        "RING",
        "VRAM LOST",
        "PROCESS",
        "OUTCOME",
        "ACTION",
    ]
    .map(String::from);
    let json_str = |v: serde_json::Result<serde_json::Value>| {
        v.ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let rows: Vec<[String; 8]> = list
        .iter()
        .map(|i| {
            [
                i.time.clone(),
                i.card
                    .clone()
                    .or(i.pci_slot.clone())
                    .unwrap_or_else(|| "-".into()),
                json_str(serde_json::to_value(i.kind)),
                i.ring.clone().unwrap_or_else(|| "-".into()),
                if i.vram_lost { "yes" } else { "no" }.into(),
                match (&i.process, i.pid) {
                    (Some(p), Some(pid)) => format!("{p} ({pid})"),
                    _ => "-".into(),
                },
                json_str(serde_json::to_value(i.outcome)),
                i.action.clone(),
            ]
        })
        .collect();
    crate::view::table(&header, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{parse_kmsg_line, parse_uevent};

    #[test]
    fn rfc3339_dates() {
        let t = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(rfc3339(t(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(t(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(t(1_796_046_302)), "2026-11-30T13:45:02Z");
    }

    const BURST: &[&str] = &[
        "3,900,100,-;amdgpu 0000:03:00.0: amdgpu: ring gfx_0.0.0 timeout, signaled seq=1234, emitted seq=1236",
        "3,901,101,-;amdgpu 0000:03:00.0: amdgpu:  Process information: process Xwayland pid 2345 thread Xwayland:cs0 pid 2350",
        "4,902,102,-;amdgpu 0000:03:00.0: amdgpu: GPU reset begin!",
        "6,903,103,-;[drm] VRAM is lost due to GPU reset!",
        "6,904,104,-;amdgpu 0000:03:00.0: amdgpu: GPU reset(2) succeeded!",
    ];

    #[test]
    fn a_burst_is_one_incident() {
        let mut a = Aggregator::new(Duration::from_secs(2));
        let t0 = Instant::now();
        for (i, l) in BURST.iter().enumerate() {
            let ev = parse_kmsg_line(l).expect("event");
            a.push(
                &ev,
                t0 + Duration::from_millis(100 * i as u64),
                SystemTime::now(),
                None,
            );
        }
        assert!(
            a.take_due(t0 + Duration::from_millis(2000)).is_empty(),
            "still within the burst"
        );
        assert_eq!(a.next_deadline(), Some(t0 + Duration::from_millis(2400)));
        let done = a.take_due(t0 + Duration::from_millis(2400));
        assert_eq!(done.len(), 1);
        let i = &done[0];
        assert_eq!(
            (i.kind, i.outcome, i.vram_lost, i.events),
            (IncidentKind::Reset, IncidentOutcome::Recovered, true, 5)
        );
        assert_eq!(i.ring.as_deref(), Some("gfx_0.0.0"));
        assert_eq!(
            (i.process.as_deref(), i.pid),
            (Some("Xwayland"), Some(2345))
        );
        assert_eq!(i.pci_slot.as_deref(), Some("0000:03:00.0"));
        assert!(a.next_deadline().is_none());
    }

    #[test]
    fn separate_devices_and_separate_bursts() {
        let mut a = Aggregator::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let w = SystemTime::now();
        let e1 = parse_kmsg_line(BURST[0]).expect("e");
        let e2 = parse_kmsg_line(&BURST[0].replace("0000:03:00.0", "0000:0e:00.0")).expect("e");
        a.push(&e1, t0, w, None);
        a.push(&e2, t0, w, None);
        a.push(&e1, t0 + Duration::from_secs(5), w, None);
        let done = a.take_due(t0 + Duration::from_secs(5));
        assert_eq!(done.len(), 1, "0e:00.0 is due, 03:00.0 got a new event");
        assert_eq!(done[0].pci_slot.as_deref(), Some("0000:0e:00.0"));
    }

    #[test]
    fn wedged_uevent_then_kmsg_join_by_card_and_slot() {
        let mut a = Aggregator::new(Duration::from_secs(1));
        let t0 = Instant::now();
        let w = SystemTime::now();
        let dump = parse_uevent(b"add@/devices/virtual/devcoredump/devcd1\0ACTION=add\0DEVPATH=/devices/virtual/devcoredump/devcd1\0SUBSYSTEM=devcoredump\0").expect("dump");
        a.push(&dump, t0, w, Some("coredumps/x".into()));
        let wedged = parse_uevent(b"change@/devices/pci0000:00/0000:00:03.1/0000:03:00.0/drm/card0\0ACTION=change\0DEVPATH=/devices/pci0000:00/0000:00:03.1/0000:03:00.0/drm/card0\0SUBSYSTEM=drm\0WEDGED=rebind\0").expect("w");
        a.push(&wedged, t0, w, None);
        a.push(&parse_kmsg_line(BURST[0]).expect("e"), t0, w, None);
        let done = a.take_all();
        assert_eq!(done.len(), 1, "{done:?}");
        let i = &done[0];
        assert_eq!(
            (i.kind, i.outcome),
            (IncidentKind::Wedged, IncidentOutcome::NeedsRecovery)
        );
        assert_eq!(i.card.as_deref(), Some("card0"));
        assert_eq!(i.coredump.as_deref(), Some("coredumps/x"));
        assert_eq!(i.wedged.as_deref(), Some("rebind"));
    }

    #[test]
    fn log_round_trip_skips_torn_lines() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut a = Aggregator::new(Duration::ZERO);
        a.push(
            &parse_kmsg_line(BURST[2]).expect("e"),
            Instant::now(),
            SystemTime::now(),
            None,
        );
        let mut i = a.take_all().remove(0);
        i.action = "notified".into();
        append(dir.path(), &i).expect("append");
        std::fs::OpenOptions::new()
            .append(true)
            .open(log_path(dir.path()))
            .and_then(|mut f| f.write_all(b"{\"time\": \"torn"))
            .expect("torn");
        let (list, bad) = load(dir.path()).expect("load");
        assert_eq!(list, vec![i]);
        assert_eq!(bad, 1);
    }
}

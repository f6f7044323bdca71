//! GPU: PRIME drift (the boot-time `check-prime` result, re-checked against the
//! hardware now) and the recovery incidents the hang watcher recorded.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use axios_core::Root;
use axios_gpu::incident::{Incident, IncidentKind, IncidentOutcome, StoreError};
use axios_gpu::prime::{PrimeCheck, PrimeCheckEntry};
use axios_gpu::{BusId, PrimeRole};

use super::{regular, Domain, DomainStatus, Finding, Health, Options, Severity};

/// Incidents younger than this are "recent" (warnings); older ones are history.
pub const RECENT: Duration = Duration::from_secs(7 * 86_400);

const REBUILD: &str = "and run `sudo nixos-rebuild boot` (the check runs again at the next boot)";

fn f(sev: Severity, subject: &str, msg: String, fix: Option<String>) -> Finding {
    Finding::new(Domain::Gpu, sev, subject, msg, fix)
}

pub fn check(o: &Options, h: &mut Health) {
    let prime = &o.gpu_prime_check;
    let state = &o.gpu_state_dir;
    let has_prime = std::fs::symlink_metadata(prime).is_ok();
    let has_state = std::fs::symlink_metadata(state).is_ok();
    h.domains.push(DomainStatus {
        domain: Domain::Gpu,
        configured: has_prime || has_state,
        source: format!("{} or {}", prime.display(), state.display()),
    });
    if has_prime {
        prime_drift(o, h);
    }
    if has_state {
        incidents(o, h);
    }
}

/// The boot-time result, re-checked against the GPUs below `--root` now (a GPU may have
/// moved since boot: an eGPU, a BIOS update, a card in another slot).
fn prime_drift(o: &Options, h: &mut Health) {
    let path = &o.gpu_prime_check;
    let source = path.display().to_string();
    let bytes = match regular(path).and_then(|()| std::fs::read(path)) {
        Ok(b) => b,
        Err(e) => {
            h.findings.push(f(
                Severity::Warning,
                &source,
                format!("cannot read the boot-time PRIME check: {e}"),
                Some("`sudo systemctl restart axios-gpu-check-prime` writes it again".into()),
            ));
            return;
        }
    };
    let boot: PrimeCheck = match serde_json::from_slice(&bytes) {
        Ok(c) => c,
        Err(e) => {
            h.findings.push(f(
                Severity::Warning,
                &source,
                format!("not a PRIME check result: {e}"),
                Some("`sudo systemctl restart axios-gpu-check-prime` writes it again".into()),
            ));
            return;
        }
    };
    let now = recheck(&o.root, &boot);
    let when = if now.is_some() { "now" } else { "at boot" };
    let entries = now.as_ref().map_or(&boot.entries, |c| &c.entries);
    for e in entries {
        let subject = format!("prime {}", e.option.option());
        if e.ok {
            h.findings.push(f(
                Severity::Ok,
                &subject,
                format!("{} ({when})", e.message),
                None,
            ));
        } else {
            h.findings.push(f(
                Severity::Error,
                &subject,
                format!("{} ({when})", stale_part(e)),
                Some(stale_fix(e)),
            ));
        }
    }
    if let Some(now) = &now {
        // stale at boot but fine now: the session runs with the stale IDs until a reboot
        for b in boot.entries.iter().filter(|b| !b.ok) {
            if now.entries.iter().any(|n| n.option == b.option && n.ok) {
                h.findings.push(f(
                    Severity::Warning,
                    &format!("prime {}", b.option.option()),
                    format!(
                        "was stale at boot ({}); it matches the hardware now",
                        stale_part(b)
                    ),
                    Some("reboot so the driver starts with the matching IDs".into()),
                ));
            }
        }
    }
}

/// The message up to the suggestion (the fix carries it).
fn stale_part(e: &PrimeCheckEntry) -> &str {
    e.message
        .split_once("; use ")
        .map_or(e.message.as_str(), |(m, _)| m)
}

fn stale_fix(e: &PrimeCheckEntry) -> String {
    let opt = e.option.option();
    match &e.use_instead {
        Some(id) => format!("set axios.hardware.prime.{opt} = \"{id}\" {REBUILD}"),
        None => format!(
            "this machine has no GPU for {opt}: set axios.hardware.prime.enable = false {REBUILD}"
        ),
    }
}

/// `check-prime` again with the IDs the boot unit was given; `None` when the hardware
/// cannot be read (the boot result stands).
fn recheck(root: &Root, boot: &PrimeCheck) -> Option<PrimeCheck> {
    let ids: Vec<(PrimeRole, BusId)> = boot
        .entries
        .iter()
        .map(|e| Some((e.option, e.configured.parse::<BusId>().ok()?)))
        .collect::<Option<_>>()?;
    let gpus = axios_gpu::detect_gpus(root).ok()?;
    axios_gpu::prime::check(root, &gpus, &ids).ok()
}

fn card_number(i: &Incident) -> Option<&str> {
    i.card
        .as_deref()
        .and_then(|c| c.strip_prefix("card"))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn describe(i: &Incident) -> String {
    let mut s = format!(
        "{} at {}",
        match i.kind {
            IncidentKind::Coredump => "devcoredump",
            IncidentKind::RingTimeout => "ring timeout",
            IncidentKind::Reset => "reset",
            IncidentKind::Wedged => "wedged",
        },
        i.time
    );
    if let Some(r) = &i.ring {
        s.push_str(&format!(", ring {r}"));
    }
    if let Some(p) = &i.process {
        s.push_str(&format!(", process {p}"));
    }
    s
}

fn incidents(o: &Options, h: &mut Health) {
    let dir = &o.gpu_state_dir;
    let log = axios_gpu::incident::log_path(dir);
    let source = log.display().to_string();
    let list_fix = format!("`sudo axios-gpu incidents --state-dir {}`", dir.display());
    let loaded = match regular(&log) {
        Err(source) => Err(StoreError::Read {
            path: log.clone(),
            source,
        }),
        Ok(()) => axios_gpu::incident::load(dir),
    };
    let (list, bad) = match loaded {
        Ok(x) => x,
        Err(e) => {
            let denied = matches!(&e, StoreError::Read { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied);
            h.findings.push(f(
                if denied {
                    Severity::Info
                } else {
                    Severity::Warning
                },
                &source,
                format!("cannot read the GPU incidents: {e}"),
                Some(if denied {
                    "the watcher's state is root's: run `sudo axios doctor` to see the incidents"
                        .into()
                } else {
                    format!("move {source} away if it is not the watcher's log")
                }),
            ));
            return;
        }
    };
    if bad > 0 {
        h.findings.push(f(
            Severity::Info,
            &source,
            format!("{bad} line(s) are not incidents (a torn last line after a crash, or an edit) and were skipped"),
            None,
        ));
    }
    let cutoff = axios_gpu::incident::rfc3339(
        SystemTime::UNIX_EPOCH + Duration::from_secs(o.now.saturating_sub(RECENT.as_secs())),
    );
    // by device, oldest first (the log's order)
    let mut by_dev: BTreeMap<String, Vec<&Incident>> = BTreeMap::new();
    let mut older = 0usize;
    for i in &list {
        if i.time.as_str() < cutoff.as_str() {
            older += 1;
            continue;
        }
        let dev = i
            .pci_slot
            .clone()
            .or_else(|| i.card.clone())
            .unwrap_or_else(|| "unknown device".into());
        by_dev.entry(dev).or_default().push(i);
    }
    let days = RECENT.as_secs() / 86_400;
    if by_dev.is_empty() {
        h.findings.push(f(
            Severity::Ok,
            "gpu incidents",
            if older == 0 {
                "the hang watcher recorded no GPU incident".into()
            } else {
                format!("no GPU incident in the last {days} days ({older} older in {source})")
            },
            None,
        ));
        return;
    }
    for (dev, recent) in by_dev {
        let subject = format!("gpu {dev}");
        let Some(last) = recent.last() else { continue };
        let unrecovered = matches!(
            last.outcome,
            IncidentOutcome::ResetFailed | IncidentOutcome::NeedsRecovery
        );
        if unrecovered {
            let what = match (&last.outcome, &last.wedged) {
                (IncidentOutcome::NeedsRecovery, Some(m)) => {
                    format!("the kernel reports the GPU wedged (WEDGED={m}): it needs recovery")
                }
                _ => "the GPU reset FAILED: the GPU is likely unusable until recovered".into(),
            };
            let fix = match card_number(last) {
                Some(n) => format!("`sudo axios-gpu recover {n}`, or reboot if that fails"),
                None => "reboot (no DRM card was named to recover)".into(),
            };
            h.findings.push(f(
                Severity::Error,
                &subject,
                format!("last incident ({}): {what}", describe(last)),
                Some(fix),
            ));
        }
        let resets = recent
            .iter()
            .filter(|i| i.kind >= IncidentKind::Reset)
            .count();
        let vram = recent.iter().filter(|i| i.vram_lost).count();
        let failed = recent
            .iter()
            .filter(|i| {
                matches!(
                    i.outcome,
                    IncidentOutcome::ResetFailed | IncidentOutcome::NeedsRecovery
                )
            })
            .count();
        let hangs = recent
            .iter()
            .filter(|i| i.kind == IncidentKind::RingTimeout)
            .count();
        let mut parts = Vec::new();
        if resets > 0 {
            parts.push(format!("{resets} reset(s)"));
        }
        if vram > 0 {
            parts.push(format!("VRAM lost {vram} time(s)"));
        }
        if failed > 0 {
            parts.push(format!("{failed} failed recovery(ies)"));
        }
        if hangs > 0 {
            parts.push(format!("{hangs} ring timeout(s) without reset"));
        }
        if unrecovered && recent.len() == 1 {
            continue; // the error above says it all
        }
        if parts.is_empty() {
            // only devcoredumps: the driver saved a dump, nothing hung
            h.findings.push(f(
                Severity::Info,
                &subject,
                format!(
                    "{} devcoredump(s) in the last {days} days, no hang or reset (last {})",
                    recent.len(),
                    last.time
                ),
                None,
            ));
            continue;
        }
        let mut procs: Vec<&str> = recent.iter().filter_map(|i| i.process.as_deref()).collect();
        procs.sort_unstable();
        procs.dedup();
        let culprit = match procs.as_slice() {
            [] => String::new(),
            p => format!("; process(es): {}", p.join(", ")),
        };
        let fix = if vram > 0 {
            format!("restart the apps that use the GPU (their VRAM contents are gone); {list_fix} lists the incidents")
        } else {
            format!("{list_fix} lists them; repeated hangs of one process point at it (update it, Mesa or the kernel)")
        };
        h.findings.push(f(
            Severity::Warning,
            &subject,
            format!(
                "in the last {days} days: {} (last: {}){culprit}",
                parts.join(", "),
                describe(last)
            ),
            Some(fix),
        ));
    }
}

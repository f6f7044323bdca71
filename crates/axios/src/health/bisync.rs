//! bisync pairs: last success, lockouts, refused runs waiting for approval.

use axios_bisync::state::fmt_secs;
use axios_bisync::{Config, Guard};

use super::{Domain, DomainStatus, Finding, Health, Options, Severity};

fn ago(now: u64, t: u64) -> String {
    let s = now.saturating_sub(t);
    match s {
        0..=119 => format!("{s} s ago"),
        120..=7199 => format!("{} min ago", s / 60),
        7200..=172_799 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86400),
    }
}

pub fn check(o: &Options, h: &mut Health) {
    let Some(path) = &o.bisync_config else {
        h.domains.push(DomainStatus {
            domain: Domain::Bisync,
            configured: false,
            source: "axios-bisync config ($HOME is not set; pass --bisync-config)".into(),
        });
        return;
    };
    let Some(source) = h.domain(Domain::Bisync, path) else {
        return;
    };
    let f = |sev, subject: &str, msg: String, fix: Option<String>| {
        Finding::new(Domain::Bisync, sev, subject, msg, fix)
    };
    let cfg = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                &source,
                format!("the config cannot be used: {e}"),
                Some("the file comes from services.gdrive-sync: fix it there and run `home-manager switch` (or nixos-rebuild)".into()),
            ));
            return;
        }
    };
    let notify_after: Vec<(String, u64)> = cfg
        .pairs
        .iter()
        .map(|(n, p)| (n.clone(), p.notify_after.as_secs()))
        .collect();
    let statuses = match Guard::new(cfg).status(&[]) {
        Ok(s) => s,
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                &source,
                format!("the pairs' state cannot be read: {e}"),
                Some("`axios-bisync status` names the file; move a corrupt state file away".into()),
            ));
            return;
        }
    };
    if statuses.is_empty() {
        h.findings.push(f(
            Severity::Info,
            &source,
            "no pairs are configured".into(),
            None,
        ));
    }
    for s in statuses {
        let subject = format!("pair {}", s.pair);
        let p = &s.pair;
        let mut problem = false;
        if let Some(l) = &s.locked_out {
            problem = true;
            h.findings.push(f(
                Severity::Error,
                &subject,
                format!("locked out since {}: {}", fmt_secs(l.since), l.reason),
                Some(format!(
                    "`axios-bisync recover {p}` shows what a resync would change, then does it"
                )),
            ));
        }
        if let (Some(pe), false) = (&s.pending, s.approved) {
            problem = true;
            h.findings.push(f(
                Severity::Warning,
                &subject,
                format!(
                    "a run was refused at {} and waits for approval: {} ({} deletion(s) on {}, {} on {})",
                    fmt_secs(pe.at),
                    pe.reason,
                    pe.delete_on_path2,
                    s.path2.display(),
                    pe.delete_on_path1,
                    s.path1
                ),
                Some(format!("check `axios-bisync status {p}`; if the deletions are wanted, `axios-bisync approve {p}`")),
            ));
        }
        if !s.initialized {
            problem = true;
            h.findings.push(f(
                Severity::Warning,
                &subject,
                "never initialised: no sync has run yet".into(),
                Some(format!(
                    "`axios-bisync init {p}` shows what the first sync copies where, then does it"
                )),
            ));
        } else {
            let limit = notify_after
                .iter()
                .find(|(n, _)| n == p)
                .map_or(2 * 86400, |(_, s)| *s);
            match s.last_success {
                None => {
                    problem = true;
                    h.findings.push(f(
                        Severity::Warning,
                        &subject,
                        "no successful sync yet".into(),
                        Some(format!("`axios-bisync run {p}` and read its message; `journalctl --user -u gdrive-sync-{p}`")),
                    ));
                }
                Some(t) if o.now.saturating_sub(t) > limit => {
                    problem = true;
                    h.findings.push(f(
                        Severity::Warning,
                        &subject,
                        format!(
                            "last success {} ({}), longer ago than notify_after; last result: {}",
                            fmt_secs(t),
                            ago(o.now, t),
                            s.last_result.as_deref().unwrap_or("none")
                        ),
                        Some(format!("`journalctl --user -u gdrive-sync-{p}` says why; `axios-bisync run {p}` to try now")),
                    ));
                }
                Some(_) => {}
            }
        }
        if s.interrupted && !s.running {
            h.findings.push(f(
                Severity::Info,
                &subject,
                "the last run was interrupted; the next run reconciles before syncing".into(),
                None,
            ));
        }
        if !problem {
            let when = s.last_success.map_or_else(
                || "never".into(),
                |t| format!("{} ({})", fmt_secs(t), ago(o.now, t)),
            );
            h.findings.push(f(
                Severity::Ok,
                &subject,
                format!("last success {when}"),
                None,
            ));
        }
    }
}

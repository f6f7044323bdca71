//! VR: the effective OpenXR runtime as the loader resolves it, an interrupted
//! switch, WiVRn's leftovers and drift since the last `axios-vr select`, all from
//! `axios_vr::report::status` (units are not asked: doctor talks to no D-Bus).

use std::path::Path;

use axios_vr::report::StatusReport;
use axios_vr::Config;

use super::{regular, Domain, Finding, Health, Options, Severity};

fn f(sev: Severity, subject: &str, msg: String, fix: Option<String>) -> Finding {
    Finding::new(Domain::Vr, sev, subject, msg, fix)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

pub fn check(o: &Options, h: &mut Health) {
    let Some(source) = h.domain(Domain::Vr, &o.vr_config) else {
        return;
    };
    let loaded = regular(&o.vr_config)
        .map_err(|e| e.to_string())
        .and_then(|()| Config::load(&o.vr_config).map_err(|e| e.to_string()));
    let cfg = match loaded {
        Ok(c) => c,
        Err(e) => {
            h.findings.push(f(
                Severity::Error,
                &source,
                format!("the backends file cannot be used: {e}"),
                Some("the file comes from the VR module (axios.vr): fix it there and run `sudo nixos-rebuild switch`".into()),
            ));
            return;
        }
    };
    let paths = match &o.vr_paths {
        Ok(p) => p,
        Err(why) => {
            h.findings
                .push(f(Severity::Info, &source, why.clone(), None));
            return;
        }
    };
    let mut no_units = |_: &str, _| Err("not asked by axios doctor".to_string());
    let r = axios_vr::report::status(paths, &cfg, &mut no_units);
    let select = |b: Option<&str>| match b.or(cfg.default.as_deref()) {
        Some(b) => format!("`axios-vr select {b}`"),
        None => format!("`axios-vr select BACKEND` (one of {})", cfg.names()),
    };
    let sel = r.selected.as_ref().map(|s| s.backend.as_str());

    if r.interrupted {
        h.findings.push(f(
            Severity::Error,
            "vr switch",
            format!(
                "a runtime switch was killed half-way (journal in {}): the runtime files may be half-switched",
                r.state_dir.display()
            ),
            Some("`axios-vr recover` rolls it back (the next `axios-vr select` does it first anyway)".into()),
        ));
    }
    let state = axios_vr::txn::StateDir::new(paths).state();
    if r.selected.is_none() && std::fs::symlink_metadata(&state).is_ok() {
        h.findings.push(f(
            Severity::Warning,
            "vr switch",
            format!(
                "{} is not a record of the last select: drift cannot be checked",
                state.display()
            ),
            Some(format!("{} writes it again", select(None))),
        ));
    }
    runtime(&r, paths, h, &select, sel);
    // drift since the last select
    if let Some(s) = &r.selected {
        let b = &s.backend;
        if paths.xr_runtime_json.is_none() && r.openxr_backend.as_deref() != Some(b.as_str()) {
            let now = r
                .openxr
                .as_ref()
                .map_or("none".to_string(), |x| x.file.display().to_string());
            h.findings.push(f(
                Severity::Warning,
                "vr openxr",
                format!("the active OpenXR runtime ({now}) is not the selected backend `{b}` any more (a WiVRn or Monado started by hand takes it)"),
                Some(format!("{} again", select(Some(b)))),
            ));
        }
        let first = r.vrpath.runtime.first().map(std::path::PathBuf::from);
        if first
            .as_deref()
            .is_none_or(|p| !same_file(p, &s.openvr_runtime))
        {
            h.findings.push(f(
                Severity::Warning,
                "vr openvr",
                format!(
                    "{} no longer points at {} for `{b}` (Steam rewrites it when it starts)",
                    r.vrpath.path.display(),
                    s.openvr_runtime.display()
                ),
                Some(format!("{} again", select(Some(b)))),
            ));
        }
    }
    if let Some(e) = &r.vrpath.error {
        h.findings.push(f(
            Severity::Error,
            "vr openvr",
            format!("{} cannot be read: {e}", r.vrpath.path.display()),
            Some(format!(
                "move it away and {} (Steam recreates its own entries)",
                select(sel)
            )),
        ));
    }
    if !r.wivrn_leftovers.is_empty() {
        let list: Vec<String> = r
            .wivrn_leftovers
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        h.findings.push(f(
            Severity::Warning,
            "vr leftovers",
            format!(
                "WiVRn left these behind (they make Steam and other runtimes misbehave): {}",
                list.join(", ")
            ),
            Some(format!("{} cleans them", select(sel))),
        ));
    }
}

/// The runtime the OpenXR loader would load.
fn runtime(
    r: &StatusReport,
    paths: &axios_vr::Paths,
    h: &mut Health,
    select: &dyn Fn(Option<&str>) -> String,
    sel: Option<&str>,
) {
    let subject = "vr openxr";
    if let Some(env) = &paths.xr_runtime_json {
        h.findings.push(f(
            Severity::Warning,
            subject,
            format!(
                "XR_RUNTIME_JSON={} is set: it overrides every active_runtime file",
                env.display()
            ),
            Some("unset XR_RUNTIME_JSON (shell profile, session or Steam launch options)".into()),
        ));
    }
    let Some(x) = &r.openxr else {
        h.findings.push(f(
            Severity::Warning,
            subject,
            "the OpenXR loader finds no active runtime: OpenXR apps will not start".into(),
            Some(select(sel)),
        ));
        return;
    };
    if !x.dangling.is_empty() {
        let list: Vec<String> = x.dangling.iter().map(|p| p.display().to_string()).collect();
        h.findings.push(f(
            Severity::Warning,
            subject,
            format!(
                "dangling active runtime link(s), skipped by the loader: {}",
                list.join(", ")
            ),
            Some(format!("remove them, or {}", select(sel))),
        ));
    }
    match &x.manifest {
        Err(e) => h.findings.push(f(
            Severity::Error,
            subject,
            format!(
                "the active runtime {} is broken, the loader fails on it: {e}",
                x.file.display()
            ),
            Some(select(sel)),
        )),
        Ok(m) if m.library_exists == Some(false) => h.findings.push(f(
            Severity::Error,
            subject,
            format!(
                "the active runtime {} names a library that does not exist: {}",
                x.file.display(),
                match &m.library {
                    axios_vr::openxr::Library::File(p) => p.display().to_string(),
                    axios_vr::openxr::Library::Search(n) => n.clone(),
                }
            ),
            Some(format!(
                "{} (a garbage-collected store path: the backend was removed or updated)",
                select(sel)
            )),
        )),
        Ok(m) => {
            let by = match &r.openxr_backend {
                Some(b) => format!("backend `{b}`"),
                None => "no configured backend".into(),
            };
            h.findings.push(f(
                Severity::Ok,
                subject,
                format!(
                    "the OpenXR loader loads {} from {} ({by})",
                    m.display_name(),
                    x.file.display()
                ),
                None,
            ));
        }
    }
}

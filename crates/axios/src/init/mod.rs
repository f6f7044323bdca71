//! `axios init DIR`: a downstream configuration flake for this machine.
//!
//! - [`facts`]: the machine's facts, from the hardware report.
//! - [`values`]: the values asked for (hostname, user, ...) and their validation.
//! - [`render`]: the files, as text (Nix strings escaped).
//! - [`write`]: writing them, everything or nothing.
//! - [`prompt`]: asking on a terminal, detected defaults pre-filled.

pub mod facts;
pub mod prompt;
pub mod render;
pub mod values;
pub mod write;

use std::path::{Path, PathBuf};

pub use facts::Facts;
pub use render::File;
pub use values::{Answers, ValueError};
pub use write::WriteError;

/// Why init wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("hardware detection failed: {0}")]
    Detect(#[from] crate::DetectError),
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("prompt: {0}")]
    Prompt(String),
}

/// Values given on the command line (each one optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Given {
    pub hostname: Option<String>,
    pub user: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub form_factor: Option<String>,
    pub modules: Option<Vec<String>>,
}

/// What the machine suggests for the values that are asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub hostname: Option<String>,
    pub user: Option<String>,
    pub timezone: Option<String>,
    pub locale: String,
    pub form_factor: String,
    pub modules: Vec<String>,
}

/// The default locale when the machine names none.
pub const DEFAULT_LOCALE: &str = "en_US.UTF-8";

fn read_trim(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Defaults from the tree under `root` (`etc/hostname`, `etc/timezone` or the
/// `etc/localtime` link, `etc/locale.conf` / `etc/default/locale`) and, for
/// the live machine, the user who ran sudo. Values that do not validate are dropped.
pub fn defaults(root: &axios_core::Root, f: &Facts, live_user: Option<String>) -> Defaults {
    let hostname = read_trim(&root.path("etc/hostname")).and_then(|h| values::hostname(&h).ok());
    let timezone = read_trim(&root.path("etc/timezone"))
        .or_else(|| {
            std::fs::read_link(root.path("etc/localtime"))
                .ok()
                .and_then(|l| {
                    let s = l.to_string_lossy().into_owned();
                    s.split_once("zoneinfo/").map(|(_, tz)| tz.to_string())
                })
        })
        .and_then(|tz| values::timezone(&tz).ok());
    let locale = ["etc/locale.conf", "etc/default/locale"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(root.path(p)).ok())
        .flat_map(|t| {
            t.lines()
                .filter_map(|l| l.trim().strip_prefix("LANG="))
                .map(|v| v.trim_matches('"').to_string())
                .collect::<Vec<_>>()
        })
        .find_map(|l| values::locale(&l).ok())
        .unwrap_or_else(|| DEFAULT_LOCALE.to_string());
    let form_factor = f.form_factor.unwrap_or("desktop").to_string();
    let modules = values::default_modules(&form_factor, f.gpu.is_some());
    Defaults {
        hostname,
        user: live_user.and_then(|u| values::user(&u).ok().filter(|u| u != "root")),
        timezone,
        locale,
        form_factor,
        modules,
    }
}

/// The answers from flags and defaults alone (no terminal): every required
/// value that is neither given nor detected is reported at once.
pub fn resolve(g: &Given, d: &Defaults, f: &Facts) -> Result<Answers, ValueError> {
    let mut missing = Vec::new();
    let hostname = g.hostname.clone().or_else(|| d.hostname.clone());
    let user = g.user.clone().or_else(|| d.user.clone());
    let timezone = g.timezone.clone().or_else(|| d.timezone.clone());
    if hostname.is_none() {
        missing.push(("the hostname", "--hostname NAME"));
    }
    if user.is_none() {
        missing.push(("the user", "--user NAME"));
    }
    if timezone.is_none() {
        missing.push(("the time zone", "--timezone AREA/CITY"));
    }
    let (Some(hostname), Some(user), Some(timezone)) = (hostname, user, timezone) else {
        return Err(ValueError::Missing(missing));
    };
    // validated in the order they are asked, so the first bad one is reported
    let hostname = values::hostname(&hostname)?;
    let user = values::user(&user)?;
    let full_name = values::text("full name", g.full_name.as_deref().unwrap_or(&user))?;
    let email = values::email(g.email.as_deref().unwrap_or(""))?;
    let timezone = values::timezone(&timezone)?;
    let locale = values::locale(g.locale.as_deref().unwrap_or(&d.locale))?;
    let form_factor = values::form_factor(g.form_factor.as_deref().unwrap_or(&d.form_factor))?;
    let modules = match &g.modules {
        Some(m) => values::modules(m, f.gpu.is_some())?,
        None if form_factor != d.form_factor => {
            values::default_modules(&form_factor, f.gpu.is_some())
        }
        None => d.modules.clone(),
    };
    Ok(Answers {
        hostname,
        full_name: if full_name.is_empty() {
            user.clone()
        } else {
            full_name
        },
        user,
        email,
        timezone,
        locale,
        form_factor,
        modules,
    })
}

/// The machine's `etc/nixos/hardware-configuration.nix` under `root`, if any.
pub fn hardware_config(root: &axios_core::Root) -> Result<Option<(String, PathBuf)>, InitError> {
    let p = root.path("etc/nixos/hardware-configuration.nix");
    match std::fs::read(&p) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Ok(Some((s, p))),
            Err(_) => Err(InitError::Read {
                path: p,
                message: "not UTF-8 text; is this really a hardware-configuration.nix?".into(),
            }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(InitError::Read {
            path: p,
            message: e.to_string(),
        }),
    }
}

/// The files for `answers` on a machine with `facts`.
pub fn files(
    answers: &Answers,
    facts: &Facts,
    root: &axios_core::Root,
    axios_url: &str,
) -> Result<Vec<File>, InitError> {
    let hw = hardware_config(root)?;
    let extra = render::Extra {
        hardware_config: hw.map(|(t, _)| t),
        axios_url: axios_url.to_string(),
    };
    Ok(render::files(answers, facts, &extra))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            system: "x86_64-linux",
            form_factor: Some("laptop"),
            cpu: Some("intel".into()),
            gpu: Some("nvidia"),
            is_laptop: true,
            has_ssd: Some(true),
            vendor: None,
            prime: None,
        }
    }

    #[test]
    fn missing_values_are_all_named() {
        let t = tempfile::tempdir().expect("tempdir");
        let root = axios_core::Root::new(t.path()).expect("root");
        let d = defaults(&root, &facts(), None);
        let e = resolve(&Given::default(), &d, &facts()).expect_err("missing");
        let m = e.to_string();
        for flag in ["--hostname", "--user", "--timezone"] {
            assert!(m.contains(flag), "{m}");
        }
    }

    #[test]
    fn defaults_from_the_root() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(t.path().join("etc")).expect("etc");
        std::fs::write(t.path().join("etc/hostname"), "box\n").expect("w");
        std::os::unix::fs::symlink(
            "/usr/share/zoneinfo/Europe/Paris",
            t.path().join("etc/localtime"),
        )
        .expect("link");
        std::fs::write(t.path().join("etc/locale.conf"), "LANG=\"de_DE.UTF-8\"\n").expect("w");
        let root = axios_core::Root::new(t.path()).expect("root");
        let d = defaults(&root, &facts(), Some("root".into()));
        assert_eq!(d.hostname.as_deref(), Some("box"));
        assert_eq!(d.timezone.as_deref(), Some("Europe/Paris"));
        assert_eq!(d.locale, "de_DE.UTF-8");
        assert_eq!(d.user, None);
        assert_eq!(d.form_factor, "laptop");
    }
}

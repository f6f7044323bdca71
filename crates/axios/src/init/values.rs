//! The values `axios init` asks for, and their validation.

use std::str::FromStr;

/// The `modules.<flag>` names mkSystem accepts, with what each turns on. Kept
/// here because the program never reads Nix; `tests/init.rs` compares this
/// list with `nixos/registry.nix`.
pub const MODULES: &[(&str, &str)] = &[
    ("system", "locale, time zone, UEFI boot, nix settings"),
    (
        "desktop",
        "niri + DankMaterialShell desktop and applications",
    ),
    ("development", "development tools and language runtimes"),
    ("graphics", "GPU drivers, PRIME, GPU recovery"),
    (
        "networking",
        "NetworkManager, firewall, Avahi, Samba, Tailscale",
    ),
    ("users", "user accounts with the groups modules ask for"),
    (
        "virt",
        "libvirt/QEMU virtual machines and Podman containers",
    ),
    ("gaming", "Steam, GameMode, gamescope, VR"),
    ("ai", "AI CLI tools and local LLMs with Ollama"),
    ("secrets", "agenix secrets"),
    ("services", "self-hosted services behind Caddy"),
];

/// `modules.<a>` needs `modules.<b>`, as lib/validation.nix says.
pub const NEEDS: &[(&str, &str)] = &[
    ("ai", "networking"),
    ("gaming", "graphics"),
    ("desktop", "networking"),
];

/// The modules always on in a generated host (mkSystem's default-on flags).
pub const ALWAYS: &[&str] = &["system", "networking", "users"];

/// A value that cannot be used, naming it and saying what would work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("hostname {0:?} is not a valid host name (RFC 1123 label: letters, digits and -, not at either end, 1 to 63 characters); pass e.g. --hostname my-laptop")]
    Hostname(String),
    #[error("user name {0:?} is not a valid login name (a lowercase letter or _, then lowercase letters, digits, _ or -, at most 32 characters); pass e.g. --user alice")]
    User(String),
    #[error("time zone {0:?} is not a tz database name; pass e.g. --timezone Europe/Paris (see /usr/share/zoneinfo or `timedatectl list-timezones`)")]
    Timezone(String),
    #[error("locale {0:?} is not a locale name like en_US.UTF-8; pass e.g. --locale de_DE.UTF-8")]
    Locale(String),
    #[error("unknown module {name:?}{hint}; the modules are: {known}")]
    Module {
        name: String,
        hint: String,
        known: String,
    },
    #[error("modules.{0} needs a GPU, and none (AMD, NVIDIA or Intel on PCI) was detected; leave {0} out of --modules")]
    NoGpu(&'static str),
    #[error("modules.{0} needs modules.{1}; add {1} to --modules")]
    Needs(String, &'static str),
    #[error("{what} {value:?} contains a control character; remove it")]
    Control { what: &'static str, value: String },
    #[error("e-mail {0:?} is not an address like alice@example.org")]
    Email(String),
    #[error("form factor {0:?} is not one of desktop, laptop, server")]
    FormFactor(String),
    #[error("missing {}; pass {} (or run on a terminal to be asked)", .0.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "), .0.iter().map(|(_, f)| *f).collect::<Vec<_>>().join(", "))]
    Missing(Vec<(&'static str, &'static str)>),
}

/// Everything a generated configuration is made from, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub hostname: String,
    pub user: String,
    pub full_name: String,
    pub email: Option<String>,
    pub timezone: String,
    pub locale: String,
    pub form_factor: String,
    /// Flags turned on, in MODULES order.
    pub modules: Vec<String>,
}

pub fn hostname(s: &str) -> Result<String, ValueError> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(ValueError::Hostname(s.to_string()))
    }
}

pub fn user(s: &str) -> Result<String, ValueError> {
    let mut b = s.bytes();
    let first = b
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == b'_');
    let ok = first
        && s.len() <= 32
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(ValueError::User(s.to_string()))
    }
}

/// A tz database name (the names chrono-tz carries, from the IANA database).
pub fn timezone(s: &str) -> Result<String, ValueError> {
    match chrono_tz::Tz::from_str(s) {
        Ok(_) => Ok(s.to_string()),
        Err(_) => Err(ValueError::Timezone(s.to_string())),
    }
}

pub fn locale(s: &str) -> Result<String, ValueError> {
    // language[_TERRITORY][.codeset][@modifier], as glibc names them
    let (main, modifier) = s.split_once('@').map_or((s, None), |(a, b)| (a, Some(b)));
    let (lt, codeset) = main
        .split_once('.')
        .map_or((main, None), |(a, b)| (a, Some(b)));
    let (lang, terr) = lt.split_once('_').map_or((lt, None), |(a, b)| (a, Some(b)));
    let alpha = |v: &str, n: std::ops::RangeInclusive<usize>, lower: bool| {
        n.contains(&v.len())
            && v.bytes().all(|c| {
                if lower {
                    c.is_ascii_lowercase()
                } else {
                    c.is_ascii_uppercase()
                }
            })
    };
    let ok = (lang == "C" || alpha(lang, 2..=3, true))
        && terr.is_none_or(|t| alpha(t, 2..=2, false))
        && codeset.is_none_or(|c| {
            !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && modifier.is_none_or(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_lowercase()));
    if ok {
        Ok(s.to_string())
    } else {
        Err(ValueError::Locale(s.to_string()))
    }
}

/// Free text (a full name): anything but control characters.
pub fn text(what: &'static str, s: &str) -> Result<String, ValueError> {
    if s.chars().any(char::is_control) {
        return Err(ValueError::Control {
            what,
            value: s.to_string(),
        });
    }
    Ok(s.trim().to_string())
}

pub fn email(s: &str) -> Result<Option<String>, ValueError> {
    let s = text("e-mail", s)?;
    if s.is_empty() {
        return Ok(None);
    }
    match s.split_once('@') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() && !s.contains(char::is_whitespace) => {
            Ok(Some(s))
        }
        _ => Err(ValueError::Email(s)),
    }
}

pub fn form_factor(s: &str) -> Result<String, ValueError> {
    match s {
        "desktop" | "laptop" | "server" => Ok(s.to_string()),
        _ => Err(ValueError::FormFactor(s.to_string())),
    }
}

/// Parse `desktop,gaming,...`: known names, in MODULES order, with the
/// always-on ones, checked against each other and the GPU.
pub fn modules<S: AsRef<str>>(names: &[S], has_gpu: bool) -> Result<Vec<String>, ValueError> {
    let known: Vec<&str> = MODULES.iter().map(|(n, _)| *n).collect();
    let mut wanted: Vec<&str> = ALWAYS.to_vec();
    for n in names {
        let n = n.as_ref().trim();
        if n.is_empty() {
            continue;
        }
        match known.iter().find(|k| **k == n) {
            Some(k) => wanted.push(k),
            None => {
                let hint = known
                    .iter()
                    .map(|k| (levenshtein(&n.to_ascii_lowercase(), k), *k))
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, k)| format!(" (did you mean {k:?}?)"))
                    .unwrap_or_default();
                return Err(ValueError::Module {
                    name: n.to_string(),
                    hint,
                    known: known.join(", "),
                });
            }
        }
    }
    let out: Vec<String> = known
        .iter()
        .filter(|k| wanted.contains(k))
        .map(|k| (*k).to_string())
        .collect();
    let on = |m: &str| out.iter().any(|o| o == m);
    if on("graphics") && !has_gpu {
        return Err(ValueError::NoGpu("graphics"));
    }
    for (a, b) in NEEDS {
        if on(a) && !on(b) {
            return Err(ValueError::Needs((*a).to_string(), b));
        }
    }
    Ok(out)
}

/// The modules suggested for a machine: a desktop (with GPU drivers when there
/// is a GPU) unless it is a server.
pub fn default_modules(form_factor: &str, has_gpu: bool) -> Vec<String> {
    let mut names = vec!["development"];
    if form_factor != "server" {
        names.push("desktop");
    }
    if has_gpu {
        names.push("graphics");
    }
    // the list is made of known names that satisfy NEEDS
    modules(&names, has_gpu).unwrap_or_default()
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        for ok in ["a", "my-laptop", "1host", &"a".repeat(63)] {
            assert!(hostname(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a-", "a_b", "a.b", "é", &"a".repeat(64), "a b"] {
            assert!(hostname(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn users() {
        assert!(user("alice").is_ok());
        assert!(user("_svc-1").is_ok());
        for bad in ["", "Alice", "1a", "a b", &"a".repeat(33), "ä"] {
            assert!(user(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timezones() {
        for ok in ["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC"] {
            assert!(timezone(ok).is_ok(), "{ok}");
        }
        for bad in ["Europe/Pariss", "", "../etc/passwd", "Mars/Olympus"] {
            assert!(timezone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locales() {
        for ok in ["en_US.UTF-8", "C.UTF-8", "de_DE@euro", "fil_PH.UTF-8"] {
            assert!(locale(ok).is_ok(), "{ok}");
        }
        for bad in ["", "english", "en_us.UTF-8", "en_US.\"", "en_US.UTF-8; rm"] {
            assert!(locale(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn module_lists() {
        assert_eq!(
            modules(&["gaming", "graphics", "desktop"], true).expect("valid"),
            [
                "system",
                "desktop",
                "graphics",
                "networking",
                "users",
                "gaming"
            ]
        );
        let e = modules(&["desktp"], true).expect_err("unknown");
        assert!(e.to_string().contains("did you mean \"desktop\""), "{e}");
        assert_eq!(
            modules(&["gaming"], true).expect_err("needs"),
            ValueError::Needs("gaming".into(), "graphics")
        );
        assert_eq!(
            modules(&["graphics"], false).expect_err("no gpu"),
            ValueError::NoGpu("graphics")
        );
        assert_eq!(
            default_modules("server", false),
            ["system", "development", "networking", "users"]
        );
    }

    #[test]
    fn emails_and_text() {
        assert_eq!(email("").expect("empty"), None);
        assert!(email("a@b").is_ok());
        assert!(email("nope").is_err());
        assert!(text("full name", "Zoë \"Z\" O'Neil ${x}").is_ok());
        assert!(text("full name", "a\nb").is_err());
    }
}

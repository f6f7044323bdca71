//! The files of a generated configuration, as text.

use std::fmt::Write as _;

use super::facts::Facts;
use super::values::Answers;

/// The NixOS release the generated `system.stateVersion` names.
pub const STATE_VERSION: &str = "25.11";

/// The axiOS flake URL written into `flake.nix` by default.
pub const AXIOS_URL: &str = "github:axios-os/axios";

/// A Nix double-quoted string literal holding exactly `s`.
///
/// `"` and `\` are escaped, `${` is written `\${` so it is not interpolated,
/// and newline, carriage return and tab use their escapes. Other bytes
/// (non-ASCII names) are written as they are: Nix strings are UTF-8 bytes.
pub fn nix_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One file of the configuration: its path relative to the target directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// Inputs besides the answers and facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    /// The machine's hardware-configuration.nix, when one exists.
    pub hardware_config: Option<String>,
    pub axios_url: String,
}

pub fn files(a: &Answers, f: &Facts, x: &Extra) -> Vec<File> {
    vec![
        File {
            path: "flake.nix".into(),
            text: flake(a, x),
        },
        File {
            path: format!("hosts/{}.nix", a.hostname),
            text: host(a, f),
        },
        File {
            path: format!("hosts/{}/hardware.nix", a.hostname),
            text: hardware(a, x),
        },
        File {
            path: format!("users/{}.nix", a.user),
            text: user(a),
        },
        File {
            path: ".gitignore".into(),
            text:
                "# nix build / nixos-rebuild build output\nresult\nresult-*\n# direnv\n.direnv/\n"
                    .into(),
        },
        File {
            path: "README.md".into(),
            text: readme(a),
        },
    ]
}

fn flake(a: &Answers, x: &Extra) -> String {
    format!(
        r#"{{
  description = {desc};

  inputs = {{
    axios.url = {url};
    # one nixpkgs for the whole system: the one axiOS is tested with
    nixpkgs.follows = "axios/nixpkgs";
  }};

  outputs = {{ axios, ... }}: {{
    # sudo nixos-rebuild switch --flake .#{host}
    nixosConfigurations.{host_attr} = axios.lib.mkSystem (import ./hosts/{host}.nix);
  }};
}}
"#,
        desc = nix_str(&format!("axiOS configuration of {}", a.hostname)),
        url = nix_str(&x.axios_url),
        host = a.hostname,
        host_attr = nix_str(&a.hostname),
    )
}

fn host(a: &Answers, f: &Facts) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# The mkSystem argument of {}, written by `axios init`.\n# The hardware facts come from `axios doctor`: run it again after hardware changes.\n{{",
        a.hostname
    );
    let _ = writeln!(o, "  hostname = {};", nix_str(&a.hostname));
    let _ = writeln!(o, "  system = {};", nix_str(f.system));
    let _ = writeln!(o, "  formFactor = {};", nix_str(&a.form_factor));
    let is_laptop = a.form_factor == "laptop";
    let _ = writeln!(o, "  hardware = {{");
    if let Some(cpu) = &f.cpu {
        let _ = writeln!(o, "    cpu = {};", nix_str(cpu));
    }
    if let Some(gpu) = f.gpu {
        let _ = writeln!(o, "    gpu = {};", nix_str(gpu));
    }
    // the vendor modules are for MSI desktop boards and System76 laptops
    let vendor = match f.vendor {
        Some("msi") if !is_laptop => Some("msi"),
        Some("system76") if is_laptop => Some("system76"),
        _ => None,
    };
    if let Some(v) = vendor {
        let _ = writeln!(o, "    vendor = {};", nix_str(v));
    }
    let _ = writeln!(o, "    isLaptop = {is_laptop};");
    let _ = writeln!(o, "    hasSSD = {};", f.has_ssd.unwrap_or(false));
    let _ = writeln!(o, "  }};");
    let _ = writeln!(o, "  modules = {{");
    for (m, _) in super::values::MODULES {
        let on = a.modules.iter().any(|x| x == m);
        let _ = writeln!(o, "    {m} = {on};");
    }
    let _ = writeln!(o, "  }};");
    if a.modules.iter().any(|m| m == "virt") {
        let _ = writeln!(
            o,
            "  virt = {{\n    libvirt.enable = true;\n    containers.enable = true;\n  }};"
        );
    }
    let profile = if is_laptop { "laptop" } else { "workstation" };
    let _ = writeln!(o, "  homeProfile = {};", nix_str(profile));
    let _ = writeln!(o, "  hardwareConfigPath = ./{}/hardware.nix;", a.hostname);
    let _ = writeln!(o, "  userModulePath = ../users/{}.nix;", a.user);
    let _ = writeln!(o, "  extraConfig = {{");
    let _ = writeln!(o, "    axios.system.timeZone = {};", nix_str(&a.timezone));
    let _ = writeln!(o, "    axios.system.locale = {};", nix_str(&a.locale));
    if let (Some(p), true) = (&f.prime, a.modules.iter().any(|m| m == "graphics")) {
        let _ = writeln!(
            o,
            "    # PRIME: the DECIMAL bus IDs NixOS wants (`axios doctor` prints them)"
        );
        let _ = writeln!(o, "    axios.hardware.prime = {{");
        if !p.enable {
            let _ = writeln!(
                o,
                "      # axiOS leaves PRIME off on desktops; set enable = true to use it"
            );
        }
        let _ = writeln!(o, "      nvidiaBusId = {};", nix_str(&p.nvidia_bus_id));
        if let Some(id) = &p.intel_bus_id {
            let _ = writeln!(o, "      intelBusId = {};", nix_str(id));
        }
        if let Some(id) = &p.amdgpu_bus_id {
            let _ = writeln!(o, "      amdgpuBusId = {};", nix_str(id));
        }
        let _ = writeln!(o, "    }};");
    }
    let _ = writeln!(o, "    system.stateVersion = {};", nix_str(STATE_VERSION));
    let _ = writeln!(o, "  }};\n}}");
    o
}

fn hardware(a: &Answers, x: &Extra) -> String {
    match &x.hardware_config {
        Some(text) => format!(
            "# Copied by `axios init` from the machine's /etc/nixos/hardware-configuration.nix.\n{text}{}",
            if text.ends_with('\n') { "" } else { "\n" }
        ),
        None => format!(
            r#"# PLACEHOLDER: no hardware-configuration.nix was found on this machine.
# On the machine itself, replace this file with its hardware configuration:
#
#   nixos-generate-config --show-hardware-config > hosts/{host}/hardware.nix
#
# (from the NixOS installer: `nixos-generate-config --root /mnt` writes
# /mnt/etc/nixos/hardware-configuration.nix; copy it here). Until then the
# system has no file systems and the build says so.
{{
  warnings = [ {warning} ];
}}
"#,
            host = a.hostname,
            warning = nix_str(&format!(
                "hosts/{}/hardware.nix is the placeholder written by `axios init`: replace it with the output of `nixos-generate-config --show-hardware-config`.",
                a.hostname
            )),
        ),
    }
}

fn user(a: &Answers) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# {}: the account, and (through the host's homeProfile) the home-manager profile.\n{{",
        a.user
    );
    let _ = writeln!(o, "  axios.users.users.{} = {{", nix_str(&a.user));
    let _ = writeln!(o, "    fullName = {};", nix_str(&a.full_name));
    if let Some(e) = &a.email {
        let _ = writeln!(o, "    email = {};", nix_str(e));
    }
    let _ = writeln!(o, "    isAdmin = true;");
    let _ = writeln!(
        o,
        "    # set a password with `passwd` after the first boot, or hashedPasswordFile"
    );
    let _ = writeln!(o, "  }};\n}}");
    o
}

fn readme(a: &Answers) -> String {
    format!(
        r#"# axiOS configuration of {host}

Written by `axios init`. A NixOS flake that builds this machine with axiOS.

- `flake.nix`: the inputs (axiOS, and nixpkgs following axiOS) and the host.
- `hosts/{host}.nix`: the `axios.lib.mkSystem` argument: hardware facts, modules, settings.
- `hosts/{host}/hardware.nix`: the machine's `hardware-configuration.nix`.
- `users/{user}.nix`: the user account; the host's `homeProfile` gives it its home-manager profile.

Build and switch:

```sh
git init && git add -A     # flakes only see files known to git
sudo nixos-rebuild switch --flake .#{host}
```

Check the machine with `axios doctor`, and again after hardware changes (PCI bus IDs move).
"#,
        host = a.hostname,
        user = a.user,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nix_strings_escape() {
        assert_eq!(nix_str("a"), "\"a\"");
        assert_eq!(nix_str("\"${x}\\"), r#""\"\${x}\\""#);
        assert_eq!(nix_str("$$ {"), "\"$$ {\"");
        assert_eq!(nix_str("a\nb"), "\"a\\nb\"");
        assert_eq!(nix_str("Zoë"), "\"Zoë\"");
    }
}

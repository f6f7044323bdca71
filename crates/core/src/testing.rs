//! Helpers for integration tests (feature `testing`).
//!
//! A real component (caddy, rclone, dbus-daemon, ...) that is missing makes a
//! test skip loudly on a developer machine, and FAIL under `CI=true`.

use std::path::PathBuf;

/// Find `tool` on `PATH`. Missing: panics under `CI=true`, else prints a loud
/// SKIP line and returns `None` (the caller returns early).
pub fn require_tool(tool: &str) -> Option<PathBuf> {
    if let Some(found) = which(tool) {
        return Some(found);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "required test component `{tool}` is not installed (CI=true forbids skipping; run tests/setup)"
    );
    eprintln!("SKIPPED: `{tool}` is not installed; run tests/setup to install it");
    None
}

/// `tool` on `PATH`, if present.
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

/// A child process killed and reaped when dropped: test servers and fakes never outlive
/// their test, whichever assertion fails first.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A private `dbus-daemon` (session-bus type, every user allowed) listening in a directory;
/// killed when dropped.
pub struct PrivateBus {
    _child: KillOnDrop,
    /// The bus address (`unix:path=...`), for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

/// Start a private bus with its socket in `dir`; `None` when `dbus-daemon` is missing
/// (outside `CI=true`, see [`require_tool`]).
pub fn private_bus(dir: &std::path::Path) -> Option<PrivateBus> {
    use std::io::BufRead;
    let daemon = require_tool("dbus-daemon")?;
    let conf = dir.join("bus.conf");
    std::fs::write(
        &conf,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
            dir.display()
        ),
    )
    .expect("write bus.conf");
    let mut child = std::process::Command::new(daemon)
        .arg(format!("--config-file={}", conf.display()))
        .args(["--nofork", "--print-address"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start dbus-daemon");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("dbus-daemon stdout"))
        .read_line(&mut line)
        .expect("dbus-daemon address");
    Some(PrivateBus {
        _child: KillOnDrop(child),
        address: line.trim().to_string(),
    })
}

/// The nixpkgs library checkout the Nix tests use: `$NIXPKGS_LIB`,
/// `~/.cache/axios/nixpkgs-lib`, or the shared vendor copy next to the worktree. Prints a
/// loud SKIP line and returns `None` when there is none (the only tier allowed to skip).
pub fn nixpkgs_lib() -> Option<PathBuf> {
    let shared =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vendor/nixpkgs-lib");
    let found = [
        std::env::var_os("NIXPKGS_LIB").map(PathBuf::from),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/axios/nixpkgs-lib")),
        Some(shared),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.join("lib").is_dir());
    if found.is_none() {
        eprintln!(
            "SKIPPED: no nixpkgs lib (set NIXPKGS_LIB or clone it to ~/.cache/axios/nixpkgs-lib)"
        );
    }
    found
}

/// Renders a unit given as `{ Section: { Key: value } }` (home-manager's shape, or a
/// NixOS unit rearranged into it) as systemd reads it: a list becomes one `Key=item`
/// line per item, as NixOS and home-manager write them (so `~` deny lists stay deny
/// lists), a bool `true`/`false`.
pub fn render_unit(sections: &serde_json::Value) -> String {
    let mut out = String::new();
    for (section, keys) in sections.as_object().expect("unit sections") {
        out.push_str(&format!("[{section}]\n"));
        for (k, v) in keys.as_object().expect("section keys") {
            let vals = match v {
                serde_json::Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            for v in vals {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                out.push_str(&format!("{k}={v}\n"));
            }
        }
        out.push('\n');
    }
    out
}

/// [`render_unit`] for a NixOS `systemd.services.<name>` evaluated to JSON: its
/// `description`, `after` and `unitConfig` (when present) in `[Unit]`, `serviceConfig`
/// in `[Service]`, `wantedBy` in `[Install]`.
pub fn render_nixos_unit(unit: &serde_json::Value) -> String {
    use serde_json::{json, Value};
    let mut head = serde_json::Map::new();
    head.insert("Description".into(), unit["description"].clone());
    if let Some(after) = unit.get("after") {
        head.insert("After".into(), after.clone());
    }
    if let Some(Value::Object(extra)) = unit.get("unitConfig") {
        head.extend(extra.clone());
    }
    render_unit(&json!({
        "Unit": head,
        "Service": unit["serviceConfig"],
        "Install": { "WantedBy": unit["wantedBy"] },
    }))
}

/// What `systemd-analyze verify` says about a unit file systemd does not fully accept.
pub const UNIT_PROBLEMS: [&str; 4] = [
    "Unknown key",
    "Unknown section",
    "Failed to parse",
    "Invalid",
];

/// Runs `systemd-analyze verify [--user] UNITS...` and panics, showing `shown` (the
/// rendered unit text) and systemd's messages, when they name one of [`UNIT_PROBLEMS`]
/// or one of `also_refuse`. Returns the output for further checks.
pub fn systemd_verify(
    analyze: &std::path::Path,
    user: bool,
    units: &[&std::path::Path],
    also_refuse: &[&str],
    shown: &str,
) -> std::process::Output {
    let mut cmd = std::process::Command::new(analyze);
    cmd.arg("verify");
    // `--user` needs a user runtime directory, else it stops at "Failed to initialize
    // manager" before reading the unit (and so finds nothing wrong)
    let runtime = tempfile::tempdir().expect("tmp");
    if user {
        cmd.arg("--user").env("XDG_RUNTIME_DIR", runtime.path());
    }
    let out = cmd.args(units).output().expect("systemd-analyze verify");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("Failed to initialize manager"),
        "systemd-analyze verify did not run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    for bad in UNIT_PROBLEMS.iter().chain(also_refuse) {
        assert!(!err.contains(bad), "{shown}\n{err}");
    }
    out
}

/// The overall exposure `systemd-analyze security --offline=true UNIT` gives (0 to 10).
pub fn systemd_exposure(analyze: &std::path::Path, unit: &std::path::Path) -> f64 {
    let out = std::process::Command::new(analyze)
        .args(["security", "--offline=true"])
        .arg(unit)
        .output()
        .expect("systemd-analyze security");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.split("exposure level for").nth(1))
        .and_then(|rest| rest.split(':').nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no exposure level in:\n{text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}
/// Copy the tree `from` into `to` (created), keeping symlinks as symlinks: sysfs
/// fixture trees are made of relative links. Panics on I/O errors (test helper).
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let ty = entry.file_type().expect("type");
        if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).expect("readlink"), &dst)
                .expect("symlink");
        } else if ty.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// Runs the real program `bin` (named `name`) with `generate man|bash|zsh|fish|elvish`
/// ([`crate::cli`]) and checks what the package installs: a man page `.TH name 1` that
/// names every one of `subcommands`, bash completions that name them too and that bash
/// loads (`complete -p name`), zsh/fish/elvish completions for `name`, and an unknown
/// shell refused with the program's usage exit code `usage_exit` and nothing on stdout.
pub fn assert_generates(bin: &std::path::Path, name: &str, subcommands: &[&str], usage_exit: i32) {
    let run = |what: &str| {
        let out = std::process::Command::new(bin)
            .args(["generate", what])
            .output()
            .expect("run the program");
        assert!(
            out.status.success(),
            "{name} generate {what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    };
    let man = run("man");
    assert!(man.contains(&format!(".TH {name} 1")), "{man}");
    let bash = run("bash");
    for sub in subcommands {
        assert!(
            man.contains(&sub.replace('-', "\\-")),
            "the man page of {name} lacks {sub}"
        );
        assert!(
            bash.split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .any(|w| w == *sub),
            "the bash completions of {name} lack {sub}"
        );
    }
    assert!(
        man.contains("generate"),
        "the man page of {name} lacks generate"
    );
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join(format!("{name}.bash"));
    std::fs::write(&file, &bash).expect("write completions");
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p {name}", file.display()))
        .output()
        .expect("bash");
    assert!(
        loaded.status.success(),
        "bash does not load the completions of {name}: {}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(run("zsh").contains(&format!("#compdef {name}")));
    assert!(run("fish").contains(&format!("complete -c {name}")));
    assert!(run("elvish").contains(&format!("edit:completion:arg-completer[{name}]")));
    let bad = std::process::Command::new(bin)
        .args(["generate", "powershell-core"])
        .output()
        .expect("run the program");
    assert_eq!(
        bad.status.code(),
        Some(usage_exit),
        "{name} generate powershell-core"
    );
    assert!(bad.stdout.is_empty());
}

/// Evaluates `body`, a Nix expression in which `lib` (the nixpkgs library of
/// [`nixpkgs_lib`]) and `h` (the repository's `tests/nix/lib/harness.nix`, with
/// `h.evalNixos`, `h.axios.nixosModules`, ...) are in scope, with
/// `nix-instantiate --eval --strict --json`, and returns the JSON. `None` (the test
/// skips) when `nix-instantiate` or the nixpkgs lib is missing, as in [`require_tool`].
/// Panics when the evaluation fails (test helper).
pub fn nix_eval(body: &str) -> Option<serde_json::Value> {
    nix_eval_with(body, &[])
}

/// [`nix_eval`] with extra `let` bindings (`name = expression;`) before `body`.
pub fn nix_eval_with(body: &str, bindings: &[(&str, &str)]) -> Option<serde_json::Value> {
    let nix = require_tool("nix-instantiate")?;
    let lib = nixpkgs_lib()?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut expr = format!(
        "let\n  lib = import {}/lib;\n  h = import {}/tests/nix/lib/harness.nix {{ inherit lib; }};\n",
        lib.display(),
        root.display()
    );
    for (name, value) in bindings {
        expr.push_str(&format!("  {name} = {value};\n"));
    }
    expr.push_str(&format!("in\n{body}"));
    let o = std::process::Command::new(nix)
        .args([
            "--eval",
            "--strict",
            "--json",
            "--readonly-mode",
            "-E",
            &expr,
        ])
        .output()
        .expect("nix-instantiate");
    assert!(
        o.status.success(),
        "evaluation failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(serde_json::from_slice(&o.stdout).expect("nix-instantiate printed JSON"))
}

/// Runs a derivation's `buildCommand` (its store inputs already replaced by local
/// files) the way the Nix builder would: `bash -euo pipefail`, `$out` set to `out`,
/// `$TMPDIR` to `tmp`, and the directory of the real program `bin` first on `PATH`.
pub fn run_build_command(
    script: &str,
    bin: &std::path::Path,
    out: &std::path::Path,
    tmp: &std::path::Path,
) -> std::process::Output {
    let bin_dir = bin.parent().expect("the program's directory");
    std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("out", out)
        .env("TMPDIR", tmp)
        .output()
        .expect("bash")
}

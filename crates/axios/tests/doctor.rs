//! `axios doctor` run as a real binary against fixture trees and the live system.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../gpu/tests/fixtures")
        .join(name)
}

fn axios(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_axios"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run axios");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "axios panicked: {stderr}");
    out
}

fn doctor_json(root: &Path) -> Value {
    let out = axios(&[
        "doctor",
        "--json",
        "--root",
        root.to_str().expect("utf8 path"),
    ]);
    assert!(
        out.status.success(),
        "doctor failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("doctor --json prints JSON")
}

fn doctor_text(root: &Path) -> String {
    let out = axios(&["doctor", "--root", root.to_str().expect("utf8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// (slot, vendor, kind, nix bus id, boot_vga, runtime status, driver, drm cards)
type GpuRow = (String, String, String, String, Value, Value, Value, Value);

fn gpus(v: &Value) -> Vec<GpuRow> {
    v["gpus"]
        .as_array()
        .expect("gpus array")
        .iter()
        .map(|g| {
            (
                g["pci_slot"].as_str().expect("slot").to_string(),
                g["vendor"].as_str().expect("vendor").to_string(),
                g["kind"].as_str().expect("kind").to_string(),
                g["nix_bus_id"].as_str().expect("bus id").to_string(),
                g["boot_vga"].clone(),
                g["runtime_status"].clone(),
                g["driver"].clone(),
                g["drm_cards"].clone(),
            )
        })
        .collect()
}

#[test]
fn laptop_intel_nvidia() {
    let v = doctor_json(&fixture("laptop-intel-nvidia"));
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["platform_displays"], serde_json::json!([]));
    assert_eq!(v["cpu"]["vendor"], "intel");
    assert_eq!(v["cpu"]["logical_cpus"], 4);
    assert_eq!(
        gpus(&v),
        vec![
            (
                "0000:00:02.0".into(),
                "intel".into(),
                "integrated".into(),
                "PCI:0:2:0".into(),
                Value::Bool(true),
                "active".into(),
                "i915".into(),
                serde_json::json!(["card1"]),
            ),
            (
                "0000:01:00.0".into(),
                "nvidia".into(),
                "discrete".into(),
                "PCI:1:0:0".into(),
                Value::Bool(false),
                "suspended".into(),
                "nvidia".into(),
                serde_json::json!(["card0"]),
            ),
        ]
    );
    assert_eq!(v["gpus"][1]["class"], "0x030200");
    assert_eq!(v["gpus"][1]["class_name"], "3D controller");
    assert_eq!(
        v["prime"],
        serde_json::json!({"enable": true, "mode": "offload", "nvidiaBusId": "PCI:1:0:0", "intelBusId": "PCI:0:2:0"})
    );
    assert_eq!(v["form_factor"]["kind"], "laptop");
    assert_eq!(v["form_factor"]["chassis_type"], 10);
    assert_eq!(v["form_factor"]["battery"], true);
    assert_eq!(
        v["suggested"],
        serde_json::json!({"formFactor": "laptop", "cpu": "intel", "gpu": "nvidia", "isLaptop": true, "hasSSD": true, "vendor": null})
    );
    // loop devices and removable disks are not counted.
    assert_eq!(
        v["disks"],
        serde_json::json!([{"name": "nvme0n1", "rotational": false}])
    );
    let notes = v["notes"].to_string();
    assert!(notes.contains("runtime-suspended"), "{notes}");
}

#[test]
fn desktop_amd_dgpu() {
    let v = doctor_json(&fixture("desktop-amd"));
    assert_eq!(v["cpu"]["vendor"], "amd");
    let g = gpus(&v);
    assert_eq!(g.len(), 1, "the HDMI audio function is not a GPU: {g:?}");
    assert_eq!(g[0].0, "0000:03:00.0");
    assert_eq!(g[0].1, "amd");
    assert_eq!(g[0].2, "discrete");
    assert_eq!(g[0].3, "PCI:3:0:0");
    assert_eq!(v["prime"], Value::Null);
    assert_eq!(v["form_factor"]["kind"], "desktop");
    // A wireless mouse battery (scope=Device) does not make a laptop.
    assert_eq!(v["form_factor"]["battery"], false);
    assert_eq!(v["suggested"]["gpu"], "amd");
    assert_eq!(v["suggested"]["isLaptop"], false);
    assert_eq!(v["suggested"]["hasSSD"], true);
}

#[test]
fn desktop_apu_plus_nvidia_on_bus_0x0a() {
    let v = doctor_json(&fixture("desktop-apu-nvidia"));
    let g = gpus(&v);
    assert_eq!(g.len(), 2);
    assert_eq!(
        (
            g[0].0.as_str(),
            g[0].1.as_str(),
            g[0].2.as_str(),
            g[0].3.as_str()
        ),
        ("0000:0a:00.0", "nvidia", "discrete", "PCI:10:0:0")
    );
    assert_eq!(
        (
            g[1].0.as_str(),
            g[1].1.as_str(),
            g[1].2.as_str(),
            g[1].3.as_str()
        ),
        ("0000:0e:00.0", "amd", "integrated", "PCI:14:0:0")
    );
    assert_eq!(
        v["prime"],
        serde_json::json!({"enable": false, "mode": null, "nvidiaBusId": "PCI:10:0:0", "amdgpuBusId": "PCI:14:0:0"})
    );
    assert_eq!(v["suggested"]["vendor"], "msi");
    assert_eq!(v["suggested"]["gpu"], "nvidia");
    let text = doctor_text(&fixture("desktop-apu-nvidia"));
    assert!(text.contains("nvidiaBusId = \"PCI:10:0:0\";"), "{text}");
    assert!(text.contains("amdgpuBusId = \"PCI:14:0:0\";"), "{text}");
    assert!(!text.contains("0a:0:0"), "hex leaked into a bus ID: {text}");
}

#[test]
fn gpu_on_pci_domain_0001() {
    let v = doctor_json(&fixture("server-domain1"));
    let g = gpus(&v);
    assert_eq!(g.len(), 2);
    assert_eq!(g[0].0, "0000:02:00.0");
    assert_eq!(g[0].1, "other");
    assert_eq!(g[0].2, "unknown");
    assert_eq!(g[1].0, "0001:03:00.0");
    assert_eq!(g[1].1, "nvidia");
    assert_eq!(g[1].3, "PCI:3@1:0:0");
    assert_eq!(g[1].6, Value::Null, "no driver bound");
    assert_eq!(v["form_factor"]["kind"], "server");
    assert_eq!(v["prime"], Value::Null, "no integrated GPU: no PRIME");
    assert!(v["notes"].to_string().contains("no kernel driver"));
}

#[test]
fn vm_without_gpu_says_so_and_succeeds() {
    let v = doctor_json(&fixture("vm-no-gpu"));
    assert_eq!(v["gpus"], serde_json::json!([]));
    assert_eq!(v["cpu"]["virtualized"], true);
    assert_eq!(v["form_factor"]["kind"], "unknown");
    assert_eq!(v["suggested"]["gpu"], Value::Null);
    let text = doctor_text(&fixture("vm-no-gpu"));
    assert!(text.contains("GPUs         none"), "{text}");
    assert!(text.contains("No GPU found"), "{text}");
}

/// An ARM laptop whose GPU is a device-tree platform device (Apple AGX via `asahi`):
/// no PCI display controller, but not "no GPU" either.
#[test]
fn arm_soc_gpu_is_reported_as_a_platform_display() {
    let v = doctor_json(&fixture("arm-platform-gpu"));
    assert_eq!(
        v["gpus"],
        serde_json::json!([]),
        "the PCIe Wi-Fi card is not a GPU"
    );
    assert_eq!(
        v["platform_displays"],
        serde_json::json!([{"card": "card0", "driver": "asahi", "compatible": "apple,agx-t8103"}])
    );
    assert_eq!(v["cpu"]["vendor"], "other");
    assert_eq!(v["cpu"]["logical_cpus"], 4);
    assert_eq!(v["form_factor"]["kind"], "laptop");
    assert_eq!(v["prime"], Value::Null);
    assert_eq!(v["suggested"]["gpu"], Value::Null);
    let notes = v["notes"].to_string();
    assert!(notes.contains("No PCI GPU"), "{notes}");
    assert!(!notes.contains("No GPU found"), "{notes}");
    let text = doctor_text(&fixture("arm-platform-gpu"));
    assert!(
        text.contains("Other DRM    card0 (driver asahi, apple,agx-t8103)"),
        "{text}"
    );
}

#[test]
fn text_report_lists_every_gpu_row() {
    let text = doctor_text(&fixture("laptop-intel-nvidia"));
    let row = |slot: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(slot))
            .unwrap_or_else(|| panic!("no row for {slot} in\n{text}"))
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        row("0000:01:00.0"),
        [
            "0000:01:00.0",
            "nvidia",
            "0x10de:0x25a0",
            "discrete",
            "nvidia",
            "-",
            "suspended",
            "PCI:1:0:0",
            "card0"
        ]
    );
    assert!(text.contains("axios.hardware.prime"), "{text}");
    assert!(text.contains("mode = \"offload\";"), "{text}");
    assert!(text.contains("formFactor = \"laptop\";"));
}

/// The live system: whatever it is, doctor succeeds and finds exactly the PCI
/// display controllers that sysfs lists.
#[test]
fn live_system() {
    let v = doctor_json(Path::new("/"));
    let expected = std::fs::read_dir("/sys/bus/pci/devices")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| {
                    std::fs::read_to_string(e.path().join("class"))
                        .is_ok_and(|c| c.trim().starts_with("0x03"))
                })
                .count()
        })
        .unwrap_or(0);
    assert_eq!(v["gpus"].as_array().expect("gpus").len(), expected);
    let out = axios(&["doctor"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("axiOS doctor"));
}

/// Every bus ID doctor prints passes the check nixpkgs applies to
/// `hardware.nvidia.prime.*BusId` (nixos/modules/hardware/video/nvidia.nix).
#[test]
fn bus_ids_pass_the_nixpkgs_option_check() {
    let nixpkgs =
        regex::Regex::new(r"^([[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9])?$").expect("regex");
    let mut seen = 0;
    for entry in std::fs::read_dir(fixture("")).expect("fixtures") {
        let path = entry.expect("entry").path();
        if !path.is_dir() {
            continue;
        }
        let v = doctor_json(&path);
        for g in v["gpus"].as_array().expect("gpus") {
            let id = g["nix_bus_id"].as_str().expect("id");
            assert!(
                nixpkgs.is_match(id),
                "{id} from {path:?} fails the nixpkgs check"
            );
            let numbers = id.strip_prefix("PCI:").expect("PCI: prefix");
            assert!(
                numbers
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ':' || c == '@'),
                "{id} is not decimal"
            );
            seen += 1;
        }
        for key in ["nvidiaBusId", "intelBusId", "amdgpuBusId"] {
            if let Some(id) = v["prime"][key].as_str() {
                assert!(nixpkgs.is_match(id), "{key} {id}");
            }
        }
    }
    assert!(seen >= 7, "expected the fixtures' GPUs, saw {seen}");
}

/// The boot-time `axios-gpu check-prime` result is a health finding (tests/health.rs), not a
/// note of the hardware report.
#[test]
fn boot_time_prime_drift_is_not_a_hardware_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture("desktop-apu-nvidia"), dir.path());
    let file = dir.path().join(axios_gpu::prime::BOOT_CHECK_FILE);
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(&file, "{garbage").expect("corrupt");
    let root = dir.path().to_str().expect("utf8 path");
    let out = axios(&["doctor", "--json", "--root", root]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(3), "a warning in health: {v}");
    assert!(!v["notes"].to_string().contains("PRIME check"), "{v}");
}

// ---- bad input ------------------------------------------------------------

use axios_core::testing::copy_tree;

fn broken_fixture(rel: &str, content: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture("laptop-intel-nvidia"), dir.path());
    std::fs::write(dir.path().join(rel), content).expect("corrupt");
    dir
}

fn assert_fails_naming(root: &Path, needle: &str) {
    for json in [false, true] {
        let mut args = vec!["doctor", "--root", root.to_str().expect("utf8")];
        if json {
            args.push("--json");
        }
        let out = axios(&args);
        assert_eq!(out.status.code(), Some(1), "expected exit 1 for {root:?}");
        assert!(out.stdout.is_empty(), "no partial report on failure");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(needle),
            "stderr should name {needle:?}: {stderr}"
        );
    }
}

#[test]
fn malformed_pci_class_is_named() {
    let d = broken_fixture("sys/devices/pci0000:00/0000:00:02.0/class", "VGA\n");
    assert_fails_naming(d.path(), "0000:00:02.0/class");
}

#[test]
fn malformed_vendor_boot_vga_chassis_cpuinfo_are_named() {
    let cases = [
        (
            "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor",
            "0x10de10de\n",
            "vendor",
        ),
        (
            "sys/devices/pci0000:00/0000:00:02.0/boot_vga",
            "yes\n",
            "boot_vga",
        ),
        (
            "sys/class/dmi/id/chassis_type",
            "Notebook\n",
            "chassis_type",
        ),
        ("proc/cpuinfo", "garbage without structure\n", "cpuinfo"),
    ];
    for (rel, content, needle) in cases {
        let d = broken_fixture(rel, content);
        assert_fails_naming(d.path(), needle);
    }
}

#[test]
fn missing_or_wrong_root() {
    assert_fails_naming(
        Path::new("/nonexistent/axios-root"),
        "/nonexistent/axios-root",
    );
    let empty = tempfile::tempdir().expect("tempdir");
    assert_fails_naming(empty.path(), "not a system root");
    let file = empty.path().join("plain-file");
    std::fs::write(&file, "x").expect("write");
    assert_fails_naming(&file, "plain-file");
}

#[test]
fn unknown_flags_and_commands_are_usage_errors() {
    for args in [&["doctor", "--bogus"][..], &["frobnicate"][..], &[][..]] {
        let out = axios(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn closed_stdout_is_not_an_error() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_axios"))
        .args(["doctor", "--json", "--root"])
        .arg(fixture("laptop-intel-nvidia"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

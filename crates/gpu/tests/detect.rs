//! `axios-gpu detect` and `check-prime` run as the real binary on fixture trees.

mod common;

use common::*;
use serde_json::{json, Value};

fn nixpkgs_regex() -> regex::Regex {
    // nixos/modules/hardware/video/nvidia.nix: the check on hardware.nvidia.prime.*BusId.
    regex::Regex::new(r"^([[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9])?$").expect("regex")
}

fn detect_json(name: &str) -> Value {
    json_ok(&[
        "detect",
        "--json",
        "--root",
        fixture(name).to_str().expect("utf8"),
    ])
}

fn row(v: &Value, i: usize) -> Value {
    let g = &v["gpus"][i];
    json!([
        g["pci_slot"],
        g["vendor"],
        g["model"],
        g["role"],
        g["driver"],
        g["boot_vga"],
        g["runtime_status"],
        g["nix_bus_id"],
        g["drm_cards"]
    ])
}

#[test]
fn hybrid_laptop_with_suspended_dgpu() {
    let v = detect_json("laptop-intel-nvidia");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(
        row(&v, 0),
        json!([
            "0000:00:02.0",
            "intel",
            "Alder Lake-P GT2 [Iris Xe Graphics]",
            "igpu",
            "i915",
            true,
            "active",
            "PCI:0:2:0",
            ["card1"]
        ])
    );
    assert_eq!(
        row(&v, 1),
        json!([
            "0000:01:00.0",
            "nvidia",
            "GA107M [GeForce RTX 3050 Ti Mobile]",
            "dgpu",
            "nvidia",
            false,
            "suspended",
            "PCI:1:0:0",
            ["card0"]
        ])
    );
    assert_eq!(v["gpus"][1]["vendor_id"], "0x10de");
    assert_eq!(v["gpus"][1]["device_id"], "0x25a0");
    assert_eq!(
        v["prime"],
        json!({"nvidiaBusId": "PCI:1:0:0", "intelBusId": "PCI:0:2:0"})
    );
}

#[test]
fn hybrid_laptop_with_active_dgpu_and_amd_apu() {
    let v = detect_json("laptop-amd-nvidia-active");
    assert_eq!(
        row(&v, 0),
        json!([
            "0000:01:00.0",
            "nvidia",
            "GA106M [GeForce RTX 3060 Mobile / Max-Q]",
            "dgpu",
            "nvidia",
            false,
            "active",
            "PCI:1:0:0",
            ["card1"]
        ])
    );
    assert_eq!(
        row(&v, 1),
        json!([
            "0000:06:00.0",
            "amd",
            "Rembrandt [Radeon 680M]",
            "igpu",
            "amdgpu",
            true,
            "active",
            "PCI:6:0:0",
            ["card0"]
        ])
    );
    assert_eq!(
        v["gpus"].as_array().expect("gpus").len(),
        2,
        "audio and NVMe are not GPUs"
    );
    assert_eq!(
        v["prime"],
        json!({"nvidiaBusId": "PCI:1:0:0", "amdgpuBusId": "PCI:6:0:0"})
    );
}

#[test]
fn desktop_apu_plus_nvidia_hex_bus_becomes_decimal() {
    let v = detect_json("desktop-apu-nvidia");
    assert_eq!(
        v["prime"],
        json!({"nvidiaBusId": "PCI:10:0:0", "amdgpuBusId": "PCI:14:0:0"})
    );
    let nix = stdout(&gpu(&[
        "detect",
        "--nix",
        "--root",
        fixture("desktop-apu-nvidia").to_str().expect("utf8"),
    ]));
    assert!(nix.contains("nvidiaBusId = \"PCI:10:0:0\";"), "{nix}");
    assert!(nix.contains("amdgpuBusId = \"PCI:14:0:0\";"), "{nix}");
    assert!(!nix.contains("intelBusId"), "{nix}");
}

#[test]
fn domain_0001_driverless_card_and_unknown_vendor() {
    let v = detect_json("server-domain1");
    assert_eq!(
        row(&v, 0),
        json!([
            "0000:02:00.0",
            "other",
            "ASPEED Graphics Family",
            "unknown",
            "ast",
            true,
            "active",
            "PCI:2:0:0",
            []
        ])
    );
    assert_eq!(v["gpus"][1]["nix_bus_id"], "PCI:3@1:0:0");
    assert_eq!(v["gpus"][1]["driver"], Value::Null);
    assert_eq!(v["prime"], Value::Null);
    let nix = stdout(&gpu(&[
        "detect",
        "--nix",
        "--root",
        fixture("server-domain1").to_str().expect("utf8"),
    ]));
    assert_eq!(nix, "# axios-gpu: PRIME is not needed: there is no integrated Intel or AMD GPU to pair with the NVIDIA GPU.\n");
}

#[test]
fn platform_gpu_and_no_gpu() {
    let v = detect_json("arm-platform-gpu");
    assert_eq!(v["gpus"], json!([]));
    assert_eq!(
        v["platform_displays"],
        json!([{"card": "card0", "driver": "asahi", "compatible": "apple,agx-t8103"}])
    );
    let text = stdout(&gpu(&[
        "detect",
        "--root",
        fixture("arm-platform-gpu").to_str().expect("utf8"),
    ]));
    assert!(
        text.contains("platform card0: driver asahi, apple,agx-t8103"),
        "{text}"
    );
    let nix = stdout(&gpu(&[
        "detect",
        "--nix",
        "--root",
        fixture("vm-no-gpu").to_str().expect("utf8"),
    ]));
    assert_eq!(
        nix,
        "# axios-gpu: PRIME is not needed: no PCI GPU was found.\n"
    );
    let nix = stdout(&gpu(&[
        "detect",
        "--nix",
        "--root",
        fixture("desktop-amd").to_str().expect("utf8"),
    ]));
    assert_eq!(
        nix,
        "# axios-gpu: PRIME is not needed: this machine has a single GPU.\n"
    );
}

/// Every bus ID in every `--nix` snippet and `--json` document passes nixpkgs' check,
/// and the snippet parses as a Nix attribute set assignment.
#[test]
fn nix_output_passes_the_nixpkgs_option_check() {
    let re = nixpkgs_regex();
    let mut hybrid = 0;
    for tree in fixture_trees() {
        let root = tree.to_str().expect("utf8");
        let nix = stdout(&gpu(&["detect", "--nix", "--root", root]));
        for line in nix.lines().filter(|l| l.contains("BusId = ")) {
            let id = line.split('"').nth(1).expect("quoted id");
            assert!(re.is_match(id), "{id} from {root} fails the nixpkgs check");
            assert!(id
                .strip_prefix("PCI:")
                .expect("PCI:")
                .chars()
                .all(|c| c.is_ascii_digit() || c == ':' || c == '@'));
        }
        if nix.contains("axios.hardware.prime = {") {
            hybrid += 1;
            assert!(nix.contains("mode = \"offload\";"), "{nix}");
            if let Some(nix_inst) = axios_core::testing::which("nix-instantiate") {
                let body = nix
                    .lines()
                    .filter(|l| !l.starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n");
                let expr = format!("let x = {{ {body} }}; in x.axios.hardware.prime");
                let out = std::process::Command::new(nix_inst)
                    .args(["--eval", "--strict", "--json", "-E", &expr])
                    .output()
                    .expect("nix-instantiate");
                assert!(
                    out.status.success(),
                    "{nix}\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        } else {
            assert!(nix.starts_with("# axios-gpu: PRIME is not needed"), "{nix}");
        }
        let v = json_ok(&["detect", "--json", "--root", root]);
        for g in v["gpus"].as_array().expect("gpus") {
            assert!(re.is_match(g["nix_bus_id"].as_str().expect("id")));
        }
    }
    assert_eq!(hybrid, 3, "three hybrid fixtures");
}

#[test]
fn live_system_detects_what_sysfs_lists() {
    let v = json_ok(&["detect", "--json"]);
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
    assert!(gpu(&["detect", "--nix"]).status.success());
}

// ---- check-prime ----------------------------------------------------------

fn check(root: &str, args: &[&str]) -> std::process::Output {
    let path = fixture(root);
    let mut a = vec!["check-prime", "--root", path.to_str().expect("utf8")];
    a.extend_from_slice(args);
    gpu(&a)
}

#[test]
fn check_prime_matching_ids_exit_0() {
    let out = check(
        "laptop-intel-nvidia",
        &["--nvidia", "PCI:1:0:0", "--intel", "PCI:0:2:0"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("nvidiaBusId = \"PCI:1:0:0\" matches 0000:01:00.0"));
    let out = check(
        "desktop-apu-nvidia",
        &["--nvidia", "PCI:10:0:0", "--amdgpu", "PCI:14:0:0"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = check(
        "laptop-amd-nvidia-active",
        &["--nvidia", "PCI:1:0:0", "--amdgpu", "PCI:6:0:0", "--json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ok"], true);
}

/// IDs that went stale after an NVMe drive moved the dGPU from bus 1 to bus 10 (hex 0a).
#[test]
fn check_prime_names_stale_ids_what_is_there_and_the_fix() {
    let out = check(
        "desktop-apu-nvidia",
        &["--nvidia", "PCI:1:0:0", "--amdgpu", "PCI:14:0:0"],
    );
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(text.contains("STALE  nvidiaBusId = \"PCI:1:0:0\" is stale: there is no PCI device at 0000:01:00.0, not an NVIDIA GPU; use nvidiaBusId = \"PCI:10:0:0\" (an NVIDIA GPU at 0000:0a:00.0)"), "{text}");
    assert!(
        text.contains("ok     amdgpuBusId = \"PCI:14:0:0\" matches"),
        "{text}"
    );
    // An NVMe drive now sits where the dGPU was.
    let out = check(
        "laptop-amd-nvidia-active",
        &["--nvidia", "PCI:4:0:0", "--amdgpu", "PCI:1:0:0", "--json"],
    );
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["ok"], false);
    assert_eq!(v["entries"][0]["option"], "nvidiaBusId");
    assert_eq!(v["entries"][0]["found"]["class"], "0x010802");
    assert!(v["entries"][0]["message"]
        .as_str()
        .expect("msg")
        .contains("a storage controller (vendor 0x144d 144d:a80a)"));
    assert_eq!(v["entries"][0]["use_instead"], "PCI:1:0:0");
    assert_eq!(v["entries"][1]["option"], "amdgpuBusId");
    assert!(v["entries"][1]["message"]
        .as_str()
        .expect("msg")
        .contains("a display controller (nvidia 10de:2560"));
    assert_eq!(v["entries"][1]["use_instead"], "PCI:6:0:0");
    // An Intel ID on a machine without an Intel GPU.
    let out = check(
        "laptop-amd-nvidia-active",
        &["--nvidia", "PCI:1:0:0", "--intel", "PCI:0:2:0"],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stdout(&out).contains("this machine has no Intel GPU that PRIME can use"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_prime_refuses_hex_sysfs_and_out_of_range_ids() {
    for (id, needle) in [
        ("PCI:0a:00:0", "hex 0a is decimal 10"),
        ("0000:0a:00.0", "use \"PCI:10:0:0\""),
        ("PCI:1:32:0", "device 32 is out of range (0..=31)"),
        ("PCI:300:0:0", "bus 300 is out of range (0..=255)"),
        ("PCI:1:0:9", "function 9 is out of range"),
        ("PCI:1@4096:0:0", "domain 4096 is out of range (0..=999)"),
        ("1:0:0", "not a bus ID of the form PCI:bus:device:function"),
    ] {
        let out = check(
            "laptop-intel-nvidia",
            &["--nvidia", id, "--intel", "PCI:0:2:0"],
        );
        assert_eq!(out.status.code(), Some(2), "{id}");
        let err = stderr(&out);
        assert!(err.contains(needle), "{id}: {err}");
        assert!(out.stdout.is_empty());
    }
    // Both integrated IDs, or neither: usage errors.
    assert_eq!(
        check("laptop-intel-nvidia", &["--nvidia", "PCI:1:0:0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        check(
            "laptop-intel-nvidia",
            &[
                "--nvidia",
                "PCI:1:0:0",
                "--intel",
                "PCI:0:2:0",
                "--amdgpu",
                "PCI:6:0:0"
            ]
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn check_prime_on_a_suspended_dgpu_does_not_need_it_awake() {
    // The only files check-prime reads are cached PCI attributes; a dGPU whose
    // config-space-backed files vanished (as when powered off) still checks out.
    let dir = copy_fixture("laptop-intel-nvidia");
    let dev = dir
        .path()
        .join("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
    std::fs::create_dir(dev.join("config")).expect("tripwire");
    let out = gpu(&[
        "check-prime",
        "--root",
        dir.path().to_str().expect("utf8"),
        "--nvidia",
        "PCI:1:0:0",
        "--intel",
        "PCI:0:2:0",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

// ---- bad input ------------------------------------------------------------

#[test]
fn wrong_root_and_malformed_files_are_named() {
    let out = gpu(&["detect", "--root", "/nonexistent/gpu-root"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/gpu-root"));
    let empty = tempfile::tempdir().expect("tmp");
    let out = gpu(&["detect", "--root", empty.path().to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a system root"),
        "{}",
        stderr(&out)
    );

    let dir = copy_fixture("laptop-intel-nvidia");
    std::fs::write(
        dir.path()
            .join("sys/devices/pci0000:00/0000:00:02.0/vendor"),
        b"\xff\xfe\n",
    )
    .expect("odd bytes");
    let out = gpu(&[
        "detect",
        "--json",
        "--root",
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("0000:00:02.0/vendor"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_optional_files_give_partial_results() {
    let dir = copy_fixture("laptop-intel-nvidia");
    let dev = dir
        .path()
        .join("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
    std::fs::remove_file(dev.join("power/runtime_status")).expect("rm");
    std::fs::remove_file(dev.join("boot_vga")).expect("rm");
    std::fs::remove_file(dev.join("uevent")).expect("rm");
    let v = json_ok(&[
        "detect",
        "--json",
        "--root",
        dir.path().to_str().expect("utf8"),
    ]);
    assert_eq!(v["gpus"][1]["runtime_status"], Value::Null);
    assert_eq!(v["gpus"][1]["boot_vga"], Value::Null);
    assert_eq!(
        v["gpus"][1]["driver"], "nvidia",
        "the driver link still names it"
    );
}

//! `axios-gpu status` on fixture trees: amdgpu figures through amdgpu-sysfs, Intel
//! basics, NVML absent (a note, exit 0), suspended GPUs left asleep.

mod common;

use common::*;
use serde_json::{json, Value};

fn status(root: &std::path::Path, extra: &[&str]) -> Value {
    let mut a = vec!["status", "--json", "--root", root.to_str().expect("utf8")];
    a.extend_from_slice(extra);
    json_ok(&a)
}

#[test]
fn amd_desktop_figures_through_amdgpu_sysfs() {
    let v = status(&fixture("desktop-amd"), &[]);
    let g = &v["gpus"][0];
    assert_eq!(g["source"], "amdgpu-sysfs");
    assert_eq!(
        json!([
            g["busy_percent"],
            g["vram_used_bytes"],
            g["vram_total_bytes"],
            g["temperature_c"],
            g["power_w"],
            g["gpu_clock_mhz"],
            g["mem_clock_mhz"],
            g["performance_level"]
        ]),
        json!([
            3,
            1245184000u64,
            17163091968u64,
            45.0,
            32.0,
            500,
            96,
            "auto"
        ])
    );
    assert_eq!(g["notes"], json!([]));
    assert_eq!(v["nvml"], "not-used: no NVIDIA GPU");
    let text = stdout(&gpu(&[
        "status",
        "--root",
        fixture("desktop-amd").to_str().expect("utf8"),
    ]));
    assert!(
        text.contains("45°C  3%    1187/16368 MiB  32.0 W  500 MHz  auto"),
        "{text}"
    );
}

#[test]
fn apu_reports_power_input_and_nvidia_without_nvml_is_a_note() {
    // NVML cannot load here (no NVIDIA driver): a clear note, sysfs figures, exit 0.
    for lib in ["/nonexistent/libnvidia-ml.so.1", "libnvidia-ml.so.1"] {
        let v = status(&fixture("laptop-amd-nvidia-active"), &["--nvml-lib", lib]);
        let nvml = v["nvml"].as_str().expect("nvml");
        assert!(nvml.starts_with("not-loaded: "), "{nvml}");
        assert!(nvml.contains("libnvidia-ml.so.1"), "{nvml}");
        assert!(v["notes"][0]
            .as_str()
            .expect("note")
            .contains("NVML is not available"));
        let nv = &v["gpus"][0];
        assert_eq!(nv["source"], "sysfs");
        assert!(nv["notes"][0]
            .as_str()
            .expect("note")
            .contains("sysfs figures only"));
        let apu = &v["gpus"][1];
        assert_eq!(apu["source"], "amdgpu-sysfs");
        assert_eq!(
            json!([
                apu["busy_percent"],
                apu["power_w"],
                apu["temperature_c"],
                apu["vram_total_bytes"]
            ]),
            json!([11, 9.0, 52.0, 536870912])
        );
    }
}

#[test]
fn intel_basics_from_i915_sysfs() {
    let v = status(&fixture("laptop-intel-nvidia"), &[]);
    assert_eq!(v["gpus"][0]["gpu_clock_mhz"], 300);
    assert_eq!(v["gpus"][0]["max_clock_mhz"], 1400);
    assert_eq!(v["gpus"][0]["source"], "sysfs");
}

/// A suspended AMD dGPU whose figure files are tripwires (directories: any read fails).
fn suspended_amd() -> tempfile::TempDir {
    let dir = copy_fixture("desktop-amd");
    let dev = dir
        .path()
        .join("sys/devices/pci0000:00/0000:00:03.1/0000:03:00.0");
    std::fs::write(dev.join("power/runtime_status"), "suspended\n").expect("suspend");
    for f in ["gpu_busy_percent", "mem_info_vram_used"] {
        std::fs::remove_file(dev.join(f)).expect("rm");
        std::fs::create_dir(dev.join(f)).expect("tripwire");
    }
    dir
}

#[test]
fn suspended_gpus_are_not_read_without_wake() {
    let dir = suspended_amd();
    let v = status(dir.path(), &[]);
    let g = &v["gpus"][0];
    assert_eq!(g["source"], "not-read");
    assert_eq!(g["suspended"], true);
    assert_eq!(g["busy_percent"], Value::Null);
    assert!(g["notes"][0].as_str().expect("note").contains("--wake"));
    // --wake reads it: the tripwire fires and is reported, other figures still come.
    let v = status(dir.path(), &["--wake"]);
    let g = &v["gpus"][0];
    assert_eq!(g["source"], "amdgpu-sysfs");
    assert!(g["notes"].to_string().contains("gpu_busy_percent"), "{g}");
    assert_eq!(g["temperature_c"], 45.0);
    // A suspended NVIDIA dGPU: NVML is not even initialised.
    let v = status(
        &fixture("laptop-intel-nvidia"),
        &["--nvml-lib", "/nonexistent/libnvidia-ml.so.1"],
    );
    assert!(
        v["nvml"].as_str().expect("nvml").contains("would wake it"),
        "{v}"
    );
    assert_eq!(v["gpus"][1]["source"], "not-read");
}

#[test]
fn odd_and_missing_files_give_partial_figures() {
    let dir = copy_fixture("desktop-amd");
    let dev = dir
        .path()
        .join("sys/devices/pci0000:00/0000:00:03.1/0000:03:00.0");
    std::fs::write(dev.join("gpu_busy_percent"), "\u{ff}garbage\n").expect("odd");
    std::fs::remove_file(dev.join("power_dpm_force_performance_level")).expect("rm");
    std::fs::remove_dir_all(dev.join("hwmon")).expect("rm hwmon");
    let v = status(dir.path(), &[]);
    let g = &v["gpus"][0];
    assert_eq!(g["busy_percent"], Value::Null);
    assert_eq!(g["vram_total_bytes"], 17163091968u64);
    let notes = g["notes"].to_string();
    assert!(notes.contains("gpu_busy_percent"), "{notes}");
    assert!(
        notes.contains("power_dpm_force_performance_level"),
        "{notes}"
    );
    assert!(notes.contains("no hwmon"), "{notes}");
    // uevent without DRIVER: amdgpu-sysfs refuses the handle; sysfs basics remain.
    std::fs::write(dev.join("uevent"), "PCI_ID=1002:73BF\n").expect("uevent");
    let v = status(dir.path(), &[]);
    assert_eq!(v["gpus"][0]["source"], "sysfs");
    assert!(
        v["gpus"][0]["notes"]
            .to_string()
            .contains("amdgpu-sysfs on"),
        "{v}"
    );
}

#[test]
fn live_machine_and_no_gpu() {
    let out = gpu(&["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = status(&fixture("vm-no-gpu"), &[]);
    assert_eq!(v["gpus"], json!([]));
    assert_eq!(gpu(&["status", "--watch", "0"]).status.code(), Some(2));
}

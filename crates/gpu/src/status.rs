//! `axios-gpu status`: live figures per GPU.
//!
//! NVIDIA through NVML (`nvml-wrapper`, `libnvidia-ml.so.1` from
//! `/run/opengl-driver/lib` first); AMD through `amdgpu-sysfs`; Intel basics from
//! i915/xe sysfs. A runtime-suspended GPU is reported as suspended and not read
//! (reading its figures, or initialising NVML, would wake it) unless `wake` is set.
//! No NVML is not an error: the report says so and keeps the sysfs figures.

use std::path::{Path, PathBuf};

use axios_core::root::Root;
use serde::Serialize;

use crate::detect::{Gpu, Gpus, Vendor};

/// Where NixOS puts the driver's user-space libraries.
pub const NIXOS_NVML: &str = "/run/opengl-driver/lib/libnvidia-ml.so.1";

#[derive(Debug, Clone, Default)]
pub struct StatusOptions {
    /// Read suspended GPUs anyway (wakes them).
    pub wake: bool,
    /// NVML library to load; default: [`NIXOS_NVML`] if present, else the loader's
    /// search for `libnvidia-ml.so.1`. With a fixture root NVML is only tried when
    /// this is given.
    pub nvml_lib: Option<PathBuf>,
}

/// How a GPU's figures were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Nvml,
    AmdgpuSysfs,
    Sysfs,
    /// Not read: the GPU is suspended and `--wake` was not given.
    NotRead,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GpuStatus {
    pub pci_slot: String,
    pub vendor: Vendor,
    pub model: Option<String>,
    pub driver: Option<String>,
    pub runtime_status: Option<String>,
    pub suspended: bool,
    pub source: Source,
    pub temperature_c: Option<f64>,
    pub busy_percent: Option<u32>,
    pub vram_used_bytes: Option<u64>,
    pub vram_total_bytes: Option<u64>,
    pub power_w: Option<f64>,
    pub gpu_clock_mhz: Option<u64>,
    pub mem_clock_mhz: Option<u64>,
    pub max_clock_mhz: Option<u64>,
    pub performance_level: Option<String>,
    pub driver_version: Option<String>,
    /// Figures that could not be read, and why.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub schema_version: u32,
    pub root: String,
    /// `loaded`, `not-loaded: <why>`, `not-used: <why>`.
    pub nvml: String,
    pub gpus: Vec<GpuStatus>,
    pub notes: Vec<String>,
}

impl GpuStatus {
    fn new(g: &Gpu) -> Self {
        Self {
            pci_slot: g.pci_slot.clone(),
            vendor: g.vendor,
            model: g.model().map(str::to_string),
            driver: g.driver.clone(),
            runtime_status: g.runtime_status.clone(),
            suspended: g.is_suspended(),
            source: Source::Sysfs,
            temperature_c: None,
            busy_percent: None,
            vram_used_bytes: None,
            vram_total_bytes: None,
            power_w: None,
            gpu_clock_mhz: None,
            mem_clock_mhz: None,
            max_clock_mhz: None,
            performance_level: None,
            driver_version: None,
            notes: Vec::new(),
        }
    }
}

/// Record `r`'s value, or a note naming `what` and the error.
fn take<T, E: std::fmt::Display>(
    notes: &mut Vec<String>,
    what: &str,
    r: Result<T, E>,
) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            notes.push(format!("{what}: {e}"));
            None
        }
    }
}

/// Live figures for every GPU in `gpus`.
pub fn status(root: &Root, gpus: &Gpus, opts: &StatusOptions) -> StatusReport {
    let mut notes = Vec::new();
    let live = root.base() == Path::new("/");
    let nvidia: Vec<&Gpu> = gpus
        .gpus
        .iter()
        .filter(|g| g.vendor == Vendor::Nvidia)
        .collect();
    let sleeping_nvidia = nvidia.iter().any(|g| g.is_suspended());
    let (nvml, nvml_state) = if nvidia.is_empty() {
        (None, "not-used: no NVIDIA GPU".to_string())
    } else if !live && opts.nvml_lib.is_none() {
        (None, "not-used: NVML reads the live machine, not a --root tree (pass --nvml-lib to try anyway)".to_string())
    } else if sleeping_nvidia && !opts.wake {
        (None, "not-used: an NVIDIA GPU is runtime-suspended and initialising NVML would wake it (pass --wake)".to_string())
    } else {
        match load_nvml(opts.nvml_lib.as_deref()) {
            Ok(n) => (Some(n), "loaded".to_string()),
            Err(e) => {
                notes.push(format!(
                    "NVML is not available ({e}); NVIDIA figures are limited to sysfs. On NixOS it comes with hardware.nvidia (libnvidia-ml.so.1 in /run/opengl-driver/lib)."
                ));
                (None, format!("not-loaded: {e}"))
            }
        }
    };
    let mut out = Vec::new();
    for g in &gpus.gpus {
        let mut s = GpuStatus::new(g);
        if s.suspended && !opts.wake {
            s.source = Source::NotRead;
            s.notes.push(
                "runtime-suspended: not read, so it stays asleep (pass --wake to read it)".into(),
            );
            out.push(s);
            continue;
        }
        match g.vendor {
            Vendor::Nvidia => match &nvml {
                Some(n) => read_nvml(n, g, &mut s),
                None => {
                    s.notes
                        .push(format!("NVML {nvml_state}: sysfs figures only"));
                    read_sysfs_basics(root, g, &mut s);
                }
            },
            Vendor::Amd if g.driver.as_deref() == Some("amdgpu") => read_amdgpu(root, g, &mut s),
            Vendor::Intel => read_intel(root, g, &mut s),
            _ => read_sysfs_basics(root, g, &mut s),
        }
        out.push(s);
    }
    if gpus.gpus.is_empty() {
        notes.push("No PCI GPU: nothing to report.".into());
    }
    StatusReport {
        schema_version: crate::SCHEMA_VERSION,
        root: root.base().display().to_string(),
        nvml: nvml_state,
        gpus: out,
        notes,
    }
}

fn load_nvml(lib: Option<&Path>) -> Result<nvml_wrapper::Nvml, nvml_wrapper::error::NvmlError> {
    let path: Option<PathBuf> = lib.map(Path::to_path_buf).or_else(|| {
        Path::new(NIXOS_NVML)
            .exists()
            .then(|| PathBuf::from(NIXOS_NVML))
    });
    match path {
        Some(p) => nvml_wrapper::Nvml::builder().lib_path(p.as_os_str()).init(),
        None => nvml_wrapper::Nvml::init(),
    }
}

fn read_nvml(nvml: &nvml_wrapper::Nvml, g: &Gpu, s: &mut GpuStatus) {
    use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
    s.source = Source::Nvml;
    let notes = &mut s.notes;
    s.driver_version = take(notes, "NVML driver version", nvml.sys_driver_version());
    let Some(dev) = take(
        notes,
        "NVML device",
        nvml.device_by_pci_bus_id(g.pci_slot.as_str()),
    ) else {
        return;
    };
    if let Some(name) = take(notes, "NVML name", dev.name()) {
        s.model = Some(name);
    }
    s.temperature_c = take(
        notes,
        "temperature",
        dev.temperature(TemperatureSensor::Gpu),
    )
    .map(f64::from);
    s.busy_percent = take(notes, "utilisation", dev.utilization_rates()).map(|u| u.gpu);
    if let Some(m) = take(notes, "memory", dev.memory_info()) {
        s.vram_used_bytes = Some(m.used);
        s.vram_total_bytes = Some(m.total);
    }
    s.power_w = take(notes, "power", dev.power_usage()).map(|mw| f64::from(mw) / 1000.0);
    s.gpu_clock_mhz = take(notes, "graphics clock", dev.clock_info(Clock::Graphics)).map(u64::from);
    s.mem_clock_mhz = take(notes, "memory clock", dev.clock_info(Clock::Memory)).map(u64::from);
}

fn read_amdgpu(root: &Root, g: &Gpu, s: &mut GpuStatus) {
    use amdgpu_sysfs::gpu_handle::GpuHandle;
    s.source = Source::AmdgpuSysfs;
    let dir = g.sysfs_dir(root);
    let notes = &mut s.notes;
    let Some(h) = take(
        notes,
        &format!("amdgpu-sysfs on {}", dir.display()),
        GpuHandle::new_from_path(dir.clone()),
    ) else {
        s.source = Source::Sysfs;
        return;
    };
    s.busy_percent = take(notes, "gpu_busy_percent", h.get_busy_percent()).map(u32::from);
    // APUs share system RAM and may not report VRAM: absent files are not worth a note.
    s.vram_total_bytes = h.get_total_vram().ok();
    s.vram_used_bytes = h.get_used_vram().ok();
    s.performance_level = take(
        notes,
        "power_dpm_force_performance_level",
        h.get_power_force_performance_level(),
    )
    .map(|l| l.to_string());
    match h.hw_monitors.first() {
        Some(mon) => {
            let temps = mon.get_temps();
            s.temperature_c = ["edge", "junction", "1"]
                .iter()
                .find_map(|k| temps.get(*k).and_then(|t| t.current))
                .map(f64::from);
            s.power_w = mon
                .get_power_average()
                .or_else(|_| mon.get_power_input())
                .ok();
            s.gpu_clock_mhz = mon.get_gpu_clockspeed().ok();
            s.mem_clock_mhz = mon.get_vram_clockspeed().ok();
        }
        None => notes.push(format!(
            "no hwmon under {}: no temperature, power or clocks",
            dir.display()
        )),
    }
}

/// The first DRM card of `g`.
fn card_dir(root: &Root, g: &Gpu) -> Option<PathBuf> {
    g.drm_cards
        .first()
        .map(|c| root.path(format!("sys/class/drm/{c}")))
}

fn read_u64(root: &Root, path: &Path, notes: &mut Vec<String>) -> Option<u64> {
    match root.read_attr(path) {
        Ok(Some(t)) => match t.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                notes.push(format!(
                    "{}: expected a number, found {t:?}",
                    path.display()
                ));
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            notes.push(e.to_string());
            None
        }
    }
}

fn read_intel(root: &Root, g: &Gpu, s: &mut GpuStatus) {
    read_sysfs_basics(root, g, s);
    let Some(card) = card_dir(root, g) else {
        return;
    };
    // i915 names them gt_*; xe has tile0/gt0/freq0/{cur,max}_freq.
    s.gpu_clock_mhz = read_u64(root, &card.join("gt_cur_freq_mhz"), &mut s.notes).or_else(|| {
        read_u64(
            root,
            &card.join("device/tile0/gt0/freq0/cur_freq"),
            &mut s.notes,
        )
    });
    s.max_clock_mhz = read_u64(root, &card.join("gt_max_freq_mhz"), &mut s.notes).or_else(|| {
        read_u64(
            root,
            &card.join("device/tile0/gt0/freq0/max_freq"),
            &mut s.notes,
        )
    });
}

/// What any GPU offers through plain sysfs: its hwmon temperature and power.
fn read_sysfs_basics(root: &Root, g: &Gpu, s: &mut GpuStatus) {
    s.source = Source::Sysfs;
    let hwmon = g.sysfs_dir(root).join("hwmon");
    let Ok(mons) = crate::detect::list_dir(&hwmon) else {
        return;
    };
    if let Some(mon) = mons.first() {
        s.temperature_c =
            read_u64(root, &mon.join("temp1_input"), &mut s.notes).map(|m| m as f64 / 1000.0);
        s.power_w = read_u64(root, &mon.join("power1_average"), &mut s.notes)
            .or_else(|| read_u64(root, &mon.join("power1_input"), &mut s.notes))
            .map(|uw| uw as f64 / 1e6);
    }
}

impl StatusReport {
    /// The human table, one row per GPU, then notes.
    pub fn to_text(&self) -> String {
        let header = [
            "SLOT", "VENDOR", "MODEL", "STATE", "TEMP", "BUSY", "VRAM", "POWER", "CLOCK", "PERF",
        ]
        .map(String::from);
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        let rows: Vec<[String; 10]> = self
            .gpus
            .iter()
            .map(|s| {
                [
                    s.pci_slot.clone(),
                    s.vendor.as_str().into(),
                    opt(s.model.clone()),
                    if s.source == Source::NotRead {
                        "suspended (not read)".into()
                    } else {
                        opt(s.runtime_status.clone())
                    },
                    opt(s.temperature_c.map(|t| format!("{t:.0}°C"))),
                    opt(s.busy_percent.map(|b| format!("{b}%"))),
                    match (s.vram_used_bytes, s.vram_total_bytes) {
                        (Some(u), Some(t)) => format!("{}/{} MiB", u >> 20, t >> 20),
                        _ => "-".into(),
                    },
                    opt(s.power_w.map(|p| format!("{p:.1} W"))),
                    opt(s.gpu_clock_mhz.map(|c| format!("{c} MHz"))),
                    opt(s.performance_level.clone()),
                ]
            })
            .collect();
        let mut out = if rows.is_empty() {
            String::new()
        } else {
            crate::view::table(&header, &rows)
        };
        for s in &self.gpus {
            for n in &s.notes {
                out.push_str(&format!("note: {}: {n}\n", s.pci_slot));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }
}

//! Hardware detection from a sysfs/procfs tree (the live `/` or a fixture).
//! GPUs come from `axios_gpu` (one detection for `axios doctor` and `axios-gpu`);
//! their types are re-exported here so this crate's API stays as it was.
//!
//! Only attributes that the kernel serves from cached state are read (PCI
//! `class`/`vendor`/`device`/`boot_vga`, `power/runtime_status`, `uevent`), so
//! a runtime-suspended discrete GPU is not woken up. NVML is never touched.

use std::path::Path;

use axios_core::root::Root;
use serde::Serialize;

use axios_gpu::detect::{file_name, list_dir};
pub use axios_gpu::detect::{DetectError, Gpu, GpuKind, PlatformDisplay, Vendor};

fn malformed(path: &Path, message: impl Into<String>) -> DetectError {
    DetectError::Malformed {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cpu {
    /// `intel`, `amd`, `other`, or `unknown` when /proc/cpuinfo is absent.
    pub vendor: String,
    pub model: Option<String>,
    pub logical_cpus: usize,
    /// The `hypervisor` CPU flag: running in a VM.
    pub virtualized: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FormFactorKind {
    Laptop,
    Desktop,
    Server,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormFactor {
    pub kind: FormFactorKind,
    pub chassis_type: Option<u32>,
    pub chassis: Option<&'static str>,
    pub battery: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemInfo {
    pub vendor: Option<String>,
    pub product: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disk {
    pub name: String,
    pub rotational: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hardware {
    pub cpu: Cpu,
    pub gpus: Vec<Gpu>,
    pub platform_displays: Vec<PlatformDisplay>,
    pub form_factor: FormFactor,
    pub system: SystemInfo,
    pub disks: Vec<Disk>,
}

/// Detect everything below `root`.
pub fn detect(root: &Root) -> Result<Hardware, DetectError> {
    let axios_gpu::Gpus {
        gpus,
        platform_displays,
    } = axios_gpu::detect_gpus(root)?;
    Ok(Hardware {
        cpu: detect_cpu(root)?,
        gpus,
        platform_displays,
        form_factor: detect_form_factor(root)?,
        system: SystemInfo {
            vendor: root.read_attr(&root.path("sys/class/dmi/id/sys_vendor"))?,
            product: root.read_attr(&root.path("sys/class/dmi/id/product_name"))?,
        },
        disks: detect_disks(root)?,
    })
}

fn detect_cpu(root: &Root) -> Result<Cpu, DetectError> {
    let path = root.path("proc/cpuinfo");
    let Some(text) = root.read_attr(&path)? else {
        return Ok(Cpu {
            vendor: "unknown".into(),
            model: None,
            logical_cpus: 0,
            virtualized: false,
        });
    };
    let mut vendor = None;
    let mut model = None;
    let mut logical = 0;
    let mut virtualized = false;
    let mut implementer = false;
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "processor" => logical += 1,
            "vendor_id" if vendor.is_none() => vendor = Some(value.to_string()),
            "model name" if model.is_none() => model = Some(value.to_string()),
            "CPU implementer" => implementer = true,
            "flags" => virtualized |= value.split_whitespace().any(|f| f == "hypervisor"),
            _ => {}
        }
    }
    if logical == 0 && vendor.is_none() && !implementer {
        return Err(malformed(
            &path,
            "no `processor` or `vendor_id` lines: this is not a /proc/cpuinfo",
        ));
    }
    let vendor = match vendor.as_deref() {
        Some("GenuineIntel") => "intel",
        Some("AuthenticAMD") | Some("HygonGenuine") => "amd",
        _ => "other",
    };
    Ok(Cpu {
        vendor: vendor.into(),
        model,
        logical_cpus: logical,
        virtualized,
    })
}

/// SMBIOS chassis types (DMTF DSP0134, 7.4.1).
fn chassis(t: u32) -> (&'static str, FormFactorKind) {
    use FormFactorKind::*;
    match t {
        1 => ("Other", Unknown),
        2 => ("Unknown", Unknown),
        3 => ("Desktop", Desktop),
        4 => ("Low Profile Desktop", Desktop),
        5 => ("Pizza Box", Desktop),
        6 => ("Mini Tower", Desktop),
        7 => ("Tower", Desktop),
        8 => ("Portable", Laptop),
        9 => ("Laptop", Laptop),
        10 => ("Notebook", Laptop),
        11 => ("Hand Held", Laptop),
        12 => ("Docking Station", Unknown),
        13 => ("All in One", Desktop),
        14 => ("Sub Notebook", Laptop),
        15 => ("Space-saving", Desktop),
        16 => ("Lunch Box", Desktop),
        17 => ("Main Server Chassis", Server),
        23 => ("Rack Mount Chassis", Server),
        24 => ("Sealed-case PC", Desktop),
        25 => ("Multi-system chassis", Server),
        28 => ("Blade", Server),
        29 => ("Blade Enclosure", Server),
        30 => ("Tablet", Laptop),
        31 => ("Convertible", Laptop),
        32 => ("Detachable", Laptop),
        35 => ("Mini PC", Desktop),
        36 => ("Stick PC", Desktop),
        _ => ("Other", Unknown),
    }
}

fn detect_form_factor(root: &Root) -> Result<FormFactor, DetectError> {
    let path = root.path("sys/class/dmi/id/chassis_type");
    let chassis_type = match root.read_attr(&path)? {
        None => None,
        Some(text) => Some(text.parse::<u32>().map_err(|_| {
            malformed(
                &path,
                format!("expected an SMBIOS chassis type number, found {text:?}"),
            )
        })?),
    };
    let mut battery = false;
    for supply in list_dir(&root.path("sys/class/power_supply"))? {
        let kind = root.read_attr(&supply.join("type"))?;
        // Peripherals (mice, headsets) report scope=Device; they do not make a laptop.
        let scope = root.read_attr(&supply.join("scope"))?;
        if kind.as_deref() == Some("Battery") && scope.as_deref() != Some("Device") {
            battery = true;
        }
    }
    let (name, mut kind) = chassis_type.map_or((None, FormFactorKind::Unknown), |t| {
        let (n, k) = chassis(t);
        (Some(n), k)
    });
    if kind == FormFactorKind::Unknown && battery {
        kind = FormFactorKind::Laptop;
    }
    Ok(FormFactor {
        kind,
        chassis_type,
        chassis: name,
        battery,
    })
}

fn detect_disks(root: &Root) -> Result<Vec<Disk>, DetectError> {
    let mut disks = Vec::new();
    for dev in list_dir(&root.path("sys/block"))? {
        let name = file_name(&dev);
        let virtual_dev = ["loop", "ram", "zram", "dm-", "md", "sr", "fd", "nbd"]
            .iter()
            .any(|p| name.starts_with(p));
        if virtual_dev || root.read_attr(&dev.join("removable"))?.as_deref() == Some("1") {
            continue;
        }
        let path = dev.join("queue/rotational");
        let rotational = match root.read_attr(&path)?.as_deref() {
            Some("0") => false,
            Some("1") => true,
            None => continue,
            Some(other) => {
                return Err(malformed(
                    &path,
                    format!("expected 0 or 1, found {other:?}"),
                ))
            }
        };
        disks.push(Disk { name, rotational });
    }
    Ok(disks)
}

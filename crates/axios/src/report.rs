//! The `axios doctor` report: detection plus what axiOS makes of it.

use std::fmt::Write as _;

use serde::Serialize;

use crate::detect::{FormFactorKind, GpuKind, Hardware, Vendor};

/// Version of the JSON document; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prime {
    /// `axios.hardware.prime.enable`: on for laptops; axiOS leaves it off on desktops.
    pub enable: bool,
    /// `axios.hardware.prime.mode` when enabled (`offload` on laptops).
    pub mode: Option<&'static str>,
    #[serde(rename = "nvidiaBusId")]
    pub nvidia_bus_id: String,
    #[serde(rename = "intelBusId", skip_serializing_if = "Option::is_none")]
    pub intel_bus_id: Option<String>,
    #[serde(rename = "amdgpuBusId", skip_serializing_if = "Option::is_none")]
    pub amdgpu_bus_id: Option<String>,
}

/// The hardware facts `axios.lib.mkSystem` takes, as detected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggested {
    pub form_factor: Option<&'static str>,
    pub cpu: Option<String>,
    pub gpu: Option<&'static str>,
    pub is_laptop: bool,
    #[serde(rename = "hasSSD")]
    pub has_ssd: Option<bool>,
    pub vendor: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub root: String,
    #[serde(flatten)]
    pub hardware: Hardware,
    pub prime: Option<Prime>,
    pub suggested: Suggested,
    pub notes: Vec<String>,
}

impl Report {
    pub fn new(root: &str, hardware: Hardware) -> Self {
        let prime = prime(&hardware);
        let suggested = suggested(&hardware);
        let notes = notes(&hardware, prime.as_ref());
        Self {
            schema_version: SCHEMA_VERSION,
            root: root.to_string(),
            hardware,
            prime,
            suggested,
            notes,
        }
    }

    /// The human-readable report.
    pub fn to_text(&self) -> String {
        let hw = &self.hardware;
        let mut out = String::new();
        let _ = writeln!(out, "axiOS doctor: hardware report for {}", self.root);
        let _ = writeln!(out);
        let cpu = &hw.cpu;
        let _ = writeln!(
            out,
            "CPU          {} ({}, {} logical CPU{}{})",
            cpu.model.as_deref().unwrap_or("unknown model"),
            cpu.vendor,
            cpu.logical_cpus,
            if cpu.logical_cpus == 1 { "" } else { "s" },
            if cpu.virtualized {
                ", virtual machine"
            } else {
                ""
            }
        );
        let ff = &hw.form_factor;
        let chassis = match (ff.chassis_type, ff.chassis) {
            (Some(t), Some(n)) => format!("DMI chassis type {t}: {n}"),
            _ => "no DMI chassis type".to_string(),
        };
        let _ = writeln!(
            out,
            "Form factor  {} ({chassis}; battery: {})",
            form_factor_str(ff.kind).unwrap_or("unknown"),
            if ff.battery { "yes" } else { "no" }
        );
        if hw.system.vendor.is_some() || hw.system.product.is_some() {
            let _ = writeln!(
                out,
                "System       {} {}",
                hw.system.vendor.as_deref().unwrap_or(""),
                hw.system.product.as_deref().unwrap_or("")
            );
        }
        if !hw.disks.is_empty() {
            let disks: Vec<String> = hw
                .disks
                .iter()
                .map(|d| {
                    format!(
                        "{} ({})",
                        d.name,
                        if d.rotational { "rotational" } else { "SSD" }
                    )
                })
                .collect();
            let _ = writeln!(out, "Disks        {}", disks.join(", "));
        }
        let _ = writeln!(out);
        if hw.gpus.is_empty() {
            let _ = writeln!(
                out,
                "GPUs         none: no display controller (PCI class 0x03xxxx) was found"
            );
        } else {
            let _ = writeln!(out, "GPUs");
            let rows: Vec<[String; 9]> = hw
                .gpus
                .iter()
                .map(|g| {
                    [
                        g.pci_slot.clone(),
                        g.vendor.as_str().to_string(),
                        format!("{}:{}", g.vendor_id, g.device_id),
                        kind_str(g.kind).to_string(),
                        g.driver.clone().unwrap_or_else(|| "no driver".into()),
                        match g.boot_vga {
                            Some(true) => "boot_vga".into(),
                            _ => "-".into(),
                        },
                        g.runtime_status.clone().unwrap_or_else(|| "-".into()),
                        g.nix_bus_id.clone(),
                        if g.drm_cards.is_empty() {
                            "-".into()
                        } else {
                            g.drm_cards.join(",")
                        },
                    ]
                })
                .collect();
            let header = [
                "SLOT",
                "VENDOR",
                "ID",
                "KIND",
                "DRIVER",
                "PRIMARY",
                "POWER",
                "NIX BUS ID",
                "DRM",
            ]
            .map(String::from);
            for line in axios_gpu::view::table(&header, &rows).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        for d in &hw.platform_displays {
            let _ = writeln!(
                out,
                "Other DRM    {} (driver {}{}): not a PCI device, PRIME does not apply",
                d.card,
                d.driver.as_deref().unwrap_or("none"),
                d.compatible
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default()
            );
        }
        if let Some(p) = &self.prime {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "PRIME        axios.hardware.prime (bus IDs are decimal, as NixOS wants them)"
            );
            match p.mode {
                Some(mode) => {
                    let _ = writeln!(out, "  enable = true;\n  mode = \"{mode}\";");
                }
                None => {
                    let _ = writeln!(out, "  enable = false; # axiOS default on desktops");
                }
            }
            let _ = writeln!(out, "  nvidiaBusId = \"{}\";", p.nvidia_bus_id);
            if let Some(id) = &p.intel_bus_id {
                let _ = writeln!(out, "  intelBusId = \"{id}\";");
            }
            if let Some(id) = &p.amdgpu_bus_id {
                let _ = writeln!(out, "  amdgpuBusId = \"{id}\";");
            }
        }
        let s = &self.suggested;
        let _ = writeln!(out);
        let _ = writeln!(out, "axiOS facts  (for axios.lib.mkSystem)");
        let nix_str = |v: Option<&str>| v.map_or("null".to_string(), |v| format!("\"{v}\""));
        let _ = writeln!(out, "  formFactor = {};", nix_str(s.form_factor));
        let _ = writeln!(
            out,
            "  hardware = {{ cpu = {}; gpu = {}; vendor = {}; isLaptop = {}; hasSSD = {}; }};",
            nix_str(s.cpu.as_deref()),
            nix_str(s.gpu),
            nix_str(s.vendor),
            s.is_laptop,
            s.has_ssd.map_or("null".to_string(), |b| b.to_string())
        );
        if !self.notes.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(out, "Notes");
            for n in &self.notes {
                let _ = writeln!(out, "  - {n}");
            }
        }
        out
    }
}

fn kind_str(k: GpuKind) -> &'static str {
    match k {
        GpuKind::Integrated => "integrated",
        GpuKind::Discrete => "discrete",
        GpuKind::Unknown => "unknown",
    }
}

fn form_factor_str(k: FormFactorKind) -> Option<&'static str> {
    match k {
        FormFactorKind::Laptop => Some("laptop"),
        FormFactorKind::Desktop => Some("desktop"),
        FormFactorKind::Server => Some("server"),
        FormFactorKind::Unknown => None,
    }
}

fn prime(hw: &Hardware) -> Option<Prime> {
    let (nvidia, igpu) = axios_gpu::hybrid_pair(&hw.gpus)?;
    let laptop = hw.form_factor.kind == FormFactorKind::Laptop;
    Some(Prime {
        enable: laptop,
        mode: laptop.then_some("offload"),
        nvidia_bus_id: nvidia.nix_bus_id.clone(),
        intel_bus_id: (igpu.vendor == Vendor::Intel).then(|| igpu.nix_bus_id.clone()),
        amdgpu_bus_id: (igpu.vendor == Vendor::Amd).then(|| igpu.nix_bus_id.clone()),
    })
}

fn suggested(hw: &Hardware) -> Suggested {
    let has = |v: Vendor, k: Option<GpuKind>| {
        hw.gpus
            .iter()
            .any(|g| g.vendor == v && k.is_none_or(|k| g.kind == k))
    };
    // The GPU that renders: a discrete one wins over an integrated one.
    let gpu = if has(Vendor::Nvidia, None) {
        Some("nvidia")
    } else if has(Vendor::Amd, Some(GpuKind::Discrete)) {
        Some("amd")
    } else if has(Vendor::Intel, Some(GpuKind::Discrete)) {
        Some("intel")
    } else if has(Vendor::Amd, None) {
        Some("amd")
    } else if has(Vendor::Intel, None) {
        Some("intel")
    } else {
        None
    };
    let vendor = hw.system.vendor.as_deref().and_then(|v| {
        let v = v.to_ascii_lowercase();
        if v.contains("micro-star") || v == "msi" {
            Some("msi")
        } else if v.contains("system76") {
            Some("system76")
        } else {
            None
        }
    });
    let cpu = match hw.cpu.vendor.as_str() {
        "intel" | "amd" => Some(hw.cpu.vendor.clone()),
        _ => None,
    };
    Suggested {
        form_factor: form_factor_str(hw.form_factor.kind),
        cpu,
        gpu,
        is_laptop: hw.form_factor.kind == FormFactorKind::Laptop,
        has_ssd: (!hw.disks.is_empty()).then(|| hw.disks.iter().any(|d| !d.rotational)),
        vendor,
    }
}

fn notes(hw: &Hardware, prime: Option<&Prime>) -> Vec<String> {
    let mut notes = Vec::new();
    if hw.gpus.is_empty() && hw.platform_displays.is_empty() {
        notes.push(
            "No GPU found. That is expected on a server, a VM or a CI runner; leave \
             modules.graphics off or set hardware.gpu to match the real machine."
                .into(),
        );
    } else if hw.gpus.is_empty() {
        notes.push(
            "No PCI GPU: the display is driven by a non-PCI DRM device (an SoC GPU, or only \
             the firmware framebuffer when no GPU driver is loaded). hardware.gpu takes \
             amd, nvidia or intel, so leave it unset here."
                .into(),
        );
    }
    if hw.cpu.virtualized {
        notes.push("Running in a virtual machine (CPU flag `hypervisor`).".into());
    }
    for g in &hw.gpus {
        if g.vendor == Vendor::Nvidia && g.runtime_status.as_deref() == Some("suspended") {
            notes.push(format!(
                "{} (NVIDIA) is runtime-suspended; doctor read only cached attributes and did not wake it.",
                g.pci_slot
            ));
        }
        if g.driver.is_none() {
            notes.push(format!("{} has no kernel driver bound.", g.pci_slot));
        }
        if !g.address.nix_bus_id_accepted() {
            notes.push(format!(
                "{} is on PCI domain {:#x}: nixpkgs' PRIME option check accepts at most three \
                 decimal digits for the domain, so {} cannot be used as a bus ID.",
                g.pci_slot, g.address.domain, g.nix_bus_id
            ));
        }
    }
    if hw
        .gpus
        .iter()
        .filter(|g| g.vendor == Vendor::Nvidia)
        .count()
        > 1
    {
        notes.push("More than one NVIDIA GPU: PRIME uses the first one listed.".into());
    }
    if let Some(p) = prime {
        if !p.enable {
            notes.push(
                "Integrated GPU plus NVIDIA GPU on a desktop: axiOS leaves PRIME off there; set \
                 axios.hardware.prime.enable = true (mode offload or sync) with the bus IDs above \
                 to use it."
                    .into(),
            );
        }
        notes.push(
            "PCI bus numbers move when a drive or card is added: run `axios doctor` again \
             after hardware changes and compare the bus IDs."
                .into(),
        );
    }
    if hw.form_factor.chassis_type.is_none() && hw.form_factor.battery {
        notes.push("No DMI chassis type; a system battery makes this a laptop.".into());
    }
    notes
}

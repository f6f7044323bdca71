//! The machine facts `axios init` writes, taken from the public hardware report
//! (`crate::doctor`). The ONE place init touches hardware detection, so moving
//! detection to another crate changes only this file.

use crate::report::Report;

/// PRIME bus IDs of a hybrid machine, in the decimal form NixOS wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimeFacts {
    /// Offload on laptops; axiOS leaves PRIME off on desktops.
    pub enable: bool,
    pub nvidia_bus_id: String,
    pub intel_bus_id: Option<String>,
    pub amdgpu_bus_id: Option<String>,
}

/// What init needs to know about the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `x86_64-linux` or `aarch64-linux`.
    pub system: &'static str,
    /// `desktop`, `laptop` or `server`; `None` when unknown.
    pub form_factor: Option<&'static str>,
    /// `amd` or `intel`.
    pub cpu: Option<String>,
    /// `amd`, `nvidia` or `intel`; `None` without a PCI GPU.
    pub gpu: Option<&'static str>,
    pub is_laptop: bool,
    pub has_ssd: Option<bool>,
    /// `msi` or `system76`.
    pub vendor: Option<&'static str>,
    pub prime: Option<PrimeFacts>,
}

impl Facts {
    pub fn from_report(r: &Report) -> Self {
        let s = &r.suggested;
        // mkSystem knows two systems; a CPU that is neither Intel nor AMD is an ARM one.
        let system = match s.cpu.as_deref() {
            Some("intel" | "amd") => "x86_64-linux",
            _ => "aarch64-linux",
        };
        Facts {
            system,
            form_factor: s.form_factor,
            cpu: s.cpu.clone(),
            gpu: s.gpu,
            is_laptop: s.is_laptop,
            has_ssd: s.has_ssd,
            vendor: s.vendor,
            prime: r.prime.as_ref().map(|p| PrimeFacts {
                enable: p.enable,
                nvidia_bus_id: p.nvidia_bus_id.clone(),
                intel_bus_id: p.intel_bus_id.clone(),
                amdgpu_bus_id: p.amdgpu_bus_id.clone(),
            }),
        }
    }

    /// Detect the facts of the machine under `root`.
    pub fn detect(root: &axios_core::Root) -> Result<Self, crate::DetectError> {
        Ok(Self::from_report(&crate::doctor(root)?))
    }
}

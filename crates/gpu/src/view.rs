//! `axios-gpu detect` output: the JSON document and the text table.

use serde::Serialize;

use crate::detect::{Gpu, GpuKind, Gpus, PlatformDisplay};

/// One GPU as `detect --json` shows it: the detection plus its model name and role.
#[derive(Debug, Serialize)]
pub struct GpuView<'a> {
    #[serde(flatten)]
    pub gpu: &'a Gpu,
    pub model: Option<&'static str>,
    /// `igpu`, `dgpu` or `unknown`.
    pub role: &'static str,
}

/// The `detect --json` document.
#[derive(Debug, Serialize)]
pub struct DetectView<'a> {
    pub schema_version: u32,
    pub root: String,
    pub gpus: Vec<GpuView<'a>>,
    pub platform_displays: &'a [PlatformDisplay],
    /// The `axios.hardware.prime` values for a hybrid machine, else null.
    pub prime: Option<PrimeView>,
}

#[derive(Debug, Serialize)]
pub struct PrimeView {
    #[serde(rename = "nvidiaBusId")]
    pub nvidia_bus_id: String,
    #[serde(rename = "intelBusId", skip_serializing_if = "Option::is_none")]
    pub intel_bus_id: Option<String>,
    #[serde(rename = "amdgpuBusId", skip_serializing_if = "Option::is_none")]
    pub amdgpu_bus_id: Option<String>,
}

pub fn role(kind: GpuKind) -> &'static str {
    match kind {
        GpuKind::Integrated => "igpu",
        GpuKind::Discrete => "dgpu",
        GpuKind::Unknown => "unknown",
    }
}

impl<'a> DetectView<'a> {
    pub fn new(root: &str, gpus: &'a Gpus) -> Self {
        let prime = crate::prime::hybrid_pair(&gpus.gpus).map(|(n, i)| PrimeView {
            nvidia_bus_id: n.nix_bus_id.clone(),
            intel_bus_id: (i.vendor == crate::Vendor::Intel).then(|| i.nix_bus_id.clone()),
            amdgpu_bus_id: (i.vendor == crate::Vendor::Amd).then(|| i.nix_bus_id.clone()),
        });
        Self {
            schema_version: crate::SCHEMA_VERSION,
            root: root.to_string(),
            gpus: gpus
                .gpus
                .iter()
                .map(|g| GpuView {
                    gpu: g,
                    model: g.model(),
                    role: role(g.kind),
                })
                .collect(),
            platform_displays: &gpus.platform_displays,
            prime,
        }
    }

    /// The human table.
    pub fn to_text(&self) -> String {
        let header = [
            "SLOT",
            "VENDOR",
            "ID",
            "MODEL",
            "ROLE",
            "DRIVER",
            "BOOT_VGA",
            "POWER",
            "NIX BUS ID",
            "DRM",
        ]
        .map(String::from);
        let rows: Vec<[String; 10]> = self
            .gpus
            .iter()
            .map(|v| {
                let g = v.gpu;
                [
                    g.pci_slot.clone(),
                    g.vendor.as_str().into(),
                    format!("{}:{}", g.vendor_id, g.device_id),
                    v.model.unwrap_or("-").into(),
                    v.role.into(),
                    g.driver.clone().unwrap_or_else(|| "none".into()),
                    match g.boot_vga {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "-".into(),
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
        let mut out = String::new();
        if rows.is_empty() {
            out.push_str("No PCI display controller (class 0x03xxxx) found.\n");
        } else {
            out.push_str(&table(&header, &rows));
        }
        for d in self.platform_displays {
            out.push_str(&format!(
                "platform {}: driver {}{} (not PCI: PRIME does not apply)\n",
                d.card,
                d.driver.as_deref().unwrap_or("none"),
                d.compatible
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default()
            ));
        }
        out
    }
}

/// Left-aligned columns separated by two spaces.
pub fn table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in std::iter::once(header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter()) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

//! NVIDIA PRIME: which GPUs pair up, the NixOS bus IDs, and checking configured
//! IDs against the hardware (`check-prime`).

use std::fmt;
use std::str::FromStr;

use axios_core::root::Root;
use serde::{Deserialize, Serialize};

use crate::detect::{DetectError, Gpu, GpuKind, Gpus, Vendor};
use crate::pci::PciAddress;

/// The NVIDIA GPU and the integrated GPU PRIME pairs it with: the first NVIDIA GPU
/// and the first integrated Intel or AMD GPU, in PCI order.
pub fn hybrid_pair(gpus: &[Gpu]) -> Option<(&Gpu, &Gpu)> {
    let nvidia = gpus.iter().find(|g| g.vendor == Vendor::Nvidia)?;
    let igpu = gpus
        .iter()
        .find(|g| g.kind == GpuKind::Integrated && g.vendor != Vendor::Nvidia)?;
    Some((nvidia, igpu))
}

/// A NixOS PRIME bus ID: DECIMAL `PCI:bus:device:function`, or
/// `PCI:bus@domain:device:function` on a non-zero PCI domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusId(pub PciAddress);

/// Why a string is not a NixOS bus ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusIdError {
    #[error("{input:?} looks like a sysfs/lspci address (hexadecimal); NixOS wants DECIMAL `PCI:bus:device:function`: use {suggestion:?}")]
    SysfsForm { input: String, suggestion: String },
    #[error("{input:?} is not decimal: `{field}` {value:?} contains hex digits{hint}; NixOS bus IDs are DECIMAL `PCI:bus:device:function`")]
    Hex {
        input: String,
        field: &'static str,
        value: String,
        hint: String,
    },
    #[error("{input:?}: {field} {value} is out of range (0..={max})")]
    OutOfRange {
        input: String,
        field: &'static str,
        value: u64,
        max: u32,
    },
    #[error("{input:?} is not a bus ID of the form PCI:bus:device:function (decimal, e.g. PCI:1:0:0, or PCI:3@1:0:0 on PCI domain 1)")]
    Malformed { input: String },
}

impl FromStr for BusId {
    type Err = BusIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.to_string();
        if let Ok(addr) = s.parse::<PciAddress>() {
            return Err(BusIdError::SysfsForm {
                input,
                suggestion: addr.nix_bus_id(),
            });
        }
        let malformed = || BusIdError::Malformed {
            input: s.to_string(),
        };
        let rest = s.strip_prefix("PCI:").ok_or_else(malformed)?;
        let parts: Vec<&str> = rest.split(':').collect();
        let [bus_dom, device, function] = parts[..] else {
            return Err(malformed());
        };
        let (bus, domain) = match bus_dom.split_once('@') {
            Some((b, d)) => (b, Some(d)),
            None => (bus_dom, None),
        };
        let num = |field: &'static str, v: &str, max: u32| -> Result<u32, BusIdError> {
            if v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(malformed());
            }
            if !v.chars().all(|c| c.is_ascii_digit()) {
                if v.chars().all(|c| c.is_ascii_hexdigit()) {
                    let hint = u64::from_str_radix(v, 16)
                        .map(|d| format!(" (hex {v} is decimal {d})"))
                        .unwrap_or_default();
                    return Err(BusIdError::Hex {
                        input: s.to_string(),
                        field,
                        value: v.to_string(),
                        hint,
                    });
                }
                return Err(malformed());
            }
            let n: u64 = v.parse().map_err(|_| BusIdError::OutOfRange {
                input: s.to_string(),
                field,
                value: u64::MAX,
                max,
            })?;
            if n > u64::from(max) {
                return Err(BusIdError::OutOfRange {
                    input: s.to_string(),
                    field,
                    value: n,
                    max,
                });
            }
            Ok(n as u32)
        };
        let bus = num("bus", bus, 255)?;
        // nixpkgs' option check allows at most three digits for the domain.
        let domain = domain.map(|d| num("domain", d, 999)).transpose()?;
        let device = num("device", device, 31)?;
        let function = num("function", function, 7)?;
        Ok(BusId(PciAddress {
            domain: domain.unwrap_or(0),
            bus: bus as u8,
            device: device as u8,
            function: function as u8,
        }))
    }
}

impl fmt::Display for BusId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.nix_bus_id())
    }
}

/// Which PRIME option an ID was configured for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrimeRole {
    #[serde(rename = "nvidiaBusId")]
    Nvidia,
    #[serde(rename = "intelBusId")]
    Intel,
    #[serde(rename = "amdgpuBusId")]
    Amdgpu,
}

impl PrimeRole {
    pub fn option(self) -> &'static str {
        match self {
            PrimeRole::Nvidia => "nvidiaBusId",
            PrimeRole::Intel => "intelBusId",
            PrimeRole::Amdgpu => "amdgpuBusId",
        }
    }

    fn vendor(self) -> Vendor {
        match self {
            PrimeRole::Nvidia => Vendor::Nvidia,
            PrimeRole::Intel => Vendor::Intel,
            PrimeRole::Amdgpu => Vendor::Amd,
        }
    }

    fn label(self) -> &'static str {
        match self {
            PrimeRole::Nvidia => "an NVIDIA GPU",
            PrimeRole::Intel => "an Intel GPU",
            PrimeRole::Amdgpu => "an AMD GPU",
        }
    }

    /// The GPU on this machine that this option should name.
    fn expected(self, gpus: &[Gpu]) -> Option<&Gpu> {
        let of_vendor = || gpus.iter().filter(move |g| g.vendor == self.vendor());
        match self {
            PrimeRole::Nvidia => of_vendor().next(),
            _ => of_vendor()
                .find(|g| g.kind == GpuKind::Integrated)
                .or_else(|| of_vendor().next()),
        }
    }
}

/// Whatever PCI device sits at an address, read from cached sysfs attributes only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAt {
    pub pci_slot: String,
    pub vendor_id: String,
    pub device_id: String,
    pub class: String,
    pub description: String,
}

/// One configured ID compared with the hardware.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimeCheckEntry {
    pub option: PrimeRole,
    pub configured: String,
    pub ok: bool,
    /// The device now at the configured address (`None`: nothing there).
    pub found: Option<DeviceAt>,
    /// The bus ID to use instead, when the expected GPU is elsewhere.
    pub use_instead: Option<String>,
    pub message: String,
}

/// The result of `check-prime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimeCheck {
    pub ok: bool,
    pub entries: Vec<PrimeCheckEntry>,
}

fn device_at(root: &Root, addr: PciAddress) -> Result<Option<DeviceAt>, DetectError> {
    let dir = root.path(format!("sys/bus/pci/devices/{addr}"));
    if !dir.exists() {
        return Ok(None);
    }
    let vendor = root.read_hex(&dir.join("vendor"))?.unwrap_or(0);
    let device = root.read_hex(&dir.join("device"))?.unwrap_or(0);
    let class = root.read_hex(&dir.join("class"))?.unwrap_or(0);
    let what = match class >> 16 {
        0x01 => "a storage controller",
        0x02 => "a network controller",
        0x03 => "a display controller",
        0x04 => "a multimedia (audio) device",
        0x06 => "a bridge",
        0x0c => "a serial bus controller (USB, Thunderbolt, ...)",
        _ => "a PCI device",
    };
    let vendor_name = match Vendor::from_pci(vendor) {
        Vendor::Other => format!("vendor {vendor:#06x}"),
        v => v.as_str().to_string(),
    };
    let model = u16::try_from(vendor)
        .ok()
        .zip(u16::try_from(device).ok())
        .and_then(|(v, d)| crate::models::model_name(v, d))
        .map(|m| format!(" {m}"))
        .unwrap_or_default();
    Ok(Some(DeviceAt {
        pci_slot: addr.to_string(),
        vendor_id: format!("{vendor:#06x}"),
        device_id: format!("{device:#06x}"),
        class: format!("{class:#08x}"),
        description: format!("{what} ({vendor_name} {vendor:04x}:{device:04x}{model})"),
    }))
}

/// Compare configured PRIME bus IDs with the GPUs below `root`. Reads only cached
/// attributes: a suspended dGPU stays asleep.
pub fn check(
    root: &Root,
    gpus: &Gpus,
    configured: &[(PrimeRole, BusId)],
) -> Result<PrimeCheck, DetectError> {
    let mut entries = Vec::new();
    for &(role, id) in configured {
        let found = device_at(root, id.0)?;
        let at = gpus.gpus.iter().find(|g| g.address == id.0);
        let ok = at.is_some_and(|g| g.vendor == role.vendor());
        let expected = role.expected(&gpus.gpus);
        let use_instead = expected
            .filter(|g| !ok && g.address.nix_bus_id_accepted())
            .map(|g| g.nix_bus_id.clone());
        let message = if ok {
            format!("{} = \"{id}\" matches {}", role.option(), id.0)
        } else {
            let now = match &found {
                Some(d) => format!("the device at {} is {}", d.pci_slot, d.description),
                None => format!("there is no PCI device at {}", id.0),
            };
            let instead = match (&use_instead, expected) {
                (Some(u), Some(g)) => format!(
                    "; use {} = \"{u}\" ({} at {})",
                    role.option(),
                    role.label(),
                    g.pci_slot
                ),
                _ => format!(
                    "; this machine has no {} that PRIME can use",
                    &role.label()[3..]
                ),
            };
            format!(
                "{} = \"{id}\" is stale: {now}, not {}{instead}",
                role.option(),
                role.label()
            )
        };
        entries.push(PrimeCheckEntry {
            option: role,
            configured: id.to_string(),
            ok,
            found,
            use_instead,
            message,
        });
    }
    Ok(PrimeCheck {
        ok: entries.iter().all(|e| e.ok),
        entries,
    })
}

/// Where the boot-time `check-prime` unit leaves its result (below the root), for
/// `axios doctor` to report drift.
pub const BOOT_CHECK_FILE: &str = "run/axios-gpu/check-prime.json";

/// Write `check` to `path` atomically, readable by everyone (doctor runs as a user).
pub fn write_report(
    path: &std::path::Path,
    check: &PrimeCheck,
) -> Result<(), axios_core::AtomicWriteError> {
    let mut text = serde_json::to_vec_pretty(check).unwrap_or_default();
    text.push(b'\n');
    axios_core::fs::atomic_write_mode(path, &text, Some(0o644))
}

/// The `axios.hardware.prime` snippet for this machine (`detect --nix`): a ready
/// block for a hybrid machine, a comment saying why PRIME is not needed otherwise.
pub fn nix_snippet(gpus: &Gpus) -> String {
    let Some((nvidia, igpu)) = hybrid_pair(&gpus.gpus) else {
        let why = match gpus.gpus.len() {
            0 => "no PCI GPU was found".to_string(),
            1 => "this machine has a single GPU".to_string(),
            _ if gpus.gpus.iter().any(|g| g.vendor == Vendor::Nvidia) => {
                "there is no integrated Intel or AMD GPU to pair with the NVIDIA GPU".to_string()
            }
            _ => "there is no NVIDIA GPU (PRIME is for NVIDIA hybrid graphics)".to_string(),
        };
        return format!("# axios-gpu: PRIME is not needed: {why}.\n");
    };
    for g in [nvidia, igpu] {
        if !g.address.nix_bus_id_accepted() {
            return format!(
                "# axios-gpu: {} is on PCI domain {:#x}; nixpkgs' PRIME option accepts at most three \
                 decimal digits for the domain, so it cannot be configured.\n",
                g.pci_slot, g.address.domain
            );
        }
    }
    let igpu_key = if igpu.vendor == Vendor::Intel {
        "intelBusId"
    } else {
        "amdgpuBusId"
    };
    format!(
        "# axios-gpu: NVIDIA PRIME for this machine (bus IDs are DECIMAL, as NixOS wants them).\n\
         # {} {} at {}; {} {} at {}.\n\
         axios.hardware.prime = {{\n  enable = true;\n  mode = \"offload\";\n  nvidiaBusId = \"{}\";\n  {igpu_key} = \"{}\";\n}};\n",
        nvidia.vendor.as_str(),
        nvidia.model().unwrap_or("GPU"),
        nvidia.pci_slot,
        igpu.vendor.as_str(),
        igpu.model().unwrap_or("GPU"),
        igpu.pci_slot,
        nvidia.nix_bus_id,
        igpu.nix_bus_id
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_ids() {
        let id: BusId = "PCI:10:0:0".parse().expect("ok");
        assert_eq!(id.0.bus, 10);
        assert_eq!(id.to_string(), "PCI:10:0:0");
        let id: BusId = "PCI:3@1:0:0".parse().expect("ok");
        assert_eq!((id.0.domain, id.0.bus), (1, 3));
        assert_eq!(id.to_string(), "PCI:3@1:0:0");
    }

    #[test]
    fn hex_ids_are_refused_with_the_decimal_value() {
        let e = "PCI:0a:00:0".parse::<BusId>().expect_err("hex");
        let msg = e.to_string();
        assert!(msg.contains("hex 0a is decimal 10"), "{msg}");
        let e = "0000:0a:00.0".parse::<BusId>().expect_err("sysfs");
        assert!(e.to_string().contains("\"PCI:10:0:0\""), "{e}");
    }

    #[test]
    fn out_of_range_and_garbage() {
        for (s, needle) in [
            ("PCI:256:0:0", "bus 256 is out of range (0..=255)"),
            ("PCI:1:32:0", "device 32 is out of range (0..=31)"),
            ("PCI:1:0:8", "function 8 is out of range (0..=7)"),
            ("PCI:1@1000:0:0", "domain 1000 is out of range"),
            ("PCI:99999999999999999999:0:0", "out of range"),
            ("PCI:1:0", "not a bus ID"),
            ("pci:1:0:0", "not a bus ID"),
            ("PCI:-1:0:0", "not a bus ID"),
            ("PCI:1:0:0\n", "not a bus ID"),
            ("", "not a bus ID"),
            ("PCI:1:zz:0", "not a bus ID"),
        ] {
            let e = s.parse::<BusId>().expect_err(s).to_string();
            assert!(e.contains(needle), "{s}: {e}");
        }
    }
}

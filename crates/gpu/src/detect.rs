//! GPU detection from a sysfs tree (the live `/` or a fixture).
//!
//! Only attributes that the kernel serves from cached state are read (PCI
//! `class`/`vendor`/`device`/`boot_vga`, `power/runtime_status`, `uevent`), so
//! a runtime-suspended discrete GPU is not woken up. NVML is never touched.

use std::path::{Path, PathBuf};

use axios_core::root::{Root, RootError};
use serde::Serialize;

use crate::pci::PciAddress;

/// Everything that stops detection.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Root(#[from] RootError),
    #[error("{path} does not exist: {root} is not a system root (it needs sys/ and proc/; pass --root DIR with a fixture tree, or omit --root for the live system)")]
    NotASysRoot { root: PathBuf, path: PathBuf },
    #[error("{path}: {message}")]
    Malformed { path: PathBuf, message: String },
}

pub(crate) fn malformed(path: &Path, message: impl Into<String>) -> DetectError {
    DetectError::Malformed {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    Intel,
    Amd,
    Nvidia,
    Other,
}

impl Vendor {
    pub fn from_pci(id: u32) -> Self {
        match id {
            0x8086 => Vendor::Intel,
            0x1002 | 0x1022 => Vendor::Amd,
            0x10de => Vendor::Nvidia,
            _ => Vendor::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Intel => "intel",
            Vendor::Amd => "amd",
            Vendor::Nvidia => "nvidia",
            Vendor::Other => "other",
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuKind {
    Integrated,
    Discrete,
    Unknown,
}

/// A PCI display controller (class 0x03xxxx).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gpu {
    pub pci_slot: String,
    pub vendor: Vendor,
    pub vendor_id: String,
    pub device_id: String,
    pub class: String,
    pub class_name: &'static str,
    pub driver: Option<String>,
    /// The firmware's primary display adapter (`boot_vga`); `None` when absent.
    pub boot_vga: Option<bool>,
    /// `power/runtime_status`: `active`, `suspended`, ...
    pub runtime_status: Option<String>,
    pub kind: GpuKind,
    pub drm_cards: Vec<String>,
    /// DECIMAL bus ID for `hardware.nvidia.prime.*BusId`.
    pub nix_bus_id: String,
    #[serde(skip)]
    pub address: PciAddress,
}

impl Gpu {
    /// `(vendor, device)` PCI IDs as numbers.
    pub fn pci_id(&self) -> (u16, u16) {
        let num = |s: &str| u16::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(0);
        (num(&self.vendor_id), num(&self.device_id))
    }

    /// A human model name for the PCI ID, where axiOS knows it.
    pub fn model(&self) -> Option<&'static str> {
        let (v, d) = self.pci_id();
        crate::models::model_name(v, d)
    }

    /// `power/runtime_status` is `suspended`: reading most attributes, or NVML, would wake it.
    pub fn is_suspended(&self) -> bool {
        self.runtime_status.as_deref() == Some("suspended")
    }

    /// The sysfs directory of this device below `root`.
    pub fn sysfs_dir(&self, root: &Root) -> PathBuf {
        root.path(format!("sys/bus/pci/devices/{}", self.pci_slot))
    }
}

/// A DRM card that is not a PCI device: an ARM SoC GPU (Apple AGX, VideoCore,
/// Mali, Adreno) or the firmware framebuffer (`simpledrm`). PRIME does not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformDisplay {
    pub card: String,
    pub driver: Option<String>,
    /// The device tree `compatible` string (`OF_COMPATIBLE_0`), when there is one.
    pub compatible: Option<String>,
}

/// PCI device IDs of AMD integrated GPUs (APUs): Raven/Picasso to Strix Halo.
const AMD_APU_IDS: &[u32] = &[
    0x15d8, 0x15dd, 0x15e7, 0x1636, 0x1638, 0x164c, 0x164e, 0x1681, 0x15bf, 0x15c8, 0x1900, 0x1901,
    0x150e, 0x1586, 0x1114, 0x1506, 0x163f, 0x13fe, 0x13c0, 0x98e4, 0x9874,
];

fn classify(vendor: Vendor, device: u32) -> GpuKind {
    match vendor {
        Vendor::Nvidia => GpuKind::Discrete,
        // Intel Arc (DG2/Alchemist 0x56xx, Battlemage 0xe2xx) are discrete.
        Vendor::Intel if (0x5690..=0x56ff).contains(&device) => GpuKind::Discrete,
        Vendor::Intel if (0xe200..=0xe2ff).contains(&device) => GpuKind::Discrete,
        Vendor::Intel => GpuKind::Integrated,
        Vendor::Amd if AMD_APU_IDS.contains(&device) => GpuKind::Integrated,
        Vendor::Amd => GpuKind::Discrete,
        Vendor::Other => GpuKind::Unknown,
    }
}

fn class_name(class: u32) -> &'static str {
    match (class >> 8) & 0xff {
        0x00 => "VGA compatible controller",
        0x01 => "XGA compatible controller",
        0x02 => "3D controller",
        _ => "Display controller",
    }
}

/// The value of `KEY=` in a uevent text.
pub fn parse_uevent(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
}

/// The entries of `path`, sorted; none when it does not exist.
pub fn list_dir(path: &Path) -> Result<Vec<PathBuf>, DetectError> {
    match std::fs::read_dir(path) {
        Ok(rd) => {
            let mut v = Vec::new();
            for entry in rd {
                let entry = entry.map_err(|source| RootError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                v.push(entry.path());
            }
            v.sort();
            Ok(v)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(RootError::Io {
            path: path.to_path_buf(),
            source,
        }
        .into()),
    }
}

/// The last component of `p`, lossily as text.
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The kernel driver bound to `dev`: the last component of its `driver` link, else
/// `DRIVER=` from its uevent.
fn driver_of(dev: &Path, uevent: Option<&str>) -> Option<String> {
    std::fs::read_link(dev.join("driver"))
        .ok()
        .map(|p| file_name(&p))
        .filter(|n| !n.is_empty())
        .or_else(|| uevent.and_then(|t| parse_uevent(t, "DRIVER")))
}

/// Every display controller below `root`: PCI GPUs and non-PCI DRM cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gpus {
    pub gpus: Vec<Gpu>,
    pub platform_displays: Vec<PlatformDisplay>,
}

/// Detect the GPUs below `root` (a directory standing in for `/`, holding `sys/`).
pub fn detect_gpus(root: &Root) -> Result<Gpus, DetectError> {
    let sys = root.sys();
    if !sys.is_dir() {
        return Err(DetectError::NotASysRoot {
            root: root.base().to_path_buf(),
            path: sys,
        });
    }
    let (gpus, platform_displays) = scan(root)?;
    Ok(Gpus {
        gpus,
        platform_displays,
    })
}

fn scan(root: &Root) -> Result<(Vec<Gpu>, Vec<PlatformDisplay>), DetectError> {
    // DRM cards first: PCI slot -> [cardN]. Connectors (`card0-DP-1`) are skipped.
    let mut cards: Vec<(String, String)> = Vec::new();
    let mut platform = Vec::new();
    for card in list_dir(&root.path("sys/class/drm"))? {
        let name = file_name(&card);
        let is_card = name
            .strip_prefix("card")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if !is_card {
            continue;
        }
        let uevent = root.read_attr(&card.join("device/uevent"))?;
        let slot = match &uevent {
            Some(text) => parse_uevent(text, "PCI_SLOT_NAME"),
            None => std::fs::canonicalize(card.join("device"))
                .ok()
                .map(|p| file_name(&p))
                .filter(|dir| dir.parse::<PciAddress>().is_ok()),
        };
        match slot {
            Some(slot) => cards.push((slot, name)),
            None => {
                let field = |key| uevent.as_deref().and_then(|t| parse_uevent(t, key));
                let driver = driver_of(&card.join("device"), uevent.as_deref());
                platform.push(PlatformDisplay {
                    card: name,
                    driver,
                    compatible: field("OF_COMPATIBLE_0"),
                });
            }
        }
    }

    let mut gpus = Vec::new();
    for dev in list_dir(&root.path("sys/bus/pci/devices"))? {
        let slot = file_name(&dev);
        let class_path = dev.join("class");
        let Some(class) = root.read_hex(&class_path)? else {
            return Err(malformed(
                &class_path,
                "missing: every PCI device has a class",
            ));
        };
        if class >> 16 != 0x03 {
            continue;
        }
        let address: PciAddress = slot
            .parse()
            .map_err(|e: crate::pci::ParsePciAddressError| malformed(&dev, e.to_string()))?;
        let read_id = |name: &str| -> Result<u32, DetectError> {
            let p = dev.join(name);
            let id = root
                .read_hex(&p)?
                .ok_or_else(|| malformed(&p, "missing: a PCI device needs vendor and device"))?;
            u16::try_from(id)
                .map(u32::from)
                .map_err(|_| malformed(&p, format!("{id:#x} is not a 16-bit PCI ID")))
        };
        let vendor_id = read_id("vendor")?;
        let device_id = read_id("device")?;
        let uevent = root.read_attr(&dev.join("uevent"))?.unwrap_or_default();
        let driver = driver_of(&dev, Some(&uevent));
        let boot_vga_path = dev.join("boot_vga");
        let boot_vga = match root.read_attr(&boot_vga_path)?.as_deref() {
            None => None,
            Some("1") => Some(true),
            Some("0") => Some(false),
            Some(other) => {
                return Err(malformed(
                    &boot_vga_path,
                    format!("expected 0 or 1, found {other:?}"),
                ))
            }
        };
        let runtime_status = root.read_attr(&dev.join("power/runtime_status"))?;
        let vendor = Vendor::from_pci(vendor_id);
        gpus.push(Gpu {
            pci_slot: address.to_string(),
            vendor,
            vendor_id: format!("{vendor_id:#06x}"),
            device_id: format!("{device_id:#06x}"),
            class: format!("{class:#08x}"),
            class_name: class_name(class),
            driver,
            boot_vga,
            runtime_status,
            kind: classify(vendor, device_id),
            drm_cards: cards
                .iter()
                .filter(|(s, _)| s.eq_ignore_ascii_case(&slot))
                .map(|(_, c)| c.clone())
                .collect(),
            nix_bus_id: address.nix_bus_id(),
            address,
        });
    }
    gpus.sort_by_key(|g| g.address);
    Ok((gpus, platform))
}

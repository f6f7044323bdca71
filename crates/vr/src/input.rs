//! VR input devices seen by evdev: `sys/class/input/eventN/device/{name,id/vendor,id/product}`
//! below an injectable root, classified by USB vendor and product.

use std::path::{Path, PathBuf};

use serde::Serialize;

/// What a device is, for VR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Headset,
    Controller,
    /// A tracking receiver that sees the Lighthouse base stations (in the headset or a dongle).
    Lighthouse,
    /// A VR vendor's device this table does not know.
    OtherVr,
}

/// Known VR vendors (USB vendor IDs).
pub const VALVE: u16 = 0x28de;
pub const HTC: u16 = 0x0bb4;
pub const OCULUS: u16 = 0x2833;
pub const PICO: u16 = 0x2d40;
pub const BIGSCREEN: u16 = 0x35bd;

/// Vendor name for a known VR vendor.
pub fn vendor_name(vendor: u16) -> Option<&'static str> {
    Some(match vendor {
        VALVE => "Valve",
        HTC => "HTC",
        OCULUS => "Oculus/Meta",
        PICO => "Pico",
        BIGSCREEN => "Bigscreen",
        _ => return None,
    })
}

/// Classify a vendor/product pair; `None` when it is not a VR device (including Valve's
/// Steam Controller and Steam Deck, which are gamepads).
pub fn classify(vendor: u16, product: u16) -> Option<Kind> {
    use Kind::*;
    Some(match (vendor, product) {
        // Valve
        (VALVE, 0x2000) => Lighthouse, // Lighthouse FPGA RX (Vive/Index HMD tracking)
        (VALVE, 0x2101) => Lighthouse, // Watchman dongle (controllers and trackers)
        (VALVE, 0x2300) => Headset,    // Valve Index HMD
        (VALVE, 0x2012) | (VALVE, 0x2102) => Controller, // Watchman/Index controller
        (VALVE, 0x2022) | (VALVE, 0x2050) => Controller, // Vive trackers over Watchman
        (VALVE, 0x1102) | (VALVE, 0x1142) | (VALVE, 0x1205) => return None, // gamepads
        // HTC
        (HTC, 0x2c87) | (HTC, 0x0306) | (HTC, 0x0309) | (HTC, 0x030a) => Headset,
        (HTC, 0x2744) | (HTC, 0x0abb) => OtherVr, // Vive hub / audio
        // Oculus / Meta
        (OCULUS, 0x0001) | (OCULUS, 0x0021) | (OCULUS, 0x0031) | (OCULUS, 0x0051) => Headset,
        (OCULUS, 0x2031) | (OCULUS, 0x0137) | (OCULUS, 0x0183) | (OCULUS, 0x0186) => Headset,
        (OCULUS, 0x0211) => Lighthouse, // Rift CV1 sensor (constellation camera)
        (OCULUS, 0x0330) => Controller, // Rift CV1 / Touch radio
        // Pico
        (PICO, _) => Headset,
        (BIGSCREEN, _) => Headset,
        (v, _) if vendor_name(v).is_some() => OtherVr,
        _ => return None,
    })
}

/// One VR input device.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Device {
    /// `/dev/input/eventN`.
    pub node: String,
    pub name: String,
    pub vendor: String,
    pub vendor_id: String,
    pub product_id: String,
    pub kind: Kind,
}

fn hex(path: &Path) -> Option<u16> {
    let s = std::fs::read_to_string(path).ok()?;
    let s = s.trim();
    u16::from_str_radix(s.strip_prefix("0x").unwrap_or(s), 16).ok()
}

/// The VR devices under `root/sys/class/input`, sorted by node. Unreadable or malformed
/// entries are skipped (a device can vanish while we read it).
pub fn scan(root: &Path) -> Vec<Device> {
    let class = root.join("sys/class/input");
    let Ok(rd) = std::fs::read_dir(&class) else {
        return Vec::new();
    };
    let mut out: Vec<Device> = rd
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let node = e.file_name().to_string_lossy().into_owned();
            if !node.starts_with("event") {
                return None;
            }
            let dev: PathBuf = e.path().join("device");
            let vendor = hex(&dev.join("id/vendor"))?;
            let product = hex(&dev.join("id/product"))?;
            let kind = classify(vendor, product)?;
            let name = std::fs::read(dev.join("name"))
                .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                .unwrap_or_default();
            Some(Device {
                node: format!("/dev/input/{node}"),
                name,
                vendor: vendor_name(vendor).unwrap_or("unknown").to_string(),
                vendor_id: format!("{vendor:04x}"),
                product_id: format!("{product:04x}"),
                kind,
            })
        })
        .collect();
    out.sort_by_key(|d| natural(&d.node));
    out
}

fn natural(node: &str) -> (usize, u64) {
    let digits: String = node.chars().filter(char::is_ascii_digit).collect();
    (node.len(), digits.parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify(VALVE, 0x2300), Some(Kind::Headset));
        assert_eq!(classify(VALVE, 0x2000), Some(Kind::Lighthouse));
        assert_eq!(classify(VALVE, 0x1205), None, "Steam Deck is a gamepad");
        assert_eq!(classify(VALVE, 0x9999), Some(Kind::OtherVr));
        assert_eq!(classify(HTC, 0x2c87), Some(Kind::Headset));
        assert_eq!(classify(OCULUS, 0x0031), Some(Kind::Headset));
        assert_eq!(classify(0x046d, 0xc52b), None, "a Logitech receiver");
    }
}

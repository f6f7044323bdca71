//! PCI addresses and their NixOS PRIME bus-ID form.

use std::fmt;
use std::str::FromStr;

/// A PCI address as sysfs names it: `dddd:bb:dd.f` (all hex).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PciAddress {
    pub domain: u32,
    pub bus: u8,
    pub device: u8,
    pub function: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a PCI address of the form dddd:bb:dd.f (hexadecimal, e.g. 0000:0a:00.0)")]
pub struct ParsePciAddressError {
    pub input: String,
}

impl FromStr for PciAddress {
    type Err = ParsePciAddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParsePciAddressError {
            input: s.to_string(),
        };
        let (domain, rest) = s.split_once(':').ok_or_else(err)?;
        let (bus, rest) = rest.split_once(':').ok_or_else(err)?;
        let (device, function) = rest.split_once('.').ok_or_else(err)?;
        let hex = |t: &str, max_len: usize| -> Result<u32, ParsePciAddressError> {
            if t.is_empty() || t.len() > max_len || !t.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(err());
            }
            u32::from_str_radix(t, 16).map_err(|_| err())
        };
        let domain = hex(domain, 8)?;
        let bus = u8::try_from(hex(bus, 2)?).map_err(|_| err())?;
        let device = u8::try_from(hex(device, 2)?).map_err(|_| err())?;
        let function = u8::try_from(hex(function, 1)?).map_err(|_| err())?;
        if device > 0x1f || function > 7 {
            return Err(err());
        }
        Ok(Self {
            domain,
            bus,
            device,
            function,
        })
    }
}

impl fmt::Display for PciAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04x}:{:02x}:{:02x}.{:x}",
            self.domain, self.bus, self.device, self.function
        )
    }
}

impl PciAddress {
    /// The bus ID as NixOS `hardware.nvidia.prime.*BusId` wants it: DECIMAL
    /// `PCI:bus:device:function`, or `PCI:bus@domain:device:function` when the
    /// PCI domain is not 0.
    pub fn nix_bus_id(&self) -> String {
        if self.domain == 0 {
            format!("PCI:{}:{}:{}", self.bus, self.device, self.function)
        } else {
            format!(
                "PCI:{}@{}:{}:{}",
                self.bus, self.domain, self.device, self.function
            )
        }
    }

    /// Whether nixpkgs' option check (`[[:print:]]+[:@][0-9]{1,3}:[0-9]{1,2}:[0-9]`)
    /// accepts [`Self::nix_bus_id`]. It takes at most three digits after the `@`,
    /// so PCI domains above 999 (e.g. Intel VMD's 0x10000) cannot be written.
    pub fn nix_bus_id_accepted(&self) -> bool {
        self.domain <= 999
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> PciAddress {
        s.parse().expect("valid address")
    }

    #[test]
    fn hex_slot_becomes_decimal_bus_id() {
        assert_eq!(addr("0000:0a:00.0").nix_bus_id(), "PCI:10:0:0");
        assert_eq!(addr("0000:01:00.0").nix_bus_id(), "PCI:1:0:0");
        assert_eq!(addr("0000:00:02.0").nix_bus_id(), "PCI:0:2:0");
        assert_eq!(addr("0000:c1:1f.7").nix_bus_id(), "PCI:193:31:7");
    }

    #[test]
    fn non_zero_domain_uses_at_form() {
        let a = addr("0001:03:00.0");
        assert_eq!(a.nix_bus_id(), "PCI:3@1:0:0");
        assert!(a.nix_bus_id_accepted());
        let vmd = addr("10000:e1:00.0");
        assert_eq!(vmd.nix_bus_id(), "PCI:225@65536:0:0");
        assert!(!vmd.nix_bus_id_accepted());
    }

    #[test]
    fn display_round_trips() {
        for s in ["0000:0a:00.0", "0001:03:00.1", "0000:c1:1f.7"] {
            assert_eq!(addr(s).to_string(), s);
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "0a:00.0",
            "0000:0a:00",
            "0000:0a:20.0",
            "0000:0a:00.8",
            "0000:zz:00.0",
            "0000:100:00.0",
            "PCI:1:0:0",
        ] {
            assert!(s.parse::<PciAddress>().is_err(), "{s} accepted");
        }
    }
}

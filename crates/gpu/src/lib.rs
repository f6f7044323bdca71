//! `axios_gpu`: the machine's GPUs for axiOS.
//!
//! - [`detect`]: every display controller (PCI and platform) from a sysfs tree, read
//!   from cached attributes only, so a runtime-suspended dGPU is never woken.
//! - [`pci`]: PCI addresses and their DECIMAL NixOS bus-ID form.
//! - [`prime`]: hybrid pairs, `axios.hardware.prime` snippets, `check-prime`.
//!
//! - [`status`]: live figures (NVML, amdgpu-sysfs, i915/xe sysfs).
//! - [`events`], [`incident`], [`policy`], [`watch`], [`dbus`]: the hang watcher.
//! - [`recover`]: amdgpu recovery through debugfs.
//!
//! `axios doctor` (crate `axios`) calls [`detect_gpus`] and [`prime::hybrid_pair`].

pub mod config;
pub mod dbus;
pub mod detect;
pub mod events;
pub mod incident;
pub mod models;
pub mod pci;
pub mod policy;
pub mod prime;
pub mod recover;
pub mod sources;
pub mod status;
pub mod view;
pub mod watch;

pub use detect::{detect_gpus, DetectError, Gpu, GpuKind, Gpus, PlatformDisplay, Vendor};
pub use pci::{ParsePciAddressError, PciAddress};
pub use prime::{hybrid_pair, BusId, BusIdError, PrimeCheck, PrimeRole};

/// Version of `axios-gpu`'s JSON documents; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

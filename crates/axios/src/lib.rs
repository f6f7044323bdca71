//! The `axios` command line's logic: hardware detection and the doctor report.

pub mod detect;
pub mod health;
pub mod init;
pub mod report;

/// PCI addresses and bus IDs (moved to `axios_gpu`).
pub use axios_gpu::pci;

pub use detect::{detect, DetectError, Hardware};
pub use report::Report;

/// Run the doctor against `root` (a directory standing in for `/`).
pub fn doctor(root: &axios_core::Root) -> Result<Report, DetectError> {
    let hw = detect(root)?;
    // PRIME drift (the boot-time `axios-gpu check-prime`) is a health finding: see health::gpu.
    Ok(Report::new(&root.base().display().to_string(), hw))
}

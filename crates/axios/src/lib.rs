//! The `axios` command line's logic: hardware detection and the doctor report.

pub mod detect;
pub mod health;
pub mod init;
pub mod pci;
pub mod report;

pub use detect::{detect, DetectError, Hardware};
pub use report::Report;

/// Run the doctor against `root` (a directory standing in for `/`).
pub fn doctor(root: &axios_core::Root) -> Result<Report, DetectError> {
    let hw = detect(root)?;
    Ok(Report::new(&root.base().display().to_string(), hw))
}

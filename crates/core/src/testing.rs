//! Helpers for integration tests (feature `testing`).
//!
//! A real component (caddy, rclone, dbus-daemon, ...) that is missing makes a
//! test skip loudly on a developer machine, and FAIL under `CI=true`.

use std::path::PathBuf;

/// Find `tool` on `PATH`. Missing: panics under `CI=true`, else prints a loud
/// SKIP line and returns `None` (the caller returns early).
pub fn require_tool(tool: &str) -> Option<PathBuf> {
    if let Some(found) = which(tool) {
        return Some(found);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "required test component `{tool}` is not installed (CI=true forbids skipping; run tests/setup)"
    );
    eprintln!("SKIPPED: `{tool}` is not installed; run tests/setup to install it");
    None
}

/// `tool` on `PATH`, if present.
pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|p| p.is_file())
}

/// Copy the tree `from` into `to` (created), keeping symlinks as symlinks: sysfs
/// fixture trees are made of relative links. Panics on I/O errors (test helper).
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let ty = entry.file_type().expect("type");
        if ty.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).expect("readlink"), &dst)
                .expect("symlink");
        } else if ty.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

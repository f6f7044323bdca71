//! The benchmark peer of `axios-gpu watch`: what a polling GPU daemon does (LACT
//! polls every 500 ms by default): detect the GPUs and read their figures
//! (amdgpu-sysfs, hwmon) every interval, forever.
//!
//! `cargo run --release --example sysfs_poll -- ROOT [INTERVAL_MS]`

use std::time::Duration;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let root = axios_core::Root::new(args.next().unwrap_or_else(|| "/".into()))?;
    let ms: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(500);
    let opts = axios_gpu::status::StatusOptions::default();
    let mut reads = 0u64;
    loop {
        let gpus = axios_gpu::detect_gpus(&root)?;
        let report = axios_gpu::status::status(&root, &gpus, &opts);
        reads += report.gpus.len() as u64;
        std::hint::black_box(reads);
        std::thread::sleep(Duration::from_millis(ms));
    }
}

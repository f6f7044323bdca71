//! In-process cost of one `detect_gpus` (no process start): mean and minimum over N runs.
//!
//! `cargo run --release --example detect_time -- ROOT [N]`

use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let root = axios_core::Root::new(args.next().unwrap_or_else(|| "/".into()))?;
    let n: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let (mut total, mut min) = (0f64, f64::MAX);
    for _ in 0..n.max(1) {
        let t = Instant::now();
        let gpus = axios_gpu::detect_gpus(&root)?;
        std::hint::black_box(&gpus);
        let us = t.elapsed().as_secs_f64() * 1e6;
        total += us;
        min = min.min(us);
    }
    println!("{:.1} {:.1}", total / f64::from(n.max(1)), min);
    Ok(())
}

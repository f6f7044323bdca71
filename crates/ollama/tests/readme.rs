//! The README's example configs are accepted by the program, so docs cannot drift.

const README: &str = include_str!("../README.md");

fn toml_blocks() -> Vec<&'static str> {
    README
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("```").next().expect("closed block"))
        .collect()
}

#[test]
fn readme_configs_parse_and_check() {
    let blocks = toml_blocks();
    assert_eq!(blocks.len(), 2);
    let dir = tempfile::tempdir().expect("tmp");
    for (kind, text) in ["preload", "proxy"].iter().zip(blocks) {
        let f = dir.path().join(format!("{kind}.toml"));
        std::fs::write(&f, text).expect("write");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_axios-ollama"))
            .args(["check", kind])
            .arg(&f)
            .output()
            .expect("run");
        assert!(
            o.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // the documented defaults are the program's
    let p: axios_ollama::config::PreloadConfig =
        axios_core::config::parse_config(std::path::Path::new("README"), "version = 1")
            .expect("min");
    let d = axios_ollama::config::PreloadConfig::default();
    assert_eq!(
        (p.concurrency, p.retry.attempts, p.wait, p.timeout),
        (d.concurrency, d.retry.attempts, d.wait, d.timeout)
    );
    assert_eq!(d.concurrency, 2);
    assert_eq!(d.timeout.0, std::time::Duration::from_secs(6 * 3600));
    let x = axios_ollama::config::ProxyConfig::default();
    assert_eq!(
        (
            x.max_body_bytes,
            x.max_concurrent,
            x.header_timeout.0.as_secs(),
            x.grace_period.0.as_secs()
        ),
        (33_554_432, 512, 10, 30)
    );
}

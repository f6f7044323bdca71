//! The config example in the README is the one the program parses.

#[test]
fn readme_config_example_is_the_tested_one() {
    let readme = include_str!("../README.md");
    let block = readme
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a toml block in the README");
    assert_eq!(block, axios_gpu::config::EXAMPLE);
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("gpu.toml");
    std::fs::write(&p, block).expect("write");
    axios_gpu::config::WatchConfig::load(&p).expect("README example parses");
}

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

/// Man page and completions come from the clap definition (the package installs them).
#[test]
fn man_page_and_completions_are_generated() {
    let run = |what: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_axios-gpu"))
            .args(["generate", what])
            .output()
            .expect("run");
        assert!(out.status.success(), "{what}");
        String::from_utf8(out.stdout).expect("utf8")
    };
    let man = run("man");
    assert!(man.contains(".TH axios-gpu 1"), "{man}");
    for sub in [
        "detect",
        "check\\-prime",
        "status",
        "watch",
        "incidents",
        "recover",
    ] {
        assert!(man.contains(sub), "man page lacks {sub}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let bash = dir.path().join("axios-gpu.bash");
    std::fs::write(&bash, run("bash")).expect("write");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p axios-gpu",
            bash.display()
        ))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(run("zsh").contains("#compdef axios-gpu"));
    assert!(run("fish").contains("complete -c axios-gpu"));
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_axios-gpu"))
        .args(["generate", "powershell-core"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
}

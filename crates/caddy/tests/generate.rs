//! The man page and shell completions the package installs come from the clap
//! definition of the real binary (`generate man|bash|zsh|fish|elvish`).

#[test]
fn man_page_and_completions_name_every_subcommand() {
    axios_core::testing::assert_generates(
        std::path::Path::new(env!("CARGO_BIN_EXE_axios-caddy")),
        "axios-caddy",
        &["compose", "check", "explain", "apply"],
        2,
    );
}

//! The README's example registry parses, checks clean, and composes to the
//! Caddyfile the README shows (which real Caddy adapts in the same order).

mod common;

use std::path::Path;

const README: &str = include_str!("../README.md");

fn block(lang: &str) -> &'static str {
    let start = README
        .find(&format!("```{lang}\n"))
        .unwrap_or_else(|| panic!("no ```{lang} block in README"))
        + lang.len()
        + 4;
    let len = README[start..].find("```").expect("closed block");
    &README[start..start + len]
}

#[test]
fn readme_example_registry_composes_as_documented() {
    let toml = block("toml");
    let parsed = axios_caddy::registry::parse(
        Path::new("README.md"),
        toml,
        axios_caddy::registry::InputFormat::Toml,
    )
    .expect("README registry parses");
    assert_eq!(parsed.routes.len(), 3);
    let plan = axios_caddy::plan(parsed);
    // The only remark: the encoded-slash warning of the stripPrefix route (README says why).
    let kinds: Vec<_> = plan.diagnostics.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [axios_caddy::Kind::StripLeavesRelativePath],
        "{:?}",
        plan.diagnostics
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let routes = common::write(dir.path(), "routes.toml", toml);
    let out = common::compose(&routes, &[]);
    assert_eq!(out, block("caddyfile"), "README output is stale");

    if let Some((caddy, _)) = common::caddy() {
        let adapted = common::caddy_adapt(&caddy, &out);
        assert_eq!(
            common::effective_order(&adapted),
            common::compositor_order(&routes)
        );
    }
}

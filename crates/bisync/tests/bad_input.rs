//! Bad input: a clear error, a non-zero exit, and no change to any file on either side.

mod common;

use common::*;

type Trees = (Files, Files);

fn unchanged(fx: &Fx, before: &Trees) {
    assert_eq!(&tree(&fx.p1), &before.0, "path1 changed");
    assert_eq!(&tree(&fx.p2), &before.1, "path2 changed");
}

fn setup() -> Option<(Fx, Trees)> {
    let rc = rclone()?;
    let fx = Fx::new(&rc);
    write(&fx.p1, "a.txt", b"a");
    write(&fx.p2, "b.txt", b"b");
    let before = (tree(&fx.p1), tree(&fx.p2));
    Some((fx, before))
}

#[test]
fn malformed_config_names_file_and_line() {
    let Some((fx, before)) = setup() else { return };
    std::fs::write(&fx.cfg, "version = 1\nstate_dir = \n").expect("cfg");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(4));
    assert_contains(&stderr(&o), &format!("{}:2:", fx.cfg.display()));
    std::fs::write(
        &fx.cfg,
        format!(
            "version = 1\nstate_dir = \"{}\"\n[pairs.docs]\npath1 = \"{}\"\npath2 = \"{}\"\nmax_delete = 100\n",
            fx.state.display(),
            fx.p1.display(),
            fx.p2.display()
        ),
    )
    .expect("cfg");
    let o = fx.run(&["init", "docs", "--yes"]);
    assert_eq!(code(&o), Some(4));
    assert_contains(&stderr(&o), "max_delete");
    let o = std::process::Command::new(BIN)
        .args(["--config", "/nonexistent/bisync.toml", "status"])
        .output()
        .expect("spawn");
    assert_eq!(code(&o), Some(4));
    assert_contains(&stderr(&o), "/nonexistent/bisync.toml");
    unchanged(&fx, &before);
    assert!(!fx.state.exists(), "no state written");
}

#[test]
fn unknown_pair_is_a_usage_error() {
    let Some((fx, before)) = setup() else { return };
    for args in [
        &["run", "docs", "photos"][..],
        &["init", "photos", "--yes"],
        &["approve", "photos"],
        &["status", "photos"],
    ] {
        let o = fx.run(args);
        assert_eq!(code(&o), Some(4), "{args:?}");
        assert_contains(
            &stderr(&o),
            "unknown pair `photos` (configured pairs: docs)",
        );
    }
    // Usage errors from clap are 4 too.
    assert_eq!(code(&fx.run(&["frobnicate"])), Some(4));
    unchanged(&fx, &before);
}

#[test]
fn missing_rclone_is_a_config_error() {
    let Some((fx, before)) = setup() else { return };
    let text = std::fs::read_to_string(&fx.cfg)
        .expect("cfg")
        .replace(&fx.wrapper.display().to_string(), "/nonexistent/rclone");
    std::fs::write(&fx.cfg, text).expect("cfg");
    for args in [&["run"][..], &["init", "docs", "--yes"]] {
        let o = fx.run(args);
        assert_eq!(code(&o), Some(4));
        assert_contains(&stderr(&o), "cannot run rclone `/nonexistent/rclone`");
    }
    unchanged(&fx, &before);
}

#[test]
fn unknown_remote_is_a_config_error() {
    let Some((fx, before)) = setup() else { return };
    // A remote that the rclone config file does not define.
    fx.set_remote_path1("[other]\ntype = local\n", "gdrive:Documents");
    let o = fx.run(&["init", "docs", "--yes"]);
    assert_eq!(code(&o), Some(4));
    assert_contains(&stderr(&o), "gdrive:Documents");
    assert_contains(&stderr(&o), "didn't find section in config file");
    // A run of a pair that was never set up refuses and says how to start.
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "axios-bisync init docs");
    unchanged(&fx, &before);
}

#[test]
fn unreadable_or_wrong_local_root_is_refused() {
    let Some((fx, _)) = setup() else { return };
    fx.init();
    let before = (tree(&fx.p1), tree(&fx.p2));
    // A sub-directory that cannot be read: refused, nothing deleted on the other side.
    let locked = fx.p2.join("private");
    std::fs::create_dir(&locked).expect("mk");
    write(&fx.p2, "private/secret.txt", b"s");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let is_root = std::fs::read_dir(&locked).is_ok();
    if !is_root {
        let o = fx.run(&["run"]);
        assert_eq!(code(&o), Some(3));
        assert_contains(&stdout(&o), "cannot read path2");
        assert_eq!(tree(&fx.p1), before.0);
    } else {
        eprintln!("running as root: permission bits do not block reads; checking a non-directory root instead");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::remove_dir_all(&locked).expect("rm");
    // path2 replaced by a plain file.
    let moved = fx.root().join("local.moved");
    std::fs::rename(&fx.p2, &moved).expect("mv");
    std::fs::write(&fx.p2, "not a dir").expect("file");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "does not exist or is not a directory");
    assert_eq!(tree(&fx.p1), before.0);
    assert_eq!(tree(&moved), before.1);
}

/// path1 == path2, or one inside the other, in every spelling (trailing slash, `.`, `..`,
/// a symlink): refused when the config is read, exit 4, before anything runs (rclone would
/// refuse "overlapping remotes" only later, and a sync into itself duplicates or deletes).
#[test]
fn overlapping_paths_are_a_config_error() {
    let Some((fx, before)) = setup() else { return };
    let link = fx.root().join("link-to-cloud");
    std::os::unix::fs::symlink(&fx.p1, &link).expect("ln");
    let p1 = fx.p1.display().to_string();
    let root = fx.root().display().to_string();
    let cases = [
        (p1.clone(), p1.clone()),
        (p1.clone(), format!("{p1}/")),
        (p1.clone(), format!("{p1}/./")),
        (p1.clone(), format!("{p1}/sub")),
        (format!("{p1}/sub"), p1.clone()),
        (p1.clone(), format!("{root}/local/../cloud")),
        (p1.clone(), format!("{p1}/x/../y")),
        (p1.clone(), link.display().to_string()),
        (p1.clone(), format!("{}/deeper", link.display())),
        (format!("{}/", link.display()), p1.clone()),
    ];
    for (a, b) in cases {
        std::fs::write(
            &fx.cfg,
            format!(
                "version = 1\nstate_dir = \"{}\"\nrclone = \"{}\"\n[pairs.docs]\npath1 = \"{a}\"\npath2 = \"{b}\"\n",
                fx.state.display(),
                fx.wrapper.display()
            ),
        )
        .expect("cfg");
        for args in [&["run"][..], &["init", "docs", "--yes"], &["status"]] {
            let o = fx.run(args);
            assert_eq!(code(&o), Some(4), "{a} / {b} {args:?}");
            assert_contains(&stderr(&o), "one is inside the other");
        }
    }
    // The guard's own state inside a synced folder would be synced (and deleted) too.
    std::fs::write(
        &fx.cfg,
        format!(
            "version = 1\nstate_dir = \"{}/.state\"\nrclone = \"{}\"\n[pairs.docs]\npath1 = \"{p1}\"\npath2 = \"{}\"\n",
            fx.p2.display(),
            fx.wrapper.display(),
            fx.p2.display()
        ),
    )
    .expect("cfg");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(4));
    assert_contains(&stderr(&o), "overlaps a synced folder");
    unchanged(&fx, &before);
    assert!(!fx.state.exists(), "no state written");
}

//! The rclone facts the guard relies on (../shared/DOMAIN-FACTS.md), checked against the
//! installed rclone. If one of these fails after an rclone upgrade, the guard's design
//! assumptions changed.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// Plain `rclone bisync path1 path2` (no guard), with its workdir in the fixture.
fn bisync_cmd(rc: &std::path::Path, fx: &Fx) -> Command {
    let mut c = Command::new(rc);
    c.arg("bisync")
        .arg(&fx.p1)
        .arg(&fx.p2)
        .arg("--workdir")
        .arg(fx.root().join("wd"))
        .stdin(Stdio::null());
    c
}

fn bisync(rc: &std::path::Path, fx: &Fx, extra: &[&str]) -> std::process::Output {
    bisync_cmd(rc, fx).args(extra).output().expect("rclone")
}

/// Every flag the guard passes exists in this rclone; `--resilient` (1.64+) does not in 1.60.
#[test]
fn flags_the_guard_uses_exist() {
    let Some(rc) = rclone() else { return };
    let help = |args: &[&str]| {
        String::from_utf8_lossy(
            &Command::new(&rc)
                .args(args)
                .output()
                .expect("rclone")
                .stdout,
        )
        .into_owned()
    };
    let all =
        help(&["bisync", "--help"]) + &help(&["help", "flags"]) + &help(&["lsjson", "--help"]);
    for flag in [
        "--workdir",
        "--check-access",
        "--check-filename",
        "--filters-file",
        "--max-delete",
        "--force",
        "--resync",
        "--filter-from",
        "--files-only",
        "--no-mimetype",
        "--bwlimit",
    ] {
        assert!(all.contains(flag), "rclone lacks {flag}");
    }
    let version = help(&["version"]);
    if version.starts_with("rclone v1.60.") {
        for newer in [
            "--resilient",
            "--recover",
            "--max-lock",
            "--conflict-resolve",
        ] {
            assert!(!all.contains(newer), "{newer} is not expected in 1.60");
        }
    }
}

/// Without the guard: kill -9 mid-copy, then a plain rerun turns finished copies into
/// `..path1`/`..path2` conflict copies (the reason for the journal and reconciliation).
#[test]
fn plain_rclone_after_kill9_makes_conflict_copies() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    std::fs::create_dir_all(fx.root().join("wd")).expect("wd");
    write(&fx.p1, "RCLONE_TEST", b"");
    // Same time on both sides: 1.75's resync fails otherwise (see the test below).
    std::fs::copy(fx.p1.join("RCLONE_TEST"), fx.p2.join("RCLONE_TEST")).expect("cp");
    let t = std::fs::metadata(fx.p1.join("RCLONE_TEST"))
        .and_then(|m| m.modified())
        .expect("mtime");
    std::fs::File::options()
        .write(true)
        .open(fx.p2.join("RCLONE_TEST"))
        .and_then(|f| f.set_modified(t))
        .expect("set mtime");
    assert!(bisync(&rc, &fx, &["--resync"]).status.success());
    let mut batch = Files::new();
    for i in 0..12 {
        let k = format!("n{i}.bin");
        let v = content(&k, 96 * 1024);
        write(&fx.p1, &k, &v);
        batch.insert(k, v);
    }
    let mut child = bisync_cmd(&rc, &fx)
        .args(["--transfers", "1", "--bwlimit", "512k"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("rclone");
    wait_until("3 complete copies", Duration::from_secs(60), || {
        complete_copies(&fx.p2, &batch) >= 3
    });
    kill9(i32::try_from(child.id()).expect("pid"));
    let _ = child.wait();
    // rclone 1.60's lock file holds the dead PID and never expires.
    let lck: Vec<_> = std::fs::read_dir(fx.root().join("wd"))
        .expect("wd")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".lck"))
        .collect();
    assert_eq!(lck.len(), 1);
    let o = bisync(&rc, &fx, &[]);
    assert!(!o.status.success(), "blocked by its own stale lock");
    assert_contains(&stderr(&o), "prior lock file found");
    std::fs::remove_file(lck[0].path()).expect("rm lock");
    let o = bisync(&rc, &fx, &[]);
    assert!(o.status.success());
    let t = tree(&fx.p2);
    let conflicts = t
        .keys()
        .filter(|k| k.contains("..path1") || k.contains("..path2"))
        .count();
    if rclone_minor(&rc) < 63 {
        assert!(
            conflicts >= 2,
            "rclone 1.60 no longer makes conflict copies here"
        );
    } else {
        // DOMAIN-FACTS describes 1.60. Checked against 1.75.2: copies go to temporary
        // names (`<name>.<8 hex>.partial`, left behind when the copy is killed: the guard
        // quarantines them), and files new on both sides with the same content are not
        // conflicts, so this rerun makes no conflict copies.
        assert_eq!(conflicts, 0, "{t:?}");
    }
}

/// `--max-delete` is a percentage for bisync; tripping it is a retryable error (exit 1),
/// not a critical one, and the listings stay in place.
#[test]
fn max_delete_is_a_percentage_and_not_critical() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    std::fs::create_dir_all(fx.root().join("wd")).expect("wd");
    for i in 0..4 {
        write(&fx.p1, &format!("f{i}"), b"x");
    }
    assert!(bisync(&rc, &fx, &["--resync"]).status.success());
    for i in 0..3 {
        std::fs::remove_file(fx.p1.join(format!("f{i}"))).expect("rm");
    }
    // 3 of 4 files: 75% > 50%. As a count, 3 < 50 would pass.
    let o = bisync(&rc, &fx, &["--max-delete", "50"]);
    assert_eq!(o.status.code(), Some(1));
    assert_contains(&stderr(&o), "too many deletes");
    let names: Vec<String> = std::fs::read_dir(fx.root().join("wd"))
        .expect("wd")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with(".path1.lst")), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".lst-err")), "{names:?}");
    assert!(fx.p2.join("f0").exists(), "nothing deleted");
}

/// Not in DOMAIN-FACTS, found on 1.75.2: a `--resync` that overwrites a path2 file (or only
/// updates its time) records path2's OLD time in its listing, then fails its own check
/// (`path1 and path2 are out of sync`, exit 7, listings renamed to `.lst-err`) although the
/// copy is done; a second `--resync` succeeds. 1.60 succeeds the first time. The guard's
/// `init`/`recover` run the resync once more in exactly that case.
#[test]
fn resync_over_a_differing_path2_file() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    std::fs::create_dir_all(fx.root().join("wd")).expect("wd");
    write(&fx.p1, "f.txt", b"path1 version");
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&fx.p2, "f.txt", b"path2 version, newer");
    let first = bisync(&rc, &fx, &["--resync"]);
    assert_eq!(
        std::fs::read(fx.p2.join("f.txt")).expect("read"),
        b"path1 version",
        "the resync copies path1's version in both versions"
    );
    if rclone_minor(&rc) < 66 {
        assert!(first.status.success(), "{}", stderr(&first));
    } else {
        assert_eq!(first.status.code(), Some(7), "{}", stderr(&first));
        assert_contains(&stderr(&first), "path1 and path2 are out of sync");
        let second = bisync(&rc, &fx, &["--resync"]);
        assert!(second.status.success(), "{}", stderr(&second));
    }
    assert!(bisync(&rc, &fx, &[]).status.success());
}

/// DOMAIN-FACTS says rclone syncs names that are not UTF-8. Checked: `lsjson` replaces
/// such bytes with U+FFFD on both versions (so the guard walks local sides itself), 1.60
/// Go-quotes the real bytes in its listings (`\xe9`), and 1.75.2 writes U+FFFD into the
/// listing after `--resync`, then on the next run reports the file as deleted (on both
/// sides) and forgets it (the guard writes the real bytes back into the listing after
/// every successful run).
#[test]
fn names_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    std::fs::create_dir_all(fx.root().join("wd")).expect("wd");
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(fx.p1.join(name), b"x").expect("write");
    let ls = Command::new(&rc)
        .arg("lsjson")
        .arg(&fx.p1)
        .output()
        .expect("lsjson");
    assert!(String::from_utf8_lossy(&ls.stdout).contains("caf\\ufffd.txt"));
    assert!(bisync(&rc, &fx, &["--resync"]).status.success());
    assert_eq!(std::fs::read(fx.p2.join(name)).expect("copied"), b"x");
    let lst = std::fs::read_dir(fx.root().join("wd"))
        .expect("wd")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".path1.lst"))
        .expect("listing");
    let text = std::fs::read(lst.path()).expect("read");
    let has = |needle: &[u8]| text.windows(needle.len()).any(|w| w == needle);
    if rclone_minor(&rc) < 66 {
        assert!(has(b"\"caf\\xe9.txt\""));
    } else {
        assert!(has("\"caf\u{fffd}.txt\"".as_bytes()));
        // Alone in the folder, the "deleted" file even trips rclone's own --max-delete.
        let o = bisync(&rc, &fx, &["-v"]);
        assert_contains(&stderr(&o), "File was deleted");
        assert_contains(&stderr(&o), "too many deletes");
    }
}

/// `axios_bisync::name::rclone_name` gives exactly the name rclone's local backend shows
/// for a file (control characters as control pictures, `‛` quoting, slashes, dots, bytes
/// that are not UTF-8), checked on a corpus of awkward names, one directory level deep too.
#[test]
fn rclone_name_matches_rclones_local_names() {
    use std::os::unix::ffi::OsStrExt;
    let Some(rc) = rclone() else { return };
    let tmp = tempfile::tempdir().expect("tmp");
    let q = "\u{201b}";
    let mut names: Vec<Vec<u8>> = [
        &b"plain.txt"[..],
        b"Icon\r",
        b"tab\there",
        b"nl\nx",
        b"c\x01\x1f",
        b"del\x7f",
        b"caf\xe9.txt",
        b"\xff\xfe",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    let texts: Vec<String> = vec![
        "pic\u{2401}".into(),
        "pic\u{2400}".into(),
        "pic\u{241f}\u{2420}\u{2421}".into(),
        format!("q{q}"),
        format!("{q}"),
        format!("{q}{q}"),
        format!("{q}\u{2400}"),
        format!("{q}\u{ff0f}x"),
        format!("{q}x"),
        format!("a{q}\u{2401}"),
        "full\u{ff0f}slash".into(),
        "\u{ff0e}".into(),
        "\u{ff0e}\u{ff0e}".into(),
        format!("{q}\u{ff0e}"),
        format!("{q}\u{ff0e}{q}\u{ff0e}"),
        "x\u{ff0e}".into(),
        "\u{fffd}real".into(),
        "emoji \u{1f600} ünï".into(),
        "a\\b:c*d?e\"f<g>h|i".into(),
        " lead and trail ".into(),
    ];
    names.extend(texts.into_iter().map(String::into_bytes));
    let dir = tmp.path().join("t");
    std::fs::create_dir_all(dir.join(std::ffi::OsStr::from_bytes(b"sub\x02dir"))).expect("mkdir");
    let mut want: Vec<Vec<u8>> = Vec::new();
    for n in &names {
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(n)), b"x").expect("write");
        want.push(axios_bisync::name::rclone_name(n).into_owned());
        let mut sub = b"sub\x02dir/".to_vec();
        sub.extend_from_slice(n);
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(&sub)), b"x").expect("write");
        want.push(axios_bisync::name::rclone_name(&sub).into_owned());
    }
    let out = Command::new(&rc)
        .args([
            "lsf",
            "-R",
            "--files-only",
            "--format",
            "p",
            "--separator",
            "\t",
        ])
        .arg(&dir)
        .output()
        .expect("rclone lsf");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // names cannot hold a raw newline in rclone's output: control characters are pictures
    let mut got: Vec<Vec<u8>> = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    got.sort();
    want.sort();
    let show = |v: &[Vec<u8>]| {
        v.iter()
            .map(|n| axios_bisync::name::quote(n))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(show(&got), show(&want));
}

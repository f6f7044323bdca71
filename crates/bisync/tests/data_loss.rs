//! Round 2 (issue #8): four ways the guard lost or stuck data, each reproduced with real
//! rclone (Debian's 1.60 and, through `tests/run-all`, 1.75), and the hostile variants
//! found while fixing them. The assertion is always: nothing lost, no conflict copy, no
//! truncated file.

mod common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, SystemTime};

use common::*;

fn bpath(root: &Path, rel: &[u8]) -> PathBuf {
    root.join(OsStr::from_bytes(rel))
}

fn wbytes(root: &Path, rel: &[u8], data: &[u8]) {
    let p = bpath(root, rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    std::fs::write(p, data).expect("write");
}

/// The marker as `init` writes it is part of both trees; compare the rest.
fn without_marker(mut t: Files) -> Files {
    t.remove("RCLONE_TEST");
    t
}

fn assert_same_trees(fx: &Fx) {
    assert_no_conflicts(&fx.p1);
    assert_no_conflicts(&fx.p2);
    assert_eq!(tree(&fx.p1), tree(&fx.p2), "sides differ");
}

fn start_slow(fx: &Fx, bwlimit: &str, until: impl FnMut() -> bool) -> Child {
    std::fs::write(&fx.slow, bwlimit).expect("slow");
    let _ = std::fs::remove_file(&fx.pids);
    let child = fx.spawn(&["run", "docs"]);
    wait_until("the copy to be under way", Duration::from_secs(60), until);
    child
}

fn kill_rclone_and_rerun(fx: &Fx, mut child: Child) -> std::process::Output {
    let pid = fx.last_rclone_pid().expect("rclone pid");
    kill9(pid);
    let st = child.wait().expect("guard");
    assert_eq!(st.code(), Some(1), "a killed rclone is a retryable failure");
    std::fs::remove_file(&fx.slow).expect("fast again");
    fx.run(&["run", "docs"])
}

/// Copy `names` (each `size` bytes on path1) slowly, kill rclone after three of them,
/// rerun: the run succeeds, every copy is complete and the trees agree.
fn kill_mid_copy_and_rerun(fx: &Fx, names: &[Vec<u8>], size: usize) {
    let done = |fx: &Fx| {
        names
            .iter()
            .filter(|n| std::fs::read(bpath(&fx.p2, n)).is_ok_and(|d| d.len() == size))
            .count()
    };
    let child = start_slow(fx, "512k", || done(fx) >= 3);
    let o = kill_rclone_and_rerun(fx, child);
    assert_eq!(code(&o), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(done(fx), names.len());
    assert_same_trees(fx);
}

/// Scenario 1: a Latin-1 name among new files. Before the fix, the guard read rclone's
/// output as UTF-8, stopped at the name and closed the pipe: rclone died of SIGPIPE (exit
/// 141) on every run, and reconciliation tried to move a U+FFFD version of the name.
/// rclone 1.75 also writes such names with U+FFFD into its listings after a resync and then
/// forgets the file; the guard restores the real bytes in the listings.
#[test]
fn non_utf8_names_sync_both_ways_and_keep_their_bytes() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    seed(&fx, 5);
    // Present at the first sync too (rclone 1.75's resync listing loses its bytes).
    wbytes(&fx.p1, b"before-init-\xe9.txt", b"there at init");
    fx.init();
    let cafe = b"caf\xe9.txt";
    let deep = b"d\xff/na\xefve \"q\".bin";
    wbytes(&fx.p1, cafe, b"latin-1 name");
    wbytes(&fx.p1, deep, &content("deep", 5000));
    // Enough new files for rclone to print many lines around the odd ones.
    for i in 0..200 {
        write(&fx.p1, &format!("many/n{i}.txt"), format!("{i}").as_bytes());
    }
    let o = fx.run(&["run", "docs"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(bpath(&fx.p2, cafe)).expect("copied with its bytes"),
        b"latin-1 name"
    );
    assert_same_trees(&fx);
    // Unchanged runs keep it; an edit on path2 travels back; a deletion on path1 travels.
    for _ in 0..2 {
        assert_eq!(code(&fx.run(&["run"])), Some(0));
    }
    wbytes(&fx.p2, cafe, b"edited on path2, longer");
    wbytes(&fx.p1, b"before-init-\xe9.txt", b"edited on path1");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(bpath(&fx.p1, cafe)).expect("path1"),
        b"edited on path2, longer"
    );
    assert_eq!(
        std::fs::read(bpath(&fx.p2, b"before-init-\xe9.txt")).expect("path2"),
        b"edited on path1"
    );
    std::fs::remove_file(bpath(&fx.p1, deep)).expect("rm");
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert!(!bpath(&fx.p2, deep).exists());
    assert_same_trees(&fx);
    assert!(fx.status_json()["locked_out"].is_null());
}

/// Scenario 1 with the copy of odd names interrupted by kill -9: reconciliation works on
/// the real bytes (before: ENOENT on the U+FFFD name, `run` and `recover` failing forever).
#[test]
fn non_utf8_names_survive_kill9_mid_copy() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    seed(&fx, 3);
    fx.init();
    let mut names = Vec::new();
    for i in 0..12u8 {
        let mut n = b"big/\xe9t\xe9-".to_vec();
        n.extend_from_slice(format!("{i}.bin").as_bytes());
        wbytes(&fx.p1, &n, &content(&format!("odd{i}"), 96 * 1024));
        names.push(n);
    }
    kill_mid_copy_and_rerun(&fx, &names, 96 * 1024);
    // JSON output keeps the bytes (surrogateescape): nothing quarantined here is lossy.
    let o = fx.run(&["run", "--json"]);
    assert_eq!(code(&o), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v[0]["result"], "ok");
}

/// JSON output is lossless for names that are not UTF-8: each such byte is the lone
/// surrogate `\udcXX` (PEP 383; Python's `os.fsencode(json.loads(...))` gives the bytes).
#[test]
fn json_names_are_surrogateescaped() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    seed(&fx, 2);
    wbytes(&fx.p1, b"caf\xe9-1.txt", b"1");
    wbytes(&fx.p1, b"caf\xe9-2.txt", b"2");
    fx.init();
    std::fs::remove_file(bpath(&fx.p2, b"caf\xe9-1.txt")).expect("rm");
    std::fs::remove_file(bpath(&fx.p2, b"caf\xe9-2.txt")).expect("rm");
    // 2 of 5 files: 40% > 30%, refused; the pending deletions name the files.
    assert_eq!(code(&fx.run(&["run"])), Some(3));
    let o = fx.run(&["status", "--json"]);
    let text = stdout(&o);
    assert_contains(&text, r#""caf\udce9-1.txt""#);
    assert_contains(&text, r#""caf\udce9-2.txt""#);
    // So does `approve --json`, listing exactly what it approves.
    let o = fx.run(&["approve", "docs", "--json"]);
    assert_eq!(code(&o), Some(0));
    assert_contains(&stdout(&o), r#""caf\udce9-1.txt""#);
    // Human output shows the byte as \xe9.
    assert_contains(
        &stdout(&fx.run(&["status"])),
        r"delete on path1: caf\xe9-1.txt",
    );
}

/// Scenario 2: an approval covers the exact files it showed. Refused for 30 deletions,
/// approved; the user restores those 30 and 30 OTHER files disappear: the next run must
/// ask again, not delete the 30 that were never shown.
#[test]
fn approval_is_bound_to_the_files_it_showed() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let exp = seed(&fx, 100);
    fx.init();
    let keys: Vec<String> = exp.keys().cloned().collect();
    let (first, second) = (&keys[0..30], &keys[30..60]);
    for k in first {
        std::fs::remove_file(fx.p2.join(k)).expect("rm");
    }
    assert_eq!(code(&fx.run(&["run"])), Some(3));
    let o = fx.run(&["approve", "docs"]);
    assert_eq!(code(&o), Some(0));
    // The approval lists what it covers.
    assert_contains(&stdout(&o), &format!("delete on path1: {}", first[0]));
    // Restore the 30, lose 30 others.
    for k in first {
        write(&fx.p2, k, &exp[k]);
    }
    for k in second {
        std::fs::remove_file(fx.p2.join(k)).expect("rm");
    }
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3), "an approval for other files was used");
    assert_has_all(&fx.p1, &exp);
    let st = fx.status_json();
    assert_eq!(st["approved"], false);
    assert_eq!(st["pending"]["delete_on_path1"], 30);
    let listed: Vec<&str> = st["pending"]["files_path1"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        listed,
        second.iter().map(String::as_str).collect::<Vec<_>>()
    );
    // Approving THIS set lets exactly it through.
    assert_eq!(code(&fx.run(&["approve", "docs"])), Some(0));
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    for k in first {
        assert!(
            fx.p1.join(k).exists(),
            "{k} was never approved for deletion"
        );
    }
    for k in second {
        assert!(!fx.p1.join(k).exists(), "{k} approved and deleted");
    }
    assert_same_trees(&fx);
}

/// Scenario 3: source files dated in the future (clock skew, camera files) and kill -9
/// mid-copy. Before: the truncated copy was not quarantined (it was older than its
/// source), and the next run left `..path1` and truncated `..path2` copies and lost the
/// name. Now a copy that is a strict prefix of its source is quarantined whatever the times.
#[test]
fn truncated_copy_of_a_future_dated_file_is_quarantined() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = without_marker(seed(&fx, 3));
    fx.init();
    let future = SystemTime::now() + Duration::from_secs(86400);
    let batch = add_files(
        &fx.p1,
        &mut exp,
        (0..16).map(|i| {
            let k = format!("cam/IMG_{i:04}.jpg");
            let v = content(&k, 128 * 1024);
            (k, v)
        }),
    );
    for k in batch.keys() {
        let f = std::fs::File::options()
            .write(true)
            .open(fx.p1.join(k))
            .expect("open");
        f.set_modified(future).expect("future mtime");
    }
    let child = start_slow(&fx, "512k", || {
        // Mid-file: a copy that has started but is not complete.
        complete_copies(&fx.p2, &batch) >= 2
    });
    let o = kill_rclone_and_rerun(&fx, child);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_has_all(&fx.p1, &exp);
    assert_has_all(&fx.p2, &exp);
    assert_same_trees(&fx);
    // A second run is a no-op.
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert_same_trees(&fx);
}

fn mounted(fx: &Fx) {
    let canon = std::fs::canonicalize(&fx.p2).expect("canon");
    std::fs::write(
        &fx.mountinfo,
        format!(
            "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n90 22 8:17 / {} rw - ext4 /dev/sdb1 rw\n",
            canon.display()
        ),
    )
    .expect("mi");
}

/// A pair with `mountpoint` set up on disk A; then A goes away, an empty disk B is mounted
/// at path2, and a new file appears on path1 (its only copy). Returns the fixture, what
/// path1 holds, and where disk A's files are.
fn swapped_disk(rc: &Path) -> (Fx, Files, PathBuf) {
    let mut fx = Fx::new(rc);
    fx.extra = format!("mountpoint = \"{}\"\n", fx.p2.display());
    fx.write_config();
    mounted(&fx);
    let mut exp = seed(&fx, 10);
    fx.init();
    let disk_a = fx.root().join("disk-a");
    std::fs::rename(&fx.p2, &disk_a).expect("unmount A");
    std::fs::create_dir(&fx.p2).expect("disk B");
    add_file(
        &fx.p1,
        &mut exp,
        "new-while-away.txt",
        b"only copy on path1",
    );
    (fx, exp, disk_a)
}

/// Scenario 4: `recover` on the wrong disk. Init on disk A, A unmounted, a new file on
/// path1, an empty disk B mounted at path2. Before: `recover` resynced onto B, and when A
/// came back the next run deleted the new file from path1. Now the pair knows its volume
/// (an identity in its marker): recover refuses B, and with A back nothing is lost.
#[test]
fn recover_on_another_disk_is_refused_and_nothing_is_lost() {
    let Some(rc) = rclone() else { return };
    let (fx, exp, disk_a) = swapped_disk(&rc);
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "recover docs");
    // The suggested recover refuses: B is not the pair's volume.
    let o = fx.run(&["recover", "docs", "--yes"]);
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    assert_contains(&stdout(&o), "--new-volume");
    assert!(tree(&fx.p2).is_empty(), "nothing written to disk B");
    // A comes back: the next run syncs, nothing lost.
    std::fs::remove_dir(&fx.p2).expect("unmount B");
    std::fs::rename(&disk_a, &fx.p2).expect("mount A");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_has_all(&fx.p1, &exp);
    assert_has_all(&fx.p2, &exp);
    assert_same_trees(&fx);
}

/// Scenario 4, the user insists (`recover --new-volume` onto B): when A comes back, its
/// marker holds the old identity and every run is refused; the new file is never deleted.
#[test]
fn old_disk_coming_back_after_new_volume_is_refused() {
    let Some(rc) = rclone() else { return };
    let (fx, exp, disk_a) = swapped_disk(&rc);
    let o = fx.run(&["recover", "docs", "--yes", "--new-volume"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_has_all(&fx.p2, &exp);
    // Disk B removed, A back.
    let disk_b = fx.root().join("disk-b");
    std::fs::rename(&fx.p2, &disk_b).expect("unmount B");
    std::fs::rename(&disk_a, &fx.p2).expect("mount A");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    assert_contains(&stdout(&o), "another volume");
    assert_has_all(&fx.p1, &exp);
    assert_has_all(&disk_b, &exp);
}

/// rclone 1.66+ lock files are JSON (`"PID": "123"`). A live rclone's lock must never be
/// cleared (before: a JSON lock had no readable PID and was removed as stale).
#[test]
fn live_rclone_json_lock_is_respected() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let exp = seed(&fx, 3);
    fx.init();
    // A live process whose command line names rclone.
    let fake = fx.root().join("rclone-sleeper");
    std::os::unix::fs::symlink("/bin/sleep", &fake).expect("ln");
    let mut sleeper = std::process::Command::new(&fake)
        .arg("60")
        .spawn()
        .expect("sleep");
    let lst = fx
        .workdir_files(".path1.lst")
        .into_iter()
        .next()
        .expect("listing");
    let lck = fx.workdir().join(lst.replace(".path1.lst", ".lck"));
    std::fs::write(
        &lck,
        format!(
            r#"{{"Session":"x","PID":"{}","TimeRenewed":"2026-11-30T13:43:46Z","TimeExpires":"2999-01-01T00:00:00Z"}}"#,
            sleeper.id()
        ),
    )
    .expect("lock");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert_contains(&stdout(&o), "still running");
    assert!(lck.exists(), "a live lock was removed");
    let _ = sleeper.kill();
    let _ = sleeper.wait();
    // Dead now: cleared, and the run goes through.
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_has_all(&fx.p2, &exp);
}

/// Hostile: kill -9 of rclone in the middle of `init` (the first resync, which rclone 1.60
/// writes in place); `init` again reconciles first and finishes with nothing truncated.
#[test]
fn kill9_during_init_then_init_again() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = Files::new();
    let batch = add_files(
        &fx.p1,
        &mut exp,
        (0..16).map(|i| {
            let k = format!("first/{i}.bin");
            let v = content(&k, 96 * 1024);
            (k, v)
        }),
    );
    std::fs::write(&fx.slow, "512k").expect("slow");
    let mut child = fx.spawn(&["init", "docs", "--yes"]);
    wait_until("the first copies", Duration::from_secs(60), || {
        complete_copies(&fx.p2, &batch) >= 2
    });
    kill9(fx.last_rclone_pid().expect("pid"));
    let st = child.wait().expect("init");
    assert_ne!(st.code(), Some(0));
    std::fs::remove_file(&fx.slow).expect("fast");
    let o = fx.run(&["init", "docs", "--yes"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_has_all(&fx.p1, &exp);
    assert_has_all(&fx.p2, &exp);
    assert_same_trees(&fx);
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert_same_trees(&fx);
}

/// Hostile: names with a newline, a tab, a backslash and quotes (rclone's log splits on
/// the newline; its listings Go-quote them).
#[test]
fn names_with_newlines_and_quotes() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    seed(&fx, 3);
    fx.init();
    for n in [
        &b"new\nline.txt"[..],
        b"tab\there.txt",
        b"back\\slash \"q\".txt",
    ] {
        wbytes(&fx.p2, n, n);
    }
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    for n in [
        &b"new\nline.txt"[..],
        b"tab\there.txt",
        b"back\\slash \"q\".txt",
    ] {
        assert_eq!(std::fs::read(bpath(&fx.p1, n)).expect("synced"), n);
    }
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert_same_trees(&fx);
}

/// Hostile: `init`/`recover` while a run holds the pair is refused as busy, not raced.
#[test]
fn recover_during_a_run_is_busy() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = seed(&fx, 3);
    fx.init();
    let batch = add_files(
        &fx.p1,
        &mut exp,
        (0..16).map(|i| {
            let k = format!("busy/{i}.bin");
            let v = content(&k, 64 * 1024);
            (k, v)
        }),
    );
    let child = start_slow(&fx, "512k", || complete_copies(&fx.p2, &batch) >= 1);
    let o = fx.run(&["recover", "docs", "--yes"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert_contains(&stdout(&o), "another axios-bisync run");
    let out = child.wait_with_output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_has_all(&fx.p2, &exp);
    assert_same_trees(&fx);
}

/// rclone shows a control character in a name as its control picture (`Icon\r` is
/// `Icon␍` in its listings). Editing such files is not a deletion: the guard compares
/// names in rclone's form, so the edits sync instead of being refused as "deleted", and
/// deleting one of them is counted and shown once, under rclone's name.
#[test]
fn control_characters_in_names_are_not_deletions() {
    let Some(rc) = rclone() else { return };
    control_character_edits(&Fx::new(&rc));
}

/// The same with path1 behind an rclone remote (listed and moved through rclone).
#[test]
fn control_characters_in_names_are_not_deletions_behind_a_remote() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    fx.use_remote();
    control_character_edits(&fx);
}

fn control_character_edits(fx: &Fx) {
    seed(fx, 2);
    let odd: [&[u8]; 5] = [
        b"Icon\r",
        b"tab\there",
        b"dir\x01/x\x7f.txt",
        b"nl\nname",
        b"mix\x01caf\xe9",
    ];
    for n in odd {
        wbytes(&fx.p1, n, b"v1");
    }
    fx.init();
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    // every odd file edited on path2 (new size): 5 of 8 files, over the 30% cap if they
    // were taken for deletions
    for n in odd {
        wbytes(&fx.p2, n, b"edited on path2");
    }
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}{}", stdout(&o), stderr(&o));
    for n in odd {
        assert_eq!(
            std::fs::read(bpath(&fx.p1, n)).expect("on path1"),
            b"edited on path2"
        );
    }
    assert_same_trees(fx);
    // one of them deleted on path1, with the cap lowered to 0: refused, naming it once in
    // rclone's form, nothing else
    let cfg = std::fs::read_to_string(&fx.cfg).expect("cfg");
    std::fs::write(
        &fx.cfg,
        cfg.replace("max_delete_count = 20", "max_delete_count = 0"),
    )
    .expect("cfg");
    std::fs::remove_file(bpath(&fx.p1, b"Icon\r")).expect("rm");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3), "{}{}", stdout(&o), stderr(&o));
    let st = fx.status_json();
    assert_eq!(
        st["pending"]["files_path2"],
        serde_json::json!(["Icon\u{240d}"]),
        "{st}"
    );
    assert!(
        bpath(&fx.p2, b"Icon\r").exists(),
        "nothing deleted while refused"
    );
}

/// kill -9 while rclone copies edits of files whose names hold control characters:
/// reconciliation finds them under rclone's names (`␁`) and their bytes on disk, and the
/// next run completes every copy with no conflict copy and no truncated file.
#[test]
fn control_character_names_survive_kill9_mid_copy() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    seed(&fx, 3);
    let names: Vec<Vec<u8>> = (0..12u8)
        .map(|i| format!("big/\x01ctl\t{i}.bin").into_bytes())
        .collect();
    for n in &names {
        wbytes(&fx.p1, n, b"old");
    }
    fx.init();
    for (i, n) in names.iter().enumerate() {
        wbytes(&fx.p1, n, &content(&format!("edit{i}"), 96 * 1024));
    }
    kill_mid_copy_and_rerun(&fx, &names, 96 * 1024);
    for _ in 0..2 {
        let o = fx.run(&["run"]);
        assert_eq!(code(&o), Some(0), "{}{}", stdout(&o), stderr(&o));
    }
    assert_same_trees(&fx);
    for (i, n) in names.iter().enumerate() {
        assert_eq!(
            std::fs::read(bpath(&fx.p1, n)).expect("p1"),
            content(&format!("edit{i}"), 96 * 1024)
        );
    }
}

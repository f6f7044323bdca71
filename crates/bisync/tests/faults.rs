//! Fault injection against the real binary and real rclone. Every test asserts that no
//! file was lost or truncated on either side and that no `..path1`/`..path2` copy appeared.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

use common::*;

fn with_marker(mut exp: Files) -> Files {
    exp.insert("RCLONE_TEST".into(), Vec::new());
    exp
}

/// `n` small files (`seed`) and the marker on path1, synced by `init`; returns what both
/// sides hold.
fn init_with_files(fx: &Fx, n: usize) -> Files {
    let exp = with_marker(seed(fx, n));
    fx.init();
    exp
}

/// `n` files `<dir>/<i>.bin` of `size` bytes on path1, recorded in `exp`; returns the batch.
fn add_big_files_on_path1(fx: &Fx, exp: &mut Files, dir: &str, n: usize, size: usize) -> Files {
    add_files(
        &fx.p1,
        exp,
        (0..n).map(|i| {
            let k = format!("{dir}/{i}.bin");
            let v = content(&k, size);
            (k, v)
        }),
    )
}

/// Start `run docs` with rclone throttled to `bwlimit` (and a fresh record of rclone PIDs),
/// and return once `copies` files of `batch` are complete under `dst`: the run is then
/// mid-copy.
fn start_slow_run(fx: &Fx, bwlimit: &str, dst: &Path, batch: &Files, copies: usize) -> Child {
    std::fs::write(&fx.slow, bwlimit).expect("slow");
    let _ = std::fs::remove_file(&fx.pids);
    let child = fx.spawn(&["run", "docs"]);
    wait_until(
        &format!("{copies} complete copies"),
        Duration::from_secs(60),
        || complete_copies(dst, batch) >= copies,
    );
    child
}

/// Lift the throttle and run once more (the caller checks the outcome).
fn rerun_at_full_speed(fx: &Fx) -> Output {
    std::fs::remove_file(&fx.slow).expect("fast again");
    fx.run(&["run", "docs"])
}

/// SIGTERM to the guard (what systemd sends at logout or shutdown); waits for it to exit.
fn sigterm_and_wait(child: Child) -> Output {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    child.wait_with_output().expect("wait")
}

fn pid_of(child: &Child) -> i32 {
    i32::try_from(child.id()).expect("pid")
}

/// Use a filters file holding `rules` for the pair; returns its path.
fn use_filters_file(fx: &mut Fx, rules: &str) -> PathBuf {
    let filters = fx.root().join("docs.filters");
    std::fs::write(&filters, rules).expect("filters");
    fx.extra = format!("filters_file = \"{}\"\n", filters.display());
    fx.write_config();
    filters
}

/// The `reason` of a status entry such as `locked_out` or `pending`.
fn reason(entry: &serde_json::Value) -> &str {
    entry["reason"].as_str().expect("reason")
}

#[test]
fn init_then_run_syncs_both_ways() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = seed(&fx, 20);
    add_file(&fx.p2, &mut exp, "local-only.txt", b"from path2");
    // Without --yes and without a terminal, init refuses and changes nothing.
    let o = fx.run(&["init", "docs"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "copy 20 file(s) from path1 to path2");
    assert!(!fx.p2.join("RCLONE_TEST").exists());
    fx.init();
    let mut exp = with_marker(exp);
    assert_synced(&fx, &exp);
    // Changes on both sides, then a regular run.
    add_file(&fx.p1, &mut exp, "d0/f0.txt", b"changed on path1");
    add_file(&fx.p2, &mut exp, "new/on2.txt", b"new on path2");
    std::fs::remove_file(fx.p2.join("d1/f1.txt")).expect("rm");
    exp.remove("d1/f1.txt");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_synced(&fx, &exp);
    let st = fx.status_json();
    assert_eq!(st["initialized"], true);
    assert!(st["last_success"].is_u64());
    assert!(st["locked_out"].is_null());
    // stderr mentions the missing bus only as a warning: the run succeeded.
}

/// kill -9 of rclone in the middle of copying, over several rounds, with new files and
/// overwritten files in flight, in both directions. Deterministic: the test waits until N
/// copies are complete before killing.
fn kill9_rounds(fx: &Fx, rounds: &[bool]) {
    let mut exp = init_with_files(fx, 5);
    for (round, &forward) in rounds.iter().enumerate() {
        let (src, dst) = if forward {
            (&fx.p1, &fx.p2)
        } else {
            (&fx.p2, &fx.p1)
        };
        // 24 files of 96 KiB on the source side (half new, half overwrites of the first
        // round's files), plus a small new file on the other side.
        let batch = add_files(
            src,
            &mut exp,
            (0..24).map(|i| {
                let k = format!("big/r{}-{i}.bin", if i % 2 == 0 { round } else { 0 });
                let v = content(&format!("{k}-{round}"), 96 * 1024);
                (k, v)
            }),
        );
        let k2 = format!("other/round{round}.txt");
        add_file(dst, &mut exp, &k2, k2.as_bytes());
        let mut child = start_slow_run(fx, "512k", dst, &batch, 4);
        let pid = fx.last_rclone_pid().expect("rclone pid");
        kill9(pid);
        let st = child.wait().expect("wait guard");
        assert_eq!(st.code(), Some(1), "a killed rclone is a retryable failure");
        assert!(fx.journal().exists(), "journal kept");
        // Nothing lost on the source side, whatever state the destination is in.
        assert_has_all(src, &batch);
        let o = rerun_at_full_speed(fx);
        assert_eq!(code(&o), Some(0), "run after kill -9 must succeed");
        assert_synced(fx, &exp);
        assert!(!fx.journal().exists());
    }
    assert!(fx.status_json()["locked_out"].is_null());
    // Whatever was set aside is kept in the quarantine, under the side it came from.
    for k in tree(&fx.state.join("quarantine/docs")).keys() {
        assert!(
            k.contains("/path1/big/") || k.contains("/path2/big/"),
            "{k}"
        );
    }
}

#[test]
fn kill9_rclone_mid_copy_never_conflicts_or_truncates() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    kill9_rounds(&fx, &[true, true, false]);
}

/// The same with path1 behind an rclone remote: half-written remote files are moved into
/// the quarantine with `rclone moveto`.
#[test]
fn kill9_rclone_mid_copy_to_a_remote() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    fx.use_remote();
    kill9_rounds(&fx, &[false, false]);
}

/// kill -9 of the guard itself mid-copy: rclone (own process group) finishes; the next run
/// waits for it, reconciles and syncs without conflicts.
#[test]
fn kill9_guard_mid_copy() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = init_with_files(&fx, 3);
    let batch = add_big_files_on_path1(&fx, &mut exp, "g", 12, 64 * 1024);
    let mut child = start_slow_run(&fx, "512k", &fx.p2, &batch, 2);
    let rclone_pid = fx.last_rclone_pid().expect("pid");
    kill9(pid_of(&child));
    let _ = child.wait();
    // rclone still runs: a new run must not start a second rclone on the same pair.
    if pid_alive(rclone_pid) {
        let o = fx.run(&["run", "docs"]);
        assert!(matches!(code(&o), Some(0) | Some(1)), "{}", stderr(&o));
    }
    wait_until("orphaned rclone to finish", Duration::from_secs(60), || {
        !pid_alive(rclone_pid)
    });
    let o = rerun_at_full_speed(&fx);
    assert_eq!(code(&o), Some(0));
    assert_synced(&fx, &exp);
}

#[test]
fn emptied_local_root_is_refused() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let exp = init_with_files(&fx, 10);
    // Everything gone, marker included.
    std::fs::remove_dir_all(&fx.p2).expect("rm");
    std::fs::create_dir(&fx.p2).expect("mk");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    assert_contains(&stdout(&o), "marker");
    assert_has_all(&fx.p1, &exp);
    assert!(
        tree(&fx.p2).is_empty(),
        "nothing copied into the emptied side either"
    );
    // Emptied but the marker kept: the deletion caps refuse.
    write(&fx.p2, "RCLONE_TEST", b"");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_has_all(&fx.p1, &exp);
    let st = fx.status_json();
    assert_eq!(st["pending"]["delete_on_path1"], 10);
    // Both the caps and the collapse check (11 files -> 1) speak up.
    assert_contains(reason(&st["pending"]), "would be deleted on path1");
    assert_contains(reason(&st["pending"]), "path2 went from 11 to 1 files");
    assert!(st["locked_out"].is_null(), "a refusal is not a lockout");
}

#[test]
fn empty_mount_point_is_refused() {
    let Some(rc) = rclone() else { return };
    let mut fx = Fx::new(&rc);
    let exp = with_marker(seed(&fx, 5));
    fx.extra = format!("mountpoint = \"{}\"\n", fx.p2.display());
    fx.write_config();
    // Mounted (per the injected mountinfo) for the first sync.
    let canon = std::fs::canonicalize(&fx.p2).expect("canon");
    std::fs::write(
        &fx.mountinfo,
        format!(
            "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n90 22 0:60 / {} rw - ext4 /dev/sdb1 rw\n",
            canon.display()
        ),
    )
    .expect("mi");
    fx.init();
    // Unmounted: the directory underneath is empty.
    std::fs::write(&fx.mountinfo, "22 1 0:21 / / rw - ext4 /dev/sda1 rw\n").expect("mi");
    let saved = tree(&fx.p2);
    for k in saved.keys() {
        std::fs::remove_file(fx.p2.join(k)).expect("rm");
    }
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "not a mount point");
    assert_has_all(&fx.p1, &exp);
}

#[test]
fn missing_marker_is_refused() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let exp = init_with_files(&fx, 5);
    std::fs::remove_file(fx.p1.join("RCLONE_TEST")).expect("rm");
    write(&fx.p2, "new.txt", b"new");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "marker file `RCLONE_TEST` is missing on path1");
    assert!(!fx.p1.join("new.txt").exists(), "nothing ran");
    let mut exp2 = exp.clone();
    exp2.remove("RCLONE_TEST");
    assert_has_all(&fx.p1, &exp2);
    assert_has_all(&fx.p2, &exp);
    // rclone was never asked, so it did not lock itself out: restoring the marker is enough.
    write(&fx.p1, "RCLONE_TEST", b"");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0));
}

#[test]
fn eighty_percent_deleted_is_refused_until_approved() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let exp = init_with_files(&fx, 50);
    let mut gone = Vec::new();
    for (i, k) in exp.keys().filter(|k| *k != "RCLONE_TEST").enumerate() {
        if i % 5 != 0 {
            std::fs::remove_file(fx.p2.join(k)).expect("rm");
            gone.push(k.clone());
        }
    }
    assert_eq!(gone.len(), 40);
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_has_all(&fx.p1, &exp);
    let st = fx.status_json();
    assert_eq!(st["pending"]["delete_on_path1"], 40);
    assert_contains(reason(&st["pending"]), "would be deleted on path1");
    // Still refused on the next timer tick.
    assert_eq!(code(&fx.run(&["run"])), Some(3));
    assert_has_all(&fx.p1, &exp);
    // The user approves; one more file disappears before the next run: more than was
    // approved, so it asks again.
    assert_eq!(code(&fx.run(&["approve", "docs"])), Some(0));
    let extra = exp
        .keys()
        .find(|k| *k != "RCLONE_TEST" && fx.p2.join(k).exists())
        .expect("a remaining file")
        .clone();
    std::fs::remove_file(fx.p2.join(&extra)).expect("rm");
    gone.push(extra);
    assert_eq!(code(&fx.run(&["run"])), Some(3));
    assert_has_all(&fx.p1, &exp);
    assert_eq!(fx.status_json()["pending"]["delete_on_path1"], 41);
    // Approved again, for 41: the deletion goes through once.
    assert_eq!(code(&fx.run(&["approve", "docs"])), Some(0));
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    for k in &gone {
        assert!(
            !fx.p1.join(k).exists(),
            "{k} deletion propagated after approval"
        );
    }
    let st = fx.status_json();
    assert!(st["pending"].is_null());
    assert_eq!(st["approved"], false);
    assert_no_conflicts(&fx.p1);
    // Nothing pending: nothing to approve.
    let o = fx.run(&["approve", "docs"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stderr(&o), "nothing to approve");
}

#[test]
fn rename_of_a_large_folder_is_a_move_not_a_mass_deletion() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = Files::new();
    add_files(
        &fx.p1,
        &mut exp,
        (0..200).map(|i| {
            let k = format!("Projects/p{}/file{i}.txt", i % 10);
            let v = content(&k, 50 + i);
            (k, v)
        }),
    );
    let exp = with_marker(exp);
    fx.init();
    std::fs::rename(fx.p2.join("Projects"), fx.p2.join("Archive")).expect("rename");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let renamed: Files = exp
        .iter()
        .map(|(k, v)| (k.replace("Projects/", "Archive/"), v.clone()))
        .collect();
    assert_synced(&fx, &renamed);
    assert!(!fx.p1.join("Projects").join("p0").join("file0.txt").exists());
}

#[test]
fn two_runs_at_once() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = init_with_files(&fx, 3);
    let batch = add_big_files_on_path1(&fx, &mut exp, "c", 16, 64 * 1024);
    let first = start_slow_run(&fx, "512k", &fx.p2, &batch, 1);
    let o = fx.run(&["run", "docs"]);
    assert_eq!(code(&o), Some(1));
    assert_contains(&stdout(&o), "another axios-bisync run");
    let st = fx.status_json();
    assert_eq!(st["running"], true);
    let out = first.wait_with_output().expect("first");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_synced(&fx, &exp);
}

#[test]
fn stale_rclone_lock_from_a_dead_pid_is_cleared() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = init_with_files(&fx, 3);
    // A real lock left by an rclone that was killed: rclone itself refuses to run.
    let lst = fx
        .workdir_files(".path1.lst")
        .into_iter()
        .next()
        .expect("listing");
    let lck = fx.workdir().join(lst.replace(".path1.lst", ".lck"));
    // A PID that cannot be alive (above pid_max's default ceiling).
    std::fs::write(&lck, "4194304999").expect("lock");
    add_file(&fx.p2, &mut exp, "after.txt", b"after");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(0));
    assert_contains(&stderr(&o), "cleared stale rclone lock");
    assert_synced(&fx, &exp);
    // `unlock` does the same on demand.
    std::fs::write(&lck, "4194304999").expect("lock");
    let o = fx.run(&["unlock"]);
    assert_eq!(code(&o), Some(0));
    assert_contains(&stdout(&o), "cleared stale rclone lock");
    assert!(!lck.exists());
}

#[test]
fn changed_filters_file_is_refused_until_recover() {
    let Some(rc) = rclone() else { return };
    let mut fx = Fx::new(&rc);
    let filters = use_filters_file(&mut fx, "- *.tmp\n");
    let exp = with_marker(seed(&fx, 5));
    write(&fx.p1, "skip.tmp", b"tmp");
    write(&fx.p1, "notes.bak", b"bak");
    fx.init();
    assert!(!fx.p2.join("skip.tmp").exists(), "filtered");
    assert!(
        fx.state.join("pairs/docs/filters.txt").exists(),
        "copy in the state dir"
    );
    std::fs::write(&filters, "- *.tmp\n- *.bak\n").expect("filters");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_contains(&stdout(&o), "filters file");
    assert!(fx.status_json()["locked_out"].is_null());
    assert_has_all(&fx.p1, &exp);
    assert_has_all(&fx.p2, &exp);
    assert!(
        fx.p2.join("notes.bak").exists(),
        "nothing deleted by the filter change"
    );
    let o = fx.run(&["recover", "docs", "--yes"]);
    assert_eq!(code(&o), Some(0));
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert!(fx.p1.join("notes.bak").exists());
    assert!(fx.p1.join("skip.tmp").exists());
    assert_has_all(&fx.p2, &exp);
}

#[test]
fn deleted_listings_lock_out_then_recover_with_backup() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let exp = init_with_files(&fx, 5);
    fx.delete_listings();
    write(&fx.p2, "d0/f0.txt", b"newer local edit");
    write(&fx.p2, "only-local.txt", b"only local");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(2));
    assert_contains(&stdout(&o), "recover docs");
    // No automatic --resync: path1 untouched.
    assert!(!fx.p1.join("only-local.txt").exists());
    assert_has_all(&fx.p1, &exp);
    assert_eq!(code(&fx.run(&["run"])), Some(2), "stays locked out");
    assert_contains(
        reason(&fx.status_json()["locked_out"]),
        "listings are missing",
    );
    let o = fx.run(&["recover", "docs", "--yes"]);
    assert_eq!(code(&o), Some(0));
    assert_contains(&stdout(&o), "overwrite 1 path2 file(s)");
    // The local edit the resync overwrote is in the backup.
    let backups = tree(&fx.state.join("backup/docs"));
    assert!(
        backups
            .iter()
            .any(|(k, v)| k.ends_with("d0/f0.txt") && v == b"newer local edit"),
        "{backups:?}"
    );
    assert_eq!(
        std::fs::read(fx.p1.join("only-local.txt")).expect("copied"),
        b"only local"
    );
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert!(fx.status_json()["locked_out"].is_null());
}

/// SIGTERM (logout/shutdown) lets rclone finish instead of interrupting it into a lockout.
#[test]
fn sigterm_lets_rclone_finish() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = init_with_files(&fx, 2);
    let batch = add_big_files_on_path1(&fx, &mut exp, "t", 16, 64 * 1024);
    let child = start_slow_run(&fx, "512k", &fx.p2, &batch, 1);
    let out = sigterm_and_wait(child);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_contains(&stderr(&out), "letting rclone finish");
    assert_synced(&fx, &exp);
    assert!(fx.status_json()["locked_out"].is_null());
}

/// path1 through an rclone remote (a local-backed remote in an rclone config file).
#[test]
fn remote_path1_sync_and_guard() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    fx.use_remote();
    let mut exp = init_with_files(&fx, 30);
    add_file(&fx.p2, &mut exp, "x/local.txt", b"local");
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert_synced(&fx, &exp);
    // 20 of 31 gone on the remote side: refused.
    for k in exp.keys().filter(|k| k.starts_with("d")).take(20) {
        std::fs::remove_file(fx.p1.join(k)).expect("rm");
    }
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    assert_has_all(&fx.p2, &exp);
}

/// A real critical error from rclone (its own filters-file hash check, here tripped by a
/// tampered copy in the state dir): the pair is locked out, nothing is deleted, no
/// automatic --resync, later runs do not even call rclone, and `recover` gets out.
#[test]
fn rclone_critical_error_locks_out_until_recover() {
    let Some(rc) = rclone() else { return };
    let mut fx = Fx::new(&rc);
    let filters = use_filters_file(&mut fx, "- *.tmp\n");
    let exp = init_with_files(&fx, 5);
    // Source and copy agree (the guard's check passes) but rclone's stored md5 does not.
    std::fs::write(&filters, "- *.tmp\n- *.bak\n").expect("filters");
    std::fs::write(
        fx.state.join("pairs/docs/filters.txt"),
        "- *.tmp\n- *.bak\n",
    )
    .expect("copy");
    write(&fx.p2, "local-new.txt", b"new");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_contains(&stdout(&o), "critical");
    assert!(!fx.p1.join("local-new.txt").exists(), "no automatic resync");
    if rclone_minor(&rc) < 66 {
        // rclone renamed its listings to .lst-err (DOMAIN-FACTS: a critical error).
        assert_eq!(fx.workdir_files(".lst-err").len(), 2);
    } else {
        // 1.66+ with the guard's `--resilient`: exit 7 but the listings stay; the guard
        // still locks out, since rclone says the filters need a resync.
        assert_eq!(fx.workdir_files(".lst-err").len(), 0);
    }
    assert_has_all(&fx.p1, &exp);
    assert_has_all(&fx.p2, &exp);
    assert_contains(
        reason(&fx.status_json()["locked_out"]),
        "filters file has changed",
    );
    let _ = std::fs::remove_file(&fx.pids);
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(2));
    assert_contains(&stdout(&o), "locked out since");
    // The version is cached per binary, so a locked-out pair does not run rclone at all.
    let rclone_calls = std::fs::read_to_string(&fx.pids).unwrap_or_default();
    assert_eq!(
        rclone_calls.lines().count(),
        0,
        "rclone ran while locked out"
    );
    assert_eq!(code(&fx.run(&["recover", "docs", "--yes"])), Some(0));
    assert_eq!(code(&fx.run(&["run"])), Some(0));
    assert!(fx.p1.join("local-new.txt").exists());
    assert_no_conflicts(&fx.p1);
    assert_no_conflicts(&fx.p2);
}

/// Power loss: guard and rclone die together mid-copy (kill -9 both, nothing gets to clean
/// up). The next run reconciles from the journal.
#[test]
fn power_loss_mid_copy() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let mut exp = init_with_files(&fx, 3);
    let batch = add_big_files_on_path1(&fx, &mut exp, "p", 16, 96 * 1024);
    let mut child = start_slow_run(&fx, "512k", &fx.p2, &batch, 3);
    let rclone_pid = fx.last_rclone_pid().expect("pid");
    kill9(pid_of(&child));
    kill9(rclone_pid);
    let _ = child.wait();
    wait_until("rclone gone", Duration::from_secs(10), || {
        !pid_alive(rclone_pid)
    });
    assert!(fx.journal().exists());
    let o = rerun_at_full_speed(&fx);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_contains(&stderr(&o), "cleared stale rclone lock");
    assert_synced(&fx, &exp);
}

/// SIGTERM and rclone does not finish within `stop_grace`: the guard kills it (SIGKILL, not
/// SIGTERM, so rclone 1.60 does not demand a resync), exits "retryable", and the next run
/// reconciles without conflicts or lockout.
#[test]
fn sigterm_past_the_grace_period_stops_cleanly() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    let text = std::fs::read_to_string(&fx.cfg)
        .expect("cfg")
        .replace("stop_grace = \"60s\"", "stop_grace = \"1s\"");
    std::fs::write(&fx.cfg, text).expect("cfg");
    let mut exp = init_with_files(&fx, 2);
    let batch = add_big_files_on_path1(&fx, &mut exp, "s", 24, 96 * 1024);
    let child = start_slow_run(&fx, "256k", &fx.p2, &batch, 1);
    let out = sigterm_and_wait(child);
    assert_eq!(code(&out), Some(1), "{}", stderr(&out));
    assert_contains(&stderr(&out), "killing it");
    assert!(
        complete_copies(&fx.p2, &batch) < batch.len(),
        "rclone was stopped early"
    );
    let o = rerun_at_full_speed(&fx);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert_synced(&fx, &exp);
    assert!(fx.status_json()["locked_out"].is_null());
}

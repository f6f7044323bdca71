//! Writing a generated configuration: everything or nothing.
//!
//! A new directory is staged beside the target and renamed into place in one
//! step. Into an existing directory, every file is first written (and synced)
//! into a staging directory inside it, then renamed into place one by one;
//! when a rename fails, the files already placed are taken back and files that
//! `--force` replaced are restored, so the directory ends as it began.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::render::File;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{dir} already holds {}; pass --force to overwrite (nothing was written)", .files.join(", "))]
    Exists { dir: PathBuf, files: Vec<String> },
    #[error("{path}: {source} (nothing was written)")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} exists and is not a directory (nothing was written)")]
    NotDir { path: PathBuf },
    #[error("{path} is a directory where axios init writes a file; move it away (nothing was written, --force never replaces a directory)")]
    DirInTheWay { path: PathBuf },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The files of `files` that already exist under `dir` (anything at the path, even a dangling link).
pub fn existing(dir: &Path, files: &[File]) -> Vec<String> {
    files
        .iter()
        .filter(|f| fs::symlink_metadata(dir.join(&f.path)).is_ok())
        .map(|f| f.path.clone())
        .collect()
}

/// Check that a file path from the renderer stays inside the target.
fn safe(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

fn write_tree(base: &Path, files: &[File]) -> Result<(), WriteError> {
    for f in files {
        let path = base.join(&f.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let mut file = fs::File::create(&path).map_err(io(&path))?;
        file.write_all(f.text.as_bytes()).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
    }
    Ok(())
}

/// Write `files` under `dir`; refuses if any exists unless `force`.
pub fn write(dir: &Path, files: &[File], force: bool) -> Result<(), WriteError> {
    if let Some(bad) = files.iter().find(|f| !safe(&f.path)) {
        return Err(WriteError::Io {
            path: dir.join(&bad.path),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "file path leaves the target directory",
            ),
        });
    }
    match fs::symlink_metadata(dir) {
        Ok(_) if dir.is_dir() => into_existing(dir, files, force),
        Ok(_) => Err(WriteError::NotDir {
            path: dir.to_path_buf(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => into_new(dir, files),
        Err(e) => Err(io(dir)(e)),
    }
}

fn into_new(dir: &Path, files: &[File]) -> Result<(), WriteError> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        fs::create_dir_all(&parent).map_err(io(&parent))?;
    }
    let stage = tempfile::Builder::new()
        .prefix(".axios-init-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    write_tree(stage.path(), files)?;
    // tempdir makes 0700 directories; a configuration directory is 0755
    set_mode(stage.path(), 0o755)?;
    let staged = stage.keep();
    if let Err(e) = fs::rename(&staged, dir) {
        let _ = fs::remove_dir_all(&staged);
        return Err(io(dir)(e));
    }
    sync_dir(&parent);
    Ok(())
}

fn into_existing(dir: &Path, files: &[File], force: bool) -> Result<(), WriteError> {
    if let Some(f) = files
        .iter()
        .find(|f| fs::symlink_metadata(dir.join(&f.path)).is_ok_and(|m| m.is_dir()))
    {
        return Err(WriteError::DirInTheWay {
            path: dir.join(&f.path),
        });
    }
    let exists = existing(dir, files);
    if !exists.is_empty() && !force {
        return Err(WriteError::Exists {
            dir: dir.to_path_buf(),
            files: exists,
        });
    }
    let stage = tempfile::Builder::new()
        .prefix(".axios-init-")
        .tempdir_in(dir)
        .map_err(io(dir))?;
    let new = stage.path().join("new");
    let old = stage.path().join("old");
    write_tree(&new, files)?;
    fs::create_dir_all(&old).map_err(io(&old))?;
    // (target, backup of what it replaced) for every step done, to undo
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut result = Ok(());
    for (i, f) in files.iter().enumerate() {
        let target = dir.join(&f.path);
        let step = (|| {
            if let Some(parent) = target.parent() {
                let mut missing = Vec::new();
                let mut p = parent.to_path_buf();
                while !p.exists() && p.starts_with(dir) && p != dir {
                    missing.push(p.clone());
                    if !p.pop() {
                        break;
                    }
                }
                fs::create_dir_all(parent).map_err(io(parent))?;
                created_dirs.extend(missing.into_iter().rev());
            }
            let backup = if fs::symlink_metadata(&target).is_ok() {
                let b = old.join(i.to_string());
                fs::rename(&target, &b).map_err(io(&target))?;
                Some(b)
            } else {
                None
            };
            let res = fs::rename(new.join(&f.path), &target).map_err(io(&target));
            match res {
                Ok(()) => {
                    done.push((target.clone(), backup));
                    Ok(())
                }
                Err(e) => {
                    if let Some(b) = &backup {
                        let _ = fs::rename(b, &target);
                    }
                    Err(e)
                }
            }
        })();
        if let Err(e) = step {
            result = Err(e);
            break;
        }
    }
    if result.is_err() {
        for (target, backup) in done.into_iter().rev() {
            let _ = fs::remove_file(&target);
            if let Some(b) = backup {
                let _ = fs::rename(b, &target);
            }
        }
        for d in created_dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
        // the staging dir (and any backup left in it) stays only if the undo failed
        return result;
    }
    sync_dir(dir);
    Ok(())
}

fn set_mode(p: &Path, mode: u32) -> Result<(), WriteError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).map_err(io(p))
}

fn sync_dir(p: &Path) {
    if let Ok(d) = fs::File::open(p) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<File> {
        vec![
            File {
                path: "a.nix".into(),
                text: "a".into(),
            },
            File {
                path: "hosts/x/hardware.nix".into(),
                text: "hw".into(),
            },
        ]
    }

    #[test]
    fn new_directory() {
        let t = tempfile::tempdir().expect("tempdir");
        let d = t.path().join("cfg");
        write(&d, &files(), false).expect("write");
        assert_eq!(
            fs::read_to_string(d.join("hosts/x/hardware.nix")).expect("read"),
            "hw"
        );
        // nothing else left beside it
        assert_eq!(fs::read_dir(t.path()).expect("ls").count(), 1);
    }

    #[test]
    fn refuses_and_forces() {
        let t = tempfile::tempdir().expect("tempdir");
        fs::write(t.path().join("a.nix"), "mine").expect("seed");
        let e = write(t.path(), &files(), false).expect_err("refuses");
        assert!(e.to_string().contains("a.nix"), "{e}");
        assert!(!t.path().join("hosts").exists());
        write(t.path(), &files(), true).expect("force");
        assert_eq!(
            fs::read_to_string(t.path().join("a.nix")).expect("read"),
            "a"
        );
        let left: Vec<_> = fs::read_dir(t.path())
            .expect("ls")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 2, "{left:?}");
    }

    #[test]
    fn never_replaces_a_directory() {
        let t = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(t.path().join("a.nix/keep")).expect("seed");
        fs::write(t.path().join("a.nix/keep/data"), "precious").expect("seed");
        let e = write(t.path(), &files(), true).expect_err("refuses");
        assert!(e.to_string().contains("is a directory"), "{e}");
        assert_eq!(
            fs::read_to_string(t.path().join("a.nix/keep/data")).expect("kept"),
            "precious"
        );
        assert!(!t.path().join("hosts").exists());
    }

    #[test]
    fn rolls_back_when_a_rename_fails() {
        let t = tempfile::tempdir().expect("tempdir");
        fs::write(t.path().join("a.nix"), "mine").expect("seed");
        // `hosts` is a file: creating hosts/x fails after a.nix was placed
        fs::write(t.path().join("hosts"), "in the way").expect("seed");
        let e = write(t.path(), &files(), true).expect_err("fails");
        assert!(e.to_string().contains("hosts"), "{e}");
        assert_eq!(
            fs::read_to_string(t.path().join("a.nix")).expect("read"),
            "mine"
        );
        assert_eq!(
            fs::read_to_string(t.path().join("hosts")).expect("read"),
            "in the way"
        );
        assert_eq!(fs::read_dir(t.path()).expect("ls").count(), 2);
    }
}

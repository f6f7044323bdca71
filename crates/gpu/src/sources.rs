//! The watcher's event sources, each a thread blocked in `read`/`recv` (no polling),
//! forwarding what it reads to the daemon's loop.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use tokio::sync::mpsc::UnboundedSender;

/// What a source delivers.
#[derive(Debug)]
pub enum Raw {
    Kmsg(String),
    Uevent(Vec<u8>),
    /// A source stopped (EOF of a recorded file, or an error): the daemon goes on.
    Ended {
        source: String,
        why: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot open kernel log {path}: {source} (the watcher needs read access to /dev/kmsg, CAP_SYSLOG when kernel.dmesg_restrict=1)")]
    Kmsg {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the kernel uevent netlink socket: {0}")]
    Netlink(#[source] std::io::Error),
    #[error("cannot bind uevent socket {path}: {source}")]
    UeventSocket {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Follow `path` line by line on a thread. `/dev/kmsg` (a character device) starts
/// at its end: old messages were the previous boot's or seen before. A FIFO is
/// reopened when its writer goes away; a regular file ends at EOF.
pub fn spawn_kmsg(path: &Path, tx: UnboundedSender<Raw>) -> Result<(), SourceError> {
    let err = |source| SourceError::Kmsg {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(err)?;
    let fifo = meta.file_type().is_fifo();
    let chardev = meta.file_type().is_char_device();
    // A FIFO's open blocks until a writer comes: open it on the thread.
    let first = if fifo {
        None
    } else {
        let mut f = std::fs::File::open(path).map_err(err)?;
        if chardev {
            f.seek(SeekFrom::End(0)).map_err(err)?;
        }
        Some(f)
    };
    let path = path.to_path_buf();
    std::thread::Builder::new()
        .name("kmsg".into())
        .spawn(move || {
            let mut file = first;
            loop {
                let f = match file.take() {
                    Some(f) => f,
                    None => match std::fs::File::open(&path) {
                        Ok(f) => f,
                        Err(e) => {
                            let _ = tx.send(Raw::Ended {
                                source: path.display().to_string(),
                                why: e.to_string(),
                            });
                            return;
                        }
                    },
                };
                let mut r = BufReader::with_capacity(8192, f);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match r.read_until(b'\n', &mut buf) {
                        Ok(0) => break,
                        Ok(_) => {
                            let line = String::from_utf8_lossy(&buf).into_owned();
                            if tx.send(Raw::Kmsg(line)).is_err() {
                                return;
                            }
                        }
                        // /dev/kmsg: records were overwritten before we read them.
                        Err(e) if e.raw_os_error() == Some(32) => continue,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            let _ = tx.send(Raw::Ended {
                                source: path.display().to_string(),
                                why: e.to_string(),
                            });
                            return;
                        }
                    }
                }
                if !fifo {
                    let _ = tx.send(Raw::Ended {
                        source: path.display().to_string(),
                        why: "end of file".into(),
                    });
                    return;
                }
            }
        })
        .map_err(err)?;
    Ok(())
}

fn forward_datagrams(
    name: &str,
    mut recv: impl FnMut(&mut [u8]) -> std::io::Result<usize> + Send + 'static,
    tx: UnboundedSender<Raw>,
) -> std::io::Result<()> {
    let name = name.to_string();
    std::thread::Builder::new()
        .name("uevent".into())
        .spawn(move || {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match recv(&mut buf) {
                    Ok(n) => {
                        if tx
                            .send(Raw::Uevent(buf[..n.min(buf.len())].to_vec()))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    // ENOBUFS: the kernel dropped events while we were busy; go on.
                    Err(e) if e.raw_os_error() == Some(105) => continue,
                    Err(e) => {
                        let _ = tx.send(Raw::Ended {
                            source: name.clone(),
                            why: e.to_string(),
                        });
                        return;
                    }
                }
            }
        })
        .map(|_| ())
}

/// Kernel uevents from `NETLINK_KOBJECT_UEVENT` (multicast group 1, the kernel's own).
pub fn spawn_netlink(tx: UnboundedSender<Raw>) -> Result<(), SourceError> {
    use rustix::net::{
        bind, netlink, recv, socket_with, AddressFamily, RecvFlags, SocketFlags, SocketType,
    };
    let fd = socket_with(
        AddressFamily::NETLINK,
        SocketType::DGRAM,
        SocketFlags::CLOEXEC,
        Some(netlink::KOBJECT_UEVENT),
    )
    .map_err(|e| SourceError::Netlink(e.into()))?;
    bind(&fd, &netlink::SocketAddrNetlink::new(0, 1))
        .map_err(|e| SourceError::Netlink(e.into()))?;
    forward_datagrams(
        "netlink uevents",
        move |buf| {
            recv(&fd, buf, RecvFlags::empty())
                .map(|(_, n)| n)
                .map_err(std::io::Error::from)
        },
        tx,
    )
    .map_err(SourceError::Netlink)
}

/// Uevent payloads sent as datagrams to a Unix socket bound at `path` (tests, relays).
pub fn spawn_uevent_socket(path: &Path, tx: UnboundedSender<Raw>) -> Result<(), SourceError> {
    let err = |source| SourceError::UeventSocket {
        path: path.to_path_buf(),
        source,
    };
    // A socket file left by a killed run would make bind fail.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
        std::fs::remove_file(path).map_err(err)?;
    }
    let sock = std::os::unix::net::UnixDatagram::bind(path).map_err(err)?;
    forward_datagrams(&path.display().to_string(), move |buf| sock.recv(buf), tx).map_err(err)
}

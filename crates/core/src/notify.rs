//! `sd_notify(3)`: tell systemd we are READY, what we are doing, and that we live.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

/// A state line for `sd_notify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State<'a> {
    Ready,
    Reloading,
    Stopping,
    Watchdog,
    Status(&'a str),
}

impl State<'_> {
    fn line(&self) -> String {
        match self {
            State::Ready => "READY=1".into(),
            State::Reloading => "RELOADING=1".into(),
            State::Stopping => "STOPPING=1".into(),
            State::Watchdog => "WATCHDOG=1".into(),
            State::Status(s) => format!("STATUS={}", s.replace('\n', " ")),
        }
    }
}

/// Send `states` to `$NOTIFY_SOCKET`. Returns `Ok(false)` when not under systemd.
pub fn notify(states: &[State<'_>]) -> std::io::Result<bool> {
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else {
        return Ok(false);
    };
    let socket = socket.to_string_lossy().into_owned();
    let addr = socket_addr(&socket)?;
    let msg: Vec<String> = states.iter().map(State::line).collect();
    let sock = UnixDatagram::unbound()?;
    sock.send_to_addr(msg.join("\n").as_bytes(), &addr)?;
    Ok(true)
}

fn socket_addr(socket: &str) -> std::io::Result<SocketAddr> {
    if let Some(name) = socket.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        SocketAddr::from_abstract_name(name.as_bytes())
    } else {
        SocketAddr::from_pathname(socket)
    }
}

/// The watchdog interval systemd expects pings within (`WatchdogSec=`), if any
/// and if meant for this process. Ping at half of it.
pub fn watchdog_interval() -> Option<Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok()? != std::process::id() {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(State::Ready.line(), "READY=1");
        assert_eq!(State::Status("a\nb").line(), "STATUS=a b");
    }

    #[test]
    fn sends_to_socket() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("notify.sock");
        let server = UnixDatagram::bind(&path).expect("bind");
        let addr = socket_addr(path.to_str().expect("utf8")).expect("addr");
        let sock = UnixDatagram::unbound().expect("sock");
        let msg = [State::Ready, State::Status("up")]
            .iter()
            .map(State::line)
            .collect::<Vec<_>>()
            .join("\n");
        sock.send_to_addr(msg.as_bytes(), &addr).expect("send");
        let mut buf = [0u8; 64];
        let n = server.recv(&mut buf).expect("recv");
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=up");
    }
}

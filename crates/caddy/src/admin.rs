//! Loading a config through Caddy's admin API (`POST /load`).
//!
//! `Cache-Control: must-revalidate` makes Caddy reload even when the config is
//! unchanged. When Caddy rejects a config it answers 4xx/5xx and keeps the
//! running one.

use std::io::{Read, Write};
use std::time::Duration;

/// The admin endpoint: `http://host:port` or `unix//path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admin {
    Tcp { host: String, port: u16 },
    Unix { path: String },
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("admin address `{addr}` is not `http://host:port` or `unix//path`")]
    BadAddress { addr: String },
    #[error("cannot reach Caddy's admin API at {addr}: {source} (is Caddy running with its admin endpoint there?)")]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("talking to Caddy's admin API at {addr}: {source}")]
    Io {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("Caddy's admin API at {addr} sent a malformed reply: {reply}")]
    BadReply { addr: String, reply: String },
    #[error(
        "Caddy rejected the config (HTTP {status}); the running config is unchanged: {message}"
    )]
    Rejected { status: u16, message: String },
}

impl Admin {
    pub fn parse(addr: &str) -> Result<Admin, AdminError> {
        let bad = || AdminError::BadAddress {
            addr: addr.to_string(),
        };
        if let Some(path) = addr.strip_prefix("unix/") {
            if path.starts_with('/') {
                return Ok(Admin::Unix {
                    path: path.to_string(),
                });
            }
            return Err(bad());
        }
        let rest = addr.strip_prefix("http://").unwrap_or(addr);
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        let port = port.parse::<u16>().map_err(|_| bad())?;
        if host.is_empty() || host.contains('/') {
            return Err(bad());
        }
        Ok(Admin::Tcp {
            host: host.to_string(),
            port,
        })
    }

    /// The address as Caddy's `admin.listen` spells it.
    pub fn listen(&self) -> String {
        match self {
            Admin::Tcp { host, port } => format!("{host}:{port}"),
            Admin::Unix { path } => format!("unix/{path}"),
        }
    }

    fn display(&self) -> String {
        match self {
            Admin::Tcp { host, port } => format!("http://{host}:{port}"),
            Admin::Unix { path } => format!("unix/{path}"),
        }
    }

    /// `POST /load` with `body` of `content_type`. Ok on 2xx.
    pub fn load(&self, body: &[u8], content_type: &str) -> Result<(), AdminError> {
        let addr = self.display();
        let host = match self {
            Admin::Tcp { host, port } => format!("{host}:{port}"),
            Admin::Unix { .. } => "localhost".to_string(),
        };
        let head = format!(
            "POST /load HTTP/1.0\r\nHost: {host}\r\nContent-Type: {content_type}\r\nCache-Control: must-revalidate\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let io = |source| AdminError::Io {
            addr: addr.clone(),
            source,
        };
        let timeout = Some(Duration::from_secs(60));
        let reply = match self {
            Admin::Tcp { host, port } => {
                let mut s =
                    std::net::TcpStream::connect((host.as_str(), *port)).map_err(|source| {
                        AdminError::Connect {
                            addr: addr.clone(),
                            source,
                        }
                    })?;
                s.set_read_timeout(timeout).map_err(io)?;
                s.set_write_timeout(timeout).map_err(io)?;
                exchange(&mut s, head.as_bytes(), body).map_err(io)?
            }
            Admin::Unix { path } => {
                let mut s = std::os::unix::net::UnixStream::connect(path).map_err(|source| {
                    AdminError::Connect {
                        addr: addr.clone(),
                        source,
                    }
                })?;
                s.set_read_timeout(timeout).map_err(io)?;
                s.set_write_timeout(timeout).map_err(io)?;
                exchange(&mut s, head.as_bytes(), body).map_err(io)?
            }
        };
        let text = String::from_utf8_lossy(&reply);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| AdminError::BadReply {
                addr: addr.clone(),
                reply: head.chars().take(80).collect(),
            })?;
        if (200..300).contains(&status) {
            return Ok(());
        }
        let message = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_else(|| body.trim().to_string());
        Err(AdminError::Rejected { status, message })
    }
}

fn exchange<S: Read + Write>(s: &mut S, head: &[u8], body: &[u8]) -> std::io::Result<Vec<u8>> {
    s.write_all(head)?;
    s.write_all(body)?;
    s.flush()?;
    let mut reply = Vec::new();
    s.read_to_end(&mut reply)?;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses() {
        assert_eq!(
            Admin::parse("http://127.0.0.1:2019").expect("ok"),
            Admin::Tcp {
                host: "127.0.0.1".into(),
                port: 2019
            }
        );
        assert_eq!(
            Admin::parse("localhost:2019").expect("ok").listen(),
            "localhost:2019"
        );
        assert_eq!(
            Admin::parse("unix//run/caddy/admin.sock")
                .expect("ok")
                .listen(),
            "unix//run/caddy/admin.sock"
        );
        assert!(Admin::parse("http://x").is_err());
        assert!(Admin::parse("unix/rel").is_err());
    }
}

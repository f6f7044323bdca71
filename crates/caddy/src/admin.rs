//! Caddy's admin API: the running config (`GET /config/`), Caddyfile
//! adaptation (`POST /adapt`) and loading a config (`POST /load`), over TCP or
//! a unix socket, with hyper's HTTP/1.1 client.
//!
//! When Caddy rejects a config it answers 4xx/5xx and keeps the running one.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(60);

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
    #[error("talking to Caddy's admin API at {addr}: {message}")]
    Http { addr: String, message: String },
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
        self.request("POST", "/load", Some((body, content_type)))
            .map(drop)
    }

    /// The running config, as Caddy reports it (`GET /config/`).
    pub fn config(&self) -> Result<Value, AdminError> {
        let body = self.request("GET", "/config/", None)?;
        self.json(&body)
    }

    /// Caddy's own adaptation of a config (`POST /adapt`), without loading it.
    pub fn adapt(&self, body: &[u8], content_type: &str) -> Result<Value, AdminError> {
        let reply = self.request("POST", "/adapt", Some((body, content_type)))?;
        let mut v = self.json(&reply)?;
        Ok(v.get_mut("result").map(Value::take).unwrap_or(Value::Null))
    }

    fn json(&self, body: &[u8]) -> Result<Value, AdminError> {
        serde_json::from_slice(body).map_err(|e| AdminError::BadReply {
            addr: self.display(),
            reply: format!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(body)
                    .chars()
                    .take(80)
                    .collect::<String>()
            ),
        })
    }

    /// One request; the reply body on 2xx, [`AdminError::Rejected`] otherwise.
    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<(&[u8], &str)>,
    ) -> Result<Vec<u8>, AdminError> {
        let addr = self.display();
        let http = |message: String| AdminError::Http {
            addr: addr.clone(),
            message,
        };
        let host = match self {
            Admin::Tcp { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Admin::Tcp { host, port } => format!("{host}:{port}"),
            // Caddy (2.6 to 2.11) accepts an empty Host on a unix socket
            Admin::Unix { .. } => String::new(),
        };
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, host);
        if let Some((_, ct)) = body {
            req = req.header(hyper::header::CONTENT_TYPE, ct);
        }
        let req = req
            .body(Full::new(Bytes::copy_from_slice(
                body.map_or(&[][..], |b| b.0),
            )))
            .map_err(|e| http(e.to_string()))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| http(e.to_string()))?;
        let connect = |source| AdminError::Connect {
            addr: addr.clone(),
            source,
        };
        let (status, reply) = rt.block_on(async {
            let exchange = async {
                match self {
                    Admin::Tcp { host, port } => {
                        let s = tokio::net::TcpStream::connect((host.as_str(), *port))
                            .await
                            .map_err(connect)?;
                        send(s, req).await.map_err(http)
                    }
                    Admin::Unix { path } => {
                        let s = tokio::net::UnixStream::connect(path)
                            .await
                            .map_err(connect)?;
                        send(s, req).await.map_err(http)
                    }
                }
            };
            tokio::time::timeout(TIMEOUT, exchange)
                .await
                .unwrap_or_else(|_| Err(http(format!("no answer within {}s", TIMEOUT.as_secs()))))
        })?;
        if (200..300).contains(&status) {
            return Ok(reply);
        }
        let text = String::from_utf8_lossy(&reply);
        let message = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_else(|| text.trim().to_string());
        Err(AdminError::Rejected { status, message })
    }
}

/// Send `req` on a fresh HTTP/1.1 connection over `io`; (status, body).
async fn send<S>(io: S, req: Request<Full<Bytes>>) -> Result<(u16, Vec<u8>), String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(conn);
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes()
        .to_vec();
    drop(sender);
    let _ = driver.await;
    Ok((status, body))
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

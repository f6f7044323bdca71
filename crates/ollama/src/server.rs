//! The proxy's listener and connections: TCP or unix socket, every request head
//! checked by the [`Gate`] before hyper parses it (a malformed, oversized or late head
//! gets an error with a JSON body, on every request of a connection), and a graceful
//! stop that lets in-flight streams finish.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::gate::{Gate, Refusal, MAX_HEAD};
use crate::proxy::{handle, ProxyError, State};

/// Where the proxy listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl Listen {
    pub fn parse(s: &str) -> Result<Listen, String> {
        if let Some(p) = s.strip_prefix("unix:") {
            if !p.starts_with('/') {
                return Err(format!(
                    "`{s}`: the socket path must be absolute (unix:/run/...)"
                ));
            }
            return Ok(Listen::Unix(PathBuf::from(p)));
        }
        s.parse()
            .map(Listen::Tcp)
            .map_err(|_| format!("`{s}` is neither IP:PORT nor unix:/path"))
    }
}

/// A bound listener.
pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

impl Listener {
    pub async fn bind(listen: &Listen) -> Result<Listener, ProxyError> {
        let err = |source| ProxyError::Bind {
            listen: format!("{listen:?}"),
            source,
        };
        match listen {
            Listen::Tcp(a) => Ok(Listener::Tcp(TcpListener::bind(a).await.map_err(err)?)),
            Listen::Unix(p) => {
                // a stale socket from a killed run; never remove anything else
                use std::os::unix::fs::FileTypeExt;
                if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_socket()) {
                    let _ = std::fs::remove_file(p);
                }
                Ok(Listener::Unix(
                    UnixListener::bind(p).map_err(err)?,
                    p.clone(),
                ))
            }
        }
    }

    /// The TCP address actually bound (for port 0).
    pub fn local_addr(&self) -> Option<SocketAddr> {
        match self {
            Listener::Tcp(l) => l.local_addr().ok(),
            Listener::Unix(..) => None,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, p) = self {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Answer a refused or late head with a JSON body, then close without resetting the
/// connection under the client's feet (drain what it still sends, for a while).
async fn answer_and_close<I>(mut io: I, r: Refusal)
where
    I: AsyncRead + AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = serde_json::json!({ "error": r.message }).to_string();
    let reason = hyper::StatusCode::from_u16(r.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let resp = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        r.status,
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        io.write_all(resp.as_bytes()).await?;
        io.shutdown().await
    })
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let mut sink = [0u8; 4096];
        let mut left = 1usize << 20;
        while let Ok(n @ 1..) = io.read(&mut sink).await {
            left = left.saturating_sub(n);
            if left == 0 {
                break;
            }
        }
    })
    .await;
}

/// The http1 settings of every proxy connection.
fn http1_builder(header_timeout: Duration) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEAD);
    builder
}

async fn serve_conn<I>(io: I, state: Arc<State>, stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let header_timeout = state.header_timeout;
    let svc = service_fn(move |req| handle(req, state.clone()));
    serve_gated(io, svc, header_timeout, stop).await;
}

/// Serve one connection through the gate until it ends, then answer what is owed.
async fn serve_gated<I, S, B>(
    io: I,
    svc: S,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut conn = http1_builder(header_timeout).serve_connection(TokioIo::new(Gate::new(io)), svc);
    let done = tokio::select! {
        r = &mut conn => r,
        _ = stop.changed() => {
            std::pin::Pin::new(&mut conn).graceful_shutdown();
            (&mut conn).await
        }
    };
    let timed_out = match &done {
        Ok(()) => false,
        Err(e) => {
            tracing::debug!("connection: {e}");
            e.is_timeout()
        }
    };
    // hyper is done with the connection (it never shuts it down after an error, and
    // the gate keeps it open when a refusal is owed): answer what is owed
    let parts = conn.into_parts();
    let gate = parts.io.into_inner();
    let owed = gate.refusal().or_else(|| {
        // a late head: part of it arrived, or nothing came on a new connection; an
        // idle kept-alive connection just expires, as with nginx or Go
        let started = !parts.read_buf.is_empty() || gate.has_pending() || !gate.served();
        (timed_out && started).then_some(Refusal {
            status: 408,
            message: "request headers not received in time",
        })
    });
    if let Some(r) = owed {
        // boxed: its 4 KiB drain buffer would otherwise sit in every connection's task
        Box::pin(answer_and_close(gate.into_inner(), r)).await;
    }
}

/// Serve until `shutdown` resolves; then stop accepting and let in-flight
/// requests finish within `grace`.
pub async fn run(
    listener: Listener,
    state: Arc<State>,
    grace: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let (tx, rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            accepted = accept(&listener) => match accepted {
                Ok(Accepted::Tcp(s)) => {
                    let _ = s.set_nodelay(true);
                    conns.spawn(serve_conn(s, state.clone(), rx.clone()));
                }
                Ok(Accepted::Unix(s)) => {
                    conns.spawn(serve_conn(s, state.clone(), rx.clone()));
                }
                Err(e) => {
                    // e.g. out of file descriptors: back off instead of spinning
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let _ = tx.send(true);
    let in_flight = conns.len();
    if in_flight > 0 {
        tracing::info!("stopping: waiting up to {grace:?} for {in_flight} connection(s)");
    }
    let drained =
        tokio::time::timeout(grace, async { while conns.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!("grace period over: closing {} connection(s)", conns.len());
        conns.shutdown().await;
    }
}

enum Accepted {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

async fn accept(l: &Listener) -> std::io::Result<Accepted> {
    match l {
        Listener::Tcp(l) => l.accept().await.map(|(s, _)| Accepted::Tcp(s)),
        Listener::Unix(l, _) => l.accept().await.map(|(s, _)| Accepted::Unix(s)),
    }
}

#[cfg(test)]
mod differential;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_forms() {
        assert_eq!(
            Listen::parse("127.0.0.1:8080"),
            Ok(Listen::Tcp("127.0.0.1:8080".parse().expect("addr")))
        );
        assert_eq!(
            Listen::parse("unix:/run/x.sock"),
            Ok(Listen::Unix("/run/x.sock".into()))
        );
        assert!(Listen::parse("unix:x.sock").is_err());
        assert!(Listen::parse("localhost:80").is_err());
    }
}

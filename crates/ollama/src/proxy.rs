//! `axios-ollama proxy`: bearer-token auth and a management policy in front of
//! Ollama, streaming responses frame by frame.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{combinators::BoxBody, BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::client::{error_chain, http_client, HttpClient, Upstream};
use crate::config::ProxyConfig;
use crate::policy::{self, Decision};

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

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("cannot listen on {listen}: {source}")]
    Bind {
        listen: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read token file {path}: {source}")]
    TokenRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("token file {path} is empty")]
    TokenEmpty { path: PathBuf },
    #[error("{0}")]
    Config(String),
}

/// Read a token file (a trailing newline is not part of the token).
pub fn read_token(path: &Path) -> Result<Vec<u8>, ProxyError> {
    let raw = std::fs::read(path).map_err(|source| ProxyError::TokenRead {
        path: path.to_path_buf(),
        source,
    })?;
    let t = raw.trim_ascii().to_vec();
    if t.is_empty() {
        return Err(ProxyError::TokenEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(t)
}

/// Everything a request handler needs.
pub struct State {
    upstream: Upstream,
    client: HttpClient,
    prefix: String,
    user_token: Option<Vec<u8>>,
    admin_token: Option<Vec<u8>>,
    allow_management: bool,
    max_body: u64,
    body_timeout: Duration,
    header_timeout: Duration,
    permits: Arc<Semaphore>,
    cors: Vec<String>,
}

impl State {
    /// Build from a checked config, reading the token files.
    pub fn from_config(c: &ProxyConfig) -> Result<State, ProxyError> {
        crate::config::check_proxy(c).map_err(ProxyError::Config)?;
        let upstream = Upstream::parse(&c.upstream).map_err(ProxyError::Config)?;
        let user_token = c.token_file.as_deref().map(read_token).transpose()?;
        let admin_token = c.admin_token_file.as_deref().map(read_token).transpose()?;
        Ok(State {
            upstream,
            client: http_client(),
            prefix: c.prefix.clone(),
            user_token,
            admin_token,
            allow_management: c.allow_management,
            max_body: c.max_body_bytes,
            body_timeout: c.header_timeout.0,
            header_timeout: c.header_timeout.0,
            permits: Arc::new(Semaphore::new(c.max_concurrent)),
            cors: c.cors_origins.clone(),
        })
    }
}

type ProxyBody = BoxBody<Bytes, hyper::Error>;

fn full(b: impl Into<Bytes>) -> ProxyBody {
    Full::new(b.into()).map_err(|never| match never {}).boxed()
}

/// A JSON error in Ollama's own shape, so clients show the message.
fn error(status: u16, message: &str) -> Response<ProxyBody> {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut r = Response::new(full(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    if status == 401 {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if status == 503 {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

/// A response body that holds a concurrency permit until it is done (or dropped).
struct Permitted {
    inner: ProxyBody,
    _permit: OwnedSemaphorePermit,
}

impl Body for Permitted {
    type Data = Bytes;
    type Error = hyper::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn strip_hop_by_hop(h: &mut HeaderMap) {
    // headers named by `Connection` are hop-by-hop too
    let named: Vec<HeaderName> = h
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|n| HeaderName::from_bytes(n.trim().as_bytes()).ok())
        .collect();
    for n in named {
        h.remove(n);
    }
    for n in HOP_BY_HOP {
        h.remove(*n);
    }
}

impl State {
    fn origin_allowed(&self, origin: &HeaderValue) -> bool {
        self.cors
            .iter()
            .any(|o| o == "*" || o.as_bytes() == origin.as_bytes())
    }

    fn add_cors(&self, origin: Option<&HeaderValue>, h: &mut HeaderMap) {
        if let Some(o) = origin.filter(|o| self.origin_allowed(o)) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
            h.append(header::VARY, HeaderValue::from_static("Origin"));
        }
    }

    fn preflight(&self, origin: &HeaderValue) -> Response<ProxyBody> {
        if !self.origin_allowed(origin) {
            return error(403, "origin not allowed by this proxy's CORS settings");
        }
        let mut r = Response::new(full(Bytes::new()));
        *r.status_mut() = StatusCode::NO_CONTENT;
        let h = r.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, DELETE, HEAD, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "Authorization, Content-Type, User-Agent, Accept, X-Requested-With",
            ),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
        r
    }
}

/// Handle one request. Never fails: every problem is an HTTP error with a JSON body.
pub async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<ProxyBody>, Infallible> {
    let origin = req.headers().get(header::ORIGIN).cloned();
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        if let Some(o) = &origin {
            return Ok(state.preflight(o));
        }
    }
    let mut resp = route(req, &state).await;
    state.add_cors(origin.as_ref(), resp.headers_mut());
    Ok(resp)
}

async fn route(req: Request<Incoming>, state: &Arc<State>) -> Response<ProxyBody> {
    let cred = policy::credential(
        req.headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes),
        state.user_token.as_deref(),
        state.admin_token.as_deref(),
    );
    let raw_path = req.uri().path();
    let path = match policy::decide(
        req.method().as_str(),
        raw_path,
        &state.prefix,
        cred,
        state.allow_management,
    ) {
        Decision::Health => {
            let mut r = Response::new(full(r#"{"status":"ok"}"#));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return r;
        }
        Decision::Refuse(status, msg) => {
            tracing::debug!(status, path = raw_path, "refused: {msg}");
            return error(status, &msg);
        }
        Decision::Forward(p) => p,
    };
    let Ok(permit) = state.permits.clone().try_acquire_owned() else {
        return error(
            503,
            "the proxy is at its concurrent request limit; retry shortly",
        );
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.max_body) {
        return error(
            413,
            &format!("request body larger than {} bytes", state.max_body),
        );
    }
    let (parts, body) = req.into_parts();
    let limit = usize::try_from(state.max_body).unwrap_or(usize::MAX);
    let collected =
        tokio::time::timeout(state.body_timeout, Limited::new(body, limit).collect()).await;
    let body = match collected {
        Err(_) => return error(408, "request body not received in time"),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return error(
                413,
                &format!("request body larger than {} bytes", state.max_body),
            )
        }
        Ok(Err(e)) => return error(400, &format!("cannot read request body: {e}")),
        Ok(Ok(c)) => c.to_bytes(),
    };
    let target = match parts.uri.query() {
        Some(q) => format!("{}{path}?{q}", state.upstream.base),
        None => format!("{}{path}", state.upstream.base),
    };
    let mut up = Request::new(Full::new(body));
    *up.method_mut() = parts.method;
    *up.uri_mut() = match target.parse() {
        Ok(u) => u,
        Err(_) => return error(400, "the request target cannot be forwarded"),
    };
    let mut headers = parts.headers;
    strip_hop_by_hop(&mut headers);
    // never leak the caller's credential; Ollama judges Host and Origin itself
    headers.remove(header::AUTHORIZATION);
    headers.remove(header::ORIGIN);
    headers.remove(header::CONTENT_LENGTH);
    if let Ok(h) = HeaderValue::from_str(&state.upstream.authority) {
        headers.insert(header::HOST, h);
    }
    *up.headers_mut() = headers;
    match state.client.request(up).await {
        Ok(resp) => {
            let (mut parts, body) = resp.into_parts();
            strip_hop_by_hop(&mut parts.headers);
            let body = Permitted {
                inner: body.boxed(),
                _permit: permit,
            };
            Response::from_parts(parts, body.boxed())
        }
        Err(e) => {
            tracing::warn!("upstream {}: {}", state.upstream.base, error_chain(&e));
            error(
                502,
                &format!("Ollama is unreachable at {}", state.upstream.base),
            )
        }
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

/// Largest request head read before hyper takes over (hyper's own limit answers 431).
const MAX_HEAD: usize = 64 * 1024;

/// Read the first request head ourselves, so a client too slow to send it gets a
/// 408 with a JSON body (hyper would just close). `None`: answered or gone.
async fn first_head<I>(io: &mut I, limit: Duration) -> Option<Vec<u8>>
where
    I: AsyncRead + AsyncWrite + Unpin,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let deadline = tokio::time::Instant::now() + limit;
    let mut buf = Vec::with_capacity(1024);
    loop {
        let from = buf.len().saturating_sub(3);
        buf.reserve(1024);
        match tokio::time::timeout_at(deadline, io.read_buf(&mut buf)).await {
            Err(_) => {
                let body = r#"{"error":"request headers not received in time"}"#;
                let resp = format!(
                    "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    let _ = io.write_all(resp.as_bytes()).await;
                    let _ = io.shutdown().await;
                })
                .await;
                return None;
            }
            Ok(Ok(0)) | Ok(Err(_)) => return None,
            Ok(Ok(_)) => {}
        }
        if buf[from..].windows(4).any(|w| w == b"\r\n\r\n") || buf.len() >= MAX_HEAD {
            return Some(buf);
        }
    }
}

/// A connection whose first bytes were already read: replays them, then reads on.
struct Replay<I> {
    head: Vec<u8>,
    pos: usize,
    inner: I,
}

impl<I: AsyncRead + Unpin> AsyncRead for Replay<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pos < self.head.len() {
            let n = (self.head.len() - self.pos).min(buf.remaining());
            let start = self.pos;
            buf.put_slice(&self.head[start..start + n]);
            self.pos += n;
            if self.pos == self.head.len() {
                self.head = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Replay<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn serve_conn<I>(mut io: I, state: Arc<State>, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let head = tokio::select! {
        h = first_head(&mut io, state.header_timeout) => h,
        _ = stop.changed() => None,
    };
    let Some(head) = head else {
        return;
    };
    let io = Replay {
        head,
        pos: 0,
        inner: io,
    };
    let svc_state = state.clone();
    let svc = service_fn(move |req| handle(req, svc_state.clone()));
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(state.header_timeout)
        .max_buf_size(MAX_HEAD);
    let conn = builder.serve_connection(TokioIo::new(io), svc);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!("connection: {e}");
            }
        }
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
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

    #[test]
    fn hop_by_hop_removed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("close, x-secret"),
        );
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert(header::TE, HeaderValue::from_static("trailers"));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("a/b"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.len(), 1);
    }
}

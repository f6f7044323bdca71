//! `axios-ollama proxy`: bearer-token auth and a management policy in front of
//! Ollama, streaming responses frame by frame.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{combinators::BoxBody, BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::client::{error_chain, http_client, HttpClient, Upstream};
use crate::config::ProxyConfig;
use crate::policy::{self, Decision};

pub use crate::server::{run, Listen, Listener};

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
    pub(crate) header_timeout: Duration,
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

/// Refuse a request whose body has not been read: read and drop the body first (within the
/// body size and time limits), so the client reads the refusal on a clean connection. A
/// server that answers and closes with the body still unread makes the kernel reset the
/// connection, and a client still sending its body then sees "server disconnected" instead
/// of the JSON error. A body that cannot be drained gets `Connection: close`.
async fn refuse(body: Incoming, state: &State, status: u16, message: &str) -> Response<ProxyBody> {
    // Frames are dropped as they arrive: nothing is kept, so refused clients cost no memory.
    let drain = async {
        let mut body = body;
        let mut seen: u64 = 0;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else { return false };
            if let Some(data) = frame.data_ref() {
                seen = seen.saturating_add(data.len() as u64);
                if seen > state.max_body {
                    return false;
                }
            }
        }
        true
    };
    let drained = matches!(
        tokio::time::timeout(state.body_timeout, drain).await,
        Ok(true)
    );
    let mut r = error(status, message);
    if !drained {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
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
            return refuse(req.into_body(), state, status, &msg).await;
        }
        Decision::Forward(p) => p,
    };
    let Ok(permit) = state.permits.clone().try_acquire_owned() else {
        return refuse(
            req.into_body(),
            state,
            503,
            "the proxy is at its concurrent request limit; retry shortly",
        )
        .await;
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

#[cfg(test)]
mod tests {
    use super::*;

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

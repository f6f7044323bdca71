//! A small HTTP/1 client for Ollama's API (hyper), shared by preload and the proxy.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Ollama's base URL, parsed: `http://host:port` (a path is not allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// `host:port`, used as the `Host` header Ollama accepts.
    pub authority: String,
    /// `http://host:port`.
    pub base: String,
}

impl Upstream {
    pub fn parse(url: &str) -> Result<Upstream, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("`{url}` must start with http:// (Ollama speaks plain HTTP)"))?;
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!("`{url}` must be http://host:port with no path"));
        }
        let authority = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_string()
        } else if authority.contains(':') && !authority.ends_with(']') {
            return Err(format!("`{url}` has an invalid port"));
        } else {
            format!("{authority}:80")
        };
        Ok(Upstream {
            base: format!("http://{authority}"),
            authority,
        })
    }
}

/// Errors talking to Ollama.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach Ollama at {url}: {message}")]
    Unreachable { url: String, message: String },
    #[error("Ollama answered {status} for {url}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("unexpected answer from {url}: {message}")]
    Body { url: String, message: String },
    #[error("no answer from {url} within {0:?}", .timeout)]
    Timeout { url: String, timeout: Duration },
}

impl ClientError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A hyper client tuned for a local upstream.
pub fn http_client() -> HttpClient {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(Duration::from_secs(5)));
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .build(connector)
}

/// Ollama's API for preload.
#[derive(Clone)]
pub struct Ollama {
    pub upstream: Upstream,
    client: HttpClient,
}

impl Ollama {
    pub fn new(upstream: Upstream) -> Ollama {
        Ollama {
            upstream,
            client: http_client(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.upstream.base)
    }

    /// Send a request; the response headers arrive (body unread).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response<Incoming>, ClientError> {
        let url = self.url(path);
        let bytes = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let mut req = Request::builder()
            .method(method)
            .uri(&url)
            .header(hyper::header::HOST, &self.upstream.authority);
        if body.is_some() {
            req = req.header(hyper::header::CONTENT_TYPE, "application/json");
        }
        let req = req.body(Full::new(bytes)).map_err(|e| ClientError::Body {
            url: url.clone(),
            message: e.to_string(),
        })?;
        self.client
            .request(req)
            .await
            .map_err(|e| ClientError::Unreachable {
                url,
                message: error_chain(&e),
            })
    }

    /// A JSON request that must answer 2xx with a JSON body.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, ClientError> {
        let url = self.url(path);
        let resp = self.send(method, path, body).await?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| ClientError::Unreachable {
                url: url.clone(),
                message: error_chain(&e),
            })?
            .to_bytes();
        if !status.is_success() {
            return Err(status_error(&url, status, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Body {
            url,
            message: format!("not the expected JSON: {e}"),
        })
    }
}

/// The error of a non-2xx answer, with Ollama's `{"error": ...}` message when present.
pub fn status_error(url: &str, status: StatusCode, body: &[u8]) -> ClientError {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            String::from_utf8_lossy(body)
                .trim()
                .chars()
                .take(300)
                .collect()
        });
    ClientError::Status {
        url: url.to_string(),
        status: status.as_u16(),
        message,
    }
}

/// An error and its causes on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        s.push_str(": ");
        s.push_str(&c.to_string());
        src = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_urls() {
        let u = Upstream::parse("http://127.0.0.1:11434/").expect("ok");
        assert_eq!(u.authority, "127.0.0.1:11434");
        assert_eq!(
            Upstream::parse("http://localhost").expect("ok").authority,
            "localhost:80"
        );
        assert_eq!(
            Upstream::parse("http://[::1]:11434").expect("ok").base,
            "http://[::1]:11434"
        );
        for bad in [
            "https://x:1",
            "127.0.0.1:11434",
            "http://",
            "http://h:1/api",
            "http://h:99999",
            "http://u@h:1",
        ] {
            assert!(Upstream::parse(bad).is_err(), "{bad}");
        }
    }
}

//! A fast stand-in for Ollama for bench/ollama (the Python fake would be the
//! bottleneck): `GET /api/tags` answers a small JSON document; `POST
//! /api/generate` streams `n` NDJSON lines `ms` milliseconds apart (query
//! `?n=..&ms=..`), the first one at once. Prints `PORT <port>`.

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::{Bytes, Frame};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const TAGS: &str =
    r#"{"models":[{"name":"qwen3:4b","model":"qwen3:4b","size":2500000,"digest":"abc"}]}"#;

fn param(q: &str, k: &str, default: u64) -> u64 {
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(a, _)| *a == k)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(default)
}

async fn handle(
    req: Request<hyper::body::Incoming>,
) -> Result<Response<BoxBody<Bytes, Infallible>>, Infallible> {
    if req.uri().path() == "/api/generate" {
        let q = req.uri().query().unwrap_or("");
        let (n, ms) = (param(q, "n", 3), param(q, "ms", 100));
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, Infallible>>(4);
        tokio::spawn(async move {
            for i in 0..n {
                if i > 0 {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
                let line =
                    format!("{{\"model\":\"qwen3:4b\",\"response\":\"tok{i} \",\"done\":false}}\n");
                if tx.send(Ok(Frame::data(Bytes::from(line)))).await.is_err() {
                    return;
                }
            }
            let _ = tx
                .send(Ok(Frame::data(Bytes::from_static(b"{\"done\":true}\n"))))
                .await;
        });
        let mut r = Response::new(BodyExt::boxed(Chunks(rx)));
        r.headers_mut().insert(
            "content-type",
            "application/x-ndjson".parse().expect("static"),
        );
        return Ok(r);
    }
    let mut r = Response::new(Full::new(Bytes::from_static(TAGS.as_bytes())).boxed());
    r.headers_mut().insert(
        "content-type",
        "application/json; charset=utf-8".parse().expect("static"),
    );
    Ok(r)
}

/// An mpsc receiver as a response body: each message is one frame.
struct Chunks(tokio::sync::mpsc::Receiver<Result<Frame<Bytes>, Infallible>>);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx)
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let l = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("PORT {}", l.local_addr()?.port());
    loop {
        let (s, _) = l.accept().await?;
        let _ = s.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(s), service_fn(handle))
                .await;
        });
    }
}

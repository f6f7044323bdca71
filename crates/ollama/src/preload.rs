//! `axios-ollama preload`: wait for Ollama, pull what is missing, warm every model.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use hyper::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::client::{error_chain, status_error, ClientError, Ollama, Upstream};
use crate::config::PreloadConfig;
use crate::model::ModelName;

/// Hooks through which preload reports progress (bars, systemd STATUS, logs).
pub trait Progress: Send + Sync {
    /// A model's phase changed ("pulling", "warming", "retrying in 4s: ...").
    fn phase(&self, model: &str, phase: &str);
    /// Bytes of a pull: sums over the layers seen so far.
    fn bytes(&self, model: &str, completed: u64, total: u64);
    /// The model is finished, well or not.
    fn done(&self, model: &str, outcome: &Outcome);
}

/// No progress output.
pub struct Silent;
impl Progress for Silent {
    fn phase(&self, _: &str, _: &str) {}
    fn bytes(&self, _: &str, _: u64, _: u64) {}
    fn done(&self, _: &str, _: &Outcome) {}
}

/// How a model is used, hence warmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Completion,
    Embedding,
}

/// Where a model ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Present and warm (or warming disabled).
    Ready,
    /// Not present, or present but not warm.
    Failed,
}

/// One model's result, as printed by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub model: String,
    pub state: State,
    /// It was already present (no pull was needed).
    pub present: bool,
    /// It was pulled by this run.
    pub pulled: bool,
    /// Pull attempts made.
    pub pull_attempts: u32,
    pub kind: Option<Kind>,
    /// Confirmed loaded in `/api/ps`.
    pub warm: bool,
    pub error: Option<String>,
}

/// The whole run, as printed by `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub ok: bool,
    pub url: String,
    pub ollama_version: String,
    pub models: Vec<Outcome>,
    /// The names of the failed models.
    pub failed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PreloadError {
    #[error("Ollama at {url} did not answer /api/version within {waited:?}: {last}")]
    NotUp {
        url: String,
        waited: Duration,
        last: String,
    },
    #[error("cannot list models at {url}/api/tags: {source}")]
    Tags {
        url: String,
        #[source]
        source: ClientError,
    },
    #[error("{0}")]
    Config(String),
}

#[derive(Deserialize)]
struct Version {
    version: String,
}

#[derive(Deserialize)]
struct ModelList {
    #[serde(default)]
    models: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    #[serde(default)]
    name: String,
    #[serde(default)]
    model: String,
}

impl ModelList {
    fn canonical(&self) -> HashSet<String> {
        self.models
            .iter()
            .flat_map(|m| [&m.name, &m.model])
            .filter(|s| !s.is_empty())
            .map(|s| ModelName::canonical_of(s))
            .collect()
    }
}

/// Wait for `/api/version`, backing off from 100 ms to 2 s, for at most `wait`.
pub async fn wait_for_ollama(api: &Ollama, wait: Duration) -> Result<String, PreloadError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(100);
    loop {
        let attempt = tokio::time::timeout(
            Duration::from_secs(5),
            api.json::<Version>(Method::GET, "/api/version", None),
        )
        .await;
        let last = match attempt {
            Ok(Ok(v)) => return Ok(v.version),
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer within 5s".to_string(),
        };
        let waited = start.elapsed();
        if waited + delay > wait {
            return Err(PreloadError::NotUp {
                url: api.upstream.base.clone(),
                waited,
                last,
            });
        }
        tracing::debug!("waiting for Ollama: {last}");
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// A failure of one step, and whether retrying can help.
#[derive(Debug)]
struct StepError {
    message: String,
    retry: bool,
}

impl From<ClientError> for StepError {
    fn from(e: ClientError) -> StepError {
        // 4xx other than 408/429 will not get better by retrying (unknown model, bad name)
        let retry =
            !matches!(e.status(), Some(s) if (400..500).contains(&s) && s != 408 && s != 429);
        StepError {
            message: e.to_string(),
            retry,
        }
    }
}

/// Run the whole preload.
pub async fn preload(
    cfg: &PreloadConfig,
    progress: Arc<dyn Progress>,
) -> Result<Summary, PreloadError> {
    crate::config::check_preload(cfg).map_err(PreloadError::Config)?;
    let upstream = Upstream::parse(&cfg.url).map_err(PreloadError::Config)?;
    let api = Ollama::new(upstream);
    let deadline = Instant::now() + cfg.timeout.0;
    let version = wait_for_ollama(&api, cfg.wait.0.min(cfg.timeout.0)).await?;
    tracing::info!("Ollama {version} is up at {}", api.upstream.base);
    let present = api
        .json::<ModelList>(Method::GET, "/api/tags", None)
        .await
        .map_err(|source| PreloadError::Tags {
            url: api.upstream.base.clone(),
            source,
        })?
        .canonical();

    // de-duplicate (`x` and `x:latest` are one model), keep the given order
    let mut seen = HashSet::new();
    let models: Vec<ModelName> = cfg
        .models
        .iter()
        .filter_map(|m| ModelName::parse(m).ok())
        .filter(|m| seen.insert(m.canonical.clone()))
        .collect();

    let permits = Arc::new(Semaphore::new(cfg.concurrency));
    let cfg = Arc::new(cfg.clone());
    let mut tasks = tokio::task::JoinSet::new();
    for (i, model) in models.iter().enumerate() {
        let is_present = present.contains(&model.canonical);
        let (api, cfg, permits, progress, model) = (
            api.clone(),
            cfg.clone(),
            permits.clone(),
            progress.clone(),
            model.clone(),
        );
        tasks.spawn(async move {
            let name = model.given.clone();
            let run = async {
                let _permit = permits.acquire_owned().await;
                one_model(&api, &cfg, &model, is_present, progress.as_ref()).await
            };
            let outcome = match tokio::time::timeout_at(deadline, run).await {
                Ok(o) => o,
                Err(_) => failed(&name, is_present, "the overall preload timeout was reached"),
            };
            progress.done(&name, &outcome);
            (i, outcome)
        });
    }
    let mut outcomes: BTreeMap<usize, Outcome> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, o)) = joined {
            outcomes.insert(i, o);
        }
    }
    let models: Vec<Outcome> = outcomes.into_values().collect();
    let failed: Vec<String> = models
        .iter()
        .filter(|o| o.state == State::Failed)
        .map(|o| o.model.clone())
        .collect();
    Ok(Summary {
        ok: failed.is_empty(),
        url: api.upstream.base.clone(),
        ollama_version: version,
        models,
        failed,
    })
}

fn failed(model: &str, present: bool, why: &str) -> Outcome {
    Outcome {
        model: model.to_string(),
        state: State::Failed,
        present,
        pulled: false,
        pull_attempts: 0,
        kind: None,
        warm: false,
        error: Some(why.to_string()),
    }
}

async fn one_model(
    api: &Ollama,
    cfg: &PreloadConfig,
    model: &ModelName,
    present: bool,
    progress: &dyn Progress,
) -> Outcome {
    let name = model.given.as_str();
    let mut out = failed(name, present, "");
    out.error = None;
    if !present {
        let mut backoff = cfg.retry.backoff.0;
        loop {
            out.pull_attempts += 1;
            progress.phase(name, "pulling");
            match pull_once(api, name, progress).await {
                Ok(()) => {
                    out.pulled = true;
                    break;
                }
                Err(e) if e.retry && out.pull_attempts < cfg.retry.attempts => {
                    progress.phase(
                        name,
                        &format!(
                            "pull attempt {} failed, retrying in {backoff:?}: {}",
                            out.pull_attempts, e.message
                        ),
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(cfg.retry.max_backoff.0);
                }
                Err(e) => {
                    out.error = Some(format!(
                        "pull failed after {} attempt(s): {}",
                        out.pull_attempts, e.message
                    ));
                    return out;
                }
            }
        }
    }
    if !cfg.warm {
        out.state = State::Ready;
        return out;
    }
    let mut backoff = cfg.retry.backoff.0;
    let mut attempt = 0;
    loop {
        attempt += 1;
        progress.phase(name, "warming");
        match warm(api, cfg, name).await {
            Ok(kind) => {
                out.kind = Some(kind);
                out.warm = true;
                out.state = State::Ready;
                return out;
            }
            Err(e) if e.retry && attempt < cfg.retry.attempts => {
                progress.phase(
                    name,
                    &format!("warm-up failed, retrying in {backoff:?}: {}", e.message),
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(cfg.retry.max_backoff.0);
            }
            Err(e) => {
                out.error = Some(format!("warm-up failed: {}", e.message));
                return out;
            }
        }
    }
}

/// One `/api/pull`, following the NDJSON stream to `success`.
async fn pull_once(api: &Ollama, name: &str, progress: &dyn Progress) -> Result<(), StepError> {
    let url = format!("{}/api/pull", api.upstream.base);
    let resp = api
        .send(
            Method::POST,
            "/api/pull",
            Some(&json!({"model": name, "stream": true})),
        )
        .await?;
    let status = resp.status();
    let mut body = resp.into_body();
    if !status.is_success() {
        let bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        return Err(status_error(&url, status, &bytes).into());
    }
    let mut buf: Vec<u8> = Vec::new();
    let mut layers: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut success = false;
    let mut last_status = String::new();
    loop {
        let frame = match body.frame().await {
            None => break,
            Some(Ok(f)) => f,
            Some(Err(e)) => {
                return Err(StepError {
                    message: format!("pull stream broke: {}", error_chain(&e)),
                    retry: true,
                })
            }
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        buf.extend_from_slice(&data);
        while let Some(nl) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=nl).collect();
            let line = line.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let v: Value = serde_json::from_slice(line).map_err(|e| StepError {
                message: format!("malformed pull progress line: {e}"),
                retry: true,
            })?;
            if let Some(err) = v.get("error") {
                let msg = err.as_str().map_or_else(|| err.to_string(), str::to_string);
                // an unknown model: the registry has no manifest, retrying will not help
                let retry = !msg.contains("file does not exist");
                return Err(StepError {
                    message: format!("Ollama reported during the pull: {msg}"),
                    retry,
                });
            }
            let st = v.get("status").and_then(Value::as_str).unwrap_or("");
            if let (Some(d), Some(total)) = (
                v.get("digest").and_then(Value::as_str),
                v.get("total").and_then(Value::as_u64),
            ) {
                let completed = v.get("completed").and_then(Value::as_u64).unwrap_or(0);
                layers.insert(d.to_string(), (completed.min(total), total));
                let (c, t) = layers
                    .values()
                    .fold((0u64, 0u64), |(c, t), (a, b)| (c + a, t + b));
                progress.bytes(name, c, t);
            } else if st != last_status && !st.is_empty() {
                progress.phase(name, st);
            }
            if st == "success" {
                success = true;
            }
            last_status = st.to_string();
        }
    }
    if success {
        Ok(())
    } else {
        Err(StepError {
            message: format!(
                "the pull stream ended before `success` (last status: `{last_status}`)"
            ),
            retry: true,
        })
    }
}

/// What `/api/show` says the model can do.
async fn kind_of(api: &Ollama, name: &str) -> Option<Kind> {
    let show: Value = api
        .json(Method::POST, "/api/show", Some(&json!({"model": name})))
        .await
        .ok()?;
    let caps: Vec<&str> = show
        .get("capabilities")?
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if caps.contains(&"embedding") && !caps.contains(&"completion") {
        Some(Kind::Embedding)
    } else {
        Some(Kind::Completion)
    }
}

fn warm_body(cfg: &PreloadConfig, name: &str, kind: Kind) -> Value {
    let mut body = json!({"model": name, "stream": false});
    if kind == Kind::Embedding {
        body["input"] = json!("axios warm-up");
    }
    if let Some(k) = &cfg.keep_alive {
        // Ollama takes a Go duration string or a number of seconds
        body["keep_alive"] = k.parse::<i64>().map_or_else(|_| json!(k), |n| json!(n));
    }
    if let Some(n) = cfg.num_ctx {
        body["options"] = json!({"num_ctx": n});
    }
    body
}

/// Load the model the way it will be used, then confirm it in `/api/ps`.
async fn warm(api: &Ollama, cfg: &PreloadConfig, name: &str) -> Result<Kind, StepError> {
    let mut kind = kind_of(api, name).await.unwrap_or(Kind::Completion);
    let endpoint = |k| {
        if k == Kind::Embedding {
            "/api/embed"
        } else {
            "/api/generate"
        }
    };
    let first = api
        .json::<Value>(
            Method::POST,
            endpoint(kind),
            Some(&warm_body(cfg, name, kind)),
        )
        .await;
    match first {
        Ok(_) => {}
        // no capabilities from /api/show (old Ollama): the generate error tells
        Err(ClientError::Status {
            status: 400,
            message,
            ..
        }) if kind == Kind::Completion && message.contains("does not support generate") => {
            kind = Kind::Embedding;
            api.json::<Value>(
                Method::POST,
                endpoint(kind),
                Some(&warm_body(cfg, name, kind)),
            )
            .await?;
        }
        Err(e) => return Err(e.into()),
    }
    let loaded = api
        .json::<ModelList>(Method::GET, "/api/ps", None)
        .await?
        .canonical();
    if loaded.contains(&ModelName::canonical_of(name)) {
        Ok(kind)
    } else {
        Err(StepError {
            message: "loaded, but not listed in /api/ps (evicted? too little memory?)".into(),
            retry: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_bodies() {
        let cfg = PreloadConfig {
            keep_alive: Some("-1".into()),
            num_ctx: Some(32768),
            ..PreloadConfig::default()
        };
        let b = warm_body(&cfg, "qwen3:4b", Kind::Completion);
        assert_eq!(b["keep_alive"], json!(-1));
        assert_eq!(b["options"]["num_ctx"], json!(32768));
        assert!(b.get("input").is_none());
        let cfg = PreloadConfig {
            keep_alive: Some("30m".into()),
            ..PreloadConfig::default()
        };
        let b = warm_body(&cfg, "nomic-embed-text", Kind::Embedding);
        assert_eq!(b["keep_alive"], json!("30m"));
        assert_eq!(b["input"], json!("axios warm-up"));
    }

    #[test]
    fn retry_classification() {
        let e = |s| {
            StepError::from(ClientError::Status {
                url: "u".into(),
                status: s,
                message: "m".into(),
            })
            .retry
        };
        assert!(!e(404));
        assert!(!e(400));
        assert!(e(429));
        assert!(e(500));
        assert!(e(503));
    }
}

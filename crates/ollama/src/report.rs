//! Preload progress for people and for systemd: bars on a TTY, `STATUS=` and
//! periodic journal lines under systemd, plain log lines otherwise.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axios_core::notify::{notify, State};
use axios_ollama::preload::{Outcome, Progress, State as ModelState};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

const LOG_EVERY: Duration = Duration::from_secs(10);
const STATUS_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Model {
    phase: String,
    completed: u64,
    total: u64,
    logged: Option<Instant>,
}

pub struct Reporter {
    bars: Option<(MultiProgress, Mutex<HashMap<String, ProgressBar>>)>,
    models: Mutex<HashMap<String, Model>>,
    status_sent: Mutex<Option<Instant>>,
    total: usize,
}

impl Reporter {
    /// `tty`: draw bars on stderr (only when it is a terminal).
    pub fn new(tty: bool, total: usize) -> Reporter {
        let bars = tty.then(|| (MultiProgress::new(), Mutex::new(HashMap::new())));
        Reporter {
            bars,
            models: Mutex::new(HashMap::new()),
            status_sent: Mutex::new(None),
            total,
        }
    }

    fn bar(&self, model: &str) -> Option<ProgressBar> {
        let (multi, bars) = self.bars.as_ref()?;
        let mut bars = bars.lock().ok()?;
        let bar = bars.entry(model.to_string()).or_insert_with(|| {
            let b = multi.add(ProgressBar::new(0));
            let style = ProgressStyle::with_template(
                "{prefix:24} [{bar:30}] {bytes:>10}/{total_bytes:10} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            b.set_style(style);
            b.set_prefix(model.to_string());
            b
        });
        Some(bar.clone())
    }

    /// Send `STATUS=` (at most once a second unless `force`).
    fn status(&self, force: bool) {
        if std::env::var_os("NOTIFY_SOCKET").is_none() {
            return;
        }
        let Ok(mut sent) = self.status_sent.lock() else {
            return;
        };
        if !force && sent.is_some_and(|t| t.elapsed() < STATUS_EVERY) {
            return;
        }
        *sent = Some(Instant::now());
        let Ok(models) = self.models.lock() else {
            return;
        };
        let ready = models.values().filter(|m| m.phase == "ready").count();
        let mut busy: Vec<String> = models
            .iter()
            .filter(|(_, m)| m.phase != "ready" && m.phase != "failed")
            .map(|(n, m)| {
                if m.total > 0 && m.phase.starts_with("pulling") {
                    format!("{n} {}%", m.completed * 100 / m.total)
                } else {
                    format!("{n} {}", m.phase)
                }
            })
            .collect();
        busy.sort();
        let line = format!("{ready}/{} models ready; {}", self.total, busy.join(", "));
        let _ = notify(&[State::Status(&line)]);
    }
}

impl Progress for Reporter {
    fn phase(&self, model: &str, phase: &str) {
        if let Ok(mut m) = self.models.lock() {
            m.entry(model.to_string()).or_default().phase = phase.to_string();
        }
        match self.bar(model) {
            Some(b) => b.set_message(phase.to_string()),
            None => tracing::info!("{model}: {phase}"),
        }
        self.status(true);
    }

    fn bytes(&self, model: &str, completed: u64, total: u64) {
        let mut log = false;
        if let Ok(mut m) = self.models.lock() {
            let e = m.entry(model.to_string()).or_default();
            e.completed = completed;
            e.total = total;
            if e.logged.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
                e.logged = Some(Instant::now());
                log = true;
            }
        }
        match self.bar(model) {
            Some(b) => {
                b.set_length(total);
                b.set_position(completed);
            }
            None if log => tracing::info!(
                "{model}: pulled {} of {} MB",
                completed / 1_000_000,
                total / 1_000_000
            ),
            None => {}
        }
        self.status(false);
    }

    fn done(&self, model: &str, outcome: &Outcome) {
        let ok = outcome.state == ModelState::Ready;
        let phase = if ok { "ready" } else { "failed" };
        if let Ok(mut m) = self.models.lock() {
            m.entry(model.to_string()).or_default().phase = phase.into();
        }
        let detail = outcome.error.clone().unwrap_or_else(|| phase.to_string());
        match self.bar(model) {
            Some(b) => b.finish_with_message(detail),
            None if ok => tracing::info!("{model}: ready"),
            None => tracing::error!("{model}: {detail}"),
        }
        self.status(true);
    }
}

//! The D-Bus face of the watcher: `org.axios.Gpu1` at `/org/axios/Gpu1`.
//!
//! Properties: `Gpus` (JSON of `detect`), `IncidentCount`, `LastIncident` (JSON or
//! empty), `Policy`. Methods: `Status(wake: b) -> s` (JSON of `status`),
//! `Incidents() -> s` (JSON array). Signal: `Reset(card: s, kind: s, vram_lost: b,
//! outcome: s, incident: s)`, once per recorded incident.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axios_core::root::Root;
use zbus::object_server::SignalEmitter;

pub const BUS_NAME: &str = "org.axios.Gpu1";
pub const OBJECT_PATH: &str = "/org/axios/Gpu1";

/// What the interface shows; the daemon updates it.
#[derive(Debug, Default)]
pub struct Shared {
    pub incident_count: u32,
    pub last_incident: String,
}

pub struct GpuIface {
    pub root: Root,
    pub state_dir: PathBuf,
    pub policy: String,
    pub shared: Arc<Mutex<Shared>>,
}

fn failed(e: impl std::fmt::Display) -> zbus::fdo::Error {
    zbus::fdo::Error::Failed(e.to_string())
}

#[zbus::interface(name = "org.axios.Gpu1")]
impl GpuIface {
    #[zbus(property)]
    fn gpus(&self) -> zbus::fdo::Result<String> {
        let gpus = crate::detect_gpus(&self.root).map_err(failed)?;
        let view = crate::view::DetectView::new(&self.root.base().display().to_string(), &gpus);
        serde_json::to_string(&view).map_err(failed)
    }

    #[zbus(property)]
    fn incident_count(&self) -> u32 {
        self.shared.lock().map(|s| s.incident_count).unwrap_or(0)
    }

    #[zbus(property)]
    fn last_incident(&self) -> String {
        self.shared
            .lock()
            .map(|s| s.last_incident.clone())
            .unwrap_or_default()
    }

    #[zbus(property)]
    fn policy(&self) -> String {
        self.policy.clone()
    }

    /// Live figures (JSON); `wake` reads suspended GPUs too.
    async fn status(&self, wake: bool) -> zbus::fdo::Result<String> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let gpus = crate::detect_gpus(&root).map_err(failed)?;
            let opts = crate::status::StatusOptions {
                wake,
                nvml_lib: None,
            };
            serde_json::to_string(&crate::status::status(&root, &gpus, &opts)).map_err(failed)
        })
        .await
        .map_err(failed)?
    }

    /// Every recorded incident (JSON array, oldest first).
    fn incidents(&self) -> zbus::fdo::Result<String> {
        let (list, _) = crate::incident::load(&self.state_dir).map_err(failed)?;
        serde_json::to_string(&list).map_err(failed)
    }

    #[zbus(signal)]
    pub async fn reset(
        emitter: &SignalEmitter<'_>,
        card: &str,
        kind: &str,
        vram_lost: bool,
        outcome: &str,
        incident: &str,
    ) -> zbus::Result<()>;
}

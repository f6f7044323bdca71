//! Backend units, started and stopped through systemd's D-Bus API
//! (`org.freedesktop.systemd1.Manager`: `Subscribe`, `StartUnit`, `StopUnit`,
//! `ListUnitsByNames`, and the `JobRemoved` signal that says how a job ended).
//!
//! User units go to the session bus (`DBUS_SESSION_BUS_ADDRESS`), system units to the system
//! bus (`DBUS_SYSTEM_BUS_ADDRESS`, default `/run/dbus/system_bus_socket`).

use std::time::Duration;

use futures_lite::StreamExt;
use serde::{Deserialize, Serialize};
use zbus::zvariant::OwnedObjectPath;

/// Which bus a unit is managed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bus {
    Session,
    System,
}

impl Bus {
    pub fn name(self) -> &'static str {
        match self {
            Bus::Session => "session",
            Bus::System => "system",
        }
    }
}

/// A backend's unit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnitRef {
    pub name: String,
    pub bus: Bus,
}

/// Unit control failures, naming the unit.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error("cannot reach the {} bus: {message}", bus.name())]
    Connect { bus: Bus, message: String },
    #[error("systemd ({} bus) refused {action} of {unit}: {message}", bus.name())]
    Call {
        bus: Bus,
        unit: String,
        action: &'static str,
        message: String,
    },
    #[error("{action} of {unit} ended with result `{result}` (see `journalctl {flag}-u {unit}`)", flag = if *user { "--user " } else { "" })]
    JobFailed {
        unit: String,
        action: &'static str,
        result: String,
        user: bool,
    },
    #[error("{action} of {unit} did not finish within {secs} s")]
    Timeout {
        unit: String,
        action: &'static str,
        secs: u64,
    },
}

/// A row of `ListUnitsByNames`: name, description, load state, active state, sub state,
/// followed unit, unit path, job id, job type, job path.
pub type UnitRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

#[zbus::proxy(
    interface = "org.freedesktop.systemd1.Manager",
    default_service = "org.freedesktop.systemd1",
    default_path = "/org/freedesktop/systemd1"
)]
trait Manager {
    fn subscribe(&self) -> zbus::Result<()>;
    fn start_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn stop_unit(&self, name: &str, mode: &str) -> zbus::Result<OwnedObjectPath>;
    fn list_units_by_names(&self, names: &[&str]) -> zbus::Result<Vec<UnitRow>>;
    #[zbus(signal)]
    fn job_removed(
        &self,
        id: u32,
        job: OwnedObjectPath,
        unit: String,
        result: String,
    ) -> zbus::Result<()>;
}

/// The state of a unit as systemd reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitState {
    pub load: String,
    pub active: String,
    pub sub: String,
}

impl UnitState {
    /// Running or on its way (`active`, `activating`, `reloading`).
    pub fn is_running(&self) -> bool {
        matches!(self.active.as_str(), "active" | "activating" | "reloading")
    }
}

/// What `select` needs from systemd; the real one is [`Systemd`].
pub trait UnitControl {
    fn state(&mut self, unit: &UnitRef) -> Result<UnitState, UnitError>;
    fn start(&mut self, unit: &UnitRef) -> Result<(), UnitError>;
    fn stop(&mut self, unit: &UnitRef) -> Result<(), UnitError>;
}

/// systemd over D-Bus, one connection per bus, opened by [`Systemd::connect`].
pub struct Systemd {
    rt: tokio::runtime::Runtime,
    session: Option<ManagerProxy<'static>>,
    system: Option<ManagerProxy<'static>>,
    timeout: Duration,
}

impl Systemd {
    /// Connect to the buses `units` live on (none: no D-Bus at all) and subscribe to job
    /// signals. Fails before anything changes when a needed bus is unreachable.
    pub fn connect(units: &[UnitRef], timeout: Duration) -> Result<Self, UnitError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| UnitError::Connect {
                bus: Bus::Session,
                message: format!("cannot start the async runtime: {e}"),
            })?;
        let mut s = Self {
            rt,
            session: None,
            system: None,
            timeout,
        };
        for bus in [Bus::Session, Bus::System] {
            if units.iter().any(|u| u.bus == bus) {
                let proxy = s.rt.block_on(open(bus, timeout))?;
                match bus {
                    Bus::Session => s.session = Some(proxy),
                    Bus::System => s.system = Some(proxy),
                }
            }
        }
        Ok(s)
    }

    fn proxy(&self, bus: Bus) -> Result<&ManagerProxy<'static>, UnitError> {
        match bus {
            Bus::Session => self.session.as_ref(),
            Bus::System => self.system.as_ref(),
        }
        .ok_or(UnitError::Connect {
            bus,
            message: "not connected".into(),
        })
    }

    fn job(&self, unit: &UnitRef, action: &'static str) -> Result<(), UnitError> {
        let proxy = self.proxy(unit.bus)?;
        let timeout = self.timeout;
        self.rt.block_on(async {
            let call_err = |e: zbus::Error| UnitError::Call {
                bus: unit.bus,
                unit: unit.name.clone(),
                action,
                message: e.to_string(),
            };
            // listen before asking, so the signal of a fast job cannot be missed
            let mut removed = proxy.receive_job_removed().await.map_err(call_err)?;
            let job = match action {
                "start" => proxy.start_unit(&unit.name, "replace").await,
                _ => proxy.stop_unit(&unit.name, "replace").await,
            }
            .map_err(call_err)?;
            let wait = async {
                while let Some(sig) = removed.next().await {
                    let Ok(args) = sig.args() else { continue };
                    if args.job == job {
                        return Some(args.result.clone());
                    }
                }
                None
            };
            match tokio::time::timeout(timeout, wait).await {
                Ok(Some(result)) if result == "done" => Ok(()),
                Ok(Some(result)) => Err(UnitError::JobFailed {
                    unit: unit.name.clone(),
                    action,
                    result,
                    user: unit.bus == Bus::Session,
                }),
                Ok(None) => Err(UnitError::Call {
                    bus: unit.bus,
                    unit: unit.name.clone(),
                    action,
                    message: "the bus connection closed while waiting for the job".into(),
                }),
                Err(_) => Err(UnitError::Timeout {
                    unit: unit.name.clone(),
                    action,
                    secs: timeout.as_secs(),
                }),
            }
        })
    }
}

async fn open(bus: Bus, timeout: Duration) -> Result<ManagerProxy<'static>, UnitError> {
    let err = |e: zbus::Error| UnitError::Connect {
        bus,
        message: e.to_string(),
    };
    let fut = async {
        let conn = match bus {
            Bus::Session => zbus::Connection::session().await,
            Bus::System => zbus::Connection::system().await,
        }
        .map_err(err)?;
        let proxy = ManagerProxy::new(&conn).await.map_err(err)?;
        // real systemd only emits JobRemoved to subscribed clients
        proxy.subscribe().await.map_err(err)?;
        Ok(proxy)
    };
    tokio::time::timeout(timeout.min(Duration::from_secs(10)), fut)
        .await
        .unwrap_or(Err(UnitError::Connect {
            bus,
            message: "timed out connecting".into(),
        }))
}

impl Drop for Systemd {
    fn drop(&mut self) {
        // zbus spawns clean-up tasks when a proxy or stream goes: give it the runtime
        let _guard = self.rt.enter();
        self.session.take();
        self.system.take();
    }
}

impl UnitControl for Systemd {
    fn state(&mut self, unit: &UnitRef) -> Result<UnitState, UnitError> {
        let proxy = self.proxy(unit.bus)?;
        let list = self
            .rt
            .block_on(proxy.list_units_by_names(&[unit.name.as_str()]))
            .map_err(|e| UnitError::Call {
                bus: unit.bus,
                unit: unit.name.clone(),
                action: "status query",
                message: e.to_string(),
            })?;
        Ok(list
            .into_iter()
            .find(|u| u.0 == unit.name)
            .map(|u| UnitState {
                load: u.2,
                active: u.3,
                sub: u.4,
            })
            .unwrap_or(UnitState {
                load: "not-found".into(),
                active: "inactive".into(),
                sub: "dead".into(),
            }))
    }

    fn start(&mut self, unit: &UnitRef) -> Result<(), UnitError> {
        self.job(unit, "start")?;
        // a service that dies right after starting: its job is `done`, its state `failed`
        let st = self.state(unit)?;
        if st.active == "failed" {
            return Err(UnitError::JobFailed {
                unit: unit.name.clone(),
                action: "start",
                result: "failed (the unit exited after starting)".into(),
                user: unit.bus == Bus::Session,
            });
        }
        Ok(())
    }

    fn stop(&mut self, unit: &UnitRef) -> Result<(), UnitError> {
        self.job(unit, "stop")
    }
}

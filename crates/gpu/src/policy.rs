//! What the watcher does about an incident: a pure decision, tested without I/O.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::incident::{Incident, IncidentKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKind {
    /// Record, signal on D-Bus, log: nothing else.
    #[default]
    Notify,
    /// Also restart `restart_unit` after VRAM loss, or after `max_resets` resets within `window`.
    RestartUnit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub kind: PolicyKind,
    pub restart_unit: Option<String>,
    pub max_resets: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Notify,
    /// Restart this unit, for this reason.
    RestartUnit {
        unit: String,
        reason: String,
    },
}

/// Decide for `incident`, given how many earlier resets (incidents of kind Reset or
/// Wedged) happened within the policy window, this one not counted.
pub fn decide(policy: &Policy, incident: &Incident, earlier_resets_in_window: u32) -> Decision {
    let (PolicyKind::RestartUnit, Some(unit)) = (policy.kind, &policy.restart_unit) else {
        return Decision::Notify;
    };
    let is_reset = matches!(incident.kind, IncidentKind::Reset | IncidentKind::Wedged);
    let count = earlier_resets_in_window + u32::from(is_reset);
    let reason = if incident.vram_lost {
        "VRAM was lost in the reset".to_string()
    } else if is_reset && count >= policy.max_resets {
        format!(
            "{count} GPU resets within {}s (limit {})",
            policy.window.as_secs(),
            policy.max_resets
        )
    } else {
        return Decision::Notify;
    };
    Decision::RestartUnit {
        unit: unit.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::IncidentOutcome;

    fn incident(kind: IncidentKind, vram_lost: bool) -> Incident {
        Incident {
            time: String::new(),
            card: None,
            pci_slot: None,
            kind,
            ring: None,
            vram_lost,
            process: None,
            pid: None,
            wedged: None,
            outcome: IncidentOutcome::Recovered,
            coredump: None,
            events: 1,
            action: String::new(),
        }
    }

    fn restart(max: u32) -> Policy {
        Policy {
            kind: PolicyKind::RestartUnit,
            restart_unit: Some("display-manager.service".into()),
            max_resets: max,
            window: Duration::from_secs(600),
        }
    }

    #[test]
    fn notify_never_restarts() {
        let p = Policy {
            kind: PolicyKind::Notify,
            ..restart(1)
        };
        assert_eq!(
            decide(&p, &incident(IncidentKind::Reset, true), 99),
            Decision::Notify
        );
    }

    #[test]
    fn vram_loss_restarts() {
        let d = decide(&restart(3), &incident(IncidentKind::Reset, true), 0);
        assert_eq!(
            d,
            Decision::RestartUnit {
                unit: "display-manager.service".into(),
                reason: "VRAM was lost in the reset".into()
            }
        );
    }

    #[test]
    fn n_resets_in_window_restart() {
        let p = restart(3);
        assert_eq!(
            decide(&p, &incident(IncidentKind::Reset, false), 1),
            Decision::Notify
        );
        assert!(
            matches!(decide(&p, &incident(IncidentKind::Reset, false), 2), Decision::RestartUnit { ref reason, .. } if reason == "3 GPU resets within 600s (limit 3)")
        );
        // A ring timeout without a reset is not counted.
        assert_eq!(
            decide(&p, &incident(IncidentKind::RingTimeout, false), 5),
            Decision::Notify
        );
    }

    #[test]
    fn restart_without_unit_is_notify() {
        let p = Policy {
            restart_unit: None,
            ..restart(1)
        };
        assert_eq!(
            decide(&p, &incident(IncidentKind::Reset, true), 0),
            Decision::Notify
        );
    }
}

//! Kernel events about GPU hangs: `/dev/kmsg` lines from amdgpu/DRM and uevent
//! payloads (DRM `WEDGED=`, devcoredump add), parsed into [`Event`]s. Pure: no I/O.

use serde::Serialize;

use crate::pci::PciAddress;

/// What one kernel message or uevent says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum EventKind {
    /// `ring <name> timeout`: a job hung.
    RingTimeout { ring: String },
    /// `Process information: process <name> pid <n>`: who submitted the hung job.
    Process { process: String, pid: u32 },
    /// `GPU reset begin!`
    ResetBegin,
    /// `GPU reset(<n>) succeeded!`
    ResetSucceeded,
    /// `GPU reset(<n>) failed` / `GPU Recovery Failed`.
    ResetFailed,
    /// `VRAM is lost due to GPU reset!`
    VramLost,
    /// `device wedged, but recovered through reset`.
    WedgedRecovered,
    /// DRM uevent `WEDGED=<method>` (`none`: the driver recovered by itself).
    Wedged { method: String },
    /// A devcoredump appeared (`/sys/class/devcoredump/<name>`).
    Devcoredump { name: String },
}

/// One parsed event and the device it names, if it names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub pci_slot: Option<String>,
    /// The DRM card (`card0`) when the source names it (uevents do).
    pub card: Option<String>,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Strip the `/dev/kmsg` record header (`prio,seq,usec,flags;`) if present; a
/// recorded `dmesg` line (`[  12.345] text`) loses its timestamp.
fn kmsg_text(line: &str) -> Option<&str> {
    // Continuation lines of a record (` SUBSYSTEM=pci`) carry no message.
    if line.starts_with(' ') {
        return None;
    }
    let line = line.trim_end_matches(['\r', '\n']);
    if let Some((head, text)) = line.split_once(';') {
        if !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '-' || c.is_ascii_alphabetic())
            && head.contains(',')
        {
            return Some(text);
        }
    }
    if let Some(rest) = line.strip_prefix('[') {
        if let Some((ts, text)) = rest.split_once(']') {
            if ts.trim().chars().all(|c| c.is_ascii_digit() || c == '.') {
                return Some(text.trim_start());
            }
        }
    }
    Some(line)
}

/// The first PCI address (`0000:03:00.0`) among the words of `text`.
fn pci_slot_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']')
        .map(|w| w.trim_end_matches(':'))
        .find_map(|w| w.parse::<PciAddress>().ok())
        .map(|a| a.to_string())
}

/// The word after `key` in `text`.
fn word_after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let i = text.find(key)?;
    text[i + key.len()..].split_whitespace().next()
}

/// Parse one `/dev/kmsg` record (or a recorded `dmesg` line). `None`: not about a GPU hang.
pub fn parse_kmsg_line(line: &str) -> Option<Event> {
    let text = kmsg_text(line)?;
    if !(text.contains("amdgpu") || text.contains("[drm]") || text.contains("drm:")) {
        return None;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let ring = words
        .windows(3)
        .find(|w| w[0] == "ring" && w[2].trim_end_matches(',') == "timeout")
        .map(|w| w[1].to_string());
    let kind = if let Some(ring) = ring {
        EventKind::RingTimeout { ring }
    } else if text.contains("Process information:") {
        let process = word_after(text, "process ")?.to_string();
        let pid = word_after(text, " pid ")?
            .trim_end_matches(',')
            .parse()
            .ok()?;
        EventKind::Process { process, pid }
    } else if text.contains("GPU reset begin") {
        EventKind::ResetBegin
    } else if text.contains("GPU reset(") && text.contains("succeeded") {
        EventKind::ResetSucceeded
    } else if (text.contains("GPU reset(") && text.contains("failed"))
        || text.contains("GPU Recovery Failed")
    {
        EventKind::ResetFailed
    } else if text.contains("VRAM is lost due to GPU reset") {
        EventKind::VramLost
    } else if text.contains("device wedged, but recovered through reset") {
        EventKind::WedgedRecovered
    } else {
        return None;
    };
    Some(Event {
        pci_slot: pci_slot_in(text),
        card: None,
        kind,
    })
}

/// Parse a kernel uevent payload (`ACTION@DEVPATH\0KEY=VALUE\0...`, as netlink
/// delivers it). `None`: not a DRM `WEDGED=` event nor a devcoredump being added.
pub fn parse_uevent(payload: &[u8]) -> Option<Event> {
    let text = String::from_utf8_lossy(payload);
    // udev's re-broadcasts start with "libudev" and a binary header: not ours.
    if text.starts_with("libudev") {
        return None;
    }
    let mut fields = std::collections::HashMap::new();
    for part in text.split(['\0', '\n']) {
        if let Some((k, v)) = part.split_once('=') {
            fields.insert(k.to_string(), v.to_string());
        }
    }
    let get = |k: &str| fields.get(k).map(String::as_str);
    let devpath = get("DEVPATH")?;
    let last = devpath.rsplit('/').next().unwrap_or_default().to_string();
    match (get("SUBSYSTEM")?, get("ACTION")?) {
        ("drm", _) => {
            let method = get("WEDGED")?.to_string();
            let slot = devpath
                .split('/')
                .rev()
                .find_map(|w| w.parse::<PciAddress>().ok());
            Some(Event {
                pci_slot: slot.map(|a| a.to_string()),
                card: last.starts_with("card").then_some(last),
                kind: EventKind::Wedged { method },
            })
        }
        ("devcoredump", "add") => Some(Event {
            pci_slot: None,
            card: None,
            kind: EventKind::Devcoredump { name: last },
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<EventKind> {
        parse_kmsg_line(line).map(|e| e.kind)
    }

    #[test]
    fn amdgpu_kmsg_lines() {
        let e = parse_kmsg_line("3,1234,5678901,-;amdgpu 0000:03:00.0: amdgpu: ring gfx_0.0.0 timeout, signaled seq=1234, emitted seq=1236").expect("timeout");
        assert_eq!(e.pci_slot.as_deref(), Some("0000:03:00.0"));
        assert_eq!(
            e.kind,
            EventKind::RingTimeout {
                ring: "gfx_0.0.0".into()
            }
        );
        assert_eq!(
            kind("3,1235,5678902,-;amdgpu 0000:03:00.0: amdgpu:  Process information: process Xwayland pid 2345 thread Xwayland:cs0 pid 2350"),
            Some(EventKind::Process { process: "Xwayland".into(), pid: 2345 })
        );
        assert_eq!(
            kind("4,1236,5678903,-;amdgpu 0000:03:00.0: amdgpu: GPU reset begin!"),
            Some(EventKind::ResetBegin)
        );
        assert_eq!(
            kind("4,1,2,-;amdgpu 0000:03:00.0: amdgpu: GPU reset begin! during suspend"),
            Some(EventKind::ResetBegin)
        );
        assert_eq!(
            kind("6,1237,5678904,-;[drm] VRAM is lost due to GPU reset!"),
            Some(EventKind::VramLost)
        );
        assert_eq!(
            kind("6,1238,5678905,-;amdgpu 0000:03:00.0: amdgpu: GPU reset(2) succeeded!"),
            Some(EventKind::ResetSucceeded)
        );
        assert_eq!(
            kind("3,1239,5678906,-;amdgpu 0000:03:00.0: amdgpu: GPU reset(3) failed"),
            Some(EventKind::ResetFailed)
        );
        assert_eq!(kind("6,1240,5678907,-;amdgpu 0000:03:00.0: [drm] device wedged, but recovered through reset"), Some(EventKind::WedgedRecovered));
        // The older form without a device prefix.
        assert_eq!(
            kind("[ 1234.567890] [drm:amdgpu_job_timedout [amdgpu]] *ERROR* ring sdma0 timeout, signaled seq=1, emitted seq=3"),
            Some(EventKind::RingTimeout { ring: "sdma0".into() })
        );
    }

    #[test]
    fn unrelated_and_malformed_lines_are_ignored() {
        for l in [
            "",
            ";",
            "6,1,2,-;usb 1-1: new high-speed USB device",
            " SUBSYSTEM=pci",
            " DEVICE=+pci:0000:03:00.0",
            "6,1,2,-;amdgpu 0000:03:00.0: amdgpu: ring gfx_0.0.0 uses VM inv eng 0 on hub 0",
            "6,1,2,-;amdgpu: Process information: process",
            "6,1,2,-;amdgpu: Process information: process x pid notanumber",
            "\u{0}\u{ff}garbage amdgpu ring",
            "6,1,2,-;amdgpu 0000:zz:00.0: amdgpu: GPU reset begin!",
        ] {
            let e = parse_kmsg_line(l);
            if let Some(e) = &e {
                assert_eq!(e.pci_slot, None, "{l:?}");
                assert_eq!(e.kind, EventKind::ResetBegin, "{l:?}");
            }
        }
    }

    #[test]
    fn uevents() {
        let wedged = b"change@/devices/pci0000:00/0000:00:03.1/0000:03:00.0/drm/card0\0ACTION=change\0DEVPATH=/devices/pci0000:00/0000:00:03.1/0000:03:00.0/drm/card0\0SUBSYSTEM=drm\0WEDGED=rebind\0DEVNAME=dri/card0\0DEVTYPE=drm_minor\0SEQNUM=5123\0";
        let e = parse_uevent(wedged).expect("wedged");
        assert_eq!(e.card.as_deref(), Some("card0"));
        assert_eq!(e.pci_slot.as_deref(), Some("0000:03:00.0"));
        assert_eq!(
            e.kind,
            EventKind::Wedged {
                method: "rebind".into()
            }
        );
        let dump = b"add@/devices/virtual/devcoredump/devcd1\0ACTION=add\0DEVPATH=/devices/virtual/devcoredump/devcd1\0SUBSYSTEM=devcoredump\0SEQNUM=5124\0";
        assert_eq!(
            parse_uevent(dump).expect("dump").kind,
            EventKind::Devcoredump {
                name: "devcd1".into()
            }
        );
        for junk in [
            &b""[..],
            b"\xff\xfe\0\0",
            b"libudev\0\xfe\xed",
            b"remove@/devices/virtual/devcoredump/devcd1\0ACTION=remove\0DEVPATH=/devices/virtual/devcoredump/devcd1\0SUBSYSTEM=devcoredump\0",
            b"change@/devices/.../card0\0ACTION=change\0DEVPATH=/x/card0\0SUBSYSTEM=drm\0HOTPLUG=1\0",
        ] {
            assert_eq!(parse_uevent(junk), None);
        }
    }
}

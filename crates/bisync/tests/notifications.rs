//! Desktop notifications on a private session bus (real `dbus-daemon`) with a receiver
//! that owns `org.freedesktop.Notifications`.

mod common;

use std::sync::{Arc, Mutex};

use common::*;

type Seen = Arc<Mutex<Vec<(String, String, String, u8)>>>;

struct Receiver {
    seen: Seen,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Receiver {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: std::collections::HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints
            .get("urgency")
            .and_then(|v| u8::try_from(v).ok())
            .unwrap_or(255);
        let mut s = self.seen.lock().expect("lock");
        s.push((app_name, summary, body, urgency));
        s.len() as u32
    }
}

#[test]
fn refused_run_and_lockout_are_notified() {
    let Some(rc) = rclone() else { return };
    if axios_core::testing::require_tool("dbus-daemon").is_none() {
        return;
    }
    let mut fx = Fx::new(&rc);
    let bus = axios_core::testing::private_bus(fx.root()).expect("dbus-daemon");
    let seen: Seen = Arc::default();
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let _conn = rt.block_on(async {
        zbus::connection::Builder::address(bus.address.as_str())
            .expect("address")
            .name("org.freedesktop.Notifications")
            .expect("name")
            .serve_at(
                "/org/freedesktop/Notifications",
                Receiver { seen: seen.clone() },
            )
            .expect("serve")
            .build()
            .await
            .expect("connect receiver")
    });
    fx.dbus = Some(bus.address.clone());
    write(&fx.p1, "a.txt", b"a");
    fx.init();

    // Refused: marker missing on path2.
    std::fs::remove_file(fx.p2.join("RCLONE_TEST")).expect("rm");
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(3));
    {
        let s = seen.lock().expect("lock");
        let last = s.last().expect("a notification for the refused run");
        assert_eq!(last.0, "axios-bisync");
        assert_eq!(last.1, "Sync of docs refused");
        assert_contains(&last.2, "marker file `RCLONE_TEST` is missing on path2");
        assert_eq!(last.3, 2, "critical urgency");
    }
    write(&fx.p2, "RCLONE_TEST", b"");

    // --no-notify really is silent.
    let before = seen.lock().expect("lock").len();
    std::fs::remove_file(fx.p2.join("RCLONE_TEST")).expect("rm");
    assert_eq!(code(&fx.run(&["--no-notify", "run"])), Some(3));
    assert_eq!(seen.lock().expect("lock").len(), before);
    write(&fx.p2, "RCLONE_TEST", b"");

    // Lockout: rclone's listings deleted.
    fx.delete_listings();
    let o = fx.run(&["run"]);
    assert_eq!(code(&o), Some(2));
    let s = seen.lock().expect("lock");
    let last = s.last().expect("a notification for the lockout");
    assert_eq!(last.1, "Sync of docs is locked out");
    assert_contains(&last.2, "axios-bisync recover docs");
    assert_eq!(last.3, 2);
    // notify_after (default 2 days) has not passed: no "not succeeded" notice so far.
    assert!(!s.iter().any(|n| n.1.contains("has not succeeded")));
    drop(s);

    // With notify_after = "0s" any failed run is "too long without success".
    fx.extra = "notify_after = \"0s\"\n".into();
    fx.write_config();
    assert_eq!(code(&fx.run(&["run"])), Some(2));
    let s = seen.lock().expect("lock");
    let stale = s
        .iter()
        .find(|n| n.1 == "Sync of docs has not succeeded for a while")
        .expect("stale notification");
    assert_contains(&stale.2, "No successful sync of docs since");
}

#[test]
fn missing_bus_only_warns() {
    let Some(rc) = rclone() else { return };
    let fx = Fx::new(&rc);
    write(&fx.p1, "a.txt", b"a");
    fx.init();
    std::fs::remove_file(fx.p2.join("RCLONE_TEST")).expect("rm");
    let o = fx.run(&["run"]);
    // Refused for the marker (3), not failed for the bus.
    assert_eq!(code(&o), Some(3));
    assert_contains(&stderr(&o), "cannot send desktop notification");
}

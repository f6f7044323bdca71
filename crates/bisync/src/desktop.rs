//! Desktop notifications through `org.freedesktop.Notifications` on the session bus.
//! A missing bus or notification daemon is a warning, never a failure.

use std::collections::HashMap;
use std::time::Duration;

/// How urgent a notification is (the `urgency` hint: 0 low, 1 normal, 2 critical).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal = 1,
    Critical = 2,
}

/// Send a notification; returns whether it was delivered. Never fails the caller.
pub fn notify(summary: &str, body: &str, urgency: Urgency) -> bool {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::warn!("cannot send desktop notification ({summary}): {e}");
            return false;
        }
    };
    let fut = send(summary, body, urgency);
    match rt.block_on(async { tokio::time::timeout(Duration::from_secs(5), fut).await }) {
        Ok(Ok(id)) => {
            tracing::debug!("desktop notification {id} sent: {summary}");
            true
        }
        Ok(Err(e)) => {
            tracing::warn!("cannot send desktop notification ({summary}): {e}");
            false
        }
        Err(_) => {
            tracing::warn!("desktop notification timed out ({summary})");
            false
        }
    }
}

async fn send(summary: &str, body: &str, urgency: Urgency) -> zbus::Result<u32> {
    let conn = zbus::Connection::session().await?;
    let mut hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
    hints.insert("urgency", zbus::zvariant::Value::U8(urgency as u8));
    let actions: Vec<&str> = Vec::new();
    let reply = conn
        .call_method(
            Some("org.freedesktop.Notifications"),
            "/org/freedesktop/Notifications",
            Some("org.freedesktop.Notifications"),
            "Notify",
            &(
                "axios-bisync",
                0u32,
                "folder-sync",
                summary,
                body,
                actions,
                hints,
                -1i32,
            ),
        )
        .await?;
    reply.body().deserialize::<u32>()
}

//! The proxy's request policy: a pure function from (method, raw path, prefix,
//! credentials) to a decision, tested without I/O.
//!
//! The decision is made on the path Ollama will act on: percent-encoding is
//! decoded, dot segments are resolved, doubled and trailing slashes are folded,
//! and the route is classified case-insensitively. The proxy then forwards that
//! canonical path (case preserved), so what was checked is what Ollama sees.
//! Spellings that could mean two things (an encoded `/` or `\`, a NUL or other
//! control byte, a `..` above the root, invalid UTF-8 or a broken `%` escape)
//! are refused.

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path does not start with `/`")]
    NotAbsolute,
    #[error("malformed percent-encoding in the path")]
    BadPercent,
    #[error("ambiguous path: an encoded `/`, `\\`, NUL or control character")]
    Ambiguous,
    #[error("ambiguous path: `..` climbs above the root")]
    AboveRoot,
    #[error("path is not valid UTF-8 once decoded")]
    NotUtf8,
    #[error("path is outside the prefix {0}")]
    OutsidePrefix(String),
}

/// The kind of endpoint a canonical path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The proxy's own health check (`/healthz`).
    Health,
    /// Model management: pull, push, delete, create, copy, blobs.
    Management,
    /// Everything else (inference, listing, `/v1/` ...): forwarded.
    Inference,
}

/// The credential a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// No token is configured: the proxy is open (loopback use).
    NotRequired,
    /// The user token.
    User,
    /// The admin token (allows management).
    Admin,
    /// No or a wrong `Authorization: Bearer` header.
    Missing,
    Wrong,
}

/// What the proxy does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Answer `/healthz` locally.
    Health,
    /// Forward to Ollama at this canonical path (plus the original query).
    Forward(String),
    /// Refuse with this status and message.
    Refuse(u16, String),
}

/// Management endpoints under `/api/` (compared lower-case).
const MANAGEMENT: &[&str] = &["pull", "push", "delete", "create", "copy", "blobs"];

/// Decode, resolve and fold `raw` (the path part of the request target, no query).
pub fn canonical_path(raw: &str) -> Result<String, PathError> {
    if !raw.starts_with('/') {
        return Err(PathError::NotAbsolute);
    }
    let mut segments: Vec<String> = Vec::new();
    for seg in raw.split('/') {
        let decoded = percent_decode(seg)?;
        if decoded
            .iter()
            .any(|&b| b == b'/' || b == b'\\' || b < 0x20 || b == 0x7f)
        {
            return Err(PathError::Ambiguous);
        }
        let decoded = String::from_utf8(decoded).map_err(|_| PathError::NotUtf8)?;
        match decoded.as_str() {
            "" | "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Err(PathError::AboveRoot);
                }
            }
            _ => segments.push(decoded),
        }
    }
    let mut out = String::with_capacity(raw.len());
    for s in &segments {
        out.push('/');
        percent_encode_into(s, &mut out);
    }
    if out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

fn percent_decode(seg: &str) -> Result<Vec<u8>, PathError> {
    let b = seg.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3).ok_or(PathError::BadPercent)?;
            let h = std::str::from_utf8(hex).map_err(|_| PathError::BadPercent)?;
            let v = u8::from_str_radix(h, 16).map_err(|_| PathError::BadPercent)?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Encode everything but RFC 3986 unreserved and sub-delims, `:` and `@`.
fn percent_encode_into(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Strip `prefix` (already canonical, e.g. `/ollama`; empty or `/` for none) from a
/// canonical path.
pub fn strip_prefix<'a>(path: &'a str, prefix: &str) -> Result<&'a str, PathError> {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return Ok(path);
    }
    match path.strip_prefix(prefix) {
        Some("") => Ok("/"),
        Some(rest) if rest.starts_with('/') => Ok(rest),
        _ => Err(PathError::OutsidePrefix(prefix.to_string())),
    }
}

/// Classify a canonical path (without the prefix).
pub fn endpoint(path: &str) -> Endpoint {
    let lower = path.to_ascii_lowercase();
    if lower == "/healthz" {
        return Endpoint::Health;
    }
    let mut parts = lower.trim_start_matches('/').split('/');
    if parts.next() == Some("api") {
        if let Some(second) = parts.next() {
            if MANAGEMENT.contains(&second) {
                return Endpoint::Management;
            }
        }
    }
    Endpoint::Inference
}

/// The whole decision for one request. `method` matters only for `DELETE`, which is
/// management wherever it goes (Ollama's only DELETE route is `/api/delete`; a future
/// one, e.g. OpenAI's `DELETE /v1/models/{id}`, stays denied).
pub fn decide(
    method: &str,
    raw_path: &str,
    prefix: &str,
    credential: Credential,
    allow_management: bool,
) -> Decision {
    let canonical = match canonical_path(raw_path) {
        Ok(p) => p,
        Err(e) => return Decision::Refuse(400, e.to_string()),
    };
    let path = match strip_prefix(&canonical, prefix) {
        Ok(p) => p,
        Err(e) => return Decision::Refuse(404, e.to_string()),
    };
    let mut kind = endpoint(path);
    if method.eq_ignore_ascii_case("DELETE") && kind == Endpoint::Inference {
        kind = Endpoint::Management;
    }
    if kind == Endpoint::Health {
        return Decision::Health;
    }
    match credential {
        Credential::Missing => {
            return Decision::Refuse(401, "missing `Authorization: Bearer <token>`".into())
        }
        Credential::Wrong => return Decision::Refuse(401, "invalid token".into()),
        _ => {}
    }
    if kind == Endpoint::Management && !allow_management && credential != Credential::Admin {
        return Decision::Refuse(
            403,
            format!("model management ({path}) is not allowed through this proxy; it needs the admin token"),
        );
    }
    Decision::Forward(path.to_string())
}

/// Constant-time comparison of a presented token with the expected one
/// (the time depends only on the length of `presented`).
pub fn token_eq(presented: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(presented.len() != expected.len());
    for (i, &b) in presented.iter().enumerate() {
        let e = if expected.is_empty() {
            0
        } else {
            expected[i % expected.len()]
        };
        diff |= b ^ e;
    }
    std::hint::black_box(diff) == 0 && !expected.is_empty()
}

/// Which credential an `Authorization` header value carries.
pub fn credential(header: Option<&[u8]>, user: Option<&[u8]>, admin: Option<&[u8]>) -> Credential {
    if user.is_none() && admin.is_none() {
        return Credential::NotRequired;
    }
    let Some(value) = header else {
        return Credential::Missing;
    };
    let Some(token) = bearer(value) else {
        return Credential::Missing;
    };
    // Compare against both, always, so timing does not tell which one exists.
    let is_admin = admin.is_some_and(|a| token_eq(token, a));
    let is_user = user.is_some_and(|u| token_eq(token, u));
    if is_admin {
        Credential::Admin
    } else if is_user {
        Credential::User
    } else {
        Credential::Wrong
    }
}

fn bearer(value: &[u8]) -> Option<&[u8]> {
    let value = value.trim_ascii();
    let (scheme, rest) = value.split_at(value.iter().position(|&b| b == b' ')?);
    if !scheme.eq_ignore_ascii_case(b"bearer") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny(raw: &str) -> Decision {
        decide("POST", raw, "/ollama", Credential::User, false)
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(canonical_path("/api/tags").as_deref(), Ok("/api/tags"));
        assert_eq!(canonical_path("//api///tags/").as_deref(), Ok("/api/tags"));
        assert_eq!(
            canonical_path("/api/./x/../tags").as_deref(),
            Ok("/api/tags")
        );
        assert_eq!(canonical_path("/%61pi/tags").as_deref(), Ok("/api/tags"));
        assert_eq!(canonical_path("/").as_deref(), Ok("/"));
        assert_eq!(
            canonical_path("/v1/models/qwen3:8b").as_deref(),
            Ok("/v1/models/qwen3:8b")
        );
        assert_eq!(canonical_path("/a%20b").as_deref(), Ok("/a%20b"));
    }

    #[test]
    fn ambiguous_paths_are_refused() {
        for raw in [
            "/api%2Fpull",
            "/api%2fpull",
            "/api%5Cpull",
            "/api/pull%00",
            "/api/%0apull",
            "/..",
            "/api/../../pull",
            "/api/%",
            "/api/%zz",
            "/api/%C3",
            "api/pull",
        ] {
            assert!(canonical_path(raw).is_err(), "{raw} accepted");
            assert!(matches!(deny(raw), Decision::Refuse(400, _)), "{raw}");
        }
    }

    #[test]
    fn management_denied_in_every_spelling() {
        let spellings = [
            "/ollama/api/pull",
            "/ollama/api/pull/",
            "/ollama//api//pull",
            "/ollama/api/./pull",
            "/ollama/api/tags/../pull",
            "/ollama/api/%70ull",
            "/ollama/%61%70%69/%70%75%6c%6c",
            "/ollama/API/PULL",
            "/ollama/Api/Delete",
            "/ollama/api/push",
            "/ollama/api/create",
            "/ollama/api/copy",
            "/ollama/api/blobs/sha256:abc",
            "/ollama/./api/delete",
            "/ollama/x/../api/delete",
            "/OLLAMA/../ollama/api/pull",
        ];
        for raw in spellings {
            match deny(raw) {
                Decision::Refuse(403, _) => {}
                Decision::Refuse(404, _) if raw.starts_with("/OLLAMA") => {}
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn admin_and_config_allow_management() {
        assert_eq!(
            decide(
                "POST",
                "/ollama/api/pull",
                "/ollama",
                Credential::Admin,
                false
            ),
            Decision::Forward("/api/pull".into())
        );
        assert_eq!(
            decide(
                "POST",
                "/ollama/api/pull",
                "/ollama",
                Credential::User,
                true
            ),
            Decision::Forward("/api/pull".into())
        );
    }

    #[test]
    fn delete_is_management_everywhere() {
        for path in [
            "/ollama/v1/models/qwen3:8b",
            "/ollama/api/tags",
            "/ollama/api/delete",
        ] {
            let d = decide("DELETE", path, "/ollama", Credential::User, false);
            assert!(matches!(d, Decision::Refuse(403, _)), "{path}: {d:?}");
            let d = decide("delete", path, "/ollama", Credential::Admin, false);
            assert!(matches!(d, Decision::Forward(_)), "{path}: {d:?}");
        }
    }

    #[test]
    fn inference_forwarded_with_case_kept() {
        assert_eq!(
            deny("/ollama/api/chat"),
            Decision::Forward("/api/chat".into())
        );
        assert_eq!(
            deny("/ollama/v1/models/Qwen3:8B"),
            Decision::Forward("/v1/models/Qwen3:8B".into())
        );
        assert_eq!(deny("/ollama"), Decision::Forward("/".into()));
        assert_eq!(deny("/ollama/healthz"), Decision::Health);
        assert!(matches!(deny("/other/api/chat"), Decision::Refuse(404, _)));
        assert!(matches!(
            deny("/ollamax/api/chat"),
            Decision::Refuse(404, _)
        ));
    }

    #[test]
    fn credentials() {
        let u = Some(&b"user-secret"[..]);
        let a = Some(&b"admin-secret"[..]);
        assert_eq!(credential(None, None, None), Credential::NotRequired);
        assert_eq!(credential(None, u, a), Credential::Missing);
        assert_eq!(
            credential(Some(b"Bearer user-secret"), u, a),
            Credential::User
        );
        assert_eq!(
            credential(Some(b"bearer  admin-secret "), u, a),
            Credential::Admin
        );
        assert_eq!(
            credential(Some(b"Bearer user-secreT"), u, a),
            Credential::Wrong
        );
        assert_eq!(credential(Some(b"Bearer user"), u, a), Credential::Wrong);
        assert_eq!(
            credential(Some(b"Basic dXNlcjpwdw=="), u, a),
            Credential::Missing
        );
        assert_eq!(credential(Some(b"Bearer"), u, a), Credential::Missing);
        assert_eq!(credential(Some(b"Bearer x"), u, None), Credential::Wrong);
        assert_eq!(
            decide("GET", "/api/tags", "", Credential::Missing, false),
            Decision::Refuse(401, "missing `Authorization: Bearer <token>`".into())
        );
    }

    #[test]
    fn token_eq_basics() {
        assert!(token_eq(b"abc", b"abc"));
        assert!(!token_eq(b"abd", b"abc"));
        assert!(!token_eq(b"abcd", b"abc"));
        assert!(!token_eq(b"", b"abc"));
        assert!(!token_eq(b"", b""));
    }
}

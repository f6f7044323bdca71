//! `openvrpaths.vrpath`: the JSON file OpenVR applications read to find the runtime
//! (`runtime`: a list of directories, the first valid one wins) next to Steam's `config`,
//! `log` and `external_drivers`. `select` rewrites `runtime` and keeps every other key.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// What is wrong with a vrpath file.
#[derive(Debug, thiserror::Error)]
pub enum VrPathError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path} is not a JSON object ({message}); fix it or move it away (Steam recreates it)"
    )]
    Malformed { path: PathBuf, message: String },
}

/// Read a vrpath file: `Ok(None)` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Map<String, Value>>, VrPathError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(VrPathError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    parse(path, &bytes).map(Some)
}

/// Parse vrpath bytes read from `path`.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Map<String, Value>, VrPathError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(VrPathError::Malformed {
            path: path.to_path_buf(),
            message: format!("found a JSON {}", type_name(&other)),
        }),
        Err(e) => Err(VrPathError::Malformed {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The `runtime` entries of a vrpath.
pub fn runtimes(m: &Map<String, Value>) -> Vec<String> {
    m.get("runtime")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The vrpath to write: `backup` (WiVRn's `*.wivrn-backup`, the file Steam wrote before
/// WiVRn replaced it with a stripped one) under `current`'s keys, `runtime` set to
/// `[runtime]`, `version` and `jsonid` as Steam writes them when missing.
pub fn merged(
    current: Option<&Map<String, Value>>,
    backup: Option<&Map<String, Value>>,
    runtime: &Path,
) -> Map<String, Value> {
    let mut out = backup.cloned().unwrap_or_default();
    if let Some(c) = current {
        for (k, v) in c {
            out.insert(k.clone(), v.clone());
        }
    }
    out.insert(
        "runtime".into(),
        Value::Array(vec![Value::String(runtime.to_string_lossy().into_owned())]),
    );
    out.entry("version").or_insert(Value::from(1));
    out.entry("jsonid").or_insert(Value::from("vrpathreg"));
    out
}

/// The bytes to write (pretty, with a final newline, as Steam writes it).
pub fn render(m: &Map<String, Value>) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(m).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_steam_keys_from_the_wivrn_backup() {
        let p = Path::new("/v");
        let steam = parse(p, br#"{"config":["/h/.local/share/Steam/config"],"external_drivers":null,"jsonid":"vrpathreg","log":["/h/.local/share/Steam/logs"],"runtime":["/h/.local/share/Steam/steamapps/common/SteamVR"],"version":1}"#).expect("steam");
        let wivrn = parse(
            p,
            br#"{"runtime":["/nix/store/x-xrizer/lib/xrizer"],"version":1}"#,
        )
        .expect("wivrn");
        let m = merged(Some(&wivrn), Some(&steam), Path::new("/s/SteamVR"));
        assert_eq!(runtimes(&m), vec!["/s/SteamVR".to_string()]);
        assert_eq!(m["config"], steam["config"]);
        assert_eq!(m["log"], steam["log"]);
        assert!(m.contains_key("external_drivers"));
        let fresh = merged(None, None, Path::new("/x"));
        assert_eq!(fresh["jsonid"], "vrpathreg");
        assert_eq!(fresh["version"], 1);
    }

    #[test]
    fn malformed_names_the_file() {
        for bad in [&b"{"[..], b"[1]", b"\xff\xfe"] {
            let e = parse(Path::new("/h/openvrpaths.vrpath"), bad).expect_err("bad");
            assert!(e.to_string().contains("/h/openvrpaths.vrpath"), "{e}");
        }
    }
}

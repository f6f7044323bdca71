//! Configuration loading: one TOML file, strict keys, a `version`, precise errors.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A configuration type that carries a schema `version` key.
pub trait Versioned {
    /// The versions this program understands.
    const SUPPORTED: &'static [u32];
}

/// Everything that can go wrong when loading a config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        /// The offending key, when the parser could name it.
        key: Option<String>,
        message: String,
    },
    #[error("{path}: missing required key `version` (add `version = {expected}` at the top)")]
    MissingVersion { path: PathBuf, expected: u32 },
    #[error("{path}: unsupported config version {found}; this program understands version(s) {supported}")]
    UnsupportedVersion {
        path: PathBuf,
        found: i64,
        supported: String,
    },
}

/// Parse `text` (read from `path`, used for messages) into `T`, checking `version` first.
pub fn parse_config<T>(path: &Path, text: &str) -> Result<T, ConfigError>
where
    T: DeserializeOwned + Versioned,
{
    let value: toml::Table = toml::from_str(text).map_err(|e| parse_error(path, text, &e))?;
    let expected = T::SUPPORTED.last().copied().unwrap_or(1);
    match value.get("version") {
        None => {
            return Err(ConfigError::MissingVersion {
                path: path.to_path_buf(),
                expected,
            })
        }
        Some(toml::Value::Integer(v)) => {
            let ok = u32::try_from(*v)
                .map(|v| T::SUPPORTED.contains(&v))
                .unwrap_or(false);
            if !ok {
                return Err(ConfigError::UnsupportedVersion {
                    path: path.to_path_buf(),
                    found: *v,
                    supported: T::SUPPORTED
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Some(other) => {
            let (line, column) = find_key_position(text, "version");
            return Err(ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                key: Some("version".into()),
                message: format!(
                    "`version` must be an integer (e.g. `version = {expected}`), found {}",
                    other.type_str()
                ),
            });
        }
    }
    toml::from_str(text).map_err(|e| parse_error(path, text, &e))
}

/// Read and parse a config file.
pub fn load_config<T>(path: &Path) -> Result<T, ConfigError>
where
    T: DeserializeOwned + Versioned,
{
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_config(path, &text)
}

fn parse_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let (line, column) = e
        .span()
        .map(|s| offset_to_line_col(text, s.start))
        .unwrap_or((1, 1));
    let message = e.message().trim().to_string();
    let key = extract_backticked(&message);
    ConfigError::Parse {
        path: path.to_path_buf(),
        line,
        column,
        key,
        message,
    }
}

/// The first `` `name` `` in a serde message: the key it complains about.
fn extract_backticked(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

fn offset_to_line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, column)
}

fn find_key_position(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with('=') {
            return (i + 1, line.len() - trimmed.len() + 1);
        }
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Demo {
        #[allow(dead_code)]
        version: u32,
        name: String,
        #[serde(default)]
        count: u32,
    }
    impl Versioned for Demo {
        const SUPPORTED: &'static [u32] = &[1];
    }

    fn p() -> &'static Path {
        Path::new("/etc/demo.toml")
    }

    #[test]
    fn parses_valid_config() {
        let d: Demo = parse_config(p(), "version = 1\nname = \"x\"\n").expect("valid");
        assert_eq!(d.name, "x");
        assert_eq!(d.count, 0);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse_config::<Demo>(p(), "version = 1\nname = \"x\"\ncolour = 3\n")
            .expect_err("unknown key");
        match &err {
            ConfigError::Parse { line, key, .. } => {
                assert_eq!(*line, 3);
                assert_eq!(key.as_deref(), Some("colour"));
            }
            other => panic!("wrong error {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.starts_with("/etc/demo.toml:3:"), "{msg}");
    }

    #[test]
    fn wrong_type_is_located() {
        let err = parse_config::<Demo>(p(), "version = 1\nname = 5\n").expect_err("type");
        let msg = err.to_string();
        assert!(msg.contains(":2:"), "{msg}");
    }

    #[test]
    fn missing_and_unsupported_version() {
        let e = parse_config::<Demo>(p(), "name = \"x\"\n").expect_err("missing");
        assert!(matches!(e, ConfigError::MissingVersion { expected: 1, .. }));
        let e = parse_config::<Demo>(p(), "version = 7\nname = \"x\"\n").expect_err("v7");
        assert!(e.to_string().contains("unsupported config version 7"));
        let e = parse_config::<Demo>(p(), "version = \"1\"\nname = \"x\"\n").expect_err("str");
        assert!(e.to_string().contains("must be an integer"), "{e}");
    }

    #[test]
    fn syntax_error_is_located() {
        let e = parse_config::<Demo>(p(), "version = 1\nname = \n").expect_err("syntax");
        match e {
            ConfigError::Parse { line, .. } => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_file_is_a_read_error() {
        let e = load_config::<Demo>(Path::new("/nonexistent/axios.toml")).expect_err("read");
        assert!(e.to_string().contains("/nonexistent/axios.toml"));
    }
}

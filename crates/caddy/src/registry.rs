//! The route registry: `name -> { domain, path, target, priority, stripPrefix,
//! extraConfig, handleConfig }`, as JSON (`builtins.toJSON` of the Nix option)
//! or TOML of the same shape.
//!
//! Parsing is two-staged: the text is parsed into a generic value (a syntax
//! error is fatal), then every route is converted field by field so that all
//! problems (unknown keys, missing fields, wrong types) are reported at once,
//! each naming its route and key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::diag::{Diagnostic, Kind};

/// Default priority of a route (lower is tried first among equally specific routes).
pub const DEFAULT_PRIORITY: i64 = 500;

/// The route schema: the one definition the typed reader, the list of keys
/// ([`keys`]) and the check of the NixOS module's options (tests/nix_module.rs)
/// come from. Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteSpec {
    pub domain: String,
    /// `None`: the catch-all of its domain.
    #[serde(default)]
    pub path: Option<String>,
    pub target: String,
    #[serde(default = "default_priority")]
    pub priority: i64,
    #[serde(default)]
    pub strip_prefix: bool,
    #[serde(default)]
    pub extra_config: String,
    #[serde(default)]
    pub handle_config: String,
}

/// The keys a route accepts, in the order they are documented (read from
/// [`RouteSpec`]'s serde definition).
pub fn keys() -> &'static [&'static str] {
    use serde::de::{self, Visitor};
    struct Grab(&'static [&'static str]);
    impl<'de> de::Deserializer<'de> for &mut Grab {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut g = Grab(&[]);
    let _ = RouteSpec::deserialize(&mut g);
    g.0
}

/// One registered route, as given (validated and interpreted by [`crate::plan`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub name: String,
    #[serde(flatten)]
    pub spec: RouteSpec,
}

impl std::ops::Deref for Route {
    type Target = RouteSpec;
    fn deref(&self) -> &RouteSpec {
        &self.spec
    }
}

impl std::ops::DerefMut for Route {
    fn deref_mut(&mut self) -> &mut RouteSpec {
        &mut self.spec
    }
}

impl Route {
    /// A route with defaults for the optional fields (used by tests and benchmarks).
    pub fn new(name: &str, domain: &str, path: Option<&str>, target: &str) -> Self {
        Route {
            name: name.to_string(),
            spec: RouteSpec {
                domain: domain.to_string(),
                path: path.map(str::to_string),
                target: target.to_string(),
                priority: DEFAULT_PRIORITY,
                strip_prefix: false,
                extra_config: String::new(),
                handle_config: String::new(),
            },
        }
    }
}

/// The input format of a registry file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Json,
    Toml,
}

impl InputFormat {
    /// `.toml` is TOML, `.json` is JSON; otherwise a text starting with `{` is JSON.
    pub fn detect(path: &Path, text: &str) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => InputFormat::Toml,
            Some("json") => InputFormat::Json,
            _ if text.trim_start().starts_with('{') => InputFormat::Json,
            _ => InputFormat::Toml,
        }
    }
}

/// A registry file that cannot be read or parsed at all.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read route registry {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: malformed JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}:{line}:{column}: malformed TOML: {message}")]
    Toml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: the route registry must be an object of routes (name -> {{ domain, target, ... }}), found {found}")]
    NotAnObject { path: PathBuf, found: &'static str },
}

/// The parsed registry: the routes that could be read completely, and the
/// problems found while reading (routes with problems are left out of `routes`).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub routes: Vec<Route>,
    pub problems: Vec<Diagnostic>,
}

/// Read and parse a registry file (`-` reads stdin).
pub fn load(path: &Path) -> Result<Parsed, RegistryError> {
    let read = |source| RegistryError::Read {
        path: path.to_path_buf(),
        source,
    };
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(read)?;
        s
    } else {
        std::fs::read_to_string(path).map_err(read)?
    };
    parse(path, &text, InputFormat::detect(path, &text))
}

fn default_priority() -> i64 {
    DEFAULT_PRIORITY
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_control)
}

fn fast(text: &str, format: InputFormat) -> Option<Parsed> {
    let map: std::collections::BTreeMap<String, RouteSpec> = match format {
        InputFormat::Json => serde_json::from_str(text).ok()?,
        InputFormat::Toml => toml::from_str(text).ok()?,
    };
    if !map.keys().all(|n| valid_name(n)) {
        return None;
    }
    let routes = map
        .into_iter()
        .map(|(name, spec)| Route { name, spec })
        .collect();
    Some(Parsed {
        routes,
        problems: Vec::new(),
    })
}

/// Parse registry text (`path` is used in messages only).
///
/// A registry without problems takes a typed fast path; otherwise the text is
/// read again generically so that every problem can be reported.
pub fn parse(path: &Path, text: &str, format: InputFormat) -> Result<Parsed, RegistryError> {
    // JSON keeps the last of two equal keys without a word; TOML refuses them.
    let dups = match format {
        InputFormat::Json => crate::dupkeys::duplicate_keys(path, text),
        InputFormat::Toml => Vec::new(),
    };
    if dups.is_empty() {
        if let Some(parsed) = fast(text, format) {
            return Ok(parsed);
        }
    }
    let value: Value = match format {
        InputFormat::Json => serde_json::from_str(text).map_err(|e| RegistryError::Json {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?,
        InputFormat::Toml => {
            let table: toml::Table = toml::from_str(text).map_err(|e| {
                let (line, column) = e
                    .span()
                    .map(|s| offset_to_line_col(text, s.start))
                    .unwrap_or((1, 1));
                RegistryError::Toml {
                    path: path.to_path_buf(),
                    line,
                    column,
                    message: e.message().trim().to_string(),
                }
            })?;
            toml_to_json(toml::Value::Table(table))
        }
    };
    let Value::Object(map) = value else {
        return Err(RegistryError::NotAnObject {
            path: path.to_path_buf(),
            found: type_name(&value),
        });
    };
    let mut parsed = Parsed {
        problems: dups,
        ..Parsed::default()
    };
    for (name, value) in map {
        if let Some(route) = parse_route(&name, &value, &mut parsed.problems) {
            parsed.routes.push(route);
        }
    }
    parsed.routes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(parsed)
}

fn parse_route(name: &str, value: &Value, problems: &mut Vec<Diagnostic>) -> Option<Route> {
    let before = problems.len();
    if !valid_name(name) {
        problems.push(Diagnostic::error(
            Kind::InvalidName,
            [name],
            None,
            format!(
                "route name {name:?} is empty or contains control characters; use a plain name such as `immich`"
            ),
        ));
    }
    let Value::Object(fields) = value else {
        problems.push(Diagnostic::error(
            Kind::WrongType,
            [name],
            None,
            format!(
                "a route must be an object with keys {}, found {}",
                keys().join(", "),
                type_name(value)
            ),
        ));
        return None;
    };
    // Read with the schema; on each problem, report it, take the key out (or
    // put a stand-in for a missing one) and read again, so that every problem
    // of the route is reported at once.
    let mut obj = fields.clone();
    let mut stand_ins: Vec<String> = Vec::new();
    for _ in 0..=(fields.len() + keys().len()) {
        let err = match serde_path_to_error::deserialize::<_, RouteSpec>(Value::Object(obj.clone()))
        {
            Ok(spec) if problems.len() == before => {
                return Some(Route {
                    name: name.to_string(),
                    spec,
                })
            }
            Ok(_) => return None,
            Err(e) => e,
        };
        let msg = err.inner().to_string();
        if let Some(key) = quoted_after(&msg, "unknown field `") {
            let squash = |s: &str| -> String {
                s.chars()
                    .filter(|c| *c != '_' && *c != '-')
                    .collect::<String>()
                    .to_ascii_lowercase()
            };
            let hint = keys()
                .iter()
                .find(|k| squash(k) == squash(&key))
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            problems.push(Diagnostic::error(
                Kind::UnknownKey,
                [name],
                Some(&key),
                format!(
                    "unknown key `{key}`{hint}; allowed keys: {}",
                    keys().join(", ")
                ),
            ));
            obj.remove(&key);
        } else if let Some(key) = quoted_after(&msg, "missing field `") {
            if !stand_ins.contains(&key) {
                if !fields.contains_key(&key) {
                    problems.push(Diagnostic::error(
                        Kind::MissingKey,
                        [name],
                        Some(&key),
                        format!("missing required key `{key}`"),
                    ));
                }
                obj.insert(key.clone(), stand_in(&obj, &key));
                stand_ins.push(key);
            } else {
                return None;
            }
        } else {
            let key = err.path().to_string();
            let key = key.split('.').next().unwrap_or("").to_string();
            let found = fields.get(&key).unwrap_or(&Value::Null);
            let expected = msg
                .rsplit_once("expected ")
                .map_or("another type", |(_, e)| e)
                .replace("i64", "an integer");
            problems.push(Diagnostic::error(
                Kind::WrongType,
                [name],
                Some(&key),
                format!(
                    "`{key}` must be {expected}, found {} `{}`",
                    type_name(found),
                    short(found)
                ),
            ));
            obj.remove(&key)?;
        }
    }
    None
}

/// The word between `start` and the next backquote in a serde message.
fn quoted_after(msg: &str, start: &str) -> Option<String> {
    let rest = msg.split_once(start)?.1;
    Some(rest.split('`').next()?.to_string())
}

/// A value of the right type for the missing `key` (so that the rest of the
/// route can still be checked).
fn stand_in(obj: &serde_json::Map<String, Value>, key: &str) -> Value {
    let candidates = [
        Value::String(String::new()),
        Value::from(0),
        Value::Bool(false),
        Value::Null,
    ];
    for c in &candidates {
        let mut o = obj.clone();
        o.insert(key.to_string(), c.clone());
        match serde_path_to_error::deserialize::<_, RouteSpec>(Value::Object(o)) {
            Ok(_) => return c.clone(),
            Err(e) if e.path().to_string().split('.').next() != Some(key) => return c.clone(),
            Err(_) => {}
        }
    }
    Value::Null
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}...")
    } else {
        s
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a float",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// serde_json appends " at line L column C"; the position is printed separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn offset_to_line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str, f: InputFormat) -> Parsed {
        parse(Path::new("routes"), text, f).expect("parses")
    }

    #[test]
    fn json_with_nix_defaults() {
        let r = p(
            r#"{"immich":{"domain":"photos.x.ts.net","path":null,"target":"http://127.0.0.1:2283",
            "priority":1000,"stripPrefix":false,"extraConfig":"","handleConfig":""}}"#,
            InputFormat::Json,
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.routes[0].path, None);
        assert_eq!(r.routes[0].priority, 1000);
    }

    #[test]
    fn keys_come_from_the_schema() {
        assert_eq!(
            keys(),
            [
                "domain",
                "path",
                "target",
                "priority",
                "stripPrefix",
                "extraConfig",
                "handleConfig"
            ]
        );
    }

    #[test]
    fn toml_defaults_apply() {
        let r = p(
            "[ollama]\ndomain = \"a.test\"\npath = \"/ollama/*\"\ntarget = \"127.0.0.1:11434\"\n",
            InputFormat::Toml,
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.routes[0].priority, DEFAULT_PRIORITY);
        assert!(!r.routes[0].strip_prefix);
    }

    #[test]
    fn all_problems_at_once() {
        let r = p(
            r#"{"a":{"domain":1,"target":"x:1","colour":"red"},"b":{"target":"y:2","priority":"high"},"c":[]}"#,
            InputFormat::Json,
        );
        let text: Vec<String> = r.problems.iter().map(ToString::to_string).collect();
        assert_eq!(r.routes.len(), 0);
        assert_eq!(r.problems.len(), 5, "{text:#?}");
        assert!(text
            .iter()
            .any(|t| t.contains("`a`") && t.contains("`colour`")));
        assert!(text
            .iter()
            .any(|t| t.contains("`a`") && t.contains("`domain`")));
        assert!(text
            .iter()
            .any(|t| t.contains("`b`") && t.contains("missing required key `domain`")));
        assert!(text
            .iter()
            .any(|t| t.contains("`b`") && t.contains("`priority` must be an integer")));
        assert!(text
            .iter()
            .any(|t| t.contains("`c`") && t.contains("must be an object")));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e =
            parse(Path::new("r.json"), "{\n \"a\": {,}\n}", InputFormat::Json).expect_err("bad");
        assert!(e.to_string().starts_with("r.json:2:"), "{e}");
        let e = parse(Path::new("r.toml"), "[a]\ndomain = \n", InputFormat::Toml).expect_err("bad");
        assert!(e.to_string().starts_with("r.toml:2:"), "{e}");
        let e = parse(Path::new("r.json"), "[1]", InputFormat::Json).expect_err("list");
        assert!(e.to_string().contains("must be an object"), "{e}");
    }
}

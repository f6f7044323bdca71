//! Problems found in a registry: errors (the registry cannot work) and warnings.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of problem; stable names for `--json` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    InvalidName,
    DuplicateName,
    UnknownKey,
    MissingKey,
    WrongType,
    InvalidDomain,
    InvalidPath,
    InvalidTarget,
    InvalidConfigText,
    StripPrefixWithoutPath,
    SchemeConflict,
    TwoCatchAlls,
    DuplicatePath,
    Shadowed,
    PriorityIneffective,
    StripLeavesRelativePath,
    StripIneffective,
    EmptyRegistry,
}

/// One problem, naming the routes (and the key) involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub kind: Kind,
    pub routes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn error<'a>(
        kind: Kind,
        routes: impl IntoIterator<Item = &'a str>,
        key: Option<&str>,
        message: String,
    ) -> Self {
        Self::new(Severity::Error, kind, routes, key, message)
    }

    pub fn warning<'a>(
        kind: Kind,
        routes: impl IntoIterator<Item = &'a str>,
        key: Option<&str>,
        message: String,
    ) -> Self {
        Self::new(Severity::Warning, kind, routes, key, message)
    }

    fn new<'a>(
        severity: Severity,
        kind: Kind,
        routes: impl IntoIterator<Item = &'a str>,
        key: Option<&str>,
        message: String,
    ) -> Self {
        Diagnostic {
            severity,
            kind,
            routes: routes.into_iter().map(str::to_string).collect(),
            key: key.map(str::to_string),
            message,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: ")?;
        match self.routes.as_slice() {
            [] => {}
            [one] => write!(f, "route `{one}`")?,
            many => {
                let names: Vec<String> = many.iter().map(|n| format!("`{n}`")).collect();
                write!(f, "routes {}", names.join(", "))?;
            }
        }
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        if !self.routes.is_empty() || self.key.is_some() {
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// Sort problems for stable output: errors first, then by kind, then by routes.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.severity, &a.routes, a.kind, &a.key, &a.message)
            .cmp(&(b.severity, &b.routes, b.kind, &b.key, &b.message))
    });
}

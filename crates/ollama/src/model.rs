//! Model names: `name[:tag]`, with `:latest` implied.

use std::fmt;

/// A model name as Ollama stores it: `[host/][namespace/]name:tag`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelName {
    /// The name as the user wrote it.
    pub given: String,
    /// Lower-case, with `:latest` added when no tag was given.
    pub canonical: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid model name `{name}`: {why} (expected `name[:tag]`, e.g. `qwen3:8b`)")]
pub struct BadModelName {
    pub name: String,
    pub why: &'static str,
}

impl ModelName {
    pub fn parse(s: &str) -> Result<ModelName, BadModelName> {
        let bad = |why| BadModelName {
            name: s.to_string(),
            why,
        };
        let (name, tag) = match s.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n, Some(t)),
            _ => (s, None),
        };
        if name.is_empty() {
            return Err(bad("empty name"));
        }
        let name_ok = |c: char| c.is_ascii_alphanumeric() || "._-/".contains(c);
        // a registry host may carry a port: `host:5000/ns/name`
        let (host, rest) = match name.split_once('/') {
            Some((h, r)) => (h, r),
            None => ("", name),
        };
        let host_ok = |c: char| name_ok(c) || c == ':';
        if !host.chars().all(host_ok) || !rest.chars().all(name_ok) {
            return Err(bad(
                "the name may hold only letters, digits, `.`, `_`, `-` and `/`",
            ));
        }
        if name.starts_with('/')
            || name.ends_with('/')
            || name.contains("//")
            || name.split('/').any(|p| p == "." || p == "..")
        {
            return Err(bad("misplaced `/` or dot segment"));
        }
        let tag = match tag {
            Some("") => return Err(bad("empty tag after `:`")),
            Some(t)
                if !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) =>
            {
                return Err(bad(
                    "the tag may hold only letters, digits, `.`, `_` and `-`",
                ))
            }
            Some(t) => t,
            None => "latest",
        };
        Ok(ModelName {
            given: s.to_string(),
            canonical: format!("{name}:{tag}").to_ascii_lowercase(),
        })
    }

    /// Normalise a name Ollama reports (`/api/tags`, `/api/ps`) for comparison.
    pub fn canonical_of(reported: &str) -> String {
        match ModelName::parse(reported) {
            Ok(m) => m.canonical,
            Err(_) => reported.to_ascii_lowercase(),
        }
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.given)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_is_implied() {
        let canon = |s| ModelName::parse(s).expect(s).canonical;
        assert_eq!(canon("nomic-embed-text"), "nomic-embed-text:latest");
        assert_eq!(canon("qwen3:4b"), "qwen3:4b");
        assert_eq!(canon("Qwen3:4B"), "qwen3:4b");
        assert_eq!(canon("hf.co/org/model:Q4_K_M"), "hf.co/org/model:q4_k_m");
        assert_eq!(
            canon("registry.local:5000/ns/m"),
            "registry.local:5000/ns/m:latest"
        );
    }

    #[test]
    fn bad_names() {
        for s in [
            "", "qwen 3", "qwen3:", ":4b", "a//b", "../x", "x\u{0}", "m:t:t", "m:t/x/",
        ] {
            let e = ModelName::parse(s);
            assert!(e.is_err(), "{s:?} accepted: {e:?}");
        }
    }
}

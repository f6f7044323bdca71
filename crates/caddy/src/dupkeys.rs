//! Keys given twice in a JSON registry. JSON parsers (serde_json too) keep
//! the last of two equal keys without a word, so a route registered twice
//! under one name would silently lose its first definition; this scan finds
//! them, with their line numbers, before the registry is read.

use std::path::Path;

use crate::diag::{Diagnostic, Kind};

/// Keys given twice in one JSON object, at the registry level (a route name)
/// or inside a route; JSON parsers keep the last one silently. One pass over
/// the text; only keys of the two upper levels are decoded and remembered.
pub fn duplicate_keys(path: &Path, text: &str) -> Vec<Diagnostic> {
    use std::borrow::Cow;
    /// One open object or array; objects of the two upper levels remember their keys.
    struct Frame<'a> {
        object: bool,
        want_key: bool,
        keys: rustc_hash::FxHashMap<Cow<'a, str>, usize>,
        /// The route an object of the second level belongs to.
        route: Option<Cow<'a, str>>,
    }
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut last_key: Option<Cow<'_, str>> = None;
    let (b, mut i, mut line) = (text.as_bytes(), 0usize, 1usize);
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'"' => {
                let (start, key_line) = (i, line);
                let mut escaped = false;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    match b[i] {
                        b'\\' => {
                            escaped = true;
                            i += 1;
                        }
                        b'\n' => line += 1,
                        _ => {}
                    }
                    i += 1;
                }
                let depth = stack.len();
                let Some(frame) = stack.last_mut().filter(|f| f.object && f.want_key) else {
                    i += 1;
                    continue;
                };
                frame.want_key = false;
                if depth > 2 {
                    i += 1;
                    continue;
                }
                let raw = text.get(start + 1..i.min(b.len())).unwrap_or("");
                let key: Cow<'_, str> = if escaped {
                    match text
                        .get(start..=i.min(b.len() - 1))
                        .map(serde_json::from_str::<String>)
                    {
                        Some(Ok(k)) => Cow::Owned(k),
                        _ => return out, // malformed: the JSON parser reports it
                    }
                } else {
                    Cow::Borrowed(raw)
                };
                let file = path.display();
                match frame.keys.get(key.as_ref()) {
                    Some(first) if depth == 1 => out.push(Diagnostic::error(
                        Kind::DuplicateName,
                        [key.as_ref()],
                        None,
                        format!("defined twice, on lines {first} and {key_line} of {file} (a JSON parser would silently keep the last); rename or remove one"),
                    )),
                    Some(first) => {
                        if let Some(route) = &frame.route {
                            out.push(Diagnostic::error(
                                Kind::DuplicateName,
                                [route.as_ref()],
                                Some(&key),
                                format!("`{key}` is given twice, on lines {first} and {key_line} of {file}; keep one"),
                            ));
                        }
                    }
                    None => {
                        frame.keys.insert(key.clone(), key_line);
                    }
                }
                if depth == 1 {
                    last_key = Some(key);
                }
            }
            open @ (b'{' | b'[') => {
                let route = if stack.len() == 1 {
                    last_key.take()
                } else {
                    None
                };
                stack.push(Frame {
                    object: open == b'{',
                    want_key: open == b'{',
                    keys: rustc_hash::FxHashMap::default(),
                    route,
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(f) = stack.last_mut().filter(|f| f.object) {
                    f.want_key = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_found_through_escapes_and_only_at_two_levels() {
        let text = "{\"a\": {\"domain\": \"x\", \"target\": \"y:1\",\n \"extraConfig\": \"\\\"}\"},\n\"\\u0061\": {\"domain\": \"x\", \"target\": \"y:1\"}, \"b\": {\"domain\": \"x\", \"target\": \"y:1\", \"deep\": {\"k\": 1, \"k\": 2}}}";
        let msgs: Vec<String> = duplicate_keys(Path::new("routes"), text)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("error: route `a`: defined twice, on lines 1 and 3")),
            "{msgs:#?}"
        );
        // only the two upper levels: `deep`'s own keys are not the registry's
        assert_eq!(msgs.len(), 1, "{msgs:#?}");
    }
}

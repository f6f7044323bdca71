//! File names are bytes. A [`RelPath`] is a path relative to a side's root, `/`-separated,
//! exactly as the file system holds it (Linux names need not be UTF-8: `caf\xe9.txt`).
//!
//! Three encodings, each lossless:
//! - rclone's listings and the guard's state files use Go's `strconv.Quote` (what rclone
//!   writes): `"caf\xe9.txt"`;
//! - JSON output (`--json`) uses PEP 383 "surrogateescape": valid UTF-8 stays as is and each
//!   byte that is not valid UTF-8 becomes the lone surrogate `\udcXX`, so
//!   `os.fsencode(json.loads(out))` in Python gives back the exact bytes;
//! - human text shows invalid bytes as `\xNN` (like rclone's log).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A path relative to a side's root, as bytes.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(Vec<u8>);

impl RelPath {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(&self.0))
    }

    /// `root/self`.
    pub fn under(&self, root: &Path) -> PathBuf {
        root.join(self.as_path())
    }

    /// `base/self` for an rclone remote path (`remote:dir`), as bytes.
    pub fn under_remote(&self, base: &str) -> Vec<u8> {
        let mut out = base.as_bytes().to_vec();
        if !(base.ends_with(':') || base.ends_with('/')) {
            out.push(b'/');
        }
        out.extend_from_slice(&self.0);
        out
    }

    pub fn is_utf8(&self) -> bool {
        std::str::from_utf8(&self.0).is_ok()
    }

    /// The name with `suffix` appended (`a.txt` -> `a.txt.1a2b3c4d.partial`).
    pub fn with_suffix(&self, suffix: &[u8]) -> Self {
        let mut v = self.0.clone();
        v.extend_from_slice(suffix);
        Self(v)
    }

    /// Human form: valid UTF-8 as is, other bytes as `\xNN`.
    pub fn escaped(&self) -> String {
        let mut s = String::with_capacity(self.0.len());
        for chunk in self.0.utf8_chunks() {
            s.push_str(chunk.valid());
            for b in chunk.invalid() {
                s.push_str(&format!("\\x{b:02x}"));
            }
        }
        s
    }

    /// The JSON string literal (with quotes) in surrogateescape form.
    pub fn json_literal(&self) -> String {
        let mut s = String::with_capacity(self.0.len() + 2);
        s.push('"');
        for chunk in self.0.utf8_chunks() {
            let valid = serde_json::to_string(chunk.valid()).unwrap_or_default();
            s.push_str(valid.trim_start_matches('"').trim_end_matches('"'));
            for b in chunk.invalid() {
                s.push_str(&format!("\\udc{b:02x}"));
            }
        }
        s.push('"');
        s
    }
}

impl From<&str> for RelPath {
    fn from(s: &str) -> Self {
        Self(s.as_bytes().to_vec())
    }
}

impl std::fmt::Display for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.escaped())
    }
}

impl std::fmt::Debug for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&quote(&self.0))
    }
}

impl serde::Serialize for RelPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Ok(text) = std::str::from_utf8(&self.0) {
            return s.serialize_str(text);
        }
        let raw = serde_json::value::RawValue::from_string(self.json_literal())
            .map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// Many relative paths in one buffer: a tree walk of 10,000 files makes two allocations,
/// not 10,000.
#[derive(Debug, Default, Clone)]
pub struct Names {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Names {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Append `prefix` + `/` + `name` (no `/` when `prefix` is empty).
    pub fn push_joined(&mut self, prefix: &[u8], name: &[u8]) {
        self.bytes.extend_from_slice(prefix);
        if !prefix.is_empty() {
            self.bytes.push(b'/');
        }
        self.bytes.extend_from_slice(name);
        self.ends.push(self.bytes.len());
    }

    pub fn push(&mut self, name: &[u8]) {
        self.push_joined(b"", name);
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(self.ends.iter())
            .map(|(a, b)| &self.bytes[a..*b])
    }

    pub fn contains(&self, name: &[u8]) -> bool {
        self.iter().any(|n| n == name)
    }
}

/// The name rclone gives a local file (Linux: its `Base` encoding decoded, then the
/// `Standard` encoding it uses in listings and output), segment by segment. Control
/// characters become the Unicode control pictures (`Icon\r` is `Icon␍` in rclone's
/// listings), DEL becomes `␡`, and literal control pictures and `‛` are quoted with `‛`.
/// Borrowed when nothing changes (the common case: no byte below 0x20, no DEL, no
/// U+2000-U+2FFF or U+FF00-U+FFFF character). Checked against real rclone in the tests.
pub fn rclone_name(os: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let plain = !os
        .iter()
        .any(|&b| b < 0x20 || b == 0x7f || b == 0xe2 || b == 0xef);
    if plain {
        return std::borrow::Cow::Borrowed(os);
    }
    let mut out = Vec::with_capacity(os.len() + 8);
    for (i, seg) in os.split(|b| *b == b'/').enumerate() {
        if i > 0 {
            out.push(b'/');
        }
        standard_encode(&base_decode(seg), &mut out);
    }
    std::borrow::Cow::Owned(out)
}

/// Names on disk turned into rclone's names ([`rclone_name`]), with the bytes on disk of
/// those that differ (rclone form -> on disk). The buffer is kept as it is when no name
/// differs (the common case).
pub fn rclone_names(on_disk: Names) -> (Names, std::collections::HashMap<RelPath, RelPath>) {
    use std::borrow::Cow;
    let mut renamed = std::collections::HashMap::new();
    if on_disk
        .iter()
        .all(|n| matches!(rclone_name(n), Cow::Borrowed(_)))
    {
        return (on_disk, renamed);
    }
    let mut names = Names::default();
    for n in on_disk.iter() {
        let r = rclone_name(n);
        names.push(&r);
        if let Cow::Owned(r) = r {
            renamed.insert(RelPath(r), RelPath(n.to_vec()));
        }
    }
    (names, renamed)
}

const QUOTE: char = '\u{201b}'; // ‛
const SYMBOL_NULL: u32 = 0x2400; // ␀
const FULL_SLASH: char = '\u{ff0f}'; // ／

/// One piece of a name: a character, or a byte that is not valid UTF-8.
enum Piece<'a> {
    Char(char),
    Raw(&'a [u8]),
}

fn pieces(b: &[u8]) -> impl Iterator<Item = Piece<'_>> {
    b.utf8_chunks().flat_map(|c| {
        c.valid()
            .chars()
            .map(Piece::Char)
            .chain((!c.invalid().is_empty()).then(|| Piece::Raw(c.invalid())))
    })
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// rclone's `Base` encoding (NUL, slash, dot names) decoded: how the local backend reads a
/// file name on Linux.
fn base_decode(seg: &[u8]) -> Vec<u8> {
    let whole = match seg {
        s if s == "\u{ff0e}".as_bytes() => Some("."),
        s if s == "\u{ff0e}\u{ff0e}".as_bytes() => Some(".."),
        s if s == "\u{201b}\u{ff0e}".as_bytes() => Some("\u{ff0e}"),
        s if s == "\u{201b}\u{ff0e}\u{201b}\u{ff0e}".as_bytes() => Some("\u{ff0e}\u{ff0e}"),
        _ => None,
    };
    if let Some(w) = whole {
        return w.as_bytes().to_vec();
    }
    let mut out = Vec::with_capacity(seg.len());
    let mut quoted = false;
    for p in pieces(seg) {
        let unquote = std::mem::take(&mut quoted);
        match p {
            Piece::Char('\u{2400}') => push_char(&mut out, if unquote { '\u{2400}' } else { '\0' }),
            Piece::Char(QUOTE) if !unquote => quoted = true,
            Piece::Char(QUOTE) => push_char(&mut out, QUOTE),
            Piece::Char(FULL_SLASH) => push_char(&mut out, if unquote { FULL_SLASH } else { '/' }),
            p => {
                if unquote {
                    push_char(&mut out, QUOTE);
                }
                match p {
                    Piece::Char(c) => push_char(&mut out, c),
                    Piece::Raw(b) => out.extend_from_slice(b),
                }
            }
        }
    }
    if quoted {
        push_char(&mut out, QUOTE);
    }
    out
}

/// rclone's `Standard` encoding (NUL, slash, control characters, DEL, dot names).
fn standard_encode(name: &[u8], out: &mut Vec<u8>) {
    let whole = match name {
        b"." => Some("\u{ff0e}"),
        b".." => Some("\u{ff0e}\u{ff0e}"),
        s if s == "\u{ff0e}".as_bytes() => Some("\u{201b}\u{ff0e}"),
        s if s == "\u{ff0e}\u{ff0e}".as_bytes() => Some("\u{201b}\u{ff0e}\u{201b}\u{ff0e}"),
        _ => None,
    };
    if let Some(w) = whole {
        out.extend_from_slice(w.as_bytes());
        return;
    }
    for p in pieces(name) {
        let c = match p {
            Piece::Raw(b) => {
                out.extend_from_slice(b);
                continue;
            }
            Piece::Char(c) => c,
        };
        let v = c as u32;
        let mapped = match c {
            '/' => Some(FULL_SLASH),
            '\x7f' => char::from_u32(0x2421),
            _ if v < 0x20 => char::from_u32(SYMBOL_NULL + v),
            _ => None,
        };
        if let Some(m) = mapped {
            push_char(out, m);
            continue;
        }
        let quote = c == QUOTE
            || c == FULL_SLASH
            || v == 0x2421
            || (SYMBOL_NULL..=SYMBOL_NULL + 0x1f).contains(&v);
        if quote {
            push_char(out, QUOTE);
        }
        push_char(out, c);
    }
}

/// Serde for state files: a list of names as Go-quoted strings.
pub mod quoted_list {
    use super::{quote, unquote, RelPath};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[RelPath], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|p| quote(p.as_bytes())))
    }

    /// A list, or (state written by the previous version) a bare count, read as no names:
    /// an approval recorded as a count then matches nothing and the guard asks again.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrCount {
        List(Vec<String>),
        Count(u64),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<RelPath>, D::Error> {
        let v = match ListOrCount::deserialize(d)? {
            ListOrCount::List(v) => v,
            ListOrCount::Count(n) => {
                tracing::debug!(
                    "state from the previous version: {n} pending deletions without names"
                );
                Vec::new()
            }
        };
        v.iter()
            .map(|q| {
                unquote(q.as_bytes())
                    .map(RelPath)
                    .ok_or_else(|| serde::de::Error::custom(format!("bad quoted name {q}")))
            })
            .collect()
    }
}

/// Go's `strconv.Quote`: printable UTF-8 as is, control characters escaped, bytes that are
/// not valid UTF-8 as `\xNN`.
pub fn quote(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    out.push('"');
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\x0c' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\x0b' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                c if c.is_control() => {
                    let v = c as u32;
                    if v <= 0xffff {
                        out.push_str(&format!("\\u{v:04x}"));
                    } else {
                        out.push_str(&format!("\\U{v:08x}"));
                    }
                }
                c => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('"');
    out
}

/// Inverse of Go's `strconv.Quote` (double-quoted form), on bytes.
pub fn unquote(s: &[u8]) -> Option<Vec<u8>> {
    let inner = s.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    // The common case, no backslash: the loop below would copy every byte as it is.
    if memchr::memchr(b'\\', inner).is_none() {
        return Some(inner.to_vec());
    }
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut it = inner.iter().copied();
    let hexval = |c: u8| (c as char).to_digit(16);
    while let Some(c) = it.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let e = it.next()?;
        let mut hex = |n: usize| -> Option<u32> {
            let mut v = 0u32;
            for _ in 0..n {
                v = v * 16 + hexval(it.next()?)?;
            }
            Some(v)
        };
        let push_char = |v: u32, out: &mut Vec<u8>| -> Option<()> {
            let mut buf = [0u8; 4];
            out.extend_from_slice(char::from_u32(v)?.encode_utf8(&mut buf).as_bytes());
            Some(())
        };
        match e {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\\' => out.push(b'\\'),
            b'"' => out.push(b'"'),
            b'\'' => out.push(b'\''),
            b'x' => out.push(u8::try_from(hex(2)?).ok()?),
            b'u' => {
                let v = hex(4)?;
                push_char(v, &mut out)?;
            }
            b'U' => {
                let v = hex(8)?;
                push_char(v, &mut out)?;
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    v = v * 8 + (it.next()? as char).to_digit(8)?;
                }
                out.push(u8::try_from(v).ok()?);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_bytes() {
        for s in [
            &b"plain"[..],
            b"a\"b",
            b"tab\there",
            b"nl\n",
            "ünï €".as_bytes(),
            b"back\\slash",
            b"\x01",
            b"caf\xe9.txt",
            b"\xff\xfe",
        ] {
            assert_eq!(unquote(quote(s).as_bytes()).as_deref(), Some(s), "{s:?}");
        }
        assert_eq!(quote(b"caf\xe9.txt"), "\"caf\\xe9.txt\"");
        assert_eq!(
            unquote(b"\"\\u00e9\\101\"").as_deref(),
            Some("éA".as_bytes())
        );
    }

    #[test]
    fn json_is_surrogateescape() {
        let p = RelPath::new(&b"d/caf\xe9 \"x\".txt"[..]);
        let j = serde_json::to_string(&p).expect("json");
        assert_eq!(j, "\"d/caf\\udce9 \\\"x\\\".txt\"");
        assert_eq!(
            serde_json::to_string(&RelPath::from("é")).expect("json"),
            "\"é\""
        );
        assert_eq!(p.escaped(), "d/caf\\xe9 \"x\".txt");
    }
}

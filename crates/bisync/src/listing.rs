//! rclone bisync listings (`<workdir>/<session>.path{1,2}.lst`, format "v1" in rclone 1.58-1.63):
//!
//! ```text
//! # bisync listing v1 from 2026-11-21T23:24:48.921460771+0000
//! -        7 md5:b52731692f35498bba7e4660142129d2 - 2026-11-21T23:24:48.843276230+0000 "f1.txt"
//! ```
//! Fields: flags (`-`), size, hash (`-` or `type:value`), id (`-`), modification time with
//! exactly nine fractional digits and a `+hhmm` offset, and the Go-quoted path.

use std::collections::BTreeMap;
use std::path::Path;

use crate::name::{quote, unquote, RelPath};
use crate::Error;

/// One file in a listing (or in a current tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub size: i64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// The hash field as rclone wrote it (`-` when unknown).
    pub hash: String,
}

impl Entry {
    pub fn new(size: i64, mtime_ns: i128) -> Self {
        Self {
            size,
            mtime_ns,
            hash: "-".into(),
        }
    }
}

/// A listing: path (bytes) -> entry, sorted like rclone's.
pub type Listing = BTreeMap<RelPath, Entry>;

/// Parse a listing file (bytes: names need not be UTF-8).
pub fn read_listing(path: &Path) -> Result<Listing, Error> {
    let data = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_listing(&data).map_err(|(line, message)| Error::Listing {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Parse listing bytes; errors carry the 1-based line number.
pub fn parse_listing(data: &[u8]) -> Result<Listing, (usize, String)> {
    // rclone writes its listings sorted: collecting a Vec and building the map from it
    // (a bulk build) is much cheaper than 10,000 inserts.
    let mut out: Vec<(RelPath, Entry)> = Vec::with_capacity(data.len() / 80);
    for (i, line) in data.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix(b"#") {
            if n == 1 && !rest.trim_ascii_start().starts_with(b"bisync listing v1") {
                return Err((
                    n,
                    format!(
                        "unsupported listing header `{}`",
                        String::from_utf8_lossy(line)
                    ),
                ));
            }
            continue;
        }
        out.push(parse_line(line).map_err(|m| (n, m))?);
    }
    Ok(out.into_iter().collect())
}

fn parse_line(line: &[u8]) -> Result<(RelPath, Entry), String> {
    let shown = || String::from_utf8_lossy(line).into_owned();
    let mut rest = line;
    let mut field = || -> Result<&str, String> {
        while let Some(r) = rest.strip_prefix(b" ") {
            rest = r;
        }
        let end = rest
            .iter()
            .position(|b| *b == b' ')
            .ok_or_else(|| format!("truncated line `{}`", shown()))?;
        let (f, r) = rest.split_at(end);
        rest = r;
        std::str::from_utf8(f).map_err(|_| format!("bad field in `{}`", shown()))
    };
    let flags = field()?;
    if flags != "-" {
        return Err(format!("unexpected flags `{flags}`"));
    }
    let size: i64 = field()?
        .parse()
        .map_err(|_| format!("bad size in `{}`", shown()))?;
    let hash = field()?.to_string();
    let _id = field()?;
    let time = field()?;
    let mtime_ns = parse_time(time).ok_or_else(|| format!("bad time `{time}`"))?;
    let quoted = rest.trim_ascii_start();
    let path = unquote(quoted)
        .ok_or_else(|| format!("bad quoted path `{}`", String::from_utf8_lossy(quoted)))?;
    Ok((
        RelPath::new(path),
        Entry {
            size,
            mtime_ns,
            hash,
        },
    ))
}

/// Render a listing in rclone's format (bytes: names keep every byte, Go-quoted).
pub fn render_listing(listing: &Listing, now_ns: i128) -> Vec<u8> {
    let mut s = format!("# bisync listing v1 from {}\n", format_time(now_ns));
    for (path, e) in listing {
        let hash = if e.hash.is_empty() { "-" } else { &e.hash };
        s.push_str(&format!(
            "- {:>8} {} - {} {}\n",
            e.size,
            hash,
            format_time(e.mtime_ns),
            quote(path.as_bytes())
        ));
    }
    s.into_bytes()
}

/// `2026-11-21T23:24:48.843276230+0000` (rclone's listings) or RFC 3339 (`rclone lsjson`:
/// `Z`, `+00:00`, any number of fractional digits) -> ns since the epoch.
pub fn parse_time(s: &str) -> Option<i128> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_nanosecond())
}

/// ns since epoch -> `2026-11-21T23:24:48.843276230+0000` (UTC), rclone's listing form.
pub fn format_time(ns: i128) -> String {
    let t = jiff::Timestamp::from_nanosecond(ns).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    t.strftime("%Y-%m-%dT%H:%M:%S.%9f+0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# bisync listing v1 from 2026-11-21T23:24:48.921460771+0000\n\
-        0 md5:d41d8cd98f00b204e9800998ecf8427e - 2026-11-21T23:24:48.847276231+0000 \"RCLONE_TEST\"\n\
-        7 - - 2026-11-21T23:24:48.843276230+0000 \"dir/a \\\"b\\\".txt\"\n";

    #[test]
    fn parses_rclone_160_listing() {
        let l = parse_listing(SAMPLE.as_bytes()).expect("parse");
        assert_eq!(l.len(), 2);
        let e = &l[&RelPath::from("dir/a \"b\".txt")];
        assert_eq!(e.size, 7);
        assert_eq!(e.hash, "-");
        assert_eq!(
            format_time(e.mtime_ns),
            "2026-11-21T23:24:48.843276230+0000"
        );
        assert_eq!(
            l[&RelPath::from("RCLONE_TEST")].hash,
            "md5:d41d8cd98f00b204e9800998ecf8427e"
        );
    }

    #[test]
    fn render_round_trips() {
        let l = parse_listing(SAMPLE.as_bytes()).expect("parse");
        let text = render_listing(&l, 0);
        assert_eq!(parse_listing(&text).expect("reparse"), l);
        let text = String::from_utf8(text).expect("utf8");
        assert!(text
            .contains("-        7 - - 2026-11-21T23:24:48.843276230+0000 \"dir/a \\\"b\\\".txt\""));
    }

    #[test]
    fn times() {
        let a = parse_time("2026-11-21T23:24:48.843276230+0000").expect("t");
        assert_eq!(parse_time("2026-11-21T23:24:48.84327623Z"), Some(a));
        assert_eq!(parse_time("2026-11-22T00:24:48.843276230+01:00"), Some(a));
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(format_time(0), "1970-01-01T00:00:00.000000000+0000");
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn non_utf8_names_are_kept() {
        // rclone 1.60 writes a Latin-1 name Go-quoted with `\xe9`.
        let text = b"# bisync listing v1 from 2026-11-21T23:24:48.921460771+0000\n-        5 - - 2026-11-21T23:24:48.843276230+0000 \"caf\\xe9.txt\"\n";
        let l = parse_listing(text).expect("parse");
        let name = RelPath::new(&b"caf\xe9.txt"[..]);
        assert!(l.contains_key(&name));
        assert_eq!(parse_listing(&render_listing(&l, 0)).expect("reparse"), l);
    }

    #[test]
    fn bad_lines_are_located() {
        let e =
            parse_listing(b"# bisync listing v1 from x\n- 7 - - nottime \"x\"\n").expect_err("bad");
        assert_eq!(e.0, 2);
        let e = parse_listing(b"# bisync listing v9 from x\n").expect_err("header");
        assert_eq!(e.0, 1);
    }
}

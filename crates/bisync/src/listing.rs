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

/// A listing: path -> entry, sorted like rclone's.
pub type Listing = BTreeMap<String, Entry>;

/// Parse a listing file.
pub fn read_listing(path: &Path) -> Result<Listing, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_listing(&text).map_err(|(line, message)| Error::Listing {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Parse listing text; errors carry the 1-based line number.
pub fn parse_listing(text: &str) -> Result<Listing, (usize, String)> {
    let mut out = Listing::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('#') {
            if n == 1 && !rest.trim_start().starts_with("bisync listing v1") {
                return Err((n, format!("unsupported listing header `{line}`")));
            }
            continue;
        }
        let (path, entry) = parse_line(line).map_err(|m| (n, m))?;
        out.insert(path, entry);
    }
    Ok(out)
}

fn parse_line(line: &str) -> Result<(String, Entry), String> {
    let mut rest = line;
    let mut field = || -> Result<&str, String> {
        rest = rest.trim_start_matches(' ');
        let end = rest
            .find(' ')
            .ok_or_else(|| format!("truncated line `{line}`"))?;
        let (f, r) = rest.split_at(end);
        rest = r;
        Ok(f)
    };
    let flags = field()?;
    if flags != "-" {
        return Err(format!("unexpected flags `{flags}`"));
    }
    let size: i64 = field()?
        .parse()
        .map_err(|_| format!("bad size in `{line}`"))?;
    let hash = field()?.to_string();
    let _id = field()?;
    let time = field()?;
    let mtime_ns = parse_time(time).ok_or_else(|| format!("bad time `{time}`"))?;
    let quoted = rest.trim_start_matches(' ');
    let path = unquote(quoted).ok_or_else(|| format!("bad quoted path `{quoted}`"))?;
    Ok((
        path,
        Entry {
            size,
            mtime_ns,
            hash,
        },
    ))
}

/// Render a listing in rclone's format.
pub fn render_listing(listing: &Listing, now_ns: i128) -> String {
    let mut s = format!("# bisync listing v1 from {}\n", format_time(now_ns));
    for (path, e) in listing {
        let hash = if e.hash.is_empty() { "-" } else { &e.hash };
        s.push_str(&format!(
            "- {:>8} {} - {} {}\n",
            e.size,
            hash,
            format_time(e.mtime_ns),
            quote(path)
        ));
    }
    s
}

/// `2026-11-21T23:24:48.843276230+0000` -> ns since epoch. Also accepts RFC 3339 (`Z`,
/// `+00:00`, any number of fractional digits) as printed by `rclone lsjson`.
pub fn parse_time(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut frac: i128 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = s.get(start..i)?;
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        frac = digits.parse::<i128>().ok()? * 10i128.pow(9 - digits.len() as u32);
    }
    let tz = s.get(i..)?;
    let offset_s: i64 = match tz {
        "Z" => 0,
        _ => {
            let sign = match tz.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = tz[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 {
                return None;
            }
            let hh: i64 = digits[0..2].parse().ok()?;
            let mm: i64 = digits[2..4].parse().ok()?;
            sign * (hh * 3600 + mm * 60)
        }
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86400 + h * 3600 + mi * 60 + se - offset_s;
    Some(i128::from(secs) * 1_000_000_000 + frac)
}

/// ns since epoch -> `2026-11-21T23:24:48.843276230+0000` (UTC).
pub fn format_time(ns: i128) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86400) as i64;
    let sod = secs.rem_euclid(86400) as i64;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:09}+0000",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

// Howard Hinnant's algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Go's `strconv.Quote` for the characters rclone can put in a path.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
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
    out.push('"');
    out
}

/// Inverse of Go's `strconv.Quote` (double-quoted form).
pub fn unquote(s: &str) -> Option<String> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut chars = inner.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let (_, e) = chars.next()?;
        let mut hex = |n: usize| -> Option<u32> {
            let mut v = 0u32;
            for _ in 0..n {
                v = v * 16 + chars.next()?.1.to_digit(16)?;
            }
            Some(v)
        };
        match e {
            'a' => out.push(7),
            'b' => out.push(8),
            'f' => out.push(12),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            't' => out.push(b'\t'),
            'v' => out.push(11),
            '\\' => out.push(b'\\'),
            '"' => out.push(b'"'),
            '\'' => out.push(b'\''),
            'x' => out.push(u8::try_from(hex(2)?).ok()?),
            'u' => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(char::from_u32(hex(4)?)?.encode_utf8(&mut buf).as_bytes());
            }
            'U' => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(char::from_u32(hex(8)?)?.encode_utf8(&mut buf).as_bytes());
            }
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    v = v * 8 + chars.next()?.1.to_digit(8)?;
                }
                out.push(u8::try_from(v).ok()?);
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# bisync listing v1 from 2026-11-21T23:24:48.921460771+0000\n\
-        0 md5:d41d8cd98f00b204e9800998ecf8427e - 2026-11-21T23:24:48.847276231+0000 \"RCLONE_TEST\"\n\
-        7 - - 2026-11-21T23:24:48.843276230+0000 \"dir/a \\\"b\\\".txt\"\n";

    #[test]
    fn parses_rclone_160_listing() {
        let l = parse_listing(SAMPLE).expect("parse");
        assert_eq!(l.len(), 2);
        let e = &l["dir/a \"b\".txt"];
        assert_eq!(e.size, 7);
        assert_eq!(e.hash, "-");
        assert_eq!(
            format_time(e.mtime_ns),
            "2026-11-21T23:24:48.843276230+0000"
        );
        assert_eq!(
            l["RCLONE_TEST"].hash,
            "md5:d41d8cd98f00b204e9800998ecf8427e"
        );
    }

    #[test]
    fn render_round_trips() {
        let l = parse_listing(SAMPLE).expect("parse");
        let text = render_listing(&l, 0);
        assert_eq!(parse_listing(&text).expect("reparse"), l);
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
    fn quoting() {
        for s in [
            "plain",
            "a\"b",
            "tab\there",
            "nl\n",
            "ünï €",
            "back\\slash",
            "\x01",
        ] {
            assert_eq!(unquote(&quote(s)).as_deref(), Some(s), "{s:?}");
        }
        assert_eq!(unquote("\"\\u00e9\\101\"").as_deref(), Some("éA"));
    }

    #[test]
    fn bad_lines_are_located() {
        let e =
            parse_listing("# bisync listing v1 from x\n- 7 - - nottime \"x\"\n").expect_err("bad");
        assert_eq!(e.0, 2);
        let e = parse_listing("# bisync listing v9 from x\n").expect_err("header");
        assert_eq!(e.0, 1);
    }
}

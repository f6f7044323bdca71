//! rclone bisync listings (`<workdir>/<session>.path{1,2}.lst`, format "v1" in rclone 1.58-1.63):
//!
//! ```text
//! # bisync listing v1 from 2026-11-21T23:24:48.921460771+0000
//! -        7 md5:b52731692f35498bba7e4660142129d2 - 2026-11-21T23:24:48.843276230+0000 "f1.txt"
//! ```
//! Fields: flags (`-`), size, hash (`-` or `type:value`), id (`-`), modification time with
//! exactly nine fractional digits and a `+hhmm` offset, and the Go-quoted path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::name::{quote, unquote, Names, RelPath};
use crate::Error;

/// One file in a listing (or in a current tree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub size: i64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i128,
    /// The hash field as rclone wrote it; empty when unknown (written `-`: no allocation
    /// for the common case).
    pub hash: String,
}

impl Entry {
    pub fn new(size: i64, mtime_ns: i128) -> Self {
        Self {
            size,
            mtime_ns,
            hash: String::new(),
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
    // Sized from the line count (one fast pass): no regrowth copying 10,000 entries.
    let lines = memchr::memchr_iter(b'\n', data).count() + 1;
    let mut out: Vec<(RelPath, Entry)> = Vec::with_capacity(lines);
    each_entry_line(data, |line| {
        out.push(parse_line(line)?);
        Ok(())
    })?;
    Ok(out.into_iter().collect())
}

/// Call `f` on every entry line (after checking the header); errors carry the 1-based
/// line number.
fn each_entry_line(
    data: &[u8],
    mut f: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<(), (usize, String)> {
    let mut lines = EntryLines::default();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len())) {
        lines.line(&data[start..end], &mut f)?;
        start = end + 1;
    }
    Ok(())
}

/// The lines of a listing, one at a time: the header checked, comments and empty lines
/// skipped, entry lines handed on.
#[derive(Default)]
struct EntryLines {
    n: usize,
}

impl EntryLines {
    fn line(
        &mut self,
        line: &[u8],
        f: &mut impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), (usize, String)> {
        self.n += 1;
        let n = self.n;
        if line.is_empty() {
            return Ok(());
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
            return Ok(());
        }
        f(line).map_err(|m| (n, m))
    }
}

/// The chunk [`read_lines`] reads at a time.
pub const CHUNK: usize = 128 * 1024;

/// Read `path` in chunks of `chunk` bytes through `buf` (reused: no buffer the size of the
/// file) and call `f` on each line, without its newline; the last line may lack one. The
/// outer error is the file's, the inner one `f`'s (which stops the reading).
pub fn read_lines<E>(
    path: &Path,
    buf: &mut Vec<u8>,
    chunk: usize,
    mut f: impl FnMut(&[u8]) -> Result<(), E>,
) -> std::io::Result<Result<(), E>> {
    use std::io::Read;
    let chunk = chunk.max(1);
    let mut file = std::fs::File::open(path)?;
    buf.clear();
    // bytes of an unfinished line at the front of `buf`
    let mut carry = 0;
    loop {
        buf.resize(carry + chunk, 0);
        let n = match file.read(&mut buf[carry..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let filled = carry + n;
        if n == 0 {
            return Ok(if carry > 0 { f(&buf[..carry]) } else { Ok(()) });
        }
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', &buf[carry..filled]) {
            if let Err(e) = f(&buf[start..carry + end]) {
                return Ok(Err(e));
            }
            start = carry + end + 1;
        }
        buf.copy_within(start..filled, 0);
        carry = filled - start;
    }
}

/// A listing as rclone wrote it, every line checked like [`parse_listing`] does, with only
/// its names decoded (into one buffer). The full [`Listing`] is read only when needed: a
/// run where nothing is deleted never needs it.
pub struct RawListing {
    path: PathBuf,
    names: Names,
}

impl RawListing {
    /// Read `path` in chunks through `buf` (the listing is never held whole).
    pub fn read(path: &Path, buf: &mut Vec<u8>) -> Result<RawListing, Error> {
        let mut names = Names::default();
        let mut lines = EntryLines::default();
        let mut take = |line: &[u8]| -> Result<(), String> {
            let quoted = parse_fields(line)?.quoted;
            let inner = quoted
                .strip_prefix(b"\"")
                .and_then(|q| q.strip_suffix(b"\""))
                .filter(|q| memchr::memchr(b'\\', q).is_none());
            match inner {
                // no escape: the bytes between the quotes are the name (as `unquote` gives)
                Some(name) => names.push(name),
                None => names.push(&unquote(quoted).ok_or_else(|| {
                    format!("bad quoted path `{}`", String::from_utf8_lossy(quoted))
                })?),
            }
            Ok(())
        };
        read_lines(path, buf, CHUNK, |line| lines.line(line, &mut take))
            .map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?
            .map_err(|(line, message)| Error::Listing {
                path: path.to_path_buf(),
                line,
                message,
            })?;
        Ok(RawListing {
            path: path.to_path_buf(),
            names,
        })
    }

    /// The names, in the file's order.
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// Entry lines.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The full listing, read again.
    pub fn to_listing(&self) -> Result<Listing, Error> {
        read_listing(&self.path)
    }
}

/// The fields of one entry line, borrowed from it.
struct Fields<'a> {
    size: i64,
    /// `-` or `type:value`
    hash: &'a str,
    mtime_ns: i128,
    /// The Go-quoted path.
    quoted: &'a [u8],
}

fn parse_line(line: &[u8]) -> Result<(RelPath, Entry), String> {
    let f = parse_fields(line)?;
    let path = unquote(f.quoted)
        .ok_or_else(|| format!("bad quoted path `{}`", String::from_utf8_lossy(f.quoted)))?;
    let hash = match f.hash {
        "-" => String::new(),
        h => h.to_string(),
    };
    Ok((
        RelPath::new(path),
        Entry {
            size: f.size,
            mtime_ns: f.mtime_ns,
            hash,
        },
    ))
}

fn parse_fields(line: &[u8]) -> Result<Fields<'_>, String> {
    let shown = || String::from_utf8_lossy(line).into_owned();
    let mut rest = line;
    let mut field = || -> Result<&[u8], String> {
        let skip = rest.iter().position(|b| *b != b' ').unwrap_or(rest.len());
        rest = &rest[skip..];
        let end =
            memchr::memchr(b' ', rest).ok_or_else(|| format!("truncated line `{}`", shown()))?;
        let (f, r) = rest.split_at(end);
        rest = r;
        Ok(f)
    };
    fn text<'a>(f: &'a [u8], line: &[u8]) -> Result<&'a str, String> {
        std::str::from_utf8(f)
            .map_err(|_| format!("bad field in `{}`", String::from_utf8_lossy(line)))
    }
    let flags = field()?;
    if flags != b"-" {
        return Err(format!("unexpected flags `{}`", text(flags, line)?));
    }
    let size = field()?;
    let size: i64 = match size {
        // The common case (up to 18 digits cannot overflow), else the full parser.
        [_, ..] if size.len() <= 18 && size.iter().all(u8::is_ascii_digit) => {
            size.iter().fold(0, |v, d| v * 10 + i64::from(d - b'0'))
        }
        _ => text(size, line)?
            .parse()
            .map_err(|_| format!("bad size in `{}`", shown()))?,
    };
    let hash = text(field()?, line)?;
    let id = field()?;
    if id != b"-" {
        text(id, line)?;
    }
    let time = field()?;
    let mtime_ns = parse_listing_time(time)
        .or_else(|| parse_time(text(time, line).ok()?))
        .ok_or_else(|| format!("bad time `{}`", String::from_utf8_lossy(time)))?;
    Ok(Fields {
        size,
        hash,
        mtime_ns,
        quoted: rest.trim_ascii_start(),
    })
}

/// The fast path of [`parse_time`] for the one form rclone writes in its listings,
/// `2026-11-21T23:24:48.843276230+0000` (exactly nine fractional digits, `+hhmm` or `-hhmm`).
/// `None` for anything else, including impossible dates: the caller then asks jiff, so
/// both give the same result on what this accepts (a test checks that).
fn parse_listing_time(s: &[u8]) -> Option<i128> {
    let s: &[u8; 34] = s.try_into().ok()?;
    let num = |a: usize, b: usize| -> Option<i64> {
        s[a..b].iter().try_fold(0i64, |v, c| {
            c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
        })
    };
    let seps = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
    ];
    if seps.iter().any(|(i, c)| s[*i] != *c) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, min, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let frac = num(20, 29)?;
    let sign = match s[29] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (oh, om) = (num(30, 32)?, num(32, 34)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    // jiff's range ends on 9999-12-30: leave the last year to it.
    if !(1..=9998).contains(&year)
        || day < 1
        || day > month_days
        || hour > 23
        || min > 59
        || sec > 59
    {
        return None;
    }
    if oh > 23 || om > 59 {
        return None;
    }
    // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - sign * (oh * 3600 + om * 60);
    Some(i128::from(secs) * 1_000_000_000 + i128::from(frac))
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
        assert!(e.hash.is_empty(), "`-` is unknown");
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
    fn fast_listing_times_agree_with_jiff() {
        // Every form the fast path takes must give what jiff gives; the rest must fall back.
        let mut checked = 0;
        let mut next = crate::xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let s = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}{}{:02}{:02}",
                [1, 1969, 1970, 2000, 2026, 2100, 9999][next(7) as usize] + next(3) as i64 - 1,
                next(14),
                next(33),
                next(25),
                next(61),
                next(61),
                next(1_000_000_000),
                if next(2) == 0 { '+' } else { '-' },
                next(25),
                next(61),
            );
            let fast = parse_listing_time(s.as_bytes());
            let slow = parse_time(&s);
            if let Some(f) = fast {
                assert_eq!(Some(f), slow, "{s}");
                checked += 1;
            }
        }
        assert!(checked > 1000, "only {checked} accepted by the fast path");
        for s in [
            "2026-11-21T23:24:48.843276230+0000",
            "2024-02-29T00:00:00.000000000+0000",
            "1970-01-01T00:00:00.000000000+0000",
            "1969-12-31T23:59:59.999999999+0000",
        ] {
            let f = parse_listing_time(s.as_bytes());
            assert!(f.is_some(), "{s}");
            assert_eq!(f, parse_time(s), "{s}");
        }
        for s in [
            "2023-02-29T00:00:00.000000000+0000",
            "2026-11-21T23:24:48.84327623+0000",
            "2026-11-21T23:24:48.843276230Z",
            "2026-13-21T23:24:48.843276230+0000",
            "2026-11-21 23:24:48.843276230+0000",
            "2026-11-21T23:24:48.8432762a0+0000",
        ] {
            assert_eq!(parse_listing_time(s.as_bytes()), None, "{s}");
        }
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
    fn sizes_of_every_form() {
        let line = |size: &str| {
            format!("# bisync listing v1 from x\n- {size:>8} - - 2026-11-21T23:24:48.843276230+0000 \"x\"\n")
        };
        for (text, want) in [
            ("0", Some(0)),
            ("7", Some(7)),
            ("-1", Some(-1)),
            ("+5", Some(5)),
            ("999999999999999999", Some(999_999_999_999_999_999)),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("00000000000000000000012", Some(12)),
            ("1x", None),
        ] {
            let got = parse_listing(line(text).as_bytes()).map(|l| l[&RelPath::from("x")].size);
            assert_eq!(got.ok(), want, "{text}");
        }
    }

    #[test]
    fn bad_lines_are_located() {
        let e =
            parse_listing(b"# bisync listing v1 from x\n- 7 - - nottime \"x\"\n").expect_err("bad");
        assert_eq!(e.0, 2);
        let e = parse_listing(b"# bisync listing v9 from x\n").expect_err("header");
        assert_eq!(e.0, 1);
    }

    #[test]
    fn raw_listing_has_the_names_and_errors_of_the_full_parse() {
        let text: &[u8] = b"# bisync listing v1 from 2026-11-21T23:24:48.921460771+0000\n\
-        5 - - 2026-11-21T23:24:48.843276230+0000 \"caf\\xe9.txt\"\n\
-        7 md5:00 - 2026-11-21T23:24:48.843276230+0000 \"dir/a \\\"b\\\".txt\"\n\
\n\
-        1 - - 2026-11-21T23:24:48.843276230+0000 \"plain name\"\n";
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("l.lst");
        // a chunk far smaller than the file would be too: lines cross chunk ends at 128 KiB
        let read = |data: &[u8]| {
            std::fs::write(&file, data).expect("write");
            RawListing::read(&file, &mut Vec::new())
        };
        let raw = read(text).expect("raw");
        let full = parse_listing(text).expect("full");
        let mut names: Vec<&[u8]> = raw.names().iter().collect();
        names.sort();
        let keys: Vec<&[u8]> = full.keys().map(RelPath::as_bytes).collect();
        assert_eq!(names, keys);
        assert_eq!(raw.len(), 3);
        assert_eq!(raw.to_listing().expect("full"), full);
        let mut big = b"# bisync listing v1 from x\n".to_vec();
        for i in 0..20_000 {
            big.extend_from_slice(
                format!("- {i:>8} - - 2026-11-21T23:24:48.843276230+0000 \"d/{i:07}\"\n")
                    .as_bytes(),
            );
        }
        big.truncate(big.len() - 1); // no newline at the end
        let raw = read(&big).expect("big");
        assert_eq!(raw.len(), 20_000);
        assert!(raw.names().iter().eq(parse_listing(&big)
            .expect("big")
            .keys()
            .map(RelPath::as_bytes)));
        for bad in [
            &b"# bisync listing v9 from x\n"[..],
            b"# bisync listing v1 from x\n- 7 - - nottime \"x\"\n",
            b"# bisync listing v1 from x\n- 7 - - 2026-11-21T23:24:48.843276230+0000 \"x\n",
            b"# bisync listing v1 from x\n- 7 - - 2026-11-21T23:24:48.843276230+0000 \"\\q\"\n",
            b"# bisync listing v1 from x\n- 7x - - 2026-11-21T23:24:48.843276230+0000 \"x\"\n",
            b"# bisync listing v1 from x\n- 7 \xff - 2026-11-21T23:24:48.843276230+0000 \"x\"\n",
            b"# bisync listing v1 from x\n- 7 -\n",
        ] {
            let want = parse_listing(bad).err();
            assert!(want.is_some());
            let got = match read(bad) {
                Err(Error::Listing { line, message, .. }) => Some((line, message)),
                _ => None,
            };
            assert_eq!(got, want, "{}", String::from_utf8_lossy(bad));
        }
    }
}

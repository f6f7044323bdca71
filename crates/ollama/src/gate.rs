//! The request-head gate: every request head of a connection passes through here
//! before hyper sees it, so a malformed, oversized or late head gets an answer with a
//! JSON body instead of hyper's bodyless 400/414/431 or its silent close.
//!
//! hyper 1.x writes its automatic answer to a head it cannot parse itself, flushes it
//! and shuts the connection down before the caller hears of the error (`Conn::
//! on_parse_error`; there is no hook for the body, hyperium/hyper#3911 is open). So the
//! gate checks each head with `httparse` (the parser hyper uses) plus hyper's own
//! checks (request target, `Content-Length`, `Transfer-Encoding`) and hands hyper only
//! heads it will accept. To know where the next head starts, the gate follows each
//! message's framing (`Content-Length` or chunked) exactly as hyper does, and refuses
//! the ambiguous forms (both headers, conflicting lengths) that it would otherwise have
//! to guess at.
//!
//! In the usual case the gate reads straight into hyper's buffer, checks the head
//! there and hands on what belongs to the message: no copy, no buffer of its own. Only
//! a head that arrives in pieces, or bytes of a next message read along with this one,
//! wait in a small buffer, freed once empty. The cost per request is one more httparse
//! pass over the head.
//!
//! A refused head is never shown to hyper: the gate gives it an empty line (which
//! HTTP lets a server skip, so an answer still streaming on the connection finishes
//! normally) and then end of stream, and `server` writes the refusal once hyper is done,
//! if hyper read that end waiting for a next head (after `Connection: close` or an
//! HTTP/1.0 exchange it would not have read the head at all). A client that leaves in
//! the middle of a head gets the same empty line: hyper alone would hold those bytes,
//! and finishes the answer in progress instead of dropping it.
//!
//! `server::differential` serves generated hostile streams through the gate and
//! through hyper alone and checks that they agree.

use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Largest request head (request line and header fields) accepted.
pub(crate) const MAX_HEAD: usize = 64 * 1024;
/// Longest request target accepted (Ollama's paths are short).
pub(crate) const MAX_URI: usize = 8 * 1024;
/// hyper's default limit on header fields (more is its 431).
const MAX_HEADERS: usize = 100;
const INIT_BUF: usize = 4096;

/// An answer the connection owes the client before it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub message: &'static str,
}

const fn refuse(status: u16, message: &'static str) -> Refusal {
    Refusal { status, message }
}

/// How the body after a checked head is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Empty,
    Length(u64),
    Chunked,
}

#[derive(Debug, PartialEq, Eq)]
enum Check {
    Complete { len: usize, framing: Framing },
    Partial,
    Refused(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    Start,
    Size,
    Lws,
    Ext,
    SizeLf,
    Data,
    DataCr,
    DataLf,
    EndCr,
    Trailer,
    TrailerLf,
    EndLf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Waiting for a complete head; `seen` bytes of it were already looked at.
    Head {
        seen: usize,
    },
    /// A checked head: `left` bytes of it still to hand to hyper.
    Send {
        left: usize,
        then: Framing,
    },
    Length(u64),
    Chunked {
        state: Chunk,
        size: u64,
    },
    /// The framing was lost (a chunked body hyper will reject): hand everything on.
    Pass,
    /// A head was refused, or the client left in the middle of one: one empty line,
    /// then end of stream. `ended`: hyper read that end while waiting for a next
    /// head, so a refusal is owed.
    Closing {
        blank_sent: bool,
        ended: bool,
    },
}

/// The connection's IO as hyper sees it.
pub(crate) struct Gate<I> {
    io: I,
    /// Read from `io`, not yet handed to hyper: `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    mode: Mode,
    refusal: Option<Refusal>,
    served: bool,
}

impl<I> Gate<I> {
    pub(crate) fn new(io: I) -> Gate<I> {
        Gate {
            io,
            buf: Vec::new(),
            start: 0,
            end: 0,
            mode: Mode::Head { seen: 0 },
            refusal: None,
            served: false,
        }
    }

    /// The refusal owed to the client: a head was refused and hyper then waited for
    /// a next head. None when hyper ended the connection after the message before
    /// (`Connection: close`, HTTP/1.0, an upgrade): it would not have read that head.
    pub(crate) fn refusal(&self) -> Option<Refusal> {
        match self.mode {
            Mode::Closing { ended: true, .. } => self.refusal,
            _ => None,
        }
    }

    /// Whether a head was handed to hyper on this connection.
    pub(crate) fn served(&self) -> bool {
        self.served
    }

    /// Whether bytes the client sent wait here (part of a next head).
    pub(crate) fn has_pending(&self) -> bool {
        self.start < self.end
    }

    pub(crate) fn into_inner(self) -> I {
        self.io
    }

    fn refuse(&mut self, r: Refusal) {
        self.refusal = Some(r);
        self.close();
    }

    /// Nothing more for hyper but a blank line and the end of the stream. The blank
    /// line stands for the bytes of the head that will not come: with it in its
    /// buffer, hyper finishes an answer in progress instead of dropping it on the end
    /// of stream (as it would, its buffer empty, unless `half_close`), and the next
    /// head it waits for ends cleanly.
    fn close(&mut self) {
        self.mode = Mode::Closing {
            blank_sent: false,
            ended: false,
        };
        self.buf = Vec::new();
        self.start = 0;
        self.end = 0;
    }

    /// Copy up to `max` buffered bytes to hyper; the buffer is freed once empty.
    fn give(&mut self, out: &mut ReadBuf<'_>, max: usize) -> usize {
        let n = (self.end - self.start).min(out.remaining()).min(max);
        out.put_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        if self.start == self.end {
            self.buf = Vec::new();
            self.start = 0;
            self.end = 0;
        }
        n
    }

    /// Hand hyper only `out.filled()[..upto]`; what follows (the start of a next head,
    /// or a head not complete yet) waits in `buf`, which is empty when this is called.
    fn keep(&mut self, out: &mut ReadBuf<'_>, upto: usize) {
        let extra = &out.filled()[upto..];
        if !extra.is_empty() {
            self.buf.clear();
            self.buf.extend_from_slice(extra);
            self.start = 0;
            self.end = self.buf.len();
            out.set_filled(upto);
        }
    }
}

/// How much of `rest` (the bytes after a head) belongs to the message, and what comes next.
fn follow(framing: Framing, rest: &[u8]) -> (usize, Mode) {
    match framing {
        Framing::Empty | Framing::Length(0) => (0, Mode::Head { seen: 0 }),
        Framing::Length(n) => length(n, rest.len()),
        Framing::Chunked => chunked(Chunk::Start, 0, rest),
    }
}

fn length(left: u64, got: usize) -> (usize, Mode) {
    match usize::try_from(left) {
        Ok(l) if l <= got => (l, Mode::Head { seen: 0 }),
        _ => (got, Mode::Length(left - got as u64)),
    }
}

fn chunked(state: Chunk, size: u64, bytes: &[u8]) -> (usize, Mode) {
    match scan_chunked(bytes, state, size) {
        Scan::More { state, size } => (bytes.len(), Mode::Chunked { state, size }),
        Scan::End(n) => (n, Mode::Head { seen: 0 }),
        // hyper rejects this body and closes the connection
        Scan::Lost => (bytes.len(), Mode::Pass),
    }
}

impl<I: AsyncRead + Unpin> Gate<I> {
    /// Read more of a head into `buf`; 0 is end of stream.
    fn read_more(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let grown = (self.buf.len() * 2).clamp(INIT_BUF, MAX_HEAD + 1);
                self.buf.resize(grown, 0);
            }
        }
        let mut rb = ReadBuf::new(&mut self.buf[self.end..]);
        ready!(Pin::new(&mut self.io).poll_read(cx, &mut rb))?;
        let n = rb.filled().len();
        self.end += n;
        Poll::Ready(Ok(n))
    }

    /// Read from the client straight into hyper's buffer: the bytes read, 0 at the end.
    fn read_into(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<(usize, usize)>> {
        let before = out.filled().len();
        ready!(Pin::new(&mut self.io).poll_read(cx, out))?;
        Poll::Ready(Ok((before, out.filled().len() - before)))
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Gate<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if out.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            match this.mode {
                // the usual case: read into hyper's buffer, check the head there and
                // hand on what belongs to this message (no copy)
                Mode::Head { .. } if !this.has_pending() => {
                    let (before, got) = ready!(this.read_into(cx, out))?;
                    if got == 0 {
                        // the client left (between requests or mid-head)
                        return Poll::Ready(Ok(()));
                    }
                    let new = &out.filled()[before..];
                    match check(new) {
                        Check::Complete { len, framing } => {
                            this.served = true;
                            let (body, next) = follow(framing, &new[len..]);
                            this.keep(out, before + len + body);
                            this.mode = next;
                            return Poll::Ready(Ok(()));
                        }
                        Check::Partial => {
                            // the rest of the head comes later: gather it in `buf`
                            this.keep(out, before);
                            this.mode = Mode::Head { seen: got };
                        }
                        Check::Refused(r) => {
                            out.set_filled(before);
                            this.refuse(r);
                        }
                    }
                }
                // a head in `buf`: behind another message, or arriving in pieces
                Mode::Head { seen } => {
                    let pending = &this.buf[this.start..this.end];
                    if seen == 0 || ends_head(pending, seen) {
                        match check(pending) {
                            Check::Complete { len, framing } => {
                                this.served = true;
                                this.mode = Mode::Send {
                                    left: len,
                                    then: framing,
                                };
                                continue;
                            }
                            Check::Refused(r) => {
                                this.refuse(r);
                                continue;
                            }
                            Check::Partial => {}
                        }
                    }
                    if pending.len() >= MAX_HEAD {
                        this.refuse(refuse(431, "request head larger than 64 KiB"));
                        continue;
                    }
                    this.mode = Mode::Head {
                        seen: pending.len(),
                    };
                    if ready!(this.read_more(cx))? == 0 {
                        // the client left mid-head: hyper alone would hold these bytes
                        this.close();
                    }
                }
                Mode::Send { left, then } => {
                    let n = this.give(out, left);
                    this.mode = if n < left {
                        Mode::Send {
                            left: left - n,
                            then,
                        }
                    } else {
                        match then {
                            Framing::Empty | Framing::Length(0) => Mode::Head { seen: 0 },
                            Framing::Length(n) => Mode::Length(n),
                            Framing::Chunked => Mode::Chunked {
                                state: Chunk::Start,
                                size: 0,
                            },
                        }
                    };
                    return Poll::Ready(Ok(()));
                }
                Mode::Length(left) => {
                    if this.has_pending() {
                        let cap = usize::try_from(left).unwrap_or(usize::MAX);
                        let n = this.give(out, cap);
                        this.mode = length(left, n).1;
                        return Poll::Ready(Ok(()));
                    }
                    let (before, got) = ready!(this.read_into(cx, out))?;
                    let (body, next) = length(left, got);
                    this.keep(out, before + body);
                    if got > 0 {
                        this.mode = next;
                    }
                    return Poll::Ready(Ok(()));
                }
                Mode::Chunked { state, size } => {
                    if this.has_pending() {
                        let limit = (this.end - this.start).min(out.remaining());
                        let (body, next) =
                            chunked(state, size, &this.buf[this.start..this.start + limit]);
                        this.give(out, body);
                        this.mode = next;
                        return Poll::Ready(Ok(()));
                    }
                    let (before, got) = ready!(this.read_into(cx, out))?;
                    let (body, next) = chunked(state, size, &out.filled()[before..]);
                    this.keep(out, before + body);
                    if got > 0 {
                        this.mode = next;
                    }
                    return Poll::Ready(Ok(()));
                }
                Mode::Pass => {
                    if this.has_pending() {
                        this.give(out, usize::MAX);
                        return Poll::Ready(Ok(()));
                    }
                    return Pin::new(&mut this.io).poll_read(cx, out);
                }
                Mode::Closing { blank_sent, .. } => {
                    // hyper reads past the blank line only to parse a next head
                    let put = !blank_sent && out.remaining() >= 2;
                    if put {
                        out.put_slice(b"\r\n");
                    }
                    this.mode = Mode::Closing {
                        blank_sent: blank_sent || put,
                        ended: blank_sent,
                    };
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Gate<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, data)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.refusal().is_some() {
            // `server` answers the refused head first, then shuts down
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Whether the bytes after the first `seen` may end a head (hyper's own test before
/// it parses a partial head again): a blank line, with CRLF or bare LF.
fn ends_head(bytes: &[u8], seen: usize) -> bool {
    let tail = &bytes[seen.saturating_sub(3)..];
    tail.windows(2).any(|w| w == b"\n\n") || tail.windows(3).any(|w| w == b"\n\r\n")
}

/// Check a head the way hyper will parse it.
fn check(bytes: &[u8]) -> Check {
    let mut headers = [MaybeUninit::<httparse::Header<'_>>::uninit(); MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let len = match req.parse_with_uninit_headers(bytes, &mut headers) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Check::Partial,
        Err(httparse::Error::TooManyHeaders) => {
            return Check::Refused(refuse(431, "more than 100 request header fields"))
        }
        Err(_) => return Check::Refused(refuse(400, "malformed request head")),
    };
    if len > MAX_HEAD {
        return Check::Refused(refuse(431, "request head larger than 64 KiB"));
    }
    let (Some(path), Some(version)) = (req.path, req.version) else {
        return Check::Refused(refuse(400, "malformed request head"));
    };
    if path.len() > MAX_URI {
        return Check::Refused(refuse(414, "request target longer than 8 KiB"));
    }
    if !target_ok(path) {
        return Check::Refused(refuse(400, "invalid request target"));
    }
    let mut length: Option<u64> = None;
    let mut te = false;
    let mut chunked = false;
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            let Some(n) = digits(h.value) else {
                return Check::Refused(refuse(400, "invalid Content-Length"));
            };
            if length.is_some_and(|prev| prev != n) {
                return Check::Refused(refuse(400, "conflicting Content-Length headers"));
            }
            length = Some(n);
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            if version == 0 {
                return Check::Refused(refuse(400, "Transfer-Encoding in an HTTP/1.0 request"));
            }
            te = true;
            chunked = ends_chunked(h.value);
        }
    }
    let framing = if te {
        if !chunked {
            return Check::Refused(refuse(400, "Transfer-Encoding must end with chunked"));
        }
        if length.is_some() {
            return Check::Refused(refuse(400, "both Content-Length and Transfer-Encoding"));
        }
        Framing::Chunked
    } else {
        length.map_or(Framing::Empty, Framing::Length)
    };
    Check::Complete { len, framing }
}

/// Whether hyper (the `http` crate) accepts this request target. Origin-form targets
/// made of the characters both path and query allow are checked here; anything else
/// (rare) is checked by parsing it the way hyper does.
fn target_ok(path: &str) -> bool {
    let plain = path.as_bytes().first() == Some(&b'/')
        && path.bytes().all(
            |b| matches!(b, 0x21 | 0x24..=0x3B | 0x3D | 0x3F..=0x5F | 0x61..=0x7A | 0x7C | 0x7E),
        );
    plain || hyper::Uri::try_from(path).is_ok()
}

/// A Content-Length value as hyper reads it: ASCII digits only, at most u64::MAX - 2.
fn digits(v: &[u8]) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    (n <= u64::MAX - 2).then_some(n)
}

/// Whether a Transfer-Encoding value ends with `chunked` (hyper: visible ASCII only).
fn ends_chunked(v: &[u8]) -> bool {
    if !v.iter().all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)) {
        return false;
    }
    let last = v.rsplit(|&b| b == b',').next().unwrap_or_default();
    last.trim_ascii().eq_ignore_ascii_case(b"chunked")
}

#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// All bytes belong to the body; it goes on.
    More { state: Chunk, size: u64 },
    /// The body ends after this many bytes.
    End(usize),
    /// Not a chunked body hyper accepts.
    Lost,
}

/// Follow a chunked body through `bytes`, with hyper's decoder's states.
fn scan_chunked(bytes: &[u8], mut state: Chunk, mut size: u64) -> Scan {
    let mut i = 0;
    while i < bytes.len() {
        if state == Chunk::Data {
            let take = usize::try_from(size)
                .unwrap_or(usize::MAX)
                .min(bytes.len() - i);
            i += take;
            size -= take as u64;
            if size == 0 {
                state = Chunk::DataCr;
            }
            continue;
        }
        let b = bytes[i];
        i += 1;
        if let (Chunk::Start | Chunk::Size, Some(d)) = (state, hex(b)) {
            let Some(s) = size.checked_mul(16).and_then(|s| s.checked_add(d)) else {
                return Scan::Lost;
            };
            size = s;
            state = Chunk::Size;
            continue;
        }
        state = match (state, b) {
            (Chunk::Size | Chunk::Lws, b'\t' | b' ') => Chunk::Lws,
            (Chunk::Size | Chunk::Lws, b';') => Chunk::Ext,
            (Chunk::Size | Chunk::Lws | Chunk::Ext, b'\r') => Chunk::SizeLf,
            (Chunk::Ext, b) if b != b'\n' => Chunk::Ext,
            (Chunk::SizeLf, b'\n') if size == 0 => Chunk::EndCr,
            (Chunk::SizeLf, b'\n') => Chunk::Data,
            (Chunk::DataCr, b'\r') => Chunk::DataLf,
            (Chunk::DataLf, b'\n') => Chunk::Start,
            (Chunk::EndCr, b'\r') => Chunk::EndLf,
            (Chunk::Trailer, b'\r') => Chunk::TrailerLf,
            (Chunk::EndCr | Chunk::Trailer, _) => Chunk::Trailer,
            (Chunk::TrailerLf, b'\n') => Chunk::EndCr,
            (Chunk::EndLf, b'\n') => return Scan::End(i),
            _ => return Scan::Lost,
        };
    }
    Scan::More { state, size }
}

fn hex(b: u8) -> Option<u64> {
    (b as char).to_digit(16).map(u64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(head: &[u8]) -> Framing {
        match check(head) {
            Check::Complete { len, framing } => {
                assert_eq!(len, head.len());
                framing
            }
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(head)),
        }
    }

    fn refused(head: &[u8]) -> u16 {
        match check(head) {
            Check::Refused(r) => r.status,
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(head)),
        }
    }

    #[test]
    fn heads_and_their_framing() {
        assert_eq!(
            complete(b"GET /api/tags?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"),
            Framing::Empty
        );
        assert_eq!(
            complete(b"\r\nPOST /a HTTP/1.1\r\ncontent-length: 12\r\nContent-Length: 12\r\n\r\n"),
            Framing::Length(12)
        );
        assert_eq!(
            complete(b"POST /a HTTP/1.1\nTransfer-Encoding: gzip, Chunked\n\n"),
            Framing::Chunked
        );
        assert_eq!(complete(b"OPTIONS * HTTP/1.1\r\n\r\n"), Framing::Empty);
        assert_eq!(
            complete(b"GET http://h:1/p HTTP/1.1\r\n\r\n"),
            Framing::Empty
        );
        assert_eq!(complete(b"GET /{\"a\"} HTTP/1.1\r\n\r\n"), Framing::Empty);
        // authority-form, as hyper reads it
        assert_eq!(complete(b"GET noslash HTTP/1.1\r\n\r\n"), Framing::Empty);
        assert_eq!(
            check(b"GET /api/tags HTTP/1.1\r\nHost: x\r\n"),
            Check::Partial
        );
    }

    #[test]
    fn refused_heads() {
        assert_eq!(refused(b"\x00\xff NOT HTTP\r\n\r\n"), 400);
        assert_eq!(refused(b"GET / HTTP/2.0\r\n\r\n"), 400);
        assert_eq!(refused(b"GET a<b HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(refused(b"GET /a<b HTTP/1.1\r\n\r\n"), 400);
        assert_eq!(refused(b"GET http://[::1/ HTTP/1.1\r\n\r\n"), 400);
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_URI));
        assert_eq!(refused(long.as_bytes()), 414);
        let many: String = (0..101).map(|i| format!("X-{i}: 1\r\n")).collect();
        assert_eq!(
            refused(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
            431
        );
        for bad in [
            "Content-Length: 1x",
            "Content-Length: -1",
            "Content-Length: 1, 1",
            "Content-Length: 99999999999999999999",
            "Content-Length: 1\r\nContent-Length: 2",
            "Transfer-Encoding: chunked, gzip",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip",
            "Transfer-Encoding: chunked\r\nContent-Length: 3",
        ] {
            assert_eq!(
                refused(format!("POST / HTTP/1.1\r\n{bad}\r\n\r\n").as_bytes()),
                400,
                "{bad}"
            );
        }
        assert_eq!(
            refused(b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            400
        );
    }

    #[test]
    fn chunked_bodies_end_where_hyper_ends_them() {
        let body = b"5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\n\r\nGET /next";
        assert_eq!(
            scan_chunked(body, Chunk::Start, 0),
            Scan::End(body.len() - 9)
        );
        let trailers = b"0\r\nX-A: 1\r\nX-B: 2\r\n\r\nnext";
        assert_eq!(
            scan_chunked(trailers, Chunk::Start, 0),
            Scan::End(trailers.len() - 4)
        );
        let hex = b"A \r\n0123456789\r\n0\r\n\r\n";
        assert_eq!(scan_chunked(hex, Chunk::Start, 0), Scan::End(hex.len()));
        // byte by byte gives the same end
        let mut state = (Chunk::Start, 0);
        let mut end = None;
        for (i, b) in body.iter().enumerate() {
            match scan_chunked(std::slice::from_ref(b), state.0, state.1) {
                Scan::More { state: s, size } => state = (s, size),
                Scan::End(1) => {
                    end = Some(i + 1);
                    break;
                }
                other => panic!("{other:?} at {i}"),
            }
        }
        assert_eq!(end, Some(body.len() - 9));
        assert_eq!(scan_chunked(b"x\r\n", Chunk::Start, 0), Scan::Lost);
        assert_eq!(scan_chunked(b"5\nhello", Chunk::Start, 0), Scan::Lost);
        assert_eq!(scan_chunked(b"1\r\nab", Chunk::Start, 0), Scan::Lost);
        assert_eq!(
            scan_chunked(b"fffffffffffffffff\r\n", Chunk::Start, 0),
            Scan::Lost
        );
    }

    /// Through the gate with hyper's reads cut small: the bytes are handed on unchanged,
    /// no read crosses the end of a message, and a bad head becomes a blank line, the end
    /// of the stream and the refusal owed.
    #[tokio::test]
    async fn whole_messages_pass_and_a_bad_head_is_held_back() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let big = format!("GET /big HTTP/1.1\r\nX: {}\r\n\r\n", "b".repeat(20_000));
        let msgs: [&[u8]; 4] = [
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            b"POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
            big.as_bytes(),
            b"GET /c HTTP/1.1\r\n\r\n",
        ];
        for cut in [7, 4096, 1 << 16] {
            let (mut client, server) = tokio::io::duplex(1 << 17);
            for m in msgs {
                client.write_all(m).await.expect("write");
            }
            client.write_all(b"\x00bad\r\n\r\n").await.expect("write");
            drop(client);
            let mut gate = Gate::new(server);
            let mut got = Vec::new();
            let mut buf = vec![0u8; cut];
            let mut ends = Vec::new();
            let mut at = 0;
            for m in msgs {
                at += m.len();
                ends.push(at);
            }
            loop {
                let n = gate.read(&mut buf).await.expect("read");
                if n == 0 {
                    break;
                }
                let (from, to) = (got.len(), got.len() + n);
                assert!(
                    !ends.iter().any(|&e| from < e && e < to),
                    "read {from}..{to} crosses a message end"
                );
                got.extend_from_slice(&buf[..n]);
            }
            let mut want = msgs.concat();
            want.extend_from_slice(b"\r\n");
            assert!(
                got == want,
                "cut {cut}: {} bytes, want {}",
                got.len(),
                want.len()
            );
            assert_eq!(gate.refusal().map(|r| r.status), Some(400));
            assert!(gate.served());
        }
    }

    #[test]
    fn head_end_detection_matches_hyper() {
        assert!(ends_head(b"GET / HTTP/1.1\r\nA: b\r\n\r\n", 10));
        assert!(ends_head(b"GET / HTTP/1.1\nA: b\n\n", 10));
        assert!(!ends_head(b"GET / HTTP/1.1\r\nA: b\r\n", 10));
    }
}

/// Allocations counted per thread, to show the gate's usual path allocates nothing.
#[cfg(test)]
#[allow(unsafe_code)]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCS: Cell<usize> = const { Cell::new(0) };
    }

    struct Counting;

    // SAFETY: every call is passed on to the system allocator unchanged.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
            // SAFETY: the caller's contract is the system allocator's
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: as above
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
            let _ = ALLOCS.try_with(|n| n.set(n.get() + 1));
            // SAFETY: as above
            unsafe { System.realloc(ptr, layout, new) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Allocations made on this thread so far.
    pub(super) fn allocs() -> usize {
        ALLOCS.with(Cell::get)
    }
}

#[cfg(test)]
mod hot_path {
    use std::collections::VecDeque;

    use super::*;

    /// The client's reads, prepared beforehand.
    struct Reads(VecDeque<Vec<u8>>);

    impl AsyncRead for Reads {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            match self.0.pop_front() {
                Some(r) => {
                    buf.put_slice(&r);
                    Poll::Ready(Ok(()))
                }
                None => Poll::Pending,
            }
        }
    }

    /// One request a read (or a head, then its body), as clients send them: the
    /// gate checks each head and follows each body without allocating.
    #[test]
    fn usual_requests_allocate_nothing() {
        let exchange: [&[u8]; 5] = [
            b"GET /api/tags HTTP/1.1\r\nHost: localhost:11434\r\nAuthorization: Bearer t\r\nUser-Agent: ollama-python/0.4\r\nAccept: */*\r\n\r\n",
            b"POST /api/chat HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"model\":\"llama\"}",
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
            b"hello",
            b"POST /api/embed HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
        ];
        let rounds = 200;
        let reads = (0..rounds).flat_map(|_| exchange.iter().map(|r| r.to_vec()));
        let mut gate = Gate::new(Reads(reads.collect()));
        let mut hyper_buf = vec![0u8; 8192];
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut handed = 0;
        let before = counting::allocs();
        loop {
            let mut rb = ReadBuf::new(&mut hyper_buf);
            match Pin::new(&mut gate).poll_read(&mut cx, &mut rb) {
                Poll::Ready(Ok(())) if !rb.filled().is_empty() => handed += rb.filled().len(),
                _ => break,
            }
        }
        let allocs = counting::allocs() - before;
        let sent: usize = exchange.iter().map(|r| r.len()).sum::<usize>() * rounds;
        assert_eq!(handed, sent);
        assert!(gate.refusal().is_none() && !gate.has_pending());
        assert_eq!(allocs, 0, "{allocs} allocations for {rounds} rounds");

        // the counter counts: two requests in one read put the second aside
        let two = [exchange[0], exchange[0]].concat();
        let mut gate = Gate::new(Reads(VecDeque::from([two])));
        let before = counting::allocs();
        let mut rb = ReadBuf::new(&mut hyper_buf);
        assert!(Pin::new(&mut gate).poll_read(&mut cx, &mut rb).is_ready());
        assert_eq!(rb.filled().len(), exchange[0].len());
        assert!(gate.has_pending() && counting::allocs() > before);
    }
}

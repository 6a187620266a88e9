//! The record reader: one pass over a record's bytes into the fields `record::decode_plain` reads, a
//! JSON body embedded as a string read and checked in the same pass (`embedded`).
//!
//! It is the fast path of serde's (`record::RecordSeed`), not a second reference: it answers None for
//! anything it does not read exactly as serde would (a float where a field is read, `\u` escapes that
//! are quotes or backslashes in a body, nesting, a number out of the plain range, ...), and the record
//! then goes to serde, which decides. So it may be stricter than serde, never laxer; it never decides
//! that a record is malformed.

use std::borrow::Cow;

use serde_json::Value;

use crate::embedded;
use crate::record::{text, Body, Field, Names, Pairs, Side, Unread};

/// Where JSON string content stops being copied as it is: a quote, a backslash or a control character.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The index of the first byte at or after `at` that `SPECIAL` marks, or `b.len()`: eight bytes a step
/// (serde_json's `skip_to_escape` does the same), as the content of a body's strings is mostly plain.
#[inline]
pub(crate) fn next_special(b: &[u8], mut at: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    while at + 8 <= b.len() {
        let chunk = u64::from_le_bytes(b[at..at + 8].try_into().expect("eight bytes"));
        let ctrl = chunk.wrapping_sub(ONES * 0x20) & !chunk;
        let q = chunk ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let s = chunk ^ (ONES * u64::from(b'\\'));
        let slash = s.wrapping_sub(ONES) & !s;
        let hit = (ctrl | quote | slash) & (ONES << 7);
        if hit != 0 {
            return at + hit.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    while at < b.len() && !SPECIAL[b[at] as usize] {
        at += 1;
    }
    at
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = b.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |n, &c| Some(n << 4 | (c as char).to_digit(16)?))
}

/// The character of a `\u` escape whose four hex digits start at `at`; None for a surrogate (a lone
/// one is not JSON to orjson, a pair is left to serde and Python).
pub(crate) fn unicode_escape(b: &[u8], at: usize) -> Option<char> {
    char::from_u32(hex4(b, at)?)
}

/// The character a one-letter escape (`\n`, `\"`, ...) stands for.
pub(crate) fn simple_escape(c: u8) -> Option<u8> {
    Some(match c {
        b'"' => b'"',
        b'\\' => b'\\',
        b'/' => b'/',
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        _ => return None,
    })
}

/// How deep arrays and objects may nest here: below serde_json's limit (127 levels), so that nothing
/// it refuses for depth is read here.
pub(crate) const MAX_DEPTH: usize = 100;

pub(crate) struct Reader<'a> {
    pub(crate) b: &'a [u8],
    pub(crate) i: usize,
    text: &'a str,
}

impl<'a> Reader<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..].starts_with(word).then(|| self.i += word.len())
    }

    /// A string at `i` (its opening quote), borrowed from the text unless it had escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        let mut at = next_special(self.b, start);
        if self.b.get(at) == Some(&b'"') {
            self.i = at + 1;
            return Some(Cow::Borrowed(&self.text[start..at]));
        }
        let mut out = Vec::with_capacity(at - start + 16);
        out.extend_from_slice(&self.b[start..at]);
        loop {
            match *self.b.get(at)? {
                b'"' => break,
                b'\\' => {
                    let c = *self.b.get(at + 1)?;
                    if c == b'u' {
                        let ch = unicode_escape(self.b, at + 2)?;
                        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        at += 6;
                    } else {
                        out.push(simple_escape(c)?);
                        at += 2;
                    }
                }
                _ => return None, // a control character
            }
            let next = next_special(self.b, at);
            out.extend_from_slice(&self.b[at..next]);
            at = next;
        }
        self.i = at + 1;
        // the line is UTF-8 and the escapes were characters: this is too (checked, not assumed)
        String::from_utf8(out).ok().map(Cow::Owned)
    }

    /// Skip a string at `i` (its opening quote), checked as `string` checks it, its value not built.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        let mut at = next_special(self.b, self.i);
        loop {
            match *self.b.get(at)? {
                b'"' => break,
                b'\\' => match *self.b.get(at + 1)? {
                    b'u' => {
                        unicode_escape(self.b, at + 2)?;
                        at += 6;
                    }
                    c => {
                        simple_escape(c)?;
                        at += 2;
                    }
                },
                _ => return None, // a control character
            }
            at = next_special(self.b, at);
        }
        self.i = at + 1;
        Some(())
    }

    /// A number as serde_json reads it when it is an integer of 64 bits; None for anything else (a
    /// float, `-0`, an integer too large: serde reads those as floats).
    fn integer(&mut self) -> Option<Value> {
        let start = self.i;
        let negative = self.b[start] == b'-';
        let digits_at = start + usize::from(negative);
        let n = self.b[digits_at..].iter().take_while(|c| c.is_ascii_digit()).count();
        let end = digits_at + n;
        if n == 0 || n > 19 || (n > 1 && self.b[digits_at] == b'0') {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = self.b.get(end) {
            return None;
        }
        let magnitude: u64 = std::str::from_utf8(&self.b[digits_at..end]).ok()?.parse().ok()?;
        self.i = end;
        if !negative {
            return Some(Value::from(magnitude));
        }
        // serde: -0 is the float -0.0, and so is anything below i64::MIN
        if magnitude == 0 {
            return None;
        }
        0i64.checked_sub_unsigned(magnitude).map(Value::from)
    }

    /// A string, an integer, a boolean or null; None for anything else (serde decides).
    fn scalar(&mut self) -> Option<Value> {
        Some(match self.peek()? {
            b'"' => Value::String(self.string()?.into_owned()),
            b'-' | b'0'..=b'9' => self.integer()?,
            b't' => self.literal(b"true").map(|()| Value::Bool(true))?,
            b'f' => self.literal(b"false").map(|()| Value::Bool(false))?,
            b'n' => self.literal(b"null").map(|()| Value::Null)?,
            _ => return None,
        })
    }

    /// Skip a value, checked as strictly as serde's `IgnoredAny` (floats included, by their grammar).
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => {
                self.i += 1;
                if depth >= MAX_DEPTH {
                    return None;
                }
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip_string()?;
                    self.eat(b':')?;
                    self.skip(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b'}' => break,
                        _ => return None,
                    }
                    self.peek()?;
                }
                self.i += 1;
                Some(())
            }
            b'[' => {
                self.i += 1;
                if depth >= MAX_DEPTH {
                    return None;
                }
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    match self.peek()? {
                        b',' => self.i += 1,
                        b']' => break,
                        _ => return None,
                    }
                }
                self.i += 1;
                Some(())
            }
            b'-' | b'0'..=b'9' => {
                let end = embedded::number_end(self.b, self.i)?.0;
                self.i = end;
                Some(())
            }
            _ => self.scalar().map(drop),
        }
    }

    /// The entries of an object, `each` called with each key at its value (which it must read).
    fn object(&mut self, mut each: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            each(self, key)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
            self.peek()?;
        }
    }

    /// A `query` or `headers` field, as `record::FieldSeed` reads it.
    fn field(&mut self, lower: bool, unread: Unread<'_>) -> Option<Field> {
        match self.peek()? {
            b'"' => return Some(Field::Str(self.string()?.into_owned())),
            b'[' => return self.skip(0).map(|()| Field::Other),
            b'{' => {}
            _ => return self.scalar().map(|_| Field::Other),
        }
        let mut out: Pairs = Vec::new();
        let mut names = Names::default();
        self.object(|r, name| {
            if names.contains(&name) || (lower && !name.is_ascii()) {
                return None; // serde's path says None for these: it decides
            }
            let key = if lower && name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                name.clone()
            };
            names.insert(name);
            if unread.is_some_and(|unread| key != "content-type" && unread(&key)) {
                return r.skip(0);
            }
            if r.peek()? == b'[' {
                r.i += 1;
                if r.peek()? == b']' {
                    r.i += 1;
                    return Some(());
                }
                loop {
                    out.push((key.clone().into_owned(), text(r.scalar()?)?));
                    match r.peek()? {
                        b',' => r.i += 1,
                        b']' => {
                            r.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            match r.scalar()? {
                Value::Null => {}
                other => out.push((key.into_owned(), text(other)?)),
            }
            Some(())
        })?;
        Some(Field::Pairs(out, names.len()))
    }

    /// A `body`: a string (a JSON one read and checked as it is unescaped), or null.
    fn body(&mut self) -> Option<Body> {
        match self.peek()? {
            b'"' => {}
            b'n' => return self.literal(b"null").map(|()| Body::Null),
            _ => return None,
        }
        if let Some((text, tape, end)) = embedded::read(self.b, self.i + 1) {
            self.i = end;
            return Some(Body::Text(text, Some(tape)));
        }
        Some(Body::Text(self.string()?.into_owned(), None))
    }

    fn side(&mut self, unread: Unread<'_>) -> Option<Side> {
        let mut side = Side::default();
        self.object(|r, key| {
            match key.as_ref() {
                "method" => side.method = Some(r.scalar()?),
                "statusCode" => side.status = Some(r.scalar()?),
                "protocol" => side.protocol = Some(r.scalar()?),
                "host" => side.host = Some(r.scalar()?),
                "pathname" => side.pathname = Some(r.scalar()?),
                "path" => side.path = Some(r.scalar()?),
                "query" => side.query = Some(r.field(false, None)?),
                "headers" => side.headers = Some(r.field(true, unread)?),
                "body" => side.body = Some(r.body()?),
                "timestamp" => side.timestamp = Some(r.scalar()?),
                "bodyTruncated" => {
                    r.skip(1)?;
                    side.flagged = true;
                }
                _ => r.skip(1)?,
            }
            Some(())
        })?;
        Some(side)
    }
}

/// The record's request and response, as `record::RecordSeed` reads them, the whole text read (only
/// whitespace after the record); None when serde must read it.
pub(crate) fn record(text: &str, unread: [Unread<'_>; 2]) -> Option<(Option<Side>, Option<Side>)> {
    let mut r = Reader { b: text.as_bytes(), i: 0, text };
    let (mut request, mut response) = (None, None);
    r.object(|r, key| {
        match key.as_ref() {
            "request" => request = Some(r.side(unread[0])?),
            "response" => response = Some(r.side(unread[1])?),
            _ => r.skip(0)?,
        }
        Some(())
    })?;
    r.ws();
    (r.i == r.b.len()).then_some((request, response))
}

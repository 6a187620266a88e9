//! A JSON body embedded in a record as a string, read in one pass: the string is unescaped into the
//! body's text while that text is checked and its tape recorded, as `body::check` would record it.
//!
//! Inside the record's string the body's quote is `\"`, its backslash `\\` and its whitespace a space
//! or `\n`, `\t`, `\r`, so the body's JSON can be read from the escaped bytes directly. Unescaping the
//! string first (serde) and parsing the text again (`check`) cost ~130 instructions an escape and a
//! second pass. Anything odd (a `\u` escape that is a quote, a backslash or whitespace of the body, a
//! control character, a float near the ends of its range, deep nesting, a body that is not JSON, a
//! string cut short) answers None: the caller then unescapes the string and `check` decides, so the
//! verdicts are `check`'s.

use crate::body::{with_recorder, Ev, Recorder, Scalar, Span, Tape};
use crate::reader::{next_special, simple_escape, unicode_escape, MAX_DEPTH};
use crate::shape::key_hash_bytes;

/// What a JSON number is to serde_json (and so to `check`): an integer or a float.
pub(crate) enum Num {
    Int,
    Float,
}

/// The end of the JSON number at `at` and its kind; None for a number that is not JSON or one whose
/// kind or value serde_json could read otherwise than as a plain integer or float: `-0` and any other
/// negative zero (serde's -0.0, which `check` refuses), integers past 18 digits (serde reads those too
/// large for 64 bits as floats), and floats that could overflow or underflow.
pub(crate) fn number_end(b: &[u8], at: usize) -> Option<(usize, Num)> {
    let digits = |from: usize| b[from.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = at + usize::from(b.get(at) == Some(&b'-'));
    let negative = i > at;
    let whole = digits(i);
    if whole == 0 || whole > 18 || (whole > 1 && b[i] == b'0') {
        return None;
    }
    let mut zero = b[i..i + whole].iter().all(|&c| c == b'0');
    i += whole;
    let mut float = false;
    if b.get(i) == Some(&b'.') {
        let fraction = digits(i + 1);
        if fraction == 0 || fraction > 200 {
            return None;
        }
        zero &= b[i + 1..i + 1 + fraction].iter().all(|&c| c == b'0');
        i += 1 + fraction;
        float = true;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let exponent = digits(i);
        // |exponent| < 100 with at most 18 + 200 digits: far from f64's ends either way
        if exponent == 0 || exponent > 2 {
            return None;
        }
        i += exponent;
        float = true;
    }
    if negative && zero {
        return None;
    }
    Some((i, if float { Num::Float } else { Num::Int }))
}

struct Embedded<'a, 'r> {
    b: &'a [u8],
    i: usize,
    out: Vec<u8>, // the body's text, unescaped once (as the record holds it)
    rec: &'r mut Recorder,
    // events whose spans are in the side: their offsets are moved past the text once its length is known
    marks: Vec<usize>,
}

impl Embedded<'_, '_> {
    /// The body's whitespace: a space, or a newline, tab or carriage return escaped in the record.
    fn ws(&mut self) {
        loop {
            let c = match (self.b.get(self.i), self.b.get(self.i + 1)) {
                (Some(b' '), _) => {
                    self.i += 1;
                    b' '
                }
                (Some(b'\\'), Some(&c @ (b'n' | b't' | b'r'))) => {
                    self.i += 2;
                    simple_escape(c).expect("an escape letter")
                }
                _ => return,
            };
            self.out.push(c);
        }
    }

    /// The byte at `i`, after the body's whitespace (mostly none: looked at before a call).
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        if c == b' ' || (c == b'\\' && matches!(self.b.get(self.i + 1), Some(b'n' | b't' | b'r'))) {
            self.ws();
            return self.b.get(self.i).copied();
        }
        Some(c)
    }

    /// Copy the byte at `i`, one of the body's own punctuation.
    #[inline]
    fn punct(&mut self) {
        self.out.push(self.b[self.i]);
        self.i += 1;
    }

    /// Copy the next `n` bytes, which are the body's own (JSON punctuation, numbers, literals).
    fn copy(&mut self, n: usize) {
        self.out.extend_from_slice(&self.b[self.i..self.i + n]);
        self.i += n;
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        let ev = match self.peek()? {
            b'{' => return self.object(depth),
            b'[' => return self.array(depth),
            b'\\' => Ev::Str(self.string()?),
            b't' => self.literal(b"true", Ev::Bool(true))?,
            b'f' => self.literal(b"false", Ev::Bool(false))?,
            b'n' => self.literal(b"null", Ev::Null)?,
            b'-' | b'0'..=b'9' => {
                let (end, kind) = number_end(self.b, self.i)?;
                // an integer's text, read only when a hash asks (`Scalar`): it is in the body's text
                let text = Scalar::Text(Span { at: self.out.len() as u32, len: (end - self.i) as u32 });
                self.copy(end - self.i);
                match kind {
                    Num::Int => Ev::Int(text),
                    Num::Float => Ev::Float,
                }
            }
            _ => return None,
        };
        self.rec.events.push(ev);
        Some(())
    }

    fn literal(&mut self, word: &[u8], ev: Ev) -> Option<Ev> {
        self.b[self.i..].starts_with(word).then(|| self.copy(word.len()))?;
        Some(ev)
    }

    /// One of the body's strings (at its escaped opening quote): the span of its value, in the text
    /// when it has no escapes of the body's own, else unescaped into the side.
    fn string(&mut self) -> Option<Span> {
        let (b, mut i) = (self.b, self.i);
        if b.get(i + 1) != Some(&b'"') {
            return None;
        }
        i += 2;
        self.out.push(b'"');
        let start = self.out.len();
        let mut escaped = false;
        loop {
            let next = next_special(b, i);
            self.out.extend_from_slice(&b[i..next]);
            i = next;
            // the record's string ends in the body's string (cut short), or a control character
            if b.get(i) != Some(&b'\\') {
                return None;
            }
            match *b.get(i + 1)? {
                b'"' => break,
                b'/' => {
                    self.out.push(b'/');
                    i += 2;
                }
                b'u' => {
                    // a character written as an escape in the record: plain text of the body's string
                    let c = unicode_escape(b, i + 2).filter(|&c| c >= ' ' && c != '"' && c != '\\')?;
                    self.out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    i += 6;
                }
                b'\\' => {
                    // an escape of the body's own: its letter follows, escaped again if `"`, `\` (or `/`)
                    escaped = true;
                    self.out.push(b'\\');
                    match *b.get(i + 2)? {
                        b'\\' => match *b.get(i + 3)? {
                            c @ (b'"' | b'\\' | b'/') => {
                                self.out.push(c);
                                i += 4;
                            }
                            _ => return None,
                        },
                        c @ (b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.out.push(c);
                            i += 3;
                        }
                        b'u' => {
                            unicode_escape(b, i + 3)?;
                            self.out.extend_from_slice(&b[i + 2..i + 7]);
                            i += 7;
                        }
                        _ => return None,
                    }
                }
                _ => return None, // `\n`, `\t`, ...: a control character in the body's string
            }
        }
        let end = self.out.len();
        self.out.push(b'"');
        self.i = i + 2;
        if !escaped {
            return Some(Span { at: start as u32, len: (end - start) as u32 });
        }
        // the body's escapes were checked above: unescape them into the side
        let value = std::str::from_utf8(&self.out[start..end]).ok()?;
        let at = self.rec.side.len();
        let mut parts = value.split('\\');
        self.rec.side.push_str(parts.next().unwrap_or(""));
        let mut pending_backslash = false;
        for part in parts {
            if pending_backslash {
                // `\\`: this part follows the escaped backslash as it is
                pending_backslash = false;
                self.rec.side.push_str(part);
                continue;
            }
            if part.is_empty() {
                self.rec.side.push('\\');
                pending_backslash = true;
                continue;
            }
            let letter = part.as_bytes()[0];
            let rest = if letter == b'u' {
                self.rec.side.push(unicode_escape(part.as_bytes(), 1)?);
                &part[5..]
            } else {
                self.rec.side.push(char::from(simple_escape(letter)?));
                &part[1..]
            };
            self.rec.side.push_str(rest);
        }
        self.marks.push(self.rec.events.len());
        Some(Span { at: at as u32, len: (self.rec.side.len() - at) as u32 })
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.punct();
        let start = self.rec.events.len();
        self.rec.events.push(Ev::Arr(0));
        if self.peek()? == b']' {
            self.punct();
        } else {
            loop {
                self.value(depth + 1)?;
                match self.peek()? {
                    b',' => self.punct(),
                    b']' => {
                        self.punct();
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.rec.close(start);
        Some(())
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.punct();
        let start = self.rec.events.len();
        self.rec.events.push(Ev::Obj(0));
        let first_key = self.rec.keys.len();
        if self.peek()? == b'}' {
            self.punct();
        } else {
            loop {
                if self.peek()? != b'\\' {
                    return None;
                }
                let span = self.string()?;
                let key = match self.marks.last() {
                    Some(&m) if m == self.rec.events.len() => {
                        &self.rec.side.as_bytes()[span.at as usize..][..span.len as usize]
                    }
                    _ => &self.out[span.at as usize..][..span.len as usize],
                };
                let h = key_hash_bytes(key);
                self.rec.events.push(Ev::Key(span, h));
                self.rec.keys.push(h);
                if self.peek()? != b':' {
                    return None;
                }
                self.punct();
                self.value(depth + 1)?;
                match self.peek()? {
                    b',' => self.punct(),
                    b'}' => {
                        self.punct();
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.rec.close(start);
        // as `check`: a hash seen twice is taken as a duplicate key (and `check` then decides)
        let mine = &mut self.rec.keys[first_key..];
        mine.sort_unstable();
        let duplicate = mine.windows(2).any(|w| w[0] == w[1]);
        self.rec.keys.truncate(first_key);
        (!duplicate).then_some(())
    }
}

/// The body whose string's content starts at `start` (after the record's opening quote): its text,
/// its tape, and the index after the string's closing quote. None when it does not start with `{` or
/// `[`, and for anything `check` should decide (see the module's note).
pub(crate) fn read(b: &[u8], start: usize) -> Option<(String, Tape, usize)> {
    if !matches!(b.get(start), Some(b'{' | b'[')) {
        return None;
    }
    with_recorder(|rec| {
        let mut e = Embedded { b, i: start, out: Vec::with_capacity(b.len() - start), rec, marks: Vec::new() };
        e.value(0)?;
        e.ws();
        // the record's string ends here; a text too long for the tape's spans is `check`'s to refuse
        if e.b.get(e.i) != Some(&b'"') || e.out.len() > (u32::MAX / 2) as usize {
            return None;
        }
        let Embedded { i, out, rec, marks, .. } = e;
        let shift = out.len() as u32;
        for m in marks {
            match &mut rec.events[m] {
                Ev::Str(s) | Ev::Key(s, _) => s.at += shift,
                _ => unreachable!("marks are of the events of strings"),
            }
        }
        let mut text = String::from_utf8(out).ok()?;
        // room was made for the rest of the line (a request's body has the response's after it): a
        // body kept pending keeps only its own bytes
        if text.capacity() > 2 * text.len() + 64 {
            text.shrink_to_fit();
        }
        Some((text, rec.tape(), i + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::check;

    /// `text` as a JSON string, as recorders write it: serde_json's escapes, or also `\/` and every
    /// non-ASCII character as `\u` escapes (Python's `ensure_ascii`).
    fn quoted(text: &str, ascii: bool) -> String {
        let s = serde_json::to_string(text).expect("a string");
        if !ascii {
            return s;
        }
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '/' => out.push_str("\\/"),
                c if c.is_ascii() => out.push(c),
                c => c.encode_utf16(&mut [0; 2]).iter().for_each(|u| out.push_str(&format!("\\u{u:04x}"))),
            }
        }
        out
    }

    /// The one pass over the JSON string at the start of `line`: None, or what serde's unescape and
    /// `check` read of it (asserted), as the text and the tape's view.
    fn one_pass(line: &[u8]) -> Option<(String, Vec<String>)> {
        let (text, tape, end) = read(line, 1)?;
        let literal = std::str::from_utf8(&line[..end]).expect("the one pass took UTF-8 only");
        let unescaped: String = serde_json::from_str(literal).expect("the one pass took a JSON string only");
        assert_eq!(text, unescaped, "{literal}");
        let checked = check(&text).unwrap_or_else(|e| panic!("check refuses {text:?} ({e}), the one pass took it"));
        assert_eq!(tape.view(&text), checked.view(&text), "{literal}");
        let view = tape.view(&text);
        Some((text, view))
    }

    const BODIES: &[&str] = &[
        r#"{"deleted":true,"id":"RRbyoEFUrqJVBak","object":"invoiceitem","n":-12,"x":1.5e3}"#,
        r#"[{"a":"say \"hi\"","b":"C:\\temp\\","c":"line\nnext\ttab","d":"a\/b"}, [], {}]"#,
        r#"{"caf\u00e9":"\u00e9t\u00e9 \u2028","é":"déjà","emoji":"😀","k\"ey":null,"k\\ey":false}"#,
        r#"{"nums":[0,-1,0.0,1e-5,1E+2,123456789012345678,-123456789012345678,3.25e-7]}"#,
        "{\n  \"pretty\": [\n    1,\n    2\r\n  ],\t\"x\" : { }\n}",
        r#"{"deep":[[[[[[[[{"a":[[[["x"]]]]}]]]]]]]],"tail":"\\\"\\u00e9\\"}"#,
    ];

    #[test]
    fn a_body_read_in_one_pass_is_the_unescaped_text_and_the_tape_check_records() {
        for body in BODIES {
            for ascii in [false, true] {
                let line = quoted(body, ascii);
                // a character past the BMP escaped is a surrogate pair: Python decides such a record
                if ascii && body.chars().any(|c| u32::from(c) > 0xffff) {
                    assert!(one_pass(line.as_bytes()).is_none());
                    continue;
                }
                let (text, _) = one_pass(line.as_bytes()).unwrap_or_else(|| panic!("not read in one pass: {line}"));
                assert_eq!(text, *body);
            }
        }
    }

    #[test]
    fn what_check_should_decide_is_left_to_it() {
        let left = [
            r#"{"a":1,"a":2}"#, // duplicate keys
            r#"[-0]"#,          // serde's -0.0
            r#"[-0.0e1]"#,
            r#"[1e999]"#,                // out of range
            r#"[12345678901234567890]"#, // a float to serde
            r#"{"a":"\ud83d\ude00"}"#,   // the body's own surrogate escapes
            r#"{"a":1"#,                 // not JSON
            r#"{"a":1} x"#,
            r#"{"a":01}"#,
            "hello",
            " {}", // leading whitespace: unescaped, then checked
        ];
        for body in left {
            assert!(one_pass(quoted(body, false).as_bytes()).is_none(), "{body}");
        }
        assert!(one_pass(quoted("{\"a\":\"b\"} \n", false).as_bytes()).is_some()); // trailing whitespace
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(one_pass(quoted(&deep, false).as_bytes()).is_none());
        let shallow = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(one_pass(quoted(&shallow, false).as_bytes()).is_some());
        // escapes of the record that would be the body's quote, backslash or a control character
        for line in [
            r#""{\"a\u0022:1}""#,
            r#""{\"a\u005c\"\":1}""#,
            r#""{\"a\u0001\":1}""#,
            r#""{\"a\n\":1}""#,
            r#""[\"\\ud800\"]""#,
            r#""[\"\\x\"]""#,
            "\"[\"\t\"]\"",
        ] {
            assert!(one_pass(line.as_bytes()).is_none(), "{line}");
        }
        // cut short: the record's string ends inside the body, or the line does
        for line in [r#""{\"a\":\"b"}"#, r#""{\"a\":"#, r#""[1,"#, r#""[\"x\\"#] {
            assert!(one_pass(line.as_bytes()).is_none(), "{line}");
        }
    }

    /// A small deterministic generator (xorshift): the same cases every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn bodies_broken_anywhere_are_read_as_serde_and_check_read_them_or_left_to_them() {
        // pieces as they are written in the record: escapes of either level, quotes, numbers, bytes
        let pieces: &[&[u8]] = &[
            b"\\\"",
            b"\\\\",
            b"\"",
            b"\\\\\\\"",
            b"\\\\\\\\",
            b"\\n",
            b"\\t",
            b"\\u0022",
            b"\\u005c",
            b"\\u0001",
            b"\\u00e9",
            b"\\\\u00e9",
            b"\\\\ud800",
            b"\\\\n",
            b"\\/",
            b"\\\\/",
            b"-0",
            b"1e9",
            b"{",
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b" ",
            b"\t",
            b"\xff",
            b"\xc3",
            b"\\",
            b"\\u",
            b"true",
            b"nul",
            b"0.",
            b"\xc3\xa9",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut taken, mut cases) = (0, 0);
        for body in BODIES {
            for ascii in [false, true] {
                let line = quoted(body, ascii).into_bytes();
                for _ in 0..3000 {
                    let mut broken = line.clone();
                    for _ in 0..1 + rng.below(2) {
                        if broken.len() < 2 {
                            break;
                        }
                        let at = 1 + rng.below(broken.len() - 1);
                        match rng.below(4) {
                            0 => broken.truncate(at),
                            1 => {
                                broken.remove(at.min(broken.len() - 1));
                            }
                            _ => {
                                let piece = pieces[rng.below(pieces.len())];
                                broken.splice(at..at, piece.iter().copied());
                            }
                        }
                    }
                    cases += 1;
                    taken += usize::from(one_pass(&broken).is_some());
                }
            }
        }
        // enough of the broken bodies are still JSON for the comparison to mean something
        assert!(taken > cases / 20, "{taken} of {cases}");
    }
}

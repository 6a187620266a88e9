//! The label of a path segment that is a parameter on sight (`templater._typed`: `segments.classify_segment`
//! and `token_kind`, the extension and the custom method kept literal), for a segment of printable
//! ASCII without `%`; any other is left to Python, the reference (Unicode letters, digits and spaces,
//! and `unquote`, are Python's own).
//!
//! Why: a path-cache miss is mostly a path with an id never seen, and typing that id in Python was a
//! third of the templater's time on the 100k mix; on the 20k mix (more misses a record), 8% of the
//! fold's instructions (callgrind).
//! Every pattern comes from `specbuild/segments.py` (`configure_segments`); the character rules are
//! spelled here, as Python's `str` methods read ASCII. tests/test_native.py holds the two to each other.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

/// `pattern` as Python reads it on ASCII text: without Unicode classes or case folding (`\s` is
/// `[\t\n\v\f\r ]`), on bytes, so that `.` and `[^:]` may be any byte.
pub(crate) fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

/// The patterns of `specbuild.segments`, each anchored as Python uses it (`match` or `fullmatch`).
pub(crate) struct Segments {
    pub(crate) integer: Regex,
    pub(crate) digits: Regex,
    pub(crate) uuid: Regex,
    pub(crate) hex: Regex,
    pub(crate) date: Regex,
    pub(crate) date_time: Regex,
    pub(crate) ipv4: Regex,
    pub(crate) email: Regex,
    pub(crate) version: Regex,
    pub(crate) extension: Regex,
    pub(crate) sigil_id: Regex,
    pub(crate) hex_part: Regex,
    pub(crate) camel: Regex,
    pub(crate) acronym_end: Regex,
    pub(crate) custom_method: Regex,
    /// segments._OPEN_ARN (a fullmatch), for continues_id
    pub(crate) open_arn: Regex,
    /// `seg.lower() in segments.API_PREFIXES` (on ASCII), for version_after
    pub(crate) api_prefix: Regex,
    pub(crate) base36_min: usize,
}

static SEGMENTS: OnceLock<Segments> = OnceLock::new();

/// Set the patterns, once per process (a second call, a test re-importing, keeps the first).
pub(crate) fn set_segments(new: Segments) {
    let _ = SEGMENTS.set(new);
}

pub(crate) fn segments() -> Option<&'static Segments> {
    SEGMENTS.get()
}

/// `templater._typed(seg)`: Some(Some(label)) for a typed segment, Some(None) for a word, None when
/// the segment is not one decided here (a byte outside printable ASCII, or `%`).
pub(crate) fn typed(p: &Segments, seg: &str) -> Option<Option<String>> {
    if !seg.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'%') {
        return None;
    }
    Some(typed_ascii(p, seg))
}

/// What a segment says of the one after it (templater._after; `_CONTINUES_ID`, `_VERSION_HERE`, `_ANY`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum After {
    /// the rest of an id cut by its slash (segments.continues_id)
    ContinuesId,
    /// a place for a version (first, or after `api`: segments.version_after)
    VersionHere,
    Any,
}

/// templater._after of a segment of printable ASCII without `%` (nothing to unquote).
pub(crate) fn after(p: &Segments, seg: &str) -> After {
    let b = seg.as_bytes();
    if b.get(..3).is_some_and(|head| head.eq_ignore_ascii_case(b"arn")) && p.open_arn.is_match(b) {
        After::ContinuesId
    } else if p.api_prefix.is_match(b) {
        After::VersionHere
    } else {
        After::Any
    }
}

/// segments.version_here(seg, None): a bare number of one or two digits, or a date.
fn version_here(p: &Segments, seg: &str) -> bool {
    (!seg.is_empty() && seg.len() <= 2 && seg.bytes().all(|b| b.is_ascii_digit())) || p.date.is_match(seg.as_bytes())
}

/// segments.escape_segment of printable ASCII: braces, `?`, `#` and a `~` before `0` or `1`, percent-encoded.
pub(crate) fn escape(seg: &str) -> String {
    let b = seg.as_bytes();
    let odd = |i: usize| match b[i] {
        b'{' | b'}' | b'?' | b'#' => true,
        b'~' => matches!(b.get(i + 1), Some(b'0' | b'1')),
        _ => false,
    };
    if !(0..b.len()).any(odd) {
        return seg.to_owned();
    }
    let mut out = String::with_capacity(seg.len() + 8);
    for (i, &c) in b.iter().enumerate() {
        if odd(i) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

/// The segments of a path (segments.split_path) when every byte is printable ASCII but `%`: the
/// paths decided here; None for any other (Python decides).
pub(crate) fn ascii_segments(path: &str) -> Option<Vec<&str>> {
    if !path.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'%') {
        return None;
    }
    if path.is_empty() || path == "/" {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/').unwrap_or(path);
    let mut segs = Vec::with_capacity(8);
    let mut start = 0;
    for slash in memchr::memchr_iter(b'/', rest.as_bytes()) {
        segs.push(&rest[start..slash]);
        start = slash + 1;
    }
    segs.push(&rest[start..]);
    Some(segs)
}

/// templater._segment of a segment of printable ASCII without `%` where the one before says `after`:
/// its label, whether it is typed (else a word, its label escaped), and what it says of the next one.
pub(crate) fn segment_label(p: &Segments, seg: &str, after_previous: After) -> (String, bool, After) {
    let typed = match after_previous {
        After::ContinuesId => Some("{:token}".to_owned()),
        // a version (a bare number or date) has no extension: a word
        After::VersionHere if version_here(p, seg) => None,
        _ => typed_ascii(p, seg),
    };
    let next = after(p, seg);
    match typed {
        Some(label) => (label, true, next),
        None => (escape(seg), false, next),
    }
}

fn typed_ascii(p: &Segments, seg: &str) -> Option<String> {
    let ext = if seg.contains('.') { p.extension.captures(seg.as_bytes()) } else { None };
    let Some(ext) = ext else {
        let verb = if seg.contains(':') && !is_sigil_id(p, seg) { custom_method(p, seg) } else { "" };
        let kind = kind(p, &seg[..seg.len() - verb.len()])?;
        return Some(format!("{{:{kind}}}{verb}"));
    };
    let (stem, extension) = (&seg[ext.get(1)?.range()], &seg[ext.get(2)?.range()]);
    let kind = kind(p, stem)?;
    Some(format!("{{:{kind}}}{extension}"))
}

fn custom_method<'a>(p: &Segments, label: &'a str) -> &'a str {
    p.custom_method.captures(label.as_bytes()).and_then(|c| c.get(1)).map_or("", |m| &label[m.range()])
}

fn is_sigil_id(p: &Segments, seg: &str) -> bool {
    seg.contains(':') && p.sigil_id.is_match(seg.as_bytes())
}

/// templater._kind
fn kind(p: &Segments, seg: &str) -> Option<&'static str> {
    let kind = classify(p, seg)?;
    Some(if kind == "token" && is_cased(p, seg) { "cased" } else { kind })
}

/// segments.classify_segment (no `%` here: nothing to unquote)
fn classify(p: &Segments, seg: &str) -> Option<&'static str> {
    if is_sigil_id(p, seg) {
        return Some("token");
    }
    if !seg.bytes().any(|b| b.is_ascii_digit()) {
        if seg.contains('@') && p.email.is_match(seg.as_bytes()) {
            return Some("email");
        }
        return random_case(p, seg).then_some("token");
    }
    let tests: [(&Regex, Option<&'static str>); 8] = [
        (&p.integer, Some("integer")),
        (&p.digits, Some("token")),
        (&p.ipv4, Some("ipv4")),
        (&p.version, None),
        (&p.uuid, Some("uuid")),
        (&p.date, Some("date")),
        (&p.date_time, Some("date-time")),
        (&p.hex, Some("hex")),
    ];
    for (re, kind) in tests {
        if re.is_match(seg.as_bytes()) {
            return kind;
        }
    }
    if seg.contains('@') && p.email.is_match(seg.as_bytes()) {
        return Some("email");
    }
    looks_opaque(p, seg).then_some("token")
}

fn is_separator(b: u8) -> bool {
    matches!(b, b'-' | b'_' | b'.' | b':' | b'~' | b'+')
}

/// `_SEPARATORS.split(seg)`: every part, empty ones too.
fn parts(seg: &str) -> impl Iterator<Item = &str> {
    seg.split(|c: char| c.is_ascii() && is_separator(c as u8))
}

/// `_DIGIT_RUN.findall(seg)`
fn digit_runs(seg: &str) -> Vec<&str> {
    seg.split(|c: char| !c.is_ascii_digit()).filter(|r| !r.is_empty()).collect()
}

fn upper_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_uppercase).count()
}

fn lower_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_lowercase).count()
}

/// segments._looks_opaque
fn looks_opaque(p: &Segments, seg: &str) -> bool {
    let runs = digit_runs(seg);
    let digits: usize = runs.iter().map(|r| r.len()).sum();
    if !seg.bytes().any(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    let longest_run = runs.iter().map(|r| r.len()).max().unwrap_or(0);
    if digits >= 4 && (longest_run >= 3 || runs.len() >= 3) {
        return true;
    }
    if parts(seg).any(|part| p.hex_part.is_match(part.as_bytes()) && part.bytes().any(|b| b.is_ascii_alphabetic())) {
        return true;
    }
    let core = seg.trim_end_matches('=');
    if core.len() >= 10 && upper_count(core) >= 2 && lower_count(core) >= 2 && !words_around_a_number(p, core, &runs) {
        let class = |b: u8| match b {
            b'0'..=b'9' => 0,
            b'A'..=b'Z' => 1,
            b'a'..=b'z' => 2,
            _ => 3,
        };
        let changes = core.as_bytes().windows(2).filter(|w| class(w[0]) != class(w[1])).count();
        if changes >= 4 && changes as f64 >= 0.3 * core.len() as f64 {
            return true;
        }
    }
    (seg.len() >= 20 && digits >= 2) || base36(p, seg, &runs)
}

/// segments._base36
fn base36(p: &Segments, seg: &str, runs: &[&str]) -> bool {
    let b = seg.as_bytes();
    let (uppers, lowers) = (upper_count(seg), lower_count(seg));
    // str.islower / isupper: a cased character, and none of the other case
    let one_case = (lowers > 0 && uppers == 0) || (uppers > 0 && lowers == 0);
    if b.len() < p.base36_min || !b.iter().all(u8::is_ascii_alphanumeric) || !one_case {
        return false;
    }
    if runs.len() >= 2 {
        return true;
    }
    if b[b.len() - 1].is_ascii_digit() {
        return false;
    }
    seg.split(|c: char| c.is_ascii_digit()).any(|part| part.len() >= 2 && !word_like(part))
}

/// segments._words_around_a_number
fn words_around_a_number(p: &Segments, seg: &str, runs: &[&str]) -> bool {
    runs.len() == 1
        && runs[0].len() <= 2
        && seg.split(|c: char| c.is_ascii_digit() || (c.is_ascii() && is_separator(c as u8)))
            .filter(|part| !part.is_empty())
            .all(|part| camel_words(p, part))
}

/// segments._random_case
fn random_case(p: &Segments, seg: &str) -> bool {
    // max(..., key=len): the first of the longest
    let longest = parts(seg).fold("", |best, part| if part.len() > best.len() { part } else { best });
    if longest.len() < 12 || p.camel.is_match(longest.as_bytes()) {
        return false;
    }
    if let Some(words) = p.acronym_end.captures(longest.as_bytes()).and_then(|c| c.get(1)) {
        if camel_words(p, &longest[words.range()]) {
            return false;
        }
    }
    let b = longest.as_bytes();
    let changes = b.windows(2).filter(|w| w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase()).count();
    let uppers = upper_count(longest);
    changes as f64 >= 0.35 * b.len() as f64 && 3 <= uppers && uppers + 3 <= b.len()
}

/// segments.is_cased
fn is_cased(p: &Segments, seg: &str) -> bool {
    upper_count(seg) > 0 && lower_count(seg) > 0 && !parts(seg).filter(|part| !part.is_empty()).all(|part| camel_words(p, part))
}

/// segments._camel_words: `_CAMEL`, and each `_HUMP` (a letter, then lower-case letters) word-like.
fn camel_words(p: &Segments, part: &str) -> bool {
    if !p.camel.is_match(part.as_bytes()) {
        return false;
    }
    let b = part.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        if !word_like(&part[start..i]) {
            return false;
        }
    }
    true
}

/// segments._word_like (of ASCII letters)
fn word_like(hump: &str) -> bool {
    let low = hump.to_ascii_lowercase();
    let b = low.as_bytes();
    if b.len() < 2 {
        return true;
    }
    let vowel = b.iter().any(|c| b"aeiouy".contains(c));
    let mut run = 0;
    let mut consonant_run = false;
    for c in b {
        run = if b"bcdfghjklmnpqrstvwxz".contains(c) { run + 1 } else { 0 };
        consonant_run |= run >= 4;
    }
    // `q(?!u)`: a q not followed by a u, at the end too
    let q_without_u = b.iter().enumerate().any(|(i, &c)| c == b'q' && b.get(i + 1) != Some(&b'u'));
    vowel && !consonant_run && !q_without_u
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns of specbuild/segments.py and formats.py, as learn/native.py passes them.
    pub(crate) fn table() -> Segments {
        let re = |p: &str| compile(p).expect("pattern");
        Segments {
            integer: re(r"^(?:(?:0|[1-9][0-9]{0,17})\z)"),
            digits: re(r"^(?:[0-9]+\z)"),
            uuid: re(r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z)"),
            hex: re(r"^(?:[0-9a-f]{7,}\z|[0-9A-F]{7,}\z)"),
            date: re(r"^(?:[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\z)"),
            date_time: re(r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}(?::|%3[Aa])[0-9]{2}\z)"),
            ipv4: re(r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\z)"),
            email: re(r"^(?:[^@/\s]+(?:@|%40)[^@/\s]+\.[A-Za-z]{2,}\z)"),
            version: re(r"^(?:[vV][0-9]+(?:[._][0-9]+)*(?:(?:alpha|beta|rc|preview|dev)[0-9]*)?\z|[0-9]+(?:\.[0-9]+)+\z)"),
            extension: re(r"^(?:(?i)(.+)(\.(?:json|xml|csv|txt|md))\z)"),
            sigil_id: re(r"^(?:[@!$#+~][^:/]+:[^/]+|(?i:acct|urn|arn|did|mailto|tel|tag|spiffe|sip|xmpp):[^/]+)"),
            hex_part: re(r"^(?:[0-9a-fA-F]{7,}\z)"),
            camel: re(r"^(?:[A-Za-z][a-z]*(?:[A-Z][a-z]+)*[A-Z]?\z)"),
            acronym_end: re(r"^(?:((?:[A-Za-z][a-z]+){2,})[A-Z]{2,4}\z)"),
            custom_method: re(r"^(?:[^:]+(:[a-z]+(?:[A-Z][a-z]*)*))\z"),
            open_arn: re(r"^(?:(?i)arn:[^:/]+:[^:/]+:[a-z0-9-]+:[0-9]{12}:[a-z]+(?:-[a-z]+)*)\z"),
            api_prefix: re(r"^(?:(?i)(?:api|apis|graphql|rest|rpc))\z"),
            base36_min: 8,
        }
    }

    fn label(seg: &str) -> Option<String> {
        typed(&table(), seg).expect("decided here")
    }

    #[test]
    fn ids_are_typed_and_words_are_not() {
        assert_eq!(label("42").as_deref(), Some("{:integer}"));
        assert_eq!(label("v1"), None);
        assert_eq!(label("users"), None);
        assert_eq!(label("api-45db8383e-q1zvr").as_deref(), Some("{:token}"));
        assert_eq!(label("cus_BVpecptLnKlGZI").as_deref(), Some("{:cased}"));
        assert_eq!(label("SM0123abcd.json").as_deref(), Some("{:cased}.json"));
        assert_eq!(label("report-2024.json").as_deref(), Some("{:token}.json"));
        assert_eq!(label("txat25kjbx1:setIamPolicy").as_deref(), Some("{:token}:setIamPolicy"));
        assert_eq!(label("kta2ptlsr").as_deref(), Some("{:token}"));
        assert_eq!(label("oauth2callback"), None);
        assert_eq!(label("NewsByPlayerID"), None);
        assert_eq!(label("2024-02-30").as_deref(), Some("{:date}"));
        assert_eq!(label("").as_deref(), None);
    }

    #[test]
    fn paths_split_as_split_path_and_words_escape_as_escape_segment() {
        assert_eq!(ascii_segments(""), Some(vec![]));
        assert_eq!(ascii_segments("/"), Some(vec![]));
        assert_eq!(ascii_segments("//"), Some(vec!["", ""]));
        assert_eq!(ascii_segments("users/42/"), Some(vec!["users", "42", ""]));
        assert_eq!(ascii_segments("/a b"), None);
        assert_eq!(ascii_segments("/a%20b"), None);
        assert_eq!(escape("a{b}?c#~0~1~2~"), "a%7Bb%7D%3Fc%23%7E0%7E1~2~");
        assert_eq!(escape("users"), "users");
    }

    #[test]
    fn what_a_segment_says_of_the_next() {
        let p = table();
        assert_eq!(after(&p, "API"), After::VersionHere);
        assert_eq!(after(&p, "arn:aws:iam:us-east-1:123456789012:role"), After::ContinuesId);
        assert_eq!(after(&p, "arn:aws:iam::123456789012:role"), After::Any);
        assert_eq!(after(&p, "ar"), After::Any);
        let label = |seg, state| segment_label(&p, seg, state);
        assert_eq!(label("2", After::VersionHere), ("2".to_owned(), false, After::Any));
        assert_eq!(label("2", After::Any), ("{:integer}".to_owned(), true, After::Any));
        assert_eq!(label("2024-01-01", After::VersionHere), ("2024-01-01".to_owned(), false, After::Any));
        assert_eq!(label("users", After::ContinuesId), ("{:token}".to_owned(), true, After::Any));
        assert_eq!(label("a{b}", After::Any), ("a%7Bb%7D".to_owned(), false, After::Any));
    }

    #[test]
    fn what_python_reads_otherwise_is_left_to_it() {
        for seg in ["caf\u{e9}", "a%20b", "a b", "tab\there", "\u{7f}"] {
            assert_eq!(typed(&table(), seg), None, "{seg:?}");
        }
    }
}

//! Records: the plain, common form of an HTTP Types record, decoded into an Exchange's fields.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use memchr::memmem;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::body::{check, Json, Key, Tape};
use crate::reader;
use crate::rules::Rules;

// -- records ----------------------------------------------------------------------------------------
// `records.decode` is the reference; this decodes the plain, common form of an HTTP Types record and
// answers None for anything else (any error, `url` targets, escapes that are not UTF-8,
// bodies embedded as JSON values, non-ASCII header names, ...), which then goes to `records.decode`.
// So every message and every odd case stays in one place, and a None costs only a second parse.

pub(crate) type Pairs = Vec<(String, String)>;

/// records._text for the values it turns into the same text here (not floats, lists or objects).
pub(crate) fn text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Bool(b) => Some(if b { "true" } else { "false" }.to_owned()),
        Value::Number(n) if !n.is_f64() => Some(n.to_string()),
        _ => None,
    }
}

/// The names of one query or headers object seen so far: a list while they are few (a record's dozen
/// headers are found faster by comparing than by hashing), a set past that (a record with 10k query
/// names or headers costs a lookup each, not 50M string compares: tests/test_hostile.py times it).
/// Names borrow the record's text unless they had escapes: most of a record's headers are never copied.
#[derive(Default)]
pub(crate) struct Names<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> Names<'de> {
    const FEW: usize = 32;

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.few.iter().any(|n| n == name) || self.many.contains(name)
    }

    pub(crate) fn insert(&mut self, name: Cow<'de, str>) {
        if self.few.is_empty() {
            self.few.reserve(16); // a record's dozen headers in one allocation, not four growing ones
        }
        if self.few.len() < Self::FEW {
            self.few.push(name);
        } else {
            self.many.insert(name);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.few.len() + self.many.len()
    }
}

/// A `query` or `headers` field: an object as pairs (records._pairs), a string, or anything else.
pub(crate) enum Field {
    Pairs(Pairs, usize), // the pairs and the number of keys the object had
    Str(String),
    Other,
}

/// Header names (lower-cased) that no one reads: `Verdicts` said so before. They are skipped unread
/// (no copy of the name or the value), which is most of a record's headers.
pub(crate) type Unread<'u> = Option<&'u dyn Fn(&str) -> bool>;

/// Reads a Field; an error (which sends the record to Python) for what records._pairs treats its own
/// way: duplicate keys (the dict keeps the last), non-ASCII header names, floats, nested values (of
/// headers read: an unread one is dropped whatever its value, as records.decode's caller drops it).
struct FieldSeed<'u> {
    lower: bool,
    unread: Unread<'u>,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = Field;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = Field;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a query or headers field")
    }
    fn visit_str<E>(self, v: &str) -> Result<Field, E> {
        Ok(Field::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Field, E> {
        Ok(Field::Str(v))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Field, E> {
        Ok(Field::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Field, E> {
        Ok(Field::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Field, E> {
        Ok(Field::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Field, E> {
        Ok(Field::Other)
    }
    fn visit_unit<E>(self) -> Result<Field, E> {
        Ok(Field::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
        let mut out: Pairs = Vec::new();
        let mut names = Names::default();
        while let Some(name) = map.next_key_seed(Key)? {
            if names.contains(&name) || (self.lower && !name.is_ascii()) {
                return Err(de::Error::custom("needs records.decode"));
            }
            let key = if self.lower && name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                name.clone()
            };
            names.insert(name);
            // the body's media type is read whatever the verdicts say (`Verdicts::pairs_to_py` drops it)
            if self.unread.is_some_and(|unread| key != "content-type" && unread(&key)) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let bail = || de::Error::custom("needs records.decode");
            match map.next_value::<Value>()? {
                Value::Array(items) => {
                    for item in items {
                        out.push((key.clone().into_owned(), text(item).ok_or_else(bail)?));
                    }
                }
                Value::Null => {}
                other => out.push((key.into_owned(), text(other).ok_or_else(bail)?)),
            }
        }
        Ok(Field::Pairs(out, names.len()))
    }
}

/// A `body` as read: null, a string (with the tape of its JSON when `reader` read it as it unescaped
/// it), or any other value (a body embedded as a JSON value, which Python reads).
pub(crate) enum Body {
    Null,
    Text(String, Option<Tape>),
    Other,
}

impl From<Value> for Body {
    fn from(v: Value) -> Body {
        match v {
            Value::Null => Body::Null,
            Value::String(s) => Body::Text(s, None),
            _ => Body::Other,
        }
    }
}

/// The fields of `request` or `response` that records.decode reads (a later duplicate key wins, as
/// in a dict); the rest is skipped unread.
#[derive(Default)]
pub(crate) struct Side {
    pub(crate) method: Option<Value>,
    pub(crate) status: Option<Value>,
    pub(crate) protocol: Option<Value>,
    pub(crate) host: Option<Value>,
    pub(crate) pathname: Option<Value>,
    pub(crate) path: Option<Value>,
    pub(crate) query: Option<Field>,
    pub(crate) headers: Option<Field>,
    pub(crate) body: Option<Body>,
    pub(crate) timestamp: Option<Value>,
    // `bodyTruncated` (a recorder cut the body): such a record goes to Python, which decides
    pub(crate) flagged: bool,
}

struct SideSeed<'u>(Unread<'u>);

impl<'de> DeserializeSeed<'de> for SideSeed<'_> {
    type Value = Side;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Side, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SideSeed<'_> {
    type Value = Side;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a request or response object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Side, A::Error> {
        let mut side = Side::default();
        while let Some(key) = map.next_key_seed(Key)? {
            match key.as_ref() {
                "method" => side.method = Some(map.next_value()?),
                "statusCode" => side.status = Some(map.next_value()?),
                "protocol" => side.protocol = Some(map.next_value()?),
                "host" => side.host = Some(map.next_value()?),
                "pathname" => side.pathname = Some(map.next_value()?),
                "path" => side.path = Some(map.next_value()?),
                "query" => side.query = Some(map.next_value_seed(FieldSeed { lower: false, unread: None })?),
                "headers" => side.headers = Some(map.next_value_seed(FieldSeed { lower: true, unread: self.0 })?),
                "body" => side.body = Some(Body::from(map.next_value::<Value>()?)),
                "timestamp" => side.timestamp = Some(map.next_value()?),
                "bodyTruncated" => {
                    map.next_value::<IgnoredAny>()?;
                    side.flagged = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(side)
    }
}

/// The record: its request and response (anything else in it is skipped unread), with the header
/// names each side leaves unread.
struct RecordSeed<'u>([Unread<'u>; 2]);

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = (Option<Side>, Option<Side>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an HTTP Types record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut request, mut response) = (None, None);
        while let Some(key) = map.next_key_seed(Key)? {
            match key.as_ref() {
                "request" => request = Some(map.next_value_seed(SideSeed(self.0[0]))?),
                "response" => response = Some(map.next_value_seed(SideSeed(self.0[1]))?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((request, response))
    }
}

fn header_pairs(field: Option<Field>) -> Pairs {
    match field {
        Some(Field::Pairs(pairs, _)) => pairs,
        _ => Vec::new(),
    }
}

/// urllib.parse.parse_qsl(qs, keep_blank_values=True) (records._qsl): `&`-separated fields, `+` a
/// space, `%xx` unescaped; None when Python's unescaping could differ (see `unquote_plus`).
pub(crate) fn qsl(qs: &str) -> Option<Pairs> {
    let mut out = Vec::new();
    for field in qs.split('&').filter(|f| !f.is_empty()) {
        let (k, v) = field.split_once('=').unwrap_or((field, ""));
        out.push((unquote_plus(k)?, unquote_plus(v)?));
    }
    Some(out)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// urllib.parse.unquote(s.replace('+', ' ')): a `%` without two hex digits stays as it is. None when
/// the text has an escape beside non-ASCII characters (Python unescapes each ASCII run apart) or the
/// bytes unescaped are not UTF-8 (Python's 'replace' handler decides how many U+FFFD they become).
fn unquote_plus(s: &str) -> Option<String> {
    if !s.contains(['%', '+']) {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    if b.contains(&b'%') && !s.is_ascii() {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

const PY_SPACE: &[char] = &[' ', '\t', '\n', '\r', '\x0b', '\x0c', '\x1c', '\x1d', '\x1e', '\x1f'];

/// str.strip() when the answer is the same for ASCII whitespace alone (None when Unicode could matter).
fn py_strip(s: &str) -> Option<&str> {
    let t = s.trim_matches(PY_SPACE);
    let ends_ascii = t.chars().next().is_none_or(|c| c.is_ascii()) && t.chars().last().is_none_or(|c| c.is_ascii());
    ends_ascii.then_some(t)
}

/// records.media_type for ASCII content types.
fn media_type(content_type: Option<&str>) -> Option<Option<String>> {
    let Some(ct) = content_type.filter(|c| !c.is_empty()) else { return Some(None) };
    if !ct.is_ascii() {
        return None;
    }
    let mt = ct.split(';').next().unwrap_or("").trim_matches(PY_SPACE).to_ascii_lowercase();
    Some(if mt.is_empty() { None } else { Some(mt) })
}

fn is_json_media(mt: &str) -> bool {
    mt == "application/json" || mt.ends_with("+json") || mt.ends_with("/json")
}

pub(crate) enum BodyOut {
    Empty,
    Json(Option<String>, Json),
    Text(String, String),
    Form(String, Form),
    Binary(Option<String>),
}

/// A form body as records._body groups it: each name once, in the order first seen, with its values
/// in order. It stays in Rust: the builder folds it with `Params::fold_form`, no Python object per field.
pub(crate) struct Form {
    pub(crate) fields: Vec<(String, Vec<String>)>,
}

impl Form {
    pub(crate) fn grouped(pairs: Pairs) -> Form {
        // a map of names to their place: a form of 10k fields costs a lookup each (tests/test_hostile.py)
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut fields: Vec<(String, Vec<String>)> = Vec::new();
        for (k, v) in pairs {
            match at.get(&k) {
                Some(&i) => fields[i].1.push(v),
                None => {
                    at.insert(k.clone(), fields.len());
                    fields.push((k, vec![v]));
                }
            }
        }
        Form { fields }
    }
}

/// records.MAX_FORM_DEPTH: a name of more bracketed segments is a plain name.
const MAX_FORM_DEPTH: usize = 32;

/// records.form_key: the name a form field folds under, its indices collapsed (`items[0][price]` and
/// `items[1][price]` are `items[][price]`), so the cap on names counts fields, not array positions. A
/// name not of the `base[a][b]` shape (`a[b`, `[x]`, `a[b]c`), or of more than MAX_FORM_DEPTH segments,
/// is a plain name, kept.
pub(crate) fn form_key(name: &str) -> Cow<'_, str> {
    let Some(open) = name.find('[') else { return Cow::Borrowed(name) };
    let base = &name[..open];
    if base.is_empty() || base.contains(']') {
        return Cow::Borrowed(name);
    }
    let mut segments = Vec::new();
    let mut rest = &name[open..];
    while !rest.is_empty() {
        let Some(close) = rest.find(']').filter(|_| rest.starts_with('[')) else { return Cow::Borrowed(name) };
        let segment = &rest[1..close];
        if segment.contains('[') {
            return Cow::Borrowed(name);
        }
        if segments.len() == MAX_FORM_DEPTH {
            return Cow::Borrowed(name);
        }
        segments.push(segment);
        rest = &rest[close + 1..];
    }
    // records.is_index: at most 9 digits, no leading zero (else a key)
    let index = |s: &str| {
        !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    if !segments.iter().any(|s| index(s)) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    out.push_str(base);
    for s in segments {
        out.push('[');
        if !index(s) {
            out.push_str(s);
        }
        out.push(']');
    }
    Cow::Owned(out)
}

/// records._body for string bodies; None for what records.decode must decide.
/// A body's tape is `check`'s, made now unless the reader made it as it read the body.
fn body(v: Option<Body>, content_type: Option<&str>, limit: usize, lenient_empty: bool) -> Option<BodyOut> {
    let mt = media_type(content_type)?;
    let (text, tape) = match v {
        None | Some(Body::Null) => return Some(BodyOut::Empty),
        Some(Body::Text(s, tape)) => (s, tape),
        Some(Body::Other) => return None, // a body embedded as a JSON value
    };
    let checked = |text: String, tape: Option<Tape>| match tape {
        Some(tape) => Some(Json { text, tape }),
        None => check(&text).ok().map(|tape| Json { text, tape }),
    };
    if text.is_empty() {
        return Some(BodyOut::Empty);
    }
    if text.len() > limit {
        return None; // Python counts characters, not bytes: it decides
    }
    let Some(mt) = mt else {
        let stripped = py_strip(&text)?;
        if lenient_empty && (stripped == "{}" || stripped.is_empty()) {
            return Some(BodyOut::Empty);
        }
        if stripped.starts_with(['{', '[']) {
            // JSON, else text; a body the check refuses (duplicate keys, -0) may still be JSON to orjson
            return checked(text, tape).map(|json| BodyOut::Json(None, json));
        }
        return Some(BodyOut::Binary(None));
    };
    if is_json_media(&mt) {
        return checked(text, tape).map(|json| BodyOut::Json(Some(mt), json));
    }
    if mt == "application/x-www-form-urlencoded" {
        return qsl(&text).map(|pairs| BodyOut::Form(mt, Form::grouped(pairs)));
    }
    if mt == "multipart/form-data" {
        return None; // its parts (base64 undone, the boundary found) are records.decode's: specbuild/multipart.py
    }
    if mt.starts_with("text/") || mt == "application/xml" || mt == "application/javascript" {
        return Some(BodyOut::Text(mt, text));
    }
    Some(BodyOut::Binary(Some(mt)))
}

fn take_str(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// An Exchange's fields (without `origin`).
pub(crate) struct Decoded {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: i64,
    pub(crate) query: Pairs,
    pub(crate) request_headers: Pairs,
    pub(crate) response_headers: Pairs,
    pub(crate) request_body: BodyOut,
    pub(crate) response_body: BodyOut,
    pub(crate) scheme: String,
    pub(crate) host: String,
    // as written: records.timestamp_of decides (the request's, else the response's; "" when neither)
    pub(crate) timestamp: String,
    // the target ended in "/" (records.Exchange.slash)
    pub(crate) slash: bool,
    // records.body_digest of a request that sent a body (its CRC-32 and length in bytes); None without one
    pub(crate) request_digest: Option<(u32, usize)>,
}

fn first<'p>(pairs: &'p Pairs, name: &str) -> Option<&'p str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `math.floor(records.epoch_seconds(t))` (`SpecBuilder._saw`) for the RFC 3339 form recorders write,
/// `YYYY-MM-DDTHH:MM:SS`, 1 to 6 digits of a second, then `Z`, `+HH:MM`, `-HH:MM` or nothing (UTC),
/// of the years 1970 to 2200; None for anything else (Python decides). Python's `timestamp()` divides
/// the exact microseconds by 10**6 into a float: below 2**53 (the year 2255) this one division, in
/// f64, is the same correctly rounded number, floored alike.
pub(crate) fn epoch_second(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    let num = |s: &[u8]| s.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')));
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    let (h, mi, s) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    if !(1970..=2200).contains(&y) || !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut micros = 0;
    if let [b'.', fraction @ ..] = rest {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=6).contains(&n) {
            return None;
        }
        micros = num(&fraction[..n])? * 10i64.pow(6 - n as u32);
        rest = &fraction[n..];
    }
    let offset = match rest {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), oh @ .., b':', m1, m2] if oh.len() == 2 => {
            let (oh, om) = (num(oh)?, num(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            (oh * 3600 + om * 60) * if *sign == b'-' { -1 } else { 1 }
        }
        _ => return None,
    };
    let seconds = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some(((seconds * 1_000_000 + micros) as f64 / 1e6).floor() as i64)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A `\uD800`..`\uDFFF` escape anywhere (a lone one is not JSON to orjson; a pair goes to Python too).
/// Every `\u` is looked at, also one that follows an escaped backslash (`\\uD800`, no escape): such a
/// line goes to Python needlessly, which is only slower. memchr's search skips the rest of the line,
/// where looking at each backslash (a JSON body embedded as a string has one per quote) cost ~5% of
/// the fold of such records.
fn surrogate_escape(raw: &[u8]) -> bool {
    static ESCAPE: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    let escape = ESCAPE.get_or_init(|| memmem::Finder::new(b"\\u")); // built once, not per record
    escape.find_iter(raw).any(|at| match raw[at + 2..] {
        [d, x, ..] => d | 0x20 == b'd' && matches!(x | 0x20, b'8'..=b'9' | b'a'..=b'f'),
        _ => false,
    })
}

/// Whether a POST may name the method it stands for (envelope.py's `_named_method`: an override header, a
/// `_method` query key or form field, a JSON or text body that mentions `"_method"`, or has an escape that
/// could spell it): Python unwraps those, before `--method` filters.
fn names_a_method(r: &Rules, query: Option<&Pairs>, headers: &Pairs, body: &BodyOut) -> bool {
    let field = r.override_field.as_str();
    let mentions = |text: &str| r.override_mentions.iter().any(|m| text.contains(m.as_str()));
    query.is_some_and(|q| q.iter().any(|(k, _)| k == field))
        || headers.iter().any(|(k, _)| r.override_headers.iter().any(|h| h == k))
        || match body {
            BodyOut::Json(_, json) => mentions(&json.text),
            BodyOut::Text(_, text) => mentions(text),
            BodyOut::Form(_, form) => form.fields.iter().any(|(k, _)| k == field),
            _ => false,
        }
}

/// One record in its plain form, or None for anything `records.decode` must look at; the headers
/// `unread` names (request side, response side) are left out.
pub(crate) fn decode_plain(r: &Rules, raw: &[u8], limit: usize, unread: [Unread<'_>; 2]) -> Option<Decoded> {
    decode(r, raw, limit, unread, true)
}

/// `decode_plain`, with or without the record reader (`one_pass`; the tests compare the two).
fn decode(r: &Rules, raw: &[u8], limit: usize, unread: [Unread<'_>; 2], one_pass: bool) -> Option<Decoded> {
    // orjson refuses a line with invalid UTF-8 or a lone surrogate anywhere, even in a field skipped
    // here unread (serde skips ignored strings without checking either): such a line goes to Python.
    let text = std::str::from_utf8(raw).ok()?;
    if surrogate_escape(raw) {
        return None;
    }
    // the record reader's one pass, else serde's (which decides what the reader leaves to it)
    let sides = one_pass.then(|| reader::record(text, unread)).flatten().or_else(|| {
        let mut de = serde_json::Deserializer::from_str(text);
        let sides = de.deserialize_map(RecordSeed(unread)).ok()?;
        de.end().ok().map(|()| sides)
    });
    let (Some(mut request), Some(mut response)) = sides? else { return None };
    if request.flagged || response.flagged {
        return None;
    }
    let method = match &request.method {
        Some(Value::String(m)) if m.is_ascii() => m.to_ascii_uppercase(),
        _ => return None,
    };
    if !r.methods.contains(&method) {
        return None;
    }
    let status = match &response.status {
        Some(Value::Number(n)) => n.as_i64().filter(|s| (100..=599).contains(s))?,
        _ => return None,
    };
    // records._target, for pathname or path (a `url` goes to Python)
    let mut query: Option<Pairs> = match request.query.take() {
        Some(Field::Pairs(pairs, keys)) if keys > 0 => Some(pairs),
        Some(Field::Str(s)) if !s.is_empty() => Some(qsl(s.trim_start_matches('?'))?),
        _ => None,
    };
    let mut path = match request.pathname.take() {
        Some(Value::String(p)) if !p.is_empty() => p,
        _ => {
            let Some(Value::String(raw_path)) = &request.path else { return None };
            if raw_path.is_empty() {
                return None;
            }
            let (p, qs) = raw_path.split_once('?').unwrap_or((raw_path, ""));
            if query.is_none() && !qs.is_empty() {
                query = Some(qsl(qs)?);
            }
            p.to_owned()
        }
    };
    if path.contains("://") {
        return None;
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    while path.contains("//") {
        path = path.replace("//", "/");
    }
    // records._normalise_path: the trailing slash goes (templates are made without it), and is kept as a bit
    let slash = path.len() > 1 && path.ends_with('/');
    if slash {
        path.pop(); // `//` collapsed above: one slash, and something before it
    }
    let request_headers = header_pairs(request.headers.take());
    let response_headers = header_pairs(response.headers.take());
    let digest = match &request.body {
        Some(Body::Text(text, _)) => Some((crate::witness::crc32(text.as_bytes()), text.len())),
        _ => None,
    };
    let request_body = body(request.body.take(), first(&request_headers, "content-type"), limit, true)?;
    let request_digest = if matches!(request_body, BodyOut::Empty) { None } else { digest };
    if method == "POST" && names_a_method(r, query.as_ref(), &request_headers, &request_body) {
        return None;
    }
    let response_body = body(response.body.take(), first(&response_headers, "content-type"), limit, false)?;
    let scheme = take_str(request.protocol.take()).filter(|s| !s.is_empty()).unwrap_or_else(|| "http".to_owned());
    let host = take_str(request.host.take()).unwrap_or_default();
    let timestamp = take_str(request.timestamp.take())
        .filter(|s| !s.is_empty())
        .or_else(|| take_str(response.timestamp.take()))
        .unwrap_or_default();
    Some(Decoded {
        method,
        path,
        status,
        query: query.unwrap_or_default(),
        request_headers,
        response_headers,
        request_body,
        response_body,
        scheme,
        host,
        timestamp,
        slash,
        request_digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::rules::tests::test_rules;

    fn described(d: Option<Decoded>) -> Option<String> {
        let d = d?;
        let body = |b: &BodyOut| match b {
            BodyOut::Empty => "empty".to_owned(),
            BodyOut::Json(mt, j) => format!("json {mt:?} {:?} {:?}", j.text, j.tape.view(&j.text)),
            BodyOut::Text(mt, t) => format!("text {mt} {t:?}"),
            BodyOut::Form(mt, f) => format!("form {mt} {:?}", f.fields),
            BodyOut::Binary(mt) => format!("binary {mt:?}"),
        };
        let fields = format!("{} {:?} {} {} {:?}", d.method, d.path, d.slash, d.status, d.query);
        let fields = format!("{fields} {:?} {:?}", d.request_headers, d.response_headers);
        let rest = format!("{:?} {:?} {:?}", d.scheme, d.host, d.timestamp);
        Some(format!("{fields} {} {} {rest}", body(&d.request_body), body(&d.response_body)))
    }

    const RECORDS: &[&str] = &[
        r#"{"request":{"method":"get","protocol":"https","host":"h.io","headers":{"Content-Type":"application/json","X-Skip":{"a":[1.5]},"x-n":7,"x-l":["a","b"],"x-z":null,"x-b":true},"pathname":"/a//b/","query":{"q":["1","2"],"n":-3,"z":null},"body":"{\"a\":[1,2.5,\"x\\\"y\"],\"b\":{\"c\":null}}","timestamp":"2024-03-04T08:53:44.600000+00:00"},"response":{"statusCode":201,"headers":{"content-type":"application/problem+json","date":"x"},"body":"[{\"k\\\\\":\"\\u00e9\"}]","meta":{"f":[1e5,-0.5,{"x":"\u00e9"}]}},"extra":[true,null,"x"]}"#,
        r#"{ "response" : { "statusCode" : 200 , "body" : "caf\u00e9 \/ \"text\"" , "headers" : { "content-type" : "text/plain" } } , "request" : { "method" : "GET" , "path" : "/p?x=%20&y=a+b" , "body" : null } }"#,
        r#"{"request":{"method":"GET","url":"http://x","pathname":"/f","headers":{"content-type":"application/x-www-form-urlencoded"},"body":"a=1&a=2&b%5B0%5D=c","query":"?k=v"},"response":{"statusCode":204,"body":"{}","truncated":false}}"#,
        r#"{"request":{"method":"Get","pathname":"/x","body":"{\n  \"pretty\": true\n}"},"response":{"statusCode":200,"body":" {\"lead\": 1}","headers":{"x":"1"}}}"#,
        r#"{"request":{"method":"GET","pathname":"/e","body":{"embedded":1}},"response":{"statusCode":200}}"#,
    ];

    #[test]
    fn the_record_reader_reads_what_serde_reads() {
        let r = test_rules();
        let skip = |name: &str| name == "x-skip" || name == "date";
        for unread in [[None, None], [Some(&skip as &dyn Fn(&str) -> bool), Some(&skip as _)]] {
            let mut answered = 0;
            for raw in RECORDS {
                let (one, two) =
                    (decode(&r, raw.as_bytes(), 4096, unread, true), decode(&r, raw.as_bytes(), 4096, unread, false));
                // a record serde's path decodes is read by the reader, not left to serde
                assert!(two.is_none() || reader::record(raw, unread).is_some(), "{raw}");
                answered += usize::from(two.is_some());
                assert_eq!(described(one), described(two));
            }
            // the first (an unread header that is an object) only with `skip`; the last (an embedded body) never
            assert_eq!(answered, if unread[0].is_some() { 4 } else { 3 });
        }
    }

    #[test]
    fn records_broken_anywhere_decode_alike_with_or_without_the_reader() {
        let r = test_rules();
        let skip = |name: &str| name == "x-skip";
        let unread: [Unread<'_>; 2] = [Some(&skip), None];
        let pieces: &[&[u8]] = &[
            b"\"", b"\\\"", b"\\\\", b"\\u0041", b"\\u00e9", b"\\ud800", b"\\u0001", b"\\x", b"\n", b"\x01", b"\xff",
            b"{", b"}", b"[", b"]", b",", b":", b" ", b"-0", b"1.5", b"1e999", b"99999999999999999999", b"null",
            b"true", b"\"x\":1,", b"\"x-skip\":[1,", b"\"Content-Type\":\"a\",", b"\"body\":", b"\"body\":\"{}\",",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut below = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut answered = 0;
        for raw in RECORDS {
            for _ in 0..3000 {
                let mut broken = raw.as_bytes().to_vec();
                let at = below(broken.len());
                match below(3) {
                    0 => broken.truncate(at),
                    1 => {
                        broken.remove(at);
                    }
                    _ => {
                        let piece = pieces[below(pieces.len())];
                        broken.splice(at..at, piece.iter().copied());
                    }
                }
                let one = described(decode(&r, &broken, 4096, unread, true));
                answered += usize::from(one.is_some());
                let two = described(decode(&r, &broken, 4096, unread, false));
                assert_eq!(one, two, "{}", String::from_utf8_lossy(&broken));
            }
        }
        assert!(answered > 1000, "{answered}");
    }

    #[test]
    fn surrogate_escapes_are_found_anywhere_and_other_escapes_are_not() {
        assert!(surrogate_escape(br#"{"a":"x\uD83D\uDE00"}"#));
        assert!(surrogate_escape(br#"{"a":"\udfff"}"#));
        assert!(surrogate_escape(br#"{"a":"\\\"\ud800"}"#)); // after other escapes
        assert!(!surrogate_escape(br#"{"a":"\u00e9\u2028\"\\ \u"}"#));
        assert!(!surrogate_escape(br#"{"a":"\ud7ff \ue000"}"#));
        assert!(!surrogate_escape(br#"\u"#));
    }

    #[test]
    fn instants_of_the_plain_form_are_read_and_others_left_to_python() {
        assert_eq!(epoch_second("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_second("1970-01-01T00:00:00"), Some(0));
        assert_eq!(epoch_second("1970-01-01T00:00:00.5+01:00"), Some(-3600));
        assert_eq!(epoch_second("2024-03-04T08:53:44.600000+00:00"), Some(1_709_542_424));
        assert_eq!(epoch_second("2024-02-29T23:59:59.999999-00:30"), Some(1_709_251_199 + 1800));
        for odd in ["2023-02-29T00:00:00Z", "2024-03-04 08:53:44", "2024-03-04T24:00:00", "2024-03-04T08:53:44.",
                    "2024-03-04T08:53:44.1234567", "2024-03-04T08:53:44+0100", "1969-12-31T23:59:59Z",
                    "2024-03-04T08:53:44+24:00", "2024-03-04T08:53", "２024-03-04T08:53:44"] {
            assert_eq!(epoch_second(odd), None, "{odd}");
        }
    }
}

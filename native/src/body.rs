//! Bodies: checked (`parse`), which records what it read as a tape, then folded from that tape into an
//! accumulator (`Acc`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::rules::{rules, Rules, ANY, ARR, BOOL, FLOAT, INT, NULL, OBJ, STR};
use crate::shape::{key_hash, Node};
use crate::state::Reader;

// -- the tape ----------------------------------------------------------------------------------------
// A body is parsed once, by the check (as the record's decode must, before anything of the record is
// folded), which records the values it reads as a tape: the fold then walks the tape, with no second
// parse and no key hashed twice. serde_json reports integers with visit_i64/visit_u64 and floats (and
// integers too big for 64 bits) with visit_f64, as orjson gives int and float; `null` is visit_unit.

/// A string of the body: `at` below the text's length is where it starts in the text (it had no
/// escapes), from the text's length on it is that far into the text and then into `Tape::side`.
#[derive(Clone, Copy)]
struct Span {
    at: u32,
    len: u32,
}

/// One value (or object key) of the body, in document order.
#[derive(Clone, Copy)]
enum Ev {
    Null,
    Bool,
    Int,
    Float,
    Str(Span),
    /// An object key, with its `key_hash`; its value follows.
    Key(Span, u64),
    /// An array or object: its events (items, or keys and values) run up to this index, exclusive.
    Arr(u32),
    Obj(u32),
}

/// What the check read of a body, for the fold.
pub(crate) struct Tape {
    events: Box<[Ev]>,
    side: String, // the strings that had escapes, unescaped, one after the other
}

/// The tape being recorded; its buffers are kept between bodies (one per thread), so a body costs one
/// allocation for its events and none here.
#[derive(Default)]
struct Recorder {
    events: Vec<Ev>,
    side: String,
    keys: Vec<u64>, // hashes of the keys of the objects being read, innermost last
    text_at: usize, // the address of the text, to tell where a borrowed string sits in it
    text_len: usize,
}

/// The buffers the recorder keeps between bodies, in events (24 bytes each) or side bytes: enough
/// for bodies of up to about a megabyte.
const KEEP: usize = 1 << 16;

thread_local! {
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder::default());
}

impl Recorder {
    /// The span of a string borrowed from the text (copied to the side should it not be in it).
    fn span(&mut self, s: &str) -> Span {
        let off = (s.as_ptr() as usize).wrapping_sub(self.text_at);
        if off <= self.text_len && s.len() <= self.text_len - off {
            return Span { at: off as u32, len: s.len() as u32 };
        }
        self.copied(s)
    }

    /// The span of an unescaped string, copied to the side.
    fn copied(&mut self, s: &str) -> Span {
        let at = (self.text_len + self.side.len()) as u32;
        self.side.push_str(s);
        Span { at, len: s.len() as u32 }
    }

    fn key(&mut self, key: Cow<'_, str>) -> u64 {
        let h = key_hash(&key);
        let span = match key {
            Cow::Borrowed(s) => self.span(s),
            Cow::Owned(s) => self.copied(&s),
        };
        self.events.push(Ev::Key(span, h));
        h
    }

    /// Set the end of the array or object whose event is at `start`, now that its content is read.
    fn close(&mut self, start: usize) {
        let end = self.events.len() as u32;
        match &mut self.events[start] {
            Ev::Arr(e) | Ev::Obj(e) => *e = end,
            _ => unreachable!("close() is called with the index of the event open() pushed"),
        }
    }
}

/// The check, which records the tape: JSON, no object with a key twice (orjson keeps the last of
/// duplicate keys, which a fold in document order cannot undo) and no negative zero. Bodies it refuses
/// go to orjson and the Python fold, so the result is the same either way.
struct Check<'a>(&'a mut Recorder);

impl<'de> DeserializeSeed<'de> for Check<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.0.events.push(Ev::Bool);
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.0.events.push(Ev::Int);
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.0.events.push(Ev::Int);
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // serde_json reads `-0` as the float -0.0, orjson as the integer 0: let orjson decide.
        if v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        self.0.events.push(Ev::Float);
        Ok(())
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        let span = self.0.span(v);
        self.0.events.push(Ev::Str(span));
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        let span = self.0.copied(v);
        self.0.events.push(Ev::Str(span));
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.events.push(Ev::Null);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let start = self.0.events.len();
        self.0.events.push(Ev::Arr(0));
        while seq.next_element_seed(Check(&mut *self.0))?.is_some() {}
        self.0.close(start);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.0.events.len();
        self.0.events.push(Ev::Obj(0));
        let first_key = self.0.keys.len();
        while let Some(key) = map.next_key_seed(Key)? {
            let h = self.0.key(key);
            self.0.keys.push(h);
            map.next_value_seed(Check(&mut *self.0))?;
        }
        self.0.close(start);
        // A hash seen twice is taken as a duplicate key: a rare collision only costs the slow path.
        let mine = &mut self.0.keys[first_key..];
        mine.sort_unstable();
        let duplicate = mine.windows(2).any(|w| w[0] == w[1]);
        self.0.keys.truncate(first_key);
        if duplicate {
            return Err(de::Error::custom("duplicate key in an object"));
        }
        Ok(())
    }
}

/// An object key, borrowed from the text unless it had escapes.
pub(crate) struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Check `text` and record its tape.
pub(crate) fn check(text: &str) -> Result<Tape, serde_json::Error> {
    // Spans are 32-bit offsets into the text and then the side, which is shorter than the text: a body
    // too large for them goes to orjson.
    if text.len() > (u32::MAX / 2) as usize {
        return Err(de::Error::custom("too large for the native check"));
    }
    RECORDER.with_borrow_mut(|rec| {
        // A rare huge body does not keep its buffers for the rest of the run.
        if rec.events.capacity() > KEEP || rec.side.capacity() > KEEP {
            *rec = Recorder::default();
        }
        rec.events.clear();
        rec.side.clear();
        rec.keys.clear();
        (rec.text_at, rec.text_len) = (text.as_ptr() as usize, text.len());
        let mut de = serde_json::Deserializer::from_str(text);
        Check(rec).deserialize(&mut de)?;
        de.end()?;
        Ok(Tape { events: rec.events.as_slice().into(), side: rec.side.as_str().into() })
    })
}

/// A body checked to be JSON, with the tape of what the check read (the fold reads that, not the text).
#[pyclass(frozen, module = "specbuild._native")]
pub(crate) struct Json {
    pub(crate) text: String,
    pub(crate) tape: Tape,
}

#[pymethods]
impl Json {
    /// The body's JSON text (for tests and debugging; the fold never goes through Python).
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }
}

/// Check that `text` is JSON; ValueError when not (the caller then asks orjson, the reference).
#[pyfunction]
pub(crate) fn parse(text: &str) -> PyResult<Json> {
    let tape = check(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Json { text: text.to_owned(), tape })
}

// -- the fold, from the tape -------------------------------------------------------------------------

/// A tape with the text its spans point into.
struct Walk<'a> {
    events: &'a [Ev],
    text: &'a str,
    side: &'a str,
}

impl Walk<'_> {
    fn str(&self, s: Span) -> &str {
        let (at, len) = (s.at as usize, s.len as usize);
        match at.checked_sub(self.text.len()) {
            None => &self.text[at..at + len],
            Some(at) => &self.side[at..at + len],
        }
    }

    /// Fold the value whose first event is at `at` into `node` (counting it there); the index after it.
    fn fold(&self, node: &mut Node, r: &Rules, at: usize) -> usize {
        node.count += 1;
        match self.events[at] {
            Ev::Null => node.kinds |= NULL,
            Ev::Bool => node.kinds |= BOOL,
            Ev::Int => node.kinds |= INT,
            Ev::Float => node.kinds |= FLOAT,
            Ev::Str(s) => {
                node.kinds |= STR;
                node.fold_str(r, self.str(s));
            }
            Ev::Arr(end) => {
                node.kinds |= ARR;
                if node.depth >= r.max_depth {
                    node.kinds |= ANY;
                    return end as usize;
                }
                let depth = node.depth;
                let items = node.items.get_or_insert_with(|| Box::new(Node::new(depth + 1, r)));
                let mut i = at + 1;
                while i < end as usize {
                    i = self.fold(items, r, i);
                }
                return i;
            }
            Ev::Obj(end) => {
                node.kinds |= OBJ;
                node.objects += 1;
                if node.depth >= r.max_depth {
                    node.kinds |= ANY;
                    return end as usize;
                }
                let mut props = node.props.take().unwrap_or_default();
                let mut i = at + 1;
                while i < end as usize {
                    let Ev::Key(s, h) = self.events[i] else { unreachable!("an object's events are key, value, ...") };
                    let key = self.str(s);
                    let p = match props.find(key, h) {
                        Some(p) => p,
                        None => node.new_prop(r, &mut props, key, h),
                    };
                    i = self.fold(&mut props.nodes[p], r, i + 1);
                }
                node.props = Some(props);
                return i;
            }
            Ev::Key(..) => unreachable!("a key is read with its object"),
        }
        at + 1
    }
}

/// A root position: fold parsed bodies in with `add`, take the result with `export` (which resets).
#[pyclass(module = "specbuild._native")]
pub(crate) struct Acc {
    root: Node,
}

#[pymethods]
impl Acc {
    #[new]
    fn py_new() -> Acc {
        Acc { root: Node::new(0, rules()) }
    }

    fn add(&mut self, body: &Json) {
        let Tape { events, side } = &body.tape;
        Walk { events, text: &body.text, side }.fold(&mut self.root, rules(), 0);
    }

    #[getter]
    fn count(&self) -> u64 {
        self.root.count
    }

    /// Everything folded so far as nested tuples; the accumulator starts over empty.
    fn export<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let out = self.root.export(py)?;
        self.root = Node::new(0, rules());
        Ok(out)
    }

    /// A copy of this accumulator (rendering merges copies: the builder keeps its own).
    fn copy(&self) -> Acc {
        Acc { root: self.root.clone() }
    }

    /// spec._core_paths of the root: the property paths (`a.b`, `items[].c`) present in at least half of
    /// the objects at their position, `depth` levels of properties down.
    fn core_paths(&self, depth: i64) -> Vec<String> {
        let mut out = Vec::new();
        core_paths(&self.root, "", depth, &mut out);
        out
    }

    /// Take `other`'s content over (schema.Shape.merge); `other` is left empty.
    fn merge(&mut self, other: &mut Acc) {
        let theirs = std::mem::replace(&mut other.root, Node::new(0, rules()));
        self.root.merge(rules(), theirs);
    }

    /// The state as bytes, for pickling between the processes of one run (see `load`).
    fn dump<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut out = Vec::new();
        self.root.dump(&mut out);
        PyBytes::new(py, &out)
    }

    /// An accumulator from `dump`'s bytes.
    #[staticmethod]
    fn load(data: &[u8]) -> PyResult<Acc> {
        let mut reader = Reader { data, at: 0 };
        let root = Node::load(&mut reader).ok_or_else(|| PyValueError::new_err("not a native fold state"))?;
        if reader.at != data.len() {
            return Err(PyValueError::new_err("not a native fold state (trailing bytes)"));
        }
        Ok(Acc { root })
    }
}

fn core_paths(node: &Node, prefix: &str, depth: i64, out: &mut Vec<String>) {
    if depth < 0 {
        return;
    }
    if let Some(items) = node.items.as_deref().filter(|items| items.count > 0) {
        core_paths(items, &format!("{prefix}[]"), depth, out);
    }
    let Some(props) = node.props.as_deref().filter(|props| props.len() > 0 && node.objects > 0) else {
        return;
    };
    for (name, sub) in props.iter() {
        if sub.count * 2 >= node.objects {
            let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
            core_paths(sub, &path, depth - 1, out);
            out.push(path);
        }
    }
}

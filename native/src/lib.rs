//! specbuild._native: the record decode of `specbuild/records.py` and the JSON-body fold of
//! `specbuild/schema.py`, in Rust.
//!
//! Optional and exact; the Python code is the reference.
//! - `decode_record` decodes a record in its plain, common form into an Exchange's fields and answers
//!   None for anything else, which `records.decode` then handles (every error message stays there).
//! - `parse` checks a body, `Acc.add` folds it (streamed from the text, in document order) into a tree
//!   of `Node`s that mirrors `schema.Shape` field for field, with the same rules. `Acc.export()` hands
//!   the tree back as nested tuples, from which Python builds a `Shape` and merges it; merging is
//!   exact, so the written spec is byte-identical with or without this module.
//!
//! Nothing here decides anything Python does not: the limits and the format patterns come from
//! `schema.py` through `configure()`, so the rules live in one place. tests/test_native.py holds the
//! two to that (states, decoded records, whole specs, and fuzzed text).
//!
//! Why: in CPython, decoding a record and walking every value of every body were most of the time per
//! record; here a body is parsed and folded in a few microseconds, with no Python object per value.

use std::borrow::Cow;
use std::fmt;
use std::hash::Hasher;
use std::sync::OnceLock;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use regex::Regex;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

// JSON kinds seen at a position (bitmask), as in schema.py.
const NULL: u8 = 1;
const BOOL: u8 = 2;
const INT: u8 = 4;
const FLOAT: u8 = 8;
const STR: u8 = 16;
const OBJ: u8 = 32;
const ARR: u8 = 64;
const ANY: u8 = 128;

/// How one string format is tested: a full-match regex, or a cheap regex prefilter and then the
/// Python test (ipv6: `ipaddress` is the reference and such strings are rare).
enum FormatTest {
    Pattern(Regex),
    Python(Regex, Py<PyAny>),
}

struct Rules {
    max_depth: u32,
    max_props: usize,
    enum_max: usize,
    formats: Vec<FormatTest>,
    all_formats: u8,
    token: Regex,
    numeric: Regex,
    hexish: Regex,
    hex_id_min: usize,
}

static RULES: OnceLock<Rules> = OnceLock::new();

fn rules() -> &'static Rules {
    RULES.get().expect("specbuild._native.configure() is called on import by specbuild.native")
}

fn full(pattern: &str) -> PyResult<Regex> {
    Regex::new(&format!("^(?:{pattern})$")).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Set the rules, once per process, from schema.py's constants and patterns.
///
/// `formats`: in priority order, each a pattern string or a (prefilter pattern, callable) pair.
/// `enum_tests`: (token, numeric, hex-ish) patterns and the minimum length of a hex id.
#[pyfunction]
fn configure(
    max_depth: u32,
    max_props: usize,
    enum_max: usize,
    formats: &Bound<'_, PyList>,
    enum_tests: (String, String, String, usize),
) -> PyResult<()> {
    let mut tests = Vec::new();
    for item in formats.iter() {
        if let Ok(pattern) = item.extract::<String>() {
            tests.push(FormatTest::Pattern(full(&pattern)?));
        } else {
            let (pattern, func): (String, Py<PyAny>) = item.extract()?;
            tests.push(FormatTest::Python(full(&pattern)?, func));
        }
    }
    if tests.len() > 8 {
        return Err(PyValueError::new_err("at most 8 formats fit the bitmask"));
    }
    let all_formats = ((1u16 << tests.len()) - 1) as u8;
    let (token, numeric, hexish, hex_id_min) = enum_tests;
    let new = Rules {
        max_depth,
        max_props,
        enum_max,
        formats: tests,
        all_formats,
        token: full(&token)?,
        numeric: full(&numeric)?,
        hexish: full(&hexish)?,
        hex_id_min,
    };
    // A second call (a test re-importing) must agree with the first: the rules are per process.
    if RULES.set(new).is_err() {
        let r = rules();
        if r.max_depth != max_depth || r.max_props != max_props || r.enum_max != enum_max {
            return Err(PyRuntimeError::new_err("specbuild._native is already configured differently"));
        }
    }
    Ok(())
}

/// The formats of `mask` that `v` matches (schema._narrow).
fn narrow(r: &Rules, mask: u8, v: &str) -> u8 {
    let mut out = 0u8;
    for (i, test) in r.formats.iter().enumerate() {
        let bit = 1u8 << i;
        if mask & bit == 0 {
            continue;
        }
        let hit = match test {
            FormatTest::Pattern(re) => re.is_match(v),
            FormatTest::Python(pre, func) => {
                pre.is_match(v)
                    && Python::with_gil(|py| func.call1(py, (v,)).and_then(|x| x.is_truthy(py)).unwrap_or(false))
            }
        };
        if hit {
            out |= bit;
        }
    }
    out
}

/// Whether `v` could be one value of an enum (schema._enumish).
fn enumish(r: &Rules, v: &str) -> bool {
    if !r.token.is_match(v) || r.numeric.is_match(v) || (v.len() >= r.hex_id_min && r.hexish.is_match(v)) {
        return false;
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if v.len() >= 8 && digits >= 2 {
        return false; // mixes letters and digits like a generated id
    }
    if !v.contains(':') && digits == 0 {
        return true;
    }
    narrow(r, r.all_formats, v) == 0
}

/// FxHash (rustc's): keys are short and trusted to be few per position, SipHash's DoS guard is
/// not needed and costs a third of a lookup.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

fn key_hash(key: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

/// The properties of one object position, in first-seen order.
///
/// Laid out for the fold, which visits thousands of these trees (one per operation and status) and
/// so mostly misses the cache: the keys' hashes sit together and are scanned before any key string is
/// touched, the children sit together, and `next` remembers where the key after the last one found
/// was: objects at one position list their keys in the same order, so the scan is usually one step.
#[derive(Default)]
struct Props {
    hashes: Vec<u64>,
    keys: Vec<Box<str>>,
    nodes: Vec<Node>,
    next: usize,
}

impl Props {
    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn find(&mut self, key: &str, h: u64) -> Option<usize> {
        let i = self.next;
        if i < self.hashes.len() && self.hashes[i] == h && &*self.keys[i] == key {
            self.next = i + 1;
            return Some(i);
        }
        let found = self.hashes.iter().zip(&self.keys).position(|(&x, k)| x == h && &**k == key)?;
        self.next = found + 1;
        Some(found)
    }

    fn push(&mut self, key: &str, h: u64, node: Node) -> usize {
        self.hashes.push(h);
        self.keys.push(key.into());
        self.nodes.push(node);
        self.hashes.len() - 1
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.keys.iter().map(|k| &**k).zip(self.nodes.iter())
    }

    /// Take out the entries of `victims` (keys), in that order; the others keep theirs.
    fn take(&mut self, victims: &[Box<str>]) -> Vec<Node> {
        let mut slots: Vec<Option<Node>> = self.nodes.drain(..).map(Some).collect();
        let mut out = Vec::with_capacity(victims.len());
        for v in victims {
            if let Some(i) = self.keys.iter().position(|k| k == v) {
                out.extend(slots[i].take());
            }
        }
        let (mut hashes, mut keys) = (Vec::new(), Vec::new());
        for ((h, k), slot) in self.hashes.drain(..).zip(self.keys.drain(..)).zip(slots) {
            if let Some(node) = slot {
                hashes.push(h);
                keys.push(k);
                self.nodes.push(node);
            }
        }
        (self.hashes, self.keys, self.next) = (hashes, keys, 0);
        out
    }
}

/// One position of JSON values: `schema.Shape`, field for field.
struct Node {
    count: u64,
    kinds: u8,
    depth: u32,
    objects: u64,
    props: Option<Box<Props>>,
    extra: Option<Box<Node>>,
    items: Option<Box<Node>>,
    fmts: u8,
    vals: Option<Vec<(String, u64)>>,
}

impl Node {
    fn new(depth: u32, r: &Rules) -> Node {
        Node {
            count: 0,
            kinds: 0,
            depth,
            objects: 0,
            props: None,
            extra: None,
            items: None,
            fmts: r.all_formats,
            vals: Some(Vec::new()),
        }
    }

    fn fold_str(&mut self, r: &Rules, s: &str) {
        if self.fmts != 0 {
            self.fmts = narrow(r, self.fmts, s);
        }
        if let Some(vals) = self.vals.as_mut() {
            if let Some(entry) = vals.iter_mut().find(|(k, _)| k == s) {
                entry.1 += 1;
            } else if vals.len() < r.enum_max && enumish(r, s) {
                vals.push((s.to_owned(), 1));
            } else {
                self.vals = None;
            }
        }
    }

    /// A new property: schema._new_prop (room is made first when the position is full).
    fn new_prop(&mut self, r: &Rules, props: &mut Props, key: &str, h: u64) -> usize {
        if props.len() >= r.max_props {
            self.evict(r, props);
        }
        props.push(key, h, Node::new(self.depth + 1, r))
    }

    /// schema._evict: the rarest keys' values move to `extra`, merged in (count, key) order.
    fn evict(&mut self, r: &Rules, props: &mut Props) {
        let mut ranked: Vec<(u64, &str)> = props.iter().map(|(k, c)| (c.count, k)).collect();
        ranked.sort_unstable();
        let keep = r.max_props * 3 / 4;
        let mut victims: Vec<Box<str>> = ranked.iter().filter(|(n, _)| *n == 1).map(|(_, k)| (*k).into()).collect();
        if props.len() - victims.len() > keep {
            victims = ranked.iter().take(props.len() - keep).map(|(_, k)| (*k).into()).collect();
        }
        let depth = self.depth;
        let extra = self.extra.get_or_insert_with(|| Box::new(Node::new(depth + 1, r)));
        for child in props.take(&victims) {
            extra.merge(r, child);
        }
    }

    /// schema.Shape.merge, taking `other` over.
    fn merge(&mut self, r: &Rules, other: Node) {
        self.count += other.count;
        self.kinds |= other.kinds;
        self.objects += other.objects;
        self.fmts &= other.fmts;
        self.vals = match (self.vals.take(), other.vals) {
            (Some(mut mine), Some(theirs)) => {
                for (v, n) in theirs {
                    match mine.iter_mut().find(|(k, _)| *k == v) {
                        Some(entry) => entry.1 += n,
                        None => mine.push((v, n)),
                    }
                }
                if mine.len() > r.enum_max {
                    None
                } else {
                    Some(mine)
                }
            }
            _ => None,
        };
        merge_child(r, &mut self.items, other.items);
        merge_child(r, &mut self.extra, other.extra);
        if let Some(theirs) = other.props {
            let mut props = self.props.take().unwrap_or_default();
            let Props { hashes, keys, nodes, .. } = *theirs;
            for ((h, key), child) in hashes.into_iter().zip(keys).zip(nodes) {
                match props.find(&key, h) {
                    Some(i) => props.nodes[i].merge(r, child),
                    None => {
                        props.push(&key, h, child);
                    }
                }
            }
            if props.len() > r.max_props {
                self.evict(r, &mut props);
            }
            self.props = Some(props);
        }
    }

    /// The node as nested tuples for `specbuild.native` (keys sorted, so the export is deterministic):
    /// (count, kinds, depth, objects, props | None, extra | None, items | None, fmts, vals | None)
    fn export<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let props = match &self.props {
            None => py.None().into_bound(py),
            Some(map) => {
                let mut entries: Vec<(&str, &Node)> = map.iter().collect();
                entries.sort_unstable_by_key(|(k, _)| *k);
                let list = PyList::empty(py);
                for (k, node) in entries {
                    list.append((k, node.export(py)?))?;
                }
                list.into_any()
            }
        };
        let child = |c: &Option<Box<Node>>| -> PyResult<Bound<'py, PyAny>> {
            match c {
                None => Ok(py.None().into_bound(py)),
                Some(n) => Ok(n.export(py)?.into_any()),
            }
        };
        let vals = match &self.vals {
            None => py.None().into_bound(py),
            Some(vs) => {
                let d = PyDict::new(py);
                for (k, n) in vs {
                    d.set_item(k, n)?;
                }
                d.into_any()
            }
        };
        PyTuple::new(
            py,
            [
                self.count.into_pyobject(py)?.into_any(),
                self.kinds.into_pyobject(py)?.into_any(),
                self.depth.into_pyobject(py)?.into_any(),
                self.objects.into_pyobject(py)?.into_any(),
                props,
                child(&self.extra)?,
                child(&self.items)?,
                self.fmts.into_pyobject(py)?.into_any(),
                vals,
            ],
        )
    }
}

fn merge_child(r: &Rules, mine: &mut Option<Box<Node>>, theirs: Option<Box<Node>>) {
    if let Some(t) = theirs {
        match mine {
            Some(m) => m.merge(r, *t),
            None => *mine = Some(t),
        }
    }
}

// -- the fold, streamed from the text --------------------------------------------------------------
// A body is read twice: `parse` checks that it is JSON (as the record's decode must, before anything of
// the record is folded), then `Acc.add` folds it straight from the text, with no tree built. serde_json
// reports integers with visit_i64/visit_u64 and floats (and integers too big for 64 bits) with
// visit_f64, as orjson gives int and float; `null` is visit_unit.

/// Folds one value into a node (counting it there).
struct Fold<'a> {
    node: &'a mut Node,
    r: &'a Rules,
}

impl<'de> DeserializeSeed<'de> for Fold<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.node.count += 1;
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Fold<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.node.kinds |= BOOL;
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.node.kinds |= INT;
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.node.kinds |= INT;
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.node.kinds |= FLOAT;
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.node.kinds |= STR;
        self.node.fold_str(self.r, v);
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.node.kinds |= NULL;
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let (node, r) = (self.node, self.r);
        node.kinds |= ARR;
        if node.depth >= r.max_depth {
            node.kinds |= ANY;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let depth = node.depth;
        let items = node.items.get_or_insert_with(|| Box::new(Node::new(depth + 1, r)));
        while seq.next_element_seed(Fold { node: items, r })?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (node, r) = (self.node, self.r);
        node.kinds |= OBJ;
        node.objects += 1;
        if node.depth >= r.max_depth {
            node.kinds |= ANY;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut props = node.props.take().unwrap_or_default();
        while let Some(key) = map.next_key_seed(Key)? {
            let h = key_hash(&key);
            let i = match props.find(&key, h) {
                Some(i) => i,
                None => node.new_prop(r, &mut props, &key, h),
            };
            map.next_value_seed(Fold { node: &mut props.nodes[i], r })?;
        }
        node.props = Some(props);
        Ok(())
    }
}

/// An object key, borrowed from the text unless it had escapes.
struct Key;

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

/// The check before the fold: JSON, no object with a key twice (orjson keeps the last of duplicate
/// keys, which a streamed fold cannot undo) and no negative zero. Bodies it refuses go to orjson and
/// the Python fold, so the result is the same either way.
struct Check<'a> {
    keys: &'a mut Vec<u64>, // hashes of the keys of the objects being read, innermost last
}

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
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // serde_json reads `-0` as the float -0.0, orjson as the integer 0: let orjson decide.
        if v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Check { keys: &mut *self.keys })?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.keys.len();
        while let Some(key) = map.next_key_seed(Key)? {
            self.keys.push(key_hash(&key));
            map.next_value_seed(Check { keys: &mut *self.keys })?;
        }
        // A hash seen twice is taken as a duplicate key: a rare collision only costs the slow path.
        let mine = &mut self.keys[start..];
        mine.sort_unstable();
        let duplicate = mine.windows(2).any(|w| w[0] == w[1]);
        self.keys.truncate(start);
        if duplicate {
            return Err(de::Error::custom("duplicate key in an object"));
        }
        Ok(())
    }
}

/// A body checked to be JSON: the fold reads the text again (it is not copied).
#[pyclass(frozen, module = "specbuild._native")]
struct Json {
    text: String,
}

#[pymethods]
impl Json {
    /// The body's JSON text (for tests and debugging; the fold never goes through Python).
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }
}

fn check(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut keys = Vec::with_capacity(64);
    Check { keys: &mut keys }.deserialize(&mut de)?;
    de.end()
}

/// Check that `text` is JSON; ValueError when not (the caller then asks orjson, the reference).
#[pyfunction]
fn parse(text: &str) -> PyResult<Json> {
    check(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Json { text: text.to_owned() })
}

/// A root position: fold parsed bodies in with `add`, take the result with `export` (which resets).
#[pyclass(module = "specbuild._native")]
struct Acc {
    root: Node,
}

#[pymethods]
impl Acc {
    #[new]
    fn py_new() -> Acc {
        Acc { root: Node::new(0, rules()) }
    }

    fn add(&mut self, body: &Json) -> PyResult<()> {
        let mut de = serde_json::Deserializer::from_str(&body.text);
        // Checked by `parse`, so this does not fail; if it ever did, the error says so rather than hide it.
        Fold { node: &mut self.root, r: rules() }
            .deserialize(&mut de)
            .map_err(|e| PyRuntimeError::new_err(format!("body changed after it was checked: {e}")))
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

// -- the state as bytes: fixed-width little-endian fields, depth first -------------------------------
const ABSENT: u32 = u32::MAX;

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.data.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

impl Node {
    fn dump(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.count.to_le_bytes());
        out.push(self.kinds);
        out.extend_from_slice(&self.depth.to_le_bytes());
        out.extend_from_slice(&self.objects.to_le_bytes());
        out.push(self.fmts);
        match &self.vals {
            None => out.extend_from_slice(&ABSENT.to_le_bytes()),
            Some(vals) => {
                out.extend_from_slice(&(vals.len() as u32).to_le_bytes());
                for (v, n) in vals {
                    put_str(out, v);
                    out.extend_from_slice(&n.to_le_bytes());
                }
            }
        }
        match &self.props {
            None => out.extend_from_slice(&ABSENT.to_le_bytes()),
            Some(props) => {
                out.extend_from_slice(&(props.len() as u32).to_le_bytes());
                for (k, child) in props.iter() {
                    put_str(out, k);
                    child.dump(out);
                }
            }
        }
        for child in [&self.extra, &self.items] {
            match child {
                None => out.push(0),
                Some(c) => {
                    out.push(1);
                    c.dump(out);
                }
            }
        }
    }

    fn load(r: &mut Reader<'_>) -> Option<Node> {
        let (count, kinds, depth, objects, fmts) = (r.u64()?, r.u8()?, r.u32()?, r.u64()?, r.u8()?);
        let vals = match r.u32()? {
            ABSENT => None,
            n => Some((0..n).map(|_| Some((r.string()?, r.u64()?))).collect::<Option<Vec<_>>>()?),
        };
        let props = match r.u32()? {
            ABSENT => None,
            n => {
                let mut props = Props::default();
                for _ in 0..n {
                    let key = r.string()?;
                    props.push(&key, key_hash(&key), Node::load(r)?);
                }
                Some(Box::new(props))
            }
        };
        let mut child = || -> Option<Option<Box<Node>>> {
            match r.u8()? {
                0 => Some(None),
                1 => Some(Some(Box::new(Node::load(r)?))),
                _ => None,
            }
        };
        let extra = child()?;
        let items = child()?;
        Some(Node { count, kinds, depth, objects, props, extra, items, fmts, vals })
    }
}

/// schema._narrow over every format, and schema._enumish: for the tests that hold both to Python.
#[pyfunction]
fn formats_of(v: &str) -> u8 {
    let r = rules();
    narrow(r, r.all_formats, v)
}

#[pyfunction]
fn enum_value(v: &str) -> bool {
    enumish(rules(), v)
}

// -- records ----------------------------------------------------------------------------------------
// `records.decode` is the reference; this decodes the plain, common form of an HTTP Types record and
// answers None for anything else (any error, `url` targets, query strings with escapes, form bodies,
// bodies embedded as JSON values, non-ASCII header names, ...), which then goes to `records.decode`.
// So every message and every odd case stays in one place, and a None costs only a second parse.

const METHODS: [&str; 9] = ["GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD", "CONNECT"];

type Pairs = Vec<(String, String)>;

/// records._text for the values it turns into the same text here (not floats, lists or objects).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        Value::Number(n) if !n.is_f64() => Some(n.to_string()),
        _ => None,
    }
}

/// A `query` or `headers` field: an object as pairs (records._pairs), a string, or anything else.
enum Field {
    Pairs(Pairs, usize), // the pairs and the number of keys the object had
    Str(String),
    Other,
}

/// Reads a Field; an error (which sends the record to Python) for what records._pairs treats its own
/// way: duplicate keys (the dict keeps the last), non-ASCII header names, floats, nested values.
struct FieldSeed {
    lower: bool,
}

impl<'de> DeserializeSeed<'de> for FieldSeed {
    type Value = Field;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldSeed {
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
        let mut names: Vec<String> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if names.contains(&name) || (self.lower && !name.is_ascii()) {
                return Err(de::Error::custom("needs records.decode"));
            }
            let key = if self.lower { name.to_ascii_lowercase() } else { name.clone() };
            names.push(name);
            let bail = || de::Error::custom("needs records.decode");
            match map.next_value::<Value>()? {
                Value::Array(items) => {
                    for item in &items {
                        out.push((key.clone(), text(item).ok_or_else(bail)?));
                    }
                }
                Value::Null => {}
                other => out.push((key, text(&other).ok_or_else(bail)?)),
            }
        }
        Ok(Field::Pairs(out, names.len()))
    }
}

/// The fields of `request` or `response` that records.decode reads (a later duplicate key wins, as
/// in a dict); the rest is skipped unread.
#[derive(Default)]
struct Side {
    method: Option<Value>,
    status: Option<Value>,
    protocol: Option<Value>,
    host: Option<Value>,
    pathname: Option<Value>,
    path: Option<Value>,
    query: Option<Field>,
    headers: Option<Field>,
    body: Option<Value>,
}

struct SideSeed;

impl<'de> DeserializeSeed<'de> for SideSeed {
    type Value = Side;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Side, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SideSeed {
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
                "query" => side.query = Some(map.next_value_seed(FieldSeed { lower: false })?),
                "headers" => side.headers = Some(map.next_value_seed(FieldSeed { lower: true })?),
                "body" => side.body = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(side)
    }
}

/// The record: its request and response (anything else in it is skipped unread).
struct RecordSeed;

impl<'de> Visitor<'de> for RecordSeed {
    type Value = (Option<Side>, Option<Side>);
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an HTTP Types record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut request, mut response) = (None, None);
        while let Some(key) = map.next_key_seed(Key)? {
            match key.as_ref() {
                "request" => request = Some(map.next_value_seed(SideSeed)?),
                "response" => response = Some(map.next_value_seed(SideSeed)?),
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

/// urllib.parse.parse_qsl(qs, keep_blank_values=True) for query strings with nothing to unescape.
fn simple_qsl(qs: &str) -> Option<Pairs> {
    if qs.contains(['%', '+']) {
        return None;
    }
    let mut out = Vec::new();
    for field in qs.split('&').filter(|f| !f.is_empty()) {
        let (k, v) = field.split_once('=').unwrap_or((field, ""));
        out.push((k.to_owned(), v.to_owned()));
    }
    Some(out)
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

enum BodyOut {
    Empty,
    Json(Option<String>, String),
    Text(String, String),
    Binary(Option<String>),
}

/// records._body for string bodies; None for what records.decode must decide.
fn body(v: Option<Value>, content_type: Option<&str>, limit: usize, lenient_empty: bool) -> Option<BodyOut> {
    let mt = media_type(content_type)?;
    let text = match v {
        None | Some(Value::Null) => return Some(BodyOut::Empty),
        Some(Value::String(s)) => s,
        Some(_) => return None, // a body embedded as a JSON value
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
            return if check(&text).is_ok() { Some(BodyOut::Json(None, text)) } else { None };
        }
        return Some(BodyOut::Binary(None));
    };
    if is_json_media(&mt) {
        return if check(&text).is_ok() { Some(BodyOut::Json(Some(mt), text)) } else { None };
    }
    if mt == "application/x-www-form-urlencoded" {
        return None;
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

struct Decoded {
    method: String,
    path: String,
    status: i64,
    query: Pairs,
    request_headers: Pairs,
    response_headers: Pairs,
    request_body: BodyOut,
    response_body: BodyOut,
    scheme: String,
    host: String,
}

fn first<'p>(pairs: &'p Pairs, name: &str) -> Option<&'p str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn decode_plain(raw: &[u8], limit: usize) -> Option<Decoded> {
    let mut de = serde_json::Deserializer::from_slice(raw);
    let (Some(mut request), Some(mut response)) = de.deserialize_map(RecordSeed).ok()? else { return None };
    de.end().ok()?;
    let method = match &request.method {
        Some(Value::String(m)) if m.is_ascii() => m.to_ascii_uppercase(),
        _ => return None,
    };
    if !METHODS.contains(&method.as_str()) {
        return None;
    }
    let status = match &response.status {
        Some(Value::Number(n)) => n.as_i64().filter(|s| (100..=599).contains(s))?,
        _ => return None,
    };
    // records._target, for pathname or path (a `url` goes to Python)
    let mut query: Option<Pairs> = match request.query.take() {
        Some(Field::Pairs(pairs, keys)) if keys > 0 => Some(pairs),
        Some(Field::Str(s)) if !s.is_empty() => return None,
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
                query = Some(simple_qsl(qs)?);
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
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        path = if trimmed.is_empty() { "/".to_owned() } else { trimmed.to_owned() };
    }
    let request_headers = header_pairs(request.headers.take());
    let response_headers = header_pairs(response.headers.take());
    let request_body = body(request.body.take(), first(&request_headers, "content-type"), limit, true)?;
    let response_body = body(response.body.take(), first(&response_headers, "content-type"), limit, false)?;
    let scheme = take_str(request.protocol.take()).filter(|s| !s.is_empty()).unwrap_or_else(|| "http".to_owned());
    let host = take_str(request.host.take()).unwrap_or_default();
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
    })
}

fn pairs_to_py<'py>(py: Python<'py>, pairs: &Pairs) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// records.Body and records.EMPTY, so bodies come out as the objects records.decode makes.
static BODY: OnceLock<(Py<PyAny>, Py<PyAny>)> = OnceLock::new();

#[pyfunction]
fn set_body_type(body: Py<PyAny>, empty: Py<PyAny>) {
    let _ = BODY.set((body, empty));
}

fn body_to_py<'py>(py: Python<'py>, body: BodyOut) -> PyResult<Bound<'py, PyAny>> {
    let (cls, empty) = BODY.get().ok_or_else(|| PyRuntimeError::new_err("set_body_type() was not called"))?;
    let cls = cls.bind(py);
    match body {
        BodyOut::Empty => Ok(empty.bind(py).clone()),
        BodyOut::Json(mt, text) => {
            let handle = Bound::new(py, Json { text })?;
            let mt = mt.unwrap_or_else(|| "application/json".to_owned());
            cls.call1((pyo3::intern!(py, "json"), mt, handle))
        }
        BodyOut::Text(mt, text) => cls.call1((pyo3::intern!(py, "text"), mt, text)),
        BodyOut::Binary(mt) => {
            let mt = mt.unwrap_or_else(|| "application/octet-stream".to_owned());
            cls.call1((pyo3::intern!(py, "binary"), mt, py.None()))
        }
    }
}

/// Decode one record in its plain form: (method, path, status, query, request headers, response
/// headers, request body, response body, scheme, host): an Exchange's fields, bodies as records.Body;
/// None for anything `records.decode` must look at.
#[pyfunction]
fn decode_record<'py>(
    py: Python<'py>,
    raw: &Bound<'py, PyAny>,
    max_body_bytes: usize,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let bytes: &[u8] = if let Ok(b) = raw.downcast::<PyBytes>() {
        b.as_bytes()
    } else if let Ok(s) = raw.downcast::<PyString>() {
        s.to_str()?.as_bytes()
    } else {
        return Ok(None);
    };
    let Some(d) = decode_plain(bytes, max_body_bytes) else { return Ok(None) };
    let items: [Bound<'py, PyAny>; 10] = [
        d.method.into_pyobject(py)?.into_any(),
        d.path.into_pyobject(py)?.into_any(),
        d.status.into_pyobject(py)?.into_any(),
        pairs_to_py(py, &d.query)?.into_any(),
        pairs_to_py(py, &d.request_headers)?.into_any(),
        pairs_to_py(py, &d.response_headers)?.into_any(),
        body_to_py(py, d.request_body)?,
        body_to_py(py, d.response_body)?,
        d.scheme.into_pyobject(py)?.into_any(),
        d.host.into_pyobject(py)?.into_any(),
    ];
    Ok(Some(PyTuple::new(py, items)?))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode_record, m)?)?;
    m.add_function(wrap_pyfunction!(set_body_type, m)?)?;
    m.add_function(wrap_pyfunction!(configure, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(formats_of, m)?)?;
    m.add_function(wrap_pyfunction!(enum_value, m)?)?;
    m.add_class::<Json>()?;
    m.add_class::<Acc>()?;
    Ok(())
}

//! specbuild._native: the JSON-body fold of `specbuild/schema.py`, in Rust.
//!
//! Optional and exact. The Python fold (`schema.Shape`) is the reference: this module parses a body
//! (serde_json, key order kept) and folds it into a tree of `Node`s that mirrors `Shape` field for
//! field, with the same rules. `Acc.export()` hands the tree back as nested tuples, from which Python
//! builds a `Shape` and merges it; merging is exact, so the written spec is byte-identical with or
//! without this module (tests run both ways and compare). Nothing here decides anything Python does
//! not: the limits and the format patterns come from `schema.py` through `configure()`, so the rules
//! live in one place.
//!
//! Why: in CPython the walk over every value of every body was most of the time per record; here a
//! body is parsed and folded in a few microseconds, with no Python object created per value.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use regex::Regex;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
                    && Python::with_gil(|py| {
                        func.call1(py, (v,)).and_then(|x| x.is_truthy(py)).unwrap_or(false)
                    })
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

type Props = HashMap<String, Node, BuildHasherDefault<FxHasher>>;

/// One position of JSON values: `schema.Shape`, field for field.
struct Node {
    count: u64,
    kinds: u8,
    depth: u32,
    objects: u64,
    props: Option<Props>,
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
    fn new_prop<'n>(&mut self, r: &Rules, props: &'n mut Props, key: &str) -> &'n mut Node {
        if props.len() >= r.max_props {
            self.evict(r, props);
        }
        props.entry(key.to_owned()).or_insert_with(|| Node::new(self.depth + 1, r))
    }

    /// schema._evict: the rarest keys' values move to `extra`, merged in (count, key) order.
    fn evict(&mut self, r: &Rules, props: &mut Props) {
        let mut ranked: Vec<(u64, String)> = props.iter().map(|(k, c)| (c.count, k.clone())).collect();
        ranked.sort();
        let keep = r.max_props * 3 / 4;
        let mut victims: Vec<String> =
            ranked.iter().filter(|(n, _)| *n == 1).map(|(_, k)| k.clone()).collect();
        if props.len() - victims.len() > keep {
            victims = ranked.iter().take(props.len() - keep).map(|(_, k)| k.clone()).collect();
        }
        let depth = self.depth;
        let extra = self.extra.get_or_insert_with(|| Box::new(Node::new(depth + 1, r)));
        for key in victims {
            if let Some(child) = props.remove(&key) {
                extra.merge(r, child);
            }
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
                if mine.len() > r.enum_max { None } else { Some(mine) }
            }
            _ => None,
        };
        merge_child(r, &mut self.items, other.items);
        merge_child(r, &mut self.extra, other.extra);
        if let Some(theirs) = other.props {
            let mut props = self.props.take().unwrap_or_default();
            for (key, child) in theirs {
                match props.get_mut(&key) {
                    Some(mine) => mine.merge(r, child),
                    None => {
                        props.insert(key, child);
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
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let list = PyList::empty(py);
                for k in keys {
                    list.append((k, map[k].export(py)?))?;
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
            let child = match props.get_mut(key.as_ref()) {
                Some(c) => c,
                None => node.new_prop(r, &mut props, &key),
            };
            map.next_value_seed(Fold { node: child, r })?;
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
struct Check;

impl<'de> DeserializeSeed<'de> for Check {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Check {
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
        while seq.next_element_seed(Check)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: Vec<u64> = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            let mut h = FxHasher::default();
            h.write(key.as_bytes());
            let h = h.finish();
            // A hash seen before is taken as a duplicate: a rare collision only costs the slow path.
            if seen.contains(&h) {
                return Err(de::Error::custom("duplicate key in an object"));
            }
            seen.push(h);
            map.next_value_seed(Check)?;
        }
        Ok(())
    }
}

/// A body checked to be JSON: the fold reads the text again (it is not copied).
#[pyclass(frozen, module = "specbuild._native")]
struct Json {
    text: Py<PyString>,
}

/// Check that `text` is JSON; ValueError when not (the caller then asks orjson, the reference).
#[pyfunction]
fn parse(text: Bound<'_, PyString>) -> PyResult<Json> {
    let mut de = serde_json::Deserializer::from_str(text.to_str()?);
    Check.deserialize(&mut de).and_then(|()| de.end()).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Json { text: text.unbind() })
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

    fn add(&mut self, py: Python<'_>, body: &Json) -> PyResult<()> {
        let text = body.text.bind(py).to_str()?;
        let mut de = serde_json::Deserializer::from_str(text);
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

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(configure, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(formats_of, m)?)?;
    m.add_function(wrap_pyfunction!(enum_value, m)?)?;
    m.add_class::<Json>()?;
    m.add_class::<Acc>()?;
    Ok(())
}

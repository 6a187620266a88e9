//! The Python face of the module: every `#[pyfunction]` and `#[pyclass]`, converting to and from
//! the plain Rust of the other modules (which `cargo test` builds and runs without Python).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyList, PySet, PyString, PyTuple, PyType};

use crate::body::{self, core_paths_with, fields_among, item_values, who_values};
use crate::params::{Param, Params, Strings};
use crate::record::{decode_plain, epoch_second, BodyOut, Form, Pairs};
use crate::rules::{enumish, narrow, rules, set_rules, Format, Limits, Rules, Table};
use crate::segment::{after, ascii_segments, compile, segment_label, segments, set_segments, typed, After, Segments};
use crate::shape::{fx_add, key_hash, key_hash_bytes, Hashed, Node, Props, Vals};
use crate::state::{core_paths_from, Reader};
use crate::witness::{request_hash, target_hash};

// -- the rules ---------------------------------------------------------------------------------------

/// Set the rules, once per process, from `specbuild.learn.rules.native_table()`: a dict with every
/// limit and pattern by name (a name missing or unknown is an error, so the two sides cannot drift).
#[pyfunction]
fn configure(table: &Bound<'_, PyDict>) -> PyResult<()> {
    let mut names: Vec<String> = table.keys().extract()?;
    let get = |name: &str| -> PyResult<Bound<'_, PyAny>> {
        table.get_item(name)?.ok_or_else(|| PyValueError::new_err(format!("the rules lack {name:?}")))
    };
    let mut formats = Vec::new();
    for item in get("formats")?.downcast::<PyList>()?.iter() {
        formats.push(match item.extract::<String>() {
            Ok(pattern) => Format::Pattern(pattern),
            Err(_) => {
                let (pattern, func): (String, Py<PyAny>) = item.extract()?;
                let test = move |v: &str| {
                    Python::with_gil(|py| func.call1(py, (v,)).and_then(|x| x.is_truthy(py)).unwrap_or(false))
                };
                Format::Filtered(pattern, Box::new(test))
            }
        });
    }
    let limits = Limits {
        max_depth: get("max_depth")?.extract()?,
        max_props: get("max_props")?.extract()?,
        evict_keep: get("evict_keep")?.extract()?,
        enum_max: get("enum_max")?.extract()?,
        refused_names_max: get("refused_names_max")?.extract()?,
        max_params: get("max_params")?.extract()?,
        params_keep: get("params_keep")?.extract()?,
        core_min_percent: get("core_min_percent")?.extract()?,
        hex_id_min: get("hex_id_min")?.extract()?,
        id_min_len: get("id_min_len")?.extract()?,
        id_min_digits: get("id_min_digits")?.extract()?,
    };
    let t = Table {
        limits,
        formats,
        enum_token: get("enum_token")?.extract()?,
        enum_numeric: get("enum_numeric")?.extract()?,
        enum_hexish: get("enum_hexish")?.extract()?,
        int_text: get("int_text")?.extract()?,
        number_text: get("number_text")?.extract()?,
        number_start: get("number_start")?.extract()?,
        bool_text: get("bool_text")?.extract()?,
        methods: get("methods")?.extract()?,
        override_headers: get("override_headers")?.extract()?,
        override_field: get("override_field")?.extract()?,
        override_mentions: get("override_mentions")?.extract()?,
        item_identity_keys: get("item_identity_keys")?.extract()?,
    };
    names.retain(|n| !KNOWN.contains(&n.as_str()));
    if !names.is_empty() {
        return Err(PyValueError::new_err(format!("rules the native fold does not know: {names:?}")));
    }
    let new = Rules::new(t).map_err(PyValueError::new_err)?;
    set_rules(new).map_err(PyRuntimeError::new_err)
}

const KNOWN: [&str; 24] = [
    "max_depth",
    "max_props",
    "evict_keep",
    "enum_max",
    "refused_names_max",
    "max_params",
    "params_keep",
    "core_min_percent",
    "formats",
    "enum_token",
    "enum_numeric",
    "enum_hexish",
    "hex_id_min",
    "id_min_len",
    "id_min_digits",
    "int_text",
    "number_text",
    "number_start",
    "bool_text",
    "methods",
    "override_headers",
    "override_field",
    "override_mentions",
    "item_identity_keys",
];

// -- path segments -----------------------------------------------------------------------------------

/// Set the patterns of `specbuild.segments` (see segment.rs), once per process, from
/// `specbuild.learn.native._segment_table()`: each anchored as Python uses it, and `base36_min`.
#[pyfunction]
fn configure_segments(table: &Bound<'_, PyDict>) -> PyResult<()> {
    let re = |name: &str| -> PyResult<regex::bytes::Regex> {
        let pattern: String = table.get_item(name)?
            .ok_or_else(|| PyValueError::new_err(format!("the segment patterns lack {name:?}")))?
            .extract()?;
        compile(&pattern).map_err(|e| PyValueError::new_err(format!("{name}: {e}")))
    };
    if table.len() != SEGMENT_NAMES {
        return Err(PyValueError::new_err(format!("{SEGMENT_NAMES} segment rules expected, got {}", table.len())));
    }
    set_segments(Segments {
        integer: re("integer")?,
        digits: re("digits")?,
        uuid: re("uuid")?,
        hex: re("hex")?,
        date: re("date")?,
        date_time: re("date_time")?,
        ipv4: re("ipv4")?,
        email: re("email")?,
        version: re("version")?,
        extension: re("extension")?,
        sigil_id: re("sigil_id")?,
        hex_part: re("hex_part")?,
        camel: re("camel")?,
        acronym_end: re("acronym_end")?,
        custom_method: re("custom_method")?,
        open_arn: re("open_arn")?,
        api_prefix: re("api_prefix")?,
        base36_min: table.get_item("base36_min")?
            .ok_or_else(|| PyValueError::new_err("the segment patterns lack \"base36_min\""))?
            .extract()?,
    });
    Ok(())
}

const SEGMENT_NAMES: usize = 18;

/// templater._typed of a segment of printable ASCII without `%`: its label (`{:uuid}`, `{:token}.json`),
/// "" for a word; None for any other segment (Python types it).
#[pyfunction]
fn typed_segment(seg: &str) -> PyResult<Option<String>> {
    let p = segments().ok_or_else(|| PyRuntimeError::new_err("configure_segments() was not called"))?;
    Ok(typed(p, seg).map(Option::unwrap_or_default))
}

/// `PathTemplater._skeleton` of a path of printable ASCII without `%`, in one call: its key, and the
/// prefixes whose word sets it filled past `cap`; None for any other path (Python walks it, the
/// reference). `hinted`: the labels a hint placed on the path's first segments (walked from there);
/// `words`: the templater's word sets (prefix -> set of words), updated as Python updates them; `word`:
/// `templater._word`, asked only for a word at an open position (its label there).
/// Why: a path-cache miss walked its segments in Python, ~4.5 us a path (12% of the fold on the mix).
#[pyfunction]
fn skeleton<'py>(py: Python<'py>, path: &str, hinted: &Bound<'py, PyList>, words: &Bound<'py, PyDict>,
                 cap: &Bound<'py, PyAny>, word: &Bound<'py, PyAny>) -> PyResult<Option<(String, Vec<String>)>> {
    let p = segments().ok_or_else(|| PyRuntimeError::new_err("configure_segments() was not called"))?;
    // a cap past 64 bits (a state file's) compares as Python's int does: no set is that large, or all are
    let cap: i64 = match cap.extract() {
        Ok(cap) => cap,
        Err(_) => if cap.gt(0)? { i64::MAX } else { i64::MIN },
    };
    let hinted: Vec<String> = if hinted.is_empty() { Vec::new() } else { hinted.extract()? };
    match ascii_segments(path) {
        Some(segs) if hinted.len() <= segs.len() => walk(py, p, &segs, &hinted, words, cap, word),
        _ => Ok(None),
    }
}

// A miss of the path cache is mostly a new id among segments seen before (templater._segment's
// lru_cache, for the same reason), below prefixes seen before (typed segments are placeholders there):
// the labels of segments, and the Python strings of prefixes and words (their hashes kept with them:
// the word sets are looked up without hashing again), are kept until there are TEXT_CACHE of either
// (then forgotten at once: simple, and a pure function's answers). 4,096: 8,192 saved 0.1% more of the
// fold's instructions (3M on the mix's 20k prefix, 13M on the whole 100k) for 1-2 MB more peak RSS
// (small entries that pin the allocator's pages); 1,024 cost 8M more on the 20k.
const TEXT_CACHE: usize = 4096;

/// A segment's label, whether it is typed, and what it says of the next segment (templater._segment).
type Labelled = std::rc::Rc<(Box<str>, bool, After)>;

/// FxHash of a `str` key (shape::key_hash): the keys are segments and prefixes, SipHash's guard not needed.
#[derive(Default)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fx_add(self.0, key_hash_bytes(bytes));
    }
}

type FxMap<V> = HashMap<Box<str>, V, std::hash::BuildHasherDefault<Fx>>;

thread_local! {
    static LABELS: RefCell<FxMap<[Option<Labelled>; 3]>> = RefCell::new(FxMap::default());
    static TEXTS: RefCell<FxMap<Py<PyString>>> = RefCell::new(FxMap::default());
}

/// segment_label, remembered (see TEXT_CACHE).
fn cached_label(p: &Segments, seg: &str, state: After) -> Labelled {
    let at = state as usize;
    LABELS.with_borrow_mut(|labels| {
        if let Some(Some(known)) = labels.get(seg).map(|slots| &slots[at]) {
            return known.clone();
        }
        if labels.len() >= TEXT_CACHE && !labels.contains_key(seg) {
            labels.clear();
        }
        let (label, typed, next) = segment_label(p, seg, state);
        let found = Labelled::new((label.into(), typed, next));
        labels.entry(seg.into()).or_default()[at] = Some(found.clone());
        found
    })
}

/// `text` as a Python string, remembered (see TEXT_CACHE).
fn py_text<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    TEXTS.with_borrow_mut(|texts| {
        if let Some(known) = texts.get(text) {
            return known.bind(py).clone();
        }
        if texts.len() >= TEXT_CACHE {
            texts.clear();
        }
        let made = PyString::new(py, text);
        texts.insert(text.into(), made.clone().unbind());
        made
    })
}

/// skeleton's walk from the segment after the hinted ones.
fn walk<'py>(py: Python<'py>, p: &Segments, segs: &[&str], hinted: &[String], words: &Bound<'py, PyDict>,
             cap: i64, word: &Bound<'py, PyAny>) -> PyResult<Option<(String, Vec<String>)>> {
    let open = pyo3::intern!(py, "{:word}");
    let mut full = Vec::new();
    // a label is at most a few bytes longer than its segment (`{:integer}`, `%7B`): rarely grown
    let room = 2 * segs.iter().map(|seg| seg.len() + 1).sum::<usize>() + 16;
    let mut key = String::with_capacity(room);
    key.push('/');
    key.push_str(&hinted.join("/"));
    let mut prefix = String::with_capacity(room);
    prefix.push_str(&key);
    let mut state = hinted.len().checked_sub(1).map_or(After::VersionHere, |i| after(p, segs[i]));
    for (i, seg) in segs.iter().enumerate().skip(hinted.len()) {
        let labelled = cached_label(p, seg, state);
        let (mut label, typed, next) = (&*labelled.0, labelled.1, labelled.2);
        state = next;
        let opened: Option<String>;
        if !typed {
            let at = py_text(py, &prefix);
            let seen = match words.get_item(&at)? {
                Some(seen) => seen.downcast_into::<PySet>()?,
                None => {
                    let seen = PySet::empty(py)?;
                    words.set_item(&at, &seen)?;
                    seen
                }
            };
            opened = if seen.contains(open)? { word.call1((*seg,))?.get_item(1)?.extract()? } else { None };
            if let Some(opened) = &opened {
                label = opened;
            } else {
                let text = py_text(py, label);
                if !seen.contains(&text)? {
                    seen.add(&text)?;
                    if seen.len() as i64 > cap {
                        full.push(prefix.clone());
                    }
                }
            }
        }
        // as Python builds it: a prefix of one empty label stays "/"
        if prefix.len() > 1 {
            prefix.push('/');
        } else {
            prefix.clear();
            prefix.push('/');
        }
        prefix.push_str(label);
        if i > 0 {
            key.push('/');
        }
        key.push_str(label);
    }
    Ok(Some((key, full)))
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

// -- bodies ------------------------------------------------------------------------------------------

/// A body checked to be JSON, with the tape of what the check read.
#[pyclass(frozen, name = "Json", module = "specbuild._native")]
struct PyJson(body::Json);

#[pymethods]
impl PyJson {
    /// The body's JSON text (for tests and debugging; the fold never goes through Python).
    #[getter]
    fn text(&self) -> &str {
        &self.0.text
    }

    /// Whether `needle` occurs in the JSON text: a cheap first look (envelope.py asks whether a POST
    /// body may carry `"_method"` without making a Python string of every body).
    fn mentions(&self, needle: &str) -> bool {
        self.0.text.contains(needle)
    }
}

/// Check that `text` is JSON; ValueError when not (the caller then asks orjson, the reference).
#[pyfunction]
fn parse(text: &str) -> PyResult<PyJson> {
    body::parse(text).map(PyJson).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The values as the `vals` dict of a Shape or StringsShape (None: not an enum).
fn vals_to_py<'py>(py: Python<'py>, vals: &Vals) -> PyResult<Bound<'py, PyAny>> {
    by_value(py, vals, |&(_, n, _)| n)
}

/// The values' entities as the `ents` dict of a Shape (None with no values).
fn entities_to_py<'py>(py: Python<'py>, vals: &Vals) -> PyResult<Bound<'py, PyAny>> {
    by_value(py, vals, |&(_, _, e)| e)
}

/// A dict of each value's `pick` (None with no values).
fn by_value<'py>(py: Python<'py>, vals: &Vals, pick: impl Fn(&(String, u64, u64)) -> u64) -> PyResult<Bound<'py, PyAny>> {
    let Some(vs) = vals else { return Ok(py.None().into_bound(py)) };
    let d = PyDict::new(py);
    for v in vs {
        d.set_item(&v.0, pick(v))?;
    }
    Ok(d.into_any())
}

/// The node as nested tuples for `specbuild.learn.native` (keys sorted, so the export is deterministic):
/// (count, kinds, depth, objects, props | None, extra | None, items | None, fmts, vals | None, ents | None)
fn export<'py>(py: Python<'py>, node: &Node) -> PyResult<Bound<'py, PyTuple>> {
    let props = match &node.props {
        None => py.None().into_bound(py),
        Some(map) => {
            let mut entries: Vec<(&str, &Node)> = map.iter().collect();
            entries.sort_unstable_by_key(|(k, _)| *k);
            let list = PyList::empty(py);
            for (k, child) in entries {
                list.append((k, export(py, child)?))?;
            }
            list.into_any()
        }
    };
    let child = |c: &Option<Box<Node>>| -> PyResult<Bound<'py, PyAny>> {
        match c {
            None => Ok(py.None().into_bound(py)),
            Some(n) => Ok(export(py, n)?.into_any()),
        }
    };
    PyTuple::new(
        py,
        [
            node.count.into_pyobject(py)?.into_any(),
            node.kinds.into_pyobject(py)?.into_any(),
            node.depth.into_pyobject(py)?.into_any(),
            node.objects.into_pyobject(py)?.into_any(),
            props,
            child(&node.extra)?,
            child(&node.items)?,
            node.fmts.into_pyobject(py)?.into_any(),
            vals_to_py(py, &node.vals)?,
            entities_to_py(py, &node.vals)?,
        ],
    )
}

/// The inverse of `export`, from nested sequences (lists or tuples): a state file keeps shapes in
/// this form (specbuild.learn.state), and a resumed fold goes on in the same tree.
fn import(obj: &Bound<'_, PyAny>, depth: u32) -> PyResult<Node> {
    let field = |i: usize| obj.get_item(i);
    if obj.len()? != 10 || field(2)?.extract::<u32>()? != depth || depth > rules().limits.max_depth + 1 {
        return Err(PyValueError::new_err("not a shape of this depth"));
    }
    let props = field(4)?;
    let props = if props.is_none() {
        None
    } else {
        let mut out = Props::default();
        for entry in props.try_iter()? {
            let entry = entry?;
            let key: String = entry.get_item(0)?.extract()?;
            out.push(&key, key_hash(&key), import(&entry.get_item(1)?, depth + 1)?);
        }
        Some(Box::new(out))
    };
    let child = |i: usize| -> PyResult<Option<Box<Node>>> {
        let c = field(i)?;
        Ok(if c.is_none() { None } else { Some(Box::new(import(&c, depth + 1)?)) })
    };
    let (vals, ents) = (field(8)?, field(9)?);
    let vals: Vals = if vals.is_none() {
        None
    } else {
        let (vals, ents) = (vals.downcast::<PyDict>()?, ents.downcast::<PyDict>()?);
        if ents.len() != vals.len() {
            return Err(PyValueError::new_err("entities that are not the values'"));
        }
        let entity = |k: &Bound<'_, PyAny>| -> PyResult<u64> {
            ents.get_item(k)?.ok_or_else(|| PyValueError::new_err("a value without its entities"))?.extract()
        };
        Some(vals.iter().map(|(k, n)| Ok((k.extract()?, n.extract()?, entity(&k)?))).collect::<PyResult<_>>()?)
    };
    Ok(Node {
        count: field(0)?.extract()?,
        kinds: field(1)?.extract()?,
        depth,
        objects: field(3)?.extract()?,
        props,
        extra: child(5)?,
        items: child(6)?,
        fmts: field(7)?.extract()?,
        vals,
    })
}

/// A state from `dump`'s bytes, all of them (`what` names it in the error).
fn load_state<T>(data: &[u8], what: &str, load: impl FnOnce(&mut Reader<'_>) -> Option<T>) -> PyResult<T> {
    let mut reader = Reader::new(data);
    let out = load(&mut reader).ok_or_else(|| PyValueError::new_err(format!("not a native {what} state")))?;
    if reader.at != data.len() {
        return Err(PyValueError::new_err(format!("not a native {what} state (trailing bytes)")));
    }
    Ok(out)
}

/// The property paths `Acc.core_paths` named so far, each as one Python string: the templater's
/// evidence for all operations (render.features) repeats a few thousand paths ~240k times on the
/// 100k mix, and making a string for each was most of that pass.
#[pyclass(name = "PathNames", module = "specbuild._native")]
struct PathNames {
    known: HashMap<Box<str>, Py<PyString>>,
}

#[pymethods]
impl PathNames {
    #[new]
    fn py_new() -> PathNames {
        PathNames { known: HashMap::new() }
    }

    fn __len__(&self) -> usize {
        self.known.len()
    }
}

/// Words by name: those given (`words`), and the answers of `test` to the names asked (each asked once:
/// render.key_values asks the name of every position holding values, in every body). By `key_hash`, which
/// the positions' keys carry: no key is hashed again.
#[pyclass(name = "Words", module = "specbuild._native")]
struct Words {
    test: Option<Py<PyAny>>,
    known: HashMap<u64, Vec<(Box<str>, bool)>, std::hash::BuildHasherDefault<Hashed>>,
}

impl Words {
    fn get(&self, h: u64, name: &str) -> Option<bool> {
        self.known.get(&h)?.iter().find(|(k, _)| &**k == name).map(|&(_, yes)| yes)
    }

    fn has(&mut self, py: Python<'_>, h: u64, name: &str) -> PyResult<bool> {
        if let Some(yes) = self.get(h, name) {
            return Ok(yes);
        }
        let Some(test) = &self.test else { return Ok(false) };
        let yes = test.bind(py).call1((name,))?.is_truthy()?;
        self.known.entry(h).or_default().push((name.into(), yes));
        Ok(yes)
    }
}

#[pymethods]
impl Words {
    #[new]
    #[pyo3(signature = (test=None, words=None))]
    fn py_new(test: Option<Py<PyAny>>, words: Option<Vec<String>>) -> Words {
        let mut out = Words { test, known: HashMap::default() };
        for w in words.unwrap_or_default() {
            let h = key_hash(&w);
            if out.get(h, &w).is_none() {
                out.known.entry(h).or_default().push((w.into_boxed_str(), true));
            }
        }
        out
    }

    fn __len__(&self) -> usize {
        self.known.values().map(Vec::len).sum()
    }
}

/// A root position: fold parsed bodies in with `add`, take the result with `export` (which resets).
/// One loaded from a worker's bytes keeps them (`raw`) until it is used: merged into another, it is
/// merged as it is read (`Node::merge_from`), with no tree of its own built and dropped.
#[pyclass(name = "Acc", module = "specbuild._native")]
struct Acc {
    root: Node,
    raw: Option<Vec<u8>>, // when set, the state is these bytes (`dump`'s) and `root` is empty
}

impl Acc {
    fn of(root: Node) -> Acc {
        Acc { root, raw: None }
    }

    /// `body::core_paths_with` of the root, read from the bytes while they are not loaded (loading
    /// them here would build a tree that merging them, as they are read, does not need).
    fn core_paths_each(&self, depth: i64, emit: &mut dyn FnMut(&str)) {
        match &self.raw {
            Some(raw) => core_paths_from(&mut Reader::skipped(raw), rules(), &mut String::new(), depth, emit)
                .expect("bytes checked by Acc.load"),
            None => core_paths_with(&self.root, rules(), &mut String::new(), depth, emit),
        }
    }

    /// `read` of the root, loaded into a tree of its own for it while the state is bytes (which it keeps).
    fn with_root<T>(&self, read: impl FnOnce(&Node) -> T) -> T {
        match &self.raw {
            Some(raw) => read(&Node::load(&mut Reader::skipped(raw)).expect("bytes checked by Acc.load")),
            None => read(&self.root),
        }
    }

    /// The root, loaded from the bytes first if it was not yet.
    fn node(&mut self) -> &mut Node {
        if let Some(raw) = self.raw.take() {
            // checked by `load` (`Node::skip`): these bytes are a state
            self.root = Node::load(&mut Reader::skipped(&raw)).expect("bytes checked by Acc.load");
        }
        &mut self.root
    }
}

#[pymethods]
impl Acc {
    #[new]
    fn py_new() -> Acc {
        Acc::of(Node::new(0, rules()))
    }

    /// Fold one body; `salt`: the hash of the path a response answered (its entities start there, body.rs).
    #[pyo3(signature = (body, salt = 0))]
    fn add(&mut self, body: &PyJson, salt: u64) {
        body::fold(self.node(), rules(), &body.0, salt);
    }

    #[getter]
    fn count(&self) -> u64 {
        match &self.raw {
            // a node's bytes start with its count
            Some(raw) => u64::from_le_bytes(raw[..8].try_into().expect("checked by Acc.load")),
            None => self.root.count,
        }
    }

    /// Everything folded so far as nested tuples; the accumulator starts over empty.
    fn export<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let out = export(py, self.node())?;
        self.root = Node::new(0, rules());
        Ok(out)
    }

    /// A copy of this accumulator (rendering merges copies: the builder keeps its own).
    fn copy(&self) -> Acc {
        Acc { root: self.root.clone(), raw: self.raw.clone() }
    }

    /// body::who_values of the root, each name asked of `words`' test once (render.key_values); a state
    /// still in bytes is read into a tree of its own for it.
    fn who_values<'py>(&self, py: Python<'py>, mut words: PyRefMut<'py, Words>) -> PyResult<Bound<'py, PyList>> {
        let mut failed = None;
        self.with_root(|root| {
            let mut out = Vec::new();
            who_values(root, None, &mut |h, name| match words.has(py, h, name) {
                Ok(yes) => yes,
                Err(e) => {
                    failed.get_or_insert(e);
                    false
                }
            }, &mut out);
            PyList::new(py, out)
        }).and_then(|list| failed.map_or(Ok(list), Err))
    }

    /// body::fields_among of the root: the keys among `words` that are a record's fields here.
    fn fields_among<'py>(&self, py: Python<'py>, words: PyRef<'py, Words>) -> PyResult<Bound<'py, PyList>> {
        self.with_root(|root| {
            let mut out = Vec::new();
            fields_among(root, &|h, key| words.get(h, key).unwrap_or(false), &mut out);
            PyList::new(py, out)
        })
    }

    /// body::item_values of the root: the values of `names` in the items of a list there or right below
    /// (render._listed_names), read without exporting the tree; a state still in bytes is read into a tree
    /// of its own for it.
    fn item_values<'py>(&self, py: Python<'py>, names: Vec<String>) -> PyResult<Bound<'py, PyList>> {
        self.with_root(|root| {
            let mut out = Vec::new();
            item_values(root, &names, &mut out);
            PyList::new(py, out)
        })
    }

    /// render._core_paths of the root, `depth` levels of properties down; given `names`, each path
    /// is its string there (made once per text, for every accumulator that names `names`).
    #[pyo3(signature = (depth, names=None))]
    fn core_paths<'py>(&self, py: Python<'py>, depth: i64, names: Option<PyRefMut<'py, PathNames>>
                       ) -> PyResult<Bound<'py, PyList>> {
        let Some(mut names) = names else {
            let mut out = Vec::new();
            self.core_paths_each(depth, &mut |path| out.push(path.to_owned()));
            return PyList::new(py, out);
        };
        let mut out: Vec<Py<PyString>> = Vec::new();
        let known = &mut names.known;
        self.core_paths_each(depth, &mut |path| {
            let name = match known.get(path) {
                Some(name) => name.clone_ref(py),
                None => {
                    let name = PyString::new(py, path).unbind();
                    known.insert(path.into(), name.clone_ref(py));
                    name
                }
            };
            out.push(name);
        });
        PyList::new(py, out)
    }

    /// Take `other`'s content over (schema.Shape.merge); `other` is left empty.
    fn merge(&mut self, other: &mut Acc) {
        let r = rules();
        let mine = self.node();
        match other.raw.take() {
            Some(raw) => {
                mine.merge_from(r, &mut Reader::skipped(&raw)).expect("bytes checked by Acc.load");
            }
            None => mine.merge(r, std::mem::replace(&mut other.root, Node::new(0, r))),
        }
    }

    /// Merge a copy of `other` in (`merge(other.copy())`, copying only what this one lacks); `other`
    /// is left as it was. Either side may still be `load`'s bytes (a worker's state that -j 2's merge
    /// kept as it came): their roots are empty then, and merging those lost the state (the render's
    /// merged_operations: -j 2's spec differed from -j 1's).
    fn merge_copy(&mut self, other: &Acc) {
        let r = rules();
        let mine = self.node();
        match &other.raw {
            Some(raw) => mine.merge_from(r, &mut Reader::skipped(raw)).expect("bytes checked by Acc.load"),
            None => mine.merge_copy(r, &other.root),
        }
    }

    /// The state as bytes, for pickling between the processes of one run (see `load`).
    fn dump<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        if let Some(raw) = &self.raw {
            return PyBytes::new(py, raw);
        }
        let mut out = Vec::new();
        self.root.dump(&mut out);
        PyBytes::new(py, &out)
    }

    /// An accumulator from `dump`'s bytes: checked now, loaded when first used (see `merge`).
    #[staticmethod]
    fn load(data: &[u8]) -> PyResult<Acc> {
        load_state(data, "fold", Node::skip)?;
        Ok(Acc { root: Node::new(0, rules()), raw: Some(data.to_vec()) })
    }

    /// An accumulator from what `export` gave (as nested lists or tuples): `import`.
    #[staticmethod]
    fn from_export(shape: &Bound<'_, PyAny>) -> PyResult<Acc> {
        Ok(Acc::of(import(shape, 0)?))
    }
}

// -- parameters --------------------------------------------------------------------------------------

/// Parameters by name: one `dict[str, ParamState]` of the builder (see params.rs).
#[pyclass(name = "Params", module = "specbuild._native")]
#[derive(Clone)]
struct PyParams(Params);

impl PyParams {
    /// One (name, value) pair; the name when `keep` refused it.
    fn fold_pair<'py>(
        &mut self,
        r: &Rules,
        pair: &Bound<'py, PyAny>,
        keep: &mut impl FnMut(&str) -> PyResult<bool>,
    ) -> PyResult<Option<Bound<'py, PyString>>> {
        let pair = pair.downcast::<PyTuple>()?;
        let name_obj = pair.get_borrowed_item(0)?;
        let name = name_obj.downcast::<PyString>()?;
        let Some(i) = self.0.slot(r, name.to_str()?, keep)? else { return Ok(Some(name.clone())) };
        let value = pair.get_borrowed_item(1)?;
        self.0.add(r, i, value.downcast::<PyString>()?.to_str()?);
        Ok(None)
    }
}

#[pymethods]
impl PyParams {
    #[new]
    fn py_new() -> PyParams {
        PyParams(Params::default())
    }

    /// builder._fold_pairs of one record's (name, value) pairs, with `keep(name)` the filter (None:
    /// keep all), or else `refused`, containers of the names to refuse (pairs a decoder already
    /// filtered: no call into Python a name); the name of the last pair refused, if any (the query's
    /// API key).
    #[pyo3(signature = (pairs, keep=None, refused=None))]
    fn fold<'py>(
        &mut self,
        pairs: &Bound<'py, PyAny>,
        keep: Option<&Bound<'py, PyAny>>,
        refused: Option<&Bound<'py, PyTuple>>,
    ) -> PyResult<Option<Bound<'py, PyString>>> {
        let r = rules();
        let mut keep = |name: &str| match (keep, refused) {
            (Some(keep), _) => keep.call1((name,))?.is_truthy(),
            (None, Some(refused)) => {
                for names in refused.iter() {
                    if names.contains(name)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            (None, None) => Ok(true),
        };
        self.0.start_record();
        let mut refused = None;
        if let Ok(tuple) = pairs.downcast::<PyTuple>() {
            for pair in tuple.iter() {
                refused = self.fold_pair(r, &pair, &mut keep)?.or(refused);
            }
        } else {
            for pair in pairs.try_iter()? {
                refused = self.fold_pair(r, &pair?, &mut keep)?.or(refused);
            }
        }
        Ok(refused)
    }

    /// builder._fold_pairs of a natively decoded form body (every field kept).
    fn fold_form(&mut self, form: &PyForm) {
        self.0.fold_form(rules(), &form.0);
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    /// The parameters, first seen first, as (name, present, repeated, count, kinds, fmts, vals | None);
    /// the accumulator starts over empty (it still remembers the names `keep` refused).
    fn export<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (name, p) in self.0.drain() {
            let Param { present, repeated, values: Strings { count, kinds, fmts, vals }, .. } = p;
            out.append((&*name, present, repeated, count, kinds, fmts, vals_to_py(py, &vals)?))?;
        }
        Ok(out)
    }

    /// The calls of the names evicted (builder._make_room) since the last call; the count starts over.
    fn take_dropped(&mut self) -> u64 {
        self.0.take_dropped()
    }

    /// A copy of these parameters (rendering merges copies: the builder keeps its own).
    fn copy(&self) -> PyParams {
        self.clone()
    }

    /// Take `other`'s parameters over (ParamState.merge by name); `other` is left empty.
    fn merge(&mut self, other: &mut PyParams) {
        self.0.merge(rules(), &mut other.0);
    }

    /// Merge a copy of `other` in (`merge(other.copy())`); `other` is left as it was.
    fn merge_copy(&mut self, other: &PyParams) {
        self.0.merge(rules(), &mut other.0.clone());
    }

    /// The state as bytes, for pickling between the processes of one run (see `load`).
    fn dump<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut out = Vec::new();
        self.0.dump_into(&mut out);
        PyBytes::new(py, &out)
    }

    /// An accumulator from `dump`'s bytes.
    #[staticmethod]
    fn load(data: &[u8]) -> PyResult<PyParams> {
        load_state(data, "params", Params::load_from).map(PyParams)
    }
}

// -- records -----------------------------------------------------------------------------------------

/// A form body decoded natively (records.Body's value where records.decode gives a dict): only
/// `Params.fold_form` reads it.
#[pyclass(frozen, name = "Form", module = "specbuild._native")]
struct PyForm(Form);

#[pymethods]
impl PyForm {
    /// The fields as records.decode gives them, `{name: [value, ...]}` (for tests and debugging).
    fn dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        for (name, values) in &self.0.fields {
            out.set_item(name, PyList::new(py, values)?)?;
        }
        Ok(out)
    }
}

/// records.Body and records.EMPTY, so bodies come out as the objects records.decode makes.
static BODY: OnceLock<(Py<PyAny>, Py<PyAny>)> = OnceLock::new();

#[pyfunction]
fn set_body_type(body: Py<PyAny>, empty: Py<PyAny>) {
    let _ = BODY.set((body, empty));
}

fn pairs_to_py<'py>(py: Python<'py>, pairs: &Pairs, strings: &mut Interned) -> PyResult<Bound<'py, PyTuple>> {
    let items: Vec<(Bound<'py, PyString>, &str)> = pairs.iter().map(|(k, v)| (strings.get(py, k), v.as_str())).collect();
    PyTuple::new(py, items)
}

/// The strings that come back record after record (methods, schemes, hosts, media types, header and
/// query names) as one Python string each: not made, hashed (as dict keys, by the fold) and freed
/// again for every record. Slots picked like `verdict`'s; a name that misses its slot takes it.
#[derive(Default)]
struct Interned {
    slots: Vec<Option<(Box<str>, Py<PyString>)>>,
}

/// Slots of `Interned`, and the longest string kept in one (longer ones are values, not names).
const INTERNED: usize = 256;
const INTERNED_LEN: usize = 64;

impl Interned {
    fn get<'py>(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        let b = s.as_bytes();
        let Some((&first, &last)) = b.first().zip(b.last()).filter(|_| b.len() <= INTERNED_LEN) else {
            return PyString::new(py, s);
        };
        let i = (b.len() * 7 + usize::from(first) * 3 + usize::from(b[b.len() / 2]) * 5 + usize::from(last)) % INTERNED;
        if self.slots.is_empty() {
            self.slots.resize_with(INTERNED, || None);
        }
        if let Some((name, string)) = &self.slots[i] {
            if **name == *s {
                return string.bind(py).clone();
            }
        }
        let string = PyString::new(py, s);
        self.slots[i] = Some((s.into(), string.clone().unbind()));
        string
    }
}

/// Which header names of one side reach Python: `ask(name)` (None: all), asked once per name and
/// remembered up to `refused_names_max` names (traffic that invents names must not grow memory).
#[derive(Default)]
struct Verdicts {
    ask: Option<Py<PyAny>>,
    plain: Option<Plain>,
    known: HashMap<Box<str>, bool>,
    recent: Vec<Option<(Box<str>, bool)>>, // see `verdict`
}

/// `HeaderPolicy.plain`'s tuple: generic names, generic prefixes, the closer-look pattern, names asked.
type PlainRule = (Vec<String>, Vec<String>, String, Vec<String>);

/// The rule `ask` (a header policy) decides most names by, applied here without a call into Python
/// (`http.HeaderPolicy.plain`): a name `closer` finds nothing in, and not one of `asked`, is kept
/// unless it is generic or starts with a generic prefix. A record inventing 10k header names cost ~0.5
/// us a name in Python.
struct Plain {
    generic: HashSet<Box<str>>,
    prefixes: Vec<Box<str>>,
    closer: regex::Regex,
    asked: HashSet<Box<str>>,
}

impl Plain {
    fn from_py(rule: Option<PlainRule>) -> PyResult<Option<Plain>> {
        let Some((generic, prefixes, closer, asked)) = rule else { return Ok(None) };
        let boxed = |v: Vec<String>| v.into_iter().map(String::into_boxed_str);
        Ok(Some(Plain {
            generic: boxed(generic).collect(),
            prefixes: boxed(prefixes).collect(),
            closer: regex::Regex::new(&closer).map_err(|e| PyValueError::new_err(e.to_string()))?,
            asked: boxed(asked).collect(),
        }))
    }

    /// The verdict, or None when the policy must look closer.
    fn decide(&self, name: &str) -> Option<bool> {
        if self.asked.contains(name) || self.closer.is_match(name) {
            return None;
        }
        Some(!self.generic.contains(name) && !self.prefixes.iter().any(|p| name.starts_with(&**p)))
    }
}

/// Slots of `Verdicts::recent`.
const RECENT: usize = 64;

/// The verdict on `name`: from its two slots in `recent` (picked by its length and three of its bytes),
/// else from `known`, and then kept in the slot. A record's dozen header names are mostly the last
/// record's: comparing a name with its slot's is cheaper than hashing it with SipHash (~200
/// instructions a name, ~2% of a record's fold). `known` keeps SipHash: invented names cannot make
/// its lookups slow, and at worst they miss the slots.
fn verdict(recent: &mut Vec<Option<(Box<str>, bool)>>, known: &HashMap<Box<str>, bool>, name: &str) -> Option<bool> {
    let b = name.as_bytes();
    let (first, mid, last) = match b {
        [] => (0, 0, 0),
        _ => (b[0], b[b.len() / 2], b[b.len() - 1]),
    };
    let i = (b.len() * 7 + usize::from(first) * 3 + usize::from(mid) * 5 + usize::from(last)) % (RECENT - 1);
    for (n, keep) in recent.get(i..i + 2).unwrap_or_default().iter().flatten() {
        if **n == *name {
            return Some(*keep);
        }
    }
    let keep = known.get(name).copied()?;
    if recent.is_empty() {
        recent.resize(RECENT, None);
    }
    // two ways: the name the slot held moves to the next one (two names of one slot alternate)
    recent[i + 1] = recent[i].replace((name.into(), keep));
    Some(keep)
}

impl Verdicts {
    fn keeps(&mut self, py: Python<'_>, r: &Rules, name: &str) -> PyResult<bool> {
        let Some(ask) = &self.ask else { return Ok(true) };
        if let Some(keep) = verdict(&mut self.recent, &self.known, name) {
            return Ok(keep);
        }
        let keep = match self.plain.as_ref().and_then(|p| p.decide(name)) {
            Some(keep) => keep,
            None => ask.bind(py).call1((name,))?.is_truthy()?,
        };
        if self.known.len() >= r.limits.refused_names_max {
            self.known.clear();
        }
        self.known.insert(name.into(), keep);
        Ok(keep)
    }

    /// The names `ask` refused so far, for the decoder to skip unread (None: it asks about none).
    fn unread(&mut self) -> Option<impl Fn(&str) -> bool + '_> {
        let Verdicts { ask, known, recent, .. } = self;
        ask.as_ref()?;
        let recent = RefCell::new(recent);
        Some(move |name: &str| verdict(&mut recent.borrow_mut(), known, name) == Some(false))
    }

    /// The pairs whose name is kept, as a tuple of (name, value) tuples.
    fn pairs_to_py<'py>(&mut self, py: Python<'py>, r: &Rules, pairs: &Pairs, strings: &mut Interned)
        -> PyResult<Bound<'py, PyTuple>> {
        if self.ask.is_none() {
            return pairs_to_py(py, pairs, strings);
        }
        let mut kept = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            if self.keeps(py, r, k)? {
                kept.push((strings.get(py, k), v.as_str()));
            }
        }
        PyTuple::new(py, kept)
    }
}

fn body_to_py<'py>(py: Python<'py>, body: BodyOut, strings: &mut Interned) -> PyResult<Bound<'py, PyAny>> {
    let (cls, empty) = BODY.get().ok_or_else(|| PyRuntimeError::new_err("set_body_type() was not called"))?;
    let cls = cls.bind(py);
    let (kind, mt, value) = match body {
        BodyOut::Empty => return Ok(empty.bind(py).clone()),
        BodyOut::Json(mt, json) => {
            let mt = mt.unwrap_or_else(|| "application/json".to_owned());
            (pyo3::intern!(py, "json"), mt, Bound::new(py, PyJson(json))?.into_any())
        }
        BodyOut::Text(mt, text) => (pyo3::intern!(py, "text"), mt, text.into_pyobject(py)?.into_any()),
        BodyOut::Form(mt, form) => (pyo3::intern!(py, "form"), mt, Bound::new(py, PyForm(form))?.into_any()),
        BodyOut::Binary(mt) => {
            let mt = mt.unwrap_or_else(|| "*/*".to_owned()); // http.UNDECLARED_MEDIA: sent without Content-Type
            (pyo3::intern!(py, "binary"), mt, py.None().into_bound(py))
        }
    };
    new_body(cls, kind, strings.get(py, &mt).into_any(), value)
}

/// records.Body(kind, media_type, value), its fields stored as its __init__ stores them but without
/// the call: a frozen dataclass's __init__ sets each field through object.__setattr__, ~1 us a body.
fn new_body<'py>(
    cls: &Bound<'py, PyAny>,
    kind: &Bound<'py, PyString>,
    mt: Bound<'py, PyAny>,
    value: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = cls.py();
    let tp = cls.downcast::<PyType>()?;
    // SAFETY: Body is a heap type without a tp_alloc of its own (a dataclass); the generic setattr
    // finds each field's slot descriptor on the type, as object.__setattr__ does.
    let obj = unsafe { Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyType_GenericAlloc(tp.as_type_ptr(), 0))? };
    let fields = [(pyo3::intern!(py, "kind"), kind.as_any()), (pyo3::intern!(py, "media_type"), &mt),
                  (pyo3::intern!(py, "value"), &value)];
    for (name, v) in fields {
        if unsafe { pyo3::ffi::PyObject_GenericSetAttr(obj.as_ptr(), name.as_ptr(), v.as_ptr()) } < 0 {
            return Err(PyErr::fetch(py));
        }
    }
    Ok(obj)
}

/// Decode one record in its plain form: (method, path, status, query, request headers, response
/// headers, request body, response body, scheme, host, timestamp, slash): an Exchange's fields, bodies as
/// records.Body; None for anything `records.decode` must look at.
#[pyfunction]
fn decode_record<'py>(
    py: Python<'py>,
    raw: &Bound<'py, PyAny>,
    max_body_bytes: usize,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    decode_into_tuple(py, raw, max_body_bytes, &mut PyDecoder::default())
}

/// `decode_record` for a fold: only the headers the fold reads come out (the names each side's
/// `keep` takes); the others, most of a record's headers, never become Python objects. With
/// `targets`, a thirteenth and a fourteenth field: the request target's `witnesses.target_hash`, and
/// `witnesses.request_hash` of a request that sent a body (None without one). With `instants`, the
/// timestamp is the instant's second (`record::epoch_second`) where it is read here: the text otherwise.
#[pyclass(name = "Decoder", module = "specbuild._native")]
#[derive(Default)]
struct PyDecoder {
    request: Verdicts,
    response: Verdicts,
    strings: Interned,
    targets: bool,
    instants: bool,
}

#[pymethods]
impl PyDecoder {
    #[new]
    #[pyo3(signature = (keep_request=None, keep_response=None, targets=false, instants=false, plain_request=None,
                        plain_response=None))]
    fn py_new(
        keep_request: Option<Py<PyAny>>,
        keep_response: Option<Py<PyAny>>,
        targets: bool,
        instants: bool,
        plain_request: Option<PlainRule>,
        plain_response: Option<PlainRule>,
    ) -> PyResult<PyDecoder> {
        Ok(PyDecoder {
            request: Verdicts { ask: keep_request, plain: Plain::from_py(plain_request)?, ..Verdicts::default() },
            response: Verdicts { ask: keep_response, plain: Plain::from_py(plain_response)?, ..Verdicts::default() },
            strings: Interned::default(),
            targets,
            instants,
        })
    }

    fn __call__<'py>(
        &mut self,
        py: Python<'py>,
        raw: &Bound<'py, PyAny>,
        max_body_bytes: usize,
    ) -> PyResult<Option<Bound<'py, PyTuple>>> {
        decode_into_tuple(py, raw, max_body_bytes, self)
    }

    /// `__call__` over a batch: each raw record's fields, or None (`records.decode` must look at it).
    /// One call per batch instead of one per record (a fold hands it ~64 lines at a time).
    fn decode_many<'py>(
        &mut self,
        py: Python<'py>,
        raws: &Bound<'py, PyList>,
        max_body_bytes: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut out = Vec::with_capacity(raws.len());
        for raw in raws.iter() {
            out.push(match decode_into_tuple(py, &raw, max_body_bytes, self)? {
                Some(fields) => fields.into_any(),
                None => py.None().into_bound(py),
            });
        }
        PyList::new(py, out)
    }
}

fn decode_into_tuple<'py>(
    py: Python<'py>,
    raw: &Bound<'py, PyAny>,
    max_body_bytes: usize,
    decoder: &mut PyDecoder,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let PyDecoder { request, response, strings, targets, instants } = decoder;
    let (targets, instants) = (*targets, *instants);
    let bytes: &[u8] = if let Ok(b) = raw.downcast::<PyBytes>() {
        b.as_bytes()
    } else if let Ok(s) = raw.downcast::<PyString>() {
        s.to_str()?.as_bytes()
    } else {
        return Ok(None);
    };
    let r = rules();
    let decoded = {
        let (unread_request, unread_response) = (request.unread(), response.unread());
        decode_plain(r, bytes, max_body_bytes, [unread_request.as_ref().map(|f| f as _), unread_response.as_ref().map(|f| f as _)])
    };
    let Some(d) = decoded else { return Ok(None) };
    let target = targets.then(|| target_hash(&d.path, &d.query));
    // a request that sent a body: the target and the body (witnesses.request_hash), None without one
    let request_id = target.map(|t| d.request_digest.map(|digest| request_hash(t, digest)));
    let items: [Bound<'py, PyAny>; 12] = [
        strings.get(py, &d.method).into_any(),
        d.path.into_pyobject(py)?.into_any(),
        d.status.into_pyobject(py)?.into_any(),
        pairs_to_py(py, &d.query, strings)?.into_any(),
        request.pairs_to_py(py, r, &d.request_headers, strings)?.into_any(),
        response.pairs_to_py(py, r, &d.response_headers, strings)?.into_any(),
        body_to_py(py, d.request_body, strings)?,
        body_to_py(py, d.response_body, strings)?,
        strings.get(py, &d.scheme).into_any(),
        strings.get(py, &d.host).into_any(),
        match instants.then(|| epoch_second(&d.timestamp)).flatten() {
            Some(second) => second.into_pyobject(py)?.into_any(),
            None => d.timestamp.into_pyobject(py)?.into_any(),
        },
        PyBool::new(py, d.slash).to_owned().into_any(),
    ];
    let mut items = Vec::from(items);
    if let (Some(h), Some(request_id)) = (target, request_id) {
        items.push(h.into_pyobject(py)?.into_any());
        items.push(request_id.into_pyobject(py)?.into_any());
    }
    Ok(Some(PyTuple::new(py, items)?))
}

// -- the null rate's grid (learn/nullrate.py) --------------------------------------------------------

/// The terms of one row of `nullrate`'s grid (one rate), per tally key in its order: the properties
/// counted, the chance a nullable one showed a null, and whether they showed one.
#[pyclass(frozen, name = "NullTerms", module = "specbuild._native")]
struct NullTerms {
    terms: Vec<(f64, f64, bool)>,
}

#[pymethods]
impl NullTerms {
    #[new]
    fn new(counts: Vec<f64>, chances: Vec<f64>, nulls: Vec<bool>) -> PyResult<Self> {
        if counts.len() != chances.len() || counts.len() != nulls.len() {
            return Err(PyValueError::new_err("NullTerms: the three lists differ in length"));
        }
        Ok(Self { terms: counts.into_iter().zip(chances).zip(nulls).map(|((k, c), n)| (k, c, n)).collect() })
    }

    /// The row's log-likelihood at `share`: the float Python's `sum([k * log(share * c if null else
    /// 1.0 - share * c) ...])` makes, the same operations in the same order (Rust neither reorders nor
    /// fuses float arithmetic, `ln` is the C library's `log` as `math.log` is, and `sum` adds floats
    /// one by one from 0.0), so the grid search decides the same float for float.
    fn at(&self, share: f64) -> f64 {
        let mut total = 0.0;
        for &(k, chance, null) in &self.terms {
            let x = share * chance;
            let arg = if null { x } else { 1.0 - x };
            total += k * arg.ln();
        }
        total
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(decode_record, m)?)?;
    m.add_function(wrap_pyfunction!(set_body_type, m)?)?;
    m.add_function(wrap_pyfunction!(configure, m)?)?;
    m.add_function(wrap_pyfunction!(configure_segments, m)?)?;
    m.add_function(wrap_pyfunction!(typed_segment, m)?)?;
    m.add_function(wrap_pyfunction!(skeleton, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(formats_of, m)?)?;
    m.add_function(wrap_pyfunction!(enum_value, m)?)?;
    m.add_class::<PyJson>()?;
    m.add_class::<Acc>()?;
    m.add_class::<PathNames>()?;
    m.add_class::<Words>()?;
    m.add_class::<PyParams>()?;
    m.add_class::<PyForm>()?;
    m.add_class::<PyDecoder>()?;
    m.add_class::<NullTerms>()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_from_the_slots_are_the_known_ones() {
        // more names than slots, many sharing one: each answers its own verdict, round after round
        let names: Vec<String> = (0..300).map(|i| format!("x-h{i}")).chain(["", "a", "b"].map(String::from)).collect();
        let known: HashMap<Box<str>, bool> = names.iter().enumerate().map(|(i, n)| (n.as_str().into(), i % 3 == 0)).collect();
        let mut recent = Vec::new();
        for _ in 0..3 {
            for (i, n) in names.iter().enumerate() {
                assert_eq!(verdict(&mut recent, &known, n), Some(i % 3 == 0), "{n}");
            }
        }
        assert_eq!(verdict(&mut recent, &known, "x-unknown"), None);
        assert_eq!(recent.len(), RECENT);
    }
}

//! Bodies: checked (`parse`), then folded straight from their text into an accumulator (`Acc`).

use std::borrow::Cow;
use std::fmt;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::rules::{rules, Rules, ANY, ARR, BOOL, FLOAT, INT, NULL, OBJ, STR};
use crate::shape::{key_hash, Node};
use crate::state::Reader;

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
pub(crate) struct Json {
    pub(crate) text: String,
}

#[pymethods]
impl Json {
    /// The body's JSON text (for tests and debugging; the fold never goes through Python).
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }
}

pub(crate) fn check(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut keys = Vec::with_capacity(64);
    Check { keys: &mut keys }.deserialize(&mut de)?;
    de.end()
}

/// Check that `text` is JSON; ValueError when not (the caller then asks orjson, the reference).
#[pyfunction]
pub(crate) fn parse(text: &str) -> PyResult<Json> {
    check(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(Json { text: text.to_owned() })
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

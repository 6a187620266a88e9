//! Query parameters and kept headers: `builder._fold_pairs` into `schema.StringsShape`s, in Rust.
//!
//! A `Params` stands for one `dict[str, ParamState]` of the builder (an operation's query or request
//! headers, a response's headers) and folds a record's pairs with one call: in CPython the loop over
//! the pairs, the name filter and `StringsShape.add` per value were about a seventh of the time per
//! record. `export()` hands the parameters back to Python (`builder._settle_params`), which merges
//! them into the dict: merging is exact, so the spec is the same with or without this module.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use crate::rules::{rules, Rules};
use crate::shape::{fold_str_stats, key_hash, merge_vals, vals_to_py, Vals};
use crate::state::{load_vals, put_str, put_vals, Reader};

// What a string value reads as (bitmask), as schema.S_BOOL, S_INT, S_NUMBER, S_STR.
const S_BOOL: u8 = 1;
const S_INT: u8 = 2;
const S_NUMBER: u8 = 4;
const S_STR: u8 = 8;

/// Names a filter refused, remembered per accumulator up to this many (as builder.CACHED_HEADER_NAMES):
/// traffic that invents header names must not grow memory.
const REFUSED_MAX: usize = 4096;

fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// schema._INT_TEXT: `-?(?:0|[1-9][0-9]{0,17})` (fits int64; longer is an id).
pub(crate) fn int_text(s: &str) -> bool {
    let s = s.as_bytes();
    let s = s.strip_prefix(b"-").unwrap_or(s);
    match s {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.len() <= 17 && digits(rest) == rest.len(),
        _ => false,
    }
}

/// An exponent, to the end: `[eE][-+]?[0-9]+`.
fn exponent(s: &[u8]) -> bool {
    let [b'e' | b'E', rest @ ..] = s else { return false };
    let rest = rest.strip_prefix(b"-").or_else(|| rest.strip_prefix(b"+")).unwrap_or(rest);
    !rest.is_empty() && digits(rest) == rest.len()
}

/// schema._NUMBER_TEXT: `-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)`.
pub(crate) fn number_text(s: &str) -> bool {
    let s = s.as_bytes();
    let s = s.strip_prefix(b"-").unwrap_or(s);
    let rest = match s {
        [b'0', rest @ ..] => rest,
        [b'1'..=b'9', rest @ ..] => &rest[digits(rest)..],
        _ => return false,
    };
    match rest {
        [b'.', frac @ ..] => {
            let n = digits(frac);
            n > 0 && (n == frac.len() || exponent(&frac[n..]))
        }
        _ => exponent(rest),
    }
}

/// `schema.StringsShape`, field for field.
#[derive(Clone)]
pub(crate) struct Strings {
    count: u64,
    kinds: u8,
    fmts: u8,
    vals: Vals,
}

impl Strings {
    fn new(r: &Rules) -> Strings {
        Strings { count: 0, kinds: 0, fmts: r.all_formats, vals: Some(Vec::new()) }
    }

    /// StringsShape.add
    fn add(&mut self, r: &Rules, v: &str) {
        self.count += 1;
        let kind = if v == "true" || v == "false" {
            S_BOOL
        } else if int_text(v) {
            S_INT
        } else if number_text(v) {
            S_NUMBER
        } else {
            0
        };
        if kind == 0 {
            self.kinds |= S_STR;
            if self.fmts != 0 || self.vals.is_some() {
                fold_str_stats(r, &mut self.fmts, &mut self.vals, v);
            }
            return;
        }
        self.kinds |= kind;
        self.fmts = 0; // numbers and booleans match no format
        self.vals = None; // and make no string enum
    }

    /// StringsShape.merge, taking `other` over.
    fn merge(&mut self, r: &Rules, other: Strings) {
        self.count += other.count;
        self.kinds |= other.kinds;
        self.fmts &= other.fmts;
        self.vals = merge_vals(r, self.vals.take(), other.vals);
    }
}

/// builder.ParamState, and the fold call that last saw it (to tell a repeated name from a new one).
#[derive(Clone)]
struct Param {
    present: u64,
    repeated: bool,
    values: Strings,
    last: u64,
}

impl Param {
    fn new(r: &Rules) -> Param {
        Param { present: 0, repeated: false, values: Strings::new(r), last: 0 }
    }

    /// ParamState.merge, taking `other` over.
    fn merge(&mut self, r: &Rules, other: Param) {
        self.present += other.present;
        self.repeated |= other.repeated;
        self.values.merge(r, other.values);
    }
}

/// Parameters by name, in first-seen order (a handful per operation: a scan of their hashes finds one).
#[pyclass(module = "specbuild._native")]
#[derive(Default, Clone)]
pub(crate) struct Params {
    hashes: Vec<u64>,
    names: Vec<Box<str>>,
    params: Vec<Param>,
    refused: Vec<(u64, Box<str>)>, // names `keep` refused: it is asked once per name
    calls: u64,                    // fold calls so far: a parameter seen in this one has `last == calls`
}

impl Params {
    fn find(&self, name: &str, h: u64) -> Option<usize> {
        self.hashes.iter().zip(&self.names).position(|(&x, n)| x == h && &**n == name)
    }

    fn push(&mut self, name: &str, h: u64, param: Param) -> usize {
        self.hashes.push(h);
        self.names.push(name.into());
        self.params.push(param);
        self.params.len() - 1
    }

    /// The parameter `name` folds into, or None when `keep` refuses the name.
    fn slot(&mut self, r: &Rules, name: &str, keep: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
        let h = key_hash(name);
        if let Some(i) = self.find(name, h) {
            return Ok(Some(i));
        }
        if self.refused.iter().any(|(x, n)| *x == h && &**n == name) {
            return Ok(None);
        }
        if let Some(keep) = keep {
            if !keep.call1((name,))?.is_truthy()? {
                if self.refused.len() >= REFUSED_MAX {
                    self.refused.clear();
                }
                self.refused.push((h, name.into()));
                return Ok(None);
            }
        }
        Ok(Some(self.push(name, h, Param::new(r))))
    }

    fn fold_pair<'py>(
        &mut self,
        r: &Rules,
        pair: &Bound<'py, PyAny>,
        keep: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyString>>> {
        let pair = pair.downcast::<PyTuple>()?;
        let name_obj = pair.get_borrowed_item(0)?;
        let name = name_obj.downcast::<PyString>()?;
        let Some(i) = self.slot(r, name.to_str()?, keep)? else { return Ok(Some(name.clone())) };
        let value = pair.get_borrowed_item(1)?;
        let value = value.downcast::<PyString>()?.to_str()?;
        let p = &mut self.params[i];
        if p.last == self.calls {
            p.repeated = true;
        } else {
            p.last = self.calls;
            p.present += 1;
        }
        p.values.add(r, value);
        Ok(None)
    }

    fn dump_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.params.len() as u32).to_le_bytes());
        for (name, p) in self.names.iter().zip(&self.params) {
            put_str(out, name);
            out.extend_from_slice(&p.present.to_le_bytes());
            out.push(u8::from(p.repeated));
            let v = &p.values;
            out.extend_from_slice(&v.count.to_le_bytes());
            out.push(v.kinds);
            out.push(v.fmts);
            put_vals(out, &v.vals);
        }
    }

    fn load_from(r: &mut Reader<'_>) -> Option<Params> {
        let mut out = Params::default();
        for _ in 0..r.u32()? {
            let name = r.string()?;
            let (present, repeated) = (r.u64()?, r.u8()?);
            let (count, kinds, fmts, vals) = (r.u64()?, r.u8()?, r.u8()?, load_vals(r)?);
            if repeated > 1 || out.find(&name, key_hash(&name)).is_some() {
                return None;
            }
            let values = Strings { count, kinds, fmts, vals };
            out.push(&name, key_hash(&name), Param { present, repeated: repeated == 1, values, last: 0 });
        }
        Some(out)
    }
}

#[pymethods]
impl Params {
    #[new]
    fn py_new() -> Params {
        Params::default()
    }

    /// builder._fold_pairs of one record's (name, value) pairs, with `keep(name)` the filter (None:
    /// keep all); the name of the last pair refused, if any (the query's API key).
    #[pyo3(signature = (pairs, keep=None))]
    fn fold<'py>(
        &mut self,
        pairs: &Bound<'py, PyAny>,
        keep: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyString>>> {
        let r = rules();
        self.calls += 1;
        let mut refused = None;
        if let Ok(tuple) = pairs.downcast::<PyTuple>() {
            for pair in tuple.iter() {
                refused = self.fold_pair(r, &pair, keep)?.or(refused);
            }
        } else {
            for pair in pairs.try_iter()? {
                refused = self.fold_pair(r, &pair?, keep)?.or(refused);
            }
        }
        Ok(refused)
    }

    fn __len__(&self) -> usize {
        self.params.len()
    }

    /// The parameters, first seen first, as (name, present, repeated, count, kinds, fmts, vals | None);
    /// the accumulator starts over empty (it still remembers the names `keep` refused).
    fn export<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (name, p) in self.names.drain(..).zip(self.params.drain(..)) {
            let Param { present, repeated, values: Strings { count, kinds, fmts, vals }, .. } = p;
            out.append((&*name, present, repeated, count, kinds, fmts, vals_to_py(py, &vals)?))?;
        }
        self.hashes.clear();
        Ok(out)
    }

    /// A copy of these parameters (rendering merges copies: the builder keeps its own).
    fn copy(&self) -> Params {
        self.clone()
    }

    /// Take `other`'s parameters over (ParamState.merge by name); `other` is left empty.
    fn merge(&mut self, other: &mut Params) {
        let r = rules();
        let hashes = std::mem::take(&mut other.hashes);
        let names = std::mem::take(&mut other.names);
        let params = std::mem::take(&mut other.params);
        for ((h, name), mut p) in hashes.into_iter().zip(names).zip(params) {
            match self.find(&name, h) {
                Some(i) => self.params[i].merge(r, p),
                None => {
                    p.last = 0; // from another count of calls: not seen in any call of this one
                    self.push(&name, h, p);
                }
            }
        }
    }

    /// The state as bytes, for pickling between the processes of one run (see `load`).
    fn dump<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let mut out = Vec::new();
        self.dump_into(&mut out);
        PyBytes::new(py, &out)
    }

    /// An accumulator from `dump`'s bytes.
    #[staticmethod]
    fn load(data: &[u8]) -> PyResult<Params> {
        let mut reader = Reader { data, at: 0 };
        let out = Params::load_from(&mut reader).ok_or_else(|| PyValueError::new_err("not a native params state"))?;
        if reader.at != data.len() {
            return Err(PyValueError::new_err("not a native params state (trailing bytes)"));
        }
        Ok(out)
    }
}

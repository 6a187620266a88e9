//! specbuild._native: the record decode of `specbuild/records.py` and the JSON-body fold of
//! `specbuild/schema.py`, in Rust.
//!
//! Optional and exact; the Python code is the reference.
//! - `decode_record` decodes a record in its plain, common form into an Exchange's fields and answers
//!   None for anything else, which `records.decode` then handles (every error message stays there).
//! - `parse` checks a body and records what it read as a tape; `Acc.add` folds that tape (in document
//!   order) into a tree of `Node`s that mirrors `schema.Shape` field for field, with the same rules.
//!   `Acc.export()` hands the tree back as nested tuples, from which Python builds a `Shape` and merges
//!   it; merging is exact, so the written spec is byte-identical with or without this module.
//!
//! Nothing here decides anything Python does not: the limits and the format patterns come from
//! `schema.py` through `configure()`, so the rules live in one place. tests/test_native.py holds the
//! two to that (states, decoded records, whole specs, and fuzzed text).
//!
//! Why: in CPython, decoding a record and walking every value of every body were most of the time per
//! record; here a body is parsed and folded in a few microseconds, with no Python object per value.

mod body;
mod params;
mod record;
mod rules;
mod shape;
mod state;

use pyo3::prelude::*;

use crate::body::{parse, Acc, Json};
use crate::params::Params;
use crate::record::{decode_record, set_body_type};
use crate::rules::{configure, enum_value, formats_of};

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
    m.add_class::<Params>()?;
    Ok(())
}

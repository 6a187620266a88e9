//! The rules the fold follows, from `schema.py`: JSON kinds, limits, string formats, the enum guard.

use std::sync::OnceLock;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use regex::Regex;

// JSON kinds seen at a position (bitmask), as in schema.py.
pub(crate) const NULL: u8 = 1;
pub(crate) const BOOL: u8 = 2;
pub(crate) const INT: u8 = 4;
pub(crate) const FLOAT: u8 = 8;
pub(crate) const STR: u8 = 16;
pub(crate) const OBJ: u8 = 32;
pub(crate) const ARR: u8 = 64;
pub(crate) const ANY: u8 = 128;

/// How one string format is tested: a full-match regex, or a cheap regex prefilter and then the
/// Python test (ipv6: `ipaddress` is the reference and such strings are rare).
enum FormatTest {
    Pattern(Regex),
    Python(Regex, Py<PyAny>),
}

pub(crate) struct Rules {
    pub(crate) max_depth: u32,
    pub(crate) max_props: usize,
    pub(crate) enum_max: usize,
    formats: Vec<FormatTest>,
    pub(crate) all_formats: u8,
    token: Regex,
    numeric: Regex,
    hexish: Regex,
    hex_id_min: usize,
}

static RULES: OnceLock<Rules> = OnceLock::new();

pub(crate) fn rules() -> &'static Rules {
    RULES.get().expect("specbuild._native.configure() is called on import by specbuild.native")
}

pub(crate) fn full(pattern: &str) -> PyResult<Regex> {
    Regex::new(&format!("^(?:{pattern})$")).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Set the rules, once per process, from schema.py's constants and patterns.
///
/// `formats`: in priority order, each a pattern string or a (prefilter pattern, callable) pair.
/// `enum_tests`: (token, numeric, hex-ish) patterns and the minimum length of a hex id.
#[pyfunction]
pub(crate) fn configure(
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
pub(crate) fn narrow(r: &Rules, mask: u8, v: &str) -> u8 {
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
pub(crate) fn enumish(r: &Rules, v: &str) -> bool {
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

/// schema._narrow over every format, and schema._enumish: for the tests that hold both to Python.
#[pyfunction]
pub(crate) fn formats_of(v: &str) -> u8 {
    let r = rules();
    narrow(r, r.all_formats, v)
}

#[pyfunction]
pub(crate) fn enum_value(v: &str) -> bool {
    enumish(rules(), v)
}

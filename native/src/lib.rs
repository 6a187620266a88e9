//! specbuild._native: the record decode of `specbuild/records.py` and the JSON-body fold of
//! `specbuild/learn/schema.py`, in Rust.
//!
//! Optional and exact; the Python code is the reference.
//! - `decode_record` decodes a record in its plain, common form into an Exchange's fields and answers
//!   None for anything else, which `records.decode` then handles (every error message stays there).
//! - `parse` checks a body and records what it read as a tape; `Acc.add` folds that tape (in document
//!   order) into a tree of `Node`s that mirrors `schema.Shape` field for field, with the same rules.
//!   `Acc.export()` hands the tree back as nested tuples, from which Python builds a `Shape` and merges
//!   it; merging is exact, so the written spec is byte-identical with or without this module.
//!
//! Nothing here decides anything Python does not: every limit and pattern (formats, the enum guard,
//! integer and number text, the methods) comes from `specbuild/learn/rules.py` through
//! `configure()`, so the rules live in one place. tests/test_native.py holds the two to that (states,
//! decoded records, whole specs, and fuzzed text).
//!
//! `glue.rs` is the Python face (every `#[pyfunction]` and `#[pyclass]`); the other modules are plain
//! Rust, which `cargo test` runs on a table of rules of its own (`rules::tests::table`).
//!
//! Why: in CPython, decoding a record and walking every value of every body were most of the time per
//! record; here a body is parsed and folded in a few microseconds, with no Python object per value.

mod body;
mod embedded;
mod glue;
mod params;
mod reader;
mod record;
mod rules;
mod segment;
mod shape;
mod state;
mod witness;

// glibc's malloc and free were ~11% of the fold's instructions on the realistic mix (a body's tape,
// its strings and the nodes a fold builds and drops); mimalloc's thread-local free lists cost less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

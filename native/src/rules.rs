//! The rules the fold follows: every limit and pattern comes from `specbuild/learn/rules.py` through
//! `configure()` (see `glue.rs`); nothing here is a threshold or a pattern of its own. What is left
//! is what the rules mean: JSON kinds as bits, how the format and enum tests combine.

use std::sync::OnceLock;

use regex::Regex;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::{primitives::StateID, start};
use regex_automata::Anchored;

use crate::shape::key_hash;

// JSON kinds seen at a position (bitmask): the encoding of `schema.Shape.kinds`, not a rule.
pub(crate) const NULL: u8 = 1;
pub(crate) const BOOL: u8 = 2;
pub(crate) const INT: u8 = 4;
pub(crate) const FLOAT: u8 = 8;
pub(crate) const STR: u8 = 16;
pub(crate) const OBJ: u8 = 32;
pub(crate) const ARR: u8 = 64;
pub(crate) const ANY: u8 = 128;

// What a string value reads as (bitmask), as schema.S_BOOL, S_INT, S_NUMBER, S_STR.
pub(crate) const S_BOOL: u8 = 1;
pub(crate) const S_INT: u8 = 2;
pub(crate) const S_NUMBER: u8 = 4;
pub(crate) const S_STR: u8 = 8;

/// A test that is not a pattern (ipv6: Python's `ipaddress` is the reference), run after its pattern.
pub(crate) type Test = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// One string format as rules.FORMAT_RULES gives it: a full-match pattern, or a cheap pattern and
/// then the real test.
pub(crate) enum Format {
    Pattern(String),
    Filtered(String, Test),
}

/// The numbers of rules.native_table().
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) struct Limits {
    pub(crate) max_depth: u32,
    pub(crate) max_props: usize,
    pub(crate) evict_keep: usize,
    pub(crate) enum_max: usize,
    pub(crate) refused_names_max: usize,
    pub(crate) max_params: usize,
    pub(crate) params_keep: usize,
    pub(crate) core_min_percent: u64,
    pub(crate) hex_id_min: usize,
    pub(crate) id_min_len: usize,
    pub(crate) id_min_digits: usize,
}

/// rules.native_table(), as plain values (the glue reads it from the Python dict).
pub(crate) struct Table {
    pub(crate) limits: Limits,
    pub(crate) formats: Vec<Format>,
    pub(crate) enum_token: String,
    pub(crate) enum_numeric: String,
    pub(crate) enum_hexish: String,
    pub(crate) int_text: String,
    pub(crate) number_text: String,
    pub(crate) number_start: String,
    pub(crate) bool_text: Vec<String>,
    pub(crate) methods: Vec<String>,
    pub(crate) override_headers: Vec<String>,
    pub(crate) override_field: String,
    pub(crate) override_mentions: Vec<String>,
    pub(crate) item_identity_keys: Vec<String>,
}

enum FormatTest {
    Pattern(Full),
    Filtered(Full, Test),
}

pub(crate) struct Rules {
    pub(crate) limits: Limits,
    formats: Vec<FormatTest>,
    pub(crate) all_formats: u8,
    token: Full,
    numeric: Full,
    hexish: Full,
    int_text: Full,
    number_text: Full,
    number_start: [bool; 256],
    bool_text: Vec<String>,
    pub(crate) methods: Vec<String>,
    // envelope.py's: a POST that names another method by them is Python's to unwrap
    pub(crate) override_headers: Vec<String>,
    pub(crate) override_field: String,
    pub(crate) override_mentions: Vec<String>,
    // rules.ITEM_IDENTITY_KEYS, each with its `key_hash` (a key event carries its hash)
    pub(crate) item_identity_keys: Vec<(u64, String)>,
}

/// `pattern` as Python's `re.fullmatch` reads it.
fn full(pattern: &str) -> Result<Full, String> {
    let anchored = format!("^(?:{pattern})$");
    let re = Regex::new(&anchored).map_err(|e| e.to_string())?;
    // the same syntax settings as `Regex::new` (Unicode, UTF-8), so the same language
    let dfa = dense::Builder::new()
        .configure(dense::Config::new().start_kind(StartKind::Anchored).dfa_size_limit(Some(1 << 20)))
        .build(&anchored)
        .ok()
        .and_then(|dfa| {
            // the state a search from the start of a text begins in (`^` holds there)
            let at_start = dfa.start_state(&start::Config::new().anchored(Anchored::Yes)).ok()?;
            Some((dfa, at_start))
        });
    Ok(Full { dfa, re })
}

/// A full-match test. The values tested are short (a body's strings, ~100 tests a record): a regex's
/// search set-up cost more than the match (`Regex::is_match`: ~200 instructions a test), so a dense
/// DFA built ahead walks the bytes, from its start state, until it dies or the text ends; the regex
/// where the DFA would be too large.
pub(crate) struct Full {
    dfa: Option<(dense::DFA<Vec<u32>>, StateID)>,
    re: Regex,
}

impl Full {
    pub(crate) fn is_match(&self, v: &str) -> bool {
        let Some((dfa, at_start)) = &self.dfa else { return self.re.is_match(v) };
        let mut sid = *at_start;
        for &b in v.as_bytes() {
            sid = dfa.next_state(sid, b);
            if dfa.is_special_state(sid) {
                if dfa.is_dead_state(sid) {
                    return false;
                }
                if dfa.is_quit_state(sid) {
                    return self.re.is_match(v); // a byte it cannot decide (none in our patterns)
                }
            }
        }
        // a match is seen one transition late: after the end of the text (`$` holds only there)
        dfa.is_match_state(dfa.next_eoi_state(sid))
    }
}

impl Rules {
    pub(crate) fn new(t: Table) -> Result<Rules, String> {
        if t.formats.len() > 8 {
            return Err("at most 8 formats fit the bitmask".to_owned());
        }
        let all_formats = ((1u16 << t.formats.len()) - 1) as u8;
        let mut formats = Vec::new();
        for f in t.formats {
            formats.push(match f {
                Format::Pattern(p) => FormatTest::Pattern(full(&p)?),
                Format::Filtered(p, test) => FormatTest::Filtered(full(&p)?, test),
            });
        }
        let mut number_start = [false; 256];
        for b in t.number_start.bytes() {
            number_start[b as usize] = true;
        }
        Ok(Rules {
            limits: t.limits,
            formats,
            all_formats,
            token: full(&t.enum_token)?,
            numeric: full(&t.enum_numeric)?,
            hexish: full(&t.enum_hexish)?,
            int_text: full(&t.int_text)?,
            number_text: full(&t.number_text)?,
            number_start,
            bool_text: t.bool_text,
            methods: t.methods,
            override_headers: t.override_headers,
            override_field: t.override_field,
            override_mentions: t.override_mentions,
            item_identity_keys: t.item_identity_keys.into_iter().map(|k| (key_hash(&k), k)).collect(),
        })
    }
}

static RULES: OnceLock<Rules> = OnceLock::new();

pub(crate) fn rules() -> &'static Rules {
    RULES.get().expect("specbuild._native.configure() is called on import by specbuild.learn.native")
}

/// Set the rules, once per process; a second call (a test re-importing) must agree with the first.
pub(crate) fn set_rules(new: Rules) -> Result<(), String> {
    let limits = new.limits;
    if RULES.set(new).is_err() && rules().limits != limits {
        return Err("specbuild._native is already configured differently".to_owned());
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
            FormatTest::Filtered(pre, test) => pre.is_match(v) && test(v),
        };
        if hit {
            out |= bit;
        }
    }
    out
}

/// Whether `v` could be one value of an enum (schema._enumish).
pub(crate) fn enumish(r: &Rules, v: &str) -> bool {
    enumish_given(r, v, 0, 0)
}

/// [`enumish`], the formats of `tested` already tested on `v` (`hits`: those it matched, as
/// `narrow(r, tested, v)` answers): a new value at a fresh position was tested twice for every format.
pub(crate) fn enumish_given(r: &Rules, v: &str, tested: u8, hits: u8) -> bool {
    if !r.token.is_match(v) || r.numeric.is_match(v) || (v.len() >= r.limits.hex_id_min && r.hexish.is_match(v)) {
        return false;
    }
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if v.len() >= r.limits.id_min_len && digits >= r.limits.id_min_digits {
        return false; // mixes letters and digits like a generated id
    }
    if !v.contains(':') && digits == 0 {
        return true;
    }
    hits == 0 && narrow(r, r.all_formats & !tested, v) == 0
}

/// What a string value reads as (StringsShape.add): S_BOOL, S_INT, S_NUMBER, or 0 for a string.
pub(crate) fn strings_kind(r: &Rules, v: &str) -> u8 {
    if r.bool_text.iter().any(|b| b == v) {
        S_BOOL
    } else if !v.bytes().next().is_some_and(|b| r.number_start[b as usize]) {
        0 // most values are words: skip both number patterns
    } else if r.int_text.is_match(v) {
        S_INT
    } else if r.number_text.is_match(v) {
        S_NUMBER
    } else {
        0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// learn/rules.py's ENUM_TOKEN: a short token with one slash at most, 32 characters in all (spelt out
    /// slash place by slash place: the regex crate has no lookahead).
    fn enum_token_pattern() -> String {
        let c = "[A-Za-z0-9_.:+-]";
        let slashed: Vec<String> = (0..30).map(|i| format!("{c}{{{i}}}/{c}{{1,{}}}", 30 - i)).collect();
        format!("[A-Za-z0-9](?:{c}{{0,31}}|{})", slashed.join("|"))
    }

    /// A table like rules.py's, for the tests of the logic (the real one only ever comes from Python).
    pub(crate) fn table() -> Table {
        Table {
            limits: Limits {
                max_depth: 4,
                max_props: 8,
                evict_keep: 6,
                enum_max: 3,
                refused_names_max: 2,
                max_params: 4,
                params_keep: 3,
                core_min_percent: 50,
                hex_id_min: 8,
                id_min_len: 8,
                id_min_digits: 2,
            },
            formats: vec![
                Format::Pattern("[0-9]{4}-[0-9]{2}-[0-9]{2}".to_owned()),
                Format::Filtered("[0-9a-f:]*:[0-9a-f:]*".to_owned(), Box::new(|v| v.matches(':').count() >= 2)),
            ],
            enum_token: enum_token_pattern(),
            enum_numeric: r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?".to_owned(),
            enum_hexish: "[a-fA-F]*[0-9][0-9a-fA-F]*".to_owned(),
            int_text: "-?(?:0|[1-9][0-9]{0,17})".to_owned(),
            number_text: r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)".to_owned(),
            number_start: "-0123456789".to_owned(),
            bool_text: vec!["true".to_owned(), "false".to_owned(), "True".to_owned(), "False".to_owned()],
            methods: vec!["GET".to_owned(), "POST".to_owned()],
            override_headers: vec!["x-http-method-override".to_owned()],
            override_field: "_method".to_owned(),
            override_mentions: vec!["\"_method\"".to_owned(), "\\u005".to_owned()],
            item_identity_keys: vec!["id".to_owned(), "name".to_owned()],
        }
    }

    pub(crate) fn test_rules() -> Rules {
        Rules::new(table()).expect("the test table compiles")
    }

    #[test]
    fn patterns_match_whole_strings_only() {
        let r = test_rules();
        assert_eq!(narrow(&r, r.all_formats, "2024-03-04"), 1);
        assert_eq!(narrow(&r, r.all_formats, "x2024-03-04"), 0);
        assert_eq!(narrow(&r, r.all_formats, "2024-03-04\n"), 0); // `$` is the end of the text
        assert_eq!(narrow(&r, r.all_formats, "fe80::1"), 2);
        assert_eq!(narrow(&r, r.all_formats, "a:b"), 0); // the filter passes, the test refuses
        assert_eq!(narrow(&r, 1, "fe80::1"), 0); // only the formats of the mask are tested
    }

    #[test]
    fn strings_read_as_the_patterns_say() {
        let r = test_rules();
        let kinds: Vec<u8> =
            ["true", "42", "-0", "007", "1.5", "1e3", "123456789012345678", "1234567890123456789", "x1", "-"]
                .iter()
                .map(|v| strings_kind(&r, v))
                .collect();
        assert_eq!(kinds, [S_BOOL, S_INT, S_INT, 0, S_NUMBER, S_NUMBER, S_INT, 0, 0, 0]);
    }

    #[test]
    fn the_enum_guard_refuses_numbers_ids_and_formats() {
        let r = test_rules();
        assert!(enumish(&r, "active"));
        assert!(enumish(&r, "v1"));
        assert!(!enumish(&r, "12.5")); // a number
        assert!(!enumish(&r, "deadbeef1")); // hex with a digit, long enough
        assert!(!enumish(&r, "user1234")); // letters and digits like an id
        assert!(!enumish(&r, "2024-03-04")); // a format
        assert!(!enumish(&r, "two words"));
    }

    #[test]
    fn the_dfa_answers_as_the_regex_does() {
        let t = table();
        let mut patterns = vec![t.enum_token, t.enum_numeric, t.enum_hexish, t.int_text, t.number_text];
        patterns.extend(t.formats.into_iter().map(|f| match f {
            Format::Pattern(p) | Format::Filtered(p, _) => p,
        }));
        let values = ["", "a", "active", "2024-03-04", "2024-03-04T", "x2024-03-04", "2024-03-04\n", "fe80::1",
                      "-0", "1e3", "1.5e-3", ".5", "+", "deadbeef1", "DEADBEEF", "é", "aé", "a b", "a/b:c+d",
                      "123456789012345678", "1234567890123456789", &"a".repeat(32), &"a".repeat(33),
                      "a/b/c", &format!("{}/b", "a".repeat(30)), &format!("{}/b", "a".repeat(31))];
        for p in &patterns {
            let f = full(p).expect("compiles");
            assert!(f.dfa.is_some(), "{p}");
            for v in values {
                assert_eq!(f.is_match(v), f.re.is_match(v), "{p} on {v:?}");
            }
        }
    }

    #[test]
    fn the_enum_guard_answers_alike_given_formats_already_tested() {
        let r = test_rules();
        for v in ["active", "v1", "2024-03-04", "fe80::1", "a:b", "12.5", "user1234", "x:1"] {
            for tested in 0..=r.all_formats {
                let hits = narrow(&r, tested, v);
                assert_eq!(enumish_given(&r, v, tested, hits), enumish(&r, v), "{v} {tested}");
            }
        }
    }

    #[test]
    fn a_bad_pattern_is_an_error_not_a_panic() {
        let mut t = table();
        t.int_text = "(".to_owned();
        assert!(Rules::new(t).is_err());
    }
}

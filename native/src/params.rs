//! Query parameters and kept headers: `builder._fold_pairs` into `schema.StringsShape`s, in Rust.
//!
//! A `Params` stands for one `dict[str, ParamState]` of the builder (an operation's query or request
//! headers, a response's headers) and folds a record's pairs with one call: in CPython the loop over
//! the pairs, the name filter and `StringsShape.add` per value were about a seventh of the time per
//! record. `export()` hands the parameters back to Python (`builder._settle_params`), which merges
//! them into the dict: merging is exact, so the spec is the same with or without this module.

use crate::record::{form_key, Form};
use crate::rules::{strings_kind, Rules, S_STR};
use crate::shape::{fold_str_stats, key_hash, merge_vals, Vals};
use crate::state::{load_vals, put_str, put_vals, Reader};

/// `schema.StringsShape`, field for field.
#[derive(Clone)]
pub(crate) struct Strings {
    pub(crate) count: u64,
    pub(crate) kinds: u8,
    pub(crate) fmts: u8,
    pub(crate) vals: Vals,
}

impl Strings {
    fn new(r: &Rules) -> Strings {
        Strings { count: 0, kinds: 0, fmts: r.all_formats, vals: Some(Vec::new()) }
    }

    /// StringsShape.add
    fn add(&mut self, r: &Rules, v: &str) {
        self.count += 1;
        let kind = strings_kind(r, v);
        if kind == 0 {
            self.kinds |= S_STR;
            if self.fmts != 0 || self.vals.is_some() {
                fold_str_stats(r, &mut self.fmts, &mut self.vals, v, &mut || 0); // no entities: each call
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
pub(crate) struct Param {
    pub(crate) present: u64,
    pub(crate) repeated: bool,
    pub(crate) values: Strings,
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
#[derive(Default, Clone)]
pub(crate) struct Params {
    hashes: Vec<u64>,
    names: Vec<Box<str>>,
    params: Vec<Param>,
    refused: Vec<(u64, Box<str>)>, // names `keep` refused: it is asked once per name
    calls: u64,                    // fold calls so far: a parameter seen in this one has `last == calls`
    dropped: u64,                  // calls of the rarest names evicted to keep at most max_params
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

    pub(crate) fn len(&self) -> usize {
        self.params.len()
    }

    /// The calls of evicted names since the last `take_dropped`, which starts the count over.
    pub(crate) fn take_dropped(&mut self) -> u64 {
        std::mem::take(&mut self.dropped)
    }

    /// builder._make_room: the rarest names go (the ones seen in one call, or as many of the rarest
    /// as leave `params_keep`), their calls counted in `dropped`; the others keep their order.
    fn make_room(&mut self, r: &Rules) {
        let mut ranked: Vec<usize> = (0..self.params.len()).collect();
        ranked.sort_by(|&a, &b| (self.params[a].present, &self.names[a]).cmp(&(self.params[b].present, &self.names[b])));
        let keep = r.limits.params_keep;
        let once = ranked.iter().filter(|&&i| self.params[i].present == 1).count();
        let victims = if self.params.len() - once > keep { self.params.len() - keep } else { once };
        let mut gone = vec![false; self.params.len()];
        for &i in &ranked[..victims] {
            gone[i] = true;
            self.dropped += self.params[i].present;
        }
        let mut i = 0;
        self.hashes.retain(|_| { i += 1; !gone[i - 1] });
        let mut i = 0;
        self.names.retain(|_| { i += 1; !gone[i - 1] });
        let mut i = 0;
        self.params.retain(|_| { i += 1; !gone[i - 1] });
    }

    /// A new record's pairs follow (a name seen twice in one record is repeated).
    pub(crate) fn start_record(&mut self) {
        self.calls += 1;
    }

    /// The parameter `name` folds into, or None when `keep` refuses the name (asked once per name,
    /// the refusals remembered up to `refused_names_max`: traffic that invents names must not grow
    /// memory).
    pub(crate) fn slot<E>(
        &mut self,
        r: &Rules,
        name: &str,
        keep: &mut impl FnMut(&str) -> Result<bool, E>,
    ) -> Result<Option<usize>, E> {
        let h = key_hash(name);
        if let Some(i) = self.find(name, h) {
            return Ok(Some(i));
        }
        if self.refused.iter().any(|(x, n)| *x == h && &**n == name) {
            return Ok(None);
        }
        if !keep(name)? {
            if self.refused.len() >= r.limits.refused_names_max {
                self.refused.clear();
            }
            self.refused.push((h, name.into()));
            return Ok(None);
        }
        if self.params.len() >= r.limits.max_params {
            self.make_room(r);
        }
        Ok(Some(self.push(name, h, Param::new(r))))
    }

    /// Fold one value of the parameter `slot` gave, in the record `start_record` began.
    pub(crate) fn add(&mut self, r: &Rules, i: usize, value: &str) {
        let p = &mut self.params[i];
        if p.last == self.calls {
            p.repeated = true;
        } else {
            p.last = self.calls;
            p.present += 1;
        }
        p.values.add(r, value);
    }

    /// builder._fold_pairs of a form body's fields (every name kept, under its `form_key`), in the
    /// form's grouped order.
    pub(crate) fn fold_form(&mut self, r: &Rules, form: &Form) {
        self.start_record();
        let mut keep = |_: &str| Ok::<bool, ()>(true);
        for (name, values) in &form.fields {
            if let Ok(Some(i)) = self.slot(r, &form_key(name), &mut keep) {
                for v in values {
                    self.add(r, i, v);
                }
            }
        }
    }

    /// The parameters, first seen first, with their names; the accumulator starts over empty (it
    /// still remembers the names `keep` refused).
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (Box<str>, Param)> + '_ {
        self.hashes.clear();
        self.names.drain(..).zip(self.params.drain(..))
    }

    /// Take `other`'s parameters over (ParamState.merge by name); `other` is left empty.
    pub(crate) fn merge(&mut self, r: &Rules, other: &mut Params) {
        let hashes = std::mem::take(&mut other.hashes);
        let names = std::mem::take(&mut other.names);
        let params = std::mem::take(&mut other.params);
        self.dropped += other.take_dropped();
        for ((h, name), mut p) in hashes.into_iter().zip(names).zip(params) {
            match self.find(&name, h) {
                Some(i) => self.params[i].merge(r, p),
                None => {
                    p.last = 0; // from another count of calls: not seen in any call of this one
                    self.push(&name, h, p);
                }
            }
        }
        if self.params.len() > r.limits.max_params {
            self.make_room(r);
        }
    }

    pub(crate) fn dump_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.dropped.to_le_bytes());
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

    pub(crate) fn load_from(r: &mut Reader<'_>) -> Option<Params> {
        let mut out = Params { dropped: r.u64()?, ..Params::default() };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::test_rules;
    use crate::rules::{S_INT, S_NUMBER};

    fn fold(params: &mut Params, r: &Rules, pairs: &[(&str, &str)]) {
        params.start_record();
        let mut keep = |name: &str| Ok::<bool, ()>(name != "api_key");
        for (name, value) in pairs {
            if let Some(i) = params.slot(r, name, &mut keep).unwrap() {
                params.add(r, i, value);
            }
        }
    }

    #[test]
    fn pairs_fold_by_name_and_a_name_twice_in_a_record_is_repeated() {
        let r = test_rules();
        let mut params = Params::default();
        fold(&mut params, &r, &[("page", "1"), ("tag", "a"), ("tag", "b"), ("api_key", "s3cret")]);
        fold(&mut params, &r, &[("page", "2.5")]);
        let out: Vec<(Box<str>, Param)> = params.drain().collect();
        let summary: Vec<(&str, u64, bool, u8)> =
            out.iter().map(|(n, p)| (&**n, p.present, p.repeated, p.values.kinds)).collect();
        assert_eq!(summary, [("page", 2, false, S_INT | S_NUMBER), ("tag", 1, true, S_STR)]);
        assert_eq!(params.len(), 0);
    }

    #[test]
    fn refused_names_are_remembered_up_to_the_limit() {
        let r = test_rules(); // refused_names_max: 2
        let mut params = Params::default();
        let mut asked = 0;
        let mut keep = |_: &str| {
            asked += 1;
            Ok::<bool, ()>(false)
        };
        for name in ["a", "b", "a", "c", "a"] {
            assert_eq!(params.slot(&r, name, &mut keep), Ok(None));
        }
        assert_eq!(asked, 4); // "a" asked again once "c" cleared the full list
    }

    #[test]
    fn form_keys_collapse_indices_as_records_form_key_does() {
        for (name, key) in [
            ("items[0][price]", "items[][price]"),
            ("items[12][tiers][3]", "items[][tiers][]"),
            ("tags[]", "tags[]"),
            ("metadata[plan]", "metadata[plan]"),
            ("a[0", "a[0"),
            ("[0]", "[0]"),
            ("a[0]b", "a[0]b"),
            ("a]b[0]", "a]b[0]"),
            ("a[[0]]", "a[[0]]"),
            ("a[x]]", "a[x]]"),
            ("plain", "plain"),
            ("a[123456789][b]", "a[][b]"),
            ("a[1234567890][b]", "a[1234567890][b]"),
            ("a[07][b]", "a[07][b]"),
            ("a[0][b]", "a[][b]"),
        ] {
            assert_eq!(form_key(name), key, "{name}");
        }
        // records.MAX_FORM_DEPTH: 32 segments are a path, 33 a plain name
        let deep = format!("a{}[0]", "[x]".repeat(31));
        assert_eq!(form_key(&deep), format!("a{}[]", "[x]".repeat(31)));
        let deeper = format!("a{}[0]", "[x]".repeat(32));
        assert_eq!(form_key(&deeper), deeper.as_str());
    }

    #[test]
    fn state_bytes_round_trip() {
        let r = test_rules();
        let mut params = Params::default();
        fold(&mut params, &r, &[("q", "on"), ("q", "off")]);
        let mut bytes = Vec::new();
        params.dump_into(&mut bytes);
        let mut reader = Reader::new(&bytes);
        let loaded = Params::load_from(&mut reader).expect("its own bytes load");
        let mut again = Vec::new();
        loaded.dump_into(&mut again);
        assert_eq!(reader.at, bytes.len());
        assert_eq!(bytes, again);
    }
}

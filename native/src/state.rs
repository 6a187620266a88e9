//! An accumulator's state as bytes, for pickling between the processes of one run.

use crate::body::is_core;
use crate::rules::Rules;
use crate::shape::{key_hash, merge_vals, Node, Props, Vals};

// -- the state as bytes: fixed-width little-endian fields, depth first -------------------------------
pub(crate) const ABSENT: u32 = u32::MAX;

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

pub(crate) struct Reader<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) at: usize,
    // the strings were found UTF-8 by an earlier pass over these same bytes (`Node::skip`)
    utf8: bool,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, at: 0, utf8: false }
    }

    /// A reader of bytes `Node::skip` read through without an error.
    pub(crate) fn skipped(data: &'a [u8]) -> Reader<'a> {
        Reader { data, at: 0, utf8: true }
    }

    pub(crate) fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.data.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub(crate) fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub(crate) fn string(&mut self) -> Option<String> {
        Some(self.str()?.to_owned())
    }
    /// A string of the state, borrowed from its bytes.
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        let end = self.at.checked_add(n)?;
        let data: &'a [u8] = self.data;
        let bytes = data.get(self.at..end)?;
        let out = if self.utf8 {
            // SAFETY: `Node::skip` checked every string of these bytes with `from_utf8` (`skipped`)
            unsafe { std::str::from_utf8_unchecked(bytes) }
        } else {
            std::str::from_utf8(bytes).ok()?
        };
        self.at = end;
        Some(out)
    }
}

pub(crate) fn put_vals(out: &mut Vec<u8>, vals: &Vals) {
    match vals {
        None => out.extend_from_slice(&ABSENT.to_le_bytes()),
        Some(vals) => {
            out.extend_from_slice(&(vals.len() as u32).to_le_bytes());
            for (v, n, e) in vals {
                put_str(out, v);
                out.extend_from_slice(&n.to_le_bytes());
                out.extend_from_slice(&e.to_le_bytes());
            }
        }
    }
}

pub(crate) fn load_vals(r: &mut Reader<'_>) -> Option<Vals> {
    Some(match r.u32()? {
        ABSENT => None,
        n => Some((0..n).map(|_| Some((r.string()?, r.u64()?, r.u64()?))).collect::<Option<Vec<_>>>()?),
    })
}

impl Node {
    /// The node as bytes: its own fields and values, then `items`, `extra` and the properties, in the
    /// order `Node::merge` takes them (so `merge_from` merges as it reads).
    pub(crate) fn dump(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.count.to_le_bytes());
        out.push(self.kinds);
        out.extend_from_slice(&self.depth.to_le_bytes());
        out.extend_from_slice(&self.objects.to_le_bytes());
        out.push(self.fmts);
        put_vals(out, &self.vals);
        for child in [&self.items, &self.extra] {
            match child {
                None => out.push(0),
                Some(c) => {
                    out.push(1);
                    c.dump(out);
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
    }

    pub(crate) fn load(r: &mut Reader<'_>) -> Option<Node> {
        let (count, kinds, depth, objects, fmts) = (r.u64()?, r.u8()?, r.u32()?, r.u64()?, r.u8()?);
        let vals = load_vals(r)?;
        let items = load_child(r)?;
        let extra = load_child(r)?;
        let props = match r.u32()? {
            ABSENT => None,
            n => {
                let mut props = Props::default();
                for _ in 0..n {
                    let key = r.str()?;
                    props.push(key, key_hash(key), Node::load(r)?);
                }
                Some(Box::new(props))
            }
        };
        Some(Node { count, kinds, depth, objects, props, extra, items, fmts, vals })
    }

    /// `Node::merge` of the node `load` would read from `r`, merged as it is read: what both have is
    /// merged in place, and only what is new here is built (a worker's state is mostly the same
    /// operations' bodies as the parent's: building its trees to merge and drop them cost more).
    /// None (and this node part merged) for bytes that are no state: `skip` them first.
    pub(crate) fn merge_from(&mut self, rules: &Rules, r: &mut Reader<'_>) -> Option<()> {
        let (count, kinds, _depth, objects, fmts) = (r.u64()?, r.u8()?, r.u32()?, r.u64()?, r.u8()?);
        self.count += count;
        self.kinds |= kinds;
        self.objects += objects;
        self.fmts &= fmts;
        self.vals = merge_vals(rules, self.vals.take(), load_vals(r)?);
        for at_items in [true, false] {
            let mine = if at_items { &mut self.items } else { &mut self.extra };
            match (r.u8()?, mine) {
                (0, _) => {}
                (1, Some(m)) => m.merge_from(rules, r)?,
                (1, mine) => *mine = Some(Box::new(Node::load(r)?)),
                _ => return None,
            }
        }
        let n = match r.u32()? {
            ABSENT => return Some(()),
            n => n,
        };
        let mut props = self.props.take().unwrap_or_default();
        for _ in 0..n {
            let key = r.str()?;
            let h = key_hash(key);
            match props.find(key, h) {
                Some(i) => props.nodes[i].merge_from(rules, r)?,
                None => {
                    props.push(key, h, Node::load(r)?);
                }
            }
        }
        if props.len() > rules.limits.max_props {
            self.evict(rules, &mut props);
        }
        self.props = Some(props);
        Some(())
    }

    /// Read past one node's bytes, checking them as `load` would, building nothing.
    pub(crate) fn skip(r: &mut Reader<'_>) -> Option<()> {
        r.take(8 + 1 + 4 + 8 + 1)?;
        skip_vals(r)?;
        for _ in 0..2 {
            match r.u8()? {
                0 => {}
                1 => Node::skip(r)?,
                _ => return None,
            }
        }
        match r.u32()? {
            ABSENT => {}
            n => {
                for _ in 0..n {
                    r.str()?;
                    Node::skip(r)?;
                }
            }
        }
        Some(())
    }
}

/// Read past a node's table of distinct values (absent, or each value, its count and its entities).
fn skip_vals(r: &mut Reader<'_>) -> Option<()> {
    let n = r.u32()?;
    if n != ABSENT {
        for _ in 0..n {
            r.str()?;
            r.u64()?;
            r.u64()?;
        }
    }
    Some(())
}

/// `body::core_paths_with` of the node `Node::load` would read from `r`, read as it goes: no tree is
/// built (rendering asks a worker's state only this before merging it, and `Node::merge_from` reads
/// the bytes as they are too; loading each key's tree first was half of the mix's `features`). The
/// same paths in the same order; None for bytes that are no state.
pub(crate) fn core_paths_from(r: &mut Reader<'_>, rules: &Rules, path: &mut String, depth: i64,
                              emit: &mut dyn FnMut(&str)) -> Option<()> {
    if depth < 0 {
        return Node::skip(r);
    }
    let (_count, _kinds, _depth, objects, _fmts) = (r.u64()?, r.u8()?, r.u32()?, r.u64()?, r.u8()?);
    skip_vals(r)?;
    let prefix = path.len();
    match r.u8()? {
        0 => {}
        1 if next_count(r)? > 0 => {
            path.push_str("[]");
            core_paths_from(r, rules, path, depth, emit)?;
            path.truncate(prefix);
        }
        1 => Node::skip(r)?,
        _ => return None,
    }
    match r.u8()? {
        0 => {}
        1 => Node::skip(r)?,
        _ => return None,
    }
    let n = match r.u32()? {
        ABSENT => return Some(()),
        n => n,
    };
    for _ in 0..n {
        let name = r.str()?;
        if is_core(next_count(r)?, objects, rules) {
            if prefix > 0 {
                path.push('.');
            }
            path.push_str(name);
            core_paths_from(r, rules, path, depth - 1, emit)?;
            emit(path);
            path.truncate(prefix);
        } else {
            Node::skip(r)?;
        }
    }
    Some(())
}

/// The count of the node whose bytes come next (its first field), not read past.
fn next_count(r: &Reader<'_>) -> Option<u64> {
    let end = r.at.checked_add(8)?;
    Some(u64::from_le_bytes(r.data.get(r.at..end)?.try_into().ok()?))
}

fn load_child(r: &mut Reader<'_>) -> Option<Option<Box<Node>>> {
    match r.u8()? {
        0 => Some(None),
        1 => Some(Some(Box::new(Node::load(r)?))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::{fold, parse};
    use crate::rules::tests::test_rules;

    fn folded(r: &Rules, texts: &[String]) -> Node {
        let mut root = Node::new(0, r);
        for text in texts {
            fold(&mut root, r, &parse(text).expect("JSON"), 0);
        }
        root
    }

    fn bytes(node: &Node) -> Vec<u8> {
        let mut out = Vec::new();
        node.dump(&mut out);
        out
    }

    #[test]
    fn a_state_merged_as_it_is_read_is_the_state_loaded_and_merged() {
        let r = test_rules(); // max_props 8, evict_keep 6: the merge evicts, into `extra` merged first
        let mine: Vec<String> = (0..10).map(|i| format!(r#"{{"k{i}": [{{"a": "x{i}"}}], "s": "on", "n": {i}}}"#)).collect();
        let theirs: Vec<String> = (5..14)
            .map(|i| format!(r#"{{"k{i}": [{{"a": 1, "b": null}}], "s": "off", "t": {{"u": "{i}"}}}}"#))
            .collect();
        let (a, b) = (folded(&r, &mine), folded(&r, &theirs));
        let data = bytes(&b);
        let mut reader = Reader::new(&data);
        Node::skip(&mut reader).expect("its own bytes");
        assert_eq!(reader.at, data.len());
        let mut loaded = a.clone();
        loaded.merge(&r, Node::load(&mut Reader::new(&data)).expect("its own bytes"));
        let mut read = a.clone();
        let mut reader = Reader::skipped(&data);
        read.merge_from(&r, &mut reader).expect("its own bytes");
        assert_eq!(reader.at, data.len());
        assert_eq!(bytes(&read), bytes(&loaded));
        assert!(read.extra.is_some(), "the case evicts");
        // and into an empty position: what load gives
        let mut empty = Node::new(0, &r);
        empty.merge_from(&r, &mut Reader::skipped(&data)).expect("its own bytes");
        assert_eq!(bytes(&empty), data);
    }

    #[test]
    fn core_paths_read_from_the_bytes_are_the_loaded_trees() {
        let r = test_rules(); // core_min_percent 50
        let texts: Vec<String> = (0..12)
            .map(|i| match i % 3 {
                0 => format!(r#"{{"a": {{"b": {i}, "c": [{{"d": 1}}]}}, "e": [[{{"f": {i}}}]], "g{i}": 1}}"#),
                1 => format!(r#"{{"a": {{"b": null}}, "e": [], "h": {{"i": {{"j": {{"k": "{i}"}}}}}}}}"#),
                _ => format!(r#"[{{"x": {i}}}, {{"x": 1, "y": 2}}]"#),
            })
            .collect();
        let root = folded(&r, &texts);
        let data = bytes(&root);
        for depth in -1..5 {
            let mut tree = Vec::new();
            crate::body::core_paths(&root, &r, "", depth, &mut tree);
            let mut read = Vec::new();
            let mut reader = Reader::skipped(&data);
            core_paths_from(&mut reader, &r, &mut String::new(), depth, &mut |path| read.push(path.to_owned()))
                .expect("its own bytes");
            assert_eq!(reader.at, data.len(), "read to its end");
            assert_eq!(read, tree, "depth {depth}");
        }
        let mut all = Vec::new();
        crate::body::core_paths(&root, &r, "", 4, &mut all);
        assert!(all.contains(&"a.c[].d".to_owned()) && all.contains(&"h.i.j".to_owned()), "{all:?}");
    }

    #[test]
    fn bytes_that_are_no_state_are_refused_by_skip() {
        let r = test_rules();
        let data = bytes(&folded(&r, &[r#"{"a": {"é": 1}}"#.to_owned()]));
        for cut in 0..data.len() {
            assert!(Node::skip(&mut Reader::new(&data[..cut])).is_none(), "cut at {cut}");
        }
        let at = data.windows(2).position(|w| w == "é".as_bytes()).expect("the key is in the bytes");
        let mut bad = data.clone();
        bad[at] = 0xff;
        assert!(Node::skip(&mut Reader::new(&bad)).is_none());
    }
}

//! One position of JSON values (`Node`, `schema.Shape` field for field) and its properties.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::rules::{enumish_given, narrow, Rules};

/// FxHash (rustc's) of a key: keys are short and trusted to be few per position, SipHash's DoS guard
/// is not needed and costs a third of a lookup.
pub(crate) fn key_hash(key: &str) -> u64 {
    key_hash_bytes(key.as_bytes())
}

/// FxHash's step: `word` mixed into `h` (key_hash's, and the entities' hash of a container's events).
pub(crate) fn fx_add(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// `key_hash` of a key's UTF-8 bytes.
pub(crate) fn key_hash_bytes(key: &[u8]) -> u64 {
    let add = fx_add;
    let chunks = key.chunks_exact(8);
    let tail = chunks.remainder();
    let h = chunks.fold(0, |h, c| add(h, u64::from_le_bytes(c.try_into().expect("eight bytes"))));
    // the last bytes as a word, zero-padded: shifted in, as a copy of a few bytes read back as a word
    // stalls the hash of every short key
    if tail.is_empty() {
        h
    } else {
        add(h, tail.iter().rev().fold(0, |word, &b| word << 8 | u64::from(b)))
    }
}

/// The distinct strings of a position while it could still be an enum: each with its count and its
/// entities (`entity`; 0 where none are told: query parameters, headers, a body that is one string).
pub(crate) type Vals = Option<Vec<(String, u64, u64)>>;

/// A value's entities as one word (schema._holder_entity's twin): a sketch of the distinct arrays or
/// objects it was seen in, one bit of 64 for each (the top six bits of the container's hash pick it), 0
/// where none are told. 500 reads of one event show its `type` 500 times and are one entity; an enum
/// wants each value in two, and more things than it has values five times over (schema._enum).
pub(crate) fn entity(container: u64) -> u64 {
    1 << (container >> 58)
}

/// Bits of a value's sketch past which no rule asks for more (schema.ENTITIES_ENOUGH): it is then all
/// ones, and its holders are no longer hashed.
pub(crate) const ENTITIES_ENOUGH: u32 = 32;

/// Two sketches of `entity` as one: the union of their bits, all ones from `ENTITIES_ENOUGH` on. Order-free
/// (one fold, or shards merged, is all ones exactly when the union of every holder's bit reaches it), so
/// merged states and shards hold what one fold of everything holds.
pub(crate) fn merge_entities(a: u64, b: u64) -> u64 {
    let union = a | b;
    if union.count_ones() >= ENTITIES_ENOUGH {
        u64::MAX
    } else {
        union
    }
}

/// schema._fold_str_stats: narrow the format candidates and count the value while an enum is possible;
/// `holder` gives the entity of what the value sits in (asked only while its value has one).
pub(crate) fn fold_str_stats(r: &Rules, fmts: &mut u8, vals: &mut Vals, s: &str, holder: &mut dyn FnMut() -> u64) {
    let tested = *fmts;
    if tested != 0 {
        *fmts = narrow(r, tested, s);
    }
    if let Some(vs) = vals.as_mut() {
        if let Some(entry) = vs.iter_mut().find(|(k, _, _)| k == s) {
            entry.1 += 1;
            if entry.2 != 0 && entry.2 != u64::MAX {
                entry.2 = merge_entities(entry.2, holder());
            }
        } else if vs.len() < r.limits.enum_max && enumish_given(r, s, tested, *fmts) {
            vs.push((s.to_owned(), 1, holder()));
        } else {
            *vals = None;
        }
    }
}

/// schema._merge_str_stats for the values (the caller ands the formats).
pub(crate) fn merge_vals(r: &Rules, mine: Vals, theirs: Vals) -> Vals {
    let (mut mine, theirs) = (mine?, theirs?);
    for (v, n, e) in theirs {
        match mine.iter_mut().find(|(k, _, _)| *k == v) {
            Some(entry) => (entry.1, entry.2) = (entry.1 + n, merge_entities(entry.2, e)),
            None => mine.push((v, n, e)),
        }
    }
    (mine.len() <= r.limits.enum_max).then_some(mine)
}

/// `merge_vals` of a copy of `theirs`: only the values `mine` lacks are copied.
fn merge_vals_copy(r: &Rules, mine: Vals, theirs: Option<&[(String, u64, u64)]>) -> Vals {
    let (mut mine, theirs) = (mine?, theirs?);
    for (v, n, e) in theirs {
        match mine.iter_mut().find(|(k, _, _)| k == v) {
            Some(entry) => (entry.1, entry.2) = (entry.1 + n, merge_entities(entry.2, *e)),
            None => mine.push((v.clone(), *n, *e)),
        }
    }
    (mine.len() <= r.limits.enum_max).then_some(mine)
}

/// The properties of one object position, in first-seen order.
///
/// Laid out for the fold, which visits thousands of these trees (one per operation and status) and
/// so mostly misses the cache: the keys' hashes sit together and are scanned before any key string is
/// touched, the children sit together, and `next` remembers where the key after the last one found
/// was: objects at one position list their keys in the same order, so the scan is usually one step.
#[derive(Default, Clone)]
pub(crate) struct Props {
    hashes: Vec<u64>,
    pub(crate) keys: Vec<Box<str>>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) next: usize,
    // past INDEXED keys, each hash's first index (a scan finds a key whose hash another has too); empty below
    index: HashMap<u64, usize, BuildHasherDefault<Hashed>>,
}

/// Keys at one position from which `find` looks a hash up instead of scanning: a record wider than
/// max_props keeps every field (`Node::evict`), and one object of a map's 40k keys is read whole before
/// room is made (`body.rs`): a scan per new key was quadratic there (25 s for six such bodies).
const INDEXED: usize = 64;

/// A hash map's hasher for keys that are `key_hash`es already: mixed once more, not hashed again.
#[derive(Default)]
pub(crate) struct Hashed(u64);

impl std::hash::Hasher for Hashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = key_hash_bytes(bytes); // not used: the keys are u64s
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n >> 29);
    }
}

impl Props {
    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    pub(crate) fn find(&mut self, key: &str, h: u64) -> Option<usize> {
        let i = self.next;
        if i < self.hashes.len() && self.hashes[i] == h && &*self.keys[i] == key {
            self.next = i + 1;
            return Some(i);
        }
        let found = match self.index.get(&h) {
            Some(&j) if &*self.keys[j] == key => Some(j),
            None if !self.index.is_empty() => None,
            _ => self.hashes.iter().zip(&self.keys).position(|(&x, k)| x == h && &**k == key),
        }?;
        self.next = found + 1;
        Some(found)
    }

    pub(crate) fn push(&mut self, key: &str, h: u64, node: Node) -> usize {
        self.hashes.push(h);
        self.keys.push(key.into());
        self.nodes.push(node);
        let i = self.hashes.len() - 1;
        if !self.index.is_empty() {
            self.index.entry(h).or_insert(i);
        } else if i >= INDEXED {
            self.reindex();
        }
        i
    }

    fn reindex(&mut self) {
        self.index.clear();
        if self.hashes.len() > INDEXED {
            for (i, &h) in self.hashes.iter().enumerate() {
                self.index.entry(h).or_insert(i);
            }
        }
    }

    /// `iter`, each key with its hash (`key_hash`).
    pub(crate) fn iter_hashed(&self) -> impl Iterator<Item = (u64, &str, &Node)> {
        self.hashes.iter().copied().zip(self.keys.iter().map(|k| &**k)).zip(self.nodes.iter()).map(|((h, k), n)| (h, k, n))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.keys.iter().map(|k| &**k).zip(self.nodes.iter())
    }

    /// Take out the entries at `victims` (indices), in that order; the others keep theirs.
    pub(crate) fn take(&mut self, victims: &[usize]) -> Vec<Node> {
        let mut slots: Vec<Option<Node>> = self.nodes.drain(..).map(Some).collect();
        let mut out = Vec::with_capacity(victims.len());
        for &i in victims {
            out.extend(slots[i].take());
        }
        let (mut hashes, mut keys) = (Vec::new(), Vec::new());
        for ((h, k), slot) in self.hashes.drain(..).zip(self.keys.drain(..)).zip(slots) {
            if let Some(node) = slot {
                hashes.push(h);
                keys.push(k);
                self.nodes.push(node);
            }
        }
        (self.hashes, self.keys, self.next) = (hashes, keys, 0);
        self.reindex();
        out
    }
}

/// One position of JSON values: `schema.Shape`, field for field.
#[derive(Clone)]
pub(crate) struct Node {
    pub(crate) count: u64,
    pub(crate) kinds: u8,
    pub(crate) depth: u32,
    pub(crate) objects: u64,
    pub(crate) props: Option<Box<Props>>,
    pub(crate) extra: Option<Box<Node>>,
    pub(crate) items: Option<Box<Node>>,
    pub(crate) fmts: u8,
    pub(crate) vals: Vals,
}

impl Node {
    pub(crate) fn new(depth: u32, r: &Rules) -> Node {
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

    pub(crate) fn fold_str(&mut self, r: &Rules, s: &str, holder: &mut dyn FnMut() -> u64) {
        fold_str_stats(r, &mut self.fmts, &mut self.vals, s, holder);
    }

    /// schema._evict: the rarest keys' values move to `extra`, merged in (count, key) order; a key in
    /// every object at the position (`count >= objects`: a record's field, however wide) never does.
    pub(crate) fn evict(&mut self, r: &Rules, props: &mut Props) {
        let objects = self.objects;
        // (count, key, index): keys are distinct, so the index never decides the order
        let mut ranked: Vec<(u64, &str, usize)> = props
            .iter()
            .enumerate()
            .filter(|(_, (_, c))| c.count < objects)
            .map(|(i, (k, c))| (c.count, k, i))
            .collect();
        ranked.sort_unstable();
        let keep = r.limits.evict_keep;
        let mut victims: Vec<usize> = ranked.iter().filter(|(n, _, _)| *n == 1).map(|&(_, _, i)| i).collect();
        if props.len() - victims.len() > keep {
            victims = ranked.iter().take(props.len() - keep).map(|&(_, _, i)| i).collect();
        }
        if victims.is_empty() {
            return;
        }
        let depth = self.depth;
        let extra = self.extra.get_or_insert_with(|| Box::new(Node::new(depth + 1, r)));
        for child in props.take(&victims) {
            extra.merge(r, child);
        }
    }

    /// schema.Shape.merge, taking `other` over.
    pub(crate) fn merge(&mut self, r: &Rules, other: Node) {
        self.count += other.count;
        self.kinds |= other.kinds;
        self.objects += other.objects;
        self.fmts &= other.fmts;
        self.vals = merge_vals(r, self.vals.take(), other.vals);
        merge_child(r, &mut self.items, other.items);
        merge_child(r, &mut self.extra, other.extra);
        if let Some(theirs) = other.props {
            let mut props = self.props.take().unwrap_or_default();
            let Props { hashes, keys, nodes, .. } = *theirs;
            for ((h, key), child) in hashes.into_iter().zip(keys).zip(nodes) {
                match props.find(&key, h) {
                    Some(i) => props.nodes[i].merge(r, child),
                    None => {
                        props.push(&key, h, child);
                    }
                }
            }
            if props.len() > r.limits.max_props {
                self.evict(r, &mut props);
            }
            self.props = Some(props);
        }
    }
}

impl Node {
    /// `merge` of a copy of `other`, copying only what `self` lacks: rendering merges the builder's
    /// states into new ones and keeps them (a copy of each first was half of merging them).
    pub(crate) fn merge_copy(&mut self, r: &Rules, other: &Node) {
        self.count += other.count;
        self.kinds |= other.kinds;
        self.objects += other.objects;
        self.fmts &= other.fmts;
        self.vals = merge_vals_copy(r, self.vals.take(), other.vals.as_deref());
        merge_child_copy(r, &mut self.items, other.items.as_deref());
        merge_child_copy(r, &mut self.extra, other.extra.as_deref());
        if let Some(theirs) = other.props.as_deref() {
            let mut props = self.props.take().unwrap_or_default();
            for ((&h, key), child) in theirs.hashes.iter().zip(&theirs.keys).zip(&theirs.nodes) {
                match props.find(key, h) {
                    Some(i) => props.nodes[i].merge_copy(r, child),
                    None => {
                        props.push(key, h, child.clone());
                    }
                }
            }
            if props.len() > r.limits.max_props {
                self.evict(r, &mut props);
            }
            self.props = Some(props);
        }
    }
}

fn merge_child_copy(r: &Rules, mine: &mut Option<Box<Node>>, theirs: Option<&Node>) {
    if let Some(t) = theirs {
        match mine {
            Some(m) => m.merge_copy(r, t),
            None => *mine = Some(Box::new(t.clone())),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::test_rules;

    #[test]
    fn props_find_by_the_index_past_indexed_keys_and_after_a_take() {
        let r = test_rules();
        let mut props = Props::default();
        let keys: Vec<String> = (0..1000).map(|i| format!("k{i}")).collect();
        for k in &keys {
            props.push(k, key_hash(k), Node::new(1, &r));
        }
        // two keys of one hash: the index holds the first, a scan finds the other
        props.push("clash-a", 7, Node::new(1, &r));
        props.push("clash-b", 7, Node::new(1, &r));
        for (i, k) in keys.iter().enumerate().rev() {
            assert_eq!(props.find(k, key_hash(k)), Some(i));
        }
        assert_eq!(props.find("clash-b", 7), Some(1001));
        assert_eq!(props.find("clash-a", 7), Some(1000));
        assert_eq!(props.find("absent", key_hash("absent")), None);
        let victims: Vec<usize> = (0..1000).step_by(2).collect();
        assert_eq!(props.take(&victims).len(), 500);
        assert_eq!(props.len(), 502);
        for (i, k) in keys.iter().skip(1).step_by(2).enumerate() {
            assert_eq!(props.find(k, key_hash(k)), Some(i));
        }
        assert_eq!(props.find("k0", key_hash("k0")), None);
        assert_eq!(props.find("clash-b", 7), Some(501));
    }
}

//! Bodies: checked (`parse`), which records what it read as a tape, then folded from that tape into an
//! accumulator (`Acc`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::rules::{Rules, ANY, ARR, BOOL, FLOAT, INT, NULL, OBJ, STR};
use crate::shape::{entity, fx_add, key_hash, Node};

// -- the tape ----------------------------------------------------------------------------------------
// A body is parsed once, by the check (as the record's decode must, before anything of the record is
// folded), which records the values it reads as a tape: the fold then walks the tape, with no second
// parse and no key hashed twice. serde_json reports integers with visit_i64/visit_u64 and floats (and
// integers too big for 64 bits) with visit_f64, as orjson gives int and float; `null` is visit_unit.

/// A string of the body: `at` below the text's length is where it starts in the text (it had no
/// escapes), from the text's length on it is that far into the text and then into `Tape::side`.
#[derive(Clone, Copy)]
pub(crate) struct Span {
    pub(crate) at: u32,
    pub(crate) len: u32,
}

/// An integer's value, for the hash of the array or object holding it (`Walk::container`): its bits
/// (a u64, two's complement), or where its text is (the embedded read copies numbers and reads them
/// only when a hash asks). A float is hashed as a float, whatever its value: serde_json's reading of
/// a float may differ from orjson's in the last bit, and the two folds must hash alike.
#[derive(Clone, Copy)]
pub(crate) enum Scalar {
    Bits(u64),
    Text(Span),
}

/// One value (or object key) of the body, in document order.
#[derive(Clone, Copy)]
pub(crate) enum Ev {
    Null,
    Bool(bool),
    Int(Scalar),
    Float,
    Str(Span),
    /// An object key, with its `key_hash`; its value follows.
    Key(Span, u64),
    /// An array or object: its events (items, or keys and values) run up to this index, exclusive.
    Arr(u32),
    Obj(u32),
}

/// What the check read of a body, for the fold.
pub(crate) struct Tape {
    events: Box<[Ev]>,
    side: String, // the strings that had escapes, unescaped, one after the other
}

/// The tape being recorded; its buffers are kept between bodies (one per thread), so a body costs one
/// allocation for its events and none here.
#[derive(Default)]
pub(crate) struct Recorder {
    pub(crate) events: Vec<Ev>,
    pub(crate) side: String,
    pub(crate) keys: Vec<u64>, // hashes of the keys of the objects being read, innermost last
    text_at: usize,            // the address of the text, to tell where a borrowed string sits in it
    text_len: usize,
}

/// The buffers the recorder keeps between bodies, in events (24 bytes each) or side bytes: enough
/// for bodies of up to about a megabyte.
const KEEP: usize = 1 << 16;

thread_local! {
    static RECORDER: RefCell<Recorder> = RefCell::new(Recorder::default());
}

impl Recorder {
    /// The span of a string borrowed from the text (copied to the side should it not be in it).
    fn span(&mut self, s: &str) -> Span {
        let off = (s.as_ptr() as usize).wrapping_sub(self.text_at);
        if off <= self.text_len && s.len() <= self.text_len - off {
            return Span { at: off as u32, len: s.len() as u32 };
        }
        self.copied(s)
    }

    /// The span of an unescaped string, copied to the side.
    fn copied(&mut self, s: &str) -> Span {
        let at = (self.text_len + self.side.len()) as u32;
        self.side.push_str(s);
        Span { at, len: s.len() as u32 }
    }

    /// The tape recorded.
    pub(crate) fn tape(&self) -> Tape {
        Tape { events: self.events.as_slice().into(), side: self.side.as_str().into() }
    }

    fn key(&mut self, key: Cow<'_, str>) -> u64 {
        let h = key_hash(&key);
        let span = match key {
            Cow::Borrowed(s) => self.span(s),
            Cow::Owned(s) => self.copied(&s),
        };
        self.events.push(Ev::Key(span, h));
        h
    }

    /// Set the end of the array or object whose event is at `start`, now that its content is read.
    pub(crate) fn close(&mut self, start: usize) {
        let end = self.events.len() as u32;
        match &mut self.events[start] {
            Ev::Arr(e) | Ev::Obj(e) => *e = end,
            _ => unreachable!("close() is called with the index of the event open() pushed"),
        }
    }
}

/// The check, which records the tape: JSON, no object with a key twice (orjson keeps the last of
/// duplicate keys, which a fold in document order cannot undo) and no negative zero. Bodies it refuses
/// go to orjson and the Python fold, so the result is the same either way.
struct Check<'a>(&'a mut Recorder);

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
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.0.events.push(Ev::Bool(v));
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.events.push(Ev::Int(Scalar::Bits(v as u64)));
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0.events.push(Ev::Int(Scalar::Bits(v)));
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // serde_json reads `-0` as the float -0.0, orjson as the integer 0: let orjson decide.
        if v == 0.0 && v.is_sign_negative() {
            return Err(E::custom("negative zero"));
        }
        self.0.events.push(Ev::Float);
        Ok(())
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        let span = self.0.span(v);
        self.0.events.push(Ev::Str(span));
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        let span = self.0.copied(v);
        self.0.events.push(Ev::Str(span));
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.0.events.push(Ev::Null);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let start = self.0.events.len();
        self.0.events.push(Ev::Arr(0));
        while seq.next_element_seed(Check(&mut *self.0))?.is_some() {}
        self.0.close(start);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let start = self.0.events.len();
        self.0.events.push(Ev::Obj(0));
        let first_key = self.0.keys.len();
        while let Some(key) = map.next_key_seed(Key)? {
            let h = self.0.key(key);
            self.0.keys.push(h);
            map.next_value_seed(Check(&mut *self.0))?;
        }
        self.0.close(start);
        // A hash seen twice is taken as a duplicate key: a rare collision only costs the slow path.
        let mine = &mut self.0.keys[first_key..];
        mine.sort_unstable();
        let duplicate = mine.windows(2).any(|w| w[0] == w[1]);
        self.0.keys.truncate(first_key);
        if duplicate {
            return Err(de::Error::custom("duplicate key in an object"));
        }
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

/// Check `text` and record its tape.
pub(crate) fn check(text: &str) -> Result<Tape, serde_json::Error> {
    // Spans are 32-bit offsets into the text and then the side, which is shorter than the text: a body
    // too large for them goes to orjson.
    if text.len() > (u32::MAX / 2) as usize {
        return Err(de::Error::custom("too large for the native check"));
    }
    with_recorder(|rec| {
        (rec.text_at, rec.text_len) = (text.as_ptr() as usize, text.len());
        let mut de = serde_json::Deserializer::from_str(text);
        Check(rec).deserialize(&mut de)?;
        de.end()?;
        Ok(rec.tape())
    })
}

/// Run `read` with this thread's recorder, emptied (the check, or `embedded::read`).
pub(crate) fn with_recorder<T>(read: impl FnOnce(&mut Recorder) -> T) -> T {
    RECORDER.with_borrow_mut(|rec| {
        // A rare huge body does not keep its buffers for the rest of the run.
        if rec.events.capacity() > KEEP || rec.side.capacity() > KEEP {
            *rec = Recorder::default();
        }
        rec.events.clear();
        rec.side.clear();
        rec.keys.clear();
        read(rec)
    })
}

/// A body checked to be JSON, with the tape of what the check read (the fold reads that, not the text).
pub(crate) struct Json {
    pub(crate) text: String,
    pub(crate) tape: Tape,
}

/// Check that `text` is JSON and keep it with its tape.
pub(crate) fn parse(text: &str) -> Result<Json, serde_json::Error> {
    Ok(Json { text: text.to_owned(), tape: check(text)? })
}

#[cfg(test)]
impl Tape {
    /// The events as words, strings read from `text` and the side (tapes of one text compare equal
    /// when they read the same, wherever their strings sit).
    pub(crate) fn view(&self, text: &str) -> Vec<String> {
        let walk = Walk { events: &self.events, text, side: &self.side, salt: 0 };
        (self.events.iter().enumerate())
            .map(|(i, ev)| match *ev {
                Ev::Null => "null".to_owned(),
                Ev::Bool(_) => "bool".to_owned(),
                Ev::Int(_) => "int".to_owned(),
                Ev::Float => "float".to_owned(),
                Ev::Str(s) => format!("str {:?}", walk.str(s)),
                Ev::Key(s, h) => format!("key {:?} {}", walk.str(s), h == key_hash(walk.str(s))),
                Ev::Arr(end) => format!("arr {}", end as usize - i),
                Ev::Obj(end) => format!("obj {}", end as usize - i),
            })
            .collect()
    }
}

// -- the fold, from the tape -------------------------------------------------------------------------

/// A tape with the text its spans point into.
struct Walk<'a> {
    events: &'a [Ev],
    text: &'a str,
    side: &'a str,
    // what the hash of a container starts from: the hash of the path it answered (the builder's
    // `_path_salt`), so two users' `{"state": "active"}` are two entities, while the same stored thing in
    // answers to one path (an event on every page of a room's `/messages`, whatever the query) stays one.
    // A listed item with an identity is that thing instead, whatever path answered (`Holder::entity`).
    salt: u64,
}

impl Walk<'_> {
    fn str(&self, s: Span) -> &str {
        let (at, len) = (s.at as usize, s.len as usize);
        match at.checked_sub(self.text.len()) {
            None => &self.text[at..at + len],
            Some(at) => &self.side[at..at + len],
        }
    }

    /// The hash of the array or object whose event is at `at`: its first `HASHED_EVENTS` events, in
    /// order (a nested array or object with its length in events), strings and keys by `key_hash`,
    /// integers by their value. `schema._holder_entity` is its twin: one value hashes alike in either fold.
    /// `start`: where the hash starts (`Holder::entity`).
    fn container(&self, at: usize, start: u64) -> u64 {
        let add = fx_add;
        let (Ev::Arr(end) | Ev::Obj(end)) = self.events[at] else { unreachable!("a container's event") };
        let mut h = start;
        for (i, ev) in self.events.iter().enumerate().take(end as usize).skip(at + 1).take(HASHED_EVENTS) {
            h = match *ev {
                Ev::Null => add(h, 1),
                Ev::Bool(b) => add(h, 2 + u64::from(b)),
                Ev::Int(v) => add(add(h, 4), self.bits(v)),
                Ev::Float => add(h, 5),
                Ev::Str(s) => add(add(h, 6), key_hash(self.str(s))),
                Ev::Key(_, k) => add(add(h, 7), k),
                Ev::Arr(e) => add(add(h, 8), u64::from(e) - i as u64),
                Ev::Obj(e) => add(add(h, 9), u64::from(e) - i as u64),
            };
        }
        h
    }

    /// The identity of the object whose event is at `at` (schema._identity's twin): the hash of its first
    /// own key named in `rules.ITEM_IDENTITY_KEYS` that holds a string or an integer, with that value.
    fn identity(&self, at: usize, r: &Rules) -> Option<u64> {
        let add = fx_add;
        let Ev::Obj(end) = self.events[at] else { return None };
        let mut i = at + 1;
        while i < end as usize {
            let Ev::Key(s, k) = self.events[i] else { unreachable!("an object's events are key, value, ...") };
            let value = self.events[i + 1];
            let named = || r.item_identity_keys.iter().any(|(h, name)| *h == k && name == self.str(s));
            match value {
                Ev::Str(v) if named() => return Some(add(add(add(add(0, 7), k), 6), key_hash(self.str(v)))),
                Ev::Int(v) if named() => return Some(add(add(add(add(0, 7), k), 4), self.bits(v))),
                Ev::Arr(e) | Ev::Obj(e) => i = e as usize,
                _ => i += 2,
            }
        }
        None
    }

    /// An integer's bits (see `Scalar`); the embedded read checked its text (`embedded::number_end`:
    /// at most 18 digits).
    fn bits(&self, v: Scalar) -> u64 {
        match v {
            Scalar::Bits(b) => b,
            Scalar::Text(s) => self.str(s).parse::<i64>().map_or(0, |n| n as u64),
        }
    }

    /// Fold the value whose first event is at `at` into `node` (counting it there); the index after it.
    /// `holder`: the array or object it sits in, for the entities of its string (`shape::entity`).
    /// `item`: the nearest array item at or above it that is an array or object (`Holder::item`).
    fn fold(&self, node: &mut Node, r: &Rules, at: usize, holder: &mut Holder, item: usize) -> usize {
        node.count += 1;
        match self.events[at] {
            Ev::Null => node.kinds |= NULL,
            Ev::Bool(_) => node.kinds |= BOOL,
            Ev::Int(_) => node.kinds |= INT,
            Ev::Float => node.kinds |= FLOAT,
            Ev::Str(s) => {
                node.kinds |= STR;
                node.fold_str(r, self.str(s), &mut || holder.entity(self, r));
            }
            Ev::Arr(end) => {
                node.kinds |= ARR;
                if node.depth >= r.limits.max_depth {
                    node.kinds |= ANY;
                    return end as usize;
                }
                let depth = node.depth;
                let items = node.items.get_or_insert_with(|| Box::new(Node::new(depth + 1, r)));
                let mut me = Holder::at(at, item);
                let mut i = at + 1;
                while i < end as usize {
                    i = self.fold(items, r, i, &mut me, i);
                }
                return i;
            }
            Ev::Obj(end) => {
                node.kinds |= OBJ;
                node.objects += 1;
                if node.depth >= r.limits.max_depth {
                    node.kinds |= ANY;
                    return end as usize;
                }
                let mut props = node.props.take().unwrap_or_default();
                let mut me = Holder::at(at, item);
                let mut i = at + 1;
                while i < end as usize {
                    let Ev::Key(s, h) = self.events[i] else { unreachable!("an object's events are key, value, ...") };
                    let key = self.str(s);
                    let p = match props.find(key, h) {
                        Some(p) => p,
                        None => props.push(key, h, Node::new(node.depth + 1, r)),
                    };
                    i = self.fold(&mut props.nodes[p], r, i + 1, &mut me, item);
                }
                // room is made once the object is read (schema._fold_dict): its every key counted, a
                // record wider than max_props keeps each field (each is in every object)
                if props.len() > r.limits.max_props {
                    node.evict(r, &mut props);
                }
                node.props = Some(props);
                return i;
            }
            Ev::Key(..) => unreachable!("a key is read with its object"),
        }
        at + 1
    }
}

/// Events of an array or object that tell it from others (`Walk::container`): what identifies a thing
/// comes first (ids, names, kinds), and a hash of a whole 1 KB document for each of its strings that
/// still had one entity cost ~5% of the fold.
const HASHED_EVENTS: usize = 32;

/// The array or object a value sits in, and its entity once a string there asked for it (hashed at
/// most once a container).
struct Holder {
    at: usize, // its event; usize::MAX: none (a body that is one string)
    // the event of the nearest array item at or above it (usize::MAX: none): what identifies it
    item: usize,
    entity: u64,
}

impl Holder {
    fn at(at: usize, item: usize) -> Holder {
        Holder { at, item, entity: 0 }
    }

    /// The container's hash from the path's (`Walk::salt`); in an array, from its item's. An item with
    /// an identity (`Walk::identity`) is that thing, whatever path answered (a user listed in the answers
    /// to ten PUTs of other users is one user); one without is its content where it was answered.
    fn entity(&mut self, walk: &Walk<'_>, r: &Rules) -> u64 {
        if self.entity == 0 && self.at != usize::MAX {
            self.entity = entity(match self.item {
                usize::MAX => walk.container(self.at, walk.salt),
                item => match walk.identity(item, r) {
                    Some(id) => id,
                    None if item == self.at => walk.container(self.at, walk.salt),
                    None => walk.container(self.at, walk.container(item, walk.salt)),
                },
            });
        }
        self.entity
    }
}

/// Fold one checked body into the root position `root` (schema.Shape.add); `salt`: the hash of the path
/// it answered (0: none told).
pub(crate) fn fold(root: &mut Node, r: &Rules, body: &Json, salt: u64) {
    let Tape { events, side } = &body.tape;
    Walk { events, text: &body.text, side, salt }.fold(root, r, 0, &mut Holder::at(usize::MAX, usize::MAX), usize::MAX);
}

/// Whether a property present in `count` of the `objects` at its position is in at least
/// `core_min_percent` of them: one of the position's core paths (`core_paths_with`, and read from a
/// state's bytes by `state::core_paths_from`).
pub(crate) fn is_core(count: u64, objects: u64, r: &Rules) -> bool {
    objects > 0 && count * 100 >= objects * r.limits.core_min_percent
}

/// render._core_paths: the property paths (`a.b`, `items[].c`) present in at least
/// `core_min_percent` of the objects at their position, `depth` levels of properties down.
#[cfg(test)] // Acc.core_paths names each path as it is found (core_paths_with), or reads the bytes (state.rs)
pub(crate) fn core_paths(node: &Node, r: &Rules, prefix: &str, depth: i64, out: &mut Vec<String>) {
    core_paths_with(node, r, &mut prefix.to_owned(), depth, &mut |path| out.push(path.to_owned()));
}

/// `core_paths`, each path handed to `emit` as it is found (in the same order), spelled in `path`
/// (the prefix on the way in and out): no string is made for it here.
pub(crate) fn core_paths_with(node: &Node, r: &Rules, path: &mut String, depth: i64, emit: &mut dyn FnMut(&str)) {
    if depth < 0 {
        return;
    }
    let prefix = path.len();
    if let Some(items) = node.items.as_deref().filter(|items| items.count > 0) {
        path.push_str("[]");
        core_paths_with(items, r, path, depth, emit);
        path.truncate(prefix);
    }
    let Some(props) = node.props.as_deref().filter(|props| props.len() > 0 && node.objects > 0) else {
        return;
    };
    for (name, sub) in props.iter() {
        if is_core(sub.count, node.objects, r) {
            if prefix > 0 {
                path.push('.');
            }
            path.push_str(name);
            core_paths_with(sub, r, path, depth - 1, emit);
            emit(path);
            path.truncate(prefix);
        }
    }
}

/// schema.who_values' twin: the distinct strings of each position holding two or more in its table of
/// values whose name (with its `key_hash`) `who` takes (an array's items under the array's name; the root
/// and the keys evicted beyond the listed ones have none), depth first. render.key_values reads them.
pub(crate) fn who_values<'a>(node: &'a Node, name: Option<(u64, &'a str)>, who: &mut dyn FnMut(u64, &str) -> bool,
                             out: &mut Vec<&'a str>) {
    if let (Some(vals), Some((h, name))) = (node.vals.as_ref(), name) {
        if vals.len() >= 2 && who(h, name) {
            out.extend(vals.iter().map(|(v, _, _)| v.as_str()));
        }
    }
    if let Some(items) = node.items.as_deref() {
        who_values(items, name, who, out);
    }
    if let Some(props) = node.props.as_deref() {
        for (h, key, sub) in props.iter_hashed() {
            who_values(sub, Some((h, key)), who, out);
        }
    }
    if let Some(extra) = node.extra.as_deref() {
        who_values(extra, None, who, out);
    }
}

/// schema.fields_among's twin: the keys `held` takes (each with its `key_hash`) of each object position
/// where they are at most half of its listed keys (a record's fields, not a map's keys), depth first.
pub(crate) fn fields_among<'a>(node: &'a Node, held: &dyn Fn(u64, &str) -> bool, out: &mut Vec<&'a str>) {
    if let Some(items) = node.items.as_deref() {
        fields_among(items, held, out);
    }
    if let Some(props) = node.props.as_deref() {
        let start = out.len();
        for (h, key, _) in props.iter_hashed() {
            if held(h, key) {
                out.push(key);
            }
        }
        if 2 * (out.len() - start) > props.len() {
            out.truncate(start);
        }
        for (_, sub) in props.iter() {
            fields_among(sub, held, out);
        }
    }
    if let Some(extra) = node.extra.as_deref() {
        fields_among(extra, held, out);
    }
}

/// render._listed_names' read of a body: the values in the table of each of `names` among the fields of the
/// items of a list at the root or right below it (`[{"id": ..}]`, `{"projects": [{"id": ..}]}`), each
/// list's in turn. What a collection lists its items by, read without the rest of the tree.
pub(crate) fn item_values<'a>(root: &'a Node, names: &[String], out: &mut Vec<&'a str>) {
    let below = root.props.as_deref().into_iter().flat_map(|props| props.iter().map(|(_, child)| child));
    for list in std::iter::once(root).chain(below) {
        let Some(props) = list.items.as_deref().and_then(|items| items.props.as_deref()) else { continue };
        for (key, field) in props.iter() {
            if let (true, Some(vals)) = (names.iter().any(|name| name == key), field.vals.as_ref()) {
                out.extend(vals.iter().map(|(v, _, _)| v.as_str()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::test_rules;

    fn folded(r: &Rules, texts: &[&str]) -> Node {
        let mut root = Node::new(0, r);
        for text in texts {
            fold(&mut root, r, &parse(text).expect("JSON"), 0);
        }
        root
    }

    #[test]
    fn the_check_refuses_what_orjson_reads_otherwise() {
        assert!(parse(r#"{"a": 1, "a": 2}"#).is_err()); // orjson keeps the last of duplicate keys
        assert!(parse("[-0]").is_err()); // an integer to orjson, a float to serde_json
        assert!(parse(r#"{"a": [1, 2.5, "x", null, true]}"#).is_ok());
    }

    #[test]
    fn a_fold_counts_kinds_and_escaped_keys_are_their_text() {
        let r = test_rules();
        let root = folded(&r, &[r#"{"a": 1, "b": "x"}"#, r#"{"\u0061": 2.5}"#]);
        assert_eq!((root.count, root.objects, root.kinds), (2, 2, OBJ));
        let props = root.props.as_deref().expect("an object position");
        let a = props.iter().find(|(k, _)| *k == "a").expect("one property a").1;
        assert_eq!((props.len(), a.count, a.kinds), (2, 2, INT | FLOAT));
    }

    #[test]
    fn depth_and_eviction_follow_the_table() {
        let r = test_rules(); // max_depth 4, max_props 8, evict_keep 6
        let root = folded(&r, &[r#"[[[[[1]]]]]"#]);
        let mut node = &root;
        while let Some(items) = node.items.as_deref() {
            node = items;
        }
        assert_eq!((node.depth, node.kinds & ANY), (4, ANY));
        let keys: Vec<String> = (0..12).map(|i| format!(r#"{{"k{i}": 1, "stable": 2}}"#)).collect();
        let root = folded(&r, &keys.iter().map(String::as_str).collect::<Vec<_>>());
        let props = root.props.as_deref().expect("an object position");
        assert!(props.len() <= 8 && props.iter().any(|(k, _)| k == "stable"));
        assert!(root.extra.is_some());
    }

    #[test]
    fn a_merge_of_a_copy_is_the_merge_of_the_clone_and_leaves_the_other_as_it_was() {
        let r = test_rules(); // max_props 8: the keys of the second side make room (evict) mid-merge
        let mine = folded(&r, &[r#"{"a": {"b": 1}, "k0": [1, "x"], "s": "2024-01-01"}"#, r#"{"a": null, "e": "v"}"#]);
        let keys: Vec<String> = (0..12).map(|i| format!(r#"{{"k{i}": {{"n": {i}}}, "a": {{"c": [true]}}, "s": "z"}}"#)).collect();
        let theirs = folded(&r, &keys.iter().map(String::as_str).collect::<Vec<_>>());
        let (mut by_move, mut by_copy) = (mine.clone(), mine);
        by_move.merge(&r, theirs.clone());
        let before = dumped(&theirs);
        by_copy.merge_copy(&r, &theirs);
        assert_eq!(dumped(&by_copy), dumped(&by_move));
        assert_eq!(dumped(&theirs), before);
    }

    fn dumped(node: &Node) -> Vec<u8> {
        let mut out = Vec::new();
        node.dump(&mut out);
        out
    }

    #[test]
    fn core_paths_are_the_properties_in_enough_objects() {
        let r = test_rules(); // core_min_percent 50
        let root = folded(&r, &[r#"{"a": {"b": 1}, "c": 1}"#, r#"{"a": {"b": 2}}"#, r#"{"a": {}}"#]);
        let mut out = Vec::new();
        core_paths(&root, &r, "", 2, &mut out);
        out.sort();
        assert_eq!(out, ["a", "a.b"]);
    }
}

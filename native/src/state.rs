//! An accumulator's state as bytes, for pickling between the processes of one run.

use crate::shape::{key_hash, Node, Props, Vals};

// -- the state as bytes: fixed-width little-endian fields, depth first -------------------------------
pub(crate) const ABSENT: u32 = u32::MAX;

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

pub(crate) struct Reader<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) at: usize,
}

impl Reader<'_> {
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
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

pub(crate) fn put_vals(out: &mut Vec<u8>, vals: &Vals) {
    match vals {
        None => out.extend_from_slice(&ABSENT.to_le_bytes()),
        Some(vals) => {
            out.extend_from_slice(&(vals.len() as u32).to_le_bytes());
            for (v, n) in vals {
                put_str(out, v);
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
    }
}

pub(crate) fn load_vals(r: &mut Reader<'_>) -> Option<Vals> {
    Some(match r.u32()? {
        ABSENT => None,
        n => Some((0..n).map(|_| Some((r.string()?, r.u64()?))).collect::<Option<Vec<_>>>()?),
    })
}

impl Node {
    pub(crate) fn dump(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.count.to_le_bytes());
        out.push(self.kinds);
        out.extend_from_slice(&self.depth.to_le_bytes());
        out.extend_from_slice(&self.objects.to_le_bytes());
        out.push(self.fmts);
        put_vals(out, &self.vals);
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
        for child in [&self.extra, &self.items] {
            match child {
                None => out.push(0),
                Some(c) => {
                    out.push(1);
                    c.dump(out);
                }
            }
        }
    }

    pub(crate) fn load(r: &mut Reader<'_>) -> Option<Node> {
        let (count, kinds, depth, objects, fmts) = (r.u64()?, r.u8()?, r.u32()?, r.u64()?, r.u8()?);
        let vals = load_vals(r)?;
        let props = match r.u32()? {
            ABSENT => None,
            n => {
                let mut props = Props::default();
                for _ in 0..n {
                    let key = r.string()?;
                    props.push(&key, key_hash(&key), Node::load(r)?);
                }
                Some(Box::new(props))
            }
        };
        let mut child = || -> Option<Option<Box<Node>>> {
            match r.u8()? {
                0 => Some(None),
                1 => Some(Some(Box::new(Node::load(r)?))),
                _ => None,
            }
        };
        let extra = child()?;
        let items = child()?;
        Some(Node { count, kinds, depth, objects, props, extra, items, fmts, vals })
    }
}

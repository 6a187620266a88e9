//! witnesses.target_hash: the stable hash of one request target (BLAKE2b, 8 bytes of digest), so the
//! fold's decoder hands it with the record instead of Python hashing every record's target again.

const IV: [u64; 8] = [
    0x6a09_e667_f3bc_c908,
    0xbb67_ae85_84ca_a73b,
    0x3c6e_f372_fe94_f82b,
    0xa54f_f53a_5f1d_36f1,
    0x510e_527f_ade6_82d1,
    0x9b05_688c_2b3e_6c1f,
    0x1f83_d9ab_fb41_bd6b,
    0x5be0_cd19_137e_2179,
];

const SIGMA: [[usize; 16]; 12] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
];

const BLOCK: usize = 128;

fn compress(h: &mut [u64; 8], block: &[u8; BLOCK], counted: u128, last: bool) {
    let m: [u64; 16] = std::array::from_fn(|i| u64::from_le_bytes(block[i * 8..i * 8 + 8].try_into().expect("8 bytes")));
    let mut v = [0u64; 16];
    v[..8].copy_from_slice(h);
    v[8..].copy_from_slice(&IV);
    v[12] ^= counted as u64;
    v[13] ^= (counted >> 64) as u64;
    if last {
        v[14] = !v[14];
    }
    let g = |v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64| {
        v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
        v[d] = (v[d] ^ v[a]).rotate_right(32);
        v[c] = v[c].wrapping_add(v[d]);
        v[b] = (v[b] ^ v[c]).rotate_right(24);
        v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
        v[d] = (v[d] ^ v[a]).rotate_right(16);
        v[c] = v[c].wrapping_add(v[d]);
        v[b] = (v[b] ^ v[c]).rotate_right(63);
    };
    for s in &SIGMA {
        g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
        g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
        g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
        g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
        g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
        g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
        g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
        g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for i in 0..8 {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

/// `hashlib.blake2b(data, digest_size=8).digest()` as the big-endian integer Python reads it.
fn blake2b_8(data: &[u8]) -> u64 {
    let mut h = IV;
    h[0] ^= 0x0101_0000 ^ 8; // fanout 1, depth 1, no key, 8 bytes of digest
    let mut rest = data;
    let mut counted: u128 = 0;
    while rest.len() > BLOCK {
        counted += BLOCK as u128;
        compress(&mut h, rest[..BLOCK].try_into().expect("a block"), counted, false);
        rest = &rest[BLOCK..];
    }
    let mut last = [0u8; BLOCK];
    last[..rest.len()].copy_from_slice(rest);
    compress(&mut h, &last, counted + rest.len() as u128, true);
    u64::from_be_bytes(h[0].to_le_bytes())
}

/// witnesses.target_hash(path, query): `path?k=v&k=v` hashed, 63 bits (a JSON integer every reader
/// keeps exact).
pub(crate) fn target_hash(path: &str, query: &[(String, String)]) -> u64 {
    blake2b_8(target_text(path, query).as_bytes()) >> 1
}

/// witnesses.request_hash(target, digest): the target's hash and the body's `digest` (records.body_digest:
/// its CRC-32 and length in bytes) mixed by SplitMix64's finalizer, 63 bits.
pub(crate) fn request_hash(target: u64, digest: (u32, usize)) -> u64 {
    let mut z = (target ^ (u64::from(digest.0) << 32 | (digest.1 as u64 & 0xFFFF_FFFF))).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) >> 1
}

fn target_text(path: &str, query: &[(String, String)]) -> String {
    let mut text = String::with_capacity(path.len() + 1 + query.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>());
    text.push_str(path);
    text.push('?');
    for (i, (k, v)) in query.iter().enumerate() {
        if i > 0 {
            text.push('&');
        }
        text.push_str(k);
        text.push('=');
        text.push_str(v);
    }
    text
}

/// zlib.crc32's tables (CRC-32/ISO-HDLC, reflected), eight of them: a body is read eight bytes at a step.
const fn crc_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut i = 0;
    while i < 256 {
        let mut j = 1;
        while j < 8 {
            t[j][i] = (t[j - 1][i] >> 8) ^ t[0][(t[j - 1][i] & 0xFF) as usize];
            j += 1;
        }
        i += 1;
    }
    t
}

static CRC: [[u32; 256]; 8] = crc_tables();

/// `zlib.crc32(data)`.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    let mut chunks = data.chunks_exact(8);
    for b in &mut chunks {
        let lo = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        c = CRC[7][(lo & 0xFF) as usize]
            ^ CRC[6][((lo >> 8) & 0xFF) as usize]
            ^ CRC[5][((lo >> 16) & 0xFF) as usize]
            ^ CRC[4][(lo >> 24) as usize]
            ^ CRC[3][b[4] as usize]
            ^ CRC[2][b[5] as usize]
            ^ CRC[1][b[6] as usize]
            ^ CRC[0][b[7] as usize];
    }
    for &b in chunks.remainder() {
        c = CRC[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_hashlibs() {
        // python3 -c 'import hashlib; print(hex(int.from_bytes(hashlib.blake2b(b"", digest_size=8).digest(), "big")))'
        assert_eq!(blake2b_8(b""), 0xe4a6_a057_7479_b2b4);
        assert_eq!(target_hash("/a", &[]), blake2b_8(b"/a?") >> 1);
    }

    #[test]
    fn crcs_are_zlibs() {
        // python3 -c 'import zlib; print(hex(zlib.crc32(b"123456789")), hex(zlib.crc32(b"")))'
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
        let long: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let bytewise = long.iter().fold(!0u32, |c, &b| CRC[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8));
        assert_eq!(crc32(&long), !bytewise);
        // python3 -c 'from specbuild.learn.witnesses import request_hash as r; print(hex(r(1, (2, 3))))'
        assert_eq!(request_hash(1, (2, 3)), 0x541c_8f22_9461_54bf);
    }
}

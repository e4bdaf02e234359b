//! Varlena headers and the pgvector value layouts (`vector`, `halfvec`, `bit`,
//! `sparsevec`), decoded from bytes stored on index pages.
//!
//! Values with 1-byte headers (small IVFFlat entries) and 4-byte headers are both
//! read; compressed and external values are recognised and reported, never
//! decompressed.

use super::page::{Result, fail, i32_at, u16_at, u32_at};

/// How a varlena value is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarlenaKind {
    /// 1-byte header, unaligned payload.
    Short,
    /// 4-byte header, uncompressed.
    Plain,
    /// 4-byte header, compressed inline; `raw_size` bytes once decompressed.
    Compressed {
        /// Size after decompression.
        raw_size: u32,
        /// 0 pglz, 1 lz4.
        method: u8,
    },
    /// A TOAST pointer (never expected inside pgvector indexes).
    External,
}

/// One varlena datum: its kind, total length and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Varlena<'a> {
    /// How it is stored.
    pub kind: VarlenaKind,
    /// Total length including the header.
    pub total_len: usize,
    /// The bytes after the header (for compressed values: after the raw-size word).
    pub payload: &'a [u8],
}

/// Reads the varlena header at the start of `b`.
pub fn varlena(b: &[u8]) -> Result<Varlena<'_>> {
    let Some(&b0) = b.first() else {
        return fail("varlena is empty");
    };
    if b0 == 0x01 {
        return Ok(Varlena {
            kind: VarlenaKind::External,
            total_len: b.len(),
            payload: &[],
        });
    }
    let (kind, total, header) = if b0 & 0x01 == 1 {
        (VarlenaKind::Short, (b0 >> 1) as usize, 1)
    } else {
        let word = u32_at(b, 0)?;
        let total = (word >> 2) as usize;
        if b0 & 0x03 == 0 {
            (VarlenaKind::Plain, total, 4)
        } else {
            let info = u32_at(b, 4)?;
            let kind = VarlenaKind::Compressed {
                raw_size: info & 0x3FFF_FFFF,
                method: (info >> 30) as u8,
            };
            (kind, total, 8)
        }
    };
    if total < header || total > b.len() {
        return fail(format!(
            "varlena length {total} does not fit header {header} and {} available bytes",
            b.len()
        ));
    }
    Ok(Varlena {
        kind,
        total_len: total,
        payload: &b[header..total],
    })
}

/// The pgvector (and core `bit`) value types an index can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// `vector`: float4 elements.
    Vector,
    /// `halfvec`: float2 elements.
    Halfvec,
    /// `bit`: a bit string.
    Bit,
    /// `sparsevec`: indices and float4 values.
    Sparsevec,
}

/// A decoded value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Elements of a `vector` or `halfvec` (converted to f32).
    Dense(Vec<f32>),
    /// A bit string: its length in bits and its bytes.
    Bits {
        /// Length in bits.
        len: u32,
        /// ceil(len / 8) bytes, most significant bit first.
        bytes: Vec<u8>,
    },
    /// A sparse vector.
    Sparse {
        /// Dimensions.
        dim: u32,
        /// 0-based indices, ascending.
        indices: Vec<u32>,
        /// Values at those indices.
        values: Vec<f32>,
    },
}

/// Decodes the datum at the start of `b` as `ty` (1-byte or 4-byte header).
pub fn decode(b: &[u8], ty: ValueType) -> Result<Value> {
    let v = varlena(b)?;
    if !matches!(v.kind, VarlenaKind::Short | VarlenaKind::Plain) {
        return fail(format!("value is stored {:?}; not decoded", v.kind));
    }
    let p = v.payload;
    match ty {
        ValueType::Vector | ValueType::Halfvec => {
            let dim = u16_at(p, 0)? as i16;
            let width = if ty == ValueType::Vector { 4 } else { 2 };
            if dim < 0 || p.len() != 4 + width * dim as usize {
                return fail(format!(
                    "{ty:?} of {dim} dimensions cannot have a {}-byte payload",
                    p.len()
                ));
            }
            let body = &p[4..];
            let out = if width == 4 {
                body.chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            } else {
                body.chunks_exact(2)
                    .map(|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])))
                    .collect()
            };
            Ok(Value::Dense(out))
        }
        ValueType::Bit => {
            let len = i32_at(p, 0)?;
            if len < 0 || p.len() != 4 + (len as usize).div_ceil(8) {
                return fail(format!("bit({len}) cannot have a {}-byte payload", p.len()));
            }
            Ok(Value::Bits {
                len: len as u32,
                bytes: p[4..].to_vec(),
            })
        }
        ValueType::Sparsevec => {
            let (dim, nnz) = (i32_at(p, 0)?, i32_at(p, 4)?);
            if dim < 0 || nnz < 0 || p.len() != 12 + 8 * nnz as usize {
                return fail(format!(
                    "sparsevec with {nnz} non-zeros cannot have a {}-byte payload",
                    p.len()
                ));
            }
            let n = nnz as usize;
            let word = |i: usize| u32_at(p, 12 + 4 * i);
            let indices = (0..n).map(word).collect::<Result<Vec<_>>>()?;
            let values = (n..2 * n)
                .map(|i| word(i).map(f32::from_bits))
                .collect::<Result<Vec<_>>>()?;
            Ok(Value::Sparse {
                dim: dim as u32,
                indices,
                values,
            })
        }
    }
}

/// Which dense or bit type a datum of an index with `dims` dimensions holds,
/// judged from its exact length and dimension field; `None` if none fits.
pub fn guess_type(b: &[u8], dims: u32) -> Option<ValueType> {
    let v = varlena(b).ok()?;
    if !matches!(v.kind, VarlenaKind::Short | VarlenaKind::Plain) {
        return None;
    }
    let p = v.payload;
    let d = dims as usize;
    let dim16 = u16_at(p, 0).ok()? as usize;
    if dim16 == d && p.len() == 4 + 4 * d {
        Some(ValueType::Vector)
    } else if dim16 == d && p.len() == 4 + 2 * d {
        Some(ValueType::Halfvec)
    } else if i32_at(p, 0).ok()? as i64 == d as i64 && p.len() == 4 + d.div_ceil(8) {
        Some(ValueType::Bit)
    } else {
        None
    }
}

/// Converts an IEEE-754 binary16 value to f32 (exact).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1F) as u32;
    let frac = (h & 0x03FF) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, _) => {
            // subnormal: value = frac * 2^-24
            let v = frac as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -v } else { v };
        }
        (0x1F, 0) => sign | 0x7F80_0000,
        (0x1F, _) => sign | 0x7FC0_0000 | (frac << 13),
        _ => sign | ((exp + 112) << 23) | (frac << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector4(vals: &[f32]) -> Vec<u8> {
        let total = 8 + 4 * vals.len();
        let mut b = ((total as u32) << 2).to_le_bytes().to_vec();
        b.extend((vals.len() as u16).to_le_bytes());
        b.extend([0, 0]);
        vals.iter().for_each(|v| b.extend(v.to_le_bytes()));
        b
    }

    #[test]
    fn four_byte_vectors_decode() {
        let b = vector4(&[1.0, -2.5, 0.25]);
        let v = varlena(&b).unwrap();
        assert_eq!(
            (v.kind, v.total_len, v.payload.len()),
            (VarlenaKind::Plain, 20, 16)
        );
        assert_eq!(
            decode(&b, ValueType::Vector).unwrap(),
            Value::Dense(vec![1.0, -2.5, 0.25])
        );
        assert_eq!(guess_type(&b, 3), Some(ValueType::Vector));
        assert_eq!(guess_type(&b, 4), None);
    }

    #[test]
    fn one_byte_headers_move_fields_three_bytes_earlier() {
        // vector(3) in an IVFFlat entry: header 0x23 = length 17, dim at +1, floats at +5
        let mut b = vec![0x23, 3, 0, 0, 0];
        [0.5f32, 1.5, -1.0]
            .iter()
            .for_each(|v| b.extend(v.to_le_bytes()));
        b.extend([0xAA; 3]); // alignment padding after the datum
        let v = varlena(&b).unwrap();
        assert_eq!((v.kind, v.total_len), (VarlenaKind::Short, 17));
        assert_eq!(
            decode(&b, ValueType::Vector).unwrap(),
            Value::Dense(vec![0.5, 1.5, -1.0])
        );
    }

    #[test]
    fn compressed_and_external_are_recognised_not_decoded() {
        let mut b = ((40u32 << 2) | 2).to_le_bytes().to_vec();
        b.extend((1000u32 | (1 << 30)).to_le_bytes());
        b.extend([0u8; 32]);
        let v = varlena(&b).unwrap();
        assert_eq!(
            v.kind,
            VarlenaKind::Compressed {
                raw_size: 1000,
                method: 1
            }
        );
        assert!(decode(&b, ValueType::Bit).is_err());
        assert_eq!(varlena(&[0x01, 0x12]).unwrap().kind, VarlenaKind::External);
    }

    #[test]
    fn halfvec_bit_and_sparsevec_decode() {
        let mut h = ((8u32 + 4) << 2).to_le_bytes().to_vec();
        h.extend([2, 0, 0, 0]);
        h.extend(0x3C00u16.to_le_bytes()); // 1.0
        h.extend(0xC100u16.to_le_bytes()); // -2.5
        assert_eq!(
            decode(&h, ValueType::Halfvec).unwrap(),
            Value::Dense(vec![1.0, -2.5])
        );
        assert_eq!(guess_type(&h, 2), Some(ValueType::Halfvec));

        let mut bit = ((8u32 + 2) << 2).to_le_bytes().to_vec();
        bit.extend(12i32.to_le_bytes());
        bit.extend([0b1010_0000, 0b1111_0000]);
        assert_eq!(guess_type(&bit, 12), Some(ValueType::Bit));
        assert_eq!(
            decode(&bit, ValueType::Bit).unwrap(),
            Value::Bits {
                len: 12,
                bytes: vec![0b1010_0000, 0b1111_0000]
            }
        );

        let mut s = ((16u32 + 16) << 2).to_le_bytes().to_vec();
        [100i32, 2, 0, 3, 70]
            .iter()
            .for_each(|v| s.extend(v.to_le_bytes()));
        [0.5f32, 2.0].iter().for_each(|v| s.extend(v.to_le_bytes()));
        assert_eq!(
            decode(&s, ValueType::Sparsevec).unwrap(),
            Value::Sparse {
                dim: 100,
                indices: vec![3, 70],
                values: vec![0.5, 2.0]
            }
        );
    }

    #[test]
    fn malformed_values_are_errors() {
        assert!(varlena(&[]).is_err());
        assert!(varlena(&[0x00, 0x01]).is_err()); // 4-byte header cut short
        assert!(varlena(&[0xff, 1, 2]).is_err()); // 1-byte header: length 127 > 3
        assert!(varlena(&[0x01 << 1 | 1]).is_ok()); // length-0 payload after 1-byte header
        assert!(varlena(&[0x00, 0, 0, 0]).is_err()); // total 0 < header 4 (a zeroed value)
        let mut b = vector4(&[1.0, 2.0]);
        b[4] = 9; // dim no longer matches the length
        assert!(decode(&b, ValueType::Vector).is_err());
        assert!(decode(&b, ValueType::Halfvec).is_err());
        assert!(decode(&b[..10], ValueType::Vector).is_err());
        let mut neg = vector4(&[1.0]);
        neg[4..6].copy_from_slice(&(-1i16).to_le_bytes());
        assert!(decode(&neg, ValueType::Vector).is_err());
    }

    #[test]
    fn half_floats_convert_exactly() {
        let cases = [
            (0x0000, 0.0),
            (0x8000, -0.0),
            (0x3C00, 1.0),
            (0x3555, 0.333_251_95),
            (0x7BFF, 65504.0),
            (0x0001, 5.960_464_5e-8),
            (0x0400, 6.103_515_6e-5),
            (0xFC00, f32::NEG_INFINITY),
        ];
        for (h, want) in cases {
            assert_eq!(f16_to_f32(h), want, "{h:#06x}");
        }
        assert!(f16_to_f32(0x7E00).is_nan());
    }
}

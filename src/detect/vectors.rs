//! pgvector values on the client: decoding the binary wire format (the types'
//! send functions, as seen in `COPY ... (FORMAT binary)` and binary result
//! columns) and rendering the text form used for bind parameters.
//!
//! Wire formats, all big-endian (checked against pgvector 0.8.6):
//!
//! | type | layout |
//! |---|---|
//! | `vector` | int16 dim, int16 unused, dim × float4 |
//! | `halfvec` | int16 dim, int16 unused, dim × binary16 |
//! | `sparsevec` | int32 dim, int32 nnz, int32 unused, nnz × int32 index (0-based), nnz × float4 |
//! | `bit` | int32 bit length, ceil(len/8) bytes, most significant bit first |
//! | `ruvector` | uint16 dim, dim × float4 (no padding; RuVector 2.0.6 `ruvector_send`) |
//!
//! A `ruvector` value decodes to a [`Value::Vector`]: same elements, same text form.
//!
//! Decoding never panics: malformed input is a [`DecodeError`]. Pure code, no I/O.

use std::fmt;

/// The vector column types ruvheal understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VecKind {
    /// pgvector `vector` (float4 elements).
    Vector,
    /// pgvector `halfvec` (binary16 elements).
    Halfvec,
    /// pgvector `sparsevec`.
    Sparsevec,
    /// PostgreSQL `bit(n)`.
    Bit,
    /// RuVector's `ruvector` (float4 elements; values decode to [`Value::Vector`]).
    Ruvector,
}

impl VecKind {
    /// The kind for a type name as in `pg_type.typname` (`vector`, `halfvec`, `sparsevec`, `bit`).
    pub fn from_type_name(name: &str) -> Option<VecKind> {
        match name {
            "vector" => Some(VecKind::Vector),
            "halfvec" => Some(VecKind::Halfvec),
            "sparsevec" => Some(VecKind::Sparsevec),
            "bit" => Some(VecKind::Bit),
            "ruvector" => Some(VecKind::Ruvector),
            _ => None,
        }
    }

    /// The type name (`vector`, `halfvec`, `sparsevec`, `bit`).
    pub fn type_name(self) -> &'static str {
        match self {
            VecKind::Vector => "vector",
            VecKind::Halfvec => "halfvec",
            VecKind::Sparsevec => "sparsevec",
            VecKind::Bit => "bit",
            VecKind::Ruvector => "ruvector",
        }
    }

    /// The kind of the values it decodes to ([`VecKind::Vector`] for `ruvector`).
    pub fn value_kind(self) -> VecKind {
        match self {
            VecKind::Ruvector => VecKind::Vector,
            kind => kind,
        }
    }

    /// True for the kinds whose elements are numbers (`vector`, `halfvec`, `sparsevec`).
    pub fn is_float(self) -> bool {
        !matches!(self, VecKind::Bit)
    }
}

/// A malformed binary value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

fn err<T>(msg: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError(msg.into()))
}

/// One decoded value. `halfvec` elements are widened to `f32` (exactly).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A `vector`.
    Vector(Vec<f32>),
    /// A `halfvec`, widened to `f32`.
    Halfvec(Vec<f32>),
    /// A `sparsevec`: 0-based ascending indices and their values.
    Sparsevec {
        /// Number of dimensions.
        dim: u32,
        /// 0-based, strictly ascending indices.
        indices: Vec<u32>,
        /// The values at those indices.
        values: Vec<f32>,
    },
    /// A `bit` string: `len` bits, most significant bit of `bytes[0]` first,
    /// padding bits zero.
    Bit {
        /// Number of bits.
        len: u32,
        /// `ceil(len / 8)` bytes.
        bytes: Vec<u8>,
    },
}

impl Value {
    /// Decodes the binary (send) form of a value of `kind`.
    pub fn decode(kind: VecKind, bytes: &[u8]) -> Result<Value, DecodeError> {
        match kind {
            VecKind::Vector | VecKind::Halfvec | VecKind::Ruvector => {
                let mut out = Vec::new();
                decode_dense_into(kind, bytes, &mut out)?;
                Ok(if kind != VecKind::Halfvec {
                    Value::Vector(out)
                } else {
                    Value::Halfvec(out)
                })
            }
            VecKind::Sparsevec => decode_sparse(bytes),
            VecKind::Bit => {
                let (len, bits) = decode_bit(bytes)?;
                let mut bytes = bits.to_vec();
                mask_padding(len, &mut bytes);
                Ok(Value::Bit { len, bytes })
            }
        }
    }

    /// The kind of this value.
    pub fn kind(&self) -> VecKind {
        match self {
            Value::Vector(_) => VecKind::Vector,
            Value::Halfvec(_) => VecKind::Halfvec,
            Value::Sparsevec { .. } => VecKind::Sparsevec,
            Value::Bit { .. } => VecKind::Bit,
        }
    }

    /// Number of dimensions (bits for `bit`).
    pub fn dims(&self) -> usize {
        match self {
            Value::Vector(v) | Value::Halfvec(v) => v.len(),
            Value::Sparsevec { dim, .. } => *dim as usize,
            Value::Bit { len, .. } => *len as usize,
        }
    }

    /// True when every element is zero (no bit set, for `bit`).
    pub fn is_zero(&self) -> bool {
        match self {
            Value::Vector(v) | Value::Halfvec(v) => v.iter().all(|x| *x == 0.0),
            Value::Sparsevec { values, .. } => values.iter().all(|x| *x == 0.0),
            Value::Bit { bytes, .. } => bytes.iter().all(|b| *b == 0),
        }
    }

    /// The text form pgvector's input functions read back to the same value:
    /// `[1,2.5,3]`, `{1:0.5,3:2}/5` (1-based indices), `0101`.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Vector(v) | Value::Halfvec(v) => {
                f.write_str("[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    // `{}` on f32 prints the shortest text that reads back to the same float.
                    write!(f, "{x}")?;
                }
                f.write_str("]")
            }
            Value::Sparsevec {
                dim,
                indices,
                values,
            } => {
                f.write_str("{")?;
                for (i, (ix, x)) in indices.iter().zip(values).enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{x}", u64::from(*ix) + 1)?;
                }
                write!(f, "}}/{dim}")
            }
            Value::Bit { len, bytes } => {
                for i in 0..*len as usize {
                    let set = bytes.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0);
                    f.write_str(if set { "1" } else { "0" })?;
                }
                Ok(())
            }
        }
    }
}

fn be_i16(b: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes a `vector`, `halfvec` or `ruvector` into `out` (cleared first),
/// reusing its allocation. `kind` must be one of those three.
pub fn decode_dense_into(
    kind: VecKind,
    bytes: &[u8],
    out: &mut Vec<f32>,
) -> Result<(), DecodeError> {
    let (width, header) = match kind {
        VecKind::Vector => (4, 4),
        VecKind::Halfvec => (2, 4),
        VecKind::Ruvector => (4, 2),
        _ => return err(format!("{} is not a dense vector type", kind.type_name())),
    };
    let Some(dim) = be_i16(bytes, 0) else {
        return err(format!(
            "{} value is {} bytes, too short for its header",
            kind.type_name(),
            bytes.len()
        ));
    };
    let dim = if kind == VecKind::Ruvector {
        usize::from(dim as u16)
    } else {
        usize::try_from(dim).map_err(|_| DecodeError(format!("negative dimension {dim}")))?
    };
    let body = bytes.get(header..).unwrap_or_default();
    if body.len() != dim * width {
        return err(format!(
            "{} value claims {dim} dimensions but carries {} bytes of elements",
            kind.type_name(),
            body.len()
        ));
    }
    out.clear();
    out.reserve(dim);
    if width == 4 {
        let (chunks, _) = body.as_chunks::<4>();
        out.extend(chunks.iter().map(|c| f32::from_be_bytes(*c)));
    } else {
        let (chunks, _) = body.as_chunks::<2>();
        out.extend(chunks.iter().map(|c| f16_to_f32(u16::from_be_bytes(*c))));
    }
    Ok(())
}

fn decode_sparse(bytes: &[u8]) -> Result<Value, DecodeError> {
    let (Some(dim), Some(nnz)) = (be_i32(bytes, 0), be_i32(bytes, 4)) else {
        return err(format!(
            "sparsevec value is {} bytes, too short for its header",
            bytes.len()
        ));
    };
    let (Ok(dim), Ok(nnz)) = (u32::try_from(dim), usize::try_from(nnz)) else {
        return err(format!("sparsevec with negative dim {dim} or nnz {nnz}"));
    };
    let body = bytes.get(12..).unwrap_or_default();
    if nnz > dim as usize || body.len() != nnz * 8 {
        return err(format!(
            "sparsevec claims {nnz} non-zeros of {dim} dimensions but carries {} bytes",
            body.len()
        ));
    }
    let (ix, vals) = body.split_at(nnz * 4);
    let mut indices = Vec::with_capacity(nnz);
    for c in ix.as_chunks::<4>().0 {
        let i = i32::from_be_bytes(*c);
        match u32::try_from(i) {
            Ok(i) if i < dim && indices.last().is_none_or(|&p| p < i) => indices.push(i),
            _ => {
                return err(format!(
                    "sparsevec index {i} out of order or outside 0..{dim}"
                ));
            }
        }
    }
    let values = vals
        .as_chunks::<4>()
        .0
        .iter()
        .map(|c| f32::from_be_bytes(*c))
        .collect();
    Ok(Value::Sparsevec {
        dim,
        indices,
        values,
    })
}

/// Splits a binary `bit`/`varbit` value into its bit length and its bytes.
pub fn decode_bit(bytes: &[u8]) -> Result<(u32, &[u8]), DecodeError> {
    let Some(len) = be_i32(bytes, 0) else {
        return err(format!(
            "bit value is {} bytes, too short for its header",
            bytes.len()
        ));
    };
    let len = u32::try_from(len).map_err(|_| DecodeError(format!("negative bit length {len}")))?;
    let body = bytes.get(4..).unwrap_or_default();
    if body.len() != (len as usize).div_ceil(8) {
        return err(format!(
            "bit value claims {len} bits but carries {} bytes",
            body.len()
        ));
    }
    Ok((len, body))
}

/// Clears the padding bits after the last of `len` bits.
pub fn mask_padding(len: u32, bytes: &mut [u8]) {
    let used = (len % 8) as u8;
    if let (Some(last), true) = (bytes.last_mut(), used != 0) {
        *last &= 0xffu8 << (8 - used);
    }
}

/// Widens an IEEE-754 binary16 to f32 (exact; NaN and infinities kept).
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    match exp {
        0 => {
            // zero or subnormal: man × 2^-24, exact in f32
            let v = man as f32 * (1.0 / 16_777_216.0);
            if sign != 0 { -v } else { v }
        }
        0x1f => f32::from_bits(sign | 0x7f80_0000 | (man << 13)),
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (man << 13)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_widen_exactly() {
        let cases = [
            (0x0000, 0.0f32),
            (0x3c00, 1.0),
            (0x4100, 2.5),
            (0xc200, -3.0),
            (0x7bff, 65504.0),
            (0x0001, 5.960_464_5e-8),
            (0x03ff, 6.097_555e-5),
            (0x0400, 6.103_515_6e-5),
            (0x7c00, f32::INFINITY),
            (0xfc00, f32::NEG_INFINITY),
        ];
        for (h, want) in cases {
            assert_eq!(f16_to_f32(h), want, "{h:#06x}");
        }
        assert!(f16_to_f32(0x7e00).is_nan());
        assert!(f16_to_f32(0x8000).is_sign_negative());
    }

    #[test]
    fn decodes_and_renders_each_kind() {
        // bytes as produced by the server (see tests/it/recall.rs for the live check)
        let v = [
            0, 3, 0, 0, 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0, 0x40, 0x40, 0, 0,
        ];
        assert_eq!(
            Value::decode(VecKind::Vector, &v).unwrap().to_text(),
            "[1,2,3]"
        );
        let h = [0, 3, 0, 0, 0x3c, 0, 0x41, 0, 0xc2, 0];
        assert_eq!(
            Value::decode(VecKind::Halfvec, &h).unwrap().to_text(),
            "[1,2.5,-3]"
        );
        let s = [
            0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0x3f, 0, 0, 0, 0x40, 0, 0,
            0,
        ];
        assert_eq!(
            Value::decode(VecKind::Sparsevec, &s).unwrap().to_text(),
            "{1:0.5,3:2}/5"
        );
        // ruvector_send: uint16 dims, then the floats, no padding
        let r = [0, 2, 0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0];
        let rv = Value::decode(VecKind::Ruvector, &r).unwrap();
        assert_eq!(rv.to_text(), "[1,-2.5]");
        assert_eq!(rv.kind(), VecKind::Ruvector.value_kind());
        let b = [0, 0, 0, 10, 0xb0, 0xc0];
        assert_eq!(
            Value::decode(VecKind::Bit, &b).unwrap().to_text(),
            "1011000011"
        );
    }

    #[test]
    fn malformed_values_are_errors() {
        let bad: &[(VecKind, &[u8])] = &[
            (VecKind::Vector, &[]),
            (VecKind::Vector, &[0]),
            (VecKind::Vector, &[0, 2, 0, 0, 1, 2, 3, 4]),
            (VecKind::Vector, &[0xff, 0xff, 0, 0]),
            (VecKind::Halfvec, &[0, 1, 0, 0, 1]),
            (VecKind::Ruvector, &[0, 2, 0x3f, 0x80, 0, 0]),
            (VecKind::Ruvector, &[0]),
            (VecKind::Sparsevec, &[0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0]),
            (VecKind::Sparsevec, &[0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0]),
            // index 5 outside 0..5
            (
                VecKind::Sparsevec,
                &[0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0],
            ),
            (VecKind::Bit, &[0, 0, 0, 9, 0xff]),
            (VecKind::Bit, &[0xff, 0xff, 0xff, 0xff]),
        ];
        for (kind, bytes) in bad {
            assert!(Value::decode(*kind, bytes).is_err(), "{kind:?} {bytes:?}");
        }
    }

    #[test]
    fn padding_bits_are_cleared_and_zero_is_detected() {
        let v = Value::decode(VecKind::Bit, &[0, 0, 0, 3, 0xff]).unwrap();
        assert_eq!(
            v,
            Value::Bit {
                len: 3,
                bytes: vec![0xe0]
            }
        );
        assert!(Value::Vector(vec![0.0, -0.0]).is_zero());
        assert!(!Value::Halfvec(vec![0.0, 1.0]).is_zero());
    }
}

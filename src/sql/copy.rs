//! PostgreSQL's binary COPY format, read incrementally from any `Read`.

use std::io::{self, Read};
use std::ops::Range;

use anyhow::{Context, Result, anyhow, bail};

/// An incremental reader of PostgreSQL's binary COPY format: the 11-byte
/// signature, int32 flags, int32 header-extension length (skipped); then per
/// tuple an int16 field count (-1 ends the data) and per field an int32 length
/// (-1 for NULL) and that many bytes. Malformed or truncated input is an error.
pub struct CopyReader<R> {
    inner: R,
    bytes: u64,
}

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";
/// The most a single field can hold in PostgreSQL (1 GiB).
const MAX_FIELD: usize = 1 << 30;

impl<R: Read> CopyReader<R> {
    /// Reads and checks the header.
    pub fn new(inner: R) -> Result<Self> {
        let mut r = CopyReader { inner, bytes: 0 };
        let mut sig = [0u8; 11];
        r.read(&mut sig)?;
        if &sig != SIGNATURE {
            bail!("not a binary COPY stream (bad signature)");
        }
        let flags = r.int32()?;
        if flags != 0 {
            bail!("binary COPY header has unsupported flags {flags:#x}");
        }
        let ext = usize::try_from(r.int32()?)
            .map_err(|_| anyhow!("negative COPY header extension length"))?;
        let skipped = io::copy(&mut (&mut r.inner).take(ext as u64), &mut io::sink())?;
        r.bytes += skipped;
        if skipped != ext as u64 {
            bail!("binary COPY stream truncated in its header extension");
        }
        Ok(r)
    }

    /// Reads the next tuple: its fields' bytes go to `buf` (cleared first) and
    /// `spans[i]` is field i's range in `buf` (`None` for NULL). Returns false
    /// at the end-of-data marker, after checking nothing follows it.
    pub fn next_tuple(
        &mut self,
        buf: &mut Vec<u8>,
        spans: &mut Vec<Option<Range<usize>>>,
    ) -> Result<bool> {
        buf.clear();
        spans.clear();
        let mut count = [0u8; 2];
        self.read(&mut count)?;
        let count = i16::from_be_bytes(count);
        if count == -1 {
            let mut extra = [0u8; 1];
            if self
                .inner
                .read(&mut extra)
                .context("reading after the end of COPY data")?
                != 0
            {
                bail!("data after the binary COPY end marker");
            }
            return Ok(false);
        }
        let count = usize::try_from(count).map_err(|_| anyhow!("bad COPY field count {count}"))?;
        for _ in 0..count {
            let len = self.int32()?;
            if len == -1 {
                spans.push(None);
                continue;
            }
            let len = usize::try_from(len)
                .ok()
                .filter(|l| *l <= MAX_FIELD)
                .ok_or_else(|| anyhow!("bad COPY field length {len}"))?;
            let start = buf.len();
            buf.resize(start + len, 0);
            self.read(&mut buf[start..])?;
            spans.push(Some(start..start + len));
        }
        Ok(true)
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn read(&mut self, out: &mut [u8]) -> Result<()> {
        self.inner.read_exact(out).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => anyhow!("binary COPY stream truncated"),
            _ => anyhow::Error::new(e).context("reading the COPY stream"),
        })?;
        self.bytes += out.len() as u64;
        Ok(())
    }

    fn int32(&mut self) -> Result<i32> {
        let mut b = [0u8; 4];
        self.read(&mut b)?;
        Ok(i32::from_be_bytes(b))
    }
}

/// Builds a binary COPY stream (for tests): tuples of optional fields, with or without the trailer.
#[cfg(test)]
pub(crate) fn test_stream(tuples: &[&[Option<&[u8]>]], trailer: bool) -> Vec<u8> {
    tests::stream(tuples, trailer)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn stream(tuples: &[&[Option<&[u8]>]], trailer: bool) -> Vec<u8> {
        let mut s = SIGNATURE.to_vec();
        s.extend([0, 0, 0, 0, 0, 0, 0, 2, 0xaa, 0xbb]); // flags, 2-byte extension
        for t in tuples {
            s.extend((t.len() as i16).to_be_bytes());
            for f in *t {
                match f {
                    None => s.extend((-1i32).to_be_bytes()),
                    Some(b) => {
                        s.extend((b.len() as i32).to_be_bytes());
                        s.extend(*b);
                    }
                }
            }
        }
        if trailer {
            s.extend((-1i16).to_be_bytes());
        }
        s
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Vec<Option<Vec<u8>>>>> {
        let mut r = CopyReader::new(bytes)?;
        let (mut buf, mut spans, mut out) = (Vec::new(), Vec::new(), Vec::new());
        while r.next_tuple(&mut buf, &mut spans)? {
            out.push(
                spans
                    .iter()
                    .map(|s| s.clone().map(|s| buf[s].to_vec()))
                    .collect(),
            );
        }
        assert_eq!(r.bytes_read(), bytes.len() as u64);
        Ok(out)
    }

    #[test]
    fn copy_stream_round_trips() {
        let s = stream(&[&[Some(b"ab"), None, Some(b"")], &[Some(b"xyz")]], true);
        let rows = read_all(&s).unwrap();
        assert_eq!(
            rows,
            vec![
                vec![Some(b"ab".to_vec()), None, Some(vec![])],
                vec![Some(b"xyz".to_vec())]
            ]
        );
        assert_eq!(read_all(&stream(&[], true)).unwrap().len(), 0);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let s = stream(&[&[Some(b"abcdef"), None], &[Some(&[1, 2, 3])]], true);
        for cut in 0..s.len() {
            let err = read_all(&s[..cut]).unwrap_err();
            assert!(
                format!("{err:#}").contains("truncated"),
                "cut {cut}: {err:#}"
            );
        }
    }

    #[test]
    fn malformed_streams_are_errors() {
        let good = stream(&[&[Some(b"a")]], true);
        let mut bad_sig = good.clone();
        bad_sig[0] = b'X';
        let mut flags = good.clone();
        flags[13] = 1; // the has-OIDs bit
        let mut trailing = good.clone();
        trailing.push(0);
        let mut neg_len = stream(&[], false);
        neg_len.extend([0, 1, 0xff, 0xff, 0xff, 0xfe]);
        let mut neg_count = stream(&[], false);
        neg_count.extend([0xff, 0xfe]);
        let mut huge = stream(&[], false);
        huge.extend([0, 1, 0x7f, 0xff, 0xff, 0xff]);
        for (name, s) in [
            ("signature", bad_sig),
            ("flags", flags),
            ("trailing", trailing),
            ("negative length", neg_len),
            ("negative count", neg_count),
            ("huge field", huge),
        ] {
            assert!(read_all(&s).is_err(), "{name}");
        }
    }
}

//! The fast path: Avro binary written and read straight from the model types for the
//! *current* schema of each record, without building an `apache_avro::types::Value` tree
//! (which costs a `String` per field name and a `HashMap` per record, ~10× the work).
//!
//! The generic `Value` path stays the reference: tests check that both paths produce the same
//! bytes for every fixture, and data written with older revisions (or foreign schemas) is
//! still decoded through it, with schema resolution.

mod enriched;
mod event;
mod other;

use crate::WireError;

/// Avro binary output.
pub struct Out(pub Vec<u8>);

impl Out {
    /// Zig-zag varint, the encoding of Avro `int` and `long`.
    pub fn long(&mut self, n: i64) {
        let mut z = ((n << 1) ^ (n >> 63)) as u64;
        while z >= 0x80 {
            self.0.push((z as u8) | 0x80);
            z >>= 7;
        }
        self.0.push(z as u8);
    }

    pub fn boolean(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }

    pub fn float(&mut self, f: f32) {
        self.0.extend_from_slice(&f.to_le_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.long(b.len() as i64);
        self.0.extend_from_slice(b);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// Index of a `["null", T]` union: the caller writes the value after `true`.
    pub fn some(&mut self, present: bool) {
        self.long(i64::from(present));
    }

    pub fn opt_str(&mut self, s: Option<&str>) {
        self.some(s.is_some());
        if let Some(s) = s {
            self.str(s);
        }
    }

    pub fn enum_index(&mut self, i: usize) {
        self.long(i as i64);
    }

    /// An array as one block: count, items, then the zero count that ends it.
    pub fn array<T>(&mut self, items: &[T], mut item: impl FnMut(&mut Out, &T)) {
        if !items.is_empty() {
            self.long(items.len() as i64);
            for it in items {
                item(self, it);
            }
        }
        self.long(0);
    }

    pub fn strings(&mut self, items: &[String]) {
        self.array(items, |o, s| o.str(s));
    }
}

/// Avro binary input. `record` names the record being read, for error messages.
pub struct In<'a> {
    buf: &'a [u8],
    pos: usize,
    pub record: &'static str,
}

impl<'a> In<'a> {
    pub fn new(buf: &'a [u8]) -> In<'a> {
        In {
            buf,
            pos: 0,
            record: "",
        }
    }

    pub fn finish(self) -> Result<(), WireError> {
        match self.buf.len() - self.pos {
            0 => Ok(()),
            len => Err(WireError::TrailingBytes { len }),
        }
    }

    fn truncated(&self) -> WireError {
        WireError::BodyTruncated {
            len: self.buf.len(),
        }
    }

    pub fn shape(&self, field: &'static str, problem: impl Into<String>) -> WireError {
        WireError::shape(self.record, field, problem)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len());
        let end = end.ok_or_else(|| self.truncated())?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    pub fn long(&mut self, field: &'static str) -> Result<i64, WireError> {
        let mut z: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.take(1)?[0];
            z |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok((z >> 1) as i64 ^ -((z & 1) as i64));
            }
        }
        Err(self.shape(field, "varint longer than 10 bytes"))
    }

    pub fn u32(&mut self, field: &'static str) -> Result<u32, WireError> {
        let n = self.long(field)?;
        u32::try_from(n).map_err(|_| self.shape(field, format!("{n} is out of range 0..2^32")))
    }

    pub fn boolean(&mut self, field: &'static str) -> Result<bool, WireError> {
        match self.take(1)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(self.shape(field, format!("boolean byte {b}"))),
        }
    }

    pub fn float(&mut self, _field: &'static str) -> Result<f32, WireError> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn len(&mut self, field: &'static str) -> Result<usize, WireError> {
        let n = self.long(field)?;
        let n =
            usize::try_from(n).map_err(|_| self.shape(field, format!("negative length {n}")))?;
        // A length beyond the input is truncation (or corruption): refuse before allocating.
        if n > self.buf.len() - self.pos {
            return Err(self.truncated());
        }
        Ok(n)
    }

    pub fn bytes(&mut self, field: &'static str) -> Result<Vec<u8>, WireError> {
        let n = self.len(field)?;
        Ok(self.take(n)?.to_vec())
    }

    pub fn str(&mut self, field: &'static str) -> Result<String, WireError> {
        let n = self.len(field)?;
        let b = self.take(n)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(self.shape(field, format!("invalid UTF-8 at byte {}", e.valid_up_to()))),
        }
    }

    /// Whether a `["null", T]` union holds a value.
    pub fn some(&mut self, field: &'static str) -> Result<bool, WireError> {
        match self.long(field)? {
            0 => Ok(false),
            1 => Ok(true),
            i => Err(self.shape(field, format!("union index {i} of 2 branches"))),
        }
    }

    pub fn opt_str(&mut self, field: &'static str) -> Result<Option<String>, WireError> {
        Ok(if self.some(field)? {
            Some(self.str(field)?)
        } else {
            None
        })
    }

    pub fn enum_index(&mut self, field: &'static str, symbols: usize) -> Result<usize, WireError> {
        let i = self.long(field)?;
        usize::try_from(i)
            .ok()
            .filter(|i| *i < symbols)
            .ok_or_else(|| self.shape(field, format!("enum index {i} of {symbols} symbols")))
    }

    /// An array in blocks (a negative count is followed by the block's byte size, per spec).
    pub fn array<T>(
        &mut self,
        field: &'static str,
        mut item: impl FnMut(&mut In<'a>) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        let record = self.record;
        let mut out = Vec::new();
        loop {
            let count = self.long(field)?;
            if count == 0 {
                return Ok(out);
            }
            if count < 0 {
                self.long(field)?;
            }
            let count = count.unsigned_abs() as usize;
            // Every item of our arrays takes at least one byte.
            if count > self.buf.len() - self.pos {
                return Err(self.truncated());
            }
            out.reserve(count);
            for _ in 0..count {
                out.push(item(self)?);
                self.record = record;
            }
        }
    }

    pub fn strings(&mut self, field: &'static str) -> Result<Vec<String>, WireError> {
        self.array(field, |i| i.str(field))
    }
}

/// Direct binary conversion of a record in its current schema; implemented for every
/// [`crate::Record`] (a supertrait, so the set of records stays closed).
pub trait Direct: Sized {
    #[doc(hidden)]
    fn write(&self, out: &mut Out);
    #[doc(hidden)]
    fn read(input: &mut In<'_>) -> Result<Self, WireError>;
}

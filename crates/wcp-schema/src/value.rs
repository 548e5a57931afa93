//! Small helpers to build and take apart Avro `Value`s, so each record's conversion reads
//! like its schema. Every shape problem becomes a [`WireError::Shape`] naming the record and
//! field, never a panic: decoded values come from untrusted bytes.

use apache_avro::types::Value;

use crate::WireError;

/// A record value from its fields, in schema order.
pub(crate) fn record(fields: Vec<(&'static str, Value)>) -> Value {
    Value::Record(
        fields
            .into_iter()
            .map(|(name, v)| (name.to_string(), v))
            .collect(),
    )
}

pub(crate) fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

/// An `["null", T]` union.
pub(crate) fn optional(v: Option<Value>) -> Value {
    match v {
        None => Value::Union(0, Box::new(Value::Null)),
        Some(v) => Value::Union(1, Box::new(v)),
    }
}

/// An enum value; `symbols` is the schema's symbol list, `symbol` must be one of them.
pub(crate) fn symbol(symbols: &[&str], symbol: &str) -> Value {
    let index = symbols.iter().position(|s| *s == symbol).unwrap_or(0);
    Value::Enum(index as u32, symbol.to_string())
}

pub(crate) fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| string(s)).collect())
}

pub(crate) fn timestamp(ms: i64) -> Value {
    Value::TimestampMillis(ms)
}

/// The fields of one decoded record, taken out one by one by name.
pub(crate) struct Fields {
    record: &'static str,
    fields: Vec<(String, Value)>,
    /// Fields are almost always taken in schema order: start looking here.
    next: usize,
}

impl Fields {
    pub(crate) fn of(record: &'static str, v: Value) -> Result<Fields, WireError> {
        match v {
            Value::Record(fields) => Ok(Fields {
                record,
                fields,
                next: 0,
            }),
            other => Err(WireError::shape(
                record,
                "",
                kind_problem("a record", &other),
            )),
        }
    }

    pub(crate) fn value(&mut self, field: &'static str) -> Result<Value, WireError> {
        let n = self.fields.len();
        for i in (self.next..n).chain(0..self.next) {
            if self.fields[i].0 == field {
                self.next = i + 1;
                return Ok(std::mem::replace(&mut self.fields[i].1, Value::Null));
            }
        }
        Err(WireError::shape(self.record, field, "missing"))
    }

    pub(crate) fn string(&mut self, field: &'static str) -> Result<String, WireError> {
        let v = self.value(field)?;
        as_string(self.record, field, v)
    }

    pub(crate) fn bytes(&mut self, field: &'static str) -> Result<Vec<u8>, WireError> {
        match self.value(field)? {
            Value::Bytes(b) => Ok(b),
            other => Err(WireError::shape(
                self.record,
                field,
                kind_problem("bytes", &other),
            )),
        }
    }

    pub(crate) fn boolean(&mut self, field: &'static str) -> Result<bool, WireError> {
        let v = self.value(field)?;
        as_bool(self.record, field, v)
    }

    /// A `long`, also accepting `int` and `timestamp-millis` (what resolution may produce).
    pub(crate) fn long(&mut self, field: &'static str) -> Result<i64, WireError> {
        let v = self.value(field)?;
        as_long(self.record, field, v)
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, WireError> {
        let n = self.long(field)?;
        u32::try_from(n).map_err(|_| {
            WireError::shape(self.record, field, format!("{n} is out of range 0..2^32"))
        })
    }

    pub(crate) fn float(&mut self, field: &'static str) -> Result<f32, WireError> {
        match self.value(field)? {
            Value::Float(f) => Ok(f),
            Value::Double(d) => Ok(d as f32),
            other => Err(WireError::shape(
                self.record,
                field,
                kind_problem("a float", &other),
            )),
        }
    }

    /// An enum's symbol (symbols, not indexes, survive schema resolution unchanged).
    pub(crate) fn symbol(&mut self, field: &'static str) -> Result<String, WireError> {
        let v = self.value(field)?;
        as_symbol(self.record, field, v)
    }

    pub(crate) fn array(&mut self, field: &'static str) -> Result<Vec<Value>, WireError> {
        match self.value(field)? {
            Value::Array(items) => Ok(items),
            other => Err(WireError::shape(
                self.record,
                field,
                kind_problem("an array", &other),
            )),
        }
    }

    /// An array of records, each converted by `convert` from its own [`Fields`].
    pub(crate) fn records<T>(
        &mut self,
        field: &'static str,
        item_record: &'static str,
        convert: impl Fn(&mut Fields) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        self.array(field)?
            .into_iter()
            .map(|v| convert(&mut Fields::of(item_record, v)?))
            .collect()
    }

    pub(crate) fn strings(&mut self, field: &'static str) -> Result<Vec<String>, WireError> {
        let record = self.record;
        self.array(field)?
            .into_iter()
            .map(|v| as_string(record, field, v))
            .collect()
    }

    /// The value of an `["null", T]` union field (a bare `null` is accepted too).
    pub(crate) fn optional(&mut self, field: &'static str) -> Result<Option<Value>, WireError> {
        Ok(match self.value(field)? {
            Value::Null => None,
            Value::Union(_, inner) => match *inner {
                Value::Null => None,
                v => Some(v),
            },
            v => Some(v),
        })
    }

    pub(crate) fn opt_string(&mut self, field: &'static str) -> Result<Option<String>, WireError> {
        let record = self.record;
        self.optional(field)?
            .map(|v| as_string(record, field, v))
            .transpose()
    }

    pub(crate) fn opt_long(&mut self, field: &'static str) -> Result<Option<i64>, WireError> {
        let record = self.record;
        self.optional(field)?
            .map(|v| as_long(record, field, v))
            .transpose()
    }

    pub(crate) fn opt_bool(&mut self, field: &'static str) -> Result<Option<bool>, WireError> {
        let record = self.record;
        self.optional(field)?
            .map(|v| as_bool(record, field, v))
            .transpose()
    }

    pub(crate) fn opt_symbol(&mut self, field: &'static str) -> Result<Option<String>, WireError> {
        let record = self.record;
        self.optional(field)?
            .map(|v| as_symbol(record, field, v))
            .transpose()
    }

    /// A symbol error for this record's `field`, for callers mapping symbols to Rust enums.
    pub(crate) fn bad_symbol(&self, field: &'static str, symbol: &str) -> WireError {
        WireError::shape(self.record, field, format!("unknown symbol `{symbol}`"))
    }
}

fn as_string(record: &'static str, field: &'static str, v: Value) -> Result<String, WireError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(WireError::shape(
            record,
            field,
            kind_problem("a string", &other),
        )),
    }
}

fn as_bool(record: &'static str, field: &'static str, v: Value) -> Result<bool, WireError> {
    match v {
        Value::Boolean(b) => Ok(b),
        other => Err(WireError::shape(
            record,
            field,
            kind_problem("a boolean", &other),
        )),
    }
}

fn as_long(record: &'static str, field: &'static str, v: Value) -> Result<i64, WireError> {
    match v {
        Value::Long(n) | Value::TimestampMillis(n) => Ok(n),
        Value::Int(n) => Ok(i64::from(n)),
        other => Err(WireError::shape(
            record,
            field,
            kind_problem("a long", &other),
        )),
    }
}

fn as_symbol(record: &'static str, field: &'static str, v: Value) -> Result<String, WireError> {
    match v {
        Value::Enum(_, s) => Ok(s),
        other => Err(WireError::shape(
            record,
            field,
            kind_problem("an enum", &other),
        )),
    }
}

/// Names the kind of value found, never its content (which may be chat text or PII).
fn kind_problem(expected: &str, found: &Value) -> String {
    let kind = apache_avro::schema::SchemaKind::from(found);
    format!("expected {expected}, found {kind:?}")
}

//! [`Record`] for every type that crosses a topic: each impl names its schema and delegates to
//! explicit `Value` conversions. Explicit rather than serde-derived because the model's serde
//! shapes are JSON-first (`EventKind` is internally tagged, `Vec<u8>` is a list of numbers)
//! and do not map onto Avro's enums, unions and `bytes`.

mod enriched;
mod event;
mod other;

use apache_avro::types::Value;
use apache_avro::Schema;
use wcp_model::{Alert, AnonymisedEvent, ChatEvent, ConsentRecord, DeadLetter, EnrichedEvent};

use crate::registry::codec;
use crate::{raw, RawEnvelope, Record, WireError};

macro_rules! impl_record {
    ($ty:ty, $name:literal, $to:path, $from:path) => {
        impl Record for $ty {
            const NAME: &'static str = $name;
            fn schema() -> &'static Schema {
                codec($name).schema
            }
            fn to_avro(&self) -> Value {
                $to(self)
            }
            fn from_avro(v: Value) -> Result<Self, WireError> {
                $from(v)
            }
        }
    };
}

impl_record!(
    RawEnvelope,
    "RawEnvelope",
    raw::raw_to_avro,
    raw::raw_from_avro
);
impl_record!(
    ChatEvent,
    "ChatEvent",
    event::chat_event_to_avro,
    event::chat_event_from_avro
);
impl_record!(
    EnrichedEvent,
    "EnrichedEvent",
    enriched::enriched_to_avro,
    enriched::enriched_from_avro
);
impl_record!(
    ConsentRecord,
    "ConsentRecord",
    other::consent_record_to_avro,
    other::consent_record_from_avro
);
impl_record!(Alert, "Alert", other::alert_to_avro, other::alert_from_avro);
impl_record!(
    AnonymisedEvent,
    "AnonymisedEvent",
    other::anonymised_to_avro,
    other::anonymised_from_avro
);
impl_record!(
    DeadLetter,
    "DeadLetter",
    other::dead_letter_to_avro,
    other::dead_letter_from_avro
);

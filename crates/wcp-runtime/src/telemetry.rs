//! Logs (`tracing`, JSON when `WCP_LOG_FORMAT=json`) and W3C trace context carried in the
//! `traceparent` Kafka header: extracted on consume, a child span per record, injected on
//! produce. Spans are created with the OpenTelemetry SDK so ids are real and sampled flags
//! propagate. With the `otlp` cargo feature they are exported over OTLP/HTTP when the
//! standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) variable is set; the
//! exporter reads the other `OTEL_*` variables itself.

use std::collections::HashMap;

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider};
use opentelemetry::Context;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

/// Installs the log subscriber (`RUST_LOG` filter, default `info`, with the rdkafka crate's
/// own messages at `warn`: its default contexts log each statistics document at INFO).
/// Colours only on a terminal: a log file or a container log gets plain text (or JSON).
pub fn init_logs() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rdkafka=warn"));
    let json = std::env::var("WCP_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // A log line that cannot be written (the log's disk full, a closed pipe) is lost,
        // never a panic: the default reports it with `eprintln!`, which panics on the same
        // error and took down the archiver's SQLite thread (tests/e2e_faults.rs, disk full).
        .log_internal_errors(false)
        .with_ansi(std::io::stderr().is_terminal());
    // A second init (tests) is harmless: keep the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The tracer provider, and whether it exports.
#[cfg(feature = "otlp")]
fn provider(service: &str) -> (SdkTracerProvider, bool) {
    let wanted = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    let builder = SdkTracerProvider::builder().with_resource(
        opentelemetry_sdk::Resource::builder()
            .with_service_name(format!("wcp-{service}"))
            .build(),
    );
    if !wanted {
        return (builder.build(), false);
    }
    match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => {
            tracing::info!("exporting spans over OTLP/HTTP");
            (builder.with_batch_exporter(exporter).build(), true)
        }
        Err(e) => {
            tracing::warn!(error = %e, "OTLP exporter unavailable; spans are not exported");
            (builder.build(), false)
        }
    }
}

#[cfg(not(feature = "otlp"))]
fn provider(_service: &str) -> (SdkTracerProvider, bool) {
    if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some() {
        tracing::warn!("OTEL_EXPORTER_OTLP_ENDPOINT is set but this build has no `otlp` feature");
    }
    (SdkTracerProvider::builder().build(), false)
}

/// Creates per-record spans linked to the incoming `traceparent`.
pub struct Tracing {
    tracer: SdkTracer,
    provider: SdkTracerProvider,
    propagator: TraceContextPropagator,
    span_name: String,
    /// Spans leave the process (OTLP configured): worth starting traces at the first hop.
    exporting: bool,
}

struct HeaderView<'a>(&'a [(String, Vec<u8>)]);

impl Extractor for HeaderView<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

struct MapInjector(HashMap<String, String>);

impl Injector for MapInjector {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
}

impl Tracing {
    pub fn new(service: &str) -> Tracing {
        let (provider, exporting) = provider(service);
        Tracing {
            tracer: provider.tracer("wcp"),
            provider,
            propagator: TraceContextPropagator::new(),
            span_name: format!("wcp-{service} process"),
            exporting,
        }
    }

    /// The `traceparent` value for records derived from a record with `headers`: a new span
    /// that is a child of the incoming context. Without a valid incoming context a new trace
    /// starts only when spans are exported; otherwise `None`, so untraced traffic costs
    /// nothing.
    pub fn child_traceparent(&self, headers: &[(String, Vec<u8>)]) -> Option<Vec<u8>> {
        let view = HeaderView(headers);
        let parent = match view.get("traceparent") {
            Some(_) => self.propagator.extract(&view),
            None if self.exporting => Context::new(),
            None => return None,
        };
        if !parent.span().span_context().is_valid() && !self.exporting {
            return None;
        }
        let span = self
            .tracer
            .start_with_context(self.span_name.clone(), &parent);
        let cx = Context::current_with_span(span);
        let mut inj = MapInjector(HashMap::new());
        self.propagator.inject_context(&cx, &mut inj);
        inj.0.remove("traceparent").map(String::into_bytes)
    }
}

impl Drop for Tracing {
    /// Flushes spans still queued for export.
    fn drop(&mut self) {
        let _ = self.provider.shutdown();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_keeps_trace_id_and_changes_span() {
        let t = Tracing::new("test");
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let h = vec![("traceparent".to_string(), parent.as_bytes().to_vec())];
        let child = String::from_utf8(t.child_traceparent(&h).unwrap()).unwrap();
        assert!(
            child.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"),
            "{child}"
        );
        assert!(!child.contains("00f067aa0ba902b7"));
        assert!(child.ends_with("-01"));
        assert!(t.child_traceparent(&[]).is_none());
        let bad = vec![("traceparent".to_string(), b"garbage".to_vec())];
        assert!(t.child_traceparent(&bad).is_none());
    }
}

//! Which region's queue an alert goes to. Pure: no archive, no clock.
//!
//! Since `Alert` revision 3 the alerter names the region whose archive holds the message (the
//! retention tag the archiver files it by), so the console files the alert there at once,
//! whether or not the archiver has caught up (trial 15d D9: an archive blocked for 7 minutes
//! sent hk alerts to cn and slowed consumption to 500 alerts a minute). Only alerts without a
//! region (revision 1-2 data, capture alerts) are still looked up in the archives.

use wcp_model::Alert;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The queue of the console's region at this index.
    Region(usize),
    /// The alert names a region this console does not serve. It is dead-lettered (to
    /// `chat.dlq` with the reason, original bytes kept for a replay into a console that
    /// serves it), never queued elsewhere: a reviewer of another region must not see it
    /// (residency), and no archive here holds its message.
    Unserved(String),
    /// No region named: look the message up in every archive; while none holds it, wait up
    /// to `route_wait_ms`, then the first region (the routing before revision 3).
    Lookup,
}

/// Where `alert` goes, given the regions the console serves (in `WCP_REGIONS` order).
pub fn route(alert: &Alert, served: &[&str]) -> Route {
    match alert.region.as_deref() {
        Some(r) if !r.is_empty() => match served.iter().position(|s| *s == r) {
            Some(i) => Route::Region(i),
            None => Route::Unserved(r.to_string()),
        },
        // A region-less alert about no message (seq_gap, expired capture data): no archive
        // will ever hold it, so waiting for one only stalls the consumer.
        _ if alert.msgid.is_empty() => Route::Region(0),
        _ => Route::Lookup,
    }
}

/// The dead-letter reason of an alert for a region the console does not serve.
pub fn unserved_reason(region: &str, served: &[&str]) -> wcp_model::DeadLetterReason {
    wcp_model::DeadLetterReason::InvalidField {
        field: "region".into(),
        problem: format!(
            "the alert's message is archived in region {region}, which this review console \
             does not serve (WCP_REGIONS: {}); replay it into a console that serves {region}",
            served.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_model::Severity;

    fn alert(msgid: &str, region: Option<&str>) -> Alert {
        Alert {
            alert_id: format!("{msgid}:x"),
            msgid: msgid.into(),
            conversation_id: "a|b".into(),
            category: "guarantee_of_returns".into(),
            severity: Severity::High,
            rule_id: "r".into(),
            time_ms: 0,
            evidence: Vec::new(),
            region: region.map(String::from),
        }
    }

    const SERVED: [&str; 3] = ["cn", "hk", "sg"];

    #[test]
    fn an_alert_naming_a_served_region_goes_there_without_a_lookup() {
        assert_eq!(route(&alert("m", Some("cn")), &SERVED), Route::Region(0));
        assert_eq!(route(&alert("m", Some("hk")), &SERVED), Route::Region(1));
        assert_eq!(route(&alert("m", Some("sg")), &SERVED), Route::Region(2));
        // Even with an empty msgid: the region said where it belongs.
        assert_eq!(route(&alert("", Some("sg")), &SERVED), Route::Region(2));
    }

    #[test]
    fn an_alert_naming_a_region_not_served_is_not_queued_elsewhere() {
        assert_eq!(
            route(&alert("m", Some("eu")), &SERVED),
            Route::Unserved("eu".into())
        );
        // Names are exact: `HK` is not `hk`.
        assert_eq!(
            route(&alert("m", Some("HK")), &SERVED),
            Route::Unserved("HK".into())
        );
        assert_eq!(
            route(&alert("m", Some("hk")), &["cn"]),
            Route::Unserved("hk".into())
        );
        let why = unserved_reason("hk", &["cn"]).to_string();
        assert!(
            why.contains("region hk") && why.contains("WCP_REGIONS: cn"),
            "{why}"
        );
    }

    #[test]
    fn an_alert_without_region_is_looked_up_unless_it_has_no_message() {
        assert_eq!(route(&alert("m", None), &SERVED), Route::Lookup);
        assert_eq!(route(&alert("m", Some("")), &SERVED), Route::Lookup);
        assert_eq!(route(&alert("", None), &SERVED), Route::Region(0));
    }
}

//! Gold and predicted rows, read leniently from JSON values the way score.py
//! reads them: a missing list is empty, ids compare as strings.
use serde_json::Value;

/// A typed span (PII type or risk category), code-point offsets.
pub type Span = (String, u64, u64);

/// One labelled row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gold {
    pub id: String,
    /// `business`, `personal`, `mixed` or absent.
    pub class: Option<String>,
    pub risk: Vec<String>,
    pub pii: Vec<Span>,
}

/// One prediction (a `wcp detect` output line).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pred {
    pub id: String,
    pub class: Option<String>,
    pub risks: Vec<String>,
    /// (category, rule) of each alerting risk, when the prediction names its rule (`wcp detect`
    /// does); for the confusion breakdown.
    pub risk_rules: Vec<(String, String)>,
    pub pii: Vec<Span>,
}

/// score.py keys rows by `str(id)`; JSON strings are used as they are.
pub fn id_of(v: &Value) -> Option<String> {
    match v.get("id")? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn spans(v: &Value, key: &str, type_key: &str) -> Vec<Span> {
    let Some(list) = v.get(key).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|s| {
            let t = s.get(type_key).and_then(Value::as_str)?.to_string();
            Some((t, s.get("start")?.as_u64()?, s.get("end")?.as_u64()?))
        })
        .collect()
}

/// Strings of the list under `key`: the items themselves, or each item's
/// `field` when given (predicted risks are objects with a category).
fn strings(v: &Value, key: &str, field: Option<&str>) -> Vec<String> {
    let Some(list) = v.get(key).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        // A risk that `wcp detect` reports with `"alert": false` raised no alert: not a prediction.
        .filter(|item| item.get("alert").and_then(Value::as_bool) != Some(false))
        .filter_map(|item| match field {
            Some(f) => item.get(f)?.as_str(),
            None => item.as_str(),
        })
        .map(str::to_string)
        .collect()
}

impl Gold {
    /// `None` when the row has no id (score.py skips it too).
    pub fn from_value(v: &Value) -> Option<Gold> {
        Some(Gold {
            id: id_of(v)?,
            class: v.get("class").and_then(Value::as_str).map(str::to_string),
            risk: strings(v, "risk", None),
            pii: spans(v, "pii", "type"),
        })
    }
}

/// (category, rule) of each alerting predicted risk; "(no rule)" when the output has none.
fn rules(v: &Value) -> Vec<(String, String)> {
    let Some(list) = v.get("risks").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter(|item| item.get("alert").and_then(Value::as_bool) != Some(false))
        .filter_map(|item| {
            let cat = item.get("category")?.as_str()?.to_string();
            let rule = item
                .get("rule")
                .and_then(Value::as_str)
                .unwrap_or("(no rule)");
            Some((cat, rule.to_string()))
        })
        .collect()
}

impl Pred {
    pub fn from_value(v: &Value) -> Option<Pred> {
        Some(Pred {
            id: id_of(v)?,
            class: v.get("class").and_then(Value::as_str).map(str::to_string),
            risks: strings(v, "risks", Some("category")),
            risk_rules: rules(v),
            pii: spans(v, "pii", "type"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_gold_and_pred() {
        let g = Gold::from_value(&json!({"id": 7, "class": "business", "risk": ["complaint"],
            "pii": [{"type": "PERSON", "start": 0, "end": 3, "text": "张伟明"}]}))
        .unwrap();
        assert_eq!(g.id, "7");
        assert_eq!(g.pii, vec![("PERSON".to_string(), 0, 3)]);
        assert_eq!(g.risk, vec!["complaint"]);
        let p = Pred::from_value(&json!({"id": "d1", "class": "personal",
            "risks": [{"category": "off_channel", "start": 1, "end": 2}]}))
        .unwrap();
        assert_eq!((p.id.as_str(), p.risks.len(), p.pii.len()), ("d1", 1, 0));
        let v = serde_json::json!({"id": "d2", "class": "business", "risks": [
            {"category": "off_channel", "alert": false}, {"category": "complaint", "alert": true}]});
        assert_eq!(Pred::from_value(&v).unwrap().risks, ["complaint"]);
        assert!(Gold::from_value(&json!({"text": "no id"})).is_none());
    }
}

//! The queue query: filters, sort, a page, and counts per status / category / severity for
//! the same filters. Parameters only; the sort column comes from a closed enum.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use crate::actions::Status;
use crate::db::RegionStore;
use crate::error::ReviewError;
use crate::items::{scope_clause, Item};
use crate::roles::Scope;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Pending, in review or escalated.
    #[default]
    Open,
    Pending,
    InReview,
    Escalated,
    Closed,
    All,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 6] = [
        StatusFilter::Open,
        StatusFilter::Pending,
        StatusFilter::InReview,
        StatusFilter::Escalated,
        StatusFilter::Closed,
        StatusFilter::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Pending => "pending",
            StatusFilter::InReview => "in_review",
            StatusFilter::Escalated => "escalated",
            StatusFilter::Closed => "closed",
            StatusFilter::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<StatusFilter> {
        StatusFilter::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn statuses(self) -> Option<Vec<Status>> {
        match self {
            StatusFilter::Open => Some(vec![Status::Pending, Status::InReview, Status::Escalated]),
            StatusFilter::Pending => Some(vec![Status::Pending]),
            StatusFilter::InReview => Some(vec![Status::InReview]),
            StatusFilter::Escalated => Some(vec![Status::Escalated]),
            StatusFilter::Closed => Some(vec![Status::Closed]),
            StatusFilter::All => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Severity,
}

impl Sort {
    /// The time order of `items_time`, when this sort is one.
    fn time_order(self) -> Option<&'static str> {
        match self {
            Sort::Newest => Some("DESC"),
            Sort::Oldest => Some("ASC"),
            Sort::Severity => None,
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            Sort::Newest => "time_ms DESC, id DESC",
            Sort::Oldest => "time_ms ASC, id ASC",
            Sort::Severity => "severity DESC, time_ms ASC, id ASC",
        }
    }
}

/// Queue filters; every set field must match. Times are epoch ms, `to_ms` exclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub status: StatusFilter,
    pub category: Option<String>,
    pub severity: Option<i64>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub participant: Option<String>,
    pub rule_id: Option<String>,
    pub kind: Option<String>,
    /// Only items assigned to this person.
    pub assignee: Option<String>,
}

impl Filter {
    fn clauses(&self, scope: &Scope, with_status: bool) -> (String, Vec<Value>) {
        let mut c: Vec<String> = Vec::new();
        let mut p: Vec<Value> = Vec::new();
        scope_clause(scope, &mut c, &mut p);
        if with_status {
            if let Some(sts) = self.status.statuses() {
                c.push(format!("status IN ({})", vec!["?"; sts.len()].join(", ")));
                p.extend(sts.iter().map(|s| Value::from(s.as_str().to_string())));
            }
        }
        let mut eq = |col: &str, v: Option<Value>| {
            if let Some(v) = v {
                c.push(format!("{col} = ?"));
                p.push(v);
            }
        };
        eq("category", self.category.clone().map(Value::from));
        eq("severity", self.severity.map(Value::from));
        eq("rule_id", self.rule_id.clone().map(Value::from));
        eq("kind", self.kind.clone().map(Value::from));
        eq("assignee", self.assignee.clone().map(Value::from));
        if let Some(t) = self.from_ms {
            c.push("time_ms >= ?".into());
            p.push(t.into());
        }
        if let Some(t) = self.to_ms {
            c.push("time_ms < ?".into());
            p.push(t.into());
        }
        if let Some(who) = &self.participant {
            c.push("id IN (SELECT item_id FROM item_people WHERE participant = ?)".into());
            p.push(who.clone().into());
        }
        let w = if c.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", c.join(" AND "))
        };
        (w, p)
    }
}

/// How many items `list` tests one by one in time order before it sorts every match.
const IN_ORDER_ROWS: u64 = 20_000;

/// One page of the queue.
pub fn list(
    store: &RegionStore,
    scope: &Scope,
    f: &Filter,
    sort: Sort,
    offset: u64,
    limit: u64,
) -> Result<Vec<Item>, ReviewError> {
    list_probing(store, scope, f, sort, offset, limit, IN_ORDER_ROWS)
}

/// [`list`] testing up to `budget` items one by one in time order first (0: filter and
/// sort every match). Public for the tests that compare both paths.
#[doc(hidden)]
pub fn list_probing(
    store: &RegionStore,
    scope: &Scope,
    f: &Filter,
    sort: Sort,
    offset: u64,
    limit: u64,
    budget: u64,
) -> Result<Vec<Item>, ReviewError> {
    let (w, p) = f.clauses(scope, true);
    let conn = store.store.conn();
    let anchor = f.category.as_deref();
    if let Some(ids) = first_in_time_order(conn, sort, anchor, &w, &p, offset + limit, budget)? {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {} FROM items WHERE id = ?1",
            crate::items::COLUMNS
        ))?;
        return ids
            .into_iter()
            .skip(offset as usize)
            .map(|id| Ok(stmt.query_row([id], crate::items::row_to_item)?))
            .collect();
    }
    let sql = format!(
        "SELECT {} FROM items{w} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        crate::items::COLUMNS,
        sort.order_by()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(p), crate::items::row_to_item)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The ids of the first `want` items matching `w` in the sort's time order, if they are
/// among the first `budget` items of that order (of `category`'s items when set), read
/// through `items_time` (`items_category_time`), each tested as read, stopping at `want`;
/// else None. The open queue of one category fills a page from its newest items, where the
/// filtered plan reads every open item of the category (tens of thousands) and sorts them.
fn first_in_time_order(
    conn: &rusqlite::Connection,
    sort: Sort,
    category: Option<&str>,
    w: &str,
    p: &[Value],
    want: u64,
    budget: u64,
) -> Result<Option<Vec<i64>>, ReviewError> {
    let Some(order) = sort.time_order() else {
        return Ok(None);
    };
    if want == 0 {
        return Ok(Some(Vec::new()));
    }
    let test = w.strip_prefix(" WHERE ").unwrap_or("1");
    let mut params = p.to_vec();
    let (index, range) = match category {
        Some(c) => {
            params.push(Value::from(c.to_string()));
            (
                "items_category_time",
                format!("category = ?{}", params.len()),
            )
        }
        None => ("items_time", "1".to_string()),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, ({test}) FROM items INDEXED BY {index} WHERE {range} \
         ORDER BY time_ms {order}, id {order} LIMIT {budget}"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    Ok(wcp_archive::probe::first_matching(&mut rows, want)?)
}

/// What to count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountBy {
    Status,
    Category,
    Severity,
}

/// Counts for the filters (the status filter left out when counting by status, so every
/// tab shows its number).
pub fn count_by(
    store: &RegionStore,
    scope: &Scope,
    f: &Filter,
    by: CountBy,
) -> Result<Vec<(String, u64)>, ReviewError> {
    let (col, with_status) = match by {
        CountBy::Status => ("status", false),
        CountBy::Category => ("category", true),
        CountBy::Severity => ("CAST(severity AS TEXT)", true),
    };
    let (w, p) = f.clauses(scope, with_status);
    let sql = format!("SELECT {col}, COUNT(*) FROM items{w} GROUP BY 1 ORDER BY 1");
    let mut stmt = store.store.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(p), |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Open items per (category, severity rank).
pub type Depth = Vec<(String, i64, u64)>;

/// Open items per (category, severity) and the oldest pending item's time: for /metrics.
pub fn depth(store: &RegionStore) -> Result<(Depth, Option<i64>), ReviewError> {
    let conn = store.store.conn();
    // Grouped by status first so SQLite reads the covering index `items_depth` in order
    // (no temporary b-tree, no table rows); the open statuses are summed here.
    let mut stmt = conn.prepare_cached(
        "SELECT category, severity, COUNT(*) FROM items WHERE status <> 'closed' \
         GROUP BY status, category, severity",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
    })?;
    let mut sums: std::collections::BTreeMap<(String, i64), u64> = Default::default();
    for row in rows {
        let (category, severity, n): (String, i64, u64) = row?;
        *sums.entry((category, severity)).or_default() += n;
    }
    let depth = sums.into_iter().map(|((c, s), n)| (c, s, n)).collect();
    let oldest: Option<i64> = conn.query_row(
        "SELECT MIN(created_ms) FROM items WHERE status = 'pending'",
        [],
        |r| r.get(0),
    )?;
    Ok((depth, oldest))
}

/// Oldest pending creation time per severity (the SLA alert needs high severity).
pub fn oldest_pending_by_severity(store: &RegionStore) -> Result<Vec<(i64, i64)>, ReviewError> {
    let mut stmt = store.store.conn().prepare_cached(
        "SELECT severity, MIN(created_ms) FROM items WHERE status = 'pending' GROUP BY 1",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

//! A close as breach keeps its evidence (trial 18c D3): before the close is recorded, the
//! alert's message is placed under a legal hold in its region's archive, by the same
//! chained `hold_place` record as the Holds page (so `wcp archive expire` keeps it and lists
//! it with `--list-kept`). The hold names the alert in its case id and the disposer as its
//! actor; a reopen leaves it in place, only releasing the hold on the Holds page ends it.

use wcp_archive::{HoldRequest, HoldScope};
use wcp_review::actions::Act;
use wcp_review::items::Item;
use wcp_review::ReviewError;

use crate::auth::Authed;
use crate::pages::alert::access;
use crate::pages::holds::{arch_err, writer};
use crate::region::ArchiveState;
use crate::state::Console;

/// The case id of the hold a breach finding places: the alert, readable on the Holds page
/// and in `wcp archive hold list`.
pub fn case_id(region: &str, id: i64) -> String {
    format!("alert {region}/{id} breach")
}

/// Places (or finds, after a reopen and a second close) the hold on the item's message and
/// returns the act that records it in the alert's history; None when this console has no
/// archive for the region, or none exists yet (the message is not archived there). An error
/// refuses the close: a breach finding is not recorded without its evidence kept.
pub fn place(c: &Console, a: &Authed, region: &str, it: &Item) -> Result<Option<Act>, ReviewError> {
    let r = c.region(region).ok_or(ReviewError::NotFound)?;
    // Opening first: `state` says NotYetCreated for a file not opened yet.
    if r.archive().is_none()
        && matches!(r.state(), ArchiveState::None | ArchiveState::NotYetCreated)
    {
        return Ok(None);
    }
    let case_id = case_id(region, it.id);
    let scope = HoldScope::Message(it.new.msgid.clone());
    let mut w = writer(r, &a.user)?;
    let existing = w
        .list_holds(false)
        .map_err(arch_err)?
        .into_iter()
        .find(|h| h.scope == scope && h.case_id == case_id);
    let hold = match existing {
        Some(h) => h,
        None => {
            let req = HoldRequest {
                scope,
                reason: format!("evidence of alert {region}/{}, closed as breach", it.id),
                case_id: case_id.clone(),
            };
            let h = w.place_hold(&req, &a.user).map_err(arch_err)?;
            c.audit(access(
                a,
                "hold_place",
                serde_json::json!({ "region": region, "hold": h.id, "case_id": h.case_id, "scope": h.scope, "messages": 1 }),
                &req.reason,
            ))?;
            h
        }
    };
    Ok(Some(Act::Hold {
        region: region.to_string(),
        hold: hold.id,
        case_id,
    }))
}

//! One file per screen. Handlers extract (a role guard, the query or form), call one
//! function of `wcp-review` / `wcp-archive` off the async threads, write the access record,
//! and render.
pub mod admin;
pub mod alert;
pub mod audit;
pub mod breach_hold;
pub mod bulk;
pub mod consent;
pub mod export;
pub mod holds;
pub mod integrity;
pub mod oidc;
pub mod params;
pub mod queue;
pub mod search;
pub mod signin;

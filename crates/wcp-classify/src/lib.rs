//! wcp-classify: decides per message whether it is the firm's business or
//! the employee's personal chat, and says why.
//!
//! The costly error is calling business personal (a missing record is a
//! books-and-records violation), so the policy only calls a message personal
//! when the model is confident; everything below that confidence is business.
//!
//! Layout: `class` (the `Class` label and the decision record), `context`
//! (event features and their log-odds priors), `policy` (per-tenant
//! threshold), `classifier` (the model + policy, built-in model embedded from
//! `model/business.wctm`), `corpus` (labelled JSON Lines → training examples,
//! used by `wcp train` and by the test that rebuilds the shipped model).
mod class;
mod classifier;
mod context;
pub mod corpus;
mod policy;

pub use class::{Class, ClassDecision};
pub use classifier::{BusinessClassifier, ClassifyError};
pub use context::{is_sensitive_id, EventContext};
pub use policy::Policy;

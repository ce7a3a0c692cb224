//! Venues: where a paper was accepted. For now, the claims authors make in arXiv comments and
//! journal refs ([`detect`]); OpenReview and curated lists come with the rest of the venues issue.

pub mod detect;

pub use detect::{Claim, ClaimKind, detect};

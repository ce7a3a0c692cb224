//! Venues: where a paper was accepted. For now, the claims authors make in arXiv comments and
//! journal refs (the rules live in core, since the search index reads them too); OpenReview and
//! curated lists come with the rest of the venues issue.

pub use papers_core::venue::{Claim, ClaimKind, detect};

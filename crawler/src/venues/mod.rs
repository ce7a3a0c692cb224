//! Venues: where papers were accepted, from three sources.
//!
//! - the claims authors make in arXiv comments and journal refs ([`detect`]; the rules live in
//!   core, since the index sync stores them as links);
//! - OpenReview's API v2 ([`openreview`]: `papers venues import openreview ICLR.2026`);
//! - curated JSON Lines lists ([`curated`]: `papers venues import jsonl FILE`).
//!
//! [`import::import_records`] stores the last two: one link per paper and edition, on the paper
//! it matches, or on a paper of its own when it is not on arXiv.

pub mod curated;
pub mod import;
pub mod openreview;
pub mod record;

pub use import::{VenueImportReport, import_records};
pub use papers_core::venue::{Claim, ClaimKind, detect};
pub use record::VenueRecord;

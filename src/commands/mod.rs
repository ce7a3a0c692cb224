//! One module per subcommand.

pub mod crawl;
pub mod demo;
pub mod fetch;
pub mod import;
pub mod index;
pub mod search;
pub mod serve;
pub mod summarize;
pub mod venues;

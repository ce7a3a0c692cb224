//! Support shared by the integration tests (each test file declares `mod support;`).

pub mod kill;
pub mod mock_arxiv;
pub mod mock_openreview;
pub mod server;

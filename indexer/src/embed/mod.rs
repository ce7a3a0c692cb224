//! Embedders: text in, a unit vector out, so cosine similarity is a dot product.
//!
//! - [`lsa::Lsa`]: latent semantic analysis trained on the Store's own papers; needs no download,
//!   the default;
//! - [`minilm::MiniLm`]: all-MiniLM-L6-v2 in-process with candle, when its weights are present;
//! - [`api::ApiEmbedder`]: any OpenAI-compatible `/v1/embeddings` endpoint.
//!
//! [`AnyEmbedder`] is whichever the configuration chose.
//!
//! Every embedder has a name that changes whenever its vectors would (a retrained model, another
//! model): the Store keys vectors by (paper, version, embedder name), so switching embedders or
//! rebuilding the index recomputes nothing that is still valid.

pub mod api;
pub mod lsa;
pub mod minilm;

use std::future::Future;

use papers_core::Paper;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(transparent)]
    Lsa(#[from] lsa::LsaError),
    #[error("embedding service: {0}")]
    Service(String),
    #[error("{0}")]
    Model(String),
}

pub trait Embedder: Send + Sync {
    /// Names the vectors this embedder makes (model and version).
    fn name(&self) -> &str;
    /// One unit vector per text, in order (all zeros for a text the embedder can make nothing of).
    fn embed(
        &self,
        texts: &[&str],
    ) -> impl Future<Output = Result<Vec<Vec<f32>>, EmbedError>> + Send;
}

impl Embedder for lsa::Lsa {
    fn name(&self) -> &str {
        lsa::Lsa::name(self)
    }

    async fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts
            .iter()
            .map(|text| lsa::Lsa::embed(self, text))
            .collect())
    }
}

/// What of a paper is embedded: its title and abstract.
pub fn paper_text(paper: &Paper) -> String {
    format!("{}. {}", paper.title, paper.abstract_text)
}

/// The configured embedder.
pub enum AnyEmbedder {
    Lsa(lsa::Lsa),
    MiniLm(Box<minilm::MiniLm>),
    Api(api::ApiEmbedder),
}

impl Embedder for AnyEmbedder {
    fn name(&self) -> &str {
        match self {
            AnyEmbedder::Lsa(e) => e.name(),
            AnyEmbedder::MiniLm(e) => e.name(),
            AnyEmbedder::Api(e) => e.name(),
        }
    }

    async fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        match self {
            AnyEmbedder::Lsa(e) => Embedder::embed(e, texts).await,
            AnyEmbedder::MiniLm(e) => e.embed(texts).await,
            AnyEmbedder::Api(e) => e.embed(texts).await,
        }
    }
}

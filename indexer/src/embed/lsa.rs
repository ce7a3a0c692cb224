//! Latent semantic analysis: the embedder that needs no download.
//!
//! Trained on the Store's own papers: TF-IDF (sublinear term frequency, rows L2-normalised) over
//! the same stemmed, ASCII-folded words the full-text index uses, then a randomized truncated SVD
//! (Halko, Martinsson & Tropp 2011: a random projection, two power iterations, CholeskyQR, and an
//! exact eigensolve of the small projected matrix). A text's vector is its TF-IDF row projected
//! on the top singular directions (`a · V`, so documents land at `U Σ`), L2-normalised: cosine
//! between two vectors is then a dot product.
//!
//! Training reads at most [`MAX_TRAINING_DOCS`] papers (a uniform reservoir sample beyond that),
//! so memory stays bounded on a large Store; the model is saved under the data dir and reused, so
//! vectors stay comparable from one run to the next until an operator retrains it.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::binfile::{self, ReadError};
use crate::linalg::{self, Csr, Rng};
use crate::schema;

/// Dimensions of the vectors.
pub const DIM: usize = 256;
/// Extra random directions beyond [`DIM`] (the sketch's oversampling).
const OVERSAMPLE: usize = 16;
const POWER_ITERATIONS: usize = 2;
/// Most papers read for training (uniformly sampled beyond that).
pub const MAX_TRAINING_DOCS: usize = 200_000;
/// Most words in the vocabulary (the ones in the most papers).
const MAX_TERMS: usize = 60_000;
/// A word must appear in this many training papers to be in the vocabulary.
const MIN_DOC_FREQ: u32 = 3;
/// Fewer papers than this cannot make a meaningful model.
pub const MIN_TRAINING_DOCS: usize = 20;
const MAGIC: &[u8; 8] = b"PLSA\x00\x00\x00\x01";

#[derive(Debug, thiserror::Error)]
pub enum LsaError {
    #[error(
        "LSA needs at least {MIN_TRAINING_DOCS} papers with abstracts to train on; the Store has {0}"
    )]
    TooFewPapers(usize),
    #[error(
        "the LSA model at {path} cannot be read: {reason} (delete it, or run `papers index --retrain`)"
    )]
    Corrupt { path: String, reason: String },
    #[error("LSA model {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A trained model: a vocabulary with inverse document frequencies, and each word's direction in
/// the latent space.
pub struct Lsa {
    terms: HashMap<String, u32>,
    idf: Vec<f32>,
    /// `terms × dim`, row-major.
    basis: Vec<f32>,
    dim: usize,
    /// `lsa{dim}-{fingerprint}`: names the vectors this model made, in the Store and on disk.
    name: String,
    analyzer: TextAnalyzer,
}

/// Collects the training papers, then fits the model.
pub struct LsaTrainer {
    dictionary: HashMap<String, u32>,
    /// Word counts per kept paper, by dictionary id.
    docs: Vec<Vec<(u32, u16)>>,
    seen: usize,
    rng: Rng,
    analyzer: TextAnalyzer,
}

impl Default for LsaTrainer {
    fn default() -> Self {
        LsaTrainer {
            dictionary: HashMap::new(),
            docs: Vec::new(),
            seen: 0,
            rng: Rng::new(0x5eed_15a0),
            analyzer: schema::english_analyzer(),
        }
    }
}

impl LsaTrainer {
    /// Papers offered so far (kept or not).
    pub fn seen(&self) -> usize {
        self.seen
    }

    /// Offers one paper's text. Beyond [`MAX_TRAINING_DOCS`], reservoir sampling keeps a uniform
    /// sample of everything offered.
    pub fn add(&mut self, text: &str) {
        self.seen += 1;
        let slot = if self.docs.len() < MAX_TRAINING_DOCS {
            None
        } else {
            let j = self.rng.below(self.seen as u64) as usize;
            if j >= MAX_TRAINING_DOCS {
                return;
            }
            Some(j)
        };
        let mut counts: HashMap<u32, u16> = HashMap::new();
        for word in words(&mut self.analyzer, text) {
            let next = self.dictionary.len() as u32;
            let id = *self.dictionary.entry(word).or_insert(next);
            let count = counts.entry(id).or_default();
            *count = count.saturating_add(1);
        }
        // Sorted: sums over a row then run in one order, and the same papers give the same model.
        let mut doc: Vec<(u32, u16)> = counts.into_iter().collect();
        doc.sort_unstable();
        match slot {
            None => self.docs.push(doc),
            Some(j) => self.docs[j] = doc,
        }
    }

    /// Fits the model (seconds to a minute on a large Store).
    pub fn train(self) -> Result<Lsa, LsaError> {
        let docs: Vec<_> = self.docs.into_iter().filter(|d| !d.is_empty()).collect();
        if docs.len() < MIN_TRAINING_DOCS {
            return Err(LsaError::TooFewPapers(docs.len()));
        }
        // The vocabulary: words in at least MIN_DOC_FREQ papers and at most half of them (the
        // rest carry no topic), the most frequent MAX_TERMS of those.
        let mut df = vec![0u32; self.dictionary.len()];
        for doc in &docs {
            for &(id, _) in doc {
                df[id as usize] += 1;
            }
        }
        let n = docs.len() as f32;
        let min_df = MIN_DOC_FREQ.min((docs.len() / 10).max(1) as u32);
        let mut kept: Vec<(String, u32)> = self
            .dictionary
            .into_iter()
            .filter(|(_, id)| {
                let f = df[*id as usize];
                f >= min_df && (f as f32) <= n * 0.5
            })
            .collect();
        kept.sort_by(|a, b| df[b.1 as usize].cmp(&df[a.1 as usize]).then(a.0.cmp(&b.0)));
        kept.truncate(MAX_TERMS);
        let mut remap = vec![u32::MAX; df.len()];
        let mut terms = HashMap::with_capacity(kept.len());
        let mut idf = Vec::with_capacity(kept.len());
        for (new, (word, old)) in kept.into_iter().enumerate() {
            remap[old as usize] = new as u32;
            idf.push((n / df[old as usize] as f32).ln());
            terms.insert(word, new as u32);
        }

        let mut matrix = Csr::new(terms.len());
        for doc in &docs {
            let row = weights(doc.iter().filter_map(|&(id, tf)| {
                let new = remap[id as usize];
                (new != u32::MAX).then(|| (new, tf, idf[new as usize]))
            }));
            matrix.push_row(row);
        }
        let rank = matrix.rows().min(matrix.cols);
        if rank < 2 {
            return Err(LsaError::TooFewPapers(matrix.rows()));
        }
        let dim = DIM.min(rank - 1);
        let basis = truncated_svd_basis(&matrix, dim);
        Ok(Lsa::from_parts(terms, idf, basis, dim))
    }
}

/// The right singular directions of `a` for its `dim` largest singular values, each scaled by
/// 1/σ, as a `cols × dim` matrix: `a · basis` is `U Σ`, restricted to `dim`.
fn truncated_svd_basis(a: &Csr, dim: usize) -> Vec<f32> {
    let width = (dim + OVERSAMPLE).min(a.rows().min(a.cols));
    let mut rng = Rng::new(0x15a_5eed);
    let omega: Vec<f32> = (0..a.cols * width).map(|_| rng.normal()).collect();
    let mut y = a.mul(&omega, width);
    linalg::orthonormalize(&mut y, width);
    for _ in 0..POWER_ITERATIONS {
        let mut z = a.t_mul(&y, width);
        linalg::orthonormalize(&mut z, width);
        y = a.mul(&z, width);
        linalg::orthonormalize(&mut y, width);
    }
    // B = Qᵀ A, kept transposed: C = Aᵀ Q (cols × width). B Bᵀ = Cᵀ C = W Λ Wᵀ; then the
    // right singular vectors are V = C W Λ^(-1/2), and V Σ⁻¹ = C W Λ⁻¹.
    let c = a.t_mul(&y, width);
    let (values, vectors) = linalg::symmetric_eigen(linalg::gram(&c, width), width);
    let floor = values.first().copied().unwrap_or(0.0).max(0.0) * 1e-10;
    let scale: Vec<f64> = values[..dim]
        .iter()
        .map(|&l| if l > floor { 1.0 / l } else { 0.0 })
        .collect();
    let mut basis = vec![0f32; a.cols * dim];
    for (t, row) in c.chunks_exact(width).enumerate() {
        for j in 0..dim {
            let s: f64 = (0..width)
                .map(|k| f64::from(row[k]) * vectors[k * width + j])
                .sum();
            basis[t * dim + j] = (s * scale[j]) as f32;
        }
    }
    basis
}

/// Sublinear TF-IDF weights of one text's words, L2-normalised.
fn weights(words: impl Iterator<Item = (u32, u16, f32)>) -> Vec<(u32, f32)> {
    let mut row: Vec<(u32, f32)> = words
        .map(|(id, tf, idf)| (id, (1.0 + f32::from(tf).ln()) * idf))
        .collect();
    let norm = row.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, w) in &mut row {
            *w /= norm;
        }
    }
    row
}

fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let word = &stream.token().text;
        // Single characters and bare numbers name no topic.
        if word.len() > 1 && !word.bytes().all(|b| b.is_ascii_digit()) {
            out.push(word.clone());
        }
    }
    out
}

impl Lsa {
    fn from_parts(terms: HashMap<String, u32>, idf: Vec<f32>, basis: Vec<f32>, dim: usize) -> Lsa {
        // FNV-1a over the model's contents: the same model always has the same name.
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        let mut feed = |bytes: &[u8]| {
            for &b in bytes {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        let mut sorted: Vec<_> = terms.iter().collect();
        sorted.sort_by_key(|(_, id)| **id);
        for (word, _) in sorted {
            feed(word.as_bytes());
            feed(b"\0");
        }
        for x in idf.iter().chain(&basis) {
            feed(&x.to_le_bytes());
        }
        Lsa {
            name: format!("lsa{dim}-{:012x}", hash & 0xffff_ffff_ffff),
            terms,
            idf,
            basis,
            dim,
            analyzer: schema::english_analyzer(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn vocabulary(&self) -> usize {
        self.terms.len()
    }

    /// The unit vector of a text; all zeros when none of its words is in the vocabulary.
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut counts: HashMap<u32, u16> = HashMap::new();
        for word in words(&mut self.analyzer.clone(), text) {
            if let Some(&id) = self.terms.get(&word) {
                let count = counts.entry(id).or_default();
                *count = count.saturating_add(1);
            }
        }
        // In word order, so one text always sums to the same bits.
        let mut counts: Vec<(u32, u16)> = counts.into_iter().collect();
        counts.sort_unstable();
        let row = weights(
            counts
                .into_iter()
                .map(|(id, tf)| (id, tf, self.idf[id as usize])),
        );
        let mut vector = vec![0f32; self.dim];
        for (id, w) in row {
            let direction = &self.basis[id as usize * self.dim..(id as usize + 1) * self.dim];
            for (v, d) in vector.iter_mut().zip(direction) {
                *v += w * d;
            }
        }
        normalize(&mut vector);
        vector
    }

    /// Writes the model to `path` (whole or not at all: [`binfile::write_atomic`]).
    pub fn save(&self, path: &Path) -> Result<(), LsaError> {
        let mut sorted: Vec<_> = self.terms.iter().collect();
        sorted.sort_by_key(|(_, id)| **id);
        binfile::write_atomic(path, MAGIC, |out| {
            out.write_all(&(self.dim as u32).to_le_bytes())?;
            out.write_all(&(self.terms.len() as u32).to_le_bytes())?;
            for (word, _) in &sorted {
                binfile::write_str(out, word)?;
            }
            binfile::write_f32s(out, &self.idf)?;
            binfile::write_f32s(out, &self.basis)
        })
        .map_err(|source| LsaError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Reads a model written by [`Lsa::save`]; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Lsa>, LsaError> {
        let read = || -> Result<Lsa, ReadError> {
            let mut input = binfile::Reader::open(path, MAGIC, "an LSA model")?;
            let dim = input.u32()? as usize;
            let count = input.u32()? as usize;
            if dim == 0 || dim > 4096 || count > 10_000_000 {
                return Err(ReadError::Corrupt(format!(
                    "implausible sizes: {dim} dims, {count} words"
                )));
            }
            let mut terms = HashMap::with_capacity(count);
            for id in 0..count {
                terms.insert(input.str()?, id as u32);
            }
            let idf = input.f32s(count)?;
            let basis = input.f32s(count * dim)?;
            Ok(Lsa::from_parts(terms, idf, basis, dim))
        };
        match read() {
            Ok(model) => Ok(Some(model)),
            Err(ReadError::Missing) => Ok(None),
            Err(ReadError::Io(source)) => Err(LsaError::Io {
                path: path.display().to_string(),
                source,
            }),
            Err(ReadError::Corrupt(reason)) => Err(LsaError::Corrupt {
                path: path.display().to_string(),
                reason,
            }),
        }
    }
}

pub(crate) fn normalize(vector: &mut [f32]) {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in vector {
            *x /= norm;
        }
    }
}

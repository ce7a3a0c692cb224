//! Fusing the full-text ranking with the vectors' ranking into one order.
//!
//! Two ways, both measured on the known-item sets (BENCHMARKS.md, `bench/search.sh`):
//! reciprocal rank fusion, which only looks at ranks, and a weighted sum of the BM25 score
//! (scaled by the best one) and the cosine (scaled to the candidates' range).

use serde::Serialize;

/// RRF's constant: how quickly a lower rank stops counting (60, as in Cormack et al. 2009).
const RRF_K: f32 = 60.0;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Fusion {
    /// Σ 1 / (60 + rank) over the two rankings.
    Rrf,
    /// `w · bm25 / max(bm25) + (1 − w) · (cos − min) / (max − min)`.
    WeightedSum(f32),
}

impl Fusion {
    pub fn label(&self) -> String {
        match self {
            Fusion::Rrf => "rrf".into(),
            Fusion::WeightedSum(w) => format!("sum{w:.1}"),
        }
    }
}

/// One candidate's evidence: its BM25 score if full text found it, its cosine with the query if
/// it has a vector.
#[derive(Clone, Copy, Debug)]
pub struct Evidence {
    pub lexical: Option<f32>,
    pub cosine: Option<f32>,
}

/// The fused score of each candidate, in the same order (higher is better).
pub fn fuse(fusion: Fusion, candidates: &[Evidence]) -> Vec<f32> {
    match fusion {
        Fusion::Rrf => {
            let lexical = ranks(candidates.iter().map(|c| c.lexical));
            let cosine = ranks(candidates.iter().map(|c| c.cosine));
            lexical
                .iter()
                .zip(&cosine)
                .map(|(a, b)| {
                    [a, b]
                        .into_iter()
                        .flatten()
                        .map(|rank| 1.0 / (RRF_K + *rank as f32 + 1.0))
                        .sum()
                })
                .collect()
        }
        Fusion::WeightedSum(weight) => {
            let best = candidates
                .iter()
                .filter_map(|c| c.lexical)
                .fold(0.0f32, f32::max);
            let (low, high) = candidates
                .iter()
                .filter_map(|c| c.cosine)
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), x| {
                    (l.min(x), h.max(x))
                });
            candidates
                .iter()
                .map(|c| {
                    let lexical = match c.lexical {
                        Some(score) if best > 0.0 => score / best,
                        _ => 0.0,
                    };
                    let cosine = match c.cosine {
                        Some(x) if high > low => (x - low) / (high - low),
                        Some(_) => 1.0,
                        None => 0.0,
                    };
                    weight * lexical + (1.0 - weight) * cosine
                })
                .collect()
        }
    }
}

/// Each value's rank among the present ones (0 = the highest); `None` stays `None`.
fn ranks(values: impl Iterator<Item = Option<f32>>) -> Vec<Option<usize>> {
    let values: Vec<Option<f32>> = values.collect();
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_some()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .unwrap()
            .total_cmp(&values[a].unwrap())
            .then(a.cmp(&b))
    });
    let mut out = vec![None; values.len()];
    for (rank, i) in order.into_iter().enumerate() {
        out[i] = Some(rank);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(lexical: Option<f32>, cosine: Option<f32>) -> Evidence {
        Evidence { lexical, cosine }
    }

    #[test]
    fn rrf_prefers_agreement_and_lets_a_meaning_only_match_in() {
        let candidates = [
            evidence(Some(9.0), Some(0.1)), // first by words, last by meaning
            evidence(Some(5.0), Some(0.8)), // second by words, first by meaning
            evidence(None, Some(0.7)),      // found by meaning only
        ];
        let scores = fuse(Fusion::Rrf, &candidates);
        assert!(scores[1] > scores[0], "agreement wins: {scores:?}");
        assert!(scores[2] > 0.0 && scores[2] < scores[1]);
        assert!((scores[1] - (1.0 / 62.0 + 1.0 / 61.0)).abs() < 1e-6);
    }

    #[test]
    fn weighted_sum_scales_each_side_to_its_range() {
        let candidates = [
            evidence(Some(10.0), Some(0.2)),
            evidence(Some(5.0), Some(0.6)),
            evidence(None, None),
        ];
        let scores = fuse(Fusion::WeightedSum(0.5), &candidates);
        assert_eq!(scores, vec![0.5, 0.75, 0.0]);
        let words_only = fuse(Fusion::WeightedSum(1.0), &candidates);
        assert!(words_only[0] > words_only[1]);
    }
}

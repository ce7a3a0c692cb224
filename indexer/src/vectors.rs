//! Vector stores: one contiguous matrix per embedder, a row per paper, scanned whole by the SIMD
//! kernels ([`crate::simd`]). Exact search is a full scan; at 75k × 384 that is 115 MB of f32 or
//! 29 MB of int8, read at memory speed.
//!
//! - [`F32Matrix`]: rows padded to a multiple of 16 values, each starting on a 64-byte line.
//! - [`I8Matrix`]: the same rows quantised to int8 with one scale per row (value ≈ q · scale),
//!   a quarter of the bytes; its candidates are rescored in f32 ([`top_k_rescored`]).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::simd::{F32Line, I8Line, Kernel, f32_lines, f32_lines_mut, i8_lines, i8_lines_mut};

/// Rows scored per kernel call in the int8 scan.
const SCAN_BLOCK: usize = 1024;

#[derive(Clone, Debug)]
pub struct F32Matrix {
    dim: usize,
    /// Values per row: `dim` rounded up to 16 (the padding is zeros, which add nothing to a dot).
    stride: usize,
    rows: usize,
    data: Vec<F32Line>,
}

impl F32Matrix {
    pub fn new(dim: usize) -> F32Matrix {
        assert!(dim > 0, "vectors have at least one dimension");
        F32Matrix {
            dim,
            stride: dim.div_ceil(16) * 16,
            rows: 0,
            data: Vec::new(),
        }
    }

    pub fn with_capacity(dim: usize, rows: usize) -> F32Matrix {
        let mut matrix = F32Matrix::new(dim);
        matrix.data.reserve(rows * matrix.stride / 16);
        matrix
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends a row; returns its index.
    pub fn push(&mut self, row: &[f32]) -> usize {
        assert_eq!(row.len(), self.dim, "a row of the wrong dimension");
        let start = self.rows * self.stride;
        self.data
            .resize(self.data.len() + self.stride / 16, F32Line::default());
        f32_lines_mut(&mut self.data)[start..start + self.dim].copy_from_slice(row);
        self.rows += 1;
        self.rows - 1
    }

    /// Row `i` with its zero padding.
    fn padded(&self, i: usize) -> &[f32] {
        &f32_lines(&self.data)[i * self.stride..(i + 1) * self.stride]
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.padded(i)[..self.dim]
    }

    /// The `k` rows with the highest dot product with `query` (cosine, for unit vectors), best
    /// first, leaving out `exclude` (the paper itself, for related papers).
    pub fn top_k(&self, query: &[f32], k: usize, exclude: Option<usize>) -> Vec<(usize, f32)> {
        let query = self.pad(query);
        let kernel = Kernel::best();
        let mut best = TopK::new(k);
        for i in 0..self.rows {
            if Some(i) != exclude {
                best.offer(i, kernel.dot_f32(&query, self.padded(i)));
            }
        }
        best.into_sorted()
    }

    /// Exact scores for some rows.
    pub fn scores(&self, query: &[f32], rows: &[usize]) -> Vec<(usize, f32)> {
        let query = self.pad(query);
        let kernel = Kernel::best();
        rows.iter()
            .map(|&i| (i, kernel.dot_f32(&query, self.padded(i))))
            .collect()
    }

    fn pad(&self, query: &[f32]) -> Vec<f32> {
        assert_eq!(query.len(), self.dim, "a query of the wrong dimension");
        let mut padded = vec![0.0; self.stride];
        padded[..self.dim].copy_from_slice(query);
        padded
    }

    /// The int8 copy of every row.
    pub fn quantized(&self) -> I8Matrix {
        let mut matrix = I8Matrix::new(self.dim);
        for i in 0..self.rows {
            matrix.push(self.row(i));
        }
        matrix
    }
}

#[derive(Clone, Debug)]
pub struct I8Matrix {
    dim: usize,
    /// Values per row: `dim` rounded up to 64.
    stride: usize,
    rows: usize,
    data: Vec<I8Line>,
    scales: Vec<f32>,
    /// Σ of each row\'s int8 values, for the VNNI kernel.
    sums: Vec<i32>,
}

impl I8Matrix {
    pub fn new(dim: usize) -> I8Matrix {
        assert!(dim > 0, "vectors have at least one dimension");
        I8Matrix {
            dim,
            stride: dim.div_ceil(64) * 64,
            rows: 0,
            data: Vec::new(),
            scales: Vec::new(),
            sums: Vec::new(),
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Quantises and appends a row: the largest magnitude maps to ±127.
    pub fn push(&mut self, row: &[f32]) -> usize {
        assert_eq!(row.len(), self.dim, "a row of the wrong dimension");
        let start = self.rows * self.stride;
        self.data
            .resize(self.data.len() + self.stride / 64, I8Line::default());
        let quantized = &mut i8_lines_mut(&mut self.data)[start..start + self.dim];
        let scale = quantize(row, quantized);
        self.sums
            .push(quantized.iter().map(|&q| i32::from(q)).sum());
        self.scales.push(scale);
        self.rows += 1;
        self.rows - 1
    }

    /// Approximate top `k` by int8 dot products (scaled back to f32), best first.
    pub fn top_k(&self, query: &[f32], k: usize, exclude: Option<usize>) -> Vec<(usize, f32)> {
        assert_eq!(query.len(), self.dim, "a query of the wrong dimension");
        let mut q = vec![0i8; self.stride];
        let q_scale = quantize(query, &mut q[..self.dim]);
        let kernel = Kernel::best();
        let mut best = TopK::new(k);
        // In blocks, so the scores stay in cache between the kernel and the heap.
        let mut dots = vec![0i32; SCAN_BLOCK];
        let rows = i8_lines(&self.data);
        for start in (0..self.rows).step_by(SCAN_BLOCK) {
            let end = (start + SCAN_BLOCK).min(self.rows);
            let dots = &mut dots[..end - start];
            let block = &rows[start * self.stride..end * self.stride];
            kernel.scores_i8(&q, block, self.stride, &self.sums[start..end], dots);
            for (offset, &dot) in dots.iter().enumerate() {
                let i = start + offset;
                if Some(i) != exclude {
                    best.offer(i, dot as f32 * q_scale * self.scales[i]);
                }
            }
        }
        best.into_sorted()
    }
}

/// Int8 candidates (`k × widen` of them), rescored exactly in f32: most of int8's speed, f32's
/// order at the top.
pub fn top_k_rescored(
    exact: &F32Matrix,
    approx: &I8Matrix,
    query: &[f32],
    k: usize,
    widen: usize,
    exclude: Option<usize>,
) -> Vec<(usize, f32)> {
    let candidates: Vec<usize> = approx
        .top_k(query, k * widen.max(1), exclude)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let mut best = TopK::new(k);
    for (i, score) in exact.scores(query, &candidates) {
        best.offer(i, score);
    }
    best.into_sorted()
}

/// Writes `row` as int8 into `out`; returns the scale (value ≈ q · scale).
fn quantize(row: &[f32], out: &mut [i8]) -> f32 {
    let max = row.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if max == 0.0 || !max.is_finite() {
        out.fill(0);
        return 0.0;
    }
    let scale = max / 127.0;
    for (q, x) in out.iter_mut().zip(row) {
        *q = (x / scale).round().clamp(-127.0, 127.0) as i8;
    }
    scale
}

/// The best `k` (row, score) pairs seen: a min-heap of size k.
struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
}

#[derive(PartialEq)]
struct Entry(f32, usize);

impl Eq for Entry {}

impl Ord for Entry {
    // Reversed so the heap's top is the worst kept entry; ties keep the lower row.
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    fn offer(&mut self, row: usize, score: f32) {
        if self.k == 0 || score.is_nan() {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(Entry(score, row));
        } else if let Some(worst) = self.heap.peek()
            && Entry(score, row) < *worst
        {
            self.heap.pop();
            self.heap.push(Entry(score, row));
        }
    }

    fn into_sorted(self) -> Vec<(usize, f32)> {
        // Ascending by the reversed order is best first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Entry(score, row)| (row, score))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: Vec<f32>) -> Vec<f32> {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    /// Deterministic pseudo-random unit vectors.
    fn vectors(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                unit(
                    (0..dim)
                        .map(|_| {
                            state ^= state << 13;
                            state ^= state >> 7;
                            state ^= state << 17;
                            (state % 2001) as f32 / 1000.0 - 1.0
                        })
                        .collect(),
                )
            })
            .collect()
    }

    fn brute_force(
        rows: &[Vec<f32>],
        query: &[f32],
        k: usize,
        exclude: Option<usize>,
    ) -> Vec<usize> {
        let mut scored: Vec<(usize, f32)> = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != exclude)
            .map(|(i, r)| (i, super::super::simd::scalar::dot_f32(r, query)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().take(k).map(|(i, _)| i).collect()
    }

    #[test]
    fn rows_are_stored_padded_and_aligned() {
        for dim in [1, 15, 16, 17, 384] {
            let rows = vectors(5, dim, 7);
            let mut matrix = F32Matrix::new(dim);
            for row in &rows {
                matrix.push(row);
            }
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(matrix.row(i), &row[..]);
                assert_eq!(
                    matrix.padded(i).as_ptr() as usize % 64,
                    0,
                    "row {i} starts on a line"
                );
            }
        }
    }

    #[test]
    fn top_k_is_the_exact_nearest_rows_best_first() {
        let rows = vectors(300, 37, 11);
        let mut matrix = F32Matrix::new(37);
        rows.iter().for_each(|r| {
            matrix.push(r);
        });
        let query = &rows[42];
        let got: Vec<usize> = matrix
            .top_k(query, 10, None)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got[0], 42, "a row is nearest to itself");
        assert_eq!(got, brute_force(&rows, query, 10, None));
        let related: Vec<usize> = matrix
            .top_k(query, 10, Some(42))
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert!(!related.contains(&42), "the paper itself is left out");
        assert_eq!(related, brute_force(&rows, query, 10, Some(42)));
        let scores: Vec<f32> = matrix
            .top_k(query, 10, None)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "best first: {scores:?}"
        );
    }

    #[test]
    fn edge_cases_empty_one_row_and_k_beyond_rows() {
        let matrix = F32Matrix::new(8);
        assert!(matrix.top_k(&[0.5; 8], 5, None).is_empty());
        let mut one = F32Matrix::new(8);
        one.push(&[1.0; 8]);
        assert_eq!(one.top_k(&[1.0; 8], 5, None), vec![(0, 8.0)]);
        assert!(one.top_k(&[1.0; 8], 5, Some(0)).is_empty());
        assert!(one.top_k(&[1.0; 8], 0, None).is_empty());
        let mut zero = I8Matrix::new(8);
        zero.push(&[0.0; 8]);
        assert_eq!(zero.top_k(&[1.0; 8], 1, None), vec![(0, 0.0)]);
    }

    #[test]
    fn int8_rescored_finds_the_same_top_ten() {
        let rows = vectors(2000, 384, 3);
        let mut matrix = F32Matrix::with_capacity(384, rows.len());
        rows.iter().for_each(|r| {
            matrix.push(r);
        });
        let quantized = matrix.quantized();
        let mut agree = 0;
        for q in (0..2000).step_by(97) {
            let query = &rows[q];
            let exact: Vec<usize> = matrix
                .top_k(query, 10, Some(q))
                .into_iter()
                .map(|(i, _)| i)
                .collect();
            let rescored: Vec<usize> = top_k_rescored(&matrix, &quantized, query, 10, 4, Some(q))
                .into_iter()
                .map(|(i, _)| i)
                .collect();
            agree += exact.iter().filter(|i| rescored.contains(i)).count();
        }
        let recall = agree as f64 / (21.0 * 10.0);
        assert!(recall >= 0.99, "recall@10 after rescoring: {recall}");
    }
}

//! The little dense and sparse linear algebra LSA needs: a sparse matrix times a tall dense one,
//! orthonormalising tall matrices (CholeskyQR2), and the eigenvectors of a small symmetric matrix
//! (cyclic Jacobi). Tall matrices are row-major `f32`; the small ones are `f64`, where rounding
//! would otherwise show. Work is split over the machine's cores with scoped threads.

use std::thread;

/// A sparse matrix in compressed rows: documents × terms.
#[derive(Clone, Debug, Default)]
pub struct Csr {
    /// Row `r` is `indices[indptr[r]..indptr[r + 1]]` (and the same range of `values`).
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
    pub cols: usize,
}

impl Csr {
    pub fn new(cols: usize) -> Csr {
        Csr {
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            cols,
        }
    }

    pub fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    pub fn push_row(&mut self, entries: impl IntoIterator<Item = (u32, f32)>) {
        for (col, value) in entries {
            debug_assert!((col as usize) < self.cols);
            self.indices.push(col);
            self.values.push(value);
        }
        self.indptr.push(self.indices.len());
    }

    fn row(&self, r: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.indptr[r]..self.indptr[r + 1];
        self.indices[range.clone()]
            .iter()
            .zip(&self.values[range])
            .map(|(&c, &v)| (c as usize, v))
    }

    /// `self · dense`, with `dense` of `cols × width`: `rows × width`.
    pub fn mul(&self, dense: &[f32], width: usize) -> Vec<f32> {
        assert_eq!(dense.len(), self.cols * width);
        let mut out = vec![0f32; self.rows() * width];
        let per_thread = self.rows().div_ceil(threads()).max(1);
        thread::scope(|scope| {
            for (chunk, block) in out.chunks_mut(per_thread * width).enumerate() {
                scope.spawn(move || {
                    for (i, target) in block.chunks_exact_mut(width).enumerate() {
                        for (col, value) in self.row(chunk * per_thread + i) {
                            axpy(target, value, &dense[col * width..(col + 1) * width]);
                        }
                    }
                });
            }
        });
        out
    }

    /// `selfᵀ · dense`, with `dense` of `rows × width`: `cols × width`.
    pub fn t_mul(&self, dense: &[f32], width: usize) -> Vec<f32> {
        assert_eq!(dense.len(), self.rows() * width);
        let per_thread = self.rows().div_ceil(threads()).max(1);
        let partials: Vec<Vec<f32>> = thread::scope(|scope| {
            let handles: Vec<_> = (0..self.rows())
                .step_by(per_thread)
                .map(|start| {
                    scope.spawn(move || {
                        let mut out = vec![0f32; self.cols * width];
                        for r in start..(start + per_thread).min(self.rows()) {
                            let source = &dense[r * width..(r + 1) * width];
                            for (col, value) in self.row(r) {
                                axpy(&mut out[col * width..(col + 1) * width], value, source);
                            }
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a worker thread"))
                .collect()
        });
        sum(partials, self.cols * width)
    }
}

fn threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

fn axpy(target: &mut [f32], a: f32, x: &[f32]) {
    for (t, x) in target.iter_mut().zip(x) {
        *t += a * x;
    }
}

fn sum<T: Copy + std::ops::AddAssign + Default>(parts: Vec<Vec<T>>, len: usize) -> Vec<T> {
    let mut parts = parts.into_iter();
    let mut total = parts.next().unwrap_or_else(|| vec![T::default(); len]);
    for part in parts {
        for (t, p) in total.iter_mut().zip(part) {
            *t += p;
        }
    }
    total
}

/// `mᵀ · m` for a row-major `rows × width` matrix: `width × width`, in `f64`.
pub fn gram(m: &[f32], width: usize) -> Vec<f64> {
    let rows = m.len() / width;
    let per_thread = rows.div_ceil(threads()).max(1);
    let partials: Vec<Vec<f64>> = thread::scope(|scope| {
        let handles: Vec<_> = m
            .chunks(per_thread * width)
            .map(|block| {
                scope.spawn(move || {
                    let mut g = vec![0f64; width * width];
                    let mut row = vec![0f64; width];
                    for source in block.chunks_exact(width) {
                        for (r, s) in row.iter_mut().zip(source) {
                            *r = f64::from(*s);
                        }
                        // The upper triangle only; mirrored below.
                        for i in 0..width {
                            let a = row[i];
                            if a != 0.0 {
                                for (g, b) in
                                    g[i * width + i..(i + 1) * width].iter_mut().zip(&row[i..])
                                {
                                    *g += a * b;
                                }
                            }
                        }
                    }
                    g
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker thread"))
            .collect()
    });
    let mut g = sum(partials, width * width);
    for i in 0..width {
        for j in 0..i {
            g[i * width + j] = g[j * width + i];
        }
    }
    g
}

/// The lower-triangular `L` with `L Lᵀ = g`. A matrix that is only semi-definite (a tall matrix
/// of lower rank than its width) gets a small ridge on its diagonal, so the factor always exists.
fn cholesky(g: &[f64], n: usize) -> Vec<f64> {
    let trace: f64 = (0..n).map(|i| g[i * n + i]).sum();
    let ridge = (trace / n as f64).max(f64::MIN_POSITIVE) * 1e-10;
    let mut l = vec![0f64; n * n];
    for j in 0..n {
        let mut d = g[j * n + j] + ridge - (0..j).map(|k| l[j * n + k] * l[j * n + k]).sum::<f64>();
        if d <= ridge {
            d = ridge;
        }
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let s = g[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / d;
        }
    }
    l
}

/// Makes the columns of a row-major `rows × width` matrix orthonormal, spanning the same space
/// (CholeskyQR, twice: the second pass removes what rounding left of the first's error).
pub fn orthonormalize(m: &mut [f32], width: usize) {
    for _ in 0..2 {
        let l = cholesky(&gram(m, width), width);
        let per_thread = (m.len() / width).div_ceil(threads()).max(1);
        thread::scope(|scope| {
            for block in m.chunks_mut(per_thread * width) {
                let l = &l;
                scope.spawn(move || {
                    let mut q = vec![0f64; width];
                    for row in block.chunks_exact_mut(width) {
                        // q · Lᵀ = row, by forward substitution.
                        for j in 0..width {
                            let s: f64 = (0..j).map(|k| l[j * width + k] * q[k]).sum();
                            q[j] = (f64::from(row[j]) - s) / l[j * width + j];
                        }
                        for (r, q) in row.iter_mut().zip(&q) {
                            *r = *q as f32;
                        }
                    }
                });
            }
        });
    }
}

/// Eigenvalues (descending) and eigenvectors (column `j` of the row-major result belongs to
/// value `j`) of a symmetric `n × n` matrix, by cyclic Jacobi rotations.
pub fn symmetric_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0f64; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let norm: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..60 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-13 * norm.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let mut vectors = vec![0f64; n * n];
    for (new, &old) in order.iter().enumerate() {
        for k in 0..n {
            vectors[k * n + new] = v[k * n + old];
        }
    }
    (values, vectors)
}

/// A small, seeded random source (SplitMix64): the same seed gives the same model.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let (u, v) = (self.unit(), self.unit());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(rows: usize, width: usize, rng: &mut Rng) -> Vec<f32> {
        (0..rows * width).map(|_| rng.normal()).collect()
    }

    #[test]
    fn orthonormalized_columns_are_orthonormal_and_span_the_same_space() {
        let mut rng = Rng::new(7);
        let (rows, width) = (301, 17);
        let original = random(rows, width, &mut rng);
        let mut q = original.clone();
        orthonormalize(&mut q, width);
        let g = gram(&q, width);
        for i in 0..width {
            for j in 0..width {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!(
                    (g[i * width + j] - want).abs() < 1e-4,
                    "QᵀQ[{i}][{j}] = {}",
                    g[i * width + j]
                );
            }
        }
        // Projecting the original onto span(Q) gives it back: it lost nothing.
        let qt_m = Csr::dense_t_mul(&q, &original, width);
        for r in 0..rows {
            for c in 0..width {
                let back: f32 = (0..width)
                    .map(|k| q[r * width + k] * qt_m[k * width + c])
                    .sum();
                assert!((back - original[r * width + c]).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn jacobi_finds_the_eigenpairs_of_a_symmetric_matrix() {
        let mut rng = Rng::new(3);
        let n = 12;
        let m = random(40, n, &mut rng);
        let a = gram(&m, n);
        let (values, vectors) = symmetric_eigen(a.clone(), n);
        assert!(
            values.windows(2).all(|w| w[0] >= w[1]),
            "descending: {values:?}"
        );
        for j in 0..n {
            for i in 0..n {
                let av: f64 = (0..n).map(|k| a[i * n + k] * vectors[k * n + j]).sum();
                assert!((av - values[j] * vectors[i * n + j]).abs() < 1e-8 * values[0]);
            }
        }
    }

    #[test]
    fn sparse_products_match_dense_ones() {
        let mut rng = Rng::new(11);
        let (rows, cols, width) = (23, 19, 5);
        let mut csr = Csr::new(cols);
        let mut dense_a = vec![0f32; rows * cols];
        for r in 0..rows {
            let mut entries = Vec::new();
            for c in 0..cols {
                if rng.below(3) == 0 {
                    let v = rng.normal();
                    dense_a[r * cols + c] = v;
                    entries.push((c as u32, v));
                }
            }
            csr.push_row(entries);
        }
        let x = random(cols, width, &mut rng);
        let y = random(rows, width, &mut rng);
        let ax = csr.mul(&x, width);
        let aty = csr.t_mul(&y, width);
        for r in 0..rows {
            for w in 0..width {
                let want: f32 = (0..cols)
                    .map(|c| dense_a[r * cols + c] * x[c * width + w])
                    .sum();
                assert!((ax[r * width + w] - want).abs() < 1e-4);
            }
        }
        for c in 0..cols {
            for w in 0..width {
                let want: f32 = (0..rows)
                    .map(|r| dense_a[r * cols + c] * y[r * width + w])
                    .sum();
                assert!((aty[c * width + w] - want).abs() < 1e-4);
            }
        }
    }

    impl Csr {
        /// `aᵀ · b` for two dense row-major matrices of the same height (test helper).
        fn dense_t_mul(a: &[f32], b: &[f32], width: usize) -> Vec<f32> {
            let rows = a.len() / width;
            let mut out = vec![0f32; width * width];
            for r in 0..rows {
                for i in 0..width {
                    for j in 0..width {
                        out[i * width + j] += a[r * width + i] * b[r * width + j];
                    }
                }
            }
            out
        }
    }
}

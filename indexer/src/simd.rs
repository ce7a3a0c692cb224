//! Dot products for vector search, f32 and int8, with one kernel per instruction set: AVX-512
//! (VNNI for int8), AVX2 + FMA, NEON, and a scalar one that is the definition. The best kernel
//! the CPU has is chosen once, at first use. Every kernel is tested equal to the scalar one.
//!
//! All `unsafe` of the crate is here. Each block either calls a `#[target_feature]` function,
//! which is sound only after the feature was detected at run time (the dispatch does that), or
//! loads through a raw pointer that stays inside the slices (the loop bounds say why).

use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// AVX-512F for f32; AVX-512 VNNI (`vpdpbusd`) for int8 when present, else AVX-512BW.
    Avx512 {
        vnni: bool,
    },
    Avx2Fma,
    Neon,
    Scalar,
}

impl Kernel {
    /// The best kernel this CPU runs, detected once.
    pub fn best() -> Kernel {
        static BEST: OnceLock<Kernel> = OnceLock::new();
        *BEST.get_or_init(detect)
    }

    /// Every kernel this CPU can run, the scalar one included (for tests and benchmarks).
    pub fn available() -> Vec<Kernel> {
        let mut kernels = vec![Kernel::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                kernels.push(Kernel::Avx2Fma);
            }
            if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw") {
                kernels.push(Kernel::Avx512 { vnni: false });
                if is_x86_feature_detected!("avx512vnni") {
                    kernels.push(Kernel::Avx512 { vnni: true });
                }
            }
        }
        #[cfg(target_arch = "aarch64")]
        if std::arch::is_aarch64_feature_detected!("neon") {
            kernels.push(Kernel::Neon);
        }
        kernels
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Avx512 { vnni: true } => "avx512+vnni",
            Kernel::Avx512 { vnni: false } => "avx512",
            Kernel::Avx2Fma => "avx2+fma",
            Kernel::Neon => "neon",
            Kernel::Scalar => "scalar",
        }
    }

    /// The dot product of two f32 vectors of the same length.
    pub fn dot_f32(self, a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len(), "vectors of different lengths");
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: a Kernel other than Scalar is only made by `available`/`detect`, after
            // detecting the features the function is compiled for.
            Kernel::Avx512 { .. } => unsafe { x86::dot_f32_avx512(a, b) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above (avx2, fma detected).
            Kernel::Avx2Fma => unsafe { x86::dot_f32_avx2(a, b) },
            #[cfg(target_arch = "aarch64")]
            // SAFETY: as above (neon detected).
            Kernel::Neon => unsafe { arm::dot_f32_neon(a, b) },
            _ => scalar::dot_f32(a, b),
        }
    }

    /// The dot product of two int8 vectors of the same length, exact in i32 (for d ≤ 2^17).
    pub fn dot_i8(self, a: &[i8], b: &[i8]) -> i32 {
        assert_eq!(a.len(), b.len(), "vectors of different lengths");
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: avx512f, avx512bw and avx512vnni were detected before this kernel was made.
            Kernel::Avx512 { vnni: true } => unsafe { x86::dot_i8_vnni(a, b) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: avx512f and avx512bw were detected.
            Kernel::Avx512 { vnni: false } => unsafe { x86::dot_i8_avx512(a, b) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: avx2 was detected.
            Kernel::Avx2Fma => unsafe { x86::dot_i8_avx2(a, b) },
            #[cfg(target_arch = "aarch64")]
            // SAFETY: neon was detected.
            Kernel::Neon => unsafe { arm::dot_i8_neon(a, b) },
            _ => scalar::dot_i8(a, b),
        }
    }
}

/// 64 bytes of f32, aligned to 64: the unit a [`crate::vectors::F32Matrix`] is allocated in, so
/// every row (padded to a multiple of 16 values) starts on a cache line.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
pub struct F32Line(pub [f32; 16]);

/// 64 bytes of i8, aligned to 64.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
pub struct I8Line(pub [i8; 64]);

impl Default for I8Line {
    fn default() -> Self {
        I8Line([0; 64])
    }
}

pub fn f32_lines(lines: &[F32Line]) -> &[f32] {
    // SAFETY: F32Line is repr(C) around [f32; 16] with no padding (64 bytes, align 64), so a slice
    // of n lines is 16n contiguous, initialised, aligned f32 values borrowed for the same lifetime.
    unsafe { std::slice::from_raw_parts(lines.as_ptr().cast::<f32>(), lines.len() * 16) }
}

pub fn f32_lines_mut(lines: &mut [F32Line]) -> &mut [f32] {
    // SAFETY: as in `f32_lines`; the exclusive borrow of the lines is handed on to the values.
    unsafe { std::slice::from_raw_parts_mut(lines.as_mut_ptr().cast::<f32>(), lines.len() * 16) }
}

pub fn i8_lines(lines: &[I8Line]) -> &[i8] {
    // SAFETY: I8Line is repr(C) around [i8; 64] with no padding: 64n contiguous i8 values.
    unsafe { std::slice::from_raw_parts(lines.as_ptr().cast::<i8>(), lines.len() * 64) }
}

pub fn i8_lines_mut(lines: &mut [I8Line]) -> &mut [i8] {
    // SAFETY: as in `i8_lines`, exclusively borrowed.
    unsafe { std::slice::from_raw_parts_mut(lines.as_mut_ptr().cast::<i8>(), lines.len() * 64) }
}

impl Kernel {
    /// Int8 dot products of one query with many rows laid out every `stride` bytes (a multiple
    /// of 64): `out[i] = Σ query·row_i`. `row_sums[i]` must be Σ row_i: the VNNI kernel, which
    /// multiplies unsigned by signed bytes, shifts the query once to unsigned (q + 128) and takes
    /// 128·Σrow back off, so each row costs only its multiply-adds and one reduction.
    pub fn scores_i8(
        self,
        query: &[i8],
        rows: &[i8],
        stride: usize,
        row_sums: &[i32],
        out: &mut [i32],
    ) {
        assert!(
            stride.is_multiple_of(64) && query.len() == stride,
            "query and rows padded to the stride"
        );
        assert_eq!(rows.len(), stride * out.len(), "one output per row");
        assert_eq!(row_sums.len(), out.len(), "one sum per row");
        match self {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: avx512f, avx512bw and avx512vnni were detected before this kernel was made;
            // the lengths were checked above.
            Kernel::Avx512 { vnni: true } => unsafe {
                x86::scores_i8_vnni(query, rows, stride, row_sums, out)
            },
            _ => {
                for (i, score) in out.iter_mut().enumerate() {
                    *score = self.dot_i8(query, &rows[i * stride..(i + 1) * stride]);
                }
            }
        }
    }
}

fn detect() -> Kernel {
    let available = Kernel::available();
    for preferred in [
        Kernel::Avx512 { vnni: true },
        Kernel::Avx512 { vnni: false },
        Kernel::Avx2Fma,
        Kernel::Neon,
    ] {
        if available.contains(&preferred) {
            return preferred;
        }
    }
    Kernel::Scalar
}

/// The definitions.
pub mod scalar {
    pub fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    pub fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
        a.iter()
            .zip(b)
            .map(|(&x, &y)| i32::from(x) * i32::from(y))
            .sum()
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn dot_f32_avx2(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = [_mm256_setzero_ps(); 4];
        let mut i = 0;
        // Four independent accumulators hide the FMA latency.
        while i + 32 <= n {
            for (k, acc) in acc.iter_mut().enumerate() {
                // SAFETY: i + 8k + 8 <= i + 32 <= n: the 8 lanes are inside both slices.
                let (x, y) = unsafe {
                    (
                        _mm256_loadu_ps(pa.add(i + 8 * k)),
                        _mm256_loadu_ps(pb.add(i + 8 * k)),
                    )
                };
                *acc = _mm256_fmadd_ps(x, y, *acc);
            }
            i += 32;
        }
        while i + 8 <= n {
            // SAFETY: i + 8 <= n.
            let (x, y) = unsafe { (_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i))) };
            acc[0] = _mm256_fmadd_ps(x, y, acc[0]);
            i += 8;
        }
        let sum = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
        let half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
        let quad = _mm_add_ps(half, _mm_movehl_ps(half, half));
        let single = _mm_add_ss(quad, _mm_shuffle_ps(quad, quad, 1));
        _mm_cvtss_f32(single) + super::scalar::dot_f32(&a[i..], &b[i..])
    }

    #[target_feature(enable = "avx512f")]
    pub unsafe fn dot_f32_avx512(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = [_mm512_setzero_ps(); 2];
        let mut i = 0;
        while i + 32 <= n {
            for (k, acc) in acc.iter_mut().enumerate() {
                // SAFETY: i + 16k + 16 <= i + 32 <= n.
                let (x, y) = unsafe {
                    (
                        _mm512_loadu_ps(pa.add(i + 16 * k)),
                        _mm512_loadu_ps(pb.add(i + 16 * k)),
                    )
                };
                *acc = _mm512_fmadd_ps(x, y, *acc);
            }
            i += 32;
        }
        // The tail under a mask: no scalar loop, no read past the end (masked lanes are not loaded).
        while i < n {
            let left = (n - i).min(16);
            let mask: __mmask16 = if left == 16 {
                0xffff
            } else {
                (1u16 << left) - 1
            };
            // SAFETY: only the first `left` lanes are read, and i + left <= n.
            let (x, y) = unsafe {
                (
                    _mm512_maskz_loadu_ps(mask, pa.add(i)),
                    _mm512_maskz_loadu_ps(mask, pb.add(i)),
                )
            };
            acc[0] = _mm512_fmadd_ps(x, y, acc[0]);
            i += left;
        }
        _mm512_reduce_add_ps(_mm512_add_ps(acc[0], acc[1]))
    }

    #[target_feature(enable = "avx2")]
    pub unsafe fn dot_i8_avx2(a: &[i8], b: &[i8]) -> i32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = _mm256_setzero_si256();
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: 16 bytes from i, and i + 16 <= n.
            let (x, y) = unsafe {
                (
                    _mm_loadu_si128(pa.add(i).cast::<__m128i>()),
                    _mm_loadu_si128(pb.add(i).cast::<__m128i>()),
                )
            };
            // Widen to i16, multiply pairs and add them into i32 lanes: exact.
            let prod = _mm256_madd_epi16(_mm256_cvtepi8_epi16(x), _mm256_cvtepi8_epi16(y));
            acc = _mm256_add_epi32(acc, prod);
            i += 16;
        }
        let half = _mm_add_epi32(
            _mm256_castsi256_si128(acc),
            _mm256_extracti128_si256(acc, 1),
        );
        let quad = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0b01_00_11_10));
        let single = _mm_add_epi32(quad, _mm_shuffle_epi32(quad, 0b10_11_00_01));
        _mm_cvtsi128_si32(single) + super::scalar::dot_i8(&a[i..], &b[i..])
    }

    #[target_feature(enable = "avx512f,avx512bw")]
    pub unsafe fn dot_i8_avx512(a: &[i8], b: &[i8]) -> i32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = _mm512_setzero_si512();
        let mut i = 0;
        while i < n {
            let left = (n - i).min(32);
            let mask: __mmask32 = if left == 32 {
                u32::MAX
            } else {
                (1u32 << left) - 1
            };
            // SAFETY: masked loads read only the first `left` bytes, i + left <= n.
            let (x, y) = unsafe {
                (
                    _mm256_maskz_loadu_epi8(mask, pa.add(i)),
                    _mm256_maskz_loadu_epi8(mask, pb.add(i)),
                )
            };
            let prod = _mm512_madd_epi16(_mm512_cvtepi8_epi16(x), _mm512_cvtepi8_epi16(y));
            acc = _mm512_add_epi32(acc, prod);
            i += left;
        }
        _mm512_reduce_add_epi32(acc)
    }

    /// `vpdpbusd` multiplies unsigned by signed bytes, so `a` is shifted to unsigned (a + 128)
    /// and the extra 128·Σb taken off at the end: Σ(a+128)·b − 128·Σb = Σa·b.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub unsafe fn dot_i8_vnni(a: &[i8], b: &[i8]) -> i32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let bias = _mm512_set1_epi8(-128);
        let ones = _mm512_set1_epi8(1);
        let mut acc = _mm512_setzero_si512();
        let mut sum_b = _mm512_setzero_si512();
        let mut i = 0;
        while i < n {
            let left = (n - i).min(64);
            let mask: __mmask64 = if left == 64 {
                u64::MAX
            } else {
                (1u64 << left) - 1
            };
            // SAFETY: masked loads read only the first `left` bytes, i + left <= n. Masked-off
            // lanes are zero in both, so they add nothing to either sum.
            let (x, y) = unsafe {
                (
                    _mm512_maskz_loadu_epi8(mask, pa.add(i)),
                    _mm512_maskz_loadu_epi8(mask, pb.add(i)),
                )
            };
            let x_unsigned = _mm512_maskz_xor_si512_bytes(mask, x, bias);
            acc = _mm512_dpbusd_epi32(acc, x_unsigned, y);
            sum_b = _mm512_dpbusd_epi32(sum_b, ones, y);
            i += left;
        }
        _mm512_reduce_add_epi32(acc) - 128 * _mm512_reduce_add_epi32(sum_b)
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub unsafe fn scores_i8_vnni(
        query: &[i8],
        rows: &[i8],
        stride: usize,
        row_sums: &[i32],
        out: &mut [i32],
    ) {
        let bias = _mm512_set1_epi8(-128);
        // The query shifted to unsigned once: q + 128 (XOR 0x80), 64 bytes per chunk.
        let chunks: Vec<__m512i> = (0..stride / 64)
            // SAFETY: query.len() == stride, so each 64-byte chunk is inside it.
            .map(|c| {
                _mm512_xor_si512(
                    unsafe { _mm512_loadu_si512(query.as_ptr().add(64 * c).cast()) },
                    bias,
                )
            })
            .collect();
        for (i, score) in out.iter_mut().enumerate() {
            let row = rows.as_ptr().wrapping_add(i * stride);
            let mut acc = _mm512_setzero_si512();
            for (c, q) in chunks.iter().enumerate() {
                // SAFETY: rows.len() == stride · out.len(), so row i's chunk c is inside it.
                let r = unsafe { _mm512_loadu_si512(row.add(64 * c).cast()) };
                acc = _mm512_dpbusd_epi32(acc, *q, r);
            }
            *score = _mm512_reduce_add_epi32(acc) - 128 * row_sums[i];
        }
    }

    /// XOR with 0x80 (i8 → u8 with +128) in the lanes of `mask`, zero elsewhere.
    #[target_feature(enable = "avx512f,avx512bw")]
    fn _mm512_maskz_xor_si512_bytes(mask: __mmask64, x: __m512i, bias: __m512i) -> __m512i {
        _mm512_maskz_mov_epi8(mask, _mm512_xor_si512(x, bias))
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use std::arch::aarch64::*;

    #[target_feature(enable = "neon")]
    pub unsafe fn dot_f32_neon(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = [vdupq_n_f32(0.0); 4];
        let mut i = 0;
        while i + 16 <= n {
            for (k, acc) in acc.iter_mut().enumerate() {
                // SAFETY: i + 4k + 4 <= i + 16 <= n.
                let (x, y) =
                    unsafe { (vld1q_f32(pa.add(i + 4 * k)), vld1q_f32(pb.add(i + 4 * k))) };
                *acc = vfmaq_f32(*acc, x, y);
            }
            i += 16;
        }
        let sum = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
        vaddvq_f32(sum) + super::scalar::dot_f32(&a[i..], &b[i..])
    }

    #[target_feature(enable = "neon")]
    pub unsafe fn dot_i8_neon(a: &[i8], b: &[i8]) -> i32 {
        let n = a.len();
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = vdupq_n_s32(0);
        let mut i = 0;
        while i + 16 <= n {
            // SAFETY: 16 bytes from i, i + 16 <= n.
            let (x, y) = unsafe { (vld1q_s8(pa.add(i)), vld1q_s8(pb.add(i))) };
            let low = vmull_s8(vget_low_s8(x), vget_low_s8(y));
            let high = vmull_high_s8(x, y);
            acc = vpadalq_s16(acc, low);
            acc = vpadalq_s16(acc, high);
            i += 16;
        }
        vaddvq_s32(acc) + super::scalar::dot_i8(&a[i..], &b[i..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: the tests need no seed crate and fail the same way twice.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn f32(&mut self) -> f32 {
            (self.next() % 2001) as f32 / 1000.0 - 1.0
        }
        fn i8(&mut self) -> i8 {
            (self.next() % 256) as u8 as i8
        }
    }

    const LENGTHS: [usize; 14] = [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 65, 384, 1001];

    #[test]
    fn every_f32_kernel_equals_the_scalar_one() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for kernel in Kernel::available() {
            for n in LENGTHS {
                // One element more than needed, used from offset 1: unaligned starts.
                let a: Vec<f32> = (0..=n).map(|_| rng.f32()).collect();
                let b: Vec<f32> = (0..=n).map(|_| rng.f32()).collect();
                let (a, b) = (&a[1..], &b[1..]);
                let want = scalar::dot_f32(a, b);
                let got = kernel.dot_f32(a, b);
                // Summation order differs: equal up to rounding.
                let tolerance = 1e-4 * (1.0 + n as f32).sqrt() * (1.0 + want.abs());
                assert!(
                    (got - want).abs() <= tolerance,
                    "{} n={n}: {got} vs {want}",
                    kernel.name()
                );
            }
        }
    }

    #[test]
    fn every_i8_kernel_equals_the_scalar_one_exactly() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        for kernel in Kernel::available() {
            for n in LENGTHS {
                let a: Vec<i8> = (0..=n).map(|_| rng.i8()).collect();
                let b: Vec<i8> = (0..=n).map(|_| rng.i8()).collect();
                let (a, b) = (&a[1..], &b[1..]);
                assert_eq!(
                    kernel.dot_i8(a, b),
                    scalar::dot_i8(a, b),
                    "{} n={n}",
                    kernel.name()
                );
            }
            // The extremes: -128 · -128 everywhere must not overflow an intermediate.
            let a = vec![-128i8; 1001];
            assert_eq!(kernel.dot_i8(&a, &a), 1001 * 128 * 128, "{}", kernel.name());
            let b = vec![127i8; 1001];
            assert_eq!(
                kernel.dot_i8(&a, &b),
                -1001 * 128 * 127,
                "{}",
                kernel.name()
            );
        }
    }

    #[test]
    fn batch_int8_scores_equal_the_scalar_ones() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        for kernel in Kernel::available() {
            for (dim, rows) in [(1usize, 1usize), (64, 3), (100, 7), (384, 5), (0, 0)] {
                let stride = dim.div_ceil(64).max(1) * 64;
                let mut query = vec![0i8; stride];
                query[..dim].iter_mut().for_each(|q| *q = rng.i8());
                let mut matrix = vec![0i8; stride * rows];
                for r in 0..rows {
                    matrix[r * stride..r * stride + dim]
                        .iter_mut()
                        .for_each(|x| *x = rng.i8());
                }
                let sums: Vec<i32> = (0..rows)
                    .map(|r| {
                        matrix[r * stride..(r + 1) * stride]
                            .iter()
                            .map(|&x| i32::from(x))
                            .sum()
                    })
                    .collect();
                let mut out = vec![0; rows];
                kernel.scores_i8(&query, &matrix, stride, &sums, &mut out);
                for (r, got) in out.iter().enumerate() {
                    assert_eq!(
                        *got,
                        scalar::dot_i8(&query, &matrix[r * stride..(r + 1) * stride]),
                        "{} dim={dim}",
                        kernel.name()
                    );
                }
            }
        }
    }

    #[test]
    fn the_best_kernel_is_one_this_cpu_has() {
        let available = Kernel::available();
        eprintln!(
            "kernels on this CPU: {:?}",
            available.iter().map(|k| k.name()).collect::<Vec<_>>()
        );
        assert!(available.contains(&Kernel::best()));
    }
}

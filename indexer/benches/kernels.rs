//! Vector scan throughput, for BENCHMARKS.md:
//!
//! ```text
//! cargo bench -p papers-indexer --bench kernels
//! ```
//!
//! For N = 75,000 and N = 1,000,000 synthetic unit rows of d = 384: a plain memory-read loop over
//! the f32 matrix (the baseline: summing every value), the f32 top-10 scan with the best kernel,
//! the int8 top-10 scan, and int8 with the top 40 rescored in f32 — its recall@10 against the
//! exact f32 answer over 50 queries. Each timing is the median of 5 runs. Prints Markdown rows.

use std::time::Instant;

use papers_indexer::simd::Kernel;
use papers_indexer::vectors::{F32Matrix, top_k_rescored};

const DIM: usize = 384;

fn median_secs(mut run: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn main() {
    println!("kernel: {}", Kernel::best().name());
    println!(
        "| N | memory read (GB/s, baseline) | f32 scan (GB/s) | f32 / memory read | int8 scan (ms) | f32 scan (ms) | int8 speed-up | int8+rescore recall@10 |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    };
    for n in [75_000usize, 1_000_000] {
        let mut matrix = F32Matrix::with_capacity(DIM, n);
        let mut row = vec![0.0f32; DIM];
        for _ in 0..n {
            row.iter_mut().for_each(|x| *x = random());
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            row.iter_mut().for_each(|x| *x /= norm);
            matrix.push(&row);
        }
        let quantized = matrix.quantized();
        let bytes = (n * DIM * 4) as f64;
        let query: Vec<f32> = matrix.row(n / 2).to_vec();

        let read = median_secs(|| {
            // Integer adds of the raw bits: the compiler vectorises this, so it runs at the speed
            // memory delivers the matrix (a float sum would be bound by its add chain instead).
            let mut sum = 0u32;
            for i in 0..n {
                sum = matrix
                    .row(i)
                    .iter()
                    .fold(sum, |acc, x| acc.wrapping_add(x.to_bits()));
            }
            std::hint::black_box(sum);
        });
        let f32_scan = median_secs(|| {
            std::hint::black_box(matrix.top_k(&query, 10, None));
        });
        let i8_scan = median_secs(|| {
            std::hint::black_box(quantized.top_k(&query, 10, None));
        });

        let mut agree = 0;
        let queries = 50;
        for q in 0..queries {
            let target = q * (n / queries);
            let query = matrix.row(target).to_vec();
            let exact: Vec<usize> = matrix
                .top_k(&query, 10, Some(target))
                .into_iter()
                .map(|(i, _)| i)
                .collect();
            let approx = top_k_rescored(&matrix, &quantized, &query, 10, 4, Some(target));
            agree += approx.iter().filter(|(i, _)| exact.contains(i)).count();
        }
        println!(
            "| {n} | {:.1} | {:.1} | {:.0}% | {:.1} | {:.1} | {:.1}x | {:.3} |",
            bytes / read / 1e9,
            bytes / f32_scan / 1e9,
            100.0 * read / f32_scan,
            i8_scan * 1e3,
            f32_scan * 1e3,
            f32_scan / i8_scan,
            agree as f64 / (queries * 10) as f64
        );
    }
}

//! Progress for long commands: a bar on a terminal, plain lines every few seconds otherwise (cron
//! mails and CI logs stay readable).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub enum Progress {
    Bar(ProgressBar),
    Plain {
        label: &'static str,
        total: Option<u64>,
        last: Instant,
    },
}

impl Progress {
    /// `total`: the input's size in bytes, if known.
    pub fn new(total: Option<u64>, label: &'static str) -> Progress {
        if std::io::stderr().is_terminal() {
            let bar = match total {
                Some(total) => ProgressBar::new(total).with_style(
                    ProgressStyle::with_template(
                        "{msg:>12} [{bar:30}] {percent:>3}% {binary_bytes}/{binary_total_bytes} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                ),
                None => ProgressBar::new_spinner(),
            };
            bar.set_message(label);
            Progress::Bar(bar)
        } else {
            Progress::Plain {
                label,
                total,
                last: Instant::now(),
            }
        }
    }

    pub fn update(&mut self, bytes: u64, lines: u64, papers: u64) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(bytes);
                bar.set_message(format!("{papers} papers"));
            }
            Progress::Plain { label, total, last } => {
                if last.elapsed() < PLAIN_EVERY {
                    return;
                }
                *last = Instant::now();
                match total {
                    Some(total) if *total > 0 => eprintln!(
                        "{label}: {:.0}% ({lines} lines, {papers} papers)",
                        100.0 * bytes as f64 / *total as f64
                    ),
                    _ => eprintln!("{label}: {lines} lines, {papers} papers"),
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Progress through a known number of items (summaries): a bar on a terminal, else a line every
/// few seconds.
pub enum Counter {
    Bar(ProgressBar),
    Plain {
        label: &'static str,
        total: u64,
        last: Instant,
    },
}

impl Counter {
    pub fn new(total: u64, label: &'static str) -> Counter {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(total).with_style(
                ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix(label);
            Counter::Bar(bar)
        } else {
            Counter::Plain {
                label,
                total,
                last: Instant::now(),
            }
        }
    }

    pub fn set(&mut self, done: u64, message: &str) {
        match self {
            Counter::Bar(bar) => {
                bar.set_position(done);
                bar.set_message(message.to_string());
            }
            Counter::Plain { label, total, last } => {
                if last.elapsed() >= PLAIN_EVERY {
                    *last = Instant::now();
                    eprintln!("{label}: {done}/{total} {message}");
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Counter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

//! `papers import`: streams a JSON Lines file (plain or gzip) into the Store.
//!
//! Parsing runs on a blocking thread and hands batches to the async writer through a small
//! channel, so decompression and JSON parsing overlap with database writes. A bad line is rejected
//! with its number and reason and the rest goes in; an unreadable file (a truncated gzip stream,
//! an I/O error) stops the run, and every batch stored before that point stays stored.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use papers_core::store::{BATCH_SIZE, UpsertCounts};
use papers_core::{Paper, Store, StoreError};
use tokio::sync::mpsc;

use crate::jsonl::parse_line;

/// Lines longer than this are rejected without being held in memory: the longest real record is
/// tens of kilobytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Rejections kept in the report (all are logged).
const KEPT_REJECTIONS: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line number in the (decompressed) file.
    pub line: u64,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Lines read so far, blank ones included.
    pub lines: u64,
    /// Category tokens dropped because they are not arXiv categories (MSC/ACM classes).
    pub dropped_categories: u64,
    /// The first rejections, in line order.
    pub rejections: Vec<Rejection>,
}

impl ImportReport {
    /// Papers accepted (stored or already up to date).
    pub fn accepted(&self) -> u64 {
        self.new + self.updated + self.unchanged
    }

    fn add_counts(&mut self, counts: UpsertCounts) {
        self.new += counts.new;
        self.updated += counts.updated;
        self.unchanged += counts.unchanged;
    }

    fn reject(&mut self, rejection: Rejection) {
        tracing::warn!(line = rejection.line, reason = %rejection.reason, "rejected line");
        self.rejected += 1;
        if self.rejections.len() < KEPT_REJECTIONS {
            self.rejections.push(rejection);
        }
    }
}

/// Told after every stored batch how far the import has come.
pub trait ImportProgress: Send {
    /// `input_bytes`: bytes of the input consumed so far (compressed bytes for a gzip file).
    fn update(&mut self, input_bytes: u64, report: &ImportReport);
}

impl<F: FnMut(u64, &ImportReport) + Send> ImportProgress for F {
    fn update(&mut self, input_bytes: u64, report: &ImportReport) {
        self(input_bytes, report)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the input after line {line}: {source}")]
    Read {
        line: u64,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot store the papers of lines up to {line}: {source}")]
    Store {
        line: u64,
        #[source]
        source: StoreError,
    },
}

/// What the parsing thread hands to the writer.
enum Chunk {
    Batch {
        papers: Vec<Paper>,
        rejections: Vec<Rejection>,
        dropped_categories: u64,
        lines: u64,
        input_bytes: u64,
    },
    Failed {
        line: u64,
        error: std::io::Error,
    },
}

/// Imports a JSON Lines stream, plain or gzip (detected from its first bytes, not its name).
pub async fn import_jsonl<R: Read + Send + 'static>(
    store: &Store,
    input: R,
    mut progress: impl ImportProgress,
) -> Result<ImportReport, ImportError> {
    let consumed = Arc::new(AtomicU64::new(0));
    let counting = CountingReader {
        inner: input,
        count: Arc::clone(&consumed),
    };
    let (tx, mut rx) = mpsc::channel::<Chunk>(4);
    let reader = tokio::task::spawn_blocking(move || read_batches(counting, consumed, tx));

    let mut report = ImportReport::default();
    let mut result = Ok(());
    while let Some(chunk) = rx.recv().await {
        match chunk {
            Chunk::Batch {
                papers,
                rejections,
                dropped_categories,
                lines,
                input_bytes,
            } => {
                for rejection in rejections {
                    report.reject(rejection);
                }
                report.dropped_categories += dropped_categories;
                report.lines = lines;
                match store.upsert(papers).await {
                    Ok(counts) => report.add_counts(counts),
                    Err(source) => {
                        result = Err(ImportError::Store {
                            line: lines,
                            source,
                        });
                        break;
                    }
                }
                progress.update(input_bytes, &report);
            }
            Chunk::Failed { line, error } => {
                result = Err(ImportError::Read {
                    line,
                    source: error,
                });
                break;
            }
        }
    }
    // Dropping the receiver stops the reader at its next send.
    drop(rx);
    let _ = reader.await;
    result.map(|()| report)
}

/// The parsing side: reads lines, parses them, and sends a batch every `BATCH_SIZE` papers.
fn read_batches<R: Read>(input: R, consumed: Arc<AtomicU64>, tx: mpsc::Sender<Chunk>) {
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let gzip = match reader.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(error) => {
            let _ = tx.blocking_send(Chunk::Failed { line: 0, error });
            return;
        }
    };
    let mut lines: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };

    let mut line_no = 0u64;
    let mut buf = Vec::with_capacity(4096);
    let mut papers = Vec::with_capacity(BATCH_SIZE);
    let mut rejections = Vec::new();
    let mut dropped_categories = 0u64;
    loop {
        let read = match read_line_capped(&mut lines, &mut buf, MAX_LINE_BYTES) {
            Ok(read) => read,
            Err(error) => {
                // Send what was parsed so far first: nothing read before the fault is lost.
                let _ = tx.blocking_send(Chunk::Batch {
                    papers: std::mem::take(&mut papers),
                    rejections: std::mem::take(&mut rejections),
                    dropped_categories,
                    lines: line_no,
                    input_bytes: consumed.load(Ordering::Relaxed),
                });
                let _ = tx.blocking_send(Chunk::Failed {
                    line: line_no,
                    error,
                });
                return;
            }
        };
        let Some(line_len) = read else { break };
        line_no += 1;
        if line_len > MAX_LINE_BYTES {
            rejections.push(Rejection {
                line: line_no,
                reason: format!("line is longer than {MAX_LINE_BYTES} bytes"),
            });
        } else {
            match std::str::from_utf8(&buf) {
                Err(e) => rejections.push(Rejection {
                    line: line_no,
                    reason: format!("not UTF-8 text: {e}"),
                }),
                Ok(text) if text.trim().is_empty() => {}
                Ok(text) => match parse_line(text) {
                    Ok(parsed) => {
                        dropped_categories += parsed.dropped_categories.len() as u64;
                        papers.push(parsed.paper);
                    }
                    Err(reason) => rejections.push(Rejection {
                        line: line_no,
                        reason,
                    }),
                },
            }
        }
        if papers.len() >= BATCH_SIZE {
            let chunk = Chunk::Batch {
                papers: std::mem::replace(&mut papers, Vec::with_capacity(BATCH_SIZE)),
                rejections: std::mem::take(&mut rejections),
                dropped_categories: std::mem::take(&mut dropped_categories),
                lines: line_no,
                input_bytes: consumed.load(Ordering::Relaxed),
            };
            if tx.blocking_send(chunk).is_err() {
                return; // the writer stopped (a store error); it reports why
            }
        }
    }
    let _ = tx.blocking_send(Chunk::Batch {
        papers,
        rejections,
        dropped_categories,
        lines: line_no,
        input_bytes: consumed.load(Ordering::Relaxed),
    });
}

/// Reads one line (without its `\n`/`\r\n`) into `buf`. Returns `None` at the end of input, else
/// the line's full length; past `cap` bytes the rest of the line is skipped, not buffered.
fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<usize>> {
    buf.clear();
    let mut len = 0usize;
    let mut saw_any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        saw_any = true;
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        if len + chunk.len() <= cap {
            buf.extend_from_slice(chunk);
        }
        len += chunk.len();
        let used = chunk.len() + usize::from(done);
        reader.consume(used);
        if done {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(len))
}

/// Counts the bytes read through it, for progress against the input's size.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_measured_but_not_buffered() {
        let input = format!("short\r\n{}\nlast", "x".repeat(100));
        let mut reader = BufReader::with_capacity(8, input.as_bytes());
        let mut buf = Vec::new();
        assert_eq!(
            read_line_capped(&mut reader, &mut buf, 10).unwrap(),
            Some(6)
        );
        assert_eq!(buf, b"short");
        assert_eq!(
            read_line_capped(&mut reader, &mut buf, 10).unwrap(),
            Some(100)
        );
        assert!(buf.len() <= 10);
        assert_eq!(
            read_line_capped(&mut reader, &mut buf, 10).unwrap(),
            Some(4)
        );
        assert_eq!(buf, b"last");
        assert_eq!(read_line_capped(&mut reader, &mut buf, 10).unwrap(), None);
    }
}

//! A paper's full text for the FAQ: its arXiv PDF, fetched only from the configured PDF base
//! with the path built from the stored paper's validated id and version, within size and time
//! limits, turned into text on a blocking thread, and cached in the Store (or why it could not be
//! had, so a broken PDF is not fetched again for each language).

use std::time::Duration;

use papers_core::http::{HttpClient, HttpError, HttpOptions};
use papers_core::{Config, FullText, Paper, Store};

/// arXiv's largest PDFs are tens of megabytes; bigger is not worth summarising from.
const MAX_PDF_BYTES: usize = 40 << 20;
/// The longest a PDF's text extraction may take.
const EXTRACT_TIMEOUT: Duration = Duration::from_secs(60);
/// Text kept per paper: far more than any model reads, far less than a book.
const MAX_TEXT_CHARS: usize = 200_000;

#[derive(Clone)]
pub struct PdfText {
    http: HttpClient,
    base: String,
}

impl PdfText {
    pub fn new(config: &Config) -> Result<PdfText, HttpError> {
        let crawler = &config.crawler;
        let mut options = HttpOptions::new(
            crawler.contact.as_deref(),
            crawler.min_interval,
            Duration::from_secs(90),
        );
        options.max_body_bytes = MAX_PDF_BYTES;
        // A PDF that fails twice is read from the abstract: the reader is waiting.
        options.retry.max_attempts = 2;
        Ok(PdfText {
            http: HttpClient::new(options)?,
            base: config.summaries.pdf_url.trim_end_matches('/').to_string(),
        })
    }

    /// The paper's text, from the cache or fetched now; `None` when it cannot be had (the
    /// summary then says it read the abstract).
    pub async fn text(&self, store: &Store, paper: &Paper) -> Option<String> {
        // A paper known only at a venue has no arXiv PDF; its venue's PDF link comes from a
        // feed or a list, and we fetch only from the configured base. The FAQ reads its abstract.
        if !paper.id.is_arxiv() {
            return None;
        }
        match store.fulltext(&paper.id, paper.version).await {
            Ok(Some(FullText::Text(text))) => return Some(text),
            Ok(Some(FullText::Unavailable(_))) => return None,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(id = %paper.id, error = %e, "cannot read the cached full text")
            }
        }
        let url = format!("{}/{}v{}", self.base, paper.id.as_str(), paper.version);
        let outcome = match self.http.get(&url, None).await {
            Ok(fetched) => extract(fetched.body).await,
            // A transient failure (arXiv down) is not remembered: the next summary tries again.
            Err(e) if papers_core::retry::Transient::is_transient(&e) => {
                tracing::warn!(id = %paper.id, error = %e, "PDF not fetched; summarising the abstract");
                return None;
            }
            Err(e) => FullText::Unavailable(e.to_string()),
        };
        if let FullText::Unavailable(reason) = &outcome {
            tracing::warn!(id = %paper.id, %reason, "no full text; summarising the abstract");
        }
        if let Err(e) = store.put_fulltext(&paper.id, paper.version, &outcome).await {
            tracing::warn!(id = %paper.id, error = %e, "cannot cache the full text");
        }
        match outcome {
            FullText::Text(text) => Some(text),
            FullText::Unavailable(_) => None,
        }
    }
}

/// The PDF's text, whitespace tidied; PDFs are hostile input, so a parser panic is caught and
/// counts as an unreadable PDF.
async fn extract(bytes: Vec<u8>) -> FullText {
    if !bytes.starts_with(b"%PDF-") {
        return FullText::Unavailable("the response is not a PDF".into());
    }
    let parsing = tokio::task::spawn_blocking(move || {
        std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(&bytes))
    });
    // A PDF that makes the parser spin must not hold the summary (the thread is left to finish).
    let Ok(parsed) = tokio::time::timeout(EXTRACT_TIMEOUT, parsing).await else {
        return FullText::Unavailable("the PDF took too long to read".into());
    };
    match parsed {
        Ok(Ok(Ok(text))) => {
            let text = tidy(&text);
            if text.len() < 200 {
                FullText::Unavailable("the PDF has no extractable text".into())
            } else {
                FullText::Text(text)
            }
        }
        Ok(Ok(Err(e))) => FullText::Unavailable(format!("cannot read the PDF: {e}")),
        Ok(Err(_)) | Err(_) => {
            FullText::Unavailable("cannot read the PDF: the parser gave up".into())
        }
    }
}

/// Lines joined into paragraphs, runs of spaces collapsed, capped at [`MAX_TEXT_CHARS`].
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_CHARS * 4));
    let mut chars = 0;
    for paragraph in text.split("\n\n") {
        let line = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&line);
        chars += line.chars().count() + 2;
        if chars >= MAX_TEXT_CHARS {
            break;
        }
    }
    cut(&out, MAX_TEXT_CHARS).to_string()
}

/// The first `chars` characters of `text`, cut at a character boundary.
pub fn cut(text: &str, chars: usize) -> &str {
    match text.char_indices().nth(chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

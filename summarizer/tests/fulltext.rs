//! The full-text input: the paper's PDF fetched from the configured base (path built from the
//! stored id and version), its text given to the model and cached; a PDF that cannot be read
//! falls back to the abstract, says so, and is not fetched again.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use papers_core::testing::sqlite_store;
use papers_core::{Config, FullText, Lang};
use papers_summarizer::Update;
use papers_summarizer::fulltext::PdfText;
use papers_summarizer::testing::MockLlm;
use support::{endpoint, follow, options, paper, start};

const BODY: &str = "Section one introduces a factorised attention whose rank adapts per head. \
    The method keeps softmax normalisation exact while the cost grows linearly with length.";

/// A one-page PDF (Helvetica, text drawn line by line), built by hand with a correct xref.
fn pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 11 Tf 72 740 Td 14 TL\n");
    for line in lines {
        content.push_str(&format!(
            "({}) Tj T*\n",
            line.replace('(', "\\(").replace(')', "\\)")
        ));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[derive(Default)]
struct Arxiv {
    requests: AtomicUsize,
    paths: std::sync::Mutex<Vec<String>>,
}

/// A mock arXiv PDF server: `2606.00601v1` is a real PDF, anything else is HTML.
async fn arxiv() -> (String, Arc<Arxiv>) {
    let state = Arc::new(Arxiv::default());
    let app = Router::new()
        .route("/pdf/{name}", get(serve))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/pdf"), state)
}

async fn serve(
    State(state): State<Arc<Arxiv>>,
    Path(name): Path<String>,
) -> axum::response::Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    state.paths.lock().unwrap().push(name.clone());
    if name == "2606.00601v1" {
        let lines: Vec<&str> = BODY.split(". ").collect();
        let mut all = lines.clone();
        all.extend(lines.iter().copied());
        ([(header::CONTENT_TYPE, "application/pdf")], pdf(&all)).into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "text/html")],
            "<html>Not a PDF</html>",
        )
            .into_response()
    }
}

fn config(pdf_base: &str) -> Config {
    let mut config = Config::default();
    config.summaries.pdf_url = pdf_base.into();
    config.crawler.min_interval = Duration::ZERO;
    config
}

struct Run {
    store: papers_core::Store,
    paper: papers_core::Paper,
    pdfs: Arc<Arxiv>,
    /// The first request's paper message, as the model read it.
    first_prompt: String,
    _dir: tempfile::TempDir,
}

/// Summarises paper `id` (an arXiv id, or a venue-only paper's `openreview:…`) in both languages
/// with PDFs from the mock arXiv; each answer must say it read `source`.
async fn summarise_both_languages(id: &str, source: &str) -> Run {
    let (base, pdfs) = arxiv().await;
    let (store, dir) = sqlite_store().await;
    let mock = MockLlm::start().await;
    let p = match id.strip_prefix("openreview:") {
        None => paper(id, 1, 8),
        Some(key) => {
            let mut p = paper("2606.00601", 1, 8);
            p.id = papers_core::ArxivId::venue_paper("openreview", key).unwrap();
            p.categories.clear();
            p.normalized().unwrap()
        }
    };
    store.upsert(vec![p.clone()]).await.unwrap();
    let mut opts = options("w", Duration::from_secs(30));
    opts.pdf = Some(PdfText::new(&config(&base)).unwrap());
    let summarizer = start(&store, endpoint(&mock, Duration::from_secs(5)), opts);
    for lang in Lang::ALL {
        summarizer.request(&p, lang, true).await.unwrap();
        assert_eq!(
            follow(&summarizer, &p, lang).await.last(),
            Some(&Update::Done)
        );
        assert_eq!(
            summarizer.cached(&p, lang).await.unwrap().unwrap().source,
            source
        );
    }
    let first_prompt = mock.bodies()[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_string();
    Run {
        store,
        paper: p,
        pdfs,
        first_prompt,
        _dir: dir,
    }
}

#[tokio::test]
async fn the_model_reads_the_pdf_text_which_is_cached() {
    let run = summarise_both_languages("2606.00601", "full-text").await;
    let (store, p, pdfs, first) = (&run.store, &run.paper, &run.pdfs, &run.first_prompt);
    assert!(first.contains("Full text:"), "{first}");
    assert!(
        first.contains("factorised attention whose rank adapts per head"),
        "{first}"
    );
    assert_eq!(
        pdfs.requests.load(Ordering::SeqCst),
        1,
        "fetched once for both languages"
    );
    assert_eq!(pdfs.paths.lock().unwrap().as_slice(), ["2606.00601v1"]);
    assert!(
        matches!(store.fulltext(&p.id, 1).await.unwrap(), Some(FullText::Text(t)) if t.contains("softmax"))
    );
}

#[tokio::test]
async fn a_pdf_that_cannot_be_read_falls_back_to_the_abstract_once() {
    let run = summarise_both_languages("2606.00602", "abstract").await;
    let (store, p, pdfs, first) = (&run.store, &run.paper, &run.pdfs, &run.first_prompt);
    assert!(
        first.contains("Only the abstract is available"),
        "the model is told: {first}"
    );
    assert_eq!(
        pdfs.requests.load(Ordering::SeqCst),
        1,
        "a broken PDF is remembered, not refetched"
    );
    assert!(
        matches!(store.fulltext(&p.id, 1).await.unwrap(), Some(FullText::Unavailable(r)) if r.contains("not a PDF"))
    );
}

#[tokio::test]
async fn a_venue_only_paper_is_summarised_from_its_abstract_without_fetching() {
    let run = summarise_both_languages("openreview:Qm7DiffPst", "abstract").await;
    assert!(
        run.first_prompt.contains("Only the abstract is available"),
        "{}",
        run.first_prompt
    );
    // No arXiv PDF exists for it, and no URL from a feed is fetched.
    assert_eq!(run.pdfs.requests.load(Ordering::SeqCst), 0);
}

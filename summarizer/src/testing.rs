//! A mock OpenAI-compatible chat server for tests: streamed (SSE) or plain JSON answers, and a
//! script of faults served one per request before it answers normally — 429 with Retry-After,
//! 500, a request that hangs past the client's timeout, a connection dropped mid-stream, a
//! malformed chunk, empty choices. It counts requests, so tests can assert single flight.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures_util::stream;
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: n`.
    TooMany(u64),
    /// 500.
    ServerError,
    /// No answer for an hour: the client's timeout must end it.
    Hang,
    /// Two chunks of text, then the connection is cut.
    DropMidStream,
    /// A `data:` line that is not JSON.
    MalformedChunk,
    /// A stream whose chunks have no choices, then `[DONE]`.
    EmptyChoices,
    /// This answer (a normal stream with this text).
    Say(String),
    /// A non-streaming JSON completion of the normal answer.
    Plain,
}

#[derive(Default)]
struct Mock {
    faults: Mutex<VecDeque<Fault>>,
    requests: AtomicUsize,
    bodies: Mutex<Vec<Value>>,
    authorizations: Mutex<Vec<Option<String>>>,
    /// Pause between streamed chunks, so tests can watch an answer being written.
    chunk_delay: Mutex<Duration>,
}

/// A running mock; its server lives as long as the test's runtime.
#[derive(Clone)]
pub struct MockLlm {
    /// The `/v1` base to configure.
    pub url: String,
    state: Arc<Mock>,
}

impl MockLlm {
    pub async fn start() -> MockLlm {
        let state = Arc::new(Mock::default());
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the mock LLM");
        let addr = listener.local_addr().expect("mock address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MockLlm {
            url: format!("http://{addr}/v1"),
            state,
        }
    }

    /// Serves these faults, one per request, before answering normally again.
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.faults.lock().expect("mock lock").extend(faults);
    }

    pub fn set_chunk_delay(&self, delay: Duration) {
        *self.state.chunk_delay.lock().expect("mock lock") = delay;
    }

    /// Requests received so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The JSON bodies received, in order.
    pub fn bodies(&self) -> Vec<Value> {
        self.state.bodies.lock().expect("mock lock").clone()
    }

    /// The `Authorization` headers received, in order.
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.state.authorizations.lock().expect("mock lock").clone()
    }
}

/// The normal answer: names the question, so tests can check each answer went to its question.
pub fn normal_answer(body: &Value) -> String {
    let question = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    let last_line = question.lines().last().unwrap_or("").trim();
    format!("**Answer** to: {last_line} The cost is $O(n^2)$.")
}

async fn chat(State(mock): State<Arc<Mock>>, headers: HeaderMap, body: Bytes) -> Response {
    mock.requests.fetch_add(1, Ordering::SeqCst);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    mock.bodies.lock().expect("mock lock").push(body.clone());
    mock.authorizations.lock().expect("mock lock").push(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    );
    let fault = mock.faults.lock().expect("mock lock").pop_front();
    let delay = *mock.chunk_delay.lock().expect("mock lock");
    match fault {
        Some(Fault::TooMany(secs)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, secs.to_string())],
            "slow down",
        )
            .into_response(),
        Some(Fault::ServerError) => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        Some(Fault::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
        Some(Fault::DropMidStream) => {
            let chunks = vec![
                Ok(Bytes::from(sse(&delta("Half an "))))
                    as Result<Bytes, std::io::Error>,
                Ok(Bytes::from(sse(&delta("answer")))),
                Err(std::io::Error::other("connection cut")),
            ];
            event_stream(Body::from_stream(stream::iter(chunks)))
        }
        Some(Fault::MalformedChunk) => event_stream(Body::from(format!(
            "{}data: {{not json\n\n",
            sse(&delta("Some"))
        ))),
        Some(Fault::EmptyChoices) => event_stream(Body::from(format!(
            "{}{}data: [DONE]\n\n",
            sse(&json!({ "choices": [] })),
            sse(&json!({ "choices": [], "usage": { "prompt_tokens": 5, "completion_tokens": 0 } }))
        ))),
        Some(Fault::Plain) => axum::Json(json!({
            "choices": [{ "message": { "role": "assistant", "content": normal_answer(&body) }, "finish_reason": "stop" }],
            "usage": { "prompt_tokens": 100, "completion_tokens": 20 },
        }))
        .into_response(),
        Some(Fault::Say(text)) => streamed(text, delay),
        None => streamed(normal_answer(&body), delay),
    }
}

/// The answer in three pieces, then usage and `[DONE]`.
fn streamed(text: String, delay: Duration) -> Response {
    let third = text.len() / 3;
    let cut = |n: usize| {
        (n..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len())
    };
    let (a, b) = (cut(third), cut(2 * third));
    let mut events = vec![
        sse(&delta(&text[..a])),
        sse(&delta(&text[a..b])),
        sse(&delta(&text[b..])),
    ];
    events.push(sse(
        &json!({ "choices": [{ "delta": {}, "finish_reason": "stop" }] }),
    ));
    events.push(sse(
        &json!({ "choices": [], "usage": { "prompt_tokens": 100, "completion_tokens": 20 } }),
    ));
    events.push("data: [DONE]\n\n".to_string());
    let chunks = stream::unfold(
        (events.into_iter(), true),
        move |(mut rest, first)| async move {
            let next = rest.next()?;
            if !first && !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            Some((Ok::<_, std::io::Error>(Bytes::from(next)), (rest, false)))
        },
    );
    event_stream(Body::from_stream(chunks))
}

fn delta(text: &str) -> Value {
    json!({ "choices": [{ "delta": { "content": text }, "finish_reason": null }] })
}

fn sse(value: &Value) -> String {
    format!("data: {value}\n\n")
}

fn event_stream(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

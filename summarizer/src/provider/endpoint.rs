//! Any OpenAI-compatible chat-completions endpoint (OpenAI, Kimi/Moonshot, DeepSeek, vLLM,
//! llama.cpp's server, Ollama), streamed over server-sent events.
//!
//! Each attempt is one request; failures are [`HttpError`]s so the one retry policy of the
//! service decides what is retried (429 with its Retry-After, 5xx, timeouts, a stream cut off)
//! and what is not (a 400, a 401).

use std::time::Duration;

use futures_util::StreamExt;
use papers_core::Secret;
use papers_core::http::{HttpError, classify, retry_after, user_agent};
use reqwest::header::CONTENT_TYPE;
use serde::Deserialize;
use serde_json::json;

use crate::chat::{ChatMessage, Usage};

/// The longest answer we read; a model that streams forever is cut off here.
const MAX_REPLY_BYTES: usize = 256 * 1024;

pub struct Endpoint {
    client: reqwest::Client,
    url: String,
    model: String,
    api_key: Option<Secret>,
}

impl Endpoint {
    /// `base` is the `/v1` base the operator configured; `timeout` bounds one whole answer.
    pub fn new(
        base: &str,
        model: &str,
        api_key: Option<Secret>,
        timeout: Duration,
    ) -> Result<Endpoint, HttpError> {
        let client = reqwest::Client::builder()
            .user_agent(user_agent(None))
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| HttpError::Other {
                url: base.to_string(),
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        Ok(Endpoint {
            client,
            url: format!("{}/chat/completions", base.trim_end_matches('/')),
            model: model.to_string(),
            api_key,
        })
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// One attempt: asks for a streamed reply and hands each piece of text to `on_text` as it
    /// arrives. A server that answers with plain JSON instead of a stream is read as such.
    pub async fn reply(
        &self,
        messages: &[ChatMessage],
        max_tokens: u32,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Usage), HttpError> {
        let body = json!({
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.3,
            "stream": true,
        });
        let mut request = self
            .client
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await.map_err(|e| classify(&self.url, &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(HttpError::Status {
                url: self.url.clone(),
                status: status.as_u16(),
                retry_after: retry_after(response.headers()),
            });
        }
        let streamed = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let (text, usage) = if streamed {
            self.read_stream(response, on_text).await?
        } else {
            let bytes = response
                .bytes()
                .await
                .map_err(|e| classify(&self.url, &e))?;
            let (text, usage) = parse_completion(&bytes).map_err(|m| self.malformed(m))?;
            on_text(&text);
            (text, usage)
        };
        if text.trim().is_empty() {
            // Empty `choices`, or a stream of empty deltas: worth another attempt.
            return Err(HttpError::Truncated {
                url: self.url.clone(),
                message: "the model returned no text".into(),
            });
        }
        let usage = usage.unwrap_or_else(|| estimate(messages, &text));
        Ok((text, usage))
    }

    async fn read_stream(
        &self,
        response: reqwest::Response,
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<(String, Option<Usage>), HttpError> {
        let mut events = SseLines::default();
        let mut text = String::new();
        let mut usage = None;
        let mut finished = false;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| classify(&self.url, &e))?;
            for data in events.push(&chunk) {
                if data == "[DONE]" {
                    finished = true;
                    break;
                }
                let chunk: StreamChunk = serde_json::from_str(&data).map_err(|e| {
                    self.malformed(format!("a stream chunk is not JSON ({e}): {}", clip(&data)))
                })?;
                if let Some(u) = chunk.usage {
                    usage = Some(u.into());
                }
                // Some servers send chunks with no choices (usage, keep-alives): nothing to add.
                for choice in chunk.choices {
                    if let Some(piece) = choice
                        .delta
                        .and_then(|d| d.content)
                        .filter(|p| !p.is_empty())
                    {
                        if text.len() + piece.len() > MAX_REPLY_BYTES {
                            return Err(
                                self.malformed(format!("the reply passed {MAX_REPLY_BYTES} bytes"))
                            );
                        }
                        text.push_str(&piece);
                        on_text(&piece);
                    }
                    finished |= choice.finish_reason.is_some();
                }
            }
            if finished {
                break;
            }
        }
        if !finished {
            return Err(HttpError::Truncated {
                url: self.url.clone(),
                message: "the stream ended before the reply was finished".into(),
            });
        }
        Ok((text, usage))
    }

    fn malformed(&self, message: String) -> HttpError {
        // Transient on purpose: a proxy that garbles one response usually passes the next.
        HttpError::Truncated {
            url: self.url.clone(),
            message,
        }
    }
}

/// Splits a byte stream into the `data:` payloads of server-sent events (one per event, lines
/// joined), whatever the chunk boundaries.
#[derive(Default)]
struct SseLines {
    pending: Vec<u8>,
    data: Vec<String>,
}

impl SseLines {
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(self.data.join("\n"));
                    self.data.clear();
                }
            } else if let Some(value) = line.strip_prefix("data:") {
                let value = value.strip_prefix(' ').unwrap_or(value);
                // Most servers put `[DONE]` alone; treat it as its own event even without a blank line.
                if value == "[DONE]" {
                    events.push(value.to_string());
                } else {
                    self.data.push(value.to_string());
                }
            }
            // Comments (`:`), `event:`, `id:` and `retry:` lines carry nothing we use.
        }
        events
    }
}

#[derive(Deserialize)]
struct StreamChunk {
    #[serde(default)]
    choices: Vec<StreamChoice>,
    usage: Option<ApiUsage>,
}

#[derive(Deserialize)]
struct StreamChoice {
    delta: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Delta {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<CompletionChoice>,
    usage: Option<ApiUsage>,
}

#[derive(Deserialize)]
struct CompletionChoice {
    message: Option<Delta>,
}

#[derive(Deserialize)]
struct ApiUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

impl From<ApiUsage> for Usage {
    fn from(u: ApiUsage) -> Usage {
        Usage {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
        }
    }
}

fn parse_completion(bytes: &[u8]) -> Result<(String, Option<Usage>), String> {
    let completion: Completion = serde_json::from_slice(bytes)
        .map_err(|e| format!("the reply is not a chat completion: {e}"))?;
    let text = completion
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message)
        .and_then(|m| m.content)
        .unwrap_or_default();
    Ok((text, completion.usage.map(Usage::from)))
}

/// About four characters a token, for servers that report no usage (the budget still counts).
fn estimate(messages: &[ChatMessage], reply: &str) -> Usage {
    let prompt: usize = messages.iter().map(|m| m.content.len()).sum();
    Usage {
        prompt_tokens: (prompt / 4) as u64,
        completion_tokens: (reply.len() / 4).max(1) as u64,
    }
}

fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_found_whatever_the_chunk_boundaries() {
        let stream =
            b"data: {\"a\":1}\n\n: keep-alive\n\ndata: {\"b\":\r\ndata: 2}\r\n\r\ndata: [DONE]\n\n";
        for split in 1..stream.len() {
            let mut lines = SseLines::default();
            let mut events = lines.push(&stream[..split]);
            events.extend(lines.push(&stream[split..]));
            assert_eq!(
                events,
                vec!["{\"a\":1}", "{\"b\":\n2}", "[DONE]"],
                "split at {split}"
            );
        }
    }

    #[test]
    fn a_plain_completion_is_read() {
        let body = br#"{"choices":[{"message":{"role":"assistant","content":"Hi"}}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#;
        let (text, usage) = parse_completion(body).unwrap();
        assert_eq!(text, "Hi");
        assert_eq!(
            usage,
            Some(Usage {
                prompt_tokens: 3,
                completion_tokens: 1
            })
        );
        assert_eq!(parse_completion(br#"{"choices":[]}"#).unwrap().0, "");
        assert!(parse_completion(b"<html>").is_err());
    }
}

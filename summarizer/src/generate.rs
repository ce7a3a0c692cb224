//! One FAQ: the six questions asked in turn in one conversation about the paper, each answer
//! streamed into a watch channel as it is written, each request retried by the service's one
//! retry policy.

use std::sync::Arc;

use papers_core::retry::RetryPolicy;
use papers_core::{Lang, Paper};
use tokio::sync::watch;

use crate::chat::{ChatMessage, Usage};
use crate::prompt::{self, Source};
use crate::provider::{Provider, ProviderError, extractive};

/// A finished FAQ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Faq {
    pub answers: Vec<String>,
    pub usage: Usage,
}

/// Writes the FAQ of `paper` in `lang` from `source`. `answers` holds the answers so far at
/// every moment (a retried answer starts again from empty), for readers following along.
pub async fn faq(
    provider: &Provider,
    paper: &Paper,
    lang: Lang,
    source: &Source,
    retry: &RetryPolicy,
    answers: &watch::Sender<Vec<String>>,
) -> Result<Faq, ProviderError> {
    if let Provider::Extractive = provider {
        let written = extractive::answer(paper, lang);
        answers.send_replace(written.clone());
        return Ok(Faq {
            answers: written,
            usage: Usage::default(),
        });
    }
    let prompt = prompt::for_lang(lang);
    let mut messages = prompt.opening(paper, source);
    let mut usage = Usage::default();
    answers.send_replace(Vec::new());
    for (i, question) in prompt.questions.iter().enumerate() {
        if i == 0 {
            // The first question goes with the paper: one user turn, as every chat template expects.
            if let Some(paper_turn) = messages.last_mut() {
                paper_turn.content = format!("{}\n\n{question}", paper_turn.content);
            }
        } else {
            messages.push(ChatMessage::user(question.as_str()));
        }
        let conversation = Arc::new(messages.clone());
        let what = format!("summary of {} (question {})", paper.id, i + 1);
        let (text, used) = retry
            .run(&what, || {
                let conversation = Arc::clone(&conversation);
                async move {
                    answers.send_modify(|a| {
                        a.truncate(i);
                        a.push(String::new());
                    });
                    let mut on_text = |piece: &str| {
                        answers.send_modify(|a| {
                            if let Some(answer) = a.get_mut(i) {
                                answer.push_str(piece);
                            }
                        })
                    };
                    provider
                        .reply(&conversation, provider.answer_tokens(), &mut on_text)
                        .await
                }
            })
            .await?;
        let text = text.trim().to_string();
        answers.send_modify(|a| {
            a.truncate(i);
            a.push(text.clone());
        });
        usage.prompt_tokens += used.prompt_tokens;
        usage.completion_tokens += used.completion_tokens;
        messages.push(ChatMessage::assistant(text));
    }
    Ok(Faq {
        answers: answers.borrow().clone(),
        usage,
    })
}

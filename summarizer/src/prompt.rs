//! The FAQ prompt (`prompts/faq.toml`, versioned): the system message, how the paper is put to
//! the model, and the six questions, in each language.

use std::sync::OnceLock;

use papers_core::{Lang, Paper};
use serde::Deserialize;

use crate::chat::ChatMessage;

const FAQ_TOML: &str = include_str!("../prompts/faq.toml");

/// How many questions the FAQ asks (and answers a summary holds).
pub const QUESTIONS: usize = 6;

#[derive(Debug, Deserialize)]
struct PromptFile {
    version: u32,
    en: LangPrompt,
    zh: LangPrompt,
}

#[derive(Debug, Deserialize)]
pub struct LangPrompt {
    system: String,
    paper: String,
    abstract_only: String,
    full_text: String,
    pub questions: [String; QUESTIONS],
    /// Short headings for the answers on a page.
    pub titles: [String; QUESTIONS],
}

fn file() -> &'static PromptFile {
    static FILE: OnceLock<PromptFile> = OnceLock::new();
    // The file is part of the binary; a test parses it, so this cannot fail in a build that passed.
    FILE.get_or_init(|| toml::from_str(FAQ_TOML).expect("prompts/faq.toml is valid"))
}

/// The prompt version summaries are cached under.
pub fn version() -> u32 {
    file().version
}

pub fn for_lang(lang: Lang) -> &'static LangPrompt {
    match lang {
        Lang::En => &file().en,
        Lang::Zh => &file().zh,
    }
}

/// What the model reads about the paper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Abstract,
    /// The abstract and the full text, already trimmed to fit.
    FullText(String),
}

impl Source {
    pub fn name(&self) -> &'static str {
        match self {
            Source::Abstract => "abstract",
            Source::FullText(_) => "full-text",
        }
    }
}

impl LangPrompt {
    /// The system message and the paper, ready for the first question.
    pub fn opening(&self, paper: &Paper, source: &Source) -> Vec<ChatMessage> {
        let (note, text) = match source {
            Source::Abstract => (
                &self.abstract_only,
                format!("Abstract: {}", paper.abstract_text),
            ),
            Source::FullText(body) => (
                &self.full_text,
                format!("Abstract: {}\n\nFull text:\n{body}", paper.abstract_text),
            ),
        };
        let paper_message = fill(
            &self.paper,
            &[
                ("{title}", &paper.title),
                ("{authors}", &authors(&paper.authors)),
                ("{source_note}", note),
                ("{text}", &text),
            ],
        );
        vec![
            ChatMessage::system(self.system.trim()),
            ChatMessage::user(paper_message.trim()),
        ]
    }
}

/// `template` with each placeholder replaced in one pass, so a paper's own text that happens
/// to contain `{text}` stays as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match values.iter().find(|(key, _)| tail.starts_with(key)) {
            Some((key, value)) => {
                out.push_str(value);
                rest = &tail[key.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// At most ten names: the model needs to know who, not a thousand-name collaboration list.
fn authors(names: &[String]) -> String {
    let mut list = names
        .iter()
        .take(10)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 10 {
        list.push_str(" et al.");
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_file_parses_with_six_questions_per_language() {
        assert!(version() >= 1);
        for lang in Lang::ALL {
            let prompt = for_lang(lang);
            assert!(prompt.questions.iter().all(|q| !q.trim().is_empty()));
            assert!(prompt.paper.contains("{text}"));
        }
        assert!(for_lang(Lang::Zh).questions[0].contains("问题"));
    }
}

//! The extractive provider: no model, only the abstract's own sentences, picked by the cue words
//! that tend to answer each question. Always available, instant, and labelled as extractive
//! wherever it is shown, because it can only quote.

use papers_core::{Lang, Paper};

use crate::prompt::QUESTIONS;

/// Cue words (lowercase stems) per question, in the FAQ's order, and what each weighs.
const CUES: [&[(&str, u32)]; QUESTIONS] = [
    // What problem does it solve?
    &[
        ("problem", 3),
        ("challeng", 3),
        ("limitation", 2),
        ("however", 2),
        ("remain", 2),
        ("difficult", 2),
        ("lack", 2),
        ("suffer", 3),
        ("bottleneck", 3),
        ("costly", 2),
        ("expensive", 2),
        ("struggle", 3),
        ("fail", 2),
        ("issue", 2),
        ("gap", 2),
        ("hinder", 2),
        ("quadratic", 1),
        ("scal", 1),
    ],
    // Related work.
    &[
        ("prior", 3),
        ("previous", 3),
        ("existing", 3),
        ("recent", 2),
        ("state-of-the-art", 1),
        ("approaches", 2),
        ("methods", 1),
        ("have been", 2),
        ("has been", 2),
        ("literature", 3),
        ("traditional", 2),
        ("conventional", 2),
        ("popular", 2),
        ("widely", 2),
        ("typically", 2),
    ],
    // How does it solve it?
    &[
        ("we propose", 4),
        ("we introduce", 4),
        ("we present", 4),
        ("we develop", 3),
        ("we design", 3),
        ("our method", 3),
        ("our approach", 3),
        ("framework", 2),
        ("novel", 2),
        ("based on", 1),
        ("leverag", 2),
        ("by ", 1),
        ("this paper", 2),
        ("in this work", 2),
        ("we show how", 2),
        ("architecture", 1),
    ],
    // What experiments?
    &[
        ("experiment", 4),
        ("evaluat", 3),
        ("benchmark", 3),
        ("dataset", 3),
        ("results", 2),
        ("outperform", 3),
        ("achiev", 2),
        ("demonstrat", 2),
        ("empirical", 3),
        ("accuracy", 2),
        ("%", 2),
        ("baseline", 2),
        ("ablation", 3),
        ("compared", 2),
        ("speedup", 2),
        ("faster", 1),
    ],
    // What could be explored further?
    &[
        ("future", 4),
        ("further", 2),
        ("open question", 4),
        ("limitation", 3),
        ("extend", 2),
        ("promising", 2),
        ("direction", 3),
        ("remains", 2),
        ("we hope", 3),
        ("could", 1),
        ("potential", 2),
    ],
    // Summary: the contribution and the headline result.
    &[
        ("we propose", 4),
        ("we introduce", 4),
        ("we present", 4),
        ("outperform", 2),
        ("achiev", 2),
        ("show that", 2),
        ("novel", 1),
        ("this paper", 2),
    ],
];

/// Sentences an answer quotes at most.
const PER_ANSWER: usize = 2;

/// One answer per question, quoted from the abstract.
pub fn answer(paper: &Paper, lang: Lang) -> Vec<String> {
    let sentences = sentences(&paper.abstract_text);
    let mut answers = Vec::with_capacity(QUESTIONS);
    // A sentence already quoted for an earlier question goes last, so the answers differ where
    // the abstract allows; the closing summary may repeat any.
    let mut quoted_before = vec![false; sentences.len()];
    for (question, cues) in CUES.iter().enumerate() {
        let summary = question == QUESTIONS - 1;
        let mut scored: Vec<(bool, u32, usize)> = sentences
            .iter()
            .enumerate()
            .map(|(i, s)| (!summary && quoted_before[i], score(s, cues), i))
            .filter(|&(_, score, _)| score > 0)
            .collect();
        // Fresh sentences first, then best first; among equals, earlier first.
        scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut picked: Vec<usize> = scored
            .into_iter()
            .take(PER_ANSWER)
            .map(|(_, _, i)| i)
            .collect();
        for &i in &picked {
            quoted_before[i] = true;
        }
        picked.sort_unstable();
        let quote = picked
            .iter()
            .map(|&i| sentences[i].as_str())
            .collect::<Vec<_>>()
            .join(" ");
        answers.push(if quote.is_empty() {
            not_said(lang).to_string()
        } else {
            quoted(&quote, lang)
        });
    }
    answers
}

fn score(sentence: &str, cues: &[(&str, u32)]) -> u32 {
    let lower = sentence.to_lowercase();
    cues.iter()
        .filter(|(cue, _)| lower.contains(cue))
        .map(|(_, weight)| weight)
        .sum()
}

fn not_said(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "The abstract does not say.",
        Lang::Zh => "摘要中没有提到。",
    }
}

fn quoted(text: &str, lang: Lang) -> String {
    // Quoted as a block so a reader sees it is the paper's wording; the Chinese FAQ says the
    // quote is the English abstract's, since nothing here translates.
    let block = format!("> {text}");
    match lang {
        Lang::En => block,
        Lang::Zh => format!("（摘自英文摘要）\n\n{block}"),
    }
}

/// Splits an abstract into sentences: at `.`, `?` or `!` followed by a space and a capital (or
/// the end), but not after common abbreviations or inside numbers.
pub fn sentences(text: &str) -> Vec<String> {
    const ABBREVIATIONS: [&str; 8] = [
        "e.g.", "i.e.", "et al.", "etc.", "vs.", "fig.", "eq.", "cf.",
    ];
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        if !matches!(chars[i], '.' | '?' | '!') {
            continue;
        }
        let at_end = i + 1 == chars.len();
        let next_starts = i + 2 < chars.len()
            && chars[i + 1] == ' '
            && (chars[i + 2].is_uppercase()
                || chars[i + 2].is_ascii_digit()
                || chars[i + 2] == '$');
        // Abstracts pasted from PDFs often lose the space: "target.To resolve", "(NADB).Our".
        let glued = i > 0
            && i + 2 < chars.len()
            && (chars[i - 1].is_lowercase() || chars[i - 1] == ')')
            && chars[i + 1].is_uppercase()
            && chars[i + 2].is_lowercase();
        if !(at_end || next_starts || glued) {
            continue;
        }
        let sentence: String = chars[start..=i].iter().collect();
        let lower = sentence.to_lowercase();
        if !at_end && ABBREVIATIONS.iter().any(|a| lower.ends_with(a)) {
            continue;
        }
        out.push(sentence.trim().to_string());
        start = i + 1;
    }
    let rest: String = chars[start.min(chars.len())..].iter().collect();
    if !rest.trim().is_empty() {
        out.push(rest.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_ends_not_abbreviations_or_numbers() {
        let text = "Attention is costly, e.g. for long inputs. We propose X with 2.5x speed. It works! Done";
        assert_eq!(
            sentences("The target.To fix it (NADB).Our model works."),
            vec!["The target.", "To fix it (NADB).", "Our model works."]
        );
        assert_eq!(
            sentences(text),
            vec![
                "Attention is costly, e.g. for long inputs.",
                "We propose X with 2.5x speed.",
                "It works!",
                "Done"
            ]
        );
    }
}

//! The venue rules against a hand-labelled set of real arXiv comments from the shared corpus
//! (`tests/fixtures/venue-comments.jsonl`: accepted, workshop, journal, submitted, none). Precision
//! comes first: at least 0.98 of the venues reported must be right (venue and year), and at least
//! 0.90 of the accepted venues must be found. The measured values are printed.

use papers_crawler::venues::detect;
use serde_json::Value;

const LABELLED: &str = include_str!("fixtures/venue-comments.jsonl");

#[test]
fn the_venue_rules_are_precise_on_real_comments() {
    let (mut reported, mut right, mut claimed, mut wrong) = (0u32, 0u32, 0u32, Vec::new());
    let mut missed = Vec::new();
    for line in LABELLED.lines().filter(|l| !l.trim().is_empty()) {
        let label: Value = serde_json::from_str(line).unwrap();
        let text = label["text"].as_str().unwrap();
        let accepted = matches!(
            label["kind"].as_str(),
            Some("accepted" | "workshop" | "journal")
        );
        let venue = label["venue"].as_str().unwrap_or("");
        let year = label["year"].as_u64();
        let found = detect(text);
        if accepted {
            claimed += 1;
        }
        let Some(claim) = found else {
            if accepted {
                missed.push(format!("{venue} {year:?}: {text}"));
            }
            continue;
        };
        reported += 1;
        let correct = accepted
            && claim.venue.eq_ignore_ascii_case(venue)
            && (year.is_none() || claim.year.map(u64::from) == year);
        if correct {
            right += 1;
        } else {
            wrong.push(format!(
                "said {} {:?}, label {} {venue} {year:?}: {text}",
                claim.venue, claim.year, label["kind"]
            ));
        }
    }
    let precision = f64::from(right) / f64::from(reported.max(1));
    let recall = f64::from(right) / f64::from(claimed.max(1));
    eprintln!(
        "venue rules: precision {precision:.3} ({right}/{reported}), recall {recall:.3} ({right}/{claimed})"
    );
    assert!(
        claimed >= 200 && LABELLED.lines().count() >= 200,
        "the labelled set is too small"
    );
    assert!(
        precision >= 0.98,
        "precision {precision:.3}; wrong:\n{}",
        wrong.join("\n")
    );
    assert!(
        recall >= 0.90,
        "recall {recall:.3}; missed:\n{}",
        missed.join("\n")
    );
}

//! `papers venues detect`: the venue rules on comment strings, for an operator checking them.
//! Reads standard input, one comment (or journal ref) per line; prints one JSON object per line:
//! `{"venue": "ICLR", "year": 2026, "group": "Oral", "kind": "conference"}`, all null when the
//! line claims no accepted venue. Needs no database.

use std::io::{BufRead, Write};

use papers_crawler::venues::detect;
use serde_json::json;

pub fn detect_stdin() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let answer = match detect(&line) {
            Some(claim) => json!({
                "venue": claim.venue, "year": claim.year, "group": claim.group, "kind": claim.kind,
            }),
            None => json!({ "venue": null, "year": null, "group": null, "kind": null }),
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()?;
    Ok(())
}

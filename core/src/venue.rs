//! Venues: where a paper was accepted. The claim an arXiv comment or journal ref makes (read by
//! the crawler's `papers venues detect` and by the index sync, which stores it as a link), and the
//! link itself ([`VenueLink`]): a paper at a venue edition (ICLR 2026) in a group (Oral), from a
//! source (the comment, OpenReview, a curated list).
//!
//! Detects an accepted venue in an arXiv comment or journal ref: "Accepted to ICLR 2026",
//! "CVPR 2026 Highlight", "to appear in NeurIPS 2025", "Findings of ACL 2025", "ICML 2026
//! (oral)". Submissions and reviews ("submitted to", "under review at", "rejected from") are
//! refused. Precision first: a clause that is not clearly a claim of acceptance gives nothing.
//!
//! The text is read clause by clause (split at `.`, `;`, `|`, line breaks): a clause claims a
//! venue when it names a known venue and either says it was accepted (accepted, to appear,
//! published, proceedings, camera-ready, oral, spotlight…) or is nothing but the venue, its year
//! and its group ("NeurIPS 2025 Spotlight"), as authors write once a paper is in. Any refusal
//! word in the clause ends it.

use serde::Serialize;

/// What kind of venue a claim names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimKind {
    Conference,
    Workshop,
    Journal,
}

/// An accepted venue, as a comment claims it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The venue's canonical short name: `ICLR`, `NeurIPS`, `TMLR`.
    pub venue: String,
    pub year: Option<u16>,
    /// Oral, Spotlight, Poster, Highlight, Findings, Demo, Workshop…
    pub group: Option<String>,
    pub kind: ClaimKind,
}

/// Known venues: canonical name, whether a journal, and the lowercase words that name it (each
/// matched as whole words).
const VENUES: &[(&str, bool, &[&str])] = &[
    (
        "ICLR",
        false,
        &[
            "iclr",
            "international conference on learning representations",
        ],
    ),
    (
        "ICML",
        false,
        &["icml", "international conference on machine learning"],
    ),
    (
        "NeurIPS",
        false,
        &["neurips", "nips", "neural information processing systems"],
    ),
    (
        "CVPR",
        false,
        &[
            "cvpr",
            "conference on computer vision and pattern recognition",
        ],
    ),
    (
        "ICCV",
        false,
        &["iccv", "international conference on computer vision"],
    ),
    (
        "ECCV",
        false,
        &["eccv", "european conference on computer vision"],
    ),
    (
        "ACL",
        false,
        &[
            "acl",
            "annual meeting of the association for computational linguistics",
        ],
    ),
    (
        "EMNLP",
        false,
        &["emnlp", "empirical methods in natural language processing"],
    ),
    (
        "NAACL",
        false,
        &[
            "naacl",
            "north american chapter of the association for computational linguistics",
        ],
    ),
    ("EACL", false, &["eacl"]),
    ("AACL", false, &["aacl", "ijcnlp-aacl", "aacl-ijcnlp"]),
    ("COLING", false, &["coling"]),
    ("LREC", false, &["lrec", "lrec-coling"]),
    ("CoNLL", false, &["conll"]),
    ("AAAI", false, &["aaai"]),
    (
        "IJCAI",
        false,
        &[
            "ijcai",
            "international joint conference on artificial intelligence",
        ],
    ),
    ("KDD", false, &["kdd", "sigkdd"]),
    ("WWW", false, &["www", "the web conference", "thewebconf"]),
    ("SIGIR", false, &["sigir"]),
    ("CIKM", false, &["cikm"]),
    ("WSDM", false, &["wsdm"]),
    ("RecSys", false, &["recsys"]),
    ("WACV", false, &["wacv"]),
    ("BMVC", false, &["bmvc"]),
    ("3DV", false, &["3dv"]),
    (
        "MICCAI",
        false,
        &[
            "miccai",
            "medical image computing and computer assisted intervention",
            "medical image computing and computer-assisted intervention",
        ],
    ),
    (
        "MIDL",
        false,
        &["midl", "medical imaging with deep learning"],
    ),
    ("ECML PKDD", false, &["ecml pkdd", "ecml-pkdd", "ecmlpkdd"]),
    ("ECIR", false, &["ecir"]),
    ("COLM", false, &["colm", "conference on language modeling"]),
    ("CogSci", false, &["cogsci"]),
    ("ICDAR", false, &["icdar"]),
    (
        "ICPR",
        false,
        &["icpr", "international conference on pattern recognition"],
    ),
    ("ASE", false, &["ase"]),
    ("SIGGRAPH Asia", false, &["siggraph asia"]),
    ("SIGGRAPH", false, &["siggraph"]),
    ("ISBI", false, &["isbi"]),
    (
        "ICRA",
        false,
        &[
            "icra",
            "international conference on robotics and automation",
            "international conference on robotics & automation",
        ],
    ),
    ("IROS", false, &["iros"]),
    ("CoRL", false, &["corl", "conference on robot learning"]),
    (
        "RSS",
        false,
        &[
            "robotics: science and systems",
            "robotics science and systems",
        ],
    ),
    ("AISTATS", false, &["aistats"]),
    (
        "UAI",
        false,
        &[
            "uai",
            "conference on uncertainty in artificial intelligence",
        ],
    ),
    ("COLT", false, &["colt"]),
    ("ALT", false, &["algorithmic learning theory"]),
    ("INTERSPEECH", false, &["interspeech"]),
    ("ICASSP", false, &["icassp"]),
    (
        "ACM MM",
        false,
        &[
            "acm mm",
            "acm multimedia",
            "acmmm",
            "acm international conference on multimedia",
        ],
    ),
    ("ICDE", false, &["icde"]),
    ("VLDB", false, &["vldb", "pvldb"]),
    ("SIGMOD", false, &["sigmod"]),
    ("CHI", false, &["chi", "acm chi"]),
    ("UIST", false, &["uist"]),
    ("ICME", false, &["icme"]),
    ("ICIP", false, &["icip"]),
    (
        "IJCNN",
        false,
        &["ijcnn", "international joint conference on neural networks"],
    ),
    ("ECAI", false, &["ecai"]),
    ("AAMAS", false, &["aamas"]),
    (
        "ICLR Blogposts",
        false,
        &["iclr blogposts", "iclr blog post track"],
    ),
    ("MLSys", false, &["mlsys"]),
    ("USENIX Security", false, &["usenix security"]),
    ("CCS", false, &["acm ccs"]),
    (
        "S&P",
        false,
        &["ieee s&p", "ieee symposium on security and privacy"],
    ),
    ("ISIT", false, &["isit"]),
    ("L4DC", false, &["l4dc"]),
    (
        "CDC",
        false,
        &["ieee cdc", "conference on decision and control"],
    ),
    (
        "TMLR",
        true,
        &["tmlr", "transactions on machine learning research"],
    ),
    (
        "JMLR",
        true,
        &["jmlr", "journal of machine learning research"],
    ),
    (
        "TPAMI",
        true,
        &[
            "tpami",
            "t-pami",
            "transactions on pattern analysis and machine intelligence",
        ],
    ),
    (
        "IJCV",
        true,
        &["ijcv", "international journal of computer vision"],
    ),
    (
        "TACL",
        true,
        &[
            "tacl",
            "transactions of the association for computational linguistics",
        ],
    ),
    (
        "TIP",
        true,
        &["ieee tip", "transactions on image processing"],
    ),
    (
        "TNNLS",
        true,
        &[
            "tnnls",
            "transactions on neural networks and learning systems",
        ],
    ),
    (
        "TKDE",
        true,
        &["tkde", "transactions on knowledge and data engineering"],
    ),
    ("TMM", true, &["ieee tmm", "transactions on multimedia"]),
    (
        "TCSVT",
        true,
        &[
            "tcsvt",
            "transactions on circuits and systems for video technology",
        ],
    ),
    (
        "TASLP",
        true,
        &[
            "taslp",
            "transactions on audio, speech, and language processing",
        ],
    ),
    (
        "RA-L",
        true,
        &["ra-l", "ral", "robotics and automation letters"],
    ),
    ("Nature", true, &["nature"]),
    ("Nature Communications", true, &["nature communications"]),
    (
        "Nature Machine Intelligence",
        true,
        &["nature machine intelligence"],
    ),
    ("Science", true, &["science"]),
    (
        "PNAS",
        true,
        &["pnas", "proceedings of the national academy of sciences"],
    ),
    (
        "Neural Networks",
        true,
        &[
            "neural networks journal",
            "neural networks (elsevier)",
            "published in neural networks",
        ],
    ),
    (
        "Pattern Recognition",
        true,
        &["pattern recognition journal"],
    ),
    ("Medical Image Analysis", true, &["medical image analysis"]),
    (
        "TGRS",
        true,
        &["tgrs", "transactions on geoscience and remote sensing"],
    ),
    (
        "TMI",
        true,
        &["ieee tmi", "transactions on medical imaging"],
    ),
    (
        "TVCG",
        true,
        &[
            "tvcg",
            "transactions on visualization and computer graphics",
        ],
    ),
    (
        "TOIS",
        true,
        &["tois", "transactions on information systems"],
    ),
    (
        "IMWUT",
        true,
        &["imwut", "interactive, mobile, wearable and ubiquitous"],
    ),
    ("ESWA", true, &["eswa", "expert systems with applications"]),
    ("Information Fusion", true, &["information fusion"]),
    ("IEEE Access", true, &["ieee access"]),
    ("Scientific Reports", true, &["scientific reports"]),
    (
        "CVIU",
        true,
        &["cviu", "computer vision and image understanding"],
    ),
    (
        "IJRR",
        true,
        &["ijrr", "international journal of robotics research"],
    ),
    (
        "Pattern Recognition",
        true,
        &[
            "pattern recognition journal",
            "published at pattern recognition",
            "published in pattern recognition",
        ],
    ),
    (
        "Pattern Recognition Letters",
        true,
        &["pattern recognition letters"],
    ),
    (
        "Nature Computational Science",
        true,
        &["nature computational science"],
    ),
    ("npj Digital Medicine", true, &["npj digital medicine"]),
];

/// Words that make a clause a claim of acceptance.
const ACCEPTED: &[&str] = &[
    "accepted",
    "accept",
    "to appear",
    "appear in",
    "appear at",
    "appears in",
    "appearing in",
    "published",
    "publication in",
    "camera-ready",
    "camera ready",
    "proceedings",
    "presented at",
    "in proc",
    "will be presented",
    "oral",
    "spotlight",
    "highlight",
    "findings of",
];

/// Words that make a clause anything but a claim of acceptance.
const REFUSED: &[&str] = &[
    "submitted",
    "submission",
    "under review",
    "in review",
    "reviewing",
    "rejected",
    "reject",
    "to be submitted",
    "extended version of",
    "extension of",
    "version of our",
    "follow-up",
    "follow up",
    "previous",
    "prior version",
    "preliminary version",
    "builds on",
    "based on our",
    "code for",
    "winner",
    "challenge",
    "competition",
    "we thank",
    "tutorial",
    "?",
    "arxiv version",
    "non-archival",
    "nonarchival",
    "not accepted",
    "withdrawn",
    "in preparation",
];

const GROUPS: &[(&str, &str)] = &[
    ("oral", "Oral"),
    ("spotlight", "Spotlight"),
    ("poster", "Poster"),
    ("highlight", "Highlight"),
    ("findings", "Findings"),
    ("demo", "Demo"),
    ("demonstration", "Demo"),
    ("short paper", "Short"),
    ("long paper", "Long"),
    ("industry track", "Industry"),
];

/// Words that may stand beside a bare "Venue Year" claim without changing what it says.
const FILLER: &[&str] = &[
    "main",
    "conference",
    "track",
    "paper",
    "papers",
    "the",
    "at",
    "in",
    "of",
    "full",
    "camera",
    "ready",
    "version",
    "official",
    "proceedings",
    "presentation",
    "selected",
    "as",
    "an",
    "a",
    "and",
    "for",
    "with",
    "award",
    "best",
    "nominee",
    "ieee",
    "acm",
    "cvf",
    "international",
    "annual",
    "th",
    "st",
    "nd",
    "rd",
    "on",
];

/// The accepted venue a comment or journal ref claims, if it clearly claims one.
pub fn detect(text: &str) -> Option<Claim> {
    clauses(text).into_iter().find_map(|clause| claim(&clause))
}

/// Sentences and `;`/`|` parts, whitespace tidied (comments come with arXiv's line breaks), split
/// at ". " only before a capital, so "Proc. of" and "Vol. 13" stay whole. A leading bracket
/// ("[CVPR 2026] A benchmark…") is a clause of its own.
fn clauses(text: &str) -> Vec<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut parts = Vec::new();
    if let Some(rest) = text.strip_prefix('[')
        && let Some(end) = rest.find(']')
    {
        parts.push(rest[..end].to_string());
    }
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let sentence_end = c == '.'
            && chars.get(i + 1) == Some(&' ')
            && chars.get(i + 2).is_some_and(|n| n.is_uppercase());
        if matches!(c, ';' | '|') || sentence_end {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|c| c.trim().trim_end_matches('.').to_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

fn claim(clause: &str) -> Option<Claim> {
    if REFUSED.iter().any(|w| clause.contains(w)) {
        return None;
    }
    let (venue, journal, at, len) = find_venue(clause)?;
    let named = &clause[at..at + len];
    // CVPRW, ICCVW, ECCVW: the conference's workshops.
    let workshop = clause.contains("workshop") || (named.len() == 5 && named.ends_with('w'));
    let year = year_near(clause, at + len);
    let group = GROUPS
        .iter()
        .find(|(word, _)| has_word(clause, word))
        .map(|(_, group)| (*group).to_string());
    let says_accepted = ACCEPTED.iter().any(|w| clause.contains(w));
    // "ICCV 2025, Project page: …": a part between commas that is only the venue counts too.
    let bare_part = year.is_some()
        && clause
            .split(',')
            .any(|part| find_venue(part).is_some() && bare(part));
    // "NeurIPS 2025 Workshop on Efficient Reasoning": a workshop named first thing, with its year.
    let leading_workshop = workshop && at == 0 && year.is_some();
    if !says_accepted && !bare_part && !leading_workshop {
        return None;
    }
    let kind = if workshop {
        ClaimKind::Workshop
    } else if journal {
        ClaimKind::Journal
    } else {
        ClaimKind::Conference
    };
    // A conference without a year counts only when acceptance is said outright ("Accepted to
    // ICASSP"): alone it is too easily a mention ("an ICML-style bound").
    if kind != ClaimKind::Journal && year.is_none() && !says_accepted {
        return None;
    }
    Some(Claim {
        venue: venue.to_string(),
        year,
        group: if workshop {
            Some("Workshop".into())
        } else {
            group
        },
        kind,
    })
}

/// The first known venue named in the clause: (name, journal, byte offset, length). Longer
/// names first, so "nature communications" is not "nature".
fn find_venue(clause: &str) -> Option<(&'static str, bool, usize, usize)> {
    let mut best: Option<(&'static str, bool, usize, usize)> = None;
    for (name, journal, words) in VENUES {
        for word in *words {
            if let Some(at) = find_word(clause, word) {
                let better = match best {
                    None => true,
                    Some((_, _, best_at, best_len)) => {
                        at < best_at || (at == best_at && word.len() > best_len)
                    }
                };
                if better {
                    best = Some((name, *journal, at, word.len()));
                }
            }
        }
    }
    best
}

/// The offset of `word` in `text` as a whole word (not inside a longer one: "acl" is not in
/// "naacl"; digits glued on are allowed: "iclr2026", "iclr'26").
fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(word) {
        let at = from + found;
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge_before = before.is_none_or(|c| !c.is_alphanumeric());
        let edge_after = after.is_none_or(|c| !c.is_alphabetic());
        if edge_before && edge_after {
            return Some(at);
        }
        from = at + word.len().max(1);
    }
    None
}

fn has_word(text: &str, word: &str) -> bool {
    find_word(text, word).is_some()
}

/// The year closest after the venue (`2026`, `'26`, `26` glued on), else any in the clause.
fn year_near(clause: &str, after: usize) -> Option<u16> {
    let tail = &clause[after..];
    let glued: String = tail
        .trim_start_matches(['\'', '’', '-', ' ', '‘'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let near_tail = tail.len() - tail.trim_start_matches(['\'', '’', '-', ' ', '‘']).len() <= 2;
    match glued.len() {
        4 => return plausible(glued.parse().ok()?),
        2 if near_tail => return plausible(2000 + glued.parse::<u16>().ok()?),
        _ => {}
    }
    four_digit_years(clause)
        .into_iter()
        .min_by_key(|(at, _)| at.abs_diff(after))
        .map(|(_, y)| y)
}

fn four_digit_years(text: &str) -> Vec<(usize, u16)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let window = &bytes[i..i + 4];
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_digit();
        let boundary_after = i + 4 == bytes.len() || !bytes[i + 4].is_ascii_digit();
        if window.iter().all(u8::is_ascii_digit) && boundary_before && boundary_after {
            if let Some(year) = std::str::from_utf8(window)
                .ok()
                .and_then(|w| w.parse().ok())
                .and_then(plausible)
            {
                out.push((i, year));
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    out
}

fn plausible(year: u16) -> Option<u16> {
    (1980..=2100).contains(&year).then_some(year)
}

/// Whether the clause is nothing but venue names, years, groups and filler words.
fn bare(clause: &str) -> bool {
    let mut rest = clause.to_string();
    let mut names: Vec<&str> = VENUES
        .iter()
        .flat_map(|(_, _, words)| words.iter().copied())
        .collect();
    names.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for name in names.iter().chain(GROUPS.iter().map(|(w, _)| w)) {
        while let Some(at) = find_word(&rest, name) {
            rest.replace_range(at..at + name.len(), " ");
        }
    }
    rest.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| w.chars().all(|c| c.is_ascii_digit()) || FILLER.contains(&w) || w == "workshop")
}

impl Claim {
    /// The words `venue:` matches, lowercase and without spaces: `iclr`, `iclr.2026` and, with a
    /// group, `iclr.2026.oral`.
    pub fn search_keys(&self) -> Vec<String> {
        let venue = search_key(&self.venue);
        let mut keys = vec![venue.clone()];
        if let Some(year) = self.year {
            keys.push(format!("{venue}.{year}"));
            if let Some(group) = &self.group {
                keys.push(format!("{venue}.{year}.{}", search_key(group)));
            }
        }
        keys
    }
}

/// A venue as `venue:` compares it: lowercase, spaces dropped (`ACM MM` → `acmmm`).
pub fn search_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where a venue link comes from. Imports overrule a comment's claim of the same edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkSource {
    /// The paper's arXiv comment claims it.
    Arxiv,
    OpenReview,
    /// A curated JSON Lines list (`papers venues import jsonl`).
    Curated,
}

impl LinkSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkSource::Arxiv => "arxiv",
            LinkSource::OpenReview => "openreview",
            LinkSource::Curated => "curated",
        }
    }

    pub fn parse(text: &str) -> Option<LinkSource> {
        match text {
            "arxiv" => Some(LinkSource::Arxiv),
            "openreview" => Some(LinkSource::OpenReview),
            "curated" => Some(LinkSource::Curated),
            _ => None,
        }
    }

    /// How readers see it named.
    pub fn label(self) -> &'static str {
        match self {
            LinkSource::Arxiv => "the arXiv comment",
            LinkSource::OpenReview => "OpenReview",
            LinkSource::Curated => "a curated list",
        }
    }
}

/// A paper's place at a venue edition, as the Store keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VenueLink {
    /// Canonical short name: `ICLR`.
    pub venue: String,
    pub year: u16,
    /// Oral, Spotlight, Poster, Findings, Workshop…
    pub group: Option<String>,
    pub source: LinkSource,
    /// The paper's page at the source (an OpenReview forum), when it has one.
    pub url: Option<String>,
    pub pdf_url: Option<String>,
}

impl VenueLink {
    /// `ICLR.2026`: how pages, feeds and `venue:` name the edition.
    pub fn edition(&self) -> String {
        format!("{}.{}", self.venue, self.year)
    }

    /// The words `venue:` matches for this link (see [`Claim::search_keys`]).
    pub fn search_keys(&self) -> Vec<String> {
        Claim {
            venue: self.venue.clone(),
            year: Some(self.year),
            group: self.group.clone(),
            kind: ClaimKind::Conference,
        }
        .search_keys()
    }

    /// The link a comment's claim makes. A claim without a year ("Accepted to TMLR") is filed
    /// under `fallback_year`, the year the paper was announced, when there is one.
    pub fn from_claim(claim: Claim, fallback_year: Option<u16>) -> Option<VenueLink> {
        Some(VenueLink {
            year: claim.year.or(fallback_year)?,
            venue: claim.venue,
            group: claim.group,
            source: LinkSource::Arxiv,
            url: None,
            pdf_url: None,
        })
    }
}

/// How many papers an edition's group holds (`group` is `None` for papers with no group).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupCount {
    pub venue: String,
    pub year: u16,
    pub group: Option<String>,
    pub papers: u64,
}

/// The venue a paper claims: its comment's claim, else its journal ref's ("Findings of ACL 2025",
/// "Proc. ICML 2025"). What `venue:` finds and the index sync stores as a link.
pub fn claimed_by(paper: &crate::Paper) -> Option<Claim> {
    [&paper.comment, &paper.journal_ref]
        .into_iter()
        .flatten()
        .find_map(|text| detect(text))
}

/// The canonical name of a known venue (`iclr`, `NIPS` → `ICLR`, `NeurIPS`); `None` when unknown.
pub fn canonical_name(text: &str) -> Option<&'static str> {
    let wanted = text.trim().to_lowercase();
    VENUES
        .iter()
        .find(|(name, _, words)| name.to_lowercase() == wanted || words.contains(&wanted.as_str()))
        .map(|(name, _, _)| *name)
}

/// The canonical group a word names (`oral`, `ORAL` → `Oral`); `None` when it names none.
pub fn canonical_group(text: &str) -> Option<&'static str> {
    let wanted = text.trim().to_lowercase();
    GROUPS
        .iter()
        .find(|(word, _)| *word == wanted)
        .map(|(_, group)| *group)
        .or_else(|| (wanted == "workshop").then_some("Workshop"))
}

/// Splits an edition name, `ICLR.2026`, into the venue and the year.
pub fn parse_edition(text: &str) -> Option<(&str, u16)> {
    let (venue, year) = text.rsplit_once('.')?;
    let year: u16 = year.parse().ok()?;
    (!venue.trim().is_empty() && (1900..=2200).contains(&year)).then_some((venue, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Option<(String, Option<u16>, Option<String>)> {
        detect(text).map(|c| (c.venue, c.year, c.group))
    }

    #[test]
    fn names_groups_and_editions_are_canonical() {
        assert_eq!(canonical_name("iclr"), Some("ICLR"));
        assert_eq!(canonical_name("NIPS"), Some("NeurIPS"));
        assert_eq!(canonical_name("Some Workshop Nobody Knows"), None);
        assert_eq!(canonical_group("ORAL"), Some("Oral"));
        assert_eq!(canonical_group("workshop"), Some("Workshop"));
        assert_eq!(canonical_group("best paper"), None);
        assert_eq!(parse_edition("ICLR.2026"), Some(("ICLR", 2026)));
        assert_eq!(parse_edition("ACM MM.2025"), Some(("ACM MM", 2025)));
        assert_eq!(parse_edition("ICLR"), None);
        assert_eq!(parse_edition(".2026"), None);
        assert_eq!(parse_edition("ICLR.99999"), None);
        let link = VenueLink::from_claim(detect("Accepted to TMLR").unwrap(), Some(2025)).unwrap();
        assert_eq!(
            (link.edition(), link.source),
            ("TMLR.2025".into(), LinkSource::Arxiv)
        );
        assert_eq!(
            VenueLink::from_claim(detect("Accepted to TMLR").unwrap(), None),
            None
        );
    }

    #[test]
    fn the_issue_s_examples_are_found() {
        let some = |v: &str, y: u16, g: Option<&str>| {
            Some((v.to_string(), Some(y), g.map(str::to_string)))
        };
        assert_eq!(said("Accepted to ICLR 2026"), some("ICLR", 2026, None));
        assert_eq!(
            said("CVPR 2026 Highlight"),
            some("CVPR", 2026, Some("Highlight"))
        );
        assert_eq!(
            said("to appear in NeurIPS 2025"),
            some("NeurIPS", 2025, None)
        );
        assert_eq!(
            said("Findings of ACL 2025"),
            some("ACL", 2025, Some("Findings"))
        );
        assert_eq!(said("ICML 2026 (oral)"), some("ICML", 2026, Some("Oral")));
        assert_eq!(
            said("12 pages. Accepted at ICLR'26."),
            some("ICLR", 2026, None)
        );
    }

    #[test]
    fn submissions_and_mentions_are_refused() {
        for text in [
            "Submitted to ICLR 2026",
            "Under review at NeurIPS 2025",
            "Rejected from ICML 2025; resubmitted",
            "Extended version of our CVPR 2024 paper",
            "12 pages, 5 figures",
            "An ICML-style analysis",
            "Code for the NAACL 2025 shared task is at github",
        ] {
            assert_eq!(detect(text), None, "{text}");
        }
    }

    #[test]
    fn names_inside_other_words_are_not_venues() {
        assert_eq!(said("Accepted at NAACL 2025").unwrap().0, "NAACL");
        assert_eq!(said("Published in TACL 2025").unwrap().0, "TACL");
        assert_eq!(
            said("Accepted to Nature Communications").unwrap().0,
            "Nature Communications"
        );
    }
}

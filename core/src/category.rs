//! arXiv categories: the taxonomy (code, name, archive, group), the official aliases folded into
//! one canonical code, and category expressions like Cool Papers' URLs (`cs.AI+cs.LG-cs.CY`).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One entry of the arXiv category taxonomy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CategoryInfo {
    /// As arXiv writes it: `cs.LG`, `hep-th`, `cond-mat.str-el`.
    pub code: &'static str,
    pub name: &'static str,
    /// `cs` for `cs.LG`; the code itself for archive-level categories like `hep-th`.
    pub archive: &'static str,
    /// The top-level group arXiv lists archives under, e.g. "Computer Science", "Physics".
    pub group: &'static str,
    /// For an alias (`cs.NA`), the canonical code it is merged into (`math.NA`).
    pub alias_of: Option<&'static str>,
}

/// An archive: `cs`, `math`, `astro-ph`, …
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub group: &'static str,
}

const CS: &str = "Computer Science";
const ECON: &str = "Economics";
const EESS: &str = "Electrical Engineering and Systems Science";
const MATH: &str = "Mathematics";
const PHYSICS: &str = "Physics";
const QBIO: &str = "Quantitative Biology";
const QFIN: &str = "Quantitative Finance";
const STAT: &str = "Statistics";

const ARCHIVES: &[ArchiveInfo] = &[
    archive("cs", CS, CS),
    archive("econ", ECON, ECON),
    archive("eess", EESS, EESS),
    archive("math", MATH, MATH),
    archive("astro-ph", "Astrophysics", PHYSICS),
    archive("cond-mat", "Condensed Matter", PHYSICS),
    archive("gr-qc", "General Relativity and Quantum Cosmology", PHYSICS),
    archive("hep-ex", "High Energy Physics - Experiment", PHYSICS),
    archive("hep-lat", "High Energy Physics - Lattice", PHYSICS),
    archive("hep-ph", "High Energy Physics - Phenomenology", PHYSICS),
    archive("hep-th", "High Energy Physics - Theory", PHYSICS),
    archive("math-ph", "Mathematical Physics", PHYSICS),
    archive("nlin", "Nonlinear Sciences", PHYSICS),
    archive("nucl-ex", "Nuclear Experiment", PHYSICS),
    archive("nucl-th", "Nuclear Theory", PHYSICS),
    archive("physics", PHYSICS, PHYSICS),
    archive("quant-ph", "Quantum Physics", PHYSICS),
    archive("q-bio", QBIO, QBIO),
    archive("q-fin", QFIN, QFIN),
    archive("stat", STAT, STAT),
];

const fn archive(code: &'static str, name: &'static str, group: &'static str) -> ArchiveInfo {
    ArchiveInfo { code, name, group }
}

/// Archives retired before 2009 whose codes still appear on old papers (`chao-dyn`, `cmp-lg`).
/// Accepted from sources, never offered for browsing.
const LEGACY_ARCHIVES: &[&str] = &[
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an", "chao-dyn", "chem-ph",
    "cmp-lg", "comp-gas", "dg-ga", "funct-an", "mtrl-th", "patt-sol", "plasm-ph", "q-alg",
    "solv-int", "supr-con",
];

/// (code, name, canonical code if an alias). Source: <https://arxiv.org/category_taxonomy>.
const TAXONOMY: &[(&str, &str, Option<&str>)] = &[
    ("cs.AI", "Artificial Intelligence", None),
    ("cs.AR", "Hardware Architecture", None),
    ("cs.CC", "Computational Complexity", None),
    (
        "cs.CE",
        "Computational Engineering, Finance, and Science",
        None,
    ),
    ("cs.CG", "Computational Geometry", None),
    ("cs.CL", "Computation and Language", None),
    ("cs.CR", "Cryptography and Security", None),
    ("cs.CV", "Computer Vision and Pattern Recognition", None),
    ("cs.CY", "Computers and Society", None),
    ("cs.DB", "Databases", None),
    (
        "cs.DC",
        "Distributed, Parallel, and Cluster Computing",
        None,
    ),
    ("cs.DL", "Digital Libraries", None),
    ("cs.DM", "Discrete Mathematics", None),
    ("cs.DS", "Data Structures and Algorithms", None),
    ("cs.ET", "Emerging Technologies", None),
    ("cs.FL", "Formal Languages and Automata Theory", None),
    ("cs.GL", "General Literature", None),
    ("cs.GR", "Graphics", None),
    ("cs.GT", "Computer Science and Game Theory", None),
    ("cs.HC", "Human-Computer Interaction", None),
    ("cs.IR", "Information Retrieval", None),
    ("cs.IT", "Information Theory", None),
    ("cs.LG", "Machine Learning", None),
    ("cs.LO", "Logic in Computer Science", None),
    ("cs.MA", "Multiagent Systems", None),
    ("cs.MM", "Multimedia", None),
    ("cs.MS", "Mathematical Software", None),
    ("cs.NA", "Numerical Analysis", Some("math.NA")),
    ("cs.NE", "Neural and Evolutionary Computing", None),
    ("cs.NI", "Networking and Internet Architecture", None),
    ("cs.OH", "Other Computer Science", None),
    ("cs.OS", "Operating Systems", None),
    ("cs.PF", "Performance", None),
    ("cs.PL", "Programming Languages", None),
    ("cs.RO", "Robotics", None),
    ("cs.SC", "Symbolic Computation", None),
    ("cs.SD", "Sound", None),
    ("cs.SE", "Software Engineering", None),
    ("cs.SI", "Social and Information Networks", None),
    ("cs.SY", "Systems and Control", Some("eess.SY")),
    ("econ.EM", "Econometrics", None),
    ("econ.GN", "General Economics", None),
    ("econ.TH", "Theoretical Economics", None),
    ("eess.AS", "Audio and Speech Processing", None),
    ("eess.IV", "Image and Video Processing", None),
    ("eess.SP", "Signal Processing", None),
    ("eess.SY", "Systems and Control", None),
    ("math.AC", "Commutative Algebra", None),
    ("math.AG", "Algebraic Geometry", None),
    ("math.AP", "Analysis of PDEs", None),
    ("math.AT", "Algebraic Topology", None),
    ("math.CA", "Classical Analysis and ODEs", None),
    ("math.CO", "Combinatorics", None),
    ("math.CT", "Category Theory", None),
    ("math.CV", "Complex Variables", None),
    ("math.DG", "Differential Geometry", None),
    ("math.DS", "Dynamical Systems", None),
    ("math.FA", "Functional Analysis", None),
    ("math.GM", "General Mathematics", None),
    ("math.GN", "General Topology", None),
    ("math.GR", "Group Theory", None),
    ("math.GT", "Geometric Topology", None),
    ("math.HO", "History and Overview", None),
    ("math.IT", "Information Theory", Some("cs.IT")),
    ("math.KT", "K-Theory and Homology", None),
    ("math.LO", "Logic", None),
    ("math.MG", "Metric Geometry", None),
    ("math.MP", "Mathematical Physics", Some("math-ph")),
    ("math.NA", "Numerical Analysis", None),
    ("math.NT", "Number Theory", None),
    ("math.OA", "Operator Algebras", None),
    ("math.OC", "Optimization and Control", None),
    ("math.PR", "Probability", None),
    ("math.QA", "Quantum Algebra", None),
    ("math.RA", "Rings and Algebras", None),
    ("math.RT", "Representation Theory", None),
    ("math.SG", "Symplectic Geometry", None),
    ("math.SP", "Spectral Theory", None),
    ("math.ST", "Statistics Theory", None),
    (
        "astro-ph.CO",
        "Cosmology and Nongalactic Astrophysics",
        None,
    ),
    ("astro-ph.EP", "Earth and Planetary Astrophysics", None),
    ("astro-ph.GA", "Astrophysics of Galaxies", None),
    ("astro-ph.HE", "High Energy Astrophysical Phenomena", None),
    (
        "astro-ph.IM",
        "Instrumentation and Methods for Astrophysics",
        None,
    ),
    ("astro-ph.SR", "Solar and Stellar Astrophysics", None),
    (
        "cond-mat.dis-nn",
        "Disordered Systems and Neural Networks",
        None,
    ),
    ("cond-mat.mes-hall", "Mesoscale and Nanoscale Physics", None),
    ("cond-mat.mtrl-sci", "Materials Science", None),
    ("cond-mat.other", "Other Condensed Matter", None),
    ("cond-mat.quant-gas", "Quantum Gases", None),
    ("cond-mat.soft", "Soft Condensed Matter", None),
    ("cond-mat.stat-mech", "Statistical Mechanics", None),
    ("cond-mat.str-el", "Strongly Correlated Electrons", None),
    ("cond-mat.supr-con", "Superconductivity", None),
    ("gr-qc", "General Relativity and Quantum Cosmology", None),
    ("hep-ex", "High Energy Physics - Experiment", None),
    ("hep-lat", "High Energy Physics - Lattice", None),
    ("hep-ph", "High Energy Physics - Phenomenology", None),
    ("hep-th", "High Energy Physics - Theory", None),
    ("math-ph", "Mathematical Physics", None),
    ("nlin.AO", "Adaptation and Self-Organizing Systems", None),
    ("nlin.CD", "Chaotic Dynamics", None),
    ("nlin.CG", "Cellular Automata and Lattice Gases", None),
    ("nlin.PS", "Pattern Formation and Solitons", None),
    ("nlin.SI", "Exactly Solvable and Integrable Systems", None),
    ("nucl-ex", "Nuclear Experiment", None),
    ("nucl-th", "Nuclear Theory", None),
    ("physics.acc-ph", "Accelerator Physics", None),
    ("physics.ao-ph", "Atmospheric and Oceanic Physics", None),
    ("physics.app-ph", "Applied Physics", None),
    ("physics.atm-clus", "Atomic and Molecular Clusters", None),
    ("physics.atom-ph", "Atomic Physics", None),
    ("physics.bio-ph", "Biological Physics", None),
    ("physics.chem-ph", "Chemical Physics", None),
    ("physics.class-ph", "Classical Physics", None),
    ("physics.comp-ph", "Computational Physics", None),
    (
        "physics.data-an",
        "Data Analysis, Statistics and Probability",
        None,
    ),
    ("physics.ed-ph", "Physics Education", None),
    ("physics.flu-dyn", "Fluid Dynamics", None),
    ("physics.gen-ph", "General Physics", None),
    ("physics.geo-ph", "Geophysics", None),
    ("physics.hist-ph", "History and Philosophy of Physics", None),
    ("physics.ins-det", "Instrumentation and Detectors", None),
    ("physics.med-ph", "Medical Physics", None),
    ("physics.optics", "Optics", None),
    ("physics.plasm-ph", "Plasma Physics", None),
    ("physics.pop-ph", "Popular Physics", None),
    ("physics.soc-ph", "Physics and Society", None),
    ("physics.space-ph", "Space Physics", None),
    ("quant-ph", "Quantum Physics", None),
    ("q-bio.BM", "Biomolecules", None),
    ("q-bio.CB", "Cell Behavior", None),
    ("q-bio.GN", "Genomics", None),
    ("q-bio.MN", "Molecular Networks", None),
    ("q-bio.NC", "Neurons and Cognition", None),
    ("q-bio.OT", "Other Quantitative Biology", None),
    ("q-bio.PE", "Populations and Evolution", None),
    ("q-bio.QM", "Quantitative Methods", None),
    ("q-bio.SC", "Subcellular Processes", None),
    ("q-bio.TO", "Tissues and Organs", None),
    ("q-fin.CP", "Computational Finance", None),
    ("q-fin.EC", "Economics", Some("econ.GN")),
    ("q-fin.GN", "General Finance", None),
    ("q-fin.MF", "Mathematical Finance", None),
    ("q-fin.PM", "Portfolio Management", None),
    ("q-fin.PR", "Pricing of Securities", None),
    ("q-fin.RM", "Risk Management", None),
    ("q-fin.ST", "Statistical Finance", None),
    ("q-fin.TR", "Trading and Market Microstructure", None),
    ("stat.AP", "Applications", None),
    ("stat.CO", "Computation", None),
    ("stat.ME", "Methodology", None),
    ("stat.ML", "Machine Learning", None),
    ("stat.OT", "Other Statistics", None),
    ("stat.TH", "Statistics Theory", Some("math.ST")),
];

/// Longest category code we accept from a source (the longest real one has 18 bytes).
const MAX_CODE_BYTES: usize = 32;
/// Limits on a category expression, so a URL cannot make us expand thousands of terms.
pub const MAX_EXPR_TERMS: usize = 64;
pub const MAX_EXPR_BYTES: usize = 1024;

struct Tables {
    infos: Vec<CategoryInfo>,
    /// Lower-cased code → index into `infos`.
    by_lower: HashMap<String, usize>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let infos: Vec<CategoryInfo> = TAXONOMY
            .iter()
            .map(|&(code, name, alias_of)| {
                let archive = code.split_once('.').map_or(code, |(a, _)| a);
                let group = archive_info(archive).map_or(PHYSICS, |a| a.group);
                CategoryInfo {
                    code,
                    name,
                    archive,
                    group,
                    alias_of,
                }
            })
            .collect();
        let by_lower = infos
            .iter()
            .enumerate()
            .map(|(i, info)| (info.code.to_ascii_lowercase(), i))
            .collect();
        Tables { infos, by_lower }
    })
}

/// Every category of the taxonomy, aliases included (they carry `alias_of`).
pub fn taxonomy() -> &'static [CategoryInfo] {
    &tables().infos
}

/// The archives offered for browsing, in arXiv's order.
pub fn archives() -> &'static [ArchiveInfo] {
    ARCHIVES
}

fn archive_info(code: &str) -> Option<&'static ArchiveInfo> {
    ARCHIVES.iter().find(|a| a.code == code)
}

fn lookup(code: &str) -> Option<&'static CategoryInfo> {
    let t = tables();
    t.by_lower
        .get(&code.to_ascii_lowercase())
        .map(|&i| &t.infos[i])
}

fn lookup_archive(code: &str) -> Option<&'static ArchiveInfo> {
    ARCHIVES.iter().find(|a| a.code.eq_ignore_ascii_case(code))
}

/// A canonical arXiv category code: `cs.LG`, `math.NA` (never its alias `cs.NA`), `hep-th`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Category(String);

/// Why a string is not a category or a category expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CategoryError {
    #[error("unknown arXiv category {0:?}")]
    Unknown(String),
    #[error("{0:?} is not a category code")]
    Malformed(String),
    #[error("the category expression is empty")]
    EmptyExpr,
    #[error("empty term at position {0} of the category expression")]
    EmptyTerm(usize),
    #[error("the category expression only excludes; name at least one category to include")]
    OnlyExclusions,
    #[error("the category expression has more than {MAX_EXPR_TERMS} terms")]
    TooManyTerms,
    #[error("the category expression is longer than {MAX_EXPR_BYTES} bytes")]
    TooLong,
}

impl Category {
    /// Strict parse of a code a person typed: must be in the taxonomy (any letter case);
    /// aliases become their canonical code.
    pub fn parse(code: &str) -> Result<Self, CategoryError> {
        let code = code.trim();
        lookup(code)
            .map(Self::from_info)
            .ok_or_else(|| CategoryError::Unknown(truncate(code)))
    }

    /// Lenient parse of a code from a feed or the Store: taxonomy codes as in [`Category::parse`],
    /// and also well-formed codes under a known or retired archive (`astro-ph`, `chao-dyn`, a
    /// subject class arXiv added after this list was written), kept as given.
    pub fn from_source(code: &str) -> Result<Self, CategoryError> {
        let code = code.trim();
        if let Some(info) = lookup(code) {
            return Ok(Self::from_info(info));
        }
        if code.len() > MAX_CODE_BYTES {
            return Err(CategoryError::Malformed(truncate(code)));
        }
        let (archive, class) = match code.split_once('.') {
            Some((archive, class)) => (archive, Some(class)),
            None => (code, None),
        };
        let archive_ok = archive_info(archive).is_some() || LEGACY_ARCHIVES.contains(&archive);
        let class_ok = class.is_none_or(|c| {
            !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
        });
        if archive_ok && class_ok {
            Ok(Self(code.to_string()))
        } else {
            Err(CategoryError::Malformed(truncate(code)))
        }
    }

    /// Parses a source's category field, whose entries may hold several codes ("cs.CV, cs.MM")
    /// or none at all (MSC "68T07", ACM "I.2.7"). Returns the categories in order without
    /// duplicates (the primary stays first), and the tokens that were not categories.
    pub fn from_source_list<'a>(
        entries: impl IntoIterator<Item = &'a str>,
    ) -> (Vec<Category>, Vec<String>) {
        let mut categories: Vec<Category> = Vec::new();
        let mut dropped = Vec::new();
        let tokens = entries
            .into_iter()
            .flat_map(|e| e.split(|c: char| c == ',' || c == ';' || c.is_whitespace()))
            .filter(|t| !t.is_empty());
        for token in tokens {
            match Self::from_source(token) {
                Ok(c) if !categories.contains(&c) => categories.push(c),
                Ok(_) => {}
                Err(_) => dropped.push(truncate(token)),
            }
        }
        (categories, dropped)
    }

    fn from_info(info: &'static CategoryInfo) -> Self {
        Self(info.alias_of.unwrap_or(info.code).to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The taxonomy entry, if this is a current category (not a retired or unknown one).
    pub fn info(&self) -> Option<&'static CategoryInfo> {
        lookup(&self.0).filter(|i| i.code == self.0)
    }

    /// The archive: `cs` for `cs.LG`, `hep-th` for `hep-th`.
    pub fn archive(&self) -> &str {
        self.0.split_once('.').map_or(&self.0, |(a, _)| a)
    }
}

/// Bounds what an error message echoes back.
fn truncate(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::from_source(&s).map_err(serde::de::Error::custom)
    }
}

/// How a term joins the expression. `,` and `+` both mean union; `-` excludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    First,
    Comma,
    Plus,
    Minus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Term {
    /// `written` keeps the spelling the user chose (`cs.NA`) for printing back; `category` is
    /// what it means (`math.NA`).
    Category {
        written: &'static str,
        category: Category,
    },
    /// A whole archive: `cs`, `astro-ph`.
    Archive(&'static ArchiveInfo),
}

impl Term {
    fn written(&self) -> &'static str {
        match self {
            Term::Category { written, .. } => written,
            Term::Archive(a) => a.code,
        }
    }

    /// The canonical categories the term stands for.
    fn categories(&self) -> Vec<Category> {
        match self {
            Term::Category { category, .. } => vec![category.clone()],
            Term::Archive(archive) => {
                let mut all: Vec<Category> = taxonomy()
                    .iter()
                    .filter(|i| i.archive == archive.code)
                    .map(Category::from_info)
                    .collect();
                // Papers from before subject classes were filed under the bare archive.
                all.push(Category(archive.code.to_string()));
                all
            }
        }
    }
}

/// A category expression: terms joined by `,` or `+` (union), minus `-` terms (exclusion), e.g.
/// `cs.AI,cs.CL` or `cs.AI+cs.LG-cs.CY`. A paper matches when it is in any included category and
/// in no excluded one, wherever the exclusion is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryExpr {
    terms: Vec<(Join, Term)>,
}

impl CategoryExpr {
    pub fn parse(input: &str) -> Result<Self, CategoryError> {
        if input.len() > MAX_EXPR_BYTES {
            return Err(CategoryError::TooLong);
        }
        let s = input.trim();
        if s.is_empty() {
            return Err(CategoryError::EmptyExpr);
        }
        let mut terms = Vec::new();
        // A leading `-` is allowed (`-cs.CY+cs.AI`); an expression must still include something.
        let (mut join, mut pos) = match s.strip_prefix('-') {
            Some(_) => (Join::Minus, 1),
            None => (Join::First, 0),
        };
        loop {
            if terms.len() == MAX_EXPR_TERMS {
                return Err(CategoryError::TooManyTerms);
            }
            let (term, len) = longest_term_at(&s[pos..]).ok_or_else(|| {
                let rest = &s[pos..];
                if rest.is_empty() || rest.starts_with([',', '+', '-']) {
                    CategoryError::EmptyTerm(pos)
                } else {
                    let end = rest.find([',', '+']).unwrap_or(rest.len());
                    CategoryError::Unknown(truncate(&rest[..end]))
                }
            })?;
            terms.push((join, term));
            pos += len;
            let Some(sep) = s[pos..].chars().next() else {
                break;
            };
            join = match sep {
                ',' => Join::Comma,
                '+' => Join::Plus,
                '-' => Join::Minus,
                _ => unreachable!("longest_term_at only ends terms at a separator"),
            };
            pos += 1;
        }
        if terms.iter().all(|(j, _)| *j == Join::Minus) {
            return Err(CategoryError::OnlyExclusions);
        }
        Ok(Self { terms })
    }

    /// The canonical categories a paper may be in, sorted and without duplicates.
    pub fn included(&self) -> Vec<Category> {
        self.collect(|j| j != Join::Minus)
    }

    /// The canonical categories a paper must not be in.
    pub fn excluded(&self) -> Vec<Category> {
        self.collect(|j| j == Join::Minus)
    }

    /// Whether a paper with these categories is listed under the expression.
    pub fn matches(&self, categories: &[Category]) -> bool {
        let included = self.included();
        let excluded = self.excluded();
        categories.iter().any(|c| included.contains(c))
            && !categories.iter().any(|c| excluded.contains(c))
    }

    fn collect(&self, keep: impl Fn(Join) -> bool) -> Vec<Category> {
        let set: BTreeSet<Category> = self
            .terms
            .iter()
            .filter(|(j, _)| keep(*j))
            .flat_map(|(_, t)| t.categories())
            .collect();
        set.into_iter().collect()
    }
}

/// Finds the longest category code or archive at the start of `s` that ends at a separator or
/// at the end. Longest wins because `-` both excludes and appears inside codes: in
/// `cs.LG-hep-th`, the terms are `cs.LG` and `hep-th`; in `hep-th-cs.LG`, `hep-th` and `cs.LG`.
fn longest_term_at(s: &str) -> Option<(Term, usize)> {
    let ends = s
        .char_indices()
        .take_while(|&(i, _)| i <= MAX_CODE_BYTES)
        .filter(|&(_, c)| matches!(c, ',' | '+' | '-'))
        .map(|(i, _)| i)
        .chain((s.len() <= MAX_CODE_BYTES).then_some(s.len()));
    let mut best = None;
    for end in ends {
        let candidate = &s[..end];
        if let Some(info) = lookup(candidate) {
            best = Some((
                Term::Category {
                    written: info.code,
                    category: Category::from_info(info),
                },
                end,
            ));
        } else if let Some(archive) = lookup_archive(candidate) {
            best = Some((Term::Archive(archive), end));
        }
    }
    best
}

impl fmt::Display for CategoryExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (join, term) in &self.terms {
            let sep = match join {
                Join::First => "",
                Join::Comma => ",",
                Join::Plus => "+",
                Join::Minus => "-",
            };
            write!(f, "{sep}{}", term.written())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cat(s: &str) -> Category {
        Category::parse(s).unwrap()
    }

    fn codes(cats: &[Category]) -> Vec<&str> {
        cats.iter().map(Category::as_str).collect()
    }

    #[test]
    fn taxonomy_entries() {
        let lg = cat("cs.LG").info().unwrap();
        assert_eq!(
            (lg.name, lg.archive, lg.group),
            ("Machine Learning", "cs", CS)
        );
        let hep = cat("hep-th");
        assert_eq!(hep.archive(), "hep-th");
        assert_eq!(hep.info().unwrap().group, PHYSICS);
        assert_eq!(cat("cond-mat.str-el").archive(), "cond-mat");
        assert_eq!(cat("eess.IV").info().unwrap().group, EESS);
        assert!(taxonomy().len() > 150);
        // Every alias points at a canonical entry of the table.
        for info in taxonomy() {
            if let Some(target) = info.alias_of {
                assert!(
                    lookup(target).is_some_and(|t| t.alias_of.is_none()),
                    "{target}"
                );
            }
            // Every archive of the table is browsable.
            assert!(archive_info(info.archive).is_some(), "{}", info.code);
        }
    }

    #[test]
    fn aliases_fold_to_one_code() {
        for (alias, canonical) in [
            ("cs.NA", "math.NA"),
            ("math.IT", "cs.IT"),
            ("math.MP", "math-ph"),
            ("stat.TH", "math.ST"),
            ("cs.SY", "eess.SY"),
            ("q-fin.EC", "econ.GN"),
        ] {
            assert_eq!(cat(alias).as_str(), canonical);
            assert_eq!(cat(canonical).as_str(), canonical);
            assert_eq!(Category::from_source(alias).unwrap().as_str(), canonical);
        }
    }

    #[test]
    fn strict_parse() {
        assert_eq!(cat("CS.lg").as_str(), "cs.LG");
        assert_eq!(cat(" stat.ML ").as_str(), "stat.ML");
        assert_eq!(
            Category::parse("cs.XX").unwrap_err().to_string(),
            "unknown arXiv category \"cs.XX\""
        );
        assert!(
            Category::parse("cs").is_err(),
            "an archive is not a category"
        );
        assert!(Category::parse("").is_err());
    }

    #[test]
    fn lenient_source_parse() {
        assert_eq!(
            Category::from_source("astro-ph").unwrap().as_str(),
            "astro-ph"
        );
        assert_eq!(
            Category::from_source("chao-dyn").unwrap().as_str(),
            "chao-dyn"
        );
        assert_eq!(Category::from_source("cs.ZZ").unwrap().archive(), "cs");
        assert!(Category::from_source("cs.ZZ").unwrap().info().is_none());
        for junk in [
            "68T07", "I.2.7", "CS", "na", "A.I", "cs.", "cs.A1", "foo.AI", "",
        ] {
            assert!(Category::from_source(junk).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn source_lists_split_and_drop() {
        let (cats, dropped) = Category::from_source_list([
            "cs.CV, cs.MM",
            "cs.LG",
            "68T07",
            "I.2.7; I.4.8",
            "cs.CV",
            "cs.NA",
            "math.NA",
        ]);
        assert_eq!(codes(&cats), ["cs.CV", "cs.MM", "cs.LG", "math.NA"]);
        assert_eq!(dropped, ["68T07", "I.2.7", "I.4.8"]);
    }

    #[test]
    fn expressions() {
        let e = CategoryExpr::parse("cs.AI+cs.LG-cs.CY").unwrap();
        assert_eq!(codes(&e.included()), ["cs.AI", "cs.LG"]);
        assert_eq!(codes(&e.excluded()), ["cs.CY"]);
        assert!(e.matches(&[cat("cs.LG"), cat("stat.ML")]));
        assert!(!e.matches(&[cat("cs.LG"), cat("cs.CY")]));
        assert!(!e.matches(&[cat("cs.CL")]));
        assert_eq!(e.to_string(), "cs.AI+cs.LG-cs.CY");

        let e = CategoryExpr::parse("cs.ai,CS.CL").unwrap();
        assert_eq!(e.to_string(), "cs.AI,cs.CL");

        // Exclusion applies whatever its position.
        let e = CategoryExpr::parse("cs.LG-cs.CY+cs.CL").unwrap();
        assert!(!e.matches(&[cat("cs.CL"), cat("cs.CY")]));
        let e = CategoryExpr::parse("-cs.CY+cs.CL").unwrap();
        assert!(e.matches(&[cat("cs.CL")]));
        assert!(!e.matches(&[cat("cs.CL"), cat("cs.CY")]));
        assert_eq!(e.to_string(), "-cs.CY+cs.CL");

        // Codes with hyphens next to the exclusion operator.
        let e = CategoryExpr::parse("hep-th-cond-mat.str-el+gr-qc").unwrap();
        assert_eq!(codes(&e.included()), ["gr-qc", "hep-th"]);
        assert_eq!(codes(&e.excluded()), ["cond-mat.str-el"]);
        assert_eq!(e.to_string(), "hep-th-cond-mat.str-el+gr-qc");

        // Aliases print as written and mean the canonical code.
        let e = CategoryExpr::parse("cs.NA").unwrap();
        assert_eq!(codes(&e.included()), ["math.NA"]);
        assert_eq!(e.to_string(), "cs.NA");
    }

    #[test]
    fn archive_terms() {
        let e = CategoryExpr::parse("cs-cs.CY").unwrap();
        let included = e.included();
        assert!(included.contains(&cat("cs.LG")));
        assert!(
            included.contains(&cat("math.NA")),
            "cs.NA folds into math.NA"
        );
        assert!(!included.contains(&cat("stat.ML")));
        assert!(e.matches(&[cat("cs.LG")]));
        assert!(!e.matches(&[cat("cs.LG"), cat("cs.CY")]));
        let astro = CategoryExpr::parse("astro-ph").unwrap();
        assert!(astro.matches(&[Category::from_source("astro-ph").unwrap()]));
        assert!(astro.matches(&[cat("astro-ph.CO")]));
    }

    #[test]
    fn bad_expressions_say_why() {
        let err = |s: &str| CategoryExpr::parse(s).unwrap_err();
        assert_eq!(err(""), CategoryError::EmptyExpr);
        assert_eq!(err("  "), CategoryError::EmptyExpr);
        assert_eq!(err("cs.AI,,cs.CL"), CategoryError::EmptyTerm(6));
        assert_eq!(err("cs.AI+"), CategoryError::EmptyTerm(6));
        assert_eq!(err("-cs.AI"), CategoryError::OnlyExclusions);
        assert_eq!(err("-cs.AI-cs.CL"), CategoryError::OnlyExclusions);
        assert_eq!(err(",cs.AI"), CategoryError::EmptyTerm(0));
        assert_eq!(
            err("cs.AI,cs.XX+cs.CL"),
            CategoryError::Unknown("cs.XX".into())
        );
        assert_eq!(err("cs.AI--cs.CY"), CategoryError::EmptyTerm(6));
        assert_eq!(err("<script>"), CategoryError::Unknown("<script>".into()));
        let many = vec!["cs.AI"; 65].join(",");
        assert_eq!(err(&many), CategoryError::TooManyTerms);
        assert_eq!(err(&"cs.AI,".repeat(200)), CategoryError::TooLong);
    }

    fn known_code() -> impl Strategy<Value = &'static str> {
        prop::sample::select(
            taxonomy()
                .iter()
                .map(|i| i.code)
                .chain(ARCHIVES.iter().map(|a| a.code))
                .collect::<Vec<_>>(),
        )
    }

    proptest! {
        #[test]
        fn printed_expressions_parse_back(
            first in known_code(),
            rest in prop::collection::vec((prop::sample::select(vec![",", "+", "-"]), known_code()), 0..8)
        ) {
            let text: String = std::iter::once(first.to_string())
                .chain(rest.iter().map(|(sep, code)| format!("{sep}{code}")))
                .collect();
            let parsed = CategoryExpr::parse(&text).unwrap();
            prop_assert_eq!(parsed.to_string(), text.clone());
            prop_assert_eq!(CategoryExpr::parse(&parsed.to_string()).unwrap(), parsed);
        }

        #[test]
        fn arbitrary_input_never_panics(s in ".{0,200}") {
            let _ = CategoryExpr::parse(&s);
            let _ = Category::parse(&s);
            let _ = Category::from_source(&s);
            let _ = Category::from_source_list([s.as_str()]);
        }
    }
}

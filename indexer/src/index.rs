//! [`SearchIndex`]: the tantivy index under the data dir, derived from the Store.
//!
//! Sync follows the Store's change log ([`Store::changed_since`]) from a watermark that is saved
//! in the payload of each tantivy commit, so the documents and the watermark are committed
//! together: a run killed at any point leaves the last commit, whole and searchable, and the next
//! run goes on from its watermark. Documents are keyed by arXiv id (delete, then add), so seeing
//! a paper twice is harmless. Commits are batched ([`COMMIT_EVERY`]) rather than per page, so an
//! initial build does not leave a pile of tiny segments.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use papers_core::store::{Changed, Watermark};
use papers_core::venue::{Claim, VenueLink};
use papers_core::{ArxivId, Paper, Store, StoreError};
use serde::Serialize;
use tantivy::DocSet;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, Occur as TOccur, PhraseQuery,
    Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    Term,
};

use crate::fusion::{self, Evidence, Fusion};
use crate::query::{self, Clause, Occur, Part, Query, QueryError, TextField};
use crate::schema::{self, Fields};
use crate::vector_store::VectorStore;

/// Papers read from the Store per page.
const PAGE: u32 = 2_000;
/// Documents per commit during a sync: few enough segments, progress saved often enough.
pub const COMMIT_EVERY: u64 = 20_000;
/// Memory for the writer's buffers, shared by its threads.
const WRITER_MEMORY: usize = 96 * 1024 * 1024;
/// The most results one request may ask for.
pub const MAX_LIMIT: usize = 200;
/// Candidates each side (BM25, vectors) brings to a hybrid ranking.
pub const CANDIDATES: usize = 50;

/// Where the search index lives under the data dir (its vectors in `vectors/` inside it).
pub fn index_dir(config: &papers_core::Config) -> PathBuf {
    config.data_dir.join("index")
}

/// What a hybrid search needs beside the query text: the vectors, the query's own vector (from
/// the same embedder, over [`query::embedding_text`]), and how to fuse the two rankings.
pub struct Semantic<'a> {
    pub vectors: &'a VectorStore,
    pub query: Vec<f32>,
    pub fusion: Fusion,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the search index at {dir} cannot be opened: {source} (run `papers index --rebuild`)")]
    Open {
        dir: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("cannot create the search index directory {dir}: {source}")]
    CreateDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("another process is updating the search index at {0}; try again when it is done")]
    Busy(PathBuf),
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A search that could not finish (its task panicked): a bug, logged where it happened.
    #[error("the search failed: {0}")]
    Failed(String),
    #[error("topic '{name}' in the configuration: {source}")]
    Topic { name: String, source: QueryError },
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
    #[error(transparent)]
    Vectors(#[from] crate::vector_store::VectorError),
}

/// What one sync did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SyncReport {
    /// Papers (re)indexed.
    pub indexed: u64,
    /// Documents dropped because their papers were removed from the Store.
    pub removed: u64,
    pub commits: u64,
    /// Documents in the index afterwards.
    pub documents: u64,
    /// The sync started from an empty index (or `--rebuild`).
    pub from_scratch: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
}

#[derive(Clone, Debug)]
pub struct SearchOptions {
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub id: String,
    pub version: u64,
    pub title: String,
    /// The title with the matched words in `<b>`, HTML-escaped.
    pub title_html: String,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub date: Option<NaiveDate>,
    pub score: f32,
    /// A passage of the abstract with the matched words in `<b>`, HTML-escaped.
    pub snippet_html: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SearchResults {
    /// Matches in all (the hits are one page of them).
    pub total: usize,
    pub hits: Vec<Hit>,
    /// The query was an arXiv id or URL: this paper (in `hits` when it is indexed).
    pub jump: Option<ArxivId>,
}

pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    fields: Fields,
    reader: IndexReader,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one if there is none.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        let open_error = |source| IndexError::Open {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|source| IndexError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let (schema, fields) = schema::build();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| open_error(e.into()))?;
        let index = Index::open_or_create(directory, schema).map_err(open_error)?;
        schema::register_analyzers(&index);
        // Commits by another process (`papers index` beside `papers serve`) show up on their own.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(open_error)?;
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            index,
            fields,
            reader,
        })
    }

    /// Opens the index in `dir` to rebuild it: an index made by an older `papers` with another
    /// schema is deleted first (it is derived data; the rebuild makes it again).
    pub fn open_for_rebuild(dir: &Path) -> Result<SearchIndex, IndexError> {
        match SearchIndex::open(dir) {
            Err(IndexError::Open {
                source: tantivy::TantivyError::SchemaError(reason),
                ..
            }) => {
                tracing::warn!(dir = %dir.display(), %reason, "deleting an index of another schema");
                let remove = |source| IndexError::CreateDir {
                    dir: dir.to_path_buf(),
                    source,
                };
                for entry in std::fs::read_dir(dir).map_err(remove)? {
                    let path = entry.map_err(remove)?.path();
                    // Only the index's own files: the vectors directory beside them stays.
                    if path.is_file() {
                        std::fs::remove_file(&path).map_err(remove)?;
                    }
                }
                SearchIndex::open(dir)
            }
            other => other,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Documents in the index as of the last reload.
    pub fn documents(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// How far the last commit had followed the Store.
    pub fn watermark(&self) -> Result<Option<Watermark>, IndexError> {
        let payload = self.index.load_metas()?.payload;
        Ok(payload.and_then(|text| match serde_json::from_str(&text) {
            Ok(mark) => Some(mark),
            Err(error) => {
                tracing::warn!(%error, "unreadable index watermark; the next sync reads everything");
                None
            }
        }))
    }

    /// Brings the index up to date with the Store: everything changed since the watermark, or
    /// everything when `rebuild` (the old documents are dropped in the same first commit).
    pub async fn sync(
        &self,
        store: &Store,
        rebuild: bool,
        mut progress: impl FnMut(&SyncReport),
    ) -> Result<SyncReport, IndexError> {
        let mut writer: IndexWriter = match self.index.writer(WRITER_MEMORY) {
            Ok(writer) => writer,
            Err(tantivy::TantivyError::LockFailure(..)) => {
                return Err(IndexError::Busy(self.dir.clone()));
            }
            Err(error) => return Err(error.into()),
        };
        let mut mark = if rebuild { None } else { self.watermark()? };
        let mut report = SyncReport {
            from_scratch: mark.is_none(),
            ..SyncReport::default()
        };
        if rebuild {
            writer.delete_all_documents()?;
        }
        let mut uncommitted = 0u64;
        // Papers removed from the Store (venue-only papers merged into their arXiv version).
        let searcher = self.reader.searcher();
        for id in store.removed_papers().await? {
            let term = Term::from_field_text(self.fields.id, id.as_str());
            // Counted by a search, which skips deleted documents (doc_freq would not).
            let live = TermQuery::new(term.clone(), IndexRecordOption::Basic);
            if searcher.search(&live, &Count)? > 0 {
                writer.delete_term(term);
                uncommitted += 1;
                report.removed += 1;
            }
        }
        loop {
            let changed = store.changed_since(mark.as_ref(), PAGE).await?;
            let Some(last) = changed.last() else { break };
            let next = Watermark::of(last);
            let venues = sync_venues(store, &changed).await?;
            for Changed { paper, .. } in &changed {
                writer.delete_term(Term::from_field_text(self.fields.id, paper.id.as_str()));
                let links = venues.get(&paper.id).map_or(&[][..], Vec::as_slice);
                writer.add_document(self.document(paper, links))?;
            }
            report.indexed += changed.len() as u64;
            uncommitted += changed.len() as u64;
            mark = Some(next);
            if uncommitted >= COMMIT_EVERY {
                self.commit(&mut writer, mark.as_ref())?;
                report.commits += 1;
                uncommitted = 0;
                progress(&report);
            }
        }
        if uncommitted > 0 || (rebuild && report.commits == 0) {
            self.commit(&mut writer, mark.as_ref())?;
            report.commits += 1;
        }
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        report.documents = self.documents();
        progress(&report);
        Ok(report)
    }

    fn commit(&self, writer: &mut IndexWriter, mark: Option<&Watermark>) -> Result<(), IndexError> {
        let mut prepared = writer.prepare_commit()?;
        if let Some(mark) = mark {
            prepared.set_payload(&serde_json::to_string(mark).expect("a watermark serialises"));
        }
        prepared.commit()?;
        Ok(())
    }

    fn document(&self, paper: &Paper, venues: &[VenueLink]) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, paper.id.as_str());
        doc.add_u64(f.version, u64::from(paper.version));
        doc.add_text(f.title, &paper.title);
        doc.add_text(f.abstract_text, &paper.abstract_text);
        doc.add_text(f.text, format!("{}\n{}", paper.title, paper.abstract_text));
        for author in &paper.authors {
            doc.add_text(f.authors, author);
        }
        for category in &paper.categories {
            doc.add_facet(
                f.category,
                Facet::from_path([category.archive(), category.as_str()]),
            );
        }
        if let Some(primary) = paper.primary_category() {
            doc.add_text(f.primary, primary.as_str());
        }
        // Where it was accepted (`venue:ICLR.2026`): what its comment or journal ref claims and
        // what imports found, as the Store links them. A claim without a year still gives
        // `venue:TMLR`.
        let claim = papers_core::venue::claimed_by(paper);
        let mut keys: Vec<String> = claim.iter().flat_map(Claim::search_keys).collect();
        keys.extend(venues.iter().flat_map(VenueLink::search_keys));
        keys.sort();
        keys.dedup();
        for key in keys {
            doc.add_text(f.venue, key);
        }
        let day = paper.announced.or(paper.published.map(|t| t.date_naive()));
        if let Some(day) = day {
            doc.add_i64(f.day, days(day));
        }
        doc
    }

    /// Runs a query in the search language, ranked by BM25 alone.
    pub fn search(&self, text: &str, options: &SearchOptions) -> Result<SearchResults, IndexError> {
        self.search_with(text, options, None)
    }

    /// Runs a query in the search language; with `semantic`, relevance is hybrid: BM25's top
    /// candidates and the nearest vectors (held to the query's filters) fused into one order.
    pub fn search_with(
        &self,
        text: &str,
        options: &SearchOptions,
        semantic: Option<&Semantic<'_>>,
    ) -> Result<SearchResults, IndexError> {
        let limit = options.limit.clamp(1, MAX_LIMIT);
        let searcher = self.reader.searcher();
        let parts = match query::parse(text)? {
            Query::Jump(id) => {
                let query = TermQuery::new(
                    Term::from_field_text(self.fields.id, id.as_str()),
                    IndexRecordOption::Basic,
                );
                let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
                let hits = match found.first() {
                    Some((_, address)) => vec![self.hit(&searcher.doc(*address)?, 0.0, None, None)],
                    None => Vec::new(),
                };
                return Ok(SearchResults {
                    total: hits.len(),
                    hits,
                    jump: Some(id),
                });
            }
            Query::Search(parts) => parts,
        };
        let built = self.build(&parts);
        let collector = TopDocs::with_limit(limit).and_offset(options.offset);
        let sort = if built.ranked {
            options.sort
        } else {
            Sort::Newest
        };
        // A query none of whose words the embedder knows has no meaning to add.
        let semantic = semantic.filter(|s| s.query.iter().any(|x| *x != 0.0));
        let (total, page): (usize, Vec<(f32, DocAddress)>) = match (sort, semantic) {
            (Sort::Relevance, Some(semantic)) => {
                self.hybrid(&searcher, &built, options.offset, limit, semantic)?
            }
            (Sort::Relevance, None) => {
                searcher.search(&built.query, &(Count, collector.order_by_score()))?
            }
            (Sort::Newest, _) => {
                let (total, docs) = searcher.search(
                    &built.query,
                    &(
                        Count,
                        collector.order_by_fast_field::<i64>("day", Order::Desc),
                    ),
                )?;
                (
                    total,
                    docs.into_iter()
                        .map(|(_, address)| (0.0, address))
                        .collect(),
                )
            }
        };
        let title_snippets =
            SnippetGenerator::create(&searcher, &*built.highlight, self.fields.title)?;
        let mut abstract_snippets =
            SnippetGenerator::create(&searcher, &*built.highlight, self.fields.abstract_text)?;
        abstract_snippets.set_max_num_chars(300);
        let hits = page
            .into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(self.hit(&doc, score, Some(&title_snippets), Some(&abstract_snippets)))
            })
            .collect::<Result<Vec<_>, IndexError>>()?;
        Ok(SearchResults {
            total,
            hits,
            jump: None,
        })
    }

    /// Every paper a query matches (for topic membership): canonical ids, in no order.
    pub fn matching_ids(&self, text: &str) -> Result<Vec<ArxivId>, IndexError> {
        let searcher = self.reader.searcher();
        let query = match query::parse(text)? {
            Query::Jump(id) => return Ok(vec![id]),
            Query::Search(parts) => self.build(&parts).query,
        };
        let docs: Vec<DocAddress> = searcher
            .search(&query, &DocSetCollector)?
            .into_iter()
            .collect();
        Ok(self
            .ids_of(&searcher, &docs)?
            .into_iter()
            .filter_map(|id| ArxivId::parse_any(&id).ok())
            .collect())
    }

    /// BM25's top candidates and the nearest vectors, fused; one page of them.
    fn hybrid(
        &self,
        searcher: &Searcher,
        built: &Built,
        offset: usize,
        limit: usize,
        semantic: &Semantic<'_>,
    ) -> Result<(usize, Vec<(f32, DocAddress)>), IndexError> {
        let depth = CANDIDATES.max(offset + limit);
        let (total, lexical) = searcher.search(
            &built.query,
            &(Count, TopDocs::with_limit(depth).order_by_score()),
        )?;
        let addresses: Vec<DocAddress> = lexical.iter().map(|(_, address)| *address).collect();
        let mut candidates: Vec<(String, DocAddress, Option<f32>)> = self
            .ids_of(searcher, &addresses)?
            .into_iter()
            .zip(lexical)
            .map(|(id, (score, address))| (id, address, Some(score)))
            .collect();
        let known: HashSet<&str> = candidates.iter().map(|(id, ..)| id.as_str()).collect();
        let unseen: Vec<Term> = semantic
            .vectors
            .nearest(&semantic.query, depth, None)
            .into_iter()
            .filter(|(id, _)| !known.contains(id))
            .map(|(id, _)| Term::from_field_text(self.fields.id, id))
            .collect();
        let mut extra = 0;
        if !unseen.is_empty() {
            // The papers found by meaning alone, held to the query's filters and exclusions: one
            // term lookup per id (a term set would walk the whole id dictionary).
            let wanted = unseen.len();
            let by_id: Vec<Box<dyn TQuery>> = unseen
                .into_iter()
                .map(|term| {
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn TQuery>
                })
                .collect();
            let mut clauses: Vec<(TOccur, Box<dyn TQuery>)> =
                vec![(TOccur::Must, Box::new(BooleanQuery::union(by_id)))];
            if let Some(constraints) = &built.constraints {
                clauses.push((TOccur::Must, constraints.box_clone()));
            }
            let found = searcher.search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(wanted).order_by_score(),
            )?;
            let addresses: Vec<DocAddress> =
                found.into_iter().map(|(_, address)| address).collect();
            // Those that match the words too (beyond BM25's top) are already in its count.
            let lexical = matching(searcher, &*built.query, &addresses)?;
            extra = lexical.iter().filter(|m| !**m).count();
            for (id, address) in self
                .ids_of(searcher, &addresses)?
                .into_iter()
                .zip(addresses)
            {
                candidates.push((id, address, None));
            }
        }
        let ids: Vec<&str> = candidates.iter().map(|(id, ..)| id.as_str()).collect();
        let cosines = semantic.vectors.scores(&semantic.query, &ids);
        let evidence: Vec<Evidence> = candidates
            .iter()
            .map(|(id, _, lexical)| Evidence {
                lexical: *lexical,
                cosine: cosines.get(id).copied(),
            })
            .collect();
        let fused = fusion::fuse(semantic.fusion, &evidence);
        let mut ranked: Vec<(f32, DocAddress)> = fused
            .into_iter()
            .zip(candidates.iter().map(|(_, address, _)| *address))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        let page = ranked.into_iter().skip(offset).take(limit).collect();
        Ok((total + extra, page))
    }

    /// The arXiv ids of documents, read from the `id` column (no stored document is decoded).
    fn ids_of(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
    ) -> Result<Vec<String>, IndexError> {
        let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let column = match columns.entry(address.segment_ord) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => entry.insert(
                    searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .str("id")?,
                ),
            };
            let mut id = String::new();
            match column {
                Some(column) => {
                    if let Some(ord) = column.term_ords(address.doc_id).next() {
                        column
                            .ord_to_str(ord, &mut id)
                            .map_err(|e| IndexError::Tantivy(e.into()))?;
                    }
                }
                None => {
                    let doc: TantivyDocument = searcher.doc(*address)?;
                    id = doc
                        .get_first(self.fields.id)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string();
                }
            }
            ids.push(id);
        }
        Ok(ids)
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        titles: Option<&SnippetGenerator>,
        abstracts: Option<&SnippetGenerator>,
    ) -> Hit {
        let f = &self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let title = text(f.title);
        let title_html = match titles.map(|g| g.snippet_from_doc(doc)) {
            // The whole title, highlighted when a word matched it. The fragment runs from the
            // first token to the last, so punctuation at either end is put back around it.
            Some(snippet) if !snippet.highlighted().is_empty() => {
                match title.find(snippet.fragment()) {
                    Some(start) if !snippet.fragment().is_empty() => format!(
                        "{}{}{}",
                        papers_core::html::escape(&title[..start]),
                        snippet.to_html(),
                        papers_core::html::escape(&title[start + snippet.fragment().len()..])
                    ),
                    _ => papers_core::html::escape(&title),
                }
            }
            _ => papers_core::html::escape(&title),
        };
        let snippet_html = match abstracts.map(|g| g.snippet_from_doc(doc)) {
            Some(snippet) if !snippet.fragment().is_empty() => snippet.to_html(),
            // No word of the query in the abstract: its opening.
            _ => papers_core::html::escape(&opening(&text(f.abstract_text), 300)),
        };
        Hit {
            id: text(f.id),
            version: doc
                .get_first(f.version)
                .and_then(|v| v.as_u64())
                .unwrap_or(1),
            title,
            title_html,
            authors: doc
                .get_all(f.authors)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            categories: doc
                .get_all(f.category)
                .filter_map(|v| {
                    v.as_facet().map(|path| {
                        path.rsplit(['/', '\0'])
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
                })
                .collect(),
            date: doc
                .get_first(f.day)
                .and_then(|v| v.as_i64())
                .and_then(from_days),
            score,
            snippet_html,
        }
    }

    /// The tantivy query for parsed parts, and a query of the same words on title and abstract
    /// for highlighting (the ranked words live on `text`, which is not stored).
    fn build(&self, parts: &[Part]) -> Built {
        let mut should: Vec<Box<dyn TQuery>> = Vec::new();
        let mut clauses: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let mut categories: Vec<Box<dyn TQuery>> = Vec::new();
        let mut venues: Vec<Box<dyn TQuery>> = Vec::new();
        let mut highlight: Vec<(TOccur, Box<dyn TQuery>)> = Vec::new();
        let mut ranked = false;
        for Part { occur, clause } in parts {
            let query: Box<dyn TQuery> = match clause {
                Clause::Word(field, words) | Clause::Phrase(field, words) => {
                    let Some(query) = self.text_query(self.field(*field), words) else {
                        continue;
                    };
                    if *occur != Occur::MustNot {
                        ranked = true;
                        for field in self.highlighted(*field) {
                            if let Some(q) = self.text_query(field, words) {
                                highlight.push((TOccur::Should, q));
                            }
                        }
                    }
                    query
                }
                Clause::Category(code) => {
                    let facet = match code.split_once('.').map(|(archive, _)| archive) {
                        Some(archive) => Facet::from_path([archive, code.as_str()]),
                        None if papers_core::Category::parse(code).is_ok() => {
                            Facet::from_path([code.as_str(), code.as_str()])
                        }
                        None => Facet::from_path([code.as_str()]),
                    };
                    let query = Box::new(TermQuery::new(
                        Term::from_facet(self.fields.category, &facet),
                        IndexRecordOption::Basic,
                    ));
                    if *occur == Occur::Must {
                        categories.push(query);
                        continue;
                    }
                    query
                }
                Clause::Venue(venue) => {
                    let query = Box::new(TermQuery::new(
                        Term::from_field_text(
                            self.fields.venue,
                            &papers_core::venue::search_key(venue),
                        ),
                        IndexRecordOption::Basic,
                    ));
                    if *occur == Occur::Must {
                        venues.push(query);
                        continue;
                    }
                    query
                }
                Clause::Year(year) => {
                    let from = NaiveDate::from_ymd_opt(*year, 1, 1);
                    let to = NaiveDate::from_ymd_opt(*year + 1, 1, 1);
                    match (from, to) {
                        (Some(from), Some(to)) => self.days(Some(from), Some(to)),
                        _ => Box::new(EmptyQuery),
                    }
                }
                Clause::After(day) => self.days(Some(*day), None),
                Clause::Before(day) => self.days(None, Some(*day)),
            };
            let query: Box<dyn TQuery> = if clause.is_filter() {
                Box::new(BoostQuery::new(query, 0.0))
            } else {
                query
            };
            match occur {
                Occur::Should => should.push(query),
                Occur::Must => clauses.push((TOccur::Must, query)),
                Occur::MustNot => clauses.push((TOccur::MustNot, query)),
            }
        }
        for group in [categories, venues] {
            if !group.is_empty() {
                clauses.push((
                    TOccur::Must,
                    Box::new(BoostQuery::new(Box::new(BooleanQuery::union(group)), 0.0)),
                ));
            }
        }
        // What a paper must satisfy besides matching a word: filters, required and excluded
        // clauses. Papers found by meaning alone are held to it.
        let constraints = (!clauses.is_empty()).then(|| {
            let mut required: Vec<(TOccur, Box<dyn TQuery>)> =
                clauses.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            if !required.iter().any(|(occur, _)| *occur == TOccur::Must) {
                required.push((TOccur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(required)) as Box<dyn TQuery>
        });
        // Optional words inside one required group: with filters beside them, at least one word
        // must still match (a bare SHOULD next to a MUST would match every filtered paper).
        if !should.is_empty() {
            clauses.push((TOccur::Must, Box::new(BooleanQuery::union(should))));
        }
        if !clauses.iter().any(|(occur, _)| *occur == TOccur::Must) {
            // Only exclusions: everything else.
            clauses.push((TOccur::Must, Box::new(AllQuery)));
        }
        Built {
            query: Box::new(BooleanQuery::new(clauses)),
            highlight: Box::new(BooleanQuery::new(highlight)),
            constraints,
            ranked,
        }
    }

    fn field(&self, field: TextField) -> Field {
        match field {
            TextField::Any => self.fields.text,
            TextField::Title => self.fields.title,
            TextField::Abstract => self.fields.abstract_text,
            TextField::Author => self.fields.authors,
        }
    }

    fn highlighted(&self, field: TextField) -> Vec<Field> {
        match field {
            TextField::Any => vec![self.fields.title, self.fields.abstract_text],
            TextField::Title => vec![self.fields.title],
            TextField::Abstract => vec![self.fields.abstract_text],
            TextField::Author => Vec::new(),
        }
    }

    /// Words analysed as the field indexes them: one token is a term, several a phrase.
    fn text_query(&self, field: Field, words: &str) -> Option<Box<dyn TQuery>> {
        let analyzer = if field == self.fields.authors {
            schema::NAMES
        } else {
            schema::ENGLISH
        };
        let mut analyzer = self.index.tokenizers().get(analyzer)?;
        let mut stream = analyzer.token_stream(words);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push(Term::from_field_text(field, &token.text));
        }
        match terms.len() {
            0 => None,
            1 => Some(Box::new(TermQuery::new(
                terms.remove(0),
                IndexRecordOption::WithFreqs,
            ))),
            _ => Some(Box::new(PhraseQuery::new(terms))),
        }
    }

    /// Papers dated in `[from, to)`.
    fn days(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Box<dyn TQuery> {
        use std::ops::Bound;
        let bound = |day: Option<NaiveDate>, make: fn(Term) -> Bound<Term>| {
            day.map_or(Bound::Unbounded, |d| {
                make(Term::from_field_i64(self.fields.day, days(d)))
            })
        };
        Box::new(RangeQuery::new(
            bound(from, Bound::Included),
            bound(to, Bound::Excluded),
        ))
    }
}

struct Built {
    query: Box<dyn TQuery>,
    highlight: Box<dyn TQuery>,
    /// The filters and required or excluded clauses alone (`None`: there are none).
    constraints: Option<Box<dyn TQuery>>,
    /// Some clause ranks (words, phrases); otherwise the results are listed newest first.
    ranked: bool,
}

/// Stores the venue links the comments of `changed` claim (derived data, like the index: a
/// comment edited on arXiv moves its link) and returns every link of those papers, imports
/// included, for their documents.
async fn sync_venues(
    store: &Store,
    changed: &[Changed],
) -> Result<HashMap<ArxivId, Vec<VenueLink>>, IndexError> {
    let claims: Vec<(ArxivId, Vec<VenueLink>)> = changed
        .iter()
        .map(|Changed { paper, .. }| {
            let fallback_year = paper
                .announced
                .or(paper.published.map(|t| t.date_naive()))
                .and_then(|d| u16::try_from(d.year()).ok());
            let link = papers_core::venue::claimed_by(paper)
                .and_then(|claim| VenueLink::from_claim(claim, fallback_year));
            (paper.id.clone(), link.into_iter().collect())
        })
        .collect();
    store.replace_comment_venues(&claims).await?;
    let ids: Vec<ArxivId> = claims.into_iter().map(|(id, _)| id).collect();
    Ok(store.venue_links(&ids).await?)
}

fn days(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce())
}

fn from_days(n: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(n).ok()?)
}

/// Which of `addresses` match `query`: one seek per document into the query's matches, segment
/// by segment, instead of running the query over the whole index.
fn matching(
    searcher: &Searcher,
    query: &dyn TQuery,
    addresses: &[DocAddress],
) -> Result<Vec<bool>, IndexError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
    let mut out = vec![false; addresses.len()];
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let DocAddress {
            segment_ord,
            doc_id,
        } = addresses[i];
        if current.as_ref().is_none_or(|(ord, _)| *ord != segment_ord) {
            let scorer = weight.scorer(searcher.segment_reader(segment_ord), 1.0)?;
            current = Some((segment_ord, scorer));
        }
        let (_, scorer) = current.as_mut().expect("set above");
        if scorer.doc() <= doc_id {
            out[i] = scorer.seek(doc_id) == doc_id;
        } else {
            out[i] = scorer.doc() == doc_id;
        }
    }
    Ok(out)
}

/// The first `max` characters of `text`, cut at a word, with `…` when cut.
fn opening(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => {
            let cut = text[..end].rfind(' ').unwrap_or(end);
            format!("{}…", &text[..cut])
        }
    }
}

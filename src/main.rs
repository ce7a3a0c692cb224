//! `papers`: the command line. Every subcommand here works end to end; the crawler, search and
//! summaries add theirs as they land.

mod commands;
mod progress;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use papers_core::store::redact_url;
use papers_core::{Config, LogFormat, Store};
use papers_crawler::backfill::BackfillSpec;
use papers_crawler::search_backfill::SearchSpec;

#[derive(Parser)]
#[command(
    name = "papers",
    version,
    about = "The day's arXiv papers: crawl, import, browse and serve them.",
    after_help = "Configuration: defaults < papers.toml (or --config / PAPERS_CONFIG) < PAPERS_* \
                  environment < flags.\nEnvironment: PAPERS_DATA_DIR, PAPERS_DATABASE_URL, \
                  PAPERS_ADDR, PAPERS_LOG_FORMAT, PAPERS_LOG (log filter, e.g. debug), \
                  PAPERS_CATEGORIES, PAPERS_CONTACT, PAPERS_ARXIV_FEED_URL, PAPERS_ARXIV_API_URL, \
                  PAPERS_ARXIV_OAI_URL, PAPERS_ARXIV_MIN_INTERVAL_SECS.\n\n\
                  Example:\n  papers demo                      # load the bundled sample, serve it \
                  on http://127.0.0.1:8080"
)]
struct Cli {
    /// Config file (TOML). Default: ./papers.toml if it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the SQLite database and derived data. Default: ./papers-data
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite:PATH or postgres://USER@HOST/DB. Default: a SQLite file in the data dir.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import papers from a JSON Lines file (plain or gzip), e.g. the shared arXiv corpus.
    #[command(after_help = "Example:\n  papers import arxiv-2025-2026.jsonl.gz\n\n\
                            Re-running is safe: papers already stored are left alone or updated.")]
    Import {
        /// The file; `-` reads standard input.
        file: PathBuf,
    },
    /// Create or upgrade the database schema (also done by every other command).
    #[command(after_help = "Example:\n  papers --database-url postgres://papers@db/papers migrate")]
    Migrate,
    /// Load the bundled sample of real arXiv papers and serve it: works offline.
    #[command(after_help = "Example:\n  papers demo --addr 127.0.0.1:8080")]
    Demo {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<SocketAddr>,
    },
    /// Crawl arXiv: the day's listings for the configured categories, or history with --backfill.
    #[command(
        after_help = "Examples:\n  papers crawl                                   # the day's listings (for cron)\n  \
                            papers crawl --backfill --from 2025-01-01 --set cs   # history via OAI-PMH\n\n\
                            Exit status: 0 all good (an empty weekend feed included, or another crawl \
                            already running), 1 partial (some sources failed after retries; the rest is \
                            stored), 2 nothing could be done.\n\
                            Categories: [crawler] categories in papers.toml or PAPERS_CATEGORIES."
    )]
    Crawl {
        /// Print the run's summary as one JSON object.
        #[arg(long)]
        json: bool,
        /// Harvest history through OAI-PMH instead of the day's feeds; resumes where a killed run stopped.
        #[arg(long)]
        backfill: bool,
        /// Backfill: first datestamp (YYYY-MM-DD).
        #[arg(long, requires = "backfill", value_name = "DATE")]
        from: Option<chrono::NaiveDate>,
        /// Backfill: last datestamp (YYYY-MM-DD).
        #[arg(long, requires = "backfill", value_name = "DATE")]
        until: Option<chrono::NaiveDate>,
        /// Backfill: OAI-PMH set, e.g. cs, math, physics:hep-th. Default: all of arXiv.
        #[arg(long, requires = "backfill", value_name = "SET")]
        set: Option<String>,
        /// Backfill one category through the API's search by submission date instead of OAI-PMH
        /// (needs --from; --until defaults to today).
        #[arg(
            long,
            requires = "from",
            conflicts_with = "set",
            value_name = "CATEGORY"
        )]
        #[arg(value_parser = parse_category)]
        category: Option<papers_core::Category>,
        /// Backfill --category: entries per API page (at most 2000).
        #[arg(long, requires = "category", value_name = "N", default_value_t = papers_crawler::search_backfill::DEFAULT_PAGE_SIZE,
              value_parser = clap::value_parser!(u64).range(1..=papers_crawler::search_backfill::MAX_PAGE_SIZE))]
        page_size: u64,
    },
    /// Fetch papers by id from the arXiv API and store them.
    #[command(
        after_help = "Example:\n  papers fetch 2506.01234 arXiv:hep-th/9901001v2 https://arxiv.org/abs/1706.03762"
    )]
    Fetch {
        /// Ids in any form: 2506.01234, 2506.01234v2, hep-th/9901001, arXiv:…, abs/pdf URLs.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Bring search up to date with the database: the full-text index (only what changed since the
    /// last run), paper vectors, topic membership.
    #[command(
        after_help = "Examples:\n  papers index             # after each crawl or import\n  \
                            papers index --rebuild   # from scratch (after an upgrade of papers)\n  \
                            papers index --retrain   # a new LSA model (after the corpus has grown a lot)"
    )]
    Index {
        /// Drop the full-text index and build it again from the database (vectors are kept).
        #[arg(long)]
        rebuild: bool,
        /// Train the LSA model again on every stored paper, and re-embed them all with it.
        #[arg(long)]
        retrain: bool,
        /// Print the summary as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Search the indexed papers (see the README for the query language).
    #[command(
        after_help = "Examples:\n  papers search 'low-rank attention cat:cs.LG year:2026'\n  \
                            papers search '\"diffusion transformer\" -video' --sort newest --json"
    )]
    Search {
        /// Words, "phrases", AND, -exclusions, ti: au: abs: cat: venue: year: after: before:, or an arXiv id.
        query: String,
        /// How many results (1-200).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=200))]
        limit: u16,
        /// relevance or newest.
        #[arg(long, default_value = "relevance", value_parser = parse_sort)]
        sort: papers_indexer::Sort,
        /// One JSON object per hit: id, title, score, snippet, authors, categories, date.
        #[arg(long)]
        json: bool,
    },
    /// Papers nearest in meaning to one paper (needs vectors: `papers index`).
    #[command(after_help = "Example:\n  papers related 2506.01234 --limit 5 --json")]
    Related {
        /// The paper, in any id form.
        id: String,
        /// How many papers (1-100).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
        limit: u16,
        /// One JSON object per paper: id, title, score, snippet, authors, categories, date.
        #[arg(long)]
        json: bool,
    },
    /// The topics (saved queries in papers.toml) and their sizes, or one topic's papers.
    #[command(after_help = "Examples:\n  papers topic\n  papers topic low-rank --limit 20")]
    Topic {
        /// A topic's name; without it, every topic with its count.
        name: Option<String>,
        /// How many papers, newest first.
        #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Write FAQ summaries ahead of readers (for cron): a topic's newest papers, or given ids.
    #[command(
        after_help = "Examples:\n  papers summarize --topic attention --since 2026-06-01 --limit 200\n  \
                            papers summarize 2506.01234 --lang en --lang zh\n\n\
                            The provider is [summaries] in papers.toml: an OpenAI-compatible endpoint \
                            (PAPERS_LLM_BASE_URL), a local GGUF model, or extractive. Cached summaries \
                            are skipped; an interrupted run leaves its jobs queued for the next one.\n\
                            Exit status: 0 all written, 1 some failed or interrupted."
    )]
    Summarize {
        /// Papers by id (any form); stored ones only.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        /// A topic's papers, newest first.
        #[arg(long, value_name = "NAME", required_unless_present = "ids")]
        topic: Option<String>,
        /// With --topic: only papers announced on or after this day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE", requires = "topic")]
        since: Option<chrono::NaiveDate>,
        /// With --topic: at most this many papers.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        limit: u32,
        /// Language: en or zh; repeat for both.
        #[arg(long = "lang", value_name = "LANG", default_value = "en", value_parser = parse_lang)]
        langs: Vec<papers_core::Lang>,
        /// Print the run's report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Venues papers were accepted at: import them (OpenReview, curated lists), list them, and
    /// check the rules that read arXiv comments.
    Venues {
        #[command(subcommand)]
        command: VenuesCommand,
    },
    /// Serve the web site from the database.
    #[command(after_help = "Example:\n  papers serve --addr 0.0.0.0:8080")]
    Serve {
        /// Address to listen on (port 0 picks a free port). Default: 127.0.0.1:8080
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<SocketAddr>,
    },
}

#[derive(Subcommand)]
enum VenuesCommand {
    /// Read comment strings on stdin (one per line) and print, for each, one JSON line with the
    /// accepted venue it claims: venue, year, group, kind (all null when none).
    #[command(
        after_help = "Example:\n  printf 'Accepted to ICLR 2026 (oral)\\nSubmitted to NeurIPS 2025\\n' | papers venues detect\n\n\
                            Precision first: submissions, reviews and mere mentions give null."
    )]
    Detect,
    /// Import an edition's accepted papers: from OpenReview's API v2, or from a curated JSON Lines
    /// list. Each becomes a venue link on the stored paper it is (by arXiv id, else by title and
    /// first author), or a paper of its own when it is not on arXiv. Run `papers index` after.
    #[command(subcommand)]
    Import(VenuesImport),
    /// List the venues, editions and groups stored, with their paper counts.
    #[command(after_help = "Example:\n  papers venues list --json")]
    List {
        /// One JSON object per group instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum VenuesImport {
    /// An edition from OpenReview: VENUE.YEAR (ICLR.2026, NeurIPS.2025, ICML.2025, COLM.2025) or
    /// an OpenReview venue id. The API's address is PAPERS_OPENREVIEW_URL.
    #[command(
        after_help = "Example:\n  papers venues import openreview ICLR.2026\n  papers venues import openreview ICML.cc/2025/Conference --json"
    )]
    Openreview {
        /// The edition, e.g. ICLR.2026.
        edition: String,
        /// Print the import's report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// A curated list: one JSON object per line with title, authors, abstract, pdf, url, venue,
    /// year, group and arxiv (see the README for the format).
    #[command(after_help = "Example:\n  papers venues import jsonl acl-2025.jsonl")]
    Jsonl {
        /// The list (`-` for standard input).
        file: PathBuf,
        /// Print the import's report as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    let config = match resolve_config(&cli) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // A crawl that cannot even start has done nothing: status 2, as documented.
    let failure = match cli.command {
        Command::Crawl { .. } | Command::Fetch { .. } => std::process::ExitCode::from(2),
        _ => std::process::ExitCode::FAILURE,
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", describe(&error));
            failure
        }
    }
}

/// An error and its causes on one line, each said once (most of our errors already include
/// their cause's message, which `{:#}` would print again), with what to do about a full disk or
/// a read-only data directory whichever part (database, index, vectors) ran into it.
fn describe(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    let io_kind = |kind: std::io::ErrorKind| {
        error.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == kind)
        })
    };
    let said = |words: &str| text.contains(words);
    if said("free some space") || said("writable") {
        // The Store's own messages say what to do already.
    } else if io_kind(std::io::ErrorKind::StorageFull) || said("No space left on device") {
        text.push_str(
            "\nhint: the disk holding the data directory is full; free some space and run the \
             command again: what was stored before is kept",
        );
    } else if io_kind(std::io::ErrorKind::ReadOnlyFilesystem)
        || io_kind(std::io::ErrorKind::PermissionDenied)
        || said("Read-only file system")
    {
        text.push_str(
            "\nhint: papers cannot write to its data directory; make it writable or point \
             --data-dir elsewhere",
        );
    }
    text
}

fn parse_sort(text: &str) -> Result<papers_indexer::Sort, String> {
    match text {
        "relevance" => Ok(papers_indexer::Sort::Relevance),
        "newest" => Ok(papers_indexer::Sort::Newest),
        other => Err(format!("{other}: use relevance or newest")),
    }
}

fn parse_lang(text: &str) -> Result<papers_core::Lang, String> {
    papers_core::Lang::parse(text).ok_or_else(|| format!("{text}: use en or zh"))
}

fn parse_category(text: &str) -> Result<papers_core::Category, String> {
    papers_core::Category::parse(text).map_err(|e| e.to_string())
}

/// Defaults < file < environment come from core; the flags go on top here.
fn resolve_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref(), |key| std::env::var(key).ok())?;
    if let Some(dir) = &cli.data_dir {
        config.data_dir = dir.clone();
    }
    if let Some(url) = &cli.database_url {
        config.database_url = Some(url.clone());
    }
    if let Some(format) = cli.log_format {
        config.log_format = format;
    }
    match &cli.command {
        Command::Serve { addr: Some(addr) } | Command::Demo { addr: Some(addr) } => {
            config.addr = *addr;
        }
        _ => {}
    }
    Ok(config)
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAPERS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours only for a person at a terminal; journald and log files get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    // Text in, text out: no database is opened (or created) for it.
    if let Command::Venues {
        command: VenuesCommand::Detect,
    } = command
    {
        return commands::venues::detect_stdin().map(|()| ExitCode::SUCCESS);
    }
    let store = open_store(&config).await?;
    let done = |result: anyhow::Result<()>| result.map(|()| ExitCode::SUCCESS);
    let result = match command {
        Command::Import { file } => done(commands::import::run(&store, &file).await),
        Command::Migrate => {
            println!("database is up to date ({})", store.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { .. } => done(commands::demo::run(&store, &config).await),
        Command::Serve { .. } => done(commands::serve::run(&store, &config).await),
        Command::Crawl {
            json,
            backfill: false,
            ..
        } => commands::crawl::daily(&store, &config, json).await,
        Command::Crawl {
            json,
            backfill: true,
            from,
            until,
            set,
            category,
            page_size,
        } => match (category, from) {
            (Some(category), Some(from)) => {
                let until = until.unwrap_or_else(|| chrono::Utc::now().date_naive());
                let spec = SearchSpec {
                    category,
                    from,
                    until,
                    page_size,
                };
                commands::crawl::backfill_category(&store, &config, spec, json).await
            }
            // clap refuses --category without --from.
            (Some(_), None) => anyhow::bail!("--category needs --from"),
            (None, _) => {
                let spec = BackfillSpec { set, from, until };
                commands::crawl::backfill_history(&store, &config, spec, json).await
            }
        },
        Command::Fetch { ids, json } => commands::fetch::run(&store, &config, &ids, json).await,
        Command::Index {
            rebuild,
            retrain,
            json,
        } => done(commands::index::run(&store, &config, rebuild, retrain, json).await),
        Command::Related { id, limit, json } => {
            done(commands::search::related(&store, &config, &id, usize::from(limit), json).await)
        }
        Command::Topic { name, limit, json } => {
            done(commands::search::topic(&store, &config, name.as_deref(), limit, json).await)
        }
        Command::Summarize {
            ids,
            topic,
            since,
            limit,
            langs,
            json,
        } => {
            let selection = commands::summarize::Selection {
                topic,
                ids,
                since,
                limit,
                langs,
            };
            let ok = commands::summarize::run(&store, &config, selection, json).await?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Venues {
            command: VenuesCommand::Import(VenuesImport::Openreview { edition, json }),
        } => commands::venues::import_openreview(&store, &config, &edition, json).await,
        Command::Venues {
            command: VenuesCommand::Import(VenuesImport::Jsonl { file, json }),
        } => commands::venues::import_jsonl(&store, &file, json).await,
        Command::Venues {
            command: VenuesCommand::List { json },
        } => done(commands::venues::list(&store, json).await),
        Command::Venues {
            command: VenuesCommand::Detect,
        } => unreachable!("answered before the database is opened"),
        Command::Search {
            query,
            limit,
            sort,
            json,
        } => done(commands::search::search(&config, &query, usize::from(limit), sort, json).await),
    };
    store.close().await;
    result
}

/// Connects and migrates: every command works on an up-to-date schema.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = config.database_url();
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("opening the database {}", redact_url(&url)))?;
    store
        .migrate()
        .await
        .context("migrating the database schema")?;
    tracing::debug!(database = %redact_url(&url), "database ready");
    Ok(store)
}

/// `papers search … | head`: when the reader goes away, end quietly like any Unix tool instead of
/// panicking in `println!` (Rust ignores SIGPIPE by default). The server never writes to a closed
/// pipe of its own; its sockets report errors as values, not signals.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; setting a signal's
    // disposition back to its default has no other effect on the process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

//! End to end in a real browser: the `papers demo` server, driven through headless Chromium
//! (Debian's `chromium` + `chromedriver`) with fantoccini (WebDriver).
//!
//! One scenario, run step by step on one server and one browser session: a category day, the
//! previous day, a search, a paper opened from the results, rendered math, the theme toggle,
//! the highlight and filter tools, stars that survive a reload, keyboard navigation, a
//! phone-width page without horizontal overflow, and the venue pages (with venue links seeded
//! into the demo's database). Every step saves a screenshot to `target/browser/NAME.png` (a
//! failing step saves `FAILED-NAME.png`), and the listing, paper, search and venue pages are
//! also captured light and dark, desktop and phone.
//!
//! Chromium missing: the test fails and names `scripts/install-chromium.sh`, which installs it
//! (`scripts/test` runs it first).

mod support;

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use support::server::{PAPERS, Server, serve};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any condition may take to come true.
const WAIT: Duration = Duration::from_secs(10);
const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

// ---- processes ---------------------------------------------------------------------------------

/// Kills the process group a child leads when dropped, pass or fail: chromedriver and the
/// Chromium processes it started.
struct Killed {
    child: Child,
}

impl Drop for Killed {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group this test created (its leader is our child).
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `papers demo --addr 127.0.0.1:0` in a fresh data dir; returns it with its base URL.
fn start_server(data_dir: &Path) -> (Server, String) {
    let mut command = Command::new(PAPERS);
    command
        .args(["demo", "--addr", "127.0.0.1:0"])
        .env("PAPERS_DATA_DIR", data_dir)
        .env_remove("PAPERS_DATABASE_URL")
        .env("PAPERS_LOG", "warn")
        .stderr(Stdio::inherit());
    let (server, addr) = serve(command);
    (server, format!("http://{addr}"))
}

/// `chromedriver --port=N` in its own process group; returns it once it accepts connections.
fn start_chromedriver() -> (Killed, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("start chromedriver");
    let mut driver = Killed { child };
    let started = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (driver, port);
        }
        if let Ok(Some(status)) = driver.child.try_wait() {
            panic!("chromedriver exited at start: {status}");
        }
        assert!(
            started.elapsed() < WAIT,
            "chromedriver did not listen on port {port} within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

// ---- the sample's facts ------------------------------------------------------------------------

/// Every paper of the bundled demo sample.
fn sample() -> Vec<Value> {
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/demo/arxiv-sample.jsonl.gz"
    ))
    .unwrap();
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect()
}

/// The days on which `category` has papers (primary or cross-listed), oldest first.
fn days_of(sample: &[Value], category: &str) -> Vec<String> {
    let mut days: Vec<String> = sample
        .iter()
        .filter(|p| {
            p["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == category)
        })
        .map(|p| p["announced"].as_str().unwrap().to_string())
        .collect();
    days.sort();
    days.dedup();
    days
}

/// A paper whose abstract holds exactly one inline formula `$…$` with a TeX command in it;
/// returns its id and the formula's source.
fn math_paper(sample: &[Value]) -> (String, String) {
    sample
        .iter()
        .find_map(|p| {
            let abs = p["abstract"].as_str()?;
            let parts: Vec<&str> = abs.split('$').collect();
            let tex = parts.get(1)?.trim();
            (parts.len() == 3 && tex.contains('\\') && tex.len() < 40)
                .then(|| (p["id"].as_str().unwrap().to_string(), tex.to_string()))
        })
        .expect("a paper with inline math in the sample")
}

// ---- the browser -------------------------------------------------------------------------------

struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
}

impl Browser {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs `script` (a function body: `return …;`) in the page.
    async fn js(&self, script: &str) -> Result<Value> {
        self.client
            .execute(script, vec![])
            .await
            .with_context(|| format!("running {script}"))
    }

    /// Polls `script` until it returns something truthy (not null, false, 0, "" or []);
    /// returns it.
    async fn wait_js(&self, what: &str, script: &str) -> Result<Value> {
        let started = Instant::now();
        loop {
            let value = self.js(script).await?;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(_) => true,
            };
            if truthy {
                return Ok(value);
            }
            if started.elapsed() > WAIT {
                bail!("timed out after {WAIT:?} waiting for {what} (last value {value})");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page at `path_and_query` (a prefix of `pathname + search`) has loaded
    /// and its deferred scripts (KaTeX, app.js) have run.
    async fn wait_loaded(&self, path_and_query: &str) -> Result<()> {
        let expected = serde_json::to_string(path_and_query)?;
        self.wait_js(
            &format!("the page {path_and_query} to load"),
            &format!(
                "return (location.pathname + location.search).startsWith({expected}) \
                 && document.readyState === 'complete';"
            ),
        )
        .await?;
        Ok(())
    }

    async fn goto(&self, path: &str) -> Result<()> {
        self.client.goto(&self.url(path)).await?;
        self.wait_loaded(path).await
    }

    async fn count(&self, selector: &str) -> Result<u64> {
        let selector = serde_json::to_string(selector)?;
        let n = self
            .js(&format!(
                "return document.querySelectorAll({selector}).length;"
            ))
            .await?;
        n.as_u64().ok_or_else(|| anyhow!("count was {n}"))
    }

    async fn text(&self, selector: &str) -> Result<String> {
        let element = self
            .client
            .find(Locator::Css(selector))
            .await
            .with_context(|| format!("finding {selector}"))?;
        Ok(element.text().await?)
    }

    async fn shot(&self, name: &str) -> Result<()> {
        let png = self.client.screenshot().await?;
        std::fs::write(self.shots.join(format!("{name}.png")), png)?;
        Ok(())
    }

    async fn resize(&self, (width, height): (u32, u32)) -> Result<()> {
        self.client.set_window_size(width, height).await?;
        Ok(())
    }

    /// Presses and releases each key in turn, sent to whatever has the focus.
    async fn press(&self, keys: &str) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".to_string());
        for key in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// The relative luminance (0 black … 1 white) of the body's computed background.
    async fn body_luminance(&self) -> Result<f64> {
        let colour = self
            .js("return getComputedStyle(document.body).backgroundColor;")
            .await?;
        let colour = colour.as_str().unwrap_or_default();
        let channels: Vec<f64> = colour
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|c| c.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .with_context(|| format!("parsing the colour {colour:?}"))?;
        ensure!(channels.len() == 3, "not a colour: {colour:?}");
        let linear = |c: f64| {
            let c = c / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        Ok(0.2126 * linear(channels[0])
            + 0.7152 * linear(channels[1])
            + 0.0722 * linear(channels[2]))
    }

    /// Fails when the page is wider than the window (something sticks out sideways); names the
    /// widest elements to make the failure actionable.
    async fn no_horizontal_overflow(&self, page: &str) -> Result<()> {
        let sizes = self
            .js(
                "const wide = Array.from(document.querySelectorAll('body *'))
                   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                   .slice(0, 5)
                   .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                          + ' right=' + Math.round(e.getBoundingClientRect().right));
                 return [document.documentElement.scrollWidth, window.innerWidth, wide];",
            )
            .await?;
        let scroll = sizes[0].as_f64().unwrap_or(f64::MAX);
        let inner = sizes[1].as_f64().unwrap_or(0.0);
        ensure!(
            scroll <= inner,
            "{page}: horizontal overflow at {inner}px: scrollWidth {scroll}; wide elements: {}",
            sizes[2]
        );
        Ok(())
    }

    /// Clears everything the site remembers (stars, read marks, theme, tools' words).
    async fn forget(&self) -> Result<()> {
        self.js("localStorage.clear(); return true;").await?;
        Ok(())
    }
}

// ---- the scenario ------------------------------------------------------------------------------

struct Facts {
    latest: String,
    previous: String,
    math_id: String,
    math_tex: String,
}

/// A category day: `/arxiv/cs.LG` is the demo's latest day.
async fn step_listing(b: &Browser, f: &Facts) -> Result<()> {
    b.goto("/arxiv/cs.LG").await?;
    let h1 = b.text("main h1").await?;
    ensure!(
        h1.contains("cs.LG") && h1.contains(&f.latest),
        "heading {h1:?} lacks cs.LG {}",
        f.latest
    );
    let cards = b.count("#papers article.paper[data-id]").await?;
    ensure!(cards > 0, "no cards on the latest day");
    ensure!(
        b.count("#papers article.paper .title a.paper-link").await? == cards,
        "every card has a title link"
    );
    // app.js ran: the tools bar is shown.
    b.wait_js(
        "the tools bar",
        "return !document.getElementById('tools').hidden;",
    )
    .await?;
    Ok(())
}

/// The previous day, by clicking `a[rel=prev]`.
async fn step_previous_day(b: &Browser, f: &Facts) -> Result<()> {
    let prev = b.client.find(Locator::Css("nav.days a[rel=prev]")).await?;
    let href = prev.attr("href").await?.unwrap_or_default();
    ensure!(
        href.contains(&f.previous),
        "rel=prev goes to {href:?}, not {}",
        f.previous
    );
    prev.click().await?;
    b.wait_loaded(&format!("/arxiv/cs.LG?date={}", f.previous))
        .await?;
    let h1 = b.text("main h1").await?;
    ensure!(
        h1.contains(&f.previous) && !h1.contains(&f.latest),
        "heading after going back a day: {h1:?}"
    );
    let next = b
        .client
        .find(Locator::Css("nav.days a[rel=next]"))
        .await
        .context("the previous day links to the next")?;
    let next = next.attr("href").await?.unwrap_or_default();
    ensure!(next.contains(&f.latest), "rel=next goes to {next:?}");
    ensure!(b.count("#papers article.paper").await? > 0, "no cards");
    Ok(())
}

/// Typing into the header's search box and pressing Enter; hits show their words in `<b>`.
async fn step_search(b: &Browser) -> Result<()> {
    let q = b.client.find(Locator::Css("form.search #q")).await?;
    q.clear().await?;
    q.send_keys("diffusion").await?;
    q.send_keys(&Key::Enter).await?;
    b.wait_loaded("/search?q=diffusion").await?;
    let value = b.js("return document.getElementById('q').value;").await?;
    ensure!(value == "diffusion", "#q keeps the query, has {value}");
    ensure!(
        b.count("#papers article.paper").await? > 0,
        "no search results for diffusion"
    );
    let bold = b
        .js(
            "return Array.from(document.querySelectorAll('#papers .snippet b, #papers .title b'))
                .map(e => e.textContent.toLowerCase());",
        )
        .await?;
    let bold: Vec<&str> = bold
        .as_array()
        .context("bold words")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    ensure!(!bold.is_empty(), "no highlighted <b> words in the results");
    ensure!(
        bold.iter().any(|w| w.starts_with("diffus")),
        "the highlighted words are not the query's: {bold:?}"
    );
    Ok(())
}

/// Opening the first result by its title; back on the results it is marked read.
async fn step_open_result(b: &Browser) -> Result<()> {
    let first = b
        .client
        .find(Locator::Css("#papers article.paper[data-id]"))
        .await?;
    let id = first.attr("data-id").await?.context("data-id")?;
    let link = first.find(Locator::Css(".title a.paper-link")).await?;
    link.click().await?;
    b.wait_loaded(&format!("/arxiv/{id}")).await?;
    let page_id = b
        .js("const a = document.querySelector('article.paper-page'); return a && a.dataset.id;")
        .await?;
    ensure!(page_id == id.as_str(), "opened {page_id}, not {id}");
    let title = b.text("article.paper-page h1.title").await?;
    ensure!(!title.trim().is_empty(), "the paper page has no title");
    b.client.back().await?;
    b.wait_loaded("/search?q=diffusion").await?;
    let selector = serde_json::to_string(&format!("#papers article.paper[data-id=\"{id}\"]"))?;
    b.wait_js(
        "the opened result to be marked read",
        &format!("return document.querySelector({selector}).classList.contains('read');"),
    )
    .await?;
    Ok(())
}

/// KaTeX renders `$…$` in the abstract, and keeps the TeX source in the DOM.
async fn step_math(b: &Browser, f: &Facts) -> Result<()> {
    b.goto(&format!("/arxiv/{}", f.math_id)).await?;
    b.wait_js(
        "KaTeX output in the abstract",
        "return document.querySelectorAll('.abstract .katex').length;",
    )
    .await?;
    ensure!(
        b.count(".abstract .katex-error").await? == 0,
        "KaTeX failed on {:?}",
        f.math_tex
    );
    let sources = b
        .js("return Array.from(document.querySelectorAll(
                '.abstract .katex annotation[encoding=\"application/x-tex\"]'))
                .map(a => a.textContent.trim());")
        .await?;
    ensure!(
        sources
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == f.math_tex.as_str())),
        "the TeX source {:?} is not kept in the DOM; found {sources}",
        f.math_tex
    );
    // The raw dollars are gone from the visible abstract.
    let text = b.text("article.paper-page .abstract").await?;
    ensure!(
        !text.contains(&format!("${}$", f.math_tex)),
        "the abstract still shows raw TeX: {text:?}"
    );
    Ok(())
}

/// The Summary button writes the paper's FAQ into the page (extractive here: the demo has no
/// model), the language buttons switch it to Chinese, and a card's button opens its own panel.
async fn step_summary(b: &Browser, f: &Facts) -> Result<()> {
    b.goto(&format!("/arxiv/{}", f.math_id)).await?;
    b.client
        .find(Locator::Css("article.paper-page button.summarize"))
        .await?
        .click()
        .await?;
    b.wait_js(
        "six answers in the paper's FAQ",
        "return document.querySelectorAll('#summary .summary-answer').length === 6;",
    )
    .await?;
    let by = b.text("#summary .summary-by").await?;
    ensure!(
        by.contains("Extractive"),
        "the FAQ does not say who wrote it: {by:?}"
    );
    let titles = b
        .js("return Array.from(document.querySelectorAll('#summary h3')).map(h => h.textContent);")
        .await?;
    ensure!(titles[2] == "Method", "headings: {titles}");
    b.client
        .find(Locator::Css("#summary .summary-lang[data-lang='zh']"))
        .await?
        .click()
        .await?;
    b.wait_js(
        "the Chinese FAQ",
        "return Array.from(document.querySelectorAll('#summary h3')).some(h => h.textContent === '问题');",
    )
    .await?;
    // Back to English for the screenshots that follow.
    b.client
        .find(Locator::Css("#summary .summary-lang[data-lang='en']"))
        .await?
        .click()
        .await?;
    b.wait_js(
        "the English FAQ again",
        "return Array.from(document.querySelectorAll('#summary h3')).some(h => h.textContent === 'Problem');",
    )
    .await?;
    // The FAQ as readers see it: desktop and phone, light and dark.
    for (size_name, size) in [("desktop", DESKTOP), ("phone", PHONE)] {
        b.resize(size).await?;
        for theme in ["light", "dark"] {
            b.js(&format!(
                "localStorage.setItem('papers.theme', '{theme}'); \
                 document.documentElement.dataset.theme = '{theme}'; \
                 document.getElementById('summary').scrollIntoView(); return true;"
            ))
            .await?;
            b.shot(&format!("faq-{theme}-{size_name}")).await?;
            b.no_horizontal_overflow(&format!("the FAQ {theme} {size_name}"))
                .await?;
        }
    }
    b.forget().await?;
    b.resize(DESKTOP).await?;
    b.goto("/arxiv/cs.LG").await?;
    b.client
        .find(Locator::Css("#papers article.paper button.summarize"))
        .await?
        .click()
        .await?;
    b.wait_js(
        "a card's own FAQ panel",
        "const card = document.querySelector('#papers article.paper'); \
         return card.querySelectorAll('.summary .summary-answer').length === 6;",
    )
    .await?;
    Ok(())
}

/// The theme button cycles auto → dark → light → auto; dark is dark, and is remembered.
async fn step_theme(b: &Browser) -> Result<()> {
    let theme = || b.js("return document.documentElement.dataset.theme || 'auto';");
    let stored = || b.js("return localStorage.getItem('papers.theme');");
    ensure!(theme().await? == "auto", "starts on auto");
    let light_luminance = b.body_luminance().await?;

    b.client
        .find(Locator::Css("#theme-toggle"))
        .await?
        .click()
        .await?;
    ensure!(theme().await? == "dark", "one click: dark");
    ensure!(stored().await? == "dark", "dark is stored as papers.theme");
    ensure!(b.text("#theme-toggle").await? == "Theme: dark");
    let dark = b.body_luminance().await?;
    ensure!(dark < 0.05, "the dark body background has luminance {dark}");
    b.shot("06-theme-dark").await?;

    // Remembered across a reload, applied before app.js runs (theme.js in <head>).
    b.client.refresh().await?;
    b.wait_loaded("/arxiv/").await?;
    ensure!(theme().await? == "dark", "dark after a reload");
    ensure!(b.body_luminance().await? < 0.05);

    b.client
        .find(Locator::Css("#theme-toggle"))
        .await?
        .click()
        .await?;
    ensure!(theme().await? == "light", "two clicks: light");
    let light = b.body_luminance().await?;
    ensure!(
        light > 0.8,
        "the light body background has luminance {light}"
    );
    b.shot("06-theme-light").await?;

    b.client
        .find(Locator::Css("#theme-toggle"))
        .await?
        .click()
        .await?;
    ensure!(theme().await? == "auto", "three clicks: auto again");
    ensure!(stored().await? == Value::Null, "auto is stored as nothing");
    ensure!(
        (b.body_luminance().await? - light_luminance).abs() < 1e-6,
        "auto looks as it did at first"
    );
    Ok(())
}

/// The tools bar: highlight marks words, filter hides cards.
async fn step_tools(b: &Browser) -> Result<()> {
    b.goto("/arxiv/cs.LG").await?;
    let total = b.count("#papers article.paper").await?;
    let input = b.client.find(Locator::Css("#tools-highlight")).await?;
    input.send_keys("model").await?;
    let marks = b
        .wait_js(
            "mark.hl elements",
            "return Array.from(document.querySelectorAll('#papers mark.hl'))
                .map(m => m.textContent.toLowerCase());",
        )
        .await?;
    let marks = marks.as_array().context("marks")?;
    ensure!(
        marks.iter().all(|m| m == "model"),
        "marked something else: {marks:?}"
    );
    b.js(
        "document.querySelector('#papers mark.hl').scrollIntoView({block: 'center'}); return true;",
    )
    .await?;
    b.shot("07-highlight").await?;

    // The words are remembered: a reload marks them again.
    b.client.refresh().await?;
    b.wait_loaded("/arxiv/cs.LG").await?;
    let kept = b
        .js("return document.getElementById('tools-highlight').value;")
        .await?;
    ensure!(
        kept == "model",
        "the highlight input after a reload has {kept}"
    );
    b.wait_js(
        "mark.hl elements after a reload",
        "return document.querySelectorAll('#papers mark.hl').length;",
    )
    .await?;
    b.js("window.scrollTo(0, 0); return true;").await?;

    // The filter matches the card's id too: one id leaves one card.
    let id = b
        .js("return document.querySelector('#papers article.paper').dataset.id;")
        .await?;
    let id = id.as_str().context("id")?.to_string();
    let filter = b.client.find(Locator::Css("#tools-filter")).await?;
    filter.send_keys(&id).await?;
    let shown = b
        .wait_js(
            "the filter to leave one card",
            "const shown = document.querySelectorAll('#papers article.paper:not(.filtered-out)');
             return shown.length === 1 && shown[0].dataset.id;",
        )
        .await?;
    ensure!(shown == id.as_str(), "the filter kept {shown}, not {id}");
    let count = b.text("#tools .count").await?;
    ensure!(
        count == format!("showing 1 of {total}"),
        "the count says {count:?}"
    );
    b.shot("07-filter").await?;
    b.forget().await?;
    Ok(())
}

/// Starring a card on a listing; after a reload it is still starred.
async fn step_star(b: &Browser) -> Result<()> {
    b.goto("/arxiv/cs.LG").await?;
    let card = b
        .client
        .find(Locator::Css("#papers article.paper[data-id]"))
        .await?;
    let id = card.attr("data-id").await?.context("data-id")?;
    let star = card.find(Locator::Css("button.star")).await?;
    ensure!(star.attr("aria-pressed").await?.as_deref() == Some("false"));
    star.click().await?;
    let selector = serde_json::to_string(&format!(
        "#papers article.paper[data-id=\"{id}\"] button.star"
    ))?;
    let pressed = format!(
        "const s = document.querySelector({selector});
         return s.getAttribute('aria-pressed') === 'true' && s.textContent === '★';"
    );
    b.wait_js("the star to be pressed", &pressed).await?;
    let stored = b
        .js("return Object.keys(JSON.parse(localStorage.getItem('papers.stars') || '{}'));")
        .await?;
    ensure!(stored == json!([id]), "stored stars: {stored}");

    b.client.refresh().await?;
    b.wait_loaded("/arxiv/cs.LG").await?;
    b.wait_js("the star to be pressed after a reload", &pressed)
        .await?;
    let starred = b.text("#tools .starred").await?;
    ensure!(starred == "★ 1 starred", "the tools bar says {starred:?}");
    ensure!(
        b.count("button.star[aria-pressed=\"true\"]").await? == 1,
        "only one star is pressed"
    );
    Ok(())
}

/// `j j s`: the second card is selected and starred.
async fn step_keyboard(b: &Browser) -> Result<()> {
    b.forget().await?;
    b.goto("/arxiv/cs.LG").await?;
    b.js("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur(); return true;")
        .await?;
    b.press("jjs").await?;
    let ids = b
        .js("return Array.from(document.querySelectorAll('#papers article.paper')).map(c => c.dataset.id);")
        .await?;
    let second = ids[1].as_str().context("a second card")?.to_string();
    let selector = serde_json::to_string(&format!("#papers article.paper[data-id=\"{second}\"]"))?;
    b.wait_js(
        "the second card to be selected and starred",
        &format!(
            "const c = document.querySelector({selector});
             const s = c.querySelector('button.star');
             return c.classList.contains('current') && s.getAttribute('aria-pressed') === 'true'
                 && s.textContent === '★';"
        ),
    )
    .await?;
    ensure!(
        b.count("#papers article.paper.current").await? == 1,
        "one card is current"
    );
    let stored = b
        .js("return Object.keys(JSON.parse(localStorage.getItem('papers.stars') || '{}'));")
        .await?;
    ensure!(
        stored == json!([second]),
        "stored stars {stored}, want only the second card"
    );
    Ok(())
}

/// At a phone's width the listing fits: nothing sticks out sideways.
async fn step_phone(b: &Browser) -> Result<()> {
    b.forget().await?;
    b.resize(PHONE).await?;
    b.goto("/arxiv/cs.LG").await?;
    let inner = b.js("return window.innerWidth;").await?;
    ensure!(
        inner.as_u64().is_some_and(|w| w <= u64::from(PHONE.0)),
        "the window did not shrink to a phone's width: innerWidth {inner}"
    );
    b.no_horizontal_overflow("the listing").await
}

/// Screenshots of the listing, a paper and a search, light and dark, desktop and phone; every
/// one is checked for horizontal overflow.
async fn step_gallery(b: &Browser, f: &Facts) -> Result<()> {
    let pages = [
        ("listing", "/arxiv/cs.LG".to_string()),
        ("paper", format!("/arxiv/{}", f.math_id)),
        ("search", "/search?q=diffusion".to_string()),
    ];
    gallery(b, &pages).await
}

/// Each page light and dark, desktop and phone: a screenshot `{page}-{theme}-{size}.png`, and
/// no horizontal overflow.
async fn gallery(b: &Browser, pages: &[(&str, String)]) -> Result<()> {
    let mut overflow = Vec::new();
    for (size_name, size) in [("desktop", DESKTOP), ("phone", PHONE)] {
        b.resize(size).await?;
        for theme in ["light", "dark"] {
            for (page, path) in pages {
                b.goto(path).await?;
                b.js(&format!(
                    "localStorage.setItem('papers.theme', '{theme}'); return true;"
                ))
                .await?;
                b.client.refresh().await?;
                b.wait_loaded(path).await?;
                let applied = b
                    .js("return document.documentElement.dataset.theme;")
                    .await?;
                ensure!(applied == theme, "{page}: theme {applied}, want {theme}");
                b.shot(&format!("{page}-{theme}-{size_name}")).await?;
                if let Err(e) = b
                    .no_horizontal_overflow(&format!("{page} {theme} {size_name}"))
                    .await
                {
                    overflow.push(format!("{e:#}"));
                }
            }
        }
    }
    b.forget().await?;
    b.resize(DESKTOP).await?;
    ensure!(overflow.is_empty(), "{}", overflow.join("\n"));
    Ok(())
}

/// What [`seed_venues`] placed at ICLR 2026.
struct Venues {
    orals: Vec<String>,
    posters: Vec<String>,
    /// The paper known only at OpenReview.
    venue_only: String,
}

/// Places a dozen of the latest cs.LG day's papers (cross-lists too) at ICLR 2026 as OpenReview would (orals,
/// spotlights, posters, with their forum links) and adds a paper known only at OpenReview,
/// straight into the demo's database (SQLite lets the server read on meanwhile).
async fn seed_venues(data_dir: &Path, sample: &[Value], day: &str) -> Venues {
    use papers_core::venue::{LinkSource, VenueLink};
    use papers_core::{ArxivId, Paper, Store};

    let url = format!("sqlite:{}", data_dir.join("papers.db").display());
    let store = Store::connect(&url)
        .await
        .expect("open the demo's database");
    let ids: Vec<String> = sample
        .iter()
        .filter(|p| {
            p["announced"] == day
                && p["categories"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c == "cs.LG"))
        })
        .take(12)
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 12, "a dozen cs.LG papers on {day}");
    let key = "BrwsR1x2";
    let venue_only = Paper {
        id: ArxivId::venue_paper("openreview", key).unwrap(),
        version: 1,
        title: "Message Passing with Fewer Messages: a Paper Known Only at OpenReview".into(),
        authors: vec!["Ada Lovelace".into(), "Grace Hopper".into()],
        abstract_text: "We show that graph networks need only $O(\\log n)$ messages per node \
                        to match full message passing on molecular benchmarks."
            .into(),
        categories: Vec::new(),
        comment: None,
        journal_ref: None,
        doi: None,
        published: None,
        updated: None,
        announced: None,
    };
    store.upsert(vec![venue_only]).await.unwrap();
    let group_of = |i: usize| match i {
        0..3 => "Oral",
        3..5 => "Spotlight",
        _ => "Poster",
    };
    let mut links: Vec<(ArxivId, VenueLink)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (
                ArxivId::parse(id).unwrap(),
                VenueLink {
                    venue: "ICLR".into(),
                    year: 2026,
                    group: Some(group_of(i).into()),
                    source: LinkSource::OpenReview,
                    url: Some(format!("https://openreview.net/forum?id=demo{i}")),
                    pdf_url: None,
                },
            )
        })
        .collect();
    links.push((
        ArxivId::venue_paper("openreview", key).unwrap(),
        VenueLink {
            venue: "ICLR".into(),
            year: 2026,
            group: Some("Poster".into()),
            source: LinkSource::OpenReview,
            url: Some(format!("https://openreview.net/forum?id={key}")),
            pdf_url: Some(format!("https://openreview.net/pdf?id={key}")),
        },
    ));
    store.put_venue_links(&links).await.unwrap();
    store.close().await;
    Venues {
        orals: ids[..3].to_vec(),
        posters: ids[5..].to_vec(),
        venue_only: format!("openreview:{key}"),
    }
}

/// Venues: the list, an edition, its Oral tab, a venue-only paper's card and page (no arXiv
/// links anywhere); screenshots light and dark, desktop and phone, none wider than the window.
async fn step_venues(b: &Browser, v: &Venues) -> Result<()> {
    b.forget().await?;
    b.resize(DESKTOP).await?;
    b.goto("/venue").await?;
    let h1 = b.text("main h1").await?;
    ensure!(h1 == "Venues", "heading {h1:?}");
    ensure!(
        b.count("header.site nav a[href='/venue']").await? == 1,
        "the site nav links the venues"
    );
    b.client
        .find(Locator::Css("ul.venues a.edition[href='/venue/ICLR.2026']"))
        .await
        .context("ICLR 2026 on /venue")?
        .click()
        .await?;
    b.wait_loaded("/venue/ICLR.2026").await?;
    ensure!(
        b.count("#papers article.paper[data-id]").await? > 0,
        "no cards on ICLR 2026"
    );
    ensure!(
        b.count("#papers article.paper a.venue-badge[href^='/venue/ICLR.2026']")
            .await?
            >= b.count("#papers article.paper").await?,
        "every card carries its ICLR 2026 badge"
    );
    b.client
        .find(Locator::Css(
            "nav.group-tabs a[href='/venue/ICLR.2026?group=Oral']",
        ))
        .await
        .context("the Oral tab")?
        .click()
        .await?;
    b.wait_loaded("/venue/ICLR.2026?group=Oral").await?;
    ensure!(
        b.count("nav.group-tabs a[aria-current][href='/venue/ICLR.2026?group=Oral']")
            .await?
            == 1,
        "the Oral tab is the current one"
    );
    let shown = b
        .js("return Array.from(document.querySelectorAll('#papers article.paper')).map(c => c.dataset.id);")
        .await?;
    for id in &v.orals {
        ensure!(
            shown
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x == id.as_str())),
            "oral {id} is not on the Oral tab: {shown}"
        );
    }
    ensure!(
        !shown
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == v.posters[0].as_str())),
        "a poster on the Oral tab"
    );

    // The venue-only paper: its card links to its own page and to OpenReview, never to arXiv.
    b.goto("/venue/ICLR.2026?group=Poster&show=200").await?;
    let card = serde_json::to_string(&format!(
        "#papers article.paper[data-id=\"{}\"]",
        v.venue_only
    ))?;
    let links = b
        .js(&format!(
            "const c = document.querySelector({card});
             return c && Array.from(c.querySelectorAll('a')).map(a => a.getAttribute('href'));"
        ))
        .await?;
    let links: Vec<&str> = links
        .as_array()
        .context("the venue-only paper's card")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let own = format!("/paper/{}", v.venue_only);
    ensure!(links.contains(&own.as_str()), "card links: {links:?}");
    ensure!(
        links
            .iter()
            .any(|l| l.starts_with("https://openreview.net/forum")),
        "card links: {links:?}"
    );
    ensure!(
        !links.iter().any(|l| l.contains("arxiv")),
        "card links: {links:?}"
    );
    b.client
        .find(Locator::Css(&format!(
            "#papers article.paper[data-id=\"{}\"] .title a.paper-link",
            v.venue_only
        )))
        .await?
        .click()
        .await?;
    b.wait_loaded(&own).await?;
    ensure!(
        b.count("article.paper-page a.venue-badge[href='/venue/ICLR.2026?group=Poster']")
            .await?
            == 1,
        "the paper page shows its venue"
    );
    ensure!(
        b.count("a[href*='arxiv.org']").await? == 0,
        "the venue-only paper's page links to arXiv"
    );

    // At a phone's width the cards fit.
    b.resize(PHONE).await?;
    for path in ["/venue", "/venue/ICLR.2026"] {
        b.goto(path).await?;
        ensure!(
            b.count("#papers article.paper, ul.venues li").await? > 0,
            "{path} is empty"
        );
        b.no_horizontal_overflow(path).await?;
    }
    b.resize(DESKTOP).await?;
    let pages = [
        ("venues", "/venue".to_string()),
        ("venue-edition", "/venue/ICLR.2026".to_string()),
        ("venue-oral", "/venue/ICLR.2026?group=Oral".to_string()),
        ("venue-paper", own.clone()),
    ];
    gallery(b, &pages).await?;
    // The step's own screenshot: a card's badges.
    b.goto("/venue/ICLR.2026?group=Oral").await?;
    b.js("document.querySelector('#papers .venue-badge').scrollIntoView({block: 'center'}); return true;")
        .await?;
    Ok(())
}

// ---- the test ----------------------------------------------------------------------------------

fn browser_installed() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

async fn connect(port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_string(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("open a Chromium session through chromedriver")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_reads_browses_searches_and_remembers() {
    // Never skipped: a missing browser is a failure that says how to install it.
    assert!(
        browser_installed(),
        "Chromium is not installed ({CHROMIUM}, {CHROMEDRIVER}); scripts/install-chromium.sh installs it"
    );
    let started = Instant::now();
    let sample = sample();
    let days = days_of(&sample, "cs.LG");
    let (math_id, math_tex) = math_paper(&sample);
    let facts = Facts {
        latest: days[days.len() - 1].clone(),
        previous: days[days.len() - 2].clone(),
        math_id,
        math_tex,
    };

    let shots = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/browser"));
    std::fs::create_dir_all(&shots).unwrap();
    let data = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    // Both killed when the test ends, pass or fail (the driver before the profile is removed).
    let (_server, base) = start_server(data.path());
    let venues = seed_venues(data.path(), &sample, &facts.latest).await;
    let (_driver, port) = start_chromedriver();
    let client = connect(port, profile.path()).await;
    let b = Browser {
        client,
        base,
        shots,
    };
    eprintln!("server and browser up after {:?}", started.elapsed());

    let mut failure = None;
    macro_rules! step {
        ($name:literal, $run:expr) => {
            if failure.is_none() {
                let at = Instant::now();
                match $run.await {
                    Ok(()) => {
                        let _ = b.shot($name).await;
                        eprintln!("ok   {} ({:?})", $name, at.elapsed());
                    }
                    Err(e) => {
                        let _ = b.shot(concat!("FAILED-", $name)).await;
                        let url = b.client.current_url().await.map(|u| u.to_string());
                        failure = Some(format!("step {} failed at {url:?}: {e:#}", $name));
                    }
                }
            }
        };
    }
    step!("01-listing", step_listing(&b, &facts));
    step!("02-previous-day", step_previous_day(&b, &facts));
    step!("03-search", step_search(&b));
    step!("04-open-result", step_open_result(&b));
    step!("05-math", step_math(&b, &facts));
    step!("06-summary", step_summary(&b, &facts));
    step!("06-theme", step_theme(&b));
    step!("07-tools", step_tools(&b));
    step!("08-star-survives-reload", step_star(&b));
    step!("09-keyboard-j-j-s", step_keyboard(&b));
    step!("10-phone-no-overflow", step_phone(&b));
    step!("11-gallery", step_gallery(&b, &facts));
    step!("12-venues", step_venues(&b, &venues));

    let shots = b.shots.clone();
    let _ = b.client.close().await;
    eprintln!(
        "browser test took {:?}; screenshots in {}",
        started.elapsed(),
        shots.display()
    );
    if let Some(failure) = failure {
        panic!("{failure}");
    }
}

// papers — the FAQ summaries: the Summary button on cards and paper pages, the panel it opens,
// and following a generation as it is written (server-sent events from
// /api/summaries/{id}/stream). Answers arrive as HTML the server has already sanitised; while
// a generation streams, its text is shown as plain text (textContent), never as HTML.
(function () {
  "use strict";

  const LANG_KEY = "papers.summary-lang";
  const PROVIDERS = {
    endpoint: "Written by a language model",
    local: "Written by a local model",
    extractive: "Extractive: sentences quoted from the abstract, no model",
  };

  function preferredLang() {
    try {
      return localStorage.getItem(LANG_KEY) || "en";
    } catch (e) {
      return "en";
    }
  }
  function rememberLang(lang) {
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch (e) {
      /* forget it */
    }
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderMath(node) {
    if (typeof window.renderMathInElement !== "function") return;
    try {
      window.renderMathInElement(node, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "\\[", right: "\\]", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
        ],
        throwOnError: false,
      });
    } catch (e) {
      /* leave the TeX as text */
    }
  }

  function api(id, lang, suffix) {
    return "/api/summaries/" + encodeURIComponent(id) + (suffix || "") + "?lang=" + encodeURIComponent(lang);
  }

  /** The panel of a card or paper page, made on first use. */
  function panelFor(button) {
    const article = button.closest("article");
    let panel = article.querySelector(".summary");
    if (!panel) {
      panel = el("section", "summary");
      article.appendChild(panel);
    }
    if (!panel.dataset.id) panel.dataset.id = button.dataset.id;
    panel.hidden = false;
    if (!panel.querySelector(".summary-head")) panel.prepend(header(panel));
    return panel;
  }

  function header(panel) {
    const head = el("div", "summary-head");
    head.appendChild(el("strong", "", "FAQ"));
    const langs = el("span", "summary-langs");
    [["en", "English"], ["zh", "中文"]].forEach(function (pair) {
      const b = el("button", "summary-lang", pair[1]);
      b.type = "button";
      b.dataset.lang = pair[0];
      langs.appendChild(b);
    });
    head.appendChild(langs);
    return head;
  }

  function markLang(panel, lang) {
    panel.dataset.lang = lang;
    panel.querySelectorAll(".summary-lang").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.lang === lang ? "true" : "false");
    });
  }

  function body(panel) {
    let node = panel.querySelector(".summary-body");
    if (!node) {
      node = el("div", "summary-body");
      panel.appendChild(node);
    }
    return node;
  }

  function status(panel, text, retry) {
    const node = body(panel);
    node.replaceChildren(el("p", "summary-status muted", text));
    if (retry) {
      const b = el("button", "summary-retry", "Try again");
      b.type = "button";
      node.appendChild(b);
    }
  }

  /** A finished FAQ (the API's `summary` object) shown in the panel. */
  function showAnswer(panel, answer) {
    const node = body(panel);
    node.replaceChildren();
    const by = el("p", "summary-by muted");
    by.textContent =
      (PROVIDERS[answer.provider] || answer.provider) +
      (answer.provider === "extractive" ? "" : " · " + answer.model) +
      " · from the " + (answer.source === "full-text" ? "full text" : "abstract") +
      " · " + String(answer.created_at).slice(0, 10);
    node.appendChild(by);
    if (answer.stale) {
      const note = el("p", "summary-stale", "Made from version " + answer.version + "; the paper has a newer version. ");
      const b = el("button", "summary-regenerate", "Regenerate");
      b.type = "button";
      note.appendChild(b);
      node.appendChild(note);
    }
    answer.sections.forEach(function (section) {
      node.appendChild(el("h3", "", section.title));
      const text = el("div", "summary-answer");
      text.innerHTML = section.html; // sanitised by the server (summarizer::markdown)
      node.appendChild(text);
    });
    renderMath(node);
  }

  /** Live text while a generation streams: one plain-text block per question. */
  function liveBlock(panel, question) {
    const node = body(panel);
    let live = node.querySelector(".summary-live");
    if (!live) {
      node.replaceChildren();
      live = el("div", "summary-live");
      node.appendChild(live);
    }
    let block = live.querySelector('[data-q="' + question + '"]');
    if (!block) {
      block = el("p", "summary-streaming");
      block.dataset.q = String(question);
      live.appendChild(block);
    }
    return block;
  }

  const streams = new WeakMap();
  const tickets = new WeakMap();

  function follow(panel, id, lang) {
    const old = streams.get(panel);
    if (old) old.close();
    const source = new EventSource(api(id, lang, "/stream"));
    streams.set(panel, source);
    const data = function (event) {
      try {
        return JSON.parse(event.data);
      } catch (e) {
        return {};
      }
    };
    source.addEventListener("queued", function (event) {
      const d = data(event);
      status(panel, d.waiting_for_budget
        ? "Queued: today's summary budget is spent; it will be written tomorrow."
        : d.position === 0 ? "Queued: next in line…" : "Queued: " + d.position + " ahead…");
    });
    source.addEventListener("started", function () {
      status(panel, "Writing…");
    });
    source.addEventListener("restart", function (event) {
      liveBlock(panel, data(event).question).textContent = "";
    });
    source.addEventListener("delta", function (event) {
      const d = data(event);
      liveBlock(panel, d.question).textContent += d.text;
    });
    source.addEventListener("done", function (event) {
      source.close();
      const d = data(event);
      if (d.summary) showAnswer(panel, d.summary);
      else status(panel, d.error || "The summary is written; reload the page to see it.", true);
    });
    source.addEventListener("failed", function (event) {
      source.close();
      status(panel, "The summary failed: " + (data(event).reason || "unknown error"), true);
    });
    source.addEventListener("idle", function () {
      source.close();
      status(panel, "Not summarised yet.", true);
    });
    source.onerror = function () {
      // The browser reconnects by itself after a dropped connection; a refused one (429, 503)
      // is closed for good, and the reader may try again.
      if (source.readyState === EventSource.CONNECTING) status(panel, "Reconnecting…");
      else status(panel, "The summary cannot be followed now.", true);
    };
  }

  /** `{ok, d}` from one API call; the server's JSON error message when it refuses. */
  function call(id, lang, method) {
    return fetch(api(id, lang), { method: method }).then(function (response) {
      return response.json().then(function (d) {
        return { ok: response.ok, d: d };
      });
    });
  }

  function show(panel, id, lang, r) {
    if (!r.ok) {
      status(panel, r.d.error || "The summary cannot be started now.", true);
    } else if ((r.d.state === "done" || r.d.state === "stale") && r.d.summary) {
      showAnswer(panel, r.d.summary);
    } else {
      follow(panel, id, lang);
    }
  }

  /** Shows the cached FAQ (a stale one included, with its Regenerate button), or follows the
   * generation under way, or starts one. `force` starts one whatever is cached. */
  function start(panel, id, lang, force) {
    // A generation followed in the other language stops writing into this panel.
    const old = streams.get(panel);
    if (old) old.close();
    // Only the latest click's answers are shown, however the responses arrive.
    const ticket = (tickets.get(panel) || 0) + 1;
    tickets.set(panel, ticket);
    const current = function () {
      return tickets.get(panel) === ticket;
    };
    markLang(panel, lang);
    status(panel, "Asking…");
    const asked = force
      ? call(id, lang, "POST")
      : call(id, lang, "GET").then(function (r) {
          const known = r.ok && r.d.state !== "none" && r.d.state !== "failed";
          return known ? r : call(id, lang, "POST");
        });
    asked
      .then(function (r) {
        if (current()) show(panel, id, lang, r);
      })
      .catch(function () {
        if (current()) status(panel, "The server cannot be reached.", true);
      });
  }

  document.addEventListener("click", function (event) {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const button = target.closest(".summarize");
    if (button) {
      const panel = panelFor(button);
      start(panel, button.dataset.id, panel.dataset.lang || preferredLang(), false);
      return;
    }
    const panel = target.closest(".summary");
    if (!panel || !panel.dataset.id) return;
    if (target.closest(".summary-lang")) {
      const lang = target.closest(".summary-lang").dataset.lang;
      rememberLang(lang);
      start(panel, panel.dataset.id, lang, false);
    } else if (target.closest(".summary-retry, .summary-regenerate")) {
      start(panel, panel.dataset.id, panel.dataset.lang || "en", true);
    }
  });

  // A paper page whose FAQ is being written when it loads: follow it.
  document.querySelectorAll(".summary[data-following]").forEach(function (panel) {
    follow(panel, panel.dataset.id, panel.dataset.lang || "en");
  });
  document.querySelectorAll(".summary[data-lang]").forEach(function (panel) {
    markLang(panel, panel.dataset.lang);
  });
})();

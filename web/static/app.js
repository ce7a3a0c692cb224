// papers — the page's behaviour: theme toggle, math, keyword highlight/filter, stars and read
// marks, copy buttons, keyboard navigation. Plain JavaScript, no framework, no inline handlers
// (it runs under CSP `script-src 'self'`). Loaded with `defer` after the KaTeX scripts, so the
// DOM is parsed and `renderMathInElement` exists (when KaTeX loaded at all) by the time it runs.
// Everything remembered lives in localStorage under "papers.*"; if storage is unavailable the
// page still works, it just forgets. Without JavaScript nothing here is needed to read the page.
(function () {
  "use strict";

  const root = document.documentElement;
  root.classList.add("js"); // theme.js does this first; repeated in case it did not load

  // ---- storage ----------------------------------------------------------------------------

  function getText(key) {
    try {
      return localStorage.getItem("papers." + key) || "";
    } catch (e) {
      return "";
    }
  }
  function setText(key, value) {
    try {
      if (value) localStorage.setItem("papers." + key, value);
      else localStorage.removeItem("papers." + key);
    } catch (e) {
      /* storage full or disabled: keep going for this visit */
    }
  }
  /** A stored JSON object (id → …); anything else, or corrupt text, reads as {}. */
  function getMap(key) {
    try {
      const value = JSON.parse(getText(key) || "{}");
      return value && typeof value === "object" && !Array.isArray(value) ? value : {};
    } catch (e) {
      return {};
    }
  }
  function setMap(key, map) {
    setText(key, Object.keys(map).length ? JSON.stringify(map) : "");
  }

  // ---- theme ------------------------------------------------------------------------------

  const THEMES = ["auto", "dark", "light"];
  const themeButton = document.getElementById("theme-toggle");

  function currentTheme() {
    const theme = root.dataset.theme;
    return theme === "dark" || theme === "light" ? theme : "auto";
  }
  function applyTheme(theme) {
    if (theme === "dark" || theme === "light") root.dataset.theme = theme;
    else delete root.dataset.theme;
    if (themeButton) {
      const now = currentTheme();
      themeButton.textContent = "Theme: " + now;
      themeButton.title =
        now === "auto" ? "Colours follow the system; click for dark" : "Click for " + THEMES[(THEMES.indexOf(now) + 1) % 3];
    }
  }
  if (themeButton) {
    applyTheme(currentTheme());
    themeButton.addEventListener("click", function () {
      const next = THEMES[(THEMES.indexOf(currentTheme()) + 1) % THEMES.length];
      setText("theme", next === "auto" ? "" : next);
      applyTheme(next);
    });
  }

  // ---- the cards, and their text as written (captured before math rendering changes it) ----

  const cards = Array.from(document.querySelectorAll("article.paper"));
  const titleText = new WeakMap(); // card → its title as plain text (TeX source, not KaTeX output)
  const searchText = new WeakMap(); // card → lowercased text the filter matches against
  for (const card of cards) {
    const title = card.querySelector(".title");
    titleText.set(card, title ? title.textContent.replace(/\s+/g, " ").trim() : "");
    const parts = [card.dataset.id || ""];
    card.querySelectorAll(".title, .authors, .abstract, .snippet, .meta .tag, .meta .kind").forEach(function (node) {
      parts.push(node.textContent);
    });
    searchText.set(card, parts.join("\n").replace(/\s+/g, " ").toLowerCase());
  }

  // ---- math -------------------------------------------------------------------------------

  if (typeof window.renderMathInElement === "function") {
    const options = {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    };
    document.querySelectorAll(".tex").forEach(function (element) {
      try {
        window.renderMathInElement(element, options);
      } catch (e) {
        /* leave this element's TeX as text */
      }
    });
  }
  // copy-tex needs no call: once loaded, copying rendered math yields its LaTeX source.

  // ---- stars and read marks ----------------------------------------------------------------

  function setStarButton(button, on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "★" : "☆";
    button.title = on ? "Unstar (s)" : "Star (s)";
  }
  let starCount = null; // the tools bar's "★ N starred", when there is one
  function showStars(stars) {
    document.querySelectorAll("button.star[data-id]").forEach(function (button) {
      setStarButton(button, Object.prototype.hasOwnProperty.call(stars, button.dataset.id));
    });
    if (starCount) starCount.textContent = "★ " + Object.keys(stars).length + " starred";
  }
  function toggleStar(button) {
    const id = button.dataset.id;
    const stars = getMap("stars");
    if (Object.prototype.hasOwnProperty.call(stars, id)) {
      delete stars[id];
    } else {
      const card = button.closest("article.paper");
      const title = card && card.dataset.id === id ? titleText.get(card) || "" : "";
      stars[id] = { title: title, starred_at: new Date().toISOString() };
    }
    setMap("stars", stars);
    showStars(stars);
  }

  const MAX_READ = 20000; // keep the newest marks; old ones are dropped so storage never fills
  function showRead(read) {
    for (const card of cards) {
      card.classList.toggle("read", Object.prototype.hasOwnProperty.call(read, card.dataset.id || ""));
    }
  }
  function markRead(id) {
    const read = getMap("read");
    if (!Object.prototype.hasOwnProperty.call(read, id)) {
      read[id] = new Date().toISOString();
      const ids = Object.keys(read);
      if (ids.length > MAX_READ) {
        ids.sort(function (a, b) {
          return String(read[a]).localeCompare(String(read[b]));
        });
        ids.slice(0, ids.length - MAX_READ).forEach(function (old) {
          delete read[old];
        });
      }
      setMap("read", read);
    }
    showRead(read);
  }

  // Opening a paper marks it read: visiting its own page, or a click (also a middle click) on one
  // of its `a.paper-link`s (title, arXiv, PDF). A link may name its paper with data-id (the
  // related list on a paper page); otherwise it belongs to the card around it.
  function onLinkActivated(event) {
    if (event.type === "auxclick" && event.button !== 1) return;
    const link = event.target instanceof Element ? event.target.closest("a.paper-link[href]") : null;
    if (!link) return;
    if (link.dataset.id) {
      markRead(link.dataset.id);
      return;
    }
    if (link.closest(".related")) return;
    const card = link.closest("article.paper[data-id]");
    if (card) markRead(card.dataset.id);
  }

  // ---- copy buttons -----------------------------------------------------------------------

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (e) {
        /* denied: try the old way */
      }
    }
    const focused = document.activeElement;
    const area = document.createElement("textarea");
    area.value = text;
    area.className = "offscreen";
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    area.remove();
    if (focused && typeof focused.focus === "function") focused.focus({ preventScroll: true });
    return ok;
  }
  const copyLabels = new WeakMap();
  const copyTimers = new WeakMap();
  async function onCopy(button) {
    if (!copyLabels.has(button)) copyLabels.set(button, button.textContent);
    const ok = await copyText(button.dataset.copy || "");
    button.textContent = ok ? "Copied" : "Copy failed";
    clearTimeout(copyTimers.get(button));
    copyTimers.set(
      button,
      setTimeout(function () {
        button.textContent = copyLabels.get(button);
      }, 2000),
    );
  }

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const star = target.closest("button.star[data-id]");
    if (star) {
      toggleStar(star);
      return;
    }
    const copy = target.closest("button.copy[data-copy]");
    if (copy) {
      onCopy(copy);
      return;
    }
    onLinkActivated(event);
  });
  document.addEventListener("auxclick", onLinkActivated);

  // ---- keyword tools: highlight and filter -------------------------------------------------

  const ESCAPE = /[.*+?^${}()|[\]\\/]/g; // regex syntax characters (`-` is not one, and \- is invalid under /u)

  /** Words and "quoted phrases", split on spaces and commas; `-word` and `OR` kept as markers. */
  function tokens(text) {
    const out = [];
    const re = /(-?)"([^"]*)"?|[^\s,]+/g;
    let m;
    while ((m = re.exec(text))) {
      if (m[2] !== undefined) {
        out.push({ not: m[1] === "-", word: m[2].replace(/\s+/g, " ").trim().toLowerCase() });
      } else if (m[0] === "OR" || m[0] === "|") {
        out.push({ or: true });
      } else if (m[0].length > 1 && m[0][0] === "-") {
        out.push({ not: true, word: m[0].slice(1).toLowerCase() });
      } else {
        out.push({ not: false, word: m[0].toLowerCase() });
      }
    }
    return out.filter(function (t) {
      return t.or || t.word;
    });
  }

  /** The filter: groups of alternatives that must each match (AND of ORs), and exclusions. */
  function parseFilter(text) {
    const groups = [];
    const excludes = [];
    let join = false;
    for (const t of tokens(text)) {
      if (t.or) {
        join = groups.length > 0;
      } else if (t.not) {
        excludes.push(t.word);
        join = false;
      } else {
        if (join) groups[groups.length - 1].push(t.word);
        else groups.push([t.word]);
        join = false;
      }
    }
    return { groups: groups, excludes: excludes };
  }
  function passes(text, filter) {
    return (
      filter.excludes.every(function (w) {
        return !text.includes(w);
      }) &&
      filter.groups.every(function (group) {
        return group.some(function (w) {
          return text.includes(w);
        });
      })
    );
  }

  /** One regex with a single capturing group of every word (longest first), or null. */
  function highlightPattern(text) {
    const words = [];
    for (const t of tokens(text)) {
      if (!t.or && t.word.length >= 2 && !words.includes(t.word)) words.push(t.word);
    }
    if (!words.length) return null;
    words.sort(function (a, b) {
      return b.length - a.length;
    });
    return new RegExp(
      "(" +
        words
          .map(function (w) {
            return w.replace(ESCAPE, "\\$&");
          })
          .join("|") +
        ")",
      "iu",
    );
  }

  const HL_SCOPE = ".title, .abstract, .snippet";

  function clearHighlights(scope) {
    const parents = new Set();
    scope.querySelectorAll("mark.hl").forEach(function (mark) {
      const parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parents.add(parent);
    });
    parents.forEach(function (parent) {
      parent.normalize();
    });
  }

  /** Wraps matches in text nodes only (never markup from the reader), skipping KaTeX output. */
  function highlightIn(element, pattern) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        const parent = node.parentElement;
        if (!parent || parent.closest(".katex, mark.hl, script, style, textarea")) return NodeFilter.FILTER_REJECT;
        return pattern.test(node.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      },
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const parts = node.data.split(pattern); // the one capturing group puts matches at odd indices
      const fragment = document.createDocumentFragment();
      parts.forEach(function (part, i) {
        if (!part) return;
        if (i % 2) {
          const mark = document.createElement("mark");
          mark.className = "hl";
          mark.textContent = part;
          fragment.appendChild(mark);
        } else {
          fragment.appendChild(document.createTextNode(part));
        }
      });
      node.parentNode.replaceChild(fragment, node);
    }
  }

  function setupTools() {
    const list = document.getElementById("papers");
    const tools = document.getElementById("tools");
    if (!list || !tools) return;
    const listed = cards.filter(function (card) {
      return list.contains(card);
    });

    function field(labelText, id, placeholder, title, value) {
      const label = document.createElement("label");
      label.htmlFor = id;
      label.title = title;
      label.append(labelText + " ");
      const input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.placeholder = placeholder;
      input.autocomplete = "off";
      input.spellcheck = false;
      input.value = value;
      label.appendChild(input);
      return [label, input];
    }
    const [hlLabel, hlInput] = field(
      "Highlight",
      "tools-highlight",
      "words to highlight",
      "Words to mark in titles and abstracts, separated by spaces or commas",
      getText("highlight"),
    );
    const [filterLabel, filterInput] = field(
      "Filter",
      "tools-filter",
      "word -word a OR b",
      'Show papers containing every word; -word hides, a OR b either, "a phrase"',
      getText("filter"),
    );
    const count = document.createElement("span");
    count.className = "count";
    count.setAttribute("aria-live", "polite");
    starCount = document.createElement("span");
    starCount.className = "starred";
    const exportLink = document.createElement("a");
    exportLink.className = "export";
    exportLink.href = "#";
    exportLink.download = "papers-stars.json";
    exportLink.textContent = "Export";
    exportLink.title = "Download your stars and read marks as JSON";
    tools.replaceChildren(hlLabel, filterLabel, count, starCount, exportLink);
    tools.hidden = false;

    // The href is set during the click, before the browser follows it.
    let exportUrl = null;
    exportLink.addEventListener("click", function () {
      const data = {
        exported_at: new Date().toISOString(),
        stars: getMap("stars"),
        read: getMap("read"),
      };
      if (exportUrl) URL.revokeObjectURL(exportUrl);
      exportUrl = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2) + "\n"], { type: "application/json" }));
      exportLink.href = exportUrl;
    });

    function applyHighlight() {
      const pattern = highlightPattern(hlInput.value);
      for (const card of listed) {
        card.querySelectorAll(HL_SCOPE).forEach(function (element) {
          clearHighlights(element);
          if (pattern) highlightIn(element, pattern);
        });
      }
    }
    function applyFilter() {
      const filter = parseFilter(filterInput.value);
      let shown = 0;
      for (const card of listed) {
        const ok = passes(searchText.get(card) || "", filter);
        card.classList.toggle("filtered-out", !ok);
        if (ok) shown += 1;
      }
      count.textContent = "showing " + shown + " of " + listed.length;
    }
    function debounced(fn) {
      let timer = 0;
      return function () {
        clearTimeout(timer);
        timer = setTimeout(fn, 150);
      };
    }
    hlInput.addEventListener(
      "input",
      debounced(function () {
        setText("highlight", hlInput.value.trim());
        applyHighlight();
      }),
    );
    filterInput.addEventListener(
      "input",
      debounced(function () {
        setText("filter", filterInput.value.trim());
        applyFilter();
      }),
    );
    applyHighlight();
    applyFilter();
  }

  setupTools();
  showStars(getMap("stars"));
  showRead(getMap("read"));
  const page = cards.length === 1 && cards[0].classList.contains("paper-page") ? cards[0] : null;
  if (page && page.dataset.id) markRead(page.dataset.id);

  // ---- keyboard ---------------------------------------------------------------------------

  let current = null;

  function visibleCards() {
    return cards.filter(function (card) {
      return card.getClientRects().length > 0;
    });
  }
  function select(card) {
    if (current) current.classList.remove("current");
    current = card;
    card.classList.add("current");
    if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "-1");
    card.focus({ preventScroll: true });
    const box = card.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) card.scrollIntoView({ block: "start" });
  }
  function move(step) {
    const list = visibleCards();
    if (!list.length) return false;
    const at = current ? list.indexOf(current) : -1;
    if (at === -1) {
      // Start where the reader is: the first card not scrolled past.
      select(
        list.find(function (card) {
          return card.getBoundingClientRect().bottom > 0;
        }) || list[list.length - 1],
      );
    } else {
      select(list[Math.max(0, Math.min(list.length - 1, at + step))]);
    }
    return true;
  }
  function target() {
    return current && current.isConnected ? current : page;
  }
  /** The card's own star and title link (not those of a related paper listed inside it). */
  function own(card, selector) {
    return (
      Array.from(card.querySelectorAll(selector)).find(function (element) {
        return !element.closest(".related") && (!element.dataset.id || element.dataset.id === card.dataset.id);
      }) || null
    );
  }
  function isTyping(element) {
    return (
      element instanceof Element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName))
    );
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const from = event.target;
    if (isTyping(from)) {
      // Escape on an empty field hands the keys back to the page (a first Escape clears it).
      if (event.key === "Escape" && from.tagName === "INPUT" && !from.value) from.blur();
      return;
    }
    let handled = false;
    switch (event.key) {
      case "j":
        handled = move(1);
        break;
      case "k":
        handled = move(-1);
        break;
      case "s": {
        const card = target();
        const star = card && own(card, "button.star[data-id]");
        if (star) {
          star.click();
          handled = true;
        }
        break;
      }
      case "Enter":
        // Enter on a focused link or button keeps its own meaning.
        if (from instanceof Element && from.closest("a, button, summary, [role=button]")) break;
      // falls through
      case "o": {
        const card = target();
        const link = card && own(card, "a.paper-link");
        if (link) {
          link.click(); // the click marks it read, then the browser follows it
          handled = true;
        }
        break;
      }
      case "/": {
        const search = document.getElementById("q");
        if (search) {
          search.focus();
          search.select();
          handled = true;
        }
        break;
      }
    }
    if (handled) event.preventDefault();
  });

  // Another tab changed something: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === "papers.stars") showStars(getMap("stars"));
    else if (event.key === "papers.read") showRead(getMap("read"));
    else if (event.key === "papers.theme") applyTheme(getText("theme"));
  });
})();

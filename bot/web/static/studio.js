// The rule studio. Every text from the server (feeds, rules, errors) is put into the page
// with textContent or as an attribute value: never as HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const yaml = $("rule-yaml"), nameInput = $("rule-name"), gutter = $("gutter");
  const title = $("article-title"), text = $("article-text"), language = $("article-language");
  const STORE = "eventwatch.studio.v1";
  let seq = 0, timer = null, lastBacktest = null, hitsOffset = 0;
  const PAGE = 20;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function link(url, label) {
    // Only web addresses become links: a feed can put anything in a URL.
    return /^https?:\/\//i.test(url || "") ? el("a", {href: url, rel: "noopener noreferrer"}, label) : label;
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method, credentials: "same-origin",
      headers: body ? {"Content-Type": "application/json"} : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 401) { location.href = "/login?next=/studio"; throw new Error("unauthorized"); }
    const data = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok && response.status !== 422) throw new Error(data.error || response.statusText);
    return data;
  }

  // -- the editor ---------------------------------------------------------------------
  function drawGutter(bad) {
    const lines = yaml.value.split("\n").length;
    gutter.replaceChildren();
    for (let i = 1; i <= lines; i++) {
      gutter.append(el("span", {class: bad.has(i) ? "bad" : null, "data-line": i}, String(i)), "\n");
    }
    gutter.scrollTop = yaml.scrollTop;
  }

  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify({
        name: nameInput.value, yaml: yaml.value, title: title.value, text: text.value,
        language: language.value}));
    } catch (e) { /* private mode: nothing kept */ }
  }

  function restore() {
    try {
      const kept = JSON.parse(localStorage.getItem(STORE) || "null");
      if (!kept) return;
      nameInput.value = kept.name || nameInput.value;
      yaml.value = kept.yaml || yaml.value;
      title.value = kept.title || ""; text.value = kept.text || ""; language.value = kept.language || "";
    } catch (e) { /* ignore a broken copy */ }
  }

  function ruleBody() { return {name: nameInput.value.trim(), yaml: yaml.value}; }

  function showVerdict(data) {
    const errors = $("rule-errors"), status = $("rule-status");
    errors.replaceChildren();
    const bad = new Set();
    for (const e of data.errors || []) {
      if (e.line) bad.add(e.line);
      errors.append(el("li", {class: "error", "data-line": e.line || 0}, e.text));
    }
    drawGutter(bad);
    status.className = "status-line " + (data.ok ? "ok" : "bad");
    if (data.ok) {
      let said = "Valid: " + data.rules.join(", ");
      if (data.replaces.length) said += " (compared with the installed " + data.replaces.join(", ") + ")";
      status.textContent = said;
    } else if (data.compiled) {
      status.textContent = "Compiles, but its examples fail (eventwatch check would refuse it)";
    } else {
      status.textContent = (data.errors || []).length + " error(s)";
    }
  }

  function showEvents(events) {
    const box = $("events");
    box.replaceChildren();
    if (!events) return;
    if (!events.length) { box.append(el("p", {class: "muted"}, "No rule fires on this article.")); return; }
    for (const ev of events) {
      const figures = Object.entries(ev.figures).map(([k, v]) => k + " " + v.toLocaleString("en"));
      box.append(el("p", {class: "event"},
        el("strong", {}, ev.rule), " fires: ", ev.countries.join(", ") || "-", ", ", ev.severity,
        figures.length ? ", " + figures.join(", ") : ""));
    }
  }

  function showRuns(target, runs) {
    for (const run of runs) {
      if (!run.marks.length) { target.append(run.text); continue; }
      target.append(el("mark", {class: run.marks.map((m) => "m-" + m).join(" "), title: run.notes.join("\n")}, run.text));
    }
  }

  function showView(view) {
    const box = $("highlight"), why = $("explain");
    box.replaceChildren(); why.replaceChildren();
    if (!view) return;
    const h = el("div", {class: "h-title"}); showRuns(h, view.title);
    const b = el("div", {class: "h-text"}); showRuns(b, view.text);
    box.append(h, b);
    for (const rule of view.rules) {
      const items = [];
      for (const r of rule.reasons) items.push(el("li", {}, r));
      for (const s of rule.sentences) {
        const groups = Object.entries(s.groups).map(([g, w]) => g + ": " + w.join(", ")).join("; ");
        const figures = Object.entries(s.figures).map(([k, v]) => k + " = " + v).join(", ");
        items.push(el("li", {class: s.matched ? "matched" : "near"},
          (s.matched ? "✓ " : "✗ ") + s.zone + ", clause " + (s.clause + 1) + ": ",
          el("q", {}, s.text),
          groups ? el("div", {}, "terms — " + groups) : null,
          figures ? el("div", {}, "figures — " + figures) : null,
          s.locations.length ? el("div", {}, "places — " + s.locations.join(", ")) : null,
          s.failed.length ? el("div", {class: "failed"}, "missing or guarded — " + s.failed.join("; ")) : null));
      }
      why.append(el("section", {class: "rule-why " + (rule.fired ? "fired" : "quiet")},
        el("h4", {}, rule.rule + (rule.fired ? " fires" : " does not fire") +
          (rule.countries.length ? " — " + rule.countries.join(", ") : "") +
          (rule.actors.length ? " (actors: " + rule.actors.join(", ") + ")" : "")),
        el("ul", {}, items)));
    }
  }

  async function check() {
    const mine = ++seq;
    save();
    const body = {...ruleBody(), title: title.value, text: text.value, language: language.value};
    try {
      const data = await api("POST", "/api/explain", body);
      if (mine !== seq) return;  // a newer edit has been sent since
      showVerdict(data);
      showEvents(data.events);
      showView(data.view);
    } catch (e) {
      if (mine === seq) { $("rule-status").className = "status-line bad"; $("rule-status").textContent = String(e.message || e); }
    }
  }

  function soon() { clearTimeout(timer); timer = setTimeout(check, 300); }

  // -- the archive picker ---------------------------------------------------------------
  let pickOffset = 0;
  async function pick(more) {
    pickOffset = more ? pickOffset : 0;
    const q = encodeURIComponent($("archive-q").value);
    const data = await api("GET", `/api/archive?q=${q}&offset=${pickOffset}&limit=20`);
    const list = $("archive-list");
    if (!more) list.replaceChildren();
    for (const item of data.items) {
      const button = el("button", {type: "button", class: "pick", "data-id": item.id},
        el("strong", {}, item.title || "(no title)"), " ",
        el("span", {class: "muted"}, item.source + " · " + (item.published || item.seen || "")));
      button.addEventListener("click", () => load(item.id));
      list.append(el("li", {}, button, el("div", {class: "snippet"}, item.snippet)));
    }
    if (!data.items.length && !more) list.append(el("li", {class: "muted"}, "Nothing archived matches."));
    pickOffset += data.items.length;
    $("archive-more").hidden = !data.more;
  }

  async function load(id) {
    const item = await api("GET", "/api/archive/" + encodeURIComponent(id));
    title.value = item.title; text.value = item.text; language.value = item.language || "";
    $("picker").open = false;
    check();
  }

  // -- installed rule files -------------------------------------------------------------
  const template = yaml.defaultValue;
  async function listFiles() {
    const data = await api("GET", "/api/rulefiles");
    const select = $("rule-start");
    for (const f of data.files) select.append(el("option", {value: f.path}, "installed " + f.name));
  }

  async function startFrom() {
    const path = $("rule-start").value;
    if (!path) { yaml.value = template; nameInput.value = "my-rule.yaml"; check(); return; }
    const data = await api("GET", "/api/rulefile?path=" + encodeURIComponent(path));
    yaml.value = data.yaml; nameInput.value = data.name;
    check();
  }

  // -- download -------------------------------------------------------------------------
  function download() {
    const blob = new Blob([yaml.value], {type: "application/yaml"});
    const a = el("a", {href: URL.createObjectURL(blob), download: nameInput.value.trim() || "rule.yaml"});
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // -- backtest -------------------------------------------------------------------------
  function countTable(table, heading, rows) {
    table.replaceChildren();
    if (!rows.length) return;
    table.append(el("thead", {}, el("tr", {}, el("th", {}, heading), el("th", {class: "num"}, "hits"),
      el("th", {class: "num"}, "stories"), el("th", {class: "num"}, "new"), el("th", {class: "num"}, "lost"))));
    table.append(el("tbody", {}, rows.map((r) => el("tr", {}, el("td", {}, r.key),
      el("td", {class: "num"}, r.hits), el("td", {class: "num"}, r.stories),
      el("td", {class: "num"}, r.new), el("td", {class: "num"}, r.lost)))));
  }

  async function backtest() {
    const status = $("backtest-status");
    status.textContent = "Replaying the archive…"; status.className = "status-line";
    $("run-backtest").disabled = true;
    try {
      const data = await api("POST", "/api/backtest", {...ruleBody(), since: $("since").value});
      if (!data.id) { status.textContent = "Fix the rule's errors first."; status.className = "status-line bad"; return; }
      lastBacktest = data; hitsOffset = 0;
      const s = data.summary;
      status.className = "status-line ok";
      status.textContent = `Done in ${s.seconds.toFixed(1)} s.`;
      $("backtest-summary").replaceChildren(el("p", {id: "backtest-result"},
        `${s.hits} hit(s) in ${s.stories} stor${s.stories === 1 ? "y" : "ies"} over ${s.entries.toLocaleString("en")} archived entries` +
        (s.compared.length ? `; against the installed ${s.compared.join(", ")}: ${s.new} new, ${s.lost} lost` : `; ${s.new} new`) + "."));
      countTable($("by-rule"), "rule", data.by_rule);
      countTable($("by-country"), "country", data.by_country);
      const stories = $("backtest-stories");
      stories.replaceChildren();
      if (data.stories.length) stories.append(el("h3", {}, "Stories"));
      stories.append(el("ol", {class: "stories"}, data.stories.map((g) => el("li", {},
        el("strong", {}, g.rule), " ", g.countries.join(", "), " — ", link(g.url, g.title),
        el("span", {class: "muted"}, ` (${g.sources.length} outlet(s), ${g.reports} report(s)` +
          (Object.keys(g.figures).length ? "; " + Object.entries(g.figures).map(([k, v]) => k + " " + v.toLocaleString("en")).join(", ") : "") + ")")))));
      $("hits-title").hidden = false; $("hits-bar").hidden = false;
      await hits();
    } catch (e) {
      status.textContent = String(e.message || e); status.className = "status-line bad";
    } finally {
      $("run-backtest").disabled = false;
    }
  }

  async function hits() {
    if (!lastBacktest) return;
    const kind = $("hits-kind").value;
    const data = await api("GET", `/api/backtest/${lastBacktest.id}?kind=${kind}&offset=${hitsOffset}&limit=${PAGE}`);
    const table = $("hits");
    table.replaceChildren(el("thead", {}, el("tr", {}, ["when", "change", "rule", "where", "outlet", "title"].map((h) => el("th", {}, h)))));
    const body = el("tbody");
    for (const h of data.items) {
      const row = el("tr", {class: "hit " + h.change},
        el("td", {}, (h.entry.published || h.entry.seen || "").replace("T", " ").slice(0, 16)),
        el("td", {}, h.change), el("td", {}, h.event.rule), el("td", {}, h.event.countries.join(", ")),
        el("td", {}, h.entry.source), el("td", {}, link(h.entry.url, h.entry.title || "(no title)")));
      row.addEventListener("dblclick", () => load(h.entry.id));
      body.append(row);
    }
    table.append(body);
    const last = Math.min(data.total, hitsOffset + data.items.length);
    $("hits-page").textContent = data.total ? `${hitsOffset + 1}–${last} of ${data.total}` : "none";
    $("hits-prev").disabled = hitsOffset === 0;
    $("hits-next").disabled = last >= data.total;
  }

  // -- wiring ---------------------------------------------------------------------------
  restore();
  drawGutter(new Set());
  for (const input of [yaml, nameInput, title, text, language]) input.addEventListener("input", soon);
  yaml.addEventListener("scroll", () => { gutter.scrollTop = yaml.scrollTop; });
  yaml.addEventListener("keydown", (e) => {  // Tab indents by two spaces instead of leaving
    if (e.key !== "Tab" || e.shiftKey) return;
    e.preventDefault();
    yaml.setRangeText("  ", yaml.selectionStart, yaml.selectionEnd, "end");
    soon();
  });
  $("download").addEventListener("click", download);
  $("rule-start").addEventListener("change", startFrom);
  $("archive-search").addEventListener("click", () => pick(false));
  $("archive-q").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); pick(false); } });
  $("archive-more").addEventListener("click", () => pick(true));
  $("picker").addEventListener("toggle", () => { if ($("picker").open && !$("archive-list").children.length) pick(false); });
  $("run-backtest").addEventListener("click", backtest);
  $("hits-kind").addEventListener("change", () => { hitsOffset = 0; hits(); });
  $("hits-prev").addEventListener("click", () => { hitsOffset = Math.max(0, hitsOffset - PAGE); hits(); });
  $("hits-next").addEventListener("click", () => { hitsOffset += PAGE; hits(); });
  listFiles().catch(() => {});
  check();
})();

/* Live pages: follow the workshop by polling its state (ETag, so an unchanged poll is a 304).
   Phone: /api/v1/workshops/CODE. Wall and console: the leader's state. No framework. */

/* A name typed by someone, put inside a sentence between Unicode's isolates (first strong ...
   pop directional isolate): a right-to-left name, or one with a stray direction override,
   cannot reorder the words and names around it. Shared by the parts below. */
function isolate(text) { return "\u2068" + text + "\u2069"; }

/* A long text in a list (an idea among others) shows its first lines, with a toggle below it
   to read it whole: a <details> the browser opens and closes by itself (keyboard included,
   announced as expanded or collapsed); the CSS clamps the text just before a closed one. The
   toggle's state is kept in `opened` by `key`, as lists are drawn anew when they change. Where
   a person reads one text (the spotlight) it stays whole. Null for a short text. */
var LONG_TEXT = 240; // characters: some six lines on a 390 px phone, more than the four shown
function showAll(text, labels, opened, key) {
  if (text.length <= LONG_TEXT && text.split("\n").length <= 4) return null;
  var details = document.createElement("details");
  details.className = "show-all";
  details.open = !!opened[key];
  details.addEventListener("toggle", function () {
    if (details.open) opened[key] = true; else delete opened[key];
  });
  var summary = document.createElement("summary");
  summary.setAttribute("data-focus", key + ":more");
  [["when-closed", labels.textShowAll], ["when-open", labels.textShowLess]].forEach(function (pair) {
    var span = document.createElement("span");
    span.className = pair[0];
    span.textContent = pair[1] || "";
    summary.appendChild(span);
  });
  details.appendChild(summary);
  return details;
}

/* A list drawn anew (`draw` empties and fills it) would drop the keyboard's focus on <body>, and a
   screen reader's place with it. Controls in it carry a mark `owner:action` in data-focus (the
   item's own <li> is `owner:item`): the one that had the focus gets it back; if it is disabled
   now (no dots left), another control of the same item, else the item itself. */
function keepFocus(list, draw) {
  var active = document.activeElement;
  var mark = active && active !== list && list.contains(active) ? active.getAttribute("data-focus") : null;
  draw();
  if (!mark) return;
  var owner = mark.split(":")[0];
  var marked = Array.prototype.filter.call(list.querySelectorAll("[data-focus]"), function (node) {
    return node.getAttribute("data-focus").split(":")[0] === owner && !node.disabled;
  });
  var target = marked.find(function (node) { return node.getAttribute("data-focus") === mark; }) ||
    marked.find(function (node) { return node.tagName === "BUTTON"; }) ||
    marked.find(function (node) { return /:item$/.test(node.getAttribute("data-focus")); });
  if (!target) return;
  if (target.tagName === "LI") target.tabIndex = -1; // focusable by script only
  target.focus({ preventScroll: true });
}

/* A queue of what the phone has yet to send (ideas in ideas.js; dots and interests below), kept
   in local storage under storeKey and shared by every tab of the phone. Each item has an id and
   a version raised on every change; a tab writes the union of what is stored and what it holds
   (the higher version of each item), so one tab never writes over another's items. An item in
   state `finished` (sent) is kept as a mark, the last 50 of them; unsent items always. */
function sharedQueue(storeKey, finished) {
  function load() {
    var stored;
    try { stored = JSON.parse(window.localStorage.getItem(storeKey) || "[]"); } catch (e) { stored = []; }
    return Array.isArray(stored) ? stored.map(function (q) { q.id = q.id || q.key; q.version = q.version || 0; return q; }) : [];
  }
  function merged(stored, held) {
    var byId = {};
    stored.concat(held).forEach(function (q) {
      var known = byId[q.id];
      if (!known || q.version > known.version) byId[q.id] = q;
    });
    var all = Object.keys(byId).map(function (id) { return byId[id]; });
    all.sort(function (a, b) { return (a.at || 0) - (b.at || 0); });
    return all.filter(function (q, n) { return q.state !== finished || n >= all.length - 50; });
  }
  var items = load();
  function save() {
    items = merged(load(), items);
    try { window.localStorage.setItem(storeKey, JSON.stringify(items)); } catch (e) { /* full: kept in memory */ }
  }
  return {
    list: function () { return items; },
    unsent: function () { return items.filter(function (q) { return q.state !== finished; }); },
    add: function (item) {
      item.id = item.id || item.key;
      item.version = 0;
      item.at = item.at || Date.now();
      items.push(item);
      save();
    },
    change: function (item, fields) {
      var current = items.find(function (q) { return q.id === item.id; }) || item;
      Object.keys(fields).forEach(function (name) { current[name] = fields[name]; });
      current.version += 1;
      save();
    },
    // Another tab changed the queue (the window's storage event for storeKey).
    reload: function () { items = merged(load(), items); },
    key: storeKey
  };
}

(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var mode = root.dataset.mode;
  var url = root.dataset.stateUrl;
  var etag = null;
  var offset = 0; // server clock minus our clock, in ms
  var endsAt = null;
  var pausedRemaining = null;
  var failures = 0;
  var version = root.dataset.version || null;
  var lastStep = null;

  function el(name) { return root.querySelector('[data-bind="' + name + '"]'); }
  function setText(name, text) { var node = el(name); if (node && node.textContent !== text) node.textContent = text; }

  function two(n) { return (n < 10 ? "0" : "") + n; }
  function formatSeconds(total) {
    var sign = total < 0 ? "−" : "";
    total = Math.abs(total);
    var m = Math.floor(total / 60), s = total % 60;
    return sign + m + ":" + two(s);
  }
  function tick() {
    var node = el("countdown");
    if (!node) return;
    var left = null;
    if (pausedRemaining !== null) left = pausedRemaining;
    else if (endsAt) left = Math.round((endsAt - (Date.now() + offset)) / 1000);
    node.textContent = left === null ? "" : formatSeconds(left);
    node.classList.toggle("over", left !== null && left < 0);
  }

  function readInitial() {
    var node = el("countdown");
    if (!node) return;
    if (node.dataset.serverTime) offset = Date.parse(node.dataset.serverTime) - Date.now();
    if (node.dataset.endsAt) endsAt = Date.parse(node.dataset.endsAt);
    if (node.dataset.pausedRemaining) pausedRemaining = parseInt(node.dataset.pausedRemaining, 10);
  }

  function renderTracks(step) {
    var box = el("tracks");
    if (!box) return;
    box.textContent = "";
    (step && step.tracks || []).forEach(function (t) {
      var p = document.createElement("p");
      p.className = "track-prompt";
      p.dir = "auto";
      var b = document.createElement("strong");
      b.textContent = t.title;
      p.appendChild(b);
      p.appendChild(document.createTextNode(" " + t.prompt));
      box.appendChild(p);
    });
  }

  function renderAgenda(state) {
    var list = el("agenda"), card = el("agenda-card");
    if (!list) return;
    list.textContent = "";
    (state.agenda || []).forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.title + " ";
      var span = document.createElement("span");
      span.className = "muted";
      span.textContent = item.minutes + " min";
      li.appendChild(span);
      if (state.step && item.position === state.step.position) li.setAttribute("aria-current", "step");
      list.appendChild(li);
    });
    if (card) card.hidden = !(state.agenda && state.agenda.length);
  }

  /* What the step opens on the phone: the evaluation form, the business profile form. */
  function renderCollect(state) {
    var step = state.step, collect = (step && step.collect) || {};
    var kinds = ((step && step.collects) || []).map(function (c) { return String(c).split(":")[0]; });
    var evaluation = el("evaluation");
    if (evaluation) {
      evaluation.hidden = !collect.evaluation;
      if (collect.evaluation) {
        var link = el("evaluation-link");
        if (link && link.getAttribute("href") !== collect.evaluation.url) link.setAttribute("href", collect.evaluation.url);
        var answered = false;
        try { answered = window.localStorage.getItem("kraftverk-answered:" + collect.evaluation.url) === "1"; } catch (e) { answered = false; }
        if (link) link.textContent = answered ? link.dataset.textAnswered : link.dataset.textAnswer;
        setText("evaluation-title", collect.evaluation.title || "");
      }
    }
    var profiles = el("profiles");
    if (profiles) profiles.hidden = kinds.indexOf("profiles") < 0 || state.status === "closed";
  }

  /* On the wall: what the step's kinds show (the evaluation's QR code and answers, the vote, the
     speed-meeting tables), with texts the server wrote in the workshop's language. */
  var wallBox = null, wallMark = null;
  function renderWallCollect(state) {
    var collect = (state.status !== "closed" && state.collect) || {};
    var mark = JSON.stringify(collect);
    if (mark === wallMark) return;
    wallMark = mark;
    if (!wallBox) {
      var host = root.querySelector(".wall-step");
      if (!host) return;
      wallBox = document.createElement("div");
      wallBox.className = "wall-collect";
      wallBox.setAttribute("aria-live", "polite");
      host.appendChild(wallBox);
    }
    wallBox.textContent = "";
    // A kind with nothing to say here (interests: their counts go on the idea cards) has no part.
    var parts = Object.keys(collect).filter(function (kind) {
      var data = collect[kind] || {};
      return data.qr_url || (data.lines && data.lines.length) || data.tables;
    });
    parts.forEach(function (kind) {
      var data = collect[kind] || {};
      var part = document.createElement("div");
      part.className = "wall-collect-" + kind;
      if (data.qr_url) {
        var img = document.createElement("img");
        img.className = "wall-collect-qr";
        img.alt = "";
        img.src = data.qr_url + "?v=" + encodeURIComponent(data.url || "");
        part.appendChild(img);
      }
      (data.lines || []).forEach(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        part.appendChild(p);
      });
      if (data.tables) {
        var list = document.createElement("ol");
        list.className = "wall-tables";
        data.tables.forEach(function (table) {
          var li = document.createElement("li");
          var b = document.createElement("strong");
          b.textContent = (data.table_label || "") + " " + table.table + ": ";
          li.appendChild(b);
          li.appendChild(document.createTextNode(table.names.map(isolate).join(" · ")));
          list.appendChild(li);
        });
        part.appendChild(list);
      }
      wallBox.appendChild(part);
    });
    wallBox.hidden = !parts.length;
  }

  var lastCounts = null, refreshing = false, again = false, countLabels = null;
  /* The console's panels, read again from the page as the server renders it now; a panel the
     leader is typing in is left alone. A change that comes while one is read is read after it. */
  function refreshPanels() {
    if (!window.DOMParser) return;
    if (refreshing) { again = true; return; }
    refreshing = true;
    again = false;
    fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    }).then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        refreshing = false;
        if (html) swapPanels(new DOMParser().parseFromString(html, "text/html"));
        if (again) refreshPanels();
      }).catch(function () { refreshing = false; if (again) refreshPanels(); });
  }

  function canonical(counts) {
    return Object.keys(counts).sort().map(function (k) { return k + "=" + counts[k]; }).join("&");
  }

  function swapPanels(fresh) {
    Array.prototype.forEach.call(root.querySelectorAll(".console-panel[data-kind]"), function (panel) {
      var active = document.activeElement;
      if (active && panel.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return;
      var next = fresh.querySelector('.console-panel[data-kind="' + panel.dataset.kind + '"]');
      if (!next) return;
      var nodes = Array.prototype.map.call(next.childNodes, function (n) { return document.importNode(n, true); });
      while (panel.firstChild) panel.removeChild(panel.firstChild);
      nodes.forEach(function (n) { panel.appendChild(n); });
    });
  }

  function render(state) {
    if (state.server_time) offset = Date.parse(state.server_time) - Date.now();
    if (mode === "console") {
      if (version !== null && String(state.version) !== String(version)) { window.location.reload(); return; }
      // The re-plan proposal appears (or goes) as the clock runs: show its button.
      if (root.dataset.replan !== undefined && (state.replan_pending ? "1" : "0") !== root.dataset.replan &&
          state.status !== "closed") { window.location.reload(); return; }
      var counts = state.counts || {};
      var tiles = root.querySelector('[data-bind="counts"]');
      if (countLabels === null) {
        try { countLabels = JSON.parse((tiles && tiles.dataset.labels) || "{}"); } catch (e) { countLabels = {}; }
      }
      var labels = countLabels;
      Object.keys(counts).forEach(function (key) {
        var dd = root.querySelector('[data-count="' + key + '"]');
        if (!dd && tiles && labels[key]) {
          // A count that began while the console was open (the first interest): a new tile.
          var tile = document.createElement("div"), dt = document.createElement("dt");
          dt.textContent = labels[key];
          dd = document.createElement("dd");
          dd.setAttribute("data-count", key);
          tile.appendChild(dt); tile.appendChild(dd); tiles.appendChild(tile);
        }
        if (dd) dd.textContent = counts[key];
      });
      // What was collected changed (an idea, a vote, an interest) since the page or the last
      // poll showed it: the panels' lines say so too.
      var countsKey = canonical(counts);
      if (lastCounts === null && tiles && tiles.dataset.counts) {
        try { lastCounts = canonical(JSON.parse(tiles.dataset.counts)); } catch (e) { lastCounts = null; }
      }
      if (lastCounts !== null && countsKey !== lastCounts) refreshPanels();
      lastCounts = countsKey;
    }
    var step = state.step;
    if (state.status === "closed") {
      setText("title", root.dataset.textClosed); setText("prompt", "");
      endsAt = null; pausedRemaining = null;
    } else if (!step) {
      if (mode !== "console") { setText("title", root.dataset.textWaiting); }
      endsAt = null; pausedRemaining = null;
    } else {
      setText("title", step.title);
      // Paused: said after the question, or alone where the step asks none (a break).
      var paused = root.dataset.textPaused;
      setText("prompt", state.status !== "paused" ? step.prompt : step.prompt ? step.prompt + " (" + paused + ")" : paused);
      endsAt = step.ends_at ? Date.parse(step.ends_at) : null;
      pausedRemaining = state.status === "paused" && typeof (step.remaining_seconds !== undefined ? step.remaining_seconds : state.remaining_seconds) === "number"
        ? (step.remaining_seconds !== undefined ? step.remaining_seconds : state.remaining_seconds) : null;
    }
    // The phone's "Now" over the step: there while a step runs, gone before the start and
    // after the close, without a reload.
    var now = el("now");
    if (now) now.hidden = !step || state.status === "closed";
    var who = el("who"); // a closed workshop takes no names either
    if (who) who.hidden = state.status === "closed";
    var stepId = step ? step.id : null;
    if (stepId !== lastStep) { renderTracks(step); lastStep = stepId; document.dispatchEvent(new CustomEvent("kraftverk:step", { detail: state })); }
    renderAgenda(state);
    if (mode === "phone") renderCollect(state);
    if (mode === "wall") renderWallCollect(state);
    document.dispatchEvent(new CustomEvent("kraftverk:state", { detail: state }));
    tick();
  }

  function showConnection(ok) {
    var node = el("connection");
    if (!node) return;
    node.hidden = ok;
    if (!ok) node.textContent = root.dataset.textOffline;
  }

  function poll() {
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    // "no-store": the browser's own cache stays out of the polls. With "no-cache" the first poll
    // after a reload went out with the cached copy's validator, and a 304 handed back that old
    // copy as if new: its server_time set the clock's offset, minutes off, for the whole step.
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        showConnection(true);
        if (state) render(state);
        schedule(1000);
      })
      .catch(function () {
        failures += 1;
        showConnection(false);
        schedule(Math.min(10000, 1000 * Math.pow(2, failures)));
      });
  }
  function schedule(ms) {
    // A little jitter so a room of phones does not poll in lockstep.
    window.setTimeout(poll, ms + Math.floor(Math.random() * 250));
  }

  readInitial();
  tick();
  window.setInterval(tick, 1000);
  schedule(mode === "console" ? 1000 : 300);
})();

/* The phone's idea list for dot voting and "I want to work on this". Votes and interests are
   queued in local storage and sent with an Idempotency-Key, like ideas, so a phone that is
   offline for a while loses nothing and a retry is never counted twice. */
(function () {
  "use strict";
  var box = document.getElementById("idea-pick");
  if (!box || !window.fetch) return;
  var list = box.querySelector(".pick-list");
  var dotsLeft = box.querySelector(".dots-left");
  var message = box.querySelector(".pick-message");
  var businessForm = box.querySelector(".business-form");
  var businessInput = businessForm.querySelector("input");
  var businessLine = box.querySelector(".pick-business");
  var base = "kraftverk-pick-" + box.dataset.code;
  var ideas = {};
  var cursor = null;
  var ideasEtag = null;
  var mode = null; // "votes", "interests" or null
  var vote = null; // {dots, dots_left, mine} from the server
  var revealed = false;
  var opened = {}; // ideas whose whole text is shown, by id
  var sending = false;
  var counted = 0; // dots (given or taken back) the server has answered for
  var backoff = 1000;
  var timer = null;

  function load(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(base + key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { window.localStorage.setItem(base + key, JSON.stringify(value)); } catch (e) { /* full: keep in memory */ }
  }
  var queue = sharedQueue(base + "-queue", "done"); // dots and interests not yet sent
  var interested = load("-interests", {});
  var business = box.dataset.business || load("-business", "");

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function pending(idea) {
    // Dots queued but not yet counted by the server, on one idea or in all.
    return queue.unsent().reduce(function (sum, item) {
      return item.kind === "vote" && (idea === undefined || item.body.idea === idea) ? sum + item.body.dots : sum;
    }, 0);
  }
  function left() { return vote ? vote.dots_left - pending() : 0; }
  function mineOn(id) { return vote ? (vote.mine[String(id)] || 0) + pending(id) : 0; }

  function showBusiness() {
    var needed = mode === "interests";
    businessForm.hidden = !needed || !!business;
    businessLine.hidden = !needed || !business;
    if (business) businessLine.textContent = business;
  }

  function render() {
    dotsLeft.textContent = mode === "votes" && vote ? box.dataset.textDotsLeft + ": " + left() : "";
    showBusiness();
    var sorted = Object.keys(ideas).map(function (k) { return ideas[k]; })
      .sort(function (a, b) { return b.id - a.id; });
    keepFocus(list, function () {
      list.textContent = "";
      sorted.forEach(drawIdea);
    });
    var unsent = queue.unsent().length;
    message.textContent = unsent ? box.dataset.textWaiting + " (" + unsent + ")" : message.textContent;
  }

  function drawIdea(idea) {
    var li = document.createElement("li");
    li.setAttribute("data-focus", idea.id + ":item");
    var p = document.createElement("p");
    p.className = "idea-text";
    p.dir = "auto"; // each idea aligns by its own writing direction
    p.textContent = idea.text || "";
    if (box.dataset.contentLang && box.dataset.contentLang !== document.documentElement.lang) {
      p.lang = box.dataset.contentLang; // the project's language (WCAG 3.1.2)
    }
    li.appendChild(p);
    var more = showAll(idea.text || "", box.dataset, opened, idea.id);
    if (more) li.appendChild(more);
    var actions = document.createElement("div");
    actions.className = "pick-actions";
    if (mode === "votes" && vote) {
      var mine = mineOn(idea.id);
      li.classList.toggle("dotted", mine > 0);
      var count = document.createElement("span");
      count.className = "my-dots";
      count.textContent = mine > 0 ? box.dataset.textYourDots + ": " + new Array(mine + 1).join("●") : "";
      actions.appendChild(count);
      [[1, box.dataset.textVote], [-1, box.dataset.textUnvote]].forEach(function (pair) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = pair[0] > 0 ? "small" : "secondary small";
        b.textContent = pair[1];
        b.disabled = pair[0] > 0 ? left() <= 0 : mine <= 0;
        b.setAttribute("data-focus", idea.id + (pair[0] > 0 ? ":vote" : ":unvote"));
        b.addEventListener("click", function () { enqueue("vote", box.dataset.votesUrl, { idea: idea.id, dots: pair[0] }); });
        actions.appendChild(b);
      });
    } else if (mode === "interests") {
      var b = document.createElement("button");
      var on = !!interested[idea.id];
      b.type = "button";
      b.className = on ? "secondary small" : "small";
      b.textContent = on ? box.dataset.textInterested : box.dataset.textInterest;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.disabled = on;
      b.setAttribute("data-focus", idea.id + ":interest");
      b.addEventListener("click", function () {
        if (!business) {
          // Asked for the business first: this press is kept and sent once the name is saved.
          pendingInterest = idea.id;
          businessForm.hidden = false;
          businessInput.focus();
          return;
        }
        markInterest(idea.id);
      });
      actions.appendChild(b);
    }
    if (revealed && typeof idea.votes === "number") {
      var total = document.createElement("span");
      total.className = "vote-total";
      total.textContent = box.dataset.textVotes + ": " + idea.votes;
      actions.appendChild(total);
    }
    li.appendChild(actions);
    list.appendChild(li);
  }

  function enqueue(kind, url, body) {
    queue.add({ kind: kind, url: url, body: body, key: newKey(), state: "waiting" });
    message.textContent = "";
    render();
    flush();
  }

  function later(ms) { window.clearTimeout(timer); timer = window.setTimeout(flush, ms); }

  function flush() {
    var item = queue.unsent()[0];
    if (sending || !item) return;
    sending = true;
    fetch(item.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": item.key },
      body: JSON.stringify(item.body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    }).then(function (result) {
      sending = false;
      if (result.status >= 500 || result.status === 429) { later(2000); return; }
      queue.change(item, { state: "done" });
      backoff = 1000;
      if (result.status === 201) {
        if (item.kind === "vote" && vote) {
          counted += 1;
          vote.dots_left = result.body.dots_left;
          vote.mine[String(item.body.idea)] = (vote.mine[String(item.body.idea)] || 0) + item.body.dots;
        }
        message.textContent = "";
      } else {
        // The server read it and said no (no dots left, the vote closed): say why.
        refused(item, result.body.message || String(result.status));
        if (item.kind === "interest") { delete interested[item.body.idea]; store("-interests", interested); }
        refreshVote();
      }
      render();
      flush();
    }).catch(function () {
      sending = false;
      backoff = Math.min(backoff * 2, 15000);
      later(backoff);
    });
  }

  /* A refusal is said in the notice near the top of the page, which stays until the person
     closes it: the vote's close that caused it hides this box too. */
  var notice = document.getElementById("pick-notice");
  var noticeText = notice && notice.querySelector(".pick-notice-text");
  var noticeLines = [];
  function refused(item, why) {
    if (!notice) { message.textContent = why; return; }
    var what = item.kind === "interest" ? "textInterest" : item.body.dots > 0 ? "textVote" : "textUnvote";
    var line = notice.dataset[what] + " " + why;
    if (noticeLines.indexOf(line) < 0) noticeLines.push(line);
    noticeText.textContent = noticeLines.join("\n");
    notice.hidden = false;
  }
  if (notice) {
    notice.querySelector("button").addEventListener("click", function () {
      noticeLines = [];
      noticeText.textContent = "";
      notice.hidden = true;
    });
  }

  function refreshIdeas() {
    var url = box.dataset.ideasUrl + (cursor ? "?since=" + encodeURIComponent(cursor) : "");
    var headers = { "Accept": "application/json" };
    if (ideasEtag) headers["If-None-Match"] = ideasEtag;
    fetch(url, { headers: headers, credentials: "same-origin" }).then(function (r) {
      if (r.status === 304 || !r.ok) return null;
      ideasEtag = r.headers.get("ETag");
      return r.json();
    }).then(function (body) {
      if (!body) return;
      var items = Array.isArray(body) ? body : body.ideas || [];
      if (Array.isArray(body) || body.full) ideas = {};
      if (!Array.isArray(body)) cursor = body.cursor || null;
      items.forEach(function (idea) {
        if (idea.hidden) { delete ideas[idea.id]; return; }
        ideas[idea.id] = Object.assign(ideas[idea.id] || {}, idea);
      });
      render();
    }).catch(function () {});
  }

  function refreshVote() {
    if (mode !== "votes") { vote = null; return; }
    var asked = counted;
    fetch(box.dataset.votesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (v) {
        // A dot the server counted while this answer was on its way makes the answer older than
        // what the phone shows: it would put back a dot already given. Ask again instead.
        if (asked !== counted) { refreshVote(); return; }
        vote = v.open ? { dots: v.dots, dots_left: v.dots_left, mine: v.mine || {} } : null;
        render();
      }).catch(function () {});
  }

  var pendingInterest = null;
  function markInterest(ideaId) {
    interested[ideaId] = true;
    store("-interests", interested);
    enqueue("interest", box.dataset.interestsUrl, { idea: ideaId, business: business });
  }

  businessForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = businessInput.value.trim();
    if (!name) { businessInput.focus(); return; }
    business = name;
    store("-business", business);
    // Tell the server too, so the leader sees which business this phone is.
    fetch(box.dataset.joinUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ business: business })
    }).catch(function () {});
    var asked = pendingInterest;
    if (pendingInterest !== null && mode === "interests") markInterest(pendingInterest);
    pendingInterest = null;
    render();
    // The form goes: the keyboard goes back to the idea whose button asked for it.
    var item = asked !== null && list.querySelector('[data-focus="' + asked + ':item"]');
    if (item) { item.tabIndex = -1; item.focus(); }
  });

  var lastVersion = null;
  document.addEventListener("kraftverk:state", function (event) {
    var state = event.detail, step = state.step;
    var collect = (step && step.collect) || {};
    var kinds = ((step && step.collects) || []).map(function (c) { return String(c).split(":")[0]; });
    var next = collect.votes && collect.votes.open ? "votes" : (kinds.indexOf("interests") >= 0 && state.status !== "closed" ? "interests" : null);
    revealed = !!(collect.votes && collect.votes.revealed);
    var changed = next !== mode;
    mode = next;
    box.hidden = !mode;
    if (!mode) return;
    var mark = JSON.stringify([state.step && state.step.id, collect.votes || null]);
    if (changed || mark !== lastVersion) { lastVersion = mark; refreshVote(); }
    refreshIdeas();
  });
  window.addEventListener("online", function () { backoff = 1000; flush(); });
  // Another tab of this phone queued or sent dots or interests: count them here too.
  window.addEventListener("storage", function (event) {
    if (event.key !== queue.key) return;
    queue.reload();
    render();
    flush();
  });
  window.setInterval(function () {
    if (!sending) flush();
    if (mode) refreshIdeas(); // others' new ideas (an unchanged list is a 304)
  }, 5000);
  flush();
})();

/* Speed meetings and connections on the phone: the table and whom to meet in this round, and
   "We met" to record a connection. */
(function () {
  "use strict";
  var box = document.getElementById("meeting");
  if (!box || !window.fetch) return;
  var roundLine = box.querySelector(".meeting-round");
  var tableLine = box.querySelector(".meeting-table");
  var list = box.querySelector(".meeting-list");
  var met = {};
  var lastMark = null;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function metButton(business) {
    var li = document.createElement("li");
    li.textContent = business.name + " ";
    var b = document.createElement("button");
    b.type = "button";
    b.className = met[business.id] ? "secondary small" : "small";
    b.textContent = met[business.id] ? box.dataset.textRecorded : box.dataset.textMet;
    b.setAttribute("aria-pressed", met[business.id] ? "true" : "false");
    b.disabled = !!met[business.id];
    b.addEventListener("click", function () {
      b.disabled = true;
      fetch(box.dataset.metUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ with: business.id })
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
      }).then(function (result) {
        if (result.status === 201) {
          met[business.id] = true;
          b.textContent = box.dataset.textRecorded; b.className = "secondary small"; b.setAttribute("aria-pressed", "true");
        } else { b.disabled = false; tableLine.textContent = result.body.message || String(result.status); }
      }).catch(function () { b.disabled = false; });
    });
    li.appendChild(b);
    return li;
  }

  function render(data) {
    list.textContent = "";
    roundLine.textContent = data.round ? fill(box.dataset.textRound, { n: data.round, total: data.rounds }) : "";
    if (!data.business) {
      // Without a registered business this phone can neither be paired nor say whom it met.
      // A step that only records meetings lists who is present; nobody is paired in it.
      var ask = data.present ? box.dataset.textNoBusinessMet : box.dataset.textNoBusiness;
      tableLine.textContent = data.named ? fill(box.dataset.textNotRegistered, { name: isolate(data.named) }) : ask;
      return;
    }
    if (data.table) {
      tableLine.textContent = fill(box.dataset.textTable, {
        names: data["with"].map(function (w) { return isolate(w.name); }).join(", "), table: data.table
      });
    } else tableLine.textContent = data.present ? "" : box.dataset.textWaiting;
    (data["with"] || []).concat(data.present || []).forEach(function (business) {
      list.appendChild(metButton(business));
    });
  }

  function refresh() {
    fetch(box.dataset.meetingUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () {});
  }

  document.addEventListener("kraftverk:state", function (event) {
    var state = event.detail, step = state.step, collect = (step && step.collect) || {};
    var on = state.status !== "closed" && !!(collect.pairings || collect.connections);
    box.hidden = !on;
    if (!on) return;
    var mark = JSON.stringify([step.id, collect.pairings || null]);
    if (mark !== lastMark) { lastMark = mark; refresh(); }
  });
  // A name given meanwhile (Tell us who you are) shows the table on the next look.
  window.setInterval(function () { if (!box.hidden) refresh(); }, 10000);
})();

/* The group's product sheet on the phone: one phone writes, the others see it and may take over. */
(function () {
  "use strict";
  var box = document.getElementById("product");
  if (!box || !window.fetch) return;
  var form = box.querySelector("form");
  var status = box.querySelector(".product-status");
  var group = box.querySelector(".product-group");
  var take = box.querySelector(".product-take");
  var editing = false;
  var lastStep = null;

  function show(data) {
    group.textContent = data.group || "";
    form.hidden = !data.group;
    if (!data.group) { status.textContent = box.dataset.textNoGroup; return; }
    var other = data.writer === "other";
    status.textContent = other ? box.dataset.textOther : "";
    take.hidden = !other;
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (field) {
      field.readOnly = other;
      if (!editing || other) field.value = (data.fields || {})[field.name] || "";
    });
  }

  function load() {
    fetch(box.dataset.productUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) show(data); })
      .catch(function () {});
  }

  function send(takeOver) {
    var fields = {};
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (field) { fields[field.name] = field.value; });
    fetch(box.dataset.productUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ fields: fields, take: takeOver })
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (result) {
      if (result.status === 200) { editing = false; show(result.body); status.textContent = box.dataset.textSaved; }
      else status.textContent = result.body.message || String(result.status);
    }).catch(function () { status.textContent = ""; });
  }

  form.addEventListener("input", function () { editing = true; });
  form.addEventListener("submit", function (event) { event.preventDefault(); send(false); });
  take.addEventListener("click", function () {
    Array.prototype.forEach.call(form.querySelectorAll("textarea"), function (field) { field.readOnly = false; });
    take.hidden = true; status.textContent = ""; editing = true;
    send(true);
  });

  document.addEventListener("kraftverk:state", function (event) {
    var state = event.detail, step = state.step, collect = (step && step.collect) || {};
    var on = state.status !== "closed" && !!collect.products;
    box.hidden = !on;
    if (!on) return;
    if (!editing || (step && step.id !== lastStep)) load();
    lastStep = step && step.id;
  });
})();

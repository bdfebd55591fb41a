/* The wall's ideas: they appear within a couple of seconds, exactly as typed (text only, never
   HTML), and every idea shown fits the screen. The list is fetched with a cursor, so a poll pays
   for what changed, not for the whole wall. Text shrinks with the count down to 32 px; beyond
   that the newest ideas that fit are shown and older ones rotate through in pages. Long ideas are
   cut on their card; the spotlight shows the whole text. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  var area = document.querySelector(".wall-ideas");
  if (!root || !area || !window.fetch) return;
  var listBox = area.querySelector(".wall-idea-list");
  var spotBox = area.querySelector(".wall-spotlight");
  var pageBox = area.querySelector(".wall-page");
  var SIZES = [72, 64, 56, 50, 44, 40, 36, 32]; // px, largest first; 32 is the smallest
  var SPOT_SIZES = [64, 56, 48, 42, 36, 32, 28, 24, 20];
  var ROTATE_MS = 12000;
  var url = null, etag = null, cursor = null;
  var layout = "newest", spotlight = null;
  var ideas = {}; // id -> idea
  var interests = {}, interestsMark = "{}"; // id -> {count, text}, from the step's state
  var pageStart = null; // id of the first idea on the page shown, null for the newest page
  var pageNext; // the page the rotation shows next (undefined when everything fits)

  function sorted() {
    var list = Object.keys(ideas).map(function (k) { return ideas[k]; });
    var voted = list.some(function (i) { return typeof i.votes === "number"; });
    list.sort(function (a, b) {
      if (voted && (b.votes || 0) !== (a.votes || 0)) return (b.votes || 0) - (a.votes || 0);
      if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
      return b.id - a.id;
    });
    return list;
  }

  /* The cards in display order as {idea, group} (the group only in theme or track layouts). */
  function sequence() {
    var list = sorted().filter(function (i) { return i.id !== spotlight; });
    if (layout !== "theme" && layout !== "track") {
      return { items: list.map(function (i) { return { idea: i, group: null }; }), counts: null };
    }
    var key = layout === "theme" ? "theme" : "track";
    var empty = layout === "theme" ? area.dataset.textNoTheme : area.dataset.textNoTrack;
    var groups = {}, names = [];
    list.forEach(function (i) {
      var g = i[key] || "";
      if (!groups[g]) { groups[g] = []; names.push(g); }
      groups[g].push(i);
    });
    names.sort(function (a, b) {
      if (!a !== !b) return a ? -1 : 1; // ideas without a group come last
      return groups[b].length - groups[a].length || a.localeCompare(b);
    });
    var items = [], counts = {};
    names.forEach(function (g) {
      counts[g] = { label: g || empty, count: groups[g].length };
      groups[g].forEach(function (i) { items.push({ idea: i, group: g }); });
    });
    return { items: items, counts: counts };
  }

  // Ideas are in the project's language, which may differ from the page's (WCAG 3.1.2).
  function contentLang(node) {
    var lang = area.dataset.contentLang;
    if (lang && lang !== document.documentElement.lang) node.lang = lang;
  }

  function card(idea) {
    var div = document.createElement("article");
    div.className = "wall-idea";
    div.dataset.id = idea.id;
    var p = document.createElement("p");
    p.className = "wall-idea-text";
    p.dir = "auto"; // each idea aligns by its own writing direction
    p.textContent = idea.text;
    contentLang(p);
    div.appendChild(p);
    var wanted = interests[idea.id];
    if (wanted && wanted.count) {
      // While the step collects interests: how many businesses want to work on it, no names.
      var w = document.createElement("span");
      w.className = "interests";
      w.textContent = wanted.text;
      div.appendChild(w);
    }
    if (typeof idea.votes === "number") {
      var v = document.createElement("span");
      v.className = "votes";
      // One form for 1, the other for any other count: the plural rule of all five languages.
      v.textContent = idea.votes + " " + (idea.votes === 1 ? area.dataset.textVote : area.dataset.textVotes);
      div.appendChild(v);
    }
    return div;
  }

  function heading(group, counts, more) {
    var h = document.createElement("h2");
    h.className = "wall-group";
    h.textContent = counts[group].label + " · " + counts[group].count + (more ? " …" : "");
    return h;
  }

  function outside(node, box) {
    var r = node.getBoundingClientRect();
    return r.right > box.right + 1 || r.bottom > box.bottom + 1;
  }

  /* Fill the list from `start`; returns how many ideas fit (all of them when the last one fits). */
  function fill(items, counts, start) {
    listBox.textContent = "";
    var last = null;
    for (var n = start; n < items.length; n++) {
      var entry = items[n];
      if (counts && entry.group !== last) {
        var more = n === start && n > 0 && items[n - 1].group === entry.group;
        listBox.appendChild(heading(entry.group, counts, more));
        last = entry.group;
      }
      listBox.appendChild(card(entry.idea));
    }
    var box = listBox.getBoundingClientRect();
    var cards = listBox.querySelectorAll(".wall-idea");
    if (!cards.length || !outside(cards[cards.length - 1], box)) return cards.length;
    return -1;
  }

  function cut(box) {
    // Keep the cards that lie inside; drop the rest and any heading left without a card after it.
    var nodes = Array.prototype.slice.call(listBox.children);
    var fitted = 0, dropping = false;
    nodes.forEach(function (node) {
      if (!dropping && node.classList.contains("wall-idea") && outside(node, box)) dropping = true;
      if (dropping) { listBox.removeChild(node); return; }
      if (node.classList.contains("wall-idea")) fitted += 1;
    });
    while (listBox.lastElementChild && !listBox.lastElementChild.classList.contains("wall-idea")) {
      listBox.removeChild(listBox.lastElementChild);
    }
    return Math.max(fitted, 1);
  }

  function fitSpotlight(spot) {
    spotBox.hidden = !spot;
    spotBox.textContent = spot ? spot.text : "";
    contentLang(spotBox);
    if (!spot) return;
    for (var s = 0; s < SPOT_SIZES.length; s++) {
      spotBox.style.setProperty("--spot-size", SPOT_SIZES[s] + "px");
      if (spotBox.scrollHeight <= spotBox.clientHeight + 1) return;
    }
  }

  function render() {
    var all = sorted();
    root.classList.toggle("has-ideas", all.length > 0);
    var seq = sequence(), items = seq.items;
    spotBox.style.maxHeight = items.length ? "" : "100%"; // alone, the spotlight takes the room
    fitSpotlight(ideas[spotlight] || null);
    pageNext = undefined;
    if (!items.length) { listBox.textContent = ""; pageBox.textContent = ""; return; }
    var start = 0;
    if (pageStart !== null) {
      for (var k = 0; k < items.length; k++) if (items[k].idea.id === pageStart) { start = k; break; }
    }
    var fitted = -1;
    if (start === 0) {
      for (var s = 0; s < SIZES.length && fitted < 0; s++) {
        listBox.style.setProperty("--idea-size", SIZES[s] + "px");
        fitted = fill(items, seq.counts, 0);
      }
    } else {
      listBox.style.setProperty("--idea-size", SIZES[SIZES.length - 1] + "px");
      fitted = fill(items, seq.counts, start);
    }
    if (fitted < 0) fitted = cut(listBox.getBoundingClientRect());
    var paged = start > 0 || start + fitted < items.length;
    pageBox.textContent = "";
    if (paged) {
      pageBox.textContent = area.dataset.textPage
        .replace("{first}", start + 1).replace("{last}", start + fitted).replace("{total}", items.length);
      pageNext = start + fitted < items.length ? items[start + fitted].idea.id : null;
    }
  }

  function merge(body) {
    if (Array.isArray(body)) body = { full: true, ideas: body, cursor: null };
    if (body.full) ideas = {};
    (body.ideas || []).forEach(function (idea) {
      if (idea.hidden) delete ideas[idea.id];
      else ideas[idea.id] = idea;
    });
    cursor = body.cursor || null;
    return body.full || (body.ideas || []).length > 0;
  }

  function poll() {
    if (!url) { window.setTimeout(poll, 500); return; }
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    var target = url + (cursor ? (url.indexOf("?") < 0 ? "?" : "&") + "since=" + encodeURIComponent(cursor) : "");
    fetch(target, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error(r.status);
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) { if (data && merge(data)) render(); window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  document.addEventListener("kraftverk:state", function (event) {
    var s = event.detail;
    url = s.ideas_url || url;
    var changed = (s.wall_layout || "newest") !== layout || (s.spotlight || null) !== spotlight;
    layout = s.wall_layout || "newest";
    spotlight = s.spotlight || null;
    var wanted = (s.collect && s.collect.interests && s.collect.interests.ideas) || {};
    var mark = JSON.stringify(wanted);
    if (mark !== interestsMark) { interests = wanted; interestsMark = mark; if (!changed) render(); }
    if (changed) { pageStart = null; render(); }
  });
  // The band on top grows or shrinks with the step's title and prompt: fit the ideas again.
  var lastSize = "";
  function refit() {
    var r = listBox.getBoundingClientRect(), size = Math.round(r.width) + "x" + Math.round(r.height);
    if (size !== lastSize) { lastSize = size; render(); }
  }
  if (window.ResizeObserver) new window.ResizeObserver(function () { window.requestAnimationFrame(refit); }).observe(listBox);
  else window.addEventListener("resize", refit);
  // Rotate on a steady beat, so a stream of new ideas does not hold the older pages back.
  window.setInterval(function () {
    if (pageNext === undefined) return;
    pageStart = pageNext;
    render();
  }, ROTATE_MS);
  url = area.dataset.ideasUrl || null;
  poll();
})();

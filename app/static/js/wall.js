/* The wall's ideas: appear within a couple of seconds, exactly as typed (text only, never HTML). */
(function () {
  "use strict";
  var root = document.getElementById("live");
  var area = document.querySelector(".wall-ideas");
  if (!root || !area || !window.fetch) return;
  var listBox = area.querySelector(".wall-idea-list");
  var spotBox = area.querySelector(".wall-spotlight");
  var url = null, etag = null, layout = "newest", spotlight = null, ideas = [];

  function card(idea) {
    var div = document.createElement("div");
    div.className = "wall-idea";
    div.textContent = idea.text;
    if (typeof idea.votes === "number") {
      var v = document.createElement("span");
      v.className = "votes";
      v.textContent = idea.votes + " " + area.dataset.textVotes;
      div.appendChild(v);
    }
    return div;
  }

  function render() {
    listBox.textContent = "";
    var spot = ideas.find(function (i) { return i.id === spotlight; });
    spotBox.hidden = !spot;
    spotBox.textContent = spot ? spot.text : "";
    if (layout === "newest") {
      ideas.forEach(function (i) { listBox.appendChild(card(i)); });
      return;
    }
    var key = layout === "theme" ? "theme" : "track";
    var empty = layout === "theme" ? area.dataset.textNoTheme : area.dataset.textNoTrack;
    var groups = {}, order = [];
    ideas.forEach(function (i) {
      var g = i[key] || empty;
      if (!groups[g]) { groups[g] = []; order.push(g); }
      groups[g].push(i);
    });
    order.forEach(function (g) {
      var h = document.createElement("h2");
      h.textContent = g;
      listBox.appendChild(h);
      groups[g].forEach(function (i) { listBox.appendChild(card(i)); });
    });
  }

  function poll() {
    if (!url) { window.setTimeout(poll, 500); return; }
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error(r.status);
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) { if (data) { ideas = data; render(); } window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  document.addEventListener("kraftverk:state", function (event) {
    var s = event.detail;
    url = s.ideas_url || url;
    var changed = s.wall_layout !== layout || s.spotlight !== spotlight;
    layout = s.wall_layout || "newest";
    spotlight = s.spotlight || null;
    if (changed) render();
  });
  poll();
})();

/* Live pages: follow the workshop by polling its state (ETag, so an unchanged poll is a 304).
   Phone: /api/v1/workshops/CODE. Wall and console: the leader's state. No framework. */
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

  function render(state) {
    if (state.server_time) offset = Date.parse(state.server_time) - Date.now();
    if (mode === "console") {
      if (version !== null && String(state.version) !== String(version)) { window.location.reload(); return; }
      var counts = state.counts || {};
      Object.keys(counts).forEach(function (key) {
        var dd = root.querySelector('[data-count="' + key + '"]');
        if (dd) dd.textContent = counts[key];
      });
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
      setText("prompt", state.status === "paused" ? step.prompt + " (" + root.dataset.textPaused + ")" : step.prompt);
      endsAt = step.ends_at ? Date.parse(step.ends_at) : null;
      pausedRemaining = state.status === "paused" && typeof (step.remaining_seconds !== undefined ? step.remaining_seconds : state.remaining_seconds) === "number"
        ? (step.remaining_seconds !== undefined ? step.remaining_seconds : state.remaining_seconds) : null;
    }
    var stepId = step ? step.id : null;
    if (stepId !== lastStep) { renderTracks(step); lastStep = stepId; document.dispatchEvent(new CustomEvent("kraftverk:step", { detail: state })); }
    renderAgenda(state);
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
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
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

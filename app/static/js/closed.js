/* A closed workshop's phone page. Ideas this phone had queued (ideas.js, in local storage) and
   not yet sent are sent from here: the server takes those written in a step for a while after
   the close. Whatever it no longer takes is shown, whole, so the person can copy it. When the
   leader reopens the workshop, go back to it. */
(function () {
  "use strict";
  var box = document.getElementById("closed");
  if (!box || !window.fetch) return;
  var etag = null;
  function ask() {
    var headers = { "Accept": "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(box.dataset.stateUrl, { credentials: "same-origin", headers: headers })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        if (state && state.status && state.status !== "closed") window.location.reload();
      })
      .catch(function () {});
  }
  window.setInterval(ask, 15000);

  var storeKey = "kraftverk-queue-" + box.dataset.code; // ideas.js's queue, shared by its tabs
  var queueBox = box.querySelector(".closed-queue");
  var list = box.querySelector(".queue");
  var sending = false;
  function load() {
    var stored;
    try { stored = JSON.parse(window.localStorage.getItem(storeKey) || "[]"); } catch (e) { stored = []; }
    return Array.isArray(stored) ? stored : [];
  }
  function idOf(item) { return item.id || item.key; }
  // Changed as sharedQueue (live.js) does: read again, raise the item's version, write back.
  function change(item, fields) {
    var items = load();
    items.forEach(function (q) {
      if (idOf(q) !== idOf(item)) return;
      Object.keys(fields).forEach(function (name) { q[name] = fields[name]; });
      q.version = (q.version || 0) + 1;
    });
    try { window.localStorage.setItem(storeKey, JSON.stringify(items)); } catch (e) { /* full */ }
  }

  var shown = load().filter(function (q) { return q.state !== "sent"; }).map(idOf);
  function render() {
    var items = load().filter(function (q) { return shown.indexOf(idOf(q)) >= 0; });
    queueBox.hidden = !items.length;
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "is-" + item.state;
      var text = document.createElement("span");
      text.className = "idea-text";
      text.dir = "auto";
      text.textContent = item.text;
      var state = document.createElement("span");
      state.className = "state";
      state.textContent = box.dataset["text" + item.state.charAt(0).toUpperCase() + item.state.slice(1)] +
        (item.message ? ": " + item.message : "");
      li.appendChild(text);
      li.appendChild(state);
      if (item.state === "failed") {
        var note = document.createElement("span");
        note.className = "state-note";
        note.textContent = box.dataset.textClosedCopy;
        li.appendChild(note);
      }
      list.appendChild(li);
    });
  }

  // One at a time, as ideas.js does, sent by send_idea.js with the key each idea was given.
  function flush() {
    var item = load().find(function (q) { return q.state === "waiting"; });
    if (sending || !item) return;
    sending = true;
    window.kraftverkSendIdea(box.dataset.ideasUrl, item).then(function (result) {
      sending = false;
      if (result.status === 429 || result.status >= 500) { window.setTimeout(flush, 5000); return; }
      if (result.status === 201) change(item, { state: "sent", stored: result.body.id });
      else change(item, { state: "failed", message: result.body.message || String(result.status), error: result.body.error || "" });
      render();
      flush();
    }).catch(function () {
      sending = false;
      window.setTimeout(flush, 5000);
    });
  }
  window.addEventListener("online", flush);
  window.addEventListener("storage", function (event) { if (event.key === storeKey) render(); });
  render();
  flush();
})();

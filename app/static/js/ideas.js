/* The phone's idea queue: every idea is kept in local storage until the server says it is
   stored (201), and retried with the same Idempotency-Key, so nothing is lost and nothing doubles.
   Also the idea list for dot voting and "I want to work on this". */
(function () {
  "use strict";
  var box = document.getElementById("idea-capture");
  if (!box || !window.fetch) return;
  var form = box.querySelector("form");
  var textarea = box.querySelector("textarea");
  var counter = document.getElementById("idea-count");
  var list = box.querySelector(".queue");
  var storeKey = "kraftverk-queue-" + box.dataset.code;
  var sending = false;
  var retryTimer = null;
  var backoff = 1000;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { window.localStorage.setItem(storeKey, JSON.stringify(queue.slice(-50))); } catch (e) { /* storage full: keep in memory */ }
  }
  var queue = load();

  function newKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function render() {
    list.textContent = "";
    queue.slice().reverse().forEach(function (item) {
      var li = document.createElement("li");
      li.className = "is-" + item.state;
      var text = document.createElement("span");
      text.className = "idea-text";
      text.textContent = item.text;
      var state = document.createElement("span");
      state.className = "state";
      state.textContent = box.dataset["text" + item.state.charAt(0).toUpperCase() + item.state.slice(1)] +
        (item.message ? ": " + item.message : "");
      li.appendChild(text);
      li.appendChild(state);
      list.appendChild(li);
    });
  }

  function updateCounter() {
    var used = textarea.value.length;
    var template = counter.dataset.template || "{used} / {max}";
    counter.textContent = template.replace("{used}", used).replace("{max}", textarea.maxLength);
  }

  function later(ms) {
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(flush, ms);
  }

  function flush() {
    if (sending) return;
    var item = queue.find(function (q) { return q.state === "waiting"; });
    if (!item) return;
    sending = true;
    fetch(box.dataset.ideasUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": item.key },
      body: JSON.stringify({ text: item.text })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) { return { status: response.status, body: body, retry: response.headers.get("Retry-After") }; });
    }).then(function (result) {
      sending = false;
      if (result.status === 201) {
        item.state = "sent"; item.id = result.body.id; backoff = 1000;
        save(queue); render(); flush();
      } else if (result.status === 429 || result.status === 503 || result.status >= 500) {
        later((parseInt(result.retry, 10) || 2) * 1000);
      } else {
        // The server read it and said no (closed workshop, too long...): show why, keep the text.
        item.state = "failed"; item.message = result.body.message || String(result.status);
        save(queue); render(); flush();
      }
    }).catch(function () {
      sending = false;
      backoff = Math.min(backoff * 2, 15000);
      later(backoff);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textarea.value;
    if (!text.trim()) { textarea.focus(); return; }
    queue.push({ key: newKey(), text: text, state: "waiting", at: Date.now() });
    save(queue);
    textarea.value = "";
    updateCounter();
    render();
    flush();
  });
  textarea.addEventListener("input", updateCounter);
  window.addEventListener("online", function () { backoff = 1000; flush(); });
  window.setInterval(function () { if (!sending) flush(); }, 5000);
  updateCounter();
  render();
  flush();

  /* Voting and interests: the idea list appears when the step collects votes or interests. */
  var pick = document.getElementById("idea-pick");
  var pickList = pick.querySelector(".pick-list");
  var dotsLeft = pick.querySelector(".dots-left");
  var ideasEtag = null;
  var mode = null;
  var interested = {};
  try { interested = JSON.parse(window.localStorage.getItem(storeKey + "-interests") || "{}"); } catch (e) { interested = {}; }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  }

  function showDots(left) {
    dotsLeft.textContent = left === null || left === undefined ? "" : box.dataset.textDotsLeft + ": " + left;
  }

  function renderPick(ideas) {
    pickList.textContent = "";
    ideas.forEach(function (idea) {
      var li = document.createElement("li");
      var p = document.createElement("p");
      p.className = "idea-text";
      p.textContent = idea.text;
      li.appendChild(p);
      var actions = document.createElement("div");
      actions.className = "pick-actions";
      if (mode === "votes") {
        [[1, box.dataset.textVote], [-1, box.dataset.textUnvote]].forEach(function (pair) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = pair[0] > 0 ? "small" : "secondary small";
          b.textContent = pair[1];
          b.addEventListener("click", function () {
            post(box.dataset.votesUrl, { idea: idea.id, dots: pair[0] }).then(function (r) {
              if (r.status === 201) showDots(r.body.dots_left); else dotsLeft.textContent = r.body.message || "";
            });
          });
          actions.appendChild(b);
        });
      } else {
        var b = document.createElement("button");
        b.type = "button";
        b.className = interested[idea.id] ? "secondary small" : "small";
        b.textContent = interested[idea.id] ? box.dataset.textInterested : box.dataset.textInterest;
        b.setAttribute("aria-pressed", interested[idea.id] ? "true" : "false");
        b.addEventListener("click", function () {
          var business = box.dataset.business || window.localStorage.getItem(storeKey + "-business") || "";
          if (!business) business = window.prompt(box.dataset.textBusinessPrompt) || "";
          if (!business.trim()) return;
          window.localStorage.setItem(storeKey + "-business", business);
          post(box.dataset.interestsUrl, { idea: idea.id, business: business }).then(function (r) {
            if (r.status === 201) {
              interested[idea.id] = true;
              window.localStorage.setItem(storeKey + "-interests", JSON.stringify(interested));
              b.textContent = box.dataset.textInterested; b.className = "secondary small"; b.setAttribute("aria-pressed", "true");
            }
          });
        });
        actions.appendChild(b);
      }
      li.appendChild(actions);
      pickList.appendChild(li);
    });
  }

  function refreshPick() {
    if (!mode) { pick.hidden = true; return; }
    pick.hidden = false;
    var url = box.dataset.ideasUrl;
    var headers = { "Accept": "application/json" };
    if (ideasEtag) headers["If-None-Match"] = ideasEtag;
    fetch(url, { headers: headers, credentials: "same-origin" }).then(function (r) {
      if (r.status === 304) return null;
      ideasEtag = r.headers.get("ETag");
      return r.json();
    }).then(function (ideas) { if (ideas) renderPick(ideas); }).catch(function () {});
    if (mode === "votes") {
      fetch(box.dataset.votesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (v) { showDots(v.open ? v.dots_left : null); }).catch(function () {});
    } else { showDots(null); }
  }

  document.addEventListener("kraftverk:state", function (event) {
    var step = event.detail.step;
    var collects = step ? step.collects || [] : [];
    var next = collects.indexOf("votes") >= 0 ? "votes" : (collects.indexOf("interests") >= 0 ? "interests" : null);
    if (next !== mode) { mode = next; ideasEtag = null; }
    refreshPick();
  });
})();

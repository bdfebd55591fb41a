/* The phone's idea queue: every idea is kept in local storage until the server says it is
   stored (201), and retried with the same Idempotency-Key, so nothing is lost and nothing doubles.
   Dot votes and "I want to work on this" are in live.js, with the step's other kinds. */
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
      if (item.state === "failed") {
        // Refused (a closed workshop, later reopened): the text is kept and can go again as it is.
        var again = document.createElement("button");
        again.type = "button";
        again.className = "secondary small";
        again.textContent = box.dataset.textAgain;
        again.addEventListener("click", function () {
          item.state = "waiting"; item.message = ""; item.key = newKey();
          save(queue); render(); flush();
        });
        li.appendChild(again);
      }
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
    // Spaces and invisible characters (a zero-width space from a keyboard) show nothing.
    if (!text.replace(/[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/g, "").trim()) {
      counter.textContent = box.dataset.textEmpty;
      textarea.focus();
      return;
    }
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
})();

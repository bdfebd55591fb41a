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
  var opened = {}; // ideas whose whole text is shown, by queue id
  var retryTimer = null;
  var backoff = 1000;

  // Something drawn: not a space, and not a character drawn as nothing (capture.blank on the
  // server). Browsers without Unicode property escapes check only the commonest invisibles.
  var VISIBLE;
  try {
    VISIBLE = new RegExp("[^\\s\\p{Cf}\\p{Cc}\\p{Mn}\\p{Me}\\u115F\\u1160\\u3164\\uFFA0\\u2800\\u17B4\\u17B5]", "u");
  } catch (e) {
    VISIBLE = /[^\s\u00AD\u200B-\u200F\u2060-\u2064\uFEFF]/;
  }

  // Shared by every tab of the phone (sharedQueue, in live.js, loaded before this script).
  var queue = sharedQueue(storeKey, "sent");

  function newKey() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // A text the closed workshop refused: sending it again can succeed only once the leader has
  // reopened the workshop (the state polled says so); until then it stays, whole, to be copied.
  function lostToClose(item) {
    return item.state === "failed" && item.error === "workshop_closed" && (closed || !heard);
  }

  function render() {
    keepFocus(list, function () { // in live.js
      list.textContent = "";
      queue.list().slice().reverse().forEach(draw);
    });
    showForm();
  }

  function draw(item) {
    var li = document.createElement("li");
    li.className = "is-" + item.state;
    li.setAttribute("data-focus", item.id + ":item");
    if (lostToClose(item)) opened[item.id] = true;
    var text = document.createElement("span");
    text.className = "idea-text";
    text.dir = "auto"; // each idea aligns by its own writing direction
    text.textContent = item.text;
    var state = document.createElement("span");
    state.className = "state";
    state.textContent = box.dataset["text" + item.state.charAt(0).toUpperCase() + item.state.slice(1)] +
      (item.message ? ": " + item.message : "");
    li.appendChild(text);
    var more = showAll(item.text, box.dataset, opened, item.id); // in live.js
    if (more) li.appendChild(more);
    li.appendChild(state);
    if (lostToClose(item)) {
      var note = document.createElement("span");
      note.className = "state-note";
      note.textContent = box.dataset.textClosedCopy;
      li.appendChild(note);
    } else if (item.state === "failed") {
      // Refused (too long, a closed workshop now reopened): the text is kept and can go again as it is.
      var again = document.createElement("button");
      again.type = "button";
      again.className = "secondary small";
      again.textContent = box.dataset.textAgain;
      again.setAttribute("data-focus", item.id + ":again");
      again.addEventListener("click", function () {
        queue.change(item, { state: "waiting", message: "", error: "", key: newKey() });
        render(); flush();
      });
      li.appendChild(again);
    }
    list.appendChild(li);
  }

  // A closed workshop takes no more new ideas: the form goes, and the whole box unless ideas
  // typed here are still unsent, so their text stays in sight. Those queued before the close
  // still go: the server takes them for a while, kept in the step they were written in.
  var closed = false;
  var heard = false; // a state has been polled
  var shownStep = null; // the step on the phone's screen, from the state polled
  function showForm() {
    form.hidden = closed;
    box.hidden = closed && !queue.unsent().length;
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
    var item = queue.list().find(function (q) { return q.state === "waiting"; });
    if (!item) return;
    sending = true;
    window.kraftverkSendIdea(box.dataset.ideasUrl, item).then(function (result) {
      sending = false;
      if (result.status === 201) {
        queue.change(item, { state: "sent", stored: result.body.id });
        backoff = 1000;
        render(); flush();
      } else if (result.status === 429 || result.status === 503 || result.status >= 500) {
        later((parseInt(result.retry, 10) || 2) * 1000);
      } else {
        // The server read it and said no (closed workshop, too long...): show why, keep the text.
        queue.change(item, {
          state: "failed", message: result.body.message || String(result.status), error: result.body.error || ""
        });
        render(); flush();
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
    // Spaces and characters drawn as nothing (a zero-width space from a keyboard, accents on
    // no letter, Hangul fillers) show nothing: the server refuses them too (capture.blank).
    if (!VISIBLE.test(text)) {
      counter.textContent = box.dataset.textEmpty;
      textarea.focus();
      return;
    }
    // The step on screen as it was written: a queued idea sent later still belongs to it.
    queue.add({ key: newKey(), text: text, state: "waiting", step: shownStep });
    textarea.value = "";
    updateCounter();
    render();
    flush();
  });
  document.addEventListener("kraftverk:state", function (event) {
    var changed = !heard || closed !== (event.detail.status === "closed");
    closed = event.detail.status === "closed";
    heard = true;
    if (event.detail.step && !closed) shownStep = event.detail.step.id;
    if (changed) render(); else showForm(); // lostToClose() may answer otherwise now
  });
  textarea.addEventListener("input", updateCounter);
  window.addEventListener("online", function () { backoff = 1000; flush(); });
  // Another tab of this phone changed the queue: show its ideas here too.
  window.addEventListener("storage", function (event) {
    if (event.key !== storeKey) return;
    queue.reload();
    render();
  });
  window.setInterval(function () { if (!sending) flush(); }, 5000);
  updateCounter();
  render();
  flush();
})();

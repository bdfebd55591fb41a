/* Sending one queued idea: the phone page (ideas.js) and a closed workshop's page (closed.js)
   send the same request, with the key the idea was given when it was queued, so a retry is
   never stored twice. Resolves to the answer's status, body (or {}) and Retry-After. */
window.kraftverkSendIdea = function (url, item) {
  "use strict";
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": item.key },
    body: JSON.stringify(typeof item.step === "number" ? { text: item.text, step: item.step } : { text: item.text })
  }).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { status: response.status, body: body, retry: response.headers.get("Retry-After") };
    });
  });
};

/* A closed workshop's phone page: when the leader reopens the workshop, go back to it. */
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
})();

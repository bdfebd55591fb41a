/* This phone has answered the form: remember it on the phone only (never sent anywhere), so the
   workshop page can say "You have answered" instead of asking again. */
(function () {
  "use strict";
  var box = document.getElementById("answered");
  if (!box) return;
  try { window.localStorage.setItem("kraftverk-answered:" + box.dataset.formUrl, "1"); } catch (e) { /* private mode */ }
})();

// Polls the digest build's status and moves the progress bar; shows the download when done.
(function () {
  "use strict";
  var card = document.getElementById("progress-card");
  if (!card) { return; }
  var url = card.getAttribute("data-status-url");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var link = document.getElementById("download");
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.style.width = s.progress + "%";
        text.textContent = s.state_label + " " + s.progress + "% " + (s.step || "") + (s.error ? " " + s.error : "");
        if (s.download) {
          link.href = s.download;
          link.hidden = false;
        } else if (s.state !== "failed") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
}());

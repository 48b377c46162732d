// Polls a job's status (workflow.jobs.Job.status) and moves its progress bar.
// When the job ends: shows the download link if there is one, or reloads the page
// (data-reload) so it shows the outcome.
(function () {
  "use strict";
  var card = document.getElementById("progress-card");
  if (!card) { return; }
  var url = card.getAttribute("data-status-url");
  var reload = card.hasAttribute("data-reload");
  var bar = document.getElementById("progress-bar");
  var text = document.getElementById("progress-text");
  var link = document.getElementById("download");
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.style.width = s.progress + "%";
        text.textContent = s.state_label + " " + s.progress + "% " + (s.step || "") + (s.error ? " " + s.error : "");
        if (s.finished && reload) {
          window.location.reload();
        } else if (s.download && link) {
          link.href = s.download;
          link.hidden = false;
        } else if (!s.finished) {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
}());

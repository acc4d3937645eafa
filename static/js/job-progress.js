/* A job's page (templates/jobs/job_detail.html) follows its job: it asks the job's status as
   JSON every second, moves the progress bar, and reloads the page once the job has finished,
   which then shows the file or the message. A file, not inline script: the
   Content-Security-Policy runs scripts from this site only. */
(function () {
  "use strict";
  var section = document.querySelector("[data-job-status]");
  if (!section || section.getAttribute("data-job-finished") === "true") {
    return;
  }
  var url = section.getAttribute("data-job-status");
  var bar = section.querySelector("progress");
  var percent = section.querySelector("[data-job-percent]");
  var state = section.querySelector("[data-job-state]");
  var INTERVAL = 1000;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (status) {
        bar.value = status.progress;
        bar.textContent = status.progress + "%";
        percent.textContent = status.progress + "%";
        state.textContent = status.state_label;
        if (status.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL);
        }
      })
      .catch(function () {
        // A network hiccup or a restarting server: ask again, less often.
        window.setTimeout(poll, 5 * INTERVAL);
      });
  }

  window.setTimeout(poll, INTERVAL);
})();

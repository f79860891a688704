// Musharaka admin: small progressive enhancements; every page works without them.
"use strict";

// Forms marked data-confirm ask before submitting (switching an account off, cancelling).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Broadcast composer: the number of recipients follows the audience as it is chosen.
function setUpAudienceCount(form) {
  const output = document.getElementById("audience-count");
  if (!output) return;
  let pending = null;
  const refresh = () => {
    const params = new URLSearchParams();
    const kind = form.querySelector("input[name=kind]:checked");
    params.set("kind", kind ? kind.value : "everyone");
    form.querySelectorAll(".values").forEach((block) => {
      const active = kind && block.dataset.kind === kind.value;
      block.classList.toggle("inactive", !active);
      if (!active) return;
      block.querySelectorAll("input[name=values]:checked").forEach((box) => params.append("values", box.value));
    });
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.dataset.countUrl + "?" + params.toString(), { signal: pending.signal, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => { if (data) output.textContent = data.text; })
      .catch(() => {});
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "kind" || event.target.name === "values") refresh();
  });
  refresh();
}

// A broadcast's page: the progress follows the sending until it is finished.
function setUpProgress(section) {
  const number = new Intl.NumberFormat(document.documentElement.lang);
  const poll = () => {
    fetch(section.dataset.progressUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        for (const field of ["recipients", "sent", "failed", "skipped", "remaining"]) {
          const cell = section.querySelector(`[data-field="${field}"]`);
          if (cell) cell.textContent = number.format(data[field]);
        }
        const bar = document.getElementById("progress-bar");
        if (bar) bar.value = data.percent;
        const status = document.getElementById("broadcast-status");
        if (status) status.textContent = data.status_text;
        if (!data.finished) window.setTimeout(poll, 2000);
      })
      .catch(() => window.setTimeout(poll, 5000));
  };
  if (!section.dataset.finished) window.setTimeout(poll, 2000);
}

// A case in the inbox: say so when someone else answered (or the resident wrote) meanwhile.
function setUpCaseWatch(section) {
  const poll = () => {
    fetch(section.dataset.stateUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data && String(data.version) !== section.dataset.version) {
          const moved = document.getElementById("case-moved");
          if (moved) moved.hidden = false;
          return;
        }
        window.setTimeout(poll, 10000);
      })
      .catch(() => window.setTimeout(poll, 20000));
  };
  window.setTimeout(poll, 10000);
}

document.addEventListener("DOMContentLoaded", () => {
  const caseLive = document.getElementById("case-live");
  if (caseLive && caseLive.dataset.stateUrl) setUpCaseWatch(caseLive);
  const compose = document.getElementById("compose");
  if (compose) setUpAudienceCount(compose);
  const progress = document.getElementById("progress");
  if (progress && progress.dataset.progressUrl) setUpProgress(progress);
});

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

// archivekg: the query page's one behaviour. Choosing an example query puts its text in the query box.
// Served from /static/ (the Content-Security-Policy allows no inline script); the page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var examples = document.getElementById("examples");
  if (!examples) return;
  examples.addEventListener("change", function () {
    if (examples.value && examples.form && examples.form.elements.query) {
      examples.form.elements.query.value = examples.value;
    }
  });
});

// Hearth's additions to the browsable API, served as a file so the site's
// Content-Security-Policy (scripts from our own origin only) allows them.
(function () {
  "use strict";
  // The Filters form submits only the fields filled in: an empty field means
  // "not filtered", and a URL with a dozen empty parameters helps nobody.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("hearth-filters")) {
      return;
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) {
        return;
      }
      var empty = field.tagName === "SELECT" && field.multiple
        ? field.selectedOptions.length === 0
        : field.value === "";
      if (empty) {
        field.disabled = true;
      }
    });
    // Re-enable them after the browser has read the form, for the back button.
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        field.disabled = false;
      });
    }, 0);
  });
})();

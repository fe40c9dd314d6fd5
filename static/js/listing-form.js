/*
 * Listing form: show the licence type only when the intent is a licence (progressive
 * enhancement). A hidden select is also disabled, so it is not sent; without JavaScript
 * the field is always shown and the service says when it does not apply.
 */
(function () {
  "use strict";

  function init(form) {
    var intent = form.querySelector('[name="intent"]');
    var licence = form.querySelector('[name="licence_type"]');
    if (!intent || !licence) {
      return;
    }
    var field = licence.closest(".field") || licence.parentNode;

    function sync() {
      var isLicence = intent.value === "licence";
      field.hidden = !isLicence;
      licence.disabled = !isLicence;
    }

    intent.addEventListener("change", sync);
    sync();
  }

  function start() {
    var forms = document.querySelectorAll("form.listing-form");
    for (var i = 0; i < forms.length; i += 1) {
      init(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

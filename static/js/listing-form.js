/*
 * Listing form: show the licence type only when the intent is a licence (progressive
 * enhancement). A hidden select is also disabled, so it is not sent; without JavaScript
 * the field is always shown and the service says when it does not apply.
 *
 * For a pledge listing, the assets a pledge cannot take (not granted yet, or pledged
 * already: marked data-not-for-pledge, their note says why) cannot be ticked either; one
 * ticked already stays as it is, and the service's message explains on saving.
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

    var notForPledge = form.querySelectorAll('input[data-not-for-pledge]');
    // Disabled by the server (lapsed, in another listing): never enabled here.
    for (var i = 0; i < notForPledge.length; i += 1) {
      notForPledge[i].setAttribute("data-server-disabled", notForPledge[i].disabled ? "1" : "");
    }

    function sync() {
      var isLicence = intent.value === "licence";
      field.hidden = !isLicence;
      licence.disabled = !isLicence;
      var isPledge = intent.value === "pledge";
      for (var j = 0; j < notForPledge.length; j += 1) {
        var box = notForPledge[j];
        var blocked = box.getAttribute("data-server-disabled") === "1" || (isPledge && !box.checked);
        box.disabled = blocked;
        var label = box.closest("label");
        if (label) {
          label.classList.toggle("is-unavailable", blocked);
        }
      }
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

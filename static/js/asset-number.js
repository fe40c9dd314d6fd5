/*
 * Live check of an IP asset's number while it is typed (progressive enhancement).
 *
 * The form carries data-number-check-url; the server answers
 * {"valid": bool, "normalised": "…", "message": "…"} in the page's language. The message
 * goes into a polite live region in the number field's help area, so screen readers hear
 * it without losing focus. Without JavaScript the form works the same: the server checks
 * the number again when it is saved. No library, no build step.
 */
(function () {
  "use strict";

  var DELAY_MS = 350;

  function init(form) {
    var url = form.getAttribute("data-number-check-url");
    var number = form.querySelector('[name="number"]');
    var kind = form.querySelector('[name="kind"]');
    if (!url || !number || !kind || !window.fetch) {
      return;
    }

    // The live region sits in the field's help area, right after the help text.
    var status = document.createElement("p");
    status.id = (number.id || "id_number") + "_check";
    status.className = "help number-check";
    status.setAttribute("aria-live", "polite");
    var help = document.getElementById(number.id + "_helptext");
    var anchor = help || number;
    anchor.parentNode.insertBefore(status, anchor.nextSibling);
    var described = (number.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(status.id);
    number.setAttribute("aria-describedby", described.join(" "));

    var timer = null;
    var controller = null;
    var lastQuery = null;

    function show(text, state) {
      status.textContent = text;
      status.classList.remove("is-valid", "is-invalid");
      if (state) {
        status.classList.add(state);
      }
    }

    function check() {
      var value = number.value.trim();
      if (!value || !kind.value) {
        lastQuery = null;
        show("", null);
        return;
      }
      var query = "kind=" + encodeURIComponent(kind.value) + "&number=" + encodeURIComponent(value);
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?" + query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          show(data.message || "", data.valid ? "is-valid" : "is-invalid");
        })
        .catch(function () {
          // Offline, signed out or aborted: say nothing; the server checks on save.
          lastQuery = null;
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, DELAY_MS);
    }

    number.addEventListener("input", schedule);
    number.addEventListener("blur", check);
    kind.addEventListener("change", check);
  }

  function start() {
    var forms = document.querySelectorAll("form[data-number-check-url]");
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

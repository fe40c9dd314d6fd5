// The header's account menu is a <details>: it opens and closes without this script. This
// only closes it, as a menu is expected to, on Escape (focus back on its summary) and on a
// click anywhere outside it.
(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll("details.account-menu[open]");
  }

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    openMenus().forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();

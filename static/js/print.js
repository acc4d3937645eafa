/* Every <button data-print> prints the page: a listener from this file, since the
   Content-Security-Policy runs no inline handler (onclick="..."). */
(function () {
  "use strict";
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

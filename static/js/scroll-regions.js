/* A table wider than its card scrolls sideways inside its .table-wrap. Someone without a mouse
   can scroll it only if the wrapper takes the focus (WCAG 2.1.1), so a wrapper that overflows
   becomes focusable, and a named region when its table has a caption. One that fits adds no
   tab stop; the check is repeated when the window changes size. */
(function () {
  "use strict";

  function update() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        const caption = wrap.querySelector("caption");
        if (caption && caption.textContent.trim()) {
          wrap.setAttribute("role", "region");
          wrap.setAttribute("aria-label", caption.textContent.replace(/\s+/g, " ").trim());
        }
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
})();

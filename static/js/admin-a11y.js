/* Names for the admin's controls that Django leaves without one, for screen readers:
   - a tabular inline's fields sit under a column header, with no <label>: each gets its
     column's name (aria-label);
   - an autocomplete box (select2) gets the name of the <select> it stands for, on its combobox
     and its search field;
   - select2 puts its "remove all" cross directly in a list of choices: it is wrapped in a list
     item, where its click handler (delegated by select2) still finds it.
   Autocomplete boxes and inline rows are added after the page loads, so a MutationObserver
   repeats the work on every change. */
(function () {
  "use strict";

  function columnName(control) {
    const cell = control.closest("td");
    const table = control.closest("table");
    if (!cell || !table) return "";
    const header = table.querySelectorAll("thead tr:first-child th")[cell.cellIndex];
    return header ? header.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function controlName(control) {
    if (control.id) {
      const label = document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
      if (label && label.textContent.trim()) return label.textContent.replace(/\s+/g, " ").trim();
    }
    return columnName(control);
  }

  function nameInlineFields(root) {
    root.querySelectorAll(".tabular td input:not([type=hidden]), .tabular td select, .tabular td textarea")
      .forEach(function (control) {
        if (control.labels && control.labels.length) return;
        if (control.hasAttribute("aria-label")) return;
        const name = columnName(control);
        if (name) control.setAttribute("aria-label", name);
      });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const box = select.nextElementSibling;
      if (!box || !box.classList.contains("select2")) return;
      const name = controlName(select);
      if (!name) return;
      box.querySelectorAll(
        ".select2-selection[role=combobox], .select2-selection__rendered[role=textbox], .select2-search__field"
      ).forEach(function (element) {
        if (element.getAttribute("aria-label") !== name) element.setAttribute("aria-label", name);
      });
      box.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")
        .forEach(function (cross) {
          const item = document.createElement("li");
          cross.before(item);
          item.append(cross);
        });
    });
  }

  function fix() {
    nameInlineFields(document);
    nameAutocompletes(document);
  }

  document.addEventListener("DOMContentLoaded", function () {
    fix();
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
})();

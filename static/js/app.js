// Small page behaviours, loaded from a file (the CSP forbids inline scripts). Every page works
// without them; they add a confirmation before what cannot be undone, select-all boxes and
// sortable table columns.
(function () {
  "use strict";

  // <form data-confirm="…"> or <button data-confirm="…">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // <input type="checkbox" data-select-all="selected">: (un)ticks every box named "selected"
  // in its form, and shows itself ticked when all of them are.
  function boxesFor(master) {
    var scope = master.form || document;
    return Array.prototype.filter.call(
      scope.querySelectorAll('input[type="checkbox"][name="' + master.getAttribute("data-select-all") + '"]'),
      function (box) { return box !== master; }
    );
  }
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    master.addEventListener("change", function () {
      boxesFor(master).forEach(function (box) { box.checked = master.checked; });
    });
    boxesFor(master).forEach(function (box) {
      box.addEventListener("change", function () {
        master.checked = boxesFor(master).every(function (b) { return b.checked; });
      });
    });
  });

  // <button data-formset-add="ms" data-formset-template="…" data-formset-rows="…">: adds an
  // empty row of a Django formset in place (the rows appear before saving, not after).
  document.querySelectorAll("button[data-formset-add]").forEach(function (button) {
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(button.getAttribute("data-formset-template"));
    var rows = document.getElementById(button.getAttribute("data-formset-rows"));
    if (!total || !template || !rows) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); }
    });
  });

  // <a data-fill-contacts="ID">: fills the contact forms (prefix = role) from the JSON in the
  // element ID, in place; without the script the link reloads the page with them filled in.
  document.querySelectorAll("a[data-fill-contacts]").forEach(function (link) {
    var source = document.getElementById(link.getAttribute("data-fill-contacts"));
    if (!source) { return; }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var contacts = JSON.parse(source.textContent);
      Object.keys(contacts).forEach(function (role) {
        Object.keys(contacts[role]).forEach(function (name) {
          var input = document.getElementById("id_" + role + "-" + name);
          if (input) { input.value = contacts[role][name]; }
        });
      });
    });
  });

  // <table class="sortable">: a header with data-sort ("text", "number" or "date") becomes a
  // button sorting the table's body by that column; aria-sort says which way.
  function cellValue(row, index, kind) {
    var cell = row.children[index];
    var raw = cell ? (cell.getAttribute("data-value") || cell.textContent).trim() : "";
    if (kind === "number") {
      var n = parseFloat(raw.replace(/[^0-9.\-]/g, ""));
      return isNaN(n) ? -Infinity : n;
    }
    return raw;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    table.querySelectorAll("thead th[data-sort]").forEach(function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var kind = th.getAttribute("data-sort");
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.hasAttribute("data-no-sort"); });
        rows.sort(function (a, b) {
          var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
          var order = kind === "number" ? x - y : String(x).localeCompare(String(y), "zh-Hans-CN");
          return ascending ? order : -order;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
}());

// Progressive enhancement only: every page works without this file.
"use strict";

(function () {
  // Suggestions while typing: fields marked data-suggest ask the service for taxonomy entries.
  // A field with data-list holds several items (one per line, or separated by , or ;):
  // only the item being typed is completed.
  var SEPARATORS = /[\n;,]/;
  var counter = 0;

  function currentItem(field) {
    if (!field.dataset.list) {
      return { start: 0, text: field.value };
    }
    var before = field.value.slice(0, field.selectionStart);
    var start = 0;
    for (var i = before.length - 1; i >= 0; i--) {
      if (SEPARATORS.test(before[i])) { start = i + 1; break; }
    }
    return { start: start, text: before.slice(start).replace(/^\s+/, "") };
  }

  function attach(field) {
    counter += 1;
    var list = document.createElement("ul");
    list.id = "suggest-" + counter;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("role", "combobox");
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-expanded", "false");
    field.setAttribute("aria-controls", list.id);
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      field.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function accept(name) {
      if (field.dataset.list) {
        var item = currentItem(field);
        var after = field.value.slice(field.selectionStart);
        var head = field.value.slice(0, item.start);
        var spacer = head && !/\n$/.test(head) ? " " : "";
        var tail = after.replace(/^[^\n;,]*/, "");
        var added = head + spacer + name + (tail ? "" : "\n");
        field.value = added + tail;
        field.setSelectionRange(added.length, added.length);
      } else {
        field.value = name;
      }
      close();
      field.focus();
    }

    function show(names) {
      list.textContent = "";
      active = -1;
      if (!names.length) { close(); return; }
      names.forEach(function (name, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = name;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          accept(name);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      field.setAttribute("aria-expanded", "true");
    }

    function ask() {
      var text = currentItem(field).text.trim();
      if (text.length < 2) { close(); return; }
      var ticket = ++asked;
      var url = field.dataset.suggest + "?q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (body) { if (ticket === asked) { show(body.suggestions || []); } })
        .catch(function () { close(); });
    }

    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    field.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { event.preventDefault(); close(); }
      else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        accept(list.querySelectorAll("[role=option]")[active].textContent);
      }
    });
    field.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function selectOnFocus(field) {
    field.addEventListener("focus", function () { field.select(); });
  }

  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-suggest]").forEach(attach);
    document.querySelectorAll("input.copyable").forEach(selectOnFocus);
    focusErrors();
  });
})();

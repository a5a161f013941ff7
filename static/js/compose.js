/*
 * Journal Club: help while writing a comment. The forms work without this file (the hint
 * states the length limit and handles are shown on profiles and comments); with it:
 *
 * - a live character counter against the limit (data-limit on the textarea). A text over
 *   the limit is never cut: the counter says by how much, and the server refuses it;
 * - @mention suggestions: typing "@" and a few letters lists members by display name and
 *   handle (data-mentions: the URL answering ?q= with <li role="option"> items). Up and
 *   down move through them, Enter or Tab inserts "@handle ", Escape closes the list.
 *
 * Forms arrive by htmx as well as with the page, so everything is delegated to the
 * document rather than bound to each textarea.
 */
(function () {
  "use strict";

  var MENTION = /(^|[\s(])@([\w.-]{1,30})$/;
  var formatNumber = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function part(textarea, suffix) {
    return document.getElementById(textarea.id + suffix);
  }

  // --- The counter ---------------------------------------------------------------------
  var announce = {};

  function count(textarea) {
    var counter = part(textarea, "-count");
    var limit = parseInt(textarea.dataset.limit, 10);
    if (!counter || !limit) return;
    var left = limit - textarea.value.length;
    var over = left < 0;
    var amount = Math.abs(left);
    var template = over
      ? amount === 1 ? counter.dataset.overOne : counter.dataset.over
      : amount === 1 ? counter.dataset.leftOne : counter.dataset.left;
    counter.textContent = template.replace("%(count)s", formatNumber.format(amount));
    counter.hidden = false;
    counter.classList.toggle("char-count--over", over);
    counter.classList.toggle("char-count--near", !over && left < limit / 10);
    textarea.setAttribute("aria-invalid", over ? "true" : "false");
    // Screen readers hear the count once typing pauses, and only near or over the limit.
    clearTimeout(announce[textarea.id]);
    if (over || left < limit / 10) {
      announce[textarea.id] = setTimeout(function () {
        var status = part(textarea, "-status");
        if (status) status.textContent = counter.textContent;
      }, 1000);
    }
  }

  function setupCounters(root) {
    root.querySelectorAll("textarea[data-limit]").forEach(function (textarea) {
      var counter = part(textarea, "-count");
      if (!counter) return;
      var described = (textarea.getAttribute("aria-describedby") || "").split(" ");
      if (described.indexOf(counter.id) < 0) {
        described.push(counter.id);
        textarea.setAttribute("aria-describedby", described.join(" ").trim());
      }
      count(textarea);
    });
  }

  // --- Mentions --------------------------------------------------------------------------
  var pending = null;

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function close(textarea) {
    var list = part(textarea, "-mentions");
    if (!list || list.hidden) return;
    list.hidden = true;
    list.innerHTML = "";
    textarea.removeAttribute("aria-activedescendant");
    textarea.removeAttribute("aria-controls");
  }

  function highlight(textarea, option) {
    var list = part(textarea, "-mentions");
    options(list).forEach(function (item) {
      item.setAttribute("aria-selected", item === option ? "true" : "false");
    });
    if (option) {
      textarea.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  function typedMention(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = MENTION.exec(before);
    return match ? match[2] : null;
  }

  function suggest(textarea) {
    var typed = typedMention(textarea);
    var list = part(textarea, "-mentions");
    if (!typed || !list || !textarea.dataset.mentions) {
      close(textarea);
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    var url = textarea.dataset.mentions + "?q=" + encodeURIComponent(typed);
    fetch(url, { signal: pending.signal, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (typedMention(textarea) !== typed) return; // typing moved on meanwhile
        list.innerHTML = html;
        options(list).forEach(function (item) {
          item.id = textarea.id + "-" + item.id; // unique when several forms are open
        });
        list.hidden = false;
        textarea.setAttribute("aria-controls", list.id);
        var found = options(list);
        highlight(textarea, found[0] || null);
        var status = part(textarea, "-status");
        if (status && found.length) {
          status.textContent =
            found.length === 1
              ? status.dataset.optionOne
              : status.dataset.options.replace("%(count)s", found.length);
        }
      })
      .catch(function () {
        /* aborted or offline: the list simply does not appear */
      });
  }

  function insert(textarea, option) {
    var handle = option.dataset.handle;
    var start = textarea.selectionStart;
    var before = textarea.value.slice(0, start).replace(/@[\w.-]*$/, "@" + handle + " ");
    textarea.value = before + textarea.value.slice(start);
    textarea.setSelectionRange(before.length, before.length);
    close(textarea);
    textarea.focus();
    count(textarea);
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-limit]")) return;
    count(textarea);
    suggest(textarea);
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-mentions]")) return;
    var list = part(textarea, "-mentions");
    if (!list || list.hidden) return;
    var found = options(list);
    var current = found.indexOf(list.querySelector("[aria-selected=true]"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!found.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight(textarea, found[(current + step + found.length) % found.length]);
    } else if ((event.key === "Enter" || event.key === "Tab") && current >= 0) {
      event.preventDefault();
      insert(textarea, found[current]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(textarea);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".mention-options [role=option]");
    if (!option) return;
    event.preventDefault(); // keep the focus (and the caret) in the textarea
    var textarea = document.getElementById(option.closest(".mention-options").id.replace(/-mentions$/, ""));
    if (textarea) insert(textarea, option);
  });

  document.addEventListener("focusout", function (event) {
    var textarea = event.target;
    if (textarea.matches && textarea.matches("textarea[data-mentions]")) {
      setTimeout(function () {
        if (document.activeElement !== textarea) close(textarea);
      }, 150);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupCounters(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    setupCounters(event.detail.target || document);
  });
})();

/*
 * Journal Club: small enhancements for discussion threads. The site works without this
 * file; with it, replies can be collapsed (long ones start collapsed), the paper's panels
 * stay as the reader left them, quotes take the selected text, and htmx errors are
 * explained next to the form instead of being silently dropped.
 *
 * Its strings come from Django's JavaScript catalogue (the "javascript-catalog" script,
 * locale/<language>/LC_MESSAGES/djangojs.po), loaded before this file.
 */
(function () {
  "use strict";

  // A page without the catalogue (or whose catalogue failed to load) shows the English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  // --- Collapse and expand reply trees ---------------------------------------------
  // A long conversation under a reply starts folded to "N more replies" (a list nested
  // in a reply with COLLAPSE_NESTED comments or more, or the replies to an answer with
  // more than COLLAPSE_REPLIES), unless it holds something new to the reader or the
  // comment the address points to.
  var COLLAPSE_NESTED = 3;
  var COLLAPSE_REPLIES = 8;

  function moreLabel(count) {
    return interpolate(
      ngettext("Show %(count)s more reply", "Show %(count)s more replies", count),
      { count: count },
      true
    );
  }

  function setExpanded(button, list, expanded) {
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    list.hidden = !expanded;
    button.textContent = expanded
      ? gettext("Hide replies")
      : moreLabel(list.querySelectorAll("article.comment").length);
  }

  function setupToggles(root) {
    root.querySelectorAll(".thread-toggle[hidden]").forEach(function (button) {
      var list = document.getElementById(button.getAttribute("aria-controls"));
      if (!list) return;
      button.hidden = false;
      var count = list.querySelectorAll("article.comment").length;
      var nested = !!list.parentElement.closest("ol.replies");
      var id = window.location.hash.slice(1);
      var target = id && document.getElementById(id);
      target = target && list.contains(target);
      var long = nested ? count >= COLLAPSE_NESTED : count > COLLAPSE_REPLIES;
      if (long && !target && !list.querySelector(".thread__item--new, .comment--own")) {
        setExpanded(button, list, false);
      }
    });
  }

  // Following a link to a comment inside a folded list unfolds it.
  function reveal(hash) {
    var target = hash && document.getElementById(hash.slice(1));
    if (!target) return;
    var list = target.closest("ol.replies[hidden]");
    while (list) {
      var button = document.querySelector('.thread-toggle[aria-controls="' + list.id + '"]');
      if (button) setExpanded(button, list, true);
      list = list.parentElement.closest("ol.replies[hidden]");
    }
    var panel = target.closest("details:not([open])");
    if (panel) panel.open = true;
  }
  window.addEventListener("hashchange", function () {
    reveal(window.location.hash);
  });

  // --- The paper's panels (abstract, record, citation) stay as the reader left them ---
  function remember(name, open) {
    try {
      window.localStorage.setItem("journal-club:panel:" + name, open ? "open" : "closed");
    } catch (error) {
      /* storage refused (private mode): the panel simply starts closed next time */
    }
  }

  function setupPanels() {
    document.querySelectorAll("details[data-remember]").forEach(function (panel) {
      var stored = null;
      try {
        stored = window.localStorage.getItem("journal-club:panel:" + panel.dataset.remember);
      } catch (error) {
        stored = null;
      }
      if (stored === "open") panel.open = true;
      panel.addEventListener("toggle", function () {
        remember(panel.dataset.remember, panel.open);
      });
    });
  }

  // --- Where the reader is: the question on screen is marked in the questions' list ----
  // The last question whose top has passed a third of the window, or the last of all once
  // the page is scrolled to its end (a short last question never reaches that third); a
  // question just jumped to, while it fills the window.
  function setupWhereAmI() {
    var links = document.querySelectorAll(".toc__link");
    var sections = document.querySelectorAll("section.question");
    if (!links.length || !sections.length) return;
    var pending = false;
    function mark() {
      pending = false;
      var line = window.innerHeight / 3;
      var current = null;
      sections.forEach(function (section) {
        if (section.getBoundingClientRect().top <= line) current = section.id;
      });
      var end = document.documentElement;
      if (window.innerHeight + window.scrollY >= end.scrollHeight - 2 && current) {
        current = sections[sections.length - 1].id;
      }
      // A question the reader just jumped to stays theirs while it is on screen.
      var jumped = window.location.hash && document.getElementById(window.location.hash.slice(1));
      if (jumped && jumped.matches("section.question")) {
        var box = jumped.getBoundingClientRect();
        if (box.top < window.innerHeight && box.bottom > line) current = jumped.id;
      }
      links.forEach(function (link) {
        if (current && link.getAttribute("href") === "#" + current) {
          link.setAttribute("aria-current", "location");
        } else {
          link.removeAttribute("aria-current");
        }
      });
    }
    window.addEventListener(
      "scroll",
      function () {
        if (!pending) {
          pending = true;
          window.requestAnimationFrame(mark);
        }
      },
      { passive: true }
    );
    mark();
  }

  // The questions menu on a phone closes once a question is chosen.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".toc--menu a");
    var menu = link && link.closest("details");
    if (menu) menu.open = false;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".thread-toggle");
    if (button) {
      var list = document.getElementById(button.getAttribute("aria-controls"));
      if (!list) return;
      setExpanded(button, list, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    var cancel = event.target.closest(".reply-cancel");
    if (cancel && cancel.dataset.slot) {
      var slot = document.getElementById(cancel.dataset.slot);
      if (slot && slot.contains(cancel)) {
        event.preventDefault();
        slot.innerHTML = "";
      }
    }
  });

  // --- Comment actions, in place ------------------------------------------------------
  // The actions of a comment are plain links and buttons (the buttons post through the
  // page's one form, #actions, which holds the CSRF token), so they work without this
  // file. With it, htmx answers them in place: a reply form opens under the comment, an
  // edit or delete form takes the comment's place, and a button's answer replaces the
  // comment (or, for following a thread, the button).
  function commentOf(elt) {
    return elt.closest("article.comment");
  }

  // Where a comment's reply form opens: a slot under it (before its replies), added on
  // first use, in a thread where the reader may reply (the thread's data-replies).
  function replySlot(comment) {
    var id = "reply-slot-" + comment.id.replace("comment-", "");
    var slot = document.getElementById(id);
    var item = comment.parentElement;
    if (slot || !comment.closest("[data-replies]") || !item) return slot;
    slot = document.createElement("div");
    slot.className = "reply-slot";
    slot.id = id;
    item.insertBefore(slot, item.querySelector(":scope > ol.replies"));
    return slot;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".comment__actions a.reply, .comment__actions a.in-place");
    if (!link || !window.htmx || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var comment = commentOf(link);
    if (!comment) return;
    event.preventDefault();
    if (link.classList.contains("reply")) {
      var slot = replySlot(comment);
      if (!slot) {
        window.location.href = link.href; // the reader may not reply here: the reply page says why
        return;
      }
      window.htmx.ajax("GET", link.href, { source: link, target: slot, swap: "innerHTML" });
    } else {
      window.htmx.ajax("GET", link.href, { source: link, target: comment, swap: "outerHTML" });
    }
  });

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (event.target.id !== "actions" || !button || !window.htmx) return;
    var target = button.name === "follow" ? button : commentOf(button); // following swaps the button
    if (!target) return;
    event.preventDefault();
    var values = {};
    if (button.name) values[button.name] = button.value;
    window.htmx.ajax("POST", button.formAction, {
      source: button,
      target: target,
      swap: "outerHTML",
      values: values,
    });
  });

  // --- Quote the selected part of a comment -----------------------------------------
  document.addEventListener("htmx:configRequest", function (event) {
    var link = event.detail.elt;
    if (!link.classList || !link.classList.contains("quote")) return;
    var comment = commentOf(link);
    var body = comment && comment.querySelector(".comment__body");
    var selection = window.getSelection();
    if (body && selection && !selection.isCollapsed && body.contains(selection.anchorNode)) {
      event.detail.parameters.selection = selection.toString();
    }
  });

  // --- After a swap: focus the form that opened, or the comment that arrived --------
  document.addEventListener("htmx:afterSettle", function (event) {
    setupToggles(document);
    var target = event.detail.target;
    if (!target) return;
    var textarea = target.querySelector && target.querySelector("textarea");
    if (textarea && target.classList.contains("reply-slot")) {
      textarea.focus();
      var end = textarea.value.length;
      textarea.setSelectionRange(end, end);
    }
  });

  // The server names a comment it just added or changed: bring it into view.
  document.addEventListener("commentPosted", function (event) {
    var comment = document.getElementById("comment-" + event.detail.id);
    if (!comment) return;
    comment.setAttribute("tabindex", "-1");
    comment.scrollIntoView({ block: "center" });
    comment.focus({ preventScroll: true });
  });

  // --- Errors: say what happened, next to the form, and keep what was typed ----------
  function statusFor(elt) {
    var form = elt.closest("form") || elt;
    return form.querySelector(".form-status") || document.querySelector("#htmx-status");
  }

  function showError(elt, message) {
    var status = statusFor(elt);
    if (!status) {
      window.alert(message);
      return;
    }
    status.textContent = message;
    status.classList.add("form-status--error");
    status.setAttribute("role", "alert");
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = xhr.getResponseHeader("X-Message");
    showError(
      event.detail.elt,
      message
        ? decodeURIComponent(message)
        : gettext("That did not work. Nothing was saved; reload the page and try again.")
    );
  });

  document.addEventListener("htmx:sendError", function (event) {
    showError(
      event.detail.elt,
      gettext("We could not reach the server. Nothing was sent; your text is still here.")
    );
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupToggles(document);
    setupPanels();
    setupWhereAmI();
    reveal(window.location.hash);
  });
})();

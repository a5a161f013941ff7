/*
 * Journal Club: small enhancements for discussion threads. The site works without this
 * file; with it, replies can be collapsed, quotes take the selected text, and htmx
 * errors are explained next to the form instead of being silently dropped.
 */
(function () {
  "use strict";

  // --- Collapse and expand reply trees ---------------------------------------------
  function setupToggles(root) {
    root.querySelectorAll(".thread-toggle[hidden]").forEach(function (button) {
      if (document.getElementById(button.getAttribute("aria-controls"))) {
        button.hidden = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".thread-toggle");
    if (button) {
      var list = document.getElementById(button.getAttribute("aria-controls"));
      if (!list) return;
      var expanded = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", expanded ? "false" : "true");
      button.textContent = expanded ? button.dataset.show : button.dataset.hide;
      list.hidden = expanded;
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
    showError(event.detail.elt, message ? decodeURIComponent(message) : document.body.dataset.errorGeneric);
  });

  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, document.body.dataset.errorNetwork);
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupToggles(document);
  });
})();

/*
 * Journal Club: "Copy reference" buttons. A button with data-copy-target="#id" copies
 * the text of that element. Without JavaScript the buttons stay hidden and the reference
 * is plain text on the page, ready to be selected.
 */
(function () {
  "use strict";

  // Strings from Django's JavaScript catalogue ("javascript-catalog", djangojs.po); a page
  // without it shows the English.
  var gettext = window.gettext || function (text) { return text; };

  function announce(button, message) {
    var status = button.parentElement.querySelector("[role=status]");
    if (status) status.textContent = message;
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copy(button) {
    var target = document.querySelector(button.dataset.copyTarget);
    if (!target) return;
    var text = target.innerText.trim();
    var done = function () { announce(button, gettext("Reference copied")); };
    var failed = function () {
      selectText(target);
      announce(button, gettext("Select the reference and copy it."));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, failed);
    } else {
      // Plain HTTP (a local server): the Clipboard API is not available there.
      selectText(target);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      if (copied) { done(); } else { failed(); }
    }
  }

  function setUp() {
    document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

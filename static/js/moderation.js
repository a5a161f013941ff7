/*
 * Journal Club: keyboard shortcuts and the selection count of the review queue.
 *
 *   j / k   next / previous comment        a   approve (or keep and dismiss flags)
 *   x       select or unselect it          h   write the reason to hide it
 *   r       restore a hidden comment       o   open its replies and history
 *   s       suspend its author             ?   show the list of shortcuts
 *
 * Every shortcut presses a control that is on the page anyway (a button, a link, a
 * checkbox), so the page works the same without JavaScript. Shortcuts never fire while
 * typing in a field, nor with Ctrl, Alt or Cmd held (those belong to the browser).
 */
(function () {
  "use strict";

  // Strings from Django's JavaScript catalogue ("javascript-catalog", djangojs.po); a page
  // without it shows the English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

  var root, items, current = -1;

  // Fields that take text: there a letter is a letter. (A focused checkbox or button is not
  // one: the keys still work there.)
  var NOT_TEXT = ["checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"];

  function typing(target) {
    if (!target || !target.closest) return false;
    if (target.isContentEditable || target.closest("textarea, select, [contenteditable]")) return true;
    return target.tagName === "INPUT" && NOT_TEXT.indexOf((target.type || "text").toLowerCase()) < 0;
  }

  function setCurrent(index, focus) {
    if (!items.length) return;
    index = Math.max(0, Math.min(items.length - 1, index));
    if (current >= 0 && items[current]) items[current].classList.remove("is-current");
    current = index;
    var item = items[current];
    item.classList.add("is-current");
    if (focus) {
      item.focus({ preventScroll: true });
      item.scrollIntoView({ block: "nearest", behavior: "auto" });
    }
  }

  function currentItem() {
    return current >= 0 ? items[current] : null;
  }

  function press(selector) {
    var item = currentItem();
    var control = item && item.querySelector(selector);
    if (!control) return false;
    control.click();
    return true;
  }

  function updateCount() {
    var boxes = root.querySelectorAll("[data-select]");
    var chosen = root.querySelectorAll("[data-select]:checked").length;
    var count = root.querySelector("[data-selected-count]");
    if (count) {
      count.textContent =
        chosen === 0
          ? gettext("None selected")
          : interpolate(ngettext("%(count)s selected", "%(count)s selected", chosen), { count: chosen }, true);
    }
    var bar = root.querySelector(".modq-bulk");
    if (bar) bar.classList.toggle("has-selection", chosen > 0);
    var all = root.querySelector("[data-select-all]");
    if (all) {
      all.checked = chosen > 0 && chosen === boxes.length;
      all.indeterminate = chosen > 0 && chosen < boxes.length;
    }
  }

  function showKeys() {
    var dialog = document.getElementById("modq-keys");
    if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var dialog = document.getElementById("modq-keys");
    if (dialog && dialog.open) return; // the dialog handles its own keys (Escape closes)
    if (event.key === "Escape" && event.target.matches && event.target.matches("[data-key=hide]")) {
      // Out of the reason field, back to the item, to carry on with the keys.
      var owner = event.target.closest("[data-item]");
      event.target.blur();
      if (owner) setCurrent(items.indexOf(owner), true);
      return;
    }
    if (typing(event.target)) return;
    var handled = true;
    switch (event.key) {
      case "j":
        setCurrent(current + 1, true);
        break;
      case "k":
        setCurrent(current < 0 ? 0 : current - 1, true);
        break;
      case "x": {
        var item = currentItem();
        var box = item && item.querySelector("[data-select]");
        if (box) {
          box.checked = !box.checked;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
        break;
      }
      case "a":
        handled = press("[data-key=approve]");
        break;
      case "r":
        handled = press("[data-key=restore]");
        break;
      case "o":
        handled = press("[data-key=open]");
        break;
      case "s":
        handled = press("[data-key=suspend]");
        break;
      case "h": {
        var field = currentItem() && currentItem().querySelector("[data-key=hide]");
        if (field) field.focus();
        else handled = false;
        break;
      }
      case "?":
        showKeys();
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  }

  function start() {
    root = document.querySelector("[data-modq]");
    if (!root) return;
    items = Array.prototype.slice.call(root.querySelectorAll("[data-item]"));

    // After a decision the page comes back at the next item (#item-<id>): start there.
    var target = location.hash && document.getElementById(location.hash.slice(1));
    var start = target ? items.indexOf(target) : -1;
    if (start >= 0) setCurrent(start, true);

    root.addEventListener("focusin", function (event) {
      var item = event.target.closest && event.target.closest("[data-item]");
      if (item) setCurrent(items.indexOf(item), false);
    });
    root.addEventListener("change", function (event) {
      if (event.target.matches("[data-select-all]")) {
        root.querySelectorAll("[data-select]").forEach(function (box) {
          box.checked = event.target.checked;
        });
      }
      if (event.target.matches("[data-select], [data-select-all]")) updateCount();
    });
    root.querySelectorAll("[data-keys-open], [data-select-all-wrap]").forEach(function (element) {
      element.hidden = false;
    });
    var opener = root.querySelector("[data-keys-open]");
    if (opener) opener.addEventListener("click", showKeys);
    updateCount();
    document.addEventListener("keydown", onKey);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/*
 * Journal Club: help while writing a comment. The forms work without this file (a plain
 * textarea; the hint states the Markdown and the length limit; the "Preview" button asks
 * the server); with it, each form's composer (templates/discussions/_comment_forms.html)
 * gets:
 *
 * - a formatting toolbar (role="toolbar": one Tab stop, arrow keys move along it) that puts
 *   Markdown around the selection, and Ctrl/Cmd+B, I, K and E in the textarea. The edits
 *   go through the browser's own editing, so Ctrl+Z undoes them; lists continue on Enter;
 * - a live preview beside the text on wide screens (below it on narrow ones), rendered by
 *   the server with the renderer posting uses (discussions:comment-preview), asked for
 *   400 ms after typing stops. Markdown is never rendered here;
 * - a draft kept in localStorage, per form (its action URL: each question's answer, each
 *   reply, each edit), restored when the form opens again ("Draft restored · Discard"), and
 *   dropped once the comment is posted: for htmx, when the server's answer names the new
 *   comment (commentPosted); for a plain post, when the page that follows is the comment's
 *   address and not the form with its errors. A text the server sent back in the form
 *   (refused, or previewed: data-bound) wins over a draft, and becomes the draft;
 * - a live character counter against the limit (data-limit on the textarea). A text over
 *   the limit is never cut: the counter says by how much, and the server refuses it;
 * - @mention suggestions: typing "@" and a few letters lists members by display name and
 *   handle (data-mentions: the URL answering ?q= with <li role="option"> items). Up and
 *   down move through them, Enter or Tab inserts "@handle ", Escape closes the list.
 *
 * Every string shown comes from Django's JavaScript catalogue (the "javascript-catalog"
 * script, locale/<language>/LC_MESSAGES/djangojs.po), loaded before this file. Forms
 * arrive by htmx as well as with the page, so everything is delegated to the document
 * rather than bound to each textarea; nothing here needs an inline script or style.
 */
(function () {
  "use strict";

  // A page without the catalogue (or whose catalogue failed to load) shows the English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, count) { return count === 1 ? one : many; };
  var pgettext = window.pgettext || function (context, text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
  };

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
      ? ngettext("You have %(count)s character too many", "You have %(count)s characters too many", amount)
      : ngettext("You have %(count)s character left", "You have %(count)s characters left", amount);
    counter.textContent = interpolate(template, { count: formatNumber.format(amount) }, true);
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
          // One member: Enter mentions them; several: the arrows choose first.
          status.textContent =
            found.length === 1
              ? gettext("1 member matches. Press Enter to mention them.")
              : interpolate(
                  ngettext(
                    "%(count)s member matches. Use the up and down arrows, then Enter.",
                    "%(count)s members match. Use the up and down arrows, then Enter.",
                    found.length
                  ),
                  { count: found.length },
                  true
                );
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
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // counter, preview, draft
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

  // --- The composer: formatting ---------------------------------------------------------
  var PLATFORM = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "";
  var IS_MAC = /mac|iphone|ipad|ipod/i.test(PLATFORM);
  var LIST_ITEM = /^(\s*)([-*+]|(\d+)[.)])(\s+)(.*)$/;

  function composerOf(element) {
    return element.closest(".composer");
  }

  function enhanced(textarea) {
    var composer = composerOf(textarea);
    return composer && composer.classList.contains("composer--ready") ? composer : null;
  }

  // Replace value[start:end] with text, then select [selStart, selEnd). The browser's own
  // insertText keeps the undo history and fires "input" (counter, preview, draft follow).
  function replace(textarea, start, end, text, selStart, selEnd) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var done = false;
    if (text || start !== end) {
      try {
        done = text
          ? document.execCommand("insertText", false, text)
          : document.execCommand("delete", false);
      } catch (error) {
        done = false;
      }
      if (!done || textarea.value.slice(start, start + text.length) !== text) {
        textarea.setRangeText(text, start, end, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
    textarea.setSelectionRange(selStart, selEnd);
  }

  // The selection without the spaces at its ends ("**word** ", not "**word **").
  function trimmedSelection(textarea) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    while (start < end && /\s/.test(value[start])) start++;
    while (end > start && /\s/.test(value[end - 1])) end--;
    return { start: start, end: end, text: value.slice(start, end) };
  }

  // **bold**, _italic_, `code`, $maths$: added around the selection, or taken away again.
  function wrap(textarea, before, after) {
    var value = textarea.value;
    var sel = trimmedSelection(textarea);
    var outside =
      value.slice(sel.start - before.length, sel.start) === before &&
      value.slice(sel.end, sel.end + after.length) === after;
    if (outside && (before !== "_" || value[sel.start - 2] !== "_")) {
      replace(textarea, sel.start - before.length, sel.end + after.length, sel.text,
        sel.start - before.length, sel.end - before.length);
      return;
    }
    var inside = sel.text.length >= before.length + after.length &&
      sel.text.slice(0, before.length) === before &&
      sel.text.slice(sel.text.length - after.length) === after;
    if (inside && sel.text.length > before.length + after.length) {
      var bare = sel.text.slice(before.length, sel.text.length - after.length);
      replace(textarea, sel.start, sel.end, bare, sel.start, sel.start + bare.length);
      return;
    }
    replace(textarea, sel.start, sel.end, before + sel.text + after,
      sel.start + before.length, sel.end + before.length);
  }

  // The whole lines the selection touches.
  function selectedLines(textarea) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    if (end > textarea.selectionStart && value[end - 1] === "\n") end--;
    var lineEnd = value.indexOf("\n", end);
    if (lineEnd < 0) lineEnd = value.length;
    return { start: start, end: lineEnd, lines: value.slice(start, lineEnd).split("\n") };
  }

  // A blank line before and after a new block, so that Markdown does not join it to the
  // paragraph around it.
  function spacing(value, start, end) {
    var before = value.slice(0, start);
    var after = value.slice(end);
    return {
      before: !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n",
      after: !after || /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n",
    };
  }

  // ```code``` and $$maths$$ blocks, for a selection of several lines.
  function fence(textarea, marker) {
    var value = textarea.value;
    var block = selectedLines(textarea);
    var text = block.lines.join("\n");
    var above = value.slice(0, block.start).match(new RegExp("(^|\\n)" + escapeRegExp(marker) + "[^\\n]*\\n$"));
    var below = value.slice(block.end).match(new RegExp("^\\n" + escapeRegExp(marker) + "(\\n|$)"));
    if (above && below) {
      var from = block.start - above[0].length + above[1].length;
      var to = block.end + below[0].length - below[1].length;
      replace(textarea, from, to, text, from, from + text.length);
      return;
    }
    var space = spacing(value, block.start, block.end);
    var opening = space.before + marker + "\n";
    replace(textarea, block.start, block.end, opening + text + "\n" + marker + space.after,
      block.start + opening.length, block.start + opening.length + text.length);
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // > quotes and lists: each line of the selection gets its marker, or loses it if every
  // line has it already (a bulleted list becomes a numbered one, and so on).
  var LINE_FORMATS = {
    quote: { pattern: /^> ?/, marker: function () { return "> "; }, empty: ">" },
    bullets: { pattern: /^\s*[-*+]\s+/, marker: function () { return "- "; } },
    numbers: { pattern: /^\s*\d+[.)]\s+/, marker: function (n) { return n + ". "; } },
  };

  function prefixLines(textarea, kind) {
    var format = LINE_FORMATS[kind];
    var value = textarea.value;
    var caret = textarea.selectionStart === textarea.selectionEnd ? textarea.selectionStart : null;
    var block = selectedLines(textarea);
    var filled = block.lines.filter(function (line) { return line.trim(); });
    var undo = filled.length > 0 && filled.every(function (line) { return format.pattern.test(line); });
    var number = 0;
    var lines = block.lines.map(function (line) {
      if (undo) return line.replace(format.pattern, "");
      if (!line.trim()) return format.empty || line;
      number += 1;
      var bare = kind === "quote" ? line : line.replace(LIST_ITEM, "$1$5");
      return format.marker(number) + bare;
    });
    var text = lines.join("\n");
    var space = undo ? { before: "", after: "" } : spacing(value, block.start, block.end);
    // A quote or list right after another line of its own kind continues it.
    var previous = value.slice(0, block.start).replace(/\n$/, "").split("\n").pop();
    if (!undo && previous && format.pattern.test(previous)) space.before = "";
    var start = block.start + space.before.length;
    if (caret !== null && block.lines.length === 1) {
      var moved = Math.max(start, caret + space.before.length + text.length - block.lines[0].length);
      replace(textarea, block.start, block.end, space.before + text + space.after, moved, moved);
    } else {
      replace(textarea, block.start, block.end, space.before + text + space.after, start, start + text.length);
    }
  }

  function link(textarea) {
    var sel = trimmedSelection(textarea);
    if (/^(https?:\/\/|mailto:)\S+$/i.test(sel.text)) {
      // A bare address: it becomes the target, and the caret waits for the link's text.
      replace(textarea, sel.start, sel.end, "[](" + sel.text + ")", sel.start + 1, sel.start + 1);
    } else if (!sel.text) {
      replace(textarea, sel.start, sel.end, "[](https://)", sel.start + 1, sel.start + 1);
    } else {
      // The text is the link's; "https://" is selected, for the address pasted over it.
      var after = sel.start + sel.text.length + 3;
      replace(textarea, sel.start, sel.end, "[" + sel.text + "](https://)", after, after + 8);
    }
  }

  function format(textarea, kind) {
    var multiline = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd).indexOf("\n") >= 0;
    if (kind === "bold") wrap(textarea, "**", "**");
    else if (kind === "italic") wrap(textarea, "_", "_");
    else if (kind === "link") link(textarea);
    else if (kind === "code") {
      var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
      if (multiline) fence(textarea, "```");
      else if (selected.indexOf("`") >= 0) wrap(textarea, "`` ", " ``");
      else wrap(textarea, "`", "`");
    } else if (kind === "maths") {
      if (multiline) fence(textarea, "$$");
      else wrap(textarea, "$", "$");
    } else if (LINE_FORMATS[kind]) prefixLines(textarea, kind);
  }

  // Enter on a list item starts the next one; on an empty item, ends the list.
  function continueList(textarea, event) {
    if (textarea.selectionStart !== textarea.selectionEnd) return;
    var value = textarea.value;
    var caret = textarea.selectionStart;
    var lineStart = value.lastIndexOf("\n", caret - 1) + 1;
    var item = LIST_ITEM.exec(value.slice(lineStart, caret));
    if (!item || value.slice(caret).split("\n")[0].trim()) return;
    event.preventDefault();
    if (!item[5].trim()) {
      replace(textarea, lineStart, caret, "", lineStart, lineStart);
      return;
    }
    var marker = item[3] ? parseInt(item[3], 10) + 1 + item[2].slice(-1) : item[2];
    var next = "\n" + item[1] + marker + item[4];
    replace(textarea, caret, caret, next, caret + next.length, caret + next.length);
  }

  // --- The toolbar -----------------------------------------------------------------------
  function tools(toolbar) {
    return Array.prototype.slice.call(toolbar.querySelectorAll(".composer__tool"));
  }

  function setupToolbar(toolbar) {
    // The buttons come once per page (<template id="composer-tools">): a copy for each.
    var buttons = document.getElementById("composer-tools");
    if (!toolbar.querySelector(".composer__tool")) {
      if (!buttons) return; // no toolbar here: the plain textarea
      toolbar.appendChild(buttons.content.cloneNode(true));
    }
    var modifier = IS_MAC ? "\u2318" : pgettext("keyboard key", "Ctrl") + "+";
    tools(toolbar).forEach(function (button, index) {
      button.tabIndex = index === 0 ? 0 : -1;
      if (button.dataset.key) button.title += " (" + modifier + button.dataset.key + ")";
    });
    toolbar.hidden = false;
  }

  function textareaFor(toolbar) {
    return document.getElementById(toolbar.getAttribute("aria-controls"));
  }

  function rove(toolbar, button) {
    tools(toolbar).forEach(function (each) {
      each.tabIndex = each === button ? 0 : -1;
    });
  }

  document.addEventListener("mousedown", function (event) {
    // Clicking a tool leaves the focus, and so the selection, in the textarea.
    if (event.target.closest && event.target.closest(".composer__tool")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".composer__tool");
    if (!button) return;
    var toolbar = button.closest(".composer__toolbar");
    var textarea = textareaFor(toolbar);
    if (!textarea) return;
    rove(toolbar, button);
    format(textarea, button.dataset.format);
  });

  document.addEventListener("keydown", function (event) {
    var toolbar = event.target.closest && event.target.closest(".composer__toolbar");
    if (!toolbar) return;
    var all = tools(toolbar);
    var index = all.indexOf(event.target.closest(".composer__tool"));
    var next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = all[(index + 1) % all.length];
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = all[(index - 1 + all.length) % all.length];
    else if (event.key === "Home") next = all[0];
    else if (event.key === "End") next = all[all.length - 1];
    else if (event.key === "Escape") next = textareaFor(toolbar);
    if (!next) return;
    event.preventDefault();
    if (next.classList.contains("composer__tool")) rove(toolbar, next);
    next.focus();
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (event.defaultPrevented || event.isComposing) return; // the mention list had it
    if (!textarea.matches || !textarea.matches("textarea") || !enhanced(textarea)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
      continueList(textarea, event);
      return;
    }
    if (!(IS_MAC ? event.metaKey : event.ctrlKey) || event.altKey || event.shiftKey) return;
    if (!/^[a-z]$/i.test(event.key)) return;
    var toolbar = enhanced(textarea).querySelector(".composer__toolbar");
    var button = toolbar && toolbar.querySelector('[data-key="' + event.key.toUpperCase() + '"]');
    if (!button) return;
    event.preventDefault();
    format(textarea, button.dataset.format);
  });

  // --- The live preview ------------------------------------------------------------------
  var PREVIEW_FAILED = gettext(
    "The preview could not be updated just now. Your text is safe, and posting works as usual."
  );
  var previewTimers = {};
  var previewRequests = {};

  function previewNote(section, text, error) {
    var note = document.createElement("p");
    note.className = "preview__note" + (error ? " preview__note--error" : "");
    note.textContent = text;
    section.querySelector(".prose").replaceChildren(note);
  }

  function previewSoon(textarea, delay) {
    clearTimeout(previewTimers[textarea.id]);
    previewTimers[textarea.id] = setTimeout(function () {
      updatePreview(textarea);
    }, delay);
  }

  function updatePreview(textarea) {
    var section = part(textarea, "-preview");
    if (!textarea.isConnected || !section || !section.dataset.url || section.hidden) return;
    if (previewRequests[textarea.id]) previewRequests[textarea.id].abort();
    var empty = !textarea.value.trim();
    section.classList.toggle("preview--empty", empty);
    if (empty) {
      section.removeAttribute("aria-busy");
      previewNote(section, gettext("Nothing to preview yet: the text appears here as it will be posted."), false);
      return;
    }
    var controller = new AbortController();
    previewRequests[textarea.id] = controller;
    var data = new FormData();
    data.append("body", textarea.value);
    var token = textarea.form && textarea.form.querySelector("[name=csrfmiddlewaretoken]");
    if (token) data.append("csrfmiddlewaretoken", token.value);
    section.setAttribute("aria-busy", "true");
    fetch(section.dataset.url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: controller.signal,
    })
      .then(function (response) {
        if (response.ok && !response.redirected) return response.text();
        var message = response.headers.get("X-Message"); // a rate limit says how long to wait
        var error = new Error(message ? decodeURIComponent(message) : PREVIEW_FAILED);
        error.refusal = true;
        throw error;
      })
      .then(function (html) {
        section.querySelector(".prose").innerHTML = html; // the server's sanitised HTML
        // A preview taller than its pane scrolls: the keyboard must be able to reach it.
        if (section.scrollHeight > section.clientHeight) section.tabIndex = 0;
        else section.removeAttribute("tabindex");
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        previewNote(section, error.refusal ? error.message : PREVIEW_FAILED, true);
      })
      .finally(function () {
        if (previewRequests[textarea.id] === controller) {
          delete previewRequests[textarea.id];
          section.removeAttribute("aria-busy");
        }
      });
  }

  // --- Drafts ----------------------------------------------------------------------------
  var DRAFT = "journal-club:draft:"; // + the form's action path: {body, saved}
  var POSTING = "journal-club:posting:"; // + the action path: a plain post on its way
  var DRAFT_DAYS = 30;
  var store = (function () {
    try {
      window.localStorage.setItem(DRAFT, "");
      window.localStorage.removeItem(DRAFT);
      return window.localStorage;
    } catch (error) {
      return null; // storage off or full: the composer works without drafts
    }
  })();

  function formKey(form) {
    var action = form && form.getAttribute("action");
    return action ? new URL(action, window.location.href).pathname : null;
  }

  function readDraft(key) {
    try {
      var draft = JSON.parse(store.getItem(DRAFT + key));
      if (!draft || typeof draft.body !== "string") return null;
      if (Date.now() - draft.saved > DRAFT_DAYS * 86400000) {
        store.removeItem(DRAFT + key);
        return null;
      }
      return draft;
    } catch (error) {
      return null;
    }
  }

  function writeDraft(key, body) {
    try {
      store.setItem(DRAFT + key, JSON.stringify({ body: body, saved: Date.now() }));
      return true;
    } catch (error) {
      return false;
    }
  }

  function dropDraft(key) {
    if (!store || !key) return;
    store.removeItem(DRAFT + key);
    store.removeItem(POSTING + key);
  }

  var DRAFT_NOTES = { restored: gettext("Draft restored"), saved: gettext("Draft saved in this browser") };

  function draftNote(composer, state) {
    var note = composer.querySelector(".composer__draft");
    if (!note) return;
    note.hidden = !state;
    if (state) note.querySelector(".composer__draft-text").textContent = DRAFT_NOTES[state];
    note.dataset.state = state || "";
  }

  var draftTimers = {};

  function saveDraft(textarea) {
    var composer = enhanced(textarea);
    var key = composer && composer.dataset.draftKey;
    if (!key) return;
    var value = textarea.value;
    // What the form opened with (an edit's text, a quotation) is no draft; what the
    // server sent back is (it has not been posted).
    if (value.trim() && (composer.hasAttribute("data-bound") || value !== textarea.defaultValue)) {
      if (writeDraft(key, value) && composer.querySelector(".composer__draft").dataset.state !== "restored") {
        draftNote(composer, "saved");
      }
    } else {
      store.removeItem(DRAFT + key);
      draftNote(composer, null);
    }
  }

  function restoreDraft(composer, textarea) {
    var key = composer.dataset.draftKey;
    if (composer.hasAttribute("data-bound")) {
      // The server kept what was typed (a refused or previewed comment): it wins.
      if (textarea.value.trim()) writeDraft(key, textarea.value);
      store.removeItem(POSTING + key);
      return;
    }
    var draft = readDraft(key);
    if (!draft || draft.body === textarea.value) return;
    if (!draft.body.trim()) {
      dropDraft(key);
      return;
    }
    textarea.value = draft.body;
    var end = textarea.value.length;
    textarea.setSelectionRange(end, end);
    draftNote(composer, "restored");
  }

  // After a plain post (the pages of their own, without htmx): the comment went in if the
  // page that follows is its address, not the form again with its errors.
  function settlePlainPosts() {
    if (!store) return;
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      if (store.key(i).indexOf(POSTING) === 0) keys.push(store.key(i));
    }
    keys.forEach(function (item) {
      var key = item.slice(POSTING.length);
      var since = parseInt(store.getItem(item), 10);
      store.removeItem(item);
      var sentBack = Array.prototype.some.call(
        document.querySelectorAll(".composer[data-bound]"),
        function (composer) { return formKey(composer.closest("form")) === key; }
      );
      if (!sentBack && Date.now() - since < 600000 && /^#comment-\d+$/.test(window.location.hash)) {
        dropDraft(key);
      }
    });
  }

  document.addEventListener("click", function (event) {
    var discard = event.target.closest && event.target.closest(".composer__discard");
    if (!discard) return;
    var composer = composerOf(discard);
    var textarea = composer.querySelector("textarea");
    dropDraft(composer.dataset.draftKey);
    // Back to what the form opened with; Ctrl+Z brings the draft back.
    var initial = composer.hasAttribute("data-bound") ? "" : textarea.defaultValue;
    composer.removeAttribute("data-bound");
    draftNote(composer, null);
    replace(textarea, 0, textarea.value.length, initial, initial.length, initial.length);
  });

  document.addEventListener("submit", function (event) {
    var composer = event.target.querySelector && event.target.querySelector(".composer--ready");
    if (!composer || !store || !composer.dataset.draftKey) return;
    var textarea = composer.querySelector("textarea");
    clearTimeout(draftTimers[textarea.id]);
    delete unsaved[textarea.id];
    saveDraft(textarea); // the latest text, in case this page goes before the timer
    var previewing = event.submitter && event.submitter.name === "preview";
    if (!event.defaultPrevented && !previewing) {
      // A plain post (htmx would have prevented it): settled on the next page.
      store.setItem(POSTING + composer.dataset.draftKey, String(Date.now()));
    }
  });

  // Which draft an htmx request may settle, noted while its form is still in the page (once
  // the answer swaps the form out, htmx:afterRequest reaches the document from elsewhere).
  var sending = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.tagName === "FORM" && form.querySelector(".composer")) {
      sending.set(event.detail.xhr, formKey(form));
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    var key = xhr && sending.get(xhr);
    if (!key) return;
    sending.delete(xhr);
    var after = xhr.getResponseHeader("HX-Trigger-After-Settle") || "";
    if (event.detail.successful && after.indexOf("commentPosted") >= 0) dropDraft(key);
  });

  // --- Setting up, and following the text --------------------------------------------------
  function setupComposer(composer) {
    var textarea = composer.querySelector("textarea");
    var form = composer.closest("form");
    if (!textarea || !form) return;
    composer.classList.add("composer--ready");
    var toolbar = composer.querySelector(".composer__toolbar");
    if (toolbar) setupToolbar(toolbar);
    var key = formKey(form);
    if (store && key) {
      composer.dataset.draftKey = key;
      restoreDraft(composer, textarea);
    }
    var section = part(textarea, "-preview");
    if (section && section.dataset.url && window.fetch) {
      var served = section.querySelector(".prose").children.length > 0;
      section.hidden = false;
      composer.classList.add("composer--live");
      if (!served) updatePreview(textarea);
    }
    count(textarea);
  }

  function setup() {
    setupCounters(document);
    document.querySelectorAll(".composer:not(.composer--ready)").forEach(setupComposer);
  }

  var unsaved = {}; // textarea id -> textarea, typed in since its draft was last saved

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea") || !enhanced(textarea)) return;
    previewSoon(textarea, 400);
    clearTimeout(draftTimers[textarea.id]);
    unsaved[textarea.id] = textarea;
    draftTimers[textarea.id] = setTimeout(function () {
      delete unsaved[textarea.id];
      saveDraft(textarea);
    }, 300);
  });

  // Leaving the page (a reload, a link) keeps even the last few keystrokes.
  window.addEventListener("pagehide", function () {
    Object.keys(unsaved).forEach(function (id) {
      clearTimeout(draftTimers[id]);
      if (unsaved[id].isConnected) saveDraft(unsaved[id]);
      delete unsaved[id];
    });
  });

  // --- The language of the text: a hint, never a decision ----------------------------
  // A few of each language's commonest words. A text that uses far more of one language's
  // than of the other's, while its form says the other, is offered a one-click correction;
  // once the writer chooses a language themselves, the hint stays quiet.
  var COMMON_WORDS = {
    en: "the and of to is are that this with for we it not be have what our you they was".split(" "),
    fr: "le la les des et est une un que qui pour dans pas nous sur avec ce du au ou vous ils".split(" "),
  };
  var languageTimers = {};

  function guessLanguage(text) {
    var words = text.toLowerCase().match(/[a-zà-öø-ÿœ]+/g) || [];
    var counts = Object.keys(COMMON_WORDS).map(function (code) {
      var common = COMMON_WORDS[code];
      return { code: code, count: words.filter(function (word) { return common.indexOf(word) !== -1; }).length };
    });
    counts.sort(function (a, b) { return b.count - a.count; });
    if (counts[0].count >= 5 && counts[0].count >= 3 * counts[1].count) return counts[0].code;
    return null;
  }

  function languageHint(textarea) {
    var form = textarea.closest("form");
    var select = form && form.querySelector("select[name=language]");
    if (!select || select.dataset.chosen) return;
    var hint = form.querySelector(".language-hint");
    var guess = guessLanguage(textarea.value);
    var option = guess && guess !== select.value && select.querySelector('option[value="' + guess + '"]');
    if (!option) {
      if (hint) hint.hidden = true;
      return;
    }
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "language-hint";
      hint.setAttribute("role", "status");
      select.parentNode.appendChild(hint);
    }
    hint.textContent = interpolate(gettext("This reads like %(language)s."), { language: option.textContent }, true) + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = interpolate(gettext("Mark it as %(language)s"), { language: option.textContent }, true);
    button.addEventListener("click", function () {
      select.value = guess;
      select.dataset.chosen = "1";
      hint.hidden = true;
      select.focus();
    });
    hint.appendChild(button);
    hint.hidden = false;
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-limit]")) return;
    clearTimeout(languageTimers[textarea.id]);
    languageTimers[textarea.id] = setTimeout(function () { languageHint(textarea); }, 600);
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[name=language]")) return;
    select.dataset.chosen = "1";
    var hint = select.closest("form").querySelector(".language-hint");
    if (hint) hint.hidden = true;
  });

  document.addEventListener("DOMContentLoaded", function () {
    settlePlainPosts();
    setup();
  });
  document.addEventListener("htmx:afterSettle", setup);
})();

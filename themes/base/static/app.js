// Progressive enhancement only: every page works without this file.
// Live markdown preview for forms marked data-preview.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-preview]");
  forms.forEach(function (form) {
    var area = form.querySelector("textarea[name=body]");
    var csrf = form.querySelector("input[name=csrf]");
    if (!area || !csrf || !window.fetch) return;
    var box = form.querySelector(".preview");
    if (!box) {
      box = document.createElement("div");
      box.className = "preview live";
      box.setAttribute("aria-live", "polite");
      box.setAttribute("aria-label", "Preview");
      var inner = document.createElement("div");
      inner.className = "body";
      box.appendChild(inner);
      area.insertAdjacentElement("afterend", box);
      box.hidden = true;
    }
    var timer = null;
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!area.value.trim()) { box.hidden = true; return; }
        fetch("/api/v1/preview", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf.value },
          body: JSON.stringify({ body: area.value })
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
          if (!j) return;
          // The server returns sanitised HTML from the same policy as saved posts.
          box.querySelector(".body").innerHTML = j.html;
          box.hidden = false;
        }).catch(function () {});
      }, 350);
    });
  });
})();

// counted words a count with the plural message whose forms el carries as
// JSON in data-NAME (the page's language, from the catalogue), picked by the
// browser's CLDR rules for the page's language.
function counted(el, name, n) {
  "use strict";
  var lang = document.documentElement.lang || "en", forms = {};
  try { forms = JSON.parse(el.dataset[name] || "{}"); } catch (e) { forms = {}; }
  var cat = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) : (n === 1 ? "one" : "other");
  var form = forms[cat] || forms.other || "{{.Count}}";
  return form.replace("{{.Count}}", n.toLocaleString(lang));
}

// ---- discovery: similar solved questions while asking ----
// As the asker types a title, ask GET /api/v1/similar and list the most
// similar solved threads in the Ask page's #similar section. Links go
// through /ask/similar/{id}, which records the open. Without JavaScript the
// "Check for similar questions" button does the same on the server.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar]");
  var title = document.getElementById("title");
  if (!box || !title || !window.fetch) return;
  var list = box.querySelector(".similar-list");
  var timer = null, last = "";
  // Published knowledge-base articles come first, marked as articles.
  function showArticles(articles) {
    articles.forEach(function (x) {
      var li = document.createElement("li");
      li.className = "similar-article";
      var badge = document.createElement("span");
      badge.className = "badge badge-article";
      badge.textContent = box.getAttribute("data-article");
      li.appendChild(badge);
      li.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = x.url;
      a.textContent = x.title;
      li.appendChild(a);
      list.appendChild(li);
    });
  }
  function show(items, articles) {
    while (list.firstChild) list.removeChild(list.firstChild);
    articles = articles || [];
    if (!items.length && !articles.length) { box.hidden = true; return; }
    showArticles(articles);
    items.forEach(function (t) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = t.open_url;
      a.textContent = t.title; // text, never HTML: titles are member text
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + counted(box, "replies", t.reply_count);
      li.appendChild(meta);
      list.appendChild(li);
    });
    box.hidden = false;
  }
  // Suggestions in the language the asker writes in come first.
  var language = document.getElementById("language");
  function check() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = title.value.trim();
      var lang = language ? language.value : "";
      if (q + "|" + lang === last) return;
      last = q + "|" + lang;
      if (q.length < 8) { show([]); return; }
      fetch("/api/v1/similar?title=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && title.value.trim() === q) show(j.items || [], j.articles || []); })
        .catch(function () {});
    }, 250);
  }
  title.addEventListener("input", check);
  if (language) language.addEventListener("change", check);
})();

// ---- header menus ----
// The Manage and account menus are <details> sharing a name, so they open
// from the keyboard, one at a time, without this. With it, a click outside
// or Escape closes an open menu (Escape returns focus to its button).
(function () {
  "use strict";
  var menus = document.querySelectorAll("details[data-menu]");
  if (!menus.length) return;
  document.addEventListener("click", function (e) {
    menus.forEach(function (m) { if (m.open && !m.contains(e.target)) m.open = false; });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    menus.forEach(function (m) {
      if (!m.open) return;
      m.open = false;
      m.querySelector("summary").focus();
    });
  });
})();

// ---- report: "Did this save you contacting us?" answered in place ----
// The survey under an accepted answer posts to /survey/{id} asking for JSON
// and thanks the reader where they are. Members' forms carry their token; a
// visitor's cached page carries none, so the script first fetches the
// confirm page, which gives the visitor one, as following the link would.
// Without JavaScript, or if a call fails, the form submits as it would have.
(function () {
  "use strict";
  var box = document.querySelector("[data-survey]");
  var form = box && box.querySelector("form[data-thread]");
  if (!form || !window.fetch || !window.DOMParser) return;
  var url = "/survey/" + form.dataset.thread;
  function token() {
    var input = form.querySelector("input[name=csrf]");
    if (input) return Promise.resolve(input.value);
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("survey form " + r.status);
      return r.text();
    }).then(function (html) {
      var got = new DOMParser().parseFromString(html, "text/html").querySelector("input[name=csrf]");
      if (!got) throw new Error("no form token");
      return got.value;
    });
  }
  form.addEventListener("submit", function (e) {
    var btn = e.submitter;
    if (form.dataset.plain || !btn || !btn.value) return;
    e.preventDefault();
    var plain = function () { form.dataset.plain = "1"; form.requestSubmit(btn); };
    token().then(function (tok) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", "X-CSRF-Token": tok },
        body: "answer=" + encodeURIComponent(btn.value)
      });
    }).then(function (r) {
      if (!r.ok) { plain(); return; }
      var p = document.createElement("p");
      p.className = "report-survey-thanks";
      p.setAttribute("role", "status");
      p.setAttribute("tabindex", "-1");
      p.textContent = box.getAttribute(btn.value === "yes" ? "data-thanks-yes" : "data-thanks-no");
      form.replaceWith(p);
      p.focus();
    }).catch(plain);
  });
})();

// ---- moderation: find the thread to merge into as the moderator types ----
// The merge fieldset lists threads whose title matches the search box. Without
// JavaScript the "Find" button does the same with a GET of the thread page
// (?into_q=); here GET /api/v1/search fills the list as they type. A pasted
// link or thread number is left to the Find button, which resolves it.
(function () {
  "use strict";
  var box = document.querySelector("[data-merge-find]");
  var input = document.getElementById("mod-t-find");
  if (!box || !input || !window.fetch) return;
  var self = box.getAttribute("data-merge-find");
  var list = box.querySelector(".merge-choices");
  var kept = box.form ? box.form.querySelector("input[type=hidden][name=into_q]") : null;
  var boards = {};
  var boardSelect = document.getElementById("mod-t-board");
  var here = " " + ((boardSelect && boardSelect.dataset.thisBoard) || "");
  document.querySelectorAll("#mod-t-board option").forEach(function (o) {
    var name = o.textContent;
    boards[o.value] = name.slice(-here.length) === here ? name.slice(0, -here.length) : name;
  });
  var timer = null, last = input.value.trim();
  function note(text) {
    var p = document.createElement("p");
    p.className = "hint merge-note";
    p.textContent = text;
    list.appendChild(p);
  }
  function show(q, items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items = items.filter(function (t) { return String(t.id) !== self && !t.merged_into; }).slice(0, 8);
    if (!items.length) { note((box.dataset.noMatch || "").replace("{q}", q)); return; }
    var group = document.createElement("div");
    group.setAttribute("role", "radiogroup");
    group.setAttribute("aria-label", box.dataset.mergeLabel || "");
    items.forEach(function (t) {
      var label = document.createElement("label");
      label.className = "merge-choice";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "into";
      radio.value = String(t.id);
      var title = document.createElement("span");
      title.textContent = t.title; // text, never HTML: titles are member text
      var meta = document.createElement("span");
      meta.className = "hint";
      meta.textContent = (boards[t.board_id] || "") + " · " + counted(box, "replies", t.reply_count);
      label.appendChild(radio);
      label.appendChild(title);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(meta);
      group.appendChild(label);
    });
    list.appendChild(group);
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value.trim();
      if (q === last || /^(#?\d+|.*\/t\/\d+.*)$/.test(q)) return;
      last = q;
      if (kept) kept.value = q;
      if (q.length < 3) return;
      fetch("/api/v1/search?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && input.value.trim() === q) show(q, j.items || []); })
        .catch(function () {});
    }, 250);
  });
})();

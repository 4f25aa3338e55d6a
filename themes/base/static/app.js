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
  function show(items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    if (!items.length) { box.hidden = true; return; }
    items.forEach(function (t) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = t.open_url;
      a.textContent = t.title; // text, never HTML: titles are member text
      li.appendChild(a);
      var meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = " " + t.reply_count + (t.reply_count === 1 ? " reply" : " replies");
      li.appendChild(meta);
      list.appendChild(li);
    });
    box.hidden = false;
  }
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = title.value.trim();
      if (q === last) return;
      last = q;
      if (q.length < 8) { show([]); return; }
      fetch("/api/v1/similar?title=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && title.value.trim() === q) show(j.items || []); })
        .catch(function () {});
    }, 250);
  });
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

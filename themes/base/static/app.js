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

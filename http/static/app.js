// Progressive enhancement only: every form works without this script.
// Filter lists submit as soon as a choice is made.
document.addEventListener("change", function (e) {
  var t = e.target;
  if (t.matches && t.matches("select[data-autosubmit]") && t.form) {
    t.form.submit();
  }
});

// Evidence uploads show their progress; without the script the browser's
// own progress indicator does, and the form posts as usual.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (!form.hasAttribute || !form.hasAttribute("data-upload") || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  e.preventDefault();
  var bar = form.querySelector("progress");
  var button = form.querySelector("button");
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (p) {
    if (p.lengthComputable && bar) {
      bar.value = Math.round(100 * p.loaded / p.total);
    }
  });
  xhr.addEventListener("load", function () {
    // The server answers with the page after the redirect.
    window.location.assign(xhr.responseURL || form.action);
  });
  xhr.addEventListener("error", function () {
    if (button) { button.disabled = false; }
    form.submit();
  });
  if (bar) { bar.hidden = false; }
  if (button) { button.disabled = true; }
  xhr.send(new FormData(form));
});

// File fields show the chosen files' names in the page's language (the
// browser's own "Choose Files" button is hidden under ours).
document.addEventListener("change", function (e) {
  var input = e.target;
  if (!input.classList || !input.classList.contains("file-input")) return;
  var names = input.parentNode.querySelector(".file-names");
  if (!names) return;
  var list = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
  names.textContent = list.length ? list.join("、") : names.getAttribute("data-empty");
});

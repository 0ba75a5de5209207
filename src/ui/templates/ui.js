// forgehand operations page: a choice in a filter applies at once (the Filter button does
// the same without script).
document.querySelectorAll("form.filters select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

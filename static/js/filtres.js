/*
 * Dependent filters: when a région is chosen, the département list offers only its départements
 * (each <option> carries data-region). The server applies the same rule and says so when a
 * région and a département contradict each other; without this script nothing is lost.
 */
(function () {
  "use strict";

  document.querySelectorAll("select[data-filtre-region]").forEach(function (regionSelect) {
    var form = regionSelect.form;
    var departementSelect = form && form.elements.namedItem(regionSelect.dataset.filtreRegion);
    if (!departementSelect) {
      return;
    }
    var options = Array.prototype.slice.call(departementSelect.options);

    function update(initial) {
      var region = regionSelect.value;
      options.forEach(function (option) {
        // On load, the département chosen stays, even outside the région: the page says why.
        var visible =
          !option.value || !region || option.dataset.region === region || (initial === true && option.selected);
        option.hidden = !visible;
        option.disabled = !visible;
      });
      var selected = departementSelect.selectedOptions[0];
      if (selected && selected.disabled) {
        departementSelect.value = "";
      }
    }

    regionSelect.addEventListener("change", update);
    update(true);
  });
})();

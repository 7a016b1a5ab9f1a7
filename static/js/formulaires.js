/*
 * Forms of the accounts (progressive enhancement; the pages work without it):
 * - [data-resume-erreurs]: the error summary at the top takes the focus, so that a screen reader
 *   and the eyes start there (its links lead to each field);
 * - form[data-inscription]: the fields of a commune or of an intercommunality (EPCI) are shown
 *   only for the kind of collectivité chosen.
 */
(function () {
  "use strict";

  var resume = document.querySelector("[data-resume-erreurs]");
  if (resume) {
    resume.focus();
  }

  var inscription = document.querySelector("form[data-inscription]");
  if (inscription) {
    var radios = inscription.querySelectorAll("input[name=type_collectivite]");
    var montrer = function () {
      var choisi = inscription.querySelector("input[name=type_collectivite]:checked");
      var type = choisi ? choisi.value : "commune";
      Array.prototype.forEach.call(inscription.querySelectorAll("[data-type-collectivite]"), function (bloc) {
        bloc.hidden = bloc.getAttribute("data-type-collectivite") !== type;
      });
    };
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", montrer);
    });
    montrer();
  }
})();

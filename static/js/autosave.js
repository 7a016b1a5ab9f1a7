/*
 * Progressive enhancement of the candidature steps (the pages work without it):
 * - form[data-autosave]: saves the current step as the porteur types (POST with the
 *   X-Autosave header; the server answers in JSON and keeps even what does not validate yet);
 * - form[data-envoi-unique]: a double click sends the form once (the server also refuses a
 *   second deposit).
 */
(function () {
  "use strict";

  var DELAI = 1500;
  var form = document.querySelector("form[data-autosave]");

  if (form && window.fetch && window.FormData) {
    var statut = document.getElementById("autosave-statut");
    var minuteur = null;
    var enCours = false;
    var aRefaire = false;

    var afficher = function (texte) {
      if (statut) {
        statut.textContent = texte;
      }
    };

    var enregistrer = function () {
      if (enCours) {
        aRefaire = true;
        return;
      }
      enCours = true;
      var donnees = new FormData(form);
      donnees.delete("action");
      fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: donnees,
        credentials: "same-origin",
        headers: { "X-Autosave": "1", "X-CSRFToken": donnees.get("csrfmiddlewaretoken") || "" },
      })
        .then(function (reponse) {
          return reponse.json();
        })
        .then(function (json) {
          afficher(json.message);
        })
        .catch(function () {
          afficher("L’enregistrement automatique n’a pas abouti : utilisez le bouton « Enregistrer ».");
        })
        .then(function () {
          enCours = false;
          if (aRefaire) {
            aRefaire = false;
            enregistrer();
          }
        });
    };

    var planifier = function () {
      window.clearTimeout(minuteur);
      minuteur = window.setTimeout(enregistrer, DELAI);
    };

    form.addEventListener("input", planifier);
    form.addEventListener("change", planifier);
    form.addEventListener("submit", function () {
      window.clearTimeout(minuteur);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-envoi-unique]"), function (envoi) {
    envoi.addEventListener("submit", function (event) {
      if (envoi.dataset.envoye) {
        event.preventDefault();
        return;
      }
      envoi.dataset.envoye = "1";
      Array.prototype.forEach.call(envoi.querySelectorAll("button[type=submit]"), function (bouton) {
        bouton.setAttribute("aria-disabled", "true");
      });
    });
  });
})();

/*
 * Progressive enhancement of the forms people fill over time (the pages work without it): the
 * candidature's steps and the revue de projet.
 *
 * form[data-autosave] (with data-session-url, the URL telling whether the session is open): nothing
 * typed is lost.
 * - What is typed is saved as it is typed (POST with X-Autosave; the server stores every valid
 *   field and keeps the invalid ones as typed) and, until the server has confirmed it, a copy stays
 *   in this browser (localStorage), restored if the page is opened again.
 * - An ended session is detected at once (401): a DSFR alert offers to log in in a new tab; when
 *   the user comes back, the save is sent again, with a fresh CSRF token if the log-in changed it.
 * - Pending changes are sent before following a link (steps, summary, previous step) and, with
 *   keepalive, when the page is left; if something is still unsent, the browser warns.
 * - Files are not autosaved: they go with « Enregistrer »; a file chosen and not sent also makes
 *   the browser warn before the page is left.
 * - Rows of the formsets (indicators, fiches action, budget lines) are added and removed in place.
 * - Parts of the page that follow what is stored (the server's `fragments`, by id) are refreshed.
 *
 * form[data-envoi-unique]: a double click sends the form once (the server also refuses a
 * second deposit).
 */
(function () {
  "use strict";

  var DELAI = 800;
  var form = document.querySelector("form[data-autosave]");

  if (form && window.fetch && window.FormData) {
    var statut = document.getElementById("autosave-statut");
    var alerteSession = document.getElementById("autosave-session");
    var alerteRestaure = document.getElementById("autosave-restaure");
    var urlSession = form.getAttribute("data-session-url");
    var urlEnvoi = form.getAttribute("action") || window.location.pathname;
    var cle = "cites-educatives:saisie:" + window.location.pathname;
    var minuteur = null;
    var version = 0; // changes typed since the page was opened
    var confirmee = 0; // the last version the server confirmed
    var enCours = null; // the promise of the save being sent
    var envoiFormulaire = false;

    var afficher = function (texte) {
      if (statut) {
        statut.textContent = texte;
      }
    };
    var enAttente = function () {
      return version !== confirmee;
    };

    // --- The copy kept in this browser -------------------------------------------------------

    var entrees = function () {
      var donnees = new FormData(form);
      var liste = [];
      donnees.forEach(function (valeur, nom) {
        if (nom !== "csrfmiddlewaretoken" && nom !== "action" && typeof valeur === "string") {
          liste.push([nom, valeur]);
        }
      });
      return liste;
    };
    var garder = function () {
      try {
        window.localStorage.setItem(cle, JSON.stringify({ entrees: entrees(), moment: Date.now() }));
      } catch (e) {
        /* storage full or disabled: the server save still runs */
      }
    };
    var oublier = function () {
      try {
        window.localStorage.removeItem(cle);
      } catch (e) {
        /* nothing kept */
      }
    };
    var copieGardee = function () {
      try {
        var texte = window.localStorage.getItem(cle);
        return texte ? JSON.parse(texte) : null;
      } catch (e) {
        return null;
      }
    };

    // --- Sending -----------------------------------------------------------------------------

    var jeton = function () {
      var champ = form.querySelector("input[name=csrfmiddlewaretoken]");
      return champ ? champ.value : "";
    };
    var nouveauJeton = function () {
      return fetch(urlSession, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (reponse) {
          return reponse.json();
        })
        .then(function (etat) {
          Array.prototype.forEach.call(document.querySelectorAll("input[name=csrfmiddlewaretoken]"), function (c) {
            c.value = etat.csrf;
          });
          return etat;
        });
    };
    var sessionTerminee = function (json) {
      if (alerteSession) {
        alerteSession.hidden = false;
      }
      afficher((json && json.message) || "Votre session a pris fin : votre saisie est gardée dans ce navigateur.");
    };
    var remplacerFragments = function (fragments) {
      Object.keys(fragments || {}).forEach(function (id) {
        var cible = document.getElementById(id);
        if (cible) {
          cible.innerHTML = fragments[id];
        }
      });
    };

    var champsFichier = form.querySelectorAll("input[type=file][name]");
    var fichierChoisi = function () {
      return Array.prototype.some.call(champsFichier, function (champ) {
        return champ.files && champ.files.length > 0;
      });
    };

    var poster = function (options) {
      var donnees = new FormData(form);
      donnees.delete("action");
      Array.prototype.forEach.call(champsFichier, function (champ) {
        donnees.delete(champ.name); // files wait for « Enregistrer »
      });
      donnees.append("autosave", "1");
      return fetch(urlEnvoi, {
        method: "POST",
        body: donnees,
        credentials: "same-origin",
        keepalive: !!options.keepalive,
        headers: { "X-Autosave": "1", "X-CSRFToken": jeton(), Accept: "application/json" },
      });
    };

    // Resolves to true once the server has stored the current version.
    var enregistrer = function (options) {
      options = options || {};
      window.clearTimeout(minuteur);
      if (enCours) {
        return enCours.then(function () {
          return enAttente() ? enregistrer(options) : true;
        });
      }
      var envoyee = version;
      var essai = function (deuxieme) {
        return poster(options).then(function (reponse) {
          if (reponse.status === 403 && !deuxieme) {
            // The CSRF token changed (a log-in in another tab): take a fresh one and send again.
            return nouveauJeton().then(function (etat) {
              if (!etat.connecte) {
                sessionTerminee();
                return false;
              }
              return essai(true);
            });
          }
          return reponse.json().then(
            function (json) {
              if (reponse.status === 401) {
                sessionTerminee(json);
                return false;
              }
              afficher(json.message);
              if (!reponse.ok) {
                return false;
              }
              if (alerteSession) {
                alerteSession.hidden = true;
              }
              remplacerFragments(json.fragments);
              confirmee = Math.max(confirmee, envoyee);
              if (!enAttente()) {
                oublier();
              }
              return true;
            },
            function () {
              afficher("L’enregistrement n’a pas abouti : votre saisie est gardée dans ce navigateur.");
              return false;
            }
          );
        });
      };
      enCours = essai(false)
        .catch(function () {
          afficher("Pas de connexion au serveur : votre saisie est gardée dans ce navigateur et sera envoyée.");
          return false;
        })
        .then(function (resultat) {
          enCours = null;
          return resultat;
        });
      return enCours;
    };

    var modifie = function () {
      version += 1;
      garder();
      window.clearTimeout(minuteur);
      minuteur = window.setTimeout(enregistrer, DELAI);
    };

    form.addEventListener("input", modifie);
    form.addEventListener("change", modifie);

    // --- Leaving the page --------------------------------------------------------------------

    document.addEventListener("click", function (event) {
      var lien = event.target.closest ? event.target.closest("a[href]") : null;
      if (!lien || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      if (lien.target === "_blank" || lien.origin !== window.location.origin || lien.getAttribute("href").charAt(0) === "#") {
        return;
      }
      if (!enAttente() && !enCours) {
        return;
      }
      event.preventDefault();
      afficher("Enregistrement avant de quitter la page…");
      enregistrer().then(function (ok) {
        if (ok) {
          window.location.href = lien.href;
        }
      });
    });

    // « Enregistrer » and « Enregistrer et continuer »: check the session and refresh the CSRF
    // token first, so that a log-in in another tab never ends on a CSRF failure page.
    form.addEventListener("submit", function (event) {
      if (envoiFormulaire) {
        return;
      }
      event.preventDefault();
      window.clearTimeout(minuteur);
      var bouton = event.submitter || null;
      nouveauJeton().then(
        function (etat) {
          if (!etat.connecte) {
            sessionTerminee();
            return;
          }
          envoiFormulaire = true;
          oublier(); // the form carries everything typed
          if (form.requestSubmit) {
            form.requestSubmit(bouton);
          } else {
            form.submit();
          }
        },
        function () {
          envoiFormulaire = true;
          form.submit();
        }
      );
    });

    window.addEventListener("pagehide", function () {
      if (enAttente() && !envoiFormulaire) {
        garder();
        enregistrer({ keepalive: true });
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (envoiFormulaire) {
        return;
      }
      if (enAttente()) {
        garder();
        enregistrer({ keepalive: true });
      }
      if (enAttente() || fichierChoisi()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && enAttente()) {
        enregistrer();
      }
    });
    window.addEventListener("focus", function () {
      if (enAttente() && !enCours) {
        enregistrer();
      }
    });

    // --- Rows added and removed in place -----------------------------------------------------

    var numeroter = function (prefixe) {
      var conteneur = document.getElementById(prefixe + "-lignes");
      var visibles = 0;
      Array.prototype.forEach.call(conteneur.querySelectorAll("[data-ligne]"), function (ligne) {
        if (!ligne.hidden) {
          visibles += 1;
        }
      });
      return visibles;
    };
    var preparerLigne = function (ligne) {
      var suppression = ligne.querySelector("input[name$='-DELETE']");
      var bouton = ligne.querySelector("[data-supprimer-ligne]");
      if (!suppression || !bouton) {
        return;
      }
      var groupe = suppression.closest(".fr-checkbox-group, .fr-fieldset__element, .fr-input-group") || suppression;
      groupe.hidden = true;
      bouton.hidden = false;
      bouton.addEventListener("click", function () {
        suppression.checked = true;
        ligne.hidden = true;
        modifie();
        var prefixe = ligne.parentNode.getAttribute("data-lignes");
        afficher("Ligne retirée ; il reste " + numeroter(prefixe) + " ligne(s).");
      });
    };
    var ajouterLigne = function (prefixe) {
      var total = form.querySelector("input[name='" + prefixe + "-TOTAL_FORMS']");
      var modele = document.getElementById("modele-" + prefixe);
      var conteneur = document.getElementById(prefixe + "-lignes");
      if (!total || !modele || !conteneur) {
        return null;
      }
      var index = parseInt(total.value, 10);
      var html = modele.innerHTML.replace(/__prefix__/g, String(index)).replace(/__numero__/g, String(index + 1));
      var tampon = document.createElement("div");
      tampon.innerHTML = html;
      var ligne = tampon.firstElementChild;
      conteneur.appendChild(ligne);
      total.value = String(index + 1);
      preparerLigne(ligne);
      return ligne;
    };
    Array.prototype.forEach.call(form.querySelectorAll("[data-ligne]"), preparerLigne);
    Array.prototype.forEach.call(form.querySelectorAll("[data-ajouter-ligne]"), function (bouton) {
      bouton.addEventListener("click", function (event) {
        event.preventDefault();
        var ligne = ajouterLigne(bouton.getAttribute("data-ajouter-ligne"));
        if (ligne) {
          var premier = ligne.querySelector("input:not([type=hidden]):not([type=checkbox]), select, textarea");
          if (premier) {
            premier.focus();
          }
        }
      });
    });

    // --- Restoring what was typed and not confirmed -------------------------------------------

    var restaurer = function (copie) {
      var valeurs = {};
      copie.entrees.forEach(function (paire) {
        (valeurs[paire[0]] = valeurs[paire[0]] || []).push(paire[1]);
      });
      Array.prototype.forEach.call(form.querySelectorAll("input[name$='-TOTAL_FORMS']"), function (total) {
        var prefixe = total.name.replace(/-TOTAL_FORMS$/, "");
        var voulu = parseInt((valeurs[total.name] || ["0"])[0], 10);
        while (parseInt(total.value, 10) < voulu && ajouterLigne(prefixe)) {
          /* rows added in place before their values are put back */
        }
      });
      Array.prototype.forEach.call(form.elements, function (champ) {
        if (!champ.name || champ.name === "csrfmiddlewaretoken" || champ.type === "submit" || champ.type === "button") {
          return;
        }
        var liste = valeurs[champ.name] || [];
        if (champ.type === "checkbox" || champ.type === "radio") {
          champ.checked = liste.indexOf(champ.value) !== -1;
          if (champ.name.slice(-7) === "-DELETE" && champ.checked) {
            var ligne = champ.closest("[data-ligne]");
            if (ligne) {
              ligne.hidden = true;
            }
          }
        } else if (champ.tagName === "SELECT" && champ.multiple) {
          Array.prototype.forEach.call(champ.options, function (option) {
            option.selected = liste.indexOf(option.value) !== -1;
          });
        } else if (champ.type !== "file") {
          var memes = form.querySelectorAll("[name='" + champ.name + "']");
          var rang = Array.prototype.indexOf.call(memes, champ);
          champ.value = liste[rang] !== undefined ? liste[rang] : "";
        }
      });
    };
    var copie = copieGardee();
    if (copie && copie.entrees) {
      if (JSON.stringify(copie.entrees) === JSON.stringify(entrees())) {
        oublier(); // the server has it: the page shows it
      } else {
        restaurer(copie);
        if (alerteRestaure) {
          alerteRestaure.hidden = false;
        }
        modifie();
        enregistrer();
      }
    }

    var resume = document.querySelector("[data-resume-erreurs]");
    if (resume && !window.location.hash) {
      resume.focus();
    }
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

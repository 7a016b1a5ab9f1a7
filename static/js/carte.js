/*
 * Interactive map of /carte/ (Leaflet + leaflet.markercluster, served from node_modules).
 *
 * Everything comes from the data-* attributes of #carte (no inline script): the GeoJSON of the
 * cités (already filtered by the server), the QPV layers, the tile server. Without tiles (server
 * unreachable or none configured) the markers show on the plain background. The list of cités
 * beside the map is server-rendered and works without this script.
 *
 * The layers are switched by the checkboxes under the map (#carte-couches) and the overseas
 * territories reached by the buttons above it (.carte-vue, data-bounds="south,west,north,east"):
 * nothing but the zoom buttons sits on the map, so nothing overlaps on a phone. QPVs are red
 * squares in a pane under the cités' markers, their groups anchored beside the point, so that a
 * cité and the QPVs of the same commune both show.
 */
(function () {
  "use strict";

  var container = document.getElementById("carte");
  if (
    !container ||
    typeof window.L === "undefined" ||
    typeof window.L.markerClusterGroup !== "function" ||
    !window.CitesCarte
  ) {
    return;
  }
  var L = window.L;
  var data = container.dataset;
  // The markers' images by their served URLs: in production their names carry a hash, which
  // Leaflet's guess of its image folder (from leaflet.css) cannot find.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: data.marqueurUrl,
    iconRetinaUrl: data.marqueur2xUrl,
    shadowUrl: data.ombreUrl,
  });
  var FRANCE_METROPOLITAINE = L.latLngBounds([41.3, -5.2], [51.1, 9.6]);

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function showMessage(text) {
    var message = document.getElementById("carte-message");
    if (message) {
      message.textContent = text;
      message.hidden = false;
    }
  }

  function fetchGeojson(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      }
    );
  }

  function point(feature) {
    var geometry = feature.geometry;
    if (!geometry || geometry.type !== "Point" || !Array.isArray(geometry.coordinates)) {
      return null;
    }
    return L.latLng(geometry.coordinates[1], geometry.coordinates[0]);
  }

  // --- The map ------------------------------------------------------------------------------

  var placeholder = container.querySelector(".carte__sans-js");
  if (placeholder) {
    placeholder.remove();
  }
  container.classList.add("carte--active");

  var map = L.map(container, { zoomControl: false, minZoom: 2, maxZoom: 18, worldCopyJump: true });
  L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
  map.attributionControl.setPrefix(
    '<a href="https://leafletjs.com" hreflang="en" title="Bibliothèque de cartographie Leaflet">Leaflet</a>'
  );
  map.fitBounds(FRANCE_METROPOLITAINE);

  window.CitesCarte.fond(map, container);

  // --- Cités: one marker each, clustered ------------------------------------------------------

  var cites = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 50,
    iconCreateFunction: function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "petit" : count < 50 ? "moyen" : "grand";
      return L.divIcon({
        html:
          "<span>" +
          count +
          '<span class="fr-sr-only"> cités éducatives : agrandir la carte pour les voir</span></span>',
        className: "carte-groupe carte-groupe--" + size,
        iconSize: L.point(40, 40),
      });
    },
  });

  function citePopup(properties) {
    var box = element("div", "carte-popup");
    box.appendChild(element("p", "carte-popup__titre", properties.nom));
    if (properties.communes) {
      box.appendChild(element("p", "carte-popup__texte", properties.communes));
    }
    if (properties.annee_label) {
      var annee = "Labellisée en " + properties.annee_label;
      if (properties.annee_label_deduite) {
        annee += " (année déduite)";
      }
      box.appendChild(element("p", "carte-popup__texte", annee));
    }
    var link = element("a", "fr-link", "Voir la fiche de la cité");
    link.href = properties.url;
    box.appendChild(link);
    return box;
  }

  function addCites(geojson) {
    var bounds = [];
    (geojson.features || []).forEach(function (feature) {
      var latlng = point(feature);
      if (!latlng) {
        return;
      }
      var properties = feature.properties || {};
      var marker = L.marker(latlng, { title: properties.nom, alt: properties.nom, keyboard: true });
      marker.bindPopup(function () {
        return citePopup(properties);
      });
      cites.addLayer(marker);
      bounds.push(latlng);
    });
    cites.addTo(map);
    if (!bounds.length) {
      return;
    }
    // Overseas cités would zoom the whole world out: frame metropolitan France when it has any.
    var metropole = bounds.filter(function (latlng) {
      return FRANCE_METROPOLITAINE.contains(latlng);
    });
    var frame = L.latLngBounds(metropole.length ? metropole : bounds);
    map.fitBounds(frame.pad(0.1), { maxZoom: 11 });
  }

  // --- QPV layers, fetched when first switched on ------------------------------------------------

  function qpvPopup(properties) {
    var box = element("div", "carte-popup");
    box.appendChild(element("p", "carte-popup__titre", properties.nom + " (" + properties.code + ")"));
    box.appendChild(element("p", "carte-popup__texte", "QPV " + properties.generation + " — " + properties.communes));
    if (properties.position === "commune") {
      box.appendChild(element("p", "carte-popup__texte", "Position approximative : centre de la commune."));
    }
    return box;
  }

  function lazyLayer(url, build) {
    var group = L.layerGroup();
    var loaded = false;
    group.on("add", function () {
      if (loaded) {
        return;
      }
      loaded = true;
      fetchGeojson(url)
        .then(function (geojson) {
          build(group, geojson);
        })
        .catch(function () {
          loaded = false;
          showMessage("Les quartiers prioritaires n'ont pas pu être chargés. Réessayez plus tard.");
        });
    });
    return group;
  }

  map.createPane("qpv");
  map.getPane("qpv").style.zIndex = 590; // under the markers of the cités (600)

  var couches = { cites: cites };
  if (data.qpvUrl) {
    couches.qpv = lazyLayer(data.qpvUrl, function (group, geojson) {
      var points = L.markerClusterGroup({
        showCoverageOnHover: false,
        maxClusterRadius: 30,
        clusterPane: "qpv",
        iconCreateFunction: function (cluster) {
          return L.divIcon({
            html:
              "<span>" +
              cluster.getChildCount() +
              '<span class="fr-sr-only"> quartiers prioritaires : agrandir la carte pour les voir</span></span>',
            className: "carte-groupe carte-groupe--qpv",
            iconSize: L.point(28, 28),
            iconAnchor: L.point(-6, -6), // beside the point, not over a cité of the same commune
          });
        },
      });
      (geojson.features || []).forEach(function (feature) {
        var latlng = point(feature);
        if (latlng) {
          var marker = L.marker(latlng, {
            pane: "qpv",
            icon: L.divIcon({ className: "carte-qpv-carre", iconSize: L.point(12, 12), iconAnchor: L.point(-2, -2) }),
            title: (feature.properties || {}).nom,
            alt: (feature.properties || {}).nom,
            keyboard: false,
          });
          marker.bindPopup(function () {
            return qpvPopup(feature.properties || {});
          });
          points.addLayer(marker);
        }
      });
      group.addLayer(points);
    });
  }
  if (data.contoursUrl) {
    couches.contours = lazyLayer(data.contoursUrl, function (group, geojson) {
      group.addLayer(
        L.geoJSON(geojson, {
          filter: function (feature) {
            return feature.geometry && feature.geometry.type !== "Point";
          },
          style: { className: "carte-contour", weight: 2, fillOpacity: 0.2 },
          onEachFeature: function (feature, layer) {
            layer.bindPopup(function () {
              return qpvPopup(feature.properties || {});
            });
          },
        })
      );
    });
  }
  var fieldset = document.getElementById("carte-couches");
  if (fieldset) {
    fieldset.hidden = false;
    fieldset.querySelectorAll("input[data-couche]").forEach(function (input) {
      var couche = couches[input.dataset.couche];
      if (!couche) {
        input.closest(".fr-fieldset__element").hidden = true;
        return;
      }
      input.addEventListener("change", function () {
        if (input.checked) {
          couche.addTo(map);
        } else {
          map.removeLayer(couche);
        }
      });
    });
  }

  // One-click views: mainland France and each overseas territory with a cité.
  var vues = document.querySelector(".carte-vues");
  if (vues) {
    vues.hidden = false;
    vues.querySelectorAll("button[data-bounds]").forEach(function (button) {
      button.addEventListener("click", function () {
        var b = button.dataset.bounds.split(",").map(Number);
        map.fitBounds(L.latLngBounds([b[0], b[1]], [b[2], b[3]]), { animate: false });
        container.focus({ preventScroll: true });
      });
    });
  }

  fetchGeojson(data.citesUrl)
    .then(addCites)
    .catch(function () {
      showMessage("Les cités n'ont pas pu être placées sur la carte. La liste ci-contre reste disponible.");
    });
})();

/*
 * Map of /generalisation/: the 2024 QPVs, circles for those with a cité éducative, squares for
 * those without (not only a colour), each in a layer that can be switched off. Data from the
 * GeoJSON at data-qpv-url; without JavaScript the figures and the CSV below give the same.
 */
(function () {
  "use strict";

  var container = document.getElementById("carte-generalisation-carte");
  if (!container || typeof window.L === "undefined" || !window.CitesCarte) {
    return;
  }
  var L = window.L;
  var data = container.dataset;
  var placeholder = container.querySelector(".carte__sans-js");
  if (placeholder) {
    placeholder.remove();
  }
  container.classList.add("carte--active");
  var map = L.map(container, { zoomControl: false, minZoom: 2, maxZoom: 14, preferCanvas: false });
  L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.fitBounds(L.latLngBounds([41.3, -5.2], [51.1, 9.6]));
  window.CitesCarte.fond(map, container);

  function popup(properties) {
    var box = document.createElement("div");
    var titre = document.createElement("p");
    titre.className = "carte-popup__titre";
    titre.textContent = properties.nom + " (" + properties.code + ")";
    box.appendChild(titre);
    var texte = document.createElement("p");
    texte.className = "carte-popup__texte";
    texte.textContent = properties.communes;
    box.appendChild(texte);
    var cite = document.createElement("p");
    cite.className = "carte-popup__texte";
    cite.textContent = properties.cite
      ? "Cité éducative : " + (properties.cites || []).join(", ")
      : "Pas encore de cité éducative.";
    box.appendChild(cite);
    return box;
  }

  var avec = L.layerGroup();
  var sans = L.layerGroup();
  fetch(data.qpvUrl, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (geojson) {
      (geojson.features || []).forEach(function (feature) {
        if (!feature.geometry || feature.geometry.type !== "Point") {
          return;
        }
        var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
        var properties = feature.properties || {};
        var marker;
        if (properties.cite) {
          marker = L.circleMarker(latlng, { radius: 5, className: "carte-qpv-couvert", weight: 1.5, fillOpacity: 0.8 });
          avec.addLayer(marker);
        } else {
          marker = L.marker(latlng, {
            icon: L.divIcon({ className: "carte-qpv-sans", iconSize: L.point(10, 10) }),
            title: properties.nom + " — sans cité éducative",
            alt: properties.nom,
            keyboard: false,
          });
          sans.addLayer(marker);
        }
        marker.bindPopup(function () {
          return popup(properties);
        });
      });
      avec.addTo(map);
      sans.addTo(map);
    })
    .catch(function () {
      var message = document.getElementById("carte-message");
      if (message) {
        message.textContent = "Les quartiers n'ont pas pu être chargés : les chiffres ci-dessous restent disponibles.";
        message.hidden = false;
      }
    });
  var overlays = {};
  overlays['<span class="carte-legende carte-legende--qpv-couvert"></span> Quartiers avec une cité'] = avec;
  overlays['<span class="carte-legende carte-legende--qpv-sans"></span> Quartiers sans cité'] = sans;
  L.control.layers(null, overlays, { collapsed: window.matchMedia("(max-width: 47.99em)").matches }).addTo(map);
})();

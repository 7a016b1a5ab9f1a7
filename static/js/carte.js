/*
 * Interactive map of /carte/ (Leaflet + leaflet.markercluster, served from node_modules).
 *
 * Everything comes from the data-* attributes of #carte (no inline script): the GeoJSON of the
 * cités (already filtered by the server), the QPV layers, the tile server. Without tiles (server
 * unreachable or none configured) the markers show on the plain background. The list of cités
 * beside the map is server-rendered and works without this script.
 */
(function () {
  "use strict";

  var container = document.getElementById("carte");
  if (!container || typeof window.L === "undefined" || typeof window.L.markerClusterGroup !== "function") {
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

  if (data.tuilesUrl) {
    var tiles = L.tileLayer(data.tuilesUrl, {
      attribution: data.tuilesAttribution || "",
      maxZoom: 18,
    });
    var tilesLoaded = 0;
    tiles.on("tileload", function () {
      tilesLoaded += 1;
      container.classList.remove("carte--sans-fond");
    });
    tiles.on("tileerror", function () {
      // Tile server unreachable: keep a plain background (a stray missing tile changes nothing).
      if (!tilesLoaded) {
        container.classList.add("carte--sans-fond");
      }
    });
    tiles.addTo(map);
  } else {
    container.classList.add("carte--sans-fond");
  }

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

  var overlays = {};
  overlays['<span class="carte-legende carte-legende--cite"></span> Cités éducatives'] = cites;
  if (data.qpvUrl) {
    overlays['<span class="carte-legende carte-legende--qpv"></span> Quartiers prioritaires (QPV 2024)'] = lazyLayer(
      data.qpvUrl,
      function (group, geojson) {
        var points = L.markerClusterGroup({
          showCoverageOnHover: false,
          maxClusterRadius: 30,
          iconCreateFunction: function (cluster) {
            return L.divIcon({
              html:
                "<span>" +
                cluster.getChildCount() +
                '<span class="fr-sr-only"> quartiers prioritaires : agrandir la carte pour les voir</span></span>',
              className: "carte-groupe carte-groupe--qpv",
              iconSize: L.point(32, 32),
            });
          },
        });
        (geojson.features || []).forEach(function (feature) {
          var latlng = point(feature);
          if (latlng) {
            var marker = L.circleMarker(latlng, { radius: 6, className: "carte-qpv", weight: 2, fillOpacity: 0.7 });
            marker.bindPopup(function () {
              return qpvPopup(feature.properties || {});
            });
            points.addLayer(marker);
          }
        });
        group.addLayer(points);
      }
    );
  }
  if (data.contoursUrl) {
    overlays['<span class="carte-legende carte-legende--contour"></span> Contours des QPV 2015 (Occitanie)'] = lazyLayer(
      data.contoursUrl,
      function (group, geojson) {
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
      }
    );
  }
  var layers = L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  var toggle = layers.getContainer().querySelector(".leaflet-control-layers-toggle");
  if (toggle) {
    toggle.title = "Couches";
    toggle.setAttribute("aria-label", "Couches de la carte");
  }

  fetchGeojson(data.citesUrl)
    .then(addCites)
    .catch(function () {
      showMessage("Les cités n'ont pas pu être placées sur la carte. La liste ci-contre reste disponible.");
    });
})();

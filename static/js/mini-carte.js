/*
 * The small map of a cité's page: its communes, each a circle marker labelled with its number of
 * QPVs. Data from the json_script #mini-carte-donnees, tiles from the data-* attributes of
 * #mini-carte (no inline script). Without JavaScript the list inside #mini-carte stays.
 */
(function () {
  "use strict";

  var container = document.getElementById("mini-carte");
  var source = document.getElementById("mini-carte-donnees");
  if (!container || !source || typeof window.L === "undefined" || !window.CitesCarte) {
    return;
  }
  var L = window.L;
  var donnees = JSON.parse(source.textContent);
  var communes = (donnees.communes || []).filter(function (c) {
    return typeof c.lat === "number" && typeof c.lon === "number";
  });
  if (!communes.length) {
    return;
  }
  var fallback = container.querySelector(".carte__sans-js");
  if (fallback) {
    fallback.classList.add("fr-sr-only");
  }
  container.classList.add("carte--active");
  var map = L.map(container, { zoomControl: true, scrollWheelZoom: false, attributionControl: true });
  map.zoomControl.getContainer().querySelectorAll("a").forEach(function (link) {
    link.title = link.classList.contains("leaflet-control-zoom-in") ? "Zoom avant" : "Zoom arrière";
  });
  map.attributionControl.setPrefix(false);
  window.CitesCarte.fond(map, container);
  var bounds = [];
  communes.forEach(function (commune) {
    var latlng = L.latLng(commune.lat, commune.lon);
    bounds.push(latlng);
    var marker = L.circleMarker(latlng, {
      radius: 8 + Math.min(commune.qpvs, 12),
      className: "carte-commune",
      weight: 2,
      fillOpacity: 0.35,
    });
    var texte = commune.nom + " : " + commune.qpvs + " quartier" + (commune.qpvs > 1 ? "s" : "") + " prioritaire" +
      (commune.qpvs > 1 ? "s" : "");
    marker.bindTooltip(texte, { permanent: communes.length <= 4, direction: "top", className: "carte-etiquette" });
    marker.addTo(map);
  });
  map.fitBounds(L.latLngBounds(bounds).pad(0.4), { maxZoom: 11 });
})();

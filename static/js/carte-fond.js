/*
 * What every map of the portal shares (loaded before carte.js, mini-carte.js, generalisation.js):
 * the background tiles from the data-* attributes of the map's container, and a plain background
 * when the tile server cannot be reached or none is configured (the markers stay).
 */
(function () {
  "use strict";

  window.CitesCarte = {
    fond: function (map, container) {
      var L = window.L;
      var data = container.dataset;
      if (!data.tuilesUrl) {
        container.classList.add("carte--sans-fond");
        return;
      }
      var tiles = L.tileLayer(data.tuilesUrl, { attribution: data.tuilesAttribution || "", maxZoom: 18 });
      var loaded = 0;
      tiles.on("tileload", function () {
        loaded += 1;
        container.classList.remove("carte--sans-fond");
      });
      tiles.on("tileerror", function () {
        // Tile server unreachable: keep a plain background (a stray missing tile changes nothing).
        if (!loaded) {
          container.classList.add("carte--sans-fond");
        }
      });
      tiles.addTo(map);
    },
  };
})();

"""The map: grids and cases as map data, the Leaflet page, base-map tiles and point-in-polygon look-ups."""

// Town labels on the map's page (maps._LabelsInside): the permanent tooltips of the
// regional centres, placed where they can be read. Each label goes right of its
// marker, left, below or above: the first of these, in that order, that lies inside
// the map (with `margin` pixels to spare) and clear of the map's controls, of every
// office's marker and of the other labels. Where no place is clear, the one that
// overlaps least. Labels are placed one at a time, then again in turn until none
// moves (a few rounds), so two labels that want the same room settle it between
// them. A label whose marker is out of view is hidden. Done again after every zoom,
// pan, resize and layer switch.
function omikPlaceLabels(map, margin) {
  var PLACES = [["right", 1, 0], ["left", -1, 0], ["bottom", 0, 1], ["top", 0, -1]];

  function overlap(a, b) {  // pixels² two rectangles share, with a pixel between them to spare
    var w = Math.min(a.right, b.right) + 1 - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) + 1 - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }

  function outside(r, box) {  // pixels² of r beyond the map's edges (less the margin)
    var inner = { left: box.left + margin, top: box.top + margin, right: box.right - margin, bottom: box.bottom - margin };
    var within = Math.max(0, Math.min(r.right, inner.right) - Math.max(r.left, inner.left)) *
                 Math.max(0, Math.min(r.bottom, inner.bottom) - Math.max(r.top, inner.top));
    return (r.right - r.left) * (r.bottom - r.top) - within;
  }

  function put(tip, layer, place) {
    var clear = layer.getRadius() + layer.options.weight;  // off the marker's edge
    tip.options.direction = place[0];
    tip.options.offset = [place[1] * clear, place[2] * clear];
    tip.update();
  }

  function arrange() {
    var box = map.getContainer().getBoundingClientRect();
    var fixed = [].map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (e) {
      return { rect: e.getBoundingClientRect(), owner: null };
    });
    var labels = [], size = map.getSize();
    map.eachLayer(function (layer) {
      if (!layer.getRadius || !layer.getElement || !layer.getElement()) return;  // only circle markers
      fixed.push({ rect: layer.getElement().getBoundingClientRect(), owner: layer });
      var tip = layer.getTooltip();
      if (!tip || !tip.options.permanent || !tip.isOpen()) return;
      // The label of a marker out of view (on a map zoomed to a region) is hidden:
      // it could only stand cut at the map's edge.
      var at = map.latLngToContainerPoint(layer.getLatLng());
      var inView = at.x >= 0 && at.y >= 0 && at.x <= size.x && at.y <= size.y;
      tip.getElement().style.visibility = inView ? "" : "hidden";
      if (inView) labels.push({ layer: layer, tip: tip });
    });
    // Every place's rectangle, measured once, all labels at a time (one layout per
    // place, not per label and place); then each label's cost in a place.
    labels.forEach(function (label) { label.rects = []; label.at = -1; });
    PLACES.forEach(function (place) {
      labels.forEach(function (label) { put(label.tip, label.layer, place); });
      labels.forEach(function (label) { label.rects.push(label.tip.getElement().getBoundingClientRect()); });
    });
    function cost(label, i) {
      var r = label.rects[i], total = outside(r, box) * 100 + i;  // an earlier place wins a tie
      fixed.forEach(function (f) { if (f.owner !== label.layer) total += overlap(r, f.rect) * 10; });
      labels.forEach(function (other) { if (other !== label && other.at >= 0) total += overlap(r, other.rects[other.at]) * 10; });
      return total;
    }
    for (var round = 0; round < 5; round++) {
      var moved = false;
      labels.forEach(function (label) {
        var best = 0;
        for (var i = 1; i < PLACES.length; i++) if (cost(label, i) < cost(label, best)) best = i;
        if (best !== label.at) { label.at = best; moved = true; }
      });
      if (!moved) break;
    }
    labels.forEach(function (label) { put(label.tip, label.layer, PLACES[label.at]); });
  }

  // Once for all the events of one change (a fit fires "zoomend" and "moveend"
  // together), after them: each arrangement reads the layout twenty-odd times.
  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    Promise.resolve().then(function () { pending = false; arrange(); });
  }

  map.whenReady(soon);
  map.on("zoomend moveend resize overlayadd overlayremove", soon);
}

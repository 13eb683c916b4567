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

  // Where Leaflet 1.9 puts a tooltip for each direction (Tooltip._setPosition and
  // leaflet.css): the share of its width and height it stands back from its point,
  // and the margin its direction's class adds, in pixels.
  var BACK = { right: [0, 0.5], left: [1, 0.5], bottom: [0.5, 0], top: [0.5, 1] };
  var MARGIN = { right: [6, 0], left: [-6, 0], bottom: [0, 6], top: [0, -6] };

  function offset(layer, place) {  // off the marker's edge
    var clear = layer.getRadius() + layer.options.weight;
    return [place[1] * clear, place[2] * clear];
  }

  // A label's rectangle in every place, from one measurement where it stands now:
  // each place shifts it by what differs in Leaflet's sums. Moving and measuring a
  // label per place made the browser lay the map out again each time (25 times).
  function rectsByPlace(tip, layer) {
    var now = tip.getElement().getBoundingClientRect(), w = now.right - now.left, h = now.bottom - now.top;
    var dir = tip.options.direction, off = L.point(tip.options.offset);
    var x = now.left + BACK[dir][0] * w - off.x - MARGIN[dir][0];
    var y = now.top + BACK[dir][1] * h - off.y - MARGIN[dir][1];
    return PLACES.map(function (place) {
      var d = place[0], o = offset(layer, place);
      var left = x - BACK[d][0] * w + o[0] + MARGIN[d][0], top = y - BACK[d][1] * h + o[1] + MARGIN[d][1];
      return { left: left, top: top, right: left + w, bottom: top + h };
    });
  }

  function arrange() {
    var box = map.getContainer().getBoundingClientRect();
    var fixed = [].map.call(map.getContainer().querySelectorAll(".leaflet-control"), function (e) {
      return { rect: e.getBoundingClientRect(), owner: null };
    });
    var labels = [], size = map.getSize();
    map.eachLayer(function (layer) {
      if (!layer.getRadius || !layer.getElement || !layer.getElement()) return;  // only circle markers
      var tip = layer.getTooltip();
      if (!tip || !tip.options.permanent || !tip.isOpen()) return;
      // The label of a marker out of view (on a map zoomed to a region) is hidden:
      // it could only stand cut at the map's edge.
      var at = map.latLngToContainerPoint(layer.getLatLng());
      var inView = at.x >= 0 && at.y >= 0 && at.x <= size.x && at.y <= size.y;
      tip.getElement().style.visibility = inView ? "" : "hidden";
      if (inView) labels.push({ layer: layer, tip: tip, at: -1 });
    });
    // Every rectangle read in one go, after the writes above: one layout.
    map.eachLayer(function (layer) {
      if (layer.getRadius && layer.getElement && layer.getElement())
        fixed.push({ rect: layer.getElement().getBoundingClientRect(), owner: layer });
    });
    labels.forEach(function (label) { label.rects = rectsByPlace(label.tip, label.layer); });
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
    // Only a label that moves is placed again (Leaflet measures it as it does).
    labels.forEach(function (label) {
      var place = PLACES[label.at], o = offset(label.layer, place), now = L.point(label.tip.options.offset);
      if (label.tip.options.direction === place[0] && now.x === o[0] && now.y === o[1]) return;
      label.tip.options.direction = place[0];
      label.tip.options.offset = o;
      label.tip.update();
    });
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

// Print rules for the maps (ui.frame.page_styles): no zoom buttons or layer switch on
// paper, and the map kept whole. A map is a document of its own in an iframe of the
// same origin, so its rules are added to each map's document as it loads. Installed
// once per browser tab.
(function () {
  if (window.omikMapPrint) return;
  window.omikMapPrint = true;
  const css = "@media print { .leaflet-control-zoom, .leaflet-control-layers, .leaflet-bar { display: none !important; }"
    + " html, body { overflow: hidden !important; } }";

  function dress(frame) {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { return; }  // another origin: not a map of ours
    if (!doc || !doc.head || doc.getElementById("omik-map-print")) return;
    const style = doc.createElement("style");
    style.id = "omik-map-print";
    style.textContent = css;
    doc.head.appendChild(style);
  }

  // "load" does not bubble, but a listener on the document sees it while capturing.
  document.addEventListener("load", (event) => {
    if (event.target.tagName === "IFRAME") dress(event.target);
  }, true);
  document.querySelectorAll("iframe").forEach(dress);
})();

// The clickable map's frame (an st.components.v2 component; see ui.clickable_map).
// It shows folium's own page of the map in an iframe, as the static maps do, and
// passes on what a click selects: the page posts {omikSelect: {kind, id}} to its
// parent (maps._Selects). Only those messages reach Python, so panning and zooming
// never rerun the page.
export default function ({ parentElement, data, setTriggerValue }) {
  let frame = parentElement.querySelector("iframe");
  if (!frame) {
    frame = document.createElement("iframe");
    frame.className = "omik-map";
    // What Streamlit's own st.iframe allows a page of ours.
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    frame.style.cssText = "display:block;width:100%;border:0";
    parentElement.appendChild(frame);
  }
  frame.title = data.title;
  // A CSS length (ui.clickable_map): it may follow the screen's height, which a
  // pixel height set by Streamlit could not.
  frame.style.height = data.height;
  // A rerun that sends the same map leaves it as the reader left it (zoom, popup).
  if (frame.srcdoc !== data.document) frame.srcdoc = data.document;

  const onMessage = (event) => {
    const selected = event.source === frame.contentWindow && event.data && event.data.omikSelect;
    if (selected && typeof selected.kind === "string" && typeof selected.id === "string") {
      setTriggerValue("select", { kind: selected.kind, id: selected.id });
    }
  };
  window.addEventListener("message", onMessage);
  return () => window.removeEventListener("message", onMessage);
}

// The share controls of ui.sharing.copy_buttons. Runs each time Streamlit draws them;
// the click handler is installed once per browser tab and serves every page.
(function () {
  const box = document.currentScript && document.currentScript.parentElement.querySelector(".omik-share");
  if (box) {
    // The phone's share sheet, where the browser has one (not desktop Chromium on Linux).
    box.querySelector(".omik-native-share").hidden = typeof navigator.share !== "function";
  }
  if (window.omikShareInstalled) return;
  window.omikShareInstalled = true;

  function say(root, text) {
    const status = root.querySelector(".omik-share-status");
    status.textContent = text;
    clearTimeout(status.omikTimer);
    status.omikTimer = setTimeout(() => { status.textContent = ""; }, 4000);
  }

  // Without the clipboard API (an address that is not https or localhost), the
  // older way: a selected text area and the copy command.
  function copyByCommand(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand("copy");
    area.remove();
    return copied;
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest(".omik-copy, .omik-native-share");
    if (!button) return;
    const root = button.closest(".omik-share");
    const url = window.location.href;
    if (button.classList.contains("omik-native-share")) {
      try {
        await navigator.share({ title: root.dataset.title, url });
      } catch (e) { /* the reader closed the sheet */ }
      return;
    }
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch (e) {
      copied = copyByCommand(url);
    }
    say(root, copied ? root.dataset.copied : root.dataset.failed);
  });
})();

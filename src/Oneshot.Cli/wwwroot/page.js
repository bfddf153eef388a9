// What every panel of the instrument shares: the page's state (window.oneshot, for tests and the
// curious), element lookup, the server's API, errors shown next to the control that caused them,
// and saving a file.

export const $ = id => document.getElementById(id);
export const state = {
  model: null, latent: null, pca: null, controls: [], buffer: null, wav: null,
  history: [], future: [], corners: [null, null, null, null],
  requested: 0, applied: 0, decodes: 0, triggers: 0, octave: 0, seed: 1, lastDecodeMs: null, lastRoundTripMs: null,
};
window.oneshot = state;                     // for tests and the curious
// Settled once the model is known and the kept session read (null when none): the beat waits on it.
export let settleStart;
state.started = new Promise(resolve => { settleStart = resolve; });

// An error shows under the sound and next to the control the person last used (which is what caused
// it: a button, a slider, a file chooser), both read out by screen readers; the next error or a
// successful decode clears them, and the one beside a control goes when another control is used —
// on its click or key, not as the pointer goes down: the page must not move under a click.
let lastControl = null, erred = null;
for (const kind of ["pointerdown", "keydown", "change", "click"])
  document.addEventListener(kind, event => {
    const control = event.target.closest?.("button, input, select, canvas");
    if (!control) return;
    if ((kind === "click" || kind === "keydown") && control !== erred)
      document.querySelectorAll(".control-error").forEach(e => e.remove());
    lastControl = control;
  }, true);
/** What a later error is shown beside, when it is not the control last used (a drop zone). */
export function blame(control) { lastControl = control; }
export function fail(message) {
  $("error").textContent = message || "";
  document.querySelectorAll(".control-error").forEach(e => e.remove());
  if (!message || !lastControl?.isConnected) return;
  erred = lastControl;
  const note = document.createElement("span");
  note.className = "control-error"; note.setAttribute("role", "alert");
  note.textContent = message;
  // not inside a grid
  (lastControl.closest(".slider, #pads, #seq-grid") ?? lastControl).insertAdjacentElement("afterend", note);
}

export async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    const error = new Error(data.error || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return response;
}

/** A POST of a JSON body to the server's API. */
export function postJson(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** A name fit for a downloaded file: letters, digits, - and _ kept, the rest a dash. */
export const fileSafe = (name, fallback) => (name || fallback).replace(/[^A-Za-z0-9_-]+/g, "-");

// Text from the model's files goes into markup escaped.
export const html = text => String(text).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);

export function save(name, blob) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob); link.download = name; link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

// The instrument page's start: the model, the controls, the kept session (or a first draw from the
// prior), the kit and the map.

import { $, api, fail, settleStart, state } from "./page.js";
import { buildControls, controlPosition, updateControls } from "./controls.js";
import { drawPad, ensureAudio, setLatent } from "./sound.js";
import { handleMidi, showLearnt } from "./midi.js";
import { drawMap, loadMap, mapToCanvas, nearestDots } from "./map.js";
import { loadKit, restoreKit } from "./kit.js";
import { savedSession } from "./session.js";
import "./beat.js";

// For tests and the console: what the browser tests drive the page with.
Object.assign(state, { setLatent, controlPosition, handleMidi, drawMap, mapToCanvas, nearestDots, ensureAudio });

(async () => {
  state.model = await (await api("/api/model")).json();
  $("model").textContent = state.model.trained_on.length > 0
    ? `${state.model.name} — trained on ${state.model.trained_on.join(", ")}` : state.model.name;
  $("model").title = state.model.description;   // the architecture, for who wants it
  document.title = `${state.model.name} · Oneshot instrument`;
  buildControls();
  showLearnt();
  drawPad();
  const saved = savedSession();
  // Start where the last session left off, else on a draw from the prior: a sound like the training
  // set's, where the latents' mean decodes to a quiet blur of all of them.
  let start = saved?.latent;
  if (!start) {
    try { start = (await (await api(`/api/sample?temperature=1&seed=${state.seed++}`)).json()).latent; }
    catch { start = state.pca ? state.pca.mean : new Array(state.model.latent_size).fill(0); }
  }
  state.restoring = true;   // kept already, or a first draw not worth keeping until it is touched
  setLatent(start, { record: false });
  if (saved) {
    state.history = saved.history; state.future = saved.future; state.corners = saved.corners;
    updateControls();
    drawPad();
  }
  state.restoring = false;
  loadKit();
  if (saved && saved.pads.some(p => p)) {
    restoreKit(saved)
      .then(() => { $("kit-status").textContent = "The kit from your last session, kept in this browser."; })
      .catch(e => fail(e.message));
  }
  settleStart(saved);
  if (state.model.map_ready) loadMap();
  else { $("map-offer").hidden = false; $("map-status").textContent = "No map yet."; }
})().catch(e => fail(e.message));

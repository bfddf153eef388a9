// The session, kept in this browser per model (the weights' hash): the current sound with its undo
// history, the morph corners, the kit and the beat, so a reload loses nothing.

import { $, state } from "./page.js";
import { kit } from "./kit.js";

function sessionKey() { return `oneshot-session-${state.model.hash}`; }
let sessionTimer = null;
export function saveSession() {
  if (!state.model || state.restoring) return;
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(() => {
    const pads =
      kit.pads.map(p => p
      && { name: p.name, latent: p.latent, tune: p.tune, levelDb: p.levelDb, choke: p.choke, locked: p.locked,
                                          variations: p.variations, velocityLayers: p.velocityLayers, seed: p.seed,
                                            variationDistance: p.variationDistance });
    try {
      const beat = state.sequencer
        && { pattern: state.sequencer.pattern, bpm: state.sequencer.bpm, swing: state.sequencer.swing };
      // The undo history too, its last 50 steps: a reload should not cost the way back.
      localStorage.setItem(sessionKey(),
        JSON.stringify({ version: 1, latent: state.latent, history: state.history.slice(-50),
        future: state.future.slice(-50),
        corners: state.corners, kitName: $("kit-name").value, normalize: $("kit-normalize").checked,
          selected: kit.selected, pads, beat }));
      state.saves = (state.saves ?? 0) + 1;
      document.body.dataset.sessionSaves = String(state.saves);
    } catch { /* storage full or refused: the session is not kept, nothing else changes */ }
  }, 250);
}
export function savedSession() {
  try {
    const saved = JSON.parse(localStorage.getItem(sessionKey()) ?? "null");
    const fits = z => Array.isArray(z) && z.length === state.model.latent_size && z.every(Number.isFinite);
    if (!saved || saved.version !== 1 || !fits(saved.latent)) return null;
    saved.pads = (Array.isArray(saved.pads) ? saved.pads : []).slice(0, 16).map(p => p && fits(p.latent) ? p : null);
    saved.history = (Array.isArray(saved.history) ? saved.history : []).filter(fits);
    saved.future = (Array.isArray(saved.future) ? saved.future : []).filter(fits);
    saved.corners = Array.from({ length: 4 }, (_, i) => Array.isArray(saved.corners)
      && fits(saved.corners[i]) ? saved.corners[i] : null);
    return saved;
  } catch { return null; }
}

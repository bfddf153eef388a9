// The controls: the latent's principal directions and the named controls (a direction fitted or
// trained to follow a quality), their sliders and read-outs in the units their labels promise, and
// moving one quality while holding the others' read-outs.

import { $, html, state } from "./page.js";
import { decode, setLatent } from "./sound.js";

// ---- latent ↔ principal coordinates (mean + Σ cₖ·stdₖ·componentₖ; the rest of z is kept as it is)
function coordinates(z) {
  return state.pca.components.map((c, k) => {
    let dot = 0;
    for (let d = 0; d < z.length; d++) dot += (z[d] - state.pca.mean[d]) * c[d];
    return dot / state.pca.std[k];
  });
}
function withCoordinate(z, k, value) {
  const delta = (value - coordinates(z)[k]) * state.pca.std[k];
  return z.map((v, d) => v + delta * state.pca.components[k][d]);
}

// ---- named controls: the coordinate along a unit direction u, in its training spread: u·(z − mean) / std
export function controlPosition(z, control) {
  let dot = 0;
  for (let d = 0; d < z.length; d++) dot += (z[d] - state.pca.mean[d]) * control.direction[d];
  return dot / control.std;
}
function withControl(z, control, value) {
  const delta = (value - controlPosition(z, control)) * control.std;
  const direction = $("hold-others").checked ? heldDirection(control) : control.direction;
  return z.map((v, d) => v + delta * direction[d]);
}
// The shortest step that moves this control's read-out by one and every other control's by none:
// v = Σ_j a_j d_j with G a = e_k, G the Gram matrix of the directions (the row of their pseudo-inverse).
function heldDirection(control) {
  state.heldDirections ??= new Map();
  if (state.heldDirections.has(control.name)) return state.heldDirections.get(control.name);
  const directions = state.controls.map(c => c.direction), n = directions.length, k = state.controls.indexOf(control);
  const dot = (a, b) => a.reduce((s, v, d) => s + v * b[d], 0);
  const g = directions.map(a => [...directions.map(b => dot(a, b)), 0]);   // [G | e_k], solved by Gauss–Jordan
  g[k][n] = 1;
  for (let c = 0; c < n; c++) {
    const pivot = g.slice(c).reduce((best, row, r) => Math.abs(row[c]) > Math.abs(g[best][c]) ? c + r : best, c);
    [g[c], g[pivot]] = [g[pivot], g[c]];
    // dependent directions: nothing can be held
    if (Math.abs(g[c][c]) < 1e-9) {
      state.heldDirections.set(control.name, control.direction);
      return control.direction;
    }
    for (let r = 0; r < n; r++) if (r !== c) {
      const f = g[r][c] / g[c][c];
      for (let j = c; j <= n; j++) g[r][j] -= f * g[c][j];
    }
  }
  const weights = g.map((row, r) => row[n] / row[r]);
  const held = directions[0].map((_, d) => weights.reduce((s, w, j) => s + w * directions[j][d], 0));
  state.heldDirections.set(control.name, held);
  return held;
}


export function updateControls() {
  $("undo").disabled = state.history.length === 0;
  $("redo").disabled = state.future.length === 0;
  state.controls.forEach(control => {
    const input = $(`control-${control.name}`), c = controlPosition(state.latent, control);
    if (input && document.activeElement !== input) {
      input.value = c.toFixed(2);
      $(`control-${control.name}-out`).value = readouts[`control-${control.name}`](c);
    }
  });
  if (state.pca) coordinates(state.latent).forEach((c, k) => {
    const input = $(`pc-${k}`);
    if (input && document.activeElement !== input) {
      input.value = c.toFixed(2);
      $(`pc-${k}-out`).value = c.toFixed(2);
    }
  });
  state.latent.forEach((v, d) => {
    const input = $(`z-${d}`);
    if (input && document.activeElement !== input) { input.value = v.toFixed(2); $(`z-${d}-out`).value = v.toFixed(2); }
  });
}

// What each slider's read-out says for a position (σ by default; a named control in its unit).
const readouts = {};

// A named control's position (±2 standard deviations) in its unit: Low–High interpolated on the
// scale the control was fitted on, so the ends read what the label's span says.
const toScale = { log2: Math.log2, log10: Math.log10, midi: v => 12 * Math.log2(v / 440) + 69, linear: v => v };
const fromScale = { log2: s => 2 ** s, log10: s => 10 ** s, midi: m => 440 * 2 ** ((m - 69) / 12), linear: s => s };
export function inUnits(control, position) {
  const to = toScale[control.scale] ?? toScale.linear, from = fromScale[control.scale] ?? fromScale.linear;
  const low = to(control.low), high = to(control.high);
  return from(low + (Math.max(-2, Math.min(2, position)) + 2) / 4 * (high - low));
}
export function formatUnits(control, value) {
  switch (control.unit) {
    case "flatness": return `${(10 * Math.log10(Math.max(value, 1e-6))).toFixed(0)} dB`;
    case "Hz": return value >= 1000 ? `${(value / 1000).toFixed(2)} kHz` : `${value.toFixed(0)} Hz`;
    case "ms": return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
    default: return `${value.toFixed(1)} ${control.unit}`;
  }
}


function slider(parent, id, label, min, max, step, title, onInput, onChange, className = "slider",
  readout = v => v.toFixed(2)) {
  const row = document.createElement("div");
  row.className = className;
  row.innerHTML = `<label for="${id}" title="${title}">${label}</label>` +
    `<input type="range" id="${id}" min="${min}" max="${max}" step="${step}" value="0">` +
    `<output id="${id}-out">${readout(0)}</output>`;
  parent.appendChild(row);
  const input = row.querySelector("input");
  readouts[id] = readout;
  input.addEventListener("input",
    () => { $(`${id}-out`).value = readout(Number(input.value)); onInput(Number(input.value)); });
  input.addEventListener("change", () => onChange(Number(input.value)));
}

// A slider's move: the latent follows at once, one undo step when the slider is let go.
function sliderMoves(move) {
  let before = null;
  return [
    value => { before ??= state.latent; state.latent = move(state.latent, value); decode(state.latent); },
    // Let go: the sound is already decoded; the read-outs, the map's marker and the kept session follow.
    () => {
      if (before) { state.history.push(before); state.future = []; before = null; }
      setLatent(state.latent, { record: false, refresh: false });
    },
  ];
}

export function buildControls() {
  const m = state.model;
  if (m.pca) {
    state.pca = { mean: m.pca.mean, std: m.pca.std.map(s => Math.max(s, 1e-6)),
      components: m.pca.components.slice(0, 8), share: m.pca.share };
    state.pca.components.forEach((_, k) => {
      slider($("pcs"), `pc-${k}`, `PC ${k + 1} · ${(100 * state.pca.share[k]).toFixed(1)}%`, -3, 3, 0.01,
        `principal direction ${k + 1}: ${(100 * state.pca.share[k]).toFixed(1)}% of the variance; ` +
        "range ±3 standard deviations",
        ...sliderMoves((z, value) => withCoordinate(z, k, value)));
    });
  } else $("pcs").textContent = "This model has no latent.json; use the raw dimensions below.";
  // Named controls are measured from the PCA's centre (the training latents' mean), so they come after it.
  if (m.pca && m.controls.length > 0) {
    state.controls = m.controls.map(c => ({ ...c, std: Math.max(c.std, 1e-6) }));
    state.heldDirections = new Map();
    const trained = state.controls.some(c => c.source === "trained");
    $("named-note").textContent = trained
      ? "Dimensions trained to follow these qualities; ±2 standard deviations of the training sounds, what each " +
        "spans beside it."
      : "Directions fitted after training to follow these qualities over the training sounds; ±2 standard " +
        "deviations, what each spans beside it, and on the right the value it predicts. R² says how well each " +
        "predicts held-out sounds: near 1 the name is earned.";
    state.controls.forEach(control => {
      const fit = control.r_squared_valid == null ? ""
        : `; R² ${control.r_squared_valid.toFixed(2)} on held-out sounds`;
      const trust = control.r_squared_valid == null ? ""
        : ` <small class="fit">R² ${control.r_squared_valid.toFixed(2)}</small>`;
      slider($("named"), `control-${control.name}`,
        `${html(control.name)} <small>${html(control.span)}</small>${trust}`, -2, 2, 0.01,
        html(
          `${control.source} direction following ${control.descriptor}${fit}; the read-out is the value it predicts`),
        ...sliderMoves((z, value) => withControl(z, control, value)), "slider named",
          v => formatUnits(control, inUnits(control, v)));
    });
  } else $("named-note").textContent = "This model's latent.json has no named controls: run `oneshot controls MODEL` " +
    "to fit them.";
  for (let d = 0; d < m.latent_size; d++) {
    slider($("raw"), `z-${d}`, `z${d}`, -4, 4, 0.01, `latent dimension ${d}`,
      ...sliderMoves((z, value) => z.map((v, i) => i === d ? value : v)));
  }
}

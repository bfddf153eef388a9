// The sound panel: decoding the latent on the server (only the newest request matters), the
// waveform and spectrogram, the sampler that plays it, exploring (random, variation, a dropped
// file), the morph pad, undo, presets and files.

import { $, api, blame, fail, postJson, save, state } from "./page.js";
import { controlPosition, formatUnits, inUnits, updateControls } from "./controls.js";
import { behindMap, scheduleMapDraw, soundMap } from "./map.js";
import { saveSession } from "./session.js";

export let audioContext = null;
// ---- decoding: only the newest request matters
export async function decode(z) {
  const id = ++state.requested;
  const started = performance.now();
  try {
    const response = await postJson("/api/decode", { latent: z });
    const bytes = await response.arrayBuffer();
    if (id < state.applied) return;        // an older answer arriving late
    const buffer = await audioBuffer(bytes);
    if (id < state.applied) return;
    state.applied = id;
    state.buffer = buffer;
    state.wav = bytes;
    state.decodes++;
    state.lastDecodeMs = Number(response.headers.get("X-Decode-Ms"));
    state.lastRoundTripMs = performance.now() - started;
    document.body.dataset.decodes = String(state.decodes);
    $("timing").textContent =
      `decode ${state.lastDecodeMs.toFixed(0)} ms · ready ${state.lastRoundTripMs.toFixed(0)} ms after the request`;
    fail("");
    draw(buffer.getChannelData(0), buffer.sampleRate);
  } catch (e) {
    if (e.status !== 409) fail(e.message);
    // 409: the server had a newer request when this one came. Requests can overtake each other on
    // the way, so an older one arriving last can have replaced the newest: then ask again.
    else if (id === state.requested) decode(state.latent);
  }
}

/** A WAV from the server as an AudioBuffer of the page's audio context. */
export async function audioBuffer(bytes) {
  const context = ensureAudio();
  return floatWav(context, bytes) ?? await context.decodeAudioData(bytes.slice(0));
}

// The server sends 32-bit float WAV: read it straight into an AudioBuffer (synchronous, no trip
// through the audio thread's decoder); anything else goes to decodeAudioData.
function floatWav(context, bytes) {
  const view = new DataView(bytes);
  // "RIFF", "WAVE"
  if (bytes.byteLength < 12 || view.getUint32(0, false) !== 0x52494646 || view.getUint32(8, false) !== 0x57415645)
    return null;
  let format = 0, channels = 0, rate = 0, bits = 0;
  for (let offset = 12; offset + 8 <= bytes.byteLength;) {
    const id = view.getUint32(offset, false), size = view.getUint32(offset + 4, true), body = offset + 8;
    if (id === 0x666d7420) {                                   // "fmt "
      format = view.getUint16(body, true); channels = view.getUint16(body + 2, true);
      rate = view.getUint32(body + 4, true); bits = view.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true);   // WAVE_FORMAT_EXTENSIBLE
    } else if (id === 0x64617461) {                            // "data"
      if (format !== 3 || bits !== 32 || channels < 1) return null;
      const frames = Math.floor(Math.min(size, bytes.byteLength - body) / 4 / channels);
      const buffer = context.createBuffer(channels, Math.max(1, frames), rate);
      for (let c = 0; c < channels; c++) {
        const out = buffer.getChannelData(c);
        for (let i = 0; i < frames; i++) out[i] = view.getFloat32(body + 4 * (i * channels + c), true);
      }
      return buffer;
    }
    offset = body + size + (size & 1);
  }
  return null;
}

export function setLatent(z, { record = true, refresh = true } = {}) {
  if (record && state.latent) { state.history.push(state.latent); state.future = []; }
  state.latent = Array.from(z);
  updateControls();
  if (refresh) decode(state.latent);
  if (soundMap.data) scheduleMapDraw();   // the current sound's marker
  saveSession();
}
// ---- drawing
function draw(samples, sampleRate) {
  const wave = $("wave"), g = wave.getContext("2d");
  g.fillStyle = "#111"; g.fillRect(0, 0, wave.width, wave.height);
  // At its true level: full scale fills the height, so turning a sound down shows; lines at −6 and −20 dBFS.
  let peak = 0;
  for (const v of samples) peak = Math.max(peak, Math.abs(v));
  const mid = wave.height / 2;
  g.strokeStyle = "#333"; g.beginPath();
  for (const db of [-6, -20]) for (const sign of [1, -1]) {
    const y = mid - sign * Math.pow(10, db / 20) * mid;
    g.moveTo(0, y);
    g.lineTo(wave.width, y);
  }
  g.stroke();
  g.fillStyle = "#aaa"; g.font = "12px sans-serif";
  g.fillText(`peak ${(20 * Math.log10(Math.max(peak, 1e-9))).toFixed(1)} dBFS`, 6, 14);
  g.fillText("−6 dB", wave.width - 40, mid - Math.pow(10, -6 / 20) * mid - 3);
  g.fillText("−20 dB", wave.width - 46, mid - 0.1 * mid - 3);
  g.strokeStyle = "#6cf"; g.beginPath();
  const step = samples.length / wave.width;
  for (let x = 0; x < wave.width; x++) {
    let lo = 1, hi = -1;
    for (let i = Math.floor(x * step); i < Math.floor((x + 1) * step); i++) {
      lo = Math.min(lo, samples[i]);
      hi = Math.max(hi, samples[i]);
    }
    g.moveTo(x + .5, mid - hi * mid); g.lineTo(x + .5, mid - lo * mid);
  }
  g.stroke();
  spectrogram(samples, sampleRate);
  state.drawnSeconds = samples.length / sampleRate;
}
function fft(re, im) {                       // in place, radix 2
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { [re[i], re[j]] = [re[j], re[i]]; [im[i], im[j]] = [im[j], im[i]]; }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = -2 * Math.PI / len;
    for (let i = 0; i < n; i += len)
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(angle * k), wi = Math.sin(angle * k);
        const ar = re[i + k + len / 2], ai = im[i + k + len / 2];
        const tr = ar * wr - ai * wi, ti = ar * wi + ai * wr;
        re[i + k + len / 2] = re[i + k] - tr; im[i + k + len / 2] = im[i + k] - ti;
        re[i + k] += tr; im[i + k] += ti;
      }
  }
}
function spectrogram(samples, sampleRate) {
  const canvas = $("spectrogram"), g = canvas.getContext("2d");
  const n = 512, hop = 256, frames = Math.max(1, Math.floor((samples.length - n) / hop));
  const image = g.createImageData(frames, n / 2);
  const re = new Float64Array(n), im = new Float64Array(n);
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < n; i++) {
      re[i] = samples[f * hop + i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / n));
      im[i] = 0;
    }
    fft(re, im);
    for (let k = 0; k < n / 2; k++) {
      const db = 10 * Math.log10(re[k] * re[k] + im[k] * im[k] + 1e-12);
      const v = Math.max(0, Math.min(255, (db + 80) * 2.5));
      const p = ((n / 2 - 1 - k) * frames + f) * 4;
      image.data[p] = v; image.data[p + 1] = v * 0.6; image.data[p + 2] = 255 - v * 0.6; image.data[p + 3] = 255;
    }
  }
  const scratch = document.createElement("canvas");
  scratch.width = frames; scratch.height = n / 2;
  scratch.getContext("2d").putImageData(image, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(scratch, 0, 0, canvas.width, canvas.height);
  // Axes: frequency up the left (linear, to half the sample rate), time along the bottom.
  const nyquist = sampleRate / 2, seconds = samples.length / sampleRate;
  g.font = "11px sans-serif"; g.fillStyle = "#fff"; g.strokeStyle = "rgba(255,255,255,.35)";
  const kHzStep = nyquist > 16000 ? 5 : nyquist > 6000 ? 2 : 1;
  for (let kHz = kHzStep; kHz * 1000 < nyquist; kHz += kHzStep) {
    const y = canvas.height * (1 - kHz * 1000 / nyquist);
    g.beginPath(); g.moveTo(0, y); g.lineTo(6, y); g.stroke();
    g.fillText(`${kHz} kHz`, 8, y + 4);
  }
  const secondStep = seconds > 2 ? 0.5 : seconds > 0.8 ? 0.25 : 0.1;
  for (let t = secondStep; t < seconds; t += secondStep) {
    const x = canvas.width * t / seconds;
    g.beginPath(); g.moveTo(x, canvas.height); g.lineTo(x, canvas.height - 6); g.stroke();
    g.fillText(`${+t.toFixed(2)} s`, x - 12, canvas.height - 8);
  }
  canvas.dataset.axes = `${kHzStep} kHz, ${secondStep} s`;
}

// ---- playing: a polyphonic sampler in the page; a trigger never waits for the server
export function ensureAudio() {
  if (!audioContext) audioContext = new AudioContext();
  if (audioContext.state === "suspended") audioContext.resume();
  return audioContext;
}
export function trigger(note = 60, velocity = 100) {
  if (!state.buffer) return;
  const context = ensureAudio();
  const source = context.createBufferSource();
  source.buffer = state.buffer;
  source.playbackRate.value = Math.pow(2, (note - 60) / 12);   // resampling: pitch and length move together
  const gain = context.createGain();
  gain.gain.value = velocity / 127;
  source.connect(gain).connect(context.destination);
  source.start();
  state.triggers++;
  document.body.dataset.triggers = String(state.triggers);
  followPlayhead(context, context.currentTime, source.playbackRate.value);
}
// A line across the waveform and spectrogram where the last note played is, at its own rate.
function followPlayhead(context, start, rate) {
  const line = $("playhead"), seconds = state.drawnSeconds ?? 0, token = (state.playheadToken ?? 0) + 1;
  state.playheadToken = token;
  if (!seconds) return;
  line.hidden = false;
  const step = () => {
    if (state.playheadToken !== token) return;   // a newer note took it over
    const share = (context.currentTime - start) * rate / seconds;
    if (share >= 1) { line.hidden = true; return; }
    line.style.left = `${100 * Math.max(0, share)}%`;
    document.body.dataset.playhead = share.toFixed(3);
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}
// ---- exploring
async function randomSound() {
  const temperature = Number($("temperature").value);
  const data = await (await api(`/api/sample?temperature=${temperature}&seed=${state.seed++}`)).json();
  setLatent(data.latent);
}
export function gaussian() {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}
/** A small random step from a latent: `step` times the latent's typical spread along its principal directions. */
export function near(latent) {
  const step = Number($("step").value);
  const spread = state.pca ? Math.sqrt(state.pca.std.reduce((a, s) => a + s * s, 0) / state.pca.std.length) : 1;
  return latent.map(v => v + step * spread * gaussian());
}
function variation() { setLatent(near(state.latent)); }
async function encodeFile(file) {
  const steps = state.model.refine_steps;
  const post = refine => api(`/api/encode?name=${encodeURIComponent(file.name)}&refine=${refine}`,
    { method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
  $("status").textContent = `encoding ${file.name}…`;
  behindMap("status", `encoding ${file.name}`);
  try {
    // The encoder's latent is heard at once; the refined one (a few seconds) then takes its place,
    // as the same undo step, unless the sound was changed meanwhile.
    const quick = (await (await post(0)).json()).latent;
    setLatent(quick);
    if (steps > 0) {
      $("status").textContent = `now: ${file.name} (refining its latent, ${steps} steps…)`;
      const refined = (await (await post(steps)).json()).latent;
      const unchanged = state.latent.every((v, d) => v === quick[d]);
      if (unchanged) setLatent(refined, { record: false });
      $("status").textContent = unchanged ? `now: ${file.name}` : "";
      return;
    }
    $("status").textContent = `now: ${file.name}`;
  } catch (e) {
    $("status").textContent = "";
    throw e;
  }
}

// ---- morph pad: bilinear between four corners
export function drawPad(x, y) {
  const pad = $("pad"), g = pad.getContext("2d");
  g.clearRect(0, 0, pad.width, pad.height);
  g.font = "14px sans-serif"; g.fillStyle = "#333";
  ["A", "B", "C", "D"].forEach((name, i) => {
    const set = state.corners[i] !== null;
    g.fillStyle = set ? "#2d6cdf" : "#999";
    g.fillText(name, i % 2 ? pad.width - 16 : 6, i < 2 ? 16 : pad.height - 6);
  });
  if (x !== undefined) {
    g.beginPath();
    g.arc(x * pad.width, y * pad.height, 6, 0, 2 * Math.PI);
    g.fillStyle = "#d62728";
    g.fill();
  }
}
function morph(x, y) {
  const [a, b, c, d] = state.corners;
  if (state.corners.some(corner => corner === null)) { fail("Set all four corners first."); return null; }
  return a.map((_, i) => (1 - x) * (1 - y) * a[i] + x * (1 - y) * b[i] + (1 - x) * y * c[i] + x * y * d[i]);
}
let padBefore = null;
function padAt(event, commit) {
  const rect = $("pad").getBoundingClientRect();
  padTo((event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height, commit);
}
function padTo(x, y, commit) {
  x = Math.min(1, Math.max(0, x)); y = Math.min(1, Math.max(0, y));
  const z = morph(x, y);
  if (!z) return;
  state.padPoint = [x, y];
  drawPad(x, y);
  padBefore ??= state.latent;
  state.latent = z;
  decode(z);
  if (commit) {
    state.history.push(padBefore);
    state.future = [];
    padBefore = null;
    setLatent(z, { record: false, refresh: false });
  }
}
$("pad").addEventListener("pointerdown", e => { $("pad").setPointerCapture(e.pointerId); padAt(e, false); });
$("pad").addEventListener("pointermove", e => { if (e.buttons) padAt(e, false); });
$("pad").addEventListener("pointerup", e => padAt(e, true));
$("pad").addEventListener("keydown", e => {
  const [x, y] = state.padPoint ?? [0.5, 0.5], step = e.shiftKey ? 0.2 : 0.05;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  if (moves[e.key]) { padTo(x + moves[e.key][0], y + moves[e.key][1], false); e.preventDefault(); }
  else if (e.key === "Enter" || e.key === " ") { padTo(x, y, true); e.preventDefault(); }
});
// moved by keys, left without Enter: still one undo step
$("pad").addEventListener("blur", () => { if (padBefore && state.padPoint) padTo(...state.padPoint, true); });
for (const button of document.querySelectorAll("[data-corner]"))
  button.onclick = () =>
    { state.corners[Number(button.dataset.corner)] = Array.from(state.latent); drawPad(); saveSession(); };

// ---- history, presets, files
$("undo").onclick = () => { if (!state.history.length) return; state.future.push(state.latent);
  setLatent(state.history.pop(), { record: false }); };
$("redo").onclick = () => { if (!state.future.length) return; state.history.push(state.latent);
  setLatent(state.future.pop(), { record: false }); };
// A sound's file is named by what it is: the model, then its brightness, decay and pitch as the sliders read them.
export function soundFileName() {
  const parts = ["brightness", "decay", "pitch"].map(name => state.controls.find(c => c.name === name)).filter(Boolean)
    .map(c => formatUnits(c, inUnits(c, controlPosition(state.latent, c))).replace(/\s+/g, ""));
  return `${[state.model.name, ...parts].join("-").replace(/[^\w.\-]+/g, "_")}.wav`;
}
$("download").onclick = () => { if (state.wav) save(soundFileName(), new Blob([state.wav], { type: "audio/wav" })); };
$("save").onclick = () => save(`${state.model.name}-preset.json`, new Blob([JSON.stringify({
  format: "oneshot-preset", version: 1, model: state.model.name, model_hash: state.model.hash, latent: state.latent,
}, null, 2)], { type: "application/json" }));
$("load-button").onclick = () => $("load").click();
$("load").onchange = async () => {
  const file = $("load").files[0];
  if (!file) return;
  try {
    const preset = JSON.parse(await file.text());
    if (preset.format !== "oneshot-preset" || !Array.isArray(preset.latent))
      throw new Error(`${file.name} is not a Oneshot preset.`);
    if (preset.latent.length !== state.model.latent_size)
      throw new Error(
        `${file.name} has ${preset.latent.length} values; this model's latents have ${state.model.latent_size}.`);
    setLatent(preset.latent);
    if (preset.model_hash !== state.model.hash)
      fail(`Note: ${file.name} was saved with model '${preset.model}'; it may sound different here.`);
  } catch (e) { fail(e.message); }
  $("load").value = "";
};
$("file").onchange = () => { if ($("file").files[0]) encodeFile($("file").files[0]).catch(e => fail(e.message)); };
const drop = $("drop");
drop.addEventListener("dragover", e => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", e => { e.preventDefault(); drop.classList.remove("over"); blame(drop);
  if (e.dataTransfer.files[0]) encodeFile(e.dataTransfer.files[0]).catch(err => fail(err.message)); });
$("trigger").onclick = () => trigger(60, 100);
$("random").onclick = () => randomSound().catch(e => fail(e.message));
$("variation").onclick = variation;

// The beat under the kit (sequencer.js wired to the kit's pads and voices), and dragging a sound or
// a pad out into a DAW or a file manager.

import { Sequencer, Steps, floatWavFile } from "./sequencer.js";
import { $, fail, fileSafe, save, state } from "./page.js";
import { audioContext, ensureAudio, soundFileName } from "./sound.js";
import { flashPad, kit, padVoice } from "./kit.js";
import { saveSession } from "./session.js";

// Drag a sound out into a DAW or a file manager (Chromium's DownloadURL drag data): the current sound
// under the name Download gives it, a pad under the name the kit export gives it, tuned and levelled
// as it plays here (by linear interpolation; the export retunes with a finer kernel).
function dragOut(event, name, blob) {
  const url = URL.createObjectURL(blob);
  event.dataTransfer.setData("DownloadURL", `audio/wav:${name}:${url}`);
  event.dataTransfer.effectAllowed = "copy";
  document.body.dataset.dragged = name;
  setTimeout(() => URL.revokeObjectURL(url), 60000);   // read when the drop lands
}
function padAsPlayed(pad) {
  const data = pad.buffer.getChannelData(0), rate = Math.pow(2, pad.tune / 12), gain = Math.pow(10, pad.levelDb / 20);
  const out = new Float32Array(Math.floor((data.length - 1) / rate) + 1);
  for (let i = 0; i < out.length; i++) {
    const x = i * rate, k = Math.floor(x), f = x - k;
    out[i] = gain * (data[k] * (1 - f) + (data[k + 1] ?? 0) * f);
  }
  return out;
}
function padFileName(i) {   // as KitExport names it: NN-name, letters, digits, - and _ kept
  const safe = (kit.pads[i].name || `pad-${i + 1}`).replace(/[^\p{L}\p{N}_-]/gu, "-").replace(/^-+|-+$/g, "");
  return `${String(i + 1).padStart(2, "0")}-${safe || "pad"}.wav`;
}
$("download").addEventListener("dragstart", event => {
  if (!state.wav) { event.preventDefault(); return; }
  dragOut(event, soundFileName(), new Blob([state.wav], { type: "audio/wav" }));
});
$("pads").addEventListener("dragstart", event => {
  const i = Number(event.target.closest?.("button")?.id?.replace("pad-", "")), pad = kit.pads[i];
  if (!pad?.buffer) { event.preventDefault(); return; }
  dragOut(event, padFileName(i),
    new Blob([floatWavFile(padAsPlayed(pad), pad.buffer.sampleRate)], { type: "audio/wav" }));
});
// The beat: wired to the kit's pads and voices (kit.js). The imports are used only once the page
// runs, never while the modules are evaluated, so their cycle (kit ↔ sound ↔ map) is harmless.
const sequencer = new Sequencer({
  pads: () => kit.pads, context: ensureAudio, voice: padVoice,   // padVoice returns the source it started
  onHit: (p, when) => flashPad(p, Math.max(0, (when - audioContext.currentTime) * 1000)),
});
state.sequencer = sequencer;
function rows() {
  let last = -1;
  kit.pads.forEach((pad, i) => { if (pad) last = i; });
  return Math.max(4, last + 1);
}
function drawBeat() {
  const grid = $("seq-grid");
  grid.innerHTML = "";
  for (let p = 0; p < rows(); p++) {
    const label = document.createElement("span");
    label.textContent = `${p + 1} ${kit.pads[p]?.name || (kit.pads[p] ? "sound" : "—")}`;
    grid.appendChild(label);
    for (let step = 0; step < Steps; step++) {
      const button = document.createElement("button");
      button.id = `step-${p}-${step}`;
      button.className = (sequencer.pattern[p][step] ? "on" : "") + (step % 4 === 0 ? " beat" : "");
      button.setAttribute("aria-pressed", String(Boolean(sequencer.pattern[p][step])));
      button.setAttribute("aria-label", `pad ${p + 1}, step ${step + 1}`);
      button.onclick = () => {
        const on = sequencer.toggle(p, step);
        button.classList.toggle("on", Boolean(on));
        button.setAttribute("aria-pressed", String(Boolean(on)));
        saveSession();
      };
      grid.appendChild(button);
    }
  }
}
document.addEventListener("oneshot-pads", drawBeat);
$("seq-play").onclick = () => {
  if (sequencer.playing) sequencer.stop(); else sequencer.start();
  $("seq-play").textContent = sequencer.playing ? "■ Stop" : "▶ Play the beat";
};
$("seq-tempo").onchange = () =>
  { sequencer.setTempo(Number($("seq-tempo").value)); $("seq-tempo").value = String(sequencer.bpm); saveSession(); };
$("seq-swing").oninput = () => { sequencer.setSwing(Number($("seq-swing").value) / 100);
  $("seq-swing-out").value = `${$("seq-swing").value} %`; saveSession(); };
$("seq-clear").onclick = () => { sequencer.pattern.forEach(row => row.fill(0)); drawBeat(); saveSession(); };
$("seq-render").onclick = async () => {
  try {
    if (!sequencer.pattern.some((row, p) => kit.pads[p] && row.some(v => v))) {
      fail("Set a step of a filled pad first.");
      return;
    }
    const rate = state.model.sample_rate, loop = await sequencer.renderLoop(rate, state.model.output_ceiling);
    save(`${fileSafe($("kit-name").value, "kit")}-loop-${sequencer.bpm}bpm.wav`,
      new Blob([floatWavFile(loop, rate)], { type: "audio/wav" }));
    state.loopsRendered = (state.loopsRendered ?? 0) + 1;
  } catch (e) { fail(e.message); }
};
// The kept session's beat, once the page knows its model.
state.started.then(saved => {
  const beat = saved?.beat;
  if (beat && Array.isArray(beat.pattern))
    beat.pattern.slice(0, 16)
      .forEach((row, p) =>
      { if (Array.isArray(row)) row.slice(0, Steps).forEach((v, step) =>
      { sequencer.pattern[p][step] = Number(v) > 0 ? Math.min(127, Number(v)) : 0; }); });
  if (beat) { sequencer.setTempo(Number(beat.bpm)); sequencer.setSwing(Number(beat.swing)); }
  $("seq-tempo").value = String(sequencer.bpm);
  $("seq-swing").value = String(Math.round(sequencer.swing * 100));
  $("seq-swing-out").value = `${$("seq-swing").value} %`;
  drawBeat();
});
drawBeat();

// Playing from outside the page: the computer keyboard as a piano, MIDI notes, and MIDI learn (any
// slider follows a knob).

import { $, state } from "./page.js";
import { trigger } from "./sound.js";
import { playPad } from "./kit.js";

const keyNotes = { a: 0, w: 1, s: 2, e: 3, d: 4, f: 5, t: 6, g: 7, y: 8, h: 9, u: 10, j: 11, k: 12 };
document.addEventListener("keydown", event => {
  if (event.defaultPrevented || event.repeat || event.target.tagName === "INPUT" && event.target.type !== "range")
    return;
  const key = event.key.toLowerCase();
  // Space and Enter on a focused button or checkbox press it, as everywhere else; they play the sound only from
  // elsewhere.
  if ((key === " " || key === "enter") && (event.target.tagName === "BUTTON" || event.target.type === "checkbox"))
    return;
  if (key in keyNotes) { trigger(60 + 12 * state.octave + keyNotes[key], 100); event.preventDefault(); }
  else if (/^[0-9]$/.test(key)) {
    playPad(key === "0" ? 9 : Number(key) - 1, 100, event.timeStamp);
    event.preventDefault();
  }
  else if (key === " ") { trigger(60, 100); event.preventDefault(); }
  else if (key === "z") state.octave = Math.max(-3, state.octave - 1);
  else if (key === "x") state.octave = Math.min(3, state.octave + 1);
  $("octave").textContent = String(state.octave);
});
// A MIDI message: a note plays a pad or the sound; a control change moves the slider learnt for it.
export function handleMidi([status, data1, data2], since = performance.now()) {
  if ((status & 0xf0) === 0xb0) { controlChange(data1, data2); return; }
  if ((status & 0xf0) !== 0x90 || data2 === 0) return;
  if ($("midi-kit").checked && data1 >= 36 && data1 < 52) playPad(data1 - 36, data2, since);
  else trigger(data1, data2);
}
// ---- MIDI learn: every slider on the page can follow a knob. The mapping (CC number → slider id) is
// kept in this browser for every model, as a controller's layout outlives a model.
const midiLearn = { armed: null, ccs: {}, settle: {} };
try { midiLearn.ccs = JSON.parse(localStorage.getItem("oneshot-midi-cc") ?? "{}") ?? {}; } catch { midiLearn.ccs = {}; }
export function showLearnt() {
  document.querySelectorAll("label small.cc").forEach(tag => tag.remove());
  for (const [cc, id] of Object.entries(midiLearn.ccs)) {
    const label = document.querySelector(`label[for="${id}"]`);
    if (label) label.insertAdjacentHTML("beforeend", ` <small class="cc">CC ${Number(cc)}</small>`);
  }
  $("midi-forget").hidden = Object.keys(midiLearn.ccs).length === 0;
}
document.addEventListener("pointerdown", event => {
  if ($("midi-learn").checked && event.target.matches?.('input[type="range"]')) {
    midiLearn.armed = event.target.id;
    const label = document.querySelector(`label[for="${event.target.id}"]`)?.textContent.trim();
    $("midi-learn-status").textContent = `turn a knob for ${label ?? event.target.id}`;
  }
});
document.addEventListener("focusin", event => {   // from the keyboard too
  if ($("midi-learn").checked && event.target.matches?.('input[type="range"]')) midiLearn.armed = event.target.id;
});
$("midi-learn").onchange = () => { midiLearn.armed = null;
  $("midi-learn-status").textContent = $("midi-learn").checked ? "touch a slider, then turn a knob" : ""; };
$("midi-forget").onclick = () => { midiLearn.ccs = {}; localStorage.removeItem("oneshot-midi-cc"); showLearnt(); };
function controlChange(cc, value) {
  if ($("midi-learn").checked && midiLearn.armed) {
    for (const [other, id] of Object.entries(midiLearn.ccs)) if (id === midiLearn.armed) delete midiLearn.ccs[other];
    midiLearn.ccs[cc] = midiLearn.armed;
    try { localStorage.setItem("oneshot-midi-cc", JSON.stringify(midiLearn.ccs));
      } catch { /* not kept; still works now */ }
    const label = document.querySelector(`label[for="${midiLearn.armed}"]`)?.firstChild?.textContent?.trim();
    $("midi-learn-status").textContent = `CC ${cc} → ${label ?? midiLearn.armed}`;
    midiLearn.armed = null;
    showLearnt();
  }
  const slider = $(midiLearn.ccs[cc] ?? "");
  if (!slider) return;
  const min = Number(slider.min), max = Number(slider.max);
  slider.value = String(min + (max - min) * value / 127);
  slider.dispatchEvent(new Event("input"));
  // The knob's "let go" (one undo step, the pad's sounds made again) once it has rested for 200 ms.
  clearTimeout(midiLearn.settle[cc]);
  midiLearn.settle[cc] = setTimeout(() => slider.dispatchEvent(new Event("change")), 200);
}
if (navigator.requestMIDIAccess) {
  navigator.requestMIDIAccess().then(access => {
    const connect = () => {
      let count = 0;
      for (const input of access.inputs.values()) {
        count++;
        input.onmidimessage = message => handleMidi(message.data, message.timeStamp);
      }
      $("midi").textContent = count ? `${count} MIDI input${count > 1 ? "s" : ""}` : "no MIDI input";
    };
    access.onstatechange = connect;
    connect();
  }).catch(() => { $("midi").textContent = "MIDI not allowed"; });
}

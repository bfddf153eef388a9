// The kit: 16 pads on notes 36–51, each a latent decoded on the server's second model copy, with
// tune, level, choke, round robins or velocity layers, locks and randomise; opened from and
// exported to a kit description and the kit formats.

import { $, api, fail, fileSafe, html, postJson, save, state } from "./page.js";
import { audioBuffer, ensureAudio, near, setLatent } from "./sound.js";
import { behindMap, soundMap } from "./map.js";
import { saveSession } from "./session.js";

// ---- the kit: 16 pads on notes 36–51, each a latent, decoded on the server's second model copy (never superseded)
// How far a pad's round robins lie by default, as `oneshot kit`'s variation_distance (KitBuilder).
const VariationDistance = 0.15;
export const kit = { pads: Array.from({ length: 16 }, () => null), selected: 0, plays: 0, exports: 0,
  playing: new Map(), hitDelays: [] };
state.kit = kit;
function padLabel(i) {
  const pad = kit.pads[i];
  return `${i + 1} · ${36 + i}${pad?.locked ? " 🔒" : ""}<br>${pad ? html(pad.name || "sound") : "empty"}`;
}
function drawPads() {
  const holder = $("pads");
  holder.innerHTML = "";
  kit.pads.forEach((pad, i) => {
    const button = document.createElement("button");
    button.id = `pad-${i}`;
    button.innerHTML = padLabel(i);
    button.className = (pad ? "" : "empty") + (i === kit.selected ? " selected" : "");
    button.draggable = Boolean(pad);   // drag it out to a DAW (beat.js)
    if (pad) button.title = "Drag me into a DAW or a folder";
    button.onclick = () => { kit.selected = i; showPad(); playPad(i, 100); };
    holder.appendChild(button);
  });
  document.dispatchEvent(new Event("oneshot-pads"));   // the beat's rows follow the pads
}
function showPad() {
  const pad = kit.pads[kit.selected];
  $("pad-number").textContent = String(kit.selected + 1);
  $("pad-name").value = pad?.name ?? "";
  $("pad-lock").checked = Boolean(pad?.locked);
  for (const [id, key] of [["pad-tune", "tune"], ["pad-level", "levelDb"], ["pad-choke", "choke"]]) {
    $(id).value = String(pad?.[key] ?? 0); $(`${id}-out`).value = String(pad?.[key] ?? 0);
  }
  $("pad-variations").value = $("pad-variations-out").value = String(pad?.variations ?? 1);
  $("pad-velocity-layers").checked = Boolean(pad?.velocityLayers);
  drawPads();
}
// A pad's new latent: it keeps sounding as it did (the beat and the keys play the old sound) until the
// new sound is decoded, which waits behind any map build or refine on the server's second model copy.
async function setPad(i, latent, name) {
  const previous = kit.pads[i];
  const pad = { name: name ?? previous?.name ?? "", latent: Array.from(latent), tune: previous?.tune ?? 0,
    levelDb: previous?.levelDb ?? 0, choke: previous?.choke ?? 0,
                locked: previous?.locked ?? false, buffer: previous?.buffer ?? null, pending: true,
                variations: previous?.variations ?? 1, velocityLayers: previous?.velocityLayers ?? false,
                  seed: previous?.seed ?? 1,
                variationDistance: previous?.variationDistance ?? VariationDistance,
                others: previous?.others ?? [], velocities: previous?.velocities ?? null };
  kit.pads[i] = pad;
  // the slot is filled again: nothing to undo into
  if (kit.cleared?.index === i) { kit.cleared = null; $("pad-undo-clear").disabled = true; }
  showPad();
  saveSession();
  behindMap("kit-status", `Pad ${i + 1}`);
  try {
    const response = await postJson("/api/kit/render", { latent: pad.latent });
    // Kept on the pad even if it was replaced or cleared meanwhile: an undone clear brings it back sounding.
    pad.buffer = await audioBuffer(await response.arrayBuffer());
    await renderVariations(pad);
  } finally {
    pad.pending = false;
    if ($("kit-status").textContent.includes("waiting for the map")) $("kit-status").textContent = "";
  }
  document.body.dataset.padsReady = String(kit.pads.filter(p => p && p.buffer && !p.pending).length);
}
// A pad's round robins or velocity layers: its neighbours' latents from the server (as `oneshot kit`
// draws them, from the pad's seed), each decoded like the pad. The pad plays its old ones until the new are in.
async function renderVariations(pad) {
  const token = pad.variationsToken = (pad.variationsToken ?? 0) + 1;   // a newer render (the slider moved again) wins
  if ((pad.variations ?? 1) <= 1) { pad.others = []; pad.velocities = null; return; }
  const response = await postJson("/api/kit/variations", { latent: pad.latent, variations: pad.variations,
    variation_distance: pad.variationDistance ?? VariationDistance, velocity_layers: pad.velocityLayers,
    seed: pad.seed });
  const found = await response.json();
  const others = await Promise.all(found.latents.slice(1).map(async z =>
    audioBuffer(await (await postJson("/api/kit/render", { latent: z })).arrayBuffer())));
  if (token !== pad.variationsToken) return;
  pad.others = others;
  pad.velocities = found.velocities;
}
// Which of a pad's sounds a hit plays: by velocity for layers, else the next round robin.
function padSound(pad, velocity) {
  const sounds = [pad.buffer, ...(pad.others ?? [])];
  if (sounds.length === 1) return 0;
  if (pad.velocityLayers && pad.velocities?.length === sounds.length) {
    const layer = pad.velocities.findIndex(([low, high]) => velocity >= low && velocity <= high);
    return layer < 0 ? 0 : layer;
  }
  pad.next = ((pad.next ?? -1) + 1) % sounds.length;
  return pad.next;
}
// One pad's voice on an audio context at a time: retuned as a sampler retunes (pitch and length
// together), levelled, cutting off the pads of its choke group (an open hi-hat closed by a closed one).
export function padVoice(context, pad, velocity, when, playing) {
  const source = context.createBufferSource(), gain = context.createGain();
  // no replaced pad kept alive
  source.addEventListener("ended", () => { if (playing.get(pad) === source) playing.delete(pad); });
  const sound = padSound(pad, velocity);
  document.body.dataset.lastPadSound = String(sound);
  source.buffer = sound === 0 ? pad.buffer : pad.others[sound - 1];
  source.playbackRate.value = Math.pow(2, pad.tune / 12);
  gain.gain.value = Math.pow(10, pad.levelDb / 20) * velocity / 127;
  source.connect(gain).connect(context.destination);
  if (pad.choke > 0)
    for (const [other, voice] of playing)
      if (other !== pad && other.choke === pad.choke) { try { voice.stop(when); } catch { /* not started */ } }
  playing.set(pad, source);
  source.start(when);
  return source;
}
// since: when the key or MIDI note arrived (the event's timeStamp), to keep each hit's delay to its voice.
export function playPad(i, velocity, since = performance.now()) {
  const pad = kit.pads[i];
  if (!pad || !pad.buffer) return;
  padVoice(ensureAudio(), pad, velocity, 0, kit.playing);
  if (kit.hitDelays.push(performance.now() - since) > 500) kit.hitDelays.shift();
  kit.plays++;
  document.body.dataset.padPlays = String(kit.plays);
  flashPad(i, 0);
}
export function flashPad(i, delayMs) {
  setTimeout(() => {
    const button = $(`pad-${i}`);
    if (button) { button.classList.add("hit"); setTimeout(() => button.classList.remove("hit"), 120); }
  }, delayMs);
}
async function padFrom(body) {
  behindMap("kit-status", "The pad");
  return await (await postJson("/api/kit/pad", body)).json();
}
$("pad-current").onclick = () => setPad(kit.selected, state.latent).catch(e => fail(e.message));
$("pad-prior").onclick = async () => {
  try {
    const found = await padFrom({ prior: true, seed: ++state.seed, temperature: Number($("temperature").value) });
    await setPad(kit.selected, found.latent, "prior");
  }
  catch (e) { fail(e.message); }
};
$("pad-of-class").onclick = async () => {
  const name = $("pad-class").value;
  if (!name) return;
  try {
    const found = await padFrom({ class: name, seed: ++state.seed });
    await setPad(kit.selected, found.latent, name);
  }
  catch (e) { fail(e.message); }
};
// As the sound's Variation: `step` times the latent's typical spread along its principal directions.
$("pad-variation").onclick = () => {
  const pad = kit.pads[kit.selected];
  if (pad) setPad(kit.selected, near(pad.latent)).catch(e => fail(e.message));
};
$("pad-lock").onchange = () => {
  const pad = kit.pads[kit.selected];
  if (pad) { pad.locked = $("pad-lock").checked; drawPads(); saveSession(); }
};
// Randomise, as drum synths do, with locks: each filled pad not locked gets a new sound, near its own or from the
// prior.
$("kit-randomise").onclick = async () => {
  const how = $("kit-randomise-how").value;
  let chosen = kit.pads.map((pad, i) => pad && !pad.locked ? i : -1).filter(i => i >= 0);
  if (!kit.pads.some(p => p)) chosen = [0, 1, 2, 3, 4, 5, 6, 7];
  try {
    await Promise.all(chosen.map(async i => {
      const latent = how === "near" && kit.pads[i]
        ? near(kit.pads[i].latent)
        : (await padFrom({ prior: true, seed: ++state.seed, temperature: Number($("temperature").value) })).latent;
      await setPad(i, latent, kit.pads[i]?.name || (how === "prior" ? "prior" : ""));
    }));
    kit.randomised = (kit.randomised ?? 0) + 1;
  } catch (e) { fail(e.message); }
};
$("pad-similar").onclick = () => {
  const pad = kit.pads[kit.selected];
  if (!pad || !soundMap.data) { fail(pad ? "The map has not loaded: similar sounds come from it." : ""); return; }
  const distance = z => z.reduce((a, v, d) => a + (v - pad.latent[d]) ** 2, 0);
  const ranked = soundMap.data.latents.map((z, i) => [i, distance(z)]).filter(([, d]) => d > 1e-9)
    .sort((p, q) => p[1] - q[1]);
  if (ranked.length)
    setPad(kit.selected, soundMap.data.latents[ranked[0][0]], soundMap.data.sounds[ranked[0][0]].name)
      .catch(e => fail(e.message));
};
$("pad-to-current").onclick = () => { const pad = kit.pads[kit.selected]; if (pad) setLatent(pad.latent); };
$("pad-clear").onclick = () => {
  const pad = kit.pads[kit.selected];
  if (!pad) return;
  kit.cleared = { index: kit.selected, pad };   // one step back: the pad as it was, sound and all
  kit.pads[kit.selected] = null;
  $("pad-undo-clear").disabled = false;
  showPad();
  saveSession();
};
$("pad-undo-clear").onclick = () => {
  if (!kit.cleared) return;
  kit.pads[kit.cleared.index] = kit.cleared.pad;
  kit.selected = kit.cleared.index;
  kit.cleared = null;
  $("pad-undo-clear").disabled = true;
  document.body.dataset.padsReady = String(kit.pads.filter(p => p && p.buffer).length);
  showPad();
  saveSession();
};
$("pad-name").oninput = () =>
  { const pad = kit.pads[kit.selected]; if (pad) { pad.name = $("pad-name").value; drawPads(); saveSession(); } };
for (const [id, key] of [["pad-tune", "tune"], ["pad-level", "levelDb"], ["pad-choke", "choke"]])
  $(id).oninput = () => { const pad = kit.pads[kit.selected]; $(`${id}-out`).value = $(id).value;
    if (pad) { pad[key] = Number($(id).value); saveSession(); } };
// More or fewer round robins, or layers instead: the pad's extra sounds made again.
async function changeVariations() {
  const pad = kit.pads[kit.selected];
  $("pad-variations-out").value = $("pad-variations").value;
  if (!pad) return;
  pad.variations = Number($("pad-variations").value);
  pad.velocityLayers = $("pad-velocity-layers").checked;
  saveSession();
  pad.pending = true;
  try { await renderVariations(pad); }
  catch (e) { fail(e.message); }
  finally {
    pad.pending = false;
    document.body.dataset.padsReady = String(kit.pads.filter(p => p && p.buffer && !p.pending).length);
  }
}
$("pad-variations").onchange = changeVariations;
$("pad-variations").oninput = () => { $("pad-variations-out").value = $("pad-variations").value; };
$("pad-velocity-layers").onchange = changeVariations;
$("kit-name").oninput = () => saveSession();
$("kit-normalize").onchange = () => saveSession();


// A pad from a stored or opened description: its latent rendered, its tune, level and choke as they were.
async function restorePad(i, saved) {
  const rendering = setPad(i, saved.latent, saved.name ?? "");
  const pad = kit.pads[i];
  pad.tune = Number(saved.tune ?? 0) || 0; pad.levelDb = Number(saved.levelDb ?? saved.level_db ?? 0) || 0;
  pad.choke = Number(saved.choke ?? 0) || 0;
  pad.locked = saved.locked === true;
  // Read before the pad's first decode returns, so its variations are made with it.
  pad.variations = Math.min(8, Math.max(1, Math.round(Number(saved.variations ?? 1)) || 1));
  pad.velocityLayers = (saved.velocityLayers ?? saved.velocity_layers) === true;
  pad.seed = Number.isInteger(saved.seed) ? saved.seed : 1;
  const distance = Number(saved.variationDistance ?? saved.variation_distance);
  pad.variationDistance = distance > 0 && distance <= 2 ? distance : VariationDistance;
  await rendering;
}
export async function restoreKit(saved) {
  kit.selected = Math.min(15, Math.max(0, Number(saved.selected) || 0));
  if (typeof saved.kitName === "string") $("kit-name").value = saved.kitName;
  if (typeof saved.normalize === "boolean") $("kit-normalize").checked = saved.normalize;
  kit.cleared = null;
  $("pad-undo-clear").disabled = true;
  state.restoring = true;
  let results;
  try { results = await Promise.allSettled(saved.pads.map((p, i) => p ? restorePad(i, p) : Promise.resolve())); }
  finally { state.restoring = false; }
  showPad();
  saveSession();
  const failed = results.filter(r => r.status === "rejected");
  if (failed.length)
    throw new Error(`${failed.length} pad(s) could not be decoded: ${failed[0].reason?.message ?? failed[0].reason}`);
}
$("kit-open-button").onclick = () => $("kit-open").click();
$("kit-open").onchange = async () => {
  const file = $("kit-open").files[0];
  $("kit-open").value = "";
  if (!file) return;
  try {
    const description = JSON.parse(await file.text());
    if (!Array.isArray(description.pads) || description.pads.length === 0 || description.pads.length > 16)
      throw new Error(`${file.name} is not a kit description: it needs "pads", 1 to 16 of them.`);
    $("kit-status").textContent = `Opening ${file.name}…`;
    const pads = await Promise.all(description.pads.map(async (p, i) => {
      // The page exports an empty pad before a filled one as a quiet stand-in named empty-N: it opens empty again.
      if (/^empty-\d+$/.test(p.name ?? "") && Number(p.level_db) <= -60) return null;
      if (Array.isArray(p.latent)) {
        if (p.latent.length !== state.model.latent_size)
          throw new Error(`${file.name}, pad ${i + 1}: its latent has ${p.latent.length} values; ` +
            `this model's have ${state.model.latent_size}.`);
        return p;
      }
      if (p.file)
        throw new Error(`${file.name}, pad ${i + 1} is the file '${p.file}': drop that file on the page, ` +
          "then set the pad from the current sound.");
      // the server finds class and prior pads as `oneshot kit` does
      const found = await padFrom({ class: p.class, prior: p.prior, seed: p.seed, temperature: p.temperature });
      return { ...p, latent: found.latent };
    }));
    kit.pads = Array.from({ length: 16 }, () => null);
    await restoreKit(
      { pads: pads.map(p => p && ({ name: p.name, latent: p.latent, tune: p.tune, level_db: p.level_db, choke: p.choke,
                                                   variations: p.variations, velocity_layers: p.velocity_layers,
                                                     seed: p.seed,
                                                   variation_distance: p.variation_distance })),
                       kitName: description.name ?? "Oneshot kit", normalize: description.normalize === true,
                         selected: 0 });
    $("kit-status").textContent = `Opened ${file.name}: ${pads.filter(p => p).length} pads.`;
  } catch (e) { fail(e.message); $("kit-status").textContent = ""; }
};
$("kit-export").onclick = async () => {
  const pads = [];
  let last = -1;
  kit.pads.forEach((pad, i) => { if (pad) last = i; });
  if (last < 0) { fail("Fill a pad first."); return; }
  for (let i = 0; i <= last; i++) {
    const pad = kit.pads[i];
    // An empty pad before a filled one keeps its note: a quiet draw stands in, named so.
    pads.push(pad ? { name: pad.name || `pad-${i + 1}`, latent: pad.latent, tune: pad.tune, level_db: pad.levelDb,
      choke: pad.choke,
                      variations: pad.variations ?? 1, velocity_layers: pad.velocityLayers ?? false,
                        seed: pad.seed ?? 1,
                      variation_distance: pad.variationDistance ?? VariationDistance }
                  : { name: `empty-${i + 1}`, prior: true, seed: i + 1, level_db: -60 });
  }
  try {
    $("kit-status").textContent = "Making the kit…";
    const response = await postJson("/api/kit",
      { name: $("kit-name").value || "Oneshot kit", normalize: $("kit-normalize").checked, pads });
    save(`${fileSafe($("kit-name").value, "kit")}.zip`, await response.blob());
    kit.exports++;
    $("kit-status").textContent = `Exported ${pads.length} pads.`;
  } catch (e) { fail(e.message); $("kit-status").textContent = ""; }
};
export async function loadKit() {
  drawPads();
  showPad();
  try {
    const { classes } = await (await api("/api/kit/classes")).json();
    $("pad-class").innerHTML = classes.length ? classes.map(c => `<option value="${html(c)}">${html(c)}</option>`)
      .join("") : "<option value=''>(no classes)</option>";
  } catch { $("pad-class").innerHTML = "<option value=''>(no classes)</option>"; }
}

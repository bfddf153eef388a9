// The sound map: every sound of a map (the model's training clips, or a folder mapped with
// `oneshot map`) as a dot; hover to hear, click to take its latent, zoom, pan, and move by keyboard.

import { $, api, fail, html, postJson, state } from "./page.js";
import { audioBuffer, ensureAudio, setLatent } from "./sound.js";

// ---- the sound map
export const soundMap = { data: null, box: null, hovered: -1, highlighted: new Set(), buffers: new Map(),
  loading: new Map(), clicks: 0, lastClick: null, auditions: 0, auditionDelays: [], skippedLate: 0, wanted: [],
  dragging: false, lastDragged: -1 };
state.map = soundMap;
const mapCanvas = $("map");
// A sound's name on the map, with its class where the map knows it.
const soundName = sound => sound.class ? `${sound.name} (${sound.class})` : sound.name;
// The map fills the canvas: a t-SNE layout's two axes mean nothing apart, so each is stretched to the
// canvas on its own; the principal plane keeps one scale (its distances are the latents'), centred.
function mapFit() {
  const xs = soundMap.data.sounds.map(s => s.position[0]), ys = soundMap.data.sounds.map(s => s.position[1]);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys), margin = 16;
  let scaleX = (mapCanvas.width - 2 * margin) / Math.max(maxX - minX, 1e-9),
    scaleY = (mapCanvas.height - 2 * margin) / Math.max(maxY - minY, 1e-9);
  let left = margin, top = margin;
  if (soundMap.data.layout === "pca") {
    const scale = Math.min(scaleX, scaleY);
    left += (mapCanvas.width - 2 * margin - scale * (maxX - minX)) / 2;
    top += (mapCanvas.height - 2 * margin - scale * (maxY - minY)) / 2;
    scaleX = scaleY = scale;
  }
  soundMap.box = { minX, minY, scaleX, scaleY, left, top };
  soundMap.canvasPoints = new Float64Array(soundMap.data.sounds.flatMap(s => mapToCanvas(s.position)));
  const classes = [...new Set(soundMap.data.sounds.map(s => s.class).filter(c => c))].sort();
  soundMap.classColours = new Map(classes.map((c, k) => [c, ClassPalette[k % ClassPalette.length]]));
}
export const mapToCanvas = p => [soundMap.box.left + (p[0] - soundMap.box.minX) * soundMap.box.scaleX,
  soundMap.box.top + (p[1] - soundMap.box.minY) * soundMap.box.scaleY];
const canvasToMap = (x, y) => [(x - soundMap.box.left) / soundMap.box.scaleX + soundMap.box.minX,
  (y - soundMap.box.top) / soundMap.box.scaleY + soundMap.box.minY];
// Ten colours told apart on the dark map, also by most colour-blind eyes (Tableau 10's hues, lightened).
const ClassPalette = ["#5fa2dd", "#f28e2b", "#e15759", "#76b7b2", "#59d16a", "#edc948", "#c07fd6", "#ff9da7", "#c9a27e",
  "#d4d4d4"];
function mapColour(i) {
  const by = $("map-colour").value, sound = soundMap.data.sounds[i];
  if (by === "class") return (sound.class && soundMap.classColours.get(sound.class)) || "#6b7787";
  const value = sound.qualities[by], range = soundMap.ranges[by];
  if (value === null || value === undefined || !range) return "#555";
  const t = range[1] > range[0] ? (value - range[0]) / (range[1] - range[0]) : 0.5;
  return `hsl(${240 - 200 * t}, 80%, ${35 + 30 * t}%)`;
}
export function drawMap() {
  const g = mapCanvas.getContext("2d");
  g.fillStyle = "#111"; g.fillRect(0, 0, mapCanvas.width, mapCanvas.height);
  soundMap.data.sounds.forEach((sound, i) => {
    const [x, y] = mapToCanvas(sound.position), big = soundMap.highlighted.has(i) || i === soundMap.hovered;
    g.fillStyle = mapColour(i);
    g.beginPath(); g.arc(x, y, big ? 5 : 3, 0, 2 * Math.PI); g.fill();
    if (big) { g.strokeStyle = "#fff"; g.lineWidth = 1.5; g.stroke(); }
  });
  if (soundMap.lastClick && soundMap.lastClick.at) {
    const [x, y] = mapToCanvas(soundMap.lastClick.at);   // kept in map units, so it follows zoom and pan
    g.strokeStyle = "#fff"; g.beginPath(); g.moveTo(x - 6, y); g.lineTo(x + 6, y); g.moveTo(x, y - 6);
    g.lineTo(x, y + 6); g.stroke();
  }
  // The current sound: on the principal plane exactly where its latent projects; on t-SNE at the sound nearest it.
  const at = currentOnMap();
  if (at) {
    soundMap.current = at;
    g.strokeStyle = "#ffd400"; g.lineWidth = 2; g.beginPath(); g.arc(at[0], at[1], 8, 0, 2 * Math.PI); g.stroke();
  }
  drawLegend();
}
// At most one redraw a frame, however fast a slider moves the current sound (a 20,000-sound map takes a while to draw).
export function scheduleMapDraw() {
  if (soundMap.drawPending) return;
  soundMap.drawPending = true;
  requestAnimationFrame(() => { soundMap.drawPending = false; drawMap(); });
}
function currentOnMap() {
  const data = soundMap.data, z = state.latent;
  if (!data || !z || z.length !== data.latents[0]?.length) return null;
  if (data.layout === "pca") {
    const along = axis => axis.reduce((a, w, d) => a + w * (z[d] - data.mean[d]), 0);
    return mapToCanvas([along(data.axes[0]), along(data.axes[1])]);
  }
  let best = -1, bestD = Infinity;
  data.latents.forEach((l, i) =>
    { const d = l.reduce((a, v, k) => a + (v - z[k]) ** 2, 0); if (d < bestD) { bestD = d; best = i; } });
  return best >= 0 ? [soundMap.canvasPoints[2 * best], soundMap.canvasPoints[2 * best + 1]] : null;
}
function drawLegend() {
  const by = $("map-colour").value;
  if (by === "class") {
    const entries = [...soundMap.classColours].map(([c, colour]) =>
      `<span class="swatch" style="background:${colour}"></span>${html(c)}`);
    $("map-legend").innerHTML = (entries.length ? entries.join("") : "no classes")
      + ` <span class="swatch" style="background:#ffd400"></span>the current sound`;
  } else {
    const range = soundMap.ranges[by];
    const swatch = colour => `<span class="swatch" style="background:${colour}"></span>`;
    $("map-legend").innerHTML = range
      ? `${html(by)}: ${swatch("hsl(240, 80%, 35%)")}${range[0].toPrecision(3)} … ` +
        `${swatch("hsl(40, 80%, 65%)")}${range[1].toPrecision(3)}`
      : "";
  }
}
function mapEventPoint(event) {
  const r = mapCanvas.getBoundingClientRect();
  return [(event.clientX - r.left) * mapCanvas.width / r.width, (event.clientY - r.top) * mapCanvas.height / r.height];
}
// The dots nearest a canvas point, nearest first.
// Runs on every pointer move, so it keeps the few best in a short sorted list instead of sorting every dot.
export function nearestDots(x, y, count) {
  const best = [], points = soundMap.canvasPoints;
  for (let i = 0; i < points.length; i += 2) {
    const d2 = (points[i] - x) ** 2 + (points[i + 1] - y) ** 2;
    if (best.length === count && d2 >= best[count - 1][1]) continue;
    let k = Math.min(best.length, count - 1);
    while (k > 0 && best[k - 1][1] > d2) k--;
    best.splice(k, 0, [i / 2, d2]);
    if (best.length > count) best.pop();
  }
  return best;
}
// One request per sound, however many hovers and look-aheads ask for it meanwhile.
function mapBuffer(i) {
  if (soundMap.buffers.has(i)) return Promise.resolve(soundMap.buffers.get(i));
  if (!soundMap.loading.has(i))
    soundMap.loading.set(i, (async () => {
      const buffer = await audioBuffer(await (await api(`/api/map/sound/${i}`)).arrayBuffer());
      soundMap.buffers.set(i, buffer);
      return buffer;
    })().finally(() => soundMap.loading.delete(i)));
  return soundMap.loading.get(i);
}
// Sounds near the pointer are fetched ahead, so hovering one plays at once. Only the sounds near
// where the pointer is now are wanted, a few requests at a time: a pointer sweeping over a dense
// map must not queue hundreds of requests that would make every later sound late.
const MapFetchesAtOnce = 2;
function prefetchNear(x, y) {
  soundMap.wanted = nearestDots(x, y, 6).map(([i]) => i).filter(i => !soundMap.buffers.has(i));
  fetchWanted();
}
function fetchWanted() {
  while (soundMap.loading.size < MapFetchesAtOnce && soundMap.wanted.length) {
    const i = soundMap.wanted.shift();
    if (!soundMap.buffers.has(i) && !soundMap.loading.has(i)) mapBuffer(i).catch(() => {}).finally(fetchWanted);
  }
}
// Hover → sound: a sound fetched ahead starts in the event's own task. One that must be fetched
// plays only if the pointer is still on it when it arrives (a late sound is worse than none).
// Each delay from the pointer event is kept for the benchmark.
async function audition(i, since = performance.now()) {
  const ahead = soundMap.buffers.has(i);
  const buffer = ahead ? soundMap.buffers.get(i) : await mapBuffer(i);
  if (!ahead && soundMap.hovered !== i) { soundMap.skippedLate++; return; }
  const context = ensureAudio(), source = context.createBufferSource();
  source.buffer = buffer; source.connect(context.destination); source.start();
  soundMap.auditions++;
  soundMap.auditionDelays.push({ ms: performance.now() - since, ahead });
  document.body.dataset.auditions = String(soundMap.auditions);
}
// A latent for a point of the map: exact on the principal plane; for t-SNE a blend of the nearest sounds' latents.
function latentAtMap(x, y) {
  const data = soundMap.data;
  if (data.layout === "pca") {
    const [u, v] = canvasToMap(x, y);
    return data.mean.map((m, d) => m + u * data.axes[0][d] + v * data.axes[1][d]);
  }
  const near = nearestDots(x, y, 3).map(([i, d2]) => [i, 1 / (Math.sqrt(d2) + 1)]);
  const total = near.reduce((a, [, w]) => a + w, 0);
  return data.latents[0].map((_, d) => near.reduce((a, [i, w]) => a + w * data.latents[i][d], 0) / total);
}
// Zoom and pan move the box the layout is drawn in; the dots' canvas places follow, so hovering and clicking still hit
// them.
function zoomMap(factor, [x, y]) {
  const box = soundMap.box, [mx, my] = canvasToMap(x, y);
  box.scaleX *= factor; box.scaleY *= factor;
  // the point under the pointer stays put
  box.left = x - (mx - box.minX) * box.scaleX; box.top = y - (my - box.minY) * box.scaleY;
  placeDots();
}
function panMap(dx, dy) {
  soundMap.box.left += dx; soundMap.box.top += dy;
  placeDots();
}
function placeDots() {
  soundMap.canvasPoints = new Float64Array(soundMap.data.sounds.flatMap(s => mapToCanvas(s.position)));
  drawMap();
}
mapCanvas.addEventListener("wheel", event => {
  if (!soundMap.data || event.deltaY === 0) return;   // a sideways swipe is no zoom
  event.preventDefault();
  // In proportion to the wheel's travel, so a trackpad's many small events zoom smoothly: one notch (~100) is ×1.25.
  zoomMap(Math.min(2, Math.max(0.5, Math.pow(1.25, -event.deltaY / 100))), mapEventPoint(event));
}, { passive: false });
mapCanvas.addEventListener("mousedown",
  event => { if (event.shiftKey && soundMap.data) soundMap.panning = mapEventPoint(event); });
window.addEventListener("mouseup", () => { soundMap.panning = null; });
$("map-fit").onclick = () => { if (soundMap.data) { mapFit(); drawMap(); } };
mapCanvas.addEventListener("mousemove", event => {
  if (!soundMap.data) return;
  if (soundMap.panning) {
    const [x, y] = mapEventPoint(event);
    panMap(x - soundMap.panning[0], y - soundMap.panning[1]);
    soundMap.panning = [x, y];
    return;
  }
  const [x, y] = mapEventPoint(event);
  prefetchNear(x, y);
  const [[i, d2]] = nearestDots(x, y, 1);
  const over = d2 <= 36 ? i : -1;
  if (over !== soundMap.hovered) {
    soundMap.hovered = over;
    $("map-hover").textContent = over >= 0 ? soundName(soundMap.data.sounds[over]) : "";
    if (over >= 0 && (!soundMap.dragging || over !== soundMap.lastDragged)) {
      soundMap.lastDragged = over;
      audition(over, event.timeStamp).catch(e => fail(e.message));
    }
    drawMap();
  }
});
mapCanvas.addEventListener("mousedown", () => { soundMap.dragging = true; });
window.addEventListener("mouseup", () => { soundMap.dragging = false; });
mapCanvas.addEventListener("click", event => {
  if (!soundMap.data || event.shiftKey) return;   // a Shift+drag pans, it does not choose
  const [x, y] = mapEventPoint(event);
  const [[i, d2]] = nearestDots(x, y, 1);
  soundMap.clicks++;
  if (d2 <= 36) {
    soundMap.lastClick = { kind: "sound", index: i, at: null };
    setLatent(soundMap.data.latents[i]);
  } else {
    soundMap.lastClick = { kind: soundMap.data.layout === "pca" ? "plane" : "blend", index: -1, at: canvasToMap(x, y) };
    setLatent(latentAtMap(x, y));
  }
  drawMap();
});
// From the keyboard: an arrow goes to the nearest sound within 45° of its direction and plays it; Enter takes it.
mapCanvas.addEventListener("keydown", event => {
  if (!soundMap.data) return;
  const directions = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] },
    points = soundMap.canvasPoints;
  if (directions[event.key]) {
    event.preventDefault();
    const from = soundMap.hovered >= 0 ? soundMap.hovered
      : nearestDots(mapCanvas.width / 2, mapCanvas.height / 2, 1)[0][0];
    const [dx, dy] = directions[event.key], x = points[2 * from], y = points[2 * from + 1];
    let best = soundMap.hovered >= 0 ? -1 : from, bestDistance = Infinity;
    for (let i = 0; i < points.length / 2; i++) {
      const ahead = (points[2 * i] - x) * dx + (points[2 * i + 1] - y) * dy,
        across = Math.abs((points[2 * i] - x) * dy - (points[2 * i + 1] - y) * dx);
      if (i === from || ahead <= 0 || across > ahead) continue;
      const d2 = ahead * ahead + across * across;
      if (d2 < bestDistance) { best = i; bestDistance = d2; }
    }
    if (best < 0) return;   // nothing further that way
    soundMap.hovered = best;
    $("map-hover").textContent = soundName(soundMap.data.sounds[best]);
    audition(best).catch(e => fail(e.message));
    drawMap();
  } else if (event.key === "+" || event.key === "=" || event.key === "-") {
    event.preventDefault();
    const at = soundMap.hovered >= 0 ? [soundMap.canvasPoints[2 * soundMap.hovered],
      soundMap.canvasPoints[2 * soundMap.hovered + 1]] : [mapCanvas.width / 2, mapCanvas.height / 2];
    zoomMap(event.key === "-" ? 0.8 : 1.25, at);
  } else if (event.key === "0") {
    event.preventDefault();
    mapFit(); drawMap();
  } else if ((event.key === "Enter" || event.key === " ") && soundMap.hovered >= 0) {
    event.preventDefault();
    soundMap.clicks++;
    soundMap.lastClick = { kind: "sound", index: soundMap.hovered, at: null };
    setLatent(soundMap.data.latents[soundMap.hovered]);
    drawMap();
  }
});
$("map-colour").onchange = () => drawMap();
$("map-build").onclick = () => { $("map-offer").hidden = true; loadMap(); };
$("map-folder-button").onclick = async () => {
  const folder = $("map-folder").value.trim();
  if (!folder) { fail("Type the full path of a folder of audio files on this computer."); return; }
  try { await postJson("/api/map/folder", { folder }); } catch (e) { fail(e.message); return; }
  $("map-offer").hidden = true;
  loadMap(`Mapping ${folder}…`);
};
$("similar").onclick = () => {
  if (!soundMap.data || !state.latent) return;
  const distance = z => z.reduce((a, v, d) => a + (v - state.latent[d]) ** 2, 0);
  soundMap.highlighted = new Set(soundMap.data.latents.map((z, i) => [i, distance(z)]).sort((p, q) => p[1] - q[1])
    .slice(0, 8).map(([i]) => i));
  drawMap();
};

// While the training clips are mapped, the page says how far it is, and what waits behind it.
async function followMapBuild() {
  while (soundMap.building) {
    let progress = null;
    try { progress = await (await api("/api/map/progress")).json(); } catch { /* one missed poll: try again */ }
    if (progress?.building && soundMap.building) {
      $("map-progress").hidden = false;
      $("map-progress").max = Math.max(1, progress.total); $("map-progress").value = progress.done;
      $("map-status").textContent = progress.total > 0 && progress.done < progress.total
        ? `Mapping: ${progress.step}, ${progress.done} of ${progress.total}…` : `Mapping: ${progress.step}`;
      document.body.dataset.mapProgress = `${progress.done}/${progress.total}`;
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  $("map-progress").hidden = true;
}
// A kit pad or a dropped file is worked on by the model copy the map build holds: say so rather than wait silently.
export function behindMap(statusId, what) {
  if (soundMap.building)
    $(statusId).textContent = `${what}: waiting for the map being built below; it comes right after.`;
}
export async function loadMap(status = "Loading the map (the first time, the model's training clips are mapped: " +
  "this takes a while)…") {
  $("map-status").textContent = status;
  const started = performance.now();
  soundMap.building = true;
  followMapBuild();
  let data;
  try {
    data = await (await api("/api/map")).json();
  } catch (e) { $("map-status").textContent = `No map: ${e.message}`; return; }
  finally { soundMap.building = false; }
  // Another map from here on: what was fetched or marked for the old one's sounds goes.
  soundMap.data = data;
  soundMap.buffers.clear(); soundMap.loading.clear(); soundMap.highlighted.clear(); soundMap.hovered = -1;
  $("map-colour").innerHTML = '<option value="class">class</option>';
  const names = Object.keys(soundMap.data.sounds[0]?.qualities ?? {});
  soundMap.ranges = {};
  for (const name of names) {
    const values = soundMap.data.sounds.map(s => s.qualities[name]).filter(v => v !== null && v !== undefined);
    if (values.length) soundMap.ranges[name] = [Math.min(...values), Math.max(...values)];
    $("map-colour").insertAdjacentHTML("beforeend", `<option value="${html(name)}">${html(name)}</option>`);
  }
  mapFit();
  drawMap();
  soundMap.drawnMs = performance.now() - started;
  document.body.dataset.mapSounds = String(soundMap.data.sounds.length);
  $("map-name").textContent = soundMap.data.of_training_clips ? "— the model's training clips"
    : `— ${soundMap.data.name}`;
  $("map-how").textContent = soundMap.data.layout === "pca"
    ? "the map is the latents' principal plane, so that spot is exactly one latent"
    : "the layout is t-SNE, so that spot's latent is a blend of the three nearest sounds' latents, weighted by " +
      "nearness";
  $("map-status").textContent = `${soundMap.data.sounds.length} sounds, drawn in ${soundMap.drawnMs.toFixed(0)} ms.`;
}

// The step sequencer under the kit: 16 steps for each pad, a tempo, swing, play/stop, and the loop
// rendered to a WAV. Hits are scheduled ahead on the audio clock (a 25 ms timer fills the next
// 120 ms), so the groove never depends on the page's main thread; each hit takes its pad's sound as
// it is when scheduled, so a pad changed while the loop plays is heard on its next hit.
export const Steps = 16;
const Lookahead = 0.12, TimerMs = 25;

export class Sequencer {
  /**
   * @param pads     () => the kit's pads (null where empty): each
   *                 { buffer, others (its round robins), tune, levelDb, choke }
   * @param context  () => the live AudioContext
   * @param voice    (context, pad, velocity, when, playing) => starts one pad on a context at a time,
   *                 returns its source
   * @param onHit    (padIndex, when) => called for each live hit scheduled
   */
  constructor({ pads, context, voice, onHit = () => {} }) {
    Object.assign(this, { pads, context, voice, onHit });
    this.pattern = Array.from({ length: 16 }, () => new Array(Steps).fill(0));   // velocity per pad and step; 0: rest
    this.bpm = 120;
    this.swing = 0;          // 0–0.6: how far each off-beat sixteenth is pushed towards the next
    this.timer = null;
    this.hits = 0;
    this.lastBuffers = [];   // per pad, the sound its last live hit played
  }

  get playing() { return this.timer !== null; }

  /** Seconds per sixteenth note. */
  get stepSeconds() { return 60 / this.bpm / 4; }

  /** When step n of a bar sounds, from the bar's start: odd steps late by the swing. */
  offset(n) { return n * this.stepSeconds + (n % 2 === 1 ? this.swing * this.stepSeconds : 0); }

  toggle(pad, step, velocity = 100) {
    this.pattern[pad][step] = this.pattern[pad][step] ? 0 : velocity;
    return this.pattern[pad][step];
  }

  setTempo(bpm) { if (Number.isFinite(bpm)) this.bpm = Math.min(300, Math.max(30, bpm)); }
  setSwing(share) { if (Number.isFinite(share)) this.swing = Math.min(0.6, Math.max(0, share)); }

  start() {
    if (this.playing) return;
    this.voices = new Map();    // the last source per pad, for choke groups
    this.sources = new Set();   // every source scheduled and not ended, so Stop silences them all
    this.step = 0;
    this.straight = this.context().currentTime + 0.05;   // the current step's time without swing
    this.timer = setInterval(() => this.fill(), TimerMs);
    this.fill();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    for (const source of this.sources ?? []) { try { source.stop(); } catch { /* already ended */ } }
    this.sources?.clear();
  }

  /**
   * Schedules every step that starts before the lookahead runs out; a tempo or swing change holds
   * from the next step.
   */
  fill() {
    const context = this.context();
    for (;;) {
      const when = this.straight + (this.step % 2 === 1 ? this.swing * this.stepSeconds : 0);
      if (when > context.currentTime + Lookahead) return;
      if (when >= context.currentTime - 0.01) {   // a step the timer came too late for is skipped, not played late
        const pads = this.pads();
        for (let p = 0; p < this.pattern.length; p++) {
          const velocity = this.pattern[p][this.step], pad = pads[p];
          if (!velocity || !pad || !pad.buffer) continue;
          const source = this.voice(context, pad, velocity, when, this.voices);
          this.sources.add(source);
          source.addEventListener("ended", () => this.sources.delete(source));
          this.lastBuffers[p] = source.buffer;   // with round robins, the one this hit took
          this.hits++;
          this.onHit(p, when);
        }
      }
      this.straight += this.stepSeconds;
      this.step = (this.step + 1) % Steps;
    }
  }

  /**
   * One bar as a seamless loop at <sampleRate>, brought under <ceiling>: the pattern rendered bar after
   * bar until the longest sound (tuned, so perhaps longer than its file) has rung out, and the last bar
   * taken. That bar holds the tails of the bars before and the chokes across the bar line exactly as
   * the live loop plays them, so it repeats without a seam. Returns the samples.
   */
  async renderLoop(sampleRate, ceiling = 1) {
    const barSeconds = Steps * this.stepSeconds, length = Math.round(barSeconds * sampleRate);
    const pads = this.pads(), used = pads.filter((pad, p) => pad && pad.buffer && this.pattern[p].some(v => v));
    const seconds = pad => [pad.buffer, ...(pad.others ?? [])].map(b => b.duration / Math.pow(2, pad.tune / 12));
    const longest = Math.max(0, ...used.flatMap(seconds));
    const bars = 1 + Math.ceil(longest / barSeconds);
    const offline = new OfflineAudioContext(1, bars * length, sampleRate), voices = new Map();
    for (let bar = 0; bar < bars; bar++)
      for (let step = 0; step < Steps; step++)
        for (let p = 0; p < this.pattern.length; p++) {
          const velocity = this.pattern[p][step], pad = pads[p];
          if (velocity && pad && pad.buffer)
            this.voice(offline, pad, velocity, bar * length / sampleRate + this.offset(step), voices);
        }
    const loop = (await offline.startRendering()).getChannelData(0).slice((bars - 1) * length);
    // Pads that hit together can sum past full scale: the whole loop is turned down, as every sound Oneshot writes is.
    const peak = loop.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (peak > ceiling) for (let i = 0; i < length; i++) loop[i] *= ceiling / peak;
    return loop;
  }
}

/** A mono 32-bit float WAV file of <samples>. */
export function floatWavFile(samples, sampleRate) {
  const bytes = new ArrayBuffer(44 + 4 * samples.length), view = new DataView(bytes);
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, "RIFF"); view.setUint32(4, 36 + 4 * samples.length, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 3, true); view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true); view.setUint32(28, 4 * sampleRate, true); view.setUint16(32, 4, true);
  view.setUint16(34, 32, true);
  text(36, "data"); view.setUint32(40, 4 * samples.length, true);
  for (let i = 0; i < samples.length; i++) view.setFloat32(44 + 4 * i, samples[i], true);
  return bytes;
}

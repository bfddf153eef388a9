#!/usr/bin/env python3
"""docs/account/system.svg: Oneshot in one figure — how a clip becomes one vector and back, where
the two flows sit, and what the instrument moves. The boxes' text is the shipped model's
(models/drums/config.json); the script draws, it measures nothing.

    scripts/account/system-figure.py docs/account/system.svg
"""
import sys
from html import escape

W, H = 980, 430
BOX_H = 58


def box(x, y, w, title, lines=(), fill='#eef3fa', stroke='#4a6fa5'):
    out = [f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_H}" rx="7" fill="{fill}" stroke="{stroke}"/>',
           f'<text x="{x + w / 2}" y="{y + 20}" class="t">{escape(title)}</text>']
    for i, line in enumerate(lines):
        out.append(f'<text x="{x + w / 2}" y="{y + 37 + 14 * i}" class="s">{escape(line)}</text>')
    return out


def arrow(x1, y1, x2, y2, label=None, dashed=False):
    dash = ' stroke-dasharray="5 4"' if dashed else ''
    out = [f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" marker-end="url(#a)"{dash}/>']
    if label:
        out.append(f'<text x="{(x1 + x2) / 2}" y="{(y1 + y2) / 2 - 6}" class="s">{escape(label)}</text>')
    return out


def figure():
    parts = []
    row1, row2, row3 = 40, 185, 330
    # Stage 1: a clip to one vector and back.
    parts += box(10, row1, 120, 'a one-shot', ['1.49 s mono', '44.1 kHz'], '#fff', '#888')
    parts += box(160, row1, 150, 'encoder', ['16 PQMF bands,', 'strides 4·4·4·2'])
    parts += box(340, row1, 150, 'posterior flow', ['IAF, 2 steps:', 'a richer q(z|x)'], '#f6eefa', '#8a4fa5')
    parts += box(520, row1, 120, 'z', ['64 numbers', 'per sound'], '#fff7e6', '#c58a1a')
    parts += box(670, row1, 150, 'decoder', ['32 frames from z,', 'upsampled, PQMF'])
    parts += box(850, row1, 120, 'the sound', ['1.49 s'], '#fff', '#888')
    for x1, x2 in ((130, 160), (310, 340), (490, 520), (640, 670), (820, 850)):
        parts += arrow(x1, row1 + BOX_H / 2, x2, row1 + BOX_H / 2)
    parts.append(f'<text x="490" y="{row1 - 14}" class="h">stage 1: learn to compress a clip to z and back '
                 '(multi-scale spectral loss + β·KL)</text>')
    # The prior, fitted on the frozen encoder.
    parts += box(340, row2, 150, 'prior flow', ['NSF, 4 blocks, fitted', 'to the frozen latents'], '#f6eefa', '#8a4fa5')
    parts += box(160, row2, 150, 'N(0, I) noise', ['× temperature'], '#fff', '#888')
    parts += arrow(310, row2 + BOX_H / 2, 340, row2 + BOX_H / 2)
    parts += arrow(490, row2 + BOX_H / 2, 560, row1 + BOX_H + 2)
    parts.append(f'<text x="548" y="{row2 + 8}" class="s">a new z</text>')
    parts.append(f'<text x="325" y="{row2 - 12}" class="h">generation: new sounds from where the real ones lie</text>')
    # Stage 2, tried and not shipped.
    parts += box(670, row2, 236, 'stage 2 (tried, not shipped)',
                 ['encoder frozen; the decoder', 'against 8 discriminators'], '#f3f3f3', '#999')
    parts += arrow(745, row2, 745, row1 + BOX_H, dashed=True)
    # The instrument.
    parts += box(10, row3, 170, 'sliders', ['8 principal directions,', '6 named qualities'], '#eaf6ee', '#3f8f5a')
    parts += box(200, row3, 170, 'the map', ['every sound a dot:', 'hover, click between'], '#eaf6ee', '#3f8f5a')
    parts += box(390, row3, 170, 'kit and beat', ['16 pads, round robins,', 'SFZ/SF2/Hydrogen/DS'], '#eaf6ee', '#3f8f5a')
    parts += box(580, row3, 170, 'a dropped file', ['encoded (and refined)', 'to its z'], '#eaf6ee', '#3f8f5a')
    parts += box(770, row3, 200, 'the page plays it', ['decode on the server,', 'a sampler in the browser'], '#fff', '#888')
    # Every control moves the same z: one line gathers them.
    gather = row3 - 22
    for x in (95, 285, 475, 665):
        parts.append(f'<line x1="{x}" y1="{row3}" x2="{x}" y2="{gather}" stroke="#3f8f5a"/>')
    parts.append(f'<line x1="95" y1="{gather}" x2="665" y2="{gather}" stroke="#3f8f5a"/>')
    parts += arrow(600, gather, 600, row1 + BOX_H + 2)
    parts.append(f'<text x="640" y="{gather - 8}" class="s">moves z</text>')
    parts += arrow(930, row1 + BOX_H, 930, row3, 'WAV')
    parts.append(f'<text x="380" y="{row3 + BOX_H + 26}" class="h">playing: move z, hear it '
                 '(decoding one sound takes 6–8 ms on one core)</text>')
    style = ('<style>text{font-family:sans-serif;text-anchor:middle;fill:#222}.t{font-size:14px;font-weight:bold}'
             '.s{font-size:11.5px}.h{font-size:13px;font-style:italic;fill:#444}</style>')
    marker = ('<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
              'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">'
            f'{style}{marker}<rect width="{W}" height="{H}" fill="#fff"/>' + ''.join(parts) + '</svg>\n')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    with open(sys.argv[1], 'w', encoding='utf-8') as f:
        f.write(figure())

#!/usr/bin/env python3
"""Writes the account's beat as a Standard MIDI File: two bars at 96 bpm on the General MIDI drum
channel (10), notes 36 up as `oneshot kit` lays out scripts/account/beat-kit.json's pads (kick 36,
snare 37, two hi-hats 38 and 39 in one choke group, tom 40, a prior draw 41), each note 5 ms long (a kit must play a one-shot to its end
on any note length).

    scripts/account/beat-midi.py OUT.mid
"""
import struct
import sys

TICKS = 480                 # per quarter note
STEP = TICKS // 4           # a sixteenth
BPM = 96
# 16 steps a bar: the pad's note and the steps it plays on, with a velocity.
PATTERN = [
    (36, [0, 6, 8, 11], 112),          # kick
    (37, [4, 12], 108),                # snare
    (38, [0, 2, 4, 6, 8, 10, 12], 80), # hat
    (39, [14], 84),                    # hat 2 (one choke group with hat)
    (40, [15], 90),                    # tom
    (41, [7], 70),                     # the prior's sound
]


def variable_length(value):
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.insert(0, (value & 0x7F) | 0x80)
        value >>= 7
    return bytes(out)


def track(bars=2):
    events = []  # (tick, order, bytes)
    short = max(1, round(0.005 * TICKS * BPM / 60))  # 5 ms in ticks
    for bar in range(bars):
        for note, steps, velocity in PATTERN:
            for step in steps:
                start = (bar * 16 + step) * STEP
                events.append((start, 1, bytes([0x99, note, velocity])))
                events.append((start + short, 0, bytes([0x89, note, 0])))
    end = bars * 16 * STEP
    events.sort()
    tempo = 60_000_000 // BPM
    data = bytearray(b'\x00\xff\x51\x03' + tempo.to_bytes(3, 'big'))
    now = 0
    for tick, _, message in events:
        data += variable_length(tick - now) + message
        now = tick
    data += variable_length(end - now) + b'\xff\x2f\x00'
    return bytes(data)


def main(path):
    body = track()
    with open(path, 'wb') as f:
        f.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, TICKS))
        f.write(b'MTrk' + struct.pack('>I', len(body)) + body)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip())
    main(sys.argv[1])

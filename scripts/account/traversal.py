#!/usr/bin/env python3
"""Moves one latent along a named control, as the instrument's slider moves it: the positions
−2, −1, 0, +1, +2 standard deviations of the control over the training sounds, every other part
of the latent kept (z + (position − where z is) · std · direction).

    scripts/account/traversal.py MODEL/latent.json IN.npy CONTROL OUT.npy

IN.npy is `oneshot encode`'s output (float32 [1, N]); OUT.npy holds the five moved latents, for
`oneshot decode`. Pure Python: .npy read and written by hand (version 1, little-endian float32).
"""
import ast
import json
import struct
import sys

POSITIONS = [-2, -1, 0, 1, 2]


def read_npy(path):
    with open(path, 'rb') as f:
        assert f.read(6) == b'\x93NUMPY', f'{path} is not a .npy file'
        major, _ = f.read(2)
        length = struct.unpack('<H' if major == 1 else '<I', f.read(2 if major == 1 else 4))[0]
        header = ast.literal_eval(f.read(length).decode('latin1'))
        assert header['descr'] == '<f4' and not header['fortran_order'], f'{path}: float32 rows expected'
        rows, cols = header['shape']
        values = struct.unpack(f'<{rows * cols}f', f.read(4 * rows * cols))
        return [list(values[r * cols:(r + 1) * cols]) for r in range(rows)]


def write_npy(path, rows):
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': ({len(rows)}, {len(rows[0])}), }}"
    header += ' ' * ((64 - (10 + len(header) + 1) % 64) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode('latin1'))
        for row in rows:
            f.write(struct.pack(f'<{len(row)}f', *row))


def main(latent_json, npy_in, name, npy_out):
    statistics = json.load(open(latent_json))
    control = next((c for c in statistics['controls'] if c['name'] == name), None)
    if control is None:
        sys.exit(f"{latent_json} has no control '{name}'; it has "
                 f"{', '.join(c['name'] for c in statistics['controls'])}")
    z = read_npy(npy_in)[0]
    mean, direction, std = statistics['mean'], control['direction'], control['std']
    here = sum((zi - mi) * di for zi, mi, di in zip(z, mean, direction)) / std
    write_npy(npy_out, [[zi + (p - here) * std * di for zi, di in zip(z, direction)] for p in POSITIONS])


if __name__ == '__main__':
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip())
    main(*sys.argv[1:])

#!/usr/bin/env python3
"""Generate the axiOS wallpaper collection (smooth gradients made by the project itself).

Deterministic: running it again reproduces the committed PNG files byte for byte.
Usage: python3 generate.py [output-dir]   (default: the directory of this script)
"""
import math
import os
import struct
import sys
import zlib

WIDTH, HEIGHT = 1920, 1080

# name -> (kind, colour stops as (position, (r, g, b)))
WALLPAPERS = {
    "axios-dusk": ("diagonal", [(0.0, (32, 18, 64)), (0.55, (120, 40, 110)), (1.0, (240, 130, 70))]),
    "axios-ocean": ("vertical", [(0.0, (6, 20, 46)), (0.6, (14, 70, 110)), (1.0, (40, 150, 150))]),
    "axios-forest": ("radial", [(0.0, (70, 110, 60)), (0.7, (24, 48, 30)), (1.0, (10, 20, 14))]),
    "axios-slate": ("diagonal", [(0.0, (30, 34, 42)), (1.0, (78, 88, 104))]),
}


def lerp_stops(stops, t):
    t = min(max(t, 0.0), 1.0)
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if t <= p1:
            u = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
            return bytes(round(a + (b - a) * u) for a, b in zip(c0, c1))
    return bytes(stops[-1][1])


def position(kind, x, y):
    if kind == "vertical":
        return y / (HEIGHT - 1)
    if kind == "diagonal":
        return (x / (WIDTH - 1) + y / (HEIGHT - 1)) / 2
    # radial, centred slightly above the middle
    dx = (x - WIDTH * 0.5) / (WIDTH * 0.5)
    dy = (y - HEIGHT * 0.4) / (HEIGHT * 0.5)
    return math.sqrt(dx * dx + dy * dy) / 1.45


def png(kind, stops):
    raw = bytearray()
    if kind == "vertical":
        for y in range(HEIGHT):
            raw += b"\x00" + lerp_stops(stops, position(kind, 0, y)) * WIDTH
    else:
        for y in range(HEIGHT):
            raw += b"\x00"
            for x in range(WIDTH):
                raw += lerp_stops(stops, position(kind, x, y))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, (kind, stops) in WALLPAPERS.items():
        path = os.path.join(out, name + ".png")
        with open(path, "wb") as fh:
            fh.write(png(kind, stops))
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()

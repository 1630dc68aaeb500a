"""Draws the CompiledNet package icon (icon.png, 128 x 128): a small layered network, white on purple.

Uses the Python standard library only (zlib and struct write the PNG); each pixel is averaged over 4 x 4 samples.
Run: python3 make-icon.py icon.png
"""
import math, struct, sys, zlib

SIZE, SUB = 128, 4
BACKGROUND = (81, 43, 212)     # #512BD4
FOREGROUND = (255, 255, 255)
RADIUS = 22                    # corner radius of the rounded square
LAYERS = [3, 4, 2]             # nodes per layer, left to right
NODE, LINE = 9.0, 2.2          # node radius, connection half-width

def centres():
    xs = [30, 64, 98]
    result = []
    for x, n in zip(xs, LAYERS):
        gap = 24
        top = 64 - gap * (n - 1) / 2
        result.append([(x, top + gap * k) for k in range(n)])
    return result

LAYOUT = centres()
EDGES = [(a, b) for i in range(len(LAYOUT) - 1) for a in LAYOUT[i] for b in LAYOUT[i + 1]]
NODES = [p for layer in LAYOUT for p in layer]

def inside_square(x, y):
    cx = min(max(x, RADIUS), SIZE - RADIUS)
    cy = min(max(y, RADIUS), SIZE - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2

def segment_distance(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)

def sample(x, y):
    """(alpha, colour) of one sample point."""
    if not inside_square(x, y):
        return 0.0, BACKGROUND
    if any(math.hypot(x - nx, y - ny) <= NODE for nx, ny in NODES):
        return 1.0, FOREGROUND
    if any(segment_distance(x, y, a, b) <= LINE for a, b in EDGES):
        return 1.0, tuple(int(0.45 * f + 0.55 * g) for f, g in zip(FOREGROUND, BACKGROUND))
    return 1.0, BACKGROUND

def pixel(px, py):
    r = g = b = a = 0.0
    for i in range(SUB):
        for j in range(SUB):
            alpha, colour = sample(px + (i + 0.5) / SUB, py + (j + 0.5) / SUB)
            a += alpha
            r += alpha * colour[0]; g += alpha * colour[1]; b += alpha * colour[2]
    n = SUB * SUB
    if a == 0:
        return (0, 0, 0, 0)
    return (round(r / a), round(g / a), round(b / a), round(255 * a / n))

def png(path):
    rows = b"".join(b"\x00" + bytes(c for x in range(SIZE) for c in pixel(x, y)) for y in range(SIZE))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

if __name__ == "__main__":
    png(sys.argv[1] if len(sys.argv) > 1 else "icon.png")

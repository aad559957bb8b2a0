#!/usr/bin/env python3
"""Fig. 6 of EP 0762789 for Roamer: migration time (p50) against agent state size, per strategy.

Input: docs/fig6-sweep.csv, the SWEEP lines of `roamer:bench --sweep --count 200` without the prefix.
Output: docs/fig6.svg and, on stdout, a least-squares line per strategy: p50 = fixed + per_byte * moved.
Standard library only.
"""
import csv
import math
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "fig6-sweep.csv"))))
series = {}
for r in rows:
    series.setdefault(r["strategy"], []).append((int(r["state_bytes"]), int(r["moved_bytes"]), int(r["p50_us"])))

print("strategy  fixed_us  ns_per_moved_byte  (p50 = fixed + k * moved bytes, least squares)")
for name, pts in series.items():
    xs = [m for _, m, _ in pts]
    ys = [p for _, _, p in pts]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if max(xs) - min(xs) < 64:  # moves (nearly) the same bytes at every size: no slope to fit
        print(f"{name:9s} {my:8.0f}  {'-':>17s}  (moves {min(xs)}-{max(xs)} B whatever the state; fixed = mean p50)")
        continue
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    print(f"{name:9s} {my - k * mx:8.0f}  {k * 1000:17.2f}")

W, H, L, B, T, R = 720, 420, 70, 50, 30, 150
xmin, xmax = math.log10(1000), math.log10(1_000_000)
ymax = max(p for pts in series.values() for _, _, p in pts) * 1.1
colors = {"naive": "#1b9e77", "tern": "#d95f02", "condor": "#7570b3"}


def px(state):
    return L + (math.log10(state) - xmin) / (xmax - xmin) * (W - L - R)


def py(us):
    return H - B - us / ymax * (H - B - T)


svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{L}" y="18" font-size="14">Roamer: migration time (p50) vs agent state size, TCP loopback, 2 vCPU</text>',
       f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>']
for s in (1024, 4096, 16384, 65536, 262144, 1000000):
    label = f"{s // 1024}K" if s < 1_000_000 else "1M"
    svg.append(f'<text x="{px(s):.0f}" y="{H - B + 18}" text-anchor="middle">{label}</text>')
for i in range(6):
    us = ymax * i / 5
    svg.append(f'<text x="{L - 6}" y="{py(us) + 4:.0f}" text-anchor="end">{us / 1000:.1f}</text>')
    svg.append(f'<line x1="{L}" y1="{py(us):.0f}" x2="{W - R}" y2="{py(us):.0f}" stroke="#eee"/>')
svg.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 12}" text-anchor="middle">agent state (bytes, log scale)</text>')
svg.append(f'<text x="16" y="{(T + H - B) / 2:.0f}" transform="rotate(-90 16 {(T + H - B) / 2:.0f})" '
           f'text-anchor="middle">MIGRATE to MIGRATE_DONE p50 (ms)</text>')
for j, (name, pts) in enumerate(series.items()):
    c = colors.get(name, "black")
    path = " ".join(f"{px(s):.1f},{py(p):.1f}" for s, _, p in pts)
    svg.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
    for s, _, p in pts:
        svg.append(f'<circle cx="{px(s):.1f}" cy="{py(p):.1f}" r="3" fill="{c}"/>')
    svg.append(f'<text x="{W - R + 12}" y="{T + 20 + 18 * j}" fill="{c}">{name}</text>')
svg.append("</svg>")
open(os.path.join(here, "fig6.svg"), "w").write("\n".join(svg) + "\n")

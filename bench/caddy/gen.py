#!/usr/bin/env python3
"""Generate a route registry: N routes over D domains (JSON, the Nix shape).

Each domain gets one catch-all; the other routes get unique paths mixing
exact, `/x*` and `/x/*` patterns at several depths, varied priorities, some
stripPrefix. Deterministic for a given N and D.
"""
import json
import sys

n = int(sys.argv[1])
domains = int(sys.argv[2]) if len(sys.argv) > 2 else 500
routes = {}
per = [0] * domains
for i in range(n):
    d = i % domains
    k = per[d]
    per[d] += 1
    domain = f"svc{d}.tail1234.ts.net" if d % 2 else f"http://app{d}.home.test:8{d % 10}80"
    if k == 0:
        routes[f"r{i}"] = {"domain": domain, "path": None, "target": f"127.0.0.1:{10000 + d}",
                           "priority": 1000, "stripPrefix": False, "extraConfig": "", "handleConfig": ""}
        continue
    # groups of three overlapping patterns: /a, /a*, /a/* (like /api, /api*, /api/*)
    group = k // 3
    depth = group % 3
    segs = "/".join(f"p{(group + j) % 97}" for j in range(depth + 1))
    kind = k % 3
    path = f"/{segs}-{group}" + ("" if kind == 0 else "*" if kind == 1 else "/*")
    routes[f"r{i}"] = {"domain": domain, "path": path, "target": f"127.0.0.1:{20000 + (i % 40000)}",
                       "priority": (k * 37) % 1000, "stripPrefix": kind == 2,
                       "extraConfig": "", "handleConfig": ""}
json.dump(routes, sys.stdout)

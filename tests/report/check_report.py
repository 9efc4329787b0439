#!/usr/bin/env python3
"""Independent check of `vantage report --json` against the store.

Reads the SQLite store with Python's sqlite3 module (plain row reads, all
aggregation done here in Python, none of the report's SQL), recomputes
every figure the report gives and compares. p-values come from Simpson
integration of Student's t density (no incomplete beta), so the C code's
continued fraction is checked against a different method.

usage: check_report.py STORE REPORT.jsonl [RUN_ID...]
Prints one line per check ("ok ..." / "FAIL ...") and exits 1 on a failure.
"""
import json
import math
import sqlite3
import sys

VIEWS = ["internal_active", "internal_passive", "external_active",
         "external_passive"]
fails = 0
checks = 0


def check(desc, got, want, tol=1e-6):
    global fails, checks
    checks += 1
    if isinstance(want, float) or isinstance(got, float):
        ok = (got is None and want is None) or (
            got is not None and want is not None and
            abs(got - want) <= tol * max(1.0, abs(want)))
    else:
        ok = got == want
    if not ok:
        fails += 1
        print("FAIL %s: got %r, want %r" % (desc, got, want))
    return ok


def view_of(vantage, technique):
    if vantage not in ("internal", "external"):
        return None
    if technique not in ("active", "passive"):
        return None
    return vantage + "_" + technique


def tdens(t, df):
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / \
        math.sqrt(df * math.pi) * (1 + t * t / df) ** (-(df + 1) / 2)


def t_pvalue(t, df, steps=20000):
    t = abs(t)
    if t > 60:  # beyond the grid's accuracy; the tail is negligible
        return 0.0
    h = t / steps
    s = tdens(0, df) + tdens(t, df)
    for i in range(1, steps):
        s += (4 if i % 2 else 2) * tdens(i * h, df)
    return max(0.0, 1 - 2 * s * h / 3)


def pearson(x, y):
    n = len(x)
    if n < 3:
        return None, None
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return None, None
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    if abs(r) == 1:
        return r, 0.0
    return r, t_pvalue(r * math.sqrt((n - 2) / (1 - r * r)), n - 2)


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    out = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def quantile(s, q):
    h = (len(s) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def load(db, run_ids):
    con = sqlite3.connect(db)
    runs = {}
    for rid, vantage, tech in con.execute(
            "SELECT id, vantage, technique FROM run"):
        if run_ids and rid not in run_ids:
            continue
        v = view_of(vantage, tech)
        if v:
            runs[rid] = v
    dev = {}
    for row in con.execute("SELECT id, mac, key_ip, vendor, type FROM device"):
        dev[row[0]] = row
    dr = [r for r in con.execute(
        "SELECT device_id, run_id, first_us, last_us, local_flows, "
        "external_flows, local_bytes, external_bytes, external_peers "
        "FROM device_run") if r[1] in runs]
    svc = [r for r in con.execute(
        "SELECT device_id, run_id, proto, port, role, scope, technique, flows,"
        " first_us FROM service") if r[1] in runs]
    flows = [r for r in con.execute(
        "SELECT run_id, scope, bytes_ab + bytes_ba FROM flow") if r[0] in runs]
    return runs, dev, dr, svc, flows


def matches_view(view, technique, role):
    if view.endswith("active"):
        return technique == "active" and role == "server"
    return technique == "passive"


def main():
    db, rep = sys.argv[1], sys.argv[2]
    run_ids = set(int(a) for a in sys.argv[3:])
    runs, dev, dr, svc, flows = load(db, run_ids)
    objs = [json.loads(l) for l in open(rep, encoding="utf-8") if l.strip()]
    by = {}
    for o in objs:
        by.setdefault(o["object"], []).append(o)
    head = by["report"][0]

    # Views present and their devices.
    present = {v: set() for v in VIEWS}
    nruns = {v: 0 for v in VIEWS}
    for rid, v in runs.items():
        nruns[v] += 1
    for r in dr:
        present[runs[r[1]]].add(r[0])
    for vo in head["views"]:
        v = vo["view"]
        check("view %s present" % v, vo["present"], nruns[v] > 0)
        check("view %s runs" % v, vo["runs"], nruns[v])
        check("view %s devices" % v, vo["devices"], len(present[v]))
    check("missing views", head["missing"], [v for v in VIEWS if not nruns[v]])
    check("runs", head["runs"], sorted(runs))
    devs = set(r[0] for r in dr)
    check("devices", head["devices"], len(devs))

    # Per device.
    key_of = {i: dev[i][1] or dev[i][2] for i in devs}
    rdev = {d["key"]: d for d in by.get("device", [])}
    check("device objects", sorted(rdev), sorted(key_of.values()))
    fracs = []
    for i in devs:
        d = rdev.get(key_of[i])
        if d is None:
            continue
        k = key_of[i]
        mine = [r for r in dr if r[0] == i and runs[r[1]].endswith("passive")]
        first = min((r[2] for r in mine if r[2] is not None), default=None)
        last = max((r[3] for r in mine if r[3] is not None), default=None)
        used = {}
        for s in svc:
            if s[0] == i and s[6] == "passive" and runs[s[1]].endswith("passive"):
                key = (s[2], s[3], s[4], s[5])
                if s[8] is not None:
                    used[key] = min(used.get(key, s[8]), s[8])
                else:
                    used.setdefault(key, None)
        check("%s services_used" % k, d["services_used"], len(used))
        times = [t for t in used.values() if t is not None]
        frac = None
        if used and times and first is not None and last is not None and \
                last > first and max(times) >= first:
            frac = (max(times) - first) / (last - first)
            fracs.append(frac)
        check("%s full_set_fraction" % k, d["full_set_fraction"], frac, 1e-6)
        offered = set((s[2], s[3]) for s in svc if s[0] == i and
                      s[6] == "active" and s[4] == "server" and
                      runs[s[1]].endswith("active"))
        userv = set((s[2], s[3]) for s in svc if s[0] == i and
                    s[6] == "passive" and s[4] == "server" and
                    runs[s[1]].endswith("passive"))
        check("%s used_server" % k, d["used_server"], len(userv))
        check("%s offered" % k, d["offered"], len(offered))
        check("%s offered_used" % k, d["offered_used"], len(offered & userv))
        share = len(offered & userv) / len(offered) if offered else None
        check("%s used_share" % k, d["used_share"], share)
        flagged = set((p["proto"], p["port"]) for p in d["ports"]
                      if p["offered_unused"])
        check("%s offered_unused ports" % k, flagged, offered - userv)
        ip = [r for r in dr if r[0] == i and runs[r[1]] == "internal_passive"]
        for n, col in (("local_flows", 4), ("external_flows", 5),
                       ("local_bytes", 6), ("external_bytes", 7),
                       ("external_peers", 8)):
            check("%s %s" % (k, n), d[n], sum(r[col] for r in ip))
    fs = sorted(fracs)
    check("median full set fraction", head["median_full_set_fraction"],
          quantile(fs, 0.5) if fs else None)

    # Services: devices per view, shares and competition ranks.
    per = {v: {} for v in VIEWS}
    for s in svc:
        v = runs[s[1]]
        if matches_view(v, s[6], s[4]):
            per[v].setdefault((s[2], s[3]), set()).add(s[0])
    rsvc = {(o["proto"], o["port"]): o for o in by.get("service", [])}
    allk = set()
    for v in VIEWS:
        allk |= set(per[v])
    check("service objects", sorted(rsvc), sorted(allk))
    for v in VIEWS:
        if not nruns[v]:
            continue
        counts = {k: len(x) for k, x in per[v].items()}
        for k, c in counts.items():
            o = rsvc.get(k, {}).get("views", {}).get(v)
            if not o:
                check("service %s/%s in %s" % (k[0], k[1], v), None, c)
                continue
            rank = 1 + sum(1 for x in counts.values() if x > c)
            check("service %s/%d %s devices" % (k[0], k[1], v), o["devices"], c)
            check("service %s/%d %s share" % (k[0], k[1], v), o["share"],
                  c / len(present[v]))
            check("service %s/%d %s rank" % (k[0], k[1], v), o["rank"], rank)

    # Device types and external talkers (internal passive).
    tview = {}
    ext = {}
    for r in dr:
        t = dev[r[0]][4] or "unknown"
        tview.setdefault(t, {v: set() for v in VIEWS})[runs[r[1]]].add(r[0])
        if runs[r[1]] == "internal_passive":
            ext.setdefault(t, {}).setdefault(r[0], 0)
            ext[t][r[0]] += r[5]
    rtypes = {o["type"]: o for o in by.get("device_type", [])}
    check("device types", sorted(rtypes), sorted(tview))
    for t, vs in tview.items():
        for v in VIEWS:
            if nruns[v]:
                check("type %s %s" % (t, v),
                      rtypes[t]["views"][v]["devices"], len(vs[v]))
        e = ext.get(t, {})
        check("type %s external talkers" % t, rtypes[t]["external_talkers"],
              sum(1 for x in e.values() if x > 0))
        check("type %s passive devices" % t, rtypes[t]["passive_devices"],
              len(e))

    # Bytes per flow.
    rd = {o["scope"]: o for o in by.get("bytes_per_flow", [])}
    names = ["min", "p10", "p25", "median", "p75", "p90", "max"]
    qs = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]
    for scope in ("local", "external"):
        b = sorted(float(f[2]) for f in flows
                   if f[1] == scope and runs[f[0]].endswith("passive"))
        check("%s flows" % scope, rd[scope]["flows"], len(b))
        if b:
            check("%s mean" % scope, rd[scope]["mean"], sum(b) / len(b))
            for n, q in zip(names, qs):
                check("%s %s" % (scope, n), rd[scope]["quantiles"][n],
                      quantile(b, q))

    # Port specificity of local ports.
    rspec = {o["view"]: o for o in by.get("port_specificity", [])}
    for v in VIEWS:
        if not nruns[v]:
            continue
        ports = {}
        for s in svc:
            if runs[s[1]] == v and s[5] == "local" and matches_view(v, s[6], s[4]):
                ports.setdefault((s[2], s[3]), set()).add(s[0])
        sv = sum(1 for ds in ports.values()
                 if len(set(dev[i][3] for i in ds if dev[i][3])) == 1)
        mv = sum(1 for ds in ports.values()
                 if len(set(dev[i][3] for i in ds if dev[i][3])) > 1)
        st = sum(1 for ds in ports.values() if len(set(
            dev[i][4] for i in ds if dev[i][4] and dev[i][4] != "unknown")) == 1)
        check("spec %s ports" % v, rspec[v]["ports"], len(ports))
        check("spec %s single vendor" % v, rspec[v]["single_vendor"], sv)
        check("spec %s multi vendor" % v, rspec[v]["multi_vendor"], mv)
        check("spec %s single type" % v, rspec[v]["single_type"], st)

    # Correlations: recomputed from the report's own inputs.
    for c in by.get("correlation", []):
        if c["what"].startswith("service shares"):
            a, b = c["x"], c["y"]
            xs, ys = [], []
            for o in rsvc.values():
                va, vb = o["views"].get(a), o["views"].get(b)
                if (va and va["devices"]) or (vb and vb["devices"]):
                    xs.append(va["share"] if va else 0.0)
                    ys.append(vb["share"] if vb else 0.0)
        else:
            sel = [d for d in rdev.values() if "internal_passive" in d["views"]]
            if c["x"] == "offered":
                sel = [d for d in sel if "internal_active" in d["views"] or
                       "external_active" in d["views"]]
                pairs = [(d["offered"], d["used_server"]) for d in sel]
            elif c["x"] == "local_bytes":
                pairs = [(d["local_bytes"], d["external_bytes"]) for d in sel]
            else:
                pairs = [(d["services_used"], d["external_peers"]) for d in sel]
            xs = [float(p[0]) for p in pairs]
            ys = [float(p[1]) for p in pairs]
        check("%s n" % c["what"], c["n"], len(xs))
        r, p = pearson(xs, ys)
        check("%s pearson r" % c["what"], c["pearson"]["r"], r, 1e-7)
        check("%s pearson p" % c["what"], c["pearson"]["p"], p, 1e-5)
        r, p = pearson(ranks(xs), ranks(ys)) if len(xs) >= 3 else (None, None)
        check("%s spearman rho" % c["what"], c["spearman"]["rho"], r, 1e-7)
        check("%s spearman p" % c["what"], c["spearman"]["p"], p, 1e-5)

    print("%d checks, %d failed" % (checks, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

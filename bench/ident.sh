#!/usr/bin/env bash
#
# bench/ident.sh - accuracy of device identification on labelled captures.
#
# For every row of ../shared/datasets/LABELS.csv (capture glob, MAC,
# accepted vendor names, type, model) runs `vantage read --json` over the
# device's captures together and compares the device's vendor and type
# with the truth. Prints one line per device, then vendor accuracy, type
# accuracy and coverage (devices given a type other than unknown), and the
# targets of the identification issue (vendor >= 95%, type >= 90%).
#
# A vendor is right when, letters and digits only and case folded, the
# prediction equals an accepted name or one starts with the other.
#
# Environment: VANTAGE (default build/vantage), VT_DATASETS (default
# ../shared/datasets), VT_LABELS (default $VT_DATASETS/LABELS.csv).
# Exit status: 0 when it ran (targets met or not), 2 on a setup error.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
vantage=${VANTAGE:-$repo/build/vantage}
datasets=${VT_DATASETS:-$repo/../shared/datasets}
labels=${VT_LABELS:-$datasets/LABELS.csv}

[ -x "$vantage" ] || { echo "ident.sh: no vantage binary at $vantage (make build)" >&2; exit 2; }
[ -r "$labels" ] || { echo "ident.sh: no labels at $labels" >&2; exit 2; }
command -v python3 >/dev/null || { echo "ident.sh: python3 needed" >&2; exit 2; }

exec python3 - "$vantage" "$datasets" "$labels" <<'PY'
import csv, glob, json, os, re, subprocess, sys

vantage, datasets, labels = sys.argv[1:4]

def norm(s):
    return re.sub(r'[^a-z0-9]', '', (s or '').lower())

def vendor_ok(pred, accepted):
    p = norm(pred)
    if len(p) < 2:
        return False
    for a in accepted.split('|'):
        a = norm(a)
        if a and (p == a or (len(a) >= 3 and (p.startswith(a) or a.startswith(p)))):
            return True
    return False

rows = [r for r in csv.reader(l for l in open(labels) if not l.startswith('#'))]
header, rows = rows[0], rows[1:]
print('%-48s %-17s %-26s %-26s %s' % ('capture', 'mac', 'truth (vendor/type)',
                                       'predicted (vendor/type)', 'V T'))
n = v_ok = t_ok = covered = 0
for glob_, mac, vendors, typ, model in rows:
    files = sorted(glob.glob(os.path.join(datasets, glob_)))
    if not files:
        print('ident.sh: no capture matches %s' % glob_, file=sys.stderr)
        sys.exit(2)
    out = subprocess.run([vantage, 'read', '--json'] + files,
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        print('ident.sh: vantage failed on %s: %s' % (glob_, out.stderr.strip()),
              file=sys.stderr)
        sys.exit(2)
    dev = next((json.loads(l) for l in out.stdout.splitlines()
                if json.loads(l).get('mac') == mac.lower()), None)
    pv = (dev or {}).get('vendor') or '-'
    pt = (dev or {}).get('type') or 'unknown'
    vo, to = vendor_ok(pv, vendors), pt == typ
    n += 1
    v_ok += vo
    t_ok += to
    covered += pt != 'unknown'
    print('%-48s %-17s %-26s %-26s %s %s' % (glob_[:48], mac,
          (vendors.split('|')[0] + '/' + typ)[:26], (pv + '/' + pt)[:26],
          'y' if vo else 'N', 'y' if to else 'N'))

va, ta, cov = 100.0 * v_ok / n, 100.0 * t_ok / n, 100.0 * covered / n
print()
print('devices %d  vendor accuracy %.1f%% (%d/%d)  type accuracy %.1f%% (%d/%d)  '
      'coverage %.1f%%' % (n, va, v_ok, n, ta, t_ok, n, cov))
print('target vendor >= 95%%: %s' % ('PASS' if va >= 95 else 'FAIL'))
print('target type   >= 90%%: %s' % ('PASS' if ta >= 90 else 'FAIL'))
PY

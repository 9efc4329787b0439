#!/usr/bin/env python3
"""Frame counters of `vantage read --json` against tshark, device by device.

For each case (a set of capture files and the MACs to check) this runs
`vantage read --json FILES...` once and tshark once per file, then compares
for every MAC, with exact equality:

    packets_sent  = number of frames matching  eth.src == MAC
    bytes_sent    = sum of frame.len over them
    packets_recv  = number of frames matching  eth.dst == MAC
    bytes_recv    = sum of frame.len over them

tshark reads the same files one at a time and the results are summed. Each
file is read once with `-T fields -E occurrence=a -e eth.src -e eth.dst -e
frame.len`; a frame "matches eth.src == MAC" when any of its eth.src
occurrences is MAC, which is what the display filter does (== is "any").

Cases:
  * every labelled device of $VT_DATASETS/LABELS.csv over the files of its
    capture_glob (skipped, with a message, when the datasets are absent);
  * the bundled capture data/demo/*.pcap, every device vantage reports, and
    the set of reported devices must equal the unicast source MACs tshark
    sees (plus a gateway that only received, if any).

A labelled device absent from vantage's output is fine only when tshark says
it sent nothing (vantage reports senders only); otherwise it is a mismatch.

Usage: counters.py VANTAGE SRCDIR DATASETS TMPDIR
       counters.py --each VANTAGE FILE...   (each file alone; damaged files
                                            allowed; used by tests/bad)
Exit 0 when every device matches, 1 otherwise.
"""
import csv
import glob
import json
import os
import subprocess
import sys

FIELDS = ("packets_sent", "bytes_sent", "packets_recv", "bytes_recv")


def tshark_file(path, cache={}, allow_error=False):
    """Per-MAC [ps, bs, pr, br] for one capture file, from tshark. With
    allow_error, a file tshark stops reading early (damaged) gives the
    counts of the frames it read."""
    if path in cache:
        return cache[path]
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=,", "-E", "separator=\t",
           "-e", "eth.src", "-e", "eth.dst", "-e", "frame.len"]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         check=False)
    if res.returncode != 0 and not allow_error:
        raise RuntimeError("tshark failed on %s (exit %d)" % (path, res.returncode))
    counts = {}
    frames = 0
    for line in res.stdout.decode("ascii").splitlines():
        src, dst, flen = line.split("\t")
        frames += 1
        n = int(flen)
        for mac in set(filter(None, src.split(","))):
            c = counts.setdefault(mac.lower(), [0, 0, 0, 0])
            c[0] += 1
            c[1] += n
        for mac in set(filter(None, dst.split(","))):
            c = counts.setdefault(mac.lower(), [0, 0, 0, 0])
            c[2] += 1
            c[3] += n
    cache[path] = (frames, counts)
    return cache[path]


def tshark_files(paths):
    total = {}
    frames = 0
    for p in paths:
        n, counts = tshark_file(p)
        frames += n
        for mac, c in counts.items():
            t = total.setdefault(mac, [0, 0, 0, 0])
            for i in range(4):
                t[i] += c[i]
    return frames, total


def vantage_read(vantage, paths, ok_codes=(0,)):
    res = subprocess.run([vantage, "read", "--json"] + paths,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False)
    if res.returncode not in ok_codes:
        raise RuntimeError("vantage read exited %d on %s:\n%s" % (
            res.returncode, " ".join(paths), res.stderr.decode(errors="replace")))
    devs = {}
    for line in res.stdout.decode("utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            devs[d["mac"]] = d
    return devs


def unicast(mac):
    first = int(mac.split(":")[0], 16)
    return not (first & 1) and mac != "00:00:00:00:00:00"


class Checker:
    def __init__(self):
        self.checked = 0
        self.bad = 0

    def device(self, case, mac, vdev, tcounts):
        t = tcounts.get(mac, [0, 0, 0, 0])
        if vdev is None:
            v = None
            ok = t[0] == 0
            vtxt = "not reported"
        else:
            v = [vdev[f] for f in FIELDS]
            ok = v == t
            vtxt = "sent %d/%d recv %d/%d" % tuple(v)
        self.checked += 1
        if not ok:
            self.bad += 1
        print("%-8s %-40s %s  vantage %s | tshark sent %d/%d recv %d/%d" % (
            "OK" if ok else "MISMATCH", case, mac, vtxt, *t))

    def fail(self, msg):
        self.bad += 1
        print("MISMATCH " + msg)


def labelled_cases(datasets):
    rows = []
    with open(os.path.join(datasets, "LABELS.csv"), encoding="utf-8") as f:
        lines = [l for l in f if l.strip() and not l.lstrip().startswith("#")]
    for row in csv.DictReader(lines):
        files = sorted(glob.glob(os.path.join(datasets, row["capture_glob"])))
        rows.append((row["capture_glob"], row["mac"].strip().lower(), files))
    return rows


def each(vantage, files):
    """--each: every file on its own, damaged files allowed (vantage exit 0
    or 1; tshark's frames up to where it stopped). Every reported device and
    every unicast sender tshark sees must agree."""
    ck = Checker()
    for path in files:
        name = os.path.basename(path)
        try:
            devs = vantage_read(vantage, [path], ok_codes=(0, 1))
        except RuntimeError as e:
            ck.fail(str(e))
            continue
        _, counts = tshark_file(path, allow_error=True)
        macs = set(devs) | {m for m, c in counts.items() if c[0] > 0 and unicast(m)}
        if not macs:
            print("OK       %-40s (no device on either side)" % name)
        for mac in sorted(macs):
            ck.device(name, mac, devs.get(mac), counts)
    print("%d devices checked, %d mismatches" % (ck.checked, ck.bad))
    return 1 if ck.bad else 0


def main():
    if sys.argv[1] == "--each":
        return each(sys.argv[2], sys.argv[3:])
    vantage, srcdir, datasets, tmpdir = sys.argv[1:5]
    ck = Checker()

    if os.path.isfile(os.path.join(datasets, "LABELS.csv")):
        cases = labelled_cases(datasets)
        if not cases:
            ck.fail("LABELS.csv has no device rows")
        for pattern, mac, files in cases:
            if not files:
                ck.fail("%s: the glob matches no file" % pattern)
                continue
            try:
                devs = vantage_read(vantage, files)
            except RuntimeError as e:
                ck.fail(str(e))
                continue
            _, counts = tshark_files(files)
            ck.device(pattern, mac, devs.get(mac), counts)
            if counts.get(mac, [0])[0] == 0:
                ck.fail("%s: labelled %s sent no frame (bad label?)" % (pattern, mac))
        print("dataset part: %d labelled devices checked" % len(cases))
    else:
        print("NOTE: dataset part SKIPPED: %s/LABELS.csv not found" % datasets)

    demo = sorted(glob.glob(os.path.join(srcdir, "data", "demo", "*.pcap")))
    if not demo:
        ck.fail("no bundled capture data/demo/*.pcap")
    else:
        try:
            devs = vantage_read(vantage, demo)
        except RuntimeError as e:
            ck.fail(str(e))
            devs = {}
        frames, counts = tshark_files(demo)
        if not devs:
            ck.fail("demo: vantage reported no device")
        for mac in sorted(devs):
            ck.device("data/demo/*.pcap", mac, devs[mac], counts)
        senders = {m for m, c in counts.items() if c[0] > 0 and unicast(m)}
        reported_senders = {m for m, d in devs.items() if d["packets_sent"] > 0}
        if senders != reported_senders:
            ck.fail("demo: unicast senders per tshark %s != devices reported "
                    "with packets_sent > 0 %s" % (sorted(senders),
                                                  sorted(reported_senders)))
        else:
            print("OK       demo: the %d devices reported are exactly the "
                  "unicast senders tshark sees in %d frames" % (len(senders), frames))
        for m, d in devs.items():
            if d["packets_sent"] == 0 and not d.get("gateway"):
                ck.fail("demo: %s reported without sending and is not the gateway" % m)

    print("%d devices checked, %d mismatches" % (ck.checked, ck.bad))
    return 1 if ck.bad else 0


if __name__ == "__main__":
    sys.exit(main())

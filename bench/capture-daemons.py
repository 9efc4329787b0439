#!/usr/bin/env python3
"""Starts real daemons on 127.0.0.1 (those installed: lighttpd, vsftpd,
dropbear, busybox telnetd, python http.server and smtpd), grabs what each
says (NULL probe: read for 1 s; HTTP: GET / and a malformed request),
stops them, and prints the banners as JSON Lines (DESIGN.md format).
Nothing is sent outside loopback."""
import json, os, shutil, socket, subprocess, sys, tempfile, time

def esc(b):
    return "".join(chr(c) if 0x20 <= c < 0x7F and c != 0x5C else "\\x%02x" % c for c in b)

def grab(port, send=None, wait=1.0):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError:
        return None
    data = b""
    s.settimeout(wait)
    try:
        if send:
            s.sendall(send)
        end = time.time() + wait
        while time.time() < end and len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    return data

def main():
    tmp = tempfile.mkdtemp(prefix="vt-daemons-")
    os.chmod(tmp, 0o755)
    procs, out = [], []
    def start(cmd, **kw):
        try:
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw))
        except OSError:
            pass
    if shutil.which("lighttpd"):
        open(f"{tmp}/index.html", "w").write("<html><title>lighttpd test</title></html>")
        open(f"{tmp}/l.conf", "w").write(f'server.document-root = "{tmp}"\nserver.port = 18081\nserver.bind = "127.0.0.1"\n')
        start(["lighttpd", "-D", "-f", f"{tmp}/l.conf"])
    if shutil.which("vsftpd"):
        os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
        open(f"{tmp}/v.conf", "w").write(f"listen=YES\nlisten_address=127.0.0.1\nlisten_port=18021\nbackground=NO\nanonymous_enable=YES\nanon_root={tmp}\nno_anon_password=YES\nseccomp_sandbox=NO\n")
        start(["vsftpd", f"{tmp}/v.conf"])
    if shutil.which("dropbear") and shutil.which("dropbearkey"):
        subprocess.run(["dropbearkey", "-t", "ed25519", "-f", f"{tmp}/k"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        start(["dropbear", "-F", "-E", "-r", f"{tmp}/k", "-p", "127.0.0.1:18022"])
    if shutil.which("busybox"):
        start(["busybox", "telnetd", "-F", "-b", "127.0.0.1", "-p", "18023", "-l", "/bin/sh"])
    start([sys.executable, "-m", "http.server", "18080", "--bind", "127.0.0.1", "--directory", tmp])
    start([sys.executable, "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer", "127.0.0.1:18025"])
    time.sleep(1.5)
    plan = [(18081, 80, [b"GET / HTTP/1.0\r\n\r\n", b"BAD\r\n\r\n"]), (18080, 8000, [b"GET / HTTP/1.0\r\n\r\n", b"XYZ /\r\n\r\n"]),
            (18021, 21, [None]), (18022, 22, [None]), (18023, 23, [None]), (18025, 25, [None])]
    for port, as_port, sends in plan:
        for send in sends:
            b = grab(port, send)
            if b:
                d = {"ip": "127.0.0.1", "proto": "tcp", "port": as_port, "banner": esc(b)}
                if send:
                    d["probe"] = "GetRequest" if send.startswith(b"GET") else None
                    if d["probe"] is None:
                        del d["probe"]
                else:
                    d["probe"] = "NULL"
                out.append(d)
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(tmp, ignore_errors=True)
    for d in out:
        print(json.dumps(d))
    sys.stderr.write("capture-daemons: %d banners from %d daemons\n" % (len(out), len({d['port'] for d in out})))

main()

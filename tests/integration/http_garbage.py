#!/usr/bin/env python3
"""Malformed HTTP against a zest server on this machine's loopback: random bytes, broken
request lines, oversized and endless headers, bodies on GET, path traversal, odd query
arguments, slow senders (slowloris) and a stream client that never reads. Bounded in count
and time (a fixed seed, a few hundred connections, well under a minute). After each burst the
server must still answer GET /api/jobs with 200, and its process must be alive.

usage: http_garbage.py PORT PID [TOKEN]   (prints one "ok"/"not ok" line per check, exits 1 on
a failure)"""
import os
import random
import socket
import sys
import time

PORT, PID = int(sys.argv[1]), int(sys.argv[2])
TOKEN = sys.argv[3] if len(sys.argv) > 3 else ""
HOST = "127.0.0.1"
rng = random.Random(20261204)
failures = 0


def report(ok, name, detail=""):
    global failures
    failures += not ok
    print(("ok\t" if ok else "not ok\t") + name + ("" if ok else "\t" + detail))


def exchange(data, timeout=3.0, read=True):
    """Sends bytes, returns what came back (b"" when the server closed or refused)."""
    try:
        with socket.create_connection((HOST, PORT), timeout=timeout) as s:
            s.sendall(data)
            if not read:
                return b""
            s.shutdown(socket.SHUT_WR)
            out = b""
            while len(out) < 1 << 20:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
            return out
    except OSError:
        return b""


def status_of(reply):
    try:
        return int(reply.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def get(path, headers=b""):
    auth = b"Authorization: Bearer " + TOKEN.encode() + b"\r\n" if TOKEN else b""
    return exchange(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + auth + headers +
                    b"Connection: close\r\n\r\n")


def alive(name):
    try:
        os.kill(PID, 0)
        up = True
    except OSError:
        up = False
    code = 0
    for _ in range(20):  # connections being closed may hold their slots a moment longer
        code = status_of(get(b"/api/jobs")) if up else 0
        if code == 200 or not up:
            break
        time.sleep(0.1)
    report(up and code == 200, "server alive and answering after " + name,
           "process up: %s, GET /api/jobs: %d" % (up, code))


# ---- random bytes and broken request lines
for _ in range(150):
    n = rng.choice([1, 7, 64, 512, 4096])
    exchange(bytes(rng.randrange(256) for _ in range(n)), timeout=1.0)
broken = [b"\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /" + b"a" * 70000 +
          b" HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
          b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 5000 + b"\r\n", b"\x00\x00\x00GET / HTTP/1.1\r\n\r\n",
          b"GET /\x00/ HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /%00/../etc HTTP/1.1\r\n\r\n", b"G\xffT / HTTP/1.1\r\n\r\n",
          b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
          b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\nabc",
          b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
          b"POST /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"a" * 100000]
for b in broken:
    exchange(b, timeout=2.0)
alive("random bytes and broken request lines")

# ---- oversized headers are refused, not buffered without end
reply = exchange(b"GET /api/jobs HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
report(status_of(reply) in (0, 400, 413, 431), "a 200 KB header is refused",
       reply[:80].decode("latin-1"))
alive("oversized headers")

# ---- path traversal and odd arguments never reach a file
for path in [b"/../../../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"//etc/passwd",
             b"/api/../../etc/passwd", b"/index.html/../../../etc/passwd", b"/./app.js/..",
             b"/api/status?job=../../..", b"/api/status?job=%2e%2e", b"/api/status?job=/etc",
             b"/api/events?job=..%2f..%2fetc", b"/metrics?job=.hidden", b"/%ff%fe", b"/%2fetc%2fpasswd"]:
    reply = get(path)
    code = status_of(reply)
    report(code in (400, 401, 404) and b"root:" not in reply,
           "traversal %s: refused (%d)" % (path.decode(), code), reply[:120].decode("latin-1"))
for q in [b"limit=-1", b"limit=1e999", b"limit=99999999", b"partition=x", b"since=nan",
          b"level=LOUD", b"limit=" + b"9" * 300, b"type=" + b"%00" * 10, b"op=%ff", b"a=b&&&=&"]:
    code = status_of(get(b"/api/events?" + q))
    report(code in (200, 400), "odd argument %s: %d" % (q[:30].decode(), code))
alive("traversal and odd arguments")

# ---- slowloris: many connections sending a header byte now and then
slow = []
for _ in range(40):
    try:
        s = socket.create_connection((HOST, PORT), timeout=2)
        s.sendall(b"GET /api/jobs HTTP/1.1\r\nHost: x\r\n")
        slow.append(s)
    except OSError:
        pass
end = time.time() + 4
while time.time() < end:
    for s in list(slow):
        try:
            s.sendall(b"X-a: b\r\n")
        except OSError:
            slow.remove(s)
    time.sleep(0.5)
# a client on another loopback address is not held back by the per-address limit
try:
    with socket.create_connection((HOST, PORT), timeout=3, source_address=("127.0.0.2", 0)) as s:
        s.sendall(b"GET /api/jobs HTTP/1.1\r\nHost: x\r\n" +
                  (b"Authorization: Bearer " + TOKEN.encode() + b"\r\n" if TOKEN else b"") +
                  b"Connection: close\r\n\r\n")
        code = status_of(s.recv(4096))
except OSError as e:
    code = 0
report(code == 200, "during a slowloris from 127.0.0.1, a client on 127.0.0.2 is served", str(code))
for s in slow:
    s.close()
time.sleep(0.5)
alive("slowloris")

# ---- an event stream client that never reads
stuck = socket.create_connection((HOST, PORT), timeout=2)
stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
stuck.sendall(b"GET /api/events/stream?backlog=100000 HTTP/1.1\r\nHost: x\r\n" +
              (b"Authorization: Bearer " + TOKEN.encode() + b"\r\n" if TOKEN else b"") + b"\r\n")
time.sleep(1)
alive("an event stream client that never reads")
stuck.close()

sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""A small HTTP client for the integration tests (no curl needed).

usage: http_get.py URL [-X METHOD] [-H 'Name: value']... [-o FILE] [--stream SECONDS]
                   [--until TEXT]
Prints the status code; writes the body to FILE (default: discarded). --stream reads for at
most SECONDS, then stops (for an endless event stream); --until stops it as soon as TEXT has
arrived."""
import http.client
import sys
import time
import urllib.parse

args = sys.argv[1:]
url, method, headers, out, stream, until = args[0], "GET", {}, None, None, None
i = 1
while i < len(args):
    if args[i] == "-X":
        method = args[i + 1]
    elif args[i] == "-H":
        k, v = args[i + 1].split(":", 1)
        headers[k.strip()] = v.strip()
    elif args[i] == "-o":
        out = args[i + 1]
    elif args[i] == "--stream":
        stream = float(args[i + 1])
    elif args[i] == "--until":
        until = args[i + 1].encode()
    i += 2
u = urllib.parse.urlsplit(url)
path = u.path + ("?" + u.query if u.query else "")
if stream is not None:  # raw socket: read what arrives for `stream` seconds
    import socket
    s = socket.create_connection((u.hostname, u.port), timeout=5)
    s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\n%s\r\n" % (method, path, "".join(
        "%s: %s\r\n" % kv for kv in headers.items()))).encode())
    s.settimeout(0.2)
    data, end = b"", time.time() + stream
    while time.time() < end:
        try:
            chunk = s.recv(65536)
        except (TimeoutError, OSError):
            continue
        if not chunk:
            break
        data += chunk
        if until and until in data:
            break
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    print(int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0)
else:
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    conn.request(method, path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    print(r.status)
if out:
    with open(out, "wb") as f:
        f.write(body)

#!/usr/bin/env python3
"""A small HTTP/1.1 file server on 127.0.0.1 for the remote-input tests, with Range requests
(If-Range by ETag or Last-Modified) and faults injected by the URL.

    http_fault_server.py ROOT PORT_FILE LOG_FILE [--max-seconds S]

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE, and serves the files of ROOT.
A URL /f/<fault>/<fault>/.../<name> serves ROOT/<name> with these faults, each counted per
URL and fault (the first K requests of that URL that reach the fault get it; a request
answered with an injected status does not reach a drop):
    <code>x<K>    answer HTTP <code> (e.g. 500x2, 503x1, 429x1)
    drop<N>x<K>   send the headers and N bytes of the body, then close the connection
    slow<S>x<K>   wait S seconds (a float) before answering
    rate<B>       send the body at about B bytes per second (every request)
    noranges      ignore Range headers (always 200 with the whole file)
Every request is logged to LOG_FILE as one JSON line once it ends: path, range, if_range,
status, body bytes sent, and whether the connection was dropped. The server stops by itself
after --max-seconds (default 600).
"""
import email.utils
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = LOG = None
COUNTS = {}
LOCK = threading.Lock()


def parse_faults(segments):
    faults = {"status": None, "drop": None, "slow": None, "rate": None, "noranges": False}
    for seg in segments:
        m = re.fullmatch(r"(\d{3})x(\d+)", seg)
        if m:
            faults["status"] = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.fullmatch(r"drop(\d+)x(\d+)", seg)
        if m:
            faults["drop"] = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.fullmatch(r"slow([\d.]+)x(\d+)", seg)
        if m:
            faults["slow"] = (float(m.group(1)), int(m.group(2)))
            continue
        m = re.fullmatch(r"rate(\d+)", seg)
        if m:
            faults["rate"] = int(m.group(1))
            continue
        if seg == "noranges":
            faults["noranges"] = True
            continue
        raise ValueError("unknown fault " + seg)
    return faults


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the JSON log is what the tests read
        pass

    def record(self, **kw):
        entry = {"path": self.path, "range": self.headers.get("Range"),
                 "if_range": self.headers.get("If-Range")}
        entry.update(kw)
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def plain(self, code, text, extra=None):
        body = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.record(status=code, sent=0, dropped=False)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        segs = [s for s in path.split("/") if s]
        try:
            faults = parse_faults(segs[1:-1]) if segs and segs[0] == "f" else parse_faults([])
        except ValueError as e:
            return self.plain(400, str(e))
        if faults["slow"] and self.count("slow") <= faults["slow"][1]:
            time.sleep(faults["slow"][0])
        if faults["status"] and self.count("status") <= faults["status"][1]:
            return self.plain(faults["status"][0], "injected fault\n")
        name = segs[-1] if segs else ""
        full = os.path.join(ROOT, name)
        if not name or name.startswith(".") or not os.path.isfile(full):
            return self.plain(404, "not found\n")
        self.serve_file(full, faults)

    def count(self, kind):
        """How many requests of this URL reached fault `kind`, this one included."""
        with LOCK:
            n = COUNTS[(self.path, kind)] = COUNTS.get((self.path, kind), 0) + 1
        return n

    def serve_file(self, full, faults):
        st = os.stat(full)
        size = st.st_size
        etag = '"%x-%x"' % (size, st.st_mtime_ns)
        last_mod = email.utils.formatdate(st.st_mtime, usegmt=True)
        start, end, status = 0, size - 1, 200
        rng = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if rng and not faults["noranges"] and (if_range is None or if_range in (etag, last_mod)):
            m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng.strip())
            if m:
                start = int(m.group(1))
                end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                if start >= size:
                    return self.plain(416, "range not satisfiable\n",
                                      {"Content-Range": "bytes */%d" % size})
                status = 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_mod)
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
        self.end_headers()
        limit = end - start + 1
        drop = faults["drop"] is not None and self.count("drop") <= faults["drop"][1]
        if drop:
            limit = min(limit, faults["drop"][0])
        sent = 0
        try:
            with open(full, "rb") as f:
                f.seek(start)
                t0 = time.monotonic()
                while sent < limit:
                    chunk = f.read(min(16384, limit - sent))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    if faults["rate"]:
                        ahead = sent / faults["rate"] - (time.monotonic() - t0)
                        if ahead > 0:
                            time.sleep(ahead)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.record(status=status, sent=sent, dropped=True, client_gone=True)
            return
        if drop:
            self.close_connection = True
        self.record(status=status, sent=sent, dropped=drop)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that goes away (zest killed on purpose) is part of the tests
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    global ROOT, LOG
    args = sys.argv[1:]
    max_s = 600.0
    if "--max-seconds" in args:
        i = args.index("--max-seconds")
        max_s = float(args[i + 1])
        del args[i:i + 2]
    ROOT, port_file, LOG = args
    srv = Server(("127.0.0.1", 0), Handler)
    timer = threading.Timer(max_s, srv.shutdown)
    timer.daemon = True
    timer.start()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()

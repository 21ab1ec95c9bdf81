"""Serve the gallery over HTTP with byte ranges, so the browser can seek in the videos.

    python -m gallery.serve output/site            http://127.0.0.1:8000/
    python -m gallery.serve output/site --port 8080

``python -m http.server`` serves the site too, but answers no ``Range`` request: the videos play
from the start, and the browser cannot jump to a beat. This server is that one plus single byte
ranges (``Range: bytes=a-b``), on the loopback address unless told otherwise.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RangeHandler(SimpleHTTPRequestHandler):
    """Static files, with ``206 Partial Content`` answers to a single byte range."""

    def send_head(self):
        self._range = None
        wanted = RANGE.match(self.headers.get("Range", "").strip())
        path = self.translate_path(self.path)
        if not wanted or os.path.isdir(path):
            return super().send_head()
        try:
            f = open(path, "rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        size = os.fstat(f.fileno()).st_size
        first, last = wanted.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last or 0)), size - 1
        else:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        if start >= size or start > end:
            f.close()
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        f.seek(start)
        self._range = end - start + 1
        return f

    def end_headers(self):
        if not getattr(self, "_range", None):
            self.send_header("Accept-Ranges", "bytes")  # tell the browser it may ask for ranges
        super().end_headers()

    def copyfile(self, source, outputfile):
        left = getattr(self, "_range", None)
        if left is None:
            return shutil.copyfileobj(source, outputfile)
        while left > 0:
            block = source.read(min(left, 1 << 16))
            if not block:
                break
            outputfile.write(block)
            left -= len(block)


def make_server(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """A server of ``folder`` (port 0: any free port; ``server.server_address`` tells which)."""
    handler = functools.partial(RangeHandler, directory=str(folder))
    return ThreadingHTTPServer((host, port), handler)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m gallery.serve", description=__doc__.split("\n\n")[0])
    p.add_argument("folder", nargs="?", default="output/site", help="the site (default output/site)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    args = p.parse_args(argv)
    if not (Path(args.folder) / "index.html").exists():
        print(f"gallery.serve: {args.folder}/index.html not found: build the site with `python render.py site`")
        return 1
    server = make_server(Path(args.folder), args.host, args.port)
    host, port = server.server_address[:2]
    print(f"serving {args.folder} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

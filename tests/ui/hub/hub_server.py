#!/usr/bin/env python3
"""A Hugging Face Hub stand-in on loopback for the model browser's tests.

Serves the routes and JSON shapes of the hub's public API that ui/hub/hub_api.hpp documents,
for the repositories in hub_repos.json (real GGUF files from this repository), and can misbehave
on request: drop the connection partway, send slowly, list a wrong SHA-256, ignore Range.
Prints "PORT <n>" on stdout once it listens; logs each file request to --log.
"""
import argparse
import hashlib
import json
import os
import socketserver
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def load_repos(manifest, root):
    with open(manifest, encoding="utf-8") as f:
        spec = json.load(f)
    repos = {}
    for repo_id, repo in spec.items():
        files = {}
        for name, source in repo["files"].items():
            # A file of the tree, or a byte range of one ({"path", "from", "to"}): the parts of
            # a split model, which the downloader moves without reading.
            path = source if isinstance(source, str) else source["path"]
            with open(os.path.join(root, path), "rb") as f:
                data = f.read()
            if not isinstance(source, str):
                data = data[source["from"]:source["to"]]
            files[name] = {"data": data, "sha256": hashlib.sha256(data).hexdigest(),
                           "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()}
        repos[repo_id] = {"downloads": repo.get("downloads", 0), "likes": repo.get("likes", 0),
                          "files": files}
    return repos


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        query = urllib.parse.parse_qs(url.query)
        repos = self.server.repos
        if parts[:2] == ["api", "models"] and len(parts) == 2:
            return self.search(query)
        if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4:6] == ["tree", "main"]:
            return self.tree("/".join(parts[2:4]))
        if len(parts) >= 5 and parts[2:4] == ["resolve", "main"]:
            repo, name = "/".join(parts[0:2]), "/".join(parts[4:])
            if repo not in repos or name not in repos[repo]["files"]:
                return self.send_json(404, {"error": "Entry not found"})
            entry = repos[repo]["files"][name]
            self.send_response(302)
            self.send_header("Location", "/cdn/%s/%s" % (repo, urllib.parse.quote(name)))
            self.send_header("X-Linked-Size", str(len(entry["data"])))
            self.send_header("X-Linked-Etag", '"%s"' % entry["sha256"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if parts[:1] == ["cdn"] and len(parts) >= 4:
            repo, name = "/".join(parts[1:3]), "/".join(parts[3:])
            if repo in repos and name in repos[repo]["files"]:
                return self.send_file(name, repos[repo]["files"][name]["data"])
        return self.send_json(404, {"error": "Repository not found"})

    def search(self, query):
        words = query.get("search", [""])[0].lower()
        found = []
        for repo_id, repo in self.server.repos.items():
            if words in repo_id.lower() and query.get("filter", [""])[0] == "gguf":
                found.append({"_id": hashlib.sha1(repo_id.encode()).hexdigest()[:24],
                              "id": repo_id, "modelId": repo_id, "likes": repo["likes"],
                              "downloads": repo["downloads"], "private": False,
                              "library_name": "gguf", "tags": ["gguf", "text-generation"],
                              "createdAt": "2025-01-15T10:30:00.000Z"})
        found.sort(key=lambda r: -r["downloads"])
        limit = int(query.get("limit", ["1000"])[0])
        return self.send_json(200, found[:limit])

    def tree(self, repo_id):
        repo = self.server.repos.get(repo_id)
        if repo is None:
            return self.send_json(404, {"error": "Repository not found"})
        entries = [{"type": "file", "oid": "0" * 40, "size": 1519, "path": ".gitattributes"}]
        for name, entry in repo["files"].items():
            sha = entry["sha256"]
            if name in self.server.wrong_sha:
                sha = hashlib.sha256(b"not this file").hexdigest()
            size = len(entry["data"])
            entries.append({"type": "file", "oid": entry["oid"], "size": size, "path": name,
                            "lfs": {"oid": sha, "size": size, "pointerSize": 134}})
        return self.send_json(200, entries)

    def send_file(self, name, data):
        start = 0
        rng = self.headers.get("Range")
        with open(self.server.log, "a", encoding="utf-8") as log:
            log.write("%s %s\n" % (name, rng or "-"))
        partial = bool(rng) and not self.server.ignore_range
        if partial:
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        body = data[start:]
        self.send_response(206 if partial else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(body)))
        if partial:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.end_headers()
        limit = len(body)
        drop = self.server.drop_after is not None and not rng
        if drop:
            limit = min(limit, self.server.drop_after)
        for offset in range(0, limit, 4096):
            try:
                self.wfile.write(body[offset:min(offset + 4096, limit)])
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            if self.server.slow_ms:
                time.sleep(self.server.slow_ms / 1000)
        if drop:
            self.close_connection = True
            self.connection.shutdown(2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, help="the repository root")
    parser.add_argument("--repos", required=True, help="hub_repos.json")
    parser.add_argument("--log", required=True, help="file requests are appended here")
    parser.add_argument("--drop-after", type=int, help="a request without Range ends after N bytes")
    parser.add_argument("--slow-ms", type=int, default=0, help="pause after each 4 KiB")
    parser.add_argument("--wrong-sha", action="append", default=[], help="a file listed wrongly")
    parser.add_argument("--ignore-range", action="store_true")
    args = parser.parse_args()
    socketserver.TCPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.repos = load_repos(args.repos, args.root)
    server.log = args.log
    server.drop_after = args.drop_after
    server.slow_ms = args.slow_ms
    server.wrong_sha = set(args.wrong_sha)
    server.ignore_range = args.ignore_range
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

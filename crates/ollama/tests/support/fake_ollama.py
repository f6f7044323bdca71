#!/usr/bin/env python3
"""A fake Ollama server for the axios-ollama tests (standard library only).

It follows Ollama's documented HTTP API (docs/api.md, docs/openai.md) and the
behaviour in axiOS's DOMAIN-FACTS: streaming /api/pull NDJSON with digest,
total and completed; a mid-stream {"error": ...} line under HTTP 200; 404 for a
model that is not pulled; 400 when generate/chat is asked of an embedding
model; 503 when the queue is full; /api/ps, /api/show (capabilities),
/api/tags, /api/version, HEAD /; 403 unless the Host header is loopback,
private, localhost or ends in .local/.internal/.localhost; the OpenAI-style
/v1/ endpoints with SSE streaming.

Faults on demand (flags): --late S (bind only after S seconds), --fail-pull
MODEL=N (the first N pulls of MODEL break mid-stream), --http-fail-pull MODEL=N
(the first N pulls answer 500), --pull-seconds MODEL=S (a slow pull),
--max-queue N (more concurrent generate/chat/embed requests get 503), --old-show
(/api/show without `capabilities`, as older Ollama).
Requests may slow streaming down with options.fake_tokens / options.fake_delay.

/_fake/stats reports pull counts and the headers of every request received,
so tests can check what a proxy forwarded.
"""

import argparse
import hashlib
import ipaddress
import json
import re
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIBRARY = {
    # name:tag -> capabilities, size in bytes of the model layer
    "qwen3:4b": (["completion", "tools", "thinking"], 2_500_000),
    "qwen3:8b": (["completion", "tools", "thinking"], 5_200_000),
    "qwen3:14b": (["completion", "tools", "thinking"], 9_300_000),
    "llama3.2:1b": (["completion", "tools"], 1_300_000),
    "llama3.2:latest": (["completion", "tools"], 2_000_000),
    "nomic-embed-text:latest": (["embedding"], 270_000),
    "all-minilm:latest": (["embedding"], 45_000),
}

LOCK = threading.Lock()
STATE = {
    "installed": {},      # canonical name -> modified_at
    "loaded": {},         # canonical name -> (expires_at, num_ctx)
    "pulls": {},          # canonical name -> attempts
    "partial": {},        # canonical name -> bytes already downloaded (pulls resume)
    "requests": [],       # [{method, path, headers}]
    "inflight": 0,
}
ARGS = None


def canonical(name):
    name = (name or "").strip()
    if not name:
        return ""
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        name += ":latest"
    return name.lower()


def now():
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def digest(name, i):
    return "sha256:" + hashlib.sha256(f"{name}/{i}".encode()).hexdigest()


def host_allowed(host):
    if host is None:
        return True
    h = host.strip()
    if h.startswith("["):
        h = h[1:].split("]", 1)[0]
    elif h.count(":") == 1:
        h = h.split(":", 1)[0]
    h = h.lower()
    if h in ("", "localhost") or h.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_unspecified


def counted(spec):
    out = {}
    for item in spec or []:
        k, _, v = item.partition("=")
        out[canonical(k)] = float(v) if "." in v else int(v)
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-ollama"

    def log_message(self, *a):  # quiet
        pass

    # -- plumbing -----------------------------------------------------------
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def send_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def error(self, status, msg):
        self.send_json(status, {"error": msg})

    def start_stream(self, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def line(self, obj):
        self.chunk(json.dumps(obj) + "\n")

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def installed(self, name):
        with LOCK:
            return canonical(name) in STATE["installed"]

    # -- dispatch -----------------------------------------------------------
    def handle_any(self):
        with LOCK:
            STATE["requests"].append({
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            })
            del STATE["requests"][:-500]
        path = self.path.split("?", 1)[0]
        if path == "/_fake/stats":
            with LOCK:
                return self.send_json(200, {
                    "pulls": STATE["pulls"],
                    "requests": STATE["requests"],
                    "installed": sorted(STATE["installed"]),
                    "loaded": sorted(STATE["loaded"]),
                })
        if not host_allowed(self.headers.get("Host")):
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path == "/" and self.command in ("GET", "HEAD"):
            data = b"Ollama is running"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(data)
            return
        routes = {
            ("GET", "/api/version"): lambda b: self.send_json(200, {"version": "0.12.3"}),
            ("GET", "/api/tags"): self.tags,
            ("GET", "/api/ps"): self.ps,
            ("POST", "/api/show"): self.show,
            ("POST", "/api/pull"): self.pull,
            ("POST", "/api/generate"): self.generate,
            ("POST", "/api/chat"): self.chat,
            ("POST", "/api/embed"): self.embed,
            ("DELETE", "/api/delete"): self.delete,
            ("POST", "/api/copy"): self.copy,
            ("POST", "/api/create"): lambda b: self.send_json(200, {"status": "success"}),
            ("POST", "/api/push"): lambda b: self.send_json(200, {"status": "success"}),
            ("GET", "/v1/models"): self.v1_models,
            ("POST", "/v1/chat/completions"): self.v1_chat,
            ("POST", "/v1/completions"): self.v1_completions,
            ("POST", "/v1/embeddings"): self.v1_embeddings,
        }
        handler = routes.get((self.command, path))
        if handler is None and path.startswith("/api/blobs/") and self.command in ("HEAD", "POST"):
            handler = lambda b: self.send_json(200 if self.command == "HEAD" else 201, {})
        if handler is None and path.startswith("/v1/models/") and self.command == "GET":
            handler = lambda b: self.v1_model(path[len("/v1/models/"):])
        if handler is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "18")
            self.end_headers()
            self.wfile.write(b"404 page not found")
            return
        b = self.body() if self.command in ("POST", "DELETE") else {}
        if b is None:
            return self.error(400, "invalid character in JSON body")
        try:
            handler(b)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = handle_any

    # -- model store --------------------------------------------------------
    def tags(self, _):
        with LOCK:
            models = [{
                "name": n, "model": n, "modified_at": m,
                "size": LIBRARY.get(n, ([], 1000))[1], "digest": digest(n, 0)[7:],
                "details": {"format": "gguf", "family": n.split(":")[0]},
            } for n, m in sorted(STATE["installed"].items())]
        self.send_json(200, {"models": models})

    def ps(self, _):
        with LOCK:
            t = datetime.now(timezone.utc)
            for n, (exp, _) in list(STATE["loaded"].items()):
                if exp is not None and exp < t:
                    del STATE["loaded"][n]
            models = [{
                "name": n, "model": n, "size": LIBRARY.get(n, ([], 1000))[1],
                "digest": digest(n, 0)[7:], "size_vram": 0,
                "expires_at": (exp or t + timedelta(days=3650)).isoformat(),
                "context_length": ctx,
            } for n, (exp, ctx) in sorted(STATE["loaded"].items())]
        self.send_json(200, {"models": models})

    def show(self, b):
        name = b.get("model") or b.get("name")
        if not self.installed(name):
            return self.error(404, f"model '{name}' not found")
        caps = LIBRARY.get(canonical(name), (["completion"], 0))[0]
        doc = {
            "modelfile": "", "parameters": "", "template": "{{ .Prompt }}",
            "details": {"format": "gguf"}, "model_info": {}, "capabilities": caps,
            "modified_at": now(),
        }
        if ARGS.old_show:  # Ollama before capabilities were reported
            del doc["capabilities"]
        self.send_json(200, doc)

    def pull(self, b):
        name = b.get("model") or b.get("name") or ""
        c = canonical(name)
        stream = b.get("stream", True)
        with LOCK:
            attempt = STATE["pulls"].get(c, 0) + 1
            STATE["pulls"][c] = attempt
        if attempt <= ARGS.http_fail_pull.get(c, 0):
            return self.error(500, "registry unavailable")
        if not stream:
            if c not in LIBRARY:
                return self.error(500, "pull model manifest: file does not exist")
            time.sleep(ARGS.pull_seconds.get(c, ARGS.default_pull_seconds))
            with LOCK:
                STATE["installed"][c] = now()
            return self.send_json(200, {"status": "success"})
        self.start_stream("application/x-ndjson")
        self.line({"status": "pulling manifest"})
        if c not in LIBRARY:
            self.line({"error": "pull model manifest: file does not exist"})
            return self.end_stream()
        size = LIBRARY[c][1]
        layers = [(digest(c, 1), size), (digest(c, 2), 1024)]
        seconds = ARGS.pull_seconds.get(c, ARGS.default_pull_seconds)
        steps = 10
        fail = attempt <= ARGS.fail_pull.get(c, 0)
        with LOCK:
            done_before = STATE["partial"].get(c, 0)
        for i, (d, total) in enumerate(layers):
            completed = min(done_before, total) if i == 0 else 0
            self.line({"status": f"pulling {d[7:19]}", "digest": d, "total": total, "completed": completed})
            for s in range(1, steps + 1):
                time.sleep(seconds / (steps * len(layers)))
                completed = max(completed, total * s // steps)
                self.line({"status": f"pulling {d[7:19]}", "digest": d, "total": total, "completed": completed})
                if fail and i == 0 and s == steps // 2:
                    with LOCK:
                        STATE["partial"][c] = completed
                    self.line({"error": "max retries exceeded: EOF"})
                    return self.end_stream()
        self.line({"status": "verifying sha256 digest"})
        self.line({"status": "writing manifest"})
        with LOCK:
            STATE["installed"][c] = now()
            STATE["partial"].pop(c, None)
        self.line({"status": "success"})
        self.end_stream()

    def delete(self, b):
        c = canonical(b.get("model") or b.get("name"))
        with LOCK:
            if c not in STATE["installed"]:
                return self.error(404, f"model '{c}' not found")
            del STATE["installed"][c]
            STATE["loaded"].pop(c, None)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def copy(self, b):
        src, dst = canonical(b.get("source")), canonical(b.get("destination"))
        with LOCK:
            if src not in STATE["installed"]:
                return self.error(404, f"model '{src}' not found")
            STATE["installed"][dst] = now()
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- inference ----------------------------------------------------------
    def admit(self, name, need):
        """Common checks; returns the canonical name or None after answering."""
        c = canonical(name)
        if not c:
            self.error(400, "model is required")
            return None
        if not self.installed(c):
            self.error(404, f"model \"{name}\" not found, try pulling it first")
            return None
        caps = LIBRARY.get(c, (["completion"], 0))[0]
        if need not in caps:
            verb = {"completion": "generate", "embedding": "embedding"}[need]
            self.error(400, f"\"{name}\" does not support {verb}")
            return None
        with LOCK:
            if STATE["inflight"] >= ARGS.max_queue:
                full = True
            else:
                full = False
                STATE["inflight"] += 1
        if full:
            self.error(503, "server busy, please try again.  maximum pending requests exceeded")
            return None
        return c

    def release(self):
        with LOCK:
            STATE["inflight"] -= 1

    def load(self, c, b):
        ka = b.get("keep_alive", "5m")
        ctx = (b.get("options") or {}).get("num_ctx", 4096)
        t = datetime.now(timezone.utc)
        if isinstance(ka, (int, float)):
            secs = ka
        else:
            m = re.fullmatch(r"(-?\d+)(ms|s|m|h)?", str(ka))
            mult = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}
            secs = int(m.group(1)) * mult[m.group(2)] if m else 300
        with LOCK:
            if secs == 0:
                STATE["loaded"].pop(c, None)
            else:
                STATE["loaded"][c] = (None if secs < 0 else t + timedelta(seconds=secs), ctx)

    def tokens(self, b):
        o = b.get("options") or {}
        return int(o.get("fake_tokens", 3)), float(o.get("fake_delay", 0))

    def generate(self, b):
        name = b.get("model")
        c = self.admit(name, "completion")
        if c is None:
            return
        try:
            self.load(c, b)
            if not b.get("prompt"):
                done_reason = "unload" if b.get("keep_alive") in (0, "0") else "load"
                return self.send_json(200, {"model": name, "created_at": now(), "response": "",
                                            "done": True, "done_reason": done_reason})
            n, delay = self.tokens(b)
            words = [f"tok{i} " for i in range(n)]
            if not b.get("stream", True):
                return self.send_json(200, {"model": name, "created_at": now(), "response": "".join(words),
                                            "done": True, "done_reason": "stop", "eval_count": n})
            self.start_stream("application/x-ndjson")
            for w in words:
                self.line({"model": name, "created_at": now(), "response": w, "done": False})
                time.sleep(delay)
            self.line({"model": name, "created_at": now(), "response": "", "done": True,
                       "done_reason": "stop", "eval_count": n})
            self.end_stream()
        finally:
            self.release()

    def chat(self, b):
        name = b.get("model")
        c = self.admit(name, "completion")
        if c is None:
            return
        try:
            self.load(c, b)
            n, delay = self.tokens(b)
            words = [f"tok{i} " for i in range(n)]
            msg = lambda t: {"role": "assistant", "content": t}
            if not b.get("stream", True):
                return self.send_json(200, {"model": name, "created_at": now(), "message": msg("".join(words)),
                                            "done": True, "done_reason": "stop"})
            self.start_stream("application/x-ndjson")
            for w in words:
                self.line({"model": name, "created_at": now(), "message": msg(w), "done": False})
                time.sleep(delay)
            self.line({"model": name, "created_at": now(), "message": msg(""), "done": True, "done_reason": "stop"})
            self.end_stream()
        finally:
            self.release()

    def embed(self, b):
        name = b.get("model")
        c = self.admit(name, "embedding")
        if c is None:
            return
        try:
            self.load(c, b)
            inp = b.get("input", [])
            inputs = [inp] if isinstance(inp, str) else list(inp)
            self.send_json(200, {"model": name, "embeddings": [[0.1, 0.2, 0.3] for _ in inputs]})
        finally:
            self.release()

    # -- OpenAI compatibility ----------------------------------------------
    def v1_models(self, _):
        with LOCK:
            data = [{"id": n, "object": "model", "created": 0, "owned_by": "library"}
                    for n in sorted(STATE["installed"])]
        self.send_json(200, {"object": "list", "data": data})

    def v1_model(self, name):
        if not self.installed(name):
            return self.send_json(404, {"error": {"message": f"model \"{name}\" not found", "type": "api_error"}})
        self.send_json(200, {"id": name, "object": "model", "created": 0, "owned_by": "library"})

    def v1_chat(self, b):
        self.v1_text(b, "chat.completion", lambda w: {"delta": {"role": "assistant", "content": w}},
                     lambda t: {"message": {"role": "assistant", "content": t}})

    def v1_completions(self, b):
        self.v1_text(b, "text_completion", lambda w: {"text": w}, lambda t: {"text": t})

    def v1_text(self, b, obj, delta, final):
        name = b.get("model")
        if not self.installed(name):
            return self.send_json(404, {"error": {"message": f"model \"{name}\" not found, try pulling it first",
                                                  "type": "api_error"}})
        c = self.admit(name, "completion")
        if c is None:
            return
        try:
            n, delay = self.tokens(b)
            words = [f"tok{i} " for i in range(n)]
            if not b.get("stream"):
                choice = {"index": 0, "finish_reason": "stop"}
                choice.update(final("".join(words)))
                return self.send_json(200, {"id": "chatcmpl-1", "object": obj, "created": 0, "model": name,
                                            "choices": [choice]})
            self.start_stream("text/event-stream")
            for w in words:
                choice = {"index": 0, "finish_reason": None}
                choice.update(delta(w))
                ev = {"id": "chatcmpl-1", "object": obj + ".chunk", "created": 0, "model": name, "choices": [choice]}
                self.chunk("data: " + json.dumps(ev) + "\n\n")
                time.sleep(delay)
            self.chunk("data: [DONE]\n\n")
            self.end_stream()
        finally:
            self.release()

    def v1_embeddings(self, b):
        name = b.get("model")
        c = self.admit(name, "embedding")
        if c is None:
            return
        try:
            self.send_json(200, {"object": "list", "model": name,
                                 "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}]})
        finally:
            self.release()


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--have", action="append", default=[], help="models already pulled")
    p.add_argument("--late", type=float, default=0.0)
    p.add_argument("--fail-pull", action="append", default=[])
    p.add_argument("--http-fail-pull", action="append", default=[])
    p.add_argument("--pull-seconds", action="append", default=[])
    p.add_argument("--default-pull-seconds", type=float, default=0.2)
    p.add_argument("--max-queue", type=int, default=512)
    p.add_argument("--old-show", action="store_true", help="/api/show without capabilities")
    ARGS = p.parse_args()
    ARGS.fail_pull = counted(ARGS.fail_pull)
    ARGS.http_fail_pull = counted(ARGS.http_fail_pull)
    ARGS.pull_seconds = {k: float(v) for k, v in counted(ARGS.pull_seconds).items()}
    for m in ARGS.have:
        STATE["installed"][canonical(m)] = now()
    if ARGS.late:
        time.sleep(ARGS.late)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 1024
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    print(f"PORT {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())

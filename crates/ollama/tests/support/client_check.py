#!/usr/bin/env python3
"""Drive the official Ollama Python client through the axios-ollama proxy.

Usage: client_check.py BASE_URL  (OLLAMA_API_KEY holds the bearer token)
Prints one JSON object with what each call returned or raised.
"""
import json
import os
import sys

import ollama

base = sys.argv[1]
out = {}
# CLIENT_CONNECTION_CLOSE=1: one connection per call (see python_client.rs: Caddy and
# keep-alive streaming POSTs)
extra = {"Connection": "close"} if os.environ.get("CLIENT_CONNECTION_CLOSE") else {}
client = ollama.Client(host=base, headers=dict(extra))  # sends Authorization: Bearer $OLLAMA_API_KEY


def err(e):
    return {"status": getattr(e, "status_code", None), "error": str(getattr(e, "error", e))}


out["list"] = sorted(m.model for m in client.list().models)
out["chat"] = [c.message.content for c in client.chat(
    model="qwen3:4b", messages=[{"role": "user", "content": "hi"}], stream=True)]
out["generate"] = [c.response for c in client.generate(model="qwen3:4b", prompt="hi", stream=True)]
out["embed"] = len(client.embed(model="nomic-embed-text", input=["a", "b"]).embeddings)
try:
    client.generate(model="nomic-embed-text", prompt="hi")
    out["generate_embedding"] = "no error"
except ollama.ResponseError as e:
    out["generate_embedding"] = err(e)
for name, call in [
    ("pull", lambda: client.pull("llama3.2:1b")),
    ("pull_stream", lambda: list(client.pull("llama3.2:1b", stream=True))),
    ("delete", lambda: client.delete("qwen3:4b")),
    ("copy", lambda: client.copy("qwen3:4b", "mine:1")),
    ("create", lambda: client.create(model="mine:2", from_="qwen3:4b")),
]:
    try:
        call()
        out[name] = "no error"
    except ollama.ResponseError as e:
        out[name] = err(e)
try:
    ollama.Client(host=base, headers={"Authorization": "Bearer wrong", **extra}).list()
    out["wrong_token"] = "no error"
except ollama.ResponseError as e:
    out["wrong_token"] = err(e)
print(json.dumps(out))

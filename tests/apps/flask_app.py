"""A small Flask app wrapped in specbuild's WSGIRecorder (records to $SPECBUILD_RECORD_TO), for
tests/test_record.py: served by waitress, driven by httpx."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator

from flask import Flask, Response, jsonify, request

from specbuild.record import WSGIRecorder
from tests.apps.session import ITEMS, PNG, big_listing

app = Flask(__name__)


@app.get("/items")
def items() -> Response:
    return jsonify(ITEMS[:int(request.args.get("limit", "10"))])


@app.get("/items/<item_id>")
def item(item_id: str) -> tuple[Response, int]:
    found = next((i for i in ITEMS if i["id"] == item_id), None)
    return (jsonify(found), 200) if found else (jsonify({"error": "no such item"}), 404)


@app.post("/items")
def create() -> tuple[Response, int]:
    return jsonify({"id": "a1b2c3d4-0000-4000-8000-00000000000f", **(request.get_json() or {})}), 201


@app.post("/login")
def login() -> Response:
    return jsonify({"user": request.form["user"], "token": "tok-" + request.form["user"]})


@app.get("/items/<item_id>/picture")
def picture(item_id: str) -> Response:
    return Response(PNG, mimetype="image/png")


@app.get("/listing")
def listing() -> Response:
    body = gzip.compress(json.dumps(big_listing()).encode())
    return Response(body, mimetype="application/json", headers={"Content-Encoding": "gzip"})


@app.get("/stream")
def stream() -> Response:
    def chunks() -> Iterator[bytes]:
        yield b"["
        for n in range(3):
            yield (b"," if n else b"") + b'{"n": %d}' % n
        yield b"]"
    return Response(chunks(), mimetype="application/json")


if os.environ.get("SPECBUILD_RECORD_TO"):  # recorded by the middleware, or plain (an upstream for `specbuild record`)
    app.wsgi_app = WSGIRecorder(app.wsgi_app, to=os.environ["SPECBUILD_RECORD_TO"])  # type: ignore[method-assign]

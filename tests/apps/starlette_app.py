"""A small Starlette app wrapped in specbuild's ASGIRecorder (records to $SPECBUILD_RECORD_TO), for
tests/test_record.py: served by uvicorn, driven by httpx."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from specbuild.record import ASGIRecorder
from tests.apps.session import ITEMS, PNG, big_listing


async def items(request: Request) -> Response:
    limit = int(request.query_params.get("limit", "10"))
    return JSONResponse(ITEMS[:limit])


async def item(request: Request) -> Response:
    found = next((i for i in ITEMS if i["id"] == request.path_params["item_id"]), None)
    if found is None:
        return JSONResponse({"error": "no such item"}, status_code=404)
    return JSONResponse(found)


async def create(request: Request) -> Response:
    body = await request.json()
    return JSONResponse({"id": "a1b2c3d4-0000-4000-8000-00000000000f", **body}, status_code=201)


async def login(request: Request) -> Response:
    form = dict(parse_qsl((await request.body()).decode()))  # request.form() would need python-multipart
    return JSONResponse({"user": form["user"], "token": "tok-" + form["user"]})


async def picture(request: Request) -> Response:
    return Response(PNG, media_type="image/png")


async def listing(request: Request) -> Response:
    return JSONResponse(big_listing())  # over 500 bytes: GZipMiddleware compresses it


async def stream(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"["
        for n in range(3):
            yield (b"," if n else b"") + b'{"n": %d}' % n
            await asyncio.sleep(0)
        yield b"]"
    return StreamingResponse(chunks(), media_type="application/json")


routes = [Route("/items", items), Route("/items", create, methods=["POST"]), Route("/items/{item_id}", item),
          Route("/login", login, methods=["POST"]), Route("/items/{item_id}/picture", picture),
          Route("/listing", listing), Route("/stream", stream)]
inner = Starlette(routes=routes)
inner.add_middleware(GZipMiddleware, minimum_size=500)
# recorded by the middleware, or served plain (an upstream for `specbuild record`)
app = ASGIRecorder(inner, to=os.environ["SPECBUILD_RECORD_TO"]) if os.environ.get("SPECBUILD_RECORD_TO") else inner

"""A request body larger than the limit is refused with HTTP 413 before anyone reads it whole.

A 100 MB body was accepted (19 s, +300 MB) before the GraphQL layer could refuse anything.
Plain ASGI, so that the limit holds whether the client sends Content-Length or chunks.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http_protocol import HTTP_CODES, JSON, content_type, error_body, negotiate


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:  # read it all here (at most max_bytes), then hand it on as one message
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        """413 as a GraphQL error body, in the media type the caller accepts."""
        message = f"Request body larger than {self.max_bytes} bytes"
        text = error_body(message, HTTP_CODES[413])
        accept = dict(scope.get("headers") or []).get(b"accept")
        media = negotiate(None if accept is None else accept.decode("latin-1")) or JSON
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type(media).encode()),
                    (b"content-length", str(len(text)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": text})

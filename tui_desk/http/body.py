"""Bounded reading of a streamed answer: the size cap and a gzip/zlib inflater that decodes in pieces."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

import httpx

MAX_BODY_BYTES = 32 * 1024 * 1024  # decoded bytes of one answer; more is refused (an endless body, a gzip bomb)
INFLATE_PIECE = 1024 * 1024  # the most one step of decompression may produce


class BodyTooLarge(Exception):
    """An answer declared or decoded to more bytes than the session accepts."""


BODY_HEADERS = ("content-encoding", "content-length", "transfer-encoding")  # describe the body before decoding


class _Inflater:
    """Decompresses a gzip or zlib body in pieces of at most INFLATE_PIECE bytes, however well it compresses."""

    def __init__(self) -> None:
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or a zlib header, detected

    def __call__(self, data: bytes) -> Iterator[bytes]:
        while not self._z.eof:  # anything after the end of the stream is ignored, as httpx does
            try:
                piece = self._z.decompress(data, INFLATE_PIECE)
            except zlib.error as exc:
                raise httpx.DecodingError(f"bad compressed body ({exc})") from None
            yield piece
            data = self._z.unconsumed_tail
            if not data and len(piece) < INFLATE_PIECE:
                return


def _body_decoder(encoding: str) -> Callable[[bytes], Iterable[bytes]]:
    """How to decode a body sent with ``Content-Encoding: encoding`` (only one layer of gzip or deflate)."""
    layers = [part.strip().lower() for part in encoding.split(",")]
    layers = [part for part in layers if part in ("gzip", "x-gzip", "deflate")]  # others pass through, as in httpx
    if not layers:
        return lambda data: (data,)
    if len(layers) > 1:
        raise httpx.DecodingError("more than one layer of compression")
    return _Inflater()


async def read_body(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """The decoded body of a streamed ``response``; raises BodyTooLarge past ``limit`` bytes, declared or decoded."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isascii() and declared.isdigit() and (len(declared) > 15 or int(declared) > limit):
        raise BodyTooLarge
    try:
        held = response.content  # a transport that answered from memory (MockTransport, the in-process demo)
    except httpx.ResponseNotRead:
        pass
    else:
        if len(held) > limit:
            raise BodyTooLarge
        return held
    decode = _body_decoder(response.headers.get("Content-Encoding", ""))
    body = bytearray()
    async for chunk in response.aiter_raw():
        for piece in decode(chunk):
            body += piece
            if len(body) > limit:
                raise BodyTooLarge
    return bytes(body)

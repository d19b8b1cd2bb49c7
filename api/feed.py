"""The change feed behind the `changesets` subscription: one poller per server watches the
graph's version (a load or an apply by another process raises it as much as a change event
here) and hands each new changeset to every subscriber's queue.

One version read every POLL_S for the whole server, whatever the number of subscribers; a
subscriber that falls MAX_QUEUED behind is ended (it resubscribes with `since` and catches
up from the store).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import suppress

from graph.domain.changes import ChangesetRecord
from graph.stores.contract import Store

log = logging.getLogger("taiqu.feed")

POLL_S = 0.2
MAX_QUEUED = 1_000
BATCH = 100


class FellBehind(Exception):
    """The subscriber did not keep up; it should resubscribe with `since`."""


class ChangeFeed:
    def __init__(self, store: Store, poll_s: float = POLL_S) -> None:
        self._store = store
        self._poll_s = poll_s
        self._queues: set[asyncio.Queue[ChangesetRecord | None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._seen = -1  # the last version handed on; -1: not read yet
        self._starting = asyncio.Lock()

    async def follow(self, since: int | None) -> AsyncIterator[ChangesetRecord]:
        """The changesets after version `since` (None: from now on), oldest first, then each
        new one as it is written, until the subscriber goes away."""
        queue: asyncio.Queue[ChangesetRecord | None] = asyncio.Queue(MAX_QUEUED)
        async with self._starting:  # the poller's starting version, read once
            if self._seen < 0:
                self._seen = await asyncio.to_thread(self._store.version)
            self._queues.add(queue)  # before catching up: nothing written meanwhile is missed
            self._start()
            now = self._seen
        try:
            last = now if since is None else since
            if since is not None:
                while True:  # catch up from the store, page by page
                    batch = await asyncio.to_thread(self._store.changesets_since, last, BATCH)
                    for record in batch:
                        last = record.graph_version
                        yield record
                    if len(batch) < BATCH:
                        break
            while True:
                new = await queue.get()
                if new is None:
                    raise FellBehind("the subscriber fell behind: subscribe again with since")
                if new.graph_version > last:
                    last = new.graph_version
                    yield new
        finally:
            self._queues.discard(queue)
            if not self._queues:
                await self._stop()

    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())

    async def _stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        self._seen = -1

    async def _poll(self) -> None:
        while True:
            try:
                await self._hand_on_new()
            except asyncio.CancelledError:
                raise
            except Exception:  # a store fault: try again next round
                log.exception("the change feed could not read the store")
            await asyncio.sleep(self._poll_s)

    async def _hand_on_new(self) -> None:
        version = await asyncio.to_thread(self._store.version)
        while version > self._seen:
            batch = await asyncio.to_thread(self._store.changesets_since, self._seen, BATCH)
            if not batch:
                return
            for record in batch:
                self._seen = record.graph_version
                for queue in list(self._queues):
                    if queue.full():
                        queue.get_nowait()  # room for the marker: the subscriber ends
                        queue.put_nowait(None)
                        self._queues.discard(queue)
                    else:
                        queue.put_nowait(record)

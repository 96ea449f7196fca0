"""Slowing down guessing: failed authentication attempts are counted, and past a limit refused unchecked.

Two counts, each over a sliding window of ``WINDOW_SECONDS``:

- per user name (HTTP Basic and the web login form): ``MAX_FAILURES_PER_USER`` wrong passwords for one
  name, from anywhere, and that name is refused for a while. Its API tokens keep working: a token is not
  checked against a user name, so someone guessing a user's password cannot lock their scripts out.
- per client address (every scheme: Basic, Bearer/Token, the login form): ``MAX_FAILURES_PER_CLIENT``
  failures from one address. Higher than the per-user limit because offices share an address behind NAT;
  it stops one address from spraying passwords over many names or guessing tokens. IPv6 clients are
  counted by their /64, which one host usually owns whole.

A refused attempt is answered 429 with ``Retry-After`` before any password or token is checked (no Argon2
work), and is not itself counted. Successes are not counted. Each attempt is counted when it starts and
forgotten if it succeeds, so many concurrent guesses cannot slip past the limit while their checks run.

The counts live in memory, in the application (``app.state``): one count per process. Several worker
processes each keep their own, so the effective limit is multiplied by the number of workers, and a
restart forgets them. Behind a reverse proxy every request comes from the proxy's address unless uvicorn
runs with ``--proxy-headers`` (and ``--forwarded-allow-ips`` naming the proxy).
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WINDOW_SECONDS = 300.0
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 30
# Memory stays bounded whatever an attacker sends: past this many keys the stalest are forgotten.
MAX_KEYS = 50_000


def client_key(host: str) -> str:
    """The key an address is counted under: the address itself, or its /64 for IPv6."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"client:{host[:100]}"
    if address.version == 6:
        ipv6 = ipaddress.IPv6Address(int(address))
        if ipv6.ipv4_mapped is not None:
            return f"client:{ipv6.ipv4_mapped}"
        return f"client:{ipaddress.IPv6Network((int(ipv6), 64), strict=False)}"
    return f"client:{address}"


def user_key(name: str) -> str:
    return f"user:{name.strip().casefold()[:200]}"


@dataclass(frozen=True)
class Attempt:
    """An attempt being checked, counted as a failure until ``LoginThrottle.succeeded`` says otherwise."""

    keys: tuple[str, ...]
    started: float


@dataclass(frozen=True)
class Refusal:
    """An attempt refused unchecked: how long to wait, and whether this refusal is the first of its lock
    (only that one is worth an audit entry: a flood of refusals must not become a flood of writes)."""

    retry_after: int
    first: bool
    key: str


class LoginThrottle:
    """Thread-safe sliding-window counts of failed attempts, per key."""

    def __init__(
        self,
        max_per_user: int = MAX_FAILURES_PER_USER,
        max_per_client: int = MAX_FAILURES_PER_CLIENT,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_per_user = max_per_user
        self.max_per_client = max_per_client
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._announced: set[str] = set()

    def _limit(self, key: str) -> int:
        return self.max_per_user if key.startswith("user:") else self.max_per_client

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        if not times:
            del self._failures[key]
            self._announced.discard(key)
            return None
        return times

    def begin(self, keys: Sequence[str]) -> Attempt | Refusal:
        """Start an attempt under ``keys``: refused if any key is over its limit, else counted."""
        with self._lock:
            now = self._clock()
            for key in keys:
                times = self._recent(key, now)
                if times is not None and len(times) >= self._limit(key):
                    # The oldest failure that keeps the key over its limit leaves the window first.
                    wait = times[len(times) - self._limit(key)] + self.window_seconds - now
                    first = key not in self._announced
                    self._announced.add(key)
                    return Refusal(max(1, math.ceil(wait)), first, key)
            for key in keys:
                times = self._failures.get(key)
                if times is None:
                    times = self._failures[key] = deque()
                times.append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > MAX_KEYS:
                stalest, _ = self._failures.popitem(last=False)
                self._announced.discard(stalest)
        return Attempt(tuple(keys), now)

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt was right after all: it is not a failure."""
        with self._lock:
            for key in attempt.keys:
                times = self._failures.get(key)
                if times is not None:
                    with contextlib.suppress(ValueError):  # already out of the window
                        times.remove(attempt.started)
                    if not times:
                        del self._failures[key]
                        self._announced.discard(key)


_creating = threading.Lock()


def throttle_of(state: Any) -> LoginThrottle:
    """The throttle of an application (``app.state``), made on first use."""
    found = getattr(state, "login_throttle", None)
    if isinstance(found, LoginThrottle):
        return found
    with _creating:
        found = getattr(state, "login_throttle", None)
        if not isinstance(found, LoginThrottle):
            found = LoginThrottle()
            state.login_throttle = found
        return found

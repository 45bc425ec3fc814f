"""The parsed plans a process keeps, by version: many packed small, the most recent ready to use, and the values
many plans hold alike (codes, professionals, organisations) kept once."""

from __future__ import annotations

import dataclasses
import io
import pickle
import threading
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache

from portal.pps.model import CarePlan, Code, HealthProfessional, Organization

#: How many bytes a parsed plan's objects take per byte of its pickle, rounded up: a bound that
#: tests/unit/perf/test_plan_cache.py checks against a walk of every object of every synthetic plan.
OBJECT_BYTES_PER_PICKLED_BYTE = 6
#: One part in this many of the budget holds plans kept as objects; the rest holds the packed plans.
OBJECT_SHARE = 4
#: One part in this many of the budget holds the values plans share (`SharedValues`).
SHARED_SHARE = 8


@dataclass(frozen=True)
class _Ready:
    plan: CarePlan
    bytes: int

    def size(self) -> int:
        return self.bytes


def is_shared(value: object) -> bool:
    """Whether a value goes to the shared table: what many plans of a region hold alike and names no patient. The
    codes of value sets (a code with words of the document's own, `original_text`, stays with its plan), and the
    professionals and organisations of the care team, as the directories publish them. Anything else, a part of
    the model added later included, stays with its plan."""
    if type(value) is Code:
        return value.original_text is None
    return type(value) is HealthProfessional or type(value) is Organization


class SharedValues:
    """Values many plans hold alike, each kept once and named in packed plans by its number. Thread-safe.

    The patients of a platform share their codes and their care teams: a packed plan names them instead of
    holding them, which makes it smaller, and unpacking it makes fewer objects (the shared ones are never
    made again). A value is never forgotten while packed plans may name it: the table is bounded by adding no
    more once full (counted as `OBJECT_BYTES_PER_PICKLED_BYTE` times its own pickle), after which new values
    stay with their plan. It is never emptied: forgetting the plans starts a new table (`KeptPlans.clear`), and a
    plan packed with this one is read with this one only."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._values: list[object] = []
        self._numbers: dict[object, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def number(self, value: object) -> int | None:
        """The number of `value` in the table, added if there is room; None when it is not kept here."""
        number = self._numbers.get(value)
        if number is not None:
            return number
        size = len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) * OBJECT_BYTES_PER_PICKLED_BYTE
        with self._lock:
            number = self._numbers.get(value)
            if number is None and self._bytes + size <= self.max_bytes:
                number = self._numbers[value] = len(self._values)
                self._values.append(value)
                self._bytes += size
            return number

    def value(self, number: int) -> object:
        return self._values[number]

    @property
    def bytes(self) -> int:
        """The bytes counted for the values kept."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._values)


class KeptPlans:
    """Parsed plans by key, within `max_bytes`: a quarter as objects, an eighth for the values they share, the rest
    packed. Thread-safe.

    As objects, a plan takes several times its pickled size: a budget of objects alone holds few plans, and with
    more people than that most first views read their plan from XML again. Packed (pickled, then zlib level 1), the
    same budget holds many times more, and unpacking one costs a fraction of reading it. The last few unpacked
    plans stay as objects, so that the pages of one visit share one. The codes and care teams plans share are kept
    once (`SharedValues`): packed plans name them.

    Every part is bounded in bytes: the packed part exactly (its length), the objects as
    `OBJECT_BYTES_PER_PICKLED_BYTE` times their pickle. Pickles are made and read here only, from plans this process
    parsed itself: nothing from outside is ever unpickled.
    """

    def __init__(self, max_bytes: int) -> None:
        ready_bytes, shared_bytes = max_bytes // OBJECT_SHARE, max_bytes // SHARED_SHARE
        self._ready: LRUCache[Hashable, _Ready] = LRUCache(maxsize=max(ready_bytes, 1), getsizeof=_Ready.size)
        self._packed: LRUCache[Hashable, bytes] = LRUCache(
            maxsize=max(max_bytes - ready_bytes - shared_bytes, 1), getsizeof=len
        )
        self.shared = SharedValues(shared_bytes)
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> CarePlan | None:
        with self._lock:
            ready = self._ready.get(key)
            packed = self._packed.get(key) if ready is None else None  # read: kept as recently used
            shared = self.shared  # the table this packed plan names values of
        if ready is not None:
            return ready.plan
        if packed is None:
            return None
        pickled = zlib.decompress(packed)
        plan: CarePlan = unpack(pickled, shared)
        self._keep_ready(key, plan, len(pickled))
        return plan

    def put(self, key: Hashable, plan: CarePlan) -> None:
        shared = self.shared
        pickled = pack(plan, shared)
        packed = zlib.compress(pickled, 1)
        with self._lock:
            # Packed with a table that `clear` has since replaced: its numbers mean nothing in the new one.
            if shared is self.shared and len(packed) <= self._packed.maxsize:
                self._packed[key] = packed
        self._keep_ready(key, plan, len(pickled))

    def clear(self) -> None:
        with self._lock:
            self._ready.clear()
            self._packed.clear()
            # A new table, never the old one emptied: a plan being packed or unpacked meanwhile keeps its own.
            self.shared = SharedValues(self.shared.max_bytes)

    @property
    def ready_bytes(self) -> int:
        """The bytes counted for the plans kept as objects."""
        with self._lock:
            return int(self._ready.currsize)

    @property
    def packed_bytes(self) -> int:
        with self._lock:
            return int(self._packed.currsize)

    def __len__(self) -> int:
        """How many plans are kept (packed; the ready ones are packed too, unless too big to pack)."""
        with self._lock:
            return len(self._packed.keys() | self._ready.keys())

    def _keep_ready(self, key: Hashable, plan: CarePlan, pickled_bytes: int) -> None:
        ready = _Ready(plan, pickled_bytes * OBJECT_BYTES_PER_PICKLED_BYTE)
        with self._lock:
            if ready.bytes <= self._ready.maxsize:
                self._ready[key] = ready


def pack(plan: CarePlan, shared: SharedValues | None = None) -> bytes:
    """The plan pickled, each slotted dataclass as a function made for its class and its values (read back with
    `unpack`), and each value of `shared` (when given) by its number. The model's classes are frozen dataclasses
    with slots, which Python's own pickling puts back through a `__setstate__` that asks `dataclasses.fields` again
    for every object: several times slower."""
    out = io.BytesIO()
    packer = _Packer(out, protocol=pickle.HIGHEST_PROTOCOL)
    packer.shared = shared
    packer.dump(plan)
    return out.getvalue()


def unpack(pickled: bytes, shared: SharedValues | None = None) -> CarePlan:
    """A plan `pack` made, with the `shared` values it names."""
    unpickler = pickle.Unpickler(io.BytesIO(pickled))  # noqa: S301 (packed by `pack`, from a plan this process parsed)
    if shared is not None:
        unpickler.persistent_load = shared.value  # type: ignore[method-assign]
    plan: CarePlan = unpickler.load()
    return plan


#: For each slotted dataclass packed: the function that puts one back, made for its fields (`_rebuilder`).
_REBUILDERS: dict[type, Callable[..., object] | None] = {}


def _rebuilder(kind: type) -> Callable[..., object] | None:
    """A function `(value, value, …) -> object` that makes a `kind` without `__init__` and sets each slot through
    its descriptor, unrolled (no loop per object): unpacking is most of a first view's plan cost. It is a
    module attribute, so that pickle writes it by name."""
    if kind in _REBUILDERS:
        return _REBUILDERS[kind]
    if not (dataclasses.is_dataclass(kind) and "__slots__" in vars(kind)):
        _REBUILDERS[kind] = None
        return None
    names = [f.name for f in dataclasses.fields(kind)]
    name = f"_rebuild_{kind.__module__.replace('.', '_')}_{kind.__qualname__.replace('.', '_')}"
    scope: dict[str, Any] = {"new": object.__new__, "kind": kind}
    scope.update({f"set_{i}": getattr(kind, field).__set__ for i, field in enumerate(names)})
    arguments = ", ".join(f"v{i}" for i in range(len(names)))
    body = "".join(f"    set_{i}(obj, v{i})\n" for i in range(len(names)))
    exec(f"def {name}({arguments}):\n    obj = new(kind)\n{body}    return obj\n", scope)  # noqa: S102
    made: Callable[..., object] = scope[name]
    made.__module__, made.__qualname__ = __name__, name
    globals()[name] = made
    _REBUILDERS[kind] = made
    return made


class _Packer(pickle.Pickler):
    shared: SharedValues | None = None

    def persistent_id(self, obj: Any) -> int | None:
        if self.shared is None or not is_shared(obj):
            return None
        return self.shared.number(obj)

    def reducer_override(self, obj: Any) -> Any:
        rebuild = _rebuilder(type(obj))
        if rebuild is None:
            return NotImplemented
        return rebuild, tuple(getattr(obj, field.name) for field in dataclasses.fields(obj))

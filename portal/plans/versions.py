"""The version chain of a patient's care plan: which versions exist for this viewer, newest first, and where one is
missing (between the store and `pps` steps, outside `portal.pps`, which knows nothing of the store)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from portal.pps.model import DocumentMetadata
from portal.store.resources import DocumentEntry

__all__ = [
    "ChainProblem",
    "ChainVersion",
    "MissingVersion",
    "VersionChain",
    "VersionInput",
    "build_chain",
    "latest_entry",
]

log = logging.getLogger("portal.plans.versions")


class ChainProblem(StrEnum):
    """What did not add up while chaining versions: logged as codes and counts, never with ids, names or dates;
    never shown."""

    TWO_CURRENT = "two_current"
    METADATA_ONLY_UPDATE = "metadata_only_update"
    MISSING_VERSION = "missing_version"
    BROKEN_LINK = "broken_link"
    CIRCULAR_LINK = "circular_link"
    LINK_DISAGREES = "link_disagrees"
    OTHER_SERIES = "other_series"
    UNREADABLE_VERSION = "unreadable_version"


@dataclass(frozen=True)
class VersionInput:
    """One visible store entry and the header of its document (None when the document could not be read)."""

    entry: DocumentEntry
    metadata: DocumentMetadata | None = None


@dataclass(frozen=True)
class ChainVersion:
    """One version the viewer may see. `aliases` are the ids of metadata-only duplicates folded into it."""

    entry: DocumentEntry
    metadata: DocumentMetadata | None
    is_latest: bool
    aliases: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def number(self) -> int | None:
        """The document's own version number (CDA versionNumber), when it could be read."""
        return self.metadata.version if self.metadata else None

    @property
    def readable(self) -> bool:
        return self.metadata is not None


@dataclass(frozen=True)
class MissingVersion:
    """A version that exists but is not available here. Carries nothing about it, on purpose."""


@dataclass(frozen=True)
class VersionChain:
    """The versions of one care plan, newest first, with markers where a version is not available."""

    entries: tuple[ChainVersion | MissingVersion, ...]
    problems: tuple[ChainProblem, ...] = field(default=())

    @property
    def versions(self) -> tuple[ChainVersion, ...]:
        return tuple(e for e in self.entries if isinstance(e, ChainVersion))

    @property
    def latest(self) -> ChainVersion | None:
        versions = self.versions
        return versions[0] if versions else None

    def find(self, version_id: str) -> ChainVersion | None:
        """The version with this store id (or one of its aliases); None when the viewer has no such version."""
        for version in self.versions:
            if version.id == version_id or version_id in version.aliases:
                return version
        return None

    def previous(self, version: ChainVersion) -> ChainVersion | None:
        """The next older version the viewer may see, or None."""
        versions = self.versions
        index = versions.index(version)
        return versions[index + 1] if index + 1 < len(versions) else None

    def is_older(self, a: ChainVersion, b: ChainVersion) -> bool:
        """Whether `a` comes before `b` in the chain."""
        versions = self.versions
        return versions.index(a) > versions.index(b)


# ----------------------------------------------------------------------------------------------------------


@dataclass
class _Node:
    entry: DocumentEntry
    metadata: DocumentMetadata | None
    aliases: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)

    @property
    def ids(self) -> set[str]:
        return {self.entry.id, *self.aliases}

    @property
    def cda_id(self) -> str | None:
        return str(self.metadata.id) if self.metadata and self.metadata.id else None

    @property
    def cda_parent(self) -> str | None:
        return str(self.metadata.replaces) if self.metadata and self.metadata.replaces else None

    @property
    def version(self) -> int | None:
        return self.metadata.version if self.metadata else None

    @property
    def set_id(self) -> str | None:
        return str(self.metadata.set_id) if self.metadata and self.metadata.set_id else None


def _timestamp(entry: DocumentEntry) -> float:
    return entry.date.timestamp() if entry.date else float("-inf")


def _identity(item: VersionInput) -> set[str]:
    """What identifies the document itself (not the store record): equal tokens mean the same version."""
    tokens = set()
    if item.entry.master_identifier is not None:
        tokens.add("master:" + item.entry.master_identifier.value)
    if item.metadata is not None and item.metadata.id is not None and str(item.metadata.id):
        tokens.add("cda:" + str(item.metadata.id))
    tokens |= {"sha1:" + a.sha1 for a in item.entry.attachments if a.sha1}
    return tokens


def _preferred(a: _Node, b: _Node) -> bool:
    """Whether `a` should represent a version over its duplicate `b`: current first, then newest record."""
    return (a.entry.status == "current", _timestamp(a.entry), a.metadata is not None, a.entry.id) > (
        b.entry.status == "current",
        _timestamp(b.entry),
        b.metadata is not None,
        b.entry.id,
    )


def _merge_duplicates(items: Sequence[VersionInput], problems: list[ChainProblem]) -> list[_Node]:
    nodes: list[_Node] = []
    for item in sorted(items, key=lambda i: i.entry.id):
        node = _Node(item.entry, item.metadata, tokens=_identity(item))
        same = next((n for n in nodes if n.tokens & node.tokens or n.entry.id == node.entry.id), None)
        if same is None:
            nodes.append(node)
            continue
        if same.entry.id != node.entry.id:
            problems.append(ChainProblem.METADATA_ONLY_UPDATE)
        keep, drop = (node, same) if _preferred(node, same) else (same, node)
        keep.aliases = sorted({*keep.aliases, *drop.ids} - {keep.entry.id})
        keep.tokens |= drop.tokens
        keep.metadata = keep.metadata or drop.metadata
        if keep is node:
            nodes[nodes.index(same)] = node
    return nodes


def _order(nodes: list[_Node], problems: list[ChainProblem]) -> list[_Node]:
    """Newest first: by version number when every version has one, else by date; the latest in front."""
    if nodes and all(n.version is not None for n in nodes):
        ordered = sorted(nodes, key=lambda n: (n.version or 0, _timestamp(n.entry), n.entry.id), reverse=True)
    else:
        ordered = sorted(nodes, key=lambda n: (_timestamp(n.entry), n.version or 0, n.entry.id), reverse=True)
    current = [n for n in ordered if n.entry.status == "current"]
    if len(current) > 1:
        problems.append(ChainProblem.TWO_CURRENT)
        # Newest wins; the other current one stays in the list as an older version.
        current.sort(key=lambda n: (_timestamp(n.entry), n.version or 0, n.entry.id), reverse=True)
    if current and ordered[0] is not current[0]:
        ordered.remove(current[0])
        ordered.insert(0, current[0])
    return ordered


def _has_cycle(nodes: Iterable[_Node]) -> bool:
    by_id = {i: n for n in nodes for i in n.ids}
    for start in by_id.values():
        seen: set[int] = set()
        node: _Node | None = start
        while node is not None:
            if id(node) in seen:
                return True
            seen.add(id(node))
            node = next((by_id[t] for t in node.entry.replaces if t in by_id), None)
    return False


def _missing_before(newer: _Node, older: _Node | None, nodes: list[_Node], problems: list[ChainProblem]) -> bool:
    """Whether a version is missing between `newer` and the next available one, `older` (None: the oldest)."""
    known_ids = {i for n in nodes for i in n.ids}
    known_cda = {n.cda_id for n in nodes if n.cda_id}
    targets = newer.entry.replaces
    if targets:
        if not any(t in known_ids for t in targets):
            problems.append(ChainProblem.BROKEN_LINK)
            return True
        if older is not None and not any(t in older.ids for t in targets):
            problems.append(ChainProblem.LINK_DISAGREES)
    parent = newer.cda_parent
    if parent is not None:
        if parent not in known_cda:
            return True
        if older is not None and older.cda_id is not None and older.cda_id != parent:
            problems.append(ChainProblem.LINK_DISAGREES)
    if newer.version is not None:
        if older is not None and older.version is not None:
            return newer.version - older.version > 1
        if older is None:
            return newer.version > 1
    return False


def build_chain(items: Sequence[VersionInput], *, documents_read: bool = True) -> VersionChain:
    """Chain the versions the viewer may see (already filtered by the access step), newest first.

    Pure: each item is a store entry (status current/superseded, relatesTo replaces, masterIdentifier, date) with
    the header of its document when it could be read (setId, versionNumber, RPLC parent id); nothing is fetched.
    `documents_read=False` says no document was read on purpose (store entries alone): not a problem then.
    The real world is tolerated, never trusted:

    - a metadata-only update (same masterIdentifier, same document id or same file) is one version, not two;
    - two "current" entries: the newest wins, the other is an older version (a problem is recorded);
    - a broken or circular `replaces` link changes nothing in the order (dates and version numbers decide);
    - a version the chain points to but that is not among the entries — missing in the store, or hidden from this
      viewer: the two are indistinguishable on purpose — becomes a `MissingVersion` marker with no id at all;
    - the newest version the viewer may see is their "latest" one, whatever its store status says, so that a
      version hidden from them (e.g. until the announcement consultation) is never betrayed by an "older" tag.
    """
    problems: list[ChainProblem] = []
    if documents_read and any(i.metadata is None for i in items):
        problems.append(ChainProblem.UNREADABLE_VERSION)
    nodes = _merge_duplicates(items, problems)
    ordered = _order(nodes, problems)
    if ordered and ordered[0].set_id is not None:
        series = ordered[0].set_id
        kept = [n for n in ordered if n.set_id in (None, series)]
        if len(kept) < len(ordered):
            problems.append(ChainProblem.OTHER_SERIES)
        ordered = nodes = kept
    if _has_cycle(nodes):
        problems.append(ChainProblem.CIRCULAR_LINK)

    entries: list[ChainVersion | MissingVersion] = []
    for index, node in enumerate(ordered):
        entries.append(ChainVersion(node.entry, node.metadata, is_latest=index == 0, aliases=tuple(node.aliases)))
        older = ordered[index + 1] if index + 1 < len(ordered) else None
        if _missing_before(node, older, ordered, problems):
            problems.append(ChainProblem.MISSING_VERSION)
            entries.append(MissingVersion())
    chain = VersionChain(tuple(entries), tuple(dict.fromkeys(problems)))
    if chain.problems:
        log.warning(
            "version chain: %s over %d version(s)", ",".join(p.value for p in chain.problems), len(chain.versions)
        )
    return chain


def latest_entry(entries: Sequence[DocumentEntry]) -> DocumentEntry | None:
    """The version a viewer sees as their latest, from store entries alone (no document read): cheap enough
    for every overview. Same rule as `build_chain`: the newest current one, else the newest they may see."""
    chain = build_chain([VersionInput(e) for e in entries], documents_read=False)
    latest = chain.latest
    return latest.entry if latest else None

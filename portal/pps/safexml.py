"""Hardened XML parsing for the `pps` step: untrusted bytes → the CDA `ClinicalDocument`, or a refusal."""

from __future__ import annotations

import threading

from lxml import etree

from portal.pps.errors import DocumentRefused

__all__ = ["DEFAULT_MAX_BYTES", "HL7_NS", "MAX_DEPTH", "find_clinical_document", "parse_untrusted", "xpath"]

HL7_NS = "urn:hl7-org:v3"
DEFAULT_MAX_BYTES = 5_000_000
# The official PPS example nests about 20 elements deep; 120 leaves room for any sane CDA.
MAX_DEPTH = 120

_CLINICAL_DOCUMENT = f"{{{HL7_NS}}}ClinicalDocument"
# A DOCTYPE is how DTDs and entities (external files, expansion bombs) get in: refuse it in any encoding. Every
# wide encoding of these ASCII markers holds NUL bytes, so a file without any is searched for the narrow ones only
# (each search reads the whole file).
_NARROW_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_WIDE_MARKERS = tuple(
    "<!DOCTYPE".encode(encoding) for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
) + tuple("<!ENTITY".encode(encoding) for encoding in ("utf-16-le", "utf-16-be"))
_TOO_DEEP = "boolean(/" + "/".join(["*"] * (MAX_DEPTH + 1)) + ")"
_FIND_ANY_CLINICAL_DOCUMENT = "//*[local-name()='ClinicalDocument']"

# lxml parsers (and, to be safe, compiled XPath expressions) are not shared between threads: one set per
# thread, built once.
_local = threading.local()


def xpath(expression: str) -> etree.XPath:
    """A compiled XPath expression, compiled once per thread."""
    cache: dict[str, etree.XPath] | None = getattr(_local, "xpaths", None)
    if cache is None:
        cache = {}
        _local.xpaths = cache
    compiled = cache.get(expression)
    if compiled is None:
        compiled = cache[expression] = etree.XPath(expression)
    return compiled


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_untrusted(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes safely and return the root element; raise DocumentRefused with a reason.

    Nothing in a document may make the reader fetch a URL, read a local file, expand entities or run long: the size
    is checked before parsing, any DOCTYPE is refused outright (so no DTD, no entity at all), and the parser has
    entity resolution, DTD loading and network off and keeps libxml2's default limits (huge_tree off).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise DocumentRefused("not bytes: the reader takes the raw file content")
    size = len(data)
    if size > max_bytes:
        raise DocumentRefused(f"too large: {size} bytes, the limit is {max_bytes}")
    raw = bytes(data)
    if not raw.strip():
        raise DocumentRefused("empty file")
    if _declares_doctype(raw):
        raise DocumentRefused("a DOCTYPE or entity declaration is present: DTDs and entities are refused")
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "unreadable"
        if "depth" in message.lower():
            raise DocumentRefused("nested too deeply to be a CDA document") from None
        raise DocumentRefused(f"malformed XML: {message}") from None
    except (ValueError, etree.LxmlError) as exc:
        raise DocumentRefused(f"malformed XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    # lxml-stubs do not know DocInfo.doctype; it is there at run time.
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None:
        raise DocumentRefused("a DOCTYPE is present: DTDs and entities are refused")
    if xpath(_TOO_DEEP)(root):
        raise DocumentRefused("nested too deeply to be a CDA document")
    return root


def _declares_doctype(raw: bytes) -> bool:
    if any(marker in raw for marker in _NARROW_MARKERS):
        return True
    return b"\x00" in raw and any(marker in raw for marker in _WIDE_MARKERS)


def find_clinical_document(root: etree._Element) -> etree._Element:
    """The `ClinicalDocument` element in the HL7 v3 namespace, wherever it is.

    An autoprésentable file nests it under an XSL stylesheet. DocumentRefused when absent or in another
    namespace.
    """
    if root.tag == _CLINICAL_DOCUMENT:
        return root
    for element in root.iter(_CLINICAL_DOCUMENT):
        return element
    if isinstance(root.tag, str):
        others = xpath(_FIND_ANY_CLINICAL_DOCUMENT)(root)
        if isinstance(others, list) and others:
            first = others[0]
            namespace = etree.QName(first).namespace if isinstance(first, etree._Element) else None
            where = f"namespace {namespace!r}" if namespace else "no namespace"
            raise DocumentRefused(f"wrong namespace: ClinicalDocument is in {where}, expected {HL7_NS!r}")
    name = etree.QName(root).localname if isinstance(root.tag, str) else "?"
    raise DocumentRefused(f"not a CDA document: no ClinicalDocument element (root element is {name!r})")

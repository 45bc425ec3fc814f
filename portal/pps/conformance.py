"""The official ANS conformance rules (ISO Schematron, XSLT 2) run on a CDA document, for `portal check` and tests."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from portal.pps.safexml import DEFAULT_MAX_BYTES, parse_untrusted

__all__ = [
    "CONTENT_MODELS",
    "MODEL_SCHEMAS",
    "FailedAssert",
    "SchematronError",
    "Schematrons",
    "find_reference",
]

#: The schema of each document model, by the model's short name (as `portal.pps.kind.DocumentKind` values).
MODEL_SCHEMAS = {
    "pps": "CI-SIS_CANCER-PPS_2022.01.sch",
    "frcp": "CI-SIS_CANCER-FRCP_2022.01.sch",
}
#: The content models: every section and entry template of the CI-SIS, whatever the document.
CONTENT_MODELS = "profils/CI-SIS_ModelesDeContenusCDA.sch"

_SKELETON = ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_SVRL_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_INSTALL_HINT = "the official rules need the saxonche package (SaxonC-HE): pip install 'pps-portal[conformance]'"

# One Saxon processor per process: SaxonC runs in a single embedded runtime, and compiled stylesheets are only
# valid with the processor that made them.
_lock = threading.Lock()
_processor: Any = None


class SchematronError(Exception):
    """The official rules cannot be run: saxonche missing, a folder incomplete, a schema that does not compile.

    `reason` is one English line.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class FailedAssert:
    """One `svrl:failed-assert`: which schema, where in the document (XPath), the test and the rule's own text."""

    schema: str
    location: str
    test: str
    text: str

    def line(self) -> str:
        """The assert on one line: schema, location, text."""
        return f"{self.schema}: {self.location}: {self.text}"


def find_reference(folder: Path) -> tuple[Path, Path]:
    """(schematrons, value sets) folders from `folder`: the ANS layout that holds `schematrons/` and
    `jeuxDeValeurs/` side by side, or the `schematrons/` folder itself with `../jeuxDeValeurs` beside it."""
    folder = folder.resolve()
    for schematrons in (folder / "schematrons", folder):
        if (schematrons / "moteur").is_dir():
            value_sets = schematrons.parent / "jeuxDeValeurs"
            if not value_sets.is_dir():
                raise SchematronError(f"{value_sets} is missing: the schemas read their value sets there")
            return schematrons, value_sets
    raise SchematronError(f"{folder}: no ISO Schematron skeleton (moteur/) found here or in schematrons/")


def _saxon() -> Any:
    """The process's Saxon processor (SaxonC-HE, from the optional `saxonche` package, imported only here and only
    when asked), created on first use; SchematronError when saxonche is not installed."""
    global _processor
    with _lock:
        if _processor is None:
            try:
                import saxonche
            except ImportError:
                raise SchematronError(_INSTALL_HINT) from None
            _processor = saxonche.PySaxonProcessor(license=False)
        return _processor


class Schematrons:
    """Compiled validators of one copy of the ANS schematrons: one per schema, made once, used for many documents."""

    def __init__(self, validators: dict[str, Any]) -> None:
        self._validators = validators

    @classmethod
    def compile(cls, folder: Path, work: Path, schemas: Iterable[str] | None = None) -> Schematrons:
        """Compile `schemas` (default: both models and the content models) from the reference `folder` into
        `work`.

        The schemas and their includes are read where they are (the reference folder may be read-only); each
        compiled validator is written under `work` at the same relative place, beside a `jeuxDeValeurs` link
        to the value sets, since a schema finds its value sets relative to its compiled validator.
        """
        source, value_sets = find_reference(folder)
        wanted = tuple(schemas) if schemas is not None else (*MODEL_SCHEMAS.values(), CONTENT_MODELS)
        _link_value_sets(value_sets, work / "jeuxDeValeurs")
        processor = _saxon()
        try:
            xslt = processor.new_xslt30_processor()
            steps = [xslt.compile_stylesheet(stylesheet_file=str(source / "moteur" / name)) for name in _SKELETON]
            validators = {}
            for schema in wanted:
                path = source / schema
                if not path.is_file():
                    raise SchematronError(f"{schema} is missing from {source}")
                text = steps[0].transform_to_string(source_file=str(path))
                for step in steps[1:]:
                    text = step.transform_to_string(xdm_node=processor.parse_xml(xml_text=text))
                compiled = (work / "schematrons" / schema).with_suffix(".xsl")
                compiled.parent.mkdir(parents=True, exist_ok=True)
                compiled.write_text(text, encoding="utf-8")
                validators[schema] = xslt.compile_stylesheet(stylesheet_file=str(compiled))
        except SchematronError:
            raise
        except Exception as exc:  # saxonche raises its own PySaxonApiError, unknown to the type checker
            raise SchematronError(f"the schematrons could not be compiled: {_one_line(exc)}") from None
        return cls(validators)

    @property
    def schemas(self) -> tuple[str, ...]:
        return tuple(self._validators)

    def validate(self, data: bytes, schema: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[FailedAssert, ...]:
        """Every failed assert of `schema` on the document `data`, in document order.

        The bytes pass the same hardened checks as the readers first (size, no DOCTYPE, depth): Saxon never sees
        a file the portal would refuse. Raises `portal.pps.DocumentRefused` for those.
        """
        root = parse_untrusted(data, max_bytes=max_bytes)
        validator = self._validators.get(schema)
        if validator is None:
            raise SchematronError(f"{schema} was not compiled")
        processor = _saxon()
        try:
            node = processor.parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
            report = validator.transform_to_string(xdm_node=node)
        except Exception as exc:
            raise SchematronError(f"{schema} could not run: {_one_line(exc)}") from None
        svrl = etree.fromstring(report.encode("utf-8"), _SVRL_PARSER)
        name = Path(schema).name
        return tuple(
            FailedAssert(
                schema=name,
                location=failed.get("location") or "",
                test=failed.get("test") or "",
                text=" ".join("".join(t for t in failed.itertext() if isinstance(t, str)).split()),
            )
            for failed in svrl.iter(f"{_SVRL}failed-assert")
        )


def _link_value_sets(value_sets: Path, target: Path) -> None:
    """The value sets at `target`: a symbolic link to them, or a copy where links cannot be made."""
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.symlink_to(value_sets, target_is_directory=True)
    except OSError:
        shutil.copytree(value_sets, target)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

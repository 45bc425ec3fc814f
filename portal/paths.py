"""Where the portal's files are: the project folder, with templates/ and translations/ at its top level (design card),
and the package's static files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ROOT", "STATIC", "TEMPLATES", "TRANSLATIONS"]

#: The project folder (in the image, the folder the templates and compiled catalogues are copied beside).
ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRANSLATIONS = ROOT / "translations"
STATIC = Path(__file__).resolve().parent / "static"

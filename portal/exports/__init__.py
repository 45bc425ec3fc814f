"""Exports of the care plan and its documents (last step before the browser, beside the pages).

`files` checks a document fetched from the store before the portal hands it over; `pdf` renders the print view
into a tagged PDF; `ics` writes the calendar file; `portability` packs the portable copy. Plain Python (Jinja,
WeasyPrint, icalendar, zipfile): the web routes and the `portal` command share them.
"""

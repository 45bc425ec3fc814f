"""Exports of the care plan and its documents (last step before the browser, beside the pages): files checked before
they are handed over, the PDF, the calendar file and the portable copy, shared by the web routes and the CLI."""

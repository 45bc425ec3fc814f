"""Typed errors of the store step: what went wrong between the portal and the FHIR store, mapped by the web layer to
pages (404, 503…) and `/readyz`, so that nothing above the store sees a `requests` exception."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store failure. Messages never hold ids, names or query values: they may end up in a log line.

    `status` is the HTTP status when the store answered; `diagnostics` holds the OperationOutcome
    diagnostics or details text when the store sent one (it may quote request values: do not log it).
    """

    def __init__(self, message: str, *, status: int | None = None, diagnostics: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.diagnostics = diagnostics


class StoreNotFound(StoreError):
    """The resource does not exist (404) or is gone (410)."""


class StoreUnavailable(StoreError):
    """The store cannot answer now: connection error, timeout, 5xx, or 429 after the retries."""


class StoreAuthError(StoreUnavailable):
    """The portal's own credentials were refused (token endpoint failure, 401/403 from the store).

    A subclass of `StoreUnavailable` because, for the person in front of the page, the store is simply
    not usable until an operator fixes the configuration.
    """


class StoreRejected(StoreError):
    """The store refused the request itself (400, 422 and other unexpected 4xx): a bug on our side."""


class StoreInvalidResponse(StoreError):
    """The store answered something we cannot trust: not JSON, wrong resourceType, missing field,
    a Bundle that is not a searchset, a next link to another host, too many pages."""


class StoreIntegrityError(StoreInvalidResponse):
    """A fetched document does not match the `attachment.size` or SHA-1 `attachment.hash` announced."""


class StoreDocumentTooLarge(StoreError):
    """A document (or an answer) is larger than the limit the caller set; we stopped reading it."""

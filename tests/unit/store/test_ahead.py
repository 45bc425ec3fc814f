"""Asking ahead: on the pool when the store must be asked, here and now when the cache has the answer."""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import responses

from portal.store import FhirClient, ahead

STORE = "https://store.test/fhir"
MARK: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="none")


def where() -> tuple[str, str]:
    return threading.current_thread().name, MARK.get()


def test_an_answer_in_the_cache_is_asked_here_and_now() -> None:
    with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
        MARK.set("page")
        assert ahead.soon(pool, True, where).result() == (threading.current_thread().name, "page")
        thread, mark = ahead.soon(pool, False, where).result()
    assert thread.startswith("pool") and mark == "page"  # the page's context goes with it


def test_an_error_asked_here_is_kept_in_the_future_as_the_pool_would() -> None:
    def fails() -> None:
        raise ValueError("no")

    with ThreadPoolExecutor(1) as pool:
        for cached in (True, False):
            with pytest.raises(ValueError, match="no"):
                ahead.soon(pool, cached, fails).result()


def test_the_client_knows_which_searches_it_can_answer_from_its_cache() -> None:
    with responses.RequestsMock() as store, FhirClient(STORE, cache_ttl=60, retries=0) as client:
        store.get(f"{STORE}/RelatedPerson", json={"resourceType": "Bundle", "type": "searchset", "entry": []})
        params = {"identifier": "urn:x|1"}
        assert not client.has_answer("RelatedPerson", params)
        client.search("RelatedPerson", params)
        assert client.has_answer("RelatedPerson", params)
        assert not client.has_answer("RelatedPerson", {"identifier": "urn:x|2"})  # another search
        assert client.cache is not None
        client.cache.clear()
        assert not client.has_answer("RelatedPerson", params)  # forgotten: the store is asked again

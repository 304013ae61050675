import threading

import pytest

from storyclip_desktop.domain.validation import ValidationError
from storyclip_desktop.services import QuotaExceeded, Services


def _usage(sv, t):
    return next(u for u in sv.tokens.usage() if u.type == t)


def test_reserve_commit_refund(services):
    services.tokens.set_limit("gemini", 10_000)
    services.tokens.reserve("gemini", 4_000, "job-1")
    assert _usage(services, "gemini").usage == 4_000
    services.tokens.commit("job-1", 1_500)
    assert _usage(services, "gemini").usage == 1_500
    services.tokens.reserve("gemini", 3_000, "job-2")
    services.tokens.refund("job-2")
    assert _usage(services, "gemini").usage == 1_500


def test_same_request_reserved_twice_counts_once(services):
    services.tokens.set_limit("gpt", 10_000)
    services.tokens.reserve("gpt", 4_000, "retry-me")
    services.tokens.reserve("gpt", 4_000, "retry-me")
    assert _usage(services, "gpt").usage == 4_000


def test_over_limit_is_refused_with_what_is_left(services):
    services.tokens.set_limit("kling", 25)
    services.tokens.reserve("kling", 20, "a")
    with pytest.raises(QuotaExceeded, match="kling token limit would be exceeded: this needs 10, 5 of 25 left"):
        services.tokens.reserve("kling", 10, "b")
    assert _usage(services, "kling").usage == 20


def test_commit_above_the_reservation_never_passes_the_limit(services):
    services.tokens.set_limit("voice", 100)
    services.tokens.reserve("voice", 80, "r")
    services.tokens.commit("r", 500)
    assert _usage(services, "voice").usage == 100


def test_set_limit_validation(services):
    with pytest.raises(ValidationError, match="must be one of"):
        services.tokens.set_limit("dalle", 10)
    services.tokens.reserve("seedance", 1_000, "x")
    with pytest.raises(ValidationError, match="below what was already used"):
        services.tokens.set_limit("seedance", 10)


@pytest.mark.postgres
def test_twenty_concurrent_reservations_never_exceed_the_limit(pg_url):
    admin = Services.open(pg_url, node=1)
    admin.tokens.set_limit("seedance", 1_000_000)
    granted, refused = [], []
    barrier = threading.Barrier(20)

    def reserve(k):
        sv = Services.open(pg_url, node=100 + k)
        barrier.wait()
        try:
            sv.tokens.reserve("seedance", 110_000, f"job-{k}")
            granted.append(k)
        except QuotaExceeded:
            refused.append(k)
        finally:
            sv.close()

    threads = [threading.Thread(target=reserve, args=(k,)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 9 and len(refused) == 11
    assert _usage(admin, "seedance").usage == 990_000
    for k in granted:
        admin.tokens.refund(f"job-{k}")
    assert _usage(admin, "seedance").usage == 0
    admin.close()

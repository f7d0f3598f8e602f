import pytest

from lifeline.core import ratelimit

pytestmark = pytest.mark.django_db


def test_limit_parsing():
    assert ratelimit.Limit.parse("5/5m") == ratelimit.Limit(5, 300)
    assert ratelimit.Limit.parse("20/h") == ratelimit.Limit(20, 3600)
    with pytest.raises(ValueError):
        ratelimit.Limit.parse("lots")


def test_refuses_after_the_limit_and_says_when_to_retry():
    verdicts = [ratelimit.check("2fa", "user:1", "3/5m") for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert 0 < verdicts[-1].retry_after <= 300
    # Another key is unaffected.
    assert ratelimit.check("2fa", "user:2", "3/5m").allowed


def test_check_all_reports_the_longest_wait():
    rules = [("ip:1", "100/m"), ("user:1", "1/h")]
    assert ratelimit.check_all("login", rules).allowed
    verdict = ratelimit.check_all("login", rules)
    assert not verdict.allowed and verdict.retry_after > 60


def test_humanize_wait():
    assert ratelimit.humanize_wait(30) == "30 seconds"
    assert ratelimit.humanize_wait(61) == "2 minutes"
    assert ratelimit.humanize_wait(3600) == "1 hour"

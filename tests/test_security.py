"""The one helper that decides where a `next` parameter may send someone."""
import pytest

from tracker.security import safe_next_url


@pytest.mark.parametrize("target", [
    "/", "/plans/3", "/admin/plans?status=active&page=2", "/plans/3#milestone-d30",
])
def test_local_paths_are_kept(target):
    assert safe_next_url(target) == target


@pytest.mark.parametrize("target", [
    None, "", "//evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "https:evil.example", "http:/evil.example", "javascript:alert(1)",
    "evil.example", "plans/3", "/\t/evil.example", "/\n/evil.example", " //evil.example",
    "\x00/plans", "/" + "a" * 3000, "data:text/html,hi", "//", "/\\",
])
def test_anything_that_could_leave_the_site_is_refused(target):
    assert safe_next_url(target) is None

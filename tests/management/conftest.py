import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    """The dashboard caches its figures per area and day; each test starts without them."""
    cache.clear()
    yield
    cache.clear()

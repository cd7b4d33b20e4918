"""pytest plugin for the test run (测试) (`-p fupin.testing` in pyproject.toml), loaded before Django.

Settings refuse to start without FUPIN_SECRET_KEY outside the demo; a test run gets a throwaway
key in its environment, which the commands its tests start as child processes inherit.
"""

import os
import secrets

os.environ.setdefault("FUPIN_SECRET_KEY", "tests-" + secrets.token_urlsafe(32))

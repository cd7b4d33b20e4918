"""`python -m fupin.policy settle …` — the settlement commands without Django start-up."""

import sys

from fupin.policy.cli import main

sys.exit(main())

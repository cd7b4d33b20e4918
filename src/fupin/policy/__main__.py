"""`python -m fupin.policy settle …` — the settlement commands (医疗费用结算) without Django start-up."""

import sys

from fupin.policy.cli import main

sys.exit(main())

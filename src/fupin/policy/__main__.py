"""`python -m fupin.policy settle …` — the settlement commands (医疗费用结算) without Django start-up."""

import gc
import sys

from fupin.policy.allocator import keep_freed_memory  # before Polars loads

keep_freed_memory()

# Importing Polars and the pydantic pack models makes the cyclic collector run again and again
# over objects that live as long as the process: collect nothing while importing, then move them
# out of its way (gc.freeze) and collect as usual.
gc.disable()
from fupin.policy.cli import main  # noqa: E402

gc.freeze()
gc.enable()
sys.exit(main())

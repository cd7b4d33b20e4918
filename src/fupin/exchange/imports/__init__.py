"""Imports (导入): read → staging → set-based validation → preview → merge in one transaction.

One module per source on a shared staging core:
- `staging`: reading cells into staged values, the set-based helpers (Polars frames, chunked
  registry queries, UPDATE … FROM staging) every source uses;
- `roster` (花名册), `lists` (低保、特困、残疾人名单), `enrolment` (养老、医疗参保数据): each a
  `validate(job, staged, by_row, h, own)` and a `merge(job, actor, today, reason, progress)`;
- `job`: the import job — stage, confirm, merge (one transaction), recovery of abandoned jobs.

Nothing here loops over the ORM row by row: the registry is read in a few chunked queries into
Polars frames, checks are joins and group-bys, and the merge is bulk inserts plus UPDATE … FROM
staging. The names below are the package's interface for pages, the API, tasks and commands.
"""

from fupin.sheets.reader import check_upload_size, upload_limits

from .job import (
    confirm,
    create_job,
    may_import,
    merge,
    merge_in_progress,
    recover_interrupted,
    stage,
)
from .staging import ImportRefused

__all__ = [
    "ImportRefused",
    "check_upload_size",
    "confirm",
    "create_job",
    "may_import",
    "merge",
    "merge_in_progress",
    "recover_interrupted",
    "stage",
    "upload_limits",
]

"""Background jobs (Django Tasks), each acting for the user who started it: reading and checking
an uploaded claims file or a 低保/特困 list, a re-settlement (政策测算), an official re-settle of a
year with the persons' identity as it now stands (按新身份重算), and the fill of the trails those
settlements leave to the background (计算过程补写).

Each task is defined beside the code that queues and runs it (`imports`, `identity_import`,
`resettle`, `official`, `trails`), so that code and the task do not import each other in a loop; they are
listed here for the worker and for callers that name them by this module
(`fupin.insurance.claims.tasks.stage_task`)."""

from .identity_import import identity_stage_task
from .imports import stage_task
from .official import official_resettle_task
from .resettle import resettle_task
from .trails import fill_trails_task

__all__ = [
    "fill_trails_task",
    "identity_stage_task",
    "official_resettle_task",
    "resettle_task",
    "stage_task",
]

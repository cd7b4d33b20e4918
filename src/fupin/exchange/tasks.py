"""Background jobs (后台任务, Django Tasks): staging an import, merging it, running a comparison.

Each job keeps its progress on its own row (ImportJob / ComparisonJob) so pages can poll it.
Each acts for the user who launched it: `acting_user(user_id, job.area_code)` refuses a job
whose area is not that user's, and the job then reads through the scope layer as that user.

Each task is defined beside the code it runs (`imports.job`: staging and merging; `services`: the
comparison), so that code and its task do not import each other in a loop; they are listed here for the
worker and for callers that name them by this module (`fupin.exchange.tasks.stage_task`).
"""

from .imports.job import merge_task, stage_task
from .services import comparison_task

__all__ = ["comparison_task", "merge_task", "stage_task"]

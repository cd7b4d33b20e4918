"""工伤认定绿色通道的两个时限（003：接到事故报告后48小时之内工伤调查，无争议案件五日内作出认定决定）.

Pure functions of the report time, the time the step was done (or None), the pack's numbers and
"now": no database, no clock of their own, so tests pin them with any instant they like.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import InjuryCase
    from .rules import WorkInjuryRules

RUNNING, WARNING, LATE, DONE, DONE_LATE, STOPPED = (
    "running",
    "warning",
    "late",
    "done",
    "done_late",
    "stopped",
)
STATE_NAMES = {
    RUNNING: "期限内",
    WARNING: "即将到期",
    LATE: "已超期",
    DONE: "按期完成",
    DONE_LATE: "超期完成",
    STOPPED: "有争议，不适用五日时限",
}


@dataclass(frozen=True)
class Clock:
    """One deadline: when it falls due, when to warn, and where it stands at `now`."""

    label: str
    due: dt.datetime
    warn_from: dt.datetime
    state: str
    remaining: dt.timedelta | None  # until due (negative once late); None when done or stopped

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]

    @property
    def remaining_text(self) -> str:
        if self.remaining is None:
            return ""
        seconds = int(self.remaining.total_seconds())
        word = "剩余" if seconds >= 0 else "已超"
        seconds = abs(seconds)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        parts = (f"{days}天" if days else "") + (f"{hours}小时" if hours or days else "")
        return f"{word}{parts}{minutes}分钟"


def clock(
    *,
    label: str,
    start: dt.datetime,
    limit: dt.timedelta,
    warn_before: dt.timedelta,
    done_at: dt.datetime | None,
    now: dt.datetime,
    stopped: bool = False,
) -> Clock:
    """The state of a deadline `limit` after `start`: done (on time or late), stopped, late
    (now past due), warning (now within `warn_before` of due) or running. Due is inclusive: a
    step done exactly at the due instant is on time."""
    due = start + limit
    warn_from = due - warn_before
    if done_at is not None:
        return Clock(label, due, warn_from, DONE if done_at <= due else DONE_LATE, None)
    if stopped:
        return Clock(label, due, warn_from, STOPPED, None)
    if now > due:
        state = LATE
    elif now >= warn_from:
        state = WARNING
    else:
        state = RUNNING
    return Clock(label, due, warn_from, state, due - now)


def investigation_clock(case: InjuryCase, rules: WorkInjuryRules, now: dt.datetime) -> Clock:
    """48 小时调查时限：from the report to the investigation."""
    return clock(
        label="工伤调查（48小时）",
        start=case.reported_at,
        limit=dt.timedelta(hours=rules.investigation_hours.value),
        warn_before=dt.timedelta(hours=rules.investigation_warning_hours.value),
        done_at=case.investigated_at,
        now=now,
    )


def decision_clock(case: InjuryCase, rules: WorkInjuryRules, now: dt.datetime) -> Clock:
    """五日认定时限 of an undisputed case: from the report to the decision. A disputed case leaves
    the green channel (the clock stops); a case decided “有争议” counts as stopped, not done."""
    disputed = case.decision == "disputed"
    return clock(
        label="认定决定（无争议五日）",
        start=case.reported_at,
        limit=dt.timedelta(days=rules.decision_days.value),
        warn_before=dt.timedelta(hours=rules.decision_warning_hours.value),
        done_at=None if disputed else case.decided_at,
        now=now,
        stopped=disputed,
    )

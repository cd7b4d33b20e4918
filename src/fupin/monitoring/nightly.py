"""The nightly run (每日监测): every signal for an area, set-based — one INSERT … SELECT per
signal into a temporary table of hits, then one INSERT of new monitored households and one of
new alerts. No per-person Python.

Idempotent: an alert is one (household, signal, cause) — a database unique constraint — and a
cause is what happened (this referral ended, this year's income, this person died), so a
re-run adds nothing and a decided alert is not raised again for the same cause.

Signals read the registry households that left poverty (脱贫不稳定户 are looked for among
已脱贫 households) inside the acting user's scope.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from fupin import liveness
from fupin.access.models import User
from fupin.access.scope import scoped
from fupin.employment.models import Employer, EmploymentCheck, Posting, Referral
from fupin.exchange.comparison import LABELS as COMPARISON_LABELS
from fupin.exchange.models import ComparisonJob, ComparisonResult
from fupin.insurance.claims.models import ClaimSplit
from fupin.policy.employment import rules as employment_rules
from fupin.policy.packs import load_pack
from fupin.registry.choices import RemovalReason, Status
from fupin.registry.models import Household, Person, StatusChange

from .models import (
    Alert,
    Category,
    MonitoredHousehold,
    MonitoringRun,
    Origin,
    Signal,
    Stage,
    StageChange,
)
from .rules import default_pack_id, rule_name, rules

# Households the run watches: those that left poverty (已脱贫). Poor households are the
# poverty programme's own business; 返贫 ones are back on it.
WATCHED_STATUSES = (Status.EXITED_WITH_POLICY, Status.EXITED)
INSURANCE_GAPS = ("not_enrolled_pension", "not_enrolled_medical", "suspended")
INSURANCE_NAMES = {"pension": "养老保险", "medical": "医疗保险"}
HITS = "monitoring_hits"
T = {
    m: m._meta.db_table
    for m in (
        Household,
        Person,
        StatusChange,
        Referral,
        Posting,
        Employer,
        EmploymentCheck,
        ComparisonJob,
        ComparisonResult,
        ClaimSplit,
        MonitoredHousehold,
        Alert,
        StageChange,
    )
}
HIT_COLUMNS = "household_id, village_code, signal, cause_key, person_id, value, threshold, detail, rule, source"


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _text(col: str) -> str:
    return f"CAST({col} AS VARCHAR(20))"


def _case(column: str, labels: dict[str, str]) -> tuple[str, list]:
    whens = " ".join("WHEN %s THEN %s" for _ in labels)
    params: list = []
    for code, label in labels.items():
        params += [code, label]
    return f"CASE {column} {whens} ELSE '' END", params


class Signals:
    """The SQL of each signal, for one run day, pack and set of watched households."""

    def __init__(self, *, day: dt.date, base_sql: str, base_params: tuple, pack_id: str):
        self.day, self.base_sql, self.base_params, self.pack_id = (
            day,
            base_sql,
            list(base_params),
            pack_id,
        )
        self.r = rules(pack_id)
        self.pack = load_pack(pack_id)
        ages = employment_rules().working_age.value
        # Of working age on the run day: age in [min, max] ⇔ born after day − (max+1) years and on
        # or before day − min years.
        self.born_after, self.born_by = years_before(day, ages.max + 1), years_before(day, ages.min)

    def _rule(self, param: str) -> list:
        return [rule_name(param, self.pack_id), self.pack.cite(getattr(self.r, param).source)[:600]]

    def _insert(self, select: str, params: list) -> int:
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {HITS} ({HIT_COLUMNS}) {select}", params)
            return cur.rowcount

    def income(self) -> int:
        income = "(h.income_wage_fen + h.income_business_fen + h.income_transfer_fen + h.income_property_fen)"
        line = self.r.income_line.value
        return self._insert(
            f"SELECT h.id, h.village_code, %s, 'income:' || {_text('h.income_year')}, NULL, {income}, %s,"
            f" {_text('h.income_year')} || %s, %s, %s FROM {T[Household]} h"
            f" WHERE h.id IN ({self.base_sql}) AND h.income_year IS NOT NULL AND {income} < %s",
            [
                Signal.INCOME,
                line,
                "年度人均纯收入",
                *self._rule("income_line"),
                *self.base_params,
                line,
            ],
        )

    def medical(self) -> int:
        income = "(h.income_wage_fen + h.income_business_fen + h.income_transfer_fen + h.income_property_fen)"
        # The county's one definition of too much self-pay (shared with
        # fupin.insurance.claims.selectors.self_pay_flags).
        share = self.pack.catastrophic_share.value  # basis points
        return self._insert(
            f"SELECT h.id, h.village_code, %s, 'medical:' || {_text('s.year')}, NULL, SUM(s.self_fen),"
            f" {income} * h.member_count * %s / 10000, {_text('s.year')} || %s, %s, %s"
            f" FROM {T[ClaimSplit]} s JOIN {T[Person]} p ON p.id = s.person_id "
            f"JOIN {T[Household]} h ON h.id = p.household_id"
            f" WHERE h.id IN ({self.base_sql}) AND s.year IN (%s, %s)"
            f" GROUP BY h.id, h.village_code, s.year, h.income_wage_fen, h.income_business_fen, h.income_transfer_fen,"
            f" h.income_property_fen, h.member_count"
            f" HAVING SUM(s.self_fen) * 10000 > {income} * h.member_count * %s",
            [
                Signal.MEDICAL,
                share,
                "年度医疗个人自付合计（已结算的结算单）",
                f"{self.pack_id} catastrophic_share",
                self.pack.cite(self.pack.catastrophic_share.source)[:600],
                *self.base_params,
                self.day.year - 1,
                self.day.year,
                share,
            ],
        )

    def jobs(self) -> int:
        since = self.day - dt.timedelta(days=self.r.job_loss_lookback_days.value)
        return self._insert(
            "SELECT h.id, h.village_code, CASE WHEN e.kind = %s THEN %s ELSE %s END, "
            f"'referral:' || {_text('r.id')}, r.person_id,"
            f" NULL, NULL, SUBSTR(e.name || '·' || po.title, 1, 200), %s, %s"
            f" FROM {T[Referral]} r JOIN {T[Person]} p ON p.id = r.person_id "
            f"JOIN {T[Household]} h ON h.id = p.household_id"
            f" JOIN {T[Posting]} po ON po.id = r.posting_id JOIN {T[Employer]} e ON e.id = po.employer_id"
            f" WHERE h.id IN ({self.base_sql}) AND ((r.status = %s AND r.ended_on >= %s AND r.ended_on <= %s)"
            f" OR EXISTS (SELECT 1 FROM {T[EmploymentCheck]} c WHERE c.referral_id = r.id AND c.still_employed = %s"
            f" AND c.checked_on >= %s AND c.checked_on <= %s))",
            [
                "welfare",
                Signal.WELFARE_POST_ENDED,
                Signal.JOB_LOST,
                *self._rule("job_loss_lookback_days"),
                *self.base_params,
                "left",
                since,
                self.day,
                False,
                since,
                self.day,
            ],
        )

    def insurance(self) -> int:
        category, cparams = _case("cr.category", {c: COMPARISON_LABELS[c] for c in INSURANCE_GAPS})
        insurance, iparams = _case("cr.insurance", INSURANCE_NAMES)
        gaps = ", ".join(["%s"] * len(INSURANCE_GAPS))
        return self._insert(
            "SELECT h.id, h.village_code, %s, cr.category || ':' || cr.insurance || ':' "
            "|| %s, cr.person_id, NULL, NULL,"
            f" {category} || '（' || {insurance} || '，信息比对）', %s, %s"
            f" FROM {T[ComparisonResult]} cr JOIN {T[Person]} p ON p.id = cr.person_id "
            f"JOIN {T[Household]} h ON h.id = p.household_id"
            f" WHERE h.id IN ({self.base_sql}) AND cr.category IN ({gaps}) AND p.status <> %s"
            f" AND cr.job_id IN (SELECT MAX(j.id) FROM {T[ComparisonJob]} j WHERE j.state = %s GROUP BY j.area_code)",
            [
                Signal.INSURANCE,
                str(self.day.year),
                *cparams,
                *iparams,
                "",
                "",
                *self.base_params,
                *INSURANCE_GAPS,
                Status.REMOVED,
                "done",
            ],
        )

    def labourer(self) -> int:
        relations = self.r.main_labourer_relations.value
        rel = ", ".join(["%s"] * len(relations))
        since = self.day - dt.timedelta(days=self.r.labourer_death_lookback_days.value)
        deaths = self._insert(
            f"SELECT h.id, h.village_code, %s, 'death:' || {_text('p.id')}, p.id, NULL, NULL, %s, %s, %s"
            f" FROM {T[StatusChange]} sc JOIN {T[Person]} p ON p.id = sc.person_id "
            f"JOIN {T[Household]} h ON h.id = p.household_id"
            f" WHERE h.id IN ({self.base_sql}) AND sc.new_status = %s AND p.removal_reason = %s"
            f" AND sc.effective_date >= %s AND sc.effective_date <= %s AND p.relation IN ({rel})"
            f" AND p.birth_date > %s AND p.birth_date <= %s",
            [
                Signal.LABOURER,
                "主要劳动力死亡",
                *self._rule("main_labourer_relations"),
                *self.base_params,
                Status.REMOVED,
                RemovalReason.DEATH,
                since,
                self.day,
                *relations,
                self.born_after,
                self.born_by,
            ],
        )
        health = self._insert(
            f"SELECT h.id, h.village_code, %s, 'health:' || p.health || ':' || {_text('p.id')}, p.id, NULL, NULL,"
            f" CASE p.health WHEN %s THEN %s ELSE %s END, %s, %s"
            f" FROM {T[Person]} p JOIN {T[Household]} h ON h.id = p.household_id"
            f" WHERE h.id IN ({self.base_sql}) AND p.health IN (%s, %s) AND p.status <> %s AND p.relation IN ({rel})"
            f" AND p.birth_date > %s AND p.birth_date <= %s",
            [
                Signal.LABOURER,
                "serious",
                "主要劳动力患有大病",
                "主要劳动力残疾",
                *self._rule("main_labourer_relations"),
                *self.base_params,
                "serious",
                "disabled",
                Status.REMOVED,
                *relations,
                self.born_after,
                self.born_by,
            ],
        )
        return deaths + health

    STEPS: list[tuple[str, str]] = [
        ("income", "收入低于监测线"), ("medical", "医疗自付费用"), ("jobs", "失业与公益性岗位离岗"),
        ("insurance", "参保中断或未参保"), ("labourer", "主要劳动力变故"),
    ]  # fmt: skip


def _create_hits_table() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {HITS}")
        cur.execute(
            f"CREATE TEMPORARY TABLE {HITS} (household_id BIGINT NOT NULL, village_code VARCHAR(12) NOT NULL,"
            " signal VARCHAR(20) NOT NULL, cause_key VARCHAR(80) NOT NULL, person_id BIGINT NULL, value BIGINT NULL,"
            " threshold BIGINT NULL, detail VARCHAR(300) NOT NULL, "
            "rule VARCHAR(120) NOT NULL, source VARCHAR(600) NOT NULL)"
        )


def _drop_hits_table() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {HITS}")


def compute(
    run: MonitoringRun, *, user: User, progress: Callable[[int, str], None] | None = None
) -> dict:
    """All signals for the run's area and day as `user`; returns {signal step: hits} and writes
    new monitored households and alerts. The caller holds the run's liveness lock."""
    started = time.monotonic()
    day, pack_id = run.day, default_pack_id()
    check_due = day + dt.timedelta(days=rules(pack_id).check_days.value)
    base = scoped(
        Household.objects.filter(
            status__in=WATCHED_STATUSES, village_code__startswith=run.area_code
        ),
        user,
    )
    base_sql, base_params = base.order_by().values("id").query.sql_with_params()
    signals = Signals(day=day, base_sql=base_sql, base_params=base_params, pack_id=pack_id)
    _create_hits_table()
    hits: dict[str, int] = {}
    try:
        for n, (name, label) in enumerate(Signals.STEPS, start=1):
            if progress:
                progress(n, f"计算信号：{label}")
            hits[name] = getattr(signals, name)()
        if progress:
            progress(len(Signals.STEPS) + 1, "写入预警")
        with (
            connection.cursor() as cur
        ):  # a temporary table has no statistics until asked: the writes below join it
            cur.execute(f"CREATE INDEX {HITS}_household ON {HITS} (household_id)")
            cur.execute(f"ANALYZE {HITS}")
        now = timezone.now()
        mh, al, sc, hh = T[MonitoredHousehold], T[Alert], T[StageChange], T[Household]
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {mh} (household_id, village_code, head_name, head_id_number, address, member_count,"
                " income_per_capita_fen, category, risk_types, stage, origin, "
                "alerted_on, check_due, note, created_by_id, created_at)"
                " SELECT h.id, h.village_code, h.head_name, '', h.address, "
                "h.member_count, NULL, %s, %s, %s, %s, %s, %s, '', %s, %s"
                f" FROM {hh} h WHERE h.id IN (SELECT household_id FROM {HITS})"
                f" AND NOT EXISTS (SELECT 1 FROM {mh} m WHERE m.household_id = h.id) ON CONFLICT DO NOTHING",
                [
                    Category.UNSTABLE,
                    "[]",
                    Stage.ALERT,
                    Origin.NIGHTLY,
                    day,
                    check_due,
                    user.pk,
                    now,
                ],
            )
            cur.execute(
                f"INSERT INTO {al} (monitored_id, village_code, signal, cause_key, "
                "person_id, value, threshold, detail, rule, source,"
                " raised_on, run_id, decision_id, created_by_id)"
                " SELECT m.id, MIN(t.village_code), t.signal, t.cause_key, "
                "MIN(t.person_id), MIN(t.value), MIN(t.threshold),"
                " MIN(t.detail), MIN(t.rule), MIN(t.source), %s, %s, NULL, NULL"
                f" FROM {HITS} t JOIN {mh} m ON m.household_id = t.household_id"
                f" WHERE NOT EXISTS (SELECT 1 FROM {al} a WHERE a.monitored_id = m.id "
                "AND a.signal = t.signal AND a.cause_key = t.cause_key)"
                " GROUP BY m.id, t.signal, t.cause_key ON CONFLICT DO NOTHING",
                [day, run.pk],
            )
            new_alerts = cur.rowcount
            # A household that had left monitoring (风险消除/不纳入) comes back to 预警 with a new cause;
            # one just created gets its first history row.
            reopened = f"m.stage IN ('{Stage.REMOVED}', '{Stage.NOT_MONITORED}')"
            fresh = f"NOT EXISTS (SELECT 1 FROM {sc} s WHERE s.monitored_id = m.id)"
            touched = f"m.id IN (SELECT a.monitored_id FROM {al} a WHERE a.run_id = %s)"
            cur.execute(
                f"INSERT INTO {sc} (monitored_id, village_code, old_stage, new_stage, "
                "day, reason, changed_by_id, changed_at)"
                f" SELECT m.id, m.village_code, CASE WHEN {fresh} THEN '' ELSE m.stage END, %s, %s, %s, %s, %s"
                f" FROM {mh} m WHERE {touched} AND ({reopened} OR {fresh})",
                [Stage.ALERT, day, "监测运行发现预警信号", user.pk, now, run.pk],
            )
            cur.execute(
                f"UPDATE {mh} SET stage = %s, alerted_on = %s, check_due = %s, decision_due = NULL"
                f" WHERE id IN (SELECT a.monitored_id FROM {al} a WHERE a.run_id = %s) AND stage IN (%s, %s)",
                [Stage.ALERT, day, check_due, run.pk, Stage.REMOVED, Stage.NOT_MONITORED],
            )
            cur.execute(
                f"SELECT SUBSTR(village_code, 1, 9), signal, COUNT(*) FROM {al} WHERE run_id = %s "
                "GROUP BY SUBSTR(village_code, 1, 9), signal",
                [run.pk],
            )
            by_town: dict[str, dict[str, int]] = {}
            for town, signal, count in cur.fetchall():
                by_town.setdefault(town, {})[signal] = count
            MonitoringRun.objects.filter(pk=run.pk).update(
                state=MonitoringRun.State.DONE,
                step=run.steps,
                step_label="完成",
                hits=hits,
                new_alerts=new_alerts,
                by_township=by_town,
                finished_at=timezone.now(),
                seconds=round(time.monotonic() - started, 2),
            )
    finally:
        _drop_hits_table()
    run.refresh_from_db()
    return hits


STEPS = len(Signals.STEPS) + 1


# —— the run as a job: queued by `services.start_run`, run by `tasks.monitoring_task` ——

LIVENESS = "monitoring.run"
ABANDONED = (
    "监测运行时后台进程意外退出（如内存耗尽或进程被终止），本次运行未写入任何预警：请重新发起。"
)


def run_monitoring(run: MonitoringRun, *, user: User) -> dict:
    """Compute the run as `user`, holding its liveness lock until its final state is written.

    A run already finished (the task delivered twice) is left as it is: computing it again would
    find nothing new and overwrite its counts with zeros."""
    try:
        with liveness.holding(LIVENESS, run.pk):
            state = MonitoringRun.objects.filter(pk=run.pk).values_list("state", flat=True).first()
            if state in (MonitoringRun.State.DONE, MonitoringRun.State.FAILED):
                return {}
            try:

                def progress(n: int, label: str) -> None:
                    MonitoringRun.objects.filter(pk=run.pk).update(
                        state=MonitoringRun.State.RUNNING, step=n, step_label=label
                    )

                return compute(run, user=user, progress=progress)
            except Exception as exc:
                fail_run(run.pk, f"监测运行失败：{exc}")
                raise
    except liveness.AlreadyRunning:
        return {}


def fail_run(run_id: int, message: str) -> None:
    MonitoringRun.objects.filter(pk=run_id).update(
        state=MonitoringRun.State.FAILED, message=message, finished_at=timezone.now()
    )


def recover_abandoned(run: MonitoringRun) -> bool:
    """A run left "running" by a process that died is failed with the reason; True if it was."""
    if run.state != MonitoringRun.State.RUNNING or liveness.held(LIVENESS, run.pk):
        return False
    changed = MonitoringRun.objects.filter(pk=run.pk, state=MonitoringRun.State.RUNNING).update(
        state=MonitoringRun.State.FAILED, message=ABANDONED, finished_at=timezone.now()
    )
    if changed:
        run.refresh_from_db()
    return bool(changed)

"""统计快照: the figures read from the analytics table equal the live computation on a generated
county (several villages in two townships, services spread over months), per township and per
village, for the county and for a township; a past month keeps its snapshot when the registry
moves on; the dashboard and the bulletin read snapshots only."""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fupin.areas.models import Area
from fupin.employment.models import FollowUpVisit, JobFair, Recommendation, Referral
from fupin.management import snapshots
from fupin.management.indicators import evaluate
from fupin.management.loading import load_indicators
from fupin.management.models import Indicator, SnapshotLevel, SnapshotRun, SnapshotValue
from fupin.registry.models import Household, Person, StatusChange
from fupin.training.models import Course, Enrolment
from tests.conftest import TOWN_A, TOWN_B
from tests.employment import factories as f

DAYS = [dt.date(2018, 2, 28), dt.date(2018, 3, 20), dt.date(2018, 4, 30)]


def _villages(town: str, n: int) -> list[Area]:
    return list(Area.objects.filter(code__startswith=town, level=5).order_by("code")[:n])


@pytest.fixture
def world(db, make_household):
    """A generated county: 40 households over 3 villages of each township, random statuses,
    intentions and services dated January to May 2018 (seeded, independent of the code)."""
    load_indicators()
    rng = random.Random(11)
    people = []
    for town in (TOWN_A, TOWN_B):
        villages = _villages(town, 3)
        for i in range(20):
            hh = make_household(town, members=rng.randint(1, 4))
            v = villages[i % len(villages)]
            Household.objects.filter(pk=hh.pk).update(village=v, village_code=v.code)
            Person.objects.filter(household=hh).update(village_code=v.code)
            for p in Person.objects.filter(household=hh):
                Person.objects.filter(pk=p.pk).update(
                    status=rng.choice(["poor", "exited_policy", "new", "returned", "removed"]),
                    intention=rng.choice(["migrate", "local", "startup", "none"]),
                    labour_skill=rng.choice(["general", "skilled", "weak", "none"]),
                    training_need=rng.random() < 0.5,
                    medical_status=rng.choice(["enrolled", "not_enrolled"]),
                    pension_status=rng.choice(["enrolled", "unknown"]),
                )
            people += list(Person.objects.filter(household=hh))
            if rng.random() < 0.3:
                StatusChange.objects.create(
                    household=hh,
                    village_code=v.code,
                    old_status="poor",
                    new_status="exited_policy",
                    effective_date=dt.date(2018, rng.randint(1, 5), rng.randint(1, 28)),
                    reason="生成",
                )
    postings = [
        f.posting(f.employer(t, kind=k))
        for t in (TOWN_A, TOWN_B)
        for k in ("workshop", "welfare", "enterprise", "workshop", "welfare")
    ]
    course = Course.objects.create(
        title="茶叶班",
        trade="茶叶加工",
        provider="职校",
        area_code=TOWN_A.ljust(12, "0"),
        place="镇上",
        starts_on=dt.date(2018, 1, 5),
        ends_on=dt.date(2018, 1, 20),
    )

    def day():
        return dt.date(2018, rng.randint(1, 5), rng.randint(1, 28))

    for p in people:
        r = rng.random()
        if r < 0.3:
            hired = rng.random() < 0.6
            for posting in rng.sample(postings, rng.randint(1, 2)):  # hired twice: counted once
                d = day()
                Referral.objects.create(
                    person=p,
                    village_code=p.village_code,
                    posting=posting,
                    referred_on=d,
                    status="hired" if hired else "referred",
                    hired_on=d if hired else None,
                )
        if rng.random() < 0.4:
            FollowUpVisit.objects.create(person=p, village_code=p.village_code, visited_on=day())
        if rng.random() < 0.3:
            created = day()
            for rank, posting in enumerate(rng.sample(postings, rng.choice([3, 10])), 1):
                Recommendation.objects.create(
                    person=p,
                    village_code=p.village_code,
                    posting=posting,
                    rank=rank,
                    score=0.5,
                    created_on=created,
                )
        if rng.random() < 0.3:
            done = rng.random() < 0.7
            d = day()
            Enrolment.objects.create(
                course=course,
                person=p,
                village_code=p.village_code,
                status="completed" if done else "enrolled",
                enrolled_on=d,
                completed_on=d if done else None,
                certificate_no=f"Z{p.pk}" if done and rng.random() < 0.5 else "",
                certificate_on=d if done else None,
            )
    for town in (TOWN_A, TOWN_B):
        for m in (1, 3, 4):
            JobFair.objects.create(
                area_code=town.ljust(12, "0"),
                title="招聘会",
                held_on=dt.date(2018, m, 9),
                place="镇上",
            )
    return people


def _values(figs, keys=None):
    return {
        code: {k: fig.pair(k) for k in (keys or sorted(set(fig.num) | set(fig.den)))}
        for code, fig in figs.items()
    }


def _periods(day):
    quarter = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return [day.replace(day=1), quarter, dt.date(day.year, 1, 1)]


def test_snapshot_figures_equal_the_live_computation(world, county_user, town_a_user):
    inds = list(Indicator.objects.filter(active=True))
    for day in DAYS:
        snapshots.build(day=day)
        for start in _periods(day):
            for user in (county_user, town_a_user):
                live = evaluate(inds, user=user, start=start, end=day)
                stored = snapshots.figures(inds, user=user, start=start, end=day)
                towns = [TOWN_A] if user is town_a_user else [TOWN_A, TOWN_B]
                assert _values(stored, towns) == _values(live, towns), (day, start, user)
                for ind in inds:
                    assert stored[ind.code].value() == live[ind.code].value(), ind.code
            live_v = evaluate(inds, user=county_user, start=start, end=day, digits=12)
            stored_v = snapshots.figures(
                inds, user=county_user, start=start, end=day, level=SnapshotLevel.VILLAGE
            )
            assert _values(stored_v) == _values(live_v), (day, start)
    # The generated world really exercises the figures: something counted in each township.
    live = evaluate(inds, user=county_user, start=dt.date(2018, 1, 1), end=DAYS[-1])
    assert live["placements"].value(TOWN_A) and live["placements"].value(TOWN_B)
    assert live["emp_service_coverage"].pair(TOWN_A)[1]


def test_a_township_reads_only_its_own_rows(world, town_b_user):
    snapshots.build(day=DAYS[1])
    figs = snapshots.figures(
        list(Indicator.objects.filter(active=True)),
        user=town_b_user,
        start=DAYS[1].replace(day=1),
        end=DAYS[1],
        level=SnapshotLevel.VILLAGE,
    )
    areas = {a for fig in figs.values() for a in (*fig.num, *fig.den)}
    assert areas and all(a.startswith(TOWN_B) for a in areas)


def test_a_past_month_keeps_its_snapshot(world, county_user):
    # The snapshot of 31 March holds March's coverage; the registry then changes (everyone insured)
    # and the live figure moves, the stored one does not.
    march = dt.date(2018, 3, 31)
    snapshots.build(day=march)
    ind = Indicator.objects.get(code="medical_coverage")
    before = snapshots.figures([ind], user=county_user, start=march.replace(day=1), end=march)
    Person.objects.update(medical_status="enrolled")
    live = evaluate([ind], user=county_user, start=march.replace(day=1), end=march)
    after = snapshots.figures([ind], user=county_user, start=march.replace(day=1), end=march)
    assert live["medical_coverage"].value() == 100.0
    assert after["medical_coverage"].value() == before["medical_coverage"].value() < 100.0


def test_a_missing_window_is_refused_not_guessed(world, county_user):
    snapshots.build(day=DAYS[1])
    ind = Indicator.objects.get(code="placements")
    with pytest.raises(snapshots.SnapshotMissing):
        snapshots.figures([ind], user=county_user, start=dt.date(2018, 2, 15), end=DAYS[1])
    with pytest.raises(snapshots.SnapshotMissing):
        snapshots.figures([ind], user=county_user, start=DAYS[0].replace(day=1), end=DAYS[0])
    run = snapshots.ensure(user=county_user, day=DAYS[1], since=dt.date(2018, 2, 15))
    assert "2018-02-15" in run.windows and "2018-03-01" in run.windows
    live = evaluate([ind], user=county_user, start=dt.date(2018, 2, 15), end=DAYS[1])
    got = snapshots.figures([ind], user=county_user, start=dt.date(2018, 2, 15), end=DAYS[1])
    assert got["placements"].value() == live["placements"].value()


def test_rebuilding_a_day_replaces_it(world, county_user):
    snapshots.build(day=DAYS[1])
    n = SnapshotValue.objects.filter(day=DAYS[1]).count()
    snapshots.build(day=DAYS[1], user=county_user)
    assert SnapshotValue.objects.filter(day=DAYS[1]).count() == n
    assert snapshots.run_for(county_user, DAYS[1]).scope_code == "360222"
    snapshots.build(day=DAYS[1], user=county_user)
    assert SnapshotRun.objects.filter(day=DAYS[1], scope_code="360222").count() == 1


def test_snapshot_command(world, capsys):
    call_command("snapshot", "--day", "2018-03-20")
    assert SnapshotRun.objects.filter(day=dt.date(2018, 3, 20)).exists()
    assert "2018-03-20" in capsys.readouterr().out


def test_the_dashboard_reads_snapshots_only(world, county_user):
    from fupin.management import dashboard

    snapshots.build(day=dt.date.today())
    with CaptureQueriesContext(connection) as ctx:
        data = dashboard.data(county_user, dt.date.today())
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "registry_person" not in sql and "employment_referral" not in sql
    assert data["coverage"]["series"] and data["as_of"]


def test_the_indicator_page_and_api_read_the_snapshot_of_the_period(world, county_user):
    from tests.conftest import login

    march = dt.date(2018, 3, 31)
    snapshots.build(day=march)
    ind = Indicator.objects.get(code="medical_coverage")
    stored = snapshots.figures([ind], user=county_user, start=march.replace(day=1), end=march)
    Person.objects.update(medical_status="enrolled")  # live coverage would now be 100 %
    c = login(county_user)
    rows = {r["code"]: r for r in c.get("/api/v1/management/indicators?period=2018-03").json()}
    assert rows["medical_coverage"]["total"] == stored["medical_coverage"].value() < 100.0
    page = c.get("/management/indicators/?period=2018-03").content.decode()
    assert "数据取自 2018年3月31日 的统计快照" in page
    # A period no snapshot ends in is computed from the registry as it stands, and says so.
    rows = {r["code"]: r for r in c.get("/api/v1/management/indicators?period=2018-02").json()}
    assert rows["medical_coverage"]["total"] == 100.0


def _registry_expected(prefix: str = "") -> tuple[dict, dict]:
    """The home page's counts, counted here in Python over the rows themselves."""
    people = [p for p in Person.objects.all() if p.village_code.startswith(prefix)]
    active = {"poor", "new", "returned", "exited_policy"}
    counts = {
        "total": len(people),
        "active": sum(p.status in active for p in people),
        "labour": sum(
            p.status in active and p.labour_skill in {"general", "skilled", "weak"} for p in people
        ),
    }
    by_status: dict[str, int] = {}
    for h in Household.objects.all():
        if h.village_code.startswith(prefix):
            by_status[h.status] = by_status.get(h.status, 0) + 1
    return by_status, counts


def _home_counts(client) -> tuple[dict, dict, str]:
    r = client.get("/")
    assert r.status_code == 200
    by_status = {code: n for _label, n, code in r.context["by_status"] if n}
    counts = {k: r.context["counts"][k] for k in ("total", "active", "labour")}
    return by_status, counts, r.content.decode()


def test_the_home_page_counts_come_from_the_latest_snapshot(
    world, county_user, town_a_user, make_user, make_household
):
    from fupin.registry.choices import ACTIVE_STATUSES
    from tests.conftest import login

    assert set(ACTIVE_STATUSES) == {"poor", "new", "returned", "exited_policy"}  # counted below
    village = _villages(TOWN_A, 2)[1]
    village_user = make_user("village-a2", "village", village.code)
    users = {county_user: "", town_a_user: TOWN_A, village_user: village.code}
    # Before any snapshot the counts are computed live, and the page says so.
    by_status, counts, page = _home_counts(login(town_a_user))
    assert (by_status, counts) == _registry_expected(TOWN_A)
    assert "按当前登记数据现算" in page

    today = dt.date.today()
    snapshots.build(day=today)
    for user, prefix in users.items():
        by_status, counts, page = _home_counts(login(user))
        assert (by_status, counts) == _registry_expected(prefix), user.username
        assert counts["total"] > 0
        assert "户数和人数取自" in page and "生成的统计快照" in page
    # The page reads the snapshot, not the registry of a million persons.
    with CaptureQueriesContext(connection) as ctx:
        login(county_user).get("/")
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "registry_person" not in sql and "registry_household" not in sql

    # A new household of 3 in the second village of town A: not counted until the next snapshot.
    before = _registry_expected(TOWN_A)
    hh = make_household(TOWN_A, members=3)
    Household.objects.filter(pk=hh.pk).update(village=village, village_code=village.code)
    Person.objects.filter(household=hh).update(village_code=village.code, status="poor")
    assert _home_counts(login(town_a_user))[:2] == before
    snapshots.build(day=today)
    by_status, counts, _ = _home_counts(login(town_a_user))
    assert counts["total"] == before[1]["total"] + 3
    assert counts["active"] == before[1]["active"] + 3
    assert (by_status, counts) == _registry_expected(TOWN_A)
    assert _home_counts(login(village_user))[:2] == _registry_expected(village.code)
    # Town B sees none of it.
    assert _home_counts(login(make_user("town-b2", "township", TOWN_B)))[:2] == _registry_expected(
        TOWN_B
    )


def test_pruning_keeps_month_ends_and_the_last_days(world, county_user, settings, capsys):
    """Snapshots of 40 days ending 2018-04-10: the prune keeps 31 January, 28 February, 31 March
    and the last 7 days; the figures of a kept month-end still read as before."""
    first = dt.date(2018, 1, 25)
    days = [first + dt.timedelta(days=i) for i in range(76)]  # to 2018-04-10
    SnapshotRun.objects.bulk_create(
        SnapshotRun(
            day=d, scope_code="", windows=[], built_at=dt.datetime(2018, 4, 11, tzinfo=dt.UTC)
        )
        for d in days
    )
    SnapshotValue.objects.bulk_create(
        SnapshotValue(day=d, indicator_code="placements", area_code=TOWN_A + "001", level=5, num=1)
        for d in days
    )
    march = dt.date(2018, 3, 31)
    SnapshotRun.objects.filter(day=march).delete()
    SnapshotValue.objects.filter(day=march).delete()
    snapshots.build(day=march)
    ind = Indicator.objects.get(code="medical_coverage")
    before = snapshots.figures([ind], user=county_user, start=march.replace(day=1), end=march)

    today = dt.date(2018, 4, 10)
    expected_kept = {dt.date(2018, 1, 31), dt.date(2018, 2, 28), march} | {
        today - dt.timedelta(days=i) for i in range(8)
    }
    removed, rows = snapshots.prune(today=today, keep_days=7)
    kept = set(SnapshotRun.objects.values_list("day", flat=True))
    assert kept == expected_kept
    assert set(SnapshotValue.objects.values_list("day", flat=True)) == expected_kept
    assert removed == len(days) - len(expected_kept) and rows == removed
    after = snapshots.figures([ind], user=county_user, start=march.replace(day=1), end=march)
    assert after["medical_coverage"].pair() == before["medical_coverage"].pair()
    assert snapshots.prune(today=today, keep_days=7) == (0, 0)  # nothing more to do

    # The command: the setting's N, a dry run deletes nothing, a bad N is refused in Chinese.
    settings.SNAPSHOT_KEEP_DAYS = 1
    call_command("prune_snapshots", "--dry-run")
    assert "将删除" in capsys.readouterr().out
    assert set(SnapshotRun.objects.values_list("day", flat=True)) == expected_kept
    with pytest.raises(Exception, match="保留天数应在 1 到 3660 之间"):
        call_command("prune_snapshots", "--keep-days", "0")
    call_command("prune_snapshots")
    out = capsys.readouterr().out
    assert "已删除" in out and "保留各月最后一天和最近 1 天" in out
    # Run today (2026 or later), every 2018 day but the month-ends and the latest goes.
    assert set(SnapshotRun.objects.values_list("day", flat=True)) == {
        dt.date(2018, 1, 31),
        dt.date(2018, 2, 28),
        march,
        today,
    }

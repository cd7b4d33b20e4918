"""Objects of the management loop in each township of the scope sweep, and the URL kwargs that
reach them."""

import datetime as dt

from fupin.management.loading import load_indicators
from fupin.management.models import (
    Bulletin,
    BulletinRead,
    Evidence,
    Indicator,
    Interview,
    ManualValue,
    Phase,
    Plan,
    SnapshotLevel,
    SnapshotRun,
    SnapshotValue,
    Target,
    Task,
)
from tests.access.marks import NOT_AREA_BOUND, NOT_SHOWN, marker

NOT_AREA_BOUND[SnapshotRun] = (
    "a snapshot run's header: its day, windows and timings; the figures are SnapshotValue rows"
)
NOT_SHOWN[SnapshotValue] = (
    "an indicator code is never shown as text (pages show indicator names); scope of snapshot "
    "rows: tests/management/test_snapshots.py::test_a_township_reads_only_its_own_rows"
)
NOT_AREA_BOUND[Indicator] = (
    "indicator definitions: the county's reference data (code, name, count definition, source sentence)"
)


def extend(world, users) -> None:
    load_indicators()
    county = "360222000000"
    workshops = Indicator.objects.get(code="workshops")
    manual = Indicator.objects.get(code="demo_points")
    today = dt.date.today()
    for town, user in users.items():
        m = lambda model, town=town: marker(town, model)  # noqa: E731
        code = town.ljust(12, "0")
        # Plans and bulletins are county-wide and shared-readable; each township's marked one is made
        # in its own area so the sweep can tell whose it is.
        plan = Plan.objects.create(
            name=m(Plan),
            area_code=code,
            starts_on=today.replace(month=1, day=1),
            ends_on=today.replace(month=12, day=31),
        )
        Phase.objects.create(
            plan=plan, name=m(Phase), starts_on=plan.starts_on, ends_on=plan.ends_on
        )
        county_plan = Plan.objects.create(
            name=f"{town}县方案", area_code=county, starts_on=plan.starts_on, ends_on=plan.ends_on
        )
        target = Target.objects.create(
            plan=county_plan, indicator=workshops, area_code=code, value=3, note=m(Target)
        )
        ManualValue.objects.create(
            indicator=manual,
            area_code=code,
            month=today.replace(day=1),
            value=1,
            note=m(ManualValue),
            entered_by=user,
        )
        task = Task.objects.create(
            plan=county_plan,
            title=m(Task),
            area_code=code,
            owner="所长",
            due_on=today,
            created_by=user,
        )
        from django.core.files.base import ContentFile

        ev = Evidence(
            task=task, name=m(Evidence), kind="pdf", size=8, sha256="0" * 64, uploaded_by=user
        )
        ev.file.save("sweep.pdf", ContentFile(b"%PDF-1.4"), save=True)
        bulletin = Bulletin.objects.create(
            area_code=code,
            month=today.replace(day=1),
            title=m(Bulletin),
            data={"sections": []},
            published_at=dt.datetime.now(dt.UTC),
        )
        BulletinRead.objects.create(
            bulletin=bulletin, area_code=code, user=user, name=m(BulletinRead)
        )
        SnapshotValue.objects.create(
            day=today,
            indicator_code=m(SnapshotValue),
            area_code=code,
            level=SnapshotLevel.TOWNSHIP,
            num=1,
        )
        interview = Interview.objects.create(
            area_code=code,
            task=task,
            held_on=today,
            interviewee="乡镇长",
            interviewer="县人社局局长",
            reason=m(Interview),
            actions="加快进度",
            follow_up_on=today,
            file_name="约谈纪要.pdf",
            file_kind="pdf",
            created_by=user,
        )
        interview.file.save("sweep-interview.pdf", ContentFile(b"%PDF-1.4"), save=False)
        interview.report_text = "已整改"
        interview.report_file_name = "整改报告.pdf"
        interview.report_file_kind = "pdf"
        interview.report_submitted_at = dt.datetime.now(dt.UTC)
        interview.report_file.save("sweep-report.pdf", ContentFile(b"%PDF-1.4"), save=True)
        world[town].update(
            plan=county_plan,
            own_plan=plan,
            target=target,
            task=task,
            evidence=ev,
            bulletin=bulletin,
            interview=interview,
        )


def install(factory, extensions, shared) -> None:
    extensions.append(extend)

    @factory("management:plan", "management:plan_target")
    def _plan(world, town):
        return {"pk": world[town]["plan"].pk}

    # Village targets go on a plan covering the township: another township's own plan is refused.
    @factory("management:plan_village_target")
    def _own_plan(world, town):
        return {"pk": world[town]["own_plan"].pk}

    @factory("management:task", "management:task_update", "management:task_upload")
    def _task(world, town):
        return {"pk": world[town]["task"].pk}

    @factory(
        "management:interview",
        "management:interview_follow_up",
        "management:interview_file",
        "management:interview_report",
        "management:interview_accept",
        "management:interview_report_file",
    )
    def _interview(world, town):
        return {"pk": world[town]["interview"].pk}

    @factory("management:evidence")
    def _evidence(world, town):
        return {"pk": world[town]["evidence"].pk}

    @factory(
        "management:bulletin",
        "management:bulletin_pdf",
        "management:bulletin_xlsx",
        "management:bulletin_publish",
        "management:bulletin_read",
    )
    def _bulletin(world, town):
        return {"pk": world[town]["bulletin"].pk}

    @factory("/api/v1/management/tasks/{pk}")
    def _api_task(world, town):
        return {"pk": world[town]["task"].pk}

    @factory("/api/v1/management/plans/{pk}/progress")
    def _api_plan(world, town):
        return {"pk": world[town]["plan"].pk}

    @factory("/api/v1/management/bulletins/{pk}")
    def _api_bulletin(world, town):
        return {"pk": world[town]["bulletin"].pk}

    # The county plan and the bulletins are shared-readable: every township reads them.
    shared.update(
        {
            "management:plan",
            "management:bulletin",
            "management:bulletin_pdf",
            "management:bulletin_xlsx",
            "/api/v1/management/bulletins/{pk}",
            "/api/v1/management/plans/{pk}/progress",
        }
    )

"""数据交换: import jobs with their staging rows, and comparison (信息比对) jobs with their results
and review decisions. The insurance enrolment extract they load and compare (参保数据) is
`fupin.insurance.models.EnrolmentRecord`."""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    """导入数据来源."""

    ROSTER = "roster", "建档立卡花名册（扶贫办）"
    DIBAO = "dibao", "低保名单（民政）"
    TEKUN = "tekun", "特困供养名单（民政）"
    DISABILITY = "disability", "残疾人名单（残联）"
    PENSION = "pension", "养老保险参保数据（社保）"
    MEDICAL = "medical", "医疗保险参保数据（医保）"


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    READING = "reading", "读取中"
    VALIDATING = "validating", "校验中"
    READY = "ready", "待确认"
    CONFIRMED = "confirmed", "已确认，等待合并"
    MERGING = "merging", "合并中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    RUNNING = "running", "比对中"


class Action(models.TextChoices):
    NEW = "new", "新增"
    CHANGED = "changed", "变更"
    UNCHANGED = "unchanged", "无变化"
    REJECTED = "rejected", "拒绝"


class ImportJob(models.Model):
    """导入任务: one uploaded file, read into staging, validated, previewed, then merged."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    kind = models.CharField("数据来源", max_length=12, choices=Kind.choices)
    filename = models.CharField("文件名", max_length=200)
    # The file itself: kept in the database so RQ workers on other machines can read it.
    content = models.BinaryField("文件内容", editable=False)
    area_code = models.CharField("辖区代码", max_length=12, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    state = models.CharField(
        "状态", max_length=12, choices=JobState.choices, default=JobState.QUEUED
    )
    message = models.TextField("说明", blank=True)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_read = models.PositiveIntegerField("已读取", default=0)
    rows_validated = models.PositiveIntegerField("已校验", default=0)
    rows_merged = models.PositiveIntegerField("已合并", default=0)
    counts = models.JSONField("预览统计", default=dict, blank=True)
    validated_at = models.DateTimeField("校验时间", null=True, blank=True)
    merged_at = models.DateTimeField("合并时间", null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state in (JobState.DONE, JobState.READY, JobState.FAILED) else 0
        if self.state == JobState.MERGING:
            return 100 * self.rows_merged // self.rows_total
        done = self.rows_read + self.rows_validated
        return min(100, 50 * done // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.state in (JobState.READY, JobState.DONE, JobState.FAILED)


class ImportRow(models.Model):
    """暂存行 (staging): one data row of an import file, normalised, with its verdict.

    Columns left NULL were not in the file (or blank) and never overwrite the registry.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField("行号")
    action = models.CharField("处理", max_length=10, choices=Action.choices)
    errors = models.JSONField("问题", default=list, blank=True)  # [[column, reason], …]
    # Household (户) columns of a roster.
    household_number = models.CharField(max_length=24, null=True)
    household_action = models.CharField(max_length=10, blank=True)
    target_household_id = models.BigIntegerField(null=True)
    village_code = models.CharField(max_length=12, null=True)
    address = models.CharField(max_length=200, null=True)
    phone = models.CharField(max_length=20, null=True)
    attribute = models.CharField(max_length=10, null=True)
    standard = models.CharField(max_length=12, null=True)
    year_identified = models.PositiveSmallIntegerField(null=True)
    main_cause = models.CharField(max_length=12, null=True)
    cause_2 = models.CharField(max_length=12, null=True)
    cause_3 = models.CharField(max_length=12, null=True)
    household_status = models.CharField(max_length=16, null=True)
    exit_year = models.PositiveSmallIntegerField(null=True)
    # Person (人) columns.
    target_person_id = models.BigIntegerField(null=True)
    old_status = models.CharField(max_length=16, blank=True)
    id_number = models.CharField(max_length=18, null=True)
    name = models.CharField(max_length=50, null=True)
    sex = models.CharField(max_length=1, null=True)
    birth_date = models.DateField(null=True)
    relation = models.CharField(max_length=14, null=True)
    ethnicity = models.CharField(max_length=10, null=True)
    education = models.CharField(max_length=12, null=True)
    health = models.CharField(max_length=10, null=True)
    labour_skill = models.CharField(max_length=8, null=True)
    work_status = models.CharField(max_length=16, null=True)
    person_phone = models.CharField(max_length=20, null=True)
    status = models.CharField(max_length=16, null=True)
    disability_type = models.CharField(max_length=14, null=True)
    disability_grade = models.PositiveSmallIntegerField(null=True)
    disability_cert = models.CharField(max_length=30, null=True)
    # Insurance enrolment extract columns.
    insurance = models.CharField(max_length=8, null=True)
    area_code = models.CharField(max_length=12, null=True)
    enrolment_status = models.CharField(max_length=12, null=True)
    poverty_tag = models.BooleanField(null=True)
    premium_subsidy = models.BooleanField(null=True)
    deceased = models.BooleanField(null=True)
    target_enrolment_id = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "暂存行"
        verbose_name_plural = "暂存行"
        ordering = ["job", "row_no"]
        indexes = [models.Index(fields=["job", "action"], name="importrow_job_action")]


class ComparisonJob(models.Model):
    """信息比对任务: the registry of an area against the enrolment extract."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    area_code = models.CharField("比对范围", max_length=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=JobState.choices, default=JobState.QUEUED
    )
    step = models.PositiveSmallIntegerField("当前步骤", default=0)
    steps = models.PositiveSmallIntegerField("总步骤", default=1)
    step_label = models.CharField("步骤说明", max_length=100, blank=True)
    message = models.TextField("说明", blank=True)
    registry_rows = models.PositiveIntegerField("建档立卡人数", default=0)
    enrolment_rows = models.PositiveIntegerField("参保记录数", default=0)
    summary = models.JSONField("各类数量", default=dict, blank=True)
    by_township = models.JSONField("分乡镇数量", default=dict, blank=True)
    seconds = models.FloatField("耗时(秒)", null=True, blank=True)

    class Meta:
        verbose_name = "信息比对任务"
        verbose_name_plural = "信息比对任务"
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        return (
            100
            if self.state in (JobState.DONE, JobState.FAILED)
            else 100 * self.step // max(self.steps, 1)
        )

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


class Review(models.TextChoices):
    NONE = "", "—"
    PENDING = "pending", "待审核"
    CONFIRMED = "confirmed", "确认为同一人"
    REJECTED = "rejected", "不是同一人"


class ComparisonResult(models.Model):
    """比对结果: one finding of a category, for a registry person and/or an enrolment row."""

    AREA_CODE_FIELD = "village_code"

    job = models.ForeignKey(ComparisonJob, on_delete=models.CASCADE, related_name="results")
    category = models.CharField("类别", max_length=24, db_index=True)
    insurance = models.CharField("险种", max_length=8, blank=True)
    village_code = models.CharField("区划(12位)", max_length=12)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_number = models.CharField("身份证号(建档立卡)", max_length=24, blank=True)
    name = models.CharField("姓名(建档立卡)", max_length=50, blank=True)
    enrol_id_number = models.CharField("身份证号(参保)", max_length=24, blank=True)
    enrol_name = models.CharField("姓名(参保)", max_length=50, blank=True)
    enrol_area_code = models.CharField("参保地", max_length=12, blank=True)
    score = models.FloatField("相似度", null=True, blank=True)
    detail = models.CharField("说明", max_length=200, blank=True)
    review = models.CharField(
        "审核", max_length=10, choices=Review.choices, blank=True, default=Review.NONE
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "比对结果"
        verbose_name_plural = "比对结果"
        ordering = ["job", "category", "village_code", "id"]
        indexes = [
            models.Index(fields=["job", "category", "village_code"], name="cmpres_job_cat_area")
        ]

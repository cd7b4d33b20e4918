"""Models of stored claims (医疗费用结算单). Imported by `fupin.insurance.models` so the insurance app owns them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

from fupin.registry.models import Person


class ImportState(models.TextChoices):
    READING = "reading", "读取校验中"
    READY = "ready", "待确认"
    MERGING = "merging", "合并中"
    DONE = "done", "已入库"
    FAILED = "failed", "失败"


class VisitType(models.TextChoices):
    INPATIENT = "inpatient", "住院"
    CHRONIC = "chronic_outpatient", "门诊慢性病"
    MATERNITY = "maternity", "住院分娩（含新生儿）"


class ClaimImport(models.Model):
    """结算数据导入: one hospital or insurance settlement file, staged, previewed, then merged."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容", editable=False)
    area_code = models.CharField("辖区代码", max_length=12, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    state = models.CharField(
        "状态", max_length=10, choices=ImportState.choices, default=ImportState.READING
    )
    message = models.TextField("说明", blank=True)
    step = models.CharField(
        "进度", max_length=100, blank=True
    )  # what the background check is doing
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField(
        "已检查行数", default=0
    )  # the background check's progress
    rows_rejected = models.PositiveIntegerField("有误行数", default=0)
    unknown_persons = models.JSONField(
        "未登记人员", default=list, blank=True
    )  # [[row, masked id, name], …]
    validated_at = models.DateTimeField("校验时间", null=True, blank=True)
    merged_at = models.DateTimeField("入库时间", null=True, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )

    class Meta:
        verbose_name = "结算数据导入"
        verbose_name_plural = "结算数据导入"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"结算数据 {self.filename}"

    @property
    def percent(self) -> int:
        """Rows done of the current step of the background check (`uploadjob.Steps`), of the file's
        rows (0 before it has read the file)."""
        if self.state != ImportState.READING:
            return 100
        return min(100, 100 * self.rows_done // self.rows_total) if self.rows_total else 0


class ClaimImportRow(models.Model):
    """结算数据暂存行: one row of the file, read and checked, with its faults; NULL = not given."""

    job = models.ForeignKey(ClaimImport, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField("行号")
    errors = models.JSONField("问题", default=list, blank=True)  # [[column header, reason], …]
    claim_no = models.CharField(max_length=40, null=True)
    id_number = models.CharField(max_length=18, null=True)
    name = models.CharField(max_length=50, null=True)
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    village_code = models.CharField(max_length=12, null=True)
    hospital = models.CharField(max_length=100, null=True)
    visit_type = models.CharField(max_length=20, null=True)
    hospital_level = models.PositiveSmallIntegerField(null=True)
    disease_code = models.CharField(max_length=20, null=True)
    admission_date = models.DateField(null=True)
    total_fen = models.BigIntegerField(null=True)
    in_policy_fen = models.BigIntegerField(null=True)
    rehab_fen = models.BigIntegerField(null=True)
    transfer = models.BooleanField(null=True)

    class Meta:
        verbose_name = "结算数据暂存行"
        verbose_name_plural = "结算数据暂存行"
        ordering = ["job", "row_no"]


IDENTITY_FIELDS = ("policy", "period", "category", "category_basis", "chronic_class", "settled_at")
SPLIT_PARTS = ("basic_fen", "critical_fen", "assistance_fen", "fallback_fen", "self_fen")


class ClaimQuerySet(models.QuerySet):
    def with_split(self) -> ClaimQuerySet:
        """The claims with their official settlement (`ClaimSplit`): its identity under the same
        names (`category`, `chronic_class`, `policy`, `period`, `category_basis`: "" for a claim not
        settled yet; `settled_at`: None) and its parts as `split_basic_fen` … `split_self_fen` (0)."""
        texts = {f: Coalesce(F(f"split__{f}"), Value("")) for f in IDENTITY_FIELDS[:-1]}
        parts = {f"split_{p}": Coalesce(F(f"split__{p}"), 0) for p in SPLIT_PARTS}
        return self.annotate(**texts, settled_at=F("split__settled_at"), **parts)


class MedicalClaim(models.Model):
    """医疗费用结算单: one stored claim of a registry person as the hospital or the insurance
    reported it. Its official settlement — the policy and period it was settled under, the
    person's category and chronic class of the admission day, and the split in fen — is in
    `ClaimSplit` (none yet: not settled); read them together through `with_split()`. The trail
    (计算过程: each step, its rule and source) is in `ClaimTrail`, filled in the background after a
    settlement."""

    AREA_CODE_FIELD = "village_code"

    claim_no = models.CharField("结算单号", max_length=40, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name="人员"
    )
    village_code = models.CharField("村代码", max_length=12)
    job = models.ForeignKey(
        ClaimImport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name="导入",
    )
    hospital = models.CharField("医院", max_length=100, blank=True)
    visit_type = models.CharField("就诊类型", max_length=20, choices=VisitType.choices)
    hospital_level = models.PositiveSmallIntegerField("医院级别")
    disease_code = models.CharField("疾病编码", max_length=20, blank=True)
    admission_date = models.DateField("入院日期")
    year = models.PositiveSmallIntegerField("年度")
    total_fen = models.BigIntegerField("总费用(分)")
    in_policy_fen = models.BigIntegerField("政策范围内费用(分)")
    # 吉林 003: the 20 rehabilitation items' cost (outside the policy scope unless the pack brings
    # them in) and a stay that continues the previous one by transfer (转院连续计算起付线).
    rehab_fen = models.BigIntegerField("康复项目费用(分)", default=0, db_default=0)
    transfer = models.BooleanField("转院接续", default=False, db_default=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "医疗费用结算单"
        verbose_name_plural = "医疗费用结算单"
        ordering = ["admission_date", "claim_no"]
        indexes = [
            models.Index(fields=["year", "village_code"], name="medclaim_year_area"),
            models.Index(fields=["person", "year"], name="medclaim_person_year"),
        ]

    def __str__(self) -> str:
        return f"结算单 {self.claim_no}"


class ClaimSplit(models.Model):
    """正式结算: the official settlement of one stored claim — the split and the identity it was
    settled with (policy and period, the person's category and its basis, the chronic class of the
    admission day, when) — in its own narrow table; a claim without a row is not settled yet.

    This is what pages, exports, the API and the self-pay flag read. Settling a whole year again
    (`store.write_back`: the official re-settle, 按新身份重算) does not update a million wide claim
    rows in place: on PostgreSQL it COPYs the year, split and identity together, into a fresh table
    (beside the other years' rows), builds the indexes once and swaps the tables in one
    transaction, so a claim's identity and parts always come from the same settlement. An import
    settles its persons' years and replaces just their rows. Every reader joins this table
    (`MedicalClaim.objects.with_split()`, or a join in SQL)."""

    AREA_CODE_FIELD = "village_code"

    claim = models.OneToOneField(MedicalClaim, primary_key=True, on_delete=models.DO_NOTHING, related_name="split",
                                 db_constraint=False, verbose_name="结算单")  # fmt: skip
    person_id = models.BigIntegerField("人员")
    year = models.PositiveSmallIntegerField("年度")
    village_code = models.CharField("村代码", max_length=12)
    basic_fen = models.BigIntegerField("基本医保(分)")
    critical_fen = models.BigIntegerField("大病保险(分)")
    assistance_fen = models.BigIntegerField("医疗救助(分)")
    fallback_fen = models.BigIntegerField("兜底保障(分)")
    self_fen = models.BigIntegerField("个人自付(分)")
    policy = models.CharField("适用政策", max_length=40, blank=True, default="", db_default="")
    period = models.CharField("政策期间", max_length=40, blank=True, default="", db_default="")
    category = models.CharField("人员类别", max_length=8, blank=True, default="", db_default="")
    category_basis = models.CharField(
        "类别依据", max_length=200, blank=True, default="", db_default=""
    )
    chronic_class = models.CharField(
        "慢性病类别", max_length=4, blank=True, default="", db_default=""
    )
    settled_at = models.DateTimeField("结算时间", null=True, blank=True)

    class Meta:
        verbose_name = "正式结算"
        verbose_name_plural = "正式结算"
        indexes = [
            models.Index(fields=["year", "village_code"], name="claimsplit_year_area"),
            models.Index(fields=["person_id", "year"], name="claimsplit_person_year"),
        ]


class ClaimTrail(models.Model):
    """计算过程: the trail of one stored claim's official settlement (each step, its rule, amount
    in fen and source), in its own narrow table, as the scalar path gives it — written only after
    its parts were checked to the fen against the claim's `ClaimSplit`.

    A settlement (an import, 按新身份重算) writes the split with its identity (`ClaimSplit`) and
    deletes the trails of the person-years it changed; `trails.fill` (a background task, 计算过程补写)
    writes the missing ones. `settled_at` is the claim's settlement the trail belongs to: a trail
    of another settlement is never shown (pages compute one instead)."""

    AREA_CODE_FIELD = "village_code"

    claim = models.OneToOneField(MedicalClaim, primary_key=True, on_delete=models.DO_NOTHING, related_name="trail",
                                 db_constraint=False, verbose_name="结算单")  # fmt: skip
    person_id = models.BigIntegerField("人员")
    year = models.PositiveSmallIntegerField("年度")
    village_code = models.CharField("村代码", max_length=12)
    policy = models.CharField("适用政策", max_length=40, blank=True)
    period = models.CharField("政策期间", max_length=40, blank=True)
    steps = models.JSONField("计算过程", default=list, blank=True)
    settled_at = models.DateTimeField("结算时间", null=True, blank=True)

    class Meta:
        verbose_name = "计算过程"
        verbose_name_plural = "计算过程"
        indexes = [models.Index(fields=["person_id", "year"], name="claimtrail_person_year")]


class TrailState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "补写中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class TrailFill(models.Model):
    """计算过程补写: a background run writing the missing trails (`ClaimTrail`) of the settled claims
    in an area (and year), after an import or a 按新身份重算 deleted the ones it changed; whole
    person-years at a time, each chunk its own transaction. A claim whose scalar path does not
    agree with its official split to the fen gets no trail and is listed (`mismatched_claims`)."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    area_code = models.CharField("范围", max_length=12)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)  # None: every year
    official_run = models.ForeignKey("OfficialResettlement", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="trail_fills", verbose_name="按新身份重算")  # fmt: skip
    claim_import = models.ForeignKey(ClaimImport, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="trail_fills", verbose_name="结算数据导入")  # fmt: skip
    state = models.CharField(
        "状态", max_length=10, choices=TrailState.choices, default=TrailState.QUEUED
    )
    message = models.TextField("结果说明", blank=True)
    rows_total = models.PositiveIntegerField("待补写笔数", default=0)
    rows_done = models.PositiveIntegerField("已补写笔数", default=0)
    mismatched = models.PositiveIntegerField("核对不一致笔数", default=0)
    mismatched_claims = models.JSONField("核对不一致的结算单", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "计算过程补写"
        verbose_name_plural = "计算过程补写"
        ordering = ["-id"]

    def __str__(self) -> str:
        return "计算过程补写"

    @property
    def percent(self) -> int:
        if self.state == TrailState.DONE:
            return 100
        return min(100, 100 * self.rows_done // self.rows_total) if self.rows_total else 0


class RunState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "测算中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Resettlement(models.Model):
    """政策测算（真实数据）: a year of stored claims settled again under another region or date.
    The results are kept apart (`ResettledClaim`), never over the official settlement."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    year = models.PositiveSmallIntegerField("年度")
    policy = models.CharField("测算政策", max_length=40)
    area_code = models.CharField("范围", max_length=12)
    note = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=RunState.choices, default=RunState.QUEUED
    )
    message = models.TextField("结果说明", blank=True)
    rows_total = models.PositiveIntegerField("结算单数", default=0)
    rows_done = models.PositiveIntegerField("已测算", default=0)
    skipped = models.PositiveIntegerField("未测算", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "政策测算"
        verbose_name_plural = "政策测算"
        ordering = ["-id"]

    @property
    def percent(self) -> int:
        if self.state == RunState.DONE:
            return 100
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0


class ResettledClaim(models.Model):
    """One claim's split under a re-settlement, beside its official one.

    A year's results are COPY'd in at once (a million rows): no foreign-key triggers and no index
    beyond the unique (run, claim) one and the area one. Results go with their run (deleted
    together); a stored claim is never deleted (registry data)."""

    AREA_CODE_FIELD = "village_code"

    run = models.ForeignKey(Resettlement, on_delete=models.CASCADE, related_name="claims", verbose_name="测算",
                            db_constraint=False, db_index=False)  # fmt: skip
    claim = models.ForeignKey(MedicalClaim, on_delete=models.DO_NOTHING, related_name="+", verbose_name="结算单",
                              db_constraint=False, db_index=False)  # fmt: skip
    village_code = models.CharField("村代码", max_length=12)
    basic_fen = models.BigIntegerField("基本医保(分)")
    critical_fen = models.BigIntegerField("大病保险(分)")
    assistance_fen = models.BigIntegerField("医疗救助(分)")
    fallback_fen = models.BigIntegerField("兜底保障(分)")
    self_fen = models.BigIntegerField("个人自付(分)")

    class Meta:
        verbose_name = "测算结果"
        verbose_name_plural = "测算结果"
        constraints = [
            models.UniqueConstraint(fields=["run", "claim"], name="resettled_claim_once")
        ]
        indexes = [models.Index(fields=["run", "village_code"], name="resettled_run_area")]


class OfficialResettlement(models.Model):
    """按新身份重算: a stored year settled again officially, for the county or one township, after
    the registry identity (低保/特困 periods, poverty status) or a 慢性病医疗证 changed.

    Unlike 政策测算 this replaces the official settlement (`ClaimSplit`: the split and, for the
    changed person-years, the new identity, in one `store.write_back`) and deletes the changed
    claims' trails for the background fill (`TrailFill`); what changed is kept claim by claim
    (`OfficialChange`). One queued or running re-settle per year (a database constraint): a
    second one is refused in Chinese while the first runs."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    year = models.PositiveSmallIntegerField("年度")
    area_code = models.CharField("范围", max_length=12)
    note = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=RunState.choices, default=RunState.QUEUED
    )
    step = models.CharField("进度", max_length=100, blank=True)
    message = models.TextField("结果说明", blank=True)
    rows_total = models.PositiveIntegerField("结算单数", default=0)
    rows_done = models.PositiveIntegerField("已重算", default=0)
    changed = models.PositiveIntegerField("有变化", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "按新身份重算"
        verbose_name_plural = "按新身份重算"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(state__in=["queued", "running"]),
                name="official_resettle_one_live_per_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} 年度按新身份重算"

    @property
    def percent(self) -> int:
        if self.state == RunState.DONE:
            return 100
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0


class OfficialChange(models.Model):
    """One claim whose official settlement a re-settle changed: identity and the five parts, before
    and after (fen).

    A re-settle COPYs up to a year of these at once (a million rows): no foreign-key triggers and
    no index beyond the primary key and the unique (run, claim) one, which serves every read (by
    run); they go with their run (deleted together)."""

    AREA_CODE_FIELD = "village_code"

    run = models.ForeignKey(OfficialResettlement, on_delete=models.CASCADE, related_name="changes", verbose_name="重算",
                            db_constraint=False, db_index=False)  # fmt: skip
    claim = models.ForeignKey(MedicalClaim, on_delete=models.DO_NOTHING, related_name="+", verbose_name="结算单",
                              db_constraint=False, db_index=False)  # fmt: skip
    village_code = models.CharField("村代码", max_length=12)
    old_category = models.CharField("原人员类别", max_length=8, blank=True)
    new_category = models.CharField("新人员类别", max_length=8, blank=True)
    old_chronic_class = models.CharField("原慢性病类别", max_length=4, blank=True)
    new_chronic_class = models.CharField("新慢性病类别", max_length=4, blank=True)
    old_basic_fen = models.BigIntegerField("原基本医保(分)")
    old_critical_fen = models.BigIntegerField("原大病保险(分)")
    old_assistance_fen = models.BigIntegerField("原医疗救助(分)")
    old_fallback_fen = models.BigIntegerField("原兜底保障(分)")
    old_self_fen = models.BigIntegerField("原个人自付(分)")
    basic_fen = models.BigIntegerField("基本医保(分)")
    critical_fen = models.BigIntegerField("大病保险(分)")
    assistance_fen = models.BigIntegerField("医疗救助(分)")
    fallback_fen = models.BigIntegerField("兜底保障(分)")
    self_fen = models.BigIntegerField("个人自付(分)")

    class Meta:
        verbose_name = "重算变化"
        verbose_name_plural = "重算变化"
        ordering = ["run", "village_code", "claim"]
        constraints = [
            models.UniqueConstraint(fields=["run", "claim"], name="official_change_once")
        ]


class IdentityImport(models.Model):
    """低保/特困期间导入: a file of dated 低保/特困 periods (民政部门名单), staged, previewed, then
    recorded through `registry.services.record_identity_period` in one transaction."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容", editable=False)
    area_code = models.CharField("辖区代码", max_length=12, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传人")  # fmt: skip
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    state = models.CharField(
        "状态", max_length=10, choices=ImportState.choices, default=ImportState.READING
    )
    message = models.TextField("说明", blank=True)
    step = models.CharField(
        "进度", max_length=100, blank=True
    )  # what the background check is doing
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已检查行数", default=0)
    rows_rejected = models.PositiveIntegerField("有误行数", default=0)
    merged_at = models.DateTimeField("入库时间", null=True, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="确认人")  # fmt: skip

    class Meta:
        verbose_name = "低保特困期间导入"
        verbose_name_plural = "低保特困期间导入"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"低保特困名单 {self.filename}"

    @property
    def percent(self) -> int:
        """Rows done of the current step of the background check (`uploadjob.Steps`), of the file's
        rows (0 before it has read the file)."""
        if self.state != ImportState.READING:
            return 100
        return min(100, 100 * self.rows_done // self.rows_total) if self.rows_total else 0


class IdentityImportRow(models.Model):
    """低保/特困期间暂存行: one row of the file with its faults; NULL = not given or not valid."""

    job = models.ForeignKey(IdentityImport, on_delete=models.CASCADE, related_name="rows")
    row_no = models.PositiveIntegerField("行号")
    errors = models.JSONField("问题", default=list, blank=True)  # [[column header, reason], …]
    id_number = models.CharField(max_length=18, null=True)
    name = models.CharField(max_length=50, null=True)
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    identity = models.CharField(max_length=12, null=True)
    start = models.DateField(null=True)
    end = models.DateField(null=True)
    reason = models.CharField(max_length=300, null=True)

    class Meta:
        verbose_name = "低保特困期间暂存行"
        verbose_name_plural = "低保特困期间暂存行"
        ordering = ["job", "row_no"]

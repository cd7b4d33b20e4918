"""领取失业保险金人员价格临时补贴: the monthly price index staff enter, who drew unemployment
benefit in a month (imported from the agency's xlsx extract through staging rows), the monthly
runs and the subsidies they computed (paid through 资金发放)."""

from django.conf import settings
from django.db import models


class PriceIndex(models.Model):
    """全省居民消费价格指数（上年同月=100）: one value a month, entered by county staff.
    Province-wide reference data: not area-bound."""

    month = models.CharField("月份", max_length=7, unique=True)
    index_hundredths = models.PositiveIntegerField("同比指数(×100)")
    note = models.CharField("来源说明", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "价格指数"
        verbose_name_plural = "价格指数"
        ordering = ["-month"]

    @property
    def index_text(self) -> str:
        whole, rest = divmod(self.index_hundredths, 100)
        return f"{whole}.{rest:02d}"


class ImportState(models.TextChoices):
    READY = "ready", "校验通过，待确认"
    FAILED = "failed", "有错误，未导入"
    MERGED = "merged", "已导入"


class DrawingImport(models.Model):
    """失业保险金领取名单导入: one uploaded extract, read into staging rows, checked, then merged
    all or nothing."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    area_code = models.CharField("导入范围", max_length=12)
    filename = models.CharField("文件名", max_length=100)
    state = models.CharField("状态", max_length=8, choices=ImportState.choices)
    rows = models.PositiveIntegerField("行数", default=0)
    errors = models.PositiveIntegerField("错误行数", default=0)
    skipped = models.PositiveIntegerField("非本辖区建档立卡人员", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    merged_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "失业保险金领取名单导入"
        verbose_name_plural = "失业保险金领取名单导入"
        ordering = ["-id"]


class DrawingRow(models.Model):
    """暂存行: one row of an uploaded extract, with its fault (if any)."""

    AREA_CODE_FIELD = "job__area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    job = models.ForeignKey(DrawingImport, on_delete=models.CASCADE, related_name="staged")
    row_no = models.PositiveIntegerField("行号")
    id_number = models.CharField("身份证号", max_length=24, blank=True)
    name = models.CharField("姓名", max_length=50, blank=True)
    month = models.CharField("月份", max_length=7, blank=True)
    benefit_fen = models.BigIntegerField("失业保险金(分)", null=True, blank=True)
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.CharField("错误", max_length=300, blank=True)
    skip = models.CharField("跳过原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "失业保险金领取名单暂存行"
        verbose_name_plural = "失业保险金领取名单暂存行"
        ordering = ["job_id", "row_no"]


class BenefitDrawing(models.Model):
    """领取失业保险金: a registry person drew unemployment benefit in a month."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("区划(12位)", max_length=12, db_index=True)
    month = models.CharField("月份", max_length=7)
    benefit_fen = models.BigIntegerField("失业保险金(分)", null=True, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    job = models.ForeignKey(
        DrawingImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "失业保险金领取记录"
        verbose_name_plural = "失业保险金领取记录"
        ordering = ["-month", "village_code", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="benefit_drawing_person_month")
        ]
        indexes = [models.Index(fields=["month", "village_code"], name="drawing_month_village")]


class SubsidyRun(models.Model):
    """价格临时补贴月度核算: one run for a month and an area; running it again adds only the
    persons not yet computed (idempotent)."""

    AREA_CODE_FIELD = "area_code"
    AREA_CODE_VARIABLE_LENGTH = True

    month = models.CharField("月份", max_length=7)
    area_code = models.CharField("范围", max_length=12)
    pack_id = models.CharField("政策包", max_length=60)
    index_hundredths = models.PositiveIntegerField("同比指数(×100)")
    trigger_bp = models.PositiveIntegerField("启动涨幅(万分之一)")
    triggered = models.BooleanField("已启动")
    created = models.PositiveIntegerField("新增", default=0)
    existing = models.PositiveIntegerField("已有", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("核算时间", auto_now_add=True)

    class Meta:
        verbose_name = "价格临时补贴核算"
        verbose_name_plural = "价格临时补贴核算"
        ordering = ["-id"]


class PriceSubsidy(models.Model):
    """价格临时补贴: one person's subsidy for one month, as the run computed it."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    village_code = models.CharField("区划(12位)", max_length=12, db_index=True)
    month = models.CharField("月份", max_length=7)
    amount_fen = models.BigIntegerField("补贴金额(分)")
    index_hundredths = models.PositiveIntegerField("同比指数(×100)")
    rule = models.CharField("适用规则", max_length=100)
    run = models.ForeignKey(SubsidyRun, on_delete=models.PROTECT, related_name="subsidies")

    class Meta:
        verbose_name = "价格临时补贴"
        verbose_name_plural = "价格临时补贴"
        ordering = ["-month", "village_code", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="price_subsidy_person_month"),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="price_subsidy_positive"
            ),
        ]
        indexes = [models.Index(fields=["month", "village_code"], name="pricesub_month_village")]

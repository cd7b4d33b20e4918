"""创业扶持: guaranteed start-up loans (创业担保贷款) with their interest subsidy, and the
one-time start-up subsidy (一次性创业补贴), once per person by a database constraint."""

from django.conf import settings
from django.db import models

from fupin.registry.models import Person


class LoanKind(models.TextChoices):
    INDIVIDUAL = "individual", "个人创业"
    PARTNERSHIP = "partnership", "合伙经营/组织起来创业"
    SMALL_FIRM = "small_firm", "小微企业"


class Loan(models.Model):
    """创业担保贷款: interest-only, principal at maturity; the subsidy schedule is computed."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="loans")
    village_code = models.CharField(max_length=12)
    kind = models.CharField(
        "类别", max_length=12, choices=LoanKind.choices, default=LoanKind.INDIVIDUAL
    )
    guaranteed = models.BooleanField("有担保", default=True)
    project = models.CharField("创业项目", max_length=100)
    lender = models.CharField(
        "承贷银行", max_length=100, help_text="登记贷款时不填则为本县默认承贷银行"
    )
    principal_fen = models.BigIntegerField("贷款金额(分)")
    annual_rate_bp = models.PositiveIntegerField("年利率(万分之)")
    term_months = models.PositiveSmallIntegerField("期限(月)", default=24)
    start_on = models.DateField("放款日期")
    pack_id = models.CharField("政策包", max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "创业担保贷款"
        verbose_name_plural = "创业担保贷款"
        ordering = ["-start_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(principal_fen__gt=0), name="loan_positive")
        ]


class StartupSubsidy(models.Model):
    """一次性创业补贴 (004: 5000 元；每个建档立卡贫困劳动力只能享受一次)."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="startup_subsidies")
    village_code = models.CharField(max_length=12)
    firm_name = models.CharField("企业名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    founded_on = models.DateField("成立日期")
    amount_fen = models.PositiveIntegerField("金额(分)")
    pack_id = models.CharField("政策包", max_length=40)
    granted_on = models.DateField("发放日期")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "一次性创业补贴"
        verbose_name_plural = "一次性创业补贴"
        constraints = [
            models.UniqueConstraint(fields=["person"], name="startup_subsidy_once_per_person")
        ]

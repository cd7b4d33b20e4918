"""Resident portal records: assisted-service sessions (代办); login codes and resident requests follow."""

from django.conf import settings
from django.db import models


class AssistMode(models.TextChoices):
    STATION = "station", "村便民服务站代办"
    HOME = "home", "上门服务"


class Authorisation(models.TextChoices):
    PHOTO = "photo", "签字授权书拍照"
    CODE = "code", "验证码口述授权"


class Assistance(models.Model):
    """代办记录: a village assistant serving a resident on their behalf, with the resident's authorisation.

    Every action done while it is open is marked with it (the request's `assistance`), so a record
    always tells who acted for whom. `ended_at` closes it; a closed one serves nothing more."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="居民"
    )
    village_code = models.CharField("村代码", max_length=12, db_index=True)
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="代办员"
    )
    mode = models.CharField("服务方式", max_length=10, choices=AssistMode.choices)
    authorisation = models.CharField("授权方式", max_length=10, choices=Authorisation.choices)
    photo = models.FileField("授权书照片", upload_to="portal/authorisations/", blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "代办记录"
        verbose_name_plural = "代办记录"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"代办 {self.pk}"


class LoginCode(models.Model):
    """一次性登录验证码: one code asked for with an ID number and a phone number.

    Holds no personal data: the ID number, the phone number and the code are stored only as keyed
    hashes (HMAC with the site key), so a copy of the table tells nothing and cannot be reversed.
    A row is written whether or not the ID number is in the registry (the answer must not tell),
    and only a matching resident is actually sent the code. Rows older than a day are deleted."""

    id_key = models.CharField("身份证号摘要", max_length=64)
    phone_key = models.CharField("手机号摘要", max_length=64)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    code_hash = models.CharField("验证码摘要", max_length=100)
    created_at = models.DateTimeField("发送时间", db_index=True)
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录验证码"
        verbose_name_plural = "登录验证码"
        indexes = [
            models.Index(fields=["id_key", "created_at"], name="portal_code_id_at"),
            models.Index(fields=["phone_key", "created_at"], name="portal_code_phone_at"),
            models.Index(fields=["ip", "created_at"], name="portal_code_ip_at"),
        ]


class SmsPurpose(models.TextChoices):
    LOGIN = "login", "登录验证码"
    CONSENT = "consent", "代办授权验证码"


class SmsOutbox(models.Model):
    """短信待发: one code message waiting for the background job that texts it, erased when sent.

    Holds neither the phone number nor the code: the job reads the phone from the registry (the one of
    the person's or household's numbers whose keyed hash is `phone_key`) and derives the code again from
    `nonce` with the site key (`otp.code_for`), so the task queue and this table tell nothing without the
    key. `person` is empty when the ID number asked with is not a registered resident's with that phone:
    the row is written all the same (the page does the same work) and the job sends nothing. The job
    deletes the row before sending; rows older than the code's life are deleted whenever a new one is
    written (a worker that never ran leaves nothing usable)."""

    AREA_CODE_FIELD = "person__village_code"

    purpose = models.CharField("用途", max_length=10, choices=SmsPurpose.choices)
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="居民",
    )
    phone_key = models.CharField("手机号摘要", max_length=64, blank=True)
    nonce = models.CharField("验证码种子", max_length=32)
    assistant_name = models.CharField("代办员", max_length=150, blank=True)
    created_at = models.DateTimeField("写入时间", db_index=True)

    class Meta:
        verbose_name = "短信待发"
        verbose_name_plural = "短信待发"


class RequestKind(models.TextChoices):
    PENSION_TIER = "pension_tier", "选择下一年度养老保险缴费档次"
    TRAINING = "training", "申请参加技能培训"
    JOB = "job", "申请推荐就业"
    APPRAISAL = "appraisal", "申请慢性病鉴定"
    PHONE = "phone", "更新手机号码"


class RequestStatus(models.TextChoices):
    OPEN = "open", "待办理"
    IN_PROGRESS = "in_progress", "办理中"
    DONE = "done", "已办结"
    REFUSED = "refused", "不予办理"


OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.IN_PROGRESS)


class ResidentRequest(models.Model):
    """居民申请: what a resident asked for in the portal (or through the village assistant), a task for
    the township with a deadline from the pack (`portal.request_days`). `detail` holds the kind's
    values (tier_fen and year; wished_trade; phone …); `assistance` marks it as done on their behalf."""

    AREA_CODE_FIELD = "village_code"

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", verbose_name="居民"
    )
    village_code = models.CharField("村代码", max_length=12)
    kind = models.CharField("事项", max_length=16, choices=RequestKind.choices)
    detail = models.JSONField("申请内容", default=dict, blank=True)
    note = models.CharField("居民留言", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    due_on = models.DateField("办理时限")
    rule = models.CharField("时限依据", max_length=80)
    assistance = models.ForeignKey(
        Assistance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name="代办记录",
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    answer = models.CharField("办理结果", max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办理人",
    )
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)

    class Meta:
        verbose_name = "居民申请"
        verbose_name_plural = "居民申请"
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["village_code", "status", "due_on"], name="portal_req_area"),
            models.Index(fields=["person", "created_at"], name="portal_req_person"),
        ]
        constraints = [
            # One open request of a kind per person: a second tap (or two at once) is not a second task.
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="portal_req_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.pk}）"

"""API authentication: the staff session, or a bearer token from POST /api/v1/auth/token."""

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from fupin.access.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        # Expired tokens and those of deactivated users are refused (password changes delete them).
        row = (
            ApiToken.valid()
            .select_related("user", "user__area")
            .filter(digest=ApiToken.hash(token))
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


# The bearer token first: the session check enforces CSRF and would refuse a token client's POST.
STAFF_AUTH = [TokenAuth(), SessionAuth()]

"""Users, roles, area scope and the audit log (用户与权限)."""

def user_area(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_area": user.area, "user_role": user.get_role_display()}

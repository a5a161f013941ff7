app_name = "clubs"

# Joining, members, invitations and a club's settings (views.py).
urlpatterns = []

# Question templates and nominations (tool_views.py).
urlpatterns += []

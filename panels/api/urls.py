"""The panels app's API routes, included under /api/v1/ by the project's URLs."""

urlpatterns: list = []

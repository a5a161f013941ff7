from . import deposit_urls, export_urls

app_name = "proceedings"

# Exports (proceedings as files) and deposits (a DOI for them) keep their own patterns.
urlpatterns = [*export_urls.urlpatterns, *deposit_urls.urlpatterns]

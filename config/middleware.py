"""Request checks that belong to no app."""

from django.core.exceptions import BadRequest


class RejectNulMiddleware:
    """
    Answer 400 to a request whose path holds a NUL character.

    No page of the site has a NUL in its address, and PostgreSQL refuses NUL in text, so
    such a path reaching a query (``/members/%00/``) would end as an error page. Refused
    here once, for every view. Form fields refuse NUL on their own (Django's
    ``ProhibitNullCharactersValidator``); query strings are read by the views, which
    treat a NUL like any other stray character (the search drops it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise BadRequest("NUL character in the address")
        return self.get_response(request)

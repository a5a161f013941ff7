"""
What discussions announces to the apps above it (search, notifications), which it does
not know.

Each is sent explicitly by the service (or the admin) that made the change, in the
transaction that made it, never from a model's save; receivers that start work elsewhere
(notifications) wait for the commit. Arguments are the objects concerned, as saved.
"""

from django.dispatch import Signal

# A comment was posted (``comment``): published, or held for review (then ``held`` follows).
comment_posted = Signal()
# A comment's text changed (``comment``).
comment_edited = Signal()
# Its author deleted a comment (``comment``): its text is gone.
comment_deleted = Signal()
# A comment waits for a moderator (``comment``, ``event``: what held it, e.g. "posted",
# "flags-12"): a new member's first post, or one flagged by enough members.
comment_held = Signal()
# A comment that waited was reviewed (``comment``), and, if ``published``, is out for
# everyone for the first time: what posting it would have done is due now.
comment_reviewed = Signal()
# A member marked a comment helpful (``comment``, ``member``).
comment_marked_helpful = Signal()
# A discussion changed what it shows of itself (``discussion``): commentary, questions,
# status. ``discussion_opened`` follows when it opened.
discussion_changed = Signal()
discussion_opened = Signal()
comment_language_changed = Signal()  # its author or a moderator corrected the language

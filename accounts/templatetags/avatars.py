"""A member's generated avatar: their initials in a circle whose colour comes from their id."""

from django import template

register = template.Library()

# As many as ``.avatar--c0`` … ``.avatar--c7`` in static/css/site.css (its --avatar-N colours).
AVATAR_COLOURS = 8


@register.filter
def avatar_colour(pk) -> str:
    """The avatar's colour class: the same for a member on every page (a class, for the CSP)."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        number = 0
    return f"avatar--c{number % AVATAR_COLOURS}"


@register.filter
def initials(name) -> str:
    """Up to two initials, of the first and last words: "Maren Lindqvist" gives "ML"."""
    letters = [next((c for c in word if c.isalnum()), "") for word in str(name or "").split()]
    letters = [letter for letter in letters if letter]
    if not letters:  # a name of emoji or symbols alone: its first one
        return str(name).strip()[:1] or "?"
    return (letters[0] + letters[-1] if len(letters) > 1 else letters[0]).upper()

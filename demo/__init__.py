"""
Demo content for trying the site: ``manage.py load_demo`` (which ``make run`` runs).

The demo spans every app (papers, members, discussions, the search index), so it sits
above them all: nothing imports it.
"""

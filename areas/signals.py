"""Signals the areas app sends.

``areas_changed`` is sent inside the import's transaction after areas were created
or changed, so that input pinned to a point (priorities, submissions) can be
re-assigned to the areas now in force, all or nothing with the import. A signal
keeps the base app (areas) from importing the apps built on it.
"""

from django.dispatch import Signal

# Arguments: area_ids (list[int]), area_type_id (int).
areas_changed = Signal()

"""What closing an account does with the panels' relations to accounts (part A), registered
with ``accounts.privacy`` when the app is ready.

Volunteers have no account (they answer with a letter's code), so closing an account
touches none of their data; the register holds no relation to accounts at all.
"""

from __future__ import annotations

from accounts import privacy

privacy.register_close_policy(
    {
        # The planner who set the panel up, uploaded its extract, or deleted the register:
        # the staff's audit trail, on the record.
        "panels.Panel.created_by": privacy.KEEP,
        "panels.RegisterUpload.uploaded_by": privacy.KEEP,
        "panels.RegisterDeletion.deleted_by": privacy.KEEP,
    }
)

"""What the cases app plugs in when it is ready: what closing an account does with the
cases' records. Imported by ``CasesConfig.ready``."""

from accounts import privacy

# A case's record (who adjusted its areas, uploaded a layer, froze a digest) is public
# administration: kept, as the answers are.
privacy.register_close_policy(
    {
        "cases.CaseAreaAdjustment.actor": privacy.KEEP,
        "cases.CaseLayer.created_by": privacy.KEEP,
        "cases.FrozenDigest.frozen_by": privacy.KEEP,
    }
)

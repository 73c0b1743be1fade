"""What the cases app plugs in when it is ready: what closing an account does with the
cases' records, and the digest's section comparing participants with the population. Imported by ``CasesConfig.ready``."""

from accounts import privacy
from areas.models import PopulationUpload
from cases import sections
from cases.representation import area_types_with_counts, representation

# A case's record (who adjusted its areas, uploaded a layer, froze a digest) is public
# administration: kept, as the answers are.
privacy.register_close_policy(
    {
        "cases.CaseAreaAdjustment.actor": privacy.KEEP,
        "cases.CaseLayer.created_by": privacy.KEEP,
        "cases.FrozenDigest.frozen_by": privacy.KEEP,
    }
)


def case_representation(case) -> dict | None:
    """The case's digest section comparing participants with the population: per area type
    of the case's areas with population counts in force, the comparison over those areas
    (public: small counts withheld). None when none of its areas has counts."""
    areas = list(case.areas.values_list("pk", "type_id"))
    if not areas:
        return None
    types = {area_type.pk: area_type for area_type in area_types_with_counts(case.municipality)}
    parts = []
    for type_id, area_type in sorted(types.items(), key=lambda item: item[1].slug):
        ids = [pk for pk, area_type_id in areas if area_type_id == type_id]
        if not ids:
            continue
        result = representation(case.municipality, area_type, area_ids=ids)
        if result is None or not result.rows:
            continue
        parts.append(
            {
                "type": str(area_type.name),
                "caption_id": f"representation-{area_type.slug}",
                "data": result.as_data(public=True),
            }
        )
    return {"types": parts} if parts else None


sections.register(
    sections.DigestSection(
        key="representation",
        build=case_representation,
        template="cases/_digest_representation.html",
        tracked=(PopulationUpload,),
    )
)

"""Message ids that templates translate from data (roles, unit kinds, agencies).

They never appear literally in a template, so they are listed here with the
no-op marker ``N_`` for ``pybabel extract`` to find.
"""

from __future__ import annotations

__all__ = ["DYNAMIC_LABELS"]


def N_(message: str) -> str:
    return message


DYNAMIC_LABELS = (
    N_("admin"),
    N_("supervisor"),
    N_("dispatcher"),
    N_("operator"),
    N_("officer"),
    N_("records_officer"),
    N_("analyst"),
    N_("liaison_officer"),
    N_("traffic_officer"),
    N_("citizen"),
    N_("partner"),
    N_("camera"),
    N_("province"),
    N_("region"),
    N_("district"),
    N_("station"),
    N_("agency"),
    N_("police"),
    N_("rescue_1122"),
    N_("fire_brigade"),
    N_("traffic_police"),
    N_("bomb_disposal"),
    N_("civil_defence"),
    N_("safe_city_authority"),
    N_("Home"),
    N_("Organisation"),
    N_("Users"),
    N_("Audit log"),
    # person-search fields and police-verification statuses
    N_("name"),
    N_("father_name"),
    N_("cnic"),
    N_("phone"),
    N_("requested"),
    N_("approved"),
    N_("refused"),
    N_("revoked"),
)

"""What is recorded with which authority, and what document proves it, per asset kind and
deal kind: the words both parties and platform staff read on a deal.

A transfer of a patent is a change in the bibliographic data (著录项目变更) at CNIPA, which
answers with a notification that the formalities are in order (《手续合格通知书》); a
trademark's assignment is approved by the Trademark Office (《核准转让证明》); a copyright's
assignment or licence contract is registered by a copyright registration body; a patent or
trademark licence is recorded (备案) at CNIPA or the Trademark Office. A geographical
indication is held as a collective or certification mark, so the trademark rules apply.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from listings.models import PATENT_KINDS, AssetKind

from .models import DealKind


@dataclass(frozen=True)
class RecordalTerm:
    procedure: Promise  # what the parties file
    authority: Promise  # with whom
    evidence: Promise  # the document that proves it was recorded


CNIPA = _("China National Intellectual Property Administration (CNIPA)")
TRADEMARK_OFFICE = _("Trademark Office of CNIPA")
COPYRIGHT_BODY = _(
    "Copyright registration body (the Copyright Protection Center of China or a provincial "
    "copyright bureau)"
)
CPCC = _("Copyright Protection Center of China (CPCC)")
CPCC_CERTIFICATE = _(
    "The CPCC's certificate registering the assignment or exclusive licence contract of a "
    "software copyright (计算机软件著作权转让或者专有许可合同登记证书)"
)

TERMS: dict[tuple[str, str], RecordalTerm] = {
    (DealKind.TRANSFER, "patent"): RecordalTerm(
        procedure=_("Change in bibliographic data (transfer of the patent right)"),
        authority=CNIPA,
        evidence=_(
            "CNIPA's Notification of Qualified Formalities (手续合格通知书) for the change in "
            "bibliographic data"
        ),
    ),
    (DealKind.TRANSFER, "trademark"): RecordalTerm(
        procedure=_("Assignment of the registered trademark"),
        authority=TRADEMARK_OFFICE,
        evidence=_("The Trademark Office's Certificate of Approved Assignment (核准转让证明)"),
    ),
    (DealKind.TRANSFER, "copyright"): RecordalTerm(
        procedure=_("Registration of the copyright assignment"),
        authority=COPYRIGHT_BODY,
        evidence=_(
            "The registration body's certificate of the copyright assignment (registration "
            "of the change or transfer)"
        ),
    ),
    (DealKind.TRANSFER, "software"): RecordalTerm(
        procedure=_("Registration of the software copyright assignment contract"),
        authority=CPCC,
        evidence=CPCC_CERTIFICATE,
    ),
    (DealKind.LICENCE, "patent"): RecordalTerm(
        procedure=_("Recordal of the patent licence contract"),
        authority=CNIPA,
        evidence=_(
            "CNIPA's Certificate of Recordal of the Patent Licence Contract "
            "(专利实施许可合同备案证明)"
        ),
    ),
    (DealKind.LICENCE, "trademark"): RecordalTerm(
        procedure=_("Recordal of the trademark licence"),
        authority=TRADEMARK_OFFICE,
        evidence=_(
            "The Trademark Office's Notice of Recordal of the Trademark Licence "
            "(商标使用许可备案通知书)"
        ),
    ),
    (DealKind.LICENCE, "copyright"): RecordalTerm(
        procedure=_("Registration of the copyright licence contract"),
        authority=COPYRIGHT_BODY,
        evidence=_("The registration body's certificate registering the licence contract"),
    ),
    (DealKind.LICENCE, "software"): RecordalTerm(
        procedure=_("Registration of the software copyright licence contract"),
        authority=CPCC,
        evidence=CPCC_CERTIFICATE,
    ),
}

FAMILY_ORDER = ("patent", "trademark", "copyright", "software")


def asset_family(kind: str) -> str:
    """patent, trademark (geographical indications too: collective or certification
    marks), copyright (works) or software."""
    if kind in PATENT_KINDS:
        return "patent"
    if kind == AssetKind.SOFTWARE_COPYRIGHT:
        return "software"
    if kind == AssetKind.COPYRIGHT_WORK:
        return "copyright"
    return "trademark"


def recordal_terms(*, deal_kind: str, asset_kinds: Iterable[str]) -> list[RecordalTerm]:
    """The recordals a deal of `deal_kind` on assets of `asset_kinds` needs, one per family
    of assets (a package of patents and trademarks needs both), patents first."""
    families = {asset_family(kind) for kind in asset_kinds}
    return [TERMS[(deal_kind, family)] for family in FAMILY_ORDER if family in families]

"""The deal's fee strip: servicing fee rule, trustee fee rate, PO strip and compensating interest cap.

Both seed PSAs use the same "excess over strip" rule (2002-3 Servicing Fee Rate L1580-1585, Net Mortgage
Interest Rate L1049-1052, Non-PO/PO Percentage L1054-1059/L1247-1249; 2000-2 L1415-1418, L920-928, L1097-1099):

* ``SFR_l = max(floor, MIR_l - (strip_g + TFR))``
* ``NMIR_l = MIR_l - SFR_l - TFR``
* a loan is a Discount Mortgage Loan iff ``NMIR_l < strip_g``; its Non-PO Percentage is ``NMIR_l / strip_g`` and
  its PO Percentage ``1 - NMIR_l / strip_g``; other loans are 100% Non-PO.
* Compensating Interest per loan group is ``min(PPIS_g, cap/12 x SPB_g)`` (3.17), and never more than the
  group's Servicing Fee, which it reduces.

:class:`FeeStrip` holds these numbers; :func:`fee_strip_from_facts` is the only place that knows the shape of
the deal-facts JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rmbs.collateral.assumptions import FloatArray
from rmbs.errors import ValidationError

# Rates are quoted to at most 4-5 decimals of a percent; rounding the derived rates to 9 decimals removes the
# binary noise of ``MIR - SFR - TFR`` so that a loan exactly at the strip is not a discount loan by 1e-15.
_RATE_DECIMALS = 9


@dataclass(frozen=True)
class LoanRates:
    """Per-loan rates derived from the fee strip (percent per annum) and the PO fraction (0..1)."""

    servicing_fee_rate: FloatArray
    trustee_fee_rate: FloatArray
    net_rate: FloatArray
    po_fraction: FloatArray


@dataclass(frozen=True)
class FeeStrip:
    """A deal's fee strip, all rates in percent per annum.

    ``strip_rate_by_group`` is the PO strip (the "base" rate defining Discount Mortgage Loans) of each loan
    group; ``servicing_fee_floor`` the minimum Servicing Fee Rate; ``compensating_interest_cap_rate`` the annual
    rate of the Compensating Interest cap on the group's Stated Principal Balance.
    """

    trustee_fee_rate: float
    strip_rate_by_group: Mapping[str, float]
    servicing_fee_floor: float
    compensating_interest_cap_rate: float

    def __post_init__(self) -> None:
        for field, value in (
            ("trustee_fee_rate", self.trustee_fee_rate),
            ("servicing_fee_floor", self.servicing_fee_floor),
            ("compensating_interest_cap_rate", self.compensating_interest_cap_rate),
        ):
            if not (0.0 <= value <= 100.0):
                raise ValidationError(
                    f"{field} {value!r} is out of range", field=field, expected="0 to 100 percent"
                )
        for g, rate in self.strip_rate_by_group.items():
            if not (0.0 < rate <= 100.0):
                raise ValidationError(
                    f"strip rate {rate!r} of group {g} is out of range",
                    field=f"strip_rate_by_group.{g}",
                    expected="above 0, at most 100 percent",
                )

    def strip_rates(self, groups: Sequence[str]) -> FloatArray:
        try:
            return np.array([self.strip_rate_by_group[str(g)] for g in groups], dtype=np.float64)
        except KeyError as exc:
            raise ValidationError(
                f"loan group {exc.args[0]!r} has no strip rate in the fee strip",
                field="group",
                expected=f"one of {', '.join(sorted(self.strip_rate_by_group))}",
            ) from None

    def loan_rates(self, note_rate: FloatArray, groups: Sequence[str]) -> LoanRates:
        """Servicing Fee Rate, Net Mortgage Interest Rate and PO fraction of each loan (fixed for life)."""
        mir = np.asarray(note_rate, dtype=np.float64)
        strip = self.strip_rates(groups)
        tfr = np.full(mir.shape, self.trustee_fee_rate)
        sfr = np.round(np.maximum(self.servicing_fee_floor, mir - (strip + tfr)), _RATE_DECIMALS)
        nmir = np.round(mir - sfr - tfr, _RATE_DECIMALS)
        discount = nmir < strip
        po = np.where(discount, 1.0 - np.maximum(nmir, 0.0) / strip, 0.0)
        return LoanRates(servicing_fee_rate=sfr, trustee_fee_rate=tfr, net_rate=nmir, po_fraction=po)

    def group_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.strip_rate_by_group, key=_group_sort_key))


def _group_sort_key(g: str) -> tuple[int, str]:
    return (int(g), g) if g.isdigit() else (10**9, g)


def _rate(facts: Mapping[str, Any], path: str, value: Any) -> float:
    try:
        return float(str(value).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise ValidationError(
            f"not a rate: {value!r}", field=path, expected="a percent, e.g. 0.0030"
        ) from None


def fee_strip_from_facts(facts: Mapping[str, Any]) -> FeeStrip:
    """Build the :class:`FeeStrip` from a deal-facts dict (``rmbs.deal.library.load_facts``)."""
    deal = str(facts.get("deal_id", "deal facts"))
    sf = facts.get("servicing_fee")
    if not isinstance(sf, Mapping):
        raise ValidationError(f"{deal}: no servicing fee rule", field="servicing_fee")
    kind = sf.get("kind")
    if kind != "excess_over_strip":
        raise ValidationError(
            f"{deal}: servicing fee rule {kind!r} is not supported",
            field="servicing_fee.kind",
            expected="excess_over_strip",
        )
    strips_raw = sf.get("strip_rate_by_group")
    if not isinstance(strips_raw, Mapping) or not strips_raw:
        groups = facts.get("groups") or []
        strips_raw = {str(g.get("id")): g.get("po_strip_rate") for g in groups if isinstance(g, Mapping)}
    if not strips_raw:
        raise ValidationError(f"{deal}: no PO strip rates", field="servicing_fee.strip_rate_by_group")
    strips = {
        str(g): _rate(facts, f"servicing_fee.strip_rate_by_group.{g}", v) for g, v in strips_raw.items()
    }
    for field in ("trustee_fee_rate", "compensating_interest_cap_rate"):
        if field not in facts:
            raise ValidationError(f"{deal}: missing {field}", field=field)
    if "floor" not in sf:
        raise ValidationError(f"{deal}: missing servicing fee floor", field="servicing_fee.floor")
    return FeeStrip(
        trustee_fee_rate=_rate(facts, "trustee_fee_rate", facts["trustee_fee_rate"]),
        strip_rate_by_group=strips,
        servicing_fee_floor=_rate(facts, "servicing_fee.floor", sf["floor"]),
        compensating_interest_cap_rate=_rate(
            facts, "compensating_interest_cap_rate", facts["compensating_interest_cap_rate"]
        ),
    )

"""The readings the interpreter implements, and a deal's readings resolved against them.

Where a PSA is ambiguous the deal file declares a switch with its default and alternatives (the specs' ambiguity
registers). :data:`READINGS` lists, for every switch the interpreter knows, the readings it implements;
:func:`resolve_switches` applies a run's overrides and makes anything else -- an unknown switch, a value the deal
does not offer, a declared reading not implemented -- an error naming the switch, the deal file and its YAML line,
at ``rmbs lint`` and at run time. Nothing is chosen silently.
"""

from __future__ import annotations

from typing import Any

from rmbs.deal.schema import Deal
from rmbs.errors import DealError, ValidationError

ANY = ("*",)  # a numeric reading (a percentage the deal file lists as its choices)

# Every switch the interpreter knows, with the readings it implements. Switches with one reading document a
# choice that changes no cash or is applied before the waterfall (the collateral projection, the remittance).
READINGS: dict[str, tuple[str, ...]] = {
    # percentages and step-down
    "percentage_rounding": ("percent_6dp", "fraction_6dp"),
    "po_in_percentages": ("include", "exclude"),
    "stepdown_conditions": ("both", "either"),
    "blocked_stepdown": ("prior_tier", "last_value", "full"),
    "delinquency_window": ("including_current", "excluding_current"),
    "loss_test_losses": ("including_current", "prior_dates"),
    "original_fractional_interest": ("literal", "closing_levels"),
    # the senior principal programme
    "g1_step4_1a8_pct": ANY,
    "concurrent_retired_leg": ("redistribute", "fall_through"),
    "concurrent_pct_sum": ("as_printed", "normalize"),
    "spda_excess": ("subordinates", "residual"),
    "depletion_subpda": ("seniors", "residual"),
    "restricted_leftover": ("sequential", "residual"),
    "pro_rata_share_balances": ("after_losses", "before_losses"),
    "pro_rata_share_cap": ("shared_again",),
    "subpda_rounding": ("remainder",),
    "post_depletion_set": ("non_po_seniors",),
    "penny_residual": ("next_step",),
    # interest
    "residual_lr_interest": ("pay", "none"),
    "interest_reduction_basis": ("ida", "aci"),
    "interest_balance": ("prior_balance", "after_losses"),
    "pre_depletion_loss_interest": ("cash_shortfall",),
    # losses and write-downs
    "senior_loss_set": ("exclude_po", "include_po"),
    "excess_loss_to": ("seniors_only", "all_pro_rata"),
    "depletion_timing": ("same_dd", "next_dd"),
    "writedown_cascade": ("cascade", "junior_only"),
    "po_writedown": ("every_date", "after_depletion"),
    "writedown_timing": ("after_cash",),
    "senior_writedown_basis": ("prior_balances",),
    "coverage_timing": ("prior_remaining",),
    "special_hazard_naming": ("same_bucket",),
    # Article X
    "final_distribution": ("article_x", "formula"),
    "final_distribution_scope": ("per_group",),
    "cleanup_call_base": ("aggregate", "per_group"),  # applied to the inputs (rmbs.waterfall.calls)
    # applied before the waterfall or changing no cash
    "ci_cap_balance": (
        "current_date",
        "prior_due_date",
    ),  # the collateral projection's Compensating Interest cap
    "non_po_weighting": ("once",),
    "apo_component_balance": ("psa_cents",),
    "apo_initial_balance": ("preliminary_statement",),
    "substitution_amount_venue": ("pda",),
    "naming": ("bookkeeping",),
    "clause_b2": ("class_b_2",),
    "collateral_terms": ("schedule",),
    "ppis_basis": ("mir_less_sfr",),
    "repurchase_timing": ("remittance_date",),
    "repurchase_scope": ("any_repurchase",),
    "servicer_advance_date": ("as_2002_3",),
    "mortgage_rate": ("mortgage_interest_rate",),
}


def _where(deal: Deal, name: str | None) -> dict[str, Any]:
    return {"file": deal.source, "line": deal.switch_line(name)}


def resolve_switches(deal: Deal, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The deal's readings with ``overrides`` applied. An unknown switch, a value the deal does not offer, or a
    declared reading the interpreter does not implement is a :class:`DealError` naming the deal file and line."""
    declared = {s.name: s for s in deal.switches}
    for sw in deal.switches:
        implemented = READINGS.get(sw.name)
        if implemented is None:
            raise DealError(
                f"switch {sw.name!r} is not a reading the interpreter implements",
                field=f"switch {sw.name}",
                expected=", ".join(sorted(READINGS)),
                **_where(deal, sw.name),
            )
        if implemented != ANY:
            missing = [c for c in sw.choices if c not in implemented]
            if missing:
                raise DealError(
                    f"switch {sw.name}: reading {missing[0]!r} is not implemented by the interpreter",
                    field=f"switch {sw.name}",
                    expected=" | ".join(implemented),
                    **_where(deal, sw.name),
                )
    out = deal.switch_defaults()
    for k, v in (overrides or {}).items():
        spec = declared.get(k)
        if spec is None:
            raise ValidationError(
                f"unknown switch {k!r}",
                field="switch",
                expected=", ".join(declared),
                **_where(deal, None),
            )
        if v not in spec.choices:
            raise ValidationError(
                f"switch {k} cannot be {v!r}",
                field=f"switch {k}",
                expected=" | ".join(spec.choices),
                **_where(deal, k),
            )
        out[k] = v
    return out

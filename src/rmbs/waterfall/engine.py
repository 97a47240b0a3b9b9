"""The monthly distribution: PSA Sections 5.01-5.03 as one state machine over integer cents.

One :class:`WaterfallEngine` runs any deal described by :mod:`rmbs.deal.schema`. For each distribution date and
loan group it takes a :class:`GroupPeriodInput` (the collections of that group: from the collateral engine when
projecting, from a servicer remittance when administering -- the engine does not know which) and the state left by
the previous date, and returns what each class is paid. The order of operations follows the specs' recommended
processing order (2002-3 §5.2, 2000-2 §14):

1. percentages from the balances immediately prior to the date (Senior %, Senior Prepayment % with the step-down
   tests, Fractional Interests and Restricted Classes, Priority %);
2. principal amounts (Non-PO and PO Principal Amounts, SPDA, SubPDA, Priority Amount);
3. principal losses, 5.03(a), reducing balances before the distributions (5.03(d)), with special-loss coverage;
4. interest: Accrued Certificate Interest on the prior balances, 5.02(c) reductions, Interest Distribution Amounts;
5. the 5.02(a) priority: senior interest, senior principal (5.02(b) tree or pro rata after depletion) with the
   PO principal, Class A-PO Deferred Amount, subordinate interest and principal in pairs (5.02(d)), residual;
6. write-downs to the Adjusted Pool Amount, 5.03(b); carry-forwards.

Every date it checks that cash is conserved to the cent and that no balance is negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rmbs.deal.schema import (
    Capped,
    ClassSpec,
    Concurrent,
    CoverageAmount,
    DateTable,
    Deal,
    GroupRules,
    ProRata,
    Sequential,
    Step,
)
from rmbs.errors import ValidationError
from rmbs.waterfall.arith import (
    allocate_capped,
    frac_of,
    fraction_up,
    mul_div,
    pct_of,
    percentage_up,
    rhd,
    split_capped,
    split_exact,
)

HUNDRED = Decimal(100)


class ConservationError(AssertionError):
    """The engine's own invariant failed: a bug, never bad input."""


@dataclass(slots=True)
class GroupPeriodInput:
    """One loan group's collections for one distribution date, in integer cents.

    Principal amounts follow the clauses of the Non-PO / PO Principal Amount definitions (2002-3 L1061-1077,
    2000-2 L930-947), already split by each loan's Non-PO / PO Percentage:
    (a) scheduled principal due; (b)-(d) repurchases, substitution amounts and partial liquidation proceeds;
    (e) liquidation principal of loans liquidated in the prior month; (f) prepayments in full and curtailments.
    """

    scheduled_principal_non_po: int = 0
    scheduled_principal_po: int = 0
    other_principal_non_po: int = 0
    other_principal_po: int = 0
    liquidation_principal_non_po: int = 0
    liquidation_principal_po: int = 0
    prepayment_non_po: int = 0
    prepayment_po: int = 0
    net_interest: int = (
        0  # interest remitted net of the Servicing Fee, incl. advances and Compensating Interest
    )
    trustee_fee: int = 0
    principal_shortfall: int = 0  # principal due but neither collected nor advanced (not in the PDA)
    non_supported_interest_shortfall: int = 0
    relief_act_reduction: int = 0
    realized_loss_principal_non_po: int = 0
    realized_loss_principal_po: int = 0
    realized_loss_interest: int = 0
    special_hazard_loss: int = 0  # principal of the losses of each special kind (subsets of the above)
    fraud_loss: int = 0
    bankruptcy_loss: int = 0
    delinquent_60_plus: int = 0  # balance 60+ days delinquent incl. foreclosure and REO (step-down test)
    # the Special Hazard Loss Amount's other tests (2000-2 L1483-1498), balances as of the first day of the prior
    # month after its Monthly Payments: the largest loan, and the largest California ZIP code concentration
    largest_loan_balance: int = 0
    largest_zip_balance: int = 0
    ending_balance: int = 0  # Pool Stated Principal Balance after this date's Due Date
    ending_balance_po: int = 0
    cleanup_call: bool = False  # the optional termination happens on this date

    @property
    def principal_non_po(self) -> int:
        return (
            self.scheduled_principal_non_po
            + self.other_principal_non_po
            + self.liquidation_principal_non_po
            + self.prepayment_non_po
        )

    @property
    def principal_po(self) -> int:
        return (
            self.scheduled_principal_po
            + self.other_principal_po
            + self.liquidation_principal_po
            + self.prepayment_po
        )

    @property
    def pool_distribution_amount(self) -> int:
        """Pool Distribution Amount: collections less servicing fees, less the Trustee Fee (2002-3 L1270-1294)."""
        return (
            self.net_interest
            - self.trustee_fee
            + self.principal_non_po
            + self.principal_po
            - self.principal_shortfall
        )


@dataclass(slots=True)
class ClassResult:
    name: str
    beginning_balance: int
    accrued_interest: int = 0
    interest_reduction: int = 0
    interest_paid: int = 0
    unpaid_interest_shortfall: int = 0
    principal_paid: int = 0
    realized_loss: int = 0
    writedown: int = 0
    ending_balance: int = 0
    rate: Decimal = Decimal(0)
    po_deferred_paid: int = 0


@dataclass(slots=True)
class GroupResult:
    group: str
    pool_distribution_amount: int
    senior_percentage: Decimal
    senior_prepayment_percentage: Decimal
    subordinate_percentage: Decimal
    delinquency_test_pass: bool
    loss_test_pass: bool
    restricted_classes: list[str]
    priority_percentage: Decimal | None
    priority_amount: int
    senior_principal_distribution_amount: int
    subordinate_principal_distribution_amount: int
    po_principal_amount: int
    po_deferred_amount: int
    depleted: bool
    residual_paid: int
    trustee_fee: int
    adjusted_pool_amount: int
    adjusted_pool_amount_po: int
    non_po_class_total: int
    non_po_pool_balance: int
    cumulative_realized_losses: int
    # each Loss Amount after the date: the lesser of what remains of its initial amount after the losses it
    # covered and its limit (a percent of the pool, the largest loan, the largest ZIP code) where the PSA sets one
    coverage_remaining: dict[str, int] = field(default_factory=dict)
    # (subordinate names, their prior balances, the Fractional Interest denominator): the Fractional Interests
    # are derived from these only when asked for (most runs never read them)
    fi_basis: tuple[tuple[str, ...], tuple[int, ...], int] = ((), (), 0)
    # the residual's payment split into its interest and principal parts (5.02(a)(v)), and whether this date is
    # the Final Distribution Date (Article X)
    residual_interest: int = 0
    residual_principal: int = 0
    final_distribution: bool = False

    @property
    def fractional_interests(self) -> dict[str, Decimal]:
        """Fractional Interest of each subordinate class, in percent (5.02(d)), from the prior balances."""
        names, balances, den = self.fi_basis
        if den == 0:
            return {s: Decimal(0) for s in names}
        return {s: Decimal(sum(balances[i + 1 :])) * HUNDRED / den for i, s in enumerate(names)}


@dataclass(slots=True)
class PeriodResult:
    period: int
    date: date
    classes: dict[str, ClassResult]
    groups: dict[str, GroupResult]


@dataclass
class GroupState:
    adjusted_pool_amount: int
    adjusted_pool_amount_po: int
    cumulative_losses: int = 0
    depleted: bool = False
    spp_share_used: Decimal | None = None  # senior share of the Subordinate % used last date (step-down lock)
    spp_last: Decimal | None = None
    delinquency_history: list[int] = field(default_factory=list)
    subordinate_history: list[int] = field(default_factory=list)
    initial_senior_percentage: Decimal | None = None

    def copy(self) -> GroupState:
        return GroupState(
            self.adjusted_pool_amount,
            self.adjusted_pool_amount_po,
            self.cumulative_losses,
            self.depleted,
            self.spp_share_used,
            self.spp_last,
            list(self.delinquency_history),
            list(self.subordinate_history),
            self.initial_senior_percentage,
        )


@dataclass
class DealState:
    """Everything carried from one distribution date to the next (the ledger persists this)."""

    period: int
    balances: dict[str, int]
    unpaid_interest: dict[str, int]
    po_deferred: dict[str, int]
    groups: dict[str, GroupState]
    coverage: dict[str, int]
    coverage_used: dict[str, int]
    retired: bool = False

    def to_json(self) -> dict[str, object]:
        """A plain-JSON form (Decimals as strings) for the ledger."""
        return {
            "period": self.period,
            "balances": self.balances,
            "unpaid_interest": self.unpaid_interest,
            "po_deferred": self.po_deferred,
            "coverage": self.coverage,
            "coverage_used": self.coverage_used,
            "retired": self.retired,
            "groups": {
                k: {
                    "adjusted_pool_amount": v.adjusted_pool_amount,
                    "adjusted_pool_amount_po": v.adjusted_pool_amount_po,
                    "cumulative_losses": v.cumulative_losses,
                    "depleted": v.depleted,
                    "spp_share_used": None if v.spp_share_used is None else str(v.spp_share_used),
                    "spp_last": None if v.spp_last is None else str(v.spp_last),
                    "delinquency_history": v.delinquency_history,
                    "subordinate_history": v.subordinate_history,
                    "initial_senior_percentage": None
                    if v.initial_senior_percentage is None
                    else str(v.initial_senior_percentage),
                }
                for k, v in self.groups.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DealState:
        def dec(x: str | None) -> Decimal | None:
            return None if x is None else Decimal(x)

        return cls(
            period=int(data["period"]),
            balances={k: int(v) for k, v in data["balances"].items()},
            unpaid_interest={k: int(v) for k, v in data["unpaid_interest"].items()},
            po_deferred={k: int(v) for k, v in data["po_deferred"].items()},
            coverage={k: int(v) for k, v in data["coverage"].items()},
            coverage_used={k: int(v) for k, v in data["coverage_used"].items()},
            retired=bool(data["retired"]),
            groups={
                k: GroupState(
                    adjusted_pool_amount=int(v["adjusted_pool_amount"]),
                    adjusted_pool_amount_po=int(v["adjusted_pool_amount_po"]),
                    cumulative_losses=int(v["cumulative_losses"]),
                    depleted=bool(v["depleted"]),
                    spp_share_used=dec(v["spp_share_used"]),
                    spp_last=dec(v["spp_last"]),
                    delinquency_history=[int(x) for x in v["delinquency_history"]],
                    subordinate_history=[int(x) for x in v["subordinate_history"]],
                    initial_senior_percentage=dec(v["initial_senior_percentage"]),
                )
                for k, v in data["groups"].items()
            },
        )

    def copy(self) -> DealState:
        return DealState(
            period=self.period,
            balances=dict(self.balances),
            unpaid_interest=dict(self.unpaid_interest),
            po_deferred=dict(self.po_deferred),
            groups={k: v.copy() for k, v in self.groups.items()},
            coverage=dict(self.coverage),
            coverage_used=dict(self.coverage_used),
            retired=self.retired,
        )


def cents(value: Decimal) -> int:
    return rhd(value * 100)


def distribution_date(first: date, period: int, day: int = 25) -> date:
    """The nominal distribution date of ``period`` (1 = first); business-day roll is a reporting concern."""
    m = first.month - 1 + (period - 1)
    return date(first.year + m // 12, m % 12 + 1, day)


class WaterfallEngine:
    """Runs a :class:`Deal` one distribution date at a time."""

    def __init__(self, deal: Deal, switches: dict[str, str] | None = None) -> None:
        self.deal = deal
        self.classes: dict[str, ClassSpec] = deal.class_map()
        self.switches = deal.switch_defaults()
        for k, v in (switches or {}).items():
            spec = next((s for s in deal.switches if s.name == k), None)
            if spec is None:
                raise ValidationError(
                    f"unknown switch {k!r}", field="switch", expected=", ".join(s.name for s in deal.switches)
                )
            if v not in spec.choices:
                raise ValidationError(
                    f"switch {k} cannot be {v!r}", field=f"switch {k}", expected=" | ".join(spec.choices)
                )
            self.switches[k] = v
        self.groups: dict[str, GroupRules] = {g.id: g for g in deal.groups}
        self._compile()

    def _compile(self) -> None:
        """Everything the hot loop would otherwise recompute every date of every scenario: the switch readings as
        flags, per-group class lists, the fixed coupons as exact integer fractions, the notional references."""
        deal = self.deal

        def on(name: str, default: str, value: str) -> bool:
            return self.switches.get(name, default) == value

        self._po_exclude = on("po_in_percentages", "include", "exclude")
        self._fraction_pct = on("percentage_rounding", "percent_6dp", "fraction_6dp")
        self._same_dd = on("depletion_timing", "same_dd", "same_dd")
        self._excess_seniors_only = on("excess_loss_to", "seniors_only", "seniors_only")
        self._accrue_after_losses = on("interest_balance", "prior_balance", "after_losses")
        self._reduce_on_ida = on("interest_reduction_basis", "ida", "ida")
        self._spda_excess_to_subs = on("spda_excess", "residual", "subordinates")
        self._dq_excluding_current = on("delinquency_window", "including_current", "excluding_current")
        self._stepdown_both = on("stepdown_conditions", "both", "both")
        self._blocked_mode = self.switches.get("blocked_stepdown", "prior_tier")
        self._ofi_closing = on("original_fractional_interest", "literal", "closing_levels")
        self._prs_after_losses = on("pro_rata_share_balances", "after_losses", "after_losses")
        self._restricted_sequential = on("restricted_leftover", "sequential", "sequential")
        self._normalize_pcts = on("concurrent_pct_sum", "as_printed", "normalize")
        self._senior_loss_with_po = on("senior_loss_set", "exclude_po", "include_po")
        self._cascade = on("writedown_cascade", "cascade", "cascade")
        self._po_writedown_every = on("po_writedown", "every_date", "every_date")
        self._notional = {c.name: c.notional_of for c in deal.classes if c.notional_of}
        self._fixed_rate: dict[str, Decimal] = {}
        self._floaters: list[str] = []
        for c in deal.classes:
            if c.coupon.kind == "none":
                self._fixed_rate[c.name] = Decimal(0)
            elif c.coupon.kind == "fixed":
                assert c.coupon.rate is not None
                self._fixed_rate[c.name] = c.coupon.rate
            else:
                self._floaters.append(c.name)
        # per-group class lists (the hot loop runs them every date of every scenario)
        self._members_of: dict[str, list[str]] = {
            g.id: [c.name for c in deal.classes if c.group == g.id and c.kind != "io"] for g in deal.groups
        }
        self._names_of: dict[str, list[str]] = {
            g.id: [c.name for c in deal.classes if c.group == g.id] for g in deal.groups
        }
        self._interest_of: dict[str, list[str]] = {
            g.id: [
                c.name
                for c in deal.classes
                if c.group == g.id and c.coupon.kind != "none" and c.name not in self._no_interest(g)
            ]
            for g in deal.groups
        }
        self._senior_interest_of = {
            g.id: [n for n in g.senior_interest if n in self._interest_of[g.id]] for g in deal.groups
        }
        self._sp_num = {g.id: self._members(g.senior_percentage_numerator, g) for g in deal.groups}
        self._sp_den = {g.id: self._members(g.senior_percentage_denominator, g) for g in deal.groups}
        self._fi_den = {g.id: self._members(g.fractional_interest_denominator, g) for g in deal.groups}
        self._priority_den = {
            g.id: self._members(g.priority.denominator, g) if g.priority else [] for g in deal.groups
        }
        self._coverage_spec: dict[str, CoverageAmount] = {c.name: c for c in deal.coverage}
        # (class, the class whose balance it reports -- its notional reference or itself, fixed rate or None)
        self._class_plan = [
            (c.name, c.notional_of or c.name, self._fixed_rate.get(c.name)) for c in deal.classes
        ]
        # 5.02(d) tests per group: (index, class, Original Fractional Interest) of the subordinates that have one
        self._ofi_of = {
            g.id: [
                (i, s, self.classes[s].original_fractional_interest)
                for i, s in enumerate(g.subordinates)
                if self.classes[s].original_fractional_interest
            ]
            for g in deal.groups
        }
        self._rate_ratio: dict[Decimal, tuple[int, int]] = {}
        self._table_cache: dict[tuple[int, int, int], Decimal] = {}
        self._concurrent_plan: dict[int, tuple[list[Decimal], list[tuple[Decimal, int]], list[int], str]] = {}

    # ----------------------------------------------------------------------------------------------- set-up
    def sw(self, name: str, default: str = "") -> str:
        return self.switches.get(name, default)

    def initial_state(self) -> DealState:
        balances = {c.name: cents(c.initial_balance) for c in self.deal.classes if c.kind != "io"}
        groups = {}
        for g in self.deal.groups:
            po = balances.get(g.po_class, 0) if g.po_class else 0
            groups[g.id] = GroupState(
                adjusted_pool_amount=cents(g.cutoff_balance),
                adjusted_pool_amount_po=po,
            )
        coverage: dict[str, int] = {c.name: cents(c.initial) for c in self.deal.coverage}
        state = DealState(
            period=0,
            balances=balances,
            unpaid_interest={c.name: 0 for c in self.deal.classes},
            po_deferred={g.po_class: 0 for g in self.deal.groups if g.po_class},
            groups=groups,
            coverage=coverage,
            coverage_used={str(c.name): 0 for c in self.deal.coverage},
        )
        for g in self.deal.groups:
            groups[g.id].initial_senior_percentage = self._senior_percentage(g, balances)
        return state

    def _at(self, table: DateTable, dd: date) -> Decimal:
        """``table.at(dd)``, memoized by month (date tables are read every date of every scenario)."""
        key = (id(table), dd.year, dd.month)
        v = self._table_cache.get(key)
        if v is None:
            v = self._table_cache[key] = table.at(dd)
        return v

    def balance_of(self, name: str, balances: dict[str, int]) -> int:
        return balances.get(self._notional.get(name, name), 0)

    def _members(self, names: Sequence[str], g: GroupRules) -> list[str]:
        """Class lists used in percentages, less the PO class when the 'exclude PO' reading is chosen."""
        if self._po_exclude and g.po_class:
            return [n for n in names if n != g.po_class]
        return list(names)

    def _pct(self, num: int, den: int) -> Decimal:
        if self._fraction_pct:
            return fraction_up(num, den)
        return percentage_up(num, den)

    def _senior_percentage(self, g: GroupRules, bal: dict[str, int]) -> Decimal:
        num = sum([bal.get(n, 0) for n in self._sp_num[g.id]])
        den = sum([bal.get(n, 0) for n in self._sp_den[g.id]])
        if den == 0:
            return HUNDRED
        return min(HUNDRED, self._pct(num, den))

    # ------------------------------------------------------------------------------------------------- rates
    def rate(self, name: str, period: int, index: Decimal | None) -> Decimal:
        fixed = self._fixed_rate.get(name)
        if fixed is not None:
            return fixed
        c = self.classes[name].coupon
        assert c.initial_rate is not None and c.margin is not None and c.multiplier is not None
        assert c.floor is not None and c.cap is not None
        if period == 1 or index is None:
            return c.initial_rate
        return min(max(c.margin + c.multiplier * index, c.floor), c.cap)

    # -------------------------------------------------------------------------------------------- one date
    def run_period(
        self,
        state: DealState,
        inputs: dict[str, GroupPeriodInput],
        index: Decimal | None = None,
        on: date | None = None,
    ) -> tuple[DealState, PeriodResult]:
        """Distribute one date. ``state`` is not modified; the new state is returned with the results."""
        new = state.copy()
        new.period = state.period + 1
        period = new.period
        dd = on or distribution_date(self.deal.first_distribution_date, period)
        classes: dict[str, ClassResult] = {}
        b0s = state.balances
        for name, refname, rate in self._class_plan:
            if rate is None:
                rate = self.rate(name, period, index)
            classes[name] = ClassResult(name, b0s.get(refname, 0), 0, 0, 0, 0, 0, 0, 0, 0, rate)
        groups: dict[str, GroupResult] = {}
        for g in self.deal.groups:
            gi = inputs.get(g.loan_group) or GroupPeriodInput()
            groups[g.id] = self._run_group(g, gi, state, new, classes, dd, period)
        # notional classes follow their reference classes
        b1 = new.balances
        unpaid = new.unpaid_interest
        for name, refname, _ in self._class_plan:
            r = classes[name]
            r.ending_balance = b1.get(refname, 0)
            r.unpaid_interest_shortfall = unpaid.get(name, 0)
        self._check(state, new, inputs, classes, groups)
        if all(v == 0 for v in new.balances.values()):
            new.retired = True
        return new, PeriodResult(period, dd, classes, groups)

    def _run_group(
        self,
        g: GroupRules,
        gi: GroupPeriodInput,
        old: DealState,
        new: DealState,
        res: dict[str, ClassResult],
        dd: date,
        period: int,
    ) -> GroupResult:
        b0 = old.balances
        bal = new.balances
        gs = new.groups[g.id]
        po = g.po_class
        subs = g.subordinates
        final = gi.cleanup_call

        # ---- 1. percentages, from balances immediately prior to the date
        sp = self._senior_percentage(g, b0)
        subp = HUNDRED - sp
        spp, dq_pass, loss_pass = self._senior_prepayment_percentage(g, gs, gi, b0, sp, subp, dd)
        restricted = self._restricted(g, b0)

        # ---- 2. principal amounts
        non_po_ad = gi.scheduled_principal_non_po + gi.other_principal_non_po
        non_po_ef = gi.liquidation_principal_non_po + gi.prepayment_non_po
        spda = pct_of(non_po_ad, sp) + pct_of(non_po_ef, spp)
        subpda = non_po_ad + non_po_ef - spda
        popa = gi.principal_po
        priority_pct: Decimal | None = None
        priority_amount = 0
        if g.priority is not None:
            pr = g.priority
            den = sum([b0.get(n, 0) for n in self._priority_den[g.id]])
            priority_pct = self._pct(b0.get(pr.class_name, 0), den) if den else Decimal(0)
            base = gi.principal_non_po if pr.base == "non_po_principal_amount" else spda
            shift = self._at(pr.shift, dd)
            priority_amount = min(
                b0.get(pr.class_name, 0), rhd(Decimal(base) * shift * priority_pct / (HUNDRED * HUNDRED))
            )

        # ---- 3. principal losses, 5.03(a), before the distributions (5.03(d))
        was_depleted = gs.depleted
        excess_non_po, excess_po, excess_interest = self._coverage(gi, new, dd)
        ordinary_non_po = gi.realized_loss_principal_non_po - excess_non_po
        ordinary_po = gi.realized_loss_principal_po - excess_po
        loss = dict.fromkeys(self._members_of[g.id], 0)
        if po:
            to_po = min(bal.get(po, 0), ordinary_po + excess_po)
            loss[po] += to_po
            bal[po] -= to_po
            if not was_depleted:
                new.po_deferred[po] += min(ordinary_po, to_po)
        rest = ordinary_non_po
        for s in reversed(subs):
            take = min(bal.get(s, 0), rest)
            loss[s] += take
            bal[s] -= take
            rest -= take
        depleted_now = bool(subs) and not any([bal[s] for s in subs])
        depleted = was_depleted or (depleted_now and self._same_dd)
        senior_loss = rest
        if excess_non_po:
            if self._excess_seniors_only:
                senior_loss += excess_non_po
            else:
                senior_loss += self._sub_first_loss(subs, bal, loss, excess_non_po)
        if senior_loss:
            self._senior_loss(g, b0, bal, loss, senior_loss, depleted)
        for n, v in loss.items():
            if v:
                res[n].realized_loss += v
        if depleted_now:
            gs.depleted = True
        if depleted and po:
            new.po_deferred[po] = 0  # the Class A-PO Deferred Amount applies only before depletion
        gs.cumulative_losses += gi.realized_loss_principal_non_po + gi.realized_loss_principal_po

        # ---- 4. interest
        interest_classes = self._interest_of[g.id]
        aci: dict[str, int] = {}
        ida: dict[str, int] = {}
        accrual_basis = bal if self._accrue_after_losses else b0
        ref = self._notional
        ratios = self._rate_ratio
        for n in interest_classes:
            rate = res[n].rate
            rr = ratios.get(rate)
            if rr is None:
                num, den = rate.as_integer_ratio()
                rr = ratios[rate] = (num, den * 1200)
            aci[n] = mul_div(accrual_basis.get(ref.get(n, n), 0), rr[0], rr[1])
        reduction_total = gi.non_supported_interest_shortfall + gi.relief_act_reduction + excess_interest
        if depleted:
            reduction_total += gi.realized_loss_interest
        unpaid0 = old.unpaid_interest
        if reduction_total > 0:
            basis = [aci[n] + (unpaid0.get(n, 0) if self._reduce_on_ida else 0) for n in interest_classes]
            cut = split_exact(min(reduction_total, sum(aci.values())), basis)
            for n, r in zip(interest_classes, cut, strict=True):
                r = min(r, aci[n])
                cr = res[n]
                cr.accrued_interest = aci[n]
                cr.interest_reduction = r
                ida[n] = aci[n] - r + unpaid0.get(n, 0)
        else:
            for n in interest_classes:
                a = aci[n]
                res[n].accrued_interest = a
                ida[n] = a + unpaid0.get(n, 0)

        cash = gi.pool_distribution_amount
        pda = cash
        if final:
            residual_paid = self._final_payments(g, new, res, ida, cash)
            gs.adjusted_pool_amount = 0
            gs.adjusted_pool_amount_po = 0
        else:
            # ---- 5(i). senior interest
            seniors = [n for n in g.senior_interest if n in ida]
            cash = self._pay_interest(seniors, ida, cash, res, new)

            # ---- 5(ii). senior principal and PO principal, concurrently
            want_a = spda
            want_b = min(popa, bal.get(po, 0)) if po else 0
            if cash >= want_a + want_b:
                pay_a, pay_b = want_a, want_b
            else:
                pay_a, pay_b = split_capped(cash, [want_a, want_b])
            cash -= pay_a + pay_b
            if po and pay_b:
                bal[po] -= pay_b
                res[po].principal_paid += pay_b
            used = self._senior_principal(g, pay_a, bal, res, depleted, priority_amount)
            cash += pay_a - used
            senior_leftover = pay_a - used

            # ---- 5(iii) / (iv). Class A-PO Deferred Amount from subordinate principal; subordinates in pairs
            shares = self._pro_rata_shares(g, subpda, bal, b0, restricted)
            deferred_paid = 0
            if po and not depleted and new.po_deferred.get(po, 0) > 0:
                want = min(new.po_deferred[po], subpda, cash)
                diverted = {s: 0 for s in subs}
                left = want
                for s in reversed(subs):
                    take = min(shares.get(s, 0), left)
                    diverted[s] = take
                    left -= take
                deferred_paid = want - left
                for s in subs:
                    shares[s] = shares.get(s, 0) - diverted[s]
                new.po_deferred[po] -= deferred_paid
                res[po].po_deferred_paid += deferred_paid
                cash -= deferred_paid
            extra_sub = senior_leftover if self._spda_excess_to_subs else 0
            unpaid = new.unpaid_interest
            for s in subs:
                cr = res[s]
                want_i = ida.get(s)
                if want_i is not None:
                    # a single class: paid what is due or all the cash there is (as _pay_interest does)
                    p = want_i if cash >= want_i else max(cash, 0)
                    cr.interest_paid += p
                    unpaid[s] = want_i - p
                    cash -= p
                pay = min(shares.get(s, 0), bal[s], cash)
                if pay > 0:
                    bal[s] -= pay
                    cr.principal_paid += pay
                    cash -= pay
            if extra_sub:
                for s in subs:
                    pay = min(extra_sub, bal.get(s, 0), cash)
                    bal[s] -= pay
                    res[s].principal_paid += pay
                    cash -= pay
                    extra_sub -= pay

            # ---- 5(v). residual
            residual_paid = cash

            # ---- 6. write-downs to the Adjusted Pool Amount, 5.03(b)
            # Every amount of principal in the Pool Distribution Amount is distributed to a holder of the group --
            # a class, the PO (incl. its Deferred Amount) or the residual -- so the APA falls by the principal
            # collected and by the principal losses (2002-3 L379-389; 2000-2 L421-430).
            principal_distributed = gi.principal_non_po + gi.principal_po - gi.principal_shortfall
            gs.adjusted_pool_amount -= (
                principal_distributed + gi.realized_loss_principal_non_po + gi.realized_loss_principal_po
            )
            gs.adjusted_pool_amount_po -= gi.principal_po + gi.realized_loss_principal_po
            self._writedowns(g, gs, b0, bal, res, depleted)
            if subs and not any([bal[s] for s in subs]):
                gs.depleted = True
        gs.spp_last = spp
        return GroupResult(
            group=g.id,
            pool_distribution_amount=pda,
            senior_percentage=sp,
            senior_prepayment_percentage=spp,
            subordinate_percentage=subp,
            delinquency_test_pass=dq_pass,
            loss_test_pass=loss_pass,
            restricted_classes=restricted,
            priority_percentage=priority_pct,
            priority_amount=priority_amount,
            senior_principal_distribution_amount=spda,
            subordinate_principal_distribution_amount=subpda,
            po_principal_amount=popa,
            po_deferred_amount=new.po_deferred.get(po, 0) if po else 0,
            depleted=depleted,
            residual_paid=residual_paid,
            trustee_fee=gi.trustee_fee,
            adjusted_pool_amount=gs.adjusted_pool_amount,
            adjusted_pool_amount_po=gs.adjusted_pool_amount_po,
            non_po_class_total=sum([bal[n] for n in self._members_of[g.id]]) - (bal[po] if po else 0),
            non_po_pool_balance=gi.ending_balance - gi.ending_balance_po,
            cumulative_realized_losses=gs.cumulative_losses,
            coverage_remaining=self._loss_amounts(gi, new, dd) if new.coverage else {},
            fi_basis=(
                tuple(subs),
                tuple([b0[s] for s in subs]),
                sum([b0.get(n, 0) for n in self._fi_den[g.id]]),
            ),
        )

    # ------------------------------------------------------------------------------------------- helpers
    def _no_interest(self, g: GroupRules) -> set[str]:
        """Classes whose interest the chosen reading withholds (2002-3 AMBIG-10: the literal 1-A-LR)."""
        if self.sw("residual_lr_interest", "pay") == "none":
            return {n for n in self.classes if n.endswith("-LR")}
        return set()

    def _senior_prepayment_percentage(
        self,
        g: GroupRules,
        gs: GroupState,
        gi: GroupPeriodInput,
        b0: dict[str, int],
        sp: Decimal,
        subp: Decimal,
        dd: date,
    ) -> tuple[Decimal, bool, bool]:
        """Senior Prepayment Percentage with its step-down conditions (2002-3 L1493-1546; 2000-2 L1325-1381)."""
        sd = g.step_down
        sub_bal = sum([b0.get(s, 0) for s in g.subordinates])
        window = 6
        dqh = gs.delinquency_history
        sbh = gs.subordinate_history
        dqh.append(gi.delinquent_60_plus)
        sbh.append(sub_bal)
        if len(dqh) > window + 2:  # only the last window (+1 for the excluding-current reading) is ever read
            del dqh[: -window - 2]
            del sbh[: -window - 2]
        if self._dq_excluding_current:
            dq = gs.delinquency_history[-window - 1 : -1] or [0]
            sb = gs.subordinate_history[-window - 1 : -1] or [sub_bal]
        else:
            dq = gs.delinquency_history[-window:]
            sb = gs.subordinate_history[-window:]
        # average delinquency x 100 < limit x average subordinate balance, compared exactly (cross-multiplied)
        sum_sb, sum_dq = sum(sb), sum(dq)
        dq_pass = sum_sb > 0 and Decimal(sum_dq * 100 * len(sb)) < sd.delinquency_limit * (sum_sb * len(dq))
        if sum_sb == 0 and sum_dq == 0:
            dq_pass = True
        key = (id(sd), dd.year, dd.month)
        limit = self._table_cache.get(key)
        if limit is None:
            limit = self._table_cache[key] = (
                cents(sd.original_subordinate_balance) * self._at(sd.loss_limits, dd) / HUNDRED
            )
        loss_pass = Decimal(gs.cumulative_losses) <= limit
        share = self._at(sd.senior_share_of_subordinate, dd)
        ok = (dq_pass and loss_pass) if self._stepdown_both else (dq_pass or loss_pass)
        initial = gs.initial_senior_percentage or sp
        if share < 1 and sp > initial:
            share = Decimal(1)
        elif share < 1 and not ok:
            mode = self._blocked_mode
            prior = gs.spp_share_used if gs.spp_share_used is not None else Decimal(1)
            if mode == "full":
                share = Decimal(1)
            elif mode == "last_value" and gs.spp_last is not None:
                gs.spp_share_used = max(share, prior)
                return gs.spp_last, dq_pass, loss_pass
            else:
                share = max(share, prior)
        gs.spp_share_used = share
        spp = min(HUNDRED, sp + share * subp)
        return spp, dq_pass, loss_pass

    def _restricted(self, g: GroupRules, b0: dict[str, int]) -> list[str]:
        """5.02(d): classes junior to the most senior subordinate whose Fractional Interest is below its OFI."""
        ofis = self._ofi_of[g.id]
        if self._ofi_closing or not ofis:
            return []
        den = sum([b0.get(n, 0) for n in self._fi_den[g.id]])
        if den == 0:
            return []
        subs = g.subordinates
        for i, _s, ofi in ofis:
            assert ofi is not None
            junior = sum([b0[j] for j in subs[i + 1 :]])
            if Decimal(junior) * HUNDRED < ofi * den:
                return subs[i + 1 :]
        return []

    def _pro_rata_shares(
        self, g: GroupRules, subpda: int, bal: dict[str, int], b0: dict[str, int], restricted: list[str]
    ) -> dict[str, int]:
        """Pro Rata Shares of the Subordinate Principal Distribution Amount (2002-3 L1344-1352)."""
        basis = bal if self._prs_after_losses else b0
        live = [s for s in g.subordinates if s not in restricted]
        weights = [basis.get(s, 0) for s in live]
        shares = dict(zip(live, split_capped(subpda, weights), strict=True)) if sum(weights) else {}
        # If the non-restricted classes are retired (or cannot absorb it), the rest goes to the Restricted
        # Classes sequentially (2002-3 L3916-3922; 2000-2 AMBIG-11).
        if not restricted or not self._restricted_sequential:
            return shares
        absorbed = sum([min(shares.get(s, 0), bal.get(s, 0)) for s in live])
        left = subpda - absorbed
        if left > 0 and sum([bal.get(s, 0) for s in live]) == 0:
            for s in restricted:
                take = min(bal.get(s, 0), left)
                shares[s] = take
                left -= take
        return shares

    def _pay_interest(
        self, names: list[str], ida: dict[str, int], cash: int, res: dict[str, ClassResult], new: DealState
    ) -> int:
        want = [ida[n] for n in names]
        total = sum(want)
        pay = want if cash >= total else split_exact(cash, want)
        for n, p in zip(names, pay, strict=True):
            # a payment meets this date's interest first, then the unpaid shortfall (2002-3 L3786-3789); what
            # is left of either is the Class Unpaid Interest Shortfall carried to the next date, without interest
            res[n].interest_paid += p
            new.unpaid_interest[n] = ida[n] - p
        return cash - sum(pay)

    def _senior_principal(
        self,
        g: GroupRules,
        amount: int,
        bal: dict[str, int],
        res: dict[str, ClassResult],
        depleted: bool,
        priority_amount: int,
    ) -> int:
        """5.02(b): the senior allocation tree before depletion, pro rata on balances on and after it."""
        if amount <= 0:
            return 0
        if depleted:
            names = [n for n in g.senior_principal_classes if bal.get(n, 0) > 0]
            return self._pay_pro_rata(names, amount, bal, res)
        paid = 0
        for step in g.senior_principal:
            if amount - paid <= 0:
                break
            paid += self._step(step, amount - paid, bal, res, priority_amount)
        return paid

    def _pay(self, name: str, amount: int, bal: dict[str, int], res: dict[str, ClassResult]) -> int:
        p = min(amount, bal.get(name, 0))
        if p > 0:
            bal[name] -= p
            res[name].principal_paid += p
        return max(p, 0)

    def _pay_pro_rata(
        self, names: list[str], amount: int, bal: dict[str, int], res: dict[str, ClassResult]
    ) -> int:
        live = [n for n in names if bal.get(n, 0) > 0]
        total = sum(bal[n] for n in live)
        if total <= amount:
            return sum(self._pay(n, bal[n], bal, res) for n in live)
        shares = split_capped(amount, [bal[n] for n in live])
        return sum(self._pay(n, s, bal, res) for n, s in zip(live, shares, strict=True))

    def _capacity(self, target: str | Step, bal: dict[str, int]) -> int:
        if isinstance(target, str):
            return bal.get(target, 0)
        if isinstance(target, Capped):
            return self._capacity(target.step, bal)
        if isinstance(target, Concurrent):
            return sum(self._capacity(leg.pay, bal) for leg in target.legs)
        return sum(bal.get(n, 0) for n in target.classes)

    def _step(
        self, step: Step, amount: int, bal: dict[str, int], res: dict[str, ClassResult], priority_amount: int
    ) -> int:
        if isinstance(step, Sequential):
            paid = 0
            for n in step.classes:
                paid += self._pay(n, amount - paid, bal, res)
            return paid
        if isinstance(step, ProRata):
            return self._pay_pro_rata(step.classes, amount, bal, res)
        if isinstance(step, Capped):
            return self._step(step.step, min(amount, priority_amount), bal, res, priority_amount)
        return self._concurrent(step, amount, bal, res, priority_amount)

    def _concurrent(
        self,
        step: Concurrent,
        amount: int,
        bal: dict[str, int],
        res: dict[str, ClassResult],
        priority_amount: int,
    ) -> int:
        """Fixed-percentage legs paid together until the ``until`` classes retire (2000-2 §8.2 algorithm).

        X* = max over the until-set of balance / percentage is the step flow that retires them; the step takes
        X = min(available, X*) and pays each leg pct x X, capped at what the leg can absorb. A retired leg's share
        falls through to the next step, or (switch ``concurrent_retired_leg = redistribute``) is shared among the
        live legs of the same step in proportion to their percentages.
        """
        plan = self._concurrent_plan.get(id(step))
        if plan is None:
            plan = self._concurrent_plan[id(step)] = self._plan_concurrent(step)
        pcts, until_info, until_legs, mode = plan
        if all(bal.get(n, 0) == 0 for n in step.until):
            return 0
        need = Decimal(0)
        for leg_pct, k in until_info:
            # the leg carrying n must pass all of its own capacity to retire n
            cap = self._capacity(step.legs[k].pay, bal)
            need = max(need, Decimal(cap) * HUNDRED / leg_pct)
        x = min(Decimal(amount), need.to_integral_value(rounding="ROUND_CEILING"))
        want = [rhd(x * p / HUNDRED) for p in pcts]
        over = sum(want) - amount
        if over > 0:
            want[-1] -= over
        caps = [self._capacity(leg.pay, bal) for leg in step.legs]
        if mode == "redistribute":
            give = [min(w, c) for w, c in zip(want, caps, strict=True)]
            spare = sum(want) - sum(give)
            while spare > 0 and any(give[i] < caps[i] for i in until_legs):
                live = [i for i in range(len(give)) if caps[i] > give[i]]
                moved = 0
                for i, e in zip(live, split_capped(spare, [pcts[i] for i in live]), strict=True):
                    add = min(e, caps[i] - give[i])
                    give[i] += add
                    moved += add
                if moved == 0:
                    break
                spare -= moved
            want = give
        paid = 0
        for leg, w in zip(step.legs, want, strict=True):
            if w <= 0:
                continue
            if isinstance(leg.pay, str):
                paid += self._pay(leg.pay, w, bal, res)
            else:
                paid += self._step(leg.pay, w, bal, res, priority_amount)
        return paid

    def _plan_concurrent(
        self, step: Concurrent
    ) -> tuple[list[Decimal], list[tuple[Decimal, int]], list[int], str]:
        """What a concurrent step needs every date, computed once: leg percentages (switched, normalized), for
        each ``until`` class the percentage of the legs carrying it and the first such leg, the legs carrying an
        ``until`` class, and the spill mode."""
        pcts = [self._switched_pct(leg.pct, i, step) for i, leg in enumerate(step.legs)]
        if self._normalize_pcts and sum(pcts) > 0:
            total = sum(pcts)
            pcts = [p * HUNDRED / total for p in pcts]
        until_info: list[tuple[Decimal, int]] = []
        for n in step.until:
            carrying = [k for k, leg in enumerate(step.legs) if self._leg_contains(leg.pay, n)]
            leg_pct = sum((pcts[k] for k in carrying), Decimal(0))
            if leg_pct > 0:
                until_info.append((leg_pct, carrying[0]))
        until_legs = [
            i for i, leg in enumerate(step.legs) if any(self._leg_contains(leg.pay, n) for n in step.until)
        ]
        mode = self.switches.get(step.spill_switch or "concurrent_retired_leg", "fall_through")
        return pcts, until_info, until_legs, mode

    def _switched_pct(self, pct: Decimal, i: int, step: Concurrent) -> Decimal:
        """A leg percentage replaced by the chosen reading of an ambiguity switch (2002-3 AMBIG-1)."""
        leg = step.legs[i]
        if leg.pct_switch:
            return Decimal(self.switches[leg.pct_switch])
        return pct

    def _leg_contains(self, pay: str | Step, name: str) -> bool:
        if isinstance(pay, str):
            return pay == name
        if isinstance(pay, Capped):
            return self._leg_contains(pay.step, name)
        if isinstance(pay, Concurrent):
            return any(self._leg_contains(leg.pay, name) for leg in pay.legs)
        return name in pay.classes

    def _coverage(self, gi: GroupPeriodInput, new: DealState, dd: date) -> tuple[int, int, int]:
        """Special-loss coverage: the part of each special loss beyond its remaining coverage is an Excess Loss.

        The coverage available on a date is what remains after prior losses, capped where the PSA caps it by a
        percentage of the pool (Fraud Loss Amount L774-784: 1% after the first anniversary, 0.5% after the third,
        zero after the fifth; Special Hazard Loss Amount L1483-1498: at most the greater of 1% of the pool and
        the other tests, modelled here by its 1% term). This date's losses are compared with the coverage left
        after the prior date, then deducted (2000-2 AMBIG-7). Returns the Excess Loss principal split Non-PO /
        PO in the proportion of the date's losses, and the excess interest (0 in this model).
        """
        if not new.coverage:
            return 0, 0, 0
        total = gi.realized_loss_principal_non_po + gi.realized_loss_principal_po
        excess = 0
        for name, amount in (
            ("special_hazard", gi.special_hazard_loss),
            ("fraud", gi.fraud_loss),
            ("bankruptcy", gi.bankruptcy_loss),
        ):
            if amount <= 0 or name not in new.coverage:
                continue
            available = new.coverage[name]
            limit = self._coverage_limit(name, gi, dd)
            if limit is not None:
                available = min(available, limit)
            covered = min(amount, available)
            new.coverage[name] -= covered
            new.coverage_used[name] += covered
            excess += amount - covered
        if excess <= 0 or total <= 0:
            return 0, 0, 0
        excess = min(excess, total)
        ex_po = frac_of(excess, gi.realized_loss_principal_po, total)
        return excess - ex_po, ex_po, 0

    def _coverage_limit(self, name: str, gi: GroupPeriodInput, dd: date) -> int | None:
        """The "(a)" limit of a Loss Amount on ``dd``, or None where the PSA sets none (Bankruptcy): a percent of
        the Pool Stated Principal Balance after the prior Due Date (Fraud; Special Hazard), for Special Hazard the
        greatest of that, twice the largest loan and the largest California ZIP code concentration."""
        spec = self._coverage_spec.get(name)
        if spec is None or spec.pool_pct_caps is None:
            return None
        pool = gi.ending_balance + gi.principal_non_po + gi.principal_po
        pool += gi.realized_loss_principal_non_po + gi.realized_loss_principal_po
        limit = pct_of(pool, self._at(spec.pool_pct_caps, dd))
        if spec.largest_loan_multiple is not None:
            limit = max(limit, rhd(gi.largest_loan_balance * spec.largest_loan_multiple))
        if spec.largest_zip:
            limit = max(limit, gi.largest_zip_balance)
        return limit

    def _loss_amounts(self, gi: GroupPeriodInput, new: DealState, dd: date) -> dict[str, int]:
        """The Bankruptcy, Fraud and Special Hazard Loss Amounts after the date (what 5.04 reports)."""
        out = {}
        for name, left in new.coverage.items():
            limit = self._coverage_limit(name, gi, dd)
            out[name] = left if limit is None else min(left, limit)
        return out

    def _sub_first_loss(self, subs: list[str], bal: dict[str, int], loss: dict[str, int], amount: int) -> int:
        rest = amount
        for s in reversed(subs):
            take = min(bal.get(s, 0), rest)
            loss[s] += take
            bal[s] -= take
            rest -= take
        return rest

    def _senior_loss(
        self,
        g: GroupRules,
        b0: dict[str, int],
        bal: dict[str, int],
        loss: dict[str, int],
        amount: int,
        depleted: bool,
    ) -> None:
        """Non-PO losses beyond the subordinates: seniors pro rata on prior balances; support classes absorb."""
        names = [n for n in g.senior_principal_classes if bal.get(n, 0) > 0]
        if self._senior_loss_with_po and g.po_class and bal.get(g.po_class, 0) > 0:
            names.append(g.po_class)
        if not names:
            return
        shares = allocate_capped(amount, [b0.get(n, 0) for n in names], [bal[n] for n in names])
        alloc = dict(zip(names, shares, strict=True))
        if depleted:
            self._apply_support(g, alloc, bal)
        for n, v in alloc.items():
            bal[n] -= v
            loss[n] += v

    @staticmethod
    def _apply_support(g: GroupRules, alloc: dict[str, int], bal: dict[str, int]) -> None:
        """After depletion a support class takes the losses and write-downs of the class it supports, up to its
        own balance (2002-3 Class 1-A-11 Loss Allocation Amount, L504-517; 5.03(e) L3996-4002)."""
        for sup in g.loss_support:
            want = alloc.get(sup.supported, 0)
            room = bal.get(sup.support, 0) - alloc.get(sup.support, 0)
            moved = min(want, max(room, 0))
            if moved > 0:
                alloc[sup.supported] -= moved
                alloc[sup.support] = alloc.get(sup.support, 0) + moved

    def _writedowns(
        self,
        g: GroupRules,
        gs: GroupState,
        b0: dict[str, int],
        bal: dict[str, int],
        res: dict[str, ClassResult],
        depleted: bool,
    ) -> None:
        """5.03(b): keep the certificates within the Adjusted Pool Amount (and its PO portion).

        The most junior outstanding subordinate first (cascading upward by default, AMBIG-13); if that leaves the
        subordinates at zero, this date is the depletion date (AMBIG-12/16 default) and the seniors are written
        down to the APA less its PO portion, shared on their prior balances; the PO to the APA (PO Portion)
        on every date (2002-3) or after depletion (2000-2).
        """
        po = g.po_class
        members = self._members_of[g.id]
        over = sum([bal[n] for n in members]) - max(gs.adjusted_pool_amount, 0)
        if over > 0:
            cascade = self._cascade
            for s in reversed(g.subordinates):
                if bal.get(s, 0) <= 0:
                    continue
                take = min(bal[s], over)
                bal[s] -= take
                res[s].writedown += take
                over -= take
                if not cascade or over == 0:
                    break
        if g.subordinates and not any([bal[s] for s in g.subordinates]):
            depleted = depleted or self._same_dd
        if po and (self._po_writedown_every or depleted):
            over = bal.get(po, 0) - max(gs.adjusted_pool_amount_po, 0)
            if over > 0:
                bal[po] -= over
                res[po].writedown += over
        if depleted:
            seniors = [n for n in g.senior_principal_classes if bal.get(n, 0) > 0]
            target = max(gs.adjusted_pool_amount - gs.adjusted_pool_amount_po, 0)
            over = sum(bal[n] for n in seniors) - target
            if over > 0 and seniors:
                shares = allocate_capped(over, [b0.get(n, 0) for n in seniors], [bal[n] for n in seniors])
                alloc = dict(zip(seniors, shares, strict=True))
                self._apply_support(g, alloc, bal)
                for n, take in alloc.items():
                    bal[n] -= take
                    res[n].writedown += take

    def _final_payments(
        self,
        g: GroupRules,
        new: DealState,
        res: dict[str, ClassResult],
        ida: dict[str, int],
        cash: int,
    ) -> int:
        """Article X: on the Final Distribution Date each class gets its balance and interest in the 5.02 order;
        the PO class also its Deferred Amount. Returns what remains for the residual."""
        bal = new.balances
        po = g.po_class
        seniors = [n for n in g.senior_interest if n in ida]
        cash = self._pay_interest(seniors, ida, cash, res, new)
        senior_names = list(g.senior_principal_classes) + ([po] if po else [])
        if cash >= sum(bal.get(n, 0) for n in senior_names):
            for n in senior_names:
                cash -= self._pay(n, bal.get(n, 0), bal, res)
        else:
            cash -= self._pay_pro_rata(senior_names, cash, bal, res)
        if po and new.po_deferred.get(po, 0):
            d = min(new.po_deferred[po], cash)
            new.po_deferred[po] -= d
            res[po].po_deferred_paid += d
            cash -= d
        for s in g.subordinates:
            if s in ida:
                cash = self._pay_interest([s], ida, cash, res, new)
            cash -= self._pay(s, min(bal.get(s, 0), cash), bal, res)
        return cash

    # -------------------------------------------------------------------------------------------- invariants
    def _check(
        self,
        old: DealState,
        new: DealState,
        inputs: dict[str, GroupPeriodInput],
        res: dict[str, ClassResult],
        groups: dict[str, GroupResult],
    ) -> None:
        """Cash in equals cash out, to the cent, per group; no balance is negative; balances roll forward."""
        for g in self.deal.groups:
            gr = groups[g.id]
            out = 0
            for n in self._names_of[g.id]:
                r = res[n]
                out += r.interest_paid + r.principal_paid + r.po_deferred_paid
            if out + gr.residual_paid != gr.pool_distribution_amount:
                raise ConservationError(
                    f"period {new.period} group {g.id}: distributed {out} + residual {gr.residual_paid} "
                    f"!= Pool Distribution Amount {gr.pool_distribution_amount}"
                )
            if gr.residual_paid < 0:
                raise ConservationError(
                    f"period {new.period} group {g.id}: negative residual {gr.residual_paid}"
                )
        b0 = old.balances
        for n, b in new.balances.items():
            if b < 0:
                raise ConservationError(f"period {new.period}: class {n} balance negative ({b})")
            r = res[n]
            if b0[n] - r.principal_paid - r.realized_loss - r.writedown != b:
                raise ConservationError(f"period {new.period}: class {n} balance does not roll forward")
        for n, u in new.unpaid_interest.items():
            if u < 0:
                raise ConservationError(f"period {new.period}: class {n} unpaid interest negative")

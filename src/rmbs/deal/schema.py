"""The deal as data: a pydantic v2 schema for YAML deal files.

A deal file says *what* the PSA says -- groups, classes, coupons, tables, the senior principal allocation tree,
the loss rules, the tests and every ambiguity as a switch -- and the waterfall engine (``rmbs.waterfall``) knows
*how* to run any deal built from these parts. Every rule carries ``psa``: the section and seed line it
implements, so a report can say why a dollar went where it went.

Waterfall steps of the senior principal tree are a closed set, a discriminated union on ``kind``:

* ``sequential`` -- pay classes one after another, each until zero;
* ``pro_rata`` -- pay classes together in proportion to their current balances, until zero;
* ``capped`` -- run a nested step with at most a named amount (e.g. the Priority Amount);
* ``concurrent`` -- fixed-percentage legs paid together until named classes retire; a leg pays a class or a
  nested step (the 2002-3 "48.2415623500%, sequentially, to 1-A-2 .. 1-A-5" leg).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

Pct = Annotated[Decimal, Field(ge=0, le=100)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Coupon(Model):
    """A pass-through rate: fixed, an index floater / inverse floater, or none (principal-only)."""

    kind: Literal["fixed", "floater", "none"]
    rate: Pct | None = None
    index: str | None = None
    margin: Decimal | None = None
    multiplier: Decimal | None = None
    floor: Pct | None = None
    cap: Pct | None = None
    initial_rate: Pct | None = None
    psa: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Coupon:
        if self.kind == "fixed" and self.rate is None:
            raise ValueError("a fixed coupon needs 'rate'")
        if self.kind == "floater":
            missing = [
                k
                for k in ("index", "margin", "multiplier", "floor", "cap", "initial_rate")
                if getattr(self, k) is None
            ]
            if missing:
                raise ValueError(f"a floater coupon needs {', '.join(missing)}")
            assert self.floor is not None and self.cap is not None
            if self.floor > self.cap:
                raise ValueError("floor above cap")
        return self


class ClassSpec(Model):
    name: str
    group: str
    kind: Literal["senior", "subordinate", "po", "io", "residual"]
    initial_balance: Decimal = Field(ge=0)
    coupon: Coupon
    notional_of: str | None = None
    component_of: str | None = None
    original_fractional_interest: Pct | None = None
    psa: str = ""


class DateTable(Model):
    """A step function of the distribution date: ``rows`` are (first distribution month 'YYYY-MM', value)."""

    rows: list[tuple[str, Decimal]]
    psa: str = ""

    @field_validator("rows")
    @classmethod
    def _ordered(cls, rows: list[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
        if not rows:
            raise ValueError("a date table needs at least one row")
        keys = [r[0] for r in rows]
        for k in keys:
            y, _, m = k.partition("-")
            if not (y.isdigit() and m.isdigit() and 1 <= int(m) <= 12):
                raise ValueError(f"row key {k!r} is not YYYY-MM")
        if keys != sorted(keys):
            raise ValueError("rows must be in date order")
        return rows

    def at(self, d: date) -> Decimal:
        key = f"{d.year:04d}-{d.month:02d}"
        value = self.rows[0][1]
        for k, v in self.rows:
            if k <= key:
                value = v
        return value

    def tier(self, d: date) -> int:
        key = f"{d.year:04d}-{d.month:02d}"
        idx = 0
        for i, (k, _) in enumerate(self.rows):
            if k <= key:
                idx = i
        return idx


# ------------------------------------------------------------------------------------------------ waterfall steps
class Sequential(Model):
    kind: Literal["sequential"] = "sequential"
    classes: list[str]
    psa: str = ""


class ProRata(Model):
    kind: Literal["pro_rata"] = "pro_rata"
    classes: list[str]
    psa: str = ""


class Capped(Model):
    kind: Literal["capped"] = "capped"
    cap: Literal["priority_amount"]
    step: Step
    psa: str = ""


class Leg(Model):
    pct: Pct
    pay: str | Step  # a class name or a nested step
    pct_switch: str | None = None  # a switch whose chosen value replaces ``pct`` (an ambiguous percentage)


class Concurrent(Model):
    kind: Literal["concurrent"] = "concurrent"
    legs: list[Leg]
    until: list[str]
    spill_switch: str | None = None  # name of the switch choosing the spill rule for a retired leg
    psa: str = ""


Step = Annotated[Sequential | ProRata | Capped | Concurrent, Field(discriminator="kind")]
Capped.model_rebuild()
Leg.model_rebuild()
Concurrent.model_rebuild()


class PriorityRule(Model):
    """A lockout class's Priority Amount: min(balance, Shift% x Priority% x base)."""

    class_name: str
    denominator: list[str]  # classes whose balances form the Priority Percentage denominator
    base: Literal["non_po_principal_amount", "senior_principal_distribution_amount"]
    shift: DateTable
    psa: str = ""


class StepDown(Model):
    """Senior Prepayment Percentage schedule and the Senior Step Down Conditions."""

    senior_share_of_subordinate: DateTable  # 1 = 100% SPP; 0.7 = SP + 70% x SubP; ...
    delinquency_limit: Pct  # 60+ delinquent average / subordinate average must stay below this percent
    loss_limits: DateTable  # percent of the Original Subordinate Certificate Balance
    original_subordinate_balance: Decimal
    psa: str = ""


class LossSupport(Model):
    """After depletion, ``support`` absorbs the losses that would go to ``supported`` (2002-3 5.03(e))."""

    supported: str
    support: str
    psa: str = ""


class CoverageAmount(Model):
    """A special-loss coverage bucket (2000-2 Bankruptcy, Fraud, Special Hazard Loss Amounts)."""

    name: Literal["bankruptcy", "fraud", "special_hazard"]
    initial: Decimal = Field(ge=0)
    # The "(a)" limit of a Loss Amount, where the PSA gives one: a percent of the Pool Stated Principal Balance by
    # date (Fraud: 1%, 0.5%, then 0; Special Hazard: 1%), and for Special Hazard the greater of that, a multiple of
    # the largest loan's balance (2) and the largest California ZIP code concentration (2000-2 L1483-1498).
    pool_pct_caps: DateTable | None = None
    largest_loan_multiple: Decimal | None = Field(default=None, ge=0)
    largest_zip: bool = False
    psa: str = ""


class GroupRules(Model):
    id: str
    loan_group: str
    cutoff_balance: Decimal = Field(ge=0)
    senior_interest: list[str]  # 5.02(a)(i) recipients, in order
    senior_principal_classes: list[str]  # the non-PO seniors that take principal and losses
    po_class: str | None = None
    subordinates: list[str]  # B-1 .. B-6 order
    senior_percentage_numerator: list[str]
    senior_percentage_denominator: list[str]
    fractional_interest_denominator: list[str]
    step_down: StepDown
    priority: PriorityRule | None = None
    senior_principal: list[Step]
    residual: str  # receives the remaining Pool Distribution Amount (5.02(a)(v))
    loss_support: list[LossSupport] = []
    psa: str = ""


class Switch(Model):
    name: str
    default: str
    choices: list[str]
    register_entry: str = Field(alias="register")  # the ambiguity register entry, e.g. "AMBIG-1"
    description: str
    psa: str = ""

    @model_validator(mode="after")
    def _default_is_a_choice(self) -> Switch:
        if self.default not in self.choices:
            raise ValueError(f"default {self.default!r} is not one of {self.choices}")
        return self


class Termination(Model):
    threshold_pct: Pct  # optional clean-up call when the pool falls below this percent of the cut-off balance
    psa: str = ""


class Deal(Model):
    deal_id: str
    title: str
    library: str  # shipped library folder holding the cut-off tape
    cutoff_date: date
    closing_date: date
    first_distribution_date: date
    trustee_fee_rate: Decimal = Field(ge=0, le=100)
    compensating_interest_cap_rate: Decimal = Field(ge=0, le=100)
    classes: list[ClassSpec]
    groups: list[GroupRules]
    coverage: list[CoverageAmount] = []
    termination: Termination
    switches: list[Switch]
    psa: str = ""
    # where the deal came from (set by the loader): the file, and the YAML line of each switch entry, so that
    # a reading the interpreter does not implement or an unknown switch is reported at its line
    _source: str | None = PrivateAttr(default=None)
    _switch_lines: dict[str, int] = PrivateAttr(default_factory=dict)
    _switches_line: int | None = PrivateAttr(default=None)

    def locate(self, source: str, switch_lines: dict[str, int], switches_line: int | None) -> None:
        self._source = source
        self._switch_lines = dict(switch_lines)
        self._switches_line = switches_line

    @property
    def source(self) -> str | None:
        """The deal file this deal was loaded from, if any."""
        return self._source

    def switch_line(self, name: str | None = None) -> int | None:
        """The YAML line of switch ``name``'s entry (or of the ``switches:`` key when ``name`` is not declared)."""
        if name is not None and name in self._switch_lines:
            return self._switch_lines[name]
        return self._switches_line

    def class_map(self) -> dict[str, ClassSpec]:
        return {c.name: c for c in self.classes}

    def switch_defaults(self) -> dict[str, str]:
        return {s.name: s.default for s in self.switches}

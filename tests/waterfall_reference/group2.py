"""A clean-room reference of Article V for BAMSI 2002-3 Group 2, written from the PSA's words alone.

Seed: ../shared/seeds/002_e60160bc507d1125.txt ("Lnnnn" below). Nothing here imports rmbs.waterfall's rules: the
inputs are plain objects with the GroupPeriodInput field names (any object with those attributes will do) and all
arithmetic is Python integers in cents with Section 1.02 rounding (L1739-1742: "rounded to the nearest penny with
one-half of one penny being rounded down"); percentages are exact Fractions.

Group 2 (L838-839): the Group 2-A Certificates (Class 2-A-1), the Class 2-A-PO Component and the Group 2-B
Certificates (2-B-1..2-B-6). The group's leftover Pool Distribution Amount goes to Class 1-A-LR (5.02(a)(v),
L3779-3780).

Readings where the PSA is ambiguous follow the deal file's defaults (src/rmbs/deal/library/boams-2002-3/deal.yaml
``switches:``, spec §9), each named where it is used. Two conventions that are not in the PSA at all (where the
last cent of a pro rata split goes) are stated at :func:`split_all` and :func:`split_rounded`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# ---- data from the filing (Preliminary Statement L313, L322-327, L342; OFI L1112-1133; L1135-1136; L673-676)
SENIOR = "2-A-1"
PO = "2-A-PO"
SUBS = ("2-B-1", "2-B-2", "2-B-3", "2-B-4", "2-B-5", "2-B-6")
CLASSES = (SENIOR, PO, *SUBS)
INITIAL = {
    "2-A-1": 14_718_900_000,
    "2-A-PO": 48_687_325,
    "2-B-1": 144_300_000,
    "2-B-2": 121_400_000,
    "2-B-3": 68_400_000,
    "2-B-4": 30_300_000,
    "2-B-5": 22_800_000,
    "2-B-6": 30_444_100,
}
RATE = Fraction(65, 1000)  # 6.500% for 2-A-1 and every 2-B class (L313, L322-327)
INTEREST_BEARING = (SENIOR, *SUBS)  # the A-PO Component bears no interest (footnote (4) L361-363)
OFI = dict(zip(SUBS, (Fraction(181, 10000), Fraction(1, 100), Fraction(55, 10000), Fraction(35, 10000),
                      Fraction(20, 10000), Fraction(0)), strict=True))  # fmt: skip
ORIGINAL_SUBORDINATE = 417_644_100  # $4,176,441.00, L1135-1136
CUTOFF_POOL = 15_185_231_473  # $151,852,314.73, L673-676
# Adjusted Pool Amount (PO Portion) at the cut-off: sum of PO% x Cut-Off balance, 486,873.249 recomputed from
# Exhibit D-2 (spec §1.3), in cents rounded half down = the component's $486,873.25
CUTOFF_POOL_PO = 48_687_325


def rhd(x: Fraction | int) -> int:
    """Section 1.02: to the nearest cent, half a cent rounded down (non-negative amounts)."""
    x = Fraction(x)
    n, d = x.numerator, x.denominator
    if n < 0:
        return -rhd(-x)
    return (2 * n + d - 1) // (2 * d)


def pct_up(num: int, den: int) -> Fraction:
    """A percentage "carried six places rounded up" (Senior Percentage L1486-1491): six decimals of the percentage
    (AMBIG-5 default percent_6dp), i.e. the fraction rounded up at 10^-8."""
    if den <= 0:
        return Fraction(1)
    q = -((-num * 10**8) // den)
    return Fraction(q, 10**8)


def split_all(total: int, weights: list[int]) -> list[int]:
    """A pro rata split of an amount the PSA distributes in full (Pro Rata Shares, 5.02(c) reductions, Article X
    balances). CONVENTION (the PSA does not say where the last cent goes): each share is rounded down to the cent
    and the cents left are placed one each by largest remainder, ties to the class listed first."""
    w = sum(weights)
    if total <= 0 or w <= 0:
        return [0] * len(weights)
    base = [total * x // w for x in weights]
    rem = [total * x - b * w for x, b in zip(weights, base, strict=True)]
    left = total - sum(base)
    for i in sorted(range(len(weights)), key=lambda i: (-rem[i], i))[:left]:
        base[i] += 1
    return base


def split_rounded(total: int, weights: list[int]) -> list[int]:
    """5.02(a)(ii) when the cash cannot pay both the SPDA and the PO Principal Amount: "pro rata, based on their
    respective" amounts, each share rounded half down (1.02). CONVENTION: should the rounded shares exceed the cash,
    the excess cent comes off the larger share (ties: the one listed first)."""
    w = sum(weights)
    if total <= 0 or w <= 0:
        return [0] * len(weights)
    out = [rhd(Fraction(total * x, w)) for x in weights]
    over = sum(out) - total
    order = sorted(range(len(weights)), key=lambda i: (-out[i], i))
    k = 0
    while over > 0:
        i = order[k % len(order)]
        if out[i] > 0:
            out[i] -= 1
            over -= 1
        k += 1
    return out


def senior_share_of_subordinate(period: int) -> Fraction:
    """Senior Prepayment Percentage schedule (L1493-1507): 100% for five years from April 2002, then SP plus
    70/60/40/20/0% of the Subordinate Percentage. ``period`` 1 = April 2002."""
    if period <= 60:
        return Fraction(1)
    return (
        [Fraction(70, 100), Fraction(60, 100), Fraction(40, 100), Fraction(20, 100)][
            min((period - 61) // 12, 4)
        ]
        if period <= 108
        else Fraction(0)
    )


def loss_limit(period: int) -> Fraction:
    """Senior Step Down Condition (ii) table (L1533-1546): 30% Apr-2007 .. 50% from Apr-2011."""
    if period <= 60:
        return Fraction(0)
    return (
        [Fraction(30, 100), Fraction(35, 100), Fraction(40, 100), Fraction(45, 100)][(period - 61) // 12]
        if period <= 108
        else Fraction(50, 100)
    )


@dataclass
class State:
    bal: dict[str, int] = field(default_factory=lambda: dict(INITIAL))
    unpaid: dict[str, int] = field(default_factory=lambda: {c: 0 for c in INTEREST_BEARING})
    po_deferred: int = 0
    apa: int = CUTOFF_POOL
    apa_po: int = CUTOFF_POOL_PO
    cum_losses: int = 0
    depleted: bool = False
    share_used: Fraction | None = None  # senior share of the Subordinate Percentage used on the prior date
    dq_hist: list[int] = field(default_factory=list)
    sub_hist: list[int] = field(default_factory=list)
    period: int = 0
    initial_sp: Fraction | None = None


@dataclass
class DateOut:
    period: int
    interest: dict[str, int]
    principal: dict[str, int]
    loss: dict[str, int]
    writedown: dict[str, int]
    end: dict[str, int]
    unpaid: dict[str, int]
    po_deferred_paid: int
    residual: int
    pda: int
    sp: Fraction
    spp: Fraction
    spda: int
    subpda: int
    restricted: tuple[str, ...]
    loss_test_pass: bool
    dq_test_pass: bool
    final: bool
    depleted: bool
    events: set[str]


def _get(x: Any, name: str) -> int:
    return int(getattr(x, name, 0) or 0)


def distribute(st: State, x: Any) -> DateOut:
    """One Distribution Date of Group 2 from ``st`` (updated in place) with the Servicer's figures ``x``."""
    st.period += 1
    n = st.period
    ev: set[str] = set()
    b0 = dict(st.bal)
    bal = dict(st.bal)
    prin = {c: 0 for c in CLASSES}
    intr = {c: 0 for c in CLASSES}
    loss = {c: 0 for c in CLASSES}
    wd = {c: 0 for c in CLASSES}

    ad = _get(x, "scheduled_principal_non_po") + _get(x, "other_principal_non_po")  # Non-PO clauses (a)-(d)
    ef = _get(x, "liquidation_principal_non_po") + _get(x, "prepayment_non_po")  # clauses (e)-(f)
    popa = sum(_get(x, f) for f in ("scheduled_principal_po", "other_principal_po", "liquidation_principal_po",
                                    "prepayment_po"))  # PO Principal Amount L1251-1268  # fmt: skip
    pshort = _get(x, "principal_shortfall")
    rl_np = _get(x, "realized_loss_principal_non_po")
    rl_po = _get(x, "realized_loss_principal_po")
    rl_int = _get(x, "realized_loss_interest")
    # Pool Distribution Amount (L1270-1294): interest net of the Servicing Fee, principal collected, less the
    # Trustee's withdrawal (3.11(b)(i), 5.02(a)(1))
    pda = _get(x, "net_interest") - _get(x, "trustee_fee") + ad + ef + popa - pshort
    cash = pda

    # ---- percentages, all on balances immediately prior to the date
    group_total0 = sum(
        b0.values()
    )  # "all Classes of Certificates of such Group" incl. the PO (AMBIG-4 include)
    sp = min(Fraction(1), pct_up(b0[SENIOR] + b0[PO], group_total0))  # L1486-1491
    if st.initial_sp is None:
        st.initial_sp = pct_up(INITIAL[SENIOR] + INITIAL[PO], sum(INITIAL.values()))
    subp = 1 - sp
    # Senior Step Down Conditions (L1524-1546), both required (AMBIG-7 "both"): (i) 60+ delinquencies averaged over
    # the six dates ending with this one (AMBIG-9 including_current) against the subordinate balances immediately
    # prior to those dates, not >= 50%; (ii) cumulative Realized Losses "as of the applicable Distribution Date" --
    # this date's included (fix 2, loss_test_losses: including_current) -- not above the tier's % of $4,176,441.
    st.dq_hist.append(_get(x, "delinquent_60_plus"))
    st.sub_hist.append(sum(b0[s] for s in SUBS))
    dq6, sb6 = sum(st.dq_hist[-6:]), sum(st.sub_hist[-6:])
    dq_pass = (dq6 == 0 and sb6 == 0) or 2 * dq6 < sb6
    cum = st.cum_losses + rl_np + rl_po + realized_loss_interest_counted(rl_int)
    loss_pass = cum <= loss_limit(n) * ORIGINAL_SUBORDINATE
    sched = senior_share_of_subordinate(n)
    prev = st.share_used if st.share_used is not None else Fraction(1)
    share = sched
    if sched < 1 and sp > st.initial_sp:  # "once again equal 100%" (L1508-1511)
        share = Fraction(1)
    elif sched < 1 and not (
        dq_pass and loss_pass
    ):  # "no decrease ... unless both" (L1511-1513), AMBIG-8 prior tier
        share = max(sched, prev)
        if share > sched:
            ev.add("stepdown_blocked")
            if not loss_pass and st.cum_losses <= loss_limit(n) * ORIGINAL_SUBORDINATE:
                ev.add("blocked_by_current_losses")
    st.share_used = share
    spp = sp + share * subp
    subpp = 1 - spp
    # 5.02(d) Fractional Interests (L3904-3915), prior balances, the PO inside the denominator (AMBIG-4)
    restricted: tuple[str, ...] = ()
    if group_total0 > 0:
        for i, s in enumerate(SUBS):
            fi = Fraction(sum(b0[j] for j in SUBS[i + 1 :]), group_total0)
            if fi < OFI[s]:
                restricted = SUBS[i + 1 :]
                break
    # ---- principal amounts (L1515-1522, L1631-1638), each product a dollar amount rounded per 1.02
    spda = rhd(sp * ad) + rhd(spp * ef)
    # READING (no register entry): the SubPDA is the complement, Non-PO Principal Amount - SPDA. The Subordinate
    # Percentages are defined as 100% minus the senior ones (L1624-1629), so before rounding SubP x X = X - SP x X;
    # rounding the two definitions independently (half a cent down each) loses a cent whenever both products end
    # in exactly half a cent (e.g. SP 25%, 2 cents: 0 + 1 of 2), which would hand Non-PO principal to 1-A-LR.
    subpda = ad + ef - spda
    literal_subpda = rhd(subp * ad) + rhd(subpp * ef)
    if literal_subpda != subpda:
        ev.add("subpda_half_cent")

    # ---- 5.03(a) principal losses, allocated before the distributions (5.03(d) L3990-3994)
    to_po = min(bal[PO], rl_po)
    bal[PO] -= to_po
    loss[PO] += to_po
    if not st.depleted:
        st.po_deferred += to_po  # Class A-PO Deferred Amount (L527-533), only before the depletion date
    rest = rl_np
    for s in reversed(SUBS):
        take = min(bal[s], rest)
        bal[s] -= take
        loss[s] += take
        rest -= take
    take = min(
        bal[SENIOR], rest
    )  # "second to the Senior Certificates ... pro rata" -- 2-A-1 alone (AMBIG-11)
    bal[SENIOR] -= take
    loss[SENIOR] += take
    # AMBIG-12 same_dd: the date the subordinates reach zero is the Senior Credit Support Depletion Date
    if all(bal[s] == 0 for s in SUBS):
        if not st.depleted:
            ev.add("depletion_date")
        st.depleted = True
        st.po_deferred = 0
    st.cum_losses += rl_np + rl_po + realized_loss_interest_counted(rl_int)

    # ---- interest: Accrued Certificate Interest on the prior balance (L374-377, AMBIG-16), 5.02(c) reductions
    aci = {c: rhd(b0[c] * RATE / 12) for c in INTEREST_BEARING}
    red_total = _get(x, "non_supported_interest_shortfall") + _get(x, "relief_act_reduction") + \
        (rl_int if st.depleted else 0)  # fmt: skip
    red = {c: 0 for c in INTEREST_BEARING}
    if red_total > 0:
        # pro rata "based on such Class' Interest Distribution Amount ... without taking into account" the
        # reduction (AMBIG-14 ida): ACI plus the Class Unpaid Interest Shortfall
        weights = [aci[c] + st.unpaid[c] for c in INTEREST_BEARING]
        cut = split_all(min(red_total, sum(aci.values())), weights)
        red = {c: min(k, aci[c]) for c, k in zip(INTEREST_BEARING, cut, strict=True)}
    ida = {c: aci[c] - red[c] + st.unpaid[c] for c in INTEREST_BEARING}  # L923-926

    final = _get(x, "cleanup_call") != 0
    apa_after = st.apa - (ad + ef + popa - pshort + rl_np + rl_po)
    if _get(x, "ending_balance") == 0 and apa_after <= 0 and st.apa > 0:
        final = (
            True  # the group's last loan paid or liquidated (Article X, per group: switch final_distribution)
        )

    def pay_interest(c: str) -> None:
        nonlocal cash
        p = min(ida[c], max(cash, 0))
        intr[c] += p
        st.unpaid[c] = ida[c] - p
        cash -= p

    def pay_principal(c: str, amount: int) -> int:
        nonlocal cash
        p = max(0, min(amount, bal[c], cash))
        bal[c] -= p
        prin[c] += p
        cash -= p
        return p

    # 5.02(a)(i) senior interest: 2-A-1
    pay_interest(SENIOR)
    deferred_paid = 0
    if final:
        deferred_paid = _article_x(bal, prin, st, ida, intr, ev, cash_box := [cash])
        cash = cash_box[0]
    else:
        # (ii) concurrently, pro rata on SPDA and PO Principal Amount, each "up to" its amount
        want_b = min(popa, bal[PO])
        pa, pb = (spda, want_b) if cash >= spda + want_b else tuple(split_rounded(cash, [spda, want_b]))
        pay_principal(PO, pb)
        # 5.02(b)(ii) before depletion: 2-A-1 until zero; on or after depletion pro rata among the Class A
        # Certificates (L3885-3891) -- the non-PO seniors, 2-A-1 alone (AMBIG-26)
        took = min(pa, bal[SENIOR])
        bal[SENIOR] -= took
        prin[SENIOR] += took
        cash -= took
        # spda_excess: subordinates -- senior (and PO) principal no senior can take joins the SubPDA
        excess = min(cash, pa - took + popa - want_b)
        if excess > 0:
            ev.add("spda_excess")
        subpda_x = subpda + max(excess, 0)
        # Pro Rata Shares (L1344-1352) of the non-restricted subordinates, on balances after this date's losses
        # (AMBIG-16 after_losses). The definition has no cap: the share is SubPDA x balance / total; the cap is on
        # the payment, "until the Class Certificate Balance thereof has been reduced to zero" ((iv)(B)..(L)).
        live = [s for s in SUBS if s not in restricted]
        wts = [bal[s] for s in live]
        shares = dict(zip(live, split_all(subpda_x, wts), strict=True))
        for s in restricted:
            shares[s] = 0
        # (iii) the Class A-PO Deferred Amount up to the SubPDA, "from amounts otherwise distributable" to 2-B-6,
        # 2-B-5, ... 2-B-1 under (iv): what each would be paid, its share up to its balance
        used = {s: 0 for s in SUBS}
        if not st.depleted and st.po_deferred > 0:
            want = min(st.po_deferred, subpda_x, cash)
            for s in reversed(SUBS):
                t = min(shares[s], bal[s], want - deferred_paid)
                used[s] = t
                deferred_paid += t
            st.po_deferred -= deferred_paid
            cash -= deferred_paid
        sub_principal = deferred_paid
        # (iv) each subordinate's interest, then "its Pro Rata Share ... less any amount used to pay the Class A-PO
        # Deferred Amount ... until the Class Certificate Balance thereof has been reduced to zero"
        for s in SUBS:
            pay_interest(s)
            sub_principal += pay_principal(s, shares[s] - used[s])
            if shares[s] > 0 and used[s] > 0 and shares[s] > bal[s] + prin[s]:
                ev.add("deferred_from_share_above_balance")
        # 5.02(d) last sentence (fix 3): non-restricted classes reduced to zero (this date's principal included):
        # "any funds remaining" -- all the cash left -- sequentially to the Restricted Classes
        if restricted and all(bal[s] == 0 for s in live):
            for s in restricted:
                p = pay_principal(s, cash)
                sub_principal += p
                if p:
                    ev.add("restricted_leftover")
        # depletion_subpda: seniors -- the subordinates are zero: the SubPDA none of them took goes to the
        # seniors (L3885-3891), at the place the residual would otherwise take it (after clause (iv))
        untaken = subpda_x - sub_principal
        if all(bal[s] == 0 for s in SUBS) and untaken > 0 and cash > 0 and pay_principal(SENIOR, untaken):
            ev.add("depletion_subpda")

    # ---- 5.03(b) write-downs to the Adjusted Pool Amount (L3954-3983), after the distributions (AMBIG-25)
    st.apa -= ad + ef + popa - pshort + rl_np + rl_po
    st.apa_po -= popa + rl_po
    if final:
        for c in CLASSES:  # Article X: what the final distribution could not pay is written off
            wd[c] += bal[c]
            bal[c] = 0
        st.apa = st.apa_po = 0
        st.depleted = True
        st.po_deferred = 0
    else:
        # most junior outstanding subordinate, cascading upward (AMBIG-13); the aggregate is after principal,
        # losses and A-PO Deferred Amounts (the PO paragraph's reduction is not in that list)
        over = sum(bal.values()) - max(st.apa, 0)
        for s in reversed(SUBS):
            if over <= 0:
                break
            t = min(bal[s], over)
            bal[s] -= t
            wd[s] += t
            over -= t
        if all(bal[s] == 0 for s in SUBS):
            if not st.depleted:
                ev.add("depletion_date")
            st.depleted = True
            st.po_deferred = 0
        over = bal[PO] - max(st.apa_po, 0)  # first paragraph of 5.03(b)
        if over > 0:
            bal[PO] -= over
            wd[PO] += over
        if st.depleted:  # third paragraph: seniors to APA - APA(PO); 2-A-1 is the only non-PO senior
            over = bal[SENIOR] - max(st.apa - st.apa_po, 0)
            if over > 0:
                bal[SENIOR] -= over
                wd[SENIOR] += over

    residual = cash  # 5.02(a)(v): to Class 1-A-LR
    st.bal = bal
    return DateOut(n, intr, prin, loss, wd, dict(bal), dict(st.unpaid), deferred_paid, residual, pda, sp, spp,
                   spda, subpda, restricted, loss_pass, dq_pass, final, st.depleted, ev)  # fmt: skip


def realized_loss_interest_counted(rl_int: int) -> int:
    """Cumulative Realized Losses for the loss test (L1531-1533): a Realized Loss (L1374-1384) is unpaid
    principal PLUS interest at the Net Mortgage Interest Rate less proceeds, so its interest portion counts."""
    return rl_int


def _article_x(bal: dict[str, int], prin: dict[str, int], st: State, ida: dict[str, int],
               intr: dict[str, int], ev: set[str], box: list[int]) -> int:  # fmt: skip
    """Article X final distribution (L5449-5463): "in the order set forth in Section 5.02", each Class its Class
    Certificate Balance plus accrued interest (senior interest already paid), the A-PO Component its balance and
    Class A-PO Deferred Amount; the residual only what remains. Returns the deferred amount paid."""
    ev.add("article_x")
    cash = box[0]
    # (ii) 2-A-1 and 2-A-PO concurrently, pro rata on what each is owed (their balances)
    owed = [bal[SENIOR], bal[PO]]
    parts = owed if cash >= sum(owed) else split_all(cash, owed)
    for c, p in zip((SENIOR, PO), parts, strict=True):
        bal[c] -= p
        prin[c] += p
        cash -= p
    d = min(st.po_deferred, cash)  # (iii)
    st.po_deferred -= d
    cash -= d
    for s in SUBS:  # (iv) interest, then the whole balance
        p = min(ida[s], cash)
        intr[s] += p
        st.unpaid[s] = ida[s] - p
        cash -= p
        p = min(bal[s], cash)
        bal[s] -= p
        prin[s] += p
        cash -= p
    box[0] = cash
    return d

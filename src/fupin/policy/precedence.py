"""身份优先顺序: the category a claim is settled as when the person holds several on its day.

A 建档立卡 person may also be 低保 or 特困; the settlement takes one category per claim
(身份自动识别), and which one is the more supportive depends on the region's rules — Jilin gives
特困 and 低保 more than the poor, Fuliang, Jining and Qingcheng give the poor more. Each pack
states its order (`medical.category_precedence`, with its reading); a pack that does not keeps
特困 → 低保 → 建档立卡.
"""

from __future__ import annotations

from fupin.policy.packs import PackError
from fupin.policy.regions import Policy, load_policy

# Packs without their own order (e.g. a county's draft pack): the special identities first.
DEFAULT_PRECEDENCE: tuple[str, ...] = ("tekun", "dibao", "poor")


def category_precedence(policy: Policy) -> tuple[str, ...]:
    """The order in which the held categories are tried, the first held one wins; the same for
    every period of the policy (a region whose periods disagree is refused in Chinese)."""
    orders = {
        tuple(p.medical.category_precedence.value)
        if p.medical is not None and p.medical.category_precedence is not None
        else DEFAULT_PRECEDENCE
        for p in policy.packs
    }
    if len(orders) > 1:
        raise PackError(
            f"{policy.region.name}各政策期间的身份优先顺序（category_precedence）不同：请在各期间给出同一顺序"
        )
    return orders.pop()


def precedence_of(policy_id: str) -> tuple[str, ...]:
    """`category_precedence` of a policy named by its id ("fuliang-2018", "jining", "jining@2020-06-01");
    an unknown id gives the default order (the caller refuses the id itself with its own message)."""
    try:
        return category_precedence(load_policy(policy_id))
    except PackError:
        return DEFAULT_PRECEDENCE

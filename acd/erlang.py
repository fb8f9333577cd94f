"""Erlang B, C and A: the queueing formulas behind staffing, without scipy.

Traffic ``A = calls_per_second * AHT`` (erlangs). Everything is computed with the
Erlang B recurrence ``B(0) = 1, B(n) = A*B(n-1) / (n + A*B(n-1))``, which never
forms a factorial or a power and stays accurate for thousands of agents; Erlang C
follows as ``C = N*B / (N - A*(1 - B))``.

* P(wait) = C; service level ``P(W <= T) = 1 - C * exp(-(N - A) * T / AHT)``;
  ASA = ``C * AHT / (N - A)``; occupancy = ``A / N`` (all when ``N > A``).
* Erlang A (M/M/N+M, exponential patience, Palm 1943 / Garnett-Mandelbaum-Reiman
  2002) is solved as its birth-death chain in log space, truncated where the tail
  mass is negligible: P(wait), P(abandon) = ``theta * E[Q] / lambda``, mean wait of
  all callers = ``E[Q] / lambda`` (Little) and occupancy.
* Erlang A service level, exact (no quadrature). A caller who arrives (PASTA) to
  ``N + k`` callers has ``k`` ahead. With ``j`` ahead, the next move comes at rate
  ``r_j = N*mu + j*theta`` (a service or an abandon ahead) and the caller abandons
  at rate ``theta``: each stage lasts Exp(``r_j + theta``) and is passed with
  probability ``r_j / (r_j + theta)``. So P(answered | k) = ``x / (x + k + 1)``
  with ``x = N*mu/theta`` (the product telescopes), and given an answer the time
  ``V`` to reach an agent has ``exp(-theta*V)`` ~ Beta(x+1, k+1). With ``w =
  exp(-theta*T)``: P(V > T | answered, k) = ``I_w(x+1, k+1) = w**(x+1) *
  sum_{j<=k} (x+1)_j / j! * (1-w)**j`` (integer second parameter), a sum of
  positive terms built by a recurrence in log space: no cancellation, no
  overflow, O(k) for all positions at once.
"""

import math
from dataclasses import dataclass


def erlang_b(traffic: float, agents: int) -> float:
    """Return the Erlang B blocking probability of ``agents`` servers."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return blocking


def erlang_c(traffic: float, agents: int) -> float:
    """Return the Erlang C probability that a caller waits (1 when unstable)."""
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(traffic, agents)
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def service_level(traffic: float, agents: int, aht: float, target: float) -> float:
    """Return P(wait <= target) for Erlang C (0 when unstable)."""
    if agents <= traffic:
        return 0.0
    waiting = erlang_c(traffic, agents)
    return 1.0 - waiting * math.exp(-(agents - traffic) * target / aht)


def average_speed_of_answer(traffic: float, agents: int, aht: float) -> float:
    """Return the mean wait of all callers under Erlang C (inf when unstable)."""
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht / (agents - traffic)


@dataclass(frozen=True, slots=True, kw_only=True)
class StaffingRow:
    """What ``agents`` agents achieve for a given load."""

    agents: int
    service_level: float
    asa: float
    prob_wait: float
    occupancy: float


def row(traffic: float, agents: int, aht: float, target: float) -> StaffingRow:
    """Return the Erlang C figures of one staffing level."""
    return StaffingRow(
        agents=agents,
        service_level=service_level(traffic, agents, aht, target),
        asa=average_speed_of_answer(traffic, agents, aht),
        prob_wait=erlang_c(traffic, agents),
        occupancy=min(1.0, traffic / agents) if agents else 1.0,
    )


def traffic_of(calls_per_hour: float, aht: float) -> float:
    """Return the offered load in erlangs."""
    return calls_per_hour * aht / 3600.0


def agents_needed(
    *,
    calls_per_hour: float,
    aht: float,
    sl_target: float,
    sl_seconds: float,
    max_occupancy: float = 1.0,
) -> int:
    """Return the fewest agents meeting the service level (and occupancy cap).

    Args:
        calls_per_hour: arrival rate.
        aht: average handle time (seconds).
        sl_target: wanted share answered within ``sl_seconds`` (0-1, below 1).
        sl_seconds: the service-level threshold T.
        max_occupancy: highest acceptable occupancy (1 = no cap).
    """
    traffic = traffic_of(calls_per_hour, aht)
    agents = max(1, math.floor(traffic) + 1)
    while (
        service_level(traffic, agents, aht, sl_seconds) < sl_target
        or traffic / agents > max_occupancy
    ):
        agents += 1
    return agents


@dataclass(frozen=True, slots=True, kw_only=True)
class ErlangAResult:
    """Steady state of M/M/N+M (Erlang A)."""

    prob_wait: float
    prob_abandon: float
    mean_wait: float
    mean_queue: float
    occupancy: float


def _erlang_a_states(lam: float, mu: float, theta: float, agents: int) -> list[float]:
    """Return the stationary P(n callers in the system), n = 0, 1, ... (truncated)."""
    logs = [0.0]
    for n in range(1, agents + 1):
        logs.append(logs[-1] + math.log(lam / (n * mu)))
    # Past N the weights shrink by lam / (N*mu + k*theta) per caller; stop once that
    # ratio is below 1 and the tail is e^-40 below the peak.
    peak, k = max(logs), 0
    while True:
        k += 1
        ratio = lam / (agents * mu + k * theta)
        logs.append(logs[-1] + math.log(ratio))
        peak = max(peak, logs[-1])
        if ratio < 1.0 and logs[-1] < peak - 40.0:
            break
    weights = [math.exp(v - peak) for v in logs]
    total = sum(weights)
    return [w / total for w in weights]


MAX_ERLANG_A_QUEUE = 1_000_000
"""Callers waiting at which an overloaded Erlang A queue is refused (not computed)."""


def _erlang_a_rates(
    calls_per_hour: float, aht: float, patience: float, agents: int
) -> tuple[float, float, float]:
    """Return (arrival, service, abandon) rates per second, checked."""
    for name, value in (("calls_per_hour", calls_per_hour), ("aht", aht),
                        ("patience", patience), ("agents", agents)):  # fmt: skip
        if not (math.isfinite(value) and value > 0):
            msg = f"Erlang A needs a positive finite {name}, not {value!r}"
            raise ValueError(msg)
    lam, mu, theta = calls_per_hour / 3600.0, 1.0 / aht, 1.0 / patience
    if (lam - agents * mu) / theta > MAX_ERLANG_A_QUEUE:
        msg = (
            f"{agents} agents for {lam / mu:.1f} erlangs with {patience:g} s patience:"
            " the queue grows without bound; add agents or shorten the patience"
        )
        raise ValueError(msg)
    return lam, mu, theta


def erlang_a(
    *, calls_per_hour: float, aht: float, patience: float, agents: int
) -> ErlangAResult:
    """Return Erlang A figures for exponential patience of mean ``patience`` seconds.

    Raises:
        ValueError: a rate, time or head count that is not a positive finite number,
            or an overloaded queue (fewer agents than erlangs) with patience so long
            that the queue would grow past a million callers before it settles.
    """
    lam, mu, theta = _erlang_a_rates(calls_per_hour, aht, patience, agents)
    probs = _erlang_a_states(lam, mu, theta, agents)
    prob_wait = sum(probs[agents:])
    mean_queue = sum((n - agents) * p for n, p in enumerate(probs) if n > agents)
    busy = sum(min(n, agents) * p for n, p in enumerate(probs))
    return ErlangAResult(
        prob_wait=prob_wait,
        prob_abandon=theta * mean_queue / lam,
        mean_wait=mean_queue / lam,
        mean_queue=mean_queue,
        occupancy=busy / agents,
    )


def erlang_a_service_level(
    *, calls_per_hour: float, aht: float, patience: float, agents: int, target: float
) -> float:
    """Return the share of offered calls answered within ``target`` s (Erlang A).

    Definition: answered within T / offered, every abandon in the denominator,
    as a center reports its service level when abandons count against it. It is
    what the ACD's ``default`` and ``offered`` definitions measure when short
    abandons are not set apart (``acd.stats``; the simulator runs so).
    Divided by 1 - P(abandon) it gives the per-answered figure (``asterisk_sl``).
    It is not P(W <= T) over all callers, which counts abandons within T as met.
    Endless patience gives Erlang C's ``service_level``; T = 0 gives 1 - P(wait);
    a long T gives 1 - P(abandon). Derivation in the module docstring; it is
    the exponential-patience case of Mandelbaum & Zeltyn, "The M/M/n+G queue:
    summary of performance measures" (Technion, 2009), there in
    incomplete-gamma form; model: Garnett, Mandelbaum & Reiman (2002).

    Args:
        calls_per_hour: Poisson arrival rate.
        aht: mean handle time in seconds (exponential).
        patience: mean patience in seconds (exponential, finite and > 0).
        agents: N.
        target: the T of "answered within T", seconds (>= 0).
    """
    lam, mu, theta = _erlang_a_rates(calls_per_hour, aht, patience, agents)
    probs = _erlang_a_states(lam, mu, theta, agents)
    x = agents * mu / theta
    log_step = math.log(-math.expm1(-theta * target)) if target > 0 else -math.inf
    log_term = -(x + 1.0) * theta * target  # log of w**(x+1), the j = 0 term
    late = 0.0  # P(V > T | answered, k), one term more per position
    answered = sum(probs[:agents])
    for k, prob in enumerate(probs[agents:]):
        if k:
            log_term += math.log((x + k) / k) + log_step
        late += math.exp(log_term)
        answered += prob * x / (x + k + 1) * max(0.0, 1.0 - late)
    return min(1.0, answered)

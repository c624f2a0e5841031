"""The protocol model: what the loader builds and every other stage reads.

Frozen, keyword-only attrs classes; collections are tuples; every object carries the
`SourceSpan` it was written at (left out of equality). Cross-references are checked
by the loader, so a `ProtocolSpec` is always internally consistent.
"""

from __future__ import annotations

from enum import Enum
from typing import Final, TypeVar

from attrs import field, frozen

from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import Assignment, Expr, Type

__all__ = [
    "ANY_STATUS",
    "BUILTIN_OWNERS",
    "NO_OWNER",
    "PREVIOUS_OWNER",
    "UNSPECIFIED",
    "Authority",
    "Cadence",
    "CadenceKind",
    "Deadline",
    "DecisionRule",
    "Direction",
    "Document",
    "Escalation",
    "EscalationLevel",
    "Event",
    "EventKind",
    "External",
    "Guard",
    "Meeting",
    "Modality",
    "OutOfScope",
    "Owner",
    "OwnerKind",
    "Precedence",
    "Property",
    "PropertyKind",
    "ProtocolSpec",
    "Reading",
    "Rereferral",
    "Role",
    "Source",
    "Status",
    "Team",
    "Term",
    "Tier",
    "Unspecified",
    "Variable",
]


class Unspecified(Enum):
    """The document leaves this open: no deadline, consequence, authority or tie-break.

    Kept as a value of its own so the checker can see and report the gap.
    """

    UNSPECIFIED = "unspecified"

    def __str__(self) -> str:
        return "unspecified"


UNSPECIFIED: Final = Unspecified.UNSPECIFIED
NO_OWNER: Final = "none"
PREVIOUS_OWNER: Final = "previous"
ANY_STATUS: Final = "any"
NOT_NEEDED: Final = "not_needed"


class Modality(Enum):
    """How binding a rule is, as the text words it."""

    MUST = "must"
    SHOULD = "should"
    MAY = "may"


class Reading(Enum):
    """Which rules bind: `must` enforces must-rules; `should` enforces must and should."""

    MUST = "must"
    SHOULD = "should"

    def enforces(self, modality: Modality) -> bool:
        """True when a rule of this modality binds under the reading (`may` never does)."""
        if modality is Modality.MUST:
            return True
        return modality is Modality.SHOULD and self is Reading.SHOULD


class Tier(Enum):
    """Level of service a status belongs to, lowest first (see `rank`)."""

    CLOSED = "closed"
    UNIVERSAL = "universal"
    EARLY_HELP = "early_help"
    TARGETED = "targeted"
    ASSESSMENT = "assessment"
    CIN = "cin"
    CP = "cp"
    CLA = "cla"
    LEAVING_CARE = "leaving_care"

    @property
    def rank(self) -> int:
        """Order that tells a step down: closed 0 < universal < ... < cp = cla = leaving care 6."""
        return _TIER_RANK[self]

    @property
    def statutory(self) -> bool:
        """True for statutory social work tiers (assessment and above)."""
        return self.rank >= _TIER_RANK[Tier.ASSESSMENT]


_TIER_RANK: Final = {
    Tier.CLOSED: 0,
    Tier.UNIVERSAL: 1,
    Tier.EARLY_HELP: 2,
    Tier.TARGETED: 3,
    Tier.ASSESSMENT: 4,
    Tier.CIN: 5,
    Tier.CP: 6,
    Tier.CLA: 6,
    Tier.LEAVING_CARE: 6,
}


class OwnerKind(Enum):
    """What kind of place holds a case, which decides whether anyone is responsible."""

    ALLOCATED = "allocated"
    TEAM_TRAY = "team_tray"
    WAITING_LIST = "waiting_list"
    MEETING_QUEUE = "meeting_queue"
    SYSTEM_TRAY = "system_tray"
    EXTERNAL = "external"
    NONE = "none"
    UNSPECIFIED = "unspecified"

    @property
    def responsible_by_default(self) -> bool:
        """Allocated workers, team trays, waiting lists and outside bodies answer for a case."""
        return self in _RESPONSIBLE_KINDS


_RESPONSIBLE_KINDS: Final = frozenset(
    {OwnerKind.ALLOCATED, OwnerKind.TEAM_TRAY, OwnerKind.WAITING_LIST, OwnerKind.EXTERNAL}
)


class EventKind(Enum):
    """What an event is, in the protocol's own words (used for diagrams and reports)."""

    STEP_UP = "step_up"
    URGENT_STEP_UP = "urgent_step_up"
    STEP_IN = "step_in"
    STEP_DOWN = "step_down"
    TRANSFER = "transfer"
    ALLOCATE = "allocate"
    MEETING = "meeting"
    CONSENT_GIVEN = "consent_given"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    CLOSE = "close"
    RE_REFERRAL = "re_referral"
    REFER = "refer"
    DECIDE = "decide"
    OTHER = "other"


class CadenceKind(Enum):
    """How often a meeting sits."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    ON_DEMAND = "on_demand"
    UNSPECIFIED = "unspecified"


class Direction(Enum):
    """After the anchor (a time limit), before it (notice), or not before (a minimum wait)."""

    AFTER = "after"
    BEFORE = "before"
    NOT_BEFORE = "not_before"


class PropertyKind(Enum):
    """The three mission properties and the two user-written forms."""

    ESCALATION_TERMINATES = "escalation_terminates"
    NO_UNOWNED_CASE = "no_unowned_case"
    CP_STEP_DOWN_REQUIRES_MEETING = "cp_step_down_requires_meeting"
    REQUIRES_MEETING = "requires_meeting"
    INVARIANT = "invariant"
    LEADS_TO = "leads_to"


@frozen(kw_only=True)
class Source:
    """A citation: which document, which paragraph, which digest rule, what it says."""

    doc: str
    section: str | None = None
    rule: str | None = None
    quote: str | None = None
    note: str | None = None
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Authority:
    """The local authority whose protocol this is."""

    id: str
    name: str
    description: str | None = None


@frozen(kw_only=True)
class Document:
    """One protocol document encoded by the spec."""

    id: str
    title: str
    file: str | None = None
    rule_prefix: str | None = None
    version: str | None = None
    date: str | None = None
    description: str | None = None
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Team:
    """A team that can hold a case."""

    id: str
    name: str
    service: str | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Role:
    """Someone who acts in the protocol: a manager, a chair, a worker."""

    id: str
    name: str
    team: str | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Owner:
    """A typed place that can hold a case; `responsible` says whether anyone answers for it."""

    id: str
    kind: OwnerKind
    responsible: bool
    team: str | None = None
    meeting: str | None = None
    name: str | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)

    @property
    def allocated(self) -> bool:
        """True when a named worker holds the case."""
        return self.kind is OwnerKind.ALLOCATED


@frozen(kw_only=True)
class Status:
    """Where a case is; entering it sets the owner to `owner` when one is given."""

    id: str
    tier: Tier
    owner: str | None = None
    initial: bool = False
    final: bool = False
    holding: bool = False
    description: str | None = None
    external: str | None = None
    """An external document this element follows (`externals`): verdicts and findings
    that rely on it say they depend on it."""
    sources: tuple[Source, ...] = ()
    tier_open: tuple[Tier, ...] = ()
    """The tiers the document leaves open for this status (`tier: [targeted, cp]`, or
    every tier for `tier: unspecified`), lowest first. When set, `tier` is only the
    first of them: no engine reads such a status; `spec.readings` makes one spec per
    reading, each with every tier fixed, and verdicts are decided under each."""
    tier_unspecified: bool = False
    """True when the document says nothing of the tier (`tier: unspecified`)."""
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Variable:
    """A case fact: a flag, a bounded counter or a choice among named values."""

    id: str
    type: Type
    initial: bool | int | str
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Cadence:
    """When a meeting sits: a kind plus, where the text gives them, a weekday and a time."""

    kind: CadenceKind
    weekday: int | None = None
    time: str | None = None

    def __str__(self) -> str:
        text = self.kind.value.replace("_", " ")
        if self.weekday is not None:
            text += f" on {_WEEKDAYS[self.weekday]}"
        if self.time is not None:
            text += f" at {self.time}"
        return text


_T = TypeVar("_T")

_WEEKDAYS: Final = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays")


class DecisionRule(Enum):
    """How a meeting reaches its decision."""

    CONSENSUS = "consensus"
    CHAIR_DECIDES = "chair_decides"
    MAJORITY = "majority"
    UNSPECIFIED = "unspecified"


@frozen(kw_only=True)
class Meeting:
    """A meeting that decides or hands over cases, with its cadence."""

    id: str
    cadence: Cadence
    name: str | None = None
    chair: str | Unspecified | None = None
    decision_rule: DecisionRule | None = None
    """How the meeting decides; None when the spec does not say (the document may)."""
    quorum: int | Unspecified | None = None
    attendees: tuple[str, ...] = ()
    description: str | None = None
    external: str | None = None
    """An external document this element follows (`externals`): verdicts and findings
    that rely on it say they depend on it."""
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Term:
    """A word of the document: `definition` is UNSPECIFIED where the document never says
    what it means; `aliases` are other names for the same thing; `used_by` the ids of
    the elements whose rule depends on it."""

    id: str
    term: str
    definition: str | Unspecified | None = None
    aliases: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)

    @property
    def undefined(self) -> bool:
        return self.definition is UNSPECIFIED


@frozen(kw_only=True)
class Precedence:
    """One route pre-empts others while it is possible: under a reading that enforces
    it, no event of `over` can happen while an event of `route` can (SEMANTICS.md,
    "Precedence"). `sources` cite the document's words; the loader requires one."""

    id: str
    route: tuple[str, ...]
    over: tuple[str, ...]
    modality: Modality = Modality.MUST
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class External:
    """A document or protocol the text defers to but that is not encoded (an opaque node)."""

    id: str
    title: str
    kind: str | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Guard:
    """One precondition of an event, with its own modality and citation."""

    condition: Expr
    text: str
    modality: Modality = Modality.MUST
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Event:
    """Something that happens to a case: from some statuses, to one, guarded, with effects.

    `sources_from` empty means the event can happen in any status. `target` None
    keeps the status. `owner` None keeps the owner unless the target status sets one.
    """

    id: str
    kind: EventKind
    sources_from: tuple[str, ...]
    target: str | None = None
    at: str | None = None
    guards: tuple[Guard, ...] = ()
    effects: tuple[Assignment, ...] = ()
    owner: str | None = None
    co_owner: str | None = None
    modality: Modality = Modality.MUST
    description: str | None = None
    external: str | None = None
    """An external document this element follows (`externals`): verdicts and findings
    that rely on it say they depend on it."""
    sources: tuple[Source, ...] = ()
    undefined: tuple[str, ...] = ()
    """What the document leaves out of a route it admits: `to` (where it leads) and/or
    `guard` (when it may happen). Such an event is an undefined route: it is kept out
    of `ProtocolSpec.events`, so no engine takes it, and in `undefined_routes`."""
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Deadline:
    """A time limit: after (or before) the anchor, the obligation within the duration."""

    id: str
    within: Duration | Unspecified
    anchor: tuple[str, ...]
    obligation: tuple[str, ...]
    consequence: str | Unspecified
    direction: Direction = Direction.AFTER
    by_next: str | None = None
    recurring: bool = False
    condition: Expr | None = None
    modality: Modality = Modality.MUST
    description: str | None = None
    external: str | None = None
    """An external document this element follows (`externals`): verdicts and findings
    that rely on it say they depend on it."""
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)
    eager: bool = False
    """Never written in a spec: set by a derived question (`checker/derived.py`) so that,
    when people comply, they meet this deadline at the first chance, not on its last
    day (time does not pass while it runs and can be met)."""
    route: str | None = None
    """Never written in a spec: the clock of the derived urgent-route question
    (`checker/derived_urgent.py`) on the status `route`, which it is anchored on."""


@frozen(kw_only=True)
class EscalationLevel:
    """One rung of an escalation ladder: who acts, how long they have, whether they decide."""

    id: str
    within: Duration | Unspecified
    who: tuple[str, ...] = ()
    decides: bool = False
    external: str | None = None
    next: str | None = None
    if_unavailable: tuple[str, ...] = ()
    """Who stands in for `who` when they are unavailable: never a second decider."""
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Escalation:
    """An escalation ladder, started by its trigger events and ended by a final decision."""

    id: str
    trigger: tuple[str, ...]
    levels: tuple[EscalationLevel, ...]
    final_authority: str | Unspecified
    tie_break: str | Unspecified
    resolution: tuple[str, ...] = ()
    within: Duration | Unspecified = UNSPECIFIED
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)

    def level_by_id(self, level_id: str) -> EscalationLevel:
        return next(level for level in self.levels if level.id == level_id)


@frozen(kw_only=True)
class Rereferral:
    """A re-referral window: within it, the re-referral event routes to `route_to`."""

    id: str
    window: Duration
    anchor: tuple[str, ...]
    event: str
    route_to: str
    condition: Expr | None = None
    modality: Modality = Modality.MUST
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)


@frozen(kw_only=True)
class Property:
    """A claim the checker proves or refutes."""

    id: str
    kind: PropertyKind
    tiers: tuple[Tier, ...] = ()
    to_tiers: tuple[Tier, ...] = ()
    kinds: tuple[EventKind, ...] = ()
    """For `requires_meeting`: the kinds of step that must be taken at or after one of
    `meetings` ("all case transfers must be agreed at the weekly TAM")."""
    between_teams: bool = False
    """For `requires_meeting`: watch only steps that move the case from one team's owner
    to another team's ("all case transfers (other than those within a team)"): the owner
    before and after both belong to a team, and the teams differ."""
    exempt: tuple[str, ...] = ()
    """For `requires_meeting` (`except:` in YAML): events the text exempts from the
    meeting ("these transfers do not need to be discussed at allocations meetings")."""
    meetings: tuple[str, ...] = ()
    any_meeting: bool = False
    """`cp_step_down_requires_meeting` that names no meeting ("a meeting is held before
    the step-down", none named): read as any of the spec's meetings, which the loader
    puts in `meetings`; the checker reports that none is named."""
    escalations: tuple[str, ...] = ()
    holds: Expr | None = None
    trigger: Expr | None = None
    goal: Expr | None = None
    within: Duration | None = None
    description: str | None = None
    sources: tuple[Source, ...] = ()
    span: SourceSpan = field(eq=False, repr=False)
    deadline: str | None = None
    """Set on a question the checker derives itself (never written in a spec): the
    invariant "deadline `deadline` is never overdue" (`checker/derived.py`)."""
    holding: str | None = None
    """Set on a derived question (never written in a spec): "a case in the holding
    status `holding` leaves it", with its worst case in working days."""
    urgent: str | None = None
    """Set on a derived question (never written in a spec): "a case on an urgent route
    in the status `urgent` moves on the day it arrives" (`checker/derived_urgent.py`);
    `deadline` names the clock that question adds to its own copy of the spec."""


@frozen(kw_only=True)
class OutOfScope:
    """A digest rule deliberately not encoded, with the reason."""

    rule: str
    reason: str
    quote: str | None = None
    span: SourceSpan = field(eq=False, repr=False)


BUILTIN_OWNERS: Final = (
    Owner(
        id=NO_OWNER,
        kind=OwnerKind.NONE,
        responsible=False,
        name="nobody",
        span=SourceSpan(file="<built-in>", line=0, column=0),
    ),
    Owner(
        id=UNSPECIFIED.value,
        kind=OwnerKind.UNSPECIFIED,
        responsible=False,
        name="not stated by the document",
        span=SourceSpan(file="<built-in>", line=0, column=0),
    ),
)


@frozen(kw_only=True)
class ProtocolSpec:
    """One authority's protocol: the contract between loader, checker, oracle and diagrams."""

    authority: Authority
    documents: tuple[Document, ...]
    teams: tuple[Team, ...]
    roles: tuple[Role, ...]
    owners: tuple[Owner, ...]
    statuses: tuple[Status, ...]
    variables: tuple[Variable, ...]
    meetings: tuple[Meeting, ...]
    externals: tuple[External, ...]
    events: tuple[Event, ...]
    deadlines: tuple[Deadline, ...]
    escalations: tuple[Escalation, ...]
    rereferrals: tuple[Rereferral, ...]
    properties: tuple[Property, ...]
    out_of_scope: tuple[OutOfScope, ...]
    path: str = field(eq=False)
    glossary: tuple[Term, ...] = ()
    undefined_routes: tuple[Event, ...] = ()
    """Routes the document admits but does not define (`to: unspecified`,
    `guard: unspecified`): checked by no engine, reported, and they qualify verdicts."""
    precedence: tuple[Precedence, ...] = ()
    """Routes that pre-empt others while they are possible (`precedence:`)."""

    def status_by_id(self, status_id: str) -> Status:
        return _by_id(self.statuses, status_id)

    def event_by_id(self, event_id: str) -> Event:
        return _by_id(self.events, event_id)

    def owner_by_id(self, owner_id: str) -> Owner:
        return _by_id(self.owners, owner_id)

    def meeting_by_id(self, meeting_id: str) -> Meeting:
        return _by_id(self.meetings, meeting_id)

    def deadline_by_id(self, deadline_id: str) -> Deadline:
        return _by_id(self.deadlines, deadline_id)

    def escalation_by_id(self, escalation_id: str) -> Escalation:
        return _by_id(self.escalations, escalation_id)

    def property_by_id(self, property_id: str) -> Property:
        return _by_id(self.properties, property_id)

    @property
    def initial_statuses(self) -> tuple[Status, ...]:
        return tuple(status for status in self.statuses if status.initial)

    @property
    def cited_rules(self) -> frozenset[str]:
        """Every digest rule id cited by some element of the spec."""
        return frozenset(source.rule for source in self.all_sources() if source.rule)

    def all_sources(self) -> tuple[Source, ...]:
        """Every citation in the spec, in spec order."""
        found: list[Source] = []
        groups: tuple[tuple[object, ...], ...] = (
            self.teams,
            self.roles,
            self.owners,
            self.statuses,
            self.variables,
            self.meetings,
            self.externals,
            self.events,
            self.deadlines,
            self.escalations,
            self.rereferrals,
            self.properties,
            self.precedence,
        )
        for group in groups:
            for item in group:
                found.extend(getattr(item, "sources", ()))
                for guard in getattr(item, "guards", ()):
                    found.extend(guard.sources)
                for level in getattr(item, "levels", ()):
                    found.extend(level.sources)
        return tuple(found)


def _by_id(items: tuple[_T, ...], item_id: str) -> _T:
    for item in items:
        if getattr(item, "id", None) == item_id:
            return item
    raise KeyError(item_id)

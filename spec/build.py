"""Schema-valid plain data -> `ProtocolSpec`, checking every name and reference.

The third stage of `loader`. It trusts the shapes the schema guaranteed and checks
what a schema cannot: unique ids, references between sections, expressions, initial
values. Every key it is given is read: a key the schema allows but this module
ignores would be silent data loss, so it is an `InternalError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

from stepcheck.spec.diagnostics import Diagnostic, InternalError, SourceSpan, did_you_mean
from stepcheck.spec.duration import Duration, DurationError, parse_duration
from stepcheck.spec.expr import (
    BOOL,
    Assignment,
    EnumType,
    Expr,
    ExpressionInvalid,
    IntType,
    Scope,
    Type,
    check_assignment,
    check_expression,
)
from stepcheck.spec.model import (
    ANY_STATUS,
    BUILTIN_OWNERS,
    NO_OWNER,
    NOT_NEEDED,
    PREVIOUS_OWNER,
    UNSPECIFIED,
    Authority,
    Cadence,
    CadenceKind,
    Deadline,
    Direction,
    Document,
    Escalation,
    EscalationLevel,
    Event,
    EventKind,
    External,
    Guard,
    Meeting,
    Modality,
    OutOfScope,
    Owner,
    OwnerKind,
    Property,
    PropertyKind,
    ProtocolSpec,
    Rereferral,
    Role,
    Source,
    Status,
    Team,
    Tier,
    Unspecified,
    Variable,
)
from stepcheck.spec.yamlread import Document as YamlDocument
from stepcheck.spec.yamlread import Path

__all__ = ["BUILTIN_NAMES", "build_spec"]

_T = TypeVar("_T")

BUILTIN_NAMES: Final = frozenset(
    {"status", "tier", "owner", "co_owner", "allocated", "owned", "held", "overdue", "escalating",
     "none", "unspecified", "any", "previous", "not_needed", "and", "or", "not", "in", "implies"}
)
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday")
_CADENCE_EVERY: Final = {
    "week": CadenceKind.WEEKLY, "fortnight": CadenceKind.FORTNIGHTLY, "month": CadenceKind.MONTHLY
}
_SECTIONS: Final = (
    "documents", "teams", "roles", "owners", "statuses", "variables", "meetings", "externals",
    "events", "deadlines", "escalations", "rereferrals", "properties",
)


def build_spec(document: YamlDocument) -> tuple[ProtocolSpec | None, list[Diagnostic]]:
    """Build the model from a schema-valid document, or report every problem found."""
    builder = _Builder(document)
    spec = builder.build()
    if builder.problems:
        return None, builder.problems
    return spec, []


class _Builder:
    def __init__(self, document: YamlDocument) -> None:
        self.doc = document
        self.data: dict[str, Any] = document.data
        self.problems: list[Diagnostic] = []
        self._read: set[Path] = set()
        self._kinds: dict[str, str] = {}

    # -- reading with bookkeeping ------------------------------------------------------

    def get(self, path: Path, key: str, default: Any = None) -> Any:
        """The value at `path`.`key`, marking it read."""
        node = self._at(path)
        self._read.add((*path, key))
        return node.get(key, default)

    def entries(self, path: Path) -> list[tuple[str, Path]]:
        """The (id, path) pairs of an id-keyed mapping, marking each id read."""
        node = self._at(path)
        if not isinstance(node, dict):
            return []
        self._read.add(path)
        found = []
        for key in node:
            self._read.add((*path, key))
            found.append((key, (*path, key)))
        return found

    def span(self, path: Path, *, key: bool = False, length: int = 1) -> SourceSpan:
        return self.doc.locations.span(path, key=key, length=length)

    def problem(self, code: str, message: str, path: Path, hint: str | None = None) -> None:
        value = self._at(path) if path else None
        length = len(value) if isinstance(value, str) else 1
        self.problems.append(
            Diagnostic(code=code, message=message, span=self.span(path, length=length), hint=hint)
        )

    def _at(self, path: Path) -> Any:
        node: Any = self.data
        for part in path:
            node = node[part]
        return node

    # -- the whole spec --------------------------------------------------------------

    def build(self) -> ProtocolSpec | None:
        self.get((), "stepcheck")
        self._register_ids()
        documents = self._many("documents", self._document)
        teams = self._many("teams", self._team)
        roles = self._many("roles", self._role)
        owners = BUILTIN_OWNERS + self._many("owners", self._owner)
        meetings = self._many("meetings", self._meeting)
        externals = self._many("externals", self._external)
        statuses = self._many("statuses", self._status)
        variables = self._many("variables", self._variable)
        scope = self._scope(statuses, owners, variables, meetings)
        events = self._many("events", lambda i, p: self._event(i, p, scope))
        deadlines = self._many("deadlines", self._deadline)
        escalations = self._many("escalations", self._escalation)
        rereferrals = self._many("rereferrals", self._rereferral)
        properties = self._many("properties", lambda i, p: self._property(i, p, scope))
        out_of_scope = self._out_of_scope(documents)
        self._check_initial(statuses)
        self._check_citations(documents)
        spec = ProtocolSpec(
            authority=self._authority(),
            documents=documents, teams=teams, roles=roles, owners=owners, statuses=statuses,
            variables=variables, meetings=meetings, externals=externals, events=events,
            deadlines=deadlines, escalations=escalations, rereferrals=rereferrals,
            properties=properties, out_of_scope=out_of_scope, path=self.doc.locations.file,
        )
        self._check_everything_read(self.data, ())
        return spec

    def _many(self, section: str, make: Callable[[str, Path], _T]) -> tuple[_T, ...]:
        self.get((), section)
        if section not in self.data:
            return ()
        return tuple(make(item_id, path) for item_id, path in self.entries((section,)))

    def _register_ids(self) -> None:
        """Ids are unique across sections, so a name in an expression means one thing."""
        first: dict[str, str] = {}
        for section in _SECTIONS:
            for item_id in self.data.get(section) or {}:
                path: Path = (section, item_id)
                if item_id in BUILTIN_NAMES:
                    self.problems.append(Diagnostic(
                        code="SPEC111",
                        message=f"'{item_id}' is a built-in name and cannot be used as an id",
                        span=self.span(path, key=True, length=len(item_id)),
                        hint="choose another name, e.g. 'case_" + item_id + "'",
                    ))
                elif item_id in first:
                    self.problems.append(Diagnostic(
                        code="SPEC101",
                        message=f"id '{item_id}' is used twice: in {first[item_id]} and in {section}",
                        span=self.span(path, key=True, length=len(item_id)),
                        hint="ids are unique across the whole spec; rename one of them",
                    ))
                else:
                    first[item_id] = section
                    self._kinds[item_id] = section
        for level_ids in _level_ids(self.data):
            for level_id, path in level_ids:
                if level_id in first and first[level_id] != "levels":
                    self.problems.append(Diagnostic(
                        code="SPEC101",
                        message=f"id '{level_id}' is used twice: in {first[level_id]} and as an "
                        "escalation level",
                        span=self.span(path, length=len(level_id)),
                        hint="ids are unique across the whole spec; rename one of them",
                    ))
                else:
                    first[level_id] = "levels"
                    self._kinds[level_id] = "levels"

    # -- references ------------------------------------------------------------------

    def ref(self, value: str | None, path: Path, *sections: str, allow: Iterable[str] = ()) -> str | None:
        """Check that `value` names something in one of `sections`; report it otherwise."""
        if value is None:
            return None
        allowed = set(allow)
        if value in allowed or self._kinds.get(value) in sections:
            return value
        known = allowed | {name for name, kind in self._kinds.items() if kind in sections}
        what = " or ".join(_SINGULAR[s] for s in sections)
        code = _REF_CODES[sections[0]]
        elsewhere = self._kinds.get(value)
        message = f"unknown {what} '{value}'"
        if elsewhere:
            message = f"'{value}' is a {_SINGULAR[elsewhere]}, not a {what}"
        self.problem(code, message, path, did_you_mean(value, known, what=_PLURAL[sections[0]]))
        return value

    def refs(self, value: str | list[str] | None, path: Path, *sections: str,
             allow: Iterable[str] = ()) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            self.ref(value, path, *sections, allow=allow)
            return (value,)
        for index, item in enumerate(value):
            self.ref(item, (*path, index), *sections, allow=allow)
        return tuple(value)

    def sources(self, path: Path) -> tuple[Source, ...]:
        raw = self.get(path, "source")
        if raw is None:
            return ()
        base: Path = (*path, "source")
        items = [(raw, base)] if isinstance(raw, dict) else [
            (item, (*base, index)) for index, item in enumerate(raw)
        ]
        found = []
        for item, item_path in items:
            for key in item:
                self._read.add((*item_path, key))
            self.ref(item["doc"], (*item_path, "doc"), "documents")
            found.append(Source(
                doc=item["doc"], section=item.get("section"), rule=item.get("rule"),
                quote=item.get("quote"), note=item.get("note"), span=self.span(item_path),
            ))
        return tuple(found)

    def duration(self, text: str, path: Path) -> Duration | Unspecified:
        if text.strip() == UNSPECIFIED.value:
            return UNSPECIFIED
        try:
            return parse_duration(text)
        except DurationError as error:
            self.problem("SPEC015", f"'{text}' is not a duration: {error}", path)
            return UNSPECIFIED

    def modality(self, path: Path) -> Modality:
        return Modality(self.get(path, "modality", "must"))

    # -- sections ----------------------------------------------------------------------

    def _authority(self) -> Authority:
        path: Path = ("authority",)
        self.get((), "authority")
        return Authority(
            id=self.get(path, "id"), name=self.get(path, "name"),
            description=self.get(path, "description"),
        )

    def _document(self, doc_id: str, path: Path) -> Document:
        return Document(
            id=doc_id, title=self.get(path, "title"), file=self.get(path, "file"),
            rule_prefix=self.get(path, "rule_prefix"), version=self.get(path, "version"),
            date=self.get(path, "date"), description=self.get(path, "description"),
            span=self.span(path, key=True),
        )

    def _team(self, team_id: str, path: Path) -> Team:
        return Team(
            id=team_id, name=self.get(path, "name"), service=self.get(path, "service"),
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )

    def _role(self, role_id: str, path: Path) -> Role:
        return Role(
            id=role_id, name=self.get(path, "name"),
            team=self.ref(self.get(path, "team"), (*path, "team"), "teams"),
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )

    def _owner(self, owner_id: str, path: Path) -> Owner:
        kind = OwnerKind(self.get(path, "kind"))
        team = self.ref(self.get(path, "team"), (*path, "team"), "teams")
        meeting = self.ref(self.get(path, "meeting"), (*path, "meeting"), "meetings")
        if kind in (OwnerKind.ALLOCATED, OwnerKind.TEAM_TRAY, OwnerKind.WAITING_LIST) and not team:
            self.problem("SPEC117", f"owner '{owner_id}' is a {kind.value} but names no team",
                         path, "add 'team: <team id>'")
        if kind is OwnerKind.MEETING_QUEUE and not meeting:
            self.problem("SPEC117", f"owner '{owner_id}' is a meeting queue but names no meeting",
                         path, "add 'meeting: <meeting id>'")
        responsible = self.get(path, "responsible")
        return Owner(
            id=owner_id, kind=kind, team=team, meeting=meeting,
            responsible=kind.responsible_by_default if responsible is None else responsible,
            name=self.get(path, "name"), description=self.get(path, "description"),
            sources=self.sources(path), span=self.span(path, key=True),
        )

    def _status(self, status_id: str, path: Path) -> Status:
        return Status(
            id=status_id, tier=Tier(self.get(path, "tier")),
            owner=self.ref(self.get(path, "owner"), (*path, "owner"), "owners",
                           allow=(NO_OWNER, UNSPECIFIED.value)),
            initial=bool(self.get(path, "initial", False)), final=bool(self.get(path, "final", False)),
            holding=bool(self.get(path, "holding", False)), description=self.get(path, "description"),
            sources=self.sources(path), span=self.span(path, key=True),
        )

    def _variable(self, var_id: str, path: Path) -> Variable:
        kind = self.get(path, "type")
        initial = self.get(path, "initial")
        low, high, values = self.get(path, "min"), self.get(path, "max"), self.get(path, "values")
        var_type: Type = BOOL
        if kind == "int":
            var_type = self._int_type(var_id, path, low, high)
        elif kind == "enum":
            if values is None:
                self.problem("SPEC114", f"enum variable '{var_id}' has no 'values'", path,
                             "list the values, e.g. 'values: [front_door, direct]'")
                values = ["_"]
            var_type = EnumType(name=var_id, values=tuple(values))
        if kind != "int" and (low is not None or high is not None):
            self.problem("SPEC114", f"variable '{var_id}' has 'min'/'max' but is not an int", path)
        if kind != "enum" and values is not None:
            self.problem("SPEC114", f"variable '{var_id}' has 'values' but is not an enum", path)
        return Variable(
            id=var_id, type=var_type, initial=self._initial(var_id, path, var_type, initial),
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )

    def _int_type(self, var_id: str, path: Path, low: int | None, high: int | None) -> IntType:
        if low is None or high is None:
            self.problem("SPEC114", f"int variable '{var_id}' needs both 'min' and 'max'", path,
                         "counters are bounded so that the checker can explore them, e.g. 'min: 0, max: 3'")
            return IntType(lo=0, hi=0)
        if low > high:
            self.problem("SPEC115", f"int variable '{var_id}' has min {low} above max {high}", path)
            return IntType(lo=high, hi=low)
        return IntType(lo=low, hi=high)

    def _initial(self, var_id: str, path: Path, var_type: Type, initial: Any) -> bool | int | str:
        where: Path = (*path, "initial")
        match var_type:
            case IntType(lo=lo, hi=hi):
                value = lo if initial is None else initial
                if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                    self.problem("SPEC114", f"initial value of '{var_id}' must be a whole number "
                                 f"from {lo} to {hi}", where)
                    return lo
                return value
            case EnumType(values=values):
                value = values[0] if initial is None else initial
                if value not in values:
                    self.problem("SPEC114", f"initial value {value!r} of '{var_id}' is not one of its "
                                 "values", where, did_you_mean(str(value), values, what="values"))
                    return values[0]
                return str(value)
            case _:
                value = False if initial is None else initial
                if not isinstance(value, bool):
                    self.problem("SPEC114", f"initial value of bool variable '{var_id}' must be "
                                 "true or false", where)
                    return False
                return value

    def _meeting(self, meeting_id: str, path: Path) -> Meeting:
        return Meeting(
            id=meeting_id, cadence=self._cadence(path), name=self.get(path, "name"),
            chair=self.ref(self.get(path, "chair"), (*path, "chair"), "roles"),
            attendees=self.refs(self.get(path, "attendees"), (*path, "attendees"), "roles", "teams"),
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )

    def _cadence(self, path: Path) -> Cadence:
        raw = self.get(path, "cadence")
        if isinstance(raw, str):
            return Cadence(kind=CadenceKind(raw))
        cadence_path: Path = (*path, "cadence")
        day = self.get(cadence_path, "day")
        return Cadence(
            kind=_CADENCE_EVERY[self.get(cadence_path, "every")],
            weekday=None if day is None else _WEEKDAYS.index(day),
            time=self.get(cadence_path, "time"),
        )

    def _external(self, external_id: str, path: Path) -> External:
        return External(
            id=external_id, title=self.get(path, "title"), kind=self.get(path, "kind"),
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )

    def _event(self, event_id: str, path: Path, scope: Scope) -> Event:
        raw_from = self.get(path, "from")
        sources_from = () if raw_from == ANY_STATUS else self.refs(raw_from, (*path, "from"), "statuses")
        return Event(
            id=event_id, kind=EventKind(self.get(path, "kind")), sources_from=sources_from,
            target=self.ref(self.get(path, "to"), (*path, "to"), "statuses"),
            at=self.ref(self.get(path, "at"), (*path, "at"), "meetings"),
            guards=self._guards(path, scope), effects=self._effects(path, scope),
            owner=self.ref(self.get(path, "owner"), (*path, "owner"), "owners",
                           allow=(NO_OWNER, UNSPECIFIED.value, PREVIOUS_OWNER)),
            co_owner=self.ref(self.get(path, "co_owner"), (*path, "co_owner"), "owners",
                              allow=(NO_OWNER,)),
            modality=self.modality(path), description=self.get(path, "description"),
            sources=self.sources(path), span=self.span(path, key=True),
        )

    def _guards(self, path: Path, scope: Scope) -> tuple[Guard, ...]:
        raw = self.get(path, "guard")
        if raw is None:
            return ()
        base: Path = (*path, "guard")
        items = [(item, (*base, index)) for index, item in enumerate(raw)] if isinstance(
            raw, list) else [(raw, base)]
        guards = []
        for item, item_path in items:
            if isinstance(item, str):
                expr = self.expression(item, item_path, scope)
                guards.append(Guard(condition=expr, text=item, span=self.span(item_path)))
                continue
            text = self.get(item_path, "condition")
            expr = self.expression(text, (*item_path, "condition"), scope)
            guards.append(Guard(
                condition=expr, text=text, modality=self.modality(item_path),
                description=self.get(item_path, "description"), sources=self.sources(item_path),
                span=self.span(item_path),
            ))
        return tuple(guards)

    def _effects(self, path: Path, scope: Scope) -> tuple[Assignment, ...]:
        effects = []
        if self.get(path, "effect") is None:
            return ()
        for target, target_path in self.entries((*path, "effect")):
            value = self._at(target_path)
            try:
                effects.append(check_assignment(target, value, self.span(target_path), scope))
            except ExpressionInvalid as invalid:
                self.problems.extend(invalid.diagnostics)
        return tuple(effects)

    def expression(self, text: str, path: Path, scope: Scope, expected: Type | None = BOOL) -> Expr:
        try:
            return check_expression(text, self.span(path), scope, expected=expected)
        except ExpressionInvalid as invalid:
            self.problems.extend(invalid.diagnostics)
            return check_expression("true", self.span(path), scope)

    def _deadline(self, deadline_id: str, path: Path) -> Deadline:
        consequence = self.get(path, "consequence")
        return Deadline(
            id=deadline_id, within=self.duration(self.get(path, "within"), (*path, "within")),
            anchor=self.refs(self.get(path, "anchor"), (*path, "anchor"), "events", "statuses", "meetings"),
            obligation=self.refs(self.get(path, "obligation"), (*path, "obligation"), "events", "statuses"),
            consequence=UNSPECIFIED if consequence == UNSPECIFIED.value else str(
                self.ref(consequence, (*path, "consequence"), "events", "escalations")),
            direction=Direction(self.get(path, "direction", "after")),
            by_next=self.ref(self.get(path, "by_next"), (*path, "by_next"), "meetings"),
            modality=self.modality(path), description=self.get(path, "description"),
            sources=self.sources(path), span=self.span(path, key=True),
        )

    def _escalation(self, escalation_id: str, path: Path) -> Escalation:
        levels_path: Path = (*path, "levels")
        raw_levels = self.get(path, "levels")
        level_ids = [level["id"] for level in raw_levels]
        levels = tuple(self._level((*levels_path, index), level_ids) for index in range(len(raw_levels)))
        final = self.get(path, "final_authority")
        tie_break = self.get(path, "tie_break")
        if final != UNSPECIFIED.value and final not in level_ids:
            self.problem("SPEC109", f"final authority '{final}' of '{escalation_id}' is not one of its "
                         "levels", (*path, "final_authority"),
                         did_you_mean(final, [*level_ids, UNSPECIFIED.value], what="levels"))
        return Escalation(
            id=escalation_id, trigger=self.refs(self.get(path, "trigger"), (*path, "trigger"), "events"),
            resolution=self.refs(self.get(path, "resolution"), (*path, "resolution"), "events"),
            levels=levels, final_authority=UNSPECIFIED if final == UNSPECIFIED.value else final,
            tie_break=UNSPECIFIED if tie_break == UNSPECIFIED.value else str(self.ref(
                tie_break, (*path, "tie_break"), "roles", allow=(NOT_NEEDED,))),
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )

    def _level(self, path: Path, level_ids: list[str]) -> EscalationLevel:
        next_level = self.get(path, "next")
        if next_level is not None and next_level not in level_ids:
            self.problem("SPEC109", f"next level '{next_level}' is not a level of this ladder",
                         (*path, "next"), did_you_mean(next_level, level_ids, what="levels"))
        return EscalationLevel(
            id=self.get(path, "id"), within=self.duration(self.get(path, "within"), (*path, "within")),
            who=self.refs(self.get(path, "who"), (*path, "who"), "roles", "teams"),
            decides=bool(self.get(path, "decides", False)),
            external=self.ref(self.get(path, "external"), (*path, "external"), "externals"),
            next=next_level, description=self.get(path, "description"),
            sources=self.sources(path), span=self.span(path),
        )

    def _rereferral(self, rereferral_id: str, path: Path) -> Rereferral:
        window = self.duration(self.get(path, "window"), (*path, "window"))
        if isinstance(window, Unspecified):
            self.problem("SPEC015", f"re-referral '{rereferral_id}' needs a window", (*path, "window"),
                         "a re-referral rule without a window is not a rule; give e.g. '3 months'")
            window = Duration(quantity=0, unit=parse_duration("0 weeks").unit)
        return Rereferral(
            id=rereferral_id, window=window,
            anchor=self.refs(self.get(path, "anchor"), (*path, "anchor"), "events"),
            event=str(self.ref(self.get(path, "event"), (*path, "event"), "events")),
            route_to=str(self.ref(self.get(path, "route_to"), (*path, "route_to"), "owners",
                                  allow=(PREVIOUS_OWNER,))),
            modality=self.modality(path), description=self.get(path, "description"),
            sources=self.sources(path), span=self.span(path, key=True),
        )

    def _property(self, property_id: str, path: Path, scope: Scope) -> Property:
        raw_kind = self.get(path, "kind")
        if raw_kind is None and property_id in {kind.value for kind in PropertyKind}:
            raw_kind = property_id
        if raw_kind is None:
            self.problem("SPEC012", f"property '{property_id}' is missing the required key 'kind'", path,
                         "kind is one of: " + ", ".join(kind.value for kind in PropertyKind))
            raw_kind = PropertyKind.INVARIANT.value
        kind = PropertyKind(raw_kind)
        within = self.get(path, "within")
        duration = None if within is None else self.duration(within, (*path, "within"))
        prop = Property(
            id=property_id, kind=kind,
            tiers=tuple(Tier(t) for t in self.get(path, "tiers") or ()),
            to_tiers=tuple(Tier(t) for t in self.get(path, "to_tiers") or ()),
            meetings=self.refs(self.get(path, "meetings"), (*path, "meetings"), "meetings"),
            escalations=self.refs(self.get(path, "escalations"), (*path, "escalations"), "escalations"),
            holds=self._condition(path, "holds", scope),
            trigger=self._condition(path, "from", scope),
            goal=self._condition(path, "to", scope),
            within=duration if isinstance(duration, Duration) else None,
            description=self.get(path, "description"), sources=self.sources(path),
            span=self.span(path, key=True),
        )
        self._check_property_keys(prop, path)
        return prop

    def _condition(self, path: Path, key: str, scope: Scope) -> Expr | None:
        text = self.get(path, key)
        if text is None:
            return None
        if self._kinds.get(text.strip()) == "statuses":
            text = f"status == {text.strip()}"
        return self.expression(text, (*path, key), scope)

    def _check_property_keys(self, prop: Property, path: Path) -> None:
        needs = {
            PropertyKind.INVARIANT: ("holds",),
            PropertyKind.LEADS_TO: ("from", "to"),
            PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING: ("meetings",),
        }.get(prop.kind, ())
        allowed = set(needs) | {"kind", "description", "source"} | _OPTIONAL_PROPERTY_KEYS[prop.kind]
        node = self._at(path)
        for key in needs:
            if key not in node:
                self.problem("SPEC012", f"property '{prop.id}' ({prop.kind.value}) is missing the "
                             f"required key '{key}'", path)
        for key in node:
            if key not in allowed:
                self.problems.append(Diagnostic(
                    code="SPEC011",
                    message=f"key '{key}' does not apply to a {prop.kind.value} property",
                    span=self.span((*path, key), key=True, length=len(key)),
                    hint="keys for this kind: " + ", ".join(sorted(allowed)),
                ))

    def _out_of_scope(self, documents: tuple[Document, ...]) -> tuple[OutOfScope, ...]:
        self.get((), "out_of_scope")
        found = []
        for rule, path in self.entries(("out_of_scope",)):
            found.append(OutOfScope(
                rule=rule, reason=self.get(path, "reason"), quote=self.get(path, "quote"),
                span=self.span(path, key=True),
            ))
            self._check_rule_prefix(rule, path, documents, key=True)
        return tuple(found)

    # -- whole-spec checks ------------------------------------------------------------

    def _scope(self, statuses: tuple[Status, ...], owners: tuple[Owner, ...],
               variables: tuple[Variable, ...], meetings: tuple[Meeting, ...]) -> Scope:
        owner_type = EnumType(name="owner", values=tuple(owner.id for owner in owners))
        builtins: dict[str, Type] = {
            "status": EnumType(name="status", values=tuple(s.id for s in statuses) or ("_",)),
            "tier": EnumType(name="tier", values=tuple(tier.value for tier in Tier)),
            "owner": owner_type,
            "co_owner": owner_type,
            "allocated": BOOL,
            "owned": BOOL,
        }
        return Scope(
            variables={**builtins, **{v.id: v.type for v in variables}},
            predicates={
                "held": tuple(m.id for m in meetings),
                "overdue": tuple(self.data.get("deadlines") or ()),
                "escalating": tuple(self.data.get("escalations") or ()),
            },
            assignable=frozenset(v.id for v in variables),
        )

    def _check_initial(self, statuses: tuple[Status, ...]) -> None:
        if statuses and not any(status.initial for status in statuses):
            self.problem("SPEC201", "no status is marked 'initial: true'", ("statuses",),
                         "mark the status where a case starts, e.g. 'early_help_open: {tier: "
                         "early_help, initial: true}'")

    def _check_citations(self, documents: tuple[Document, ...]) -> None:
        for source_path in _source_paths(self.data):
            rule = self._at(source_path).get("rule")
            if rule is not None:
                self._check_rule_prefix(rule, (*source_path, "rule"), documents,
                                        doc=self._at(source_path)["doc"])

    def _check_rule_prefix(self, rule: str, path: Path, documents: tuple[Document, ...], *,
                           doc: str | None = None, key: bool = False) -> None:
        prefixes = {d.id: d.rule_prefix for d in documents if d.rule_prefix}
        wanted = prefixes.get(doc) if doc else None
        prefix = rule.split("-")[0]
        if doc is not None and wanted is not None and prefix != wanted:
            self.problem("SPEC112", f"rule '{rule}' is cited from document '{doc}', whose rules are "
                         f"{wanted}-nn", path, "cite the document the rule comes from")
        elif doc is None and prefixes and prefix not in prefixes.values():
            self.problems.append(Diagnostic(
                code="SPEC112",
                message=f"rule '{rule}' does not belong to any document of this spec",
                span=self.span(path, key=key, length=len(rule)),
                hint="rule prefixes here: " + ", ".join(sorted(set(prefixes.values()))),
            ))

    def _check_everything_read(self, node: Any, path: Path) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if (*path, key) not in self._read and not _is_free_mapping(path):
                    raise InternalError(f"the loader never read {path + (key,)}: silent data loss")
                self._check_everything_read(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self._check_everything_read(value, (*path, index))


def _is_free_mapping(path: Path) -> bool:
    """Source citations and level entries are read wholesale, key by key."""
    return bool(path) and (path[-1] == "source" or (len(path) >= 2 and path[-2] == "source"))


def _level_ids(data: dict[str, Any]) -> Iterable[list[tuple[str, Path]]]:
    for escalation_id, escalation in (data.get("escalations") or {}).items():
        yield [(level["id"], ("escalations", escalation_id, "levels", index, "id"))
               for index, level in enumerate(escalation.get("levels") or ())]


def _source_paths(node: Any, path: Path = ()) -> Iterable[Path]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source":
                if isinstance(value, dict):
                    yield (*path, key)
                elif isinstance(value, list):
                    yield from ((*path, key, index) for index in range(len(value)))
            else:
                yield from _source_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _source_paths(value, (*path, index))


_SINGULAR: Final = {
    "documents": "document", "teams": "team", "roles": "role", "owners": "owner",
    "statuses": "status", "variables": "variable", "meetings": "meeting", "externals": "external",
    "events": "event", "deadlines": "deadline", "escalations": "escalation",
    "rereferrals": "re-referral", "properties": "property", "levels": "escalation level",
}
_PLURAL: Final = {
    "documents": "documents", "teams": "teams", "roles": "roles", "owners": "owners",
    "statuses": "statuses", "meetings": "meetings", "externals": "externals", "events": "events",
    "escalations": "escalations",
}
_REF_CODES: Final = {
    "statuses": "SPEC102", "events": "SPEC103", "owners": "SPEC104", "teams": "SPEC105",
    "meetings": "SPEC106", "documents": "SPEC107", "roles": "SPEC108", "externals": "SPEC110",
    "escalations": "SPEC113",
}
_OPTIONAL_PROPERTY_KEYS: Final = {
    PropertyKind.ESCALATION_TERMINATES: {"escalations"},
    PropertyKind.NO_UNOWNED_CASE: set(),
    PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING: {"tiers", "to_tiers"},
    PropertyKind.INVARIANT: set(),
    PropertyKind.LEADS_TO: {"within"},
}

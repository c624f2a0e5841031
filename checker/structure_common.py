"""What every solver-free finding looks like: a warning that cites the rule it is about."""

from __future__ import annotations

from stepcheck.spec.diagnostics import Diagnostic, Severity, SourceSpan
from stepcheck.spec.model import Event, Source

__all__ = ["finding", "rules_of"]


def finding(
    code: str,
    message: str,
    span: SourceSpan,
    sources: tuple[Source, ...],
    hint: str,
    *,
    subject: str,
    cause: str | None = None,
    against: tuple[Source, ...] = (),
) -> Diagnostic:
    """A warning at `span` about `subject` (`kind:id`), citing `sources`; a conflict also
    cites the rule it is `against`, so both paragraphs are quoted. `cause` names the
    element to fix when it is not the subject itself."""
    cited = [text for text in (_citation(sources), _citation(against)) if text is not None]
    return Diagnostic(
        code=code,
        message=message,
        span=span,
        severity=Severity.WARNING,
        hint=hint,
        rule=" / against: ".join(cited) if cited else None,
        subject=subject,
        cause=cause,
        rule_ids=tuple(dict.fromkeys(s.rule for s in (*sources, *against) if s.rule)),
    )


def _citation(sources: tuple[Source, ...]) -> str | None:
    for source in sources:
        if source.rule or source.section:
            where = " ".join(part for part in (source.rule, source.section) if part)
            quote = f': "{source.quote}"' if source.quote else ""
            return f"{source.doc} {where}{quote}"
    return None


def rules_of(event: Event) -> tuple[Source, ...]:
    """What a finding about a step quotes: its own rules, else its conditions'."""
    return event.sources or tuple(source for guard in event.guards for source in guard.sources)

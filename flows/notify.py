"""Notifications: what is announced, to whom, and how often.

What is announced:

- after every run (:func:`announce_run`): each regression (:func:`flows.alerts.find_regressions`),
  each project that became go (not yet before, or assessed for the first time), and each waiver
  about to expire (:func:`expiring_waivers`);
- a flow run that fails or crashes (:func:`flow_run_failed`, the Prefect state hook of the
  assessment flows; for deployments also the automation of ``infra/automations.yaml``, which runs
  :func:`flows.notify_flows.announce_flow_run` on a late, failed or crashed run);
- a digest of a portfolio (:func:`send_digest`, ``readiness digest`` or its schedule): every
  verdict, with the portfolio report attached (email) or linked (chat).

To whom: the portfolio's ``alerts.urls`` receive every notice of the portfolio; a project's own
``alerts.urls`` (its owners' channels) receive that project's notices; a named owner's own
channels (the portfolio's ``alerts.owner_urls``) receive the notices about the checks that owner
owns (see "owners" below). Each channel gets one
message per run holding all of its notices (grouping), never one per check.

How often: a notice already sent about the same subject (a project's gap or check, a verdict, a
waiver, a failed flow run) within the portfolio's ``alerts.suppress_hours`` is not sent again, so
that a flapping check does not alert every run. What was sent when is kept in
``$READINESS_HOME/notifications/sent.json`` (subjects and times: no URL, no personal value).

Messages hold project ids and names, gap names, check titles, run ids and the owner names of the
projects' ``owners`` maps (configuration, or the role when unnamed, counted): never a
respondent's words, an error's text or a URL (URLs are secrets).
"""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import SecretStr

from core.markdown_safe import md
from core.settings import Settings, get_settings
from flows import alerts

if TYPE_CHECKING:
    from flows.config import Alerts, LoadedPortfolio

_log = logging.getLogger(__name__)

NoticeKind = Literal["regression", "became_go", "waiver_expiring", "run_failed"]
#: Waivers are announced this many days before they expire.
WAIVER_NOTICE_DAYS = 14


@dataclass(frozen=True)
class Notice:
    """One thing worth telling people, about one project (or about the run)."""

    kind: NoticeKind
    project_id: str | None
    #: What the notice is about, for suppression: a gap or check id, a waiver, a flow run and its state.
    subject: str
    #: One line of markdown: project ids and names, gap names, check titles; nothing personal.
    text: str
    #: For a regression: the run it is measured against.
    since: str = ""
    #: Who owns the check the notice names (below: owners): a name, or the owner role.
    owner: str | None = None
    #: False when ``owner`` is a role the project's owners map does not name.
    owner_named: bool = True

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.project_id or '-'}:{self.subject}"


# --- what a run announces -----------------------------------------------------------------------


def change_notices(changes: Sequence[alerts.ProjectChange], gap_drop_points: float) -> list[Notice]:
    """The regressions and the projects now go, of each project's change (pure: no I/O)."""
    notices: list[Notice] = []
    for change in changes:
        if change.diff is not None:
            notices += [
                Notice("regression", r.project_id, f"{r.kind}:{r.subject}", r.message, r.run_before)
                for r in alerts.find_regressions(change.diff, gap_drop_points)
            ]
        before = None if change.diff is None else change.diff.recommendation_before
        if change.recommendation == "go" and before != "go":
            was = "first assessment" if before is None else "was not yet"
            notices.append(Notice("became_go", change.project_id, "go", f"now GO ({was})"))
    return notices


#: The mart of waivers the waivers feature publishes (see :func:`expiring_waivers`).
WAIVERS_MART = "waivers"
_EXPIRING = f"""
select project_id, check_id, cast(expires_on as date)
from {WAIVERS_MART}
where run_id = ? and cast(expires_on as date) between ? and ?
order by expires_on, project_id, check_id
"""


def expiring_waivers(
    snapshot: Path, run_id: str, today: date, within_days: int = WAIVER_NOTICE_DAYS
) -> list[Notice]:
    """The run's waivers that expire within ``within_days`` of ``today``.

    Read from the published mart ``waivers`` (one row per waiver in force in a run: ``run_id``,
    ``project_id``, ``check_id``, ``expires_on``); a snapshot without that mart has none.
    """
    from readmodel.snapshots import open_snapshot

    with open_snapshot(snapshot) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        tables |= {r[0] for r in con.execute("select view_name from duckdb_views()").fetchall()}
        if WAIVERS_MART not in tables:
            return []
        until = today + timedelta(days=within_days)
        titles = dict(
            con.execute(
                "select distinct check_id, title from check_results where run_id = ?", [run_id]
            ).fetchall()
        )
        rows = con.execute(_EXPIRING, [run_id, today, until]).fetchall()
    return [
        Notice(
            "waiver_expiring",
            project_id,
            f"{check_id}:{expires}",
            f'the waiver of "{titles.get(check_id, check_id)}" expires on {expires:%Y-%m-%d}',
        )
        for project_id, check_id, expires in rows
    ]


# --- to whom ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who hears a portfolio's notices: its alert settings, and each project's owners' channels."""

    name: str
    alerts: Alerts
    owners: dict[str, list[SecretStr]]
    names: dict[str, str]
    #: Scopes what was sent: two portfolios of one home may have projects of the same id.
    portfolio_id: str = ""

    @classmethod
    def of(cls, portfolio: LoadedPortfolio) -> Audience:
        projects = [p.project for p in portfolio.projects]
        return cls(
            portfolio.portfolio.name,
            portfolio.portfolio.alerts,
            {p.id: list(p.alerts.urls) for p in projects},
            {p.id: p.name for p in projects},
            portfolio.portfolio.id,
        )


def route(notices: Sequence[Notice], audience: Audience) -> list[tuple[SecretStr, list[Notice]]]:
    """Each channel with the notices it receives (portfolio channels: all; a project's: its own)."""
    channels: dict[str, tuple[SecretStr, list[Notice]]] = {}
    for notice in notices:
        urls = [
            *audience.alerts.urls,
            *audience.owners.get(notice.project_id or "", []),
            *owner_channels(audience.alerts, notice),
        ]
        for url in urls:
            entry = channels.setdefault(url.get_secret_value(), (url, []))
            if notice not in entry[1]:
                entry[1].append(notice)
    return list(channels.values())


# --- how often ---------------------------------------------------------------------------------


def sent_log_path(settings: Settings | None = None) -> Path:
    """Where the times notices were sent are kept (subjects only)."""
    return (settings or get_settings()).home / "notifications" / "sent.json"


@contextmanager
def _sent_log(path: Path) -> Iterator[dict[str, str]]:
    """The sent log, locked for this process while it is read and written back."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            log: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
        except (OSError, ValueError):
            log = {}  # a damaged log only means a notice may be sent once more
        yield log
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(log, indent=0, sort_keys=True))
        partial.replace(path)


def logged(notice: Notice, scope: str = "") -> str:
    """The key a notice is kept under in the sent log (scoped by its portfolio's id)."""
    return f"{scope}/{notice.key}" if scope else notice.key


def unsuppressed(
    notices: Sequence[Notice],
    log: dict[str, str],
    now: datetime,
    window: timedelta,
    scope: str = "",
) -> list[Notice]:
    """The notices not sent within ``window`` before ``now`` (pure: the log is not changed)."""
    fresh = []
    for notice in notices:
        last = log.get(logged(notice, scope))
        if last is None or now - datetime.fromisoformat(last) >= window:
            fresh.append(notice)
    return fresh


def prune(log: dict[str, str], now: datetime, window: timedelta, scope: str) -> None:
    """Drop the scope's entries sent ``window`` or longer ago.

    They suppress nothing any more: the log stays the size of one window instead of growing with
    every notice ever sent.
    """
    if not scope:
        return
    for key in [k for k in log if k.startswith(f"{scope}/")]:
        if now - datetime.fromisoformat(log[key]) >= window:
            del log[key]


# --- the message -------------------------------------------------------------------------------

_SECTIONS: tuple[tuple[NoticeKind, str], ...] = (
    ("run_failed", "Failed runs"),
    ("regression", "Regressions"),
    ("became_go", "Now go"),
    ("waiver_expiring", "Waivers about to expire"),
)


def message(
    portfolio_name: str, run_id: str | None, notices: Sequence[Notice], names: dict[str, str]
) -> tuple[str, str]:
    """The title and markdown body of one channel's message: every notice, grouped by kind."""
    regressions = [n for n in notices if n.kind == "regression"]
    projects = sorted({n.project_id for n in regressions if n.project_id})
    parts = []
    if any(n.kind == "run_failed" for n in notices):
        parts.append("a run failed")
    if regressions:
        parts.append(f"regressed in {len(projects)} project(s)")
    if go := [n for n in notices if n.kind == "became_go"]:
        parts.append(f"{len(go)} project(s) now go")
    if waivers := [n for n in notices if n.kind == "waiver_expiring"]:
        parts.append(f"{len(waivers)} waiver(s) expiring")
    if parts == [f"regressed in {len(projects)} project(s)"] and run_id is not None:
        # Regressions only: the alert as it has always read.
        title, body = alerts.alert_message(
            portfolio_name,
            run_id,
            [
                alerts.Regression(
                    n.project_id or "", "recommendation", n.since, n.text + owner_text(n)
                )
                for n in regressions
            ],
        )
        unnamed = unnamed_line(regressions)
        return title, body if unnamed is None else f"{body}\n\n{unnamed}"
    title = f"Readiness: {portfolio_name}: " + ", ".join(parts)
    lines = [f"Run `{run_id}`:" if run_id else "", ""]
    for kind, heading in _SECTIONS:
        mine = [n for n in notices if n.kind == kind]
        if not mine:
            continue
        lines += [f"## {heading}", ""]
        for notice in mine:
            who = (
                f"**{names.get(notice.project_id, notice.project_id)}** ({notice.project_id}): "
                if notice.project_id
                else ""
            )
            lines.append(f"- {who}{notice.text}{owner_text(notice)}")
        lines.append("")
    if unnamed := unnamed_line(notices):
        lines += [unnamed, ""]
    lines.append("See `readiness show PROJECT`, `readiness diff` or the dashboard for the details.")
    return title, "\n".join(line for line in lines).strip()


@dataclass(frozen=True)
class Announced:
    """What a run's notices came to: how many were due, suppressed, and the deliveries."""

    due: int
    suppressed: int
    messages: int
    failed: list[str]


def channel_name(url: SecretStr, audience: Audience) -> str:
    """A channel as a failure names it: its place in the file and its scheme, never the URL."""
    scheme = url.get_secret_value().split("://", 1)[0]
    owned = [(f"owner {name}'s ", urls) for name, urls in audience.alerts.owner_urls.items()]
    projects = [(f"project {owner}'s ", urls) for owner, urls in audience.owners.items()]
    for whose, urls in [("", audience.alerts.urls), *projects, *owned]:
        for index, candidate in enumerate(urls):
            if candidate.get_secret_value() == url.get_secret_value():
                return f"{whose}alert URL #{index + 1} ({scheme}://)"
    return f"an alert URL ({scheme}://)"


def deliver(
    notices: Sequence[Notice],
    audience: Audience,
    run_id: str | None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> Announced:
    """Send each channel its one message of the notices not suppressed, and record them as sent."""
    now = now or datetime.now(UTC)
    window = timedelta(hours=audience.alerts.suppress_hours)
    failed: list[str] = []
    messages = 0
    with _sent_log(sent_log_path(settings)) as log:
        fresh = unsuppressed(notices, log, now, window, audience.portfolio_id)
        routed = route(fresh, audience)
        # A notice that no channel took is tried again next time; one nobody is to hear is done.
        undelivered = {n.key for _, mine in routed for n in mine}
        for url, mine in routed:
            title, body = message(audience.name, run_id, mine, audience.names)
            delivery = alerts.send_alert([url], title, body)
            messages += delivery.sent
            failed += [channel_name(url, audience)] if delivery.failed else []
            if delivery.sent:
                undelivered -= {n.key for n in mine}
        for notice in fresh:
            if notice.key not in undelivered:
                log[logged(notice, audience.portfolio_id)] = now.isoformat()
        prune(log, now, window, audience.portfolio_id)
    return Announced(len(notices), len(notices) - len(fresh), messages, failed)


def announce_run(
    snapshot: Path, portfolio: LoadedPortfolio, run_id: str, today: date | None = None
) -> tuple[list[alerts.Regression], Announced]:
    """Everything a finished run announces (regressions, projects now go, expiring waivers)."""
    config = portfolio.portfolio.alerts
    changes = alerts.run_changes(snapshot, run_id)
    regressions = [
        r
        for c in changes
        if c.diff is not None
        for r in alerts.find_regressions(c.diff, config.gap_drop_points)
    ]
    notices = change_notices(changes, config.gap_drop_points)
    notices += expiring_waivers(snapshot, run_id, today or datetime.now(UTC).date())
    notices = with_owners(snapshot, run_id, notices)
    return regressions, deliver(notices, Audience.of(portfolio), run_id)


# --- failed and late flow runs -------------------------------------------------------------------


def portfolio_alerts(path: Path) -> Alerts:
    """The alerts section of a portfolio file, read even when the rest of the file is wrong."""
    from flows.config import Alerts, read_yaml

    data = read_yaml(path) or {}
    section = data.get("alerts", {}) if isinstance(data, dict) else {}
    return Alerts.model_validate(section or {})


def failure_notice(
    flow_name: str, flow_run_name: str, flow_run_id: str, state_name: str | None
) -> Notice:
    """The notice of a flow run that failed, crashed or is late (no error text: it may hold data)."""
    what = {
        "Late": "has not started on time (is a worker running?)",
        "Crashed": "crashed",
    }.get(state_name or "", "failed")
    # The subject is the run and what happened to it: a late run that then fails is told twice,
    # a failure announced by the state hook and by the automation once.
    return Notice(
        "run_failed",
        None,
        f"{flow_run_id}:{state_name if state_name in ('Late', 'Crashed') else 'Failed'}",
        f"flow run `{flow_run_name}` of {flow_name} {what}; nothing new was published and the "
        f"earlier results stand. Prefect flow run id `{flow_run_id}`.",
    )


def announce_failure(
    portfolio_path: Path, notice: Notice, settings: Settings | None = None
) -> Announced | None:
    """Send a failed run's notice to the portfolio's channels (None: no channel could be read)."""
    try:
        config = portfolio_alerts(portfolio_path)
    except Exception:  # the failure may be this very file; the hook must not fail too
        # Neither the error's class nor its text (a YAML error quotes the file): the file's name.
        _log.warning(
            "the failed run could not be announced: the alerts section of %s cannot be read "
            "(`readiness validate` names the problem)",
            portfolio_path,
        )
        return None
    audience = Audience(_portfolio_name(portfolio_path), config, {}, {})
    return deliver([notice], audience, None, settings=settings)


def _portfolio_name(path: Path) -> str:
    from flows.config import read_yaml

    try:
        data = read_yaml(path)
    except Exception:
        return path.stem
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else path.stem


def flow_run_failed(flow: Any, flow_run: Any, state: Any) -> None:
    """Prefect state hook (on_failure, on_crashed) of the assessment flows: announce the failure."""
    parameters = getattr(flow_run, "parameters", None) or {}
    path = parameters.get("portfolio")
    portfolio = Path(path) if path else get_settings().portfolio
    notice = failure_notice(flow.name, flow_run.name, str(flow_run.id), state.name)
    announced = announce_failure(portfolio, notice)
    if announced is not None:
        _log.info("failed run announced in %d message(s)", announced.messages)
        for target in announced.failed:
            _log.warning("the failure notice could not be delivered to %s", target)


# --- the digest -----------------------------------------------------------------------------------


EMAIL_SCHEMES = ("mailto", "mailtos")


def digest_body(
    summary: Any, name: str, dashboard_url: str | None, portfolio_id: str, attached: bool
) -> tuple[str, str]:
    """The title and markdown body of a portfolio's digest (from its report's summary)."""
    title = (
        f"Readiness digest: {name}: {summary.go} go, {len(summary.projects) - summary.go} not yet"
    )
    lines = ["| Project | Recommendation | Confidence |", "| --- | --- | --- |"]
    for p in summary.projects:
        confidence = "-" if p.confidence is None else f"{p.confidence:.0%}"
        verdict = "GO" if p.recommendation == "go" else "NOT YET"
        lines.append(f"| {p.project_name} ({p.project_id}) | {verdict} | {confidence} |")
    if summary.recurring:
        lines += ["", "Blockers that recur across projects:", ""]
        lines += [f"- {r.title} ({r.projects} projects)" for r in summary.recurring]
    lines.append("")
    if attached:
        lines.append("The portfolio report is attached (PDF).")
    elif dashboard_url:
        lines.append(f"The portfolio report: {dashboard_url.rstrip('/')}/portfolio")
    else:
        lines.append(f"The portfolio report: `readiness report --portfolio {portfolio_id}`")
    return title, "\n".join(lines)


def send_digest(portfolio: LoadedPortfolio, settings: Settings | None = None) -> Announced:
    """Send the portfolio's digest: email channels get the PDF report, chat channels a link."""
    import tempfile

    from readmodel.render import render_portfolio
    from readmodel.summary import portfolio_summary

    settings = settings or get_settings()
    config = portfolio.portfolio
    summary = portfolio_summary(settings.snapshot, portfolios=(config.id,))
    urls = list(config.alerts.urls)
    failed: list[str] = []
    sent = 0
    with tempfile.TemporaryDirectory(prefix="readiness-digest-") as scratch:
        pdf = Path(scratch) / f"readiness-{config.id}.pdf"
        pdf.write_bytes(render_portfolio(summary, "pdf"))
        audience = Audience(config.name, config.alerts, {}, {})
        for url in urls:
            email = url.get_secret_value().split("://", 1)[0].lower() in EMAIL_SCHEMES
            title, body = digest_body(
                summary, config.name, config.alerts.dashboard_url, config.id, email
            )
            delivery = alerts.send_alert([url], title, body, attach=pdf if email else None)
            sent += delivery.sent
            failed += [channel_name(url, audience)] if delivery.failed else []
    return Announced(len(urls), 0, sent, failed)


# --- owners: names in notices, their own channels --------------------------------------------

#: Notice kinds whose subject starts with a check id, and the prefix before it.
_CHECK_SUBJECTS = {"regression": "critical_check:", "waiver_expiring": ""}

_OWNERS = """
select project_id, check_id, owner, owner_named
from check_results
where run_id = ?
"""


def checked(notice: Notice) -> str | None:
    """The check id a notice is about, or None (a gap, a verdict, a failed flow run)."""
    prefix = _CHECK_SUBJECTS.get(notice.kind)
    if prefix is None or not notice.subject.startswith(prefix):
        return None
    rest = notice.subject[len(prefix) :]
    # A waiver's subject is check:expiry date.
    return rest.split(":", 1)[0] if notice.kind == "waiver_expiring" else rest


def with_owners(snapshot: Path, run_id: str, notices: Sequence[Notice]) -> list[Notice]:
    """The notices, each about a check carrying that check's owner in the run (dbt's)."""
    if not any(checked(n) for n in notices):
        return list(notices)
    from readmodel.snapshots import open_snapshot

    with open_snapshot(snapshot) as con:
        owners = {
            (project, check): (owner, role)
            for project, check, owner, role in con.execute(_OWNERS, [run_id]).fetchall()
        }
    named = []
    for notice in notices:
        owner, is_named = owners.get((notice.project_id or "", checked(notice) or ""), (None, None))
        if owner:
            # dbt's owner is the mapped name, or the role itself when the map does not name it.
            notice = replace(notice, owner=owner, owner_named=bool(is_named))
        named.append(notice)
    return named


def owner_text(notice: Notice) -> str:
    """' (owner: team-data-platform)', or the role when no name is mapped; '' without an owner."""
    if not notice.owner:
        return ""
    if notice.owner_named:
        return f" (owner: {md(notice.owner)})"
    return f" (owner role: {md(notice.owner)}, no name mapped)"


def unnamed_line(notices: Sequence[Notice]) -> str | None:
    """The count of notices whose owner role has no name, as the message's last line."""
    unnamed = sorted({n.owner for n in notices if n.owner and not n.owner_named})
    if not unnamed:
        return None
    count = sum(1 for n in notices if n.owner and not n.owner_named)
    return (
        f"{count} notice(s) name an owner role without a name ({md(', '.join(unnamed))}): "
        "map it in the project's `owners`."
    )


def owner_channels(alerts: Alerts, notice: Notice) -> list[SecretStr]:
    """The named owner's own channels (``alerts.owner_urls``) for this notice, if any."""
    if not notice.owner or not notice.owner_named:
        return []
    return list(alerts.owner_urls.get(notice.owner, []))

"""`opsguard check`: every precondition for a working bot, in one readable report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, OpsConfig, load_config
from bot.domain.postmortem.render import TemplateError, load_template
from bot.manifest import ManifestError, differences, load_manifest, schema_errors
from bot.runtime import OpsGuard
from bot.settings import Settings
from storage.migrate import current_revision, head_revision


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


async def run_checks(
    settings: Settings, manifest_path: Path, schema_path: Path | None
) -> list[CheckResult]:
    results: list[CheckResult] = []
    try:
        config = load_config(settings.opsguard_config)
        source = settings.opsguard_config or "built-in defaults"
        results.append(
            CheckResult(
                "config",
                True,
                f"{source}: {len(config.severities)} severities, {len(config.services)} services",
            )
        )
    except ConfigError as exc:
        results.append(CheckResult("config", False, str(exc)))
        config = OpsConfig()
    template = _check_template(settings)
    results.append(template)
    # The manifest check needs the app's listeners even when the token is missing; the
    # Slack check below reports the missing token itself.
    overrides: dict[str, object] = {"slack_bot_token": settings.slack_bot_token or "xoxb-not-set"}
    if not template.ok:
        overrides["postmortem_template"] = None
    guard = OpsGuard(settings.model_copy(update=overrides), config)
    try:
        results.append(_check_manifest(guard, manifest_path, schema_path))
        results.append(await _check_database(guard))
        results.append(await _check_slack(guard, settings))
    finally:
        await guard.deps.db.dispose()
    return results


def _check_template(settings: Settings) -> CheckResult:
    try:
        loaded = load_template(settings.postmortem_template)
    except TemplateError as exc:
        return CheckResult("template", False, str(exc))
    which = "POSTMORTEM_TEMPLATE" if settings.postmortem_template else "the shipped template"
    return CheckResult("template", True, f"postmortem template ok: {which} ({loaded.path.name})")


def _check_manifest(guard: OpsGuard, path: Path, schema_path: Path | None) -> CheckResult:
    try:
        manifest = load_manifest(path)
    except ManifestError as exc:
        return CheckResult("manifest", False, str(exc))
    problems = differences(manifest, guard.registry.registered)
    if schema_path is not None:
        problems += [f"schema: {p}" for p in schema_errors(manifest, schema_path)]
    if problems:
        return CheckResult("manifest", False, f"{path}:\n  " + "\n  ".join(problems))
    checked = " and Slack's schema" if schema_path else ""
    return CheckResult("manifest", True, f"{path} matches the app's listeners{checked}")


async def _check_database(guard: OpsGuard) -> CheckResult:
    db = guard.deps.db
    try:
        await db.ping()
        current = await current_revision(db)
    except Exception as exc:
        return CheckResult("database", False, f"{db.engine.url!r} is unreachable: {exc}")
    head = head_revision()
    if current != head:
        return CheckResult(
            "database",
            False,
            f"at revision {current or 'none'}, code expects {head}: run `opsguard db upgrade`",
        )
    return CheckResult("database", True, f"{db.dialect} reachable, schema at {head} (latest)")


async def _check_slack(guard: OpsGuard, settings: Settings) -> CheckResult:
    if not settings.slack_bot_token:
        return CheckResult("slack", False, "SLACK_BOT_TOKEN is not set")
    try:
        auth = await guard.bolt.client.auth_test()
    except SlackApiError as exc:
        return CheckResult("slack", False, f"auth.test failed: {exc.response.get('error')}")
    except Exception as exc:
        return CheckResult("slack", False, f"cannot reach {settings.slack_api_url}: {exc}")
    mode = "Socket Mode" if settings.socket_mode else "HTTP mode"
    return CheckResult("slack", True, f"token ok: @{auth['user']} in {auth['team']} ({mode})")


def render(results: list[CheckResult]) -> str:
    lines = [f"{'ok  ' if r.ok else 'FAIL'}  {r.name:<9} {r.detail}" for r in results]
    failed = sum(not r.ok for r in results)
    lines.append("all checks passed" if not failed else f"{failed} check(s) failed")
    return "\n".join(lines)

"""auth.test, team.info and apps.connections.open."""

from __future__ import annotations

from fakes.slack.args import Args
from fakes.slack.registry import Ctx, method, ok
from fakes.slack.state import JSON


@method("auth.test")
def auth_test(ctx: Ctx, args: Args) -> JSON:
    ident = ctx.ws.identity
    user = ctx.ws.users[ctx.caller]
    body = ok(
        url=f"https://{ident.domain}.slack.com/",
        team=ident.team_name,
        user=user.name,
        team_id=ident.team_id,
        user_id=user.id,
        is_enterprise_install=False,
    )
    if ctx.token_kind == "bot":
        body["bot_id"] = ident.bot_id
    return body


@method("team.info")
def team_info(ctx: Ctx, args: Args) -> JSON:
    ident = ctx.ws.identity
    return ok(
        team={
            "id": ident.team_id,
            "name": ident.team_name,
            "url": f"https://{ident.domain}.slack.com/",
            "domain": ident.domain,
            "email_domain": "",
            "icon": {"image_default": True, "image_34": "", "image_44": "", "image_68": ""},
            "avatar_base_url": "https://ca.slack-edge.com/",
            "is_verified": False,
        }
    )


@method("apps.connections.open")
def apps_connections_open(ctx: Ctx, args: Args) -> JSON:
    return ok(url=ctx.new_socket_url())

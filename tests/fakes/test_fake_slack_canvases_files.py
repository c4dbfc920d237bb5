"""Canvases and file uploads on the fake Slack, driven through the real AsyncWebClient."""

from __future__ import annotations

from typing import Any

import aiohttp
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.web.async_client import AsyncWebClient

from fakes.slack import FakeSlack, canvas_doc
from tests.fakes.support import slack_error

JSON = dict[str, Any]


def as_user(fake: FakeSlack, user_id: str) -> AsyncWebClient:
    token = f"xoxp-{user_id}"
    fake.add_token(token, user_id)
    return AsyncWebClient(token=token, base_url=fake.api_url)


def md(markdown: str) -> JSON:
    return {"type": "markdown", "markdown": markdown}


# -- canvases ----------------------------------------------------------------


async def test_canvases_create_keeps_title_markdown_and_channel_tab(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    created = await client.canvases_create(
        title="Postmortem", document_content=md("# Summary\n\nDB down"), channel_id=ops.id
    )
    canvas = fake.canvases[created["canvas_id"]]
    assert canvas.id.startswith("F")
    assert (canvas.title, canvas.markdown, canvas.channel) == (
        "Postmortem",
        "# Summary\n\nDB down",
        ops.id,
    )
    assert (canvas.owner, canvas.access) == ("UBOT", {f"channel:{ops.id}": "write"})
    empty = fake.canvases[(await client.canvases_create())["canvas_id"]]
    assert (empty.title, empty.markdown, empty.channel) == ("", "", None)
    info = (await client.files_info(file=canvas.id))["file"]
    assert (info["filetype"], info["title"], info["channels"]) == ("quip", "Postmortem", [ops.id])


async def test_canvases_create_refusals(fake: FakeSlack, client: AsyncWebClient) -> None:
    outside = fake.add_channel("outside")
    secret = fake.add_channel("secret", is_private=True)
    bad = await slack_error(client.canvases_create(document_content={"type": "html"}))
    assert bad["error"] == "invalid_arguments"
    assert "document_content/type" in bad["response_metadata"]["messages"][0]
    unknown = await slack_error(client.canvases_create(channel_id="C0NOPE"))
    assert unknown["error"] == "channel_not_found"
    not_in = await slack_error(client.canvases_create(channel_id=outside.id))
    assert not_in["error"] == "not_in_channel"
    hidden = await slack_error(client.canvases_create(channel_id=secret.id))
    assert hidden["error"] == "channel_not_found"
    huge = md("x" * (canvas_doc.MARKDOWN_MAX + 1))
    too_big = await slack_error(client.canvases_create(document_content=huge))
    assert too_big["error"] == "canvas_creation_failed"
    assert fake.canvases == {}


async def test_one_channel_canvas_per_channel(fake: FakeSlack, client: AsyncWebClient) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    first = await client.conversations_canvases_create(
        channel_id=ops.id, document_content=md("# Incident")
    )
    canvas = fake.canvases[first["canvas_id"]]
    assert (canvas.is_channel_canvas, canvas.channel, ops.canvas_id) == (True, ops.id, canvas.id)
    again = await slack_error(
        client.conversations_canvases_create(channel_id=ops.id, document_content=md("# Again"))
    )
    assert again["error"] == "channel_canvas_already_exists"
    info = (await client.conversations_info(channel=ops.id))["channel"]
    assert info["properties"]["canvas"]["file_id"] == canvas.id
    await client.canvases_delete(canvas_id=canvas.id)
    assert (fake.canvases, ops.canvas_id) == ({}, None)
    assert "properties" not in (await client.conversations_info(channel=ops.id))["channel"]
    await client.conversations_canvases_create(channel_id=ops.id, document_content=md("# New"))
    missing = await slack_error(client.api_call("conversations.canvases.create", json={}))
    assert missing["error"] == "invalid_arguments"


async def test_canvases_edit_whole_document_operations(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    canvas_id = (await client.canvases_create(document_content=md("# Timeline")))["canvas_id"]

    async def edit(*changes: JSON) -> str:
        await client.canvases_edit(canvas_id=canvas_id, changes=list(changes))
        return fake.canvases[canvas_id].markdown

    assert await edit({"operation": "insert_at_end", "document_content": md("- 10:00 paged")}) == (
        "# Timeline\n\n- 10:00 paged"
    )
    assert await edit(
        {"operation": "insert_at_start", "document_content": md("Status: open")},
        {"operation": "insert_at_end", "document_content": md("- 10:05 acked")},
    ) == ("Status: open\n\n# Timeline\n\n- 10:00 paged\n\n- 10:05 acked")
    assert await edit({"operation": "replace", "document_content": md("# Done")}) == "# Done"
    await edit({"operation": "rename", "title_content": md("INC-7 postmortem")})
    assert fake.canvases[canvas_id].title == "INC-7 postmortem"


async def test_canvases_edit_by_section(fake: FakeSlack, client: AsyncWebClient) -> None:
    start = "# Summary\n\nDB down\n\n## Timeline\n\n- 10:00 paged\n\n## Actions"
    canvas_id = (await client.canvases_create(document_content=md(start)))["canvas_id"]
    timeline = await client.canvases_sections_lookup(
        canvas_id=canvas_id, criteria={"section_types": ["h2"], "contains_text": "Timeline"}
    )
    [section] = timeline["sections"]
    await client.canvases_edit(
        canvas_id=canvas_id,
        changes=[
            {
                "operation": "insert_after",
                "section_id": section["id"],
                "document_content": md("- 09:58 alert fired"),
            }
        ],
    )
    assert fake.canvases[canvas_id].markdown == (
        "# Summary\n\nDB down\n\n## Timeline\n\n- 09:58 alert fired\n\n- 10:00 paged\n\n## Actions"
    )
    # the header kept its id although the canvas changed around it
    again = await client.canvases_sections_lookup(
        canvas_id=canvas_id, criteria={"contains_text": "Timeline"}
    )
    assert again["sections"] == [section]
    headers = await client.canvases_sections_lookup(
        canvas_id=canvas_id, criteria={"section_types": ["any_header"]}
    )
    assert len(headers["sections"]) == 3
    paged = (
        await client.canvases_sections_lookup(
            canvas_id=canvas_id, criteria={"contains_text": "paged"}
        )
    )["sections"][0]["id"]
    await client.canvases_edit(
        canvas_id=canvas_id,
        changes=[
            {"operation": "replace", "section_id": paged, "document_content": md("- 10:00 PAGED")},
            {"operation": "delete", "section_id": section["id"]},
        ],
    )
    assert "- 10:00 PAGED" in fake.canvases[canvas_id].markdown
    assert "## Timeline" not in fake.canvases[canvas_id].markdown
    gone = await slack_error(
        client.canvases_edit(
            canvas_id=canvas_id, changes=[{"operation": "delete", "section_id": section["id"]}]
        )
    )
    assert gone["error"] == "canvas_editing_failed"


async def test_canvases_edit_refusals(fake: FakeSlack, client: AsyncWebClient) -> None:
    canvas_id = (await client.canvases_create(document_content=md("a")))["canvas_id"]
    cases: list[tuple[Any, str]] = [
        ([], "invalid_arguments"),
        ([{"operation": "explode"}], "invalid_arguments"),
        ([{"operation": "insert_at_end"}], "invalid_arguments"),
        ([{"operation": "delete"}], "invalid_arguments"),
        (
            [
                {
                    "operation": "insert_after",
                    "section_id": "temp:C:NOPE",
                    "document_content": md("x"),
                }
            ],
            "canvas_editing_failed",
        ),
    ]
    for changes, code in cases:
        body = await slack_error(client.canvases_edit(canvas_id=canvas_id, changes=changes))
        assert body["error"] == code, changes
    assert fake.canvases[canvas_id].markdown == "a"
    missing = await slack_error(client.canvases_edit(canvas_id="F0NOPE", changes=[]))
    assert missing["error"] == "canvas_not_found"


async def test_canvas_access_levels(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice, bob = fake.add_user("alice"), fake.add_user("bob")
    team = fake.add_channel("team", members=["UBOT", bob.id])
    canvas_id = (await client.canvases_create(document_content=md("# Notes")))["canvas_id"]
    change = [{"operation": "insert_at_end", "document_content": md("more")}]
    as_alice, as_bob = as_user(fake, alice.id), as_user(fake, bob.id)

    hidden = await slack_error(as_alice.canvases_edit(canvas_id=canvas_id, changes=change))
    assert hidden["error"] == "canvas_not_found"
    await client.canvases_access_set(canvas_id=canvas_id, access_level="read", user_ids=[alice.id])
    assert (await as_alice.files_info(file=canvas_id))["file"]["id"] == canvas_id
    read_only = await slack_error(as_alice.canvases_edit(canvas_id=canvas_id, changes=change))
    assert read_only["error"] == "restricted_action"
    await client.canvases_access_set(canvas_id=canvas_id, access_level="write", user_ids=[alice.id])
    await as_alice.canvases_edit(canvas_id=canvas_id, changes=change)
    # write access through a channel the user is in
    await client.canvases_access_set(
        canvas_id=canvas_id, access_level="write", channel_ids=[team.id]
    )
    await as_bob.canvases_edit(canvas_id=canvas_id, changes=change)
    assert fake.canvases[canvas_id].access == {
        f"user:{alice.id}": "write",
        f"channel:{team.id}": "write",
    }
    await client.canvases_access_delete(canvas_id=canvas_id, channel_ids=[team.id])
    gone = await slack_error(as_bob.canvases_edit(canvas_id=canvas_id, changes=change))
    assert gone["error"] == "canvas_not_found"
    # only the owner hands over ownership, and only to one user
    not_owner = await slack_error(
        as_alice.canvases_access_set(canvas_id=canvas_id, access_level="owner", user_ids=[bob.id])
    )
    assert not_owner["error"] == "restricted_action"
    await client.canvases_access_set(canvas_id=canvas_id, access_level="owner", user_ids=[alice.id])
    assert fake.canvases[canvas_id].owner == alice.id
    assert fake.canvases[canvas_id].access["user:UBOT"] == "write"


async def test_canvas_access_set_refusals(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    ops = fake.add_channel("ops", members=["UBOT"])
    canvas_id = (await client.canvases_create())["canvas_id"]
    cases: list[tuple[JSON, str]] = [
        ({"access_level": "read"}, "invalid_parameters"),
        (
            {"access_level": "read", "user_ids": alice.id, "channel_ids": ops.id},
            "invalid_parameters",
        ),
        ({"access_level": "admin", "user_ids": alice.id}, "invalid_arguments"),
        ({"access_level": "owner", "channel_ids": ops.id}, "invalid_arguments"),
        ({"access_level": "read", "channel_ids": "C0NOPE"}, "channel_not_found"),
        ({"access_level": "read", "user_ids": "U0NOPE"}, "user_not_found"),
    ]
    for args, code in cases:
        body = await slack_error(
            client.api_call("canvases.access.set", params={"canvas_id": canvas_id, **args})
        )
        assert body["error"] == code, args
    missing = await slack_error(
        client.canvases_access_set(canvas_id="F0NOPE", access_level="read", user_ids=[alice.id])
    )
    assert missing["error"] == "canvas_not_found"
    assert fake.canvases[canvas_id].access == {}


@given(
    head=st.lists(
        st.sampled_from(["# H", "## Sub", "- item", "para", "```\ncode\n```"]), max_size=6
    ),
    added=st.sampled_from(["- new", "## New header", "text"]),
)
def test_inserting_keeps_every_other_section_and_its_id(head: list[str], added: str) -> None:
    markdown = "\n\n".join(head)
    before = canvas_doc.sections(markdown)
    change = {"operation": "insert_at_end", "document_content": md(added)}
    after, _ = canvas_doc.apply(markdown, "", change, 0)
    assert after.startswith(markdown)
    assert [s.id for s in canvas_doc.sections(after)][: len(before)] == [s.id for s in before]
    assert canvas_doc.sections(after)[-1].text == added


# -- file uploads --------------------------------------------------------------


async def test_files_upload_v2_shares_the_file_into_the_channel(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    uploaded = await client.files_upload_v2(
        channel=ops.id,
        content="line 1\nline 2\n",
        filename="timeline.txt",
        title="Timeline",
        initial_comment="Timeline so far",
    )
    file_id = uploaded["file"]["id"]
    file = fake.files[file_id]
    assert (file.name, file.title, file.content, file.channels) == (
        "timeline.txt",
        "Timeline",
        b"line 1\nline 2\n",
        [ops.id],
    )
    [message] = fake.messages(ops.id)
    assert (message.text, message.user, message.upload) == ("Timeline so far", "UBOT", True)
    [listed] = (await client.conversations_history(channel=ops.id))["messages"]
    assert (listed["upload"], listed["bot_id"]) == (True, "B0BOT")
    [shared] = listed["files"]
    assert (shared["id"], shared["name"], shared["title"], shared["size"]) == (
        file_id,
        "timeline.txt",
        "Timeline",
        14,
    )
    info = (await client.files_info(file=file_id))["file"]
    assert (info["filetype"], info["mimetype"], info["channels"]) == (
        "text",
        "text/plain",
        [ops.id],
    )
    assert info["shares"]["public"][ops.id][0]["ts"] == message.ts
    # slack-sdk's two calls around the upload itself (which is not a Web API call)
    calls = [c.method for c in fake.calls][:3]
    assert calls == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "conversations.history",
    ]


async def test_files_upload_v2_in_a_thread_and_to_several_conversations(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    ops = fake.add_channel("ops", members=["UBOT", alice.id])
    war = fake.add_channel("war-room", members=["UBOT"])
    parent = (await client.chat_postMessage(channel=ops.id, text="incident"))["ts"]
    await client.files_upload_v2(
        channel=ops.id, thread_ts=parent, content=b"\x00\x01", filename="dump.bin"
    )
    [reply] = fake.replies(ops.id, parent)
    assert [f["name"] for f in reply.files] == ["dump.bin"]
    replies = (await client.conversations_replies(channel=ops.id, ts=parent))["messages"]
    assert [m.get("files", [{}])[0].get("title") for m in replies] == [None, "dump.bin"]
    both = await client.files_upload_v2(
        channels=[war.id, alice.id],
        file_uploads=[
            {"content": "a", "filename": "a.md", "title": "A"},
            {"content": "bb", "filename": "b.json"},
        ],
    )
    assert [f["title"] for f in both["files"]] == ["A", "b.json"]
    dm = next(c for c in fake.channels.values() if c.is_im)
    for channel in (war.id, dm.id):
        [message] = fake.messages(channel)
        assert [f["name"] for f in message.files] == ["a.md", "b.json"]
    info = (await client.files_info(file=both["files"][0]["id"]))["file"]
    assert (info["filetype"], info["channels"], info["ims"]) == ("markdown", [war.id], [dm.id])
    refused = await slack_error(
        client.files_upload_v2(
            channels=[war.id, ops.id], thread_ts=parent, content="x", filename="x.txt"
        )
    )
    assert refused["error"] == "invalid_arguments"


async def test_multipart_upload_and_private_download(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    ticket = await client.files_getUploadURLExternal(filename="graph.png", length=4)
    assert ticket["upload_url"].startswith(f"{fake.base_url}/upload/v1/")
    async with aiohttp.ClientSession() as http:
        form = aiohttp.FormData()
        form.add_field("filename", b"\x89PNG", filename="graph.png")
        async with http.post(ticket["upload_url"], data=form) as resp:
            assert (resp.status, await resp.text()) == (200, "OK - 4")
        await client.files_completeUploadExternal(
            files=[{"id": ticket["file_id"], "title": "Latency"}], channel_id=ops.id
        )
        info = (await client.files_info(file=ticket["file_id"]))["file"]
        assert (info["title"], info["mimetype"], info["pretty_type"]) == (
            "Latency",
            "image/png",
            "PNG",
        )
        url = info["url_private_download"]
        async with http.get(url, headers={"Authorization": "Bearer xoxb-test"}) as resp:
            assert (resp.status, await resp.read()) == (200, b"\x89PNG")
        async with http.get(url) as resp:
            assert resp.status == 403


async def test_upload_refusals(fake: FakeSlack, client: AsyncWebClient) -> None:
    ops = fake.add_channel("ops", members=["UBOT"])
    outside = fake.add_channel("outside")
    no_length = await slack_error(
        client.api_call("files.getUploadURLExternal", params={"filename": "a"})
    )
    assert no_length["error"] == "invalid_arguments"
    no_name = await slack_error(client.api_call("files.getUploadURLExternal", params={"length": 1}))
    assert no_name["error"] == "invalid_arguments"
    made_up = await slack_error(
        client.files_completeUploadExternal(files=[{"id": "F0NOPE"}], channel_id=ops.id)
    )
    assert made_up["error"] == "file_not_found"
    never_uploaded = await client.files_getUploadURLExternal(filename="a.txt", length=3)
    skipped = await slack_error(
        client.files_completeUploadExternal(files=[{"id": never_uploaded["file_id"]}])
    )
    assert skipped["error"] == "file_not_found"
    async with aiohttp.ClientSession() as http:
        async with http.post(never_uploaded["upload_url"], data=b"four") as resp:
            assert resp.status == 400
            assert "announced 3 bytes, received 4" in await resp.text()
        async with http.post(f"{fake.base_url}/upload/v1/nope", data=b"abc") as resp:
            assert resp.status == 404
        async with http.post(never_uploaded["upload_url"], data=b"abc") as resp:
            assert resp.status == 200
    for channel, code in (("C0NOPE", "channel_not_found"), (outside.id, "not_in_channel")):
        body = await slack_error(
            client.files_completeUploadExternal(
                files=[{"id": never_uploaded["file_id"]}], channel_id=channel
            )
        )
        assert body["error"] == code
    assert not fake.files[never_uploaded["file_id"]].completed
    await client.files_completeUploadExternal(
        files=[{"id": never_uploaded["file_id"]}], channel_id=ops.id
    )
    twice = await slack_error(
        client.files_completeUploadExternal(
            files=[{"id": never_uploaded["file_id"]}], channel_id=ops.id
        )
    )
    assert twice["error"] == "file_not_found"
    nowhere = await slack_error(
        client.files_upload_v2(content="x", filename="x.txt", channel="C0NOPE")
    )
    assert nowhere["error"] == "channel_not_found"


async def test_a_file_shared_nowhere_is_private_to_its_uploader(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    alice = fake.add_user("alice")
    file_id = (await client.files_upload_v2(content="secret", filename="s.txt"))["file"]["id"]
    assert fake.files[file_id].channels == []
    assert (await client.files_info(file=file_id))["file"]["channels"] == []
    hidden = await slack_error(as_user(fake, alice.id).files_info(file=file_id))
    assert hidden["error"] == "file_not_found"
    missing = await slack_error(client.files_info(file="F0NOPE"))
    assert missing["error"] == "file_not_found"


async def test_seeded_user_messages_carry_files(fake: FakeSlack, client: AsyncWebClient) -> None:
    alice = fake.add_user("alice")
    ops = fake.add_channel("ops", members=["UBOT", alice.id])
    parent = fake.add_message(
        ops.id,
        "graphs attached",
        user=alice.id,
        files=[{"name": "cpu.png", "title": "CPU"}, {"name": "notes.txt", "content": "hi"}],
    )
    fake.add_message(
        ops.id, "", user=alice.id, thread_ts=parent.ts, files=[{"name": "log.txt", "title": "Log"}]
    )
    [top] = (await client.conversations_history(channel=ops.id))["messages"]
    assert [(f["name"], f["title"]) for f in top["files"]] == [
        ("cpu.png", "CPU"),
        ("notes.txt", "notes.txt"),
    ]
    assert (top["user"], top["upload"], "bot_id" in top) == (alice.id, True, False)
    replies = (await client.conversations_replies(channel=ops.id, ts=parent.ts))["messages"]
    assert [(f["name"], f["title"]) for f in replies[1]["files"]] == [("log.txt", "Log")]
    [notes] = [f for f in fake.files.values() if f.name == "notes.txt"]
    assert (notes.content, notes.user, notes.channels) == (b"hi", alice.id, [ops.id])
    assert [f["id"] for f in parent.files] == [f["id"] for f in top["files"]]

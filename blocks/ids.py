"""Every block_id, action_id and callback_id OpsGuard uses, so listeners and builders agree."""

from __future__ import annotations

from enum import StrEnum


class BlockId(StrEnum):
    HELP_COMMANDS = "help_commands"
    ERROR = "error"
    USAGE = "usage"
    HOME_INTRO = "home_intro"
    HOME_COMMANDS = "home_commands"
    # Declare modal inputs (the action_id inside each input equals its block_id).
    DECLARE_TITLE = "declare_title"
    DECLARE_SEVERITY = "declare_severity"
    DECLARE_SERVICE = "declare_service"
    DECLARE_DESCRIPTION = "declare_description"
    DECLARE_PRIVATE = "declare_private"
    DECLARE_COMMANDER = "declare_commander"
    # Status / role / task / resolve modal inputs.
    STATUS_SELECT = "status_select"
    STATUS_MESSAGE = "status_message"
    ROLE_SELECT = "role_select"
    ROLE_USER = "role_user"
    TASK_TEXT = "task_text"
    TASK_ASSIGNEE = "task_assignee"
    RESOLVE_SUMMARY = "resolve_summary"
    # Messages.
    COMMAND_CENTER_ACTIONS = "command_center_actions"
    CARD_ACTIONS = "card_actions"
    RESOLUTION_ACTIONS = "resolution_actions"
    NUDGE_ACTIONS = "nudge_actions"
    PAGE_ACTIONS = "page_actions"
    TIMELINE_NAV = "timeline_nav"
    TIMELINE_ENTRY = "timeline_entry"  # one per entry: "timeline_entry:<entry id>"
    # Postmortem modal inputs (the action_id inside each input equals its block_id; the
    # five whys and the action items add ":<n>" / ":<item key>").
    PM_SUMMARY = "pm_summary"
    PM_IMPACT = "pm_impact"
    PM_USERS_AFFECTED = "pm_users_affected"
    PM_WHY = "pm_why"
    PM_CONTRIBUTING = "pm_contributing"
    PM_WENT_WELL = "pm_went_well"
    PM_WENT_POORLY = "pm_went_poorly"
    PM_ITEM_TEXT = "pm_item_text"
    PM_ITEM_META = "pm_item_meta"
    PM_ITEMS_ADD = "pm_items_add"
    PM_PUBLISH = "pm_publish"
    TIMELINE_PICK_INCIDENT = "timeline_pick_incident"


class ActionId(StrEnum):
    """Buttons. Their `value` is the incident's database id (a task's for COMPLETE_TASK)."""

    DECLARE = "declare_open"
    ACKNOWLEDGE = "incident_acknowledge"
    UPDATE_STATUS = "incident_update_status"
    ASSIGN_ROLE = "incident_assign_role"
    ADD_TASK = "incident_add_task"
    RESOLVE = "incident_resolve"
    TAKE_ROLE = "incident_take_role"  # value: "<incident id>:<role>"
    COMPLETE_TASK = "incident_complete_task"  # value: task id
    OPEN_WAR_ROOM = "incident_open_war_room"
    POST_UPDATE = "nudge_post_update"
    SNOOZE = "nudge_snooze"
    PAGE_ACKNOWLEDGE = "page_acknowledge"
    PAGE_ESCALATE = "page_escalate_now"
    PAGE_RESOLVE = "page_resolve"
    OPEN_TIMELINE = "incident_open_timeline"
    OPEN_POSTMORTEM = "incident_open_postmortem"
    TIMELINE_ENTRY_MENU = "timeline_entry_menu"  # option value: "<hide|show|delete>:<entry id>"
    TIMELINE_PAGE = "timeline_page"  # value: the page to show
    PM_ADD_ITEM = "pm_add_item"
    PM_REMOVE_ITEM = "pm_remove_item"  # value: the item's key in the form
    PM_ITEM_OWNER = "pm_item_owner"
    PM_ITEM_DUE = "pm_item_due"
    PM_PUBLISH_NOW = "pm_publish_now"  # value: incident id


class CallbackId(StrEnum):
    """Modal callback_ids and shortcut callback_ids. Modals carry the incident id in
    private_metadata (the declare modal carries the source message permalink, if any)."""

    DECLARE_MODAL = "declare_incident"
    STATUS_MODAL = "incident_status"
    ROLE_MODAL = "incident_role"
    TASK_MODAL = "incident_task"
    RESOLVE_MODAL = "incident_resolve"
    DECLARE_SHORTCUT = "declare_incident_shortcut"
    DECLARE_FROM_MESSAGE = "declare_incident_from_message"
    TIMELINE_MODAL = "incident_timeline"
    POSTMORTEM_MODAL = "incident_postmortem"  # private_metadata: incident id, item keys
    TIMELINE_FROM_MESSAGE = "add_to_incident_timeline"
    TIMELINE_PICK_MODAL = "timeline_pick_incident"  # private_metadata: the message, as JSON

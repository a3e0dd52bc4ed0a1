"""Drafts on disk (private, atomic, per profile) and the in-memory store; the external editor helper."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from tui_desk.models import CommentKind
from tui_desk.state.draft_files import DraftFiles, SavedDraft, draft_file_name
from tui_desk.state.drafts import DraftStore
from tui_desk.state.paths import state_dir
from tui_desk.ui.flows.compose import resume_message
from tui_desk.ui.flows.external_editor import EditorFailed, edit_text, editor_command

TEXT = 'Dear customer,\n\n  we fixed it — really.  \n\ttabbed "quoted" ünïcode\n'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_directory_is_under_the_state_dir() -> None:
    assert DraftFiles().directory == state_dir() / "drafts"


def test_saved_file_is_private_and_holds_the_text_word_for_word(tmp_path: Path) -> None:
    files = DraftFiles(tmp_path / "state" / "drafts")
    path = files.save(SavedDraft("work", "123", CommentKind.REPLY, TEXT, number="T-123"))
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["text"] == TEXT
    assert record["profile"] == "work" and record["ticket_id"] == "123" and record["kind"] == "reply"
    assert set(record) == {"version", "profile", "ticket_id", "number", "kind", "saved_at", "text"}  # no secrets
    assert [d.text for d in files.load("work")] == [TEXT]


def test_loose_directory_permissions_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    DraftFiles(folder).save(SavedDraft("p", "1", CommentKind.NOTE, "x"))
    assert mode(folder) == 0o700


def test_file_names_are_safe_and_distinct() -> None:
    names = {
        draft_file_name("work", "../../etc/passwd", CommentKind.REPLY),
        draft_file_name("work", "1", CommentKind.REPLY),
        draft_file_name("work", "1", CommentKind.NOTE),
        draft_file_name("home", "1", CommentKind.REPLY),
    }
    assert len(names) == 4
    assert all("/" not in n and n.endswith(".draft.json") for n in names)


def test_write_is_atomic_a_failed_replace_keeps_the_old_draft(tmp_path: Path, monkeypatch) -> None:
    files = DraftFiles(tmp_path)
    path = files.save(SavedDraft("p", "1", CommentKind.REPLY, "first version"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        files.save(SavedDraft("p", "1", CommentKind.REPLY, "second version"))
    assert json.loads(path.read_text())["text"] == "first version"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temp file left behind


def test_load_skips_other_profiles_and_broken_files(tmp_path: Path) -> None:
    files = DraftFiles(tmp_path)
    files.save(SavedDraft("work", "1", CommentKind.REPLY, "mine"))
    files.save(SavedDraft("home", "2", CommentKind.NOTE, "theirs"))
    (tmp_path / "garbage.draft.json").write_text("{not json")
    assert [(d.ticket_id, d.text) for d in files.load("work")] == [("1", "mine")]
    assert DraftFiles(tmp_path / "missing").load("work") == []


def test_store_writes_only_on_flush_and_deletes_on_discard(tmp_path: Path) -> None:
    store = DraftStore(DraftFiles(tmp_path))
    store.use_profile("work")
    store.put("7", CommentKind.REPLY, TEXT, "T-7")
    assert store.dirty and not list(tmp_path.glob("*.json"))
    assert store.flush()
    assert not store.dirty
    assert [d.text for d in DraftFiles(tmp_path).load("work")] == [TEXT]
    store.discard("7", CommentKind.REPLY)
    assert store.unsent() == [] and not list(tmp_path.glob("*.json"))


def test_emptying_a_draft_removes_its_file(tmp_path: Path) -> None:
    store = DraftStore(DraftFiles(tmp_path))
    store.use_profile("work")
    store.put("7", CommentKind.NOTE, "text")
    store.flush()
    store.put("7", CommentKind.NOTE, "   \n")
    store.flush()
    assert store.get("7", CommentKind.NOTE) == "" and not list(tmp_path.glob("*.json"))


def test_a_new_run_loads_the_profile_drafts(tmp_path: Path) -> None:
    old = DraftStore(DraftFiles(tmp_path))
    old.use_profile("work")
    old.put("7", CommentKind.REPLY, TEXT, "T-7")
    old.use_profile("home")
    old.put("7", CommentKind.REPLY, "home text")
    old.flush()
    assert len(old.unsent()) == 2  # quitting asks about both profiles' drafts
    new = DraftStore(DraftFiles(tmp_path))
    loaded = new.use_profile("work")
    assert [(d.label, d.text) for d in loaded] == [("#T-7", TEXT)]
    assert new.get("7", CommentKind.REPLY) == TEXT
    assert resume_message(loaded) == "Unsent reply for #T-7 — press r on that ticket to resume."


def test_a_failed_write_is_reported_and_retried(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = DraftStore(DraftFiles(blocker / "drafts"))
    store.use_profile("work")
    store.put("1", CommentKind.REPLY, "keep me")
    assert not store.flush()
    assert store.last_error is not None and store.dirty
    assert store.get("1", CommentKind.REPLY) == "keep me"


def test_editor_command_prefers_visual() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "nano -R"}) == ["nano", "-R"]
    assert editor_command({"VISUAL": "  ", "EDITOR": ""}) is None


def test_edit_text_uses_a_private_temp_file_and_deletes_it(tmp_path: Path) -> None:
    record = tmp_path / "seen.json"
    script = (
        "import json, os, stat, sys; p = sys.argv[-1]; old = open(p).read(); "
        f"json.dump({{'mode': stat.S_IMODE(os.stat(p).st_mode), 'path': p, 'old': old}}, open({str(record)!r}, 'w')); "
        "open(p, 'w').write(old.upper() + '\\n')"
    )
    assert edit_text("draft text", [sys.executable, "-c", script]) == "DRAFT TEXT\n"
    seen = json.loads(record.read_text())
    assert seen["mode"] == 0o600 and seen["old"] == "draft text"
    assert not os.path.exists(seen["path"])


def test_edit_text_failures_leave_no_file(tmp_path: Path) -> None:
    with pytest.raises(EditorFailed, match="status 3"):
        edit_text("x", [sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(EditorFailed, match="could not start"):
        edit_text("x", [str(tmp_path / "no-such-editor")])

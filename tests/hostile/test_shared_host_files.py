"""Files on a shared host: the config's owner and mode, only our own folder chmodded, no planted symlink followed."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.conftest import fresh_dataset
from tui_desk.config import load_file, load_profile
from tui_desk.config.writer import save_profile
from tui_desk.errors import ConfigError
from tui_desk.http.log import setup_log
from tui_desk.models import CommentKind, TicketSummary
from tui_desk.services.connect import simulator_class
from tui_desk.simulators.core import SimServer
from tui_desk.state.crash import write_crash_report
from tui_desk.state.draft_files import DraftFiles, SavedDraft
from tui_desk.state.drafts import DraftStore
from tui_desk.state.paths import state_dir, state_dir_problem
from tui_desk.state.remembered import remember_agent, remembered_agent
from tui_desk.state.seen import SeenStore

OTHER_UID = 4242  # a user that is not the one running the tests (only root can chown to it)
VICTIM_TEXT = "the victim's own data\n"
needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file to another user needs root (os.chown); the mode checks run for every user",
)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def private_folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file of someone else's that a planted symlink points at (mode 0644)."""
    path = private_folder(tmp_path / "victim-home") / "important.txt"
    path.write_text(VICTIM_TEXT)
    os.chmod(path, 0o644)
    return path


def assert_untouched(victim: Path) -> None:
    assert victim.read_text() == VICTIM_TEXT
    assert mode(victim) == 0o644


def attack_command(tmp_path: Path) -> tuple[str, Path]:
    """A password_command that leaves a marker file when it runs (what an attacker's command would do)."""
    marker = tmp_path / "attacker-command-ran"
    script = private_folder(tmp_path / "bin") / "steal.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ran')\nprint('pw')\n")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}", marker


def write_config(path: Path, profile: dict[str, Any], file_mode: int = 0o600) -> Path:
    path.write_text(tomli_w.dumps({"default_profile": "work", "profiles": {"work": profile}}))
    os.chmod(path, file_mode)
    return path


def jitbit_profile(**extra: Any) -> dict[str, Any]:
    return {"backend": "jitbit", "url": "http://127.0.0.1:9", "username": "demo", **extra}


def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_DESK_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["XDG_STATE_HOME"] = str(tmp_path / "xdg-state")
    return env


def tui_desk(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui_desk", *args], env=env, capture_output=True, text=True, timeout=60
    )


# -- the config file's owner and mode -----------------------------------------------------------------------------


@pytest.mark.parametrize("file_mode", [0o666, 0o620, 0o602, 0o660], ids=oct)
def test_a_config_others_can_write_is_refused_and_its_command_never_runs(tmp_path: Path, file_mode: int) -> None:
    command, marker = attack_command(tmp_path)
    path = write_config(private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password_command=command))
    os.chmod(path, file_mode)
    with pytest.raises(ConfigError) as caught:
        load_profile(str(path))
    message = caught.value.user_message()
    assert str(path) in message and f"chmod 600 {path}" in message
    assert not marker.exists()


def test_check_exits_2_on_a_world_writable_config_without_running_its_command(tmp_path: Path) -> None:
    command, marker = attack_command(tmp_path)
    path = write_config(
        private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password_command=command), 0o666
    )
    result = tui_desk("--config", str(path), "check", env=cli_env(tmp_path))
    assert result.returncode == 2, result.stderr
    assert f"chmod 600 {path}" in result.stderr and "Traceback" not in result.stderr
    assert not marker.exists()


@needs_root
def test_a_config_another_user_owns_is_refused(tmp_path: Path) -> None:
    command, marker = attack_command(tmp_path)
    path = write_config(private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password_command=command))
    os.chown(path, OTHER_UID, OTHER_UID)
    with pytest.raises(ConfigError, match="owned by another user"):
        load_profile(str(path))
    assert not marker.exists()
    result = tui_desk("--config", str(path), "check", env=cli_env(tmp_path))
    assert result.returncode == 2 and "owned by another user" in result.stderr and str(path) in result.stderr
    assert not marker.exists()


@needs_root
def test_a_config_in_a_folder_another_user_owns_is_refused(tmp_path: Path) -> None:
    folder = private_folder(tmp_path / "theirs")
    path = write_config(folder / "config.toml", jitbit_profile(password="pw"))
    os.chown(folder, OTHER_UID, OTHER_UID)
    with pytest.raises(ConfigError, match="another user"):
        load_file(path)


def test_a_private_config_of_ones_own_is_used(tmp_path: Path) -> None:
    """A 0600 file the running user owns (root's own file when the suite runs as root) loads."""
    path = write_config(private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password="pw"))
    name, profile = load_profile(str(path))
    assert name == "work" and profile.password is not None


def test_a_config_in_a_folder_others_can_write_without_sticky_bit_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    os.chmod(folder, 0o777)
    path = write_config(folder / "config.toml", jitbit_profile(password="pw"))
    with pytest.raises(ConfigError) as caught:
        load_file(path)
    assert str(folder) in caught.value.user_message() and "sticky" in caught.value.user_message()
    os.chmod(folder, 0o1777)  # sticky: others may not rename or replace our file
    assert "work" in load_file(path).profiles


def test_a_symlinked_config_is_checked_where_it_really_lives(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    real = write_config(shared / "config.toml", jitbit_profile(password="pw"))
    link = private_folder(tmp_path / "cfg") / "config.toml"
    link.symlink_to(real)
    with pytest.raises(ConfigError, match="sticky"):
        load_file(link)


def test_secrets_readable_by_others_are_warned_about_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password="pw"), 0o644)
    assert "work" in load_file(path).profiles
    first = capsys.readouterr().err
    assert "warning" in first and str(path) in first and f"chmod 600 {path}" in first and "pw" not in first
    load_file(path)
    assert capsys.readouterr().err == ""


def test_a_readable_config_without_secrets_gives_no_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    command, _ = attack_command(tmp_path)
    path = write_config(
        private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password_command=command), 0o644
    )
    load_file(path)
    assert capsys.readouterr().err == ""


def test_saving_refuses_to_merge_a_file_others_can_write(tmp_path: Path) -> None:
    command, _ = attack_command(tmp_path)
    path = write_config(
        private_folder(tmp_path / "cfg") / "config.toml", jitbit_profile(password_command=command), 0o666
    )
    with pytest.raises(ConfigError) as caught:
        save_profile(path, "home", {"backend": "jitbit", "url": "https://x.example"})
    assert f"chmod 600 {path}" in caught.value.user_message()
    assert mode(path) == 0o666  # left as it was, for its owner to inspect


# -- saving: only tui-desk's own folder is ever chmodded ----------------------------------------------------------


@pytest.mark.parametrize("folder_mode", [0o1777, 0o755, 0o750], ids=oct)
def test_saving_a_config_path_never_chmods_its_folder(tmp_path: Path, folder_mode: int) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, folder_mode)
    path = folder / "x.toml"
    save_profile(path, "work", {"backend": "jitbit", "url": "https://x.example", "password": "pw"})
    assert mode(folder) == folder_mode
    assert mode(path) == 0o600
    save_profile(path, "home", {"backend": "jitbit", "url": "https://y.example"})  # and again, over the file
    assert mode(folder) == folder_mode


def test_token_save_keeps_a_sticky_shared_folder_sticky(tmp_path: Path) -> None:
    folder = tmp_path / "tmp-like"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    sim = simulator_class("helpdeskpro")(fresh_dataset())
    with SimServer(sim) as server:
        profile = {"backend": "helpdeskpro", "url": server.base_url, "email": "demo@example.com", "password": "demo"}
        path = folder / "x.toml"
        path.write_text(tomli_w.dumps({"profiles": {"hdp": profile}}))
        os.chmod(path, 0o600)
        result = tui_desk("--config", str(path), "token", "save", env=cli_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert mode(folder) == 0o1777
    assert mode(path) == 0o600


def test_the_apps_own_config_folder_is_created_and_kept_private(monkeypatch: pytest.MonkeyPatch) -> None:
    own = Path(os.environ["XDG_CONFIG_HOME"]) / "tui-desk"
    save_profile(own / "config.toml", "work", {"backend": "jitbit", "url": "https://x.example"})
    assert mode(own) == 0o700
    os.chmod(own, 0o755)
    save_profile(own / "config.toml", "home", {"backend": "jitbit", "url": "https://y.example"})
    assert mode(own) == 0o700  # tui-desk's own folder (only that one) is tightened


def test_saving_into_a_folder_others_can_swap_files_in_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    os.chmod(folder, 0o777)
    with pytest.raises(ConfigError, match="sticky"):
        save_profile(folder / "x.toml", "work", {"backend": "jitbit", "url": "https://x.example"})
    assert mode(folder) == 0o777 and not (folder / "x.toml").exists()


# -- state files: never through a planted symlink -----------------------------------------------------------------


def ticket(ticket_id: str = "1") -> TicketSummary:
    return TicketSummary.model_validate(
        {"id": ticket_id, "number": ticket_id, "subject": "s", "updated_at": datetime(2024, 5, 1, tzinfo=UTC)}
    )


def test_seen_file_never_follows_a_symlink(victim: Path) -> None:
    folder = private_folder(state_dir())
    for name in ("seen-work.json", "seen-work.tmp"):  # the file and the fixed temp name once used
        (folder / name).symlink_to(victim)
    store = SeenStore("work")
    store.mark_seen(ticket())
    store.save(datetime.now(UTC))
    assert_untouched(victim)
    saved = folder / "seen-work.json"
    assert not saved.is_symlink() and mode(saved) == 0o600 and '"1"' in saved.read_text()


def test_seen_file_is_not_read_through_a_symlink(tmp_path: Path) -> None:
    planted = private_folder(tmp_path / "elsewhere") / "seen.json"
    planted.write_text('{"last_visit": "2000-01-01T00:00:00+00:00", "seen": {}}')
    (private_folder(state_dir()) / "seen-work.json").symlink_to(planted)
    assert not SeenStore("work").is_unseen(ticket())  # the planted baseline would mark it unseen


def test_crash_reports_never_follow_a_symlink(victim: Path) -> None:
    folder = private_folder(state_dir())
    now = time.time()
    for offset in range(-2, 30):  # every name the report could take in the next half minute
        name = f"crash-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now + offset))}.txt"
        (folder / name).symlink_to(victim)
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        report = write_crash_report(error)
    assert_untouched(victim)
    assert report is not None and not report.is_symlink() and mode(report) == 0o600
    assert "RuntimeError: boom" in report.read_text()


def test_agent_state_never_follows_a_symlink(victim: Path) -> None:
    remember_agent("work", "https://x.example", "7")
    (saved,) = state_dir().glob("agent-*.json")
    saved.unlink()
    saved.symlink_to(victim)
    assert remembered_agent("work", "https://x.example") is None  # not read through the link either
    remember_agent("work", "https://x.example", "8")
    assert_untouched(victim)
    assert not saved.is_symlink() and mode(saved) == 0o600
    assert remembered_agent("work", "https://x.example") == "8"


def test_a_draft_is_never_written_or_read_through_a_symlink(victim: Path, tmp_path: Path) -> None:
    files = DraftFiles()
    target = files.path_for("work", "1", CommentKind.REPLY)
    private_folder(target.parent)
    target.symlink_to(victim)
    files.save(SavedDraft("work", "1", CommentKind.REPLY, "my reply"))
    assert_untouched(victim)
    assert not target.is_symlink() and mode(target) == 0o600
    planted = private_folder(tmp_path / "elsewhere") / "x.draft.json"
    planted.write_text('{"profile": "work", "ticket_id": "2", "kind": "reply", "text": "planted reply"}')
    (target.parent / "planted.draft.json").symlink_to(planted)
    assert [d.text for d in files.load("work")] == ["my reply"]


# -- the state directory's owner and mode -------------------------------------------------------------------------


@pytest.fixture
def loose_state_dir() -> Iterator[Path]:
    """The state directory, writable by everyone (as a careless umask or a hostile pre-creation leaves it)."""
    folder = state_dir()
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    yield folder


def test_nothing_is_saved_in_a_state_directory_others_can_write(loose_state_dir: Path) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        assert write_crash_report(error) is None
    store = SeenStore("work")
    store.mark_seen(ticket())
    store.save(datetime.now(UTC))
    remember_agent("work", "https://x.example", "7")
    drafts = DraftStore()
    drafts.use_profile("work")
    drafts.put("1", CommentKind.REPLY, "kept in memory")
    assert not drafts.flush()
    assert drafts.last_error is not None and "chmod 700" in (drafts.last_error.strerror or "")
    assert list(loose_state_dir.iterdir()) == []
    assert mode(loose_state_dir) == 0o777
    problem = state_dir_problem()  # what the app tells the agent at start
    assert problem is not None and str(loose_state_dir) in problem and "chmod 700" in problem


def test_a_state_directory_in_a_folder_others_can_swap_it_in_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "open-state"
    base.mkdir()
    os.chmod(base, 0o777)
    monkeypatch.setenv("XDG_STATE_HOME", str(base))
    with pytest.raises(OSError, match="sticky"):
        DraftFiles().save(SavedDraft("work", "1", CommentKind.REPLY, "x"))
    assert state_dir_problem() is not None
    os.chmod(base, 0o1777)
    assert state_dir_problem() is None
    assert DraftFiles().save(SavedDraft("work", "1", CommentKind.REPLY, "x")).exists()


@needs_root
def test_a_state_directory_another_user_owns_is_not_used(tmp_path: Path) -> None:
    folder = private_folder(state_dir())
    os.chown(folder, OTHER_UID, OTHER_UID)
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        assert write_crash_report(error) is None
    assert list(folder.iterdir()) == []
    problem = state_dir_problem()
    assert problem is not None and "another user" in problem


# -- the request log ----------------------------------------------------------------------------------------------


@pytest.fixture
def no_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("TUI_DESK_LOG", raising=False)
    yield
    setup_log(None)


def test_a_log_symlink_is_refused_and_its_target_untouched(victim: Path, tmp_path: Path, no_log: None) -> None:
    link = private_folder(tmp_path / "logs") / "desk.log"
    link.symlink_to(victim)
    with pytest.raises(OSError, match="symbolic link"):
        setup_log(str(link))
    assert_untouched(victim)
    result = tui_desk("--log", str(link), "config", "path", env=cli_env(tmp_path))
    assert result.returncode == 1 and "symbolic link" in result.stderr and "Traceback" not in result.stderr
    assert_untouched(victim)


def test_a_new_log_is_private_and_an_own_loose_one_is_tightened(tmp_path: Path, no_log: None) -> None:
    path = private_folder(tmp_path / "logs") / "desk.log"
    assert setup_log(str(path)) == path and mode(path) == 0o600
    setup_log(None)
    os.chmod(path, 0o644)
    setup_log(str(path))
    assert mode(path) == 0o600


@needs_root
def test_a_log_another_user_owns_is_never_chmodded(tmp_path: Path, no_log: None) -> None:
    path = private_folder(tmp_path / "logs") / "shared.log"
    path.write_text("")
    os.chmod(path, 0o644)
    os.chown(path, OTHER_UID, OTHER_UID)
    setup_log(str(path))
    assert mode(path) == 0o644 and os.stat(path).st_uid == OTHER_UID

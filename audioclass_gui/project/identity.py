"""The reviewer's identity: asked once, kept in the user's settings.

The identity (name, optional email) is stored as JSON in the user's
configuration folder (``platformdirs.user_config_dir("audioclass-gui")``, or
the folder named by ``AUDIOCLASS_GUI_CONFIG_DIR``), so every project opened
later knows who reviews. Each project also records it in its journal with
every verdict.

A reviewer's soundevent ``User`` gets a uuid derived from the name and
email, so the same person is the same ``User`` in every export.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from soundevent import data


__all__ = [
    "CONFIG_DIR_ENV",
    "config_dir",
    "load_reviewer",
    "make_reviewer",
    "save_reviewer",
    "user_from_json",
    "user_to_json",
]

#: Environment variable naming the settings folder (tests, portable installs).
CONFIG_DIR_ENV = "AUDIOCLASS_GUI_CONFIG_DIR"
_FILE = "reviewer.json"
_NAMESPACE = uuid.UUID("6f1d8f0e-0b7a-4c55-9a57-2d1c8f3e5a10")


def config_dir() -> Path:
    """The folder of the user's settings."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("audioclass-gui"))


def make_reviewer(name: str, email: str | None = None) -> data.User:
    """A reviewer as a soundevent ``User`` with a stable uuid.

    Parameters
    ----------
    name
        The reviewer's name as it should appear in exports (not empty).
    email
        Optional email address.

    Raises
    ------
    ValueError
        If the name is empty or the email is not an address.
    """
    from soundevent import data

    name = " ".join(name.split())
    if not name:
        raise ValueError("the reviewer needs a name")
    email = (email or "").strip() or None
    key = f"{name.casefold()}|{(email or '').casefold()}"
    username = name.split()[0].casefold() if email is None else email.split("@")[0]
    try:
        return data.User(
            uuid=uuid.uuid5(_NAMESPACE, key), name=name, email=email, username=username
        )
    except Exception as exc:  # pydantic's email check
        raise ValueError(f"{email!r} is not an email address") from exc


def user_to_json(user: data.User) -> dict[str, str | None]:
    """A user as a small JSON-able dict."""
    return {
        "uuid": str(user.uuid),
        "username": user.username,
        "name": user.name,
        "email": user.email,
    }


def user_from_json(raw: dict) -> data.User:
    """The user stored by :func:`user_to_json`."""
    from soundevent import data

    return data.User(
        uuid=uuid.UUID(raw["uuid"]),
        username=raw.get("username"),
        name=raw.get("name"),
        email=raw.get("email") or None,
    )


def load_reviewer(folder: str | os.PathLike[str] | None = None) -> data.User | None:
    """The reviewer saved in the user's settings, or None (ask for one)."""
    path = Path(folder or config_dir()) / _FILE
    try:
        return user_from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_reviewer(
    user: data.User, folder: str | os.PathLike[str] | None = None
) -> Path:
    """Save the reviewer in the user's settings (atomically); returns the file."""
    target = Path(folder or config_dir()) / _FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{_FILE}.tmp")
    tmp.write_text(json.dumps(user_to_json(user), indent=1), encoding="utf-8")
    os.replace(tmp, target)
    return target

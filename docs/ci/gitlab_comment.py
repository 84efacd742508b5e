"""Post the inventory diff as one merge-request comment, or update the comment posted before.

Run by docs/ci/gitlab-privacy-review.yml in a merge-request pipeline: python gitlab_comment.py FILE.
Uses GitLab's predefined variables (CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID) and
MINIMISE_GITLAB_TOKEN, a project access token with the api scope. Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MARKER = "<!-- minimise-inventory-diff -->"  # the first line of `minimise inventory diff` Markdown
PER_PAGE = 100


def own_note(notes: Iterable[dict[str, Any]]) -> int | None:
    """The id of the comment this job posted before: the first note starting with the marker."""
    for note in notes:
        if str(note.get("body", "")).startswith(MARKER) and not note.get("system", False):
            return int(note["id"])
    return None


def plan(api: str, project: str, mr: str, note_id: int | None, body: str) -> tuple[str, str, bytes]:
    """The request that creates the comment, or updates it when it exists: method, URL, JSON body."""
    base = f"{api.rstrip('/')}/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{mr}/notes"
    payload = json.dumps({"body": body}).encode("utf-8")
    if note_id is None:
        return "POST", base, payload
    return "PUT", f"{base}/{note_id}", payload


def _call(method: str, url: str, token: str, payload: bytes | None = None) -> tuple[Any, dict[str, str]]:
    request = urllib.request.Request(url, data=payload, method=method)
    request.add_header("PRIVATE-TOKEN", token)
    if payload is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the GitLab API URL
        return json.loads(response.read() or b"null"), dict(response.headers)


def _notes(api: str, project: str, mr: str, token: str) -> list[dict[str, Any]]:
    base = f"{api.rstrip('/')}/projects/{urllib.parse.quote(project, safe='')}/merge_requests/{mr}/notes"
    notes: list[dict[str, Any]] = []
    page = "1"
    while page:
        data, headers = _call("GET", f"{base}?per_page={PER_PAGE}&page={page}&sort=asc", token)
        notes += data or []
        page = headers.get("X-Next-Page", "") or headers.get("x-next-page", "")
    return notes


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: gitlab_comment.py FILE", file=sys.stderr)
        return 2
    token = os.environ.get("MINIMISE_GITLAB_TOKEN", "")
    if not token:
        print("MINIMISE_GITLAB_TOKEN is not set: the diff is in the job artifacts only.", file=sys.stderr)
        return 0
    api, project, mr = (os.environ[k] for k in ("CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID"))
    body = Path(argv[1]).read_text(encoding="utf-8")
    method, url, payload = plan(api, project, mr, own_note(_notes(api, project, mr, token)), body)
    _call(method, url, token, payload)
    print(f"{'updated' if method == 'PUT' else 'posted'} the inventory comment")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

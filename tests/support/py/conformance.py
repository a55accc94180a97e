#!/usr/bin/env python3
"""botocore's reading of many config/credentials file pairs, for
tests/conformance.rs: what `aws configure list-profiles` would list, and
each profile's fields that `badge ls --json` shows.

argv[1] is a folder of cases, each a folder holding `config` and/or
`credentials`. HOME is set by the caller before botocore is imported.
Prints one JSON object a line: {"case", "refused"} when botocore raises on
the files, else {"case", "profiles": [{"name", "source", FIELDS...}]}.
"""

import json
import os
import sys

import botocore.configloader
import botocore.exceptions
import botocore.session

FIELDS = {
    "sso_session": "sso_session",
    "account_id": "sso_account_id",
    "account_name": "badge_account_name",
    "role_name": "sso_role_name",
    "region": "region",
}


def text(value):
    """A field as badge shows it: a string, or nothing (a nested block)."""
    return value if isinstance(value, str) else None


def read(folder):
    config = os.path.join(folder, "config")
    credentials = os.path.join(folder, "credentials")
    os.environ["AWS_CONFIG_FILE"] = config
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = credentials
    session = botocore.session.Session()
    try:
        names = list(session.available_profiles)
        profiles = session.full_config["profiles"]
        in_config = set()
        if os.path.isfile(config):
            in_config = set(botocore.configloader.load_config(config)["profiles"])
    except Exception as e:  # what botocore refuses, whatever its class
        return {"refused": type(e).__name__}
    out = []
    for name in names:
        values = profiles.get(name, {})
        item = {"name": name, "source": "config" if name in in_config else "credentials"}
        for field, key in FIELDS.items():
            item[field] = text(values.get(key))
        out.append(item)
    return {"profiles": out}


def main():
    root = sys.argv[1]
    for case in sorted(os.listdir(root)):
        result = read(os.path.join(root, case))
        result["case"] = case
        print(json.dumps(result))


main()

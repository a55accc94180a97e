#!/usr/bin/env python3
"""Drive the Identity Center emulator with boto3, as a real client would.

Run by tests/emulator_fidelity.rs with HOME, AWS_CONFIG_FILE and
AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC set before botocore is
imported, and EMULATOR_URL / EMULATOR_DATA_PATH for the parts that talk to the
emulator directly. The emulator starts without auto-approval.

Prints one JSON object of observations; the Rust test asserts on them. Any
unexpected exception is reported under "fatal" with exit status 1.
"""

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import sys
import time
import traceback
import urllib.parse

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ["EMULATOR_URL"]
REGION = "eu-west-1"
START_URL = URL + "/start"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# One attempt, so that throttling and errors are observed, not retried.
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})

out = {}


def attempt(call, **kwargs):
    """The response, or what botocore made of the error."""
    try:
        response = call(**kwargs)
        response.pop("ResponseMetadata", None)
        return {"ok": response}
    except ClientError as e:
        meta = e.response["ResponseMetadata"]
        members = {k: v for k, v in e.response.items() if k not in ("Error", "ResponseMetadata")}
        return {
            "code": e.response["Error"]["Code"],
            "class": type(e).__name__,
            "status": meta["HTTPStatusCode"],
            "message": e.response["Error"].get("Message", ""),
            "retryAfter": meta["HTTPHeaders"].get("retry-after"),
            "members": members,
        }


def fetch(method, url, body=None, headers=None):
    """One request without following redirects: (status, headers, text)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path + ("?" + parts.query if parts.query else "")
    connection.request(method, target, body=body, headers=headers or {})
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, text


def control(path, payload=None):
    method = "GET" if payload is None else "POST"
    body = None if payload is None else json.dumps(payload)
    status, _, text = fetch(method, URL + "/control/" + path, body, {"content-type": "application/json"})
    assert status == 200, (path, status, text)
    return json.loads(text)


def submit_form(html, decision):
    """Posts the page's form as a browser would after a click on `decision`."""
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert re.search(r'name="decision" value="%s"' % decision, html), html
    fields["decision"] = decision
    return fetch(
        "POST",
        URL + action,
        urllib.parse.urlencode(fields),
        {"content-type": "application/x-www-form-urlencoded"},
    )


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main():
    session = boto3.session.Session(region_name=REGION)
    oidc = session.client("sso-oidc", config=NO_RETRY)
    sso = session.client("sso", config=NO_RETRY)
    out["endpoints"] = [oidc.meta.endpoint_url, sso.meta.endpoint_url]

    # RegisterClient, as an sso-session login does.
    registration = oidc.register_client(
        clientName="badge-fidelity",
        clientType="public",
        scopes=["sso:account:access"],
        grantTypes=[DEVICE_GRANT, "refresh_token", "authorization_code"],
        redirectUris=["http://127.0.0.1/oauth/callback"],
        issuerUrl=START_URL,
    )
    registration.pop("ResponseMetadata")
    client = {"clientId": registration["clientId"], "clientSecret": registration["clientSecret"]}
    out["register"] = {
        "keys": sorted(registration),
        "issuedAt": registration["clientIdIssuedAt"],
        "expiresAt": registration["clientSecretExpiresAt"],
        "now": int(time.time()),
    }
    out["registerErrors"] = {
        "confidential": attempt(oidc.register_client, clientName="x", clientType="confidential"),
        "badGrant": attempt(oidc.register_client, clientName="x", clientType="public", grantTypes=["password"]),
        "badRedirect": attempt(
            oidc.register_client,
            clientName="x",
            clientType="public",
            grantTypes=["authorization_code"],
            redirectUris=["http://example.com/cb"],
        ),
    }

    # Device flow: pending, pending, slow down, then approved in the page.
    device = oidc.start_device_authorization(startUrl=START_URL, **client)
    device.pop("ResponseMetadata")

    def poll():
        return attempt(oidc.create_token, grantType=DEVICE_GRANT, deviceCode=device["deviceCode"], **client)

    polls = [poll() for _ in range(3)]
    page_status, _, page = fetch("GET", device["verificationUriComplete"])
    approve_status, _, approved_page = submit_form(page, "allow")
    time.sleep(device["interval"])
    token = poll()
    again = poll()
    out["device"] = {
        "start": device,
        "polls": polls,
        "page": [page_status, approve_status, "approved" in approved_page],
        "token": token,
        "again": again,
        "badClient": attempt(
            oidc.create_token,
            grantType=DEVICE_GRANT,
            deviceCode=device["deviceCode"],
            clientId=client["clientId"],
            clientSecret="wrong",
        ),
        "badGrantType": attempt(oidc.create_token, grantType="password", **client),
    }
    access = token["ok"]["accessToken"]
    refresh = token["ok"]["refreshToken"]

    # Paginated listings: the knob caps pages at 5, PageSize asks for 4.
    pages = list(sso.get_paginator("list_accounts").paginate(accessToken=access, PaginationConfig={"PageSize": 4}))
    accounts = [a for p in pages for a in p["accountList"]]
    first_page = sso.list_accounts(accessToken=access)
    capped = sso.list_accounts(accessToken=access, maxResults=100)
    roles = {}
    for account in accounts:
        role_pages = sso.get_paginator("list_account_roles").paginate(
            accessToken=access, accountId=account["accountId"], PaginationConfig={"PageSize": 2}
        )
        roles[account["accountId"]] = [r["roleName"] for p in role_pages for r in p["roleList"]]
    out["accounts"] = {
        "list": accounts,
        "pages": [len(p["accountList"]) for p in pages],
        "nextTokens": [p["nextToken"] for p in pages if "nextToken" in p],
        "defaultPage": len(first_page["accountList"]),
        "cappedPage": len(capped["accountList"]),
        "unknownAccount": attempt(sso.list_account_roles, accessToken=access, accountId="000000000000"),
        "forgedToken": attempt(sso.list_accounts, accessToken=access, nextToken="bm90IGEgdG9rZW4="),
    }
    out["roles"] = roles

    first = accounts[0]["accountId"]
    credentials = sso.get_role_credentials(accessToken=access, accountId=first, roleName=roles[first][0])
    role = credentials["roleCredentials"]
    out["credentials"] = {
        "keys": sorted(role),
        "expiration": role["expiration"],
        "expirationType": type(role["expiration"]).__name__,
        "nowMs": int(time.time() * 1000),
        "accessKeyId": role["accessKeyId"],
        "unassigned": attempt(sso.get_role_credentials, accessToken=access, accountId=first, roleName="NotAssigned"),
    }

    # Refresh: a new access token that works; the used refresh token is spent.
    refreshed = attempt(oidc.create_token, grantType="refresh_token", refreshToken=refresh, **client)
    out["refresh"] = {
        "token": refreshed,
        "works": len(sso.list_accounts(accessToken=refreshed["ok"]["accessToken"], maxResults=1)["accountList"]),
        "reuse": attempt(oidc.create_token, grantType="refresh_token", refreshToken=refresh, **client),
    }

    # Authorization code with PKCE S256 and a loopback redirect on any port.
    redirect = "http://127.0.0.1:53123/oauth/callback"

    def authorize(verifier, redirect_uri=redirect):
        state = secrets.token_urlsafe(16)
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": client["clientId"],
                "redirect_uri": redirect_uri,
                "state": state,
                "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
                "code_challenge_method": "S256",
                "scopes": "sso:account:access",
            }
        )
        return state, fetch("GET", URL + "/authorize?" + query)

    def redirected(headers):
        location = urllib.parse.urlsplit(headers["location"])
        params = dict(urllib.parse.parse_qsl(location.query))
        return location, params

    verifier = b64url(secrets.token_bytes(48))
    state, (status, _, page) = authorize(verifier)
    allow_status, allow_headers, _ = submit_form(page, "allow")
    location, params = redirected(allow_headers)
    exchanged = attempt(
        oidc.create_token,
        grantType="authorization_code",
        code=params["code"],
        codeVerifier=verifier,
        redirectUri=redirect,
        **client,
    )
    replay = attempt(
        oidc.create_token,
        grantType="authorization_code",
        code=params["code"],
        codeVerifier=verifier,
        redirectUri=redirect,
        **client,
    )
    deny_state, (_, _, deny_page) = authorize(verifier)
    _, deny_headers, _ = submit_form(deny_page, "deny")
    _, denied = redirected(deny_headers)

    control("knobs", {"autoApprove": True})
    auto_state, (auto_status, auto_headers, _) = authorize(verifier)
    _, auto_params = redirected(auto_headers)
    wrong = attempt(
        oidc.create_token,
        grantType="authorization_code",
        code=auto_params["code"],
        codeVerifier=b64url(secrets.token_bytes(48)),
        redirectUri=redirect,
        **client,
    )
    _, (_, other_headers, _) = authorize(verifier)
    _, other_params = redirected(other_headers)
    other_redirect = attempt(
        oidc.create_token,
        grantType="authorization_code",
        code=other_params["code"],
        codeVerifier=verifier,
        redirectUri="http://127.0.0.1:53124/oauth/callback",
        **client,
    )
    unregistered_status, unregistered_headers, _ = authorize(verifier, "http://127.0.0.1:53123/elsewhere")[1]
    out["pkce"] = {
        "pageStatus": status,
        "allowStatus": allow_status,
        "redirect": [location.scheme, location.hostname, location.port, location.path],
        "stateEchoed": params.get("state") == state,
        "token": exchanged,
        "replay": replay,
        "denied": [denied.get("error"), denied.get("state") == deny_state],
        "autoStatus": auto_status,
        "autoStateEchoed": auto_params.get("state") == auto_state,
        "wrongVerifier": wrong,
        "otherRedirect": other_redirect,
        "unregistered": [unregistered_status, "location" in unregistered_headers],
    }
    pkce_access = exchanged["ok"]["accessToken"]
    pkce_refresh = exchanged["ok"]["refreshToken"]

    # Portal errors.
    out["errors"] = {"badToken": attempt(sso.list_accounts, accessToken="not-a-token")}
    control("knobs", {"throttleEvery": 1})
    out["errors"]["throttled"] = attempt(sso.list_accounts, accessToken=access)
    control("knobs", {"retryAfter": None})
    out["errors"]["throttledNoRetryAfter"] = attempt(sso.list_accounts, accessToken=access)
    control("knobs", {"throttleEvery": 2, "retryAfter": 0})
    retrying = session.client("sso", config=Config(retries={"mode": "standard", "max_attempts": 5}))
    before = control("counts")["throttled"]
    out["errors"]["retried"] = [
        len(retrying.list_accounts(accessToken=access, maxResults=1)["accountList"]) for _ in range(4)
    ]
    out["errors"]["retriedThrottles"] = control("counts")["throttled"] - before
    control("knobs", {"throttleEvery": None, "rateLimit": 3, "retryAfter": 1})
    out["errors"]["bucket"] = [
        attempt(sso.list_accounts, accessToken=access, maxResults=1).get("code", "ok") for _ in range(6)
    ]
    control("knobs", {"rateLimit": None})

    # Logout revokes the access token and its refresh token.
    out["logout"] = {
        "logout": attempt(sso.logout, accessToken=pkce_access),
        "after": attempt(sso.list_accounts, accessToken=pkce_access),
        "refresh": attempt(oidc.create_token, grantType="refresh_token", refreshToken=pkce_refresh, **client),
        "otherLogin": len(sso.list_accounts(accessToken=access, maxResults=1)["accountList"]),
    }
    control("tokens/expire", {})
    out["expired"] = attempt(sso.list_accounts, accessToken=access)

    # botocore's own SSO token and credential providers, reading a token
    # cache in the AWS CLI's format that is due for refresh.
    minted = control("tokens/mint", {})
    cache_dir = os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")
    os.makedirs(cache_dir, exist_ok=True)
    cache_file = os.path.join(cache_dir, hashlib.sha1(b"fidelity").hexdigest() + ".json")
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    with open(cache_file, "w") as f:
        json.dump(
            {
                "startUrl": START_URL,
                "region": REGION,
                "accessToken": minted["accessToken"],
                "expiresAt": iso(time.time() + 300),
                "clientId": minted["clientId"],
                "clientSecret": minted["clientSecret"],
                "registrationExpiresAt": iso(minted["registrationExpiresAt"]),
                "refreshToken": minted["refreshToken"],
            },
            f,
        )
    with open(os.environ["AWS_CONFIG_FILE"], "w") as f:
        f.write(
            "[profile fidelity]\nsso_session = fidelity\nsso_account_id = %s\nsso_role_name = %s\n"
            "region = %s\n\n[sso-session fidelity]\nsso_start_url = %s\nsso_region = %s\n"
            "sso_registration_scopes = sso:account:access\n" % (first, roles[first][0], REGION, START_URL, REGION)
        )
    frozen = boto3.session.Session(profile_name="fidelity").get_credentials().get_frozen_credentials()
    with open(cache_file) as f:
        cache = json.load(f)
    out["provider"] = {
        "accessKeyId": frozen.access_key,
        "refreshed": cache["accessToken"] != minted["accessToken"],
        "newRefreshToken": cache.get("refreshToken") not in (None, minted["refreshToken"]),
        "cacheKeys": sorted(cache),
    }

    # The AWS CLI 2.9 way: no AWS_ENDPOINT_URL_*, endpoint rules in AWS_DATA_PATH.
    del os.environ["AWS_ENDPOINT_URL_SSO"]
    del os.environ["AWS_ENDPOINT_URL_SSO_OIDC"]
    os.environ["AWS_DATA_PATH"] = os.environ["EMULATOR_DATA_PATH"]
    ruled = boto3.session.Session(region_name=REGION).client("sso", config=Config(signature_version=UNSIGNED))
    # meta.endpoint_url still shows the default; the rule set decides per request.
    sent = []
    ruled.meta.events.register("before-send.sso", lambda request, **_: sent.append(request.url))
    out["dataPath"] = {
        "call": attempt(ruled.list_accounts, accessToken=cache["accessToken"], maxResults=1).get("code", "ok"),
        "sentTo": sent,
    }


if __name__ == "__main__":
    status = 0
    try:
        main()
    except Exception:  # reported to the Rust test, which prints it
        out["fatal"] = traceback.format_exc()
        status = 1
    print(json.dumps(out))
    sys.exit(status)

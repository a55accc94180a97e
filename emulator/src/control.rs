//! `/control/*`: JSON endpoints to steer the emulator while it runs, for a
//! human with curl or a test in another process (see the module doc).

use super::org::Account;
use super::server::{Body, Shared, json_response};
use hyper::{Method, Response};
use serde_json::{Value, json};
use std::time::Instant;

pub fn handle(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Response<Body> {
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => return error(400, &format!("invalid JSON: {e}")),
        }
    };
    let now = Instant::now();
    let mut state = shared.lock();
    let get = method == Method::GET;
    let post = method == Method::POST;
    let text = |name: &str| body.get(name).and_then(Value::as_str);
    match path {
        "counts" if get => json_response(200, &state.counts.to_json()),
        "counts/reset" if post => {
            state.reset_counts();
            json_response(200, &state.counts.to_json())
        }
        "knobs" if get => json_response(200, &state.knobs.to_json()),
        "knobs" if post => {
            let mut knobs = state.knobs.clone();
            match knobs.apply_json(&body) {
                Ok(()) => {
                    state.set_knobs(knobs, now);
                    json_response(200, &state.knobs.to_json())
                }
                Err(message) => error(400, &message),
            }
        }
        "org" if get => {
            let accounts: Vec<Value> = state.org.accounts.iter().map(account_json).collect();
            json_response(200, &json!({"accounts": accounts}))
        }
        "accounts" if post => {
            let Some(name) = text("accountName") else {
                return error(400, "accountName is required");
            };
            let id = match text("accountId") {
                Some(id) => id.to_string(),
                None => next_free_id(&state.org.accounts),
            };
            let roles: Vec<&str> = match body.get("roles") {
                None => Vec::new(),
                Some(roles) => match roles
                    .as_array()
                    .and_then(|r| r.iter().map(Value::as_str).collect())
                {
                    Some(roles) => roles,
                    None => return error(400, "roles must be a list of strings"),
                },
            };
            let mut account = Account::new(&id, name, &roles);
            if let Some(email) = text("emailAddress") {
                account.email = email.to_string();
            }
            let answer = account_json(&account);
            state.put_account(account);
            json_response(200, &answer)
        }
        "accounts/remove" if post => match text("accountId") {
            Some(id) if state.remove_account(id) => ok(),
            Some(_) => error(404, "no such account"),
            None => error(400, "accountId is required"),
        },
        "assignments" | "assignments/remove" if post => {
            let (Some(account), Some(role)) = (text("accountId"), text("roleName")) else {
                return error(400, "accountId and roleName are required");
            };
            let changed = if path == "assignments" {
                state.add_assignment(account, role)
            } else {
                state.remove_assignment(account, role)
            };
            if changed {
                ok()
            } else {
                error(
                    404,
                    "no such account, or the assignment is already in that state",
                )
            }
        }
        "tokens/revoke" if post => {
            state.revoke_all_tokens();
            ok()
        }
        "tokens/expire" if post => {
            state.expire_tokens(now);
            ok()
        }
        "tokens/mint" if post => json_response(200, &state.mint_token(now).to_json()),
        "clients/expire" if post => {
            state.expire_clients();
            ok()
        }
        "device/approve" if post => {
            let approved = state.approve_devices(text("userCode"), now);
            json_response(200, &json!({"approved": approved}))
        }
        _ => error(
            404,
            &format!("no control endpoint {method} /control/{path}"),
        ),
    }
}

fn account_json(account: &Account) -> Value {
    json!({
        "accountId": account.id,
        "accountName": account.name,
        "emailAddress": account.email,
        "roles": account.roles,
    })
}

/// The smallest 12-digit id starting with 9 that is not taken.
fn next_free_id(accounts: &[Account]) -> String {
    (900_000_000_000u64..)
        .map(|n| n.to_string())
        .find(|id| !accounts.iter().any(|a| &a.id == id))
        .expect("an unused id")
}

fn ok() -> Response<Body> {
    json_response(200, &json!({"ok": true}))
}

fn error(status: u16, message: &str) -> Response<Body> {
    json_response(status, &json!({"error": message}))
}

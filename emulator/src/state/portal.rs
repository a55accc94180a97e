//! The portal API: ListAccounts, ListAccountRoles, GetRoleCredentials,
//! Logout.

use super::super::codec;
use super::super::limits::{PageScope, decode_page_token, encode_page_token};
use super::{ApiError, Params, State, epoch_now, portal_invalid, unauthorized};
use serde_json::{Value, json};
use std::time::Instant;

/// Bytes of random data in a session token (real ones are several hundred
/// characters long, which some tools truncate).
const SESSION_TOKEN_BYTES: usize = 600;

impl State {
    pub(super) fn session_of(&self, bearer: Option<&str>, now: Instant) -> Result<u64, ApiError> {
        match bearer.and_then(|token| self.access.get(token)) {
            Some(token) if now < token.expires_at => Ok(token.session),
            _ => Err(unauthorized()),
        }
    }

    fn page_size(&self, params: &Params) -> Result<usize, ApiError> {
        let Some(raw) = params.get("max_result") else {
            return Ok(self.knobs.page_size);
        };
        match raw.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => Ok((n as usize).min(self.knobs.page_size)),
            _ => Err(portal_invalid(format!(
                "1 validation error detected: Value '{raw}' at 'maxResults' failed to satisfy constraint: \
                 Member must have value between 1 and 100"
            ))),
        }
    }

    fn page<T>(
        &self,
        items: &[T],
        scope: PageScope,
        params: &Params,
    ) -> Result<(Vec<T>, Option<String>), ApiError>
    where
        T: Clone,
    {
        let size = self.page_size(params)?;
        let start = match params.get("next_token") {
            None => 0,
            Some(token) => decode_page_token(token, &scope)
                .ok_or_else(|| portal_invalid("Invalid next token provided"))?,
        };
        let start = start.min(items.len());
        let end = (start + size).min(items.len());
        let next = (end < items.len()).then(|| encode_page_token(&scope, end));
        Ok((items[start..end].to_vec(), next))
    }

    pub fn list_accounts(
        &mut self,
        bearer: Option<&str>,
        params: &Params,
        now: Instant,
    ) -> Result<Value, ApiError> {
        self.session_of(bearer, now)?;
        if let Some(per_page) = self.knobs.hostile.endless_accounts {
            return self.endless_accounts(per_page, params);
        }
        let (accounts, next) = self.page(&self.org.accounts, PageScope::Accounts, params)?;
        let list: Vec<Value> = accounts
            .iter()
            .map(|a| json!({"accountId": a.id, "accountName": a.name, "emailAddress": a.email}))
            .collect();
        Ok(with_next(json!({"accountList": list}), next))
    }

    pub fn list_account_roles(
        &mut self,
        bearer: Option<&str>,
        params: &Params,
        now: Instant,
    ) -> Result<Value, ApiError> {
        self.session_of(bearer, now)?;
        let account_id = required_param(params, "account_id", "accountId")?;
        if let Some(per_page) = self.knobs.hostile.endless_roles {
            return self.endless_roles(account_id, per_page, params);
        }
        if self.knobs.hostile.endless_accounts.is_some() && account_id.starts_with(ENDLESS_PREFIX) {
            return Ok(json!({"roleList": [{"roleName": "EndlessRole", "accountId": account_id}]}));
        }
        let account = self.org.account(account_id).ok_or_else(|| {
            ApiError::portal(404, "ResourceNotFoundException", "Account not found")
        })?;
        let (roles, next) =
            self.page(&account.roles, PageScope::Roles(account.id.clone()), params)?;
        let list: Vec<Value> = roles
            .iter()
            .map(|r| json!({"roleName": r, "accountId": account_id}))
            .collect();
        Ok(with_next(json!({"roleList": list}), next))
    }

    /// Page N of an account list that never ends: `per_page` accounts
    /// never seen before, and a token for page N + 1.
    fn endless_accounts(&self, per_page: usize, params: &Params) -> Result<Value, ApiError> {
        let page = endless_page(params, &PageScope::Accounts)?;
        let list: Vec<Value> = (0..per_page)
            .map(|i| {
                let id = format!("{ENDLESS_PREFIX}{:08}", page * per_page + i);
                json!({"accountId": id, "accountName": format!("Endless {id}"), "emailAddress": format!("aws+{id}@example.com")})
            })
            .collect();
        let next = encode_page_token(&PageScope::Accounts, page + 1);
        Ok(with_next(json!({"accountList": list}), Some(next)))
    }

    /// Page N of a role list that never ends, for any account.
    fn endless_roles(
        &self,
        account_id: &str,
        per_page: usize,
        params: &Params,
    ) -> Result<Value, ApiError> {
        let scope = PageScope::Roles(account_id.to_string());
        let page = endless_page(params, &scope)?;
        let list: Vec<Value> = (0..per_page)
            .map(|i| json!({"roleName": format!("Endless-{}", page * per_page + i), "accountId": account_id}))
            .collect();
        let next = encode_page_token(&scope, page + 1);
        Ok(with_next(json!({"roleList": list}), Some(next)))
    }

    pub fn get_role_credentials(
        &mut self,
        bearer: Option<&str>,
        params: &Params,
        now: Instant,
    ) -> Result<Value, ApiError> {
        self.session_of(bearer, now)?;
        let role = required_param(params, "role_name", "roleName")?;
        let account_id = required_param(params, "account_id", "accountId")?;
        let assigned = self
            .org
            .account(account_id)
            .is_some_and(|a| a.roles.iter().any(|r| r == role));
        if !assigned {
            return Err(ApiError::portal(403, "ForbiddenException", "No access"));
        }
        let expiration = epoch_now() + self.knobs.credentials_lifetime;
        let access_key = format!(
            "ASIA{}",
            self.rng.pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        );
        let secret = codec::base64(&self.rng.bytes(30));
        let session_token = codec::base64(&self.rng.bytes(SESSION_TOKEN_BYTES));
        self.remember_secret("accessKeyId", &access_key);
        self.remember_secret("secretAccessKey", &secret);
        self.remember_secret("sessionToken", &session_token);
        self.federation.remember(
            &access_key,
            &secret,
            &session_token,
            expiration.as_millis() as u64,
        );
        Ok(json!({"roleCredentials": {
            "accessKeyId": access_key,
            "secretAccessKey": secret,
            "sessionToken": session_token,
            "expiration": expiration.as_millis() as u64,
        }}))
    }

    /// Revokes the access token and every token of its sign-in.
    pub fn logout(&mut self, bearer: Option<&str>, now: Instant) -> Result<(), ApiError> {
        let session = self.session_of(bearer, now)?;
        self.access.retain(|_, t| t.session != session);
        self.refresh.retain(|_, r| r.session != session);
        Ok(())
    }
}

/// Ids of the accounts of an endless listing: 12 digits, in a range no
/// generated organisation uses.
const ENDLESS_PREFIX: &str = "5000";

/// The page number an endless listing's next token stands for.
fn endless_page(params: &Params, scope: &PageScope) -> Result<usize, ApiError> {
    match params.get("next_token") {
        None => Ok(0),
        Some(token) => decode_page_token(token, scope)
            .ok_or_else(|| portal_invalid("Invalid next token provided")),
    }
}

fn with_next(mut response: Value, next: Option<String>) -> Value {
    if let Some(next) = next {
        response["nextToken"] = json!(next);
    }
    response
}

fn required_param<'a>(params: &'a Params, name: &str, member: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| portal_invalid(format!("{member} is required")))
}

//! The Identity Center emulator is only worth testing badge against if real
//! clients accept it. `boto3_drives_every_operation` runs boto3 against it
//! (tests/support/py/fidelity.py) and checks what botocore made of each
//! answer; the other tests check over raw HTTP what boto3 cannot show:
//! encoding of next tokens, concurrency and keep-alive, throttling, the
//! control API.

mod support;

use badge_emulator as emulator;

use emulator::{Account, Emulator, EmulatorOptions, ODD_NAMES, Org};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

// ---- boto3 ------------------------------------------------------------------

/// Runs the driver with a fresh HOME and nothing of the caller's AWS setup.
fn run_driver(emu: &Emulator, home: &Path) -> Value {
    let config = home.join("config");
    std::fs::write(&config, "").unwrap();
    let data_path = home.join("data");
    emu.write_endpoint_rules(&data_path).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/py/fidelity.py");
    let mut command = support::python3();
    command
        .arg(script)
        .envs(emu.env())
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env("EMULATOR_URL", emu.url())
        .env("EMULATOR_DATA_PATH", &data_path);
    let out = support::run_within(command, "the boto3 driver", Duration::from_secs(120));
    let parsed: Value = serde_json::from_str(out.stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "driver output is not JSON ({e}):\n{}\nstderr:\n{}",
            out.stdout, out.stderr
        )
    });
    if let Some(fatal) = parsed.get("fatal") {
        panic!(
            "the boto3 driver failed:\n{}\nstderr:\n{}\nobservations so far:\n{parsed:#}",
            fatal.as_str().unwrap_or_default(),
            out.stderr
        );
    }
    assert!(
        out.status.success(),
        "driver exited with {}\n{}",
        out.status,
        out.stderr
    );
    parsed
}

/// Asserts that botocore raised the exception `class` with code `code`.
#[track_caller]
fn assert_error(observed: &Value, class: &str, code: &str, status: u64) {
    assert_eq!(observed["code"], code, "{observed:#}");
    assert_eq!(observed["class"], class, "{observed:#}");
    assert_eq!(observed["status"], status, "{observed:#}");
}

#[test]
fn boto3_drives_every_operation() {
    if !support::python_module_available("boto3") {
        return;
    }
    let started = Instant::now();
    let org = Org::generated(23, 3, true);
    let emu = Emulator::start(EmulatorOptions {
        page_size: 5,
        auto_approve: false,
        ..EmulatorOptions::new(org.clone())
    });
    let home = tempfile::tempdir().unwrap();
    let out = run_driver(&emu, home.path());
    let url = emu.url();

    assert_eq!(out["endpoints"], serde_json::json!([url, url]));

    // RegisterClient: epoch seconds, 90 days.
    let register = &out["register"];
    assert_eq!(
        register["keys"],
        serde_json::json!([
            "clientId",
            "clientIdIssuedAt",
            "clientSecret",
            "clientSecretExpiresAt"
        ])
    );
    let issued = register["issuedAt"].as_u64().unwrap();
    assert!(issued.abs_diff(register["now"].as_u64().unwrap()) < 60);
    assert_eq!(
        register["expiresAt"].as_u64().unwrap() - issued,
        90 * 86_400
    );
    let errors = &out["registerErrors"];
    assert_error(
        &errors["confidential"],
        "InvalidClientMetadataException",
        "InvalidClientMetadataException",
        400,
    );
    assert_error(
        &errors["badGrant"],
        "UnsupportedGrantTypeException",
        "UnsupportedGrantTypeException",
        400,
    );
    assert_error(
        &errors["badRedirect"],
        "InvalidRedirectUriException",
        "InvalidRedirectUriException",
        400,
    );

    // Device flow.
    let device = &out["device"];
    let start = &device["start"];
    let user_code = start["userCode"].as_str().unwrap();
    assert_eq!(start["verificationUri"], format!("{url}/device"));
    assert_eq!(
        start["verificationUriComplete"],
        format!("{url}/device?user_code={user_code}")
    );
    assert_eq!(start["interval"], 1);
    assert_eq!(start["expiresIn"], 600);
    let polls = device["polls"].as_array().unwrap();
    assert_error(
        &polls[0],
        "AuthorizationPendingException",
        "AuthorizationPendingException",
        400,
    );
    assert_eq!(polls[0]["members"]["error"], "authorization_pending");
    assert_error(
        &polls[1],
        "AuthorizationPendingException",
        "AuthorizationPendingException",
        400,
    );
    assert_error(&polls[2], "SlowDownException", "SlowDownException", 400);
    assert_eq!(polls[2]["members"]["error"], "slow_down");
    assert_eq!(device["page"], serde_json::json!([200, 200, true]));
    let token = &device["token"]["ok"];
    assert_eq!(token["tokenType"], "Bearer");
    assert_eq!(token["expiresIn"], 8 * 3600);
    assert!(token["accessToken"].as_str().unwrap().len() > 100);
    assert!(token["refreshToken"].is_string());
    assert_error(
        &device["again"],
        "InvalidGrantException",
        "InvalidGrantException",
        400,
    );
    assert_error(
        &device["badClient"],
        "InvalidClientException",
        "InvalidClientException",
        401,
    );
    assert_eq!(device["badClient"]["members"]["error"], "invalid_client");
    assert_error(
        &device["badGrantType"],
        "UnsupportedGrantTypeException",
        "UnsupportedGrantTypeException",
        400,
    );

    // Every account once, in order, names intact; pages of min(4, 5).
    let accounts = &out["accounts"];
    let listed: Vec<(&str, &str, &str)> = accounts["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let field = |k: &str| a[k].as_str().unwrap();
            (
                field("accountId"),
                field("accountName"),
                field("emailAddress"),
            )
        })
        .collect();
    let expected: Vec<(&str, &str, &str)> = org
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str(), a.email.as_str()))
        .collect();
    assert_eq!(listed, expected);
    assert!(
        listed
            .iter()
            .any(|(_, name, _)| *name == "Café Ünïcode 中文")
    );
    assert_eq!(accounts["pages"], serde_json::json!([4, 4, 4, 4, 4, 3]));
    for token in accounts["nextTokens"].as_array().unwrap() {
        let token = token.as_str().unwrap();
        assert!(
            token.contains('+') && token.contains('/') && token.contains('='),
            "{token}"
        );
    }
    assert_eq!(accounts["defaultPage"], 5);
    assert_eq!(accounts["cappedPage"], 5);
    assert_error(
        &accounts["unknownAccount"],
        "ResourceNotFoundException",
        "ResourceNotFoundException",
        404,
    );
    assert_error(
        &accounts["forgedToken"],
        "InvalidRequestException",
        "InvalidRequestException",
        400,
    );
    for account in &org.accounts {
        assert_eq!(
            out["roles"][&account.id],
            serde_json::json!(account.roles),
            "{}",
            account.name
        );
    }

    // GetRoleCredentials: expiration is epoch milliseconds, an int.
    let credentials = &out["credentials"];
    assert_eq!(
        credentials["keys"],
        serde_json::json!([
            "accessKeyId",
            "expiration",
            "secretAccessKey",
            "sessionToken"
        ])
    );
    assert_eq!(credentials["expirationType"], "int");
    let in_an_hour = credentials["nowMs"].as_u64().unwrap() + 3_600_000;
    assert!(
        credentials["expiration"]
            .as_u64()
            .unwrap()
            .abs_diff(in_an_hour)
            < 60_000
    );
    assert!(
        credentials["accessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    let unassigned = &credentials["unassigned"];
    assert_error(unassigned, "ClientError", "ForbiddenException", 403);
    assert_eq!(unassigned["message"], "No access");

    // Refresh: works once.
    let refresh = &out["refresh"];
    assert_eq!(refresh["token"]["ok"]["tokenType"], "Bearer");
    assert!(refresh["token"]["ok"]["refreshToken"].is_string());
    assert_eq!(refresh["works"], 1);
    assert_error(
        &refresh["reuse"],
        "InvalidGrantException",
        "InvalidGrantException",
        400,
    );

    // Authorization code + PKCE.
    let pkce = &out["pkce"];
    assert_eq!(pkce["pageStatus"], 200);
    assert_eq!(pkce["allowStatus"], 302);
    assert_eq!(
        pkce["redirect"],
        serde_json::json!(["http", "127.0.0.1", 53123, "/oauth/callback"])
    );
    assert_eq!(pkce["stateEchoed"], true);
    assert_eq!(pkce["token"]["ok"]["tokenType"], "Bearer");
    assert!(pkce["token"]["ok"]["refreshToken"].is_string());
    assert_error(
        &pkce["replay"],
        "InvalidGrantException",
        "InvalidGrantException",
        400,
    );
    assert_eq!(pkce["denied"], serde_json::json!(["access_denied", true]));
    assert_eq!(pkce["autoStatus"], 302);
    assert_eq!(pkce["autoStateEchoed"], true);
    assert_error(
        &pkce["wrongVerifier"],
        "InvalidGrantException",
        "InvalidGrantException",
        400,
    );
    assert_eq!(pkce["wrongVerifier"]["members"]["error"], "invalid_grant");
    assert_error(
        &pkce["otherRedirect"],
        "InvalidGrantException",
        "InvalidGrantException",
        400,
    );
    assert_eq!(pkce["unregistered"], serde_json::json!([400, false]));

    // Portal errors, throttling.
    let errors = &out["errors"];
    assert_error(
        &errors["badToken"],
        "UnauthorizedException",
        "UnauthorizedException",
        401,
    );
    assert_eq!(
        errors["badToken"]["message"],
        "Session token not found or invalid"
    );
    assert_error(
        &errors["throttled"],
        "TooManyRequestsException",
        "TooManyRequestsException",
        429,
    );
    assert_eq!(errors["throttled"]["retryAfter"], "1");
    assert_error(
        &errors["throttledNoRetryAfter"],
        "TooManyRequestsException",
        "TooManyRequestsException",
        429,
    );
    assert_eq!(errors["throttledNoRetryAfter"]["retryAfter"], Value::Null);
    assert_eq!(errors["retried"], serde_json::json!([1, 1, 1, 1]));
    assert!(
        errors["retriedThrottles"].as_u64().unwrap() >= 2,
        "{errors:#}"
    );
    let bucket: Vec<&str> = errors["bucket"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(bucket[..3], ["ok", "ok", "ok"], "{bucket:?}");
    assert!(
        bucket[3..]
            .iter()
            .filter(|c| **c == "TooManyRequestsException")
            .count()
            >= 2,
        "{bucket:?}"
    );

    // Logout.
    let logout = &out["logout"];
    assert_eq!(logout["logout"]["ok"], serde_json::json!({}));
    assert_error(
        &logout["after"],
        "UnauthorizedException",
        "UnauthorizedException",
        401,
    );
    assert_error(
        &logout["refresh"],
        "InvalidGrantException",
        "InvalidGrantException",
        400,
    );
    assert_eq!(logout["otherLogin"], 1);
    assert_error(
        &out["expired"],
        "UnauthorizedException",
        "UnauthorizedException",
        401,
    );

    // botocore's providers refreshed a cached token and got credentials.
    let provider = &out["provider"];
    assert!(
        provider["accessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
    assert_eq!(provider["refreshed"], true);
    assert_eq!(provider["newRefreshToken"], true);

    // Endpoint rules through AWS_DATA_PATH.
    assert_eq!(out["dataPath"]["call"], "ok");
    assert_eq!(
        out["dataPath"]["sentTo"],
        serde_json::json!([format!("{url}/assignment/accounts?max_result=1")])
    );

    let counts = emu.requests();
    assert_eq!(counts.get("RegisterClient"), 4);
    assert!(counts.throttled >= 5, "{counts:?}");
    eprintln!("boto3 fidelity run took {:?}", started.elapsed());
}

// ---- raw HTTP ----------------------------------------------------------------

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection(BufReader<TcpStream>);

impl Connection {
    fn open(emu: &Emulator) -> Connection {
        let stream = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Connection(BufReader::new(stream))
    }

    fn send(&mut self, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut request = format!(
            "{method} {target} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.0.get_mut().write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        let status = line.split(' ').nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.0.read_line(&mut line).unwrap();
            let Some((name, value)) = line.trim_end().split_once(": ") else {
                break;
            };
            headers.push((name.to_string(), value.to_string()));
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; length];
        self.0.read_exact(&mut body).unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }
}

fn get(emu: &Emulator, target: &str, token: &str) -> Reply {
    Connection::open(emu).send("GET", target, &[("x-amz-sso_bearer_token", token)], "")
}

fn control(emu: &Emulator, path: &str, body: &str) -> Reply {
    let method = if body.is_empty() { "GET" } else { "POST" };
    Connection::open(emu).send(
        method,
        &format!("/control/{path}"),
        &[("content-type", "application/json")],
        body,
    )
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn next_tokens_must_be_url_encoded() {
    let emu = Emulator::start(EmulatorOptions {
        page_size: 2,
        ..EmulatorOptions::new(Org::generated(5, 1, false))
    });
    let token = emu.mint_token().access_token;
    let first = get(&emu, "/assignment/accounts", &token);
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("content-type"), Some("application/json"));
    let next = first.json()["nextToken"].as_str().unwrap().to_string();

    let raw = get(
        &emu,
        &format!("/assignment/accounts?next_token={next}"),
        &token,
    );
    assert_eq!(raw.status, 400);
    assert_eq!(
        raw.header("x-amzn-errortype"),
        Some(
            "InvalidRequestException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
        )
    );
    assert_eq!(
        raw.json()["__type"],
        "com.amazonaws.switchboard.portal#InvalidRequestException"
    );

    let second = get(
        &emu,
        &format!("/assignment/accounts?next_token={}", encode(&next)),
        &token,
    );
    assert_eq!(second.status, 200, "{}", second.body);
    let ids: Vec<Value> = second.json()["accountList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountId"].clone())
        .collect();
    let org = emu.org();
    assert_eq!(
        ids,
        [org.accounts[2].id.as_str(), org.accounts[3].id.as_str()]
    );

    let bad_size = get(&emu, "/assignment/accounts?max_result=0", &token);
    assert_eq!(bad_size.status, 400);
    let account = &org.accounts[0].id;
    let roles_token = get(
        &emu,
        &format!(
            "/assignment/roles?account_id={account}&next_token={}",
            encode(&next)
        ),
        &token,
    );
    assert_eq!(roles_token.status, 400);
}

#[test]
fn many_concurrent_keep_alive_connections() {
    let emu = Emulator::start(EmulatorOptions {
        latency: Duration::from_millis(40),
        ..EmulatorOptions::new(Org::generated(30, 2, true))
    });
    let token = emu.mint_token().access_token;
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..20 {
            scope.spawn(|| {
                let mut connection = Connection::open(&emu);
                for _ in 0..5 {
                    let reply = connection.send(
                        "GET",
                        "/assignment/accounts",
                        &[("x-amz-sso_bearer_token", &token)],
                        "",
                    );
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    assert_eq!(reply.json()["accountList"].as_array().unwrap().len(), 30);
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let counts = emu.requests();
    assert_eq!(counts.get("ListAccounts"), 100);
    assert_eq!(counts.total, 100);
    assert!(counts.peak_concurrency >= 10, "{counts:?}");
    // 100 requests of 40 ms each took well under the 4 s they would in series.
    assert!(elapsed < Duration::from_millis(2000), "{elapsed:?}");
}

#[test]
fn token_bucket_and_every_nth_throttling() {
    let emu = Emulator::start(EmulatorOptions {
        rate_limit: Some(4.0),
        ..EmulatorOptions::default()
    });
    let token = emu.mint_token().access_token;
    let statuses: Vec<u16> = (0..10)
        .map(|_| get(&emu, "/assignment/accounts", &token).status)
        .collect();
    assert_eq!(statuses[..4], [200; 4], "{statuses:?}");
    assert!(
        statuses[4..].iter().filter(|s| **s == 429).count() >= 5,
        "{statuses:?}"
    );
    let throttled = get(&emu, "/assignment/accounts", &token);
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after"), Some("1"));
    assert_eq!(
        throttled.json(),
        serde_json::json!({"message": "Rate exceeded", "__type": "com.amazonaws.switchboard.portal#TooManyRequestsException"})
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(&emu, "/assignment/accounts", &token).status, 200);

    emu.set_rate_limit(None);
    emu.set_throttle_every(Some(3));
    emu.set_retry_after(None);
    emu.reset_requests();
    let statuses: Vec<u16> = (0..9)
        .map(|_| get(&emu, "/assignment/accounts", &token).status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    let counts = emu.requests();
    assert_eq!(counts.throttled, 3);
    assert_eq!(counts.error("TooManyRequestsException"), 3);
    // OIDC requests are never throttled.
    let register = Connection::open(&emu).send(
        "POST",
        "/client/register",
        &[("content-type", "application/json")],
        r#"{"clientName":"x","clientType":"public"}"#,
    );
    assert_eq!(register.status, 200);
}

#[test]
fn control_api_changes_the_org_and_tokens_while_running() {
    let emu = Emulator::start(EmulatorOptions::new(Org::generated(3, 2, false)));
    let issued = emu.mint_token();
    let token = issued.access_token.as_str();
    let first = emu.org().accounts[0].clone();

    let added = control(
        &emu,
        "accounts",
        r#"{"accountName":"New \"One\"","roles":["ReadOnlyAccess"]}"#,
    );
    assert_eq!(added.status, 200, "{}", added.body);
    let new_id = added.json()["accountId"].as_str().unwrap().to_string();
    let listed = get(&emu, "/assignment/accounts", token).json();
    assert_eq!(listed["accountList"].as_array().unwrap().len(), 4);
    assert_eq!(listed["accountList"][3]["accountName"], "New \"One\"");

    let assignment = format!(
        r#"{{"accountId":"{}","roleName":"{}"}}"#,
        first.id, first.roles[1]
    );
    assert_eq!(control(&emu, "assignments/remove", &assignment).status, 200);
    assert_eq!(control(&emu, "assignments/remove", &assignment).status, 404);
    let credentials = format!(
        "/federation/credentials?account_id={}&role_name={}",
        first.id, first.roles[1]
    );
    let forbidden = get(&emu, &credentials, token);
    assert_eq!(forbidden.status, 403);
    assert_eq!(forbidden.json()["message"], "No access");
    assert_eq!(control(&emu, "assignments", &assignment).status, 200);
    assert_eq!(get(&emu, &credentials, token).status, 200);
    let roles = get(
        &emu,
        &format!("/assignment/roles?account_id={new_id}"),
        token,
    )
    .json();
    assert_eq!(
        roles,
        serde_json::json!({"roleList": [{"roleName": "ReadOnlyAccess", "accountId": new_id}]})
    );

    assert_eq!(
        control(
            &emu,
            "accounts/remove",
            &format!(r#"{{"accountId":"{new_id}"}}"#)
        )
        .status,
        200
    );
    assert_eq!(emu.org().accounts.len(), 3);
    emu.put_account(Account::new(
        "999999999999",
        ODD_NAMES[1],
        &["AdministratorAccess"],
    ));
    assert!(emu.add_assignment("999999999999", "ReadOnlyAccess"));
    assert!(!emu.add_assignment("999999999999", "ReadOnlyAccess"));
    assert_eq!(emu.org().account("999999999999").unwrap().roles.len(), 2);

    let counts = control(&emu, "counts", "").json();
    assert_eq!(counts["byOperation"]["ListAccounts"], 1);
    assert_eq!(counts["errors"]["ForbiddenException"], 1);
    let knobs = control(&emu, "knobs", r#"{"pageSize":2,"latencyMs":5}"#).json();
    assert_eq!(knobs["pageSize"], 2);
    assert_eq!(control(&emu, "knobs", r#"{"nope":1}"#).status, 400);

    // Expiring access tokens leaves refresh working; revoking ends both.
    assert_eq!(control(&emu, "tokens/expire", "{}").status, 200);
    assert!(!emu.token_is_valid(token));
    let expired = get(&emu, "/assignment/accounts", token);
    assert_eq!(expired.status, 401);
    assert_eq!(
        expired.header("x-amzn-errortype"),
        Some(
            "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
        )
    );
    let refresh_body = serde_json::json!({
        "clientId": issued.client_id,
        "clientSecret": issued.client_secret,
        "grantType": "refresh_token",
        "refreshToken": issued.refresh_token,
    })
    .to_string();
    let refreshed = Connection::open(&emu).send("POST", "/token", &[], &refresh_body);
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let fresh = refreshed.json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(emu.token_is_valid(&fresh));
    emu.revoke_all_tokens();
    assert!(!emu.token_is_valid(&fresh));

    emu.expire_clients();
    let invalid_client = Connection::open(&emu).send("POST", "/token", &[], &refresh_body);
    assert_eq!(invalid_client.status, 401);
    assert_eq!(
        invalid_client.header("x-amzn-errortype"),
        Some("InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/")
    );
    assert_eq!(invalid_client.json()["error"], "invalid_client");
}

#[test]
fn device_codes_can_be_approved_on_start_or_by_the_handle() {
    let emu = Emulator::start(EmulatorOptions {
        auto_approve: false,
        ..EmulatorOptions::default()
    });
    let post = |path: &str, body: &Value| {
        Connection::open(&emu).send("POST", path, &[], &body.to_string())
    };
    let client = post(
        "/client/register",
        &serde_json::json!({"clientName": "t", "clientType": "public"}),
    )
    .json();
    let credentials =
        serde_json::json!({"clientId": client["clientId"], "clientSecret": client["clientSecret"]});
    let start = |creds: &Value| {
        let mut body = creds.clone();
        body["startUrl"] = "https://example.awsapps.com/start".into();
        post("/device_authorization", &body).json()
    };
    let token_for = |device: &Value| {
        let mut body = credentials.clone();
        body["grantType"] = "urn:ietf:params:oauth:grant-type:device_code".into();
        body["deviceCode"] = device["deviceCode"].clone();
        post("/token", &body)
    };

    let device = start(&credentials);
    assert_eq!(token_for(&device).json()["error"], "authorization_pending");
    assert_eq!(emu.approve_device(device["userCode"].as_str()), 1);
    let token = token_for(&device).json();
    assert!(emu.token_is_valid(token["accessToken"].as_str().unwrap()));
    // Registered without scopes: no refresh token.
    assert_eq!(token.get("refreshToken"), None);

    let page = Connection::open(&emu).send(
        "GET",
        &format!(
            "/device?user_code={}",
            start(&credentials)["userCode"].as_str().unwrap()
        ),
        &[],
        "",
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Approve"));

    emu.set_auto_approve(true);
    assert_eq!(
        control(&emu, "knobs", r#"{"approveOnStart":true}"#).status,
        200
    );
    assert!(token_for(&start(&credentials)).json()["accessToken"].is_string());
}

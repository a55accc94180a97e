//! The HTTP side: one hyper HTTP/1.1 server with keep-alive, routing each
//! request to the state and writing answers in the exact shapes botocore and
//! the Rust SDK parse.

use super::codec;
use super::control;
use super::state::{Api, ApiError, Params, Reply, State};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

pub struct Shared {
    pub state: Mutex<State>,
    /// `http://127.0.0.1:PORT`, for links the emulator hands out.
    pub base_url: String,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, say: wait for connections to close.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = shared.clone();
                async move { Ok::<_, Infallible>(handle(&shared, request).await) }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

pub type Body = BoxBody<Bytes, Infallible>;

/// Decrements the in-flight count however the request ends.
struct InFlight<'a>(&'a Shared);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.lock().end();
    }
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Body> {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let params = Params(codec::parse_query(request.uri().query().unwrap_or("")));
    let bearer = request
        .headers()
        .get("x-amz-sso_bearer_token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = match Limited::new(request.into_body(), 1 << 20).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
    };

    if let Some(rest) = path.strip_prefix("/control/") {
        return control::handle(shared, &method, rest, &body);
    }
    let Some(operation) = operation(&method, &path) else {
        let error = ApiError {
            api: Api::Portal,
            status: 404,
            name: "UnknownOperationException",
            message: format!("No operation at {method} {path}"),
            retry_after: None,
        };
        return render(Reply::Error(error));
    };

    let latency = {
        let mut state = shared.lock();
        state.begin(operation);
        state.knobs.latency
    };
    let _in_flight = InFlight(shared);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let now = Instant::now();
    let mut state = shared.lock();
    if let Some(huge) = state.knobs.hostile.huge_answer.clone().filter(|h| {
        h.applies_to(operation) && !matches!(operation, "Authorize" | "Device" | "Start")
    }) {
        drop(state);
        return huge_response(huge.bytes, huge.chunked);
    }
    let bearer = bearer.as_deref();
    let forced = match operation {
        "ListAccounts" | "ListAccountRoles" | "GetRoleCredentials" | "Logout" => {
            state.forced_error(operation, Api::Portal)
        }
        "RegisterClient" | "StartDeviceAuthorization" | "CreateToken" => {
            state.forced_error(operation, Api::Oidc)
        }
        _ => None,
    };
    let reply = if let Some(error) = forced {
        Reply::Error(error)
    } else {
        match operation {
            "ListAccounts" | "ListAccountRoles" | "GetRoleCredentials" | "Logout" => {
                match state.portal_gate(now) {
                    Err(error) => Reply::Error(error),
                    Ok(()) => match operation {
                        "ListAccounts" => state.list_accounts(bearer, &params, now).into(),
                        "ListAccountRoles" => state.list_account_roles(bearer, &params, now).into(),
                        "GetRoleCredentials" => {
                            state.get_role_credentials(bearer, &params, now).into()
                        }
                        _ => match state.logout(bearer, now) {
                            Ok(()) => Reply::Empty,
                            Err(error) => Reply::Error(error),
                        },
                    },
                }
            }
            "RegisterClient" | "StartDeviceAuthorization" | "CreateToken" => {
                match parse_json(&body) {
                    Err(error) => Reply::Error(error),
                    Ok(json) => match operation {
                        "RegisterClient" => state.register_client(&json).into(),
                        "StartDeviceAuthorization" => state
                            .start_device_authorization(&json, &shared.base_url, now)
                            .into(),
                        _ => state.create_token(&json, now).into(),
                    },
                }
            }
            "Authorize" if method == Method::POST => state.authorize_decision(&form(&body), now),
            "Authorize" => state.authorize_page(&params, now),
            "Device" if method == Method::POST => state.device_decision(&form(&body), now),
            "Device" => state.device_page(&params, now),
            "Federation" => state.federation.handle(&params, now),
            _ => start_page(&shared.base_url),
        }
    };
    if let Reply::Error(error) = &reply {
        state.record_error(error.name);
    }
    drop(state);
    render(reply)
}

fn operation(method: &Method, path: &str) -> Option<&'static str> {
    let get = method == Method::GET;
    let post = method == Method::POST;
    Some(match path {
        "/assignment/accounts" if get => "ListAccounts",
        "/assignment/roles" if get => "ListAccountRoles",
        "/federation/credentials" if get => "GetRoleCredentials",
        "/federation" if get => "Federation",
        "/logout" if post => "Logout",
        "/client/register" if post => "RegisterClient",
        "/device_authorization" if post => "StartDeviceAuthorization",
        "/token" if post => "CreateToken",
        "/authorize" if get || post => "Authorize",
        "/device" if get || post => "Device",
        "/" | "/start" if get => "Start",
        _ => return None,
    })
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError {
        api: Api::Oidc,
        status: 400,
        name: "InvalidRequestException",
        message: format!("The request body is not valid JSON: {e}"),
        retry_after: None,
    })
}

fn form(body: &[u8]) -> Params {
    Params(codec::parse_query(&String::from_utf8_lossy(body)))
}

fn start_page(base_url: &str) -> Reply {
    Reply::Html(
        200,
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>AWS access portal (emulator)</title></head>\
             <body><h1>AWS access portal (emulator)</h1><p>Any start URL works with this emulator; \
             point <code>AWS_ENDPOINT_URL_SSO</code> and <code>AWS_ENDPOINT_URL_SSO_OIDC</code> at \
             <code>{base_url}</code>.</p></body></html>\n"
        ),
    )
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

fn response(
    status: u16,
    content_type: Option<&'static str>,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).boxed());
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Some(content_type) = content_type {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let id = format!("00000000-0000-4000-8000-{id:012x}");
    headers.insert(
        "x-amzn-requestid",
        HeaderValue::from_str(&id).expect("ASCII"),
    );
    response
}

/// A 200 answer of `bytes` bytes, made of one chunk sent again and again
/// as the client reads: a 2 GB answer costs the emulator 64 KiB.
fn huge_response(bytes: u64, chunked: bool) -> Response<Body> {
    let mut chunk = b"{\"accountList\":[".to_vec();
    while chunk.len() < 64 * 1024 {
        chunk.extend_from_slice(b"{\"accountId\":\"000000000000\",\"accountName\":\"padding\"},");
    }
    let body = Endless {
        left: bytes,
        chunk: Bytes::from(chunk),
        exact: !chunked,
    };
    let mut response = response(200, Some("application/json"), Bytes::new());
    *response.body_mut() = body.boxed();
    response
}

/// The body of [`huge_response`].
struct Endless {
    left: u64,
    chunk: Bytes,
    /// Whether hyper may announce the length (`Content-Length`), or must
    /// send it chunked.
    exact: bool,
}

impl hyper::body::Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(self.chunk.len() as u64) as usize;
        self.left -= n as u64;
        Poll::Ready(Some(Ok(Frame::data(self.chunk.slice(..n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        if self.exact {
            SizeHint::with_exact(self.left)
        } else {
            SizeHint::default()
        }
    }
}

pub fn json_response(status: u16, value: &Value) -> Response<Body> {
    response(status, Some("application/json"), value.to_string())
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    response(status.as_u16(), Some("text/plain; charset=utf-8"), text)
}

/// Error answers as the services send them: the portal with
/// `{"message","__type"}`, OIDC in OAuth style with `{"error",
/// "error_description"}`; both name the exception in `x-amzn-ErrorType`.
fn render_error(error: &ApiError) -> Response<Body> {
    let (namespace, body) = match error.api {
        Api::Portal => (
            "com.amazonaws.switchboard.portal",
            json!({
                "message": error.message,
                "__type": format!("com.amazonaws.switchboard.portal#{}", error.name),
            }),
        ),
        Api::Oidc => (
            "com.amazonaws.sso.oidc",
            json!({"error": error.oauth_code(), "error_description": error.message}),
        ),
    };
    let mut response = json_response(error.status, &body);
    let error_type = format!(
        "{}:http://internal.amazon.com/coral/{namespace}/",
        error.name
    );
    let headers = response.headers_mut();
    headers.insert(
        "x-amzn-errortype",
        HeaderValue::from_str(&error_type).expect("ASCII"),
    );
    if let Some(seconds) = error.retry_after {
        headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn render(reply: Reply) -> Response<Body> {
    match reply {
        Reply::Json(status, value) => json_response(status, &value),
        Reply::Empty => response(200, None, Bytes::new()),
        Reply::Error(error) => render_error(&error),
        Reply::Html(status, html) => response(status, Some("text/html; charset=utf-8"), html),
        Reply::Redirect(location) => {
            let mut response = response(302, None, Bytes::new());
            match HeaderValue::from_str(&location) {
                Ok(value) => {
                    response.headers_mut().insert(LOCATION, value);
                    response
                }
                Err(_) => plain(
                    StatusCode::BAD_REQUEST,
                    "redirect URI is not a valid header value",
                ),
            }
        }
    }
}

//! The loopback redirect of the PKCE flow: a one-shot HTTP listener on
//! 127.0.0.1 (never another interface), on a port the system picks.
//!
//! It answers until one request to `/oauth/callback` carries the `state`
//! this sign-in sent; a wrong or missing `state` gets a 400 page and the
//! listener keeps waiting, so a stale tab or another local page cannot end
//! (or hijack) the sign-in, while the real redirect still gets through. The
//! browser's stray requests (favicon, preconnects) are answered or dropped
//! without disturbing the wait.

use std::time::Duration;

use anyhow::{Context as _, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until, timeout};

use crate::base::text::printable;
use crate::base::url::decode_query;
use crate::ui::verbose::verbose;

pub const CALLBACK_PATH: &str = "/oauth/callback";

/// How long one connection may take to send its request line and headers.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_HEAD: usize = 16 * 1024;

/// What the browser brought back.
#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    Code(String),
    /// `error` (and `error_description`) instead of a code.
    Denied(String),
}

pub struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    pub async fn bind() -> Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.context(
            "cannot listen on 127.0.0.1 for the browser's sign-in redirect; \
             sign in with --device-code instead",
        )?;
        let port = listener.local_addr()?.port();
        Ok(Loopback { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port())
    }

    /// The callback with the right `state`, or `None` after `limit`.
    pub async fn wait(self, state: &str, limit: Duration) -> Result<Option<Callback>> {
        let deadline = Instant::now() + limit;
        let (sender, mut receiver) = mpsc::unbounded_channel();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let sender = sender.clone();
                        let state = state.to_owned();
                        tokio::spawn(async move {
                            if let Some(callback) = serve(stream, &state).await {
                                let _ = sender.send(callback);
                            }
                        });
                    }
                    // Out of file descriptors and the like: try again shortly.
                    Err(_) => sleep(Duration::from_millis(50)).await,
                },
                Some(callback) = receiver.recv() => return Ok(Some(callback)),
                () = sleep_until(deadline) => return Ok(None),
            }
        }
    }
}

/// Answers one connection; the callback when it was the one awaited.
async fn serve(mut stream: TcpStream, state: &str) -> Option<Callback> {
    let head = match timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Some(head)) => head,
        _ => return None,
    };
    let answer = answer(&head, state);
    // The request line without its query: the query carries the code.
    let mut words = head.lines().next().unwrap_or_default().split_whitespace();
    let (method, target) = (words.next().unwrap_or("?"), words.next().unwrap_or("?"));
    // Bounded here; the log line makes it printable.
    let bounded = |text: &str, most: usize| -> String { text.chars().take(most).collect() };
    let (method, path) = (
        bounded(method, 10),
        bounded(target.split('?').next().unwrap_or_default(), 100),
    );
    verbose!(
        "loopback: {method} {path} → {}{}",
        answer.status,
        match &answer.callback {
            Some(Callback::Code(_)) => ", the sign-in's answer",
            Some(Callback::Denied(_)) => ", the sign-in was refused",
            None => ", ignored",
        }
    );
    let response = format!(
        "HTTP/1.1 {}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{}",
        answer.status,
        answer.page.len(),
        answer.page
    );
    // The page is out before the caller hears of the callback (and exits).
    let _ = timeout(READ_TIMEOUT, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await
    })
    .await;
    answer.callback
}

/// The request line and headers, up to the blank line.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&chunk[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
            return Some(String::from_utf8_lossy(&head).into_owned());
        }
        if head.len() > MAX_HEAD {
            return None;
        }
    }
}

struct Answer {
    status: &'static str,
    page: String,
    callback: Option<Callback>,
}

fn answer(head: &str, state: &str) -> Answer {
    let reply = |status, title: &str, text: &str, callback| Answer {
        status,
        page: page(title, text),
        callback,
    };
    let mut words = head.lines().next().unwrap_or_default().split_whitespace();
    let (method, target) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return reply(
            "404 Not Found",
            "Not found",
            "badge is waiting for a sign-in here.",
            None,
        );
    }
    if method != "GET" {
        return reply(
            "405 Method Not Allowed",
            "Not allowed",
            "badge expects a GET request here.",
            None,
        );
    }
    let params = decode_query(query);
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if param("state") != Some(state) {
        return reply(
            "400 Bad Request",
            "Not this sign-in",
            "This answer does not belong to the sign-in badge is waiting for, so it was ignored. \
             If you started a new sign-in, use its browser tab.",
            None,
        );
    }
    if let Some(error) = param("error") {
        let reason = match param("error_description").filter(|d| !d.is_empty()) {
            Some(description) => format!("{error}: {description}"),
            None => error.to_owned(),
        };
        // Whatever sent it (the sign-in page, or any local program that
        // knows the state), it is text from elsewhere: bounded, and drawn
        // printable on the page as in the terminal.
        let reason: String = reason.chars().take(300).collect();
        let reason = printable(&reason).into_owned();
        return reply(
            "200 OK",
            "Sign-in not approved",
            &format!("The sign-in was not approved ({reason}). You can close this tab."),
            Some(Callback::Denied(reason)),
        );
    }
    match param("code").filter(|c| !c.is_empty()) {
        Some(code) => reply(
            "200 OK",
            "Signed in",
            "badge is signed in. You can close this tab and go back to your terminal.",
            Some(Callback::Code(code.to_owned())),
        ),
        None => reply(
            "400 Bad Request",
            "No code",
            "This answer carries no authorization code, so it was ignored.",
            None,
        ),
    }
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>badge: {}</title></head>\n\
         <body style=\"font-family: sans-serif; margin: 3em\"><h1>{}</h1><p>{}</p></body></html>\n",
        html_escape(title),
        html_escape(title),
        html_escape(text)
    )
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn get(port: u16, target: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    fn runtime() -> tokio::runtime::Runtime {
        crate::sso::client::runtime().unwrap()
    }

    #[test]
    fn binds_the_loopback_address_only() {
        runtime().block_on(async {
            let loopback = Loopback::bind().await.unwrap();
            let addr = loopback.listener.local_addr().unwrap();
            assert!(addr.ip().is_loopback() && addr.is_ipv4(), "{addr}");
            assert_ne!(loopback.port(), 0);
            assert_eq!(
                loopback.redirect_uri(),
                format!("http://127.0.0.1:{}/oauth/callback", addr.port())
            );
            // Not on IPv6 either (refused, or no IPv6 at all).
            let v6 = TcpStream::connect(("::1", loopback.port())).await;
            assert!(
                v6.is_err(),
                "something answers on [::1]:{}",
                loopback.port()
            );
        });
    }

    #[test]
    fn a_wrong_state_is_rejected_and_the_right_one_still_gets_through() {
        runtime().block_on(async {
            let loopback = Loopback::bind().await.unwrap();
            let port = loopback.port();
            let waiting = tokio::spawn(loopback.wait("right-state", Duration::from_secs(20)));
            // A connection that never sends anything does not block others.
            let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let stray = get(port, "/favicon.ico").await;
            assert!(stray.starts_with("HTTP/1.1 404"), "{stray}");
            let wrong = get(port, "/oauth/callback?code=c1&state=wrong-state").await;
            assert!(wrong.starts_with("HTTP/1.1 400"), "{wrong}");
            assert!(!wrong.contains("c1"), "the page does not echo the code");
            let missing = get(port, "/oauth/callback?code=c1").await;
            assert!(missing.starts_with("HTTP/1.1 400"), "{missing}");
            // Both were answered, and neither ended the wait.
            tokio::task::yield_now().await;
            assert!(!waiting.is_finished());
            let right = get(port, "/oauth/callback?code=the%2Bcode&state=right-state").await;
            assert!(right.starts_with("HTTP/1.1 200"), "{right}");
            assert!(right.contains("You can close this tab"), "{right}");
            assert!(right.contains("Connection: close"), "{right}");
            let callback = waiting.await.unwrap().unwrap();
            assert_eq!(callback, Some(Callback::Code("the+code".into())));
        });
    }

    /// One answer with the right state ends it all: the listener is closed
    /// at once, so nothing more reaches badge on that port.
    #[test]
    fn serves_one_sign_in_then_stops_listening() {
        runtime().block_on(async {
            let loopback = Loopback::bind().await.unwrap();
            let port = loopback.port();
            let waiting = tokio::spawn(loopback.wait("s", Duration::from_secs(20)));
            let right = get(port, "/oauth/callback?code=first&state=s").await;
            assert!(right.starts_with("HTTP/1.1 200"), "{right}");
            let callback = waiting.await.unwrap().unwrap();
            assert_eq!(callback, Some(Callback::Code("first".into())));
            let again = TcpStream::connect(("127.0.0.1", port)).await;
            assert_eq!(
                again.map(|_| ()).map_err(|e| e.kind()),
                Err(std::io::ErrorKind::ConnectionRefused)
            );
        });
    }

    #[test]
    fn a_denial_with_the_right_state_ends_the_wait() {
        runtime().block_on(async {
            let loopback = Loopback::bind().await.unwrap();
            let port = loopback.port();
            let waiting = tokio::spawn(loopback.wait("s", Duration::from_secs(20)));
            let page = get(
                port,
                "/oauth/callback?error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E&state=s",
            )
            .await;
            assert!(page.contains("&lt;b&gt;no&lt;/b&gt;"), "{page}");
            let callback = waiting.await.unwrap().unwrap();
            assert_eq!(
                callback,
                Some(Callback::Denied("access_denied: <b>no</b>".into()))
            );
        });
    }

    #[test]
    fn times_out() {
        runtime().block_on(async {
            let loopback = Loopback::bind().await.unwrap();
            let started = Instant::now();
            let callback = loopback
                .wait("s", Duration::from_millis(200))
                .await
                .unwrap();
            assert_eq!(callback, None);
            assert!(started.elapsed() >= Duration::from_millis(200));
        });
    }

    #[test]
    fn only_get_on_the_callback_path_counts() {
        let post = answer("POST /oauth/callback?code=c&state=s HTTP/1.1\r\n\r\n", "s");
        assert!(post.status.starts_with("405") && post.callback.is_none());
        let other = answer("GET /oauth/callbackx?code=c&state=s HTTP/1.1\r\n\r\n", "s");
        assert!(other.status.starts_with("404") && other.callback.is_none());
        let empty = answer("GET /oauth/callback?code=&state=s HTTP/1.1\r\n\r\n", "s");
        assert!(empty.status.starts_with("400") && empty.callback.is_none());
    }
}

//! URLs: start URLs compared as the AWS tools compare them, query strings
//! encoded and decoded (one decoder), and URLs shown without a password.

/// Whether two start URLs name the same portal (a trailing `/` aside).
pub fn same_url(a: &str, b: &str) -> bool {
    a.trim().trim_end_matches('/') == b.trim().trim_end_matches('/')
}

/// Percent-encoding of a query value (everything but RFC 3986 unreserved).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A query string's name or value, percent- and `+`-decoded; a `%` that
/// starts no escape stays as it is.
pub fn percent_decode(text: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `name=value` pairs of a query string, decoded.
pub fn decode_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

/// A URL without a `user:password@` part, which may hold a credential.
pub fn without_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    match scheme {
        "" => format!("{host}{tail}"),
        scheme => format!("{scheme}://{host}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_does_not_change_the_start_url() {
        assert!(same_url(
            "https://acme.awsapps.com/start/",
            " https://acme.awsapps.com/start"
        ));
        assert!(!same_url(
            "https://acme.awsapps.com/start",
            "https://other.awsapps.com/start"
        ));
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            without_userinfo("https://me:pw@proxy.example:8443/sso?x=1"),
            "https://proxy.example:8443/sso?x=1"
        );
        assert_eq!(without_userinfo("http://127.0.0.1:9"), "http://127.0.0.1:9");
    }

    #[test]
    fn query_values_round_trip() {
        let value = "http://127.0.0.1:8080/oauth/callback?a=b c&d";
        let encoded = encode_query_value(value);
        assert_eq!(
            encoded,
            "http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fcallback%3Fa%3Db%20c%26d"
        );
        let pairs = decode_query(&format!("x={encoded}&y=a+b&z&bad=%zz%4"));
        assert_eq!(
            pairs,
            vec![
                ("x".into(), value.into()),
                ("y".into(), "a b".into()),
                ("z".into(), String::new()),
                ("bad".into(), "%zz%4".into()),
            ]
        );
        assert_eq!(percent_decode("Admin%20Access+x"), "Admin Access x");
    }
}

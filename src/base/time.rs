//! Time as the AWS tools write it (`2026-11-18T11:06:40Z`), as people
//! read it ("2026-11-18 11:06 UTC"), and durations in words.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `YYYY-MM-DDTHH:MM:SSZ`, the form the AWS CLI writes.
pub fn format_time(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Reads the ISO 8601 forms the AWS tools write: `…Z`, `…UTC`, fractional
/// seconds, or an offset like `+00:00`.
pub fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" | "UTC" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            sign * (digits[..2].parse::<i64>().ok()? * 3600 + digits[2..].parse::<i64>().ok()? * 60)
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

// Howard Hinnant's civil-date algorithms.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// "2026-11-26 18:00 UTC".
pub fn human_time(at: SystemTime) -> String {
    let text = format_time(at);
    format!("{} {} UTC", &text[..10], &text[11..16])
}

/// "12 ms", "1.25 s": how long something took.
pub fn took(duration: Duration) -> String {
    if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.2} s", duration.as_secs_f64())
    }
}

/// "1.6s", "1m32s": how long something took, as a user reads a clock.
pub fn span(duration: Duration) -> String {
    let secs = duration.as_secs();
    if secs < 60 {
        return seconds(duration);
    }
    format!("{}m{:02}s", secs / 60, secs % 60)
}

/// "30s", "1.5s": a limit, as a user would set it.
pub fn seconds(duration: Duration) -> String {
    format!("{}s", (duration.as_secs_f64() * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_the_aws_cli_format() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let text = format_time(t);
        assert_eq!(text, "2026-11-18T11:06:40Z");
        assert_eq!(parse_time(&text), Some(t));
        assert_eq!(parse_time("2026-11-18T11:06:40UTC"), Some(t));
        assert_eq!(parse_time("2026-11-18T11:06:40.123Z"), Some(t));
        assert_eq!(parse_time("2026-11-18T13:06:40+02:00"), Some(t));
        assert_eq!(parse_time("garbage"), None);
        assert_eq!(parse_time("2026-13-17T07:06:40Z"), None);
        assert_eq!(human_time(t), "2026-11-18 11:06 UTC");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(took(Duration::from_millis(12)), "12 ms");
        assert_eq!(took(Duration::from_millis(1250)), "1.25 s");
        assert_eq!(seconds(Duration::from_secs(30)), "30s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5s");
        assert_eq!(span(Duration::from_millis(1640)), "1.6s");
        assert_eq!(span(Duration::from_secs(92)), "1m32s");
    }
}

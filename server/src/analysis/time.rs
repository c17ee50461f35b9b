//! Reading time estimates: `~15 minutes`, `2-3 min`, `90s`, `1h`, `1.5 hours`, `1h 30m`.

/// Seconds in the estimate, a range counting as its upper bound; `None` if unreadable.
pub fn parse_seconds(value: &str) -> Option<u64> {
    let mut s = value.trim().to_ascii_lowercase();
    for prefix in [
        "~",
        "≈",
        "about",
        "approx.",
        "approximately",
        "approx",
        "up to",
        "<",
        "≤",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start().to_string();
        }
    }
    let mut total = 0.0f64;
    let mut found = false;
    let mut rest = s.as_str();
    loop {
        rest = rest.trim_start_matches([' ', '~', '+', ',']);
        rest = rest.strip_prefix("and ").unwrap_or(rest);
        let Some((number, after)) = read_range(rest) else {
            break;
        };
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let Some(unit) = unit_seconds(&after[..unit_len]) else {
            break;
        };
        total += number * unit;
        found = true;
        rest = &after[unit_len..];
    }
    // What follows the duration ("per node", "(incl. checks)") is commentary, but a value that
    // starts with anything else ("soon", "5") is not a duration.
    found.then_some(total.round() as u64)
}

/// A number or a range `a-b` / `a–b` / `a to b`; returns the upper bound and the rest.
fn read_range(s: &str) -> Option<(f64, &str)> {
    let (a, rest) = read_number(s)?;
    let trimmed = rest.trim_start();
    for sep in ["-", "–", "—", "to "] {
        if let Some(after) = trimmed.strip_prefix(sep) {
            if let Some((b, rest)) = read_number(after.trim_start()) {
                return Some((a.max(b), rest));
            }
        }
    }
    Some((a, rest))
}

fn read_number(s: &str) -> Option<(f64, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let n: f64 = s[..end].trim_end_matches('.').parse().ok()?;
    Some((n, &s[end..]))
}

fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        _ => return None,
    })
}

/// `1h 25m`, `15m`, `45s` — how the tool prints durations.
pub fn format_seconds(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_forms() {
        assert_eq!(parse_seconds("~15 minutes"), Some(900));
        assert_eq!(parse_seconds("2-3 min"), Some(180));
        assert_eq!(parse_seconds("2–3 minutes"), Some(180));
        assert_eq!(parse_seconds("90s"), Some(90));
        assert_eq!(parse_seconds("1h"), Some(3600));
        assert_eq!(parse_seconds("1.5 hours"), Some(5400));
        assert_eq!(parse_seconds("1h 30m"), Some(5400));
        assert_eq!(parse_seconds("~5 minutes (including checks)"), Some(300));
        assert_eq!(parse_seconds("10 to 15 minutes"), Some(900));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        assert_eq!(parse_seconds("soon"), None);
        assert_eq!(parse_seconds("5"), None);
        assert_eq!(parse_seconds(""), None);
        assert_eq!(parse_seconds("TBD"), None);
        assert_eq!(parse_seconds("5 parsecs"), None);
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_seconds(90), "1m 30s");
        assert_eq!(format_seconds(900), "15m");
        assert_eq!(format_seconds(5400), "1h 30m");
        assert_eq!(format_seconds(7200), "2h");
    }
}

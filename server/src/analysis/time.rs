//! Reading time estimates: `~15 minutes`, `2-3 min`, `90s`, `1h`, `1.5 hours`, `1h 30m`.

use std::ops::Range;

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
    // What follows the duration ("per node", "(incl. checks)") is commentary, but a value that
    // starts with anything else ("soon", "5") is not a duration.
    read_duration(&s).map(|d| d.seconds)
}

/// A duration read from the start of a text.
struct Duration {
    seconds: u64,
    /// Bytes read, from the first digit to the end of the last unit.
    len: usize,
    /// Written as a range (`10-20 minutes`).
    ranged: bool,
}

/// Reads `15 minutes`, `2-3 min`, `1h 30m` from the start of `s` (lower case).
fn read_duration(s: &str) -> Option<Duration> {
    let mut total = 0.0f64;
    let mut len = 0;
    let mut ranged = false;
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches([' ', '~', '+', ',']);
        rest = rest.strip_prefix("and ").unwrap_or(rest);
        let Some((number, is_range, after)) = read_range(rest) else {
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
        ranged |= is_range;
        rest = &after[unit_len..];
        len = s.len() - rest.len();
    }
    (len > 0).then(|| Duration {
        seconds: total.round() as u64,
        len,
        ranged,
    })
}

/// A duration in a step's title: in parentheses (`Build (30 minutes)`, `(~2h)`) or after a
/// tilde (`Smoke test ~15m`). Returns the seconds and the range of the duration in `title`.
pub fn in_title(title: &str) -> Option<(u64, Range<usize>)> {
    let lower = title.to_ascii_lowercase();
    let mut from = 0;
    while let Some(open) = lower[from..].find('(') {
        let open = from + open;
        let Some(close) = lower[open..].find(')').map(|c| open + c) else {
            break;
        };
        let inner = &lower[open + 1..close];
        if let Some(seconds) = parse_seconds(inner) {
            let lead = inner.len() - inner.trim_start().len();
            return Some((seconds, open + 1 + lead..open + 1 + inner.trim_end().len()));
        }
        from = open + 1;
    }
    for (i, c) in lower.char_indices() {
        if c != '~' && c != '≈' {
            continue;
        }
        let rest = &lower[i + c.len_utf8()..];
        let lead = rest.len() - rest.trim_start().len();
        if let Some(d) = read_duration(&rest[lead..]) {
            return Some((d.seconds, i..i + c.len_utf8() + lead + d.len));
        }
    }
    None
}

/// Words right before a number that make it the time a step takes: "takes about 2 hours",
/// "runs for 3 days", "~10 minutes".
const CUES: [&str; 11] = [
    "take",
    "takes",
    "took",
    "taking",
    "lasts",
    "about",
    "around",
    "approximately",
    "roughly",
    "for",
    "approx.",
];

/// Words around a duration that make it something else: a deadline ("within 2 hours"), a lead
/// time ("10 days before release"), a schedule ("every 5 minutes"), a minimum ("at least"), a
/// version ("version 1.15-2").
const NOT_BEFORE: [&str; 9] = [
    "within", "every", "each", "per", "least", "than", "after", "in", "version",
];
const NOT_AFTER: [&str; 7] = [
    "before", "after", "ago", "later", "earlier", "prior", "from",
];

/// Durations in a sentence of prose that say how long the step takes: a duration after a cue
/// ("takes about 2 hours", "for 3 days", "~15 minutes") or written as a range ("10-20
/// minutes"), and not a deadline, lead time, schedule or minimum (see [`NOT_BEFORE`],
/// [`NOT_AFTER`]). Bare numbers without a unit ("port 8080", "3 replicas", "2024") never count.
/// Returns each with its range in `text`, in order.
pub fn in_prose(text: &str) -> Vec<(u64, Range<usize>)> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            && (i == 0 || {
                let p = bytes[i - 1];
                !(p.is_ascii_alphanumeric() || matches!(p, b'.' | b'-' | b'/' | b':' | b'_'))
            });
        if !starts_number {
            i += 1;
            continue;
        }
        let Some(d) = read_duration(&lower[i..]) else {
            i += bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            continue;
        };
        let before = lower[..i].trim_end();
        let tilde = before.ends_with(['~', '≈']);
        let before = before.trim_end_matches(['~', '≈']).trim_end();
        let word_before = last_word(before);
        let word_after = lower[i + d.len..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_alphanumeric());
        let cued = tilde || d.ranged || CUES.contains(&word_before);
        let other = NOT_BEFORE.contains(&word_before) || NOT_AFTER.contains(&word_after);
        if cued && !other {
            let start = if tilde {
                lower[..i].rfind(['~', '≈']).unwrap_or(i)
            } else {
                i
            };
            found.push((d.seconds, start..i + d.len));
        }
        i += d.len;
    }
    found
}

/// The last word of `s`, without the punctuation around it.
fn last_word(s: &str) -> &str {
    s.rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
}

/// A number or a range `a-b` / `a–b` / `a to b`; returns the upper bound, whether it was a
/// range, and the rest.
fn read_range(s: &str) -> Option<(f64, bool, &str)> {
    let (a, rest) = read_number(s)?;
    let trimmed = rest.trim_start();
    for sep in ["-", "–", "—", "to "] {
        if let Some(after) = trimmed.strip_prefix(sep) {
            if let Some((b, rest)) = read_number(after.trim_start()) {
                return Some((a.max(b), true, rest));
            }
        }
    }
    Some((a, false, rest))
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
    fn reads_a_duration_in_a_title() {
        let t = "Build (30 minutes)";
        let (secs, r) = in_title(t).unwrap();
        assert_eq!((secs, &t[r]), (1800, "30 minutes"));
        let t = "Phase 7: Post-Migration (30 minutes)";
        assert_eq!(in_title(t).map(|d| d.0), Some(1800));
        let t = "Smoke test ~15m";
        let (secs, r) = in_title(t).unwrap();
        assert_eq!((secs, &t[r]), (900, "~15m"));
        // Emoji and CJK before the duration: ranges stay on character boundaries.
        let t = "🚀 部署 (≈ 2h)";
        let (secs, r) = in_title(t).unwrap();
        assert_eq!((secs, &t[r]), (7200, "≈ 2h"));
        assert_eq!(
            in_title("Deploy (2-3 min, per node)").map(|d| d.0),
            Some(180)
        );
    }

    #[test]
    fn a_title_without_a_duration_has_none() {
        for t in [
            "Upgrade to version 1.15",
            "Open port 8080",
            "Scale to 3 replicas (3 replicas)",
            "2024 plans",
            "Release (optional)",
            "Step 3 (of 5)",
            "Tag v1.2 (2024)",
            "~ maybe",
            "Wait 5 minutes",
        ] {
            assert_eq!(in_title(t), None, "{t}");
        }
    }

    fn prose(s: &str) -> Vec<(u64, &str)> {
        in_prose(s).into_iter().map(|(n, r)| (n, &s[r])).collect()
    }

    #[test]
    fn reads_the_time_a_step_takes_in_prose() {
        assert_eq!(
            prose("The migration takes about 2 hours on production."),
            [(7200, "2 hours")]
        );
        assert_eq!(
            prose("Expect 10-20 minutes of downtime."),
            [(1200, "10-20 minutes")]
        );
        assert_eq!(prose("Run the benchmark for 3 days."), [(259200, "3 days")]);
        assert_eq!(prose("It should take ~15 min."), [(900, "~15 min")]);
        assert_eq!(prose("Takes 1h 30m."), [(5400, "1h 30m")]);
        assert_eq!(prose("部署 takes 5 minutes 🚀"), [(300, "5 minutes")]);
    }

    #[test]
    fn prose_numbers_that_are_not_the_step_time_are_left_alone() {
        for s in [
            "Released in 2024 with version 1.15.",
            "Open port 8080 and scale to 3 replicas.",
            "Answer within one hour.",
            "Respond within 2 hours.",
            "Start 10 days before release.",
            "Wait for 10 days before the release.",
            "Run it every 5 minutes.",
            "Wait at least 72 hours.",
            "Apps take a couple of minutes to restart.",
            "It takes more than 5 minutes.",
            "Retry after 30 seconds.",
            "Deploy 5 minutes after the freeze.",
            "Version 1.15-2 minutes",
            "The 3-day window.",
        ] {
            assert_eq!(prose(s), [], "{s}");
        }
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_seconds(90), "1m 30s");
        assert_eq!(format_seconds(900), "15m");
        assert_eq!(format_seconds(5400), "1h 30m");
        assert_eq!(format_seconds(7200), "2h");
    }
}

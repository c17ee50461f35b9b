//! Inlay hints: the cumulative time at the end of each step (`T+25m`), forward and rollback
//! counted separately. A step without a readable estimate adds nothing and marks every later
//! total as a lower bound (`T+25m+?`).

use super::Snapshot;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    /// Where the hint is shown: the end of the step's title.
    pub offset: usize,
    pub label: String,
}

/// `1500` → `25m`, `5400` → `1h30m`, `90` → `1m30s`.
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

pub fn hints(snap: &Snapshot, range: std::ops::Range<usize>) -> Vec<Hint> {
    let m = snap.model();
    let mut out = Vec::new();
    for rollback in [false, true] {
        let mut total: u64 = 0;
        let mut unknown = false;
        for s in m.steps.iter().filter(|s| s.in_rollback == rollback) {
            match s.time.seconds() {
                Some(t) => total = total.saturating_add(t),
                None => unknown = true,
            }
            let offset = s.title_range.end;
            if offset < range.start || offset > range.end {
                continue;
            }
            let mut label = format!("T+{}", duration(total));
            if unknown {
                label.push_str("+?");
            }
            out.push(Hint { offset, label });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ide::test_support::snapshot;

    #[test]
    fn durations() {
        assert_eq!(duration(1500), "25m");
        assert_eq!(duration(5400), "1h30m");
        assert_eq!(duration(3600), "1h");
        assert_eq!(duration(90), "1m30s");
        assert_eq!(duration(0), "0s");
    }

    #[test]
    fn cumulative_forward_and_rollback() {
        let text = "# T\n\n## Deployment Procedure\n\n**Step 1: A**\n\n- Time: 10 minutes\n\n**Step 2: B**\n\n**Step 3: C**\n\n- Time: ~15 minutes\n\n## Rollback\n\n**Step 4: D**\n\n- Time: 5 min\n";
        let snap = snapshot(text);
        let h = hints(&snap, 0..text.len());
        let labels: Vec<(&str, &str)> = h
            .iter()
            .map(|h| (&text[h.offset - 1..h.offset], h.label.as_str()))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("*", "T+10m"),
                ("*", "T+10m+?"),
                ("*", "T+25m+?"),
                ("*", "T+5m")
            ]
        );
        // Only the hints inside the requested range.
        let step3 = text.find("**Step 3").unwrap();
        assert_eq!(hints(&snap, step3..step3 + 20).len(), 1);
        assert!(hints(&snapshot("# T\n\nNo steps.\n"), 0..20).is_empty());
    }
}
